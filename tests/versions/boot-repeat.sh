#!/bin/bash
# boot-repeat.sh N VMLINUX...: the boot check N times in a row on each
# kernel (issue #11 item 5: i386 boots that died setting up the guest's
# TLS). One line per kernel on stdout:
#   VMLINUX  boots N  passed P  failed F  tls-retries R  first-failure LINE
# tls-retries counts the boot check's own retries on the TLS signature
# ("failed to set up TLS ... booting it again"), which a clean run never
# needs.
# Logs: UKB_BOOTS_LOG (default a new directory in $TMPDIR), one per boot,
# K-DIR.I for the I-th boot of the K-th kernel (DIR: its directory's name);
# a UKB_ name so that ia32-vm.sh passes it into the machine.
# Exit 0 when every boot passed at the first attempt, 1 if not.
# Where the host cannot execute 32-bit binaries, run it in the IA32
# machine: tests/versions/ia32-vm.sh -- tests/versions/boot-repeat.sh ...
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
UKB=${UKB:-$TOP/umlkbuild}
[ $# -ge 2 ] && [ "$1" -gt 0 ] 2>/dev/null ||
	{ echo "usage: $0 N VMLINUX..." >&2; exit 2; }
n=$1; shift
logs=${UKB_BOOTS_LOG:-$(mktemp -d "${TMPDIR:-/tmp}/ukb-boots.XXXXXX")}
mkdir -p "$logs"
clean=0 j=0
for k in "$@"; do
	pass=0 fail=0 tls=0 first=
	# the kernel's place in the list keeps two in one directory apart
	j=$((j + 1))
	tag=$j-$(basename "$(dirname "$k")")
	for i in $(seq 1 "$n"); do
		log=$logs/$tag.$i
		if "$UKB" boot "$k" >"$log.out" 2>"$log.err" &&
			grep -qx 'boot check passed' "$log.out"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			[ -n "$first" ] || first="boot $i: $(grep -m1 '^error: ' "$log.err")"
		fi
		r=$(grep -c 'failed to set up TLS' "$log.err")
		tls=$((tls + r))
	done
	printf '%s\tboots %d\tpassed %d\tfailed %d\ttls-retries %d\tfirst-failure %s\n' \
		"$k" "$n" "$pass" "$fail" "$tls" "${first:--}"
	[ "$fail" -eq 0 ] && [ "$tls" -eq 0 ] || clean=1
done
exit "$clean"
