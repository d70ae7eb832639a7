#!/bin/bash
# An interrupted download resumes with a Range request: the second run
# transfers only the remainder (checked in nginx's access log), and two
# concurrent runs on one cache download once and agree.
. "$(dirname "$0")/../lib.sh"
MIRROR_SLOW_RATE=1m
. "$TOP/tests/mirror.sh"

mirror_fetch_setup "$T/small.tar.xz" 8
size=$(stat -c %s "$T/small.tar.xz")
C="$T/cache"
part="$C/downloads/linux-6.1.999.tar.xz.part"

# start on the slow mirror, stop it a few MiB in
"$UKB" fetch --keyring "$KEY" --cache "$C" --version 6.1.999 \
	--mirror "$NGINX_SLOW_URL" >"$T/o1" 2>"$T/e1" &
pid=$!
for _ in $(seq 300); do
	[ "$(stat -c %s "$part" 2>/dev/null || echo 0)" -ge 2000000 ] && break
	sleep 0.1
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
check "the interrupted run dies by its signal (got $rc)" test "$rc" -eq 143
check "the partial download stays for a resume" test -f "$part"
have=$(stat -c %s "$part" 2>/dev/null || echo 0)
check "the part holds some, not all ($have of $size bytes)" \
	test "$have" -gt 0 -a "$have" -lt "$size"
check "no verified copy yet" test ! -d "$C/downloads/by-name"

: >"$NGINX_ACCESS_LOG"
run "$UKB" fetch --keyring "$KEY" --cache "$C" --version 6.1.999 \
	--mirror "$NGINX_URL"
expect_exit 0 "the second run completes the download"
check "the result is the whole tarball" cmp -s "$(cat "$T/out")" "$T/small.tar.xz"
check "the part is gone" test ! -e "$part"
line=$(grep 'GET /v6.x/linux-6.1.999.tar.xz ' "$NGINX_ACCESS_LOG")
diag "access log: $line"
check "one tarball request" test "$(printf '%s\n' "$line" | grep -c .)" -eq 1
check "a Range request from where it stopped" \
	test "$line" = "GET /v6.x/linux-6.1.999.tar.xz 206 $((size - have)) \"bytes=$have-\""

# two runs at once on one fresh cache: one downloads, the other waits
C2="$T/cache2"
: >"$NGINX_ACCESS_LOG"
for i in 1 2; do
	"$UKB" fetch --keyring "$KEY" --cache "$C2" --version 6.1.999 \
		--mirror "$NGINX_SLOW_URL" >"$T/co$i" 2>"$T/ce$i" &
	eval "pid$i=\$!"
done
rc1=0 rc2=0
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
check "both concurrent runs succeed ($rc1, $rc2)" test "$rc1" -eq 0 -a "$rc2" -eq 0
check "they agree on the path" cmp -s "$T/co1" "$T/co2"
check "the tarball was downloaded once" \
	test "$(grep -c 'GET /slow/v6.x/linux-6.1.999.tar.xz ' "$NGINX_ACCESS_LOG")" -eq 1
check "one of them waited for the other" \
	grep -q "waiting for another umlkbuild run" "$T/ce1" "$T/ce2"
check "the cached tarball is intact" cmp -s "$(cat "$T/co1")" "$T/small.tar.xz"

done_testing
