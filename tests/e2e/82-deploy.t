#!/bin/bash
# `umlkbuild deploy`, `run`, `status`, `console`, `undeploy` (issue #14),
# for real, in network namespaces this test makes: wan-* holds a client at
# 192.0.2.2; host-* plays the OpenVZ container (192.0.2.1 on a veth to
# wan, its default route through wan). In host: the suite's 6.1 kernel
# boots an Alpine image (made by `umlkbuild rootfs` from Alpine's real
# minirootfs on a loopback mirror) whose --start runs tests/deploy/netprobe:
# a TCP echo on 10000, "peer and congestion control" on 10001, a sink on
# 10002, a UDP echo on 10000. Per firewall backend (nft, iptables-legacy):
# the forwards from wan, the reserved and unforwarded ports, a SIGKILLed VM
# and a SIGKILLed supervisor, then undeploy leaving nothing; nft deploys
# --kernel and --rootfs, iptables-legacy a bundle `umlkbuild bundle` made
# of the same two (deploy --bundle: its forwards and mem= the defaults,
# its files installed, the bundle moved away while the guest runs). Then
# the systemd unit (systemd-analyze verify), the sysv script (start,
# status, stop) and the bad-input rows 120-140.
# i386: not here, a host limit (32-bit binaries cannot execute: "Exec
# format error").
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"
. "$TOP/tests/deploy.sh"

need_root
host_has_tun || host_limit tun
export UKB_CONF_DIR="$T/conf" UKB_RUN_DIR="$T/run" UKB_STATE_DIR="$T/state" \
	UKB_UNIT_DIR="$T/units" \
	UKB_INITD_DIR="$T/initd" UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
need_artifact_61 || { echo "Bail out! the 6.1 artifact does not build"; exit 1; }
mkdir -p "$T/k"
cp "$ARTIFACT_61/vmlinux" "$ARTIFACT_61/config" "$T/k/"
deploy_image "$T/rootfs.img" || { echo "Bail out! cannot make the image"; exit 1; }
diag "the image: ${SECONDS} s"
deploy_topology "$$" || { echo "Bail out! cannot make the namespaces"; exit 1; }
NP="$T/netprobe"
K=(--kernel "$T/k/vmlinux" --rootfs "$T/rootfs.img")
FWD=(--forward tcp:10000-10002 --forward udp:10000)
# the same kernel and image in a bundle, with FWD and a mem= of its own.
# Before any boot: the guest writes to the image, which then no longer
# matches its rootfs.json.
BUNDLE="$T/bundle/uml-x86_64.tar.xz"
"$UKB" -q bundle --kernel "$ARTIFACT_61" --rootfs "$T/rootfs.img" --mem 192m \
	--forward tcp:10000-10002 --forward udp:10000 --out "$BUNDLE" >/dev/null ||
	{ echo "Bail out! cannot make the bundle"; exit 1; }
diag "the image and the bundle: ${SECONDS} s"
# same_as_bundle DIR: DIR's vmlinux and rootfs.img are the bundle's members
same_as_bundle() {
	(cd "$1" && tar -xOJf "$BUNDLE" uml-x86_64/SHA256SUMS |
		grep -E '  (vmlinux|rootfs\.img)$' | sha256sum -c --quiet -)
}

# every process of ours is gone at the end, whatever happened: by the
# pids the state files name
kill_ours() {
	local f p
	for f in "$T"/run/*/state.json; do
		[ -f "$f" ] || continue
		p=$(jq -r .supervisor.pid "$f")
		[ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p" 2>/dev/null
		p=$(jq -r .vm.pid "$f")
		[ "$p" -gt 0 ] 2>/dev/null && kill -9 -- "-$p" 2>/dev/null
	done
	return 0
}
at_exit kill_ours

vm_pids() { pgrep -f "umid=$1 " | while read -r p; do
	[ "$(ps -o comm= -p "$p")" = vmlinux ] && ps -o pgid= -p "$p"; done | sort -u; }
jget() { jq -r "$1" "$T/run/$2/state.json" 2>/dev/null; }
# no process of deployment NAME (VM or supervisor); a function, not
# `sh -c`, whose own command line would match the patterns
no_proc() { ! pgrep -f "umid=$1 " >/dev/null && ! pgrep -f " run $1\$" >/dev/null; }
jq_true() { jq -e "$@" >/dev/null; }

# ---- the dry run changes nothing ----------------------------------------
run in_host "$UKB" deploy "${K[@]}" --name dry --service systemd "${FWD[@]}" --dry-run
expect_exit 0 "deploy --dry-run"
expect_out 'dnat|DNAT' "it prints the DNAT rules"
expect_out '^ExecStart=.* run dry$' "it prints the unit"
expect_out "ubda=$T/rootfs.img eth0=tuntap,tap0 mem=256m umid=dry" "it prints the run line"
check "it changed nothing (no file, no TAP, no rules)" sh -c "
	[ ! -e '$T/conf/dry.conf' ] && [ ! -e '$T/units' ] &&
	! ip -n $HOST_NS link show tap0 >/dev/null 2>&1 &&
	! ip netns exec $HOST_NS nft list ruleset 2>/dev/null | grep -q umlkbuild"

# flow FW: the whole life of one deployment with that firewall backend,
# deployed from SRC (the deploy's arguments that say what to run)
flow() {
	local fw=$1 name="ukb${1%%-*}" t0 first pid vm vm2 sup n line
	run in_host "$UKB" deploy "${SRC[@]}" --name "$name" --firewall "$fw" \
		--service none
	expect_exit 0 "$fw: deploy --service none"
	[ "${SRC[0]}" = --bundle ] && bundle_installed "$name"
	t0=$(date +%s.%N)
	in_host setsid "$UKB" run "$name" >"$T/run-$name.log" 2>&1 </dev/null &
	if ! wait_for 180 in_wan "$NP" line 192.0.2.1 10001; then
		not_ok "$fw: the forward answers after run (log: $(tail -c 400 "$T/run-$name.log"))"
		return
	fi
	first=$(echo "$(date +%s.%N) - $t0" | bc)
	ok "$fw: the forward answers, $first s after run started"
	[ "${SRC[0]}" = --bundle ] && mv "$T/bundle.away" "$BUNDLE"
	run in_host "$UKB" deploy "${SRC[@]}" --name "$name" --firewall "$fw" \
		--service none
	expect_exit 0 "$fw: the same deploy again is a no-op"
	expect_err "nothing to do" "$fw: and says so"

	head -c 8M /dev/urandom >"$T/rand"
	in_wan "$NP" echo 192.0.2.1 10000 <"$T/rand" >"$T/back"
	check "$fw: 8 MiB through the TCP forward come back identical (sha256)" \
		test "$(sha256sum <"$T/rand")" = "$(sha256sum <"$T/back")"
	run in_wan "$NP" udp 192.0.2.1 10000 "ping-$fw"
	expect_out "^ping-$fw\$" "$fw: a UDP datagram round-trips"
	line=$(in_wan "$NP" line 192.0.2.1 10001)
	diag "the guest says: $line"
	check "$fw: the guest sees the client's real address" \
		sh -c "echo '$line' | grep -q '^peer=192.0.2.2:'"
	check "$fw: the guest's side of the connection runs bbr" \
		sh -c "echo '$line' | grep -q ' cc=bbr '"
	# netprobe answers on 22 and 10003 too: only the rules keep them out
	check "$fw: the guest answers on 22 and 10003 from the host" sh -c "
		ip netns exec $HOST_NS '$NP' line 10.0.0.2 22 | grep -q peer= &&
		ip netns exec $HOST_NS '$NP' line 10.0.0.2 10003 | grep -q peer="
	check "$fw: port 22 is not forwarded (no DNAT to the guest for it)" \
		sh -c "! timeout 5 ip netns exec $WAN_NS '$NP' line 192.0.2.1 22 2>/dev/null"
	check "$fw: a port outside the forwards does not reach the guest" \
		sh -c "! timeout 5 ip netns exec $WAN_NS '$NP' line 192.0.2.1 10003 2>/dev/null"

	run in_host "$UKB" status "$name"
	expect_exit 0 "$fw: status says ok"
	expect_out "^$name: ok" "$fw: status: ok"
	if [ "${SRC[0]}" = --bundle ]; then
		sums=$(tar -xOJf "$BUNDLE" uml-x86_64/SHA256SUMS | sha256sum | cut -d' ' -f1)
		expect_out "^  kernel      $T/state/$name/vmlinux\$" "$fw: status: the kernel the bundle installed"
		expect_out "^  bundle      SHA256SUMS sha256 $sums\$" "$fw: status: the bundle it came from"
	else
		expect_out "^  kernel      $T/k/vmlinux\$" "$fw: status: the kernel"
		expect_out "^  rootfs      $T/rootfs.img, mem=256m\$" "$fw: status: the image and mem="
	fi
	run in_host "$UKB" status --json
	check "$fw: status --json: VM up, rules, guest answers, a console pty" \
		jq_true --arg n "$name" '.ok and .deployments[$n].vm.up and
			.deployments[$n].net.rules and .deployments[$n].guest.answers and
			(.deployments[$n].consoles["1"] | startswith("/dev/pts/"))' "$T/out"
	run in_host "$UKB" console "$name"
	expect_out '^/dev/pts/[0-9]+$' "$fw: console prints tty1's pty"

	# ---- faults: SIGKILL the VM ----
	vm=$(jget .vm.pid "$name")
	t0=$(date +%s.%N)
	kill -9 "$vm"
	if wait_for 180 in_wan "$NP" line 192.0.2.1 10001; then
		n=$(echo "$(date +%s.%N) - $t0" | bc)
		ok "$fw: after SIGKILL of the VM the forward works again in $n s (bound 180 s)"
		echo "$fw $n" >>"$T/restart-times"
	else
		not_ok "$fw: the VM came back after SIGKILL"
	fi
	check "$fw: the restart is counted and logged" sh -c "
		[ \"\$(jq -r .vm.restarts '$T/run/$name/state.json')\" -ge 1 ] &&
		grep -q 'restart 1 of the VM' '$T/run-$name.log'"
	# ---- faults: SIGKILL the supervisor, start it again ----
	sup=$(jget .supervisor.pid "$name")
	vm=$(jget .vm.pid "$name")
	kill -9 "$sup"
	in_host setsid "$UKB" run "$name" >>"$T/run-$name.log" 2>&1 </dev/null &
	# the new one holds the lock once it has written its pid
	wait_for 30 sh -c "read p <'$T/run/$name/run.pid' && [ \"\$p\" != $sup ]"
	run in_host timeout -k 5 60 "$UKB" run "$name"
	expect_exit 9 "$fw: a second run on the same deployment is refused"
	expect_err "already has a supervisor" "$fw: it names the running one"
	wait_for 180 in_wan "$NP" line 192.0.2.1 10001
	vm2=$(jget .vm.pid "$name")
	check "$fw: the new run halted the old VM and runs one VM" sh -c "
		! kill -0 $vm 2>/dev/null && [ '$vm2' != '$vm' ] &&
		[ \$(pgrep -f 'umid=$name ' | xargs -r ps -o pid=,ppid=,comm= -p |
		     awk '\$3 == \"vmlinux\"' | wc -l) -ge 1 ]"
	check "$fw: only one VM group for the image" \
		test "$(vm_pids "$name" | wc -l)" -eq 1

	# ---- undeploy ----
	run in_host "$UKB" undeploy "$name"
	expect_exit 0 "$fw: undeploy"
	check "$fw: nothing of ours in nft list ruleset" \
		sh -c "! ip netns exec $HOST_NS nft list ruleset 2>/dev/null | grep -q umlkbuild"
	check "$fw: nothing of ours in iptables-save (legacy and nft)" sh -c "
		! ip netns exec $HOST_NS iptables-legacy-save 2>/dev/null | grep -qi umlkbuild &&
		! ip netns exec $HOST_NS iptables-nft-save 2>/dev/null | grep -qi umlkbuild"
	check "$fw: no TAP" sh -c "! ip -n $HOST_NS link show tap0 >/dev/null 2>&1"
	check "$fw: no process (run, VM)" no_proc "$name"
	check "$fw: no state, no config, no installed kernel or image" sh -c "
		[ ! -e '$T/run/$name' ] && [ ! -e '$T/conf/$name.conf' ] &&
		[ ! -e '$T/state/$name' ]"
}

# after deploy --bundle: the bundle's kernel and image are the
# deployment's own (sparse, the bundle's bytes), its forwards and mem=
# are the defaults; then the bundle goes away while the guest runs
bundle_installed() {
	local s="$T/state/$1"
	check "bundle: vmlinux and rootfs.img installed, the bundle's bytes" same_as_bundle "$s"
	check "bundle: vmlinux executable, the image the kernel's alone" sh -c "
		[ -x '$s/vmlinux' ] && [ \"\$(stat -c %a '$s/rootfs.img')\" = 600 ]"
	check "bundle: the image is installed sparse" test \
		"$(du -k "$s/rootfs.img" | cut -f1)" -lt $(( $(stat -c %s "$s/rootfs.img") / 1024 / 2 ))
	check "bundle: its forwards and mem= are the defaults, its image the guest's" sh -c "
		grep -qx 'forward = tcp:10000-10002' '$T/conf/$1.conf' &&
		grep -qx 'forward = udp:10000' '$T/conf/$1.conf' &&
		grep -qx 'mem = 192m' '$T/conf/$1.conf' &&
		grep -qx 'rootfs = $s/rootfs.img' '$T/conf/$1.conf' &&
		grep -qx 'transport = tuntap' '$T/conf/$1.conf'"
	check "bundle: no staging directory left" sh -c "! ls -d '$s'.tmp-* 2>/dev/null"
	mv "$BUNDLE" "$T/bundle.away"
}

for fw in nft iptables-legacy; do
	if [ "$fw" = iptables-legacy ] && ! command -v iptables-legacy-restore >/dev/null; then
		skip_one "the iptables-legacy backend: no iptables-legacy-restore (package iptables)"
		continue
	fi
	t=$SECONDS
	# the bundle on the second backend, or on nft when it is the only one
	if [ "$fw" = nft ] && command -v iptables-legacy-restore >/dev/null; then
		SRC=("${K[@]}" "${FWD[@]}")
	else
		SRC=(--bundle "$BUNDLE")
	fi
	flow "$fw"
	diag "the $fw pass: $((SECONDS - t)) s"
done

# ---- the systemd unit and the sysv script --------------------------------
run in_host "$UKB" deploy "${K[@]}" --name unit --service systemd "${FWD[@]}"
expect_exit 0 "deploy --service systemd (into UKB_UNIT_DIR, not enabled)"
U="$T/units/umlkbuild-unit.service"
check "the unit has Restart=always, StartLimitIntervalSec=0, After=network-online.target" \
	sh -c "grep -q '^Restart=always' '$U' && grep -q '^StartLimitIntervalSec=0' '$U' &&
	       grep -q '^After=network-online.target' '$U' && grep -q \"^ExecStart=\\\"$UKB\\\" run unit\" '$U'"
run systemd-analyze verify "$U"
expect_exit 0 "systemd-analyze verify passes on the generated unit"
run in_host "$UKB" undeploy unit
expect_exit 0 "undeploy removes the unit too"
check "the unit file is gone" test ! -e "$U"

run in_host "$UKB" deploy "${K[@]}" --name sv --service sysv "${FWD[@]}"
expect_exit 0 "deploy --service sysv (into UKB_INITD_DIR, not started)"
S="$T/initd/umlkbuild-sv"
run in_host "$S" start
expect_exit 0 "the sysv script starts it"
wait_for 180 in_wan "$NP" line 192.0.2.1 10001
check "the forward answers under the sysv script" \
	sh -c "ip netns exec $WAN_NS '$NP' line 192.0.2.1 10001 | grep -q '^peer=192.0.2.2:'"
run in_host "$S" status
expect_exit 0 "status: running"
expect_out "umlkbuild-sv is running" "status says running"
run in_host "$S" stop
expect_exit 0 "the sysv script stops it"
run in_host "$S" status
expect_exit 3 "status after stop: not running (3)"
check "no VM, no supervisor after stop" no_proc sv
check "the VM was halted through its mconsole, not killed" \
	sh -c "! grep -q 'did not halt' '$T/run/sv/run.log'"
run in_host "$UKB" undeploy sv
expect_exit 0 "undeploy sv"

# ---- bad input (README rows 120 to 140) -----------------------------------
# nothing half-applied: no config, unit, TAP, rules or installed files of a
# refused deploy
row_check() {
	[ -e "$T/conf/bad.conf" ] && bad+=("left bad.conf")
	ls -d "$T/state/bad" "$T/state/bad".tmp-* >/dev/null 2>&1 &&
		bad+=("left an installed or staged kernel and image")
	ls "$T/units"/*bad* "$T/initd"/*bad* >/dev/null 2>&1 && bad+=("left a service file")
	ip -d -n "$HOST_NS" link show tapbad 2>/dev/null | grep -q 'tun type tap' &&
		bad+=("left the TAP tapbad")
	ip netns exec "$HOST_NS" nft list ruleset 2>/dev/null | grep -q umlkbuild-bad &&
		bad+=("left nft rules")
	return 0
}
B=(ip netns exec "$HOST_NS" "$UKB" deploy "${K[@]}" --name bad --tap tapbad --service none)
DESC="not root" row 120 9 "^error: 'umlkbuild deploy' needs root" \
	ip netns exec "$HOST_NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$UKB" deploy "${K[@]}" --name bad --tap tapbad --service none
DESC="no /dev/net/tun" row 121 9 "^error: cannot open '/dev/net/tun': No such file or directory\$" \
	ip netns exec "$HOST_NS" unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh \
	"$UKB" deploy "${K[@]}" --name bad --tap tapbad --service none
mkdir -p "$T/emptypath"
DESC="the asked-for firewall is missing (no iptables-legacy)" row 122 9 "^error: no iptables-legacy-restore on this host\$" \
	ip netns exec "$HOST_NS" env PATH="$T/emptypath" "$UKB" deploy "${K[@]}" \
	--name bad --tap tapbad --service none --firewall iptables-legacy
ip -n "$HOST_NS" link add tapbad type bridge
DESC="TAP name in use by something else" row 123 2 "^error: 'tapbad' is a bridge link, not a TAP\$" "${B[@]}"
ip -n "$HOST_NS" link del tapbad
DESC="malformed port" row 124 2 "^error: invalid --forward 'tcp:70000': " "${B[@]}" --forward tcp:70000
DESC="malformed range" row 125 2 "^error: invalid --forward 'udp:20000-10000': " "${B[@]}" --forward udp:20000-10000
DESC="malformed CIDR" row 126 2 "^error: invalid --host-ip '10.0.0.1/33': expected a prefix length 1 to 32 after '/'\$" "${B[@]}" --host-ip 10.0.0.1/33
DESC="guest outside the TAP's subnet" row 127 2 "^error: the guest address 10\\.1\\.0\\.2 is outside the TAP's subnet 10\\.0\\.0\\.1/24\$" "${B[@]}" --guest-ip 10.1.0.2
DESC="forward over a reserved port" row 128 2 "^error: the forward tcp:20-30 covers the reserved tcp:22\$" "${B[@]}" --forward tcp:20-30
DESC="missing kernel" row 129 3 "^error: cannot use the --kernel '$T/nope': No such file or directory\$" \
	ip netns exec "$HOST_NS" "$UKB" deploy --kernel "$T/nope" --rootfs "$T/rootfs.img" --name bad --service none
DESC="missing image" row 130 3 "^error: cannot use the --rootfs '$T/nope.img': No such file or directory\$" \
	ip netns exec "$HOST_NS" "$UKB" deploy --kernel "$T/k/vmlinux" --rootfs "$T/nope.img" --name bad --service none
# a deployment named taken, with other settings
run in_host "$UKB" deploy "${K[@]}" --name taken --service none "${FWD[@]}"
DESC="name in use with other settings" row 131 2 "^error: deployment 'taken' exists with other settings" \
	ip netns exec "$HOST_NS" "$UKB" deploy "${K[@]}" --name taken --service none --forward tcp:10000
run in_host "$UKB" undeploy taken
DESC="no such deployment" row 132 2 "^error: no deployment named 'ghost'\$" \
	ip netns exec "$HOST_NS" "$UKB" undeploy ghost
# a NAME.conf edited by hand that lost its kernel: refused by what runs it
# or shows it, removed by undeploy
run in_host "$UKB" deploy "${K[@]}" --name handed --service none
expect_exit 0 "deploy --name handed"
sed -i '/^kernel = /d' "$T/conf/handed.conf"
for c in run status console; do
	DESC="$c: a NAME.conf without its kernel" row 140 2 \
		"^error: '$T/conf/handed\.conf' has no 'kernel' in \[deploy\]\$" \
		ip netns exec "$HOST_NS" "$UKB" "$c" handed
done
check "row 140: the hint names undeploy" \
	grep -q "^hint: 'umlkbuild undeploy handed' removes the deployment" "$T/err"
check "row 140: run started no VM" no_proc handed
run in_host "$UKB" undeploy handed
expect_exit 0 "undeploy removes a deployment whose file lost its kernel"
check "nothing of it is left: file, TAP, rules" sh -c "
	[ ! -e '$T/conf/handed.conf' ] && [ ! -e '$T/run/handed' ] &&
	! ip -n $HOST_NS link show tap0 >/dev/null 2>&1 &&
	! ip netns exec $HOST_NS nft list ruleset 2>/dev/null | grep -q umlkbuild-handed"
DESC="malformed --mem" row 133 2 "^error: invalid --mem '64x': " "${B[@]}" --mem 64x
DESC="malformed name" row 134 2 "^error: invalid --name 'Bad/Name': " \
	ip netns exec "$HOST_NS" "$UKB" deploy "${K[@]}" --name Bad/Name

# deploy --bundle
BB=(ip netns exec "$HOST_NS" "$UKB" deploy --name bad --tap tapbad --service none)
DESC="--bundle with --kernel" row 135 2 "^error: --bundle brings the kernel and the image: give it without --kernel\$" \
	"${BB[@]}" --bundle "$BUNDLE" --kernel "$T/k/vmlinux"
# repack DIR OUT: the bundle unpacked in DIR packed again by GNU tar
# (sparse; xz -0: the rows want a bundle, not a small one)
repack() { tar -S -C "$1" -cf - uml-x86_64 | xz -0 -T1 >"$2"; }
# a bundle whose run.sh is not its SHA256SUMS's
X="$T/unpacked/uml-x86_64"
mkdir -p "$T/unpacked"
tar -C "$T/unpacked" -xJf "$BUNDLE"
echo '# changed' >>"$X/run.sh"
repack "$T/unpacked" "$T/tampered.tar.xz"
# another bundle that holds: that run.sh, recorded in metadata.json and
# SHA256SUMS as `umlkbuild bundle` records it
sha() { sha256sum "$1" | cut -d' ' -f1; }
jq -S --arg s "$(sha "$X/run.sh")" --argjson n "$(stat -c %s "$X/run.sh")" \
	'(.bundle.members[] | select(.name == "run.sh")) |= (.sha256 = $s | .size = $n)' \
	"$X/metadata.json" >"$T/meta" && mv "$T/meta" "$X/metadata.json"
sed -i -e "s/^[0-9a-f]*  run\.sh\$/$(sha "$X/run.sh")  run.sh/" \
	-e "s/^[0-9a-f]*  metadata\.json\$/$(sha "$X/metadata.json")  metadata.json/" "$X/SHA256SUMS"
OTHER="$T/other.tar.xz"
repack "$T/unpacked" "$OTHER"
rm -rf "$T/unpacked"
"$UKB" bundle --verify "$T/tampered.tar.xz" >/dev/null 2>"$T/verify.err"
vrc=$?
DESC="--bundle that fails bundle --verify" row 136 7 \
	"^error: '$T/tampered.tar.xz': member 'run.sh' does not match SHA256SUMS: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\$" \
	"${BB[@]}" --bundle "$T/tampered.tar.xz"
check "row 136: the very error and exit of bundle --verify" \
	sh -c "[ $vrc -eq 7 ] && cmp -s '$T/verify.err' '$T/err'"
DESC="--bundle that is not a bundle" row 137 3 "^error: cannot read '$T/rootfs.json': " \
	"${BB[@]}" --bundle "$T/rootfs.json"
run in_host "$UKB" deploy --bundle "$BUNDLE" --name takenb --service none
expect_exit 0 "deploy --bundle --name takenb"
DESC="another bundle under a deployed name" row 138 2 "^error: deployment 'takenb' exists with other settings" \
	ip netns exec "$HOST_NS" "$UKB" deploy --bundle "$OTHER" --name takenb --service none
check "row 138: the deployed bundle's files are untouched" same_as_bundle "$T/state/takenb"
run in_host "$UKB" undeploy takenb
expect_exit 0 "undeploy takenb"
check "undeploy removed exactly the installed files and their directory" sh -c "
	[ ! -e '$T/state/takenb' ] && [ -d '$T/state' ]"
# the state directory on a file system without room for the kernel
mkdir -p "$T/small"
mount -t tmpfs -o size=2m ukb-deploy-small "$T/small" &&
	at_exit "umount '$T/small' 2>/dev/null"
DESC="no room for the kernel and image" row 139 9 \
	"^error: cannot write '$T/small/bad\.tmp-[0-9]+/vmlinux': No space left on device\$" \
	ip netns exec "$HOST_NS" env UKB_STATE_DIR="$T/small" "$UKB" deploy --bundle "$BUNDLE" \
	--name bad --tap tapbad --service none
check "row 139: nothing left on the full file system" \
	test -z "$(ls -A "$T/small")"

diag "the whole file: $SECONDS s"
[ -f "$T/restart-times" ] && diag "restart after SIGKILL, per backend (s): $(tr '\n' ' ' <"$T/restart-times")"
done_testing
