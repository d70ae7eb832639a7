/*
 * kconfig: fragment and .config parsing, scopes, merging, applying, the
 * required-symbol list, the check of a resolved configuration, and the
 * Kconfig declarations found in a small fake source tree.
 */
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
#include "base/wrapper.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/kdecl.h"

static struct kver ver(const char *s)
{
	struct kver v;

	if (kver_parse(s, strlen(s), &v, NULL))
		fail_msg("bad version '%s' in the test", s);
	return v;
}

static int parse_frag(struct kc_set *set, const char *text,
		      struct scope *scope)
{
	return kc_parse_fragment(set, "frag.config", text, strlen(text), scope);
}

static const char *value_of(const struct kc_set *set, const char *name)
{
	const struct kc_entry *e = kc_find(set, name);

	return e ? e->value : NULL;
}

static void test_fragment_values(void **state)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"CONFIG_A=y\n"
		"CONFIG_B=m\n"
		"CONFIG_C=n\n"
		"# CONFIG_D is not set\n"
		"CONFIG_E=42\n"
		"CONFIG_F=0x10\n"
		"CONFIG_G=-5\n"
		"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
		"CONFIG_CMDLINE=\"a \\\"quoted\\\" word\"\n"
		"CONFIG_EMPTY=\"\"\n"
		"CONFIG_TRAILING=y  \t\r\n"
		"#    a comment mentioning CONFIG_X in passing\n"
		"CONFIG_LAST=y";
	struct kc_set set = KC_SET_INIT;
	struct scope scope;
	const struct kc_entry *e;

	(void)state;
	assert_int_equal(parse_frag(&set, text, &scope), 0);
	assert_int_equal(set.nr, 12);
	assert_string_equal(value_of(&set, "CONFIG_A"), "y");
	assert_string_equal(value_of(&set, "CONFIG_B"), "m");
	assert_string_equal(value_of(&set, "CONFIG_C"), "n");
	assert_string_equal(value_of(&set, "CONFIG_D"), "n");
	assert_string_equal(value_of(&set, "CONFIG_E"), "42");
	assert_string_equal(value_of(&set, "CONFIG_F"), "0x10");
	assert_string_equal(value_of(&set, "CONFIG_G"), "-5");
	assert_string_equal(value_of(&set, "CONFIG_DEFAULT_TCP_CONG"),
			    "\"bbr\"");
	assert_string_equal(value_of(&set, "CONFIG_CMDLINE"),
			    "\"a \\\"quoted\\\" word\"");
	assert_string_equal(value_of(&set, "CONFIG_EMPTY"), "\"\"");
	assert_string_equal(value_of(&set, "CONFIG_TRAILING"), "y");
	assert_string_equal(value_of(&set, "CONFIG_LAST"), "y");
	assert_null(kc_find(&set, "CONFIG_X"));

	e = kc_find(&set, "CONFIG_D");
	assert_string_equal(e->file, "frag.config");
	assert_int_equal(e->line, 6);
	e = kc_find(&set, "CONFIG_A");
	assert_int_equal(e->line, 3);

	/* no scope line: everywhere */
	assert_false(scope.versions.has_from);
	assert_false(scope.versions.has_to);
	assert_int_equal(scope.arches, ARCH_ALL);
	kc_set_release(&set);
	assert_int_equal(set.nr, 0);
	assert_null(set.e);
}

static void test_fragment_malformed(void **state)
{
	static const char *const bad[] = {
		"CONFIG_A = y",
		"CONFIG_A =y",
		"CONFIG_A= y",
		"#CONFIG_X is not set",
		"# CONFIG_X  is not set",
		"# CONFIG_X is not set, really",
		"CONFIG_S=\"unterminated",
		"CONFIG_S=\"a\"b",
		"CONFIG_S=\"ends with a backslash\\\"",
		"CONFIG_A",
		"CONFIG_A y",
		"CONFIG_=y",
		"CONFIG_",
		"hello world",
		"  CONFIG_A=y",
		"CONFIG_A=",
		"CONFIG_A=yes",
		"CONFIG_A=Y",
		"CONFIG_A=0x",
		"CONFIG_A=0xg",
		"CONFIG_A=1.5",
		"CONFIG_A=-",
		"CONFIG-A=y",
		"config_a=y",
		"# umlkbuild: versions 4.13..4.9",
		"# umlkbuild: versions banana",
		"# umlkbuild: arch arm64",
		"# umlkbuild: arch",
		"# umlkbuild: colour blue",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kc_set set = KC_SET_INIT;
		struct strbuf text = STRBUF_INIT;
		int ret;

		/* the bad line comes after a good one, which must not leak out */
		strbuf_addf(&text, "CONFIG_OK=y\n%s\n", bad[i]);
		ret = kc_parse_fragment(&set, "bad.config", text.buf, text.len,
					NULL);
		if (ret != -UKB_EUSAGE)
			fail_msg("'%s' gave %d, want -UKB_EUSAGE", bad[i], ret);
		assert_int_equal(set.nr, 0);
		kc_set_release(&set);
		strbuf_release(&text);
	}
}

static void test_fragment_nul(void **state)
{
	/* a NUL inside a value must not pass as a shorter value */
	static const char text[] = "CONFIG_A=\"a\0b\"\n";
	static const char req[] = "CONFIG_A=\"a\0b\"\n";
	struct kc_set set = KC_SET_INIT;
	struct kc_required r = { KC_SET_INIT, NULL };

	(void)state;
	assert_int_equal(kc_parse_fragment(&set, "nul.config", text,
					   sizeof(text) - 1, NULL), -UKB_EUSAGE);
	assert_int_equal(set.nr, 0);
	assert_int_equal(kc_parse_required(&r, "required.list", req,
					   sizeof(req) - 1), -UKB_EUSAGE);
	kc_required_release(&r);
	/* the lenient .config parser skips the line */
	kc_parse_config(&set, ".config", text, sizeof(text) - 1);
	assert_int_equal(set.nr, 0);
	kc_set_release(&set);
}

static void test_fragment_keeps_out_on_error(void **state)
{
	struct kc_set set = KC_SET_INIT;

	(void)state;
	assert_int_equal(parse_frag(&set, "CONFIG_A=y\n", NULL), 0);
	assert_int_equal(parse_frag(&set, "CONFIG_B=y\nCONFIG_C = y\n", NULL),
			 -UKB_EUSAGE);
	/* what was there stays; nothing of the bad fragment is added */
	assert_int_equal(set.nr, 1);
	assert_string_equal(set.e[0].name, "CONFIG_A");
	kc_set_release(&set);
}

static void test_fragment_conflict(void **state)
{
	struct kc_set set = KC_SET_INIT;

	(void)state;
	assert_int_equal(parse_frag(&set, "CONFIG_A=y\nCONFIG_B=m\nCONFIG_A=m\n",
				    NULL), -UKB_EUSAGE);
	assert_int_equal(set.nr, 0);
	assert_int_equal(parse_frag(&set, "CONFIG_A=y\n# CONFIG_A is not set\n",
				    NULL), -UKB_EUSAGE);
	assert_int_equal(set.nr, 0);

	/* the same value twice is only a warning */
	assert_int_equal(parse_frag(&set, "CONFIG_A=y\nCONFIG_B=m\nCONFIG_A=y\n",
				    NULL), 0);
	assert_int_equal(set.nr, 2);
	assert_string_equal(value_of(&set, "CONFIG_A"), "y");
	kc_set_release(&set);

	/* two fragments may disagree: that is what kc_merge is for */
	assert_int_equal(parse_frag(&set, "CONFIG_A=y\n", NULL), 0);
	assert_int_equal(parse_frag(&set, "CONFIG_A=m\n", NULL), 0);
	kc_set_release(&set);
}

static void test_fragment_scope(void **state)
{
	static const char text[] =
		"# BBR needs fq for pacing before 4.13\n"
		"# umlkbuild: versions 4.9..4.13\n"
		"# umlkbuild: arch i386\n"
		"CONFIG_NET_SCH_FQ=y\n";
	struct kc_set set = KC_SET_INIT;
	struct scope scope;
	struct kver v;

	(void)state;
	assert_int_equal(parse_frag(&set, text, &scope), 0);
	assert_int_equal(set.nr, 1);
	assert_true(scope.versions.has_from);
	assert_true(scope.versions.has_to);
	assert_int_equal(scope.arches, ARCH_I386);

	v = ver("4.9");
	assert_true(scope_matches(&scope, &v, ARCH_I386));
	assert_false(scope_matches(&scope, &v, ARCH_X86_64));
	v = ver("4.12.14");
	assert_true(scope_matches(&scope, &v, ARCH_I386));
	v = ver("4.13");
	assert_false(scope_matches(&scope, &v, ARCH_I386));
	v = ver("4.8.17");
	assert_false(scope_matches(&scope, &v, ARCH_I386));
	kc_set_release(&set);

	/* the scope is reset for every fragment */
	assert_int_equal(parse_frag(&set, "# umlkbuild: arch x86_64\n", &scope),
			 0);
	assert_int_equal(scope.arches, ARCH_X86_64);
	assert_false(scope.versions.has_from);
	v = ver("6.16");
	assert_true(scope_matches(&scope, &v, ARCH_X86_64));
	assert_false(scope_matches(&scope, &v, ARCH_I386));
	assert_int_equal(parse_frag(&set, "CONFIG_A=y\n", &scope), 0);
	assert_int_equal(scope.arches, ARCH_ALL);
	assert_true(scope_matches(&scope, &v, ARCH_I386));
	kc_set_release(&set);

	/* a scope line is fine without somewhere to store it */
	assert_int_equal(parse_frag(&set, text, NULL), 0);
	kc_set_release(&set);
}

static void test_parse_config_lenient(void **state)
{
	static const char text[] =
		"#\n"
		"# Automatically generated file; DO NOT EDIT.\n"
		"# Linux/um 6.1.0 Kernel Configuration\n"
		"#\n"
		"CONFIG_UML=y\n"
		"CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
		"# CONFIG_MODULES is not set\n"
		"# umlkbuild: nonsense\n"
		"this line would be refused in a fragment\n"
		"CONFIG_LOG_BUF_SHIFT=17\n"
		"# end of General setup\n";
	struct kc_set set = KC_SET_INIT;

	(void)state;
	kc_parse_config(&set, ".config", text, strlen(text));
	assert_int_equal(set.nr, 4);
	assert_string_equal(value_of(&set, "CONFIG_UML"), "y");
	assert_string_equal(value_of(&set, "CONFIG_MODULES"), "n");
	assert_string_equal(value_of(&set, "CONFIG_LOG_BUF_SHIFT"), "17");
	assert_string_equal(value_of(&set, "CONFIG_CC_VERSION_TEXT"),
			    "\"gcc (Debian 12.2.0-14) 12.2.0\"");
	kc_set_release(&set);
}

/* What check-config refuses to treat as a .config. */
static void test_not_config(void **state)
{
	static const char ok[] = "CONFIG_UML=y\n";
	static const char none[] = "#\n# nothing here\n";
	static const char bin[] = "\177ELF\0\0CONFIG_X=y\n";
	struct kc_set set = KC_SET_INIT;

	(void)state;
	kc_parse_config(&set, "a", ok, strlen(ok));
	assert_null(kc_not_config(ok, strlen(ok), &set));
	kc_set_release(&set);
	kc_parse_config(&set, "b", "", 0);
	assert_non_null(kc_not_config("", 0, &set));
	kc_parse_config(&set, "c", none, strlen(none));
	assert_non_null(kc_not_config(none, strlen(none), &set));
	kc_set_release(&set);
	kc_parse_config(&set, "d", bin, sizeof(bin) - 1);
	assert_non_null(kc_not_config(bin, sizeof(bin) - 1, &set));
	kc_set_release(&set);
}

/*
 * Many symbols: lookups through the index agree with the order of the
 * entries (the first of equal names wins), also for entries appended to
 * the array directly, as configure's borrowed sets do.
 */
static void test_find_many(void **state)
{
	struct kc_set set = KC_SET_INIT, borrowed = KC_SET_INIT;
	struct strbuf text = STRBUF_INIT;
	char name[32];

	(void)state;
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&text, "CONFIG_S%d=%d\n", i, i);
	/* a repeat in a .config: the later value wins, in the first place */
	strbuf_addstr(&text, "CONFIG_S7=y\n");
	kc_parse_config(&set, ".config", text.buf, text.len);
	assert_int_equal(set.nr, 20000);
	for (int i = 0; i < 20000; i += 997) {
		const struct kc_entry *e;

		snprintf(name, sizeof(name), "CONFIG_S%d", i);
		e = kc_find(&set, name);
		assert_non_null(e);
		assert_ptr_equal(e, &set.e[i]);
	}
	assert_string_equal(value_of(&set, "CONFIG_S7"), "y");
	assert_null(kc_find(&set, "CONFIG_S"));
	assert_null(kc_find(&set, "CONFIG_S20000"));
	assert_null(kc_find(&set, "CONFIG_S10000X"));

	/* a second fragment appended: found after it, not before */
	assert_int_equal(kc_parse_fragment(&set, "f", "CONFIG_NEW=y\n", 13,
					   NULL), 0);
	assert_string_equal(value_of(&set, "CONFIG_NEW"), "y");
	assert_int_equal(kc_parse_fragment(&set, "g",
					   "CONFIG_NEW=m\nCONFIG_S1=m\n", 25,
					   NULL), 0);
	/* the first of equal names */
	assert_string_equal(value_of(&set, "CONFIG_NEW"), "y");
	assert_string_equal(value_of(&set, "CONFIG_S1"), "1");

	for (size_t i = 0; i < 100; i++) {
		ALLOC_GROW(borrowed.e, borrowed.nr + 1, borrowed.alloc);
		borrowed.e[borrowed.nr++] = set.e[i];
		assert_ptr_equal(kc_find(&borrowed, set.e[i].name),
				 &borrowed.e[i]);
	}
	kc_set_release_borrowed(&borrowed);
	kc_set_release(&set);
	strbuf_release(&text);
}

static void test_merge(void **state)
{
	static const char base[] = "CONFIG_A=y\nCONFIG_B=m\nCONFIG_C=y\n";
	static const char bbr[] =
		"CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_D=16\n";
	struct kc_set dst = KC_SET_INIT, src = KC_SET_INIT;
	const struct kc_entry *e;

	(void)state;
	assert_int_equal(kc_parse_fragment(&dst, "10-base.config", base,
					   strlen(base), NULL), 0);
	assert_int_equal(kc_parse_fragment(&src, "30-bbr.config", bbr,
					   strlen(bbr), NULL), 0);
	/* B and C change; A keeps its value and is no override */
	assert_int_equal(kc_merge(&dst, &src), 2);
	assert_int_equal(dst.nr, 4);
	assert_string_equal(value_of(&dst, "CONFIG_A"), "y");
	assert_string_equal(value_of(&dst, "CONFIG_B"), "y");
	assert_string_equal(value_of(&dst, "CONFIG_C"), "n");
	assert_string_equal(value_of(&dst, "CONFIG_D"), "16");
	/* the winner's place is remembered */
	e = kc_find(&dst, "CONFIG_B");
	assert_string_equal(e->file, "30-bbr.config");
	assert_int_equal(e->line, 2);
	e = kc_find(&dst, "CONFIG_D");
	assert_string_equal(e->file, "30-bbr.config");
	assert_int_equal(e->line, 4);
	/* src is untouched */
	assert_string_equal(value_of(&src, "CONFIG_B"), "y");

	/* merging the same set again changes nothing */
	assert_int_equal(kc_merge(&dst, &src), 0);
	assert_int_equal(dst.nr, 4);
	kc_set_release(&dst);
	kc_set_release(&src);
}

static void test_apply(void **state)
{
	static const char config[] =
		"#\n"
		"# Automatically generated file; DO NOT EDIT.\n"
		"#\n"
		"CONFIG_A=y\n"
		"# CONFIG_B is not set\n"
		"CONFIG_C=m\n"
		"CONFIG_KEEP=\"x\"\n"
		"CONFIG_TCP_CONG_CUBIC=y\n";
	static const char want[] =
		"#\n"
		"# Automatically generated file; DO NOT EDIT.\n"
		"#\n"
		"CONFIG_A=y\n"
		"CONFIG_B=y\n"
		"# CONFIG_C is not set\n"
		"CONFIG_KEEP=\"x\"\n"
		"CONFIG_TCP_CONG_CUBIC=y\n"
		"CONFIG_D=42\n"
		"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
		"# CONFIG_E is not set\n";
	static const char frag[] =
		"CONFIG_B=y\n"
		"CONFIG_C=n\n"
		"CONFIG_D=42\n"
		"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
		"# CONFIG_E is not set\n";
	static const char all_of_frag[] =
		"CONFIG_B=y\n"
		"# CONFIG_C is not set\n"
		"CONFIG_D=42\n"
		"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
		"# CONFIG_E is not set\n";
	struct kc_set set = KC_SET_INIT;
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(parse_frag(&set, frag, NULL), 0);
	kc_apply(config, strlen(config), &set, &out);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);

	/* a last line without its newline gets one */
	kc_apply("CONFIG_B=m", 10, &set, &out);
	assert_string_equal(out.buf, all_of_frag);
	strbuf_release(&out);

	/* an empty .config gets every entry, in order, "n" as "is not set" */
	kc_apply("", 0, &set, &out);
	assert_string_equal(out.buf, all_of_frag);
	strbuf_release(&out);

	/* the output parses back to the requested values */
	{
		struct kc_set back = KC_SET_INIT;

		kc_apply(config, strlen(config), &set, &out);
		kc_parse_config(&back, ".config", out.buf, out.len);
		for (size_t i = 0; i < set.nr; i++)
			assert_string_equal(value_of(&back, set.e[i].name),
					    set.e[i].value);
		kc_set_release(&back);
		strbuf_release(&out);
	}
	kc_set_release(&set);
}

static const char required_text[] =
	"# comment\n"
	"\n"
	"CONFIG_TCP_CONG_BBR=y\n"
	"CONFIG_UML_NET=y                 versions=..6.16\n"
	"CONFIG_X86_32_ONLY=y arch=i386\n"
	"CONFIG_FQ_PACING=y versions=4.9..4.13 arch=x86_64  # fq paces BBR\n"
	"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
	"CONFIG_NR_CPUS=0x10\n"
	"CONFIG_MODULES=n\n";

static void parse_required(struct kc_required *req)
{
	assert_int_equal(kc_parse_required(req, "required.list", required_text,
					   strlen(required_text)), 0);
}

static void test_required_parse(void **state)
{
	struct kc_required req = { KC_SET_INIT, NULL };
	struct kver v;

	(void)state;
	parse_required(&req);
	assert_int_equal(req.syms.nr, 7);
	assert_string_equal(req.syms.e[0].name, "CONFIG_TCP_CONG_BBR");
	assert_string_equal(req.syms.e[0].value, "y");
	assert_int_equal(req.syms.e[0].line, 3);
	assert_int_equal(req.scopes[0].arches, ARCH_ALL);
	assert_false(req.scopes[0].versions.has_from);
	assert_false(req.scopes[0].versions.has_to);

	assert_string_equal(req.syms.e[1].name, "CONFIG_UML_NET");
	assert_false(req.scopes[1].versions.has_from);
	assert_true(req.scopes[1].versions.has_to);
	v = ver("6.16");
	assert_false(scope_matches(&req.scopes[1], &v, ARCH_X86_64));
	v = ver("6.15.2");
	assert_true(scope_matches(&req.scopes[1], &v, ARCH_X86_64));

	assert_int_equal(req.scopes[2].arches, ARCH_I386);
	assert_int_equal(req.scopes[3].arches, ARCH_X86_64);
	v = ver("4.10");
	assert_true(scope_matches(&req.scopes[3], &v, ARCH_X86_64));
	assert_false(scope_matches(&req.scopes[3], &v, ARCH_I386));
	v = ver("4.14");
	assert_false(scope_matches(&req.scopes[3], &v, ARCH_X86_64));

	assert_string_equal(req.syms.e[4].value, "\"bbr\"");
	assert_string_equal(req.syms.e[6].value, "n");
	kc_required_release(&req);
	assert_null(req.scopes);
	assert_int_equal(req.syms.nr, 0);
}

static void test_required_bad(void **state)
{
	static const char *const bad[] = {
		"CONFIG_A=y versions=4.13..4.9",
		"CONFIG_A=y versions=banana",
		"CONFIG_A=y versions=",
		"CONFIG_A=y arch=arm64",
		"CONFIG_A=y arch=",
		"CONFIG_A=y ARCH=i386",
		"CONFIG_A=y foo",
		"CONFIG_A=y versions 4.9..4.13",
		"CONFIG_A = y",
		"CONFIG_A=yes",
		"CONFIG_A",
		"junk",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kc_required req = { KC_SET_INIT, NULL };
		int ret = kc_parse_required(&req, "required.list", bad[i],
					    strlen(bad[i]));

		if (ret != -UKB_EUSAGE)
			fail_msg("'%s' gave %d, want -UKB_EUSAGE", bad[i], ret);
		kc_required_release(&req);
	}
}

static void test_check(void **state)
{
	static const char config_text[] =
		"CONFIG_TCP_CONG_BBR=y\n"
		"CONFIG_UML_NET=y\n"
		"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
		"CONFIG_NR_CPUS=16\n"
		"CONFIG_X=m\n"
		"# CONFIG_Y is not set\n"
		"CONFIG_CHANGED=\"y\"\n";
	static const char requested_text[] =
		"CONFIG_TCP_CONG_BBR=y\n"    /* also required: checked once */
		"CONFIG_X=m\n"
		"CONFIG_Y=n\n"
		"CONFIG_ABSENT_OFF=n\n"      /* absent counts as off */
		"CONFIG_DROPPED=y\n"         /* olddefconfig dropped it */
		"CONFIG_CHANGED=\"x\"\n";
	struct kc_set config = KC_SET_INIT, requested = KC_SET_INIT;
	struct kc_required req = { KC_SET_INIT, NULL };
	struct kc_report rep = { 0 };
	struct kver v = ver("6.1");
	size_t nr_required = 0;

	(void)state;
	kc_parse_config(&config, ".config", config_text, strlen(config_text));
	assert_int_equal(parse_frag(&requested, requested_text, NULL), 0);
	parse_required(&req);

	/*
	 * x86_64 6.1: the i386 and 4.9..4.13 entries are out of scope (and
	 * absent, which would fail); "bbr" matches as a string, 0x10 as 16,
	 * MODULES=n as absent.
	 */
	assert_int_equal(kc_check(&config, &req, &requested, &v, ARCH_X86_64,
				  &rep), 0);
	assert_int_equal(rep.required_failed, 0);
	assert_int_equal(rep.warnings, 2);
	for (size_t i = 0; i < rep.nr; i++) {
		const struct kc_result *r = &rep.r[i];

		assert_string_not_equal(r->name, "CONFIG_X86_32_ONLY");
		assert_string_not_equal(r->name, "CONFIG_FQ_PACING");
		if (r->required) {
			nr_required++;
			assert_true(r->ok);
		} else if (!strcmp(r->name, "CONFIG_DROPPED")) {
			assert_false(r->ok);
			assert_null(r->actual);
			assert_string_equal(r->file, "frag.config");
			assert_int_equal(r->line, 5);
		} else if (!strcmp(r->name, "CONFIG_CHANGED")) {
			assert_false(r->ok);
			assert_string_equal(r->actual, "\"y\"");
		} else {
			assert_string_not_equal(r->name, "CONFIG_TCP_CONG_BBR");
			assert_true(r->ok);
		}
	}
	/* BBR, UML_NET, DEFAULT_TCP_CONG, NR_CPUS, MODULES */
	assert_int_equal(nr_required, 5);
	/* BBR once, X, Y, ABSENT_OFF, DROPPED, CHANGED */
	assert_int_equal(rep.nr, 10);
	kc_report_release(&rep);

	/* i386 4.10: the i386 entry applies and is missing */
	v = ver("4.10");
	assert_int_equal(kc_check(&config, &req, &requested, &v, ARCH_I386,
				  &rep), -UKB_ECONFIG);
	assert_int_equal(rep.required_failed, 1);
	kc_report_release(&rep);
	/* x86_64 4.10: the 4.9..4.13 one does; no fragments, no warnings */
	assert_int_equal(kc_check(&config, &req, NULL, &v, ARCH_X86_64, &rep),
			 -UKB_ECONFIG);
	assert_int_equal(rep.required_failed, 1);
	assert_int_equal(rep.warnings, 0);
	kc_report_release(&rep);

	/* without a requirement list there are only warnings */
	v = ver("6.16");
	assert_int_equal(kc_check(&config, NULL, &requested, &v, ARCH_X86_64,
				  &rep), 0);
	assert_int_equal(rep.required_failed, 0);
	assert_int_equal(rep.warnings, 2);
	kc_report_release(&rep);

	kc_set_release(&config);
	kc_set_release(&requested);
	kc_required_release(&req);
}

static void test_check_mismatch(void **state)
{
	static const char required[] =
		"CONFIG_TCP_CONG_BBR=y\n"
		"CONFIG_DEFAULT_TCP_CONG=\"bbr\"\n"
		"CONFIG_HZ=0x64\n"
		"CONFIG_OFF=n\n";
	static const char config_text[] =
		"CONFIG_TCP_CONG_BBR=m\n"
		"CONFIG_DEFAULT_TCP_CONG=\"cubic\"\n"
		"CONFIG_HZ=100\n"
		"CONFIG_OFF=y\n";
	struct kc_set config = KC_SET_INIT;
	struct kc_required req = { KC_SET_INIT, NULL };
	struct kc_report rep = { 0 };
	struct kver v = ver("5.4");

	(void)state;
	assert_int_equal(kc_parse_required(&req, "r", required,
					   strlen(required)), 0);
	kc_parse_config(&config, ".config", config_text, strlen(config_text));
	assert_int_equal(kc_check(&config, &req, NULL, &v, ARCH_X86_64, &rep),
			 -UKB_ECONFIG);
	/* BBR=m, "cubic" and OFF=y fail; 0x64 is 100 */
	assert_int_equal(rep.required_failed, 3);
	assert_int_equal(rep.nr, 4);
	assert_string_equal(rep.r[0].actual, "m");
	assert_false(rep.r[0].ok);
	assert_false(rep.r[1].ok);
	assert_true(rep.r[2].ok);
	assert_false(rep.r[3].ok);
	kc_report_release(&rep);

	/* an empty .config: every entry but the "n" one is missing */
	kc_set_release(&config);
	assert_int_equal(kc_check(&config, &req, NULL, &v, ARCH_X86_64, &rep),
			 -UKB_ECONFIG);
	assert_int_equal(rep.required_failed, 3);
	assert_null(rep.r[0].actual);
	assert_true(rep.r[3].ok);
	kc_report_release(&rep);
	kc_required_release(&req);
}

static void test_value_satisfied(void **state)
{
	(void)state;
	assert_true(kc_value_satisfied("y", "y"));
	assert_false(kc_value_satisfied("y", "m"));
	assert_false(kc_value_satisfied("y", NULL));
	assert_false(kc_value_satisfied("m", "y"));
	assert_true(kc_value_satisfied("n", NULL));
	assert_true(kc_value_satisfied("n", "n"));
	assert_false(kc_value_satisfied("n", "y"));
	assert_true(kc_value_satisfied("\"bbr\"", "\"bbr\""));
	assert_false(kc_value_satisfied("\"bbr\"", "\"cubic\""));
	assert_false(kc_value_satisfied("\"bbr\"", "bbr"));
	assert_true(kc_value_satisfied("0x10", "16"));
	assert_true(kc_value_satisfied("16", "0x10"));
	assert_true(kc_value_satisfied("0x10", "0X10"));
	assert_false(kc_value_satisfied("0x10", "17"));
	assert_true(kc_value_satisfied("-5", "-5"));
	assert_false(kc_value_satisfied("\"16\"", "16"));
}

static char tmp[64];

static int setup_tree(void **state)
{
	static const char kconfig[] =
		"# SPDX-License-Identifier: GPL-2.0-only\n"
		"menuconfig TCP_CONG_ADVANCED\n"
		"\tbool \"TCP: advanced congestion control\"\n"
		"\n"
		"if TCP_CONG_ADVANCED\n"
		"\n"
		"config TCP_CONG_CUBIC\n"
		"\ttristate \"CUBIC TCP\"\n"
		"\tdefault y\n"
		"\n"
		"config TCP_CONG_BBR2\n"
		"\ttristate \"BBRv2 TCP\"\n"
		"\tdepends on IPV6\n"
		"\n"
		"config TCP_CONG_BBR\n"
		"\ttristate \"BBR TCP\"\n"
		"\tdepends on INET\n"
		"\tdefault n\n"
		"\thelp\n"
		"\t  BBR (Bottleneck Bandwidth and RTT) ...\n"
		"\n"
		"endif\n";
	static const char decoy[] = "config DECOY_ONLY\n\tbool\n";
	char *dir, *path;
	int ret;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_kconfig.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	dir = path_join(tmp, "net/ipv4");
	ret = mkdir_p(dir, 0755);
	path = path_join(dir, "Kconfig");
	if (!ret)
		ret = write_file_atomic(path, kconfig, strlen(kconfig), 0644);
	free(path);
	free(dir);
	/* scripts/ is skipped: a decoy there must not be reported */
	dir = path_join(tmp, "scripts");
	if (!ret)
		ret = mkdir_p(dir, 0755);
	path = path_join(dir, "Kconfig");
	if (!ret)
		ret = write_file_atomic(path, decoy, strlen(decoy), 0644);
	free(path);
	free(dir);
	return ret ? -1 : 0;
}

static int teardown_tree(void **state)
{
	(void)state;
	return rmtree(tmp);
}

static void test_defined(void **state)
{
	static const char frag[] =
		"CONFIG_TCP_CONG_BBR=y\n"
		"CONFIG_TCP_CONG_ADVANCED=y\n"
		"CONFIG_DECOY_ONLY=y\n"
		"CONFIG_NO_SUCH_THING=y\n";
	struct kc_set set = KC_SET_INIT;
	unsigned char defined[4];

	(void)state;
	assert_int_equal(parse_frag(&set, frag, NULL), 0);
	assert_int_equal(kc_defined(tmp, &set, defined), 0);
	assert_true(defined[0]);
	assert_true(defined[1]); /* a menuconfig */
	assert_false(defined[2]); /* only in scripts/, which is skipped */
	assert_false(defined[3]);
	kc_set_release(&set);
}

static void test_config_decl(void **state)
{
	static const struct {
		const char *line, *name;
	} cases[] = {
		{ "config FOO", "FOO" },
		{ "config\tFOO_2 # comment", "FOO_2" },
		{ "menuconfig  BAR", "BAR" },
		{ "configs FOO", NULL },
		{ "config", NULL },
		{ "config ", NULL },
		{ "mainmenu \"x\"", NULL },
		{ "\tdepends on FOO", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].line;
		size_t len = 0;
		const char *w = kc_config_decl(s, s + strlen(s), &len);

		if (!cases[i].name) {
			assert_null(w);
			continue;
		}
		assert_non_null(w);
		assert_int_equal(len, strlen(cases[i].name));
		assert_memory_equal(w, cases[i].name, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragment_values),
		cmocka_unit_test(test_fragment_malformed),
		cmocka_unit_test(test_fragment_nul),
		cmocka_unit_test(test_fragment_keeps_out_on_error),
		cmocka_unit_test(test_fragment_conflict),
		cmocka_unit_test(test_fragment_scope),
		cmocka_unit_test(test_parse_config_lenient),
		cmocka_unit_test(test_not_config),
		cmocka_unit_test(test_find_many),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_required_parse),
		cmocka_unit_test(test_required_bad),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_mismatch),
		cmocka_unit_test(test_value_satisfied),
		cmocka_unit_test(test_config_decl),
		cmocka_unit_test_setup_teardown(test_defined, setup_tree,
						teardown_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
