/*
 * bundle_parse_sums: a bundle's SHA256SUMS. Accepted input gives pairs
 * of a plain name (no '/', no control character, listed once) and 64
 * lowercase-or-not hex digits; anything else is -EINVAL with a reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "base/strvec.h"
#include "bundle/bundle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec pairs = STRVEC_INIT;
	const char *why = NULL;
	size_t line;
	int ret = bundle_parse_sums((const char *)data, size, &pairs, &why, &line);

	if (ret && (ret != -EINVAL || !why || !line))
		abort();
	if (!ret) {
		if (pairs.nr % 2)
			abort();
		for (size_t i = 0; i < pairs.nr; i += 2) {
			if (!*pairs.v[i] || strchr(pairs.v[i], '/') ||
			    strlen(pairs.v[i + 1]) != SHA256_HEX_LEN)
				abort();
			for (size_t k = 0; k < i; k += 2)
				if (!strcmp(pairs.v[k], pairs.v[i]))
					abort();
		}
	}
	strvec_clear(&pairs);
	return 0;
}
