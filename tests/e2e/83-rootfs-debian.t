#!/bin/bash
# `umlkbuild rootfs --debian SUITE` (issue #13): bad input (README rows 164
# to 169) always; under `make check-full` (UKB_DEBIAN_FULL=1, minutes) a
# real bookworm image from this machine's Debian mirror through
# mmdebstrap, checked with debugfs and its json, made once more for its
# sha256, refused when --size is too small, then booted with the suite's
# 6.1 kernel as 80-rootfs.t boots Alpine's: login prompt, bbr and fq, the
# swap on, --start run, and sshd answering from the host side of the TAP
# with the --authorized-keys key.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

need_root
command -v mmdebstrap >/dev/null || skip_all "no mmdebstrap"
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"
# the Debian archive apt on this machine uses: the only one it can reach
MIRROR=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
: "${MIRROR:=http://deb.debian.org/debian}"
diag "Debian mirror: $MIRROR"

# ---- bad input (README rows 164 to 169) ----------------------------------
mkdir -p "$T/bad"
BO="$T/bad/rootfs.img"
B=(--cache "$T/badcache" rootfs --out "$BO")
# row (tests/lib.sh) checks these too: no image, staging tree or json left
row_check() {
	local p
	for p in "$BO" "$BO".tmp-* "${BO%.img}.json"; do
		[ -e "$p" ] && bad+=("left '$p' behind")
	done
}
ROW_TIMEOUT=600
DESC="--debian: a suite the archive lacks" row 164 3 \
	"^error: mmdebstrap nosuchsuite exited with [0-9]+: The repository '$MIRROR nosuchsuite Release' does not have a Release file\.\$" \
	"$UKB" "${B[@]}" --debian nosuchsuite
DESC="--debian: not a suite name" row 165 2 \
	"^error: invalid --debian 'Book Worm': expected a suite such as bookworm: lowercase letters, digits, '\.' and '-'\$" \
	"$UKB" "${B[@]}" --debian 'Book Worm'
DESC="--debian with --alpine" row 166 2 \
	"^error: --alpine is Alpine's: --debian cannot take it\$" \
	"$UKB" "${B[@]}" --debian bookworm --alpine 3.20
DESC="--debian with an Alpine-only option" row 167 2 \
	"^error: --keyring is Alpine's: --debian cannot take it\$" \
	"$UKB" "${B[@]}" --debian bookworm --keyring "$T/k.asc"
mkdir -p "$T/nobin"
DESC="--debian without mmdebstrap" row 168 9 \
	"^error: --debian needs mmdebstrap, which is not installed\$" \
	env PATH="$T/nobin" "$UKB" "${B[@]}" --debian bookworm
check "row 168: the hint says how to install it" \
	grep -q '^hint: apt-get install mmdebstrap' "$T/err"
# a loopback mirror with the suite's real InRelease and nothing else: apt
# verifies it, then fails part-way on the package lists
mkdir -p "$T/srv/debian/dists/bookworm"
if curl -fsS -o "$T/srv/debian/dists/bookworm/InRelease" \
	"$MIRROR/dists/bookworm/InRelease" && nginx_start "$T/srv"; then
	DESC="--debian: a failure part-way (a mirror without packages)" row 169 3 \
		"^error: mmdebstrap bookworm exited with [0-9]+: Failed to fetch $NGINX_URL/debian/dists/bookworm/main/binary-amd64/Packages +404 +Not Found" \
		"$UKB" "${B[@]}" --debian bookworm --mirror "$NGINX_URL/debian"
	check "row 169: apt fetched the InRelease before failing" \
		grep -q '^GET /debian/dists/bookworm/InRelease 200 ' "$NGINX_ACCESS_LOG"
else
	not_ok "row 169: the mirror's InRelease is served on 127.0.0.1 ($MIRROR)"
fi
check "no scratch tree is left beside --out" \
	sh -c "[ -z \"\$(ls -A '$T/bad')\" ]"
unset ROW_TIMEOUT

if [ "${UKB_DEBIAN_FULL:-0}" != 1 ]; then
	diag "the Debian image is made and booted by make check-full (UKB_DEBIAN_FULL=1)"
	done_testing
	exit
fi

# ---- the image -------------------------------------------------------------
printf 's3cret-Pa55\n' >"$T/pw"
ssh-keygen -q -t ed25519 -N '' -C test@host -f "$T/id"
printf '#!/bin/sh\necho proxy\n' >"$T/proxy"
chmod 750 "$T/proxy"
ARGS=(--root-password-file "$T/pw" --authorized-keys "$T/id.pub"
	--copy "$T/proxy:/usr/local/bin/proxy"
	--start 'echo started >/root/started'
	--sysctl net.ipv4.tcp_tw_recycle=1 --sysctl vm.swappiness=10)
t0=$SECONDS
run "$UKB" --cache "$C" rootfs --debian bookworm "${ARGS[@]}" --out "$T/a/rootfs.img"
t1=$SECONDS
expect_exit 0 "rootfs --debian bookworm: mmdebstrap, then the image"
diag "made in $((t1 - t0)) s"
expect_out "^$T/a/rootfs.img\$" "the image's path on stdout"
IMG="$T/a/rootfs.img"
J="$T/a/rootfs.json"
expect_file "$J" "rootfs.json beside the image"
json_ok() { jq -e "$@" >/dev/null; }
check "the json: debian, the suite, the mirror apt uses here, the InRelease" \
	json_ok --arg m "$MIRROR" --arg i "$(sha256sum <"$IMG" | cut -d' ' -f1)" \
	'.source.distribution == "debian" and .source.suite == "bookworm"
	 and .source.codename == "bookworm" and .source.url == $m
	 and (.source.sha256 | test("^[0-9a-f]{64}$")) and .source.verified
	 and (.source.signer | endswith("debian-archive-keyring.gpg"))
	 and (.source.version | test("^12\\.")) and .image.sha256 == $i' "$J"
check "the json lists the packages with their versions, no systemd" \
	json_ok '(.source.packages | length) > 80
	 and any(.source.packages[]; startswith("openssh-server="))
	 and any(.source.packages[]; startswith("sysvinit-core="))
	 and any(.source.packages[]; startswith("iproute2="))
	 and all(.source.packages[]; startswith("systemd=") | not)' "$J"
check "the epoch is the InRelease's Date" \
	test "$(jq -r .image.epoch "$J")" = "$(date -u -d "$(jq -r .source.release_date "$J")" +%s)"
diag "image: $(du -k "$IMG" | cut -f1) KiB used of $(($(stat -c %s "$IMG") >> 20)) MiB, $(jq '.source.packages | length' "$J") packages"
check "no secret in the json" sh -c "! grep -q 's3cret' '$J'"
check "the image is sparse" test "$(du -k "$IMG" | cut -f1)" -lt \
	$(( $(stat -c %s "$IMG") / 1024 ))
check "ext4 labelled ROOT" sh -c "dumpe2fs -h '$IMG' 2>/dev/null | grep -q 'volume name: *ROOT'"
dbg() { debugfs -R "$1" "$IMG" 2>/dev/null; }
check "no clear-text password in the image" sh -c "! grep -qa 's3cret-Pa55' '$IMG'"
check "/etc/shadow: root's SHA-512 hash, the days at the epoch's" sh -c "
	d=\$(( \$(jq -r .image.epoch '$J') / 86400 ))
	debugfs -R 'cat /etc/shadow' '$IMG' 2>/dev/null | grep -q \"^root:\\\$6\\\$[^:]*:\$d:\" &&
	debugfs -R 'cat /etc/shadow' '$IMG' 2>/dev/null | grep -q \"^daemon:\\*:\$d:\""
check "fstab mounts LABEL=ROOT and the swap file" sh -c "
	debugfs -R 'cat /etc/fstab' '$IMG' 2>/dev/null | grep -q '^LABEL=ROOT' &&
	debugfs -R 'cat /etc/fstab' '$IMG' 2>/dev/null | grep -q '^/swapfile'"
check "sysvinit's inittab runs the boot script, gettys on console and tty1..6" sh -c "
	t=\$(debugfs -R 'cat /etc/inittab' '$IMG' 2>/dev/null)
	echo \"\$t\" | grep -q '^si::sysinit:/etc/umlkbuild/boot' &&
	echo \"\$t\" | grep -q '^co:2345:respawn:/sbin/getty 38400 console' &&
	echo \"\$t\" | grep -q '^6:2345:respawn:/sbin/getty 38400 tty6' &&
	! echo \"\$t\" | grep -q '^[^#]*init.d/rc'"
check "sysvinit's init, sshd and ip are installed" sh -c "
	for f in /usr/sbin/sshd /sbin/init /bin/ip /sbin/getty; do
		debugfs -R \"stat \$f\" '$IMG' 2>/dev/null | grep -q 'Inode:' || exit 1
	done"
check "no ssh host key in the image (made at first boot)" sh -c "
	! debugfs -R 'ls /etc/ssh' '$IMG' 2>/dev/null | grep -q ssh_host_"
check "apt's lists are not in the image" sh -c "
	! debugfs -R 'ls /var/lib/apt/lists' '$IMG' 2>/dev/null | grep -q InRelease"
check "sysctl.d has bbr, fq and the --sysctl lines" sh -c "
	debugfs -R 'cat /etc/sysctl.d/50-umlkbuild.conf' '$IMG' 2>/dev/null | grep -q 'tcp_congestion_control = bbr' &&
	debugfs -R 'cat /etc/sysctl.d/60-umlkbuild-user.conf' '$IMG' 2>/dev/null | grep -q '^vm.swappiness=10'"
check "authorized_keys, mode 0600; the --copy file, mode 0750" sh -c "
	debugfs -R 'stat /root/.ssh/authorized_keys' '$IMG' 2>/dev/null | grep -q 'Mode:  0600' &&
	debugfs -R 'stat /usr/local/bin/proxy' '$IMG' 2>/dev/null | grep -q 'Mode:  0750'"
check "every mtime is the epoch" sh -c "
	e=\$(printf '0x%x' \$(jq -r .image.epoch '$J'))
	debugfs -R 'stat /etc/inittab' '$IMG' 2>/dev/null | grep -q \"mtime: \$e\" &&
	debugfs -R 'stat /usr/sbin/sshd' '$IMG' 2>/dev/null | grep -q \"mtime: \$e\""

# ---- the same inputs once more ---------------------------------------------
run "$UKB" --cache "$C" rootfs --debian bookworm "${ARGS[@]}" --out "$T/b/rootfs.img"
expect_exit 0 "the same image made a second time"
diag "made again in $((SECONDS - t1)) s"
if [ "$(jq -r .source.sha256 "$J")" = "$(jq -r .source.sha256 "$T/b/rootfs.json" 2>/dev/null)" ]; then
	check "same InRelease, same inputs: the same image sha256" \
		test "$(sha256sum <"$IMG")" = "$(sha256sum <"$T/b/rootfs.img")"
else
	# the archive moved on between the two runs (it does, four times a day)
	check "another InRelease: another image, the json says which" \
		test "$(sha256sum <"$IMG")" != "$(sha256sum <"$T/b/rootfs.img")"
fi
rm -rf "$T/b"

# ---- too small, found once mmdebstrap's minutes are spent ------------------
run "$UKB" --cache "$C" rootfs --debian bookworm --size 128M --out "$T/s/rootfs.img"
expect_exit 2 "--size 128M is refused after mmdebstrap made the tree"
expect_err "^error: --size 128 MiB is too small: the files need [0-9]{3} MiB, the swap file 64 MiB, ext4 [0-9]+ MiB and headroom 16 MiB, [0-9]+ MiB in all\$" \
	"with the numbers"
check "nothing is left of it: no image, json or scratch tree" \
	sh -c "[ -z \"\$(ls -A '$T/s' 2>/dev/null)\" ]"

# ---- boot it as 80-rootfs.t boots Alpine's ------------------------------
guest_checks_debian() {
	local vm pts i line
	guest_boot ukbdebian 480
	check "boot: the console reached the login prompt" grep -q 'login:' "$T/console.log"
	check "boot: a kernel key it lacks is one line in the guest's log" \
		grep -q "umlkbuild: sysctl: skipping 'net.ipv4.tcp_tw_recycle': this kernel lacks it" "$T/console.log"
	check "boot: the boot script started sshd" \
		grep -q "umlkbuild: sshd: listening on port 22" "$T/console.log"
	for i in $(seq 40); do
		# sshd speaks first: one read() of its banner
		(exec 3<>/dev/tcp/10.0.0.2/22 &&
			timeout 5 dd bs=256 count=1 <&3 2>/dev/null) >"$T/banner" 2>/dev/null
		grep -q '^SSH-2.0-OpenSSH' "$T/banner" && break
		sleep 0.5
	done
	check "boot: Debian's sshd answers TCP at 10.0.0.2:22 from the host side" \
		grep -q '^SSH-2.0-OpenSSH' "$T/banner"
	ssh -i "$T/id" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 root@10.0.0.2 \
		'echo CC=$(cat /proc/sys/net/ipv4/tcp_congestion_control) QD=$(cat /proc/sys/net/core/default_qdisc) SW=$(grep -c ^/swapfile /proc/swaps) ST=$(cat /root/started) FT=$(cat /proc/sys/net/ipv4/tcp_fin_timeout) VS=$(cat /proc/sys/vm/swappiness) INIT=$(cat /proc/1/comm) ZZ' \
		>"$T/ssh.out" 2>"$T/ssh.err"
	line=$(grep '^CC=' "$T/ssh.out")
	diag "over ssh: ${line:-nothing; $(tail -c 300 "$T/ssh.err")}"
	check "boot: root logs in over ssh with the --authorized-keys key" test -n "$line"
	check "boot: tcp_congestion_control is bbr" sh -c "echo '$line' | grep -q 'CC=bbr '"
	check "boot: default_qdisc is fq" sh -c "echo '$line' | grep -q 'QD=fq '"
	check "boot: the swap file is on" sh -c "echo '$line' | grep -q 'SW=1 '"
	check "boot: the --start command ran" sh -c "echo '$line' | grep -q 'ST=started '"
	check "boot: the seeds' tuning and --sysctl took effect" \
		sh -c "echo '$line' | grep -q 'FT=30 VS=10 '"
	check "boot: pid 1 is sysvinit's init" sh -c "echo '$line' | grep -q 'INIT=init '"
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
		pty_expect 5 '# ?$' 30
		check "boot: root logs in on the pty with the password" test $? -eq 0
		exec 5<&-
	else
		not_ok "boot: tty1 has a pty (console log: $(tail -c 300 "$T/console.log"))"
	fi
	kill -9 -- -"$vm" 2>/dev/null
	wait "$vm" 2>/dev/null
	return 0
}

if need_artifact_61; then
	VMLINUX="$ARTIFACT_61/vmlinux"
	cp --sparse=always "$IMG" "$T/boot.img"
	export VMLINUX
	in_netns guest_checks_debian
else
	not_ok "the shared 6.1 artifact builds"
fi

done_testing
