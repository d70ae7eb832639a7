#!/bin/bash
# matrix-cost.sh: what the nightly version matrix (issue #11) costs on
# this machine, and where the time goes. Replaces its section of
# bench/RESULTS.md.
#
#   make bench-matrix MIRROR=URL KEYRING=FILE [CACHE=DIR] [VERSIONS="..."] [ARCHES="..."]
#
# A nightly keeps its downloads and its ccache, not its build trees (a
# changed release or toolchain rebuilds them). So: CACHE is a cache that
# has downloaded and built these releases before (check-versions' own,
# by default); a fresh cache here links only its downloads/ and ccache/,
# and `umlkbuild matrix` then builds every release the mirror serves (or
# VERSIONS), minimal profile, for each of ARCHES (default x86_64 i386),
# one build at a time with -j JOBS, boot check included, as a nightly
# would. The wall time is the goal's figure (<= 1 hour); each build's
# phases come from its metadata.json: source (verify, unpack, patch),
# configure, compile, kmod (the libkmod check), strip and boot.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH_NAME=ukb-bench-matrix . "$top/tests/scratch.sh"
. "$top/tests/versions/served.sh"
: "${UKB:=$top/umlkbuild}" "${CACHE:=$top/build/versions-cache}"
: "${ARCHES:=x86_64 i386}" "${JOBS:=2}" "${VERSIONS:=}"
[ -d "$CACHE/downloads" ] && [ -d "$CACHE/ccache" ] ||
	die "'$CACHE' has no downloads/ and ccache/: run make check-versions with CACHE=$CACHE first" 3
need_mirror

C="$T/cache"
mkdir -p "$C"
ln -s "$(cd "$CACHE" && pwd)/downloads" "$C/downloads"
ln -s "$(cd "$CACHE" && pwd)/ccache" "$C/ccache"
printf '[fetch]\nmirror = %s\nkeyring = %s\n' "$MIRROR" "$KEYRING" >"$T/fetch.ini"
printf '[matrix]\nout = %s\njobs = %s\nparallel = 1\nboot = yes\n\n[cell minimal]\nversion = %s\narch = %s\nprofile = minimal\n' \
	"$T/m" "$JOBS" "$VERSIONS" "$ARCHES" >"$T/matrix.ini"

echo "matrix: $VERSIONS x ($ARCHES), minimal, sources and ccache from '$CACHE'" >&2
start=$(date +%s.%N)
rc=0
"$UKB" -q --cache "$C" matrix --config "$T/fetch.ini" "$T/matrix.ini" >/dev/null 2>"$T/err" || rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
[ "$rc" = 0 ] || [ "$rc" = 6 ] || { cat "$T/err" >&2; die "umlkbuild matrix exited $rc" "$rc"; }

# one row per build: its phases, from its metadata (a failed build has
# none: it shows its status)
J="$T/m/matrix.json"
rows=$(jq -r --arg out "$T/m" '.builds[] | [.version // .source, .arch, .status, (.artifact // ""), (.duration // 0)] | @tsv' "$J" |
	while IFS=$'\t' read -r ver arch status art dur; do
		m="$T/m/$art/metadata.json"
		ph='- | - | - | - | - | -'
		[ -n "$art" ] && [ -f "$m" ] && ph=$(jq -r '.results.phases as $p |
			[("source", "configure", "compile", "kmod", "strip", "boot") |
			 $p[.].duration // 0 | floor] | join(" | ")' "$m")
		echo "| $ver | $arch | $status | $(printf '%.0f' "$dur") | $ph |"
	done)
# the phases' sums over the builds, in seconds
sums=$(jq -rs '[.[] | .results.phases] as $p |
	["source","configure","compile","kmod","strip","boot"] |
	map(. as $k | [$p[][$k].duration // 0] | add | floor) | @tsv' \
	"$T"/m/*/metadata.json 2>/dev/null || echo)
total=$(jq '[.builds[].duration // 0] | add | floor' "$J")
passed=$(jq '[.builds[] | select(.status == "PASS")] | length' "$J")
n=$(jq '.builds | length' "$J")
hits=$(jq -rs '[.[] | .ccache.cache_hits // 0] | add' "$T"/m/*/metadata.json 2>/dev/null || echo 0)
misses=$(jq -rs '[.[] | .ccache.cache_misses // 0] | add' "$T"/m/*/metadata.json 2>/dev/null || echo 0)

section() {
	cat <<MD
## The nightly matrix's cost (bench/matrix-cost.sh)

Measured on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r): \`umlkbuild
matrix\` over $VERSIONS for $ARCHES, minimal profile, one build at a
time with -j$JOBS, boot check included. The tarballs were already
downloaded and verified, ccache was warm (the cache of an earlier
\`make check-versions\` of the same releases); every tree was unpacked,
patched, configured and built again, as a nightly's are. Goal: <= 1 hour.

| measure | value |
|---|---|
| wall time, the whole matrix | $(printf '%.0f' "$wall") s ($(echo "scale=1; $wall / 60" | bc) min) |
| builds passed | $passed of $n (matrix exit $rc) |
| sum of the builds' own durations | $total s |
| ccache hits / misses over all builds | $hits / $misses |

Where the time goes (the phases' sums over every build, seconds):

| source | configure | compile | kmod | strip | boot |
|---|---|---|---|---|---|
| $(echo "$sums" | sed 's/\t/ | /g') |

| version | arch | status | duration (s) | source | configure | compile | kmod | strip | boot |
|---|---|---|---|---|---|---|---|---|---|
$rows
MD
}

. "$top/bench/results.sh"
results_replace 'The nightly matrix'\''s cost (bench/matrix-cost.sh)'
