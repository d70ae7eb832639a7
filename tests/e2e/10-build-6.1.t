#!/bin/bash
# The backbone: a static x86_64 build of Debian's 6.1 source, published with
# its metadata, booted with BBR as the default. The suite's shared artifact
# (lib.sh): the minimal profile under `make check`, defconfig-based (the
# README's main job, with modules) under `make check-full`.
. "$(dirname "$0")/../lib.sh"
need_source "$KSRC_61"

A=$ARTIFACT_61
rm -rf "$A"
ukb --tarball "$KSRC_61" --arch x86_64 --profile "$UKB_PROFILE_61" --out "$A"
expect_exit 0 "build 6.1 x86_64 ($UKB_PROFILE_61) from the Debian tarball"
expect_out "^[0-9a-f]{64}  $A/vmlinux\$" "stdout names the artifact with its sha256"
for f in vmlinux config build.log boot.log metadata.json SHA256SUMS; do
	expect_file "$A/$f" "artifact has $f"
done
check "SHA256SUMS verifies" sh -c "cd '$A' && sha256sum --quiet -c SHA256SUMS"
check "vmlinux is ELF64 x86-64" sh -c "readelf -h '$A/vmlinux' | grep -q 'Class:.*ELF64' && readelf -h '$A/vmlinux' | grep -q 'X86-64'"
check "vmlinux is statically linked" sh -c "! readelf -l '$A/vmlinux' | grep -qE 'INTERP|DYNAMIC'"
check "vmlinux is stripped" sh -c "! readelf -S '$A/vmlinux' | grep -q '\.symtab'"
check "config has BBR as the default" grep -qx 'CONFIG_DEFAULT_TCP_CONG="bbr"' "$A/config"
check "config is static" grep -qx 'CONFIG_STATIC_LINK=y' "$A/config"
check "boot.log: congestion control is bbr" grep -q 'ukb-init: ok tcp_congestion_control: bbr' "$A/boot.log"
check "boot.log: the checks passed" grep -q 'ukb-init: result pass' "$A/boot.log"
check "metadata: status PASS" sh -c "jq -e '.results.status == \"PASS\"' '$A/metadata.json' >/dev/null"
check "metadata: boot passed" sh -c "jq -e '.results.boot.passed == true' '$A/metadata.json' >/dev/null"
check "metadata: the profile" sh -c "jq -e '.build.profile == \"$UKB_PROFILE_61\"' '$A/metadata.json' >/dev/null"
check "metadata: version and arch" sh -c "jq -e '.source.kernelversion == \"6.1.192\" or (.source.kernelversion | startswith(\"6.1\"))' '$A/metadata.json' >/dev/null && jq -e '.build.subarch == \"x86_64\"' '$A/metadata.json' >/dev/null"
check "metadata: vmlinux sha256 matches the file" sh -c "[ \"\$(jq -r .vmlinux.sha256 '$A/metadata.json')\" = \"\$(sha256sum '$A/vmlinux' | cut -d' ' -f1)\" ]"
check "metadata: the rseq, xstat, AMX XSAVE and host-stack patches were applied" sh -c "jq -e '[.build.patches[].name] | index(\"0002-um-unregister-glibc-rseq.patch\") and index(\"0001-um-drop-xstat-exports.patch\") and index(\"0200-um-x86-set-xstate-on-amx-hosts.patch\") and index(\"0005-um-keep-host-stack-from-growing-into-guest.patch\")' '$A/metadata.json' >/dev/null"
check "metadata: every required symbol passed" sh -c "jq -e '.results.config_check.required_failed == 0 and (.results.config_check.required | length) >= 12' '$A/metadata.json' >/dev/null"
check "metadata: glibc's version, from the library itself" sh -c "jq -e '.tools.glibc == \"$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)\"' '$A/metadata.json' >/dev/null"
check "metadata: phase durations recorded" sh -c "jq -e '.results.phases.compile.duration > 0 and .results.phases.boot.status == \"PASS\"' '$A/metadata.json' >/dev/null"
check "no staging directory left behind" sh -c "! ls -d '$A'.tmp-* 2>/dev/null"

# The boot check alone, on the published artifact, without any environment.
run env -u GLIBC_TUNABLES "$UKB" boot "$A/vmlinux"
expect_exit 0 "umlkbuild boot passes on the artifact"
expect_out '^ok tcp_congestion_control: bbr$' "boot reports bbr as the default"
expect_out '^ok qdisc_qfq: ' "boot attaches qfq"
expect_out '^ok tun: ' "boot finds TUN"
expect_out '^boot check passed$' "boot says it passed"
done_testing
