#!/bin/bash
# `make valgrind`: umlkbuild's own process under valgrind (memcheck) on a
# full run, every library it links in use: a cold minimal build of Debian's
# 6.12 tree (libarchive unpack, libcrypto, kconfig, libkmod, libelf, boot,
# jansson, publish), the no-op rerun, boot --deploy, check-config (and
# --json), explain on the build's O= dir, doctor, patches, a signed fetch from nginx on 127.0.0.1 (libcurl, gpgv)
# and a git export (libgit2). The children it spawns (make, gcc, the
# kernel) are not traced. Leaks count when definite or indirect; the
# suppressions in tests/valgrind/valgrind.supp are only for libraries' own globals.
# Each run's report is in build/valgrind/NAME.log.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"
command -v valgrind >/dev/null || skip_all "valgrind is not installed"
need_source "$KSRC_612"
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"

VG_OUT="$TOP/build/valgrind"
rm -rf "$VG_OUT"
mkdir -p "$VG_OUT"
# its own cache: the unpack and every stage run for real under valgrind
C="$T/cache"

# vg NAME ARGS...: umlkbuild ARGS under memcheck; $rc is umlkbuild's exit
# status unless valgrind found an error (then 99).
vg() {
	local name=$1; shift
	run valgrind -q --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect \
		--suppressions="$TOP/tests/valgrind/valgrind.supp" --gen-suppressions=all \
		--log-file="$VG_OUT/$name.log" "$UKB" "$@"
}
# vg_clean NAME EXIT DESC: exited as expected, and valgrind said nothing.
vg_clean() {
	expect_exit "$2" "$3"
	if [ -s "$VG_OUT/$1.log" ]; then
		not_ok "$3: valgrind is clean (see $VG_OUT/$1.log)"
		head -n 40 "$VG_OUT/$1.log" | sed 's/^/#   /'
	else
		ok "$3: valgrind is clean"
	fi
}

vg build --cache "$C" --tarball "$KSRC_612" --arch x86_64 --profile minimal --out "$T/art"
vg_clean build 0 "a cold minimal build with boot"
vg noop --cache "$C" --tarball "$KSRC_612" --arch x86_64 --profile minimal --out "$T/art"
vg_clean noop 0 "the no-op rerun"
expect_err "up to date" "it was a no-op"
vg deploy boot --deploy "$T/art/vmlinux"
vg_clean deploy 0 "boot --deploy"
vg checkconfig check-config "$T/art/config"
vg_clean checkconfig 0 "check-config"
vg checkjson check-config --json "$T/art/config"
vg_clean checkjson 0 "check-config --json"
objdir=$(ls -d "$C"/build/*-x86_64-minimal | head -n1)
vg explain explain -C "$objdir" CONFIG_TCP_CONG_BBR CONFIG_STATIC_LINK=n CONFIG_NO_SUCH_THING
vg_clean explain 5 "explain, one symbol undefined"
vg doctor doctor --json
if [ "$rc" -eq 0 ] || [ "$rc" -eq 9 ]; then rc=0; fi
vg_clean doctor 0 "doctor --json (its verdict on this host aside)"
vg patches patches --version 4.10.1
vg_clean patches 0 "patches --version 4.10.1"
vg badversion --cache "$C" --version 4.10.1.1.1 --out "$T/bad"
vg_clean badversion 2 "a refused version"

if [ -x "$NGINX_BIN" ] && mirror_gpg_init "$T/gpg" && fpr=$(mirror_gen_key release); then
	mirror_small_tarball "$T/small.tar.xz" 1
	mirror_tree "$T/www" 6.1.999 "$T/small.tar.xz" "$fpr"
	if nginx_start "$T/www"; then
		vg fetch fetch --cache "$C" --keyring "$MIRROR_KEYS/release.asc" \
			--version 6.1.999 --mirror "$NGINX_URL" --out "$T/fetched"
		vg_clean fetch 0 "a signed fetch over HTTP"
	else
		not_ok "nginx starts"
	fi
else
	skip_one "fetch: no nginx or gpg"
fi

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@umlkbuild.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@umlkbuild.invalid
git init -q -b master "$T/work"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\n' >"$T/work/Makefile"
git -C "$T/work" add -A
git -C "$T/work" commit -q -m one
git -C "$T/work" tag v6.1.1
vg git fetch --cache "$C" --git "$T/work" --ref v6.1.1 --out "$T/exported"
vg_clean git 0 "a git export"
vg gitbad fetch --cache "$C" --git "$T/work" --ref v9.9.9 --out "$T/nope"
vg_clean gitbad 3 "a tag that does not exist"

done_testing
