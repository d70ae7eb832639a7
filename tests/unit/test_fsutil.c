/* Unit tests for fsutil's path helpers and bounded reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/strbuf.h"

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

static void test_read_input(void **state)
{
	char dir[64], *file, *fifo;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_fsutil.XXXXXX");
	assert_non_null(mkdtemp(dir));
	file = path_join(dir, "f");
	fifo = path_join(dir, "fifo");
	assert_int_equal(write_file_atomic(file, "0123456789", 10, 0644), 0);

	strbuf_addstr(&sb, "kept:");
	assert_int_equal(read_input_file(&sb, file, 10, NULL), 0);
	assert_string_equal(sb.buf, "kept:0123456789");
	/* over the limit: refused, and sb as it was */
	assert_int_equal(read_input_file(&sb, file, 9, NULL), -EFBIG);
	assert_string_equal(sb.buf, "kept:0123456789");
	strbuf_reset(&sb);

	/* neither a device nor a FIFO (which would block) is read */
	assert_int_equal(read_input_file(&sb, "/dev/zero", 1 << 20, NULL),
			 -EINVAL);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(read_input_file(&sb, fifo, 1 << 20, NULL), -EINVAL);
	assert_int_equal(read_input_file(&sb, dir, 1 << 20, NULL), -EINVAL);
	assert_int_equal(read_input_file(&sb, "/nonexistent/x", 1, NULL),
			 -ENOENT);
	assert_int_equal(sb.len, 0);
	/* with a name for it, the problem is said and is a usage error */
	assert_int_equal(read_input_file(&sb, "/dev/zero", 1 << 20, "fragment"),
			 -UKB_EUSAGE);
	assert_int_equal(read_input_file(&sb, file, 9, "fragment"),
			 -UKB_EUSAGE);
	assert_int_equal(read_input_file(&sb, "/nonexistent/x", 1, "fragment"),
			 -UKB_EUSAGE);

	/* an empty file is fine */
	assert_int_equal(write_file_atomic(file, "", 0, 0644), 0);
	assert_int_equal(read_input_file(&sb, file, 0, NULL), 0);
	assert_int_equal(sb.len, 0);

	strbuf_release(&sb);
	free(file);
	free(fifo);
	assert_int_equal(rmtree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_read_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
