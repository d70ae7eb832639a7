/*
 * support_parse: kconfig-fragments/unsupported.list, the releases
 * umlkbuild refuses. Each input is read for a few versions and targets; a
 * refusal always comes with a reason, and a reason without "{version}"
 * is a piece of the input, as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/scope.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "fuzz.h"
#include "source/support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kver versions[] = {
		{ 4, 4, 0, 0 }, { 4, 9, 0, 0 }, { 6, 1, 158, 0 }, { 6, 16, 0, 0 },
	};
	static const unsigned targets[] = {
		ARCH_X86_64, ARCH_I386 | LINK_STATIC, ARCH_X86_64 | LINK_DYNAMIC,
	};
	const char *s = (const char *)data;

	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]);
		     t++) {
			struct strbuf why = STRBUF_INIT;
			int ret = support_parse("unsupported.list", s, size,
						&versions[i], targets[t], &why);

			if (ret != 0 && ret != 1 && ret != -UKB_EUSAGE)
				abort();
			if ((ret == 1) != (why.len > 0))
				abort();
			if (ret == 1 && !memmem(s, size, "{version}", 9) &&
			    !memmem(s, size, why.buf, why.len))
				abort();
			strbuf_release(&why);
		}
	}
	return 0;
}
