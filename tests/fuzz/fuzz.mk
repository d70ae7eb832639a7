# libFuzzer harnesses for umlkbuild's parsers. Included by the top Makefile
# (`make fuzz`) and usable alone from the top of the tree:
#   make -f tests/fuzz/fuzz.mk fuzz FUZZ_SECONDS=20
# Each harness runs for FUZZ_SECONDS on build/fuzz/corpus-NAME, a work copy
# seeded from tests/fuzz/corpus/NAME, so new inputs never land in the
# repository; crashes are written as build/fuzz/NAME-crash-*.

FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_PKG_CONFIG ?= pkg-config
FUZZ_O := build/fuzz
FUZZ_LIBS_PC := libcurl libarchive libkmod inih libgit2 libcrypto jansson libelf liblzma zlib yaml-0.1 libcrypt \
	libmnl libnftables
# every tests/fuzz/fuzz_NAME.c is a harness, its seeds in corpus/fuzz_NAME/
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

FUZZ_SAN := address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -g -O1 -std=c17 -D_GNU_SOURCE -Iorchestrator -MMD -MP \
	-DUKB_VERSION='"$(shell cat VERSION 2>/dev/null || echo 0.0.0)"' \
	$(shell $(FUZZ_PKG_CONFIG) --cflags $(FUZZ_LIBS_PC))
FUZZ_LIBS = $(shell $(FUZZ_PKG_CONFIG) --libs $(FUZZ_LIBS_PC))

FUZZ_LIB_SRCS := $(filter-out orchestrator/cli/main.c orchestrator/guest/%,\
	$(wildcard orchestrator/*/*.c))
FUZZ_LIB_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ_O)/%.o)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_O)/%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# The library is instrumented for coverage but gets no main of its own.
$(FUZZ_O)/orchestrator/%.o: orchestrator/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
		-c -o $@ $<

$(FUZZ_O)/libukb.a: $(FUZZ_LIB_OBJS)
	$(AR) rcs $@ $^

# $< and the library, not $^: the .d files add headers as prerequisites.
$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_O)/libukb.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
		$(FUZZ_O)/libukb.a $(FUZZ_LIBS)

# One target per harness, so `make -j2 fuzz` runs two at a time. Each
# harness's output goes to build/fuzz/NAME.log; the summary line (runs,
# corpus size, seconds) is printed when it finishes. Every harness runs
# even when one fails; the target fails at the end.
FUZZ_RUNS := $(FUZZ_NAMES:%=fuzz-run-%)
.PHONY: $(FUZZ_RUNS)
fuzz: $(FUZZ_RUNS)
	@failed=; for n in $(FUZZ_NAMES); do \
		[ -e $(FUZZ_O)/$$n.failed ] && failed="$$failed $$n"; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "error: fuzzing found crashes in:$$failed (inputs and logs in $(FUZZ_O)/)" >&2; \
		exit 1; \
	fi; true

$(FUZZ_RUNS): fuzz-run-%: $(FUZZ_O)/%
	@mkdir -p $(FUZZ_O)/corpus-$*
	@rm -f $(FUZZ_O)/$*.failed
	@if [ -d tests/fuzz/corpus/$* ]; then cp -R tests/fuzz/corpus/$*/. $(FUZZ_O)/corpus-$*/; fi
	@echo "# $*: $(FUZZ_SECONDS) s, log in $(FUZZ_O)/$*.log"
	@$(FUZZ_O)/$* -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_O)/$*- $(FUZZ_O)/corpus-$* \
		>$(FUZZ_O)/$*.log 2>&1 || touch $(FUZZ_O)/$*.failed
	@printf '# %s: %s, %s runs, corpus %s files, %s s\n' $* \
		"$$([ -e $(FUZZ_O)/$*.failed ] && echo FAILED || echo clean)" \
		"$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_O)/$*.log)" \
		"$$(ls $(FUZZ_O)/corpus-$* | wc -l)" \
		"$$(sed -n 's/^stat::\(average_exec_per_sec\|peak_rss_mb\).*//p;s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' $(FUZZ_O)/$*.log)"

-include $(wildcard $(FUZZ_O)/*.d $(FUZZ_O)/orchestrator/*/*.d)
