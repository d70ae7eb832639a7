#!/bin/bash
# make bench, the host side (issue #14): deploy to the first forwarded
# byte, a restart after SIGKILL, TCP throughput from wan through DNAT and
# the TAP into the guest against the same transfer to the host namespace,
# and the guest's memory at mem=64m and mem=256m. In network namespaces it
# makes (tests/deploy.sh). Replaces its section of bench/RESULTS.md.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
TOP=$top
UKB=${UKB:-$top/umlkbuild}
. "$top/bench/results.sh"
KERNEL=${BENCH_KERNEL:-$(suite_kernel_61)}
SCRATCH_NAME=ukb-bench-deploy . "$top/tests/scratch.sh"
. "$top/tests/mirror.sh"
. "$top/tests/deploy.sh"
export UKB_CONF_DIR="$T/conf" UKB_RUN_DIR="$T/run" UKB_CONFIG_NOSYSTEM=1
[ "$(id -u)" -eq 0 ] || { echo "bench/deploy.sh needs root" >&2; exit 1; }
[ -f "$KERNEL/vmlinux" ] || { echo "no kernel at $KERNEL" >&2; exit 1; }
deploy_image "$T/rootfs.img" || { echo "cannot make the image" >&2; exit 1; }
deploy_topology "bench$$" || exit 1
NP="$T/netprobe"
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
stop_all() {
	local f p
	for f in "$T"/run/*/state.json; do
		[ -f "$f" ] || continue
		p=$(jq -r .supervisor.pid "$f"); [ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p"
		p=$(jq -r .vm.pid "$f"); [ "$p" -gt 0 ] 2>/dev/null && kill -9 -- "-$p"
	done 2>/dev/null
	return 0
}
at_exit stop_all

# one deployment at MEM: deploy + run, until the first forwarded byte
up() {
	local t0
	t0=$(now)
	in_host "$UKB" -q deploy --kernel "$KERNEL/vmlinux" --rootfs "$T/rootfs.img" \
		--name bench --mem "$1" --service none \
		--forward tcp:10000-10002 --forward udp:10000 || return 1
	in_host setsid "$UKB" run bench >>"$T/run.log" 2>&1 </dev/null &
	wait_for 300 in_wan "$NP" line 192.0.2.1 10001 || return 1
	since "$t0"
}
mem_of() { in_wan "$NP" line 192.0.2.1 10001 | sed -n 's/.*used_kb=\([0-9]*\) total_kb=\([0-9]*\).*/\1 \2/p'; }

first=$(up 256m) || { echo "deploy failed: $(tail -5 "$T/run.log")" >&2; exit 1; }
sleep 5
read -r used256 total256 < <(mem_of)
vm=$(jq -r .vm.pid "$T/run/bench/state.json")
t0=$(now)
kill -9 "$vm"
sleep 0.5
wait_for 300 in_wan "$NP" line 192.0.2.1 10001
restart=$(since "$t0")
N=$((64 << 20))
guest=$(in_wan "$NP" sink 192.0.2.1 10002 $N)
in_host "$NP" server 11000 >/dev/null 2>&1 &
hostsrv=$!
sleep 0.5
direct=$(in_wan "$NP" sink 192.0.2.1 11002 $N)
kill "$hostsrv"
in_host "$UKB" -q undeploy bench
first64=$(up 64m) && { sleep 5; read -r used64 total64 < <(mem_of); }
in_host "$UKB" -q undeploy bench

mbps() { echo "scale=1; $N * 8 / $1 / 1000000" | bc; }
ratio=$(echo "scale=3; $direct / $guest" | bc)
section() {
	cat <<MD
## Deploying (bench/deploy.sh)

Measured on $(date -u +%Y-%m-%d), $(nproc) cores, kernel \`$(basename "$KERNEL")\`, in
network namespaces (wan client, host with the TAP, DNAT and the guest).

| measurement | value |
|---|---|
| \`deploy\` + \`run\` to the first forwarded byte (mem=256m; boots the guest) | $first s |
| the forward answering again after SIGKILL of the VM | $restart s |
| TCP wan → DNAT → TAP → guest, 64 MiB | $guest s ($(mbps "$guest") Mbit/s) |
| TCP wan → host namespace, the same 64 MiB | $direct s ($(mbps "$direct") Mbit/s) |
| ratio guest / host throughput (the cost of UML's network path; 1 = none) | $ratio |
| guest memory used at mem=256m (MemTotal − MemAvailable) | ${used256:-?} KiB of ${total256:-?} |
| guest memory used at mem=64m | ${used64:-?} KiB of ${total64:-?} (first byte after ${first64:-?} s) |
MD
}

results_replace 'Deploying (bench/deploy.sh)'
