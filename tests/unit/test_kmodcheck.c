/*
 * kmodcheck: libkmod verdicts on a staging tree the test builds (a real
 * depmod run over a tiny modules.builtin, modules.order and one module
 * compiled here), and the config comparison.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/scope.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "verify/kmodcheck.h"

#define KREL "6.1.0-ukbtest"

static char tmp[64];

static void put(const char *rel, const char *text)
{
	char *path = path_join(tmp, rel);

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
}

static void run(const char *const *argv)
{
	struct proc p = { .argv = argv, .quiet_log = 1 };

	assert_int_equal(proc_run(&p), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_kmodcheck.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmtree(tmp);
}

/*
 * tcp_bbr, sch_fq, sch_fq_codel and sch_codel built in, sch_qfq a module
 * (a real ELF object with a .modinfo, as depmod wants), tun missing.
 */
static void make_tree(void)
{
	char *dir = xasprintf("%s/lib/modules/" KREL "/kernel/net/sched", tmp);
	char *src = path_join(tmp, "qfq.c");
	char *ko = path_join(dir, "sch_qfq.ko");
	const char *cc[] = { "cc", "-c", "-o", ko, src, NULL };
	const char *depmod[] = { "depmod", "-b", tmp, KREL, NULL };

	assert_int_equal(mkdir_p(dir, 0755), 0);
	put("qfq.c", "const char modinfo[] __attribute__((section(\".modinfo\"), used)) =\n"
		     "\t\"license=GPL\\0name=sch_qfq\\0vermagic=" KREL " mod_unload \";\n");
	run(cc);
	put("lib/modules/" KREL "/modules.builtin",
	    "kernel/net/ipv4/tcp_bbr.ko\n"
	    "kernel/net/sched/sch_fq.ko\n"
	    "kernel/net/sched/sch_fq_codel.ko\n"
	    "kernel/net/sched/sch_codel.ko\n"
	    "kernel/fs/hostfs/hostfs.ko\n");
	put("lib/modules/" KREL "/modules.order", "kernel/net/sched/sch_qfq.ko\n");
	put("lib/modules/" KREL "/modules.dep", "");
	put("lib/modules/" KREL "/modules.builtin.modinfo", "");
	run(depmod);
	free(dir);
	free(src);
	free(ko);
}

static enum kmodcheck_state state_of(const struct kmodcheck_verdict *v,
				     const char *module)
{
	for (size_t i = 0; i < kmodcheck_nr_features; i++)
		if (!strcmp(v[i].feature->module, module))
			return v[i].state;
	fail_msg("no verdict for %s", module);
	return KMODCHECK_MISSING;
}

static void test_judge(void **state)
{
	struct kmodcheck_verdict v[16];

	(void)state;
	assert_true(kmodcheck_nr_features <= 16);
	make_tree();
	/* sch_qfq is a module and tun is missing: two features not built in */
	assert_int_equal(kmodcheck_judge(tmp, KREL, v), 2);
	assert_int_equal(state_of(v, "tcp_bbr"), KMODCHECK_BUILTIN);
	assert_int_equal(state_of(v, "sch_fq"), KMODCHECK_BUILTIN);
	assert_int_equal(state_of(v, "sch_fq_codel"), KMODCHECK_BUILTIN);
	assert_int_equal(state_of(v, "sch_codel"), KMODCHECK_BUILTIN);
	assert_int_equal(state_of(v, "sch_qfq"), KMODCHECK_MODULE);
	assert_int_equal(state_of(v, "tun"), KMODCHECK_MISSING);
	assert_string_equal(kmodcheck_state_name(KMODCHECK_MODULE), "module");
	for (size_t i = 0; i < kmodcheck_nr_features; i++)
		assert_non_null(strstr(v[i].feature->symbol, "CONFIG_"));

	/* a release that was never staged */
	assert_int_equal(kmodcheck_judge(tmp, "9.9.9", v), -ENOENT);
}

static void test_all_builtin(void **state)
{
	struct kmodcheck_verdict v[16];
	const char *depmod[] = { "depmod", "-b", tmp, KREL, NULL };

	(void)state;
	assert_int_equal(mkdir_p(tmp, 0755), 0);
	{
		char *dir = xasprintf("%s/lib/modules/" KREL, tmp);

		assert_int_equal(mkdir_p(dir, 0755), 0);
		free(dir);
	}
	put("lib/modules/" KREL "/modules.builtin",
	    "kernel/drivers/net/tun.ko\nkernel/net/ipv4/tcp_bbr.ko\n"
	    "kernel/net/sched/sch_fq.ko\nkernel/net/sched/sch_fq_codel.ko\n"
	    "kernel/net/sched/sch_qfq.ko\nkernel/net/sched/sch_codel.ko\n");
	put("lib/modules/" KREL "/modules.order", "");
	put("lib/modules/" KREL "/modules.dep", "");
	put("lib/modules/" KREL "/modules.builtin.modinfo", "");
	run(depmod);
	assert_int_equal(kmodcheck_judge(tmp, KREL, v), 0);
	for (size_t i = 0; i < kmodcheck_nr_features; i++)
		assert_int_equal(v[i].state, KMODCHECK_BUILTIN);
}

static void test_config_diff(void **state)
{
	const char *a = "#\n# Linux/um\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"bbr\"\n";
	const char *b = "CONFIG_C=\"bbr\"\n#\n# Linux/um\n\nCONFIG_A=y\n# CONFIG_B is not set\n";
	const char *c = "CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=\"bbr\"\n";
	struct strbuf first = STRBUF_INIT;

	(void)state;
	/* order, empty lines and section comments do not matter */
	assert_int_equal(kmodcheck_config_diff(a, strlen(a), b, strlen(b), &first), 0);
	assert_int_equal(first.len, 0);
	assert_int_equal(kmodcheck_config_diff(a, strlen(a), c, strlen(c), &first), 2);
	assert_non_null(strstr(first.buf, "CONFIG_B"));
	strbuf_release(&first);
	assert_int_equal(kmodcheck_config_diff("", 0, "", 0, NULL), 0);
	/* no trailing newline, embedded length shorter than the string */
	assert_int_equal(kmodcheck_config_diff("CONFIG_A=y", 10, "CONFIG_A=yes", 10, NULL), 0);
}

/*
 * A tree shaped like 4.10's top Makefile: "modules.builtin" exists only
 * inside "ifdef CONFIG_MODULES", and the vmlinux build did not write the
 * list. Before the fix, stage_builtin_only stopped at "is missing".
 */
static void test_builtin_list_old_kernel(void **state)
{
	struct kbuild kb = { 0 };
	char *src = path_join(tmp, "src"), *obj = path_join(tmp, "obj");
	char *list = path_join(obj, "modules.builtin");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(mkdir_p(src, 0755), 0);
	assert_int_equal(mkdir_p(obj, 0755), 0);
	put("src/Makefile",
	    "ifdef CONFIG_MODULES\n"
	    "modules.builtin:\n"
	    "\tprintf 'kernel/net/ipv4/tcp_bbr.ko\\n' >$(O)/modules.builtin\n"
	    "endif\n");
	kb.srcdir = src;
	kb.objdir = obj;
	kb.arch = ARCH_X86_64;
	assert_int_equal(kmodcheck_make_builtin_list(&kb), 0);
	assert_int_equal(strbuf_read_file(&sb, list), 0);
	assert_string_equal(sb.buf, "kernel/net/ipv4/tcp_bbr.ko\n");

	/* already there (5.3 and later write it with vmlinux): make is not asked */
	put("src/Makefile", "$(error must not run)\n");
	assert_int_equal(kmodcheck_make_builtin_list(&kb), 0);
	strbuf_release(&sb);
	free(list);
	free(obj);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_judge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_builtin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_list_old_kernel, setup, teardown),
		cmocka_unit_test(test_config_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
