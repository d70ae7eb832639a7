#!/bin/bash
# make-mirror.sh TARBALL_DIR MIRROR_DIR: a kernel.org-shaped mirror of every
# linux-X.Y.Z.tar.xz in TARBALL_DIR (vN.x/ directories, a .tar.sign over
# each uncompressed tar, a clearsigned sha256sums.asc per directory), all
# signed by a throw-away ed25519 key made here, then nginx serving it on
# 127.0.0.1 only. Prints, as shell assignments:
#   MIRROR=http://127.0.0.1:PORT KEYRING=MIRROR_DIR/keys/release.asc NGINX_PID=PID
# nginx stays up (in the foreground of a background job) until killed:
#   kill $NGINX_PID
# The GnuPG home is MIRROR_DIR/gpg/home; the user's ~/.gnupg is not used.
set -eu
if [ $# -ne 2 ] || [ ! -d "$1" ]; then
	echo "usage: $0 TARBALL_DIR MIRROR_DIR" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# tests/mirror.sh cleans up on EXIT; this script leaves nginx running.
trap - EXIT
. "$TOP/tests/mirror.sh"
trap - EXIT

rm -rf "$out/gpg" "$out/www"
mirror_gpg_init "$out/gpg"
fpr=$(mirror_gen_key release)
[ -n "$fpr" ] || { echo "error: cannot make the throw-away key" >&2; exit 9; }
n=0
for t in "$src"/linux-*.tar.xz; do
	[ -e "$t" ] || continue
	v=${t##*/linux-}
	v=${v%.tar.xz}
	mirror_tree "$out/www" "$v" "$t" "$fpr"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "error: no linux-*.tar.xz in '$src'" >&2; exit 3; }
gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true
nginx_start "$out/www" >&2
echo "MIRROR=$NGINX_URL KEYRING=$MIRROR_KEYS/release.asc NGINX_PID=$NGINX_PID"
