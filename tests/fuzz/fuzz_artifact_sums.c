/*
 * publish_parse_sums: an existing --out directory's SHA256SUMS, which
 * decides whether that directory may be replaced. Every name it accepts
 * must be a plain file name: never empty, '.', '..', SHA256SUMS itself,
 * or holding a '/' or a NUL, or publish would remove something else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strvec.h"
#include "fuzz.h"
#include "publish/publish.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec names = STRVEC_INIT;
	const char *why = NULL;
	int ret = publish_parse_sums((const char *)data, size, &names, &why);

	if (ret && (ret != -EINVAL || !why))
		abort();
	for (size_t i = 0; !ret && i < names.nr; i++) {
		const char *n = names.v[i];

		if (!*n || strchr(n, '/') || !strcmp(n, ".") ||
		    !strcmp(n, "..") || !strcmp(n, "SHA256SUMS") ||
		    !memmem(data, size, n, strlen(n)))
			abort();
	}
	strvec_clear(&names);
	return 0;
}
