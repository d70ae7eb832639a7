# Shared helpers for the end-to-end tests: TAP output for prove, a private
# temporary directory, and the cache and artifact the suite shares.
# Source it first thing: . "$(dirname "$0")/../lib.sh"
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${UKB:=$TOP/umlkbuild}"
# One cache for the whole suite: the unpacked tree, ccache and O= dirs are
# shared, so only the first test pays for them.
: "${UKB_TEST_CACHE:=$TOP/build/test-cache}"
: "${UKB_TEST_ARTIFACTS:=$TOP/build/test-artifacts}"
: "${KSRC_61:=/usr/src/linux-source-6.1.tar.xz}"
: "${KSRC_612:=/usr/src/linux-source-6.12.tar.xz}"
export UKB UKB_TEST_CACHE UKB_TEST_ARTIFACTS
mkdir -p "$UKB_TEST_CACHE" "$UKB_TEST_ARTIFACTS"

. "$TOP/tests/scratch.sh"

_n=0
_failed=0
# UKB_TEST_TIMES=1 follows each result with the seconds since the test
# began, as a TAP comment: where a slow test spends its time.
_times() { [ -z "${UKB_TEST_TIMES:-}" ] || echo "# at ${SECONDS}s"; }
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; _times; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; _times; }
diag() { printf '# %s\n' "$@"; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

# Skips (README, "Tests"). A test that cannot run because something the
# project installs (toolchain/packages.txt: nginx, gpg, distcc, the kernel
# sources, ...) is missing or does not work has found a failure: under
# UKB_STRICT=1 (the default; `make check` sets it) skip_all and skip_one
# report it as "not ok" with the reason. UKB_STRICT=0 turns them into
# skips, for a machine without the toolchain. Only a documented host limit
# (host_limit, HOST_LIMITS below) skips under UKB_STRICT=1.
: "${UKB_STRICT:=1}"
declare -A HOST_LIMITS=(
	[tun]="no /dev/net/tun: this host or container has no TUN device"
	[exec32]="this host cannot execute 32-bit binaries (Exec format error)"
)

# fail_all REASON: the file cannot go on; always a failure (e.g. the
# command under test does not even answer --help).
fail_all() {
	not_ok "cannot go on: $*"
	done_testing
	exit 1
}

# _skip_file REASON: a TAP skip of the rest of the file.
_skip_file() {
	if [ "$_n" -eq 0 ]; then echo "1..0 # SKIP $*"; else
		ok "# SKIP $*"
		done_testing
	fi
	exit 0
}

# skip_all REASON: the file needs something the project installs.
skip_all() {
	[ "$UKB_STRICT" = 0 ] && _skip_file "$*"
	fail_all "$* (toolchain/install.sh provides it; only a host limit may skip; UKB_STRICT=0 skips)"
}

# skip_one REASON: one test point needs something the project installs.
skip_one() {
	if [ "$UKB_STRICT" = 0 ]; then ok "# SKIP $*"; else
		not_ok "$* (toolchain/install.sh provides it; only a host limit may skip)"
	fi
}

# host_limit KEY [DETAIL]: skip the rest of the file for a documented host
# limit; an undocumented KEY is a failure.
host_limit() {
	[ -n "${HOST_LIMITS[$1]:-}" ] || fail_all "host_limit '$1' is not a documented host limit"
	_skip_file "host limit: ${HOST_LIMITS[$1]}${2:+ ($2)}"
}

# host_limit_one KEY [DETAIL]: the same for one test point.
host_limit_one() {
	if [ -n "${HOST_LIMITS[$1]:-}" ]; then
		ok "# SKIP host limit: ${HOST_LIMITS[$1]}${2:+ ($2)}"
	else
		not_ok "host_limit_one '$1' is not a documented host limit"
	fi
}

# The probes for the host limits.
host_has_tun() { [ -c /dev/net/tun ]; }
# host_runs_32bit: an i386 ELF that does exit(42) runs here.
host_runs_32bit() {
	local rc=0
	perl -e 'my $b = 0x08048000;
		my $code = pack("C*", 0xbb, 42, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0xcd, 0x80);
		my $len = 52 + 32 + length $code;
		print pack("a16 v v V V V V V v v v v v v", "\x7fELF\x01\x01\x01",
			2, 3, 1, $b + 84, 52, 0, 0, 52, 32, 1, 0, 0, 0),
		      pack("V8", 1, 0, $b, $b, $len, $len, 5, 0x1000), $code' \
		>"$T/exec32" && chmod +x "$T/exec32" || return 2
	"$T/exec32" 2>/dev/null || rc=$?
	[ "$rc" -eq 42 ]
}

# ia32_vm_argv DIR: sets IA32_VM to the command prefix that runs the rest
# in the IA32 machine (tests/versions/ia32-vm.sh), its run in DIR, for a
# host that cannot execute 32-bit binaries. Software emulation is slow,
# so a boot in it asks for --timeout $IA32_VM_BOOT_TIMEOUT; the machine
# itself is bounded a little above that, so that one that hangs fails
# the test instead of stalling the suite for ia32-vm.sh's two hours.
IA32_VM_BOOT_TIMEOUT=1800
ia32_vm_argv() {
	IA32_VM=(env TIMEOUT=$((IA32_VM_BOOT_TIMEOUT + 600))
		"$TOP/tests/versions/ia32-vm.sh" -o "$1" --)
}

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run CMD...: runs with stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
}

# ukb ARGS...: run umlkbuild on the suite's cache.
ukb() { run "$UKB" --cache "$UKB_TEST_CACHE" "$@"; }

# expect_exit CODE DESC: after run, checks the exit status.
expect_exit() {
	if [ "$rc" -eq "$1" ]; then ok "$2 (exit $1)"; else
		not_ok "$2 (wanted exit $1, got $rc)"
		sed 's/^/#   stderr: /' "$T/err" | tail -n 20
	fi
}

# expect_err PATTERN DESC: stderr matches the extended regex.
expect_err() {
	if grep -Eq -- "$1" "$T/err"; then ok "$2"; else
		not_ok "$2 (stderr lacks /$1/)"
		sed 's/^/#   stderr: /' "$T/err" | tail -n 20
	fi
}

# expect_out PATTERN DESC: stdout matches.
expect_out() {
	if grep -Eq -- "$1" "$T/out"; then ok "$2"; else
		not_ok "$2 (stdout lacks /$1/)"
		sed 's/^/#   stdout: /' "$T/out" | tail -n 20
	fi
}

# expect_one_error DESC: exactly one "error:" line on stderr, nothing on stdout.
expect_one_error() {
	local n
	n=$(grep -c '^error: ' "$T/err" || true)
	if [ "$n" -eq 1 ] && [ ! -s "$T/out" ]; then ok "$1"; else
		not_ok "$1 ($n error lines, stdout $(wc -c <"$T/out") bytes)"
		sed 's/^/#   stderr: /' "$T/err" | tail -n 20
	fi
}

expect_file() { check "$2" test -f "$1"; }
expect_no_path() { check "$2" test ! -e "$1"; }

# The suite's shared 6.1 x86_64 artifact, built by 10-build-6.1.t (or by the
# first test that needs it) and reused by the others: the minimal profile
# under `make check`, which 30-fetch-git, 40-matrix and 51-deploy build
# too, so that CI compiles 6.1 once; defconfig-based under `make
# check-full` (UKB_PROFILE_61=defconfig), the README's main job.
: "${UKB_PROFILE_61:=minimal}"
export UKB_PROFILE_61
case $UKB_PROFILE_61 in
defconfig) ARTIFACT_61="$UKB_TEST_ARTIFACTS/linux-6.1-um-x86_64" ;;
*) ARTIFACT_61="$UKB_TEST_ARTIFACTS/linux-6.1-um-x86_64-$UKB_PROFILE_61" ;;
esac
need_artifact_61() {
	if [ ! -f "$ARTIFACT_61/vmlinux" ]; then
		"$UKB" --cache "$UKB_TEST_CACHE" -q --tarball "$KSRC_61" \
			--arch x86_64 --profile "$UKB_PROFILE_61" --out "$ARTIFACT_61" >/dev/null ||
			return 1
	fi
	return 0
}

# Root is no host limit: `make check` runs as root, as CI does.
need_root() { [ "$(id -u)" -eq 0 ] || skip_all "needs root"; }
# need_source TARBALL: one of Debian's linux-source packages.
need_source() { [ -f "$1" ] || skip_all "no $1 (package linux-source-*)"; }

# row ID EXIT PATTERN CMD...: one row of the bad-input table (README, "Bad
# input"): the exit code, exactly one "error:" line matching PATTERN (hints
# allowed), nothing on stdout, no raw ASCII control character on stderr,
# and nothing half-written: $O (the row's --out), "$O".tmp-* and the paths
# in $ROW_ALSO must not exist afterwards, nor this run's scratch trees,
# staging dirs or partial downloads under the caches in $CH. With
# ROW_TIMEOUT=SECS a command that hangs fails instead of hanging the suite
# (timeout runs programs: CMD must then be one, not a shell function).
# A test may define row_check, which adds reasons to the array bad.
# Golden files: with ROW_EXPECT=DIR, stderr must equal DIR/NNN.err (NNN:
# ID, zero-padded to three digits, "35a" -> 035a.err), compared with
# `diff -u` after _row_normalise; PATTERN "-" then checks no regex.
# UKB_BLESS=1 writes the golden files from this run instead (review the
# diff before committing it). ROW_SUBST=(VALUE NAME ...) names more
# run-dependent strings (a server's URL, a key's id) and ROW_IGNORE, an
# ERE, drops the lines that depend on a shared cache's state ("unpacking");
# both stay set until the test changes them.
row() {
	local id=$1 want=$2 pat=$3 pid n p
	local -a bad=() cmd=("${@:4}")
	rc=0
	[ -n "${ROW_TIMEOUT:-}" ] && cmd=(timeout -k 5 "$ROW_TIMEOUT" "${cmd[@]}")
	"${cmd[@]}" >"$T/out" 2>"$T/err" &
	pid=$!
	wait "$pid" || rc=$?
	[ "$rc" -eq "$want" ] || bad+=("exit $rc, wanted $want")
	[ "$pat" = - ] || grep -Eq -- "$pat" "$T/err" || bad+=("stderr lacks /$pat/")
	[ -n "${ROW_EXPECT:-}" ] && _row_golden "$id" "$pid"
	n=$(grep -c '^error: ' "$T/err" || true)
	[ "$n" -eq 1 ] || bad+=("$n error: lines, wanted 1")
	[ -s "$T/out" ] && bad+=("stdout is not empty: $(head -c 200 "$T/out")")
	LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$T/err") &&
		bad+=("a raw control character on stderr")
	if [ -n "${O:-}" ]; then
		for p in "$O" "$O".tmp-* ${ROW_ALSO:-}; do
			[ -e "$p" ] && bad+=("left '$p' behind")
		done
	fi
	for p in ${CH:-}; do
		# scratch trees, staging dirs and partial downloads of this run
		n=$(find "$p/" -maxdepth 3 \( -name "tmp-*-$pid" -o \
			-name "*.tmp-$pid" -o -name "tmp-git-$pid" \) 2>/dev/null)
		[ -n "$n" ] && bad+=("left $n behind")
	done
	if declare -F row_check >/dev/null; then row_check; fi
	if [ ${#bad[@]} -eq 0 ]; then
		ok "row $id: $DESC (exit $want)"
	else
		not_ok "row $id: $DESC"
		diag "${bad[@]}"
		sed 's/^/#   stderr: /' "$T/err" | tail -n 12 | cat -v
	fi
	O= CH= ROW_ALSO=
}
ROW_SUBST=()
ROW_IGNORE=

# _row_normalise PID: stderr on stdin with what differs between runs named:
# the temp dir as T, the suite cache as CACHE, the checkout as TOP, the
# pairs of ROW_SUBST, the run's pid after a '-' as PID, the tarball hash
# of a scratch tree (tmp-HASH-PID) and a build key (build/KEY-x86_64-...);
# lines matching ROW_IGNORE are dropped.
_row_normalise() {
	ROW_IGNORE=$ROW_IGNORE perl -e '
		my $pid = shift;
		my %name = @ARGV;
		my @v = sort { length($b) <=> length($a) } grep { length } keys %name;
		my $skip = $ENV{ROW_IGNORE};
		while (my $l = <STDIN>) {
			next if length $skip && $l =~ /$skip/;
			$l =~ s/\Q$_\E/$name{$_}/g for @v;
			$l =~ s/(?<=-)\Q$pid\E(?![0-9A-Za-z])/PID/g;
			$l =~ s/\btmp-[0-9a-f]{16}-PID\b/tmp-HASH-PID/g;
			$l =~ s{/build/[0-9a-f]{32}-}{/build/KEY-}g;
			print $l;
		}' "$1" "$T" T "$UKB_TEST_CACHE" CACHE "$TOP" TOP "${ROW_SUBST[@]}"
}

# _row_golden ID PID: compare (or, with UKB_BLESS=1, write) the golden file.
_row_golden() {
	local f d
	if [[ $1 =~ ^([0-9]+)(.*)$ ]]; then
		f=$(printf '%s/%03d%s.err' "$ROW_EXPECT" "$((10#${BASH_REMATCH[1]}))" "${BASH_REMATCH[2]}")
	else
		f=$ROW_EXPECT/$1.err
	fi
	_row_normalise "$2" <"$T/err" >"$T/err.norm"
	if [ "${UKB_BLESS:-0}" = 1 ]; then
		mkdir -p "$ROW_EXPECT" && cp "$T/err.norm" "$f"
		diag "blessed ${f#"$TOP"/}"
	elif [ ! -f "$f" ]; then
		bad+=("no golden file ${f#"$TOP"/} (UKB_BLESS=1 writes it)")
	elif ! d=$(diff -u --label "${f#"$TOP"/}" --label stderr "$f" "$T/err.norm"); then
		bad+=("stderr differs from ${f#"$TOP"/}:")
		while IFS= read -r l; do bad+=("  $l"); done <<<"$d"
	fi
}

# tar_of NAME PERL: $T/NAME, a small tar written with Archive::Tar holding a
# kernel-shaped linux-x/Makefile (6.1.999) and whatever PERL adds to $t.
tar_of() {
	perl -MArchive::Tar -MArchive::Tar::Constant -e '
		my $t = Archive::Tar->new;
		$t->add_data("linux-x/Makefile",
			"VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 999\nEXTRAVERSION =\n");
		'"$2"'
		$t->write($ARGV[0]) or die $t->error;' "$T/$1" || echo "cannot write $1" >&2
}

# ---- Booting a rootfs image (80-rootfs.t, 83-rootfs-debian.t) -----------

# pty_expect FD PATTERN SECONDS: read the raw pty on FD into $PTY_SEEN
# until the extended regex matches.
pty_expect() {
	local fd=$1 pat=$2 end=$((SECONDS + $3)) chunk
	while [ $SECONDS -lt $end ]; do
		chunk=
		IFS= read -r -t 1 -d '' -n 4096 chunk <&"$fd"
		PTY_SEEN+=$chunk
		# less the carriage returns and the shells' terminal queries
		printf '%s' "$PTY_SEEN" | tr -d '\r' |
			sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -Eq -- "$pat" &&
			return 0
	done
	return 1
}

# guest_tap: inside in_netns, loopback up and the TAP ukbtap0 at
# 10.0.0.1/24, the host side of the guest's eth0.
guest_tap() {
	ip link set lo up
	ip tuntap add dev ukbtap0 mode tap
	ip addr add 10.0.0.1/24 dev ukbtap0
	ip link set ukbtap0 up
}

# guest_boot UMID TRIES: inside in_netns, the TAP, then $VMLINUX booted as
# the seeds run it (ubda=$T/boot.img, eth0=tuntap, mem=64m, a console on
# a pty) in the background, its console in $T/console.log; waits up to
# TRIES half-seconds for a login prompt. The VM's pid is in $vm.
guest_boot() {
	local i
	guest_tap
	mkdir -p "$T/uml"
	setsid "$VMLINUX" ubda="$T/boot.img" eth0=tuntap,ukbtap0 mem=64m \
		con1=pts umid="$1" uml_dir="$T/uml" \
		>"$T/console.log" 2>&1 </dev/null &
	vm=$!
	for ((i = 0; i < $2; i++)); do
		grep -q 'login:' "$T/console.log" && break
		sleep 0.5
	done
}

# in_netns FUNC: run the shell function FUNC in a private network
# namespace (unshare --net: the TAP and the guest vanish with it), its
# test points counted here. FUNC boots "$T/boot.img" and writes the
# console to "$T/console.log", whose tail is shown when no login prompt
# came. Export what FUNC needs besides T and these helpers.
in_netns() {
	local l
	export -f "$1" guest_tap guest_boot pty_expect check ok not_ok diag
	export T
	unshare --net bash -c "$1" >"$T/boot.tap" 2>"$T/boot.err"
	while IFS= read -r l; do
		case "$l" in
		"ok "*) ok "${l#ok [0-9]* - }" ;;
		"not ok "*) not_ok "${l#not ok [0-9]* - }" ;;
		*) echo "$l" ;;
		esac
	done <"$T/boot.tap"
	[ -s "$T/boot.err" ] && sed 's/^/#   boot stderr: /' "$T/boot.err" | tail -n 5
	grep -q 'login:' "$T/console.log" 2>/dev/null ||
		sed 's/^/#   console: /' "$T/console.log" | tail -n 30
}
