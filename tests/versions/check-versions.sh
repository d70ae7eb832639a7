#!/bin/bash
# check-versions.sh: the version matrix of issue #11, built and booted here.
#
#   MIRROR=http://127.0.0.1:PORT KEYRING=FILE tests/versions/check-versions.sh
#   make check-versions MIRROR=URL KEYRING=FILE [VERSIONS="4.10.1 5.4.302"]
#
# Every release the mirror serves (its vN.x/sha256sums.asc, v4.x to v6.x),
# or only VERSIONS, goes through `umlkbuild matrix` with --version, so
# each build is fetched, verified against KEYRING, unpacked and patched
# as a user's is: x86_64 and i386, minimal profile, plus defconfig x86_64
# for the releases in DEFCONFIG (default: the 4.10, 5.4 and 6.6 lines;
# DEFCONFIG= for none).
# Each published artifact then gets `umlkbuild boot --net` (root only:
# TAP in a private namespace) and `umlkbuild boot --deploy`.
#
# An i386 kernel this host cannot execute (no IA32 emulation) gets those
# checks, the boot check again included, in a qemu machine that can
# (tests/versions/ia32-vm.sh; IA32_VM=0 skips them, IA32_VM=1 insists);
# their verdicts say "(IA32 VM)".
#
# bench/VERSIONS.md gets one row per build (version, arch, profile,
# patches applied, build time, vmlinux size and sha256, each check's
# verdict, date). Rows of earlier runs for other builds are kept; a build
# run again replaces its row. A failed build stays as failed, with its
# first error; a "## Notes" section below the table is kept. Builds run under `nice -n ${NICE:-15}` with -j ${JOBS:-2}.
#
# Environment: UKB (default ./umlkbuild), CACHE (default
# build/versions-cache), OUT (default build/versions), TABLE (default
# bench/VERSIONS.md), ARCHES (default "x86_64 i386"; ARCHES= for the
# defconfig builds only), NO_NET=1 / NO_DEPLOY=1, IA32_VM, RECHECK=1 (no
# build: the checks again on the artifacts an earlier run left in OUT,
# their rows rewritten with the build times that run measured; the rows
# of its failed builds are left as the table has them).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${UKB:=$TOP/umlkbuild}" "${CACHE:=$TOP/build/versions-cache}"
: "${OUT:=$TOP/build/versions}" "${TABLE:=$TOP/bench/VERSIONS.md}"
: "${ARCHES=x86_64 i386}" "${JOBS:=2}" "${NICE:=15}"
: "${VERSIONS:=}" "${DEFCONFIG=4.10 5.4 6.6}"

. "$TOP/tests/versions/served.sh"
for t in curl jq; do
	command -v "$t" >/dev/null || die "'$t' is not installed" 9
done
# build_matrix: VERSIONS (or every release the mirror serves, oldest
# first) through `umlkbuild matrix` into $OUT/m; sets mrc
build_matrix() {
	local v line defconfig=
	need_mirror
	mkdir -p "$OUT" "$CACHE" "$(dirname "$TABLE")"
	for v in $VERSIONS; do
		for line in $DEFCONFIG; do
			case "$v" in "$line" | "$line".*) defconfig="$defconfig $v" ;; esac
		done
	done
	[ -n "${ARCHES// /}" ] || [ -n "$defconfig" ] ||
		die "nothing to build: ARCHES is empty and no release of VERSIONS is in DEFCONFIG ($DEFCONFIG)"

	printf '[fetch]\nmirror = %s\nkeyring = %s\n' "$MIRROR" "$KEYRING" >"$OUT/fetch.ini"
	{
		printf '[matrix]\nout = %s\njobs = %s\nparallel = 1\nboot = yes\n\n' "$OUT/m" "$JOBS"
		[ -z "${ARCHES// /}" ] ||
			printf '[cell minimal]\nversion = %s\narch = %s\nprofile = minimal\n\n' "$VERSIONS" "$ARCHES"
		[ -n "$defconfig" ] &&
			printf '[cell defconfig]\nversion = %s\narch = x86_64\nprofile = defconfig\n' "$defconfig"
	} >"$OUT/matrix.ini"

	echo "building: $VERSIONS (defconfig:${defconfig:- none})" >&2
	nice -n "$NICE" "$UKB" --cache "$CACHE" matrix --config "$OUT/fetch.ini" \
		"$OUT/matrix.ini" >"$OUT/matrix.out" 2>"$OUT/matrix.err"
	mrc=$?
	[ "$mrc" = 0 ] || [ "$mrc" = 6 ] || {
		cat "$OUT/matrix.err" >&2
		die "umlkbuild matrix exited $mrc" "$mrc"
	}
}

J="$OUT/m/matrix.json"
if [ "${RECHECK:-0}" = 1 ]; then
	# an earlier run's builds, as they are: their checks run again
	[ -f "$J" ] || die "RECHECK=1 needs an earlier run's OUT: no '$J'" 3
	[ -x "$UKB" ] || die "'$UKB' is not built (make umlkbuild)"
	mrc=$(jq -r 'if all(.builds[]; .status == "PASS") then 0 else 6 end' "$J")
	mkdir -p "$(dirname "$TABLE")"
	echo "checking again: the builds of '$J'" >&2
else
	build_matrix
fi

# verdict CMD...: "pass", or "FAIL: first error line"
verdict() {
	local log=$1; shift
	if nice -n "$NICE" "$@" >"$log" 2>&1; then
		if grep -q '^boot check skipped' "$log"; then
			echo "skipped: $(grep -m1 -o 'warning: .*' "$log" | sed 's/^warning: //')"
		else
			echo pass
		fi
	else
		local e
		e=$(grep -m1 -E '^(error|not ok|fail|FAIL)' "$log" || tail -n1 "$log")
		echo "FAIL: ${e//|/\\|}"
	fi
}

# use_vm: whether 32-bit kernels this host cannot execute boot in the IA32
# machine (tests/versions/ia32-vm.sh): IA32_VM=1 yes, 0 no, auto (the
# default) when qemu is installed and we are root
use_vm() {
	case ${IA32_VM:-auto} in
	1) return 0 ;;
	0) return 1 ;;
	*) [ "$(id -u)" = 0 ] && command -v qemu-system-x86_64 >/dev/null ;;
	esac
}

date=$(date -u +%Y-%m-%d)
rows="$OUT/rows.md"
: >"$rows"
n=$(jq '.builds | length' "$J")
for i in $(seq 0 $((n - 1))); do
	b=$(jq -c ".builds[$i]" "$J")
	get() { jq -r "$1 // empty" <<<"$b"; }
	ver=$(get .version) arch=$(get .arch) prof=$(get .profile)
	[ -n "$ver" ] || ver=$(get .source)
	status=$(get .status) art=$(get .artifact)
	size=$(get .vmlinux_size) sha=$(get .sha256) dur=$(get .duration)
	boot=n/a net=n/a dep=n/a patches=
	# RECHECK: a build that failed has nothing to check again, and its
	# old row must not overwrite one that a later run wrote
	[ "${RECHECK:-0}" = 1 ] && [ "$status" != PASS ] && continue
	if [ "$status" = PASS ] && [ -n "$art" ]; then
		vm="$OUT/m/$art/vmlinux"
		patches=$(jq -r '[.build.patches[]? | if .already_present then .name + " (present)" else .name end] | join(", ")' "$OUT/m/$art/metadata.json" 2>/dev/null)
		boot=$(jq -r 'if .results.boot.passed == true then "pass" elif .results.boot.ran == false then "skipped: " + (.results.boot.skip_reason // "?") else "FAIL" end' "$OUT/m/$art/metadata.json" 2>/dev/null)
		# where the host cannot execute it, a 32-bit kernel boots in
		# the IA32 machine: the boot check again, then the others
		in=() tag=
		if [[ $boot == "skipped: this host cannot execute 32-bit"* ]] && use_vm; then
			# software emulation: --deploy's swap check alone
			# took 6 minutes of 6.12 i386 (2 cores)
			in=("$TOP/tests/versions/ia32-vm.sh" -o "$OUT/vm/$art" --
				"$UKB" boot --timeout 1800)
			tag=" (IA32 VM)"
			boot=$(verdict "$OUT/$art.boot.log" "${in[@]}" "$vm")$tag
		else
			in=("$UKB" boot)
		fi
		if [ -n "${NO_NET:-}" ]; then net="not run"
		elif [ "$(id -u)" != 0 ]; then net="not run (needs root)"
		else net=$(verdict "$OUT/$art.net.log" "${in[@]}" --net "$vm")$tag; fi
		if [ -n "${NO_DEPLOY:-}" ]; then dep="not run"
		else dep=$(verdict "$OUT/$art.deploy.log" "${in[@]}" --deploy "$vm")$tag; fi
	else
		err=$(get .error)
		status="FAIL ($(get .failed_phase)): ${err//|/\\|}"
		patches="selected: $("$UKB" patches --version "$ver" --arch "$arch" 2>/dev/null |
			grep -E '^[0-9]{4}-' | tr '\n' ' ')"
	fi
	[ -n "$dur" ] && dur=$(printf '%.0f s' "$dur")
	[ -n "$size" ] && size=$(printf '%s B' "$size")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
		"$ver" "$arch" "$prof" "$status" "${patches:-none}" "${dur:--}" \
		"${size:--}" "${sha:--}" "$boot" "$net" "$dep" "$date" >>"$rows"
done

# merge: a build run again replaces its row; the others stay
head='| version | arch | profile | build | patches applied | build time | vmlinux size | vmlinux sha256 | boot check | boot --net | boot --deploy | date |'
sep='|---|---|---|---|---|---|---|---|---|---|---|---|'
old="$OUT/old-rows.md"
: >"$old"
[ -f "$TABLE" ] && grep -E '^\| [0-9]' "$TABLE" >"$old"
{
	cat <<'EOH'
# Kernel versions built and booted here

Written by `make check-versions` (tests/versions/check-versions.sh): each
release fetched with `--version` from a kernel.org-shaped mirror on
127.0.0.1 signed by a throw-away key (tests/versions/make-mirror.sh),
verified, unpacked, patched, built static and booted by `umlkbuild
matrix`, then `umlkbuild boot --net` and `umlkbuild boot --deploy`. Where
each tarball came from: tests/versions/TREES.md. A failed build stays
here as failed, with its first error. "(present)" after a patch: the tree
already had it (reverse dry run), so it was skipped. "(IA32 VM)": this
host cannot execute 32-bit binaries, so the i386 kernel was booted in a
qemu machine running Debian's amd64 kernel, which can
(tests/versions/ia32-vm.sh).

EOH
	echo "$head"
	echo "$sep"
	awk -F' \\| ' 'NR == FNR { k[$1 FS $2 FS $3] = 1; print; next }
		!(($1 FS $2 FS $3) in k)' "$rows" "$old" | sort -t'|' -k2,2V -k3,3 -k4,4
	# hand-written notes below the table are kept
	if [ -f "$TABLE" ]; then sed -n '/^## Notes/,$p' "$TABLE" | sed '1s/^/\n/'; fi
} >"$TABLE.tmp" && mv "$TABLE.tmp" "$TABLE"
echo "wrote '$TABLE' ($n builds; matrix exit $mrc)" >&2
exit "$mrc"
