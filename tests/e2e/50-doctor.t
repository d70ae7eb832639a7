#!/bin/bash
# umlkbuild doctor: passes on this machine, and explains the failures the
# test creates (TMPDIR not on tmpfs, TMPDIR on a noexec tmpfs).
. "$(dirname "$0")/../lib.sh"

"$UKB" doctor --help >/dev/null 2>&1 || fail_all "'$UKB doctor --help' fails"
need_root
host_has_tun || host_limit tun

run env -u TMPDIR -u TMP -u TEMP "$UKB" doctor
expect_exit 0 "doctor passes on this host"
for item in tun_device tun_driver tmpfs exec_mmap ptrace arch; do
	expect_out "^ok $item: " "$item is ok"
done

run env -u TMPDIR -u TMP -u TEMP "$UKB" doctor --json
expect_exit 0 "doctor --json"
check "--json is JSON with ok true and seven checks, host_kernel the last" jq -e '.ok == true and (.checks | length) == 7 and .checks[6].name == "host_kernel"' "$T/out"

mkdir -p /var/tmp/ukb-doctor.$$ && at_exit rm -rf /var/tmp/ukb-doctor.$$
run env TMPDIR=/var/tmp/ukb-doctor.$$ "$UKB" doctor
expect_exit 9 "TMPDIR on a disk file system fails (host class)"
expect_out "^fail tmpfs: UML's memory directory '/var/tmp/ukb-doctor.$$' is on .*not tmpfs" "names the directory"
expect_out "^  fix: export TMPDIR=/dev/shm" "and the fix"

if command -v unshare >/dev/null && unshare --mount true 2>/dev/null; then
	run unshare --mount sh -c "mkdir -p '$T/noexec' && mount -t tmpfs -o noexec tmpfs '$T/noexec' && TMPDIR='$T/noexec' exec '$UKB' doctor"
	expect_exit 9 "a noexec tmpfs fails"
	expect_out "^fail exec_mmap: .*cannot be mapped with PROT_EXEC" "exec_mmap says why"
	expect_out "^  fix: mount -o remount,exec $T/noexec" "and the fix"
fi

run "$UKB" doctor --build --json
check "--build adds the build tools" grep -q '"build_tools"' "$T/out"
run "$UKB" doctor --arch sparc
expect_exit 2 "an unknown arch"
done_testing
