#!/bin/bash
# `umlkbuild matrix`: Debian's 6.1 source for x86_64 and 6.12 for i386
# (minimal profile), plus a cell whose fragment defeats a required symbol: it fails
# at the config check, the run keeps going, and the reports and the exit
# code say so. The boot check is 40-matrix.t's; here it is off. The cells
# are 40-matrix.t's builds, so their build directories and ccache are warm:
# this test is about the matrix, not about compiling.
. "$(dirname "$0")/../lib.sh"
need_source "$KSRC_61"
need_source "$KSRC_612"

out="$T/nightly"
jqe() { jq -e "$@" >/dev/null; }
cat >"$T/no-bbr.config" <<'EOF'
# CONFIG_TCP_CONG_BBR is not set
EOF
cat >"$T/m.ini" <<EOF
; a relative out and fragment count from this file's directory
[matrix]
out = nightly
jobs = $(nproc)
boot = no

[cell debian-6.1]
tarball = $KSRC_61
arch = x86_64
profile = minimal

[cell debian-6.12]
tarball = $KSRC_612
arch = i386
profile = minimal

[cell no-bbr]
tarball = $KSRC_61
arch = x86_64
profile = minimal
fragment = no-bbr.config
suffix = nobbr
EOF

# bad files stop before anything runs, naming file:line
printf '[matrix]\nout = x\n[cell a]\ntarball = %s\narch = sparc\n' "$KSRC_612" >"$T/bad.ini"
ukb matrix "$T/bad.ini"
expect_exit 2 "an unknown arch in the matrix file"
expect_err "bad\.ini:5: unknown arch 'sparc'" "the error names file:line"
check "nothing was written for a bad file" test ! -e "$T/x"
ukb matrix
expect_exit 2 "matrix without a file"

ukb matrix "$T/m.ini"
expect_exit 6 "one failed cell makes the matrix exit 6"
expect_err "1 of 3 builds failed: 003-no-bbr-x86_64-minimal" "the failed build is named"
expect_err "FAIL \(configure\)" "the failure is reported as it happens"

j="$out/matrix.json"
expect_file "$j" "matrix.json is written"
expect_file "$out/matrix.md" "matrix.md is written"
expect_file "$out/matrix.html" "matrix.html is written"
check "the report counts 2 passed, 1 failed" jqe '.matrix.builds == 3 and .matrix.passed == 2 and .matrix.failed == 1' "$j"
for cell in 6.1:x86_64 6.12:i386; do
	ver=${cell%:*} arch=${cell#*:} c=debian-${cell%:*}
	vre=$(printf '%s' "$ver" | sed 's/\./\\./g')
	check "$arch passed, with version, sha256 and size" jqe --arg a "$arch" --arg c "$c" --arg v "$ver." \
		'.builds[] | select(.arch == $a and .cell == $c) | .status == "PASS" and (.version | startswith($v)) and (.sha256 | length == 64) and .vmlinux_size > 1000000 and .failed_phase == null' "$j"
	art=$(jq -r --arg a "$arch" --arg c "$c" '.builds[] | select(.arch == $a and .cell == $c) | .artifact' "$j")
	check "$arch artifact is published under a versioned name ($art)" \
		sh -c "echo '$art' | grep -Eq '^linux-$vre\.[0-9]+-um-$arch-minimal\$' && test -s '$out/$art/vmlinux' && test -s '$out/$art/metadata.json'"
	check "$arch: the reported sha256 is the vmlinux's" sh -c \
		"test \"\$(sha256sum '$out/$art/vmlinux' | cut -d' ' -f1)\" = \"\$(jq -r --arg a '$arch' --arg c '$c' '.builds[] | select(.arch == \$a and .cell == \$c) | .sha256' '$j')\""
	check "$arch: the artifact's SHA256SUMS verify" sh -c "cd '$out/$art' && sha256sum -c --quiet SHA256SUMS"
	check "$arch: stdout lists it in sha256sum format" grep -Eq "^[0-9a-f]{64}  $out/$art/vmlinux\$" "$T/out"
done
check "the failed cell: phase configure, the first error, no artifact" jqe \
	'.builds[] | select(.cell == "no-bbr") | .status == "FAIL" and .failed_phase == "configure" and (.error | test("CONFIG_TCP_CONG_BBR")) and .artifact == null and .exit_code == 5' "$j"
check "the failed cell published nothing" sh -c "! ls -d '$out'/*nobbr* 2>/dev/null"
check "the failed cell's diagnostics are kept" grep -q 'CONFIG_TCP_CONG_BBR' "$out/logs/003-no-bbr-x86_64-minimal.log"
check "no work directories are left" test ! -e "$out/.matrix-work"
check "matrix.md has a row per build" sh -c "test \$(grep -c '^| 00[123]-' '$out/matrix.md') -eq 3"
check "matrix.md shows the failure" grep -q '| FAIL | configure |' "$out/matrix.md"
check "matrix.html is one self-contained page" sh -c \
	"grep -q '<style>' '$out/matrix.html' && ! grep -Eqi '<script|<link|src=|https?:' '$out/matrix.html'"
check "matrix.html marks the failed cell" grep -q '<td class="FAIL">FAIL</td><td>configure</td>' "$out/matrix.html"

# --json prints the report on stdout; a matrix with only passing cells
# exits 0 (the builds above are reused through the cache and ccache)
cat >"$T/ok.ini" <<EOF
[matrix]
out = ok
boot = no
[cell i386]
tarball = $KSRC_612
arch = i386
profile = minimal
EOF
ukb matrix --json "$T/ok.ini"
expect_exit 0 "a matrix whose cells all pass exits 0"
check "--json prints matrix.json" sh -c "jq -e '.matrix.passed == 1 and .builds[0].status == \"PASS\"' '$T/out' >/dev/null"
check "--json prints nothing else on stdout" cmp -s "$T/out" "$T/ok/matrix.json"
done_testing
