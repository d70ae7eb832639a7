#!/bin/bash
# Faults: SIGINT and SIGTERM at unpack, configure and compile; SIGKILL at
# unpack. An interrupted run kills make's process group, removes its
# partial files (scratch trees, staging dirs), exits 130 or 143, and the
# next run cleans up what a killed one left and succeeds.
# Runs on a private cache with the minimal profile and --no-boot. Only its
# ccache is the suite's (a link), so the one full build at the end mostly
# hits what the suite's 6.1 minimal builds left there.
. "$(dirname "$0")/../lib.sh"
need_source "$KSRC_61"

export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"
scratch_tmpfs "$C"
mkdir -p "$UKB_TEST_CACHE/ccache"
ln -s "$UKB_TEST_CACHE/ccache" "$C/ccache"
A="$T/art"
args=(--tarball "$KSRC_61" --arch x86_64 --profile minimal --no-boot --out "$A")

# start ARGS...: umlkbuild in the background on the private cache
start() {
	"$UKB" --cache "$C" "$@" >"$T/out" 2>"$T/err" &
	pid=$!
}

# wait_for WHAT CMD...: poll until CMD succeeds (up to 10 minutes)
wait_for() {
	local what=$1 i
	shift
	for ((i = 0; i < 6000; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "gave up waiting for $what"
	sed 's/^/#   stderr: /' "$T/err" | tail -n 5
	return 1
}
has_err() { grep -q -- "$1" "$T/err"; }
scratch_has_files() {
	[ "$(find "$C/trees" -path '*/tmp-*' -type f 2>/dev/null | head -n 200 | wc -l)" -ge 200 ]
}
make_running() { pgrep -f "O=$C/build/" >/dev/null; }

# interrupt SIG CODE PHASE: signal the run, then check what it left
interrupt() {
	local sig=$1 want=$2 phase=$3 left
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	check "$phase: SIG$sig ends the run with $want (got $rc)" test "$rc" -eq "$want"
	sleep 0.5
	# [O] keeps pgrep from matching this sh -c itself
	check "$phase: SIG$sig: no make of this cache is left" sh -c "! pgrep -f '[O]=$C/build/' >/dev/null"
	# this run's own (a SIGKILLed run's leftovers are checked below)
	left=$(find "$C" "$T" -maxdepth 3 \( -name "tmp-*-$pid" -o -name "*.tmp-$pid" \) 2>/dev/null)
	check "$phase: SIG$sig: no scratch tree or staging dir left${left:+ ($left)}" test -z "$left"
	check "$phase: SIG$sig: no artifact" test ! -e "$A"
	check "$phase: SIG$sig: nothing on stdout" test ! -s "$T/out"
}

# ---- unpack ----------------------------------------------------------------
for s in INT:130 TERM:143; do
	start "${args[@]}"
	if wait_for "the unpack to start" scratch_has_files; then
		interrupt "${s%:*}" "${s#*:}" unpack
		check "unpack: SIG${s%:*}: no tree was left in the cache" \
			sh -c "[ -z \"\$(ls -A '$C/trees' 2>/dev/null | grep -v '\\.version\$')\" ]"
	else
		not_ok "unpack: SIG${s%:*}: the unpack never started"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
	fi
done

# SIGKILL: nothing can clean up, so the next run must
start "${args[@]}"
if wait_for "the unpack to start" scratch_has_files; then
	kill -KILL "$pid"
	rc=0
	wait "$pid" || rc=$?
	check "unpack: SIGKILL kills the run ($rc)" test "$rc" -eq 137
	stale=$(find "$C/trees" -maxdepth 1 -name 'tmp-*')
	check "unpack: SIGKILL leaves a half-unpacked tree (the case to clean)" test -n "$stale"
else
	not_ok "unpack: SIGKILL: the unpack never started"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	stale=
fi

# ---- configure: the rerun unpacks again, then is interrupted -------------
for s in INT:130 TERM:143; do
	start "${args[@]}"
	if wait_for "configure" has_err "^configuring" &&
		wait_for "make to run" make_running; then
		interrupt "${s%:*}" "${s#*:}" configure
	else
		not_ok "configure: SIG${s%:*}: configure never started"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
	fi
	if [ "$s" = INT:130 ]; then
		check "the run after SIGKILL removed the half-unpacked tree" \
			sh -c "[ -z '$stale' ] || ! ls -d $stale 2>/dev/null"
		check "the run after SIGKILL left one complete tree" \
			sh -c "ls '$C'/trees/*/.umlkbuild-tree >/dev/null"
	fi
done

# ---- compile ---------------------------------------------------------------
for s in INT:130 TERM:143; do
	start "${args[@]}"
	if wait_for "the compile" has_err "^compiling vmlinux" &&
		wait_for "make to run" make_running; then
		sleep 3 # make is well inside the tree by now
		interrupt "${s%:*}" "${s#*:}" compile
	else
		not_ok "compile: SIG${s%:*}: the compile never started"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
	fi
done

# ---- the rerun succeeds ------------------------------------------------------
run "$UKB" --cache "$C" "${args[@]}"
expect_exit 0 "a rerun after the interruptions builds the kernel"
expect_out "^[0-9a-f]{64}  $A/vmlinux\$" "and prints its sha256"
check "its SHA256SUMS verify" sh -c "cd '$A' && sha256sum --quiet -c SHA256SUMS"
left=$(find "$C" "$T" -maxdepth 3 \( -name 'tmp-*' -o -name '*.tmp-*' \) 2>/dev/null)
check "nothing temporary is left${left:+ ($left)}" test -z "$left"
check "no lock is held" sh -c "for l in '$C'/locks/*.lock; do flock -n \"\$l\" true || exit 1; done"
done_testing
