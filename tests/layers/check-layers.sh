#!/bin/bash
# The layering of orchestrator/ (rules in orchestrator/LAYERS): each
# folder includes only its own headers, base/'s and those of the folders
# its line names; the folders form a DAG; no two modules include each
# other's headers in a cycle; each external library's header is included
# by the one file its `lib` line names. Prints one line per violation and
# exits 1 when there is any, 0 otherwise.
# With OBJDIR (the build's orchestrator/ objects), calls are checked the
# same way as includes: a function a folder calls must be defined in a
# folder it may include (a header can hide that, a call cannot).
#   usage: check-layers.sh [ORCHESTRATOR_DIR [OBJDIR]]
set -u
dir=${1:-orchestrator}
objdir=${2:-}
rules=$dir/LAYERS
bad=0
say() { printf 'check-layers: %s\n' "$*"; bad=1; }

[ -r "$rules" ] || { echo "check-layers: cannot read '$rules'" >&2; exit 2; }
declare -A allowed=() libfile=()
while read -r first rest; do
	case $first in
	'' | '#'*) ;;
	lib) set -- $rest; lib=$1; shift; libfile[$lib]=" $* " ;;
	*:) allowed[${first%:}]=" ${first%:} $rest " ;;
	*) say "$rules: cannot read the line '$first $rest'" ;;
	esac
done <"$rules"

# the folders' own graph must be acyclic
edges=$(for f in "${!allowed[@]}"; do
	for d in ${allowed[$f]}; do echo "$d $f"; done
done)
if ! out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	say "the folders' rules have a cycle: $(printf '%s' "$out" | grep -v 'input contains a loop' | sed 's/^tsort: //' | tr '\n' ' ')"
fi

modedges=
while IFS= read -r -d '' file; do
	rel=${file#"$dir"/}
	folder=${rel%%/*}
	[ "$folder" = "$rel" ] && continue
	[ "$folder" = guest ] && continue
	if [ -z "${allowed[$folder]+x}" ]; then
		say "$rel: the folder '$folder' has no line in LAYERS"
		continue
	fi
	mod=${rel%.[ch]}
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		'#include "'*)
			inc=${line#'#include "'}
			inc=${inc%%\"*}
			if [ "${inc#*/}" = "$inc" ]; then
				say "$rel:$n: includes \"$inc\": name its folder (\"FOLDER/$inc\")"
			elif [ ! -f "$dir/$inc" ]; then
				say "$rel:$n: includes \"$inc\", which does not exist"
			else
				to=${inc%%/*}
				case ${allowed[$folder]} in
				*" $to "*) ;;
				*) say "$rel:$n: includes \"$inc\": $folder/ may include only$(printf ' %s/' ${allowed[$folder]})" ;;
				esac
				[ "${inc%.h}" != "$mod" ] && modedges+="${inc%.h} $mod"$'\n'
			fi
			;;
		'#include <'*)
			inc=${line#'#include <'}
			inc=${inc%%>*}
			for lib in "${!libfile[@]}"; do
				case $inc in
				"$lib" | "$lib"*/* | "$lib"*)
					[ "${lib%/}" != "$lib" ] || [ "$inc" = "$lib" ] || continue
					case ${libfile[$lib]} in
					*" $rel "*) ;;
					*) say "$rel:$n: includes <$inc>: only$(printf ' %s' ${libfile[$lib]}) may include it" ;;
					esac
					;;
				esac
			done
			;;
		esac
	done <"$file"
done < <(find "$dir" -name '*.[ch]' -print0 | sort -z)

# modules: foo.c and foo.h are one module; an include is an edge
if ! out=$(printf '%s' "$modedges" | sed 's/\.c / /; s/\.c$//' | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	say "modules include each other in a cycle: $(printf '%s' "$out" | grep -v 'input contains a loop' | sed 's/^tsort: //' | tr '\n' ' ')"
fi
# calls: who defines each global symbol, and who uses it
if [ -n "$objdir" ]; then
	objs=()
	while IFS= read -r -d '' o; do
		# only the objects of sources that exist (no stale ones)
		rel=${o#"$objdir"/}
		[ -f "$dir/${rel%.o}.c" ] && objs+=("$o")
	done < <(find "$objdir" -name '*.o' -print0 | sort -z)
	[ "${#objs[@]}" -gt 0 ] || say "no objects under '$objdir': build first"
	allowed_list=$(for f in "${!allowed[@]}"; do printf '%s=%s\n' "$f" "${allowed[$f]}"; done)
	while IFS= read -r line; do say "$line"; done < <(
		{ nm -A -g --defined-only "${objs[@]}" | sed 's/^/D /'
		  nm -A -u "${objs[@]}" | sed 's/^/U /'; } 2>/dev/null |
		awk -v root="$objdir/" -v rules="$allowed_list" '
		BEGIN { n = split(rules, r, "\n")
			for (i = 1; i <= n; i++) if (r[i] != "") {
				k = substr(r[i], 1, index(r[i], "=") - 1)
				ok[k] = substr(r[i], index(r[i], "=") + 1) } }
		{ obj = $2; sub(/:.*/, "", obj); sym = $NF
		  rel = substr(obj, length(root) + 1); folder = rel; sub(/\/.*/, "", folder)
		  if (folder == "guest") next
		  if ($1 == "D") { def[sym] = rel; deffolder[sym] = folder }
		  else { nu++; usym[nu] = sym; urel[nu] = rel; ufolder[nu] = folder } }
		END { for (i = 1; i <= nu; i++) {
			s = usym[i]; if (!(s in def)) continue
			f = ufolder[i]; g = deffolder[s]
			if (f == g || index(ok[f], " " g " ")) continue
			printf "%s calls %s(), defined in %s: %s/ may call only%s\n", urel[i], s, def[s], f, ok[f] } }' |
		sed 's/\.o calls/.c calls/; s/\.o: /.c: /' | sort -u)
fi
exit $bad
