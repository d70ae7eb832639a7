#!/bin/bash
# What the host's kernel must offer each line: UML 6.13 and later start
# their processes with execveat of a memfd, so a host without execveat
# (OpenVZ 7's 3.10, 6's 2.6.32) runs 6.12 and older. The old host is played
# on this one by a seccomp filter (tests/tools/deny-syscall) that makes
# execveat fail with ENOSYS, as a kernel that predates it does.
. "$(dirname "$0")/../lib.sh"
: "${UKB_TEST_TOOLS:=$TOP/build/tests-tools}"
DENY=$UKB_TEST_TOOLS/deny-syscall
[ -x "$DENY" ] || { not_ok "no $DENY: run make check-e2e"; done_testing; exit 1; }

run "$UKB" doctor
check "doctor: this host runs every line" grep -q '^ok host_kernel: Linux .* has execveat and memfd_create: it runs every UML line' "$T/out"

run "$DENY" execveat "$UKB" doctor --json
check "doctor without execveat: it runs UML 6.12 and older" sh -c \
	"jq -e '.checks[] | select(.name == \"host_kernel\") | .ok and (.detail | test(\"lacks execveat: it runs UML 6.12 and older\"))' '$T/out' >/dev/null"
run "$DENY" memfd_create "$UKB" doctor
check "doctor without memfd_create says so" grep -q '^ok host_kernel: Linux .* lacks memfd_create: it runs UML 6.12 and older' "$T/out"

# A kernel whose banner says 6.14 is refused before it starts, naming why
# (not a real kernel: the refusal comes before anything is executed).
printf '\177ELF\0junk\0Linux version 6.14.2 (u@h) (gcc 12.2.0) #1\0' >"$T/vmlinux"
chmod +x "$T/vmlinux"
run "$DENY" execveat "$UKB" boot "$T/vmlinux"
expect_exit 9 "boot of a 6.14 kernel on a host without execveat: exit 9"
expect_err "^error: cannot boot '$T/vmlinux' \(linux 6\.14\.2\) on this host: the host kernel lacks execveat\(\) \(Linux 3\.19 or later\), which UML 6\.13 and later start their processes with\$" "the message names the missing call and the line"
expect_err "^hint: this host \(Linux .*\) runs UML 6\.12 and older: use such an artifact here, or --no-boot\$" "the hint names the lines that run"
expect_one_error "one error line"

# A 6.1 kernel needs no execveat: the same old host boots it.
A=$ARTIFACT_61
if [ -f "$A/vmlinux" ] && [ "$(id -u)" -eq 0 ]; then
	run "$DENY" execveat "$UKB" boot "$A/vmlinux"
	expect_exit 0 "the 6.1 artifact boots on a host without execveat"
	expect_out "^ok tcp_congestion_control: bbr" "with bbr"
else
	not_ok "the 6.1 artifact (10-build-6.1.t) is there, run as root"
fi
done_testing
