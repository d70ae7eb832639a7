/*
 * unpack: fixture archives are written with libarchive's writer into a
 * temporary directory; each hostile one must be refused, leave no dest
 * behind and write nothing outside it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>
#include <lzma.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/unpack.h"
#include "testlib.h"

#define MTIME 1600000000

enum { F_NONE, F_GZIP, F_BZIP2, F_XZ };

struct fx {
	const char *name;
	mode_t type;          /* AE_IF* */
	const char *data;     /* file contents or symlink target */
	const char *hardlink; /* target of a hard link entry */
	mode_t perm;
};

static char tmp[64];

/* "tmp/name" in one of a few rotating buffers: enough for one assertion. */
static const char *tp(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 8];
	char name[PATH_MAX - sizeof(tmp)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(b, PATH_MAX, "%s/%s", tmp, name);
	return b;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_unpack.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unpack_set_limits(NULL);
	return rmtree(tmp);
}

static void write_archive(const char *path, int filter, const struct fx *fx,
			  size_t n)
{
	struct archive *a = archive_write_new();

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	switch (filter) {
	case F_GZIP:
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
		break;
	case F_BZIP2:
		assert_int_equal(archive_write_add_filter_bzip2(a), ARCHIVE_OK);
		break;
	case F_XZ:
		assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
		break;
	}
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t size = 0;

		archive_entry_set_pathname(e, fx[i].name);
		archive_entry_set_filetype(e, fx[i].hardlink ? AE_IFREG
							     : fx[i].type);
		archive_entry_set_perm(e, fx[i].perm ? fx[i].perm
				       : fx[i].type == AE_IFDIR ? 0755 : 0644);
		archive_entry_set_mtime(e, MTIME, 0);
		if (fx[i].hardlink)
			archive_entry_set_hardlink(e, fx[i].hardlink);
		else if (fx[i].type == AE_IFLNK)
			archive_entry_set_symlink(e, fx[i].data);
		else if (fx[i].type == AE_IFREG)
			size = strlen(fx[i].data);
		else if (fx[i].type == AE_IFCHR)
			archive_entry_set_rdev(e, makedev(1, 3));
		archive_entry_set_size(e, (la_int64_t)size);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (size)
			assert_int_equal(archive_write_data(a, fx[i].data, size),
					 (la_ssize_t)size);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_read_file(&sb, path), 0);
	return strbuf_detach(&sb, NULL);
}

static void expect_file(const char *path, const char *data, mode_t perm)
{
	struct stat st;
	char *got = slurp(path);

	assert_string_equal(got, data);
	free(got);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, perm);
	assert_int_equal(st.st_mtime, MTIME);
}

static const struct fx good[] = {
	{ "linux-1.0/", AE_IFDIR, NULL, NULL, 0755 },
	{ "linux-1.0/Makefile", AE_IFREG, "VERSION = 1\n", NULL, 0644 },
	{ "linux-1.0/scripts/", AE_IFDIR, NULL, NULL, 0750 },
	{ "linux-1.0/scripts/run.sh", AE_IFREG, "#!/bin/sh\n", NULL, 0755 },
	{ "linux-1.0/scripts/mk", AE_IFLNK, "../Makefile", NULL, 0777 },
	{ "linux-1.0/suid", AE_IFREG, "x", NULL, 04755 },
	{ "linux-1.0/Kbuild", AE_IFREG, NULL, "linux-1.0/Makefile", 0644 },
};

static void check_good_tree(const char *dest, const struct unpack_result *res)
{
	char target[64];
	struct stat a, b;
	ssize_t n;

	assert_non_null(res->topdir);
	assert_string_equal(res->topdir, "linux-1.0");
	assert_int_equal(res->files, 3);
	assert_int_equal(res->bytes, strlen("VERSION = 1\n#!/bin/sh\nx"));
	expect_file(tp("%s/linux-1.0/Makefile", dest), "VERSION = 1\n", 0644);
	expect_file(tp("%s/linux-1.0/scripts/run.sh", dest), "#!/bin/sh\n",
		    0755);
	expect_file(tp("%s/linux-1.0/suid", dest), "x", 0755);
	n = readlink(tp("%s/linux-1.0/scripts/mk", dest), target,
		     sizeof(target));
	assert_int_equal(n, strlen("../Makefile"));
	assert_memory_equal(target, "../Makefile", (size_t)n);
	assert_int_equal(stat(tp("%s/linux-1.0/Makefile", dest), &a), 0);
	assert_int_equal(stat(tp("%s/linux-1.0/Kbuild", dest), &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(stat(tp("%s/linux-1.0/scripts", dest), &a), 0);
	assert_int_equal(a.st_mode & 07777, 0750);
	assert_int_equal(a.st_mtime, MTIME);
	assert_int_equal(stat(tp("%s", dest), &a), 0);
	assert_int_equal(a.st_mode & 07777, 0755);
}

static void test_good_targz(void **state)
{
	struct unpack_result res;

	(void)state;
	write_archive(tp("good.tar.gz"), F_GZIP, good, ARRAY_SIZE(good));
	/* parents of dest are created */
	assert_int_equal(unpack_archive(tp("good.tar.gz"), tp("src/out"), &res),
			 0);
	check_good_tree("src/out", &res);
	unpack_result_release(&res);
	assert_null(res.topdir);
}

static void test_every_filter(void **state)
{
	static const int filters[] = { F_NONE, F_GZIP, F_BZIP2, F_XZ };
	struct unpack_result res;
	char dest[16];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		/* the name says nothing: detection is by content */
		write_archive(tp("a%zu.bin", i), filters[i], good,
			      ARRAY_SIZE(good));
		assert_int_equal(unpack_archive(tp("a%zu.bin", i),
						tp("out%zu", i), &res), 0);
		snprintf(dest, sizeof(dest), "out%zu", i);
		check_good_tree(dest, &res);
		unpack_result_release(&res);
	}
}

static void test_relative_dest(void **state)
{
	static const struct fx fx[] = {
		{ "./", AE_IFDIR, NULL, NULL, 0700 },
		{ "./a/b", AE_IFREG, "b", NULL, 0644 },
		{ "./a//c/", AE_IFDIR, NULL, NULL, 0755 },
	};
	struct unpack_result res;
	char cwd[PATH_MAX];
	struct stat st;

	(void)state;
	write_archive(tp("rel.tar"), F_NONE, fx, ARRAY_SIZE(fx));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmp), 0);
	assert_int_equal(unpack_archive("rel.tar", "x/y", &res), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(res.topdir, "a");
	assert_int_equal(res.files, 1);
	expect_file(tp("x/y/a/b"), "b", 0644);
	assert_true(is_dir(tp("x/y/a/c")));
	/* "./" is dest itself, which keeps the mode we gave it */
	assert_int_equal(stat(tp("x/y"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	unpack_result_release(&res);
}

static void test_no_single_topdir(void **state)
{
	static const struct fx two[] = {
		{ "a/x", AE_IFREG, "1", NULL, 0 },
		{ "b/y", AE_IFREG, "2", NULL, 0 },
	};
	static const struct fx lone[] = {
		{ "README", AE_IFREG, "1", NULL, 0 },
	};
	struct unpack_result res;

	(void)state;
	write_archive(tp("two.tar"), F_NONE, two, ARRAY_SIZE(two));
	assert_int_equal(unpack_archive(tp("two.tar"), tp("two"), &res), 0);
	assert_null(res.topdir);
	assert_int_equal(res.files, 2);
	unpack_result_release(&res);
	write_archive(tp("lone.tar"), F_NONE, lone, ARRAY_SIZE(lone));
	assert_int_equal(unpack_archive(tp("lone.tar"), tp("lone"), &res), 0);
	assert_null(res.topdir);
	unpack_result_release(&res);
}

/* A ustar header of type 'g' and its record, as git archive writes them. */
static void pax_global_header(struct strbuf *sb)
{
	static const char body[] =
		"52 comment=0123456789abcdef0123456789abcdef01234567\n";
	char h[512] = { 0 }, rec[512] = { 0 };
	unsigned sum = 0;

	memcpy(h, "pax_global_header", 17);
	memcpy(h + 100, "0000666", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf(h + 124, 12, "%011o", (unsigned)strlen(body));
	memcpy(h + 136, "00000000000", 11);
	memset(h + 148, ' ', 8);
	h[156] = 'g';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	memcpy(rec, body, strlen(body));
	strbuf_add(sb, h, sizeof(h));
	strbuf_add(sb, rec, sizeof(rec));
}

static void test_pax_global_header(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct unpack_result res;

	(void)state;
	pax_global_header(&sb);
	write_archive(tp("plain.tar"), F_NONE, good, ARRAY_SIZE(good));
	assert_int_equal(strbuf_read_file(&sb, tp("plain.tar")), 0);
	assert_int_equal(write_file_atomic(tp("git.tar"), sb.buf, sb.len,
					   0644), 0);
	strbuf_release(&sb);
	assert_int_equal(unpack_archive(tp("git.tar"), tp("git"), &res), 0);
	check_good_tree("git", &res);
	assert_false(path_exists(tp("git/pax_global_header")));
	unpack_result_release(&res);
}

struct hostile {
	const char *what;
	struct fx fx[3];
	size_t n;
	const char *named; /* the entry the message must name */
};

/* dest is tmp/a/b/dest; whatever escapes would land in tmp/a/b or tmp. */
static void hostile_cases(struct hostile *h, size_t *n)
{
	static char abs_name[PATH_MAX], abs_target[PATH_MAX];
	size_t i = 0;

	snprintf(abs_name, sizeof(abs_name), "%s/x", tmp);
	snprintf(abs_target, sizeof(abs_target), "%s/x", tmp);
	h[i++] = (struct hostile){ "dotdot", {
		{ "top/ok", AE_IFREG, "ok", NULL, 0 },
		{ "../x", AE_IFREG, "evil", NULL, 0 } }, 2, "../x" };
	h[i++] = (struct hostile){ "absolute", {
		{ "top/ok", AE_IFREG, "ok", NULL, 0 },
		{ abs_name, AE_IFREG, "evil", NULL, 0 } }, 2, abs_name };
	h[i++] = (struct hostile){ "inner dotdot", {
		{ "a/../../x", AE_IFREG, "evil", NULL, 0 } }, 1, "a/../../x" };
	h[i++] = (struct hostile){ "symlink escape", {
		{ "a/", AE_IFDIR, NULL, NULL, 0 },
		{ "a/l", AE_IFLNK, "../../x", NULL, 0 },
		{ "a/l/y", AE_IFREG, "evil", NULL, 0 } }, 3, "a/l" };
	h[i++] = (struct hostile){ "absolute symlink", {
		{ "top/l", AE_IFLNK, abs_target, NULL, 0 },
		{ "top/l/y", AE_IFREG, "evil", NULL, 0 } }, 2, "top/l" };
	h[i++] = (struct hostile){ "symlink via dot", {
		{ "top/a", AE_IFLNK, ".", NULL, 0 },
		{ "top/l", AE_IFLNK, "a/..", NULL, 0 },
		{ "top/l/x", AE_IFREG, "evil", NULL, 0 } }, 3, "'top/l'" };
	h[i++] = (struct hostile){ "hardlink escape", {
		{ "top/ok", AE_IFREG, "ok", NULL, 0 },
		{ "top/h", AE_IFREG, NULL, "../victim", 0 } }, 2, "top/h" };
	h[i++] = (struct hostile){ "hardlink into a sibling tree", {
		{ "other/f", AE_IFREG, "other", NULL, 0 },
		{ "top/h", AE_IFREG, NULL, "other/f", 0 } }, 2, "top/h" };
	h[i++] = (struct hostile){ "symlink to the scratch dir", {
		{ "top/", AE_IFDIR, NULL, NULL, 0 },
		{ "top/trees", AE_IFLNK, "..", NULL, 0 } }, 2, "top/trees" };
	h[i++] = (struct hostile){ "hardlink forward", {
		{ "top/h", AE_IFREG, NULL, "top/later", 0 },
		{ "top/later", AE_IFREG, "later", NULL, 0 } }, 2, "top/h" };
	h[i++] = (struct hostile){ "device", {
		{ "top/ok", AE_IFREG, "ok", NULL, 0 },
		{ "top/null", AE_IFCHR, NULL, NULL, 0666 } }, 2, "top/null" };
	h[i++] = (struct hostile){ "fifo", {
		{ "top/fifo", AE_IFIFO, NULL, NULL, 0 } }, 1, "top/fifo" };
	*n = i;
}

static void test_hostile(void **state)
{
	struct hostile h[16];
	struct unpack_result res;
	size_t n;

	(void)state;
	hostile_cases(h, &n);
	assert_int_equal(mkdir_p(tp("a/b"), 0755), 0);
	assert_int_equal(write_file_atomic(tp("a/b/victim"), "orig", 4, 0644),
			 0);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char *msg, *got;

		print_message("hostile: %s\n", h[i].what);
		write_archive(tp("evil.tar.gz"), F_GZIP, h[i].fx, h[i].n);
		capture_start();
		assert_int_equal(unpack_archive(tp("evil.tar.gz"),
						tp("a/b/dest"), &res),
				 -UKB_ESOURCE);
		msg = capture_stop();
		assert_non_null(strstr(msg, "error: cannot unpack '"));
		assert_non_null(strstr(msg, tp("evil.tar.gz")));
		assert_non_null(strstr(msg, h[i].named));
		free(msg);
		assert_null(res.topdir);
		assert_false(path_exists(tp("a/b/dest")));
		assert_false(path_exists(tp("a/b/x")));
		assert_false(path_exists(tp("a/x")));
		assert_false(path_exists(tp("x")));
		assert_false(path_exists(tp("a/b/h")));
		got = slurp(tp("a/b/victim"));
		assert_string_equal(got, "orig");
		free(got);
		assert_int_equal(stat(tp("a/b/victim"), &st), 0);
		assert_int_equal(st.st_nlink, 1);
	}
}

/* A root file system has no top directory: its links are judged against
 * the destination itself, as Alpine's "./usr/lib/x -> ../../lib/x". */
static void test_system_tree_links(void **state)
{
	static const struct fx sys[] = {
		{ "./", AE_IFDIR, NULL, NULL, 0 },
		{ "./lib/", AE_IFDIR, NULL, NULL, 0 },
		{ "./lib/libssl.so.3", AE_IFREG, "elf", NULL, 0 },
		{ "./usr/", AE_IFDIR, NULL, NULL, 0 },
		{ "./usr/lib/", AE_IFDIR, NULL, NULL, 0 },
		{ "./usr/lib/libssl.so.3", AE_IFLNK, "../../lib/libssl.so.3", NULL, 0 },
		{ "./bin/", AE_IFDIR, NULL, NULL, 0 },
		{ "./bin/sh", AE_IFLNK, "/bin/busybox", NULL, 0 },
		{ "./sbin", AE_IFLNK, "bin", NULL, 0 },
		{ "./tmp/", AE_IFDIR, NULL, NULL, 01777 },
	};
	static const struct fx evil[] = {
		{ "./usr/", AE_IFDIR, NULL, NULL, 0 },
		{ "./usr/x", AE_IFLNK, "../../etc/passwd", NULL, 0 },
	};
	struct unpack_result res;
	char *msg;

	(void)state;
	write_archive(tp("sys.tar.gz"), F_GZIP, sys, ARRAY_SIZE(sys));
	assert_int_equal(unpack_archive_owned(tp("sys.tar.gz"), tp("sys"), &res), 0);
	unpack_result_release(&res);
	assert_true(path_exists(tp("sys/usr/lib/libssl.so.3")));
	/* the guest's modes are kept, unlike a cached kernel tree's */
	{
		struct stat st;

		assert_int_equal(stat(tp("sys/tmp"), &st), 0);
		assert_int_equal(st.st_mode & 07777, 01777);
	}
	write_archive(tp("sysevil.tar.gz"), F_GZIP, evil, ARRAY_SIZE(evil));
	capture_start();
	assert_int_equal(unpack_archive_owned(tp("sysevil.tar.gz"), tp("sysevil"), &res),
			 -UKB_ESOURCE);
	msg = capture_stop();
	assert_non_null(strstr(msg, "link target leaves the tree"));
	free(msg);
	assert_false(path_exists(tp("sysevil")));
}

static void test_truncated_xz(void **state)
{
	static char data[256 * 1024];
	struct fx fx[] = {
		{ "linux-2.0/", AE_IFDIR, NULL, NULL, 0 },
		{ "linux-2.0/blob", AE_IFREG, data, NULL, 0 },
	};
	struct strbuf sb = STRBUF_INIT;
	struct unpack_result res;
	uint32_t x = 2463534242u;
	char *msg;

	(void)state;
	/* incompressible, so half the file is half the data */
	for (size_t i = 0; i < sizeof(data) - 1; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (char)(1 + x % 255);
	}
	write_archive(tp("full.tar.xz"), F_XZ, fx, ARRAY_SIZE(fx));
	assert_int_equal(unpack_archive(tp("full.tar.xz"), tp("full"), &res),
			 0);
	assert_int_equal(res.bytes, sizeof(data) - 1);
	unpack_result_release(&res);

	assert_int_equal(strbuf_read_file(&sb, tp("full.tar.xz")), 0);
	assert_int_equal(write_file_atomic(tp("cut.tar.xz"), sb.buf,
					   sb.len / 2, 0644), 0);
	strbuf_release(&sb);
	capture_start();
	assert_int_equal(unpack_archive(tp("cut.tar.xz"), tp("cut"), &res),
			 -UKB_ESOURCE);
	msg = capture_stop();
	assert_non_null(strstr(msg, "truncated archive"));
	free(msg);
	assert_false(path_exists(tp("cut")));
	assert_null(res.topdir);

	/* damaged in the middle: liblzma's check catches it */
	assert_int_equal(strbuf_read_file(&sb, tp("full.tar.xz")), 0);
	for (size_t i = sb.len / 2; i < sb.len / 2 + 64; i++)
		sb.buf[i] ^= 0x55;
	assert_int_equal(write_file_atomic(tp("bad.tar.xz"), sb.buf, sb.len,
					   0644), 0);
	capture_start();
	assert_int_equal(unpack_archive(tp("bad.tar.xz"), tp("bad"), &res),
			 -UKB_ESOURCE);
	msg = capture_stop();
	assert_non_null(strstr(msg, "corrupt archive"));
	free(msg);
	assert_false(path_exists(tp("bad")));

	/*
	 * damaged in the stream's last bytes (its index and footer), after
	 * the tar data: the whole stream is checked, not only what tar needs
	 */
	for (size_t i = sb.len / 2; i < sb.len / 2 + 64; i++)
		sb.buf[i] ^= 0x55;
	sb.buf[sb.len - 10] ^= 0x55;
	assert_int_equal(write_file_atomic(tp("tail.tar.xz"), sb.buf, sb.len,
					   0644), 0);
	strbuf_release(&sb);
	capture_start();
	assert_int_equal(unpack_archive(tp("tail.tar.xz"), tp("tail"), &res),
			 -UKB_ESOURCE);
	msg = capture_stop();
	assert_non_null(strstr(msg, "corrupt archive"));
	free(msg);
	assert_false(path_exists(tp("tail")));
}

/*
 * A tar that ends long before its xz stream does (megabytes of zero
 * padding after the end marker, which libarchive never asks for): the
 * decoder still runs to the stream's footer and checks it.
 */
static void test_xz_checked_to_the_end(void **state)
{
	struct fx fx[] = {
		{ "linux-2.1/", AE_IFDIR, NULL, NULL, 0 },
		{ "linux-2.1/Makefile", AE_IFREG, "VERSION = 2\n", NULL, 0 },
	};
	struct strbuf tar = STRBUF_INIT;
	struct unpack_result res;
	size_t pad = 4 << 20, cap, len = 0;
	uint8_t *xz;
	char *msg;

	(void)state;
	write_archive(tp("plain.tar"), F_NONE, fx, ARRAY_SIZE(fx));
	assert_int_equal(strbuf_read_file(&tar, tp("plain.tar")), 0);
	strbuf_grow(&tar, pad);
	memset(tar.buf + tar.len, 0, pad);
	strbuf_setlen(&tar, tar.len + pad);
	cap = lzma_stream_buffer_bound(tar.len);
	xz = malloc(cap);
	assert_non_null(xz);
	assert_int_equal(lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL,
						 (const uint8_t *)tar.buf,
						 tar.len, xz, &len, cap),
			 LZMA_OK);
	assert_int_equal(write_file_atomic(tp("padded.tar.xz"), xz, len, 0644),
			 0);
	assert_int_equal(unpack_archive(tp("padded.tar.xz"), tp("padded"), &res),
			 0);
	unpack_result_release(&res);

	/* the stream footer's CRC32 */
	xz[len - 12] ^= 0x55;
	assert_int_equal(write_file_atomic(tp("badend.tar.xz"), xz, len, 0644),
			 0);
	capture_start();
	assert_int_equal(unpack_archive(tp("badend.tar.xz"), tp("badend"), &res),
			 -UKB_ESOURCE);
	msg = capture_stop();
	assert_non_null(strstr(msg, "corrupt archive"));
	free(msg);
	assert_false(path_exists(tp("badend")));
	free(xz);
	strbuf_release(&tar);
}

static void test_not_an_archive(void **state)
{
	static const char junk[] = "this is not a tarball, just text\n";
	struct unpack_result res;

	(void)state;
	assert_int_equal(write_file_atomic(tp("junk.tar.gz"), junk,
					   sizeof(junk) - 1, 0644), 0);
	assert_int_equal(unpack_archive(tp("junk.tar.gz"), tp("junk"), &res),
			 -UKB_ESOURCE);
	assert_false(path_exists(tp("junk")));
}

static void test_missing_and_existing(void **state)
{
	struct unpack_result res;
	char *msg;

	(void)state;
	capture_start();
	assert_int_equal(unpack_archive(tp("nope.tar.xz"), tp("out"), &res),
			 -ENOENT);
	msg = capture_stop();
	assert_non_null(strstr(msg, "error: cannot read '"));
	assert_non_null(strstr(msg, "nope.tar.xz': No such file or directory"));
	free(msg);
	assert_false(path_exists(tp("out")));

	/* an existing dest is never touched */
	write_archive(tp("good.tar"), F_NONE, good, ARRAY_SIZE(good));
	assert_int_equal(mkdir(tp("taken"), 0700), 0);
	assert_int_equal(write_file_atomic(tp("taken/mine"), "m", 1, 0644), 0);
	assert_int_equal(unpack_archive(tp("good.tar"), tp("taken"), &res),
			 -EEXIST);
	assert_true(path_exists(tp("taken/mine")));
	assert_int_equal(unpack_archive(tmp, tp("dir"), &res), -EISDIR);
}

static void test_check_path(void **state)
{
	static const struct {
		const char *name;
		const char *why;
	} t[] = {
		{ "linux-6.1/Makefile", NULL },
		{ "./a/b", NULL },
		{ "a//b/", NULL },
		{ ".", NULL },
		{ "./", NULL },
		{ "a/..b/c..", NULL },
		{ "...", NULL },
		{ "", "empty name" },
		{ NULL, "empty name" },
		{ "/etc/passwd", "absolute path" },
		{ "//x", "absolute path" },
		{ "..", "'..' component" },
		{ "../x", "'..' component" },
		{ "a/../../x", "'..' component" },
		{ "a/..", "'..' component" },
		{ "a/../b", "'..' component" },
		{ "./..//x", "'..' component" },
	};
	char *lng = xmalloc(PATH_MAX + 1);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		const char *got = unpack_check_path(t[i].name);

		if (!t[i].why)
			assert_null(got);
		else
			assert_string_equal(got ? got : "(null)", t[i].why);
	}
	memset(lng, 'a', PATH_MAX);
	lng[PATH_MAX] = '\0';
	assert_string_equal(unpack_check_path(lng), "name too long");
	free(lng);
}

static void test_check_symlink(void **state)
{
	static const struct {
		const char *link, *target, *why;
	} t[] = {
		{ "a/l", "b", NULL },
		{ "a/b/l", "../c", NULL },
		{ "a/b/l", "..", NULL },
		{ "a/l", ".", NULL },
		{ "./a/./b/l", "./../c/d", NULL },
		{ "t/a/b/c/l", "../../../x/y/z", NULL },
		{ "linux/scripts/dtc/include-prefixes/arm",
		  "../../../arch/arm/boot/dts", NULL },
		/* the top directory is the root: issue #15's sibling trees */
		{ "linux-x/sib", "../OTHERKEY/Makefile",
		  "link target leaves the tree" },
		{ "linux-x/trees", "..", "link target leaves the tree" },
		{ "a/l", "../b", "link target leaves the tree" },
		{ "a/b/l", "../../x", "link target leaves the tree" },
		{ "a//b/l", "../..", "link target leaves the tree" },
		{ "./a/l", "./../x", "link target leaves the tree" },
		{ "l", "x", "link beside the top directory" },
		{ "./l", "..", "link beside the top directory" },
		{ "a/l", "/etc/passwd", "absolute link target" },
		{ "a/l", "", "empty link target" },
		{ "a/l", NULL, "empty link target" },
		{ "a/l", "b/../c", "'..' after a name in link target" },
		{ "a/l", "b/..", "'..' after a name in link target" },
		{ "../l", "x", "'..' component" },
		{ "/l", "x", "absolute path" },
		{ "", "x", "empty name" },
		{ "./", "x", "link in place of the top directory" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		const char *got = unpack_check_symlink(t[i].link, t[i].target);

		if (!t[i].why)
			assert_null(got);
		else
			assert_string_equal(got ? got : "(null)", t[i].why);
	}
}

static mode_t perm_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Nothing in the cached tree is writable or set-id for anyone but us. */
static void test_modes_made_safe(void **state)
{
	struct fx fx[] = {
		{ "top/", AE_IFDIR, NULL, NULL, 0 },
		{ "top/open", AE_IFREG, "x", NULL, 0777 },
		{ "top/gw", AE_IFREG, "x", NULL, 0664 },
		{ "top/suid", AE_IFREG, "x", NULL, 06755 },
		{ "top/fine", AE_IFREG, "x", NULL, 0644 },
		{ "top/tmp/", AE_IFDIR, NULL, NULL, 01777 },
		{ "top/sgid/", AE_IFDIR, NULL, NULL, 02775 },
		/* no rwx at all (perm 0 would mean the default 0755) */
		{ "top/shut/", AE_IFDIR, NULL, NULL, 01000 },
		{ "top/shut/f", AE_IFREG, "x", NULL, 0644 },
	};
	struct unpack_result res;

	(void)state;
	write_archive(tp("modes.tar"), F_NONE, fx, ARRAY_SIZE(fx));
	assert_int_equal(unpack_archive(tp("modes.tar"), tp("m"), &res), 0);
	assert_int_equal(perm_of(tp("m/top/open")), 0755);
	assert_int_equal(perm_of(tp("m/top/gw")), 0644);
	assert_int_equal(perm_of(tp("m/top/suid")), 0755);
	assert_int_equal(perm_of(tp("m/top/fine")), 0644);
	assert_int_equal(perm_of(tp("m/top/tmp")), 0755);
	assert_int_equal(perm_of(tp("m/top/sgid")), 0755);
	assert_int_equal(perm_of(tp("m/top/shut")), 0700);
	expect_file(tp("m/top/shut/f"), "x", 0644);
	assert_int_equal(res.adjusted, 6);
	unpack_result_release(&res);
}

/* Directories the archive does not list get no group or other write,
 * whatever the umask. */
static void test_unlisted_dirs_safe(void **state)
{
	struct fx fx[] = {
		{ "top/sub/deep/f", AE_IFREG, "x", NULL, 0644 },
	};
	struct unpack_result res;
	mode_t old;
	int ret;

	(void)state;
	write_archive(tp("bare.tar"), F_NONE, fx, ARRAY_SIZE(fx));
	old = umask(0);
	ret = unpack_archive(tp("bare.tar"), tp("b"), &res);
	assert_int_equal(umask(old), 0); /* and the umask is given back */
	assert_int_equal(ret, 0);
	assert_int_equal(perm_of(tp("b/top")), 0755);
	assert_int_equal(perm_of(tp("b/top/sub")), 0755);
	assert_int_equal(perm_of(tp("b/top/sub/deep")), 0755);
	expect_file(tp("b/top/sub/deep/f"), "x", 0644);
	unpack_result_release(&res);
}

static void expect_limit(const char *name, const char *want)
{
	struct unpack_result res;
	char *msg;

	capture_start();
	assert_int_equal(unpack_archive(tp("%s", name), tp("lim"), &res),
			 -UKB_ESOURCE);
	msg = capture_stop();
	if (!strstr(msg, want))
		fail_msg("'%s' lacks '%s'", msg, want);
	free(msg);
	assert_false(path_exists(tp("lim")));
}

/* Lowered limits: one file, all the files, the number of entries. */
static void test_limits(void **state)
{
	static const struct unpack_limits low = {
		.total = 300, .entry = 200, .entries = 4,
	};
	char big[202], mid[152];
	struct fx one[] = {
		{ "top/", AE_IFDIR, NULL, NULL, 0 },
		{ "top/ok", AE_IFREG, "x", NULL, 0 },
		{ "top/big", AE_IFREG, big, NULL, 0 },
	};
	struct fx sum[] = {
		{ "top/a", AE_IFREG, mid, NULL, 0 },
		{ "top/b", AE_IFREG, mid, NULL, 0 },
		{ "top/c", AE_IFREG, "x", NULL, 0 },
	};
	struct fx many[] = {
		{ "top/", AE_IFDIR, NULL, NULL, 0 },
		{ "top/1", AE_IFREG, "x", NULL, 0 },
		{ "top/2", AE_IFREG, "x", NULL, 0 },
		{ "top/3", AE_IFREG, "x", NULL, 0 },
		{ "top/4", AE_IFREG, "x", NULL, 0 },
	};
	struct unpack_result res;

	(void)state;
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(mid, 'm', sizeof(mid) - 1);
	mid[sizeof(mid) - 1] = '\0';
	write_archive(tp("one.tar.gz"), F_GZIP, one, ARRAY_SIZE(one));
	write_archive(tp("sum.tar"), F_NONE, sum, ARRAY_SIZE(sum));
	write_archive(tp("many.tar.xz"), F_XZ, many, ARRAY_SIZE(many));
	unpack_set_limits(&low);
	expect_limit("one.tar.gz",
		     "entry 'top/big' holds 201 bytes, more than the 200 bytes allowed for one file");
	expect_limit("sum.tar", "more than 300 bytes of file data (at entry 'top/b')");
	expect_limit("many.tar.xz", "more than 4 entries");
	/* at the limits exactly: fine */
	write_archive(tp("four.tar"), F_NONE, many, 4);
	assert_int_equal(unpack_archive(tp("four.tar"), tp("four"), &res), 0);
	unpack_result_release(&res);
	unpack_set_limits(NULL);
	assert_int_equal(unpack_archive(tp("one.tar.gz"), tp("one"), &res), 0);
	assert_int_equal(res.bytes, 202);
	unpack_result_release(&res);
}

/* name, then tail appended to it, as out. */
static void with_tail(const char *name, const char *out, const void *tail,
		      size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_read_file(&sb, tp("%s", name)), 0);
	strbuf_add(&sb, tail, len);
	assert_int_equal(write_file_atomic(tp("%s", out), sb.buf, sb.len,
					   0644), 0);
	strbuf_release(&sb);
}

static void expect_unpack(const char *name, const char *want)
{
	struct unpack_result res;
	char *msg;

	capture_start();
	assert_int_equal(unpack_archive(tp("%s", name), tp("tg"), &res),
			 want ? -UKB_ESOURCE : 0);
	msg = capture_stop();
	if (want && !strstr(msg, want))
		fail_msg("%s: '%s' lacks '%s'", name, msg, want);
	free(msg);
	unpack_result_release(&res);
	if (want)
		assert_false(path_exists(tp("tg")));
	else
		assert_int_equal(rmtree(tp("tg")), 0);
}

/* Bytes after the compressed data: refused alike for gzip and xz, and
 * after a plain .tar's end marker but zeros. */
static void test_trailing_garbage(void **state)
{
	static const char zeros[4];
	struct fx fx[] = {
		{ "linux-2.1/", AE_IFDIR, NULL, NULL, 0 },
		{ "linux-2.1/Makefile", AE_IFREG, "VERSION = 2\n", NULL, 0 },
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	write_archive(tp("t.tar.gz"), F_GZIP, fx, ARRAY_SIZE(fx));
	write_archive(tp("t.tar.xz"), F_XZ, fx, ARRAY_SIZE(fx));
	with_tail("t.tar.gz", "g.tar.gz", "garbage\n", 8);
	with_tail("t.tar.xz", "g.tar.xz", "garbage\n", 8);
	expect_unpack("g.tar.gz",
		      "trailing garbage (after the end of the gzip data)");
	expect_unpack("g.tar.xz",
		      "trailing garbage (after the end of the xz data)");
	/* gzip(1) has no padding; xz's is zeros in fours */
	with_tail("t.tar.gz", "z.tar.gz", zeros, 1);
	expect_unpack("z.tar.gz", "trailing garbage");
	with_tail("t.tar.xz", "z3.tar.xz", zeros, 3);
	expect_unpack("z3.tar.xz", "trailing garbage");
	with_tail("t.tar.xz", "z4.tar.xz", zeros, 4);
	expect_unpack("z4.tar.xz", NULL);
	/* a plain .tar: zeros after its end marker, but nothing else */
	write_archive(tp("t.tar"), F_NONE, fx, ARRAY_SIZE(fx));
	with_tail("t.tar", "g.tar", "garbage\n", 8);
	expect_unpack("g.tar",
		      "trailing garbage (after the end of the tar data, at byte ");
	{
		static const char pad[10240];

		with_tail("t.tar", "p.tar", pad, sizeof(pad));
		expect_unpack("p.tar", NULL);
	}
	/* concatenated streams are one file to gzip -d and xz -d */
	assert_int_equal(strbuf_read_file(&sb, tp("t.tar.gz")), 0);
	with_tail("t.tar.gz", "cc.tar.gz", sb.buf, sb.len);
	expect_unpack("cc.tar.gz", NULL);
	strbuf_reset(&sb);
	assert_int_equal(strbuf_read_file(&sb, tp("t.tar.xz")), 0);
	with_tail("t.tar.xz", "cc.tar.xz", sb.buf, sb.len);
	expect_unpack("cc.tar.xz", NULL);
	/* and a cut gzip file is truncated, in gzip's words */
	strbuf_reset(&sb);
	assert_int_equal(strbuf_read_file(&sb, tp("t.tar.gz")), 0);
	assert_int_equal(write_file_atomic(tp("cut.tar.gz"), sb.buf,
					   sb.len - 12, 0644), 0);
	expect_unpack("cut.tar.gz",
		      "truncated archive (gzip: unexpected end of input)");
	strbuf_release(&sb);
}

/* Last: the pending signal cannot be cleared again. */
static void test_interrupted(void **state)
{
	struct unpack_result res;

	(void)state;
	write_archive(tp("good.tar.gz"), F_GZIP, good, ARRAY_SIZE(good));
	sigchain_install();
	raise(SIGINT);
	assert_int_equal(sigchain_pending(), SIGINT);
	assert_int_equal(unpack_archive(tp("good.tar.gz"), tp("int"), &res),
			 -UKB_EINTR);
	assert_false(path_exists(tp("int")));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_check_path),
		T(test_check_symlink),
		T(test_good_targz),
		T(test_every_filter),
		T(test_relative_dest),
		T(test_no_single_topdir),
		T(test_pax_global_header),
		T(test_hostile),
		T(test_system_tree_links),
		T(test_modes_made_safe),
		T(test_unlisted_dirs_safe),
		T(test_limits),
		T(test_trailing_garbage),
		T(test_truncated_xz),
		T(test_xz_checked_to_the_end),
		T(test_not_an_archive),
		T(test_missing_and_existing),
		T(test_interrupted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
