#!/bin/bash
# Git sources through `umlkbuild fetch --git`: a repository the test makes,
# with tags, served as a path and by `git daemon` on 127.0.0.1; one bare
# mirror per URL in the cache; a second tag fetched incrementally; an
# unknown tag fails with one clear line. Then a tag of the real kernel
# source, served by git daemon, gives the tarball's tree (make check-full:
# builds, boots, bit-identical to the tarball's build).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mirror.sh"

"$UKB" fetch --help >/dev/null 2>&1 || fail_all "'$UKB fetch --help' fails"
command -v git >/dev/null || skip_all "git is not installed"
export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@umlkbuild.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@umlkbuild.invalid
C="$T/cache"
R="$T/git/linux.git"

mkdir -p "$T/git" "$T/work"
git init -q -b master "$T/work"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\n' >"$T/work/Makefile"
mkdir "$T/work/scripts"
printf '#!/bin/sh\n' >"$T/work/scripts/x.sh"
chmod +x "$T/work/scripts/x.sh"
git -C "$T/work" add -A
git -C "$T/work" commit -q -m one
git -C "$T/work" tag v6.1.1
git clone -q --bare "$T/work" "$R"
git_daemon_start "$T/git" || skip_all "cannot start git daemon"
URL="$GIT_DAEMON_URL/linux.git"
c1=$(git -C "$R" rev-parse 'v6.1.1^{commit}')
mirrors() { find "$C/git" -maxdepth 1 -name '*.git' | wc -l; }

run "$UKB" fetch --cache "$C" --git "$R" --ref v6.1.1 --out "$T/o1"
expect_exit 0 "export a tag from a path"
expect_out "^$c1\$" "prints the commit id"
check "the tree is there" grep -q "SUBLEVEL = 1" "$T/o1/Makefile"
check "modes are kept" test -x "$T/o1/scripts/x.sh"
check "no .git in the export" test ! -e "$T/o1/.git"

run "$UKB" fetch --cache "$C" --git "$URL" --ref v6.1.1 --out "$T/o2"
expect_exit 0 "export a tag over git://127.0.0.1"
expect_out "^$c1\$" "the same commit"
check "one bare mirror per URL" test "$(mirrors)" -eq 2

# a second tag: only the new objects come over the wire
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 2\n' >"$T/work/Makefile"
git -C "$T/work" commit -q -am two
git -C "$T/work" tag -a -m 6.1.2 v6.1.2
git -C "$T/work" push -q "$R" master v6.1.2
c2=$(git -C "$R" rev-parse 'v6.1.2^{commit}')
run "$UKB" fetch -v --cache "$C" --git "$URL" --ref v6.1.2 --out "$T/o3"
expect_exit 0 "export a second, annotated tag"
expect_out "^$c2\$" "the tag's commit"
check "the second tag's tree" grep -q "SUBLEVEL = 2" "$T/o3/Makefile"
expect_err "received 4 of 4 objects" \
	"incremental: the new commit, tree, blob and tag only"

# a tag the mirror holds needs no server
git_daemon_stop
run "$UKB" fetch --cache "$C" --git "$URL" --ref v6.1.1 --out "$T/o4"
expect_exit 0 "a cached tag exports without the server"
run "$UKB" fetch --cache "$C" --git "$URL" --ref master --out "$T/o5"
expect_exit 3 "a branch needs the server"
expect_one_error "one error line when the server is gone"
check "no half-written export" test ! -e "$T/o5"

run "$UKB" fetch --cache "$C" --git "$R" --ref v9.9 --out "$T/o6"
expect_exit 3 "an unknown tag"
expect_one_error "one error line for an unknown tag"
expect_err "^error: no tag, branch or commit 'v9.9' in '$R'\$" \
	"names the ref and the repository"
check "no export for an unknown tag" test ! -e "$T/o6"

run "$UKB" fetch --cache "$C" --git "$T/nothing-here" --ref v1 --out "$T/o7"
expect_exit 3 "a repository that does not exist"
expect_one_error "one error line for a missing repository"

# A tag of the real kernel source. The commit gets the tarball's date, so
# the tree from git and the tree from the tarball are the same inputs in
# different directories. `make check` compares the trees; `make
# check-full` (UKB_GIT_FULL=1) also builds and boots the tag and checks
# the two vmlinux are bit-identical. That is a second cold compile here:
# ccache cannot share objects between two trees, whose paths differ.
if [ -f "$KSRC_61" ]; then
	K="$T/kernel"
	scratch_tmpfs "$K"
	tar -C "$K" --strip-components=1 -xJf "$KSRC_61"
	git init -q -b master "$K"
	# Time, not size: 75000 objects stored without zlib (`git add` took
	# 69 s here on disk with zlib, 19 s on this tmpfs without), and the
	# daemon's pack sent without a delta search or zlib (95 -> 22 s, the
	# same objects): 1.3 GB over loopback instead of 240 MB. No `gc
	# --auto`: it would repack them all beside the test.
	git -C "$K" config core.looseCompression 0
	git -C "$K" config pack.window 0
	git -C "$K" config pack.compression 0
	git -C "$K" config gc.auto 0
	git -C "$K" add -A -f
	date="@$(stat -c %Y "$KSRC_61") +0000"
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		git -C "$K" commit -q -m "linux 6.1 from $(basename "$KSRC_61")"
	git -C "$K" tag -a -m ukb v6.1-ukb
	rm -rf "${K:?}"/*
	git_daemon_start "$T" || not_ok "cannot restart git daemon"
	run "$UKB" --cache "$UKB_TEST_CACHE" --git "$GIT_DAEMON_URL/kernel" \
		--ref v6.1-ukb --arch x86_64 --source-only
	expect_exit 0 "a tag of the kernel source: fetched, exported, patched"
	tree_git=$(cat "$T/out")
	run "$UKB" --cache "$UKB_TEST_CACHE" --tarball "$KSRC_61" --arch x86_64 --source-only
	expect_exit 0 "the same source from the tarball"
	tree_tar=$(cat "$T/out")
	check "two trees, one from git, one from the tarball" \
		sh -c "[ -d '$tree_git' ] && [ -d '$tree_tar' ] && [ '$tree_git' != '$tree_tar' ]"
	check "the trees are the same, file for file" diff -r --no-dereference -q "$tree_git" "$tree_tar"

	if [ "${UKB_GIT_FULL:-0}" = 1 ]; then
		run "$UKB" --cache "$UKB_TEST_CACHE" --git "$GIT_DAEMON_URL/kernel" \
			--ref v6.1-ukb --arch x86_64 --profile minimal --out "$T/art"
		expect_exit 0 "build and boot a tag of the kernel source"
		expect_file "$T/art/vmlinux" "the artifact is there"
		check "metadata records the commit" \
			grep -q "$(git -C "$K" rev-parse HEAD)" "$T/art/metadata.json"
	else
		diag "the build and boot of the tag is make check-full's"
	fi

	ukb --tarball "$KSRC_61" --arch x86_64 --profile minimal --out "$T/art-tar"
	expect_exit 0 "build the same source from the tarball"
	b=$(sha256sum <"$T/art-tar/vmlinux" | cut -d' ' -f1)
	if [ "${UKB_GIT_FULL:-0}" = 1 ]; then
		check "the two trees and build dirs differ" sh -c "[ \"\$(jq -r .source.kind '$T/art/metadata.json')\" = git ] && [ \"\$(jq -r .source.kind '$T/art-tar/metadata.json')\" = tarball ]"
		a=$(sha256sum <"$T/art/vmlinux" | cut -d' ' -f1)
		if [ "$a" = "$b" ]; then ok "reproducible: both vmlinux have sha256 $a"; else
			not_ok "reproducible: git build $a, tarball build $b"
		fi
	fi

	# reproduce: rebuild from the published metadata and compare
	run "$UKB" --cache "$UKB_TEST_CACHE" reproduce "$T/art-tar/metadata.json"
	expect_exit 0 "reproduce from metadata.json"
	expect_out "^reproduced: $b\$" "reproduce reports the matching sha256"

	# the build cache: same inputs are a no-op, one changed line rebuilds
	key=$(jq -r .build.input_key "$T/art-tar/metadata.json")
	ukb --tarball "$KSRC_61" --arch x86_64 --profile minimal --out "$T/art-tar"
	expect_exit 0 "the same build again"
	expect_err "is up to date" "is a no-op that says so"
	expect_out "^$b  $T/art-tar/vmlinux\$" "and still prints the artifact"
	printf 'CONFIG_IPV6=n\n' >"$T/noipv6.config"
	ukb --tarball "$KSRC_61" --arch x86_64 --profile minimal --out "$T/art-tar" \
		--fragment "$T/noipv6.config"
	expect_exit 0 "one changed fragment line rebuilds"
	check "no 'up to date' for changed inputs" sh -c "! grep -q 'is up to date' '$T/err'"
	check "the input key changed" sh -c "[ \"\$(jq -r .build.input_key '$T/art-tar/metadata.json')\" != '$key' ]"
	check "the new config has IPv6 off" grep -qx '# CONFIG_IPV6 is not set' "$T/art-tar/config"
	# nothing requires IPv6 to build, but a deployment needs it: the
	# guest's TCP over ::1 fails, and the check is named (51-deploy.t's
	# other half, on this build rather than a second one)
	mkdir -p "$T/tmp"
	run env TMPDIR="$T/tmp" "$UKB" boot --deploy "$T/art-tar/vmlinux"
	expect_exit 8 "boot --deploy fails on a kernel without IPv6"
	expect_err "^error: boot check failed: ipv6: TCP over ::1: Address family not supported" "the failing check is named"
	check "the failed boot left no scratch image" sh -c "[ -z \"\$(ls -A '$T/tmp')\" ]"
else
	skip_one "no $KSRC_61 to build a tag of"
fi

done_testing
