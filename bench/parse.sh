#!/bin/bash
# Parsing large inputs: `umlkbuild check-config` on generated .config files
# of 100k and 1M lines, and with a 1M-line --fragment (parsed, merged and
# checked, no kernel work). The lookups were linear (issue #15: 100k
# lines took 13.6 s, a 100k-line fragment 25 s); they go through a hash
# index now. Replaces its section of bench/RESULTS.md; run.sh calls it.
#
# OLD_UKB=path: also time that binary (an older build) on the 100k-line
# inputs, under a 300 s timeout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
UKB=${UKB:-$top/umlkbuild}
OLD_UKB=${OLD_UKB:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/ukb-parse.XXXXXX")
trap 'rm -rf "$W"' EXIT
export UKB_DATADIR=${UKB_DATADIR:-$top}

# gen N FILE: N distinct CONFIG_ lines (short names: 1M lines stay under
# the 16 MiB input limit)
gen() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "CONFIG_%x=y\n", i }' >"$2"; }
# secs CMD...: wall-clock seconds of CMD (exit 5, a failed required
# symbol, is expected: the generated files hold none of them)
secs() {
	local t rc=0
	t=$(date +%s.%N)
	timeout 300 "$@" >/dev/null 2>&1 || rc=$?
	if [ "$rc" -eq 124 ]; then echo "> 300"; return; fi
	echo "$(date +%s.%N) - $t" | bc | awk '{ printf "%.2f", $1 }'
}

gen 100000 "$W/100k.config"
gen 1000000 "$W/1m.config"
cp "$W/1m.config" "$W/1m-frag.config"
gen 10 "$W/10.config"
cp "$W/100k.config" "$W/100k-frag.config"

c100k=$(secs "$UKB" check-config --version 6.1 "$W/100k.config")
c1m=$(secs "$UKB" check-config --version 6.1 "$W/1m.config")
f1m=$(secs "$UKB" check-config --version 6.1 --fragment "$W/1m-frag.config" "$W/10.config")
f100k=$(secs "$UKB" check-config --version 6.1 --fragment "$W/100k-frag.config" "$W/10.config")
o100k=; of100k=
if [ -n "$OLD_UKB" ]; then
	o100k=$(secs "$OLD_UKB" check-config --version 6.1 "$W/100k.config")
	of100k=$(secs "$OLD_UKB" check-config --version 6.1 --fragment "$W/100k-frag.config" "$W/10.config")
fi

section() {
	cat <<MD
## Parsing large inputs

Measured by bench/parse.sh on $(date -u +%Y-%m-%d), $(nproc) cores: wall-clock
seconds of \`umlkbuild check-config\` on generated inputs (one distinct
symbol per line). No kernel work; "before" is the build before the hash
index (linear lookups)${OLD_UKB:+, run in the same session}.

| input | now | before | goal |
|---|---|---|---|
| .config of 100k lines | ${c100k} s | ${o100k:-13.6 (issue #15)} s | |
| .config of 1M lines (15 MB) | ${c1m} s | | seconds |
| --fragment of 100k lines (with a 10-line .config) | ${f100k} s | ${of100k:-25 (issue #15)} s | |
| --fragment of 1M lines (with a 10-line .config) | ${f1m} s | | seconds |

With the fragment, every line but ten is a warning ("did not make it
into the configuration"): most of that time is writing a million lines
to stderr, not parsing.
MD
}

. "$top/bench/results.sh"
results_replace 'Parsing large inputs'
