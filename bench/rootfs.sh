#!/bin/bash
# The guest's side (issue #13): `umlkbuild rootfs` cold (empty cache:
# download from a loopback mirror, verify, unpack, image), cached (the
# same inputs again), and a rebuild with one --start line changed; the
# image's and the bundle's sizes; then, as root with a kernel artifact,
# the boot to the login prompt with mem=64m and the guest's memory in use
# at idle; the same for a Debian bookworm image (mmdebstrap, minutes;
# BENCH_DEBIAN=0 skips it). Replaces its section of bench/RESULTS.md;
# run.sh calls it.
#
# KERNEL=DIR: the artifact to boot (default the suite's 6.1 one:
# suite_kernel_61 in bench/results.sh); without one the boot rows say so.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/results.sh"
UKB=${UKB:-$top/umlkbuild}
KERNEL=${KERNEL:-$(suite_kernel_61)}
FIX=${FIX:-$top/../shared/fixtures/alpine}
W=$(mktemp -d "${TMPDIR:-/tmp}/ukb-bench-rootfs.XXXXXX")
export UKB_DATADIR=${UKB_DATADIR:-$top} UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$W/xdg"
vm=
cleanup() {
	[ -n "$vm" ] && kill -9 -- -"$vm" 2>/dev/null
	_mirror_cleanup
	rm -rf "$W"
}
. "$top/tests/mirror.sh"
trap cleanup EXIT

[ -f "$FIX/alpine-minirootfs-3.20.3-x86_64.tar.gz" ] ||
	{ echo "bench/rootfs.sh: the Alpine fixtures are missing: '$FIX'" >&2; exit 1; }
mirror_gpg_init "$W/gpg"
fpr=$(mirror_gen_key alpine)
alpine_tree "$W/srv" 3.20.3 x86_64 "$FIX/alpine-minirootfs-3.20.3-x86_64.tar.gz" "$fpr"
nginx_start "$W/srv" >/dev/null
MIRROR=(--mirror "$NGINX_URL" --keyring "$MIRROR_KEYS/alpine.asc")

# secs CMD...: wall-clock seconds of CMD, which must succeed
secs() {
	local t
	t=$(date +%s.%N)
	"$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
	echo "$(date +%s.%N) - $t" | bc | awk '{ printf "%.2f", $1 }'
}
mib() { echo "$1" | awk '{ printf "%.1f", $1 / 1048576 }'; }

# the idle probe: 15 s after boot, the memory in use, on the console
IDLE='(sleep 15; free -k | awk "/^Mem:/ { print \"IDLE-MEM\", \$3, \$2 }" >/dev/console) &'
A=(--alpine 3.20.3 "${MIRROR[@]}" --start "$IDLE" --start 'echo one')
cold=$(secs "$UKB" --cache "$W/cache" rootfs "${A[@]}" --out "$W/a/rootfs.img")
cached=$(secs "$UKB" --cache "$W/cache" rootfs "${A[@]}" --out "$W/b/rootfs.img")
A[${#A[@]} - 1]='echo two'
restart=$(secs "$UKB" --cache "$W/cache" rootfs "${A[@]}" --out "$W/c/rootfs.img")
img=$W/a/rootfs.img
img_size=$(stat -c %s "$img")
img_used=$(( $(stat -c %b "$img") * $(stat -c %B "$img") ))

bundle_row="| bundle | no kernel artifact at '$KERNEL' | | |"
boot_row="| boot to the login prompt, mem=64m | not measured: no kernel artifact, or not root | |"
idle_row="| guest memory in use at idle | not measured | |"
if [ -f "$KERNEL/vmlinux" ]; then
	bt=$(secs "$UKB" bundle --kernel "$KERNEL" --rootfs "$img" --out "$W/uml-x86_64.tar.xz")
	vt=$(secs "$UKB" bundle --verify "$W/uml-x86_64.tar.xz")
	bundle_row="| bundle (xz of vmlinux + the sparse image) | $(mib "$(stat -c %s "$W/uml-x86_64.tar.xz")") MiB | made in ${bt} s, \`--verify\` ${vt} s | vmlinux $(mib "$(stat -c %s "$KERNEL/vmlinux")") MiB |"
fi
# boot_once: boot $W/boot.img; sets login (seconds to the login prompt)
# and used/total (KiB, the idle probe)
boot_once() {
	local t0
	: >"$W/console"
	rm -rf "$W/uml"
	mkdir -p "$W/uml"
	t0=$(date +%s.%N)
	setsid unshare --net "$KERNEL/vmlinux" ubda="$W/boot.img" mem=64m \
		umid=ukbbench uml_dir="$W/uml" >"$W/console" 2>&1 </dev/null &
	vm=$!
	login=
	for _ in $(seq 1200); do
		if grep -q 'login:' "$W/console"; then
			login=$(echo "$(date +%s.%N) - $t0" | bc | awk '{ printf "%.2f", $1 }')
			break
		fi
		sleep 0.1
	done
	for _ in $(seq 300); do
		grep -q 'IDLE-MEM [0-9]' "$W/console" && break
		sleep 0.1
	done
	kill -9 -- -"$vm" 2>/dev/null
	wait "$vm" 2>/dev/null || true
	vm=
	used= total=
	# the probe's line may follow the login prompt on the console
	read -r _ used total < <(grep -o 'IDLE-MEM [0-9]* [0-9]*' "$W/console" | head -1) || true
}
if [ -f "$KERNEL/vmlinux" ] && [ "$(id -u)" = 0 ]; then
	cp --sparse=always "$img" "$W/boot.img"
	boot_once
	first=${login:-"none within 120"}
	boot_once     # the swap file exists now
	kv="Linux $(jq -r .source.kernelversion "$KERNEL/metadata.json"), $(jq -r .build.profile "$KERNEL/metadata.json")"
	boot_row="| boot to the login prompt, mem=64m (no network device) | first boot ${first} s, then ${login:-none within 120} s | $kv; the first boot makes the 64 MiB swap file |"
	[ -n "${used:-}" ] &&
		idle_row="| guest memory in use at idle (free, 15 s after boot) | $(awk -v k="$used" 'BEGIN { printf "%.1f", k / 1024 }') MiB of $(awk -v k="$total" 'BEGIN { printf "%.1f", k / 1024 }') MiB | busybox init, 7 gettys, swap on |"
fi

# Debian (rootfs --debian bookworm): mmdebstrap from the mirror apt here
# uses, minutes; BENCH_DEBIAN=0 leaves it out. Its idle probe reads
# /proc/meminfo (minbase has no free): MemTotal - MemAvailable.
deb_row="| rootfs --debian bookworm | not measured: needs root, mmdebstrap and BENCH_DEBIAN=1 (the default) | | |"
deb_boot_row=
if [ "${BENCH_DEBIAN:-1}" = 1 ] && [ "$(id -u)" = 0 ] && command -v mmdebstrap >/dev/null; then
	DIDLE='(sleep 15; awk "/^MemTotal/ { t = \$2 } /^MemAvailable/ { a = \$2 } END { print \"IDLE-MEM\", t - a, t }" /proc/meminfo >/dev/console) &'
	dt=$(secs "$UKB" --cache "$W/cache" rootfs --debian bookworm --start "$DIDLE" --out "$W/d/rootfs.img")
	dimg=$W/d/rootfs.img
	dj=$W/d/rootfs.json
	deb_row="| rootfs --debian bookworm, from $(jq -r .source.url "$dj") | ${dt} s | $(mib "$(stat -c %s "$dimg")") MiB apparent, $(mib $(( $(stat -c %b "$dimg") * $(stat -c %B "$dimg") ))) MiB allocated | Debian $(jq -r .source.version "$dj"), $(jq '.source.packages | length' "$dj") packages |"
	if [ -f "$KERNEL/vmlinux" ]; then
		cp --sparse=always "$dimg" "$W/boot.img"
		boot_once
		first=${login:-"none within 120"}
		boot_once
		deb_boot_row="| Debian: boot to the login prompt, mem=64m (no network device) | first boot ${first} s, then ${login:-none within 120} s | sysvinit; the first boot makes sshd's host keys and the swap file; in use at idle $(awk -v k="${used:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MiB of $(awk -v k="${total:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MiB (MemTotal - MemAvailable), sshd running |"
	fi
fi

section() {
	cat <<MD
## The guest's root file system

Measured by bench/rootfs.sh on $(date -u +%Y-%m-%d), $(nproc) cores:
\`umlkbuild rootfs\` from Alpine's real 3.20.3 minirootfs served by nginx
on 127.0.0.1 (download, sha256, gpgv, unpack with owners, \`mke2fs -d\`
of a 512 MiB image), wall-clock seconds.

| what | value | detail | |
|---|---|---|---|
| rootfs, cold (empty cache) | ${cold} s | | |
| rootfs, cached (same inputs) | ${cached} s | same sha256: $( [ "$(sha256sum <"$W/a/rootfs.img")" = "$(sha256sum <"$W/b/rootfs.img")" ] && echo yes || echo NO) | |
| rootfs, one --start line changed | ${restart} s | | |
| image | $(mib "$img_size") MiB apparent | $(mib "$img_used") MiB allocated (sparse) | |
$bundle_row
$boot_row
$idle_row
$deb_row
$deb_boot_row

The Debian rows: \`rootfs --debian bookworm\` runs mmdebstrap against
the Debian mirror apt uses on this machine (over the network, so its time
varies with the mirror and the load); nothing of it is cached.

The cached run and the changed one cost the same: only the download is
cached; the unpack, the staging tree and the image are made again for
every run (a few seconds), which keeps the image a pure function of its
inputs.
MD
}

results_replace 'The guest'\''s root file system'
