/*
 * patch: headers, loading and choosing a series, and applying patches
 * with GNU patch to a tiny tree in a temporary directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/scope.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "source/patch.h"

static char tmp[64];

static const char diff_hello[] =
	"--- a/a.txt\n"
	"+++ b/a.txt\n"
	"@@ -1,3 +1,3 @@\n"
	" first\n"
	"-hello\n"
	"+world\n"
	" last\n";

static const char good[] =
	"Subject: um: say world instead of hello\n"
	"Origin: mirrors upstream 5d90cf6dcc6a (\"um: further clean up\"), 6.4\n"
	"Versions: 4.9..6.4\n"
	"Arch: x86_64\n"
	"Verified: 6.1.192 x86_64: applied, boots\n"
	"\n"
	"Why the change is needed: hello is not enough.\n"
	"Key: like lines in the explanation are free text.\n"
	"\n"
	"---\n";

/* patch_parse_header leaves allocations behind on failure too. */
static void kpatch_clear(struct kpatch *p)
{
	free(p->path);
	free(p->name);
	free(p->subject);
	free(p->origin);
	free(p->verified);
	memset(p, 0, sizeof(*p));
}

/* "tmp/name" in one of a few rotating buffers: enough for one call. */
static const char *tp(const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", tmp, name);
	return b;
}

static void put(const char *name, const char *text)
{
	assert_int_equal(write_file_atomic(tp(name), text, strlen(text), 0644),
			 0);
}

static char *slurp(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_read_file(&sb, tp(name)), 0);
	return strbuf_detach(&sb, NULL);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_patch.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmtree(tmp);
}

static int parse(const char *text, struct kpatch *p)
{
	return patch_parse_header("0001-test.patch", text, strlen(text), p);
}

static void test_header_good(void **state)
{
	struct strbuf text = STRBUF_INIT;
	struct kpatch p;
	struct kver v;

	(void)state;
	strbuf_addstr(&text, good);
	strbuf_addstr(&text, diff_hello);
	assert_int_equal(parse(text.buf, &p), 0);
	assert_string_equal(p.name, "0001-test.patch");
	assert_string_equal(p.subject, "um: say world instead of hello");
	assert_string_equal(p.origin,
			    "mirrors upstream 5d90cf6dcc6a (\"um: further clean up\"), 6.4");
	assert_string_equal(p.verified, "6.1.192 x86_64: applied, boots");
	assert_int_equal(p.arches, ARCH_X86_64);
	assert_int_equal(p.nr_ranges, 1);
	assert_true(p.ranges[0].has_from);
	assert_true(p.ranges[0].has_to);
	assert_int_equal(kver_parse("6.3.13", 6, &v, NULL), 0);
	assert_true(kver_in_range(&v, &p.ranges[0]));
	assert_int_equal(kver_parse("6.4", 3, &v, NULL), 0);
	assert_false(kver_in_range(&v, &p.ranges[0]));
	assert_null(p.path);
	kpatch_clear(&p);
	strbuf_release(&text);
}

static void test_header_minimal(void **state)
{
	static const char text[] =
		"From: A Developer <dev@example.org>\n"
		"Subject:   trimmed  \t\n"
		"Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
		"Origin: umlkbuild\n"
		"Versions: *\n"
		"---\n"
		"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
	static const char arches[] =
		"Subject: s\nOrigin: o\nVersions: 4.9\nArch: i386\n\n---\n";
	struct kpatch p;

	(void)state;
	assert_int_equal(parse(text, &p), 0);
	assert_string_equal(p.subject, "trimmed");
	assert_int_equal(p.arches, ARCH_ALL);
	assert_int_equal(p.nr_ranges, 1);
	assert_false(p.ranges[0].has_from);
	assert_false(p.ranges[0].has_to);
	assert_null(p.verified);
	kpatch_clear(&p);

	assert_int_equal(parse(arches, &p), 0);
	assert_int_equal(p.arches, ARCH_I386);
	kpatch_clear(&p);
}

static void test_header_ranges(void **state)
{
	static const char text[] =
		"Subject: s\nOrigin: o\n"
		"Versions: 4.9..4.9.187,  4.10..4.13 ,5.4\n\n---\n";
	static const struct {
		const char *v;
		int in;
	} cases[] = {
		{ "4.8", 0 }, { "4.9", 1 }, { "4.9.186", 1 }, { "4.9.187", 0 },
		{ "4.10", 1 }, { "4.12.14", 1 }, { "4.13", 0 }, { "5.3", 0 },
		{ "5.4", 1 }, { "5.4.300", 1 }, { "5.5", 0 },
	};
	struct patch_series all = { 0 }, out = { 0 };
	struct kpatch p;

	(void)state;
	assert_int_equal(parse(text, &p), 0);
	assert_int_equal(p.nr_ranges, 3);
	/* selection takes a patch when any of its ranges holds */
	all.p = calloc(1, sizeof(*all.p));
	assert_non_null(all.p);
	all.p[0] = p;
	all.nr = all.alloc = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kver v;

		assert_int_equal(kver_parse(cases[i].v, strlen(cases[i].v), &v,
					    NULL), 0);
		patch_series_select(&all, &v, ARCH_X86_64, &out);
		if (out.nr != (size_t)cases[i].in)
			fail_msg("%s: selected %zu, want %d", cases[i].v, out.nr,
				 cases[i].in);
		patch_series_release(&out);
	}
	patch_series_release(&all);

	/* as many ranges as a patch holds */
	assert_int_equal(parse("Subject: s\nOrigin: o\n"
			       "Versions: 4.1,4.2,4.3,4.4,4.5,4.6,4.7,4.8\n\n---\n",
			       &p), 0);
	assert_int_equal(p.nr_ranges, PATCH_MAX_RANGES);
	kpatch_clear(&p);
}

static void test_header_bad(void **state)
{
	static const char *const bad[] = {
		/* no Subject */
		"Origin: o\nVersions: *\n\n---\n",
		/* no Versions */
		"Subject: s\nOrigin: o\n\n---\n",
		/* no Origin */
		"Subject: s\nVersions: 4.9..4.13\n\n---\n",
		/* bad Arch */
		"Subject: s\nOrigin: o\nVersions: *\nArch: arm64\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: *\nArch:\n\n---\n",
		/* bad ranges */
		"Subject: s\nOrigin: o\nVersions: 4.13..4.9\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: four\n\n---\n",
		"Subject: s\nOrigin: o\nVersions:\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: 4.9,,4.10\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: 4.9, 4.10..4.9\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: 4.9 4.10\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: ,4.9\n\n---\n",
		/* more ranges than a patch holds */
		"Subject: s\nOrigin: o\nVersions: 4.1,4.2,4.3,4.4,4.5,4.6,4.7,4.8,4.9\n\n---\n",
		/* no diff */
		"Subject: s\nOrigin: o\nVersions: *\n\nSome text, but no diff.\n",
		"Subject: s\nOrigin: o\nVersions: *\n",
		/* not "Key: value" */
		"Subject: s\nOrigin: o\nVersions: *\njust text\n\n---\n",
		"Subject: s\nOrigin: o\nVersions: *\nSigned-off-by: x\n\n---\n",
		"subject: s\nOrigin: o\nVersions: *\n\n---\n",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kpatch p;
		int ret = parse(bad[i], &p);

		if (ret != -UKB_EUSAGE)
			fail_msg("header #%zu gave %d, want -UKB_EUSAGE", i, ret);
		kpatch_clear(&p);
	}
}

static void write_patch(const char *name, const char *versions,
			const char *arch, const char *diff)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "Subject: %s\nOrigin: test\nVersions: %s\nArch: %s\n"
		    "\nA test patch.\n\n---\n%s", name, versions, arch, diff);
	put(name, sb.buf);
	strbuf_release(&sb);
}

static void load_three(struct patch_series *all)
{
	assert_int_equal(mkdir_p(tp("series"), 0755), 0);
	write_patch("series/0003-c.patch", "*", "x86_64", diff_hello);
	write_patch("series/0001-a.patch", "4.9..4.13", "all", diff_hello);
	write_patch("series/0002-b.patch", "5.0..", "i386", diff_hello);
	put("series/README.md", "not a patch\n");
	put("series/0004-d.patch.orig", "not a patch either\n");
	assert_int_equal(patch_series_load(tp("series"), all), 0);
}

static void test_series_load(void **state)
{
	struct patch_series all = { 0 };
	char key[SHA256_HEX_LEN + 1], key2[SHA256_HEX_LEN + 1];

	(void)state;
	load_three(&all);
	assert_int_equal(all.nr, 3);
	assert_string_equal(all.p[0].name, "0001-a.patch");
	assert_string_equal(all.p[1].name, "0002-b.patch");
	assert_string_equal(all.p[2].name, "0003-c.patch");
	assert_string_equal(all.p[0].path, tp("series/0001-a.patch"));
	assert_string_equal(all.p[0].subject, "series/0001-a.patch");
	for (size_t i = 0; i < all.nr; i++)
		assert_int_equal(strlen(all.p[i].sha256), SHA256_HEX_LEN);
	/* different contents, different hashes */
	assert_string_not_equal(all.p[0].sha256, all.p[1].sha256);

	patch_series_key(&all, key);
	assert_int_equal(strlen(key), SHA256_HEX_LEN);
	patch_series_key(&all, key2);
	assert_string_equal(key, key2);
	patch_series_release(&all);
	assert_int_equal(all.nr, 0);
	assert_null(all.p);
}

static void test_series_load_bad(void **state)
{
	struct patch_series all = { 0 };

	(void)state;
	assert_int_equal(mkdir_p(tp("broken"), 0755), 0);
	write_patch("broken/0001-a.patch", "4.9..4.13", "all", diff_hello);
	put("broken/0002-b.patch", "no header here\n");
	assert_int_equal(patch_series_load(tp("broken"), &all), -UKB_EUSAGE);
	assert_int_equal(all.nr, 0);
	patch_series_release(&all);

	assert_int_equal(patch_series_load(tp("no-such-dir"), &all), -ENOENT);
	patch_series_release(&all);
}

static void select_names(const struct patch_series *all, const char *v,
			 unsigned arch, const char *want)
{
	struct patch_series out = { 0 };
	struct strbuf names = STRBUF_INIT;
	struct kver kv;

	assert_int_equal(kver_parse(v, strlen(v), &kv, NULL), 0);
	patch_series_select(all, &kv, arch, &out);
	for (size_t i = 0; i < out.nr; i++)
		strbuf_addf(&names, "%s%s", i ? " " : "", out.p[i].name);
	if (strcmp(names.buf, want))
		fail_msg("%s arch %u: chose '%s', want '%s'", v, arch, names.buf,
			 want);
	patch_series_release(&out);
	strbuf_release(&names);
}

static void test_series_select(void **state)
{
	struct patch_series all = { 0 };

	(void)state;
	load_three(&all);
	select_names(&all, "4.10.1", ARCH_X86_64, "0001-a.patch 0003-c.patch");
	select_names(&all, "4.10.1", ARCH_I386, "0001-a.patch");
	select_names(&all, "4.13", ARCH_I386, "");
	select_names(&all, "5.4", ARCH_I386, "0002-b.patch");
	select_names(&all, "5.4", ARCH_X86_64, "0003-c.patch");
	select_names(&all, "4.8", ARCH_X86_64, "0003-c.patch");
	patch_series_release(&all);
}

static void load_one(const char *name, const char *diff, struct patch_series *s)
{
	struct strbuf dir = STRBUF_INIT, file = STRBUF_INIT;

	strbuf_addf(&dir, "dir-%s", name);
	strbuf_addf(&file, "%s/%s", dir.buf, name);
	assert_int_equal(mkdir_p(tp(dir.buf), 0755), 0);
	write_patch(file.buf, "*", "all", diff);
	assert_int_equal(patch_series_load(tp(dir.buf), s), 0);
	assert_int_equal(s->nr, 1);
	strbuf_release(&dir);
	strbuf_release(&file);
}

static void test_apply(void **state)
{
	static const char hello[] = "first\nhello\nlast\n";
	static const char world[] = "first\nworld\nlast\n";
	static const char other[] = "one\n";
	/* b.txt would apply, a.txt does not: nothing may change */
	static const char diff_half[] =
		"--- a/b.txt\n"
		"+++ b/b.txt\n"
		"@@ -1 +1 @@\n"
		"-one\n"
		"+two\n"
		"--- a/a.txt\n"
		"+++ b/a.txt\n"
		"@@ -1,3 +1,3 @@\n"
		" first\n"
		"-goodbye\n"
		"+farewell\n"
		" last\n";
	struct patch_series s1 = { 0 }, s2 = { 0 };
	struct kver v;
	int skipped = -1;
	char *text;

	(void)state;
	assert_int_equal(kver_parse("6.1", 3, &v, NULL), 0);
	assert_int_equal(mkdir_p(tp("tree"), 0755), 0);
	put("tree/a.txt", hello);
	put("tree/b.txt", other);
	load_one("0001-hello.patch", diff_hello, &s1);
	load_one("0002-half.patch", diff_half, &s2);

	assert_int_equal(patch_apply(&s1.p[0], tp("tree"), &v, &skipped), 0);
	assert_int_equal(skipped, 0);
	text = slurp("tree/a.txt");
	assert_string_equal(text, world);
	free(text);

	/* again: already there, skipped, unchanged */
	assert_int_equal(patch_apply(&s1.p[0], tp("tree"), &v, &skipped), 0);
	assert_int_equal(skipped, 1);
	text = slurp("tree/a.txt");
	assert_string_equal(text, world);
	free(text);

	assert_int_equal(patch_apply(&s2.p[0], tp("tree"), &v, &skipped),
			 -UKB_EPATCH);
	assert_int_equal(skipped, 0);
	text = slurp("tree/a.txt");
	assert_string_equal(text, world);
	free(text);
	text = slurp("tree/b.txt");
	assert_string_equal(text, other);
	free(text);
	/* no reject or backup files left behind */
	assert_false(path_exists(tp("tree/a.txt.rej")));
	assert_false(path_exists(tp("tree/b.txt.orig")));

	patch_series_release(&s1);
	patch_series_release(&s2);
}

/* The project's own series must load: its headers are data under test. */
static void test_repo_series(void **state)
{
	struct patch_series all = { 0 };

	(void)state;
	if (!is_dir("patches"))
		skip();
	assert_int_equal(patch_series_load("patches", &all), 0);
	assert_true(all.nr > 0);
	for (size_t i = 1; i < all.nr; i++)
		assert_true(strcmp(all.p[i - 1].name, all.p[i].name) < 0);
	patch_series_release(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_good),
		cmocka_unit_test(test_header_minimal),
		cmocka_unit_test(test_header_ranges),
		cmocka_unit_test(test_header_bad),
		cmocka_unit_test(test_series_load),
		cmocka_unit_test(test_series_load_bad),
		cmocka_unit_test(test_series_select),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_repo_series),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
