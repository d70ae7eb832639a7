#!/bin/bash
# Bad sources: one clear line, exit 3, nothing left half-written.
. "$(dirname "$0")/../lib.sh"

C="$T/cache"
ukbc() { run "$UKB" --cache "$C" "$@"; }

ukbc --tarball "$T/missing.tar.xz" --out "$T/o1"
expect_exit 3 "a missing tarball"
expect_err "^error: cannot read '$T/missing.tar.xz': No such file or directory\$" "names the file and the reason"
expect_one_error "one error line for a missing tarball"

head -c 100000 /dev/urandom >"$T/random.tar.xz"
ukbc --tarball "$T/random.tar.xz" --out "$T/o2"
expect_exit 3 "a tarball of random bytes"
expect_one_error "one error line for a corrupt tarball"
expect_err "random.tar.xz" "the corrupt tarball is named"

if [ -f "$KSRC_61" ]; then
	head -c 3000000 "$KSRC_61" >"$T/trunc.tar.xz"
	ukbc --tarball "$T/trunc.tar.xz" --out "$T/o3"
	expect_exit 3 "a truncated kernel tarball"
	expect_one_error "one error line for a truncated tarball"
fi

# entries that escape the tree
mkdir -p "$T/victim"
perl -MArchive::Tar -e '
	my $t = Archive::Tar->new;
	$t->add_data("linux-x/Makefile", "VERSION = 6\nPATCHLEVEL = 1\n");
	$t->add_data("linux-x/../../victim/escaped", "pwned");
	$t->write($ARGV[0]);' "$T/dotdot.tar"
ukbc --tarball "$T/dotdot.tar" --out "$T/o4"
expect_exit 3 "a tarball with ../ entries is refused"
expect_err "\\.\\." "the message names the escaping entry"
expect_no_path "$T/victim/escaped" "nothing was written outside the cache"
expect_no_path "$T/o4" "no artifact directory"
check "no half-unpacked tree left in the cache" sh -c "! ls '$C/trees' 2>/dev/null | grep -q tmp-"

perl -MArchive::Tar -e '
	my $t = Archive::Tar->new;
	$t->add_data("/tmp/ukb-abs-escape", "pwned");
	$t->write($ARGV[0]);' "$T/abs.tar"
ukbc --tarball "$T/abs.tar" --out "$T/o5"
expect_exit 3 "a tarball with an absolute path is refused"
expect_no_path /tmp/ukb-abs-escape "nothing was written at the absolute path"

mkdir -p "$T/notkernel/linux-y"
echo hello >"$T/notkernel/linux-y/README"
tar -C "$T/notkernel" -cJf "$T/notkernel.tar.xz" linux-y
ukbc --tarball "$T/notkernel.tar.xz" --out "$T/o6"
expect_exit 3 "a tarball that is not a kernel tree"
expect_err "is not a kernel tree" "says so"
done_testing
