#!/bin/bash
# Each command's options are described once, in its table (cli/cmd-*.c);
# `umlkbuild COMMAND --list-options` prints them, one a line. This test
# checks that the bash completion and the man page name exactly those.
#
# The completion: what _umlkbuild offers for `umlkbuild COMMAND -<TAB>`,
# got by running the function itself (sourced in a clean bash), and for
# `umlkbuild -<TAB>` (the default command, build).
#
# The man page (umlkbuild.1), by these rules:
# - An option is a bold macro argument (the bold ones of .B, .BI, .BR, .RB,
#   .IB; roff's quoting) that starts with \- once \fX, \c, \& are removed:
#   `.BI \-\-git " url " \-\-ref " ref"` names --git and --ref.
# - A command's options are those (a) in its SYNOPSIS entries: a .SY ... .YS
#   block belongs to the command(s) named by bold words of its first line
#   naming one (`.RB [ build ]`, `.BR undeploy " | " run`); a block naming
#   no command is the program's own (--help | --version); a block naming
#   commands on two lines is an error (a missing .YS/.SY), and (b) in its
#   `.SS NAME` section under COMMANDS: the tag line after each .TP, and a
#   run-in list whose paragraph starts with "Options:" (matrix). Options
#   named in the prose elsewhere are cross references and do not count.
# - The global options are the .TP tags of the GLOBAL OPTIONS section.
#
# Global options (-q/--quiet, -v/--verbose, --cache) and -h/--help are
# taken by every command (cli/cmd.c): they are checked once, below, and
# left out of the per-command comparison.
. "$(dirname "$0")/../lib.sh"

COMPLETION=$TOP/completion/umlkbuild.bash
MANPAGE=$TOP/umlkbuild.1
GLOBALS="-q --quiet -v --verbose --cache -h --help"

run "$UKB" --help
[ "$rc" -eq 0 ] || fail_all "'umlkbuild --help' exited with $rc"
# the commands: the first word of each line of --help's "commands:" list
COMMANDS=$(awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }' "$T/out")
[ -n "$COMMANDS" ] || fail_all "'umlkbuild --help' lists no command"

# sorted, one a line, without the global options
drop_globals() {
	grep -vxF -f <(tr ' ' '\n' <<<"$GLOBALS") | sort -u
}

# the global options stand before --list-options: every command takes them
mkdir -p "$T/list"
for c in $COMMANDS; do
	"$UKB" "$c" -q -v --cache "$T/cache" --list-options >"$T/list/$c.raw" ||
		fail_all "'umlkbuild $c -q -v --cache DIR --list-options' failed"
	drop_globals <"$T/list/$c.raw" >"$T/list/$c"
done

# complete FILE WORD...: what FILE's _umlkbuild offers for the words, the
# last one being the word under the cursor
complete_words() {
	local file=$1
	shift
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		_umlkbuild 2>/dev/null
		printf "%s\n" "${COMPREPLY[@]}"' _ "$file" "$@" | sort -u
}

# man_options FILE: "COMMAND<TAB>OPTION" lines by the rules above,
# "(global)<TAB>OPTION" for GLOBAL OPTIONS, "!<TAB>PROBLEM" for a block
# that cannot be read
man_options() {
	perl -e '
use strict;
use warnings;
my %cmd = map { $_ => 1 } split " ", $ARGV[1];
open my $fh, "<", $ARGV[0] or die "$ARGV[0]: $!\n";
sub plain { my $s = shift; $s =~ s/\\f(\(..|\[[^]]*\]|.)//g;
	$s =~ s/\\[c&|^]//g; $s =~ s/\\-/-/g; return $s; }
# the bold arguments of a macro line
sub bold { my ($m, $rest) = @_; my @a;
	while ($rest =~ /\G\s*(?:"((?:[^"]|"")*)"|(\S+))/gc) {
		push @a, defined $1 ? $1 =~ s/""/"/gr : $2; }
	my $odd = { B => -1, BI => 0, BR => 0, RB => 1, IB => 1 }->{$m};
	return () unless defined $odd;
	return map { plain($_) } @a if $odd < 0;
	return map { plain($a[$_]) } grep { $_ % 2 == $odd } 0 .. $#a; }
sub opts { return map { /^(--[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]|-[A-Za-z0-9])(?![A-Za-z0-9-])/ ? $1 : () } @_; }
my ($sh, $ss, $tag, $run, $inblock, $cmdline, @bcmds, @bopts) = ("", "");
my $n = 0;
while (my $l = <$fh>) {
	$n++;
	chomp $l;
	if ($l =~ /^\.SH\s+"?([^"]*)"?/) { ($sh, $ss, $tag, $run) = ($1, "", 0, 0); next; }
	my ($m, $rest) = $l =~ /^\.([A-Z]+)\s*(.*)$/ ? ($1, $2) : ("", $l);
	if ($sh eq "SYNOPSIS") {
		if ($m eq "SY") {
			print "!\tSYNOPSIS line $n: a .SY inside a .SY block (a missing .YS?)\n" if $inblock;
			($inblock, $cmdline, @bcmds, @bopts) = (1, 0);
			next;
		}
		if ($m eq "YS") {
			for my $c (@bcmds) { print "$c\t$_\n" for @bopts; }
			$inblock = 0; next;
		}
		next unless $inblock && $m;
		my @b = bold($m, $rest);
		my @c = grep { $cmd{$_} } @b;
		if (@c && @bcmds && $cmdline != $n) {
			print "!\tSYNOPSIS line $n: one .SY block names @bcmds and @c (a missing .YS and .SY?)\n";
		} elsif (@c) { push @bcmds, @c; $cmdline = $n; }
		push @bopts, opts(@b);
		next;
	}
	if ($sh eq "COMMANDS" && $m eq "SS") {
		($ss, $tag, $run) = (plain($rest), 0, 0);
		$ss =~ s/"//g;
		next;
	}
	my $who = $sh eq "GLOBAL OPTIONS" ? "(global)" : $sh eq "COMMANDS" ? $ss : "";
	next unless $who;
	if ($m eq "TP") { $tag = 1; next; }
	$run = 0 if $m =~ /^(PP|P|LP|SS|IP)$/;
	$run = 1 if $who ne "(global)" && $l =~ /^Options:/;
	if (($tag || $run) && $m) { print "$who\t$_\n" for opts(bold($m, $rest)); }
	$tag = 0;
}' "$1" "$COMMANDS" | sort -u
}

# compare COMPLETION MANPAGE: one line per difference,
# "COMMAND<TAB>OPTION<TAB>where it is missing"
compare() {
	local comp=$1 man=$2 c
	local dir
	dir=$(mktemp -d "$T/cmp.XXXXXX")
	man_options "$man" >"$dir/man"
	grep '^!' "$dir/man" | cut -f2- | sed 's/^/umlkbuild.1\t-\t/'
	for c in $COMMANDS default; do
		local name=$c list=$T/list/$c
		if [ "$c" = default ]; then
			name="build (the default command)"
			list=$T/list/build
			complete_words "$comp" umlkbuild - | drop_globals |
				grep -vx -- --version >"$dir/comp.$c"
			# --version alone is the program's: offered either way
			grep -qx -- --version "$list" && echo --version >>"$dir/comp.$c"
			sort -u -o "$dir/comp.$c" "$dir/comp.$c"
		else
			complete_words "$comp" umlkbuild "$c" - | drop_globals >"$dir/comp.$c"
			awk -F '\t' -v c="$c" '$1 == c { print $2 }' "$dir/man" |
				drop_globals >"$dir/man.$c"
			comm -23 "$list" "$dir/man.$c" |
				sed "s/^/$name\t/; s/\$/\tmissing from umlkbuild.1/"
			comm -13 "$list" "$dir/man.$c" |
				sed "s/^/$name\t/; s/\$/\tdocumented in umlkbuild.1 but not in --list-options/"
		fi
		comm -23 "$list" "$dir/comp.$c" |
			sed "s/^/$name\t/; s/\$/\tmissing from the bash completion/"
		comm -13 "$list" "$dir/comp.$c" |
			sed "s/^/$name\t/; s/\$/\toffered by the bash completion but not in --list-options/"
	done
}

# report FILE: one "not ok" per difference, one "ok" per clean command
report() {
	local c name
	while IFS=$'\t' read -r name opt where; do
		if [ "$opt" = - ]; then not_ok "$name: $where"; else
			not_ok "$name: '$opt' $where"
		fi
	done <"$1"
	for c in $COMMANDS default; do
		name=$c
		[ "$c" = default ] && name="build (the default command)"
		grep -q "^$name"$'\t' "$1" ||
			ok "$name: completion and man page name exactly its options"
	done
}

compare "$COMPLETION" "$MANPAGE" >"$T/diffs"
report "$T/diffs"

# The global options, once for all.
complete_words "$COMPLETION" umlkbuild - >"$T/top"
man_options "$MANPAGE" | awk -F '\t' '$1 == "(global)" { print $2 }' | sort -u >"$T/man-globals"
tr ' ' '\n' <<<"$GLOBALS" | sort -u >"$T/globals"
check "the completion offers the global options" \
	sh -c "comm -23 '$T/globals' '$T/top' | sed 's/^/# missing: /'; ! comm -23 '$T/globals' '$T/top' | grep -q ."
check "umlkbuild.1's GLOBAL OPTIONS documents them" \
	sh -c "comm -23 '$T/globals' '$T/man-globals' | sed 's/^/# missing: /'; ! comm -23 '$T/globals' '$T/man-globals' | grep -q ."
missing=
for c in $COMMANDS; do
	grep -qx -- -h "$T/list/$c.raw" && grep -qx -- --help "$T/list/$c.raw" || missing+=" $c"
done
check "every command lists -h and --help${missing:+ but$missing}" test -z "$missing"

# The commands themselves: --help's list, the completion's and the man
# page's COMMANDS sections agree.
sort -u <<<"$COMMANDS" >"$T/cmds"
complete_words "$COMPLETION" umlkbuild "" >"$T/comp-cmds"
check "the completion offers exactly --help's commands" diff -u "$T/cmds" "$T/comp-cmds"
awk '/^\.SH/ { on = ($2 == "COMMANDS") } on && /^\.SS/ { gsub(/\\-/, "-"); print $2 }' "$MANPAGE" |
	sort -u >"$T/man-cmds"
check "umlkbuild.1 has a section for exactly --help's commands" diff -u "$T/cmds" "$T/man-cmds"

# The comparison can fail: plant differences in copies of both files and
# expect exactly those on top of what the real files show.
sed -e '/local matrix_opts=/s/ --parallel//' \
	-e '/local doctor_opts=/s/--json/--json --bogus/' \
	"$COMPLETION" >"$T/planted.bash"
awk '/^\.BI \\-\\-net\\-bytes / { next }
	/^\.SS doctor/ { d = 1 }
	d && $0 == ".B \\-\\-json" { print ".B \\-\\-jsonx"; d = 0; next }
	/^\.B console$/ { c = 1 }
	c && $0 == ".YS" { c = 0; next }
	{ print }' "$MANPAGE" >"$T/planted.1"
check "the planted copies differ from the real files" \
	sh -c "! cmp -s '$COMPLETION' '$T/planted.bash' && [ \$(diff '$MANPAGE' '$T/planted.1' | grep -c '^[<>]') -eq 4 ]"
# line numbers shift in the copy
compare "$T/planted.bash" "$T/planted.1" | sed 's/line [0-9]*/line N/' | sort |
	comm -13 <(sed 's/line [0-9]*/line N/' "$T/diffs" | sort) - >"$T/found"
printf '%s\t%s\t%s\n' \
	matrix --parallel "missing from the bash completion" \
	doctor --bogus "offered by the bash completion but not in --list-options" \
	boot --net-bytes "missing from umlkbuild.1" \
	doctor --jsonx "documented in umlkbuild.1 but not in --list-options" \
	umlkbuild.1 - "SYNOPSIS line N: a .SY inside a .SY block (a missing .YS?)" |
	sort >"$T/expected"
check "exactly the planted differences are reported" diff -u "$T/expected" "$T/found"

done_testing
