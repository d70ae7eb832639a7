/*
 * strset: a set of strings with a mark each, grown through several
 * rehashes; marks can be changed, absent strings are absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/strset.h"

static void test_empty(void **state)
{
	struct strset s = STRSET_INIT;
	unsigned char mark = 7;

	(void)state;
	assert_false(strset_has(&s, "a", &mark));
	assert_int_equal(mark, 7);
	strset_clear(&s);
}

static void test_many(void **state)
{
	struct strset s = STRSET_INIT;
	char name[32];
	unsigned char mark;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "dir/%d", i);
		strset_add(&s, name, (unsigned char)(i % 2));
	}
	assert_int_equal(s.nr, 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "dir/%d", i);
		assert_true(strset_has(&s, name, &mark));
		assert_int_equal(mark, i % 2);
	}
	assert_false(strset_has(&s, "dir/5000", NULL));
	assert_false(strset_has(&s, "dir", NULL));
	/* a second add keeps one copy and takes the new mark */
	strset_add(&s, "dir/1", 0);
	assert_int_equal(s.nr, 5000);
	assert_true(strset_has(&s, "dir/1", &mark));
	assert_int_equal(mark, 0);
	strset_clear(&s);
	assert_int_equal(s.nr, 0);
	assert_false(strset_has(&s, "dir/1", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
