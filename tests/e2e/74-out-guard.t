#!/bin/bash
# --out and other path options (README "Bad input", rows 54-63): umlkbuild
# replaces only what it can prove is an earlier artifact of its own, and
# refuses '/', the cache, non-directories and empty paths before any work.
# Every row checks that the user's files are byte for byte as they were.
. "$(dirname "$0")/../lib.sh"

export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"
S="$UKB_TEST_CACHE"

# the state of a directory, file contents included
snap() { (cd "$1" && find . -printf '%p %y %m %s\n' | sort && find . -type f -exec sha256sum {} + | sort); }

# a small linux-shaped tree: a run that gets past the guard stops at once
mkdir -p "$T/small/linux-6.1.999"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 999\nEXTRAVERSION =\n' \
	>"$T/small/linux-6.1.999/Makefile"
tar -C "$T/small" -cJf "$T/small.tar.xz" linux-6.1.999
build() { "$UKB" --cache "$C" --tarball "$T/small.tar.xz" "$@"; }

# a user's directory
U=$T/home
mkdir -p "$U/src"
echo 'my notes' >"$U/README"
head -c 5000 /dev/urandom >"$U/src/notes.txt"
snap "$U" >"$T/home.before"

O= DESC="--out a directory of the user's" row 54 9 \
	"^error: '$U' exists and is not an umlkbuild artifact: it holds no SHA256SUMS of umlkbuild's\$" \
	build --out "$U"
check "the user's directory is byte for byte as it was" \
	cmp -s "$T/home.before" <(snap "$U")
check "a hint says what to do" grep -q "^hint: --out a new or empty directory" "$T/err"

# an earlier artifact with one file of the user's added
A=$T/art
mkdir -p "$A"
echo '{"umlkbuild": {}}' >"$A/metadata.json"
echo 'old kernel' >"$A/vmlinux"
(cd "$A" && sha256sum vmlinux metadata.json >SHA256SUMS)
echo 'mine' >"$A/todo.txt"
snap "$A" >"$T/art.before"
O= DESC="--out an artifact holding a file of the user's" row 55 9 \
	"^error: '$A' exists and is not an umlkbuild artifact: 'todo\\.txt' is not a file its SHA256SUMS lists\$" \
	build --out "$A"
check "that directory is byte for byte as it was" cmp -s "$T/art.before" <(snap "$A")

O= DESC="--out /" row 56 9 "^error: refusing to publish into '/'\$" build --out /

mkdir -p "$C/trees"
O= DESC="--out the cache" row 57 9 "^error: '$C' is the cache '$C'\$" build --out "$C"
O=$C/trees/mine DESC="--out inside the cache" row 58 9 \
	"^error: '$C/trees/mine' is inside the cache '$C'\$" build --out "$C/trees/mine"
check "nothing was made inside the cache" test ! -e "$C/trees/mine"
ln -s "$C/trees" "$T/link"
O=$T/link/x DESC="--out inside the cache through a symlink" row 59 9 \
	"^error: '$T/link/x' is inside the cache '$C'\$" build --out "$T/link/x"

O= DESC="--out a regular file" row 60 9 \
	"^error: '$U/README' exists and is not a directory\$" build --out "$U/README"
check "the file is as it was" cmp -s "$T/home.before" <(snap "$U")

O= DESC="--out ''" row 61 2 \
	"^error: option '--out' wants a value, not an empty string\$" build --out ''
mkdir -p "$T/cwd"
O= DESC="--cache '' (it would be the current directory)" row 62 2 \
	"^error: option '--cache' wants a value, not an empty string\$" \
	sh -c 'cd "$1" && exec "$2" --cache "" --tarball "$3" --out "$1/o"' sh \
	"$T/cwd" "$UKB" "$T/small.tar.xz"
check "nothing was written in the current directory" \
	test -z "$(ls -A "$T/cwd")"
for opt in --tarball --fragment --config --keyring --mirror --version; do
	"$UKB" --cache "$C" build "$opt=" >/dev/null 2>"$T/err" && rc=0 || rc=$?
	check "$opt= is refused with exit 2 (got $rc)" \
		sh -c "[ $rc -eq 2 ] && grep -q \"^error: option '$opt' wants a value\" '$T/err'"
done

# a run that fails after the staging directory was made (a required symbol
# defeated at configure) leaves no parent it created
if [ -f "$KSRC_61" ]; then
	printf 'CONFIG_NET_SCH_QFQ=m\n' >"$T/qfq.config"
	mkdir -p "$T/w"
	O=$T/w/B DESC="--out A/../B after a failed run" row 63 5 \
		"^error: required CONFIG_NET_SCH_QFQ=y" \
		"$UKB" --cache "$S" --tarball "$KSRC_61" --fragment "$T/qfq.config" \
		--out "$T/w/A/../B"
	check "no empty A/ is left behind" test -z "$(ls -A "$T/w")"
else
	not_ok "row 63: no $KSRC_61 (toolchain/install.sh installs it)"
fi

# an earlier artifact alone is replaced (tests/unit/test_publish.c shows
# exactly its files go); here: it passes the guard and the run goes on
rm "$A/todo.txt"
build --out "$A" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
check "an earlier artifact passes the guard (the run stops later, at the tiny tree: exit $rc)" \
	sh -c "[ $rc -ne 9 ] && ! grep -q 'not an umlkbuild artifact' '$T/err'"
# the default --out (linux-VERSION-um-ARCH in the current directory) is
# guarded too, before anything in it is read: a FIFO named metadata.json
# there hung the up-to-date check. The data dir without patches lets the
# tiny tree through the source stage.
mkdir -p "$T/nopatch/patches" "$T/cwd2/linux-6.1.999-um-x86_64"
cp -R "$TOP/kconfig-fragments" "$TOP/keys" "$TOP/toolchain" "$T/nopatch/"
mkfifo "$T/cwd2/linux-6.1.999-um-x86_64/metadata.json"
: >"$T/cwd2/linux-6.1.999-um-x86_64/SHA256SUMS"
ROW_TIMEOUT=20 O= DESC="the default --out, a directory of the user's" row 54 9 \
	"^error: 'linux-6\\.1\\.999-um-x86_64' exists and is not an umlkbuild artifact" \
	env -C "$T/cwd2" UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" \
	--tarball "$T/small.tar.xz"
check "the user's FIFO is still there" test -p "$T/cwd2/linux-6.1.999-um-x86_64/metadata.json"

# matrix writes into its --out too: '/' and the cache are refused there
printf '[cell a]\ntarball = %s\narch = x86_64\n' "$T/small.tar.xz" >"$T/m.ini"
O= DESC="matrix --out the cache" row 57 9 "^error: '$C' is the cache '$C'\$" \
	"$UKB" --cache "$C" matrix --out "$C" "$T/m.ini"
check "matrix wrote nothing into the cache" test ! -e "$C/matrix.json" -a ! -e "$C/.matrix-work"
O= DESC="matrix --out /" row 56 9 "^error: refusing to publish into '/'\$" \
	"$UKB" --cache "$C" matrix --out / "$T/m.ini"

done_testing
