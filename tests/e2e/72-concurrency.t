#!/bin/bash
# Two runs sharing one cache at once: both succeed, one waits for the
# other's lock and says so, and both publish the same kernel. Uses the
# suite's cache and profile (warm after 10-build-6.1.t) and --no-boot to
# stay quick.
. "$(dirname "$0")/../lib.sh"
need_source "$KSRC_61"
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"

for i in 1 2; do
	"$UKB" --cache "$UKB_TEST_CACHE" --tarball "$KSRC_61" --arch x86_64 \
		--profile "$UKB_PROFILE_61" --no-boot --out "$T/a$i" >"$T/o$i" 2>"$T/e$i" &
	eval "pid$i=\$!"
done
rc1=0 rc2=0
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
check "the first run succeeds ($rc1)" test "$rc1" -eq 0
check "the second run succeeds ($rc2)" test "$rc2" -eq 0
for i in 1 2; do
	[ "$rc1$rc2" = 00 ] || sed "s/^/#   run $i: /" "$T/e$i" | tail -n 8
done
check "one of them waited for the other's lock, and said so" \
	grep -q "^waiting for another umlkbuild run to release '$UKB_TEST_CACHE/locks/" "$T/e1" "$T/e2"
check "both published a vmlinux" test -f "$T/a1/vmlinux" -a -f "$T/a2/vmlinux"
check "each printed its artifact" sh -c "grep -q '  $T/a1/vmlinux\$' '$T/o1' && grep -q '  $T/a2/vmlinux\$' '$T/o2'"
check "both artifacts verify" sh -c "cd '$T/a1' && sha256sum --quiet -c SHA256SUMS && cd '$T/a2' && sha256sum --quiet -c SHA256SUMS"
check "the two kernels are the same" cmp -s "$T/a1/vmlinux" "$T/a2/vmlinux"
check "no staging directory left" sh -c "! ls -d '$T'/a1.tmp-* '$T'/a2.tmp-* 2>/dev/null"
check "no lock is left held" sh -c "for l in '$UKB_TEST_CACHE'/locks/*.lock; do flock -n \"\$l\" true || exit 1; done"
done_testing
