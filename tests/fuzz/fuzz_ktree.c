/*
 * Kconfig files: ktree_parse on any bytes, then every symbol it found
 * explained against the same bytes read as a .config, with and without a
 * wanted value. Nothing may crash, leak or loop; every entry has a name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "configure/explain.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/ktree.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wants[] = { NULL, "y", "m", "n", "\"x\"", "16" };
	struct ktree t = KTREE_INIT;
	struct kc_set config = KC_SET_INIT;
	struct strbuf out = STRBUF_INIT, name = STRBUF_INIT;

	ktree_parse(&t, "Kconfig", (const char *)data, size);
	kc_parse_config(&config, ".config", (const char *)data, size);
	/* explaining is quadratic in the entries: a few are enough */
	for (size_t i = 0; i < t.nr && i < 8; i++) {
		if (!t.e[i].name[0] || !t.e[i].file)
			abort();
		/* "CONFIG_" + the name: a symbol may itself start with CONFIG_ */
		strbuf_reset(&name);
		strbuf_addf(&name, "CONFIG_%s", t.e[i].name);
		for (size_t w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
			if (explain_symbol(&t, &config, name.buf, wants[w], &out))
				abort(); /* it is defined: it was just read */
			if (wants[w] && explain_blockers(&t, &config, name.buf,
							 wants[w], &out) < 0)
				abort();
			strbuf_reset(&out);
		}
	}
	strbuf_release(&name);
	if (explain_symbol(&t, &config, "CONFIG_", "y", &out) == 0 && !t.nr)
		abort();
	strbuf_release(&out);
	kc_set_release(&config);
	ktree_release(&t);
	return 0;
}
