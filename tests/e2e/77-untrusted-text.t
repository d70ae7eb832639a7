#!/bin/bash
# Untrusted text (README "Bad input", rows 85 to 99): archive entry names,
# arguments, Kconfig text, matrix strings, mirror and git URLs and
# metadata.json fields never reach the terminal, the logs or the reports
# raw. Control characters come out C-quoted (\n, \033, \xNN), credentials
# in URLs are cut out, git remotes obey the mirrors' transport rule, and
# reproduce refuses a malformed metadata.json with exit 2 before it does
# any work. No kernel is built.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
C="$T/cache"
ESC=$'\033'

# raw_controls FILE...: true when a file holds a byte below 0x20 other than
# newline, 0x7f, or a C1 control (as one byte or as UTF-8)
raw_controls() {
	LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]|\xc2[\x80-\x9f]' "$@" 2>/dev/null
}

# row (tests/lib.sh) also finds no raw C1 control on stderr here
row_check() { raw_controls "$T/err" && bad+=("a raw control character on stderr"); }

# no_raw FILE...: every file exists and holds no raw control character
no_raw() {
	local f
	for f; do [ -e "$f" ] || return 1; done
	! raw_controls "$@"
}
# not_in TEXT PATH...: every path exists and none holds TEXT
not_in() {
	local f
	for f in "${@:2}"; do [ -e "$f" ] || return 1; done
	! grep -rqa -- "$1" "${@:2}"
}

build() { "$UKB" --cache "$C" "$@" --out "$T/o"; }

# ---- archive entry names -------------------------------------------------
tar_of newline.tar '$t->add_data("linux-x/a\nerror: forged line\n../../x", "x");'
DESC="an entry name with newlines forging an error line" row 85 3 \
	"^error: cannot unpack '.*newline\\.tar': unsafe entry 'linux-x/a\\\\nerror: forged line\\\\n\\.\\./\\.\\./x'" \
	build --tarball "$T/newline.tar"
check "row 85: the forged line is no line of its own" not_in '^error: forged line' "$T/err"

tar_of esc.tar '$t->add_data("linux-x/\e]0;pwned\a\e[2J\xc2\x9b/../../x", "x");'
DESC="an entry name with ESC, BEL and a C1 CSI (the log gets the same line: row 92)" row 86 3 \
	"unsafe entry 'linux-x/\\\\033\\]0;pwned\\\\007\\\\033\\[2J\\\\xc2\\\\x9b/" \
	build --tarball "$T/esc.tar"

# ---- arguments -------------------------------------------------------------
DESC="--version with a trailing newline" row 87 2 \
	"^error: invalid kernel version '6\\.1\\\\n': " build --version $'6.1\n'
DESC="--version with an escape sequence" row 88 2 \
	"^error: invalid kernel version '\\\\033\\[31m6\\.1': " build --version "${ESC}[31m6.1"

# explain: its arguments in errors, and a tree's Kconfig text on stdout
mkdir -p "$T/ex"
printf 'config X\n\tbool "x \033[31mred\033[m"\n\tdefault y\n' >"$T/ex/Kconfig"
printf 'CONFIG_X=y\n' >"$T/ex/.config"
DESC="an explain argument with a newline" row 89 2 \
	"^error: 'CONFIG_X\\\\nerror: forged' is not CONFIG_X or CONFIG_X=VALUE" \
	"$UKB" explain -C "$T/ex" $'CONFIG_X\nerror: forged'
run "$UKB" explain -C "$T/ex" CONFIG_X
expect_exit 0 "explain of a symbol whose prompt holds ESC"
check "row 90: no raw ESC from the tree's Kconfig on stdout" no_raw "$T/out"
check "row 90: the prompt is shown quoted" grep -qF 'x \033[31mred\033[m' "$T/out"

# ---- the matrix: failure lines and reports ------------------------------
printf '[matrix]\nout = mout\nboot = no\n[cell evil]\ntarball = %s/\033]0;pwned\007\033[2J\xc2\x9b\xff.tar.xz\narch = x86_64\nprofile = minimal\n' \
	"$T/none" >"$T/m.ini"
run "$UKB" --cache "$C" matrix "$T/m.ini"
expect_exit 6 "a matrix cell failing on a nasty tarball path"
check "row 91: the failure line is quoted once" grep -qF \
	"FAIL (source) after 0 s: cannot read '$T/none/\\033]0;pwned\\007\\033[2J\\xc2\\x9b\\xff.tar.xz'" "$T/err"
check "row 91: no raw control character on the matrix's stderr" no_raw "$T/err"
check "row 92: no raw control character in matrix.md, .html, .json or the log" \
	no_raw "$T/mout/matrix.md" "$T/mout/matrix.html" "$T/mout/matrix.json" "$T/mout/logs/"*
json_quoted() { jq -e '.builds[0].source | contains("\\033]0;pwned")' "$1" >/dev/null; }
check "row 92: matrix.json is valid and names the path quoted" json_quoted "$T/mout/matrix.json"

# ---- credentials in mirror URLs ------------------------------------------
if [ -x "$NGINX_BIN" ] && mirror_gpg_init "$T/gpg" && fpr=$(mirror_gen_key release) &&
	mirror_small_tarball "$T/small.tar.xz" 1 &&
	mirror_tree "$T/www" 6.1.999 "$T/small.tar.xz" "$fpr" && nginx_start "$T/www"; then
	KEY="$MIRROR_KEYS/release.asc"
	cred() { echo "$1" | sed 's|://|://ukbuser:s3cr3t-pw@|'; }
	DESC="a mirror with credentials that answers 500 (retries, then fails)" row 93 3 \
		"^error: 'http://127\\.0\\.0\\.1:$NGINX_PORT/err500/v6\\.x/sha256sums\\.asc' answered HTTP 500" \
		"$UKB" --cache "$T/c93" fetch --keyring "$KEY" --version 6.1.999 --mirror "$(cred "$NGINX_500_URL")"
	check "row 93: the request was retried" grep -q '^warning: .*trying again' "$T/err"
	check "row 93: no message carries the credentials" not_in s3cr3t "$T/err"
	run "$UKB" -v --cache "$T/c94" --version 6.1.999 --keyring "$KEY" \
		--mirror "$(cred "$NGINX_URL")" --source-only --no-boot --out "$T/o94"
	check "row 94: the download is named without the credentials" \
		grep -qF "downloading 'http://127.0.0.1:$NGINX_PORT/v6.x/linux-6.1.999.tar.xz'" "$T/err"
	check "row 94: neither stderr nor the build log shows them" \
		not_in s3cr3t "$T/err" "$T/c94/logs"
	nginx_stop
else
	not_ok "cannot set up the nginx mirror for rows 93 and 94"
fi

printf '[fetch]\nmirror = http://u:s3cr3t@example.invalid/x\n' >"$T/cred.ini"
DESC="a config file's mirror with credentials, refused" row 93 2 \
	"^error: .*cred\\.ini:2: refusing mirror 'http://example\\.invalid/x': plain http://" \
	"$UKB" --cache "$C" fetch --config "$T/cred.ini" --version 6.1.999
check "row 93: the refusal does not show the password" not_in s3cr3t "$T/err"

# ---- git remotes -----------------------------------------------------------
DESC="--git over plain http to a host that is not loopback" row 95 2 \
	"^error: refusing git remote 'http://169\\.254\\.169\\.254/x\\.git': plain http:// is refused" \
	build --git http://169.254.169.254/x.git --ref v6.1
DESC="--git over git:// to a host that is not loopback" row 96 2 \
	"^error: refusing git remote 'git://example\\.invalid/linux\\.git': plain git:// is refused" \
	build --git git://example.invalid/linux.git --ref v6.1
DESC="--git over ssh, with a password" row 96 2 \
	"^error: refusing git remote 'ssh://example\\.invalid/linux\\.git': only https://" \
	"$UKB" --cache "$C" fetch --git ssh://git:s3cr3t@example.invalid/linux.git --ref v6.1 --out "$T/o96"
check "row 96: the password is not shown" not_in s3cr3t "$T/err"
DESC="--git in scp form" row 96 2 "^error: refusing git remote 'example\\.invalid:linux\\.git': ssh remotes" \
	build --git git@example.invalid:linux.git --ref v6.1
DESC="--git over loopback http with credentials, nothing listening" row 97 3 \
	"^error: cannot fetch from 'http://127\\.0\\.0\\.1:9/x\\.git': " \
	"$UKB" --cache "$C" fetch --git http://u:s3cr3t@127.0.0.1:9/x.git --ref v1 --out "$T/o97"
check "row 97: neither the error nor the cache keeps the password" \
	not_in s3cr3t "$T/err" "$C"

# a remote with credentials that works: the cache's mirror records it
# without them
if command -v git >/dev/null; then
	mkdir -p "$T/git" && git init -q -b master "$T/gw" &&
		printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\n' >"$T/gw/Makefile" &&
		git -C "$T/gw" add -A &&
		git -C "$T/gw" -c user.name=t -c user.email=t@umlkbuild.invalid commit -q -m one &&
		git -C "$T/gw" tag v6.1.1 && git clone -q --bare "$T/gw" "$T/git/linux.git"
	if git_daemon_start "$T/git"; then
		run "$UKB" --cache "$T/c97" fetch \
			--git "$(echo "$GIT_DAEMON_URL" | sed 's|://|://u:s3cr3t@|')/linux.git" --ref v6.1.1 --out "$T/o97b"
		expect_exit 0 "row 97: a git:// remote on loopback with credentials"
		check "row 97: messages and the mirror's config name it without them" \
			sh -c "grep -qF \"fetching '$GIT_DAEMON_URL/linux.git'\" '$T/err' &&
				grep -rqF 'url = $GIT_DAEMON_URL/linux.git' '$T/c97/git'"
		check "row 97: nothing holds the password" not_in s3cr3t "$T/err" "$T/c97"
		git_daemon_stop
	else
		not_ok "row 97: cannot start git daemon"
	fi
fi

# ---- reproduce of hand-made metadata.json files ------------------------
SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
meta() { # meta FILE SOURCE-JSON BUILD-JSON
	printf '{"vmlinux":{"sha256":"%s"},"source":%s,"build":%s}\n' "$SHA" "$2" "$3" >"$T/$1"
}
TARSRC='{"kind":"tarball","tarball":"/nonexistent/linux.tar.xz"}'
reproduce_row() { # reproduce_row ID DESC PATTERN FILE
	local before
	before=$(ls "$C/reproduce" 2>/dev/null | wc -l)
	DESC=$2 row "$1" 2 "$3" "$UKB" --cache "$C" reproduce "$T/$4"
	check "row $1: nothing left in the cache's reproduce/" \
		test "$(ls "$C/reproduce" 2>/dev/null | wc -l)" -le "$before"
}
meta num.json "$TARSRC" '{"subarch":"x86_64","profile":"minimal","kconfig_add":[1]}'
reproduce_row 98 "reproduce: a number in build.kconfig_add (was SIGSEGV)" \
	"^error: '.*num\\.json': build\\.kconfig_add\\[0\\] is a number, not a string" num.json
meta profile.json "$TARSRC" '{"subarch":"x86_64","profile":"../../../../tmp/x"}'
reproduce_row 98 "reproduce: a recorded profile that is a path" \
	"^error: unknown profile '\\.\\./\\.\\./\\.\\./\\.\\./tmp/x' in " profile.json
long=$(printf 'f%.0s' $(seq 300))
meta long.json "$TARSRC" "{\"subarch\":\"x86_64\",\"profile\":\"minimal\",\"kconfig\":[{\"file\":\"/tmp/$long.config\",\"sha256\":\"$SHA\",\"user\":true,\"content\":\"\"}]}"
reproduce_row 98 "reproduce: a 300-byte fragment name" \
	"^error: '.*long\\.json': the fragment name 'f{32}\\.\\.\\.' is longer than 200 bytes" long.json
meta git.json '{"kind":"git","url":"http://169.254.169.254/x.git","commit":"0123456789abcdef0123456789abcdef01234567"}' \
	'{"subarch":"x86_64","profile":"minimal"}'
reproduce_row 98 "reproduce: a git source over plain http" \
	"^error: refusing git remote 'http://169\\.254\\.169\\.254/x\\.git': " git.json
meta kind.json '{"kind":["tarball"]}' '{"subarch":"x86_64","profile":"minimal"}'
reproduce_row 98 "reproduce: a source.kind that is no string" \
	"^error: '.*kind\\.json': source\\.kind is an array, not a string" kind.json
meta ver.json '{"kind":"kernel.org","kernelversion":"6.1\n"}' '{"subarch":"x86_64","profile":"minimal"}'
reproduce_row 98 "reproduce: a recorded version with a newline" \
	"^error: invalid kernel version '6\\.1\\\\n' in " ver.json

# a dead run's scratch dir goes; the run that finds it cleans up its own
sh -c 'exit 0' &
dead=$!
wait "$dead"
mkdir -p "$C/reproduce/$dead/artifact"
meta ok.json "$TARSRC" '{"subarch":"x86_64","profile":"minimal"}'
run "$UKB" --cache "$C" reproduce "$T/ok.json"
expect_exit 3 "row 99: reproduce of a valid file whose tarball is gone"
check "row 99: the dead run's reproduce/$dead is removed" test ! -e "$C/reproduce/$dead"
check "row 99: no reproduce/ dir of this run is left" \
	test -z "$(ls "$C/reproduce" 2>/dev/null)"

done_testing
