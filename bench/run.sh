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

# The fragments umlkbuild applies for this profile, concatenated in its order,
# so the recipe configures exactly what umlkbuild does.
frags() {
	local f
	for f in "$top"/kconfig-fragments/*.config; do cat "$f"; echo; done
	if [ "$PROFILE" = minimal ]; then
		for f in "$top"/kconfig-fragments/profiles/minimal/*.config; do cat "$f"; echo; done
	fi
}

# The manual recipe, on a tree unpacked and patched by umlkbuild (the same
# source): defconfig, fragments, olddefconfig, make vmlinux, strip -s.
recipe() {
	local tree=$1 out=$2
	mkdir -p "$out"
	make -s -C "$tree" O="$out" ARCH=um SUBARCH=x86_64 "$base_target" >/dev/null
	frags >>"$out/.config"
	make -s -C "$tree" O="$out" ARCH=um SUBARCH=x86_64 olddefconfig >/dev/null
	make -s -C "$tree" O="$out" ARCH=um SUBARCH=x86_64 -j"$JOBS" vmlinux >/dev/null 2>&1
	strip -s "$out/vmlinux"
}

echo "bench: $PROFILE profile, $SRC, -j$JOBS" >&2

# 1. fetch-free source preparation: umlkbuild's hash + unpack vs sha256sum + tar
t=$(now); sha256sum "$SRC" >/dev/null; mkdir "$W/tar"; tar -C "$W/tar" -xJf "$SRC"; t_tar=$(elapsed "$t")
rm -rf "$W/tar"
t=$(now); tree=$("$UKB" -q --cache "$W/c-src" --tarball "$SRC" --source-only)
t_unpack=$(elapsed "$t")

# 2. cold build: umlkbuild without ccache vs the recipe, same tree
t=$(now); recipe "$tree" "$W/recipe-cold"; t_recipe=$(elapsed "$t")
t=$(now); tree_rss=$(rss "$UKB" -q --cache "$W/c-src" --tarball "$SRC" --profile "$PROFILE" \
	--no-ccache --no-boot --out "$W/ukb-cold"); t_cold=$(elapsed "$t")
peak=$(jq -r '.umlkbuild.peak_rss_kib' "$W/ukb-cold/metadata.json")

# 3. no-op: the same inputs again
t=$(now); "$UKB" -q --cache "$W/c-src" --tarball "$SRC" --profile "$PROFILE" --no-ccache \
	--no-boot --out "$W/ukb-cold" >/dev/null; t_noop=$(elapsed "$t")

# 4. ccache: a cold ccache build, then one fragment line changed, warm
"$UKB" -q --cache "$W/c-cc" --tarball "$SRC" --profile "$PROFILE" --no-boot --out "$W/cc1" >/dev/null
printf 'CONFIG_IPV6=n\n' >"$W/one.config"
t=$(now); "$UKB" -q --cache "$W/c-cc" --tarball "$SRC" --profile "$PROFILE" --no-boot \
	--fragment "$W/one.config" --out "$W/cc2" >/dev/null; t_warm=$(elapsed "$t")

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
t=$(now); recipe "$tree" "$W/r64"
mkdir -p "$W/r32"
make -s -C "$tree" O="$W/r32" ARCH=um SUBARCH=i386 "$base_target" >/dev/null
frags >>"$W/r32/.config"
make -s -C "$tree" O="$W/r32" ARCH=um SUBARCH=i386 olddefconfig >/dev/null
make -s -C "$tree" O="$W/r32" ARCH=um SUBARCH=i386 -j"$JOBS" vmlinux >/dev/null 2>&1
t_recipe2=$(elapsed "$t")

size_ukb=$(stat -c %s "$W/ukb-cold/vmlinux")
cat >"$top/bench/RESULTS.md" <<MD
# Benchmark results

Measured by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d), $(nproc) cores,
$(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -r), profile **$PROFILE**,
source \`$(basename "$SRC")\`. Each ratio is umlkbuild against the plain manual recipe
(\`make $base_target\` + the same fragments + \`olddefconfig\` + \`make vmlinux\` +
\`strip -s\`) measured in the same run on the same tree.

| measurement | umlkbuild | recipe | ratio | goal |
|---|---|---|---|---|
| cold build, no ccache | ${t_cold} s | ${t_recipe} s | $(ratio "$t_cold" "$t_recipe") | <= 1.02 |
| no-op, inputs unchanged | ${t_noop} s | | | <= 1 s |
| one fragment line changed, ccache warm | ${t_warm} s | ${t_recipe} s (cold) | $(ratio "$t_warm" "$t_recipe") | <= 0.25 |
| source preparation (hash + unpack + patch) vs sha256sum + tar xJf | ${t_unpack} s | ${t_tar} s | $(ratio "$t_unpack" "$t_tar") | <= 1.0 |
| 2-arch matrix vs two sequential recipe builds | ${t_matrix} s | ${t_recipe2} s | $(ratio "$t_matrix" "$t_recipe2") | |
| umlkbuild's own peak RSS during the cold build (getrusage, in metadata.json) | ${peak} KiB | | | <= 32 MB |
| peak RSS of the whole process tree (GNU time: the compiler or linker) | ${tree_rss} KiB | | | |

The stripped x86_64 vmlinux of this profile is ${size_ukb} bytes.
The umlkbuild cold build includes the libkmod check (\`make modules\` +
\`modules_install\` + \`depmod\`), the strip and the ELF checks, which the
recipe does not do; the source preparation includes hashing the tarball
and applying the patch series.
MD
cat "$top/bench/RESULTS.md"
