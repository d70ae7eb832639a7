/*
 * ktree: Kconfig files read into entries (type, prompt, depends, defaults,
 * selects, implies) with their enclosing if/menu/choice conditions; help
 * texts, comments and continuation lines; a small tree on disk read from
 * its top-level Kconfig through source, rsource, osource and $(SRCARCH).
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
#include "base/fsutil.h"
#include "configure/ktree.h"
#include "tree_fixture.h"

static void parse(struct ktree *t, const char *text)
{
	ktree_parse(t, "Kconfig", text, strlen(text));
}

static const struct kt_entry *entry(const struct ktree *t, const char *name)
{
	for (size_t i = 0; i < t->nr; i++)
		if (!strcmp(t->e[i].name, name))
			return &t->e[i];
	fail_msg("no entry '%s'", name);
	return NULL;
}

static const struct kt_prop *prop(const struct kt_entry *e,
				  enum kt_prop_kind kind, size_t nth)
{
	for (size_t i = 0; i < e->nr_props; i++)
		if (e->props[i].kind == kind && !nth--)
			return &e->props[i];
	return NULL;
}

static size_t nr_conds(const struct kt_entry *e)
{
	size_t n = 0;

	for (const struct kt_cond *c = e->conds; c; c = c->parent)
		n++;
	return n;
}

static void test_entry(void **state)
{
	static const char text[] =
		"# SPDX-License-Identifier: GPL-2.0\n"
		"config FOO\n"
		"\ttristate \"Foo support\" if BAR # the prompt\n"
		"\tdepends on NET && \\\n"
		"\t\t   INET\n"
		"\tdepends on !UML\n"
		"\tdefault m if BAR\n"
		"\tdefault y\n"
		"\tselect CRC32\n"
		"\tselect ZLIB if BAR && BAZ\n"
		"\timply PHYLIB\n"
		"\trange 1 10\n"
		"\thelp\n"
		"\t  Say Y here. If unsure:\n"
		"\n"
		"\t  config NOT_AN_ENTRY\n"
		"\t  if you want # \"quoted\n"
		"\n"
		"menuconfig BAR\n"
		"\tbool\n"
		"\tprompt \"Bar #1\"\n"
		"config\tBAZ\n"
		"\tdef_bool y if FOO = m\n"
		"config HEX\n"
		"\thex\n"
		"\tdefault 0x1000\n";
	struct ktree t = KTREE_INIT;
	const struct kt_entry *e;
	const struct kt_prop *p;

	(void)state;
	parse(&t, text);
	assert_int_equal(t.nr, 4);
	e = entry(&t, "FOO");
	assert_string_equal(e->file, "Kconfig");
	assert_int_equal(e->line, 2);
	assert_int_equal(e->type, KT_TRISTATE);
	assert_string_equal(e->prompt, "Foo support");
	assert_int_equal(e->prompt_line, 3);
	assert_string_equal(e->prompt_if.text, "BAR");
	assert_non_null(e->prompt_if.e);
	assert_false(e->menuconfig);
	assert_null(e->conds);
	p = prop(e, KT_DEPENDS, 0);
	assert_non_null(p);
	assert_int_equal(p->line, 4);
	assert_string_equal(p->x.text, "NET &&  \t\t   INET");
	assert_non_null(p->x.e);
	assert_string_equal(prop(e, KT_DEPENDS, 1)->x.text, "!UML");
	assert_int_equal(prop(e, KT_DEPENDS, 1)->line, 6);
	p = prop(e, KT_DEFAULT, 0);
	assert_string_equal(p->x.text, "m");
	assert_string_equal(p->cond.text, "BAR");
	p = prop(e, KT_DEFAULT, 1);
	assert_string_equal(p->x.text, "y");
	assert_null(p->cond.text);
	p = prop(e, KT_SELECT, 0);
	assert_string_equal(p->target, "CRC32");
	assert_null(p->cond.text);
	p = prop(e, KT_SELECT, 1);
	assert_string_equal(p->target, "ZLIB");
	assert_string_equal(p->cond.text, "BAR && BAZ");
	assert_int_equal(p->line, 10);
	assert_string_equal(prop(e, KT_IMPLY, 0)->target, "PHYLIB");
	assert_null(prop(e, KT_DEPENDS, 2));

	e = entry(&t, "BAR");
	assert_true(e->menuconfig);
	assert_int_equal(e->type, KT_BOOL);
	assert_string_equal(e->type_word, "bool");
	assert_string_equal(e->prompt, "Bar #1");
	assert_int_equal(e->line, 19);

	e = entry(&t, "BAZ");
	assert_int_equal(e->type, KT_BOOL);
	assert_string_equal(e->type_word, "def_bool");
	assert_null(e->prompt);
	p = prop(e, KT_DEFAULT, 0);
	assert_string_equal(p->x.text, "y");
	assert_string_equal(p->cond.text, "FOO = m");

	e = entry(&t, "HEX");
	assert_int_equal(e->type, KT_HEX);
	assert_string_equal(prop(e, KT_DEFAULT, 0)->x.text, "0x1000");
	ktree_release(&t);
}

static void test_blocks(void **state)
{
	static const char text[] =
		"if NET\n"
		"menu \"Networking options\"\n"
		"\tdepends on INET\n"
		"\tvisible if EXPERT\n"
		"config IN_MENU\n"
		"\tbool \"x\"\n"
		"choice\n"
		"\tprompt \"Default\"\n"
		"\tdepends on IN_MENU\n"
		"\tdefault A\n"
		"\tconfig A\n"
		"\t\tbool \"A\"\n"
		"\tconfig B\n"
		"\t\tbool \"B\"\n"
		"endchoice\n"
		"endmenu\n"
		"config AFTER_MENU\n"
		"\tbool\n"
		"endif # NET\n"
		"config OUTSIDE\n"
		"\tbool\n"
		"comment \"a comment\"\n"
		"\tdepends on NOTHING\n"
		"if BROKEN (\n"
		"config BAD_IF\n"
		"\tdepends on A &&\n"
		"endif\n";
	struct ktree t = KTREE_INIT;
	const struct kt_entry *e;
	const struct kt_cond *c;

	(void)state;
	parse(&t, text);
	e = entry(&t, "IN_MENU");
	assert_int_equal(nr_conds(e), 3);
	c = e->conds;
	assert_int_equal(c->kind, KT_MENU_VISIBLE);
	assert_string_equal(c->x.text, "EXPERT");
	assert_string_equal(c->label, "Networking options");
	c = c->parent;
	assert_int_equal(c->kind, KT_MENU_DEP);
	assert_string_equal(c->x.text, "INET");
	assert_int_equal(c->line, 3);
	c = c->parent;
	assert_int_equal(c->kind, KT_IF);
	assert_string_equal(c->x.text, "NET");
	assert_int_equal(c->line, 1);
	assert_string_equal(c->file, "Kconfig");
	assert_false(e->in_choice);

	e = entry(&t, "A");
	assert_true(e->in_choice);
	assert_int_equal(nr_conds(e), 4);
	assert_int_equal(e->conds->kind, KT_CHOICE_DEP);
	assert_string_equal(e->conds->x.text, "IN_MENU");
	assert_string_equal(e->prompt, "A");
	assert_true(entry(&t, "B")->in_choice);

	e = entry(&t, "AFTER_MENU");
	assert_int_equal(nr_conds(e), 1);
	assert_int_equal(e->conds->kind, KT_IF);
	assert_false(e->in_choice);
	assert_null(entry(&t, "OUTSIDE")->conds);

	/* unparsable expressions keep their text */
	e = entry(&t, "BAD_IF");
	assert_string_equal(e->conds->x.text, "BROKEN (");
	assert_null(e->conds->x.e);
	assert_string_equal(prop(e, KT_DEPENDS, 0)->x.text, "A &&");
	assert_null(prop(e, KT_DEPENDS, 0)->x.e);
	ktree_release(&t);
}

static void test_help(void **state)
{
	static const char text[] =
		"config ONE\n"
		"\tbool\n"
		"\thelp\n"
		"\t  text\n"
		"\t    more indented\n"
		"\n"
		"\t  back\n"
		"\tdepends on AFTER_HELP\n"
		"config TWO\n"
		"\tbool\n"
		"\t---help---\n"
		"config THREE\n"
		"\tbool\n"
		"\thelp\n"
		"config FOUR\n";
	struct ktree t = KTREE_INIT;

	(void)state;
	parse(&t, text);
	assert_int_equal(t.nr, 4);
	/* a line indented less than the help text ends it */
	assert_string_equal(prop(entry(&t, "ONE"), KT_DEPENDS, 0)->x.text,
			    "AFTER_HELP");
	assert_int_equal(entry(&t, "FOUR")->line, 15);
	ktree_release(&t);
}

static void test_garbage(void **state)
{
	static const char text[] =
		"depends on NOTHING\n"
		"select NOTHING\n"
		"endif\nendmenu\nendchoice\n"
		"config\n"
		"\"\n"
		"mainmenu \"Linux/$(ARCH) Kernel Configuration\"\n"
		"cc-option = $(success,$(CC) -Werror $(1))\n"
		"source \"never/followed\"\n"
		"config LAST\n"
		"\tselect\n"
		"\tdepends\n"
		"\tdefault\n"
		"\tbool \"unterminated\n"
		"\tdepends on X \\";
	struct ktree t = KTREE_INIT;
	const struct kt_entry *e;

	(void)state;
	parse(&t, text);
	assert_int_equal(t.nr, 1);
	e = entry(&t, "LAST");
	assert_string_equal(e->prompt, "unterminated");
	assert_non_null(prop(e, KT_DEPENDS, 0));
	assert_string_equal(ktree_type_name(KT_TRISTATE), "tristate");
	assert_string_equal(ktree_type_name(KT_UNKNOWN), "unknown");
	ktree_release(&t);
}

static char tmp[64];

static int setup_tree(void **state)
{
	int ret = 0;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_ktree.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	ret |= tree_write(tmp, "Kconfig",
			       "mainmenu \"Linux/$(ARCH)\"\n"
			       "source \"scripts/Kconfig.include\"\n"
			       "config TOP\n\tbool\n"
			       "source \"arch/$(SRCARCH)/Kconfig\"\n"
			       "source \"arch/$(NO_SUCH_VAR)/Kconfig\"\n"
			       "if NET\n"
			       "source \"net/Kconfig\"\n"
			       "endif\n"
			       "osource \"missing/Kconfig\"\n"
			       "source \"missing/too/Kconfig\"\n"
			       "config LAST\n\tbool\n");
	ret |= tree_write(tmp, "scripts/Kconfig.include",
			       "cc-option = $(success,true)\n");
	ret |= tree_write(tmp, "arch/um/Kconfig",
			       "config UML\n\tdef_bool y\n"
			       "rsource \"drivers/Kconfig\"\n");
	ret |= tree_write(tmp, "arch/um/drivers/Kconfig",
			       "config UML_NET\n\tbool \"net\"\n");
	ret |= tree_write(tmp, "arch/x86/Kconfig", "config X86_ONLY\n\tbool\n");
	ret |= tree_write(tmp, "net/Kconfig",
			       "if INET\n"
			       "config TCP\n\tbool \"tcp\"\n"
			       "\tdepends on UML\n");
	return ret ? -1 : 0;
}

static int teardown_tree(void **state)
{
	(void)state;
	return rmtree(tmp);
}

static void test_load(void **state)
{
	static const char *const vars[] = { "ARCH=um", "SRCARCH=um", NULL };
	struct ktree t = KTREE_INIT;
	const struct kt_entry *e;

	(void)state;
	assert_int_equal(ktree_load(&t, tmp, vars), 0);
	assert_int_equal(t.nr, 5);
	assert_string_equal(entry(&t, "TOP")->file, "Kconfig");
	assert_string_equal(entry(&t, "UML")->file, "arch/um/Kconfig");
	assert_string_equal(entry(&t, "UML_NET")->file,
			    "arch/um/drivers/Kconfig");
	/* the block a file is sourced from, then its own */
	e = entry(&t, "TCP");
	assert_string_equal(e->file, "net/Kconfig");
	assert_int_equal(e->line, 2);
	assert_int_equal(nr_conds(e), 2);
	assert_string_equal(e->conds->x.text, "INET");
	assert_string_equal(e->conds->file, "net/Kconfig");
	assert_string_equal(e->conds->parent->x.text, "NET");
	assert_string_equal(e->conds->parent->file, "Kconfig");
	assert_int_equal(e->conds->parent->line, 7);
	/* the if net/Kconfig left open closes with the file */
	assert_null(entry(&t, "LAST")->conds);
	ktree_release(&t);

	/* arch/x86 is read only for SRCARCH=x86 */
	{
		static const char *const x86[] = { "SRCARCH=x86", NULL };

		assert_int_equal(ktree_load(&t, tmp, x86), 0);
		assert_int_equal(entry(&t, "X86_ONLY")->line, 1);
		ktree_release(&t);
	}

	assert_int_equal(ktree_load(&t, "/nonexistent", vars), -UKB_EUSAGE);
	ktree_release(&t);
}

/* A file that sources itself, directly or through another, is an error
 * (it was read 32 times over, each definition repeated). */
static void test_source_cycle(void **state)
{
	static const char *const vars[] = { "SRCARCH=um", NULL };
	char dir[64];
	struct ktree t = KTREE_INIT;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_ktree_cycle.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(tree_write(dir, "Kconfig",
				    "config TOP\n\tbool\n"
				    "source \"arch/$(SRCARCH)/Kconfig\"\n"), 0);
	assert_int_equal(tree_write(dir, "arch/um/Kconfig",
				    "config UML\n\tbool\n"
				    "source \"arch/um/Kconfig\"\n"), 0);
	assert_int_equal(ktree_load(&t, dir, vars), -UKB_EUSAGE);
	ktree_release(&t);

	/* through the top-level file */
	assert_int_equal(tree_write(dir, "arch/um/Kconfig",
				    "config UML\n\tbool\n"
				    "source \"Kconfig\"\n"), 0);
	assert_int_equal(ktree_load(&t, dir, vars), -UKB_EUSAGE);
	ktree_release(&t);

	/* one file sourced twice, side by side, is no cycle */
	assert_int_equal(tree_write(dir, "Kconfig",
				    "source \"a/Kconfig\"\n"
				    "source \"a/Kconfig\"\n"), 0);
	assert_int_equal(tree_write(dir, "a/Kconfig", "config A\n\tbool\n"),
			 0);
	assert_int_equal(ktree_load(&t, dir, vars), 0);
	assert_int_equal(t.nr, 2);
	ktree_release(&t);
	assert_int_equal(rmtree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test_setup_teardown(test_load, setup_tree,
						teardown_tree),
		cmocka_unit_test(test_source_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
