/*
 * strbuf and strvec: the growable buffer and the argv vector everything
 * else is built on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/strvec.h"

static void test_strbuf_init(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	/* an empty buffer is a valid empty string without an allocation */
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	strbuf_rtrim(&sb);
	strbuf_reset(&sb);
	strbuf_setlen(&sb, 0);
	assert_string_equal(sb.buf, "");

	strbuf_init(&sb, 100);
	assert_true(sb.alloc > 100);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	assert_int_equal(sb.alloc, 0);
	assert_string_equal(sb.buf, "");
}

static void test_strbuf_add(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_add(&sb, "abcdef", 3);
	strbuf_addstr(&sb, "-");
	strbuf_addch(&sb, 'x');
	strbuf_addf(&sb, "%d/%s/%05.1f", 42, "str", 2.5);
	strbuf_add(&sb, "", 0);
	assert_string_equal(sb.buf, "abc-x42/str/002.5");
	assert_int_equal(sb.len, strlen("abc-x42/str/002.5"));

	/* embedded NULs are data */
	strbuf_addch(&sb, '\0');
	strbuf_addch(&sb, 'z');
	assert_int_equal(sb.len, 19);
	assert_int_equal(sb.buf[17], '\0');
	assert_int_equal(sb.buf[18], 'z');
	assert_int_equal(sb.buf[19], '\0');

	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_strbuf_grow_large(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[1000];

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	for (int i = 0; i < 1000; i++)
		strbuf_add(&sb, chunk, sizeof(chunk));
	assert_int_equal(sb.len, 1000000);
	assert_true(sb.alloc > sb.len);
	assert_int_equal(sb.buf[sb.len], '\0');
	assert_int_equal(sb.buf[999999], 'a');

	strbuf_reset(&sb);
	/* a long formatted string: vsnprintf twice, no truncation */
	strbuf_addf(&sb, "%s%0*d", "x", 5000, 7);
	assert_int_equal(sb.len, 5001);
	assert_int_equal(sb.buf[5000], '7');
	strbuf_release(&sb);
}

static void test_strbuf_setlen_rtrim(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, "make exited with 2 \t\r\n\n");
	strbuf_rtrim(&sb);
	assert_string_equal(sb.buf, "make exited with 2");
	assert_int_equal(sb.len, 18);
	strbuf_setlen(&sb, 4);
	assert_string_equal(sb.buf, "make");
	strbuf_addstr(&sb, "   ");
	strbuf_rtrim(&sb);
	assert_string_equal(sb.buf, "make");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, " \n ");
	strbuf_rtrim(&sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

static void test_strbuf_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	/* even an empty buffer detaches to a string the caller frees */
	s = strbuf_detach(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	strbuf_addstr(&sb, "hello");
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, 0);
	assert_string_equal(sb.buf, "");
	free(s);
	s = strbuf_detach(&sb, NULL);
	free(s);
}

static void test_strbuf_read_file(void **state)
{
	char tmp[] = "/tmp/test_strbuf.XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	char *path, *big;
	size_t n = 200000;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	path = path_join(tmp, "f");
	big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(write_file_atomic(path, big, n, 0644), 0);

	/* appends, across more than one read */
	strbuf_addstr(&sb, "head:");
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_int_equal(sb.len, 5 + n);
	assert_memory_equal(sb.buf + 5, big, n);
	assert_int_equal(sb.buf[sb.len], '\0');
	strbuf_release(&sb);

	free(path);
	path = path_join(tmp, "missing");
	assert_int_equal(strbuf_read_file(&sb, path), -ENOENT);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);

	free(path);
	free(big);
	assert_int_equal(rmtree(tmp), 0);
}

static void test_strvec(void **state)
{
	struct strvec sv = STRVEC_INIT;
	const char *const more[] = { "-C", "/src", NULL };
	char *joined;

	(void)state;
	/* an empty vector joins to an empty string */
	joined = strvec_join(&sv, " ");
	assert_string_equal(joined, "");
	free(joined);

	strvec_push(&sv, "make");
	strvec_pushf(&sv, "-j%d", 8);
	strvec_pushl(&sv, "ARCH=um", "SUBARCH=x86_64", NULL);
	strvec_pushv(&sv, more);
	strvec_pushv(&sv, NULL);
	assert_int_equal(sv.nr, 6);
	assert_null(sv.v[sv.nr]);
	assert_string_equal(sv.v[0], "make");
	assert_string_equal(sv.v[1], "-j8");
	assert_string_equal(sv.v[2], "ARCH=um");
	assert_string_equal(sv.v[3], "SUBARCH=x86_64");
	assert_string_equal(sv.v[4], "-C");
	assert_string_equal(sv.v[5], "/src");
	/* pushed strings are copies */
	assert_ptr_not_equal(sv.v[4], more[0]);

	joined = strvec_join(&sv, " ");
	assert_string_equal(joined, "make -j8 ARCH=um SUBARCH=x86_64 -C /src");
	free(joined);
	joined = strvec_join(&sv, ", ");
	assert_string_equal(joined, "make, -j8, ARCH=um, SUBARCH=x86_64, -C, /src");
	free(joined);
	joined = strvec_join(&sv, "");
	assert_string_equal(joined, "make-j8ARCH=umSUBARCH=x86_64-C/src");
	free(joined);

	strvec_clear(&sv);
	assert_int_equal(sv.nr, 0);
	assert_null(sv.v);
	/* usable again after clear */
	strvec_push(&sv, "one");
	joined = strvec_join(&sv, "+");
	assert_string_equal(joined, "one");
	free(joined);
	strvec_clear(&sv);
	strvec_clear(&sv);
}

static void test_strvec_many(void **state)
{
	struct strvec sv = STRVEC_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		strvec_pushf(&sv, "arg%d", i);
	assert_int_equal(sv.nr, 1000);
	assert_string_equal(sv.v[999], "arg999");
	assert_null(sv.v[1000]);
	strvec_clear(&sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_init),
		cmocka_unit_test(test_strbuf_add),
		cmocka_unit_test(test_strbuf_grow_large),
		cmocka_unit_test(test_strbuf_setlen_rtrim),
		cmocka_unit_test(test_strbuf_detach),
		cmocka_unit_test(test_strbuf_read_file),
		cmocka_unit_test(test_strvec),
		cmocka_unit_test(test_strvec_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
