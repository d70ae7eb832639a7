#!/bin/bash
# The bad-input table (README.md, "Bad input"), one test per row: each bad
# input gets its documented exit code, exactly one "error:" line matching
# the documented message (hints allowed), nothing on stdout, and nothing
# half-written (no artifact, no staging dir, no scratch tree of the run).
# Most rows fail before any kernel work; the fragment rows fail at
# configure on the suite's shared 6.1 tree. What each row prints on stderr
# is compared with its golden file, tests/e2e/expect/NNN.err; after a
# deliberate change of a message, UKB_BLESS=1 rewrites them (README, Tests).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"
ROW_EXPECT=$TOP/tests/e2e/expect

export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"        # a private cache for rows that need no kernel tree
S="$UKB_TEST_CACHE" # the suite's cache, for rows that configure 6.1

# (these exec: row runs them in a background subshell and needs the pid)
# build ARGS...: umlkbuild on the private cache, output to $O
build() { exec "$UKB" --cache "$C" "$@" --out "$O"; }
# build61 ARGS...: the Debian 6.1 tarball on the suite's cache
build61() { exec "$UKB" --cache "$S" --tarball "$KSRC_61" "$@" --out "$O"; }

# a small linux-shaped tree that unpacks in no time
mkdir -p "$T/small/linux-6.1.999"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 999\nEXTRAVERSION =\n' \
	>"$T/small/linux-6.1.999/Makefile"
echo 'int x;' >"$T/small/linux-6.1.999/hello.c"
tar -C "$T/small" -cJf "$T/small.tar.xz" linux-6.1.999

# ---- usage: versions, arch, profile, options (exit 2) -------------------
O=$T/o1 DESC="malformed version 4.10.1.1.1" row 1 2 - build --version 4.10.1.1.1
O=$T/o2 DESC="malformed version v4" row 2 2 - build --version v4
O=$T/o3 DESC="malformed version ../x" row 3 2 - build --version ../x
O=$T/o4 DESC="a version before BBR (4.8)" row 4 2 - build --version 4.8
# row 5 (6.16+ refused static) is retired: patch 0003 makes 6.16+ static and networked
O=$T/o6 DESC="unknown arch" row 6 2 - \
	build --tarball "$T/small.tar.xz" --arch arm
O=$T/o7 DESC="unknown profile" row 7 2 - \
	build --tarball "$T/small.tar.xz" --profile huge
O=$T/o8 DESC="unknown toolchain profile" row 8 2 - \
	build --tarball "$T/small.tar.xz" --toolchain gcc-99
O=$T/o9 DESC="unknown option" row 9 2 - \
	build --tarball "$T/small.tar.xz" --bogus
O=$T/o10 DESC="-j out of range" row 10 2 - \
	build --tarball "$T/small.tar.xz" -j 0
DESC="unknown command" row 11 2 - "$UKB" frobnicate

# ---- source: the tarball (exit 3) ---------------------------------------
O=$T/o12 CH=$C DESC="missing tarball" row 12 3 - \
	build --tarball "$T/missing.tar.xz"
O=$T/o13 CH=$C DESC="a directory given as the tarball" row 13 3 - build --tarball "$T/small"
# unreadable: root reads everything, so the run drops to nobody
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/nb/cache"
	chmod 711 "$T"
	chmod 777 "$T/nb" "$T/nb/cache"
	cp "$T/small.tar.xz" "$T/nb/secret.tar.xz"
	chmod 000 "$T/nb/secret.tar.xz"
	O=$T/nb/o14 CH=$T/nb/cache DESC="an unreadable tarball (as nobody)" row 14 3 - \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env HOME="$T/nb" "$UKB" --cache "$T/nb/cache" \
		--tarball "$T/nb/secret.tar.xz" --out "$T/nb/o14"
else
	skip_one "row 14: no setpriv or no user nobody"
fi
: >"$T/empty.tar.xz"
O=$T/o15 CH=$C DESC="empty file" row 15 3 - \
	build --tarball "$T/empty.tar.xz"
head -c 100000 /dev/urandom >"$T/random.tar.xz"
O=$T/o16 CH=$C DESC="random bytes" row 16 3 - \
	build --tarball "$T/random.tar.xz"
head -c 30000 "$T/small.tar.xz" >"$T/trunc.tar.xz"
if [ -f "$KSRC_61" ]; then head -c 3000000 "$KSRC_61" >"$T/trunc.tar.xz"; fi
O=$T/o17 CH=$C DESC="truncated archive" row 17 3 - \
	build --tarball "$T/trunc.tar.xz"
# a damaged xz stream: bytes flipped in the middle of the compressed data
mkdir -p "$T/cor/linux-6.1.999"
cp "$T/small/linux-6.1.999/Makefile" "$T/cor/linux-6.1.999/"
head -c 2000000 /dev/urandom >"$T/cor/linux-6.1.999/blob"
tar -C "$T/cor" -cf - linux-6.1.999 | xz -0 -T1 >"$T/corrupt.tar.xz"
perl -e 'open my $f, "+<", $ARGV[0] or die; seek $f, 1000000, 0;
	print $f "\xff" x 4096; close $f' "$T/corrupt.tar.xz"
O=$T/o18 CH=$C DESC="corrupt archive (damaged xz data)" row 18 3 - \
	build --tarball "$T/corrupt.tar.xz"

# entries escaping the tree
mkdir -p "$T/victim"
tar_of dotdot.tar '$t->add_data("linux-x/../../victim/escaped", "pwned");'
O=$T/o19 CH=$C DESC="entry with ../" row 19 3 - \
	build --tarball "$T/dotdot.tar"
# (the shell's pid: the check below looks for that name, not perl's $$)
tar_of abs.tar '$t->add_data("/tmp/ukb-abs-escape-'"$$"'", "pwned");'
ROW_SUBST=("/tmp/ukb-abs-escape-$$" /tmp/ukb-abs-escape-SHELLPID)
O=$T/o20 CH=$C DESC="entry with an absolute path" row 20 3 - \
	build --tarball "$T/abs.tar"
ROW_SUBST=()
tar_of symlink.tar '$t->add_data("linux-x/evil", "",
	{ type => SYMLINK, linkname => "../../../../../../etc" });
	$t->add_data("linux-x/evil/ukb-through-link", "pwned");'
O=$T/o21 CH=$C DESC="symlink pointing out of the tree" row 21 3 - \
	build --tarball "$T/symlink.tar"
tar_of abslink.tar '$t->add_data("linux-x/evil", "",
	{ type => SYMLINK, linkname => "/etc" });'
O=$T/o22 CH=$C DESC="symlink to an absolute path" row 22 3 - \
	build --tarball "$T/abslink.tar"
tar_of hardlink.tar '$t->add_data("linux-x/passwd", "",
	{ type => HARDLINK, linkname => "/etc/passwd" });'
O=$T/o23 CH=$C DESC="hard link to a file outside" row 23 3 - \
	build --tarball "$T/hardlink.tar"
tar_of device.tar '$t->add_data("linux-x/mem", "",
	{ type => CHARDEV, devmajor => 1, devminor => 1 });'
O=$T/o24 CH=$C DESC="device node" row 24 3 - \
	build --tarball "$T/device.tar"
check "nothing escaped into '$T/victim', /tmp or /etc" sh -c \
	"[ -z \"\$(ls -A '$T/victim')\" ] && [ ! -e /tmp/ukb-abs-escape-$$ ] && [ ! -e /etc/ukb-through-link ]"
mkdir -p "$T/two/a" "$T/two/b"
echo x >"$T/two/a/f"
echo y >"$T/two/b/f"
tar -C "$T/two" -cf "$T/two.tar" a b
O=$T/o25 CH=$C DESC="more than one top-level directory" row 25 3 - \
	build --tarball "$T/two.tar"
mkdir -p "$T/notk/linux-y"
echo hello >"$T/notk/linux-y/README"
tar -C "$T/notk" -cJf "$T/notk.tar.xz" linux-y
O=$T/o26 CH=$C DESC="not a kernel tree" row 26 3 - \
	build --tarball "$T/notk.tar.xz"

# ---- configuration files (exit 2) ---------------------------------------
printf '[fetch]\nthis line has no equals sign\n' >"$T/bad.ini"
O=$T/o27 DESC="INI syntax error (line shown)" row 27 2 - \
	build --tarball "$T/small.tar.xz" --config "$T/bad.ini"
printf '[fetch]\nmirror = https://example.org\n[cache]\ndirectory = /x\n' >"$T/key.ini"
O=$T/o28 DESC="INI unknown key (line shown)" row 28 2 - \
	build --tarball "$T/small.tar.xz" --config "$T/key.ini"
O=$T/o29 DESC="missing --config file" row 29 2 - \
	build --tarball "$T/small.tar.xz" --config "$T/nope.ini"

# ---- host (exit 9) -------------------------------------------------------
# a PATH with everything of /usr/bin and /bin except one tool
path_without() {
	local d="$T/path-no-$1" f
	mkdir -p "$d"
	for f in /usr/local/bin/* /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
		[ -x "$f" ] || continue
		case ${f##*/} in "$1") continue ;; esac
		[ -e "$d/${f##*/}" ] || ln -s "$f" "$d/${f##*/}"
	done
	echo "$d"
}
for tool in flex bison bc; do
	case $tool in flex) n=30 ;; bison) n=31 ;; bc) n=32 ;; esac
	O=$T/o$n CH=$C DESC="host without $tool" row $n 9 - \
		env PATH="$(path_without "$tool")" "$UKB" --cache "$C" \
		--tarball "$T/small.tar.xz" --out "$T/o$n"
done
# the data dir without patches, so the small tree passes the source stage
mkdir -p "$T/nopatch/patches"
cp -R "$TOP/kconfig-fragments" "$TOP/keys" "$TOP/toolchain" "$T/nopatch/"
# --out under a regular file
: >"$T/afile"
O=$T/afile/out CH=$C DESC="--out under a regular file" row 33 9 - \
	env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" \
	--tarball "$T/small.tar.xz" --out "$T/afile/out"
mounted=()
at_exit 'for m in "${mounted[@]}"; do umount -l "$m"; done'
mkdir -p "$T/ro"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m,ro tmpfs "$T/ro" 2>/dev/null; then
	mounted+=("$T/ro")
	O=$T/ro/out CH=$C DESC="--out on a read-only file system" row 34 9 - \
		env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$C" \
		--tarball "$T/small.tar.xz" --out "$T/ro/out"
else
	skip_one "row 34: cannot mount a read-only tmpfs (needs root)"
fi
# a full disk: the cache on a 16 MiB tmpfs, a tarball that unpacks to more
mkdir -p "$T/full" "$T/big/linux-6.1.998"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 998\nEXTRAVERSION =\n' \
	>"$T/big/linux-6.1.998/Makefile"
head -c $((40 * 1024 * 1024)) /dev/zero >"$T/big/linux-6.1.998/zeros"
tar -C "$T/big" -cJf "$T/big.tar.xz" linux-6.1.998
rm -rf "$T/big"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=16m tmpfs "$T/full" 2>/dev/null; then
	mounted+=("$T/full")
	O=$T/o35 CH=$T/full DESC="a full disk under the cache" row 35 9 - \
		env UKB_DATADIR="$T/nopatch" "$UKB" --cache "$T/full" \
		--tarball "$T/big.tar.xz" --out "$T/o35"
	check "row 35: the full cache holds no scratch tree" \
		sh -c "! ls '$T/full/trees' 2>/dev/null | grep -q '^tmp-'"
else
	skip_one "row 35: cannot mount a tmpfs (needs root)"
fi
# a cache whose downloads/ or git/ cannot be created is a host problem
# (exit 9) wherever it is found: fetch.c and gitsrc.c said 3 and 1
for sub in downloads git; do
	mkdir -p "$T/nc-$sub"
	: >"$T/nc-$sub/$sub"
done
O=$T/o35a DESC="a cache whose downloads/ cannot be created" row 35a 9 - \
	"$UKB" --cache "$T/nc-downloads" --version 6.1.1 \
	--mirror http://127.0.0.1:9/ --out "$T/o35a"
DESC="fetch into a cache whose downloads/ cannot be created" row 35b 9 - \
	"$UKB" --cache "$T/nc-downloads" fetch --version 6.1.1 --mirror http://127.0.0.1:9/
O=$T/o35b DESC="a cache whose git/ cannot be created" row 35c 9 - \
	"$UKB" --cache "$T/nc-git" --git "file://$T/nogit" --ref main \
	--out "$T/o35b"

# ---- patches (exit 4) ----------------------------------------------------
mkdir -p "$T/badpatch/patches"
cp -R "$TOP/kconfig-fragments" "$TOP/keys" "$TOP/toolchain" "$T/badpatch/"
cat >"$T/badpatch/patches/0001-does-not-apply.patch" <<'EOF'
Subject: a patch whose context is not in the tree
Origin: 70-bad-input.t
Versions: 6.1..6.2
Arch: all

---
--- a/hello.c
+++ b/hello.c
@@ -1 +1 @@
-int y;
+int z;
EOF
O=$T/o36 CH=$C DESC="a patch that does not apply" row 36 4 - \
	env UKB_DATADIR="$T/badpatch" "$UKB" --cache "$C" \
	--tarball "$T/small.tar.xz" --out "$T/o36"

# ---- git and kernel.org sources (exit 3) ---------------------------------
R="$T/repo"
git init -q "$R" && cp "$T/small/linux-6.1.999/Makefile" "$R/" &&
	git -C "$R" add Makefile &&
	git -C "$R" -c user.name=t -c user.email=t@t commit -qm v6.1.999 &&
	git -C "$R" tag v6.1.999
O=$T/o37 CH=$C DESC="a tag that does not exist" row 37 3 - \
	build --git "$R" --ref v9.9

mirror_ok=
if [ -x "$NGINX_BIN" ] && command -v gpg >/dev/null; then
	mirror_gpg_init "$T/gpg"
	if fpr=$(mirror_gen_key release) && rogue=$(mirror_gen_key rogue); then
		mirror_small_tarball "$T/good.tar.xz" 4
		mirror_small_tarball "$T/evil.tar.xz" 1
		mirror_tree "$T/www" 6.1.999 "$T/good.tar.xz" "$fpr"
		nginx_start "$T/www" && mirror_ok=1
	fi
fi
if [ -n "$mirror_ok" ]; then
	KEY="$MIRROR_KEYS/release.asc"
	D="$T/www/v6.x"
	fetchrow() { exec "$UKB" fetch --keyring "$KEY" --version "$1" \
		--mirror "${MIRROR:-$NGINX_URL}" --cache "$2"; }
	ROW_SUBST=("$NGINX_URL" URL)
	O= CH=$T/f38 DESC="no such release" row 38 3 - \
		fetchrow 7.0.999 "$T/f38"
	# checksum: the tarball swapped after signing
	good=$(sha256sum <"$T/good.tar.xz" | cut -d' ' -f1)
	evil=$(sha256sum <"$T/evil.tar.xz" | cut -d' ' -f1)
	rm -f "$D/linux-6.1.999.tar.xz"
	cp "$T/evil.tar.xz" "$D/linux-6.1.999.tar.xz"
	ROW_SUBST=("$NGINX_URL" URL "$good" GOOD "$evil" EVIL)
	O= CH=$T/f39 DESC="checksum mismatch" row 39 3 - \
		fetchrow 6.1.999 "$T/f39"
	rm -f "$D/linux-6.1.999.tar.xz"
	cp "$T/good.tar.xz" "$D/linux-6.1.999.tar.xz"
	# signature: .tar.sign over another tar
	xz -dc "$T/evil.tar.xz" | gpg --batch --yes --quiet --local-user "$fpr!" \
		--armor --detach-sign --output "$D/linux-6.1.999.tar.sign" - 2>/dev/null
	ROW_SUBST=("$NGINX_URL" URL "${fpr: -16}" KEYID)
	O= CH=$T/f40 DESC="bad signature" row 40 3 - \
		fetchrow 6.1.999 "$T/f40"
	mirror_sign_tar "$D/linux-6.1.999.tar.xz" "$fpr"
	mirror_sign_sums "$D" "$rogue"
	ROW_SUBST=("$NGINX_URL" URL "${rogue: -16}" ROGUE)
	O= CH=$T/f41 DESC="signed by an untrusted key" row 41 3 - \
		fetchrow 6.1.999 "$T/f41"
	mirror_sign_sums "$D" "$fpr"
	ROW_SUBST=()
	# an interrupted download: the server goes away in the middle
	MIRROR_SLOW_RATE=256k
	"$UKB" fetch --keyring "$KEY" --version 6.1.999 --mirror "$NGINX_SLOW_URL" \
		--cache "$T/f42" >"$T/out" 2>"$T/err" &
	fpid=$!
	for _ in $(seq 200); do
		[ "$(stat -c %s "$T/f42/downloads/linux-6.1.999.tar.xz.part" 2>/dev/null || echo 0)" -gt 100000 ] && break
		sleep 0.1
	done
	nginx_stop
	rc=0
	wait "$fpid" || rc=$?
	n=$(grep -c '^error: ' "$T/err" || true)
	if [ "$rc" -eq 3 ] && [ "$n" -eq 1 ] && [ ! -s "$T/out" ] &&
		grep -Eq "^error: (cannot connect to|connection (reset|lost|closed)|.*interrupted|transfer .*closed)" "$T/err" &&
		[ ! -d "$T/f42/downloads/by-name" ]; then
		ok "row 42: interrupted download (exit 3)"
	else
		not_ok "row 42: interrupted download (exit $rc, $n error lines)"
		sed 's/^/#   stderr: /' "$T/err" | tail -n 12
	fi
	check "row 42: the partial download stays for a resume" \
		test -f "$T/f42/downloads/linux-6.1.999.tar.xz.part"
else
	for n in 38 39 40 41 42; do skip_one "row $n: no nginx or gpg"; done
fi

# ---- boot (exit 8 and 2) --------------------------------------------------
cat >"$T/hang-vmlinux" <<EOF
#!/bin/sh
# a "kernel" that never reports: it sleeps and leaves a child behind
sleep 3171$$ &
sleep 3172$$
EOF
chmod +x "$T/hang-vmlinux"
O= DESC="a boot that hangs" row 43 8 - \
	"$UKB" boot --timeout 3 "$T/hang-vmlinux"
sleep 0.5
check "row 43: the boot's process group is gone" \
	sh -c "! pgrep -f 'sleep 317[12]$$' >/dev/null"
printf '#!/bin/sh\necho "Kernel panic - not syncing: VFS: Unable to mount root fs"\nexit 1\n' \
	>"$T/panic-vmlinux"
chmod +x "$T/panic-vmlinux"
O= DESC="a guest that panics" row 44 8 - \
	"$UKB" boot --timeout 10 "$T/panic-vmlinux"
O= DESC="boot of a file that is not executable" row 45 2 - \
	"$UKB" boot "$T/bad.ini"
mkdir -p "$T/art"
O= DESC="boot of an artifact's directory" row 45b 2 - \
	"$UKB" boot "$T/art"

# ---- Kconfig fragments on the 6.1 tree (exit 2 and 5) --------------------
if [ -f "$KSRC_61" ]; then
	# the shared cache may hold the tree already; Debian's 6.1 moves on
	ROW_IGNORE="^(unpacking '|applying [0-9]+ patch)"
	k61=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null | sed 's/-.*//')
	ROW_SUBST=("$KSRC_61" KSRC_61 ${k61:+"$k61" 6.1.N})
	O=$T/o46 CH=$S DESC="missing fragment file" row 46 2 - \
		build61 --fragment "$T/nope.config"
	O=$T/o47 CH=$S DESC="a directory given as a fragment" row 47 2 - \
		build61 --fragment "$T/small"
	printf 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C = y\n' >"$T/spaces.config"
	O=$T/o48 CH=$S DESC="fragment syntax: spaces around = (line shown)" row 48 2 - \
		build61 --fragment "$T/spaces.config"
	printf '# ok\nCONFIG_A=y\nthis is not kconfig\n' >"$T/junk.config"
	O=$T/o49 CH=$S DESC="fragment syntax: a line that is not Kconfig (line shown)" row 49 2 - build61 --fragment "$T/junk.config"
	O=$T/o50 CH=$S DESC="--kconfig-add without a value" row 50 2 - build61 --kconfig-add CONFIG_TUN
	printf 'CONFIG_A=y\nCONFIG_A=m\n' >"$T/conflict.config"
	O=$T/o51 CH=$S DESC="conflicting values in one fragment" row 51 2 - \
		build61 --fragment "$T/conflict.config"
	printf 'CONFIG_NET_SCH_QFQ=m\n' >"$T/qfq.config"
	O=$T/o52 CH=$S DESC="a fragment defeating a required symbol" row 52 5 - \
		build61 --fragment "$T/qfq.config"
	printf 'CONFIG_UKB_NO_SUCH_SYMBOL=y\n# CONFIG_UKB_GONE is not set\nCONFIG_NET_SCH_QFQ=m\n' >"$T/unknown.config"
	O=$T/o53 CH=$S DESC="an unknown symbol is a warning with file:line" row 53 5 - \
		build61 --fragment "$T/unknown.config"
	check "an unknown symbol asked to be off is met, without a warning" \
		sh -c "! grep -q CONFIG_UKB_GONE '$T/err'"
	ROW_SUBST=() ROW_IGNORE=
else
	for n in 46 47 48 49 50 51 52 53; do skip_one "row $n: no $KSRC_61"; done
fi
done_testing
