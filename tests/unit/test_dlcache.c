/*
 * Unit tests for dlcache: entries keyed by sha256, the signer marker,
 * by-name links for --offline, and a rotten entry counting as absent.
 */
#include <errno.h>
#include <limits.h>
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
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/dlcache.h"
#include "testlib.h"

#define NAME "linux-6.1.tar.xz"
#define FPR "ABAF11C65A2970B130ABE3C479BE3E4300411886"

static char *dl;

/* what release() frees (fetch.h), without depending on fetch */
static void release(struct fetched *f)
{
	free(f->path);
	free(f->url);
	free(f->signer);
	memset(f, 0, sizeof(*f));
}

static int setup(void **state)
{
	(void)state;
	dl = test_tmpdir("dlcache");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(dl);
	free(dl);
	return 0;
}

/* a finished download: dl/NAME.part holding text; its sha256 in sha */
static char *part(const char *text, char sha[SHA256_HEX_LEN + 1])
{
	char *p = path_join(dl, NAME ".part");

	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	sha256_buf(text, strlen(text), sha);
	return p;
}

static void test_put_then_get(void **state)
{
	char sha[SHA256_HEX_LEN + 1], link[PATH_MAX], *p, *want;
	struct fetched f = { 0 }, g = { 0 };
	int unchecked = 0;
	ssize_t n;

	(void)state;
	p = part("tarball one", sha);
	assert_int_equal(dlcache_put(dl, p, sha, NAME, FPR, &f), 0);
	want = xasprintf("%s/%s/%s", dl, sha, NAME);
	assert_string_equal(f.path, want);
	assert_false(path_exists(p));
	assert_true(f.verified);
	assert_string_equal(f.signer, FPR);
	/* by-name points at the entry, relatively */
	free(p);
	p = xasprintf("%s/by-name/%s", dl, NAME);
	n = readlink(p, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	free(p);
	p = xasprintf("../%s/%s", sha, NAME);
	assert_string_equal(link, p);
	free(p);

	assert_int_equal(dlcache_get(dl, sha, NAME, 1, &g, &unchecked), 1);
	assert_string_equal(g.path, want);
	assert_string_equal(g.sha256, sha);
	assert_true(g.from_cache && g.verified);
	assert_string_equal(g.signer, FPR);
	assert_int_equal(unchecked, 0);
	release(&g);
	assert_int_equal(dlcache_get_by_name(dl, NAME, 1, &g, &unchecked), 1);
	assert_string_equal(g.sha256, sha);
	release(&g);
	/* another name or hash: absent */
	assert_int_equal(dlcache_get_by_name(dl, "linux-6.2.tar.xz", 0, &g,
					     &unchecked), 0);
	sha[0] = sha[0] == '0' ? '1' : '0';
	assert_int_equal(dlcache_get(dl, sha, NAME, 0, &g, &unchecked), 0);
	assert_null(g.path);
	release(&f);
	free(want);
}

static void test_unverified(void **state)
{
	char sha[SHA256_HEX_LEN + 1], *p;
	struct fetched f = { 0 }, g = { 0 };
	int unchecked = 0;

	(void)state;
	p = part("tarball two, --no-verify", sha);
	assert_int_equal(dlcache_put(dl, p, sha, NAME, NULL, &f), 0);
	assert_false(f.verified);
	assert_null(f.signer);
	/* a verified fetch does not take it, and says why */
	assert_int_equal(dlcache_get(dl, sha, NAME, 1, &g, &unchecked), 0);
	assert_int_equal(unchecked, 1);
	assert_null(g.path);
	/* --no-verify does */
	unchecked = 0;
	assert_int_equal(dlcache_get(dl, sha, NAME, 0, &g, &unchecked), 1);
	assert_false(g.verified);
	assert_int_equal(unchecked, 0);
	release(&g);
	release(&f);
	free(p);
}

static void test_rotten_entry_removed(void **state)
{
	char sha[SHA256_HEX_LEN + 1], *p, *dir;
	struct fetched f = { 0 }, g = { 0 };
	int unchecked = 0;

	(void)state;
	p = part("tarball three", sha);
	assert_int_equal(dlcache_put(dl, p, sha, NAME, FPR, &f), 0);
	/* bit rot, or a hand edit */
	assert_int_equal(write_file_atomic(f.path, "tarball thre3", 13, 0644), 0);
	capture_start();
	assert_int_equal(dlcache_get(dl, sha, NAME, 1, &g, &unchecked), 0);
	assert_logged("^warning: cached '.*/" NAME "' is corrupt: expected "
		      "sha256 [0-9a-f]{64}, got [0-9a-f]{64}; removing it$");
	free(capture_stop());
	dir = path_join(dl, sha);
	assert_false(path_exists(dir));
	/* and it stays absent, now without a word */
	capture_start();
	assert_int_equal(dlcache_get_by_name(dl, NAME, 0, &g, &unchecked), 0);
	assert_string_equal(captured(), "");
	free(capture_stop());
	release(&f);
	free(dir);
	free(p);
}

static void test_put_failure_reported(void **state)
{
	char sha[SHA256_HEX_LEN + 1], *p, *missing;
	struct fetched f = { 0 };

	(void)state;
	p = part("tarball four", sha);
	missing = path_join(dl, "gone.part");
	capture_start();
	assert_int_equal(dlcache_put(dl, missing, sha, NAME, NULL, &f), -ENOENT);
	assert_logged("^error: cannot store '.*/" NAME "' in the cache: ");
	free(capture_stop());
	assert_null(f.path);
	unlink(p);
	free(missing);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_then_get),
		cmocka_unit_test(test_unverified),
		cmocka_unit_test(test_rotten_entry_removed),
		cmocka_unit_test(test_put_failure_reported),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
