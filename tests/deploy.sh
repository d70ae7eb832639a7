# Helpers of the deploy test (tests/e2e/82-deploy.t) and bench/deploy.sh:
# an Alpine image from Alpine's real minirootfs served on 127.0.0.1 (as
# 80-rootfs.t serves it), with tests/deploy/netprobe's servers started at
# boot, and the wan/host network namespaces of the topology.
# Needs $T, $UKB and tests/mirror.sh sourced.

# deploy_image OUT: OUT, an x86_64 Alpine image running
# `netprobe server 10000` at every boot. 0 or 1.
deploy_image() {
	local out=$1 fix="$TOP/../shared/fixtures/alpine" dir name fpr
	[ -f "$fix/alpine-minirootfs-3.20.3-x86_64.tar.gz" ] || return 1
	cc -static -O2 -o "$T/netprobe" "$TOP/tests/deploy/netprobe.c" || return 1
	mirror_gpg_init "$T/gpg"
	fpr=$(mirror_gen_key alpine)
	dir="$T/srv/v3.20/releases/x86_64"
	name=alpine-minirootfs-3.20.3-x86_64.tar.gz
	mkdir -p "$dir"
	cp "$fix/$name" "$dir/"
	(cd "$dir" && sha256sum "$name" >"$name.sha256")
	gpg --batch --yes --quiet --local-user "$fpr!" --armor \
		--detach-sign --output "$dir/$name.asc" "$dir/$name" 2>/dev/null
	nginx_start "$T/srv" || return 1
	"$UKB" --cache "$T/cache" -q rootfs --alpine 3.20.3 --mirror "$NGINX_URL" \
		--keyring "$MIRROR_KEYS/alpine.asc" --size 128M --swap 0 \
		--copy "$T/netprobe:/usr/local/bin/netprobe" \
		--start '/usr/local/bin/netprobe server 10000 &' \
		--out "$out" >/dev/null
}

# deploy_topology TAG: namespaces wan-TAG (client 192.0.2.2) and host-TAG
# (192.0.2.1 on wan0, default route via the client), the OpenVZ
# container's place. Sets WAN_NS HOST_NS; registers their removal.
deploy_topology() {
	WAN_NS="ukb-wan-$1" HOST_NS="ukb-host-$1"
	ip netns add "$WAN_NS" && ip netns add "$HOST_NS" || return 1
	at_exit "ip netns del $WAN_NS 2>/dev/null; ip netns del $HOST_NS 2>/dev/null"
	ip link add wan0 netns "$HOST_NS" type veth peer name wan0 netns "$WAN_NS" || return 1
	ip -n "$HOST_NS" addr add 192.0.2.1/24 dev wan0
	ip -n "$WAN_NS" addr add 192.0.2.2/24 dev wan0
	ip -n "$HOST_NS" link set lo up
	ip -n "$WAN_NS" link set lo up
	ip -n "$HOST_NS" link set wan0 up
	ip -n "$WAN_NS" link set wan0 up
	ip -n "$HOST_NS" route add default via 192.0.2.2
}

# in_host / in_wan CMD...: run in that namespace
in_host() { ip netns exec "$HOST_NS" "$@"; }
in_wan() { ip netns exec "$WAN_NS" "$@"; }

# wait_for SECONDS CMD...: until CMD succeeds; 0 or 1
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $end ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
