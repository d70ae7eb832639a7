# umlkbuild: builds User-mode Linux kernels with TCP BBR as the default.
# Targets: all check check-fast check-full bench fuzz valgrind install clean demo.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/umlkbuild
LIBEXECDIR ?= $(PREFIX)/libexec/umlkbuild
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
LIBS_PC := libcurl libarchive libkmod inih libgit2 libcrypto jansson libelf liblzma zlib yaml-0.1 libcrypt \
	libmnl libnftables

UKB_VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -fno-common
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -MMD -MP \
	-DUKB_VERSION='"$(UKB_VERSION)"' -DUKB_DATADIR='"$(DATADIR)"' \
	-DUKB_LIBEXECDIR='"$(LIBEXECDIR)"'
PC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC))
PC_LIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PC))

# VARIANT=asan builds everything with AddressSanitizer and UBSan.
VARIANT ?= release
ifeq ($(VARIANT),asan)
CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
BASE_CFLAGS += -Werror
endif

O := build/$(VARIANT)
LIB_SRCS := $(filter-out orchestrator/cli/main.c orchestrator/guest/%,\
	$(wildcard orchestrator/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
MAIN_OBJ := $(O)/orchestrator/cli/main.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

ifeq ($(VARIANT),release)
BIN := umlkbuild
else
BIN := $(O)/umlkbuild
endif
INIT := build/ukb-init build/ukb-init-i386
# small programs the e2e tests run (tests/tools/)
TEST_TOOLS := build/tests-tools/deny-syscall

.PHONY: all check check-fast check-layers check-unit check-e2e check-full bench bench-rootfs bench-matrix fuzz install clean \
	demo toolchain valgrind check-versions
all: $(BIN) $(INIT)

# Rebuild when the flags change (PREFIX, VARIANT, CFLAGS): make does not
# track -D values by itself.
FLAGS_NOW := $(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS)
$(O)/flags.stamp: FORCE
	@mkdir -p $(dir $@)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(subst ','\'',$(FLAGS_NOW))' ]; then \
		printf '%s\n' '$(subst ','\'',$(FLAGS_NOW))' >$@; fi
.PHONY: FORCE
FORCE:

$(O)/%.o: %.c $(O)/flags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(PC_CFLAGS) $(CFLAGS) -Iorchestrator -c -o $@ $<

$(O)/libukb.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(O)/libukb.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PC_LIBS)

# The boot check's init runs inside the guest from the host's /: static, so
# it needs nothing from the host's libraries.
GUEST_SRCS := $(wildcard orchestrator/guest/*.c)
build/ukb-init: $(GUEST_SRCS) orchestrator/guest/guest.h
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $(GUEST_SRCS)

# the same init for 32-bit guests (gcc-multilib)
build/ukb-init-i386: $(GUEST_SRCS) orchestrator/guest/guest.h
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=c17 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $(GUEST_SRCS)

# tests/unit/testlib.c: helpers linked into every unit test (not a test)
TESTLIB_OBJ := $(O)/tests/testlib.o
$(TESTLIB_OBJ): tests/unit/testlib.c $(O)/flags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(PC_CFLAGS) $(CFLAGS) -Iorchestrator -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(TESTLIB_OBJ) $(O)/libukb.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(PC_CFLAGS) $(CFLAGS) -Iorchestrator -o $@ $< \
		$(TESTLIB_OBJ) $(O)/libukb.a \
		$(LDFLAGS) $(PC_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

build/tests-tools/deny-syscall: tests/tools/deny-syscall.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) -O2 -o $@ $< $(shell $(PKG_CONFIG) --libs libseccomp)

toolchain:
	toolchain/install.sh

# Unit and end-to-end tests, built with ASan/UBSan and -Werror.
check: toolchain
	$(MAKE) VARIANT=asan WERROR=1 check-layers check-fast check-e2e

# The folders of orchestrator/ keep to orchestrator/LAYERS, in includes and
# in calls; the checker's own test plants a violation of each kind.
check-layers: $(BIN)
	tests/layers/check-layers.sh orchestrator $(O)/orchestrator
	tests/layers/test-check-layers.sh orchestrator $(O)/orchestrator

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "# $$t"; $$t; done

# In seconds: the unit tests, and the driver's tests on a fake make, strip
# and depmod (tests/fast/), without a kernel build.
check-fast: check-unit $(BIN)
	UKB=$(abspath $(BIN)) UKB_STRICT=1 prove --timer tests/fast/*.t

# What a cold run of the end-to-end tests takes at its peak under the
# suite's cache (kernel trees, builds, ccache), in GiB, with a margin: a
# cold `.ci/run` here peaked at 9.0 GiB (fifth session). tests/space.sh
# stops before the first test when the disk has less.
E2E_SPACE_GIB = 12

check-e2e: $(BIN) $(INIT) $(TEST_TOOLS)
	tests/space.sh "$${UKB_TEST_CACHE:-$(CURDIR)/build/test-cache}" $(E2E_SPACE_GIB)
	UKB=$(abspath $(BIN)) UKB_STRICT=1 UKB_TEST_TOOLS=$(abspath build/tests-tools) \
		prove -v --timer tests/e2e/*.t

# What `make check` leaves out for time: the suite's 6.1 artifact built
# defconfig-based (the README's main job, with modules) and the tests that
# boot it; every cell of 40-matrix.t (6.1 i386 and 6.12 x86_64 too),
# defconfig-based; the kernel built from a git tag and compared with the
# tarball's build (30-fetch-git.t); a Debian image made by mmdebstrap and
# booted (83-rootfs-debian.t, minutes).
check-full: check
	$(MAKE) VARIANT=asan WERROR=1 all
	UKB=$(abspath build/asan/umlkbuild) UKB_STRICT=1 UKB_PROFILE_61=defconfig \
		UKB_TEST_TOOLS=$(abspath build/tests-tools) UKB_IA32_VM_FULL=1 \
		prove -v --timer tests/e2e/10-build-6.1.t tests/e2e/11-config-check.t \
		tests/e2e/50-net.t tests/e2e/51-deploy.t tests/e2e/52-host-kernel.t \
		tests/e2e/80-rootfs.t tests/e2e/81-bundle.t tests/e2e/82-deploy.t
	UKB=$(abspath build/asan/umlkbuild) UKB_PROFILE=defconfig UKB_MATRIX_FULL=1 \
		prove -v --timer tests/e2e/40-matrix.t
	UKB=$(abspath build/asan/umlkbuild) UKB_STRICT=1 UKB_GIT_FULL=1 \
		prove -v --timer tests/e2e/30-fetch-git.t
	UKB=$(abspath build/asan/umlkbuild) UKB_DISTCC_FULL=1 \
		prove -v --timer tests/e2e/61-distcc.t
	UKB=$(abspath build/asan/umlkbuild) UKB_STRICT=1 \
		UKB_TEST_TOOLS=$(abspath build/tests-tools) UKB_DEBIAN_FULL=1 UKB_PROFILE_61=defconfig \
		prove -v --timer tests/e2e/83-rootfs-debian.t

# The main job of the README: build umlkbuild, then a BBR UML kernel from
# Debian's kernel source, and boot it.
demo: toolchain
	$(MAKE) all
	./umlkbuild --tarball /usr/src/linux-source-6.1.tar.xz --arch x86_64 \
		--out out/linux-6.1-um-x86_64

# Ratios against the manual recipe, written to bench/RESULTS.md; with
# MIRROR= and KEYRING= (a mirror check-versions has built from), also the
# nightly matrix's cost (bench-matrix).
bench: toolchain
	$(MAKE) all
	UKB=$(abspath umlkbuild) bench/run.sh
	UKB=$(abspath umlkbuild) bench/deploy.sh
	bench/tar-sign.sh
	@if [ -n "$(MIRROR)" ] && [ -n "$(KEYRING)" ]; then \
		$(MAKE) bench-matrix; \
	else \
		echo 'bench: the nightly matrix left out: it needs MIRROR=URL KEYRING=FILE (see bench-matrix)' >&2; \
	fi

# What the nightly version matrix costs (issue #11): every release the
# mirror serves, minimal, x86_64 and i386, on downloads and ccache that
# an earlier check-versions left in CACHE (bench/matrix-cost.sh).
bench-matrix:
	$(MAKE) all
	@test -n "$(MIRROR)" -a -n "$(KEYRING)" || \
		{ echo 'usage: make bench-matrix MIRROR=URL KEYRING=FILE [CACHE=DIR] [VERSIONS="X.Y.Z ..."] [ARCHES="x86_64 i386"]' >&2; exit 2; }
	MIRROR='$(MIRROR)' KEYRING='$(KEYRING)' VERSIONS='$(VERSIONS)' \
		UKB=$(abspath umlkbuild) bench/matrix-cost.sh

# The guest's side alone (bench/rootfs.sh; also run by bench).
bench-rootfs:
	$(MAKE) all
	UKB=$(abspath umlkbuild) bench/rootfs.sh

# umlkbuild's own process under valgrind (memcheck) on a full run: a cold
# build, fetch, git, boot --deploy and the small commands (tests/valgrind/memcheck.t;
# about ten minutes, so not part of check).
valgrind: toolchain
	$(MAKE) all
	UKB=$(abspath umlkbuild) prove -v tests/valgrind/memcheck.t

# The version matrix (issue #11): every release a kernel.org-shaped mirror
# serves, built and booted; writes bench/VERSIONS.md. Not part of check:
# it needs the trees (tests/versions/TREES.md, tests/versions/make-mirror.sh).
check-versions:
	$(MAKE) all
	@test -n "$(MIRROR)" -a -n "$(KEYRING)" || \
		{ echo 'usage: make check-versions MIRROR=URL KEYRING=FILE [VERSIONS="X.Y.Z ..."]' >&2; exit 2; }
	MIRROR='$(MIRROR)' KEYRING='$(KEYRING)' VERSIONS='$(VERSIONS)' \
		UKB=$(abspath umlkbuild) tests/versions/check-versions.sh

install: $(BIN) $(INIT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(DATADIR)/kconfig-fragments $(DESTDIR)$(DATADIR)/patches
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/umlkbuild
	install -m 755 build/ukb-init build/ukb-init-i386 $(DESTDIR)$(LIBEXECDIR)/
	install -D -m 644 umlkbuild.1 $(DESTDIR)$(MANDIR)/man1/umlkbuild.1
	install -D -m 644 completion/umlkbuild.bash $(DESTDIR)$(COMPLETIONDIR)/umlkbuild
	cp -R kconfig-fragments/. $(DESTDIR)$(DATADIR)/kconfig-fragments/
	cp -R patches/. $(DESTDIR)$(DATADIR)/patches/
	install -d $(DESTDIR)$(DATADIR)/keys $(DESTDIR)$(DATADIR)/toolchain/profiles
	install -m 644 toolchain/profiles/*.ini $(DESTDIR)$(DATADIR)/toolchain/profiles/
	install -m 644 keys/*.asc $(DESTDIR)$(DATADIR)/keys/
	install -d $(DESTDIR)$(DATADIR)/keys/alpine $(DESTDIR)$(DATADIR)/rootfs
	install -m 644 keys/alpine/*.asc $(DESTDIR)$(DATADIR)/keys/alpine/
	install -m 644 rootfs/boot.sh rootfs/50-umlkbuild.conf rootfs/debian.packages $(DESTDIR)$(DATADIR)/rootfs/
	install -d $(DESTDIR)$(DATADIR)/bundle
	install -m 644 bundle/run.sh bundle/README $(DESTDIR)$(DATADIR)/bundle/

clean:
	rm -rf build umlkbuild

-include $(wildcard $(O)/orchestrator/*/*.d $(O)/tests/*.d)

include tests/fuzz/fuzz.mk
