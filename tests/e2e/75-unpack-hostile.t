#!/bin/bash
# Hostile tarballs, second round (issue #15): links that leave the tree
# once its top directory is renamed into the cache, modes that would let
# anyone change the cached tree, unbounded sizes, trailing garbage. Small
# crafted tarballs on a private cache; no kernel is built.
. "$(dirname "$0")/../lib.sh"

export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"
mkdir -p "$T/nopatch/patches"
cp -R "$TOP/kconfig-fragments" "$TOP/keys" "$TOP/toolchain" "$T/nopatch/"

# build ARGS...: umlkbuild on the private cache, output to $O
build() { exec env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" "$@" --out "$O"; }

# ---- links leave the tree once it is renamed out of trees/tmp-SHA-PID ----
tar_of sib.tar '$t->add_data("linux-x/sib", "",
	{ type => SYMLINK, linkname => "../OTHERKEY/Makefile" });'
O=$T/o64 CH=$C DESC="symlink into a sibling cached tree" row 64 3 \
	"^error: cannot unpack '$T/sib\\.tar': unsafe symlink 'linux-x/sib' -> '\\.\\./OTHERKEY/Makefile': link target leaves the tree" \
	build --tarball "$T/sib.tar" --source-only
tar_of trees.tar '$t->add_data("linux-x/trees", "",
	{ type => SYMLINK, linkname => ".." });'
O=$T/o65 CH=$C DESC="symlink to the cache's trees directory" row 65 3 \
	"^error: cannot unpack '$T/trees\\.tar': unsafe symlink 'linux-x/trees' -> '\\.\\.': link target leaves the tree" \
	build --tarball "$T/trees.tar" --source-only
tar_of hsib.tar '$t->add_data("other/f", "x");
	$t->add_data("linux-x/h", "", { type => HARDLINK, linkname => "other/f" });'
O=$T/o66 CH=$C DESC="hard link into another top directory" row 66 3 \
	"^error: cannot unpack '$T/hsib\\.tar': unsafe hard link 'linux-x/h' => 'other/f': hard link target outside the top directory" \
	build --tarball "$T/hsib.tar" --source-only
check "no link escaped into the cache" sh -c "! find '$C' -type l 2>/dev/null | grep -q ."

# ---- modes: nothing in the cached tree is writable by others ------------
tar_of modes.tar '
	$t->add_data("linux-x/open", "x", { mode => 0777 });
	$t->add_data("linux-x/suid", "x", { mode => 06755 });
	$t->add_data("linux-x/tmp", "", { type => DIR, mode => 01777 });
	$t->add_data("linux-x/wide", "", { type => DIR, mode => 0777 });
	$t->add_data("linux-x/shut/f", "x", { mode => 0644 });
	$t->add_data("linux-x/shut", "", { type => DIR, mode => 0 });'
run env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" --tarball "$T/modes.tar" --source-only
expect_exit 0 "a tarball with unsafe modes unpacks"
tree=$(cat "$T/out")
check "the tree's path is printed" test -f "$tree/Makefile"
check "the adjusted entries are counted" \
	grep -q "sticky bits from 5 entries" "$T/err"
perm() { stat -c %a "$tree/$1"; }
check "a 0777 file is 755 in the cache" test "$(perm open)" = 755
check "a 6755 file is 755 in the cache" test "$(perm suid)" = 755
check "a 1777 directory is 755 in the cache" test "$(perm tmp)" = 755
check "a 0777 directory is 755 in the cache" test "$(perm wide)" = 755
check "a mode-000 directory is 700 in the cache" test "$(perm shut)" = 700
check "nothing in the cached tree is group or other writable" \
	sh -c "test -z \"\$(find '$tree' ! -type l -perm /0022 -print -quit)\""
check "nothing in the cached tree is set-id or sticky" \
	sh -c "test -z \"\$(find '$tree' -perm /7000 -print -quit)\""
chmod -R u+rwx "$C" 2>/dev/null

# directories the tarball does not list: no group write even with umask 0
tar_of bare.tar '
	$t->add_data("linux-x/sub/deep/f", "x", { mode => 0644 });'
run sh -c 'umask 0 && exec env UKB_DATADIR="$1/nopatch" "$2" --cache "$3" --tarball "$1/bare.tar" --source-only' \
	sh "$T" "$UKB" "$C"
expect_exit 0 "a tarball listing no directories unpacks under umask 0"
tree=$(cat "$T/out")
check "an unlisted directory is 755 in the cache" test "$(perm sub/deep)" = 755

# ---- sizes: stop far above any kernel tree -------------------------------
# a header declaring 9 GiB (base-256 size field) and then 1 MiB of zeros:
# refused at the header, before anything is written
python3 - "$T/huge.tar" <<'PY'
import sys, tarfile
with open(sys.argv[1], "wb") as f:
    for name, size in (("linux-x/Makefile", 0), ("linux-x/zeros", 9 << 30)):
        ti = tarfile.TarInfo(name)
        ti.size = size
        f.write(ti.tobuf(format=tarfile.GNU_FORMAT))
    f.write(bytes(1 << 20))
PY
O=$T/o67 CH=$C DESC="a file declared larger than 1 GiB" row 67 3 \
	"^error: cannot unpack '$T/huge\\.tar': entry 'linux-x/zeros' holds 9663676416 bytes, more than the 1 GiB allowed for one file" \
	build --tarball "$T/huge.tar" --source-only
# nine sparse files of 1 GiB each: 9 GiB of file data in a tiny tarball
mkdir -p "$T/sp/linux-x"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 999\nEXTRAVERSION =\n' \
	>"$T/sp/linux-x/Makefile"
for i in 1 2 3 4 5 6 7 8 9; do
	printf x | dd of="$T/sp/linux-x/s$i" bs=1 seek=$(((1 << 30) - 1)) \
		conv=notrunc status=none
done
tar -C "$T/sp" --sparse -cJf "$T/sparse.tar.xz" linux-x
rm -rf "$T/sp"
O=$T/o68 CH=$C DESC="more than 8 GiB of file data in all" row 68 3 \
	"^error: cannot unpack '$T/sparse\\.tar\\.xz': more than 8 GiB of file data \\(at entry 'linux-x/s" \
	build --tarball "$T/sparse.tar.xz" --source-only
check "no scratch tree is left in the cache" \
	sh -c "! ls '$C/trees' 2>/dev/null | grep -q '^tmp-'"

# ---- trailing garbage: refused after gzip as after xz, and plain tar ----
mkdir -p "$T/tg/linux-6.1.999"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 999\nEXTRAVERSION =\n' \
	>"$T/tg/linux-6.1.999/Makefile"
tar -C "$T/tg" -czf "$T/tg.tar.gz" linux-6.1.999
tar -C "$T/tg" -cJf "$T/tg.tar.xz" linux-6.1.999
{ cat "$T/tg.tar.gz"; echo garbage; } >"$T/garbage.tar.gz"
{ cat "$T/tg.tar.xz"; echo garbage; } >"$T/garbage.tar.xz"
O=$T/o69 CH=$C DESC="trailing garbage after .tar.gz" row 69 3 \
	"^error: cannot unpack '$T/garbage\\.tar\\.gz': trailing garbage \\(after the end of the gzip data\\)" \
	build --tarball "$T/garbage.tar.gz" --source-only
O=$T/o70 CH=$C DESC="trailing garbage after .tar.xz" row 70 3 \
	"^error: cannot unpack '$T/garbage\\.tar\\.xz': trailing garbage \\(after the end of the xz data\\)" \
	build --tarball "$T/garbage.tar.xz" --source-only
tar -C "$T/tg" -cf "$T/tg.tar" linux-6.1.999
{ cat "$T/tg.tar"; echo garbage; } >"$T/garbage.tar"
O=$T/o71 CH=$C DESC="trailing garbage after a plain .tar" row 71 3 \
	"^error: cannot unpack '$T/garbage\\.tar': trailing garbage \\(after the end of the tar data, at byte 10240\\)" \
	build --tarball "$T/garbage.tar" --source-only
{ cat "$T/tg.tar"; head -c 10240 /dev/zero; } >"$T/padded.tar"
run env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" --tarball "$T/padded.tar" --source-only
expect_exit 0 "zeros after a plain .tar's end marker are padding"
{ cat "$T/tg.tar.gz" "$T/tg.tar.gz"; } >"$T/twice.tar.gz"
run env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" --tarball "$T/twice.tar.gz" --source-only
expect_exit 0 "two gzip members are one file, as to gzip -d"

done_testing
