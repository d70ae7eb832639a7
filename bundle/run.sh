#!/bin/sh
# Start this bundle's UML guest the way the seeds did it by hand: a TAP
# for the guest, NAT out through the default route's interface and port
# forwards to the guest with iptables, then the VM in the foreground.
# Written by `umlkbuild bundle`; needs root, ip (iproute2) and iptables.
#
#   ./run.sh [KERNEL ARGS...]   set the network up, then start the VM
#   ./run.sh net-up             only set the network up
#   ./run.sh net-down           undo what net-up did
#
# Settings, from the environment (defaults below):
#   UML_TAP      the TAP's name
#   UML_MEM      the guest's memory (mem=)
#   UML_FORWARD  port forwards from the host to the guest, space-separated:
#                tcp:8080, udp:5000-5010, tcp:2222=22 (host 2222, guest 22)
#   UML_KEEP     host TCP ports never forwarded (ssh): "22"
#   UML_WAN      the outbound interface (default: the default route's)
#   UML_NAT      0: no NAT, no forwards (the TAP only)
set -euf
@SETTINGS@
: "${UML_TAP:=$DEF_TAP}" "${UML_MEM:=$DEF_MEM}"
: "${UML_FORWARD=$DEF_FORWARD}" "${UML_KEEP=22}" "${UML_NAT:=1}"
: "${UML_WAN:=}"

die() { echo "run.sh: error: $*" >&2; exit 1; }
say() { echo "run.sh: $*" >&2; }

case $UML_TAP in
''|*[!A-Za-z0-9_.-]*) die "UML_TAP '$UML_TAP': letters, digits, '_', '.', '-' only" ;;
esac

# ipt ACTION TABLE CHAIN RULE...: -A adds the rule once, -D removes it
ipt() {
	act=$1 table=$2 chain=$3
	shift 3
	if iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null; then
		if [ "$act" = -D ]; then iptables -w -t "$table" -D "$chain" "$@"; fi
	elif [ "$act" = -A ]; then
		iptables -w -t "$table" -A "$chain" "$@"
	fi
}

wan() {
	[ -n "$UML_WAN" ] && { echo "$UML_WAN"; return; }
	ip route show 0/0 | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}

rules() {
	act=$1 out=$2
	ipt "$act" nat POSTROUTING -s "$HOST_IP" -o "$out" -j MASQUERADE
	for p in $UML_KEEP; do
		ipt "$act" nat PREROUTING -i "$out" -p tcp --dport "$p" -j RETURN
	done
	for f in $UML_FORWARD; do
		proto=${f%%:*} ports=${f#*:} to=
		case $ports in *=*) to=:${ports#*=} ports=${ports%%=*} ;; esac
		case $proto:$ports$to in
		tcp:*|udp:*) ;;
		*) die "UML_FORWARD '$f': use tcp:PORT, udp:LO-HI or tcp:PORT=GUESTPORT" ;;
		esac
		case $ports$to in
		*[!0-9:-]*|'') die "UML_FORWARD '$f': ports are numbers" ;;
		esac
		ipt "$act" nat PREROUTING -i "$out" -p "$proto" \
			--dport "$(echo "$ports" | tr - :)" -j DNAT \
			--to-destination "$GUEST_IP$to"
	done
	ipt "$act" filter FORWARD -i "$UML_TAP" -j ACCEPT
	ipt "$act" filter FORWARD -o "$UML_TAP" -j ACCEPT
}

net_up() {
	[ "$(id -u)" = 0 ] || die "the TAP and iptables need root"
	command -v ip >/dev/null || die "'ip' (iproute2) is missing"
	ip link show "$UML_TAP" >/dev/null 2>&1 ||
		ip tuntap add dev "$UML_TAP" mode tap
	ip addr replace "$HOST_IP" dev "$UML_TAP"
	ip link set "$UML_TAP" up
	say "$UML_TAP is $HOST_IP, the guest $GUEST_IP"
	[ "$UML_NAT" = 0 ] && return 0
	command -v iptables >/dev/null || die "'iptables' is missing (or UML_NAT=0)"
	out=$(wan)
	if [ -z "$out" ]; then
		say "no default route: no NAT, no forwards (set UML_WAN)"
		return 0
	fi
	echo 1 >/proc/sys/net/ipv4/ip_forward
	rules -A "$out"
	say "NAT out through $out${UML_FORWARD:+, forwarding $UML_FORWARD}"
}

net_down() {
	[ "$(id -u)" = 0 ] || die "the TAP and iptables need root"
	out=$(wan)
	if [ "$UML_NAT" != 0 ] && [ -n "$out" ] && command -v iptables >/dev/null; then
		rules -D "$out"
	fi
	ip link show "$UML_TAP" >/dev/null 2>&1 && ip link del "$UML_TAP"
	return 0
}

cd "$(dirname "$0")"
case ${1:-} in
net-up) net_up ;;
net-down) net_down ;;
*)
	net_up
	case $NET in
	tuntap) net_arg="eth0=tuntap,$UML_TAP" ;;
	*) net_arg="vec0:transport=tap,ifname=$UML_TAP" ;;
	esac
	# con0 on this terminal, the others on host ptys (screen /dev/pts/N)
	exec ./vmlinux ubda=rootfs.img "$net_arg" mem="$UML_MEM" \
		con=pts con0=fd:0,fd:1 "$@"
	;;
esac
