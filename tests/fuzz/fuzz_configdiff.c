/*
 * kmodcheck_config_diff: the input split at its first NUL into the
 * binary's config and the published one. A config never differs from
 * itself, and the count is symmetric.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "fuzz.h"
#include "verify/kmodcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data, *nul = memchr(a, '\0', size);
	size_t alen = nul ? (size_t)(nul - a) : size;
	const char *b = nul ? nul + 1 : a + size;
	size_t blen = nul ? size - alen - 1 : 0;
	struct strbuf first = STRBUF_INIT;
	size_t ab = kmodcheck_config_diff(a, alen, b, blen, &first);

	if (kmodcheck_config_diff(b, blen, a, alen, NULL) != ab)
		abort();
	if (kmodcheck_config_diff(a, alen, a, alen, NULL) != 0)
		abort();
	if (!ab != !first.len)
		abort();
	strbuf_release(&first);
	return 0;
}
