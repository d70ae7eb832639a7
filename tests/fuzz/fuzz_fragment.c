/*
 * Kconfig fragments and .config files: the same bytes as a fragment, as a
 * generated .config, and as the .config a fragment is applied to. When
 * the fragment parses, applying it must leave its values in the result.
 * kc_find's hash index must agree with a linear search (the first of
 * equal names), and kc_not_config with what was parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/scope.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "fuzz.h"

static const struct kc_entry *linear_find(const struct kc_set *set,
					  const char *name)
{
	for (size_t i = 0; i < set->nr; i++)
		if (!strcmp(set->e[i].name, name))
			return &set->e[i];
	return NULL;
}

static void check_index(const struct kc_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		char *shorter = strdup(set->e[i].name);

		if (kc_find(set, set->e[i].name) !=
		    linear_find(set, set->e[i].name))
			abort();
		/* a prefix of a name is another name */
		shorter[strlen(shorter) - 1] = '\0';
		if (kc_find(set, shorter) != linear_find(set, shorter))
			abort();
		free(shorter);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kc_set frag = KC_SET_INIT, config = KC_SET_INIT;
	struct kc_set back = KC_SET_INIT;
	struct kc_report rep = { 0 };
	struct scope scope;
	struct strbuf out = STRBUF_INIT;
	struct kver v = { 6, 1, 0, 0 };
	int frag_ok;

	frag_ok = !kc_parse_fragment(&frag, "fuzz.config", s, size, &scope);
	if (frag_ok)
		(void)scope_matches(&scope, &v, ARCH_X86_64);
	kc_parse_config(&config, ".config", s, size); /* takes anything */
	if (!kc_not_config(s, size, &config) !=
	    (!memchr(s, '\0', size) && config.nr > 0))
		abort();
	check_index(&frag);
	check_index(&config);

	kc_apply(s, size, &frag, &out);
	kc_parse_config(&back, "applied", out.buf, out.len);
	for (size_t i = 0; frag_ok && i < frag.nr; i++) {
		const struct kc_entry *e = kc_find(&back, frag.e[i].name);

		if (!e || strcmp(e->value, frag.e[i].value))
			abort();
	}

	(void)kc_check(&config, NULL, &frag, &v, ARCH_X86_64, &rep);
	(void)kc_merge(&config, &frag);
	check_index(&config);

	kc_report_release(&rep);
	strbuf_release(&out);
	kc_set_release(&back);
	kc_set_release(&config);
	kc_set_release(&frag);
	return 0;
}
