#!/bin/bash
# The configure stage: fragments that defeat a required symbol fail before
# anything is compiled, with the symbol named; syntax errors name file:line.
. "$(dirname "$0")/../lib.sh"
need_source "$KSRC_61"

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
expect_err "^hint: the whole story: umlkbuild explain -C [^ ]+ CONFIG_STATIC_LINK=y" "the hint names the explain command"

# explain on the build directory the failed check used, before another
# build reconfigures it
objdir=$(sed -n 's/^hint: the whole story: umlkbuild explain -C \([^ ]*\) .*/\1/p' "$T/err")
check "the build directory has a .config and a source link" \
	test -f "$objdir/.config" -a -f "$objdir/source/Kconfig"
run "$UKB" explain -C "$objdir" CONFIG_STATIC_LINK=y
expect_exit 0 "explain CONFIG_STATIC_LINK=y"
expect_out '^  value: +absent from \.config$' "STATIC_LINK is absent: its prompt is hidden"
expect_out '^  type: +bool$' "STATIC_LINK is a bool"
expect_out "^  defined at: arch/um/Kconfig:$(grep -n '^config STATIC_LINK$' "$objdir/source/arch/um/Kconfig" | cut -d: -f1)\$" "where it is defined, as file:line"
expect_out '^  wanted y: kept from it by$' "something keeps it from y"
expect_out '^    arch/um/Kconfig:[0-9]+: depends on .*MAY_HAVE_RUNTIME_DEPS \[=y\].* => n$' "the dependency on MAY_HAVE_RUNTIME_DEPS, with its value"
run "$UKB" explain -C "$objdir" MAY_HAVE_RUNTIME_DEPS=n
expect_exit 0 "explain MAY_HAVE_RUNTIME_DEPS=n (without CONFIG_)"
expect_out '^    arch/um/drivers/Kconfig:[0-9]+: selected by UML_NET_VECTOR \[=y\] => y$' "the vector driver selects it"
bbr_line=$(grep -n '^config TCP_CONG_BBR$' "$objdir/source/net/ipv4/Kconfig" | cut -d: -f1)
run "$UKB" explain -C "$objdir" CONFIG_TCP_CONG_BBR
expect_exit 0 "explain CONFIG_TCP_CONG_BBR"
expect_out '^  value: +y$' "BBR's value"
expect_out '^  type: +tristate$' "BBR is a tristate"
expect_out "^  defined at: net/ipv4/Kconfig:$bbr_line\$" "BBR is defined at net/ipv4/Kconfig:$bbr_line"
expect_out '^    net/Kconfig:[0-9]+: if INET \[=y\] => y$' "the if block of the file that sources net/ipv4/Kconfig"
expect_out '^  summary: +y; nothing keeps it from n$' "a summary without a value"
run sh -c "cd '$objdir' && '$UKB' explain CONFIG_DEFAULT_TCP_CONG=cubic"
expect_exit 0 "explain in the build directory itself"
expect_out '^    net/ipv4/Kconfig:[0-9]+: default "bbr" if DEFAULT_BBR \[=y\] => "bbr"$' "the default that gives bbr"
run "$UKB" explain -C "$objdir" CONFIG_NO_SUCH_THING
expect_exit 5 "explain an undefined symbol"
expect_err "^error: CONFIG_NO_SUCH_THING is defined in no Kconfig file of '$objdir/source'\$" "says so"
expect_one_error "one error line for an undefined symbol"
run "$UKB" explain -C "$objdir" CONFIG_ARM64
expect_exit 5 "explain a symbol of another arch"
expect_err "^error: CONFIG_ARM64 is defined only in Kconfig files that ARCH=um does not read: arch/arm64/Kconfig:[0-9]+" "names the file ARCH=um does not read"

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
check "check-config reads the version from the header" sh -c "! grep -q 'names no kernel version' '$T/err'"

# check-config --json, for scripts
run "$UKB" check-config --json "$ARTIFACT_61/config"
expect_exit 0 "check-config --json passes on the published config"
check "--json prints one JSON document" jq -e . "$T/out"
check "it passes, for 6.1.x x86_64" jq -e '.ok == true and .required_failed == 0 and (.version | startswith("6.1.")) and .arch == "x86_64" and .config == "'"$ARTIFACT_61/config"'"' "$T/out"
check "every symbol has its fields" jq -e '(.symbols | length) > 5 and all(.symbols[]; has("name") and has("required") and has("requested") and has("actual") and has("ok") and has("file") and has("line"))' "$T/out"
check "the default congestion control is bbr" jq -e '.symbols[] | select(.name == "CONFIG_DEFAULT_TCP_CONG") | .ok and .required and .actual == "\"bbr\""' "$T/out"
sed '/^CONFIG_TCP_CONG_BBR=/d' "$T/cubic.config" >"$T/nobbr.config"
printf '# CONFIG_MADE_UP is not set\n' >"$T/made-up.config"
run "$UKB" check-config --json --fragment "$T/made-up.config" "$T/nobbr.config"
expect_exit 5 "check-config --json fails the same way"
check "it says so" jq -e '.ok == false and .required_failed == 2' "$T/out"
check "an absent symbol's actual value is null" jq -e '.symbols[] | select(.name == "CONFIG_TCP_CONG_BBR" and .required) | .actual == null and .ok == false and .requested == "y"' "$T/out"
check "the failed default is listed with both values" jq -e '.symbols[] | select(.name == "CONFIG_DEFAULT_TCP_CONG") | .actual == "\"cubic\"" and .requested == "\"bbr\""' "$T/out"
check "a fragment line is a symbol that is not required" jq -e '[.symbols[] | select(.required | not)] | length == 1 and .[0].name == "CONFIG_MADE_UP" and .[0].requested == "n" and .[0].actual == null and .[0].ok and (.[0].file | endswith("made-up.config")) and .[0].line == 1' "$T/out"
expect_err "^error: required CONFIG_TCP_CONG_BBR=y" "the diagnostics still go to stderr"
# without --arch, the arch the file was made for
sed 's/^CONFIG_64BIT=y$/CONFIG_X86_32=y/' "$ARTIFACT_61/config" >"$T/i386.config"
run "$UKB" check-config --json "$T/i386.config"
check "an i386 .config is checked as i386" jq -e '.arch == "i386"' "$T/out"
run "$UKB" check-config --json --arch x86_64 "$T/i386.config"
check "--arch still decides when given" jq -e '.arch == "x86_64"' "$T/out"
done_testing
