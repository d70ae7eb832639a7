/*
 * Unpacking with libarchive, the only file that includes archive.h.
 *
 * Defence in depth: every entry passes our own checks (names, link targets,
 * entry types) before archive_write_disk sees it, and archive_write_disk
 * runs with its SECURE_* flags on top. We extract from inside dest (chdir)
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
#include <archive.h>
#include <archive_entry.h>
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
#include "base/wrapper.h"
#include "source/unpack.h"
#include "source/xzpump.h"
#include "base/banned.h"

#define READ_BLOCK (128 * 1024)
#define EXTRACT_FLAGS                                                         \
	(ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |                        \
	 ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |  \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

static struct unpack_limits limits = {
	.total = UNPACK_MAX_TOTAL,
	.entry = UNPACK_MAX_ENTRY,
	.entries = UNPACK_MAX_ENTRIES,
};

void unpack_set_limits(const struct unpack_limits *l)
{
	static const struct unpack_limits defaults = {
		.total = UNPACK_MAX_TOTAL,
		.entry = UNPACK_MAX_ENTRY,
		.entries = UNPACK_MAX_ENTRIES,
	};

	limits = l ? *l : defaults;
}

/* The next '/'-separated component at or after p; *len is 0 at the end. */
static const char *next_component(const char *p, size_t *len)
{
	while (*p == '/')
		p++;
	*len = strcspn(p, "/");
	return p;
}

static int is_dot(const char *p, size_t len)
{
	return len == 1 && p[0] == '.';
}

static int is_dotdot(const char *p, size_t len)
{
	return len == 2 && p[0] == '.' && p[1] == '.';
}

const char *unpack_check_path(const char *name)
{
	const char *p;
	size_t len;

	if (!name || !*name)
		return "empty name";
	if (*name == '/')
		return "absolute path";
	if (strnlen(name, PATH_MAX) >= PATH_MAX)
		return "name too long";
	for (p = next_component(name, &len); len;
	     p = next_component(p + len, &len))
		if (is_dotdot(p, len))
			return "'..' component";
	return NULL;
}

/*
 * with_top: the tree's root is its one top directory ("linux-x"), renamed
 * out of the scratch directory; else (a root file system) the root is the
 * destination itself.
 */
static const char *check_symlink(const char *link_name, const char *target,
				 int with_top)
{
	const char *why = unpack_check_path(link_name);
	const char *p;
	size_t len, depth = 0;
	int named = 0;

	if (why)
		return why;
	for (p = next_component(link_name, &len); len;
	     p = next_component(p + len, &len))
		if (!is_dot(p, len))
			depth++;
	if (!depth)
		return "link in place of the top directory";
	/*
	 * A link may not leave the root, so one beside the top directory has
	 * nowhere safe to point.
	 */
	if (with_top && depth == 1)
		return "link beside the top directory";
	depth -= with_top ? 2 : 1; /* the link's directory, below the root */

	if (!target || !*target)
		return "empty link target";
	if (*target == '/')
		return "absolute link target";
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return "link target too long";
	for (p = next_component(target, &len); len;
	     p = next_component(p + len, &len)) {
		if (is_dot(p, len))
			continue;
		if (!is_dotdot(p, len)) {
			named = 1;
			continue;
		}
		/* "a/.." leaves the tree when a is a symlink to "." */
		if (named)
			return "'..' after a name in link target";
		if (!depth)
			return "link target leaves the tree";
		depth--;
	}
	return NULL;
}

const char *unpack_check_symlink(const char *link_name, const char *target)
{
	return check_symlink(link_name, target, 1);
}

/* name without "." components, repeated or trailing slashes: "a/b". */
static void clean_name(struct strbuf *sb, const char *name)
{
	const char *p;
	size_t len;

	strbuf_reset(sb);
	for (p = next_component(name, &len); len;
	     p = next_component(p + len, &len)) {
		if (is_dot(p, len))
			continue;
		if (sb->len)
			strbuf_addch(sb, '/');
		strbuf_add(sb, p, len);
	}
}

/*
 * Names extracted so far and whether each is a regular file, so a hard
 * link may only point at an earlier file. Open addressing, no deletion.
 */
struct nameset {
	char **names;
	unsigned char *is_file;
	size_t nr, alloc;
};

static size_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static size_t nameset_slot(const struct nameset *ns, const char *name)
{
	size_t i = hash_name(name) & (ns->alloc - 1);

	while (ns->names[i] && strcmp(ns->names[i], name))
		i = (i + 1) & (ns->alloc - 1);
	return i;
}

static void nameset_grow(struct nameset *ns)
{
	struct nameset bigger = { .alloc = ns->alloc ? ns->alloc * 2 : 1024 };

	bigger.names = xcalloc(bigger.alloc, sizeof(*bigger.names));
	bigger.is_file = xcalloc(bigger.alloc, sizeof(*bigger.is_file));
	for (size_t i = 0; i < ns->alloc; i++) {
		size_t j;

		if (!ns->names[i])
			continue;
		j = nameset_slot(&bigger, ns->names[i]);
		bigger.names[j] = ns->names[i];
		bigger.is_file[j] = ns->is_file[i];
	}
	bigger.nr = ns->nr;
	free(ns->names);
	free(ns->is_file);
	*ns = bigger;
}

static void nameset_set(struct nameset *ns, const char *name, int is_file)
{
	size_t i;

	if ((ns->nr + 1) * 2 > ns->alloc)
		nameset_grow(ns);
	i = nameset_slot(ns, name);
	if (!ns->names[i]) {
		ns->names[i] = xstrdup(name);
		ns->nr++;
	}
	ns->is_file[i] = !!is_file;
}

static int nameset_is_file(const struct nameset *ns, const char *name)
{
	size_t i;

	if (!ns->alloc)
		return 0;
	i = nameset_slot(ns, name);
	return ns->names[i] && ns->is_file[i];
}

static void nameset_clear(struct nameset *ns)
{
	for (size_t i = 0; i < ns->alloc; i++)
		free(ns->names[i]);
	free(ns->names);
	free(ns->is_file);
	memset(ns, 0, sizeof(*ns));
}

struct unpacker {
	const char *path; /* the archive, as the caller named it */
	const char *dest;
	int fd;
	off_t size;
	struct archive *in, *out;
	struct progress *progress;
	struct unpack_result *res;
	struct nameset seen;
	struct strbuf name; /* the current entry, cleaned */
	struct strbuf link; /* its hard link target, cleaned */
	unsigned long long entries;
	uint64_t declared; /* the file sizes the headers announced so far */
	char *top;
	int top_state; /* 0: no entry yet, 1: one top dir so far, -1: none */
	struct xzpump *xz; /* decoding beside us, when the file is xz */
	int system_tree;   /* unpack_archive_owned() */
};

/* Compressed bytes read so far, for progress and the truncation check. */
static uint64_t consumed(struct unpacker *u)
{
	return u->xz ? xzpump_consumed(u->xz) :
		       (uint64_t)archive_filter_bytes(u->in, -1);
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

	if (u->xz || archive_filter_count(u->in) != 1 ||
	    archive_filter_code(u->in, 0) != ARCHIVE_FILTER_NONE)
		return 0;
	off = (off_t)archive_filter_bytes(u->in, 0);
	while ((n = pread(u->fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i])
				return error(-UKB_ESOURCE,
					     "cannot unpack '%s': trailing garbage (after the end of the tar data, at byte %lld)",
					     u->path, (long long)(off + i));
		off += n;
	}
	if (n < 0)
		return error(-errno, "cannot read '%s': %s", u->path,
			     strerror(errno));
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

static int read_failed(struct unpacker *u)
{
	int e = archive_errno(u->in);
	const char *msg = archive_error_string(u->in);
	const char *what;
	/* the decompressor wanted more than the file holds */
	int at_end = !u->xz && (consumed(u) >= (uint64_t)u->size ||
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

static int write_failed(struct unpacker *u)
{
	int e = archive_errno(u->out);
	const char *msg = archive_error_string(u->out);

	if (!msg)
		msg = "unknown error";
	if (e == ENOSPC || e == EDQUOT || e == EROFS)
		return error(-UKB_EHOST, "cannot write '%s/%s': %s", u->dest,
			     u->name.buf, strerror(e));
	if (is_system_errno(e))
		return error(-e, "cannot write '%s/%s': %s", u->dest,
			     u->name.buf, strerror(e));
	/* archive_write_disk's own SECURE_* refusals land here */
	return error(-UKB_ESOURCE, "cannot unpack '%s': refusing entry '%s': %s",
		     u->path, u->name.buf, msg);
}

static int interrupted(struct unpacker *u)
{
	return error(-UKB_EINTR, "cannot unpack '%s': interrupted", u->path);
}

static void track_top(struct unpacker *u, int is_dir)
{
	size_t len = strcspn(u->name.buf, "/");

	if (u->top_state < 0)
		return;
	if (!u->top_state) {
		u->top = xstrndup(u->name.buf, len);
		u->top_state = 1;
	} else if (strlen(u->top) != len || memcmp(u->top, u->name.buf, len)) {
		u->top_state = -1;
	}
	if (!u->name.buf[len] && !is_dir)
		u->top_state = -1; /* a lone top-level file */
}

/* Why the current entry may not be extracted, or NULL. */
static const char *check_entry(struct unpacker *u, struct archive_entry *e,
			       const char *raw)
{
	const char *hardlink = archive_entry_hardlink(e);
	const char *why = unpack_check_path(raw);

	if (why)
		return why;
	clean_name(&u->name, raw);
	if (hardlink) {
		why = unpack_check_path(hardlink);
		if (why)
			return why;
		clean_name(&u->link, hardlink);
		if (!u->name.len)
			return "hard link in place of the top directory";
		if (!strcmp(u->name.buf, u->link.buf))
			return "hard link to itself";
		if (!u->system_tree &&
		    (strcspn(u->name.buf, "/") != strcspn(u->link.buf, "/") ||
		     memcmp(u->name.buf, u->link.buf, strcspn(u->name.buf, "/"))))
			return "hard link target outside the top directory";
		if (!nameset_is_file(&u->seen, u->link.buf))
			return "hard link target is not an earlier file";
		return NULL;
	}
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return NULL;
	case AE_IFREG:
		return u->name.len ? NULL : "file in place of the top directory";
	case AE_IFLNK:
		/* a root file system's "/bin/busybox" resolves in the guest */
		if (u->system_tree && archive_entry_symlink(e) &&
		    archive_entry_symlink(e)[0] == '/')
			return unpack_check_path(archive_entry_symlink(e) + 1);
		return check_symlink(raw, archive_entry_symlink(e),
				     !u->system_tree);
	case AE_IFCHR:
	case AE_IFBLK:
		return "device node";
	case AE_IFIFO:
		return "fifo";
	case AE_IFSOCK:
		return "socket";
	default:
		return "unknown entry type";
	}
}

/* "8 GiB", "1 MiB" or "123 bytes": the limits as the user reads them. */
static void size_words(char *buf, size_t len, uint64_t n)
{
	if (n && !(n % (1ULL << 30)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(n >> 30));
	else if (n && !(n % (1ULL << 20)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

static int too_big(struct unpacker *u, uint64_t size)
{
	char lim[32];

	size_words(lim, sizeof(lim), limits.entry);
	return error(-UKB_ESOURCE,
		     "cannot unpack '%s': entry '%s' holds %llu bytes, more than the %s allowed for one file",
		     u->path, u->name.buf, (unsigned long long)size, lim);
}

static int too_much(struct unpacker *u)
{
	char lim[32];

	size_words(lim, sizeof(lim), limits.total);
	return error(-UKB_ESOURCE,
		     "cannot unpack '%s': more than %s of file data (at entry '%s')",
		     u->path, lim, u->name.buf);
}

/*
 * Sizes as the header declares them, before anything is written: a
 * crafted header fails at once, not after gigabytes of zeros.
 */
static int check_declared(struct unpacker *u, struct archive_entry *e)
{
	la_int64_t size = archive_entry_size(e);
	uint64_t n = size > 0 ? (uint64_t)size : 0;

	if (n > limits.entry)
		return too_big(u, n);
	if (n > limits.total - u->declared)
		return too_much(u);
	u->declared += n;
	return 0;
}

static int copy_data(struct unpacker *u)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(u->in, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return read_failed(u);
		if (sigchain_pending())
			return interrupted(u);
		/* and as written, whatever the header said */
		if (off < 0 || (uint64_t)off > limits.entry ||
		    len > limits.entry - (uint64_t)off)
			return too_big(u, (uint64_t)(off < 0 ? 0 : off) + len);
		if (len > limits.total - u->res->bytes)
			return too_much(u);
		if (archive_write_data_block(u->out, buf, len, off) < ARCHIVE_OK)
			return write_failed(u);
		u->res->bytes += len;
		progress_update(u->progress, consumed(u));
	}
}

/*
 * The tree lands in a cache that is reused without another look: nobody
 * but its owner may change it (no group or other write, no setuid, setgid
 * or sticky bit), and its owner must be able to read and clean it (rwx on
 * every directory). Symlinks' modes mean nothing and are left alone.
 */
static void adjust_perm(struct unpacker *u, struct archive_entry *e,
			int is_dir)
{
	mode_t perm = archive_entry_perm(e);
	mode_t safe = perm & ~(mode_t)(S_ISUID | S_ISGID | S_ISVTX |
				       S_IWGRP | S_IWOTH);

	if (archive_entry_filetype(e) == AE_IFLNK)
		return;
	if (is_dir)
		safe |= S_IRWXU;
	if (safe == perm)
		return;
	archive_entry_set_perm(e, safe);
	u->res->adjusted++;
}

static int unpack_entry(struct unpacker *u, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	const char *why;
	int is_dir = archive_entry_filetype(e) == AE_IFDIR;
	int hardlink = archive_entry_hardlink(e) != NULL;
	int is_file = hardlink || archive_entry_filetype(e) == AE_IFREG;
	int r;

	if (!raw)
		raw = "";
	why = check_entry(u, e, raw);
	if (why && archive_entry_filetype(e) == AE_IFLNK && !hardlink)
		return error(-UKB_ESOURCE,
			     "cannot unpack '%s': unsafe symlink '%s' -> '%s': %s",
			     u->path, raw,
			     archive_entry_symlink(e) ? archive_entry_symlink(e)
						      : "",
			     why);
	if (why && hardlink)
		return error(-UKB_ESOURCE,
			     "cannot unpack '%s': unsafe hard link '%s' => '%s': %s",
			     u->path, raw, archive_entry_hardlink(e), why);
	if (why)
		return error(-UKB_ESOURCE,
			     "cannot unpack '%s': unsafe entry '%s': %s",
			     u->path, raw, why);
	if (!u->name.len)
		return 0; /* "./": dest itself, which we made */

	track_top(u, is_dir);
	/* raw dies here: the entry now carries the names we checked */
	archive_entry_copy_pathname(e, u->name.buf);
	if (hardlink)
		archive_entry_copy_hardlink(e, u->link.buf);
	/*
	 * A root file system keeps its modes (/tmp is 1777 in the guest); it
	 * is staged below a mode-0700 scratch directory, never cached.
	 */
	if (!u->system_tree)
		adjust_perm(u, e, is_dir);
	if (is_file) {
		r = check_declared(u, e);
		if (r)
			return r;
	}

	r = archive_write_header(u->out, e);
	if (r < ARCHIVE_WARN)
		return write_failed(u);
	if (r == ARCHIVE_WARN)
		warning("unpacking '%s': '%s': %s", u->path, u->name.buf,
			archive_error_string(u->out));
	if (is_file) {
		r = copy_data(u);
		if (r)
			return r;
	}
	r = archive_write_finish_entry(u->out);
	if (r < ARCHIVE_WARN)
		return write_failed(u);
	if (r == ARCHIVE_WARN)
		warning("unpacking '%s': '%s': %s", u->path, u->name.buf,
			archive_error_string(u->out));
	if (is_file && !hardlink)
		u->res->files++;
	nameset_set(&u->seen, u->name.buf, is_file);
	return 0;
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
		warning("cannot remove '%s': %s", abs, strerror(-ret));
}

static int unpack_run(const char *path, const char *dest,
		      struct unpack_result *res, int keep_owner)
{
	struct unpacker u = {
		.system_tree = keep_owner,
		.path = path,
		.dest = dest,
		.res = res,
		.name = STRBUF_INIT,
		.link = STRBUF_INIT,
	};
	struct archive_entry *entry;
	struct stat st;
	char *abs = path_absolute(dest);
	enum xzpump_codec codec;
	int fd, in_fd, cwd = -1, made = 0, ret, r;
	mode_t old_umask = 0;
	int umask_set = 0;

	memset(res, 0, sizeof(*res));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		error_errno(ret, "cannot read '%s'", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = error(-EISDIR, "cannot read '%s': %s", path,
			    strerror(EISDIR));
		goto out;
	}
	u.fd = fd;
	u.size = st.st_size;
	ret = make_dest(path, dest, abs);
	if (ret)
		goto out;
	made = 1;
	tmp_register(abs);
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || chdir(dest) < 0) {
		ret = -errno;
		error_errno(ret, "cannot enter '%s'", dest);
		goto out;
	}

	/*
	 * Directories the archive does not list are made by libarchive with
	 * the umask's modes: no group or other write for them either. (The
	 * umask is the process's, restored below; nothing else runs now.)
	 */
	old_umask = umask(0);
	umask(old_umask | S_IWGRP | S_IWOTH);
	umask_set = 1;
	u.in = archive_read_new();
	u.out = archive_write_disk_new();
	if (!u.in || !u.out) {
		ret = error(-ENOMEM, "cannot unpack '%s': %s", path,
			    strerror(ENOMEM));
		goto out;
	}
	archive_read_support_filter_all(u.in);
	archive_read_support_format_tar(u.in);
	archive_read_support_format_gnutar(u.in);
	archive_write_disk_set_options(u.out, EXTRACT_FLAGS |
				       (keep_owner ? ARCHIVE_EXTRACT_OWNER : 0));
	u.progress = progress_start("unpacking", (uint64_t)st.st_size, 1);
	in_fd = fd;
	codec = xzpump_detect(fd);
	if (codec != XZPUMP_NONE) {
		ret = xzpump_start(&u.xz, fd, codec, &in_fd);
		if (ret) {
			error_errno(ret, "cannot unpack '%s'", path);
			goto out;
		}
	}
	if (archive_read_open_fd(u.in, in_fd, READ_BLOCK) != ARCHIVE_OK) {
		ret = read_failed(&u);
		goto out;
	}
	for (;;) {
		if (sigchain_pending()) {
			ret = interrupted(&u);
			goto out;
		}
		r = archive_read_next_header(u.in, &entry);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ret = read_failed(&u);
			goto out;
		}
		if (r == ARCHIVE_WARN)
			debug("unpacking '%s': %s", path,
			      archive_error_string(u.in));
		if (++u.entries > limits.entries) {
			ret = error(-UKB_ESOURCE,
				    "cannot unpack '%s': more than %llu entries",
				    path, (unsigned long long)limits.entries);
			goto out;
		}
		ret = unpack_entry(&u, entry);
		if (ret)
			goto out;
		progress_update(u.progress, consumed(&u));
	}
	/*
	 * The tar end marker is not the end of the stream: decode the rest
	 * (record padding), so that its check and footer are verified too.
	 */
	if (u.xz) {
		char rest[16384];

		while (read(in_fd, rest, sizeof(rest)) > 0)
			;
		ret = xz_failed(&u);
		if (ret)
			goto out;
	}
	ret = plain_trailing(&u);
	if (ret)
		goto out;
	/* sets the directories' modes and times, deferred until now */
	strbuf_reset(&u.name);
	if (archive_write_close(u.out) < ARCHIVE_WARN) {
		ret = write_failed(&u);
		goto out;
	}
	if (u.top_state > 0) {
		res->topdir = u.top;
		u.top = NULL;
	}
	if (res->adjusted)
		info("unpacked '%s': took group/other write, setuid, setgid and sticky bits from %llu entries",
		     path, res->adjusted);
	debug("unpacked '%s': %llu files, %llu bytes, %llu modes adjusted",
	      path, res->files, res->bytes, res->adjusted);
out:
	progress_stop(&u.progress);
	/* while still inside dest: freeing runs the deferred fixups */
	if (u.out)
		archive_write_free(u.out);
	if (u.in)
		archive_read_free(u.in);
	xzpump_free(u.xz);
	if (umask_set)
		umask(old_umask);
	if (cwd >= 0) {
		if (fchdir(cwd) < 0) {
			r = -errno;
			error_errno(r, "cannot return to the working directory");
			if (!ret)
				ret = r;
		}
		close(cwd);
	}
	if (fd >= 0)
		close(fd);
	if (made) {
		if (ret)
			remove_dest(abs);
		tmp_forget(abs);
	}
	if (ret)
		unpack_result_release(res);
	nameset_clear(&u.seen);
	strbuf_release(&u.name);
	strbuf_release(&u.link);
	free(u.top);
	free(abs);
	return ret;
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
