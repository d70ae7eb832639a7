# shellcheck shell=bash
# Sourced by check-versions.sh and bench/matrix-cost.sh: their shared
# preamble.
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

# die MESSAGE [EXIT]: one error line, then exit EXIT (default 2)
die() { echo "error: $1" >&2; exit "${2:-2}"; }

# need_mirror: MIRROR, KEYRING and UKB usable, or die; KEYRING made
# absolute. Then VERSIONS, when empty, is every release MIRROR serves;
# none at all dies (exit 3).
need_mirror() {
	[ -n "${MIRROR:-}" ] || die "MIRROR is not set (a kernel.org-shaped mirror URL)"
	[ -n "${KEYRING:-}" ] || die "KEYRING is not set (the OpenPGP key that signs the mirror)"
	[ -r "$KEYRING" ] || die "cannot read keyring '$KEYRING'"
	[ -x "$UKB" ] || die "'$UKB' is not built (make umlkbuild)"
	KEYRING=$(cd "$(dirname "$KEYRING")" && pwd)/$(basename "$KEYRING")
	[ -n "${VERSIONS// /}" ] || VERSIONS=$(mirror_served "$MIRROR" | tr '\n' ' ')
	[ -n "${VERSIONS// /}" ] ||
		die "'$MIRROR' serves no linux-*.tar.xz (no vN.x/sha256sums.asc)" 3
}
