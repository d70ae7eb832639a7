/*
 * libFuzzer harness for unpack_archive() as a whole: the input is the
 * archive file (plain tar, or gzip or xz, which the decoding thread
 * reads to the end). Besides crashes, it checks what the cache relies on:
 * a failure leaves no destination behind, and a success leaves a tree in
 * which no entry is group or other writable, set-id or sticky, and no
 * symlink resolves outside the top directory. Limits are lowered so that
 * a few bytes cannot make the fuzzer write gigabytes.
 */
#define FUZZ_CUSTOM_INIT
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "fuzz.h"
#include "source/unpack.h"

#define CHECK(x)                                                              \
	do {                                                                  \
		if (!(x))                                                     \
			abort();                                              \
	} while (0)

static char dir[64], in[PATH_MAX], dest[PATH_MAX];
static char top[PATH_MAX]; /* realpath of dest/topdir, for the walk */

static void remove_dir(void)
{
	rmtree(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct unpack_limits low = {
		.total = 8 << 20, .entry = 2 << 20, .entries = 2000,
	};

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(dir, sizeof(dir), "/tmp/fuzz_unpack.XXXXXX");
	CHECK(mkdtemp(dir));
	atexit(remove_dir);
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(dest, sizeof(dest), "%s/out", dir);
	unpack_set_limits(&low);
	return 0;
}

static int visit(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)ftw;
	(void)flag;
	if (S_ISLNK(st->st_mode)) {
		char real[PATH_MAX];

		/* a dangling link is fine; one that resolves stays inside */
		if (realpath(path, real)) {
			size_t n = strlen(top);

			CHECK(!strncmp(real, top, n) &&
			      (real[n] == '/' || !real[n]));
		}
		return 0;
	}
	CHECK(!(st->st_mode & (S_IWGRP | S_IWOTH | 07000)));
	if (S_ISDIR(st->st_mode))
		CHECK((st->st_mode & 0700) == 0700);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_result res;
	int fd = open(in, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ret;

	CHECK(fd >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);
	ret = unpack_archive(in, dest, &res);
	if (ret) {
		CHECK(ret == -UKB_ESOURCE || ret == -EEXIST || ret == -ENOENT ||
		      ret == -ENOTDIR || ret == -EISDIR || ret == -ENAMETOOLONG ||
		      ret == -ELOOP || ret == -EMLINK);
		CHECK(access(dest, F_OK) < 0);
		return 0;
	}
	if (res.topdir) {
		char *t = path_join(dest, res.topdir);

		if (!realpath(t, top))
			top[0] = '\0';
		free(t);
		if (top[0])
			nftw(top, visit, 16, FTW_PHYS);
	}
	unpack_result_release(&res);
	CHECK(rmtree(dest) == 0);
	return 0;
}
