/*
 * doctor: the host checks on this machine, and under conditions the test
 * creates (TMPDIR on a directory that is not tmpfs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <cmocka.h>

#include "base/fsutil.h"
#include "cli/doctor.h"

static const struct doctor_item *item(const struct doctor_report *rep,
				      const char *name)
{
	for (size_t i = 0; i < rep->nr; i++)
		if (!strcmp(rep->items[i].name, name))
			return &rep->items[i];
	fail_msg("no doctor item '%s'", name);
	return NULL;
}

static void clear_tmp_env(void)
{
	unsetenv("TMPDIR");
	unsetenv("TMP");
	unsetenv("TEMP");
}

static void test_tempdir_order(void **state)
{
	int env;

	(void)state;
	clear_tmp_env();
	setenv("TEMP", "/c", 1);
	setenv("TMP", "/b", 1);
	assert_string_equal(doctor_uml_tempdir(&env), "/b");
	assert_true(env);
	setenv("TMPDIR", "/a", 1);
	assert_string_equal(doctor_uml_tempdir(&env), "/a");
	setenv("TMPDIR", "", 1);     /* empty counts as unset, as in UML */
	assert_string_equal(doctor_uml_tempdir(&env), "/b");
	clear_tmp_env();
	doctor_uml_tempdir(&env);
	assert_false(env);
}

/* This machine is one the artifacts run on: every item is ok. */
static void test_this_host(void **state)
{
	struct doctor_report rep = { 0 };
	int failed;

	(void)state;
	clear_tmp_env();
	if (geteuid() != 0 || access("/dev/net/tun", F_OK))
		skip();
	failed = doctor_run(&rep);
	for (size_t i = 0; i < rep.nr; i++)
		if (!rep.items[i].ok)
			print_message("fail %s: %s\n", rep.items[i].name,
				      rep.items[i].detail);
	assert_int_equal(failed, 0);
	assert_true(item(&rep, "tun_device")->ok);
	assert_true(item(&rep, "tmpfs")->ok);
	assert_true(item(&rep, "exec_mmap")->ok);
	assert_true(item(&rep, "ptrace")->ok);
	assert_non_null(strstr(item(&rep, "arch")->detail, "artifact"));
	assert_null(item(&rep, "tmpfs")->fix);
	doctor_report_release(&rep);
}

/* TMPDIR on a disk file system: the tmpfs item fails and says how to fix it. */
static void test_tmpdir_not_tmpfs(void **state)
{
	char dir[] = "/var/tmp/test_doctor.XXXXXX";
	struct doctor_report rep = { 0 };
	const struct doctor_item *it;
	struct statfs st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(statfs(dir, &st), 0);
	if (st.f_type == TMPFS_MAGIC) {
		rmtree(dir);
		skip();
	}
	clear_tmp_env();
	setenv("TMPDIR", dir, 1);
	assert_true(doctor_run(&rep) >= 1);
	it = item(&rep, "tmpfs");
	assert_false(it->ok);
	assert_non_null(strstr(it->detail, dir));
	assert_non_null(strstr(it->detail, "not tmpfs"));
	assert_non_null(it->fix);
	assert_non_null(strstr(it->fix, "TMPDIR=/dev/shm"));
	/* the directory still maps PROT_EXEC: only that item fails for it */
	assert_true(item(&rep, "exec_mmap")->ok);
	doctor_report_release(&rep);
	clear_tmp_env();
	assert_int_equal(rmtree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tempdir_order),
		cmocka_unit_test(test_this_host),
		cmocka_unit_test(test_tmpdir_not_tmpfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
