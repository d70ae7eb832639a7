# shellcheck shell=bash
# Sourced by check-versions.sh and bench/matrix-cost.sh.
#
# mirror_served URL: the releases a kernel.org-shaped mirror serves (the
# .tar.xz its v4.x to v6.x sha256sums.asc list), oldest first, one a line.
mirror_served() {
	local major
	for major in 4 5 6; do
		curl -fsS "$1/v$major.x/sha256sums.asc" 2>/dev/null |
			sed -n 's/^[0-9a-f]\{64\}  linux-\([0-9][0-9.]*\)\.tar\.xz$/\1/p'
	done | sort -uV
}
