#!/bin/bash
# distcc as the compile engine, for real: a distccd started here on
# 127.0.0.1 compiles the kernel's objects of a minimal 6.1 build, and its
# log must show the jobs it compiled. Under `make check`, ccache stays in
# front (CCACHE_PREFIX=distcc, as users run it): a LOCALVERSION of this run
# makes the objects that include utsrelease.h miss, and only those go out.
# `make check-full` (UKB_DISTCC_FULL=1) builds without ccache, so that
# every compile of the kernel goes out (CC="distcc gcc").
. "$(dirname "$0")/../lib.sh"

command -v distccd >/dev/null && command -v distcc >/dev/null ||
	skip_all "distcc is not installed (apt-get install distcc)"
need_source "$KSRC_61"
# Debian's distccd only runs compilers it has a masquerade link for
[ -e /usr/lib/distcc/gcc ] || [ -e /usr/lib/distcc/x86_64-linux-gnu-gcc ] ||
	skip_all "no /usr/lib/distcc/gcc: run update-distcc-symlinks"

# a free port on 127.0.0.1 (nothing answers on it)
port=
for p in $(shuf -i 20000-60000 -n 50); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || skip_all "no free port on 127.0.0.1"

# distccd drops root for nobody, who must be able to write its log
D=$(mktemp -d /tmp/ukb-distccd.XXXXXX)
chmod 755 "$D"
touch "$D/distccd.log"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$D/distccd.log"
	as_user=(--user nobody)
fi
distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1 \
	--port "$port" --jobs 2 --log-level info --log-file "$D/distccd.log" \
	"${as_user[@]}" &
distccd_pid=$!
at_exit "kill $distccd_pid 2>/dev/null; wait $distccd_pid 2>/dev/null; rm -rf '$D'"
for _ in $(seq 50); do
	grep -q 'listening on' "$D/distccd.log" && break
	sleep 0.1
done
check "distccd listens on 127.0.0.1:$port" grep -q "listening on 127.0.0.1:$port" "$D/distccd.log"

hosts="127.0.0.1:$port/2"
a="$T/linux-6.1-um-x86_64-distcc"
if [ "${UKB_DISTCC_FULL:-0}" = 1 ]; then
	ccache=(--no-ccache) ccache2=(--no-ccache) least=50
else
	ccache=(--kconfig-add "CONFIG_LOCALVERSION=\"-dc$$-$RANDOM\"") least=0
	ccache2=()
fi
ukb --tarball "$KSRC_61" --arch x86_64 --profile minimal --no-boot \
	"${ccache[@]}" --distcc "$hosts" --out "$a"
expect_exit 0 "a minimal 6.1 build through distcc"
expect_err "compiling vmlinux with -j[0-9]+ (and ccache )?through distcc on 127\.0\.0\.1:$port/2" \
	"the compile says it goes through distcc, with -j raised"
n=$(grep -c 'COMPILE_OK' "$D/distccd.log" || true)
check "distccd compiled the kernel's objects ($n jobs)" test "${n:-0}" -gt "$least"
check "no compile was refused by distccd" sh -c "! grep -E 'not allowed|COMPILE_FAILED|cannot be an absolute path' '$D/distccd.log'"
check "the artifact is published" test -s "$a/vmlinux"
check "metadata.json records the distcc hosts" sh -c \
	"jq -e --arg h '$hosts' '.build.distcc_hosts == \$h and .build.toolchain.wrapper == \"distcc\"' '$a/metadata.json' >/dev/null"

# the toolchain profile, DISTCC_HOSTS from the environment; a changed
# LOCALVERSION recompiles the few objects that include utsrelease.h
before=$n
DISTCC_HOSTS="$hosts" ukb --tarball "$KSRC_61" --arch x86_64 --profile minimal \
	--no-boot "${ccache2[@]}" --toolchain gcc-distcc -j3 \
	--kconfig-add "CONFIG_LOCALVERSION=\"-distcc$$-$RANDOM\"" --out "$T/profile"
expect_exit 0 "--toolchain gcc-distcc builds with DISTCC_HOSTS from the environment"
expect_err "compiling vmlinux with -j3 (and ccache )?through distcc on its own host list" "an explicit -j is kept"
n=$(grep -c 'COMPILE_OK' "$D/distccd.log" || true)
check "the profile's compiles went to distccd too ($before -> $n)" test "$n" -gt "$before"
done_testing
