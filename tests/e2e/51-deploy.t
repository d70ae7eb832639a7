#!/bin/bash
# `boot --deploy`: the kernels run the way the seeds deploy them, an ext4
# root image on ubda, mem=64m, a swap file that takes pages, tmpfs,
# loopback IPv4, IPv6 and unix sockets, and a console on a host pty that
# answers. The minimal profile must pass it as the defconfig-based build
# does; a kernel without IPv6 must fail it (30-fetch-git.t).
. "$(dirname "$0")/../lib.sh"
need_root
need_source "$KSRC_612"
need_source "$KSRC_61"
command -v mke2fs >/dev/null || skip_all "no mke2fs (e2fsprogs)"

# The boot's scratch image goes to $TMPDIR: a private one, to see it go.
mkdir "$T/tmp"

# deploy WHAT VMLINUX [vm]: with "vm", in the IA32 machine
# (tests/versions/ia32-vm.sh), whose writes outside its directory stay in
# it: the log goes to that directory, and what the boot left in $TMPDIR
# is listed there, inside the machine, into $T/vm/tmp-left.
deploy() {
	local what=$1 vmlinux=$2 log=$T/$1.log left=
	local -a cmd=("$UKB" boot --deploy)
	if [ "${3:-}" = vm ]; then
		mkdir -p "$T/vm"
		log="$T/vm/$what.log"
		left=$T/vm/tmp-left
		rm -f "$left"
		ia32_vm_argv "$T/vm"
		# shellcheck disable=SC2016 # expanded by the machine's sh
		cmd=("${IA32_VM[@]}" sh -c '"$@"; rc=$?; ls -A "$TMPDIR" >"$0"; exit $rc'
			"$left" "${cmd[@]}" --timeout "$IA32_VM_BOOT_TIMEOUT")
	fi
	run env TMPDIR="$T/tmp" "${cmd[@]}" --log "$log" "$vmlinux"
	expect_exit 0 "$what: boot --deploy passes"
	expect_out "^ok rootfs: ext4 on ubda" "$what: the root is the ext4 image on ubda"
	expect_out "^ok filesystems: / ext4, /proc proc, /sys sysfs, /dev devtmpfs, /tmp tmpfs" "$what: proc, sysfs, devtmpfs and tmpfs are mounted"
	expect_out "^ok swap: /swapfile \(32 MiB\) held [1-9][0-9]* KiB" "$what: the swap file took pages"
	expect_out "^ok ipv4: TCP over 127.0.0.1" "$what: IPv4"
	expect_out "^ok ipv6: TCP over ::1" "$what: IPv6"
	expect_out "^ok unix: stream socket" "$what: unix sockets"
	expect_out "^ok console_pty: tty1 read 'ukb-pty-ping'" "$what: tty1 read what the host wrote on the pty"
	expect_out "^ok console_pty_host: /dev/pts/[0-9]+ answered 'ukb-pty-pong'" "$what: the host read the guest's answer on the pty"
	check "$what: it ran with mem=64m" grep -q 'Kernel command line:.* mem=64m' "$log"
	check "$what: the guest saw at most 64 MiB" sh -c \
		"n=\$(sed -n 's/^ok memory: \([0-9]*\) MiB total/\1/p' '$T/out'); [ -n \"\$n\" ] && [ \"\$n\" -le 64 ]"
	if [ -n "$left" ]; then
		check "$what: the scratch image is gone (listed in the machine)" \
			sh -c "[ -f '$left' ] && [ ! -s '$left' ]"
	else
		check "$what: the scratch image is gone" sh -c "[ -z \"\$(ls -A '$T/tmp')\" ]"
	fi
}

# The minimal profile, as 40-matrix.t builds it (a no-op when it did).
MIN="$UKB_TEST_ARTIFACTS/linux-6.1-um-x86_64-minimal"
ukb --tarball "$KSRC_61" --arch x86_64 --profile minimal --out "$MIN"
expect_exit 0 "6.1 x86_64 minimal builds"
deploy "6.1 x86_64 minimal" "$MIN/vmlinux"

MIN32="$UKB_TEST_ARTIFACTS/linux-6.12-um-i386-minimal"
ukb --tarball "$KSRC_612" --arch i386 --profile minimal --out "$MIN32"
expect_exit 0 "6.12 i386 minimal builds"
if jq -e '.results.boot.ran == true' "$MIN32/metadata.json" >/dev/null; then
	deploy "6.12 i386 minimal" "$MIN32/vmlinux"
else
	if host_runs_32bit; then
		not_ok "6.12 i386: the boot check did not run on a host that runs 32-bit binaries"
	elif [ "${UKB_IA32_VM_FULL:-0}" = 1 ]; then
		deploy "6.12 i386 minimal (IA32 machine)" "$MIN32/vmlinux" vm
	else
		# minutes of software emulation: make check-full's
		host_limit_one exec32 "6.12 i386 boot --deploy (make check-full runs it in the IA32 machine)"
	fi
fi

# the suite's shared artifact, when it is not $MIN (make check-full)
if [ "$ARTIFACT_61" != "$MIN" ]; then
	if need_artifact_61; then
		deploy "6.1 x86_64 $UKB_PROFILE_61" "$ARTIFACT_61/vmlinux"
	else
		not_ok "the 6.1 $UKB_PROFILE_61 artifact builds"
	fi
fi

# A kernel without IPv6 fails the deploy: 30-fetch-git.t, on the build
# whose one changed fragment line turns IPv6 off (no second build here).

run env TMPDIR="$T/no-such-dir" "$UKB" boot --deploy "$MIN/vmlinux"
expect_exit 9 "an unusable TMPDIR is a host problem"
expect_err "^error: cannot create a scratch directory '$T/no-such-dir/ukb-deploy-" "the scratch directory is named"
expect_one_error "one error line"

done_testing
