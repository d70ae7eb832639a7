#!/bin/bash
# The version x arch matrix on Debian's two kernel trees. The defconfig
# 6.1 x86_64 build is 10-build-6.1.t; the cells here use the minimal
# profile (tinyconfig + fragments) to stay inside CI's time, and must pass
# every check all the same. `make check-full` runs every cell, and runs
# them defconfig-based. An i386 kernel this host cannot execute boots in
# the IA32 machine (ia32_vm_boot).
. "$(dirname "$0")/../lib.sh"
: "${UKB_PROFILE:=minimal}"

cell() {
	local src=$1 ver=$2 arch=$3 a
	a="$UKB_TEST_ARTIFACTS/linux-$ver-um-$arch-$UKB_PROFILE"
	if [ ! -f "$src" ]; then
		skip_one "$ver $arch: no $src"
		return
	fi
	rm -rf "$a"
	ukb --tarball "$src" --arch "$arch" --profile "$UKB_PROFILE" --out "$a"
	expect_exit 0 "$ver $arch ($UKB_PROFILE) builds"
	if [ "$arch" = i386 ]; then
		check "$ver i386: ELF 32-bit Intel 80386" sh -c "readelf -h '$a/vmlinux' | grep -q 'Class:.*ELF32' && readelf -h '$a/vmlinux' | grep -q 'Intel 80386'"
	else
		check "$ver x86_64: ELF 64-bit x86-64" sh -c "readelf -h '$a/vmlinux' | grep -q 'Class:.*ELF64' && readelf -h '$a/vmlinux' | grep -q 'X86-64'"
	fi
	check "$ver $arch: statically linked" sh -c "! readelf -l '$a/vmlinux' | grep -qE 'INTERP|DYNAMIC'"
	check "$ver $arch: every required symbol passed" sh -c "jq -e '.results.config_check.required_failed == 0' '$a/metadata.json' >/dev/null"
	check "$ver $arch: metadata names the arch" sh -c "jq -e '.build.subarch == \"$arch\" and .build.profile == \"$UKB_PROFILE\"' '$a/metadata.json' >/dev/null"
	if jq -e '.results.boot.ran == true' "$a/metadata.json" >/dev/null; then
		check "$ver $arch: booted with bbr as the default" grep -q 'ukb-init: ok tcp_congestion_control: bbr' "$a/boot.log"
		check "$ver $arch: every boot check passed" grep -q 'ukb-init: result pass' "$a/boot.log"
		check "$ver $arch: booted at the first attempt (no TLS retry: patch 0005)" \
			sh -c "jq -e '.results.boot.attempts == 1' '$a/metadata.json' >/dev/null"
	else
		# only a host that cannot run the binary may skip, and it must say so
		check "$ver $arch: the skipped boot says why" grep -q 'this host cannot execute 32-bit binaries; boot check skipped' "$T/err"
		check "$ver $arch: only i386 may skip the boot" test "$arch" = i386
		if host_runs_32bit; then
			not_ok "$ver $arch: skipped the boot on a host that runs 32-bit binaries"
		else
			ia32_vm_boot "$ver" "$a"
		fi
	fi
}

# ia32_vm_boot VER ARTIFACT: where this host cannot execute the i386
# kernel, the IA32 machine boots it (tests/versions/ia32-vm.sh: qemu and
# Debian's amd64 kernel, which the project installs): the boot check and
# TCP under bbr over TAP (--net). --deploy is check-versions': its swap
# check alone takes minutes under software emulation.
ia32_vm_boot() {
	if [ "$(id -u)" != 0 ]; then
		skip_one "$1 i386: the IA32 machine needs root"
		return
	fi
	ia32_vm_argv "$T/vm-$1"
	run "${IA32_VM[@]}" "$UKB" boot --timeout "$IA32_VM_BOOT_TIMEOUT" --net "$2/vmlinux"
	expect_exit 0 "$1 i386: boot --net passes in the IA32 machine"
	expect_out '^ok kernel: Linux .* i686$' "$1 i386: the kernel that ran is 32-bit"
	expect_out '^ok tcp_congestion_control: bbr$' "$1 i386: bbr is the default"
	expect_out '^ok net_tcp_congestion: bbr ' "$1 i386: TCP over the TAP ran under bbr"
	check "$1 i386: the guest set up its TLS at the first boot (patch 0005)" \
		sh -c "! grep -q 'failed to set up TLS' '$T/err'"
}

# Two cells in `make check`: 6.1 x86_64, which 30-fetch-git.t compiled
# already (its build directory is warm), and 6.12 i386, the one cold
# compile: 32-bit, and CI's second tree. `make check-full`
# (UKB_MATRIX_FULL=1) adds 6.1 i386 and 6.12 x86_64.
cell "$KSRC_61" 6.1 x86_64
if [ "${UKB_MATRIX_FULL:-0}" = 1 ]; then
	cell "$KSRC_61" 6.1 i386
	cell "$KSRC_612" 6.12 x86_64
else
	diag "6.1 i386 and 6.12 x86_64 are built by make check-full"
fi
cell "$KSRC_612" 6.12 i386
done_testing
