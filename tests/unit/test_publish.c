/*
 * Unit tests for publish: which existing directories may be replaced, and
 * that replacing an earlier artifact removes exactly its files.
 */
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

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "publish/publish.h"
#include "testlib.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *top;

static void put(const char *dir, const char *name, const char *text)
{
	char *p = path_join(dir, name);

	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static int has(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int ret = path_exists(p);

	free(p);
	return ret;
}

/* a fresh directory under top, holding an artifact when sums is given */
static char *fresh(const char *name, const char *sums)
{
	char *d = path_join(top, name);

	rmtree(d);
	assert_int_equal(mkdir(d, 0755), 0);
	if (sums) {
		put(d, "SHA256SUMS", sums);
		put(d, "metadata.json", "{}\n");
		put(d, "vmlinux", "old kernel");
	}
	return d;
}

static const char *const artifact_sums =
	HEX "  vmlinux\n" HEX "  metadata.json\n";

static int setup(void **state)
{
	char tmpl[] = "/tmp/ukb-publish.XXXXXX";
	char *cache;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	top = xstrdup(tmpl);
	cache = path_join(top, "cache");
	cache_set_root(cache);
	free(cache);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(top);
	free(top);
	return 0;
}

static void test_parse_sums(void **state)
{
	struct strvec names = STRVEC_INIT;
	const char *why;

	(void)state;
	assert_int_equal(publish_parse_sums(artifact_sums, strlen(artifact_sums),
					    &names, &why), 0);
	assert_int_equal(names.nr, 2);
	assert_string_equal(names.v[1], "metadata.json");
	strvec_clear(&names);
	/* what umlkbuild never writes */
	assert_int_equal(publish_parse_sums(HEX "  ../x\n", 68, &names, &why), -EINVAL);
	strvec_clear(&names);
	assert_int_equal(publish_parse_sums(HEX " *vmlinux\n", 74, &names, &why), -EINVAL);
	strvec_clear(&names);
	assert_int_equal(publish_parse_sums(HEX "  vmlinux", 73, &names, &why), -EINVAL);
	strvec_clear(&names);
	assert_int_equal(publish_parse_sums(HEX "  SHA256SUMS\n", 77, &names, &why), -EINVAL);
	strvec_clear(&names);
	assert_int_equal(publish_parse_sums("hello\n", 6, &names, &why), -EINVAL);
	strvec_clear(&names);
	assert_int_equal(publish_parse_sums("", 0, &names, &why), 0);
	assert_int_equal(names.nr, 0);
}

static void test_targets(void **state)
{
	char *d, *p;

	(void)state;
	/* missing, empty, an artifact: fine */
	p = path_join(top, "new/deeper");
	assert_int_equal(publish_check_target(p, 0), 0);
	free(p);
	d = fresh("empty", NULL);
	assert_int_equal(publish_check_target(d, 0), 0);
	free(d);
	d = fresh("art", artifact_sums);
	assert_int_equal(publish_check_target(d, 0), 0);
	/* the same artifact with one file of the user's: refused */
	put(d, "notes.txt", "mine");
	assert_int_equal(publish_check_target(d, 0), -UKB_EHOST);
	free(d);
	/* a user's directory */
	d = fresh("user", NULL);
	put(d, "README", "mine");
	assert_int_equal(publish_check_target(d, 0), -UKB_EHOST);
	/* a regular file */
	p = path_join(d, "README");
	assert_int_equal(publish_check_target(p, 0), -UKB_EHOST);
	free(p);
	free(d);
	/* an artifact whose list leaves out metadata.json */
	d = fresh("nometa", HEX "  vmlinux\n");
	put(d, "metadata.json", "{}\n");
	assert_int_equal(publish_check_target(d, 0), -UKB_EHOST);
	free(d);
	/* the cache, inside it, and through '..' */
	assert_int_equal(publish_check_target(cache_root(), 0), -UKB_EHOST);
	p = path_join(cache_root(), "trees/x");
	assert_int_equal(publish_check_target(p, 0), -UKB_EHOST);
	free(p);
	p = path_join(top, "nothere/../cache/x");
	assert_int_equal(publish_check_target(p, 0), -UKB_EHOST);
	/* reproduce's own scratch directory in the cache */
	assert_int_equal(publish_check_target(p, PUBLISH_IN_CACHE), 0);
	free(p);
	assert_int_equal(publish_check_target("/", 0), -UKB_EHOST);
	assert_int_equal(publish_check_target("", 0), -UKB_EUSAGE);
}

static void test_commit_replaces_exactly(void **state)
{
	struct publish pub = PUBLISH_INIT;
	char *d = fresh("art2", artifact_sums), *stage;

	(void)state;
	assert_int_equal(publish_begin(d, &pub), 0);
	stage = xstrdup(pub.staging);
	put(stage, "vmlinux", "new kernel");
	put(stage, "SHA256SUMS", HEX "  vmlinux\n" HEX "  metadata.json\n");
	put(stage, "metadata.json", "{}\n");
	assert_int_equal(publish_commit(&pub), 0);
	assert_false(path_exists(stage));
	assert_true(has(d, "vmlinux"));
	{
		char *p = path_join(d, "vmlinux");
		struct strbuf sb = STRBUF_INIT;

		/* the new artifact, not the old one */
		assert_int_equal(strbuf_read_file(&sb, p), 0);
		assert_string_equal(sb.buf, "new kernel");
		strbuf_release(&sb);
		free(p);
	}
	free(stage);

	/* a file of the user's appears while the kernel builds: refused at
	 * commit, the user's directory left as it was */
	assert_int_equal(publish_begin(d, &pub), 0);
	stage = xstrdup(pub.staging);
	put(d, "notes.txt", "mine");
	assert_int_equal(publish_commit(&pub), -UKB_EHOST);
	assert_false(path_exists(stage));
	assert_true(has(d, "notes.txt") && has(d, "vmlinux"));
	free(stage);
	free(d);
}

static void test_abort_removes_made_parents(void **state)
{
	struct publish pub = PUBLISH_INIT;
	char *out = path_join(top, "A/../B"), *a = path_join(top, "A");

	(void)state;
	assert_int_equal(publish_begin(out, &pub), 0);
	assert_true(is_dir(a));
	publish_abort(&pub);
	assert_false(path_exists(a));
	free(out);
	free(a);
}

/* what the user reads when out is refused */
static void test_guard_messages(void **state)
{
	char *d = fresh("mine", NULL), *f;

	(void)state;
	put(d, "thesis.tex", "years of work");
	f = path_join(d, "thesis.tex");
	capture_start();
	assert_int_equal(publish_check_target(d, 0), -UKB_EHOST);
	assert_logged("^error: '.*/mine' exists and is not an umlkbuild artifact: "
		      "it holds no SHA256SUMS of umlkbuild's$");
	assert_logged("^hint: --out a new or empty directory; umlkbuild replaces "
		      "only its own artifacts$");
	assert_int_equal(publish_check_target(f, 0), -UKB_EHOST);
	assert_logged("^error: '.*/thesis\\.tex' exists and is not a directory$");
	assert_int_equal(publish_check_target("/", 0), -UKB_EHOST);
	assert_logged("^error: refusing to publish into '/'$");
	assert_int_equal(publish_check_target(cache_root(), 0), -UKB_EHOST);
	assert_logged("^hint: --out a directory outside the cache$");
	assert_int_equal(captured_count(LOG_LEVEL_ERROR), 4);
	free(capture_stop());
	/* and nothing was touched */
	assert_true(has(d, "thesis.tex"));
	free(f);
	free(d);
}

static ino_t inode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* the staged directory itself is swapped in, by a rename: out is never
 * half old, half new */
static void test_swap_is_a_rename(void **state)
{
	struct publish pub = PUBLISH_INIT;
	char *d = path_join(top, "swap"), *stage;
	ino_t staged, old;

	(void)state;
	rmtree(d);
	/* into a new directory */
	assert_int_equal(publish_begin(d, &pub), 0);
	stage = xstrdup(pub.staging);
	put(stage, "vmlinux", "first");
	put(stage, "metadata.json", "{}\n");
	put(stage, "SHA256SUMS", artifact_sums);
	staged = inode(stage);
	assert_false(path_exists(d));
	assert_int_equal(publish_commit(&pub), 0);
	assert_int_equal(inode(d), staged);
	assert_false(path_exists(stage));
	free(stage);

	/* over the earlier artifact: exchanged, then the old one removed */
	old = inode(d);
	assert_int_equal(publish_begin(d, &pub), 0);
	stage = xstrdup(pub.staging);
	put(stage, "vmlinux", "second");
	put(stage, "metadata.json", "{}\n");
	put(stage, "SHA256SUMS", artifact_sums);
	staged = inode(stage);
	assert_int_equal(inode(d), old);
	assert_int_equal(publish_commit(&pub), 0);
	assert_int_equal(inode(d), staged);
	assert_false(path_exists(stage));
	{
		char *p = path_join(d, "vmlinux");
		struct strbuf sb = STRBUF_INIT;

		assert_int_equal(strbuf_read_file(&sb, p), 0);
		assert_string_equal(sb.buf, "second");
		strbuf_release(&sb);
		free(p);
	}
	free(stage);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sums),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_commit_replaces_exactly),
		cmocka_unit_test(test_abort_removes_made_parents),
		cmocka_unit_test(test_guard_messages),
		cmocka_unit_test(test_swap_is_a_rename),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
