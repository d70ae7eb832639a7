#!/bin/bash
# `umlkbuild fetch` against a kernel.org-shaped mirror that nginx serves on
# 127.0.0.1: the happy path, the cache, --offline, mirror lists and config
# files, and the failures that are not the tarball's fault (404, 500, a
# server gone, a refused URL). Each failure: one line, exit code, clean cache.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

mirror_fetch_setup "$T/small.tar.xz" 2
C="$T/cache"
fetch() { run "$UKB" fetch --keyring "$KEY" "$@"; }
requests() { grep -c -- "$1" "$NGINX_ACCESS_LOG" || true; }
clean_cache() {
	check "$1" test -z "$(find "$2" \( -name '*.part' -o -name 'tmp-*' \
		-o -name '.verify-*' -o -path '*/downloads/[0-9a-f]*' \) 2>/dev/null)"
}

fetch --cache "$C" --version 6.1.999 --mirror "$NGINX_URL"
expect_exit 0 "fetch a release from the mirror"
path=$(cat "$T/out")
sha=$(sha256sum <"$T/small.tar.xz" | cut -d' ' -f1)
check "stdout names the cached tarball" test -f "$path"
check "the cache is content-addressed" \
	test "$path" = "$C/downloads/$sha/linux-6.1.999.tar.xz"
check "the cached copy is the mirror's" cmp -s "$path" "$T/small.tar.xz"
check "one download of the tarball" \
	test "$(requests 'GET /v6.x/linux-6.1.999.tar.xz 200')" -eq 1
check "the signature was fetched" \
	test "$(requests 'GET /v6.x/linux-6.1.999.tar.sign 200')" -eq 1

: >"$NGINX_ACCESS_LOG"
fetch --cache "$C" --version 6.1.999 --mirror "$NGINX_URL"
expect_exit 0 "a second run"
expect_out "^$path\$" "the same cached path"
check "the second run downloads no tarball" \
	test "$(requests 'linux-6.1.999.tar')" -eq 0

: >"$NGINX_ACCESS_LOG"
fetch --cache "$C" --version 6.1.999 --offline
expect_exit 0 "--offline with a cached copy"
expect_out "^$path\$" "--offline finds the same path"
check "--offline sends no request" test ! -s "$NGINX_ACCESS_LOG"

fetch --cache "$C" --version 6.1.998 --offline
expect_exit 3 "--offline without a cached copy"
expect_one_error "one error line for a release not in the cache"
expect_err "'linux-6.1.998.tar.xz' is not in the cache '$C/downloads'" \
	"says what is missing, and where"

fetch --cache "$T/c404" --version 6.1.998 --mirror "$NGINX_URL"
expect_exit 3 "a release the mirror does not have"
expect_one_error "one error line for a missing release"
expect_err "no such release on this mirror" "says there is no such release"
fetch --cache "$T/c404" --version 7.0.1 --mirror "$NGINX_URL"
expect_exit 3 "a major version the mirror does not have"
expect_err "^error: kernel.org answered 404 for '$NGINX_URL/v7.x/sha256sums.asc': no such release on this mirror\$" \
	"404 names the URL"
clean_cache "no partial files after a 404" "$T/c404"

: >"$NGINX_ACCESS_LOG"
fetch --cache "$T/c500" --version 6.1.999 --mirror "$NGINX_500_URL"
expect_exit 3 "a mirror answering 500"
expect_one_error "one error line for HTTP 500"
expect_err "answered HTTP 500" "names the status"
check "three tries with backoff" \
	test "$(requests 'GET /err500/v6.x/sha256sums.asc 500')" -eq 3
clean_cache "no partial files after a 500" "$T/c500"

fetch --cache "$T/clist" --version 6.1.999 --mirror "$NGINX_404_URL" \
	--mirror "$NGINX_URL"
expect_exit 0 "the second mirror of a list serves when the first fails"
expect_err "trying the next mirror" "says it moves on"

run "$UKB" fetch --cache "$T/cref" --version 6.1.999 \
	--mirror http://mirror.example.com/pub/linux/kernel
expect_exit 2 "plain http to a host that is not loopback"
expect_one_error "one error line for a refused mirror"
expect_err "refusing mirror 'http://mirror.example.com/pub/linux/kernel'" \
	"names the refused mirror"

mkdir -p "$XDG_CONFIG_HOME/umlkbuild"
cat >"$XDG_CONFIG_HOME/umlkbuild/config.ini" <<INI
[fetch]
mirror = $NGINX_404_URL
mirror = $NGINX_URL
keyring = $KEY
[cache]
dir = $T/cconf
INI
run "$UKB" fetch --version 6.1.999
expect_exit 0 "mirrors, keyring and cache from the config file"
expect_out "^$T/cconf/downloads/" "the config file's cache dir is used"
printf '[fetch]\nmirrors = %s\n' "$NGINX_URL" >"$T/bad.ini"
run "$UKB" fetch --version 6.1.999 --config "$T/bad.ini"
expect_exit 2 "a bad --config file"
expect_one_error "one error line for a bad config file"
expect_err "^error: $T/bad.ini:2: unknown key 'mirrors' in \\[fetch\\]\$" \
	"FILE:LINE: problem"
rm -f "$XDG_CONFIG_HOME/umlkbuild/config.ini"

if [ -n "$NGINX_TLS_URL" ]; then
	fetch --cache "$T/ctls" --version 6.1.999 --mirror "$NGINX_TLS_URL"
	expect_exit 3 "a mirror with an untrusted certificate"
	expect_one_error "one error line for a TLS failure"
	expect_err "^error: TLS error talking to '$NGINX_TLS_URL/v6.x/sha256sums.asc'" \
		"names TLS and the URL"
fi

nginx_stop
fetch --cache "$T/cgone" --version 6.1.999 --mirror "$NGINX_URL"
expect_exit 3 "the server is gone"
expect_one_error "one error line for a server that is gone"
expect_err "cannot connect to '$NGINX_URL/v6.x/sha256sums.asc'" \
	"names the connection failure and the URL"
clean_cache "no partial files when the server is gone" "$T/cgone"

done_testing
