#!/bin/bash
# The build driver without a kernel build: a fake make, strip and depmod
# (tests/fast/fake/) on PATH answer the targets umlkbuild asks for in
# milliseconds, so the driver's own logic runs for real: the phases in
# order, the no-op rerun and what invalidates it, the atomic publish, the
# exit code of each failing phase, and the fields of metadata.json.
. "$(dirname "$0")/../lib.sh"

export PATH="$TOP/tests/fast/fake:$PATH" FAKE_LOG="$T/calls"
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
# the project's data without its patch series: the fake tree is 6.1.999
export UKB_DATADIR="$T/data"
mkdir -p "$T/data/patches"
cp -R "$TOP/kconfig-fragments" "$TOP/keys" "$TOP/toolchain" "$T/data/"
C=$T/cache
A=$T/art
tar_of k.tar '$t->add_data("linux-x/Kconfig", "mainmenu \"fake\"\n");'
build() { run "$UKB" --cache "$C" --tarball "$T/k.tar" --arch x86_64 \
	--no-boot --no-ccache -j1 "$@"; }
meta() { jq -e "$1" "$A/metadata.json" >/dev/null; }
calls() { grep -c "^$1" "$FAKE_LOG" || true; }

# ---- a build through every phase ------------------------------------------
: >"$FAKE_LOG"
build --out "$A"
expect_exit 0 "a build with the fake kbuild passes every phase"
expect_out "^[0-9a-f]{64}  $A/vmlinux\$" "stdout is the vmlinux's sha256sum line"
check "the phases asked make for the base config, olddefconfig, vmlinux" \
	sh -c "grep -qx 'make defconfig' '$FAKE_LOG' && grep -qx 'make olddefconfig' '$FAKE_LOG' && grep -qx 'make vmlinux' '$FAKE_LOG'"
check "strip -s ran on the staged vmlinux, not the published one" \
	grep -Eq "^strip -s $A\\.tmp-[^/]+/vmlinux\$" "$FAKE_LOG"
check "depmod indexed the staged modules" grep -q '^depmod -b ' "$FAKE_LOG"
for f in vmlinux config build.log metadata.json SHA256SUMS; do
	expect_file "$A/$f" "the artifact has $f"
done
check "SHA256SUMS holds" sh -c "cd '$A' && sha256sum --quiet -c SHA256SUMS"
check "stdout's sha256 is the published vmlinux's" \
	sh -c "[ \"\$(cut -d' ' -f1 '$T/out')\" = \"\$(sha256sum <'$A/vmlinux' | cut -d' ' -f1)\" ]"
check "no staging directory is left" sh -c "! ls -d '$A'.tmp-* 2>/dev/null"
check "metadata: status PASS" meta '.results.status == "PASS"'
check "metadata: source 6.1.999 from the tarball" \
	meta '.source.kernelversion == "6.1.999" and .source.kind == "tarball" and (.source.sha256 | length) == 64'
check "metadata: kernelrelease from make" meta '.source.kernelrelease == "6.1.999"'
check "metadata: arch, profile, link, jobs, no ccache" \
	meta '.build.target_arch == "um" and .build.subarch == "x86_64" and .build.profile == "defconfig" and .build.link == "static" and .build.jobs == 1 and .build.ccache == false'
check "metadata: an input key" meta '(.build.input_key | length) == 64'
check "metadata: the vmlinux's sha256, static and stripped" \
	sh -c "jq -e --arg s \"\$(cut -d' ' -f1 '$T/out')\" '.vmlinux.sha256 == \$s and .vmlinux.static and .vmlinux.stripped and .vmlinux.elf_class == 64' '$A/metadata.json' >/dev/null"
check "metadata: every required symbol passed" meta '.results.config_check.required_failed == 0'
check "metadata: the six features are built in (libkmod)" \
	meta '[.results.kmod[] | select(.state == "builtin")] | length == 6'
check "metadata: the binary's config matched the published one" \
	meta '.results.showconfig.ran and .results.showconfig.matches'
check "metadata: --no-boot recorded" meta '.results.boot.ran == false and .results.boot.skip_reason == "--no-boot"'
check "metadata: source .. config passed, timed; no boot phase" \
	meta '.results.phases as $p | all(("source", "configure", "compile", "kmod", "strip", "config"); $p[.].status == "PASS" and $p[.].duration >= 0) and $p.boot == null' 

# ---- the no-op and its invalidation ---------------------------------------
before=$(stat -c %i "$A")
: >"$FAKE_LOG"
build --out "$A"
expect_exit 0 "the same inputs again"
expect_err "is up to date" "are a no-op"
check "the no-op ran no make, strip or depmod" test ! -s "$FAKE_LOG"
check "the no-op left the artifact in place" test "$(stat -c %i "$A")" = "$before"
expect_out "^[0-9a-f]{64}  $A/vmlinux\$" "and prints the same sha256sum line"

printf 'CONFIG_NET_SCH_SFQ=y\n' >"$T/sfq.config"
: >"$FAKE_LOG"
build --out "$A" --fragment "$T/sfq.config"
expect_exit 0 "a new fragment"
check "rebuilds" sh -c "grep -qx 'make vmlinux' '$FAKE_LOG'"
check "and the published config has it" grep -qx 'CONFIG_NET_SCH_SFQ=y' "$A/config"

: >"$FAKE_LOG"
build --out "$A" --fragment "$T/sfq.config" --profile minimal
expect_exit 0 "another profile"
check "rebuilds from tinyconfig" grep -qx 'make tinyconfig' "$FAKE_LOG"

build --out "$A" --fragment "$T/sfq.config" --profile minimal
expect_err "is up to date" "the minimal build is a no-op in turn"
printf 'tampered' >>"$A/vmlinux"
: >"$FAKE_LOG"
build --out "$A" --fragment "$T/sfq.config" --profile minimal
expect_exit 0 "a vmlinux changed after publish"
expect_err "holds a build of these inputs: no configure or compile" \
	"is no no-op (it does not match SHA256SUMS): published again from the build directory"
check "and the new artifact verifies" sh -c "cd '$A' && sha256sum --quiet -c SHA256SUMS"

# ---- the build directory's record: the same inputs, another --out ----------
# (a matrix, a second artifact) skip configure and compile; a build
# directory changed behind the record, or another compile engine, does not
minimal=(--fragment "$T/sfq.config" --profile minimal)
B=$T/art2
: >"$FAKE_LOG"
build --out "$B" "${minimal[@]}"
expect_exit 0 "the same inputs into another --out"
expect_err "holds a build of these inputs: no configure or compile" "says the build directory is reused"
check "no make of a config or of vmlinux" sh -c "! grep -Eq '^make (tinyconfig|olddefconfig|vmlinux)\$' '$FAKE_LOG'"
check "strip and depmod still ran" sh -c "grep -q '^strip -s ' '$FAKE_LOG' && grep -q '^depmod -b ' '$FAKE_LOG'"
check "metadata: build.objdir_reused" jq -e '.build.objdir_reused == true and .results.status == "PASS"' "$B/metadata.json"
check "the same vmlinux as the other artifact" cmp -s "$A/vmlinux" "$B/vmlinux"
objdir=$(ls -d "$C"/build/*-x86_64-minimal)
printf 'x' >>"$objdir/vmlinux"
rm -rf "$B"
: >"$FAKE_LOG"
build --out "$B" "${minimal[@]}"
expect_exit 0 "a build directory whose vmlinux changed behind its record"
check "compiles again" grep -qx 'make vmlinux' "$FAKE_LOG"
check "metadata: not reused" jq -e '.build.objdir_reused == false' "$B/metadata.json"
rm -rf "$B"
: >"$FAKE_LOG"
run "$UKB" --cache "$C" --tarball "$T/k.tar" --arch x86_64 --no-boot -j1 \
	"${minimal[@]}" --out "$B"
expect_exit 0 "the same inputs through ccache"
check "configure and compile again: kbuild would, for another CC" \
	sh -c "grep -qx 'make tinyconfig' '$FAKE_LOG' && grep -qx 'make vmlinux' '$FAKE_LOG'"
# reproduce is proof, not a shortcut: a matching record is not enough
: >"$FAKE_LOG"
run "$UKB" --cache "$C" reproduce "$B/metadata.json"
expect_exit 0 "reproduce on a build directory that holds these inputs"
check "still configures and makes vmlinux" \
	sh -c "grep -qx 'make tinyconfig' '$FAKE_LOG' && grep -qx 'make vmlinux' '$FAKE_LOG'"

# ---- a failing phase: its exit code, and nothing published ----------------
good=$(sha256sum <"$A/vmlinux")
fails() { # DESC EXIT ENV...
	local desc=$1 want=$2
	shift 2
	run env "$@" "$UKB" --cache "$C" --tarball "$T/k.tar" --arch x86_64 \
		--no-boot --no-ccache -j1 --out "$A" --fragment "$T/sfq.config" \
		--kconfig-add "CONFIG_LOCALVERSION=\"-f$want$RANDOM\""
	expect_exit "$want" "$desc"
	check "$desc: the earlier artifact is untouched" \
		test "$(sha256sum <"$A/vmlinux")" = "$good"
	check "$desc: no staging directory is left" sh -c "! ls -d '$A'.tmp-* 2>/dev/null"
}
fails "make defconfig failing (build)" 6 FAKE_MAKE_FAIL=defconfig
expect_err "^error: make defconfig " "names the target"
fails "make olddefconfig failing (build)" 6 FAKE_MAKE_FAIL=olddefconfig
fails "make vmlinux failing (build)" 6 FAKE_MAKE_FAIL=vmlinux
expect_err "fake make: \\*\\*\\* \\[Makefile:1: vmlinux\\] Error 1|full output is in" "quotes make or points at its log"
fails "depmod failing (build)" 6 FAKE_DEPMOD_FAIL=1
fails "strip failing (build)" 6 FAKE_STRIP_FAIL=1
fails "a strip that leaves symbols (artifact)" 7 FAKE_STRIP_NOOP=1
fails "a binary whose config differs (artifact)" 7 FAKE_SHOWCONFIG_EXTRA=CONFIG_UKB_FAKE_EXTRA=y
expect_err "differs from" "says the configs differ"
printf '# CONFIG_TCP_CONG_BBR is not set\n' >"$T/nobbr.config"
: >"$FAKE_LOG"
build --out "$A" --fragment "$T/nobbr.config"
expect_exit 5 "a fragment defeating a required symbol (config check)"
expect_err "^error: required CONFIG_TCP_CONG_BBR=y" "names the symbol"
check "nothing was compiled" sh -c "! grep -qx 'make vmlinux' '$FAKE_LOG'"
check "the earlier artifact is untouched" test "$(sha256sum <"$A/vmlinux")" = "$good"
done_testing
