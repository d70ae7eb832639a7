#!/bin/bash
# The seeds' network path for real: `boot --net` boots the shared 6.1
# artifact in a private network namespace with eth0 on a TAP device
# (host 10.0.0.1/24, guest 10.0.0.2), moves 4 MiB over TCP and shows from
# inside the guest that the flow ran with bbr and eth0's qdisc is fq.
. "$(dirname "$0")/../lib.sh"

need_root
host_has_tun || host_limit tun
need_artifact_61 || { not_ok "the shared 6.1 artifact builds"; done_testing; exit 1; }

taps_before=$(ls /sys/class/net | sort)

run "$UKB" boot --net --log "$T/boot.log" "$ARTIFACT_61/vmlinux"
expect_exit 0 "boot --net passes"
expect_out '^ok net_eth0: 10\.0\.0\.2/24 up$' "the guest configured eth0 itself"
expect_out '^ok net_qdisc_eth0: root qdisc fq$' "eth0's root qdisc is fq (RTM_GETQDISC)"
expect_out '^ok net_tcp_transfer: sent 4194304 bytes to 10\.0\.0\.1:[0-9]+ in ' "4 MiB went from guest to host"
expect_out '^ok net_tcp_congestion: bbr ' "the connection ran with bbr (TCP_CONGESTION)"
expect_out '^ok net_tcp_info: bytes_acked 419430[4-9] ' "TCP_INFO: every byte acked"
expect_out '^ok net_bbr_info: bw [1-9][0-9]* B/s ' "BBR kept a bandwidth estimate (TCP_CC_INFO)"
expect_out '^ok net_host_received: 4194304 bytes from 10\.0\.0\.2 on ukbtap0' "the host's side received it all"
expect_out '^boot check passed$' "and the ordinary boot checks still pass"
check "the console is in the log" grep -q 'ukb-init: ok net_tcp_congestion: bbr' "$T/boot.log"
check "6.1 (the legacy driver) gets eth0=tuntap and ukb-init is told eth0" \
	grep -q 'Kernel command line:.* eth0=tuntap,ukbtap0 ukb\.net=[0-9./,]*,eth0' "$T/boot.log"
check "no TAP device left in the host's namespace" test "$(ls /sys/class/net | sort)" = "$taps_before"

# bounded: a guest that never reports is killed at the timeout, the run
# fails, and the namespace and TAP still go away
printf '#!/bin/sh\nexec sleep 60\n' >"$T/hang" && chmod +x "$T/hang"
start=$(date +%s)
run "$UKB" boot --net --timeout 2 "$T/hang"
expect_exit 8 "a timeout fails the net boot"
check "within the timeout" test $(($(date +%s) - start)) -lt 15
check "no TAP device left after the timeout" test ! -e /sys/class/net/ukbtap0

run "$UKB" boot --net --net-bytes 0 "$ARTIFACT_61/vmlinux"
expect_exit 2 "--net-bytes 0 is refused"
expect_one_error "one error line for --net-bytes 0"

# not root: one line saying why, the host class
if command -v setpriv >/dev/null; then
	chmod 755 "$T"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$UKB" boot --net "$ARTIFACT_61/vmlinux"
	expect_exit 9 "boot --net as an ordinary user"
	expect_err "^error: 'boot --net' needs root" "says it needs root"
	expect_one_error "one error line without root"
fi
done_testing
