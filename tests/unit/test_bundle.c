/*
 * bundle: the SHA256SUMS parser, the top directory's name, and the tar.xz
 * writer and reader (bundlear) round trip: a sparse file comes back whole,
 * hashed with its holes, and the same members give the same bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/sha256.h"
#include "base/strvec.h"
#include "bundle/bundle.h"
#include "bundle/bundlear.h"

static void test_sums(void **state)
{
	struct strvec p = STRVEC_INIT;
	const char *why = NULL;
	size_t line;
	char ok[200];

	(void)state;
	snprintf(ok, sizeof(ok), "%064d  vmlinux\n%064d  rootfs.img\n", 1, 2);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok), &p, &why, &line), 0);
	assert_int_equal(p.nr, 4);
	assert_string_equal(p.v[0], "vmlinux");
	assert_string_equal(p.v[3] + 60, "0002");
	strvec_clear(&p);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok) - 1, &p, &why, &line), -EINVAL);
	assert_string_equal(why, "the last line has no newline");
	strvec_clear(&p);
	snprintf(ok, sizeof(ok), "%064d  a/b\n", 1);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok), &p, &why, &line), -EINVAL);
	strvec_clear(&p);
	snprintf(ok, sizeof(ok), "%064d  x\n%064d  x\n", 1, 2);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok), &p, &why, &line), -EINVAL);
	assert_string_equal(why, "a name listed twice");
	assert_int_equal(line, 2);
	strvec_clear(&p);
	assert_int_equal(bundle_parse_sums("XYZ  x\n", 7, &p, &why, &line), -EINVAL);
	strvec_clear(&p);
}

static void test_top_name(void **state)
{
	char *n;

	(void)state;
	n = bundle_top_name("/a/b/uml-x86_64.tar.xz");
	assert_string_equal(n, "uml-x86_64");
	free(n);
	assert_null(bundle_top_name("uml.tgz"));
	assert_null(bundle_top_name(".tar.xz"));
	assert_null(bundle_top_name("dir/...tar.xz"));
	assert_null(bundle_top_name("a\nb.tar.xz"));
}

/* a 16 MiB file with data at 0, 5 MiB and its last byte: holes between */
static void sparse_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "head", 4, 0), 4);
	assert_int_equal(pwrite(fd, "middle", 6, 5 << 20), 6);
	assert_int_equal(pwrite(fd, "!", 1, (16 << 20) - 1), 1);
	close(fd);
}

static void write_one(const char *dir, const char *out, const char *src)
{
	struct bar_writer *w;

	assert_int_equal(bar_create(out, 1700000000, &w), 0);
	assert_int_equal(bar_add_dir(w, "top/"), 0);
	assert_int_equal(bar_add_buf(w, "top/README", "hi\n", 3, 0644), 0);
	assert_int_equal(bar_add_file(w, "top/img", src, 0600), 0);
	assert_int_equal(bar_close(w), 0);
	(void)dir;
}

static void test_roundtrip(void **state)
{
	char dir[] = "/tmp/ukb-test-bundle.XXXXXX", src[80], a[80], b[80];
	char want[SHA256_HEX_LEN + 1], ha[SHA256_HEX_LEN + 1], hb[SHA256_HEX_LEN + 1];
	struct bar_members ms = { 0 };
	const struct bar_member *m;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/img", dir);
	snprintf(a, sizeof(a), "%s/a.tar.xz", dir);
	snprintf(b, sizeof(b), "%s/b.tar.xz", dir);
	sparse_file(src);
	assert_int_equal(sha256_file(src, want), 0);
	write_one(dir, a, src);
	write_one(dir, b, src);
	assert_int_equal(sha256_file(a, ha), 0);
	assert_int_equal(sha256_file(b, hb), 0);
	assert_string_equal(ha, hb);
	assert_int_equal(bar_scan(a, 1024, &ms), 0);
	assert_int_equal(ms.nr, 3);
	assert_int_equal(ms.m[0].type, BAR_DIR);
	m = bar_find(&ms, "top/img");
	assert_non_null(m);
	assert_int_equal(m->type, BAR_FILE);
	assert_int_equal(m->size, 16 << 20);
	assert_int_equal(m->mode, 0600);
	assert_string_equal(m->sha256, want);
	assert_int_equal(m->data.len, 0);      /* over keep_max: not kept */
	m = bar_find(&ms, "top/README");
	assert_int_equal(m->data.len, 3);
	assert_memory_equal(m->data.buf, "hi\n", 3);
	bar_members_release(&ms);
	/* not an archive */
	assert_int_equal(bar_scan(src, 1024, &ms), -UKB_ESOURCE);
	bar_members_release(&ms);
	rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_top_name),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
