/*
 * Kernel versions and ranges: kver_parse, kver_range_parse and
 * kver_from_makefile on the same bytes. What parses must format and parse
 * back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/version.h"
#include "fuzz.h"

static void check_version(const struct kver *v)
{
	struct kver back;
	char buf[64];
	char *s;

	kver_format(v, buf, sizeof(buf));
	if (kver_parse(buf, strlen(buf), &back, NULL) || kver_cmp(v, &back))
		abort();
	s = kver_tarball_url("https://cdn.kernel.org/pub/linux/kernel/", v,
			     "xz");
	free(s);
}

static void check_range(const struct kver_range *r, const struct kver *v)
{
	struct kver_range back;
	char buf[128];

	kver_range_format(r, buf, sizeof(buf));
	if (kver_range_parse(buf, strlen(buf), &back) ||
	    back.has_from != r->has_from || back.has_to != r->has_to ||
	    (r->has_from && kver_cmp(&back.from, &r->from)) ||
	    (r->has_to && kver_cmp(&back.to, &r->to)))
		abort();
	/* a range's own ends: from is in, to is out */
	if (r->has_from && !kver_in_range(&r->from, r))
		abort();
	if (r->has_to && kver_in_range(&r->to, r))
		abort();
	(void)kver_in_range(v, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kver v = { 0 }, m;
	struct kver_range r;
	const char *why = NULL;

	if (!kver_parse(s, size, &v, &why))
		check_version(&v);
	else if (!why)
		abort(); /* a refusal always says why */
	if (!kver_range_parse(s, size, &r))
		check_range(&r, &v);
	if (!kver_from_makefile(s, size, &m))
		(void)kver_cmp(&m, &v);
	return 0;
}
