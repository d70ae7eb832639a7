#!/bin/bash
# Input files that are not what they claim (README "Bad input", rows 73 to
# 84, and "Limits"): devices, FIFOs and files over the size limit are
# refused at once instead of read until memory runs out or waited on
# forever; check-config says when a file is no .config; a Kconfig that
# sources itself is named; one --kconfig-add is one line. Every command
# that used to hang runs under `timeout -k 5 20`, so a regression fails (124)
# instead of hanging. None of it does kernel work: the build rows fail
# before the tarball is unpacked, on a private cache.
. "$(dirname "$0")/../lib.sh"
# a row that hangs fails (124) instead of hanging the suite
ROW_TIMEOUT=20

export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
C="$T/cache"

# a build of the 6.1 tarball on the private cache (timeout runs no function)
B=("$UKB" --cache "$C" --tarball "$KSRC_61")

mkfifo "$T/fifo"
truncate -s 17M "$T/big"   # sparse: over 16 MiB, costs nothing
: >"$T/empty"
printf 'CONFIG_UML=y\nCONFIG_TCP_CONG_BBR=y\n' >"$T/small.config"

# ---- check-config ---------------------------------------------------
DESC="check-config on /dev/zero" row 73 2 \
	"^error: \\.config '/dev/zero' is not a regular file\$" \
	"$UKB" check-config /dev/zero
DESC="check-config on a FIFO (used to hang)" row 74 2 \
	"^error: \\.config '$T/fifo' is not a regular file\$" \
	"$UKB" check-config "$T/fifo"
DESC="check-config on a file over 16 MiB" row 75 2 \
	"^error: \\.config '$T/big' is larger than 16 MiB, the limit for a \\.config\$" \
	"$UKB" check-config "$T/big"
DESC="check-config on an empty file" row 76 2 \
	"^error: '$T/empty' is not a Kconfig \\.config: it has no CONFIG_ line\$" \
	"$UKB" check-config "$T/empty"
DESC="check-config on a binary" row 77 2 \
	"^error: '$UKB' is not a Kconfig \\.config: it holds binary data\$" \
	"$UKB" check-config "$UKB"

run timeout -k 5 20 "$UKB" check-config --fragment /dev/zero "$T/small.config"
expect_exit 2 "check-config --fragment /dev/zero"
expect_err "^error: fragment '/dev/zero' is not a regular file\$" "names the fragment"
expect_one_error "one error line for check-config --fragment /dev/zero"

# ---- build: refused before any kernel work --------------------------
O=$T/o78 DESC="--fragment /dev/zero" row 78 2 \
	"^error: fragment '/dev/zero' is not a regular file\$" \
	"${B[@]}" --fragment /dev/zero --out "$T/o78"
O=$T/o79 DESC="--fragment FIFO (used to hang)" row 79 2 \
	"^error: fragment '$T/fifo' is not a regular file\$" \
	"${B[@]}" --fragment "$T/fifo" --out "$T/o79"
O=$T/o80 DESC="--config FIFO (used to hang)" row 80 2 \
	"^error: config file '$T/fifo' is not a regular file\$" \
	"${B[@]}" --config "$T/fifo" --out "$T/o80"
O=$T/o83 DESC="--kconfig-add with a line break" row 83 2 \
	"^error: --kconfig-add 'CONFIG_A=y\\.\\.\\.' holds a line break\$" \
	"${B[@]}" --kconfig-add $'CONFIG_A=y\nCONFIG_B=y' --out "$T/o83"
O=$T/o84 DESC="--kconfig-add ''" row 84 2 \
	"^error: option '--kconfig-add' wants a value, not an empty string\$" \
	"${B[@]}" --kconfig-add '' --out "$T/o84"

O=$T/o-big DESC="--fragment over 16 MiB" row - 2 \
	"^error: fragment '$T/big' is larger than 16 MiB, the limit for a fragment\$" \
	"${B[@]}" --fragment "$T/big" --out "$T/o-big"
O=$T/o-key DESC="--keyring /dev/zero" row - 2 \
	"^error: key file '/dev/zero' is not a regular file\$" \
	"$UKB" --cache "$C" --version 6.1.1 --keyring /dev/zero --out "$T/o-key"
# metadata.json records fragments as JSON strings: text that is not UTF-8
# aborted the build after configure (jansson refuses it); now refused first
printf 'CONFIG_A=y\n# caf\351\n' >"$T/latin1.config"
O=$T/o114 DESC="a fragment that is not UTF-8 text" row 114 2 \
	"^error: fragment '$T/latin1\\.config' is not UTF-8 text\$" \
	"${B[@]}" --fragment "$T/latin1.config" --out "$T/o114"
printf 'CONFIG_A=y\n' >"$T/"$'\xff'".config"
O=$T/o115 DESC="a fragment whose path is not UTF-8" row 115 2 \
	"^error: fragment '$T/\\\\xff\\.config': its path is not UTF-8 text\$" \
	"${B[@]}" --fragment "$T/"$'\xff'".config" --out "$T/o115"
# the fragments come first: nothing was unpacked into the private cache
check "no kernel tree was unpacked for the refused builds" \
	test -z "$(find "$C" -name Makefile 2>/dev/null | head -n 1)"

# ---- reproduce ------------------------------------------------------
DESC="reproduce of a metadata.json over 16 MiB" row 81 2 \
	"^error: metadata file '$T/big' is larger than 16 MiB, the limit for a metadata file\$" \
	"$UKB" --cache "$C" reproduce "$T/big"
run timeout -k 5 20 "$UKB" --cache "$C" reproduce "$T/fifo"
expect_exit 2 "reproduce of a FIFO (used to hang)"
expect_err "^error: metadata file '$T/fifo' is not a regular file\$" "says it is no regular file"

# a recorded project fragment that is /dev/zero was hashed until memory
# ran out; now it is not read, and the run goes on to the (missing) source
cat >"$T/zero.json" <<EOF
{"source": {"kind": "tarball", "tarball": "$T/no-such.tar.xz"},
 "build": {"subarch": "x86_64", "profile": "defconfig",
           "kconfig": [{"file": "/dev/zero", "sha256": "$(printf '0%.0s' $(seq 64))", "user": false}]},
 "vmlinux": {"sha256": "$(printf 'a%.0s' $(seq 64))"}}
EOF
run timeout -k 5 20 "$UKB" --cache "$C" reproduce "$T/zero.json"
# (3: the recorded tarball is missing; 2 if the metadata is refused first)
check "reproduce with /dev/zero as a project fragment ends (exit $rc)" \
	test "$rc" -eq 3 -o "$rc" -eq 2

# ---- explain on a Kconfig that sources itself -----------------------
mkdir -p "$T/kt/arch/x"
printf 'mainmenu "x"\nconfig FOO\n\tbool "foo"\nsource "arch/x/Kconfig"\n' >"$T/kt/Kconfig"
printf 'config BAR\n\tbool "bar"\nsource "arch/x/Kconfig"\n' >"$T/kt/arch/x/Kconfig"
printf 'CONFIG_FOO=y\nCONFIG_BAR=y\n' >"$T/kt/.config"
DESC="explain on a Kconfig that sources itself" row 82 2 \
	"^error: Kconfig source cycle: 'arch/x/Kconfig' sources itself \\(via Kconfig -> arch/x/Kconfig -> arch/x/Kconfig\\)\$" \
	"$UKB" explain -C "$T/kt" CONFIG_BAR
printf 'config BAR\n\tbool "bar"\n' >"$T/kt/arch/x/Kconfig"
run timeout -k 5 20 "$UKB" explain -C "$T/kt" CONFIG_BAR
expect_exit 0 "explain once the cycle is gone"
check "the definition is shown once" test "$(grep -c 'defined at' "$T/out")" -eq 1

DESC="explain -C on a .config that is a FIFO" row - 2 \
	"^error: \\.config '$T/kf/\\.config' is not a regular file\$" \
	sh -c 'mkdir -p "$1/kf" && mkfifo "$1/kf/.config" && exec "$2" explain -C "$1/kf" CONFIG_X' sh "$T" "$UKB"

# ---- large inputs parse in linear time --------------------------------
# (no timed assertion: bench/parse.sh measures; this one only has to end)
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "CONFIG_S%d=y\n", i }' >"$T/many.config"
run timeout -k 5 60 "$UKB" check-config --version 6.1 "$T/many.config"
check "check-config on 200k lines ends (exit $rc)" test "$rc" -eq 5

done_testing
