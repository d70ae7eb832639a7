#!/bin/bash
# make bench: umlkbuild measured against the plain manual recipe, in the
# same run, on the same source, as ratios. Writes bench/RESULTS.md.
#
# BENCH_PROFILE=minimal (default: tinyconfig + fragments, minutes) or
# defconfig (the full recipe of the README, much longer).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
UKB=${UKB:-$top/umlkbuild}
SRC=${BENCH_SRC:-/usr/src/linux-source-6.1.tar.xz}
PROFILE=${BENCH_PROFILE:-minimal}
W=$(mktemp -d "${TMPDIR:-/tmp}/ukb-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
JOBS=$(nproc)
base_target=defconfig
[ "$PROFILE" = minimal ] && base_target=tinyconfig

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
ratio() { echo "scale=3; $1 / $2" | bc; }
# peak RSS of a command, in KiB, from GNU time
rss() { /usr/bin/time -f %M -o "$W/rss" "$@" >/dev/null 2>&1; cat "$W/rss"; }

# ver_ge A B: version A >= B (sort -V)
ver_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }
# in_scope FILE VERSION ARCH: the fragment's "# umlkbuild:" scope lines
# (versions A..B, arch A, link static|dynamic) admit a static build of
# VERSION for ARCH, as umlkbuild reads them.
in_scope() {
	local f=$1 v=$2 a=$3 key val from to
	while read -r _ _ key val; do
		case "$key" in
		link) [ "$val" = static ] || return 1 ;;
		arch) [[ " $val " == *" $a "* ]] || return 1 ;;
		versions)
			from=${val%%..*} to=${val#*..}
			if [ -n "$from" ] && ! ver_ge "$v" "$from"; then return 1; fi
			if [ -n "$to" ] && ver_ge "$v" "$to"; then return 1; fi ;;
		esac
	done < <(grep '^# umlkbuild: ' "$f")
	return 0
}
# The fragments umlkbuild applies for this profile, version and arch, in
# its order, so the recipe configures exactly what umlkbuild does.
frags() {
	local v=$1 a=$2 f
	for f in "$top"/kconfig-fragments/*.config; do
		in_scope "$f" "$v" "$a" && { cat "$f"; echo; }
	done
	if [ "$PROFILE" = minimal ]; then
		for f in "$top"/kconfig-fragments/profiles/minimal/*.config; do
			in_scope "$f" "$v" "$a" && { cat "$f"; echo; }
		done
	fi
	return 0
}

# The manual recipe, on a tree unpacked and patched by umlkbuild (the same
# source): defconfig, fragments, olddefconfig, make vmlinux, strip -s.
recipe() {
	local tree=$1 out=$2 arch=${3:-x86_64} v
	v=$(make -s -C "$tree" kernelversion)
	mkdir -p "$out"
	make -s -C "$tree" O="$out" ARCH=um SUBARCH="$arch" "$base_target" >/dev/null
	frags "$v" "$arch" >>"$out/.config"
	make -s -C "$tree" O="$out" ARCH=um SUBARCH="$arch" olddefconfig >/dev/null
	make -s -C "$tree" O="$out" ARCH=um SUBARCH="$arch" -j"$JOBS" vmlinux >/dev/null 2>&1
	strip -s "$out/vmlinux"
}

echo "bench: $PROFILE profile, $SRC, -j$JOBS" >&2

# 1. fetch-free source preparation: umlkbuild's hash + unpack + patch vs
# sha256sum + tar xJf, twice each, alternating. Nothing is deleted until
# all four ran: on this machine's ext4 (mounted with discard) removing a
# 1.3 GB tree slows the next extraction down by 2-3x, whichever tool it
# is, and an earlier version of this script measured that, not the tools.
prep_tar() { sha256sum "$SRC" >/dev/null; mkdir "$1"; tar -C "$1" -xJf "$SRC"; }
prep_ukb() { "$UKB" -q --cache "$1" --tarball "$SRC" --source-only; }
t=$(now); prep_tar "$W/tar1"; t_tar=$(elapsed "$t")
t=$(now); tree=$(prep_ukb "$W/c-src"); t_unpack=$(elapsed "$t")
t=$(now); prep_ukb "$W/c-src2" >/dev/null; t_unpack2=$(elapsed "$t")
t=$(now); prep_tar "$W/tar2"; t_tar2=$(elapsed "$t")
t_unpack_sum=$(echo "$t_unpack + $t_unpack2" | bc)
t_tar_sum=$(echo "$t_tar + $t_tar2" | bc)
rm -rf "$W/tar1" "$W/tar2" "$W/c-src2"
sync
sleep 30

# 2. cold build: umlkbuild without ccache vs the recipe, same tree. Two
# pairs in opposite order (recipe first, then umlkbuild first), so that
# neither side always gets the warmer page cache; the ratio is of the sums.
cold_args=(-q --cache "$W/c-src" --tarball "$SRC" --profile "$PROFILE" --no-ccache --no-boot)
cold_ukb() { "$UKB" "${cold_args[@]}" --out "$1"; }
t=$(now); recipe "$tree" "$W/recipe-cold"; t_recipe=$(elapsed "$t")
t=$(now); tree_rss=$(rss "$UKB" "${cold_args[@]}" --out "$W/ukb-cold"); t_cold=$(elapsed "$t")
peak=$(jq -r '.umlkbuild.peak_rss_kib' "$W/ukb-cold/metadata.json")
# both sides must have built the same kernel
if cmp -s <(grep '^CONFIG_' "$W/recipe-cold/.config") <(grep '^CONFIG_' "$W/ukb-cold/config"); then
	same_config="identical"
else
	same_config="DIFFERENT ($(diff <(grep '^CONFIG_' "$W/recipe-cold/.config") \
		<(grep '^CONFIG_' "$W/ukb-cold/config") | grep -c '^[<>]') lines differ)"
fi
rm -rf "$W/recipe-cold"
# the second pair starts from empty object directories too
rm -rf "$W/c-src/build"
t=$(now); cold_ukb "$W/ukb-cold2" >/dev/null; t_cold2=$(elapsed "$t")
t=$(now); recipe "$tree" "$W/recipe-cold2"; t_recipe2c=$(elapsed "$t")
t_cold_sum=$(echo "$t_cold + $t_cold2" | bc)
t_recipe_sum=$(echo "$t_recipe + $t_recipe2c" | bc)

# 3. no-op: the same inputs again
t=$(now); "$UKB" -q --cache "$W/c-src" --tarball "$SRC" --profile "$PROFILE" --no-ccache \
	--no-boot --out "$W/ukb-cold2" >/dev/null; t_noop=$(elapsed "$t")

# 4. ccache: a cold ccache build, then one fragment line changed, warm: a
# small change (one more qdisc) and a wide one (IPv6 off, which much of
# net/ depends on), each from the cold build's objects.
"$UKB" -q --cache "$W/c-cc" --tarball "$SRC" --profile "$PROFILE" --no-boot --out "$W/cc1" >/dev/null
printf 'CONFIG_NET_SCH_SFQ=y\n' >"$W/sfq.config"
t=$(now); "$UKB" -q --cache "$W/c-cc" --tarball "$SRC" --profile "$PROFILE" --no-boot \
	--fragment "$W/sfq.config" --out "$W/cc2" >/dev/null; t_warm_sfq=$(elapsed "$t")
printf 'CONFIG_IPV6=n\n' >"$W/one.config"
t=$(now); "$UKB" -q --cache "$W/c-cc" --tarball "$SRC" --profile "$PROFILE" --no-boot \
	--fragment "$W/one.config" --out "$W/cc3" >/dev/null; t_warm=$(elapsed "$t")

# 5. two arches: umlkbuild matrix vs two sequential recipe builds
cat >"$W/m.ini" <<INI
[matrix]
out = $W/mx
boot = no
ccache = no
[cell b]
tarball = $SRC
arch = x86_64 i386
profile = $PROFILE
INI
# a cache of its own: nothing built above may be reused
t=$(now); "$UKB" -q --cache "$W/c-mx" matrix "$W/m.ini" >/dev/null || true; t_matrix=$(elapsed "$t")
t=$(now); recipe "$tree" "$W/r64"; recipe "$tree" "$W/r32" i386
t_recipe2=$(elapsed "$t")

size_ukb=$(stat -c %s "$W/ukb-cold/vmlinux")

# 6. the minimal profile against the defconfig-based build: build time
# (cold, no ccache), stripped size, and the seeds' deployment with mem=64m
# (boot --deploy) for both. Skipped when the bench already is defconfig.
deploy_verdict() {
	local v=$1 out rc=0
	out=$("$UKB" boot --deploy --mem 64m "$v" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "passes ($(printf '%s\n' "$out" | sed -n 's/^ok memory: //p'), swap $(printf '%s\n' "$out" | sed -n 's/^ok swap: .* held \([0-9]*\) KiB.*/\1 KiB/p'))"
	else
		echo "FAILS: $(printf '%s\n' "$out" | grep -m1 '^error:')"
	fi
}
if [ "$PROFILE" = minimal ]; then
	t=$(now); "$UKB" -q --cache "$W/c-def" --tarball "$SRC" --no-ccache --no-boot \
		--out "$W/def" >/dev/null; t_def=$(elapsed "$t")
	size_def=$(stat -c %s "$W/def/vmlinux")
	deploy_min=$(deploy_verdict "$W/ukb-cold/vmlinux")
	deploy_def=$(deploy_verdict "$W/def/vmlinux")
fi
cat >"$top/bench/RESULTS.md" <<MD
# Benchmark results

Measured by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d), $(nproc) cores,
$(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -r), profile **$PROFILE**,
source \`$(basename "$SRC")\`. Each ratio is umlkbuild against the plain manual recipe
(\`make $base_target\` + the same fragments + \`olddefconfig\` + \`make vmlinux\` +
\`strip -s\`) measured in the same run on the same tree.

| measurement | umlkbuild | recipe | ratio | goal |
|---|---|---|---|---|
| cold build, no ccache (two pairs, opposite order; sums) | ${t_cold} + ${t_cold2} s | ${t_recipe} + ${t_recipe2c} s | $(ratio "$t_cold_sum" "$t_recipe_sum") | <= 1.02 |
| no-op, inputs unchanged | ${t_noop} s | | | <= 1 s |
| one fragment line changed (\`CONFIG_NET_SCH_SFQ=y\`), ccache warm | ${t_warm_sfq} s | ${t_recipe} s (cold) | $(ratio "$t_warm_sfq" "$t_recipe") | <= 0.25 |
| one fragment line changed (\`CONFIG_IPV6=n\`, wide), ccache warm | ${t_warm} s | ${t_recipe} s (cold) | $(ratio "$t_warm" "$t_recipe") | <= 0.25 |
| source preparation (hash + unpack + patch) vs sha256sum + tar xJf (two each, alternating; sums) | ${t_unpack} + ${t_unpack2} s | ${t_tar} + ${t_tar2} s | $(ratio "$t_unpack_sum" "$t_tar_sum") | <= 1.0 |
| 2-arch matrix vs two sequential recipe builds | ${t_matrix} s | ${t_recipe2} s | $(ratio "$t_matrix" "$t_recipe2") | |
| umlkbuild's own peak RSS during the cold build (getrusage, in metadata.json) | ${peak} KiB | | | <= 32 MB |
| peak RSS of the whole process tree (GNU time: the compiler or linker) | ${tree_rss} KiB | | | |

The stripped x86_64 vmlinux of this profile is ${size_ukb} bytes. The
recipe's .config and umlkbuild's are ${same_config} (the CONFIG_ lines).
$(if [ "$PROFILE" = minimal ]; then cat <<EOT

## The minimal profile against the defconfig-based build

| | minimal | defconfig-based |
|---|---|---|
| cold build, no ccache | ${t_cold} s | ${t_def} s |
| stripped vmlinux | ${size_ukb} bytes | ${size_def} bytes |
| \`boot --deploy --mem 64m\` (ext4 root on ubda, swap file, IPv4/IPv6, unix, pty console) | ${deploy_min} | ${deploy_def} |
EOT
fi)
The umlkbuild cold build includes the libkmod check (\`make modules\` +
\`modules_install\` + \`depmod\`), the strip and the ELF checks, which the
recipe does not do; the source preparation includes hashing the tarball
and applying the patch series.
MD
# its own section, appended: parsing large inputs
UKB=$UKB "$top/bench/parse.sh" >/dev/null
# and the guest's side (rootfs, bundle, boot to login, idle memory)
UKB=$UKB "$top/bench/rootfs.sh" >/dev/null
cat "$top/bench/RESULTS.md"
