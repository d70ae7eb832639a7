#!/bin/sh
# space.sh DIR GIB: make check-e2e's first step. The end-to-end tests
# unpack Debian's kernel trees, build them and keep ccache under DIR (the
# suite's cache, UKB_TEST_CACHE); GIB is what a cold run takes there at
# its peak, measured (README, Tests). A disk that fills mid-run fails
# thirty tests with "No space left on device"; stop before, with one line.
# Exit 0 when there is room, 1 when not, 2 on bad use.
set -u
[ $# -eq 2 ] && [ "$2" -gt 0 ] 2>/dev/null ||
	{ echo "usage: $0 DIR GIB" >&2; exit 2; }
dir=$1 need=$2
# Measure where DIR will be: its nearest existing ancestor.
d=$dir
while [ ! -d "$d" ]; do d=$(dirname "$d"); done
have=$(df -Pk "$d" | awk 'NR == 2 { print $4 }')
[ -n "$have" ] || { echo "error: cannot tell the free space under '$d'" >&2; exit 1; }
# What a warm cache holds already is not needed again.
used=0
[ -d "$dir" ] && used=$(du -sk "$dir" 2>/dev/null | awk '{ print $1 }')
want=$((need * 1024 * 1024 - used))
if [ "$want" -gt "$have" ]; then
	echo "error: the end-to-end tests need about $need GiB under '$dir' (it holds $((used / 1024 / 1024)) GiB); its disk has $((have / 1024 / 1024)) GiB free" >&2
	echo "hint: free space there, or point UKB_TEST_CACHE at a disk with room" >&2
	exit 1
fi
exit 0
