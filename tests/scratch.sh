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
