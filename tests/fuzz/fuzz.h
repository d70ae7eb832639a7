/*
 * Shared by the libFuzzer harnesses: the parsers report every bad input
 * with error() on stderr, which would drown the fuzzer's own output and
 * slow it down. Point the stdio stream elsewhere: libFuzzer kept its own
 * copy of the stream at start-up, and the sanitizers write to fd 2
 * directly, so crash reports still get through.
 */
#ifndef UKB_FUZZ_H
#define UKB_FUZZ_H

#include <stdio.h>

#include "log.h"

static inline void fuzz_quiet(void)
{
	FILE *null = fopen("/dev/null", "we");

	log_set_verbosity(LOG_QUIET);
	if (null)
		stderr = null;
}

#endif
