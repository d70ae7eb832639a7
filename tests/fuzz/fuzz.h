/*
 * Shared by the libFuzzer harnesses: the parsers report every bad input
 * with error() on stderr, which would drown the fuzzer's own output and
 * slow it down. Point the stdio stream elsewhere: libFuzzer kept its own
 * copy of the stream at start-up, and the sanitizers write to fd 2
 * directly, so crash reports still get through.
 */
#ifndef UKB_FUZZ_H
#define UKB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/log.h"

static inline void fuzz_quiet(void)
{
	FILE *null = fopen("/dev/null", "we");

	log_set_verbosity(LOG_QUIET);
	if (null)
		stderr = null;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Each harness is one file, so the usual start-up is defined here; a
 * harness that needs more defines FUZZ_CUSTOM_INIT before including this
 * and its own LLVMFuzzerInitialize, which calls fuzz_quiet().
 */
#ifndef FUZZ_CUSTOM_INIT
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}
#endif

#endif
