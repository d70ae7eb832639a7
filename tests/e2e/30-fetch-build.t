#!/bin/bash
# The headline command against a kernel.org-shaped mirror on 127.0.0.1:
# `umlkbuild --version 6.1.N --mirror URL --keyring KEY` downloads Debian's
# 6.1 source under its kernel.org name, verifies sha256sums.asc, the
# checksum and the .tar.sign (a throw-away key signs them), then builds
# and boots a BBR kernel. Shares the suite's cache, so the unpacked tree
# and ccache of the other 6.1 tests are reused.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

need_source "$KSRC_61"
[ -x "$NGINX_BIN" ] || skip_all "nginx is not installed"
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
run "$UKB" --cache "$T/probe" --version 6.1.999 --arch x86_64 \
	--mirror http://mirror.example.com/pub/linux/kernel --out "$T/probe-out"
expect_exit 2 "the build refuses a plain-http mirror that is not loopback"
expect_err "refusing mirror" "and says so"

top=$(tar -tJf "$KSRC_61" 2>/dev/null | head -n 1)
sub=$(tar -xJOf "$KSRC_61" "${top%/}/Makefile" 2>/dev/null |
	sed -n 's/^SUBLEVEL = //p' | head -n 1)
[ -n "$sub" ] || skip_all "cannot read the version of $KSRC_61"
V="6.1.$sub"
mirror_gpg_init "$T/gpg"
fpr=$(mirror_gen_key release) || skip_all "cannot generate a gpg key"
mirror_tree "$T/www" "$V" "$KSRC_61" "$fpr" || skip_all "cannot build the mirror"
nginx_start "$T/www" || skip_all "cannot start nginx"
diag "serving linux-$V.tar.xz at $NGINX_URL"

# the suite's cache may hold this download from an earlier run: this test
# is about the download, so drop it (the unpacked tree stays shared)
rm -rf "$UKB_TEST_CACHE/downloads"
# the suite's profile (lib.sh): its build directory is warm from 10-build
ukb --version "$V" --arch x86_64 --profile "$UKB_PROFILE_61" --mirror "$NGINX_URL" \
	--keyring "$MIRROR_KEYS/release.asc" --out "$T/art"
expect_exit 0 "fetch, verify, build and boot $V from the mirror"
expect_file "$T/art/vmlinux" "the kernel is published"
expect_file "$T/art/metadata.json" "with its metadata"
sha=$(sha256sum <"$KSRC_61" | cut -d' ' -f1)
check "metadata records the tarball's sha256" grep -q "$sha" "$T/art/metadata.json"
check "metadata records where it came from" \
	grep -q "$NGINX_URL/v6.x/linux-$V.tar.xz" "$T/art/metadata.json"
check "metadata: verified, boot passed" sh -c "jq -e '.source.verified == true and .source.kind == \"kernel.org\" and .results.boot.passed == true' '$T/art/metadata.json' >/dev/null"
check "the tarball came over HTTP once" \
	test "$(grep -c "GET /v6.x/linux-$V.tar.xz 200" "$NGINX_ACCESS_LOG")" -le 1

done_testing
