# A private scratch directory, $T, removed at exit; `at_exit CMD` runs CMD
# before that (the last registered first). Sourced by tests/lib.sh and by
# the bench scripts that share the tests' helpers; SCRATCH_NAME names $T.
T=$(mktemp -d "${TMPDIR:-/tmp}/${SCRATCH_NAME:-ukb-test}.XXXXXX")
_cleanups=()
at_exit() { _cleanups+=("$*"); }
_cleanup() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" || true; done
	rm -rf "$T"
}
trap _cleanup EXIT

# scratch_tmpfs DIR: DIR, under $T, on a tmpfs of its own when run as root
# (as `make check` is), unmounted at exit. For the tests that write and drop
# whole kernel trees: on a disk mounted with `discard` every unlinked file
# waits for its discard, and removing one tree and its git objects took
# minutes here. Where mount(8) is refused, DIR is a plain directory.
scratch_tmpfs() {
	mkdir -p "$1"
	[ "$(id -u)" -eq 0 ] || return 0
	mount -t tmpfs -o size=6g,mode=0755 ukb-scratch "$1" 2>/dev/null || return 0
	at_exit "umount -l '$1'"
}
