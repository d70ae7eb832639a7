/*
 * Kconfig fragments and .config files: the same bytes as a fragment, as a
 * generated .config, and as the .config a fragment is applied to. When
 * the fragment parses, applying it must leave its values in the result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kconfig.h"
#include "strbuf.h"
#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kc_set frag = KC_SET_INIT, config = KC_SET_INIT;
	struct kc_set back = KC_SET_INIT;
	struct kc_report rep = { 0 };
	struct kc_scope scope;
	struct strbuf out = STRBUF_INIT;
	struct kver v = { 6, 1, 0, 0 };
	int frag_ok;

	frag_ok = !kc_parse_fragment(&frag, "fuzz.config", s, size, &scope);
	if (frag_ok)
		(void)kc_scope_matches(&scope, &v, ARCH_X86_64);
	if (kc_parse_config(&config, ".config", s, size))
		abort(); /* the lenient parser takes anything */

	kc_apply(s, size, &frag, &out);
	if (kc_parse_config(&back, "applied", out.buf, out.len))
		abort();
	for (size_t i = 0; frag_ok && i < frag.nr; i++) {
		const struct kc_entry *e = kc_find(&back, frag.e[i].name);

		if (!e || strcmp(e->value, frag.e[i].value))
			abort();
	}

	(void)kc_check(&config, NULL, &frag, &v, ARCH_X86_64, &rep);
	(void)kc_merge(&config, &frag);

	kc_report_release(&rep);
	strbuf_release(&out);
	kc_set_release(&back);
	kc_set_release(&config);
	kc_set_release(&frag);
	return 0;
}
