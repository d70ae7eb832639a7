/*
 * explain: on a small UML-shaped tree and .config, what a report says
 * (value, type, definitions, conditions across files, reverse
 * dependencies), which conditions keep a symbol from a wanted value, and
 * the hints under a failed config check.
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
#include "base/log.h"
#include "base/strbuf.h"
#include "configure/explain.h"
#include "configure/hints.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/ktree.h"
#include "tree_fixture.h"

static char tmp[64];
static struct ktree tree;
static struct kc_set config;

static const char config_text[] =
	"CONFIG_UML=y\n"
	"CONFIG_MODULES=y\n"
	"CONFIG_NET=y\n"
	"CONFIG_INET=y\n"
	"CONFIG_MAY_HAVE_RUNTIME_DEPS=y\n"
	"# CONFIG_STATIC_LINK is not set\n"
	"CONFIG_UML_NET_VECTOR=y\n"
	"CONFIG_TCP_CONG_ADVANCED=y\n"
	"CONFIG_TCP_CONG_CUBIC=y\n"
	"CONFIG_TCP_CONG_BBR=m\n"
	"CONFIG_DEFAULT_CUBIC=y\n"
	"CONFIG_DEFAULT_TCP_CONG=\"cubic\"\n";

static int setup(void **state)
{
	static const char *const vars[] = { "SRCARCH=um", NULL };
	int ret = 0;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_explain.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	ret |= tree_write(tmp, "Kconfig",
			       "source \"arch/$(SRCARCH)/Kconfig\"\n"
			       "config MODULES\n"
			       "\tbool \"modules\"\n"
			       "menuconfig NET\n"
			       "\tbool \"Networking\"\n"
			       "if NET\n"
			       "config INET\n"
			       "\tbool \"TCP/IP\"\n"
			       "if INET\n"
			       "source \"net/ipv4/Kconfig\"\n"
			       "endif\n"
			       "endif\n");
	ret |= tree_write(tmp, "arch/um/Kconfig",
			       "config UML\n"
			       "\tdef_bool y\n"
			       "config MAY_HAVE_RUNTIME_DEPS\n"
			       "\tbool\n"
			       "config CC_CAN_LINK_STATIC_NO_RUNTIME_DEPS\n"
			       "\tbool\n"
			       "config STATIC_LINK\n"
			       "\tbool \"Force a static link\"\n"
			       "\tdepends on CC_CAN_LINK_STATIC_NO_RUNTIME_DEPS || !MAY_HAVE_RUNTIME_DEPS\n"
			       "menu \"UML Network Devices\"\n"
			       "\tdepends on NET\n"
			       "config UML_NET_VECTOR\n"
			       "\tbool \"Vector I/O\"\n"
			       "\tselect MAY_HAVE_RUNTIME_DEPS\n"
			       "\timply STATIC_LINK if UML\n"
			       "endmenu\n");
	ret |= tree_write(tmp, "net/ipv4/Kconfig",
			       "menuconfig TCP_CONG_ADVANCED\n"
			       "\tbool \"TCP: advanced congestion control\"\n"
			       "if TCP_CONG_ADVANCED\n"
			       "config TCP_CONG_CUBIC\n"
			       "\ttristate \"CUBIC TCP\"\n"
			       "\tdefault y\n"
			       "config TCP_CONG_BBR\n"
			       "\ttristate \"BBR TCP\"\n"
			       "\tdefault n\n"
			       "\thelp\n"
			       "\t  BBR ...\n"
			       "choice\n"
			       "\tprompt \"Default TCP congestion control\"\n"
			       "\tdefault DEFAULT_CUBIC\n"
			       "\tconfig DEFAULT_CUBIC\n"
			       "\t\tbool \"Cubic\" if TCP_CONG_CUBIC=y\n"
			       "\tconfig DEFAULT_BBR\n"
			       "\t\tbool \"BBR\" if TCP_CONG_BBR=y\n"
			       "endchoice\n"
			       "endif\n"
			       "config TCP_CONG_CUBIC\n"
			       "\ttristate\n"
			       "\tdepends on !TCP_CONG_ADVANCED\n"
			       "\tdefault y\n"
			       "config DEFAULT_TCP_CONG\n"
			       "\tstring\n"
			       "\tdefault \"cubic\" if DEFAULT_CUBIC\n"
			       "\tdefault \"bbr\" if DEFAULT_BBR\n"
			       "\tdefault \"cubic\"\n");
	if (ret)
		return -1;
	if (ktree_load(&tree, tmp, vars))
		return -1;
	kc_parse_config(&config, ".config", config_text, strlen(config_text));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ktree_release(&tree);
	kc_set_release(&config);
	return rmtree(tmp);
}

static char *explain(const char *name, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	if (explain_symbol(&tree, &config, name, want, &sb))
		fail_msg("'%s' is not defined", name);
	return strbuf_detach(&sb, NULL);
}

#define assert_has(text, needle)                                             \
	do {                                                                 \
		if (!strstr((text), (needle)))                               \
			fail_msg("no '%s' in:\n%s", (needle), (text));       \
	} while (0)

static void test_static_link(void **state)
{
	char *out = explain("CONFIG_STATIC_LINK", "y");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_has(out, "CONFIG_STATIC_LINK\n");
	assert_has(out, "  value:      n (is not set)\n");
	assert_has(out, "  type:       bool\n");
	assert_has(out, "  defined at: arch/um/Kconfig:7\n");
	assert_has(out, "    arch/um/Kconfig:8: prompt \"Force a static link\"\n");
	assert_has(out, "  reverse dependencies:\n"
			"    arch/um/Kconfig:15: implied by UML_NET_VECTOR [=y] if UML [=y] => y\n");
	assert_has(out, "  wanted y: kept from it by\n"
			"    arch/um/Kconfig:9: depends on CC_CAN_LINK_STATIC_NO_RUNTIME_DEPS [=n] || !MAY_HAVE_RUNTIME_DEPS [=y] => n\n");
	free(out);

	assert_int_equal(explain_blockers(&tree, &config, "STATIC_LINK", "y",
					  &sb), 1);
	assert_has(sb.buf, "depends on");
	strbuf_reset(&sb);
	assert_int_equal(explain_blockers(&tree, &config, "STATIC_LINK", "n",
					  &sb), 0);
	assert_int_equal(explain_blockers(&tree, &config, "STATIC_LINK", "m",
					  &sb), 1);
	assert_has(sb.buf, "CONFIG_STATIC_LINK is a bool: it cannot be m");
	strbuf_reset(&sb);
	assert_int_equal(explain_blockers(&tree, &config, "STATIC_LINK", "yes",
					  &sb), 1);
	assert_has(sb.buf, "it takes y or n, not yes");
	strbuf_release(&sb);
}

static void test_selected(void **state)
{
	char *out = explain("MAY_HAVE_RUNTIME_DEPS", "n");

	(void)state;
	assert_has(out, "  value:      y\n");
	assert_has(out, "    no prompt\n");
	assert_has(out, "  wanted n: kept from it by\n"
			"    arch/um/Kconfig:14: selected by UML_NET_VECTOR [=y] => y\n");
	free(out);
	/* the summary names what holds it */
	out = explain("MAY_HAVE_RUNTIME_DEPS", NULL);
	assert_has(out, "  summary:    y; kept from n: arch/um/Kconfig:14: selected by UML_NET_VECTOR");
	free(out);
}

static void test_tristate(void **state)
{
	char *out = explain("TCP_CONG_BBR", NULL);

	(void)state;
	assert_has(out, "  value:      m\n");
	assert_has(out, "  type:       tristate\n");
	assert_has(out, "  defined at: net/ipv4/Kconfig:7\n");
	/* outermost first, across the files that source each other */
	assert_has(out, "    Kconfig:6: if NET [=y] => y\n"
			"    Kconfig:9: if INET [=y] => y\n"
			"    net/ipv4/Kconfig:3: if TCP_CONG_ADVANCED [=y] => y\n"
			"    net/ipv4/Kconfig:9: default n => n\n");
	assert_has(out, "  reverse dependencies: none\n");
	assert_has(out, "  summary:    m; nothing keeps it from n\n");
	free(out);
	out = explain("TCP_CONG_BBR", "y");
	assert_has(out, "  wanted y: nothing in the Kconfig files keeps it from y; set CONFIG_TCP_CONG_BBR=y in a fragment\n");
	free(out);
	out = explain("TCP_CONG_BBR", "m");
	assert_has(out, "  wanted m: it is m\n");
	free(out);
}

static void test_two_definitions(void **state)
{
	char *out = explain("TCP_CONG_CUBIC", "y");

	(void)state;
	assert_has(out, "  defined at: net/ipv4/Kconfig:4\n");
	assert_has(out, "  defined at: net/ipv4/Kconfig:21\n");
	assert_has(out, "    net/ipv4/Kconfig:23: depends on !TCP_CONG_ADVANCED [=y] => n\n");
	assert_has(out, "  wanted y: it is y\n");
	free(out);
}

static void test_choice(void **state)
{
	char *out = explain("DEFAULT_BBR", "y");

	(void)state;
	assert_has(out, "  value:      absent from .config\n");
	assert_has(out, "a member of a choice");
	assert_has(out, "  wanted y: kept from it by\n"
			"    net/ipv4/Kconfig:18: prompt \"BBR\" if TCP_CONG_BBR [=m] = y => n\n");
	free(out);
}

static void test_string(void **state)
{
	char *out = explain("DEFAULT_TCP_CONG", "bbr");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_has(out, "  value:      \"cubic\"\n");
	assert_has(out, "  type:       string\n");
	assert_has(out, "  wanted \"bbr\": kept from it by\n"
			"    CONFIG_DEFAULT_TCP_CONG has no prompt: a .config cannot set it, only its defaults and selects can\n"
			"    net/ipv4/Kconfig:27: default \"cubic\" if DEFAULT_CUBIC [=y] => \"cubic\"\n"
			"    net/ipv4/Kconfig:28: default \"bbr\" if DEFAULT_BBR [=n] => not taken\n");
	free(out);
	assert_int_equal(explain_blockers(&tree, &config, "DEFAULT_TCP_CONG",
					  "\"bbr\"", &sb), 3);
	assert_int_equal(explain_blockers(&tree, &config, "DEFAULT_TCP_CONG",
					  "\"cubic\"", &sb), 0);
	strbuf_release(&sb);
	out = explain("DEFAULT_TCP_CONG", NULL);
	assert_has(out, "  summary:    \"cubic\"; no visible prompt: from its default at net/ipv4/Kconfig:27\n");
	free(out);
}

static void test_without_modules(void **state)
{
	static const char text[] = "CONFIG_NET=y\nCONFIG_INET=y\n"
				   "CONFIG_TCP_CONG_ADVANCED=y\n";
	struct kc_set nomod = KC_SET_INIT;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	kc_parse_config(&nomod, ".config", text, strlen(text));
	assert_int_equal(explain_blockers(&tree, &nomod, "TCP_CONG_BBR", "m",
					  &sb), 1);
	assert_has(sb.buf, "CONFIG_MODULES is not y: a tristate cannot be m");
	strbuf_reset(&sb);
	/* without INET nothing in net/ipv4 can be set */
	kc_set_release(&nomod);
	kc_parse_config(&nomod, ".config", "CONFIG_NET=y\n", 13);
	assert_int_equal(explain_blockers(&tree, &nomod, "TCP_CONG_BBR", "y",
					  &sb), 2);
	assert_has(sb.buf, "Kconfig:9: if INET [=n] => n\n");
	assert_has(sb.buf, "net/ipv4/Kconfig:3: if TCP_CONG_ADVANCED [=n] => n\n");
	kc_set_release(&nomod);
	strbuf_release(&sb);
}

static void test_undefined(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(explain_symbol(&tree, &config, "CONFIG_NO_SUCH_THING",
					"y", &sb), -UKB_ECONFIG);
	assert_int_equal(sb.len, 0);
	assert_int_equal(explain_blockers(&tree, &config, "NO_SUCH_THING", "y",
					  &sb), -UKB_ECONFIG);
	strbuf_release(&sb);
}

static void test_hints(void **state)
{
	struct kc_result results[] = {
		{ "CONFIG_STATIC_LINK", "y", "n", "required.list", 1, 1, 0 },
		{ "CONFIG_TCP_CONG_BBR", "y", "m", "required.list", 2, 1, 0 },
		{ "CONFIG_NO_SUCH_THING", "y", NULL, "required.list", 3, 1, 0 },
		{ "CONFIG_DEFAULT_TCP_CONG", "\"bbr\"", "\"cubic\"", "x", 4, 0, 0 },
	};
	struct kc_report rep = { results, 4, 4, 3, 1 };
	char *log = path_join(tmp, "hints.log");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(log_open(log), 0);
	explain_hints(tmp, "/cache/build/x 1", &config, &rep);
	log_close();
	assert_int_equal(strbuf_read_file(&sb, log), 0);
	assert_has(sb.buf, "I: CONFIG_STATIC_LINK=y is kept out by:\n"
			   "I:   arch/um/Kconfig:9: depends on CC_CAN_LINK_STATIC_NO_RUNTIME_DEPS [=n] || !MAY_HAVE_RUNTIME_DEPS [=y] => n\n");
	assert_has(sb.buf, "I: nothing in the Kconfig files keeps CONFIG_TCP_CONG_BBR from y\n");
	assert_has(sb.buf, "I: CONFIG_NO_SUCH_THING exists in no Kconfig file this tree reads\n");
	/* only required symbols; the command quotes what the shell would split */
	assert_null(strstr(sb.buf, "DEFAULT_TCP_CONG"));
	assert_has(sb.buf, "I: the whole story: umlkbuild explain -C '/cache/build/x 1' CONFIG_STATIC_LINK=y CONFIG_TCP_CONG_BBR=y CONFIG_NO_SUCH_THING=y\n");
	strbuf_release(&sb);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_link),
		cmocka_unit_test(test_selected),
		cmocka_unit_test(test_tristate),
		cmocka_unit_test(test_two_definitions),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_without_modules),
		cmocka_unit_test(test_undefined),
		cmocka_unit_test(test_hints),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
