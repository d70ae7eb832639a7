#!/bin/bash
# make install: PREFIX and DESTDIR are honoured, and an installed umlkbuild
# finds its data (fragments, required.list, patches, keys, toolchain
# profiles) and ukb-init without any environment variable.
# Builds a copy of the sources, since the data paths are compiled in.
. "$(dirname "$0")/../lib.sh"
unset UKB_DATADIR UKB_INIT
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"

mkdir -p "$T/src"
tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./umlkbuild \
	--exclude=./out -cf - . | tar -C "$T/src" -xf -
jobs=$(nproc)

# 1. PREFIX alone: the binary runs from where it was installed
P="$T/prefix"
run make -C "$T/src" -j"$jobs" PREFIX="$P" install
expect_exit 0 "make install PREFIX=$P"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -n 20
B="$P/bin/umlkbuild"
expect_file "$B" "the binary is installed in PREFIX/bin"
cd "$T" || exit 1 # nowhere near a source checkout
run "$B" patches --version 6.1.192
expect_exit 0 "the installed binary lists patches"
expect_out "^0002-um-unregister-glibc-rseq.patch" "from PREFIX/share/umlkbuild/patches"
printf '#!/bin/sh\nsleep 30\n' >"$T/hang"
chmod +x "$T/hang"
run "$B" boot --timeout 1 "$T/hang"
expect_exit 8 "the installed binary finds ukb-init (a hanging boot times out, exit 8, not 9)"
if [ -f "$KSRC_61" ]; then
	printf 'CONFIG_NET_SCH_QFQ=m\n' >"$T/qfq.config"
	run "$B" --cache "$UKB_TEST_CACHE" --tarball "$KSRC_61" --out "$T/o" \
		--fragment "$T/qfq.config"
	expect_exit 5 "a configure-only run of the installed binary reaches the config check"
	expect_err "required CONFIG_NET_SCH_QFQ=y" "with the installed required.list"
	expect_err "overrides y from $P/share/umlkbuild/kconfig-fragments/" "and the installed fragments"
else
	skip_one "no $KSRC_61 for a configure-only run"
fi
run make -C "$T/src" -j"$jobs" PREFIX="$P" clean
cd "$TOP" || exit 1

# 2. DESTDIR staging, as a package build does it
R="$T/root"
run make -C "$T/src" -j"$jobs" PREFIX=/usr DESTDIR="$R" install
expect_exit 0 "make install DESTDIR=$R PREFIX=/usr"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -n 20
for f in bin/umlkbuild libexec/umlkbuild/ukb-init \
	share/umlkbuild/kconfig-fragments/required.list \
	share/umlkbuild/kconfig-fragments/30-bbr.config \
	share/umlkbuild/patches/0002-um-unregister-glibc-rseq.patch \
	share/umlkbuild/patches/README.md \
	share/umlkbuild/keys/gregkh.asc \
	share/umlkbuild/toolchain/profiles/gcc.ini \
	share/man/man1/umlkbuild.1 \
	share/bash-completion/completions/umlkbuild; do
	expect_file "$R/usr/$f" "installed: /usr/$f"
done
check "nothing is installed outside DESTDIR/usr" \
	sh -c "[ -z \"\$(ls -A '$R' | grep -vx usr)\" ]"
check "ukb-init is static" sh -c "! readelf -l '$R/usr/libexec/umlkbuild/ukb-init' | grep -q INTERP"
check "the installed man page renders without warnings" \
	sh -c "MANWIDTH=80 man --warnings -l '$R/usr/share/man/man1/umlkbuild.1' 2>&1 >/dev/null | grep -c . | grep -qx 0"
check "the installed completion loads" \
	bash -c ". '$R/usr/share/bash-completion/completions/umlkbuild' && complete -p umlkbuild"
# The staged binary was built for /usr; a relocatable one (data found
# next to the binary, ../share/umlkbuild) also runs from the staging dir.
run "$R/usr/bin/umlkbuild" patches --version 6.1.192
expect_exit 0 "the staged binary finds its data relative to itself"
expect_out "^0002-um-unregister-glibc-rseq.patch" "patches from DESTDIR/usr/share/umlkbuild"
done_testing
