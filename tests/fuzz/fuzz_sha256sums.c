/*
 * sha256sums_lookup: the signed list from sha256sums.asc. The first line
 * of the input names the file to look up, the rest is the list. A hit
 * must be 64 lowercase hex digits that the list really holds for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/sha256.h"
#include "base/wrapper.h"
#include "fuzz.h"
#include "source/sums.h"

static void check_hit(const char *list, size_t len, const char *file,
		      const char *out)
{
	if (!sha256_is_hex(out, SHA256_HEX_LEN) || out[SHA256_HEX_LEN])
		abort();
	/* some line of the list names the file after its hash */
	for (size_t i = 0; i + SHA256_HEX_LEN + 2 <= len; i++) {
		size_t flen = strlen(file);

		if ((i == 0 || list[i - 1] == '\n') &&
		    i + SHA256_HEX_LEN + 2 + flen <= len &&
		    !strncasecmp(list + i, out, SHA256_HEX_LEN) &&
		    !memcmp(list + i + SHA256_HEX_LEN + 2, file, flen))
			return;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl = memchr(s, '\n', size);
	char out[SHA256_HEX_LEN + 1] = "";
	char *file;
	int ret;

	ret = sha256sums_lookup("sha256sums.asc", s, size,
				"linux-6.1.1.tar.xz", out, NULL);
	if (!ret)
		check_hit(s, size, "linux-6.1.1.tar.xz", out);
	else if (ret != -UKB_ENOTFOUND && ret != -UKB_ESOURCE)
		abort();
	if (!nl || memchr(s, '\0', (size_t)(nl - s)))
		return 0;
	file = xstrndup(s, (size_t)(nl - s));
	ret = sha256sums_lookup("sha256sums.asc", nl + 1,
				size - (size_t)(nl - s) - 1, file, out, NULL);
	if (!ret)
		check_hit(nl + 1, size - (size_t)(nl - s) - 1, file, out);
	else if (ret != -UKB_ENOTFOUND && ret != -UKB_ESOURCE)
		abort();
	free(file);
	return 0;
}
