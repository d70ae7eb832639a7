#!/bin/bash
# The configure stage: fragments that defeat a required symbol fail before
# anything is compiled, with the symbol named; syntax errors name file:line.
. "$(dirname "$0")/../lib.sh"
[ -f "$KSRC_61" ] || skip_all "no $KSRC_61"

cat >"$T/no-bbr.config" <<'FRAG'
# a user fragment that turns BBR off
# CONFIG_TCP_CONG_BBR is not set
FRAG
ukb --tarball "$KSRC_61" --arch x86_64 --out "$T/out-nobbr" --fragment "$T/no-bbr.config"
expect_exit 5 "a fragment that drops BBR fails the config check"
expect_err "^error: required CONFIG_TCP_CONG_BBR=y, but the configuration has (CONFIG_TCP_CONG_BBR=n|no such symbol)" "the message names the symbol, requested and actual value"
expect_err "^error: required CONFIG_DEFAULT_TCP_CONG=\"bbr\"" "the default congestion control is named too"
check "it failed before compiling" sh -c "! grep -q 'compiling vmlinux' '$T/err'"
expect_no_path "$T/out-nobbr" "no artifact directory was published"
check "no staging directory left" sh -c "! ls -d '$T'/out-nobbr.tmp-* 2>/dev/null"
expect_err "overrides y from .*30-bbr.config" "the override is reported with file:line"

ukb --tarball "$KSRC_61" --arch x86_64 --out "$T/out-fqm" --kconfig-add CONFIG_NET_SCH_FQ=m
expect_exit 5 "--kconfig-add CONFIG_NET_SCH_FQ=m fails the check"
expect_err "required CONFIG_NET_SCH_FQ=y, but the configuration has CONFIG_NET_SCH_FQ=m" "fq as a module is named"

cat >"$T/static-off.config" <<'FRAG'
CONFIG_UML_NET_VECTOR=y
FRAG
ukb --tarball "$KSRC_61" --arch x86_64 --out "$T/out-vec" --fragment "$T/static-off.config"
expect_exit 5 "the vector driver defeats STATIC_LINK"
expect_err "required CONFIG_STATIC_LINK=y" "STATIC_LINK is named"
expect_err "^hint: .*depends on .*MAY_HAVE_RUNTIME_DEPS" "the unmet dependency is explained"

printf 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C = y\n' >"$T/syntax.config"
ukb --tarball "$KSRC_61" --arch x86_64 --out "$T/out-syn" --fragment "$T/syntax.config"
expect_exit 2 "a fragment syntax error is a usage error"
expect_err "^error: $T/syntax.config:3: no spaces allowed around '='\$" "the error names file:line"
expect_one_error "one error line for the syntax error"

printf 'CONFIG_A=y\nCONFIG_A=m\n' >"$T/conflict.config"
ukb --tarball "$KSRC_61" --arch x86_64 --out "$T/out-conf" --fragment "$T/conflict.config"
expect_exit 2 "conflicting values in one fragment"
expect_err "conflict.config:2: CONFIG_A conflicts with its value 'y' on line 1" "both lines are named"

ukb --tarball "$KSRC_61" --arch x86_64 --out "$T/out-miss" --fragment "$T/nope.config"
expect_exit 2 "a missing fragment file"
expect_err "cannot read fragment '$T/nope.config': No such file or directory" "names the file"

# check-config on its own
need_artifact_61 || not_ok "the shared 6.1 artifact could not be built"
run "$UKB" check-config "$ARTIFACT_61/config"
expect_exit 0 "check-config passes on the published config"
expect_out '^ok   CONFIG_DEFAULT_TCP_CONG="bbr"$' "check-config lists the verdicts"
sed 's/^CONFIG_DEFAULT_TCP_CONG=.*/CONFIG_DEFAULT_TCP_CONG="cubic"/' "$ARTIFACT_61/config" >"$T/cubic.config"
run "$UKB" check-config "$T/cubic.config"
expect_exit 5 "check-config fails on a cubic default"
expect_out '^FAIL CONFIG_DEFAULT_TCP_CONG="cubic" wanted "bbr"$' "the failed symbol is listed"
done_testing
