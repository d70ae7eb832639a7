#!/bin/bash
# The patch series applies as a whole, in order, to the real trees CI has
# (Debian's 6.1 and 6.12 sources), for both arches: umlkbuild's own
# unpack-and-patch path (--source-only), then every patch the tree's
# metadata lists is checked as present (reverse dry run in the tree).
# The trees outside CI (4.9 .. 6.16+) are covered by tests/versions/.
. "$(dirname "$0")/../lib.sh"

for src in "$KSRC_61" "$KSRC_612"; do
	[ -f "$src" ] || { skip_one "no $src (package linux-source-*)"; continue; }
	for arch in x86_64 i386; do
		name="${src##*/} $arch"
		ukb --tarball "$src" --arch "$arch" --source-only
		expect_exit 0 "$name: the series applies as a whole, in order"
		tree=$(head -n1 "$T/out" 2>/dev/null)
		check "$name: the patched tree exists" test -f "$tree/Makefile"
		# what 'patches' says applies to this release and arch
		ver=$(awk -F' = ' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
			$1 == "SUBLEVEL" { print v "." p "." $2; exit }' "$tree/Makefile")
		run "$UKB" patches --version "$ver" --arch "$arch"
		expect_exit 0 "$name: umlkbuild patches lists the series for $ver"
		for p in $(grep -E '^[0-9]{4}-.*\.patch$' "$T/out"); do
			check "$name: $p is in the tree (reverse dry run)" \
				sh -c "sed '1,/^---\$/d' '$TOP/patches/$p' |
				       patch -d '$tree' -p1 -R --dry-run --batch -s >/dev/null"
		done
	done
done
done_testing
