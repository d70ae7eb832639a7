#!/bin/bash
# check-layers.sh must be able to fail: on a copy of orchestrator/ (and of
# the build's objects), plant one violation of each kind and expect the
# checker to name it; the clean copy must pass. TAP output.
#   usage: test-check-layers.sh ORCHESTRATOR_DIR OBJDIR
set -u
src=${1:-orchestrator} objs=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

fresh() {
	rm -rf "$T/o" "$T/b"
	cp -R "$src" "$T/o"
	[ -n "$objs" ] && cp -R "$objs" "$T/b"
}
# expect_violation WHAT REGEX: the checker fails and prints REGEX
expect_violation() {
	local out rc
	out=$("$here/check-layers.sh" "$T/o" ${objs:+"$T/b"} 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && grep -Eq -- "$2" <<<"$out"; then ok "$1"; else
		not_ok "$1 (exit $rc)"
		sed 's/^/#   /' <<<"$out" | head -n 5
	fi
}

fresh
if "$here/check-layers.sh" "$T/o" ${objs:+"$T/b"} >"$T/clean" 2>&1; then
	ok "the tree as it is passes"
else
	not_ok "the tree as it is passes"; sed 's/^/#   /' "$T/clean" | head
fi

fresh
sed -i '0,/#include "base\/strbuf.h"/s//#include "base\/strbuf.h"\n#include "driver\/build.h"/' "$T/o/base/strvec.c"
expect_violation "base/ including driver/ is refused" \
	'^check-layers: base/strvec.c:[0-9]+: includes "driver/build.h": base/ may include only'

fresh
sed -i '0,/#include "base\/strbuf.h"/s//#include "strbuf.h"/' "$T/o/base/strvec.c"
expect_violation "an include without its folder is refused" \
	'base/strvec.c:[0-9]+: includes "strbuf.h": name its folder'

fresh
sed -i '0,/#include <string.h>/s//#include <string.h>\n#include <curl\/curl.h>/' "$T/o/base/strvec.c"
expect_violation "a second file including curl.h is refused" \
	'base/strvec.c:[0-9]+: includes <curl/curl.h>: only source/http.c may include it'

fresh
sed -i 's/^base:.*/base: cli/' "$T/o/LAYERS"
expect_violation "a cycle in the folders' rules is refused" \
	"the folders' rules have a cycle"

fresh
grep -q '#include "base/wrapper.h"' "$T/o/base/strvec.c" || not_ok "strvec.c includes wrapper.h"
sed -i '1i #include "base/strvec.h"' "$T/o/base/wrapper.c"
expect_violation "two modules including each other is refused" \
	'modules include each other in a cycle: .*base/(strvec|wrapper)'

fresh
mkdir "$T/o/extra"
printf '#include "base/log.h"\n' >"$T/o/extra/x.c"
expect_violation "a folder LAYERS does not name is refused" \
	"extra/x.c: the folder 'extra' has no line in LAYERS"

if [ -n "$objs" ]; then
	# a call that no include shows: configure/ calling into cli/
	fresh
	sym=$(nm -g --defined-only "$objs/cli/cli.o" | awk '$2 == "T" { print $3; exit }')
	printf 'void ukb_planted(void);\nvoid ukb_planted(void) { extern void %s(void); %s(); }\n' \
		"$sym" "$sym" >"$T/o/configure/planted.c"
	cc -c -o "$T/b/configure/planted.o" "$T/o/configure/planted.c"
	expect_violation "configure/ calling a function of cli/ is refused" \
		"configure/planted.c calls $sym\\(\\), defined in cli/cli.c: configure/ may call only"
fi
echo "1..$n"
[ $failed -eq 0 ]
