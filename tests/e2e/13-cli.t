#!/bin/bash
# Usage errors: one line, exit 2.
. "$(dirname "$0")/../lib.sh"

run "$UKB" --help
expect_exit 0 "--help"
expect_out "^usage: umlkbuild" "--help prints usage on stdout"
run "$UKB" build --help
expect_exit 0 "build --help"
expect_out -- "--tarball PATH" "build --help lists the options"

run "$UKB" --tarball x.tar.xz --arch arm
expect_exit 2 "an unknown arch"
expect_err "^error: unknown arch 'arm': use x86_64 \\(amd64, 64\\) or i386 \\(i686, 32\\)\$" "names the choices"
expect_one_error "one error line for an unknown arch"
for v in 4.10.1.1.1 v4 ../x 4 4.09 ""; do
	run "$UKB" --version "$v"
	expect_exit 2 "version '$v' is refused"
	expect_one_error "one error line for version '$v'"
done
run "$UKB" --version 4.8
expect_exit 2 "4.8 predates BBR"
expect_err "predates TCP BBR, which arrived in 4.9" "says why"
run "$UKB" --arch x86_64
expect_exit 2 "no source"
expect_err "no kernel source" "says a source is needed"
run "$UKB" --tarball a.tar --git g --ref r
expect_exit 2 "two sources"
run "$UKB" frobnicate
expect_exit 2 "an unknown command"
expect_err "'frobnicate' is not a umlkbuild command" "names it"
run "$UKB" --tarball a.tar -j 0
expect_exit 2 "-j 0"
run "$UKB" --tarball a.tar --profile huge
expect_exit 2 "an unknown profile"
run "$UKB" patches --version 6.1.192
expect_exit 0 "patches --version 6.1.192"
expect_out "^0001-um-drop-xstat-exports.patch" "6.1 gets the xstat patch"
expect_out "^0002-um-unregister-glibc-rseq.patch" "6.1 gets the rseq patch"
expect_out "^0200-um-x86-set-xstate-on-amx-hosts.patch" "6.1 x86_64 gets the AMX XSAVE patch"
expect_out "^0005-um-keep-host-stack-from-growing-into-guest.patch" "6.1 gets the host-stack patch (the i386 TLS failure)"
check "6.1 does not get 0003 (6.16..)" sh -c "! grep -q '^0003' '$T/out'"
run "$UKB" patches --version 6.1.192 --arch i386
expect_exit 0 "patches --version 6.1.192 --arch i386"
expect_out "^0005-um-keep-host-stack-from-growing-into-guest.patch" "6.1 i386 gets the host-stack patch"
check "6.1 i386 does not get 0200 (x86_64 only)" sh -c "! grep -q '^0200' '$T/out'"
run "$UKB" patches --version 6.19
expect_exit 0 "patches --version 6.19"
check "6.19 gets none of 0001, 0002, 0005, 0200" sh -c "! grep -qE '^(000[125]|0200)' '$T/out'"
expect_out "^0003-um-vector-without-name-resolution-for-static.patch" "6.19 gets the static vector driver patch"
run "$UKB" explain --help
expect_exit 0 "explain --help"
expect_out "^usage: umlkbuild explain \\[-C DIR\\] CONFIG_X\\[=VALUE\\]" "explain --help shows the usage"
run "$UKB" explain
expect_exit 2 "explain without a symbol"
expect_one_error "one error line for explain without a symbol"
run "$UKB" explain -C "$T" CONFIG_X
expect_exit 2 "explain on a directory without .config"
expect_err "^error: cannot read .config '$T/.config': No such file or directory\$" "names the .config"
touch "$T/.config"
run "$UKB" explain -C "$T" CONFIG_X
expect_exit 2 "explain on a directory without a kernel tree"
expect_err "is neither a kernel tree nor a build directory with a 'source' link to one" "says what it looked for"
run "$UKB" explain -C "$T" 'CONFIG_X Y'
expect_exit 2 "explain a malformed symbol"
run "$UKB" check-config --json "$T/no-such.config"
expect_exit 2 "check-config --json on a missing file"
check "nothing on stdout for a usage error" test ! -s "$T/out"
# global options anywhere: after the command and its options too
run "$UKB" --version 4.10.1 --arch x86_64 --cache "$T/gcache" --offline
expect_exit 3 "--cache after the build's options"
expect_err "not in the cache '$T/gcache/downloads'" "--cache after the options names the cache"
check "--cache after the options made that cache" test -d "$T/gcache/downloads"
run "$UKB" --tarball "$T/none.tar.xz" -q --cache="$T/gcache2"
expect_exit 3 "-q and --cache= after the options: the missing tarball is the error"
expect_one_error "one error line with -q and --cache= late"
run "$UKB" patches --version 6.1 -v --cache "$T/gcache3"
expect_exit 0 "patches takes -v and --cache after its options"
run "$UKB" check-config -q --json "$T/no-such.config"
expect_exit 2 "check-config takes -q among its options"
expect_err "no-such.config" "and still names the file"
run "$UKB" boot "$T/vmlinux" --cache "$T/gcache"
expect_exit 2 "boot's operand ends its options"
expect_err "^error: '--cache' is a global option: put it before the command\$" "says to put --cache before the command"
expect_one_error "one error line for a late global option"
run "$UKB" doctor --list-options
expect_exit 0 "doctor --list-options"
expect_out "^--build\$" "--list-options prints one option a line"
# a word too many: one line naming the command and the word, exit 2
for words in "fetch --version 6.1 extra" "build --tarball a.tar extra" \
	"bundle extra" "deploy extra" "status a extra" "run a extra" \
	"undeploy a extra" "console a 1 extra"; do
	# shellcheck disable=SC2086
	run "$UKB" $words
	expect_exit 2 "umlkbuild $words"
	expect_err "^error: ${words%% *}: unexpected argument 'extra'\$" "names ${words%% *} and the word"
	expect_one_error "one error line for umlkbuild $words"
done
done_testing
