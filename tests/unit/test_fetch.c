/*
 * fetch: the sha256sums parser and the mirror URL policy as pure
 * functions, then fetch_tarball() end to end against a kernel.org-shaped
 * file:// mirror (no network) signed by keys the test generates.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "base/wrapper.h"
#include "gpg_fixture.h"
#include "source/fetch.h"

#define HASH_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HASH_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static int lookup(const char *text, const char *file, char out[65])
{
	return sha256sums_lookup("sums", text, strlen(text), file, out, NULL);
}

static void test_sums_found(void **state)
{
	char out[65];

	(void)state;
	assert_int_equal(lookup(HASH_A "  linux-6.1.tar.xz\n"
				HASH_B "  linux-6.1.1.tar.xz\n",
				"linux-6.1.1.tar.xz", out), 0);
	assert_string_equal(out, HASH_B);
	/* binary marker, CRLF, no final newline, blank and comment lines */
	assert_int_equal(lookup("\n# comment\r\n" HASH_A " *linux-6.1.tar.gz\r\n"
				HASH_B "  x", "linux-6.1.tar.gz", out), 0);
	assert_string_equal(out, HASH_A);
	/* upper-case hex comes out lower-case */
	assert_int_equal(lookup("0123456789ABCDEF0123456789ABCDEF"
				"0123456789ABCDEF0123456789ABCDEF  f\n", "f",
				out), 0);
	assert_string_equal(out, HASH_A);
	/* a repeated, identical entry is fine */
	assert_int_equal(lookup(HASH_A "  f\n" HASH_A "  f\n", "f", out), 0);
}

static void test_sums_not_found(void **state)
{
	char out[65];

	(void)state;
	assert_int_equal(lookup("", "f", out), -UKB_ENOTFOUND);
	assert_int_equal(lookup(HASH_A "  linux-6.1.tar.xz\n",
				"linux-6.1.tar", out), -UKB_ENOTFOUND);
	assert_int_equal(lookup(HASH_A "  linux-6.1.tar.xz\n",
				"inux-6.1.tar.xz", out), -UKB_ENOTFOUND);
}

static void test_sums_malformed(void **state)
{
	static const char nul[] = HASH_A "  f\0g\n";
	char out[65];

	(void)state;
	assert_int_equal(lookup("abc  f\n", "f", out), -UKB_ESOURCE);
	assert_int_equal(lookup(HASH_A " f\n", "f", out), -UKB_ESOURCE);
	assert_int_equal(lookup(HASH_A "\tf\n", "f", out), -UKB_ESOURCE);
	assert_int_equal(lookup(HASH_A "  \n", "f", out), -UKB_ESOURCE);
	assert_int_equal(lookup("g123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef  f\n", "f",
				out), -UKB_ESOURCE);
	assert_int_equal(lookup(HASH_A "  f\n" HASH_B "  f\n", "f", out),
			 -UKB_ESOURCE);
	assert_int_equal(sha256sums_lookup("sums", nul, sizeof(nul) - 1, "f",
					   out, NULL),
			 -UKB_ESOURCE);
	/* the length is honoured: nothing is read past it */
	assert_int_equal(sha256sums_lookup("sums", HASH_A "  f\n", 10, "f",
					   out, NULL),
			 -UKB_ESOURCE);
}

/*
 * The problem names the list it was found in (an artifact's SHA256SUMS
 * was reported as "sha256sums.asc"), and with why it is described there,
 * not printed: a damaged artifact list only means "build again".
 */
static void test_sums_names_its_file(void **state)
{
	static const char text[] = HASH_A "  vmlinux\nnot a line\n";
	struct strbuf why = STRBUF_INIT;
	char out[65];

	(void)state;
	assert_int_equal(sha256sums_lookup("/a/SHA256SUMS", text,
					   sizeof(text) - 1, "config", out,
					   &why), -UKB_ESOURCE);
	assert_string_equal(why.buf, "/a/SHA256SUMS:2: expected "
			    "'<sha256>  <file>'");
	strbuf_reset(&why);
	assert_int_equal(sha256sums_lookup("x.sha256", HASH_A "  f\n"
					   HASH_B "  f\n", 2 * 68, "f", out,
					   &why), -UKB_ESOURCE);
	assert_string_equal(why.buf, "x.sha256:2: a second, different "
			    "checksum for 'f'");
	strbuf_release(&why);
}

static void test_url_policy(void **state)
{
	static const char *const allowed[] = {
		"https://cdn.kernel.org/pub/linux/kernel",
		"file:///srv/mirror",
		"http://127.0.0.1:8080/pub",
		"http://127.5.6.7/",
		"http://localhost:1234",
		"http://[::1]:8080/x",
		"HTTP://127.0.0.1/",
	};
	static const char *const refused[] = {
		"http://cdn.kernel.org/pub/linux/kernel",
		"http://128.0.0.1/",
		"http://127.0.0.1.example.com/",
		"http://user@example.com/",
		"http://example.com/#@127.0.0.1",
		"http://[::2]/",
		"ftp://127.0.0.1/",
		"rsync://rsync.kernel.org/pub",
		"not a url",
		"",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		const char *why = fetch_url_refused(allowed[i]);

		if (why)
			fail_msg("'%s' refused: %s", allowed[i], why);
	}
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (!fetch_url_refused(refused[i]))
			fail_msg("'%s' allowed", refused[i]);
}

/* git remotes: the mirror's rule, with git:// like http:// */
static void test_git_url_policy(void **state)
{
	static const char *const allowed[] = {
		"https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git",
		"file:///srv/git/linux.git",
		"/srv/git/linux.git",
		"linux.git",
		"../repos/linux",
		"git://127.0.0.1:9418/linux",
		"http://localhost/linux.git",
	};
	static const char *const refused[] = {
		"http://169.254.169.254/x.git",
		"git://git.kernel.org/pub/linux.git",
		"ssh://git@127.0.0.1/linux.git",
		"ssh://example.com/linux.git",
		"git@example.com:linux.git",
		"example.com:linux.git",
		"ftp://127.0.0.1/linux.git",
		"",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		const char *why = fetch_git_url_refused(allowed[i]);

		if (why)
			fail_msg("'%s' refused: %s", allowed[i], why);
	}
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (!fetch_git_url_refused(refused[i]))
			fail_msg("'%s' allowed", refused[i]);
}

static void test_url_redact(void **state)
{
	static const char *const cases[][2] = {
		{ "https://user:pass@host.example/pub/linux", "https://host.example/pub/linux" },
		{ "https://token@host.example/x.git", "https://host.example/x.git" },
		{ "http://u:p@127.0.0.1:8080/pub/v6.x/sha256sums.asc", "http://127.0.0.1:8080/pub/v6.x/sha256sums.asc" },
		{ "git://u:p@127.0.0.1/linux", "git://127.0.0.1/linux" },
		{ "ssh://git:secret@example.com/linux.git", "ssh://example.com/linux.git" },
		{ "https://u%40x:p%3Aw@h/", "https://h/" },
		/* curl refuses these; the userinfo goes all the same */
		{ "https://u:p@h/a b", "https://h/a b" },
		{ "git@example.com:linux.git", "example.com:linux.git" },
		/* nothing to remove: as given, byte for byte */
		{ "https://cdn.kernel.org/pub/linux/kernel", "https://cdn.kernel.org/pub/linux/kernel" },
		{ "HTTPS://Host/A/../b", "HTTPS://Host/A/../b" },
		{ "/srv/git/a@b:c", "/srv/git/a@b:c" },
		{ "https://h/p?q=a@b", "https://h/p?q=a@b" },
		{ "not a url", "not a url" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *r = url_redact(cases[i][0]);

		if (strcmp(r, cases[i][1]))
			fail_msg("'%s' gave '%s', not '%s'", cases[i][0], r,
				 cases[i][1]);
		free(r);
	}
}

/* ---- fetch_tarball against a file:// mirror ---------------------------- */

static char *dir, *www, *mirror, *tarball, *good_tar, *other_tar;
static struct gpgfx good, rogue;
static struct kver v6199 = { 6, 1, 999, 0 };
static int cache_nr;

static char *in_dir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *in_dir(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "%s/", dir);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

/* A tar with a kernel Makefile and some bytes that differ per seed. */
static int make_tar(const char *tar, int seed)
{
	char *src = in_dir("src%d", seed), *sub = path_join(src, "linux");
	char *mk = path_join(sub, "Makefile"), *blob = path_join(sub, "blob");
	char data[100000];
	int ret;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)((i * 2654435761u + (unsigned)seed) >> 13);
	ret = mkdir_p(sub, 0755);
	if (!ret)
		ret = write_file_atomic(mk, "VERSION = 6\n", 12, 0644);
	if (!ret)
		ret = write_file_atomic(blob, data, sizeof(data), 0644);
	if (!ret)
		ret = fx_tool("tar", "-C", src, "-cf", tar, "linux", NULL);
	free(src);
	free(sub);
	free(mk);
	free(blob);
	return ret;
}

static int sign_sums(const struct gpgfx *g)
{
	char *sums = in_dir("www/v6.x/sha256sums"), *asc = in_dir("www/v6.x/sha256sums.asc");
	char hex[65], *line;
	int ret = sha256_file(tarball, hex);

	line = xasprintf("%s  linux-6.1.998.tar.xz\n%s  linux-6.1.999.tar.xz\n",
			 HASH_A, hex);
	if (!ret)
		ret = write_file_atomic(sums, line, strlen(line), 0644);
	if (!ret)
		ret = gpgfx_clearsign(g, sums, asc);
	unlink(sums);
	free(line);
	free(sums);
	free(asc);
	return ret;
}

/* xz -c writes to stdout, which proc.h captures: compress via a copy. */
static int compress_to(const char *tar, const char *out)
{
	char *tmp = in_dir("compress.tar"), *tmpxz = in_dir("compress.tar.xz");
	int ret = copy_file(tar, tmp);

	unlink(tmpxz);
	if (!ret)
		ret = fx_tool("xz", "-f", tmp, NULL);
	if (!ret && rename(tmpxz, out) < 0)
		ret = -errno;
	free(tmp);
	free(tmpxz);
	return ret;
}

/* The mirror as kernel.org has it: tarball, .tar.sign, sha256sums.asc. */
static int setup_mirror(const struct gpgfx *tar_key,
			const struct gpgfx *sums_key, const char *tar)
{
	char *sign = in_dir("www/v6.x/linux-6.1.999.tar.sign");
	int ret = compress_to(tar, tarball);

	if (!ret)
		ret = gpgfx_detach_sign(tar_key, tar, sign);
	if (!ret)
		ret = sign_sums(sums_key);
	free(sign);
	return ret;
}

static int group_setup(void **state)
{
	char tpl[] = "/tmp/ukb-test-fetch.XXXXXX";

	(void)state;
	log_set_verbosity(LOG_QUIET);
	fetch_retry_base_ms = 10;
	if (!mkdtemp(tpl))
		return -1;
	dir = xstrdup(tpl);
	www = in_dir("www");
	mirror = xasprintf("file://%s", www);
	tarball = in_dir("www/v6.x/linux-6.1.999.tar.xz");
	good_tar = in_dir("good.tar");
	other_tar = in_dir("other.tar");
	{
		char *v6 = in_dir("www/v6.x");
		int ret = mkdir_p(v6, 0755);

		free(v6);
		if (ret)
			return -1;
	}
	if (gpgfx_init(&good, dir, "good") || gpgfx_init(&rogue, dir, "rogue"))
		return -1;
	if (make_tar(good_tar, 1) || make_tar(other_tar, 2))
		return -1;
	return setup_mirror(&good, &good, good_tar);
}

static int group_teardown(void **state)
{
	(void)state;
	gpgfx_release(&good);
	gpgfx_release(&rogue);
	rmtree(dir);
	free(dir);
	free(www);
	free(mirror);
	free(tarball);
	free(good_tar);
	free(other_tar);
	return 0;
}

/* Each test gets a cache of its own. */
static char *new_cache(void)
{
	char *c = in_dir("cache%d", ++cache_nr);

	cache_set_root(c);
	return c;
}

static int fetch(int offline, int no_verify, struct fetched *f)
{
	const char *mirrors[] = { mirror };
	const char *keys[] = { good.pub };
	struct fetch_opts o = { .mirrors = mirrors, .nr_mirrors = 1,
				.keyrings = keys, .nr_keyrings = 1,
				.offline = offline, .no_verify = no_verify };

	return fetch_tarball(&v6199, &o, f);
}

static int count_files(const char *cache)
{
	struct strbuf sb = STRBUF_INIT;
	const char *argv[] = { "find", cache, "-type", "f", "-path",
			       "*/downloads/*", NULL };
	int n = 0;

	assert_int_equal(proc_capture(argv, &sb), 0);
	for (size_t i = 0; i < sb.len; i++)
		n += sb.buf[i] == '\n';
	strbuf_release(&sb);
	return n;
}

static void test_fetch_and_cache(void **state)
{
	struct fetched f;
	char *cache = new_cache(), hex[65];

	(void)state;
	assert_int_equal(fetch(1, 0, &f), -UKB_ENOTFOUND);
	assert_int_equal(fetch(0, 0, &f), 0);
	assert_int_equal(sha256_file(tarball, hex), 0);
	assert_string_equal(f.sha256, hex);
	assert_non_null(strstr(f.path, hex));
	assert_true(path_exists(f.path));
	assert_false(f.from_cache);
	assert_true(f.verified);
	assert_string_equal(f.signer, good.fpr);
	assert_non_null(strstr(f.url, "/v6.x/linux-6.1.999.tar.xz"));
	fetched_release(&f);

	/* again: from the cache, without a download */
	assert_int_equal(fetch(0, 0, &f), 0);
	assert_true(f.from_cache);
	assert_null(f.url);
	assert_true(f.verified);
	assert_string_equal(f.signer, good.fpr);
	fetched_release(&f);

	/* offline: the cache only */
	assert_int_equal(fetch(1, 0, &f), 0);
	assert_true(f.from_cache);
	assert_string_equal(f.sha256, hex);
	fetched_release(&f);
	/* tarball and signer marker: no .part, no scratch file left */
	assert_int_equal(count_files(cache), 2);
	free(cache);
}

static void test_fetch_default_keys(void **state)
{
	const char *mirrors[] = { mirror };
	struct fetch_opts o = { .mirrors = mirrors, .nr_mirrors = 1 };
	char *data = in_dir("data"), *keys = in_dir("data/keys");
	char *dst = path_join(keys, "good.asc"), *cache = new_cache();
	struct fetched f;

	(void)state;
	assert_int_equal(mkdir_p(keys, 0755), 0);
	assert_int_equal(copy_file(good.pub, dst), 0);
	setenv("UKB_DATADIR", data, 1);
	assert_int_equal(fetch_tarball(&v6199, &o, &f), 0);
	fetched_release(&f);
	unlink(dst);
	assert_int_equal(fetch_tarball(&v6199, &o, &f), -UKB_EUSAGE);
	unsetenv("UKB_DATADIR");
	free(data);
	free(keys);
	free(dst);
	free(cache);
}

static void test_fetch_not_found(void **state)
{
	struct kver v = { 6, 1, 998, 0 }, v7 = { 7, 0, 0, 0 };
	const char *mirrors[] = { mirror };
	const char *keys[] = { good.pub };
	struct fetch_opts o = { .mirrors = mirrors, .nr_mirrors = 1,
				.keyrings = keys, .nr_keyrings = 1 };
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	/* listed in sha256sums.asc, but not there */
	assert_int_equal(fetch_tarball(&v, &o, &f), -UKB_ENOTFOUND);
	/* no such directory at all */
	assert_int_equal(fetch_tarball(&v7, &o, &f), -UKB_ENOTFOUND);
	assert_int_equal(count_files(cache), 0);
	free(cache);
}

static void test_fetch_checksum_mismatch(void **state)
{
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	/* the mirror serves another tarball than its sums list */
	assert_int_equal(compress_to(other_tar, tarball), 0);
	assert_int_equal(fetch(0, 0, &f), -UKB_ECHECKSUM);
	assert_int_equal(count_files(cache), 0);
	assert_int_equal(setup_mirror(&good, &good, good_tar), 0);
	free(cache);
}

static void test_fetch_bad_tar_sign(void **state)
{
	char *sign = in_dir("www/v6.x/linux-6.1.999.tar.sign");
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	/* the checksum is right, the .tar.sign is over another tar */
	assert_int_equal(gpgfx_detach_sign(&good, other_tar, sign), 0);
	assert_int_equal(fetch(0, 0, &f), -UKB_ESIGNATURE);
	assert_int_equal(count_files(cache), 0);
	/* a signature by an untrusted key */
	assert_int_equal(gpgfx_detach_sign(&rogue, good_tar, sign), 0);
	assert_int_equal(fetch(0, 0, &f), -UKB_ESIGNATURE);
	assert_int_equal(count_files(cache), 0);
	assert_int_equal(setup_mirror(&good, &good, good_tar), 0);
	free(sign);
	free(cache);
}

static void test_fetch_untrusted_sums(void **state)
{
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	assert_int_equal(sign_sums(&rogue), 0);
	assert_int_equal(fetch(0, 0, &f), -UKB_ESIGNATURE);
	assert_int_equal(count_files(cache), 0);
	assert_int_equal(sign_sums(&good), 0);
	free(cache);
}

static void test_fetch_resume(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct fetched f;
	char *cache = new_cache(), *dl, *part;

	(void)state;
	dl = path_join(cache, "downloads");
	part = path_join(dl, "linux-6.1.999.tar.xz.part");
	assert_int_equal(mkdir_p(dl, 0755), 0);
	assert_int_equal(strbuf_read_file(&sb, tarball), 0);
	/* the first half of an interrupted download */
	assert_int_equal(write_file_atomic(part, sb.buf, sb.len / 2, 0644), 0);
	assert_int_equal(fetch(0, 0, &f), 0);
	assert_false(path_exists(part));
	fetched_release(&f);
	free(cache);

	/* a part that does not belong: downloaded again from the start */
	cache = new_cache();
	free(dl);
	free(part);
	dl = path_join(cache, "downloads");
	part = path_join(dl, "linux-6.1.999.tar.xz.part");
	assert_int_equal(mkdir_p(dl, 0755), 0);
	memset(sb.buf, 'x', 100);
	assert_int_equal(write_file_atomic(part, sb.buf, sb.len / 2, 0644), 0);
	assert_int_equal(fetch(0, 0, &f), 0);
	assert_false(path_exists(part));
	fetched_release(&f);

	/* a complete part from an interrupted check */
	cache = (free(cache), new_cache());
	free(dl);
	free(part);
	dl = path_join(cache, "downloads");
	part = path_join(dl, "linux-6.1.999.tar.xz.part");
	assert_int_equal(mkdir_p(dl, 0755), 0);
	assert_int_equal(copy_file(tarball, part), 0);
	assert_int_equal(fetch(0, 0, &f), 0);
	fetched_release(&f);
	strbuf_release(&sb);
	free(dl);
	free(part);
	free(cache);
}

static void test_fetch_no_verify(void **state)
{
	char *asc = in_dir("www/v6.x/sha256sums.asc");
	char *moved = in_dir("sums.away");
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	/* without sha256sums.asc only --no-verify gets the tarball */
	assert_int_equal(rename(asc, moved), 0);
	assert_int_equal(fetch(0, 0, &f), -UKB_ENOTFOUND);
	assert_int_equal(fetch(0, 1, &f), 0);
	assert_false(f.verified);
	assert_null(f.signer);
	fetched_release(&f);
	/* offline it is there for --no-verify only */
	assert_int_equal(fetch(1, 0, &f), -UKB_ENOTFOUND);
	assert_int_equal(fetch(1, 1, &f), 0);
	fetched_release(&f);
	/* a verified run checks the cached copy instead of downloading */
	assert_int_equal(rename(moved, asc), 0);
	assert_int_equal(fetch(0, 0, &f), 0);
	assert_true(f.verified);
	assert_true(f.from_cache);
	fetched_release(&f);
	assert_int_equal(fetch(1, 0, &f), 0);
	fetched_release(&f);
	free(asc);
	free(moved);
	free(cache);
}

static void test_fetch_refused(void **state)
{
	const char *mirrors[] = { "http://mirror.example.com/pub" };
	struct fetch_opts o = { .mirrors = mirrors, .nr_mirrors = 1,
				.no_verify = 1 };
	struct kver rc = { 6, 2, 0, 3 };
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	assert_int_equal(fetch_tarball(&v6199, &o, &f), -UKB_EUSAGE);
	mirrors[0] = mirror;
	assert_int_equal(fetch_tarball(&rc, &o, &f), -UKB_EUSAGE);
	free(cache);
}

/* The first mirror lacks the release, the second has it. */
static void test_fetch_mirror_list(void **state)
{
	char *empty = in_dir("empty"), *empty_url;
	const char *mirrors[2], *keys[] = { good.pub };
	struct fetch_opts o = { .mirrors = mirrors, .nr_mirrors = 2,
				.keyrings = keys, .nr_keyrings = 1 };
	struct fetched f;
	char *cache = new_cache();

	(void)state;
	assert_int_equal(mkdir_p(empty, 0755), 0);
	empty_url = xasprintf("file://%s", empty);
	mirrors[0] = empty_url;
	mirrors[1] = mirror;
	assert_int_equal(fetch_tarball(&v6199, &o, &f), 0);
	assert_non_null(strstr(f.url, www));
	fetched_release(&f);
	free(empty);
	free(empty_url);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_sums_found),
		cmocka_unit_test(test_sums_not_found),
		cmocka_unit_test(test_sums_malformed),
		cmocka_unit_test(test_sums_names_its_file),
		cmocka_unit_test(test_url_policy),
		cmocka_unit_test(test_git_url_policy),
		cmocka_unit_test(test_url_redact),
	};
	const struct CMUnitTest mirror_tests[] = {
		cmocka_unit_test(test_fetch_and_cache),
		cmocka_unit_test(test_fetch_default_keys),
		cmocka_unit_test(test_fetch_not_found),
		cmocka_unit_test(test_fetch_checksum_mismatch),
		cmocka_unit_test(test_fetch_bad_tar_sign),
		cmocka_unit_test(test_fetch_untrusted_sums),
		cmocka_unit_test(test_fetch_resume),
		cmocka_unit_test(test_fetch_no_verify),
		cmocka_unit_test(test_fetch_refused),
		cmocka_unit_test(test_fetch_mirror_list),
	};
	int failed;

	failed = cmocka_run_group_tests_name("pure", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("file:// mirror", mirror_tests,
					      group_setup, group_teardown);
	return failed;
}
