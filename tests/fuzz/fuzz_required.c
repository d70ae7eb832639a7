/*
 * The required-symbol list: kc_parse_required, then a check of an empty
 * configuration against it for a few versions and arches.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/scope.h"
#include "base/version.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kver versions[] = {
		{ 4, 9, 0, 0 }, { 4, 13, 0, 1 }, { 6, 1, 158, 0 }, { 6, 16, 0, 0 },
	};
	struct kc_required req = { KC_SET_INIT, NULL };
	struct kc_set empty = KC_SET_INIT;

	if (kc_parse_required(&req, "required.list", (const char *)data, size))
		goto out;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		for (unsigned arch = ARCH_X86_64; arch <= ARCH_I386; arch++) {
			struct kc_report rep = { 0 };

			(void)kc_check(&empty, &req, NULL, &versions[i], arch,
				       &rep);
			if (rep.required_failed > rep.nr)
				abort();
			kc_report_release(&rep);
		}
	}
out:
	kc_required_release(&req);
	return 0;
}
