/*
 * Kconfig expressions: kexpr_parse on any bytes. What parses must print
 * in a canonical form that parses back to the same text and the same
 * value (against a .config made up from the symbols' names), and print
 * with values; what does not parse must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "configure/kexpr.h"
#include "fuzz.h"

/* A value for every name, from its first letter: y, m, n, a number, a
 * string (with an escaped quote), or unset. */
static const char *lookup(const char *name, void *data)
{
	static const char *const values[] = {
		"y", "m", "n", "42", "0x10", "-3", "\"str\"", "\"a \\\"q\\\"\"",
		NULL,
	};

	(void)data;
	return values[(unsigned char)name[0] % (sizeof(values) / sizeof(values[0]))];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, ann = STRBUF_INIT;
	struct kexpr *e = NULL, *back = NULL;
	const char *why = NULL;
	int v;

	if (kexpr_parse((const char *)data, size, &e, &why)) {
		if (!why || e)
			abort();
		return 0;
	}
	v = kexpr_eval(e, lookup, NULL);
	if (v < 0 || v > 2)
		abort();
	(void)kexpr_eval(e, NULL, NULL);
	(void)kexpr_operand(e, NULL);
	kexpr_format(e, &a, NULL, NULL);
	kexpr_format(e, &ann, lookup, NULL);
	if (kexpr_parse(a.buf, a.len, &back, &why))
		abort(); /* the canonical form must read back */
	kexpr_format(back, &b, NULL, NULL);
	if (strcmp(a.buf, b.buf) || kexpr_eval(back, lookup, NULL) != v)
		abort();
	kexpr_free(back);
	kexpr_free(e);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&ann);
	return 0;
}
