#!/bin/bash
# ia32-vm.sh: run a command on a 64-bit Linux that can execute 32-bit
# binaries, for hosts that cannot (no IA32 emulation: "Exec format
# error"), so that i386 artifacts are booted, not just built.
#
#   tests/versions/ia32-vm.sh [-o DIR] -- COMMAND [ARG...]
#
# The machine is qemu-system-x86_64 (KVM when /dev/kvm is there and the
# CPU has vmx or svm, else software emulation; ACCEL=tcg|kvm chooses)
# running Debian's own amd64 kernel, whose CONFIG_IA32_EMULATION is on.
# Its root is this host's / over 9p, read only, under an overlay whose
# writes stay in the machine's memory; DIR (default a new one under
# build/ia32-vm/runs) is mounted writable at the same path. COMMAND runs
# there as root, with the same working directory, PATH, UKB_* and TMPDIR,
# with a private /dev/shm and /run; what it writes outside DIR (in /tmp,
# say) stays in the overlay, in memory, and is gone after. Its stdout and
# stderr come back here (in DIR/out and DIR/err, then printed), and so
# does its exit code.
#
# Debian's kernel comes from the package archive (apt-get download
# linux-image-amd64's current image package) into build/ia32-vm/kernel,
# once. Needs qemu-system-x86, busybox-static, cpio and kmod
# (toolchain/packages.txt). MEM (MiB, default 4096) and CPUS (default
# nproc) size the machine; TIMEOUT (s, default 7200) bounds it.
#
# Exit: COMMAND's exit code; 125 when the machine could not run it.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=${VMDIR:-$TOP/build/ia32-vm}
: "${MEM:=4096}" "${CPUS:=$(nproc)}" "${TIMEOUT:=7200}"
die() { echo "error: $1" >&2; exit 125; }
usage() { echo "usage: $0 [-o DIR] -- COMMAND [ARG...]" >&2; exit 125; }

out=
while getopts o: opt; do
	case $opt in
	o) out=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || usage
[ "$(id -u)" -eq 0 ] || die "ia32-vm.sh needs root (9p shares the host's / as root)"
for t in qemu-system-x86_64 busybox cpio depmod modprobe apt-get dpkg-deb; do
	command -v "$t" >/dev/null || die "'$t' is not installed (make toolchain)"
done
[ -x /bin/busybox ] && ! readelf -l /bin/busybox 2>/dev/null | grep -q INTERP ||
	die "/bin/busybox is not static (install busybox-static)"

# ---- Debian's kernel and the modules the machine needs ----------------
mkdir -p "$VMDIR/kernel"
K=$VMDIR/kernel
if [ ! -f "$K/ready" ]; then
	image_pkg() {
		apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
	}
	pkg=$(image_pkg)
	[ -n "$pkg" ] || { apt-get update -q >/dev/null 2>&1; pkg=$(image_pkg); }
	[ -n "$pkg" ] || die "cannot tell linux-image-amd64's image package (apt-get update failed?)"
	rm -rf "$K" && mkdir -p "$K/dl"
	(cd "$K/dl" && apt-get download "$pkg" >/dev/null 2>"$K/dl/err") ||
		die "cannot download '$pkg': $(tail -n1 "$K/dl/err")"
	dpkg-deb -x "$K"/dl/"$pkg"_*.deb "$K/root" || die "cannot unpack '$pkg'"
	rm -rf "$K/dl"
	echo "$pkg" >"$K/ready"
fi
kver=$(ls "$K/root/lib/modules")
vmlinuz=$K/root/boot/vmlinuz-$kver
grep -qx 'CONFIG_IA32_EMULATION=y' "$K/root/boot/config-$kver" ||
	die "Debian's $kver has no IA32 emulation"
[ -f "$K/root/lib/modules/$kver/modules.dep" ] || depmod -b "$K/root" "$kver" ||
	die "depmod failed on $kver"

# ---- the run's directory, the initramfs -------------------------------
if [ -z "$out" ]; then
	mkdir -p "$VMDIR/runs"
	out=$(mktemp -d "$VMDIR/runs/run.XXXXXX")
fi
mkdir -p "$out" && out=$(cd "$out" && pwd)
rm -f "$out/out" "$out/err" "$out/rc"
{
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'export PATH=%q HOME=/root TERM=dumb\n' "$PATH"
	# umlkbuild's own settings (UKB_*, TMPDIR) go along
	for v in $(compgen -e | grep -E '^(UKB_[A-Z0-9_]*|TMPDIR)$'); do
		printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$out/job.sh"

R=$(mktemp -d "${TMPDIR:-/tmp}/ukb-ia32-initrd.XXXXXX")
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/bin" "$R/mods" "$R/proc" "$R/sys" "$R/dev" "$R/host" "$R/rw" "$R/new"
cp /bin/busybox "$R/bin/busybox"
n=0
for m in 9p 9pnet_virtio virtio_pci overlay tun; do
	modprobe -d "$K/root" -S "$kver" --show-depends "$m" || die "no module '$m' in $kver"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$R/order"
while read -r ko; do
	n=$((n + 1))
	cp "$ko" "$R/mods/$(printf %02d $n)-$(basename "$ko")"
done <"$R/order"
cat >"$R/init" <<'EOI'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "$m" || echo "ia32-vm: insmod $m failed"; done
out=$(sed -n 's/.*ukb.out=\([^ ]*\).*/\1/p' /proc/cmdline)
fail() { echo "ia32-vm: $1"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 host /host || fail "cannot mount the host's /"
mount -t tmpfs -o size=75% rw /rw
mkdir -p /rw/u /rw/w
mount -t overlay -o lowerdir=/host,upperdir=/rw/u,workdir=/rw/w overlay /new || fail "cannot mount the overlay"
mount -t proc proc /new/proc
mount -t sysfs sys /new/sys
mount -t devtmpfs dev /new/dev
mkdir -p /new/dev/shm /new/dev/pts
mount -t tmpfs shm /new/dev/shm
mount -t devpts devpts /new/dev/pts
mount -t tmpfs run /new/run
mkdir -p "/new$out"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "/new$out" || fail "cannot mount '$out'"
ip link set lo up 2>/dev/null
echo "ia32-vm: $(uname -r), running the job"
chroot /new /bin/sh "$out/job.sh" >"/new$out/out" 2>"/new$out/err"
echo $? >"/new$out/rc"
sync
umount "/new$out"
poweroff -f
EOI
chmod +x "$R/init"
(cd "$R" && find . -path ./order -prune -o -print | cpio -o -H newc 2>/dev/null | gzip -1) >"$out/initrd.gz" ||
	die "cannot make the initramfs"
# Gone before the machine starts: it would see it in its $TMPDIR.
rm -rf "$R"

# KVM only where the CPU offers hardware virtualization: a host that is
# itself a guest may have a /dev/kvm (a paravirtual one, kvm-pvm) on which
# qemu's firmware never gets past "Booting from ROM".
accel=${ACCEL:-tcg}
[ -z "${ACCEL:-}" ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && accel=kvm
echo "ia32-vm: Debian $kver on qemu ($accel, $CPUS cpus, $MEM MiB); the run is in '$out'" >&2
timeout "$TIMEOUT" qemu-system-x86_64 -machine q35,accel=$accel -cpu max \
	-smp "$CPUS" -m "$MEM" -nographic -no-reboot -nodefaults -serial file:"$out/console" \
	-kernel "$vmlinuz" -initrd "$out/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 ukb.out=$out" \
	-virtfs local,path=/,mount_tag=host,security_model=passthrough,readonly=on,multidevs=remap \
	-virtfs local,path="$out",mount_tag=out,security_model=passthrough \
	</dev/null >"$out/qemu.log" 2>&1
qrc=$?
rm -f "$out/initrd.gz"
[ -f "$out/out" ] && cat "$out/out"
[ -f "$out/err" ] && cat "$out/err" >&2
if [ ! -f "$out/rc" ]; then
	[ "$qrc" -eq 124 ] && die "the machine did not finish in ${TIMEOUT} s (console: '$out/console')"
	die "the machine ended without running the job (qemu exit $qrc; console: '$out/console')"
fi
exit "$(cat "$out/rc")"
