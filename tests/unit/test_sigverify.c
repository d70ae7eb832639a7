/*
 * sigverify: real gpgv against keys the test generates (and Greg
 * Kroah-Hartman's shipped key as a trusted key that signed none of it).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "gpg_fixture.h"
#include "source/sigverify.h"

static char *dir;
static struct gpgfx good, rogue;

static char *file_in(const char *name)
{
	return path_join(dir, name);
}

static void put(const char *name, const char *text)
{
	char *p = file_in(name);

	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static int setup(void **state)
{
	char tpl[] = "/tmp/ukb-test-sigverify.XXXXXX";

	(void)state;
	log_set_verbosity(LOG_QUIET);
	if (!mkdtemp(tpl))
		return -1;
	dir = xstrdup(tpl);
	if (gpgfx_init(&good, dir, "good") || gpgfx_init(&rogue, dir, "rogue"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gpgfx_release(&good);
	gpgfx_release(&rogue);
	rmtree(dir);
	free(dir);
	return 0;
}

static void load(struct sigverify_keys *k, const char *file)
{
	const char *files[] = { file };

	assert_int_equal(sigverify_keys_load(k, files, 1), 0);
}

static void test_keys_errors(void **state)
{
	struct sigverify_keys k;
	char *junk = file_in("junk.asc"), *missing = file_in("missing.asc");
	const char *files[] = { junk };

	(void)state;
	assert_int_equal(sigverify_keys_load(&k, NULL, 0), -UKB_EUSAGE);
	sigverify_keys_release(&k);
	put("junk.asc", "this is no key\n");
	assert_int_equal(sigverify_keys_load(&k, files, 1), -UKB_EUSAGE);
	sigverify_keys_release(&k);
	files[0] = missing;
	assert_int_equal(sigverify_keys_load(&k, files, 1), -UKB_EUSAGE);
	sigverify_keys_release(&k);
	free(junk);
	free(missing);
}

static void test_keys_armored_and_binary(void **state)
{
	struct sigverify_keys k;
	char *bin = file_in("good.gpg");
	const char *files[] = { "keys/gregkh.asc", bin };
	struct strbuf sink = STRBUF_INIT;
	char *home;

	(void)state;
	assert_int_equal(gpgfx_run(good.home, &sink, "--output", bin,
				   "--export", good.fpr, NULL), 0);
	if (!path_exists(files[0]))
		skip();   /* run from the top of the source tree */
	assert_int_equal(sigverify_keys_load(&k, files, 2), 0);
	assert_int_equal(k.rings.nr, 2);
	/* the binary keyring is used in place, the armored one converted */
	assert_string_equal(k.rings.v[1], bin);
	assert_non_null(strstr(k.rings.v[0], k.home));
	home = xstrdup(k.home);
	sigverify_keys_release(&k);
	assert_false(path_exists(home));
	free(home);
	free(bin);
	strbuf_release(&sink);
}

static void test_clearsigned(void **state)
{
	struct sigverify_keys k;
	struct strbuf text = STRBUF_INIT, raw = STRBUF_INIT;
	char *plain = file_in("sums"), *asc = file_in("sums.asc");
	char *signer = NULL;

	(void)state;
	put("sums", "0123  linux-1.0.tar.xz\n- a dash line\n");
	assert_int_equal(gpgfx_clearsign(&good, plain, asc), 0);
	load(&k, good.pub);
	assert_int_equal(sigverify_clearsigned(&k, asc, "sums.asc", &text,
					       &signer), 0);
	assert_string_equal(text.buf, "0123  linux-1.0.tar.xz\n- a dash line\n");
	assert_string_equal(signer, good.fpr);
	free(signer);
	signer = NULL;

	/* text outside the signed block is not part of the result */
	assert_int_equal(strbuf_read_file(&raw, asc), 0);
	strbuf_addstr(&raw, "ffff  evil.tar.xz\n");
	put("sums.asc", raw.buf);
	strbuf_reset(&text);
	assert_int_equal(sigverify_clearsigned(&k, asc, "sums.asc", &text,
					       NULL), 0);
	assert_null(strstr(text.buf, "evil"));

	/* a changed signed line */
	*strstr(raw.buf, "0123") = '9';
	put("sums.asc", raw.buf);
	strbuf_reset(&text);
	assert_int_equal(sigverify_clearsigned(&k, asc, "sums.asc", &text,
					       &signer), -UKB_ESIGNATURE);
	assert_null(signer);

	/* not signed at all */
	assert_int_equal(sigverify_clearsigned(&k, plain, "sums", &text,
					       NULL), -UKB_ESIGNATURE);
	sigverify_keys_release(&k);

	/* signed, but by a key that is not trusted */
	assert_int_equal(gpgfx_clearsign(&rogue, plain, asc), 0);
	load(&k, good.pub);
	assert_int_equal(sigverify_clearsigned(&k, asc, "sums.asc", &text,
					       NULL), -UKB_ESIGNATURE);
	sigverify_keys_release(&k);

	strbuf_release(&text);
	strbuf_release(&raw);
	free(plain);
	free(asc);
}

static void test_detached(void **state)
{
	struct sigverify_keys k;
	char *data = file_in("data"), *sig = file_in("data.sign");
	char *signer = NULL;

	(void)state;
	put("data", "some data\n");
	assert_int_equal(gpgfx_detach_sign(&good, data, sig), 0);
	load(&k, good.pub);
	assert_int_equal(sigverify_detached(&k, sig, data, "data", &signer),
			 0);
	assert_string_equal(signer, good.fpr);
	free(signer);
	put("data", "some other data\n");
	assert_int_equal(sigverify_detached(&k, sig, data, "data", NULL),
			 -UKB_ESIGNATURE);
	sigverify_keys_release(&k);
	free(data);
	free(sig);
}

static int count_scratch(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, ".verify-", 8);
	closedir(d);
	return n;
}

/* The signature covers the tar, whichever compression carries it. */
static void test_tarball(void **state)
{
	struct sigverify_keys k;
	char *src = file_in("src"), *tar = file_in("t.tar");
	char *xz = file_in("t.tar.xz"), *gz = file_in("t.tar.gz");
	char *sig = file_in("t.tar.sign"), *signer = NULL;

	(void)state;
	assert_int_equal(mkdir_p(src, 0755), 0);
	put("src/Makefile", "VERSION = 1\n");
	assert_int_equal(fx_tool("tar", "-C", dir, "-cf", tar, "src", NULL), 0);
	assert_int_equal(gpgfx_detach_sign(&good, tar, sig), 0);
	assert_int_equal(fx_tool("xz", "-k", tar, NULL), 0);
	assert_int_equal(fx_tool("gzip", "-k", tar, NULL), 0);
	load(&k, good.pub);
	assert_int_equal(sigverify_tarball(&k, sig, xz, "t.tar.xz", &signer), 0);
	assert_string_equal(signer, good.fpr);
	free(signer);
	assert_int_equal(sigverify_tarball(&k, sig, gz, "t.tar.gz", NULL), 0);
	assert_int_equal(sigverify_tarball(&k, sig, tar, "t.tar", NULL), 0);
	/* the compressed file stays, no scratch directory is left */
	assert_true(path_exists(xz));
	assert_true(path_exists(gz));

	/* a corrupt xz stream */
	{
		static const char bad[] = "\xfd" "7zXZ\0 garbage";

		assert_int_equal(write_file_atomic(xz, bad, sizeof(bad) - 1,
						   0644), 0);
	}
	assert_int_equal(sigverify_tarball(&k, sig, xz, "t.tar.xz", NULL),
			 -UKB_ESOURCE);
	sigverify_keys_release(&k);

	/* a signature by another key than the trusted one */
	assert_int_equal(gpgfx_detach_sign(&rogue, tar, sig), 0);
	load(&k, good.pub);
	assert_int_equal(sigverify_tarball(&k, sig, gz, "t.tar.gz", NULL),
			 -UKB_ESIGNATURE);
	sigverify_keys_release(&k);
	assert_int_equal(count_scratch(), 0);
	free(src);
	free(tar);
	free(xz);
	free(gz);
	free(sig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_errors),
		cmocka_unit_test(test_keys_armored_and_binary),
		cmocka_unit_test(test_clearsigned),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_tarball),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
