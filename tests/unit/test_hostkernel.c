/*
 * hostkernel: the release a vmlinux's banner names, and which lines a
 * host kernel without execveat or memfd_create can run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "boot/hostkernel.h"

static struct kver ver(const char *s)
{
	struct kver v;
	const char *why = NULL;

	if (kver_parse(s, strlen(s), &v, &why))
		fail_msg("'%s' should parse: %s", s, why);
	return v;
}

static void test_banner(void **state)
{
	static const char img[] = "\x7f" "ELF junk\0Linux version %s\0"
		"more\0Linux version 6.14.2-ukb (u@h) (gcc 12.2.0) #1\0";
	struct kver v;

	(void)state;
	/* the printk format is skipped; the banner's release is read */
	assert_int_equal(hostkernel_banner_version(img, sizeof(img), &v), 0);
	assert_int_equal(v.major, 6);
	assert_int_equal(v.minor, 14);
	assert_int_equal(v.patch, 2);
	assert_int_equal(hostkernel_banner_version("Linux versio", 12, &v),
			 -ENOENT);
	/* a banner cut at the end of the buffer reads no release */
	assert_int_equal(hostkernel_banner_version("Linux version ", 14, &v),
			 -ENOENT);
}

static void test_can_run(void **state)
{
	struct hostkernel all = { "6.18.0", 1, 1 };
	struct hostkernel ovz7 = { "3.10.0", 1, 0 };
	struct hostkernel nomemfd = { "3.16.0", 0, 1 };
	struct kver v612 = ver("6.12.60"), v613 = ver("6.13"), v410 = ver("4.10.1");
	const char *why = NULL;
	char buf[32];

	(void)state;
	assert_int_equal(hostkernel_can_run(&all, &v613, &why), 0);
	assert_int_equal(hostkernel_can_run(&ovz7, &v612, &why), 0);
	assert_int_equal(hostkernel_can_run(&ovz7, &v410, &why), 0);
	assert_int_equal(hostkernel_can_run(&ovz7, &v613, &why), -UKB_EHOST);
	assert_non_null(strstr(why, "execveat"));
	assert_int_equal(hostkernel_can_run(&nomemfd, &v613, &why), -UKB_EHOST);
	assert_non_null(strstr(why, "memfd_create"));
	hostkernel_newest_line(&all, buf, sizeof(buf));
	assert_string_equal(buf, "every line");
	hostkernel_newest_line(&ovz7, buf, sizeof(buf));
	assert_string_equal(buf, "6.12");
}

static void test_probe(void **state)
{
	struct hostkernel hk;

	(void)state;
	/* the machine the tests run on has both (Linux 3.19 and later) */
	hostkernel_probe(&hk);
	assert_true(hk.has_execveat);
	assert_true(hk.has_memfd);
	assert_true(hk.release[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banner),
		cmocka_unit_test(test_can_run),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
