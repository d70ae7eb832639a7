#!/bin/bash
# The .tar.sign check, before and after sigverify streamed it: the old
# way (xz -dk into a temporary file beside the tarball, then gpgv on that
# file) against the new one (the decoded stream into "gpgv SIG -"), on the
# same tarball with a throwaway local key. Prints seconds and the
# temporary disk each needs. BENCH_SRC: a .tar.xz (default Debian 6.1).
set -eu
W=$(mktemp -d /tmp/i12d-b.XXXXXX); trap 'rm -rf "$W"' EXIT
export GNUPGHOME=$W/g; mkdir -m700 $GNUPGHOME
gpg -q --batch --passphrase '' --quick-gen-key bench@example.invalid ed25519 sign never 2>/dev/null
gpg -q --batch --export bench@example.invalid > $W/k.gpg
SRC=${BENCH_SRC:-/usr/src/linux-source-6.1.tar.xz}
xz -dc $SRC | gpg -q --batch --detach-sign -o $W/t.sign
t0=$(date +%s.%N)
cp -l $SRC $W/s.tar.xz 2>/dev/null || cp $SRC $W/s.tar.xz
xz -d -k -f $W/s.tar.xz
disk=$(du -sm $W/s.tar | cut -f1)
gpgv --keyring $W/k.gpg $W/t.sign $W/s.tar 2>/dev/null
t1=$(date +%s.%N)
rm -f $W/s.tar
t2=$(date +%s.%N)
xz -dc $SRC | gpgv --keyring $W/k.gpg $W/t.sign - 2>/dev/null
t3=$(date +%s.%N)
echo "old (xz -dk to a temp file, gpgv on it): $(echo "$t1 - $t0" | bc) s, temp file ${disk} MiB"
echo "new (decoded stream into gpgv SIG -):    $(echo "$t3 - $t2" | bc) s, temp file 0 MiB"
