# shellcheck shell=bash
# Sourced by the bench scripts that own a section of bench/RESULTS.md.
#
# results_replace HEADING: the section that starts with the line
# "## HEADING" (and runs to the next "## " or the end of the file) is
# dropped, trailing blank lines too, and what the caller's `section`
# function prints is appended in its place; then printed on stdout.
results_replace() {
	local r="${top:?}/bench/RESULTS.md" kept
	kept=$(mktemp "${TMPDIR:-/tmp}/ukb-results.XXXXXX")
	touch "$r"
	awk -v h="## $1" '$0 == h { skip = 1; next } skip && /^## / { skip = 0 } !skip' "$r" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$kept"
	{ cat "$kept"; [ -s "$kept" ] && echo; section; } >"$r"
	rm -f "$kept"
	section
}

# suite_kernel_61: the suite's 6.1 artifact (UKB_TEST_ARTIFACTS, default
# build/test-artifacts): defconfig-based when make check-full built it,
# else the minimal one make check builds
suite_kernel_61() {
	local a=${UKB_TEST_ARTIFACTS:-${top:?}/build/test-artifacts}/linux-6.1-um-x86_64
	if [ -f "$a/vmlinux" ]; then echo "$a"; else echo "$a-minimal"; fi
}
