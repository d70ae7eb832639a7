/*
 * Unpacking a source archive (tar.h reads it and writes it to the disk).
 *
 * Here: the archive opened, dest made and entered, the stream's end
 * checked, failures worded; the loop over the entries is unpack-entry.c.
 *
 * Defence in depth: every entry passes our own checks (names, link targets,
 * entry types: unpack-policy.h) before libarchive's disk writer sees it,
 * and that writer runs with its SECURE_* flags on top. We extract from inside dest (chdir)
 * because SECURE_NOABSOLUTEPATHS refuses "/abs/dest/name" and
 * SECURE_SYMLINKS would refuse a dest reached through a symlinked parent.
 *
 * An xz or gzip file is decoded by liblzma or zlib in a thread beside us
 * (xzpump.h), as GNU tar runs xz beside itself: libarchive decoding
 * in-line made the unpack 1.2-1.5x slower than tar xJf. The decoder
 * always runs to the end of the file, so every check and footer is
 * verified, not only the part tar needed, and trailing garbage is
 * refused for both alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/strset.h"
#include "base/tar.h"
#include "base/wrapper.h"
#include "source/unpack.h"
#include "source/unpacker.h"
#include "source/xzpump.h"
#include "base/banned.h"

#define READ_BLOCK (128 * 1024)

uint64_t unpacker_consumed(struct unpacker *u)
{
	return u->xz ? xzpump_consumed(u->xz) :
		       tar_filter_bytes(u->in, -1);
}

/*
 * With xz decoded beside us, libarchive only sees its data end early; the
 * decoder knows why. 0 when it has nothing to say.
 */
static int xz_failed(struct unpacker *u)
{
	const char *why, *what;
	int err;

	if (!u->xz)
		return 0;
	switch (xzpump_finish(u->xz, &why, &err)) {
	case XZPUMP_OK:
		return 0;
	case XZPUMP_TRUNCATED:
		what = "truncated archive";
		break;
	case XZPUMP_CORRUPT:
		what = "corrupt archive";
		break;
	case XZPUMP_NOT_XZ:
		what = "not a tar archive";
		break;
	case XZPUMP_TRAILING:
		what = "trailing garbage";
		break;
	default:
		return error(err ? err : -EIO, "cannot read '%s': %s", u->path,
			     why);
	}
	return error(-UKB_ESOURCE, "cannot unpack '%s': %s (%s)", u->path, what,
		     why);
}

/*
 * A plain .tar ends at its end-of-archive marker and the zero padding of
 * its last record: anything else after it is refused, as trailing garbage
 * after a .tar.gz or .tar.xz is. (Inside a compressed stream, tar data
 * after the marker is decoded, so its check is verified, but not looked
 * at, as by tar.)
 */
static int plain_trailing(struct unpacker *u)
{
	char buf[16384];
	off_t off;
	ssize_t n;

	if (u->xz || !tar_is_plain(u->in))
		return 0;
	off = (off_t)tar_filter_bytes(u->in, 0);
	while ((n = pread(u->fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i])
				return error(-UKB_ESOURCE,
					     "cannot unpack '%s': trailing garbage (after the end of the tar data, at byte %lld)",
					     u->path, (long long)(off + i));
		off += n;
	}
	if (n < 0)
		return error_errno(0, "cannot read '%s'", u->path);
	return 0;
}

/*
 * libarchive reports format problems as EILSEQ, misuse as EINVAL and its
 * other complaints as -1 (ARCHIVE_ERRNO_* in its private header); anything
 * else is a system call's errno worth passing on.
 */
static int is_system_errno(int e)
{
	return e > 0 && e != EILSEQ && e != EINVAL;
}

int unpacker_read_failed(struct unpacker *u)
{
	int e = tar_errno(u->in);
	const char *msg = tar_error(u->in);
	const char *what;
	/* the decompressor wanted more than the file holds */
	int at_end = !u->xz && (unpacker_consumed(u) >= (uint64_t)u->size ||
				(!msg && lseek(u->fd, 0, SEEK_CUR) >= u->size));
	int ret = xz_failed(u);

	if (ret)
		return ret;
	if (is_system_errno(e))
		return error(-e, "cannot read '%s': %s", u->path,
			     msg ? msg : strerror(e));
	if (!msg)
		msg = at_end ? "unexpected end of data" : "unknown error";
	if (!u->size)
		what = "empty file";
	else if (at_end || strstr(msg, "runcated") ||
		 strstr(msg, "No progress is possible")) /* liblzma's */
		what = "truncated archive";
	else if (!u->entries)
		what = "not a tar archive";
	else
		what = "corrupt archive";
	return error(-UKB_ESOURCE, "cannot unpack '%s': %s (%s)", u->path, what,
		     msg);
}

int unpacker_write_failed(struct unpacker *u)
{
	int e = tar_errno(u->out);
	const char *msg = tar_error(u->out);

	if (!msg)
		msg = "unknown error";
	if (e == ENOSPC || e == EDQUOT || e == EROFS) {
		error_errno(-e, "cannot write '%s/%s'", u->dest, u->name.buf);
		return -UKB_EHOST;
	}
	if (is_system_errno(e))
		return error_errno(-e, "cannot write '%s/%s'", u->dest,
				   u->name.buf);
	/* libarchive's own SECURE_* refusals land here */
	return error(-UKB_ESOURCE, "cannot unpack '%s': refusing entry '%s': %s",
		     u->path, u->name.buf, msg);
}

static int make_dest(const char *archive, const char *dest, const char *abs)
{
	char *parent = xstrdup(abs);
	char *slash;
	struct stat st;
	int ret = 0;

	if (lstat(dest, &st) == 0) {
		ret = error(-EEXIST, "cannot unpack '%s': '%s' already exists",
			    archive, dest);
		goto out;
	}
	if (errno != ENOENT) {
		ret = -errno;
		error_errno(ret, "cannot create '%s'", dest);
		goto out;
	}
	for (slash = parent + strlen(parent); slash > parent && slash[-1] == '/';)
		*--slash = '\0';
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		ret = mkdir_p(parent, 0755);
		if (ret) {
			error_errno(ret, "cannot create '%s'", parent);
			goto out;
		}
	}
	if (mkdir(dest, 0755) < 0 || chmod(dest, 0755) < 0) {
		ret = -errno;
		error_errno(ret, "cannot create '%s'", dest);
	}
out:
	free(parent);
	return ret;
}

/* A failed extraction may have left read-only directories behind. */
static int open_up(const char *path, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && (st->st_mode & 0700) != 0700)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static void remove_dest(const char *abs)
{
	int ret;

	nftw(abs, open_up, 64, FTW_PHYS);
	ret = rmtree(abs);
	if (ret)
		warning_errno(ret, "cannot remove '%s'", abs);
}

/* Open the archive, create dest and enter it, start the readers. */
static int unpack_start(struct unpacker *u)
{
	struct stat st;
	enum xzpump_codec codec;
	int ret;

	u->fd = open(u->path, O_RDONLY | O_CLOEXEC);
	if (u->fd < 0 || fstat(u->fd, &st) < 0)
		return error_errno(-errno, "cannot read '%s'", u->path);
	if (S_ISDIR(st.st_mode))
		return error_errno(-EISDIR, "cannot read '%s'", u->path);
	u->size = st.st_size;
	ret = make_dest(u->path, u->dest, u->abs);
	if (ret)
		return ret;
	u->made = 1;
	tmp_register(u->abs);
	u->cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->cwd < 0 || chdir(u->dest) < 0)
		return error_errno(-errno, "cannot enter '%s'", u->dest);

	/*
	 * Directories the archive does not list are made by libarchive with
	 * the umask's modes: no group or other write for them either. (The
	 * umask is the process's, restored below; nothing else runs now.)
	 */
	u->old_umask = umask(0);
	umask(u->old_umask | S_IWGRP | S_IWOTH);
	u->umask_set = 1;
	u->in = tar_read_new();
	u->out = tar_disk_new(u->system_tree);
	if (!u->in || !u->out)
		return error_errno(-ENOMEM, "cannot unpack '%s'", u->path);
	u->progress = progress_start("unpacking", (uint64_t)st.st_size, 1);
	u->in_fd = u->fd;
	codec = xzpump_detect(u->fd);
	if (codec != XZPUMP_NONE) {
		ret = xzpump_start(&u->xz, u->fd, codec, &u->in_fd);
		if (ret)
			return error_errno(ret, "cannot unpack '%s'", u->path);
	}
	if (tar_open_fd(u->in, u->in_fd, READ_BLOCK) != TAR_OK)
		return unpacker_read_failed(u);
	return 0;
}

/* After the last entry: the stream's end checked, the tree finished. */
static int unpack_finish(struct unpacker *u)
{
	struct unpack_result *res = u->res;
	int ret;

	/*
	 * The tar end marker is not the end of the stream: decode the rest
	 * (record padding), so that its check and footer are verified too.
	 */
	if (u->xz) {
		char rest[16384];

		while (read(u->in_fd, rest, sizeof(rest)) > 0)
			;
		ret = xz_failed(u);
		if (ret)
			return ret;
	}
	ret = plain_trailing(u);
	if (ret)
		return ret;
	/* sets the directories' modes and times, deferred until now */
	strbuf_reset(&u->name);
	if (tar_close(u->out) < TAR_WARN)
		return unpacker_write_failed(u);
	if (u->top_state > 0) {
		res->topdir = u->top;
		u->top = NULL;
	}
	if (res->adjusted)
		info("unpacked '%s': took group/other write, setuid, setgid and sticky bits from %llu entries",
		     u->path, res->adjusted);
	debug("unpacked '%s': %llu files, %llu bytes, %llu modes adjusted",
	      u->path, res->files, res->bytes, res->adjusted);
	return 0;
}

/* Free what u holds; on failure (ret) remove dest. Returns ret. */
static int unpack_end(struct unpacker *u, int ret)
{
	int r;

	progress_stop(&u->progress);
	/* while still inside dest: freeing runs the deferred fixups */
	tar_free(u->out);
	tar_free(u->in);
	xzpump_free(u->xz);
	if (u->umask_set)
		umask(u->old_umask);
	if (u->cwd >= 0) {
		if (fchdir(u->cwd) < 0) {
			r = -errno;
			error_errno(r, "cannot return to the working directory");
			if (!ret)
				ret = r;
		}
		close(u->cwd);
	}
	if (u->fd >= 0)
		close(u->fd);
	if (u->made) {
		if (ret)
			remove_dest(u->abs);
		tmp_forget(u->abs);
	}
	if (ret)
		unpack_result_release(u->res);
	strset_clear(&u->seen);
	strbuf_release(&u->name);
	strbuf_release(&u->link);
	free(u->top);
	free(u->abs);
	return ret;
}

static int unpack_run(const char *path, const char *dest,
		      struct unpack_result *res, int keep_owner)
{
	struct unpacker u = {
		.system_tree = keep_owner,
		.path = path,
		.dest = dest,
		.abs = path_absolute(dest),
		.res = res,
		.fd = -1,
		.in_fd = -1,
		.cwd = -1,
		.seen = STRSET_INIT,
		.name = STRBUF_INIT,
		.link = STRBUF_INIT,
	};
	int ret;

	memset(res, 0, sizeof(*res));
	ret = unpack_start(&u);
	if (!ret)
		ret = unpacker_entries(&u);
	if (!ret)
		ret = unpack_finish(&u);
	return unpack_end(&u, ret);
}

void unpack_result_release(struct unpack_result *res)
{
	free(res->topdir);
	memset(res, 0, sizeof(*res));
}

int unpack_archive(const char *path, const char *dest,
		   struct unpack_result *res)
{
	return unpack_run(path, dest, res, 0);
}

int unpack_archive_owned(const char *path, const char *dest,
			 struct unpack_result *res)
{
	return unpack_run(path, dest, res, 1);
}
