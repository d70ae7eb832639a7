#!/bin/sh
# The guest's boot, written by `umlkbuild rootfs`: init (busybox's on
# Alpine, sysvinit's on Debian) runs it as sysinit (/etc/inittab).
# Settings come from /etc/umlkbuild/net.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
LOG=/var/log/umlkbuild-boot.log
set -f
log() { echo "umlkbuild: $*"; echo "umlkbuild: $*" >>"$LOG"; }

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mountpoint -q /dev/pts || mount -t devpts devpts /dev/pts
mount -o remount,rw /
mountpoint -q /run || mount -t tmpfs -o mode=0755 tmpfs /run
mountpoint -q /tmp || mount -t tmpfs -o mode=1777 tmpfs /tmp
: >"$LOG"
[ -s /etc/hostname ] && hostname -F /etc/hostname

. /etc/umlkbuild/net
ip link set lo up
ip addr add 127.0.0.1/8 dev lo 2>/dev/null
# eth0 with eth0=tuntap, vec0 with the vector driver: whichever exists
up=
for ifc in eth0 vec0; do
	[ -e "/sys/class/net/$ifc" ] || continue
	ip link set "$ifc" up
	ip addr add "$ADDRESS" dev "$ifc"
	[ -n "$GATEWAY" ] && ip route add default via "$GATEWAY" dev "$ifc"
	log "network: $ifc is $ADDRESS${GATEWAY:+ via $GATEWAY}"
	up=1
	break
done
[ -n "$up" ] || log "network: neither eth0 nor vec0 exists"

set +f
files=$(ls /etc/sysctl.d/*.conf 2>/dev/null)
set -f
for f in $files; do
	[ -f "$f" ] || continue
	while IFS= read -r line; do
		case "$line" in ''|'#'*|';'*) continue ;; esac
		key=$(echo ${line%%=*})
		val=$(echo ${line#*=})
		p=/proc/sys/$(echo "$key" | tr . /)
		if [ ! -e "$p" ]; then
			log "sysctl: skipping '$key': this kernel lacks it"
		elif ! echo "$val" >"$p" 2>/dev/null; then
			log "sysctl: cannot set '$key' to '$val'"
		fi
	done <"$f"
done

if [ -n "$SWAP_MB" ]; then
	if [ ! -s /swapfile ]; then
		dd if=/dev/zero of=/swapfile bs=1M count="$SWAP_MB" 2>/dev/null
		chmod 600 /swapfile
		mkswap /swapfile >/dev/null
	fi
	swapon /swapfile && log "swap: /swapfile, $SWAP_MB MiB"
fi
# sshd where the image has one (Debian's openssh-server): its host keys
# are made at first boot, so no two guests share them
if [ -x /usr/sbin/sshd ]; then
	ssh-keygen -A >/dev/null 2>&1 || log "sshd: cannot make the host keys"
	mkdir -p /run/sshd
	chmod 755 /run/sshd
	if /usr/sbin/sshd; then log "sshd: listening on port 22"
	else log "sshd: does not start"; fi
fi
log "boot done"
