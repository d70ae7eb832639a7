/*
 * version: parsing kernel versions, their order (an -rc before its
 * release), ranges, the top Makefile and kernel.org's tarball layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/version.h"

static struct kver ver(const char *s)
{
	struct kver v;
	const char *why = NULL;

	if (kver_parse(s, strlen(s), &v, &why))
		fail_msg("'%s' should parse: %s", s, why);
	return v;
}

static struct kver_range rng(const char *s)
{
	struct kver_range r;

	if (kver_range_parse(s, strlen(s), &r))
		fail_msg("range '%s' should parse", s);
	return r;
}

static int in(const char *v, const char *range)
{
	struct kver x = ver(v);
	struct kver_range r = rng(range);

	return kver_in_range(&x, &r);
}

static void test_parse_good(void **state)
{
	static const struct {
		const char *s;
		unsigned major, minor, patch, rc;
	} cases[] = {
		{ "4.10.1", 4, 10, 1, 0 },
		{ "4.9", 4, 9, 0, 0 },
		{ "6.1-rc3", 6, 1, 0, 3 },
		{ "4.9.337", 4, 9, 337, 0 },
		{ "5.0", 5, 0, 0, 0 },
		{ "3.10.0", 3, 10, 0, 0 },
		{ "6.16-rc12", 6, 16, 0, 12 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kver v;
		const char *why = NULL;

		assert_int_equal(kver_parse(cases[i].s, strlen(cases[i].s), &v,
					    &why), 0);
		assert_null(why);
		assert_int_equal(v.major, cases[i].major);
		assert_int_equal(v.minor, cases[i].minor);
		assert_int_equal(v.patch, cases[i].patch);
		assert_int_equal(v.rc, cases[i].rc);
	}
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"4.10.1.1.1", "v4", "v4.9", "../x", "4.09", "", "4.", "4",
		"4.10-rc0", "4.10-rc", "4.10-rc01", "4.10.1-rc2", "4.10-foo",
		"4.10.", "4..10", ".4.10", "4.10 ", " 4.10", "4.10\n", "1.2",
		"4.x", "4.10.1a", "99999999999.1", "4.-1", "4.10/../..",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kver v;
		const char *why = NULL;

		if (kver_parse(bad[i], strlen(bad[i]), &v, &why) !=
		    -UKB_EUSAGE)
			fail_msg("'%s' should be refused", bad[i]);
		assert_non_null(why);
		/* the reason is printable text, not an empty string */
		assert_true(strlen(why) > 0);
	}
	/* why may be NULL */
	{
		struct kver v;

		assert_int_equal(kver_parse("x", 1, &v, NULL), -UKB_EUSAGE);
	}
}

static void test_parse_uses_len(void **state)
{
	struct kver v;

	(void)state;
	/* only len bytes count: "4.10" out of "4.10.1" */
	assert_int_equal(kver_parse("4.10.1", 4, &v, NULL), 0);
	assert_int_equal(v.minor, 10);
	assert_int_equal(v.patch, 0);
	assert_int_equal(kver_parse("4.10.1", 5, &v, NULL), -UKB_EUSAGE);
}

static void test_cmp(void **state)
{
	static const char *const ordered[] = {
		"3.18", "3.18.140", "4.9-rc1", "4.9-rc8", "4.9", "4.9.1",
		"4.9.337", "4.10-rc1", "4.10-rc2", "4.10", "4.10.1", "4.10.17",
		"5.0-rc1", "5.0", "6.1-rc3", "6.1", "6.16",
	};
	size_t n = sizeof(ordered) / sizeof(ordered[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			struct kver a = ver(ordered[i]), b = ver(ordered[j]);
			int want = i < j ? -1 : i > j ? 1 : 0;
			int got = kver_cmp(&a, &b);

			if ((got > 0) - (got < 0) != want)
				fail_msg("kver_cmp(%s, %s) = %d, want %d",
					 ordered[i], ordered[j], got, want);
		}
	}
}

static void test_format(void **state)
{
	static const char *const round[] = { "4.10.1", "4.9", "6.1-rc3" };
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(round) / sizeof(round[0]); i++) {
		struct kver v = ver(round[i]);

		kver_format(&v, buf, sizeof(buf));
		assert_string_equal(buf, round[i]);
	}
	/* a short buffer is truncated, never overrun */
	{
		struct kver v = ver("4.10.1");
		char small[4];

		kver_format(&v, small, sizeof(small));
		assert_string_equal(small, "4.1");
	}
}

static void test_range_closed(void **state)
{
	struct kver_range r = rng("4.9..4.13");
	char buf[64];

	(void)state;
	assert_true(r.has_from);
	assert_true(r.has_to);
	assert_false(in("4.8.17", "4.9..4.13"));
	assert_true(in("4.9", "4.9..4.13"));
	assert_true(in("4.9.1", "4.9..4.13"));
	assert_true(in("4.12.14", "4.9..4.13"));
	assert_false(in("4.13", "4.9..4.13"));
	assert_false(in("4.13.1", "4.9..4.13"));
	assert_false(in("5.0", "4.9..4.13"));
	kver_range_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "4.9..4.13");
}

static void test_range_open(void **state)
{
	char buf[64];
	struct kver_range r;

	(void)state;
	r = rng("4.9..");
	assert_true(r.has_from);
	assert_false(r.has_to);
	assert_false(in("4.8", "4.9.."));
	assert_true(in("4.9", "4.9.."));
	assert_true(in("6.16", "4.9.."));
	kver_range_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "4.9..");

	r = rng("..6.16");
	assert_false(r.has_from);
	assert_true(r.has_to);
	assert_true(in("3.18", "..6.16"));
	assert_true(in("6.15.9", "..6.16"));
	assert_false(in("6.16", "..6.16"));
	assert_false(in("6.17", "..6.16"));
	kver_range_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "..6.16");

	r = rng("*");
	assert_false(r.has_from);
	assert_false(r.has_to);
	assert_true(in("2.6", "*"));
	assert_true(in("6.1-rc3", "*"));
	assert_true(in("99.0", "*"));
	kver_range_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "*");

	/* ".." alone is as open as "*" */
	r = rng("..");
	assert_false(r.has_from);
	assert_false(r.has_to);
}

static void test_range_bare(void **state)
{
	struct kver_range r = rng("4.9");
	char buf[64];

	(void)state;
	/* "4.9" is the 4.9 release and its stable updates */
	assert_true(in("4.9", "4.9"));
	assert_true(in("4.9.1", "4.9"));
	assert_true(in("4.9.337", "4.9"));
	assert_false(in("4.8.17", "4.9"));
	assert_false(in("4.10", "4.9"));
	assert_false(in("4.10.1", "4.9"));
	kver_range_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "4.9..4.10");

	/* a bare stable release still means the whole 4.9.x line */
	assert_true(in("4.9.1", "4.9.77"));
	assert_false(in("4.10", "4.9.77"));
}

static void test_range_to_stable(void **state)
{
	(void)state;
	assert_true(in("4.9", "4.9..4.9.77"));
	assert_true(in("4.9.76", "4.9..4.9.77"));
	assert_false(in("4.9.77", "4.9..4.9.77"));
	assert_false(in("4.9.78", "4.9..4.9.77"));
	assert_false(in("4.10", "4.9..4.9.77"));
}

static void test_range_bad(void **state)
{
	static const char *const bad[] = {
		"4.13..4.9",  /* reversed */
		"4.9..4.9",   /* empty */
		"4.9.77..4.9",
		"5.0..4.19.1",
		"", "**", "* ", "4.9...4.13", "4.9..4.13..5.0", "v4.9..4.13",
		"4.9..x", "x..4.9", "4.9-4.13", "4.9 ..4.13", "4.09..4.13",
		"...",
		/* empty: the rc of 4.0 counts as 4.0 when the bound is not an rc */
		"4.0-rc1..4.0", "4.0-rc2..4.0-rc1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kver_range r;

		if (kver_range_parse(bad[i], strlen(bad[i]), &r) != -UKB_EUSAGE)
			fail_msg("range '%s' should be refused", bad[i]);
	}
}

static void test_range_rc(void **state)
{
	(void)state;
	/* release candidates sort before their release */
	assert_false(in("4.12", "4.13-rc1.."));
	assert_true(in("4.13-rc1", "4.13-rc1.."));
	assert_true(in("4.13-rc2", "4.13-rc1.."));
	assert_true(in("4.13", "4.13-rc1.."));
	assert_false(in("4.13-rc2", "..4.13-rc2"));
	assert_true(in("4.13-rc1", "..4.13-rc2"));
	/* against release bounds, X.Y-rcN counts as the X.Y line */
	assert_true(in("4.10-rc1", "4.10"));
	assert_false(in("4.10-rc1", "4.9"));
	assert_false(in("4.13-rc1", "4.9..4.13"));
	assert_true(in("4.9-rc1", "4.9..4.13"));
}

static const char makefile_rc[] =
	"# SPDX-License-Identifier: GPL-2.0\n"
	"VERSION = 4\n"
	"PATCHLEVEL = 10\n"
	"SUBLEVEL = 0\n"
	"EXTRAVERSION = -rc2\n"
	"NAME = Fearless Coyote\n"
	"\n"
	"# *DOCUMENTATION*\n"
	"KERNELVERSION = $(VERSION)$(if $(PATCHLEVEL),.$(PATCHLEVEL))\n";

static void test_makefile(void **state)
{
	static const char stable[] =
		"VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 158\nEXTRAVERSION =\n"
		"NAME = Curry Ramen\n";
	static const char empty_sub[] =
		"VERSION = 2\nPATCHLEVEL = 6\nSUBLEVEL =\nEXTRAVERSION =\n";
	static const char tabs[] =
		"VERSION\t=\t5\r\nPATCHLEVEL = 4 \nSUBLEVEL = 3\n";
	struct kver v;

	(void)state;
	assert_int_equal(kver_from_makefile(makefile_rc, strlen(makefile_rc),
					    &v), 0);
	assert_int_equal(v.major, 4);
	assert_int_equal(v.minor, 10);
	assert_int_equal(v.patch, 0);
	assert_int_equal(v.rc, 2);

	assert_int_equal(kver_from_makefile(stable, strlen(stable), &v), 0);
	assert_int_equal(v.major, 6);
	assert_int_equal(v.minor, 1);
	assert_int_equal(v.patch, 158);
	assert_int_equal(v.rc, 0);

	assert_int_equal(kver_from_makefile(empty_sub, strlen(empty_sub), &v),
			 0);
	assert_int_equal(v.major, 2);
	assert_int_equal(v.minor, 6);
	assert_int_equal(v.patch, 0);
	assert_int_equal(v.rc, 0);

	assert_int_equal(kver_from_makefile(tabs, strlen(tabs), &v), 0);
	assert_int_equal(v.major, 5);
	assert_int_equal(v.minor, 4);
	assert_int_equal(v.patch, 3);
}

static void test_makefile_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"PATCHLEVEL = 10\nSUBLEVEL = 0\n",            /* no VERSION */
		"VERSION = 4\nSUBLEVEL = 0\n",                /* no PATCHLEVEL */
		"VERSION =\nPATCHLEVEL = 10\n",               /* empty VERSION */
		"VERSION = four\nPATCHLEVEL = 10\n",
		"VERSION = 4\nPATCHLEVEL = 10x\n",
		"VERSION = 0\nPATCHLEVEL = 10\n",
		"VERSION = 4\nPATCHLEVEL = 10\nSUBLEVEL = 1.2\n",
		"  VERSION = 4\n  PATCHLEVEL = 10\n",         /* not at column 0 */
	};
	struct kver v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kver_from_makefile(bad[i], strlen(bad[i]), &v) !=
		    -UKB_ESOURCE)
			fail_msg("Makefile #%zu should be refused", i);
}

static void test_makefile_len(void **state)
{
	struct kver v;
	/* the buffer ends inside SUBLEVEL's line: only "SUBLEVEL = 1" counts */
	static const char text[] = "VERSION = 4\nPATCHLEVEL = 9\nSUBLEVEL = 123";

	(void)state;
	assert_int_equal(kver_from_makefile(text, strlen(text) - 2, &v), 0);
	assert_int_equal(v.patch, 1);
}

static void test_tarball_url(void **state)
{
	struct kver v = ver("4.10.1");
	char *url;

	(void)state;
	url = kver_tarball_url("https://cdn.kernel.org/pub/linux/kernel", &v,
			       "xz");
	assert_string_equal(url, "https://cdn.kernel.org/pub/linux/kernel/v4.x/linux-4.10.1.tar.xz");
	free(url);
	url = kver_tarball_url("https://cdn.kernel.org/pub/linux/kernel/", &v,
			       "xz");
	assert_string_equal(url, "https://cdn.kernel.org/pub/linux/kernel/v4.x/linux-4.10.1.tar.xz");
	free(url);
	url = kver_tarball_url("http://127.0.0.1:8080/", &v, "sign");
	assert_string_equal(url, "http://127.0.0.1:8080/v4.x/linux-4.10.1.tar.sign");
	free(url);

	v = ver("6.1");
	url = kver_tarball_url("http://m", &v, "gz");
	assert_string_equal(url, "http://m/v6.x/linux-6.1.tar.gz");
	free(url);

	url = kver_tarball_name(&v, "xz");
	assert_string_equal(url, "linux-6.1.tar.xz");
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_uses_len),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_range_closed),
		cmocka_unit_test(test_range_open),
		cmocka_unit_test(test_range_bare),
		cmocka_unit_test(test_range_to_stable),
		cmocka_unit_test(test_range_bad),
		cmocka_unit_test(test_range_rc),
		cmocka_unit_test(test_makefile),
		cmocka_unit_test(test_makefile_bad),
		cmocka_unit_test(test_makefile_len),
		cmocka_unit_test(test_tarball_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
