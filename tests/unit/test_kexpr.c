/*
 * kexpr: Kconfig expressions parsed, evaluated in tristate logic against a
 * small .config, printed back (with and without values), and refused
 * with a reason when malformed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/strbuf.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/kexpr.h"

static const char config_text[] =
	"CONFIG_Y=y\n"
	"CONFIG_M=m\n"
	"# CONFIG_N is not set\n"
	"CONFIG_NR=8\n"
	"CONFIG_ADDR=0x2000\n"
	"CONFIG_CC=\"gcc\"\n"
	"CONFIG_QUOTE=\"a \\\"b\\\"\"\n"
	"CONFIG_64BIT=y\n";

static struct kc_set config;

static const char *lookup(const char *name, void *data)
{
	const struct kc_set *set = data;

	for (size_t i = 0; i < set->nr; i++)
		if (!strcmp(set->e[i].name + 7, name))
			return set->e[i].value;
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	kc_parse_config(&config, ".config", config_text, strlen(config_text));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kc_set_release(&config);
	return 0;
}

static int eval(const char *text)
{
	struct kexpr *e;
	const char *why = NULL;
	int v;

	if (kexpr_parse(text, strlen(text), &e, &why))
		fail_msg("'%s' did not parse: %s", text, why);
	v = kexpr_eval(e, lookup, &config);
	kexpr_free(e);
	return v;
}

static void test_eval(void **state)
{
	static const struct {
		const char *expr;
		int want;
	} cases[] = {
		{ "y", KX_Y }, { "m", KX_M }, { "n", KX_N },
		{ "Y", KX_Y }, { "M", KX_M }, { "N", KX_N },
		{ "UNSET", KX_N }, { "!UNSET", KX_Y },
		{ "64BIT", KX_Y }, { "WITH-DASH", KX_N }, /* one word */
		{ "!M", KX_M }, { "!Y", KX_N }, { "!!M", KX_M },
		{ "Y && M", KX_M }, { "Y && N", KX_N }, { "M || N", KX_M },
		{ "N || M || Y", KX_Y }, { "Y && M && Y", KX_M },
		/* && binds tighter than ||, ! tighter than both */
		{ "Y || Y && N", KX_Y }, { "(Y || Y) && N", KX_N },
		{ "!Y && N", KX_N }, { "!(Y && N)", KX_Y },
		{ "!N || N", KX_Y },
		/* comparisons are y or n */
		{ "M = m", KX_Y }, { "M=m", KX_Y }, { "M != m", KX_N },
		{ "M >= m", KX_Y }, { "M > m", KX_N }, { "Y > M", KX_Y },
		{ "N = n", KX_Y }, { "UNSET = n", KX_Y }, { "UNSET != y", KX_Y },
		{ "NR = 8", KX_Y }, { "NR > 4", KX_Y }, { "NR < 10", KX_Y },
		{ "NR <= 7", KX_N }, { "NR >= 8", KX_Y },
		{ "ADDR >= 0x1000", KX_Y }, { "ADDR = 8192", KX_Y },
		{ "ADDR < 0x1000", KX_N },
		{ "CC = \"gcc\"", KX_Y }, { "CC != \"clang\"", KX_Y },
		{ "CC = 'gcc'", KX_Y }, { "QUOTE = \"a \\\"b\\\"\"", KX_Y },
		{ "!(CC = \"gcc\")", KX_N }, { "!CC = \"gcc\"", KX_N },
		{ "\"y\"", KX_Y }, { "\"m\"", KX_M }, { "\"abc\"", KX_N },
		/* a string or number is not a tristate */
		{ "CC", KX_N }, { "NR", KX_N }, { "8", KX_N },
		/* macros cannot be expanded here */
		{ "$(cc-option,-foo)", KX_N }, { "!$(success,true)", KX_Y },
		{ "Y && $(f,$(g,x))", KX_N },
		{ "  Y\t&&\n M  ", KX_M },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = eval(cases[i].expr);

		if (v != cases[i].want)
			fail_msg("'%s' is %d, wanted %d", cases[i].expr, v,
				 cases[i].want);
	}
}

static void test_no_lookup(void **state)
{
	struct kexpr *e;

	(void)state;
	assert_int_equal(kexpr_parse("Y || m", 6, &e, NULL), 0);
	assert_int_equal(kexpr_eval(e, NULL, NULL), KX_M);
	kexpr_free(e);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *expr, *why;
	} cases[] = {
		{ "", "empty expression" },
		{ "   ", "empty expression" },
		{ "A &&", "expected a symbol" },
		{ "A ||", "expected a symbol" },
		{ "&& A", "expected a symbol" },
		{ "!", "expected a symbol" },
		{ "(A", "missing ')'" },
		{ "A)", "unbalanced ')'" },
		{ "()", "expected a symbol" },
		{ "A =", "expected a symbol" },
		{ "A = (B)", "expected a symbol" },
		{ "A = B = C", "unexpected text after the expression" },
		{ "A B", "unexpected text after the expression" },
		{ "A & B", "unexpected text after the expression" },
		{ "\"abc", "unterminated string" },
		{ "A = 'x", "unterminated string" },
		{ "$(x", "unterminated $(" },
		{ "$(x(y)", "unterminated $(" },
		{ "A ; B", "unexpected text after the expression" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kexpr *e = (struct kexpr *)1;
		const char *why = NULL;

		assert_int_equal(kexpr_parse(cases[i].expr,
					     strlen(cases[i].expr), &e, &why),
				 -UKB_EUSAGE);
		assert_null(e);
		assert_non_null(why);
		if (strcmp(why, cases[i].why))
			fail_msg("'%s': got '%s', wanted '%s'", cases[i].expr,
				 why, cases[i].why);
	}
}

static void test_nul_and_length(void **state)
{
	struct kexpr *e;
	const char *why = NULL;

	(void)state;
	/* the length is what counts, not a NUL */
	assert_int_equal(kexpr_parse("Y && garbage(", 1, &e, NULL), 0);
	assert_int_equal(kexpr_eval(e, lookup, &config), KX_Y);
	kexpr_free(e);
	assert_int_equal(kexpr_parse("Y\0N", 3, &e, &why), -UKB_EUSAGE);
	assert_int_equal(kexpr_parse("\"a\0b\"", 5, &e, &why), -UKB_EUSAGE);
	assert_string_equal(why, "NUL byte in a string");
}

static void test_depth(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct kexpr *e;
	const char *why = NULL;

	(void)state;
	for (int i = 0; i < 40; i++)
		strbuf_addch(&sb, '(');
	strbuf_addch(&sb, 'Y');
	for (int i = 0; i < 40; i++)
		strbuf_addch(&sb, ')');
	assert_int_equal(kexpr_parse(sb.buf, sb.len, &e, NULL), 0);
	kexpr_free(e);
	strbuf_reset(&sb);
	for (int i = 0; i < 1000; i++)
		strbuf_addch(&sb, '!');
	strbuf_addch(&sb, 'Y');
	assert_int_equal(kexpr_parse(sb.buf, sb.len, &e, &why), -UKB_EUSAGE);
	assert_string_equal(why, "expression nested too deeply");
	/* the canonical "!(A <= B)" of the deepest "!...!A <= B" reads back */
	strbuf_reset(&sb);
	for (int i = 0; i < 64; i++)
		strbuf_addch(&sb, '!');
	strbuf_addstr(&sb, "A<=B");
	assert_int_equal(kexpr_parse(sb.buf, sb.len, &e, NULL), 0);
	strbuf_reset(&sb);
	kexpr_format(e, &sb, NULL, NULL);
	kexpr_free(e);
	assert_non_null(strstr(sb.buf, "!(A <= B)"));
	assert_int_equal(kexpr_parse(sb.buf, sb.len, &e, NULL), 0);
	kexpr_free(e);
	/* a long chain is wide, not deep */
	strbuf_reset(&sb);
	strbuf_addch(&sb, 'Y');
	for (int i = 0; i < 5000; i++)
		strbuf_addstr(&sb, " && Y");
	assert_int_equal(kexpr_parse(sb.buf, sb.len, &e, NULL), 0);
	assert_int_equal(kexpr_eval(e, lookup, &config), KX_Y);
	kexpr_free(e);
	strbuf_release(&sb);
}

static void check_format(const char *in, const char *want, int values)
{
	struct strbuf sb = STRBUF_INIT, again = STRBUF_INIT;
	struct kexpr *e, *e2;

	assert_int_equal(kexpr_parse(in, strlen(in), &e, NULL), 0);
	kexpr_format(e, &sb, values ? lookup : NULL, &config);
	if (strcmp(sb.buf, want))
		fail_msg("'%s' printed '%s', wanted '%s'", in, sb.buf, want);
	if (!values) {
		/* the canonical form reads back as itself */
		assert_int_equal(kexpr_parse(sb.buf, sb.len, &e2, NULL), 0);
		kexpr_format(e2, &again, NULL, NULL);
		assert_string_equal(again.buf, sb.buf);
		assert_int_equal(kexpr_eval(e, lookup, &config),
				 kexpr_eval(e2, lookup, &config));
		kexpr_free(e2);
	}
	kexpr_free(e);
	strbuf_release(&sb);
	strbuf_release(&again);
}

static void test_format(void **state)
{
	(void)state;
	check_format("A||B&&C", "A || B && C", 0);
	check_format("(A||B)&&C", "(A || B) && C", 0);
	check_format("((A))", "A", 0);
	check_format("A && (B && C)", "A && (B && C)", 0);
	check_format("!(A||B)", "!(A || B)", 0);
	check_format("!A=B", "!(A = B)", 0);
	check_format("!!A", "!!A", 0);
	check_format("A>=0x10", "A >= 0x10", 0);
	check_format("CC='g\"cc'", "CC = \"g\\\"cc\"", 0);
	check_format("$(cc-option, -x)", "$(cc-option, -x)", 0);
	check_format("Y && !UNSET || NR > 4",
		     "Y [=y] && !UNSET [=n] || NR [=8] > 4", 1);
	check_format("CC = \"gcc\" && y", "CC [=\"gcc\"] = \"gcc\" && y", 1);
}

static void test_operand(void **state)
{
	struct kexpr *e;
	int quoted = -1;

	(void)state;
	assert_int_equal(kexpr_parse("FOO", 3, &e, NULL), 0);
	assert_string_equal(kexpr_operand(e, &quoted), "FOO");
	assert_int_equal(quoted, 0);
	kexpr_free(e);
	assert_int_equal(kexpr_parse("\"bbr\"", 5, &e, NULL), 0);
	assert_string_equal(kexpr_operand(e, &quoted), "bbr");
	assert_int_equal(quoted, 1);
	kexpr_free(e);
	assert_int_equal(kexpr_parse("A && B", 6, &e, NULL), 0);
	assert_null(kexpr_operand(e, &quoted));
	kexpr_free(e);
	assert_string_equal(kexpr_tristate_name(KX_N), "n");
	assert_string_equal(kexpr_tristate_name(KX_M), "m");
	assert_string_equal(kexpr_tristate_name(KX_Y), "y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_no_lookup),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_and_length),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_operand),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
