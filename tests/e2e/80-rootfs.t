#!/bin/bash
# `umlkbuild rootfs` (issue #13): Alpine's real 3.20.3 minirootfs served
# from a loopback mirror in Alpine's layout (.sha256, .asc signed by a
# throw-away key, latest-releases.yaml), verified, made into an ext4 image
# checked with debugfs, rebuilt bit for bit, each bad input of the README's
# table, then booted with the suite's 6.1 kernel in a private network
# namespace.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

need_root
FIX="$TOP/../shared/fixtures/alpine"
if [ ! -f "$FIX/alpine-minirootfs-3.20.3-x86_64.tar.gz" ]; then
	echo "Bail out! the Alpine fixtures are missing: '$FIX'"
	exit 1
fi
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"

mirror_gpg_init "$T/gpg"
fpr=$(mirror_gen_key alpine)
other=$(mirror_gen_key other)
KEY="$MIRROR_KEYS/alpine.asc"
TB="$FIX/alpine-minirootfs-3.20.3-x86_64.tar.gz"
# srv/good: Alpine's layout; the others each break one thing
alpine_tree "$T/srv/good" 3.20.3 x86_64 "$TB" "$fpr"
alpine_tree "$T/srv/good" 3.20.3 x86 "$FIX/alpine-minirootfs-3.20.3-x86.tar.gz" "$fpr"
alpine_tree "$T/srv/badsum" 3.20.3 x86_64 "$TB" "$fpr"
printf '%064d  alpine-minirootfs-3.20.3-x86_64.tar.gz\n' 0 \
	>"$T/srv/badsum/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz.sha256"
alpine_tree "$T/srv/badsig" 3.20.3 x86_64 "$TB" "$fpr"
d="$T/srv/badsig/v3.20/releases/x86_64"
printf 'not the tarball\n' | gpg --batch --yes --quiet --local-user "$fpr!" \
	--armor --detach-sign --output "$d/alpine-minirootfs-3.20.3-x86_64.tar.gz.asc" - 2>/dev/null
alpine_tree "$T/srv/otherkey" 3.20.3 x86_64 "$TB" "$other"
# a tarball with an entry that climbs out
mkdir -p "$T/evil/etc"
echo x >"$T/evil/etc/x"
tar -C "$T/evil" -czf "$T/evil.tar.gz" --transform 's,^etc/x,../../escape,' etc/x
alpine_tree "$T/srv/unsafe" 3.20.3 x86_64 "$T/evil.tar.gz" "$fpr"
nginx_start "$T/srv" || { echo "Bail out! nginx does not start"; exit 1; }
M="$NGINX_URL/good"

# ---- fetch and verify, then the image ----------------------------------
printf 's3cret-Pa55\n' >"$T/pw"
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF0 test@host\n' >"$T/keys"
printf '#!/bin/sh\necho proxy\n' >"$T/proxy"
chmod 750 "$T/proxy"
ARGS=(--mirror "$M" --keyring "$KEY" --root-password-file "$T/pw"
	--authorized-keys "$T/keys" --copy "$T/proxy:/usr/local/bin/proxy"
	--start 'nc -lk -p 8080 -e /bin/echo hello-from-guest &'
	--start 'while :; do nc -u -l -p 5353 -e /bin/echo udp-from-guest; done &'
	--start 'echo started >/root/started'
	--sysctl net.ipv4.tcp_tw_recycle=1 --sysctl vm.swappiness=10)
run "$UKB" --cache "$C" rootfs --alpine 3.20 "${ARGS[@]}" --out "$T/a/rootfs.img"
expect_exit 0 "rootfs --alpine 3.20 resolves, verifies and makes the image"
expect_err "Alpine 3.20 is 3.20.3" "3.20 resolved through latest-releases.yaml"
expect_out "^$T/a/rootfs.img\$" "the image's path on stdout"
IMG="$T/a/rootfs.img"
J="$T/a/rootfs.json"
expect_file "$J" "rootfs.json beside the image"
check "the download is in the content-addressed cache" \
	test -f "$C/downloads/$(cut -d' ' -f1 "$T/srv/good/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz.sha256")/alpine-minirootfs-3.20.3-x86_64.tar.gz"
json_ok() { jq -e "$@" >/dev/null; }
check "the json names the source, its sha256, the signer, the image's sha256" \
	json_ok --arg s "$(sha256sum <"$TB" | cut -d' ' -f1)" \
	--arg i "$(sha256sum <"$IMG" | cut -d' ' -f1)" --arg f "$fpr" \
	'.source.sha256 == $s and .source.verified and .source.signer == $f
	 and .image.sha256 == $i and (.source.url | endswith("x86_64.tar.gz"))
	 and .settings.guest_ip == "10.0.0.2/24"' "$J"
check "no secret in the json" sh -c "! grep -q 's3cret' '$J'"
check "the image is sparse" test "$(du -k "$IMG" | cut -f1)" -lt \
	$(( $(stat -c %s "$IMG") / 1024 / 2 ))
check "ext4 labelled ROOT" sh -c "dumpe2fs -h '$IMG' 2>/dev/null | grep -q 'volume name: *ROOT'"

dbg() { debugfs -R "$1" "$IMG" 2>/dev/null; }
check "no clear-text password in the image" sh -c "! grep -qa 's3cret-Pa55' '$IMG'"
check "/etc/shadow has root's SHA-512 hash, root:shadow 0640" sh -c "
	debugfs -R 'cat /etc/shadow' '$IMG' 2>/dev/null | grep -q '^root:\\\$6\\\$' &&
	debugfs -R 'stat /etc/shadow' '$IMG' 2>/dev/null | grep -q 'Mode:  0640' &&
	debugfs -R 'stat /etc/shadow' '$IMG' 2>/dev/null | grep -Eq 'Group: +42'"
check "/tmp keeps its sticky mode from the tarball" sh -c "
	debugfs -R 'stat /tmp' '$IMG' 2>/dev/null | grep -q 'Mode:  01777'"
check "fstab mounts LABEL=ROOT and the swap file" sh -c "
	debugfs -R 'cat /etc/fstab' '$IMG' 2>/dev/null | grep -q '^LABEL=ROOT' &&
	debugfs -R 'cat /etc/fstab' '$IMG' 2>/dev/null | grep -q '^/swapfile'"
check "inittab: our boot script and gettys on the console and tty1..6" sh -c "
	t=\$(debugfs -R 'cat /etc/inittab' '$IMG' 2>/dev/null)
	echo \"\$t\" | grep -q '::sysinit:/etc/umlkbuild/boot' &&
	echo \"\$t\" | grep -q '^console::respawn:/sbin/getty' &&
	echo \"\$t\" | grep -q '^tty6::respawn:/sbin/getty' && ! echo \"\$t\" | grep -q openrc"
check "sysctl.d has bbr, fq and the --sysctl lines" sh -c "
	debugfs -R 'cat /etc/sysctl.d/50-umlkbuild.conf' '$IMG' 2>/dev/null | grep -q 'tcp_congestion_control = bbr' &&
	debugfs -R 'cat /etc/sysctl.d/60-umlkbuild-user.conf' '$IMG' 2>/dev/null | grep -q '^vm.swappiness=10'"
check "the --copy file with its mode 0750" sh -c "
	debugfs -R 'stat /usr/local/bin/proxy' '$IMG' 2>/dev/null | grep -q 'Mode:  0750'"
check "authorized_keys, mode 0600" sh -c "
	debugfs -R 'stat /root/.ssh/authorized_keys' '$IMG' 2>/dev/null | grep -q 'Mode:  0600'"
check "the network settings and the --start commands" sh -c "
	debugfs -R 'cat /etc/umlkbuild/net' '$IMG' 2>/dev/null | grep -q \"^ADDRESS='10.0.0.2/24'\" &&
	debugfs -R 'cat /etc/umlkbuild/start' '$IMG' 2>/dev/null | grep -q 'hello-from-guest'"
check "every mtime is the same fixed time" sh -c "
	[ \$(debugfs -R 'stat /etc/inittab' '$IMG' 2>/dev/null | grep -c 'mtime: 0x66dae') -eq 1 ]"

# ---- reproducible, cached, offline -------------------------------------
run "$UKB" --cache "$C" rootfs --alpine 3.20.3 --offline "${ARGS[@]}" --out "$T/b/rootfs.img"
expect_exit 0 "a rebuild, offline from the cache"
check "same inputs, same image sha256" \
	test "$(sha256sum <"$IMG")" = "$(sha256sum <"$T/b/rootfs.img")"
run "$UKB" --cache "$C" rootfs --alpine 3.20.3 --offline "${ARGS[@]}" \
	--start 'echo other' --out "$T/c/rootfs.img"
check "another --start line, another image" \
	test "$(sha256sum <"$IMG")" != "$(sha256sum <"$T/c/rootfs.img" 2>/dev/null)"
rm -rf "$T/b" "$T/c"

# ---- the config file's [alpine] section, not [fetch]'s keys ------------------
printf '[fetch]\nkeyring = %s\n[alpine]\nmirror = %s\nkeyring = %s\n' \
	"$MIRROR_KEYS/other.asc" "$M" "$KEY" >"$T/ukb.ini"
run "$UKB" --cache "$T/inicache" rootfs --config "$T/ukb.ini" --alpine 3.20.3 \
	--size 128M --out "$T/ini/rootfs.img"
expect_exit 0 "the mirror and key come from the config file's [alpine] section"
expect_err "downloading '$M/v3.20/releases/x86_64/" "from [alpine]'s mirror"
rm -rf "$T/ini" "$T/inicache"

# ---- i386: Alpine's x86 minirootfs ----------------------------------------
run "$UKB" --cache "$C" rootfs --arch i386 --alpine 3.20.3 --mirror "$M" \
	--keyring "$KEY" --size 128M --swap 0 --out "$T/i386/rootfs.img"
expect_exit 0 "rootfs --arch i386 makes an image of the x86 minirootfs"
debugfs -R "dump /bin/busybox $T/i386/busybox" "$T/i386/rootfs.img" >/dev/null 2>&1
# ELF class 1 (32-bit), e_machine 3 (i386)
check "its busybox is a 32-bit x86 binary" sh -c "
	[ \$(od -An -tu1 -j4 -N1 '$T/i386/busybox') = 1 ] &&
	[ \$(od -An -tu2 -j18 -N2 '$T/i386/busybox') = 3 ]"
check "no swap line without a swap file" sh -c "
	! debugfs -R 'cat /etc/fstab' '$T/i386/rootfs.img' 2>/dev/null | grep -q swapfile"
check "its json says x86" json_ok '.settings.arch == "i386" and (.source.url | endswith("-x86.tar.gz"))' "$T/i386/rootfs.json"
rm -rf "$T/i386"

# ---- bad input (README rows 100 to 113) --------------------------------
mkdir -p "$T/bad"
BO="$T/bad/rootfs.img"
B=(--cache "$T/badcache" rootfs --keyring "$KEY" --out "$BO")
# row (tests/lib.sh) checks these too: no image, staging or json is left
row_check() {
	local p
	for p in "$BO" "$BO".tmp-* "${BO%.img}.json"; do
		[ -e "$p" ] && bad+=("left '$p' behind")
	done
}
DESC="unknown release" row 100 3 \
	"^error: the mirror answered 404 for '$M/v3.99/releases/x86_64/latest-releases.yaml': no such release on this mirror\$" \
	"$UKB" "${B[@]}" --mirror "$M" --alpine 3.99
DESC="unknown point release" row 101 3 \
	"^error: the mirror answered 404 for '$M/v3.20/releases/x86_64/alpine-minirootfs-3.20.99-x86_64.tar.gz.sha256': no such release on this mirror\$" \
	"$UKB" "${B[@]}" --mirror "$M" --alpine 3.20.99
DESC="checksum mismatch" row 102 3 \
	"^error: checksum mismatch for 'alpine-minirootfs-3.20.3-x86_64.tar.gz' from '$NGINX_URL/badsum/.*': expected sha256 0{64}, got [0-9a-f]{64}\$" \
	"$UKB" "${B[@]}" --mirror "$NGINX_URL/badsum" --alpine 3.20.3
DESC="bad signature" row 103 3 "^error: bad signature on .alpine-minirootfs-3.20.3-x86_64.tar.gz. by key [0-9A-F]+: the file is not what was signed$" \
	"$UKB" "${B[@]}" --mirror "$NGINX_URL/badsig" --alpine 3.20.3
DESC="untrusted key" row 104 3 "^error: .*alpine-minirootfs-3.20.3-x86_64.tar.gz.*not in the trusted keyrings" \
	"$UKB" "${B[@]}" --mirror "$NGINX_URL/otherkey" --alpine 3.20.3
check "no bad download was kept" sh -c "[ -z \"\$(find '$T/badcache/downloads' -name 'alpine-*' 2>/dev/null)\" ]"
DESC="malformed --guest-ip" row 105 2 "^error: invalid --guest-ip '10.0.0.300/24': expected four numbers 0 to 255, A.B.C.D\$" \
	"$UKB" "${B[@]}" --mirror "$M" --guest-ip 10.0.0.300/24
DESC="malformed CIDR prefix" row 106 2 "^error: invalid --guest-ip '10.0.0.2/33': expected a prefix length 1 to 32 after '/'\$" \
	"$UKB" "${B[@]}" --mirror "$M" --guest-ip 10.0.0.2/33
DESC="malformed size" row 107 2 "^error: invalid --size '512X': expected a number with K, M, G or T\$" \
	"$UKB" "${B[@]}" --mirror "$M" --size 512X
DESC="image too small" row 108 2 "^error: --size 16 MiB is too small: the files need [0-9]+ MiB, the swap file 64 MiB, ext4 [0-9]+ MiB and headroom 16 MiB, [0-9]+ MiB in all\$" \
	"$UKB" "${B[@]}" --mirror "$M" --alpine 3.20.3 --size 16M
DESC="unreadable --copy source" row 109 2 "^error: cannot read the --copy source '$T/nope': No such file or directory\$" \
	"$UKB" "${B[@]}" --mirror "$M" --alpine 3.20.3 --copy "$T/nope:/etc/nope"
DESC="--copy target outside the image" row 110 2 "^error: invalid --copy '$T/pw:/etc/../../x': '..' or '.' in the guest path: it must stay inside the image\$" \
	"$UKB" "${B[@]}" --mirror "$M" --copy "$T/pw:/etc/../../x"
DESC="missing password file" row 111 2 "^error: cannot read the password file '$T/nopw': No such file or directory\$" \
	"$UKB" "${B[@]}" --mirror "$M" --alpine 3.20.3 --root-password-file "$T/nopw"
DESC="unsafe tarball entry" row 112 3 "^error: cannot unpack '.*alpine-minirootfs-3.20.3-x86_64.tar.gz': unsafe entry '../../escape': '..' component\$" \
	"$UKB" "${B[@]}" --mirror "$NGINX_URL/unsafe" --alpine 3.20.3
DESC="X.Y with --offline" row 113 2 "^error: --offline cannot look up the newest Alpine 3.20\$" \
	"$UKB" "${B[@]}" --offline --alpine 3.20

# ---- boot it as the seeds do ----------------------------------------------
# The guest's side, in a private network namespace: the TAP at 10.0.0.1,
# the VM, the checks from the host side, the console login on tty1's pty.
guest_checks() {
	local vm pts i
	guest_boot ukbrootfs 240
	check "boot: the console reached the login prompt" grep -q 'login:' "$T/console.log"
	check "boot: a kernel key it lacks is one line in the guest's log" \
		grep -q "umlkbuild: sysctl: skipping 'net.ipv4.tcp_tw_recycle': this kernel lacks it" "$T/console.log"
	for i in $(seq 40); do
		(exec 3<>/dev/tcp/10.0.0.2/8080 && timeout 5 cat <&3) \
			>"$T/tcp" 2>/dev/null
		grep -q hello-from-guest "$T/tcp" && break
		sleep 0.5
	done
	check "boot: the guest answers TCP at 10.0.0.2 (the --start listener)" \
		grep -q hello-from-guest "$T/tcp"
	# busybox nc answers one datagram per run: the --start loop restarts it
	for i in $(seq 20); do
		(exec 3<>/dev/udp/10.0.0.2/5353 && echo ping >&3 &&
			timeout 2 dd bs=2000 count=1 <&3 2>/dev/null) >"$T/udp" 2>/dev/null
		grep -q udp-from-guest "$T/udp" && break
		sleep 0.5
	done
	check "boot: the guest answers UDP at 10.0.0.2 (a --start busybox nc -u)" \
		grep -q udp-from-guest "$T/udp"
	pts=$(sed -n "s/.*Virtual console 1 assigned device '\(\/dev\/pts\/[0-9]*\)'.*/\1/p" "$T/console.log" | head -1)
	if [ -n "$pts" ] && stty -F "$pts" raw -echo 2>/dev/null &&
		exec 5<>"$pts"; then
		PTY_SEEN=
		printf '\r' >&5
		pty_expect 5 'login: ?$' 30
		check "boot: tty1's pty shows the login prompt" test $? -eq 0
		printf 'root\r' >&5
		pty_expect 5 'Password: ?$' 20
		printf '%s\r' 's3cret-Pa55' >&5
		pty_expect 5 '# ?$' 20
		check "boot: root logs in on the pty with the password" test $? -eq 0
		PTY_SEEN=
		printf '%s\r' 'echo CC=$(cat /proc/sys/net/ipv4/tcp_congestion_control) QD=$(cat /proc/sys/net/core/default_qdisc) SW=$(grep -c ^/swapfile /proc/swaps) ST=$(cat /root/started) CP=$(stat -c %a /usr/local/bin/proxy) FT=$(cat /proc/sys/net/ipv4/tcp_fin_timeout) VS=$(cat /proc/sys/vm/swappiness) ZZ' >&5
		pty_expect 5 'CC=.* ZZ' 20
		diag "$(printf '%s' "$PTY_SEEN" | tr -d '\r' | grep 'CC=' | tail -1)"
		local line
		line=$(printf '%s' "$PTY_SEEN" | tr -d '\r' | grep -E '^CC=' | tail -1)
		check "boot: tcp_congestion_control is bbr" sh -c "echo '$line' | grep -q 'CC=bbr '"
		check "boot: default_qdisc is fq" sh -c "echo '$line' | grep -q 'QD=fq '"
		check "boot: the swap file is on" sh -c "echo '$line' | grep -q 'SW=1 '"
		check "boot: the --start command ran" sh -c "echo '$line' | grep -q 'ST=started '"
		check "boot: the --copy file has its mode 750" sh -c "echo '$line' | grep -q 'CP=750 '"
		check "boot: the seeds' tuning took effect (tcp_fin_timeout 30)" sh -c "echo '$line' | grep -q 'FT=30 '"
		check "boot: --sysctl took effect (vm.swappiness 10)" sh -c "echo '$line' | grep -q 'VS=10 '"
		exec 5<&-
	else
		not_ok "boot: tty1 has a pty (console log: $(tail -c 300 "$T/console.log"))"
	fi
	kill -9 -- -"$vm" 2>/dev/null
	wait "$vm" 2>/dev/null
	return 0
}

# UKB_ROOTFS_VMLINUX: boot another kernel (a developer's shortcut)
if [ -n "${UKB_ROOTFS_VMLINUX:-}" ] || need_artifact_61; then
	VMLINUX="${UKB_ROOTFS_VMLINUX:-$ARTIFACT_61/vmlinux}"
	cp --sparse=always "$IMG" "$T/boot.img"
	export VMLINUX
	in_netns guest_checks
else
	not_ok "the shared 6.1 artifact builds"
fi

done_testing
