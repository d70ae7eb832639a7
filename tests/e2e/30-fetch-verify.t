#!/bin/bash
# Verification as kernel.org's get-verified-tarball does it, through
# `umlkbuild fetch`: a tampered tarball (checksum), a valid checksum with a
# bad .tar.sign, a sha256sums.asc signed by an untrusted key, --no-verify.
# Nothing bad may stay in the cache.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

mirror_fetch_setup "$T/good.tar.xz" 1
rogue=$(mirror_gen_key rogue)
mirror_small_tarball "$T/evil.tar.xz" 1
D="$T/www/v6.x"
good=$(sha256sum <"$T/good.tar.xz" | cut -d' ' -f1)
evil=$(sha256sum <"$T/evil.tar.xz" | cut -d' ' -f1)
fetch() { run "$UKB" fetch --keyring "$KEY" --version 6.1.999 \
	--mirror "$NGINX_URL" "$@"; }
nothing_cached() {
	check "$1" test -z "$(find "$2/downloads" -mindepth 1 -not -name by-name \
		2>/dev/null)"
}

# the tarball is swapped, sha256sums.asc still lists the original
rm -f "$D/linux-6.1.999.tar.xz"
cp "$T/evil.tar.xz" "$D/linux-6.1.999.tar.xz"
fetch --cache "$T/c1"
expect_exit 3 "a tampered tarball"
expect_one_error "one error line for a checksum mismatch"
expect_err "^error: checksum mismatch for 'linux-6.1.999.tar.xz' from '$NGINX_URL/v6.x/linux-6.1.999.tar.xz': expected sha256 $good, got $evil\$" \
	"names the file, the expected and the actual hash"
nothing_cached "the tampered download was deleted" "$T/c1"

# the right tarball, but .tar.sign signs another tar
rm -f "$D/linux-6.1.999.tar.xz"
cp "$T/good.tar.xz" "$D/linux-6.1.999.tar.xz"
xz -dc "$T/evil.tar.xz" | gpg --batch --yes --quiet --local-user "$fpr!" \
	--armor --detach-sign --output "$D/linux-6.1.999.tar.sign" - 2>/dev/null
fetch --cache "$T/c2"
expect_exit 3 "a valid checksum but a bad .tar.sign"
expect_one_error "one error line for a bad signature"
expect_err "^error: bad signature on 'linux-6.1.999.tar.xz'" \
	"names the tarball whose signature is bad"
nothing_cached "the badly signed tarball was deleted" "$T/c2"

# .tar.sign by a key nobody trusts
mirror_sign_tar "$D/linux-6.1.999.tar.xz" "$rogue"
fetch --cache "$T/c3"
expect_exit 3 "a .tar.sign by an untrusted key"
expect_err "is not in the trusted keyrings" "says the key is not trusted"
nothing_cached "nothing cached after an untrusted .tar.sign" "$T/c3"
mirror_sign_tar "$D/linux-6.1.999.tar.xz" "$fpr"

# sha256sums.asc signed by an untrusted key
mirror_sign_sums "$D" "$rogue"
fetch --cache "$T/c4"
expect_exit 3 "sha256sums.asc signed by an untrusted key"
expect_one_error "one error line for an untrusted sha256sums.asc"
expect_err "^error: '$NGINX_URL/v6.x/sha256sums.asc' is signed by key [0-9A-F]+, which is not in the trusted keyrings\$" \
	"names the file and the key"
nothing_cached "nothing cached after an untrusted sha256sums.asc" "$T/c4"
# a keyring that is not one
echo "not a key" >"$T/junk.asc"
run "$UKB" fetch --keyring "$T/junk.asc" --version 6.1.999 \
	--mirror "$NGINX_URL" --cache "$T/c5"
expect_exit 2 "a --keyring file without a key"
expect_one_error "one error line for a bad keyring"

# --no-verify takes it anyway, loudly
fetch --cache "$T/c6" --no-verify
expect_exit 0 "--no-verify fetches without checking"
expect_err "^warning: --no-verify" "--no-verify is loud"
mirror_sign_sums "$D" "$fpr"
fetch --cache "$T/c6"
expect_exit 0 "a checked run after --no-verify"
check "the cached copy was checked in place" \
	test -f "$T/c6/downloads/$good/signer"

# The .tar.sign is checked on the decoded stream piped into gpgv: no
# decompressed copy is written. A cache on a 16 MiB tmpfs, room for the
# download (a few KiB of xz) but not for the 64 MiB tar inside it (text,
# not zeros, which xz would write sparse), still
# verifies; a temporary copy beside the download could not. (Root, as make
# check runs, for the tmpfs in a private mount namespace.)
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$T/zeros/linux" "$T/tiny"
	printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 998\nEXTRAVERSION =\n' \
		>"$T/zeros/linux/Makefile"
	yes umlkbuild | head -c 64M >"$T/zeros/linux/blob"
	tar -C "$T/zeros" -cf - linux | xz -T1 >"$T/zeros.tar.xz"
	mirror_tree "$T/www" 6.1.998 "$T/zeros.tar.xz" "$fpr"
	run unshare -m --propagation private sh -c \
		'mount -t tmpfs -o size=16m ukb-tiny "$1" && shift && exec "$@"' \
		sh "$T/tiny" "$UKB" fetch --keyring "$KEY" --version 6.1.998 \
		--mirror "$NGINX_URL" --cache "$T/tiny"
	expect_exit 0 "a 64 MiB tar is verified in a 16 MiB cache"
	expect_err "signature" "its signature was checked"
else
	not_ok "the streamed .tar.sign check needs root for its tmpfs"
fi

done_testing
