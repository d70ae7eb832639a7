/* Patch headers: patch_parse_header on a whole patch file's text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/scope.h"
#include "base/version.h"
#include "fuzz.h"
#include "source/patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kpatch p;
	struct kver v = { 6, 1, 0, 0 };
	int ret = patch_parse_header("0001-fuzz.patch", (const char *)data,
				     size, &p);

	if (!ret) {
		if (!p.subject || !p.origin || !p.arches ||
		    (p.arches & ~(unsigned)ARCH_ALL) || !p.nr_ranges ||
		    p.nr_ranges > PATCH_MAX_RANGES)
			abort();
		for (size_t i = 0; i < p.nr_ranges; i++)
			(void)kver_in_range(&v, &p.ranges[i]);
	}
	/* filled in part even on failure; there is no kpatch_release */
	free(p.path);
	free(p.name);
	free(p.subject);
	free(p.origin);
	free(p.verified);
	return 0;
}
