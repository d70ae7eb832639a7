/*
 * sha256: the digests of buffers and files, and sha256_file from several
 * threads at once (xzpump hashes in a thread of its own): each call must
 * read through a buffer of its own, not one shared static buffer.
 */
#include <errno.h>
#include <pthread.h>
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
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/wrapper.h"

#define NTHREADS 4
#define FILE_SIZE (3 << 20)    /* many reads of the 128 KiB chunk */

struct job {
	char *path;
	char want[SHA256_HEX_LEN + 1];
	int wrong;
};

static void test_known_digests(void **state)
{
	char hex[SHA256_HEX_LEN + 1];

	(void)state;
	sha256_buf("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	sha256_buf("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(sha256_file("/nonexistent/x", hex), -ENOENT);
}

static void *hash_loop(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < 8; i++) {
		char hex[SHA256_HEX_LEN + 1];

		if (sha256_file(j->path, hex) || strcmp(hex, j->want))
			j->wrong++;
	}
	return NULL;
}

static void test_file_in_threads(void **state)
{
	char dir[] = "/tmp/ukb-sha256-XXXXXX";
	struct job jobs[NTHREADS];
	pthread_t tid[NTHREADS];
	unsigned char *data = xmalloc(FILE_SIZE);

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int t = 0; t < NTHREADS; t++) {
		/* a different byte pattern in each file */
		for (size_t i = 0; i < FILE_SIZE; i++)
			data[i] = (unsigned char)(i * (2 * (size_t)t + 3) + t);
		jobs[t].path = xasprintf("%s/f%d", dir, t);
		jobs[t].wrong = 0;
		assert_int_equal(write_file_atomic(jobs[t].path, data,
						   FILE_SIZE, 0644), 0);
		sha256_buf(data, FILE_SIZE, jobs[t].want);
	}
	for (int t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_create(&tid[t], NULL, hash_loop,
						&jobs[t]), 0);
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(tid[t], NULL);
	for (int t = 0; t < NTHREADS; t++) {
		assert_int_equal(jobs[t].wrong, 0);
		unlink(jobs[t].path);
		free(jobs[t].path);
	}
	rmdir(dir);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_digests),
		cmocka_unit_test(test_file_in_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
