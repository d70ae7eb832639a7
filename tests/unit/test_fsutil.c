/* Unit tests for fsutil's path helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fsutil.h"

static void rel(const char *from, const char *to, const char *want)
{
	char *got = path_relative(from, to);

	assert_string_equal(got, want);
	free(got);
}

static void test_relative(void **state)
{
	(void)state;
	rel("/c/build/x", "/c/trees/y", "../../trees/y");
	rel("/a/b", "/a/b", ".");
	rel("/a/b", "/a/b/c", "c");
	rel("/a/b/c", "/a/b", "..");
	rel("/x", "/y/z", "../y/z");
	rel("/", "/y", "y");
	/* "bc" is not inside "b" */
	rel("/a/bc", "/a/b", "../b");
	rel("/a/b/", "/a/b/c/", "c");
}

static void test_expand(void **state)
{
	char *p;

	(void)state;
	p = path_expand("/etc/umlkbuild", "keys/a.asc");
	assert_string_equal(p, "/etc/umlkbuild/keys/a.asc");
	free(p);
	p = path_expand("/etc", "/abs/k.asc");
	assert_string_equal(p, "/abs/k.asc");
	free(p);
	setenv("HOME", "/home/u", 1);
	p = path_expand(NULL, "~/k.asc");
	assert_string_equal(p, "/home/u/k.asc");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_expand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
