/* The bundle's tar.xz through libarchive: see bundlear.h. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "bundle/bundlear.h"
#include "base/banned.h"

#define BLOCK 4096
#define CHUNK (1u << 20)

struct bar_writer {
	struct archive *a;
	char *path;
	long long mtime;
};

static int write_failed(struct bar_writer *w, const char *name)
{
	int e = archive_errno(w->a);

	return error(-UKB_EHOST, "cannot write '%s' into '%s': %s", name,
		     w->path, e > 0 && archive_error_string(w->a) ?
		     archive_error_string(w->a) : "libarchive failed");
}

int bar_create(const char *path, long long mtime, struct bar_writer **out)
{
	struct bar_writer *w = xcalloc(1, sizeof(*w));

	w->a = archive_write_new();
	w->path = xstrdup(path);
	w->mtime = mtime;
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_xz(w->a) != ARCHIVE_OK ||
	    archive_write_open_filename(w->a, path) != ARCHIVE_OK) {
		error(-UKB_EHOST, "cannot write '%s': %s", path,
		      archive_error_string(w->a) ? archive_error_string(w->a) :
		      "libarchive failed");
		bar_abort(w);
		return -UKB_EHOST;
	}
	*out = w;
	return 0;
}

static struct archive_entry *new_entry(struct bar_writer *w, const char *name,
				       unsigned type, unsigned mode,
				       uint64_t size)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_mtime(e, (time_t)w->mtime, 0);
	return e;
}

int bar_add_dir(struct bar_writer *w, const char *name)
{
	struct archive_entry *e = new_entry(w, name, AE_IFDIR, 0755, 0);
	int r = archive_write_header(w->a, e);

	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : write_failed(w, name);
}

int bar_add_buf(struct bar_writer *w, const char *name, const void *buf,
		size_t len, unsigned mode)
{
	struct archive_entry *e = new_entry(w, name, AE_IFREG, mode, len);
	int r = archive_write_header(w->a, e);

	archive_entry_free(e);
	if (r != ARCHIVE_OK ||
	    (len && archive_write_data(w->a, buf, len) != (la_ssize_t)len))
		return write_failed(w, name);
	return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

/*
 * The data regions of fd, from its content: runs of blocks that are not
 * all zero. Holes the file system reports are skipped without reading.
 */
static int sparse_map(int fd, uint64_t size, struct archive_entry *e,
		      unsigned char *buf, size_t *regions)
{
	uint64_t off = 0, start = 0;
	int in_data = 0;

	*regions = 0;
	while (off < size) {
		off_t next = lseek(fd, (off_t)off, SEEK_DATA);
		size_t n = (size_t)(size - off < CHUNK ? size - off : CHUNK);
		ssize_t got;

		if (next < 0 && errno == ENXIO)
			next = (off_t)size;     /* a hole to the end */
		if (next > (off_t)off) {
			/* whole blocks of a reported hole: zero by definition */
			uint64_t to = (uint64_t)next / BLOCK * BLOCK;

			if (to > off) {
				if (in_data) {
					archive_entry_sparse_add_entry(e,
						(la_int64_t)start, (la_int64_t)(off - start));
					(*regions)++;
				}
				in_data = 0;
				off = to;
				continue;
			}
		}
		got = pread(fd, buf, n, (off_t)off);
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		for (size_t i = 0; i < (size_t)got; i += BLOCK) {
			size_t b = (size_t)got - i < BLOCK ? (size_t)got - i : BLOCK;
			int zero = all_zero(buf + i, b);

			if (!zero && !in_data) {
				start = off + i;
				in_data = 1;
			} else if (zero && in_data) {
				archive_entry_sparse_add_entry(e, (la_int64_t)start,
					(la_int64_t)(off + i - start));
				(*regions)++;
				in_data = 0;
			}
		}
		off += (uint64_t)got;
		if (sigchain_pending())
			return -UKB_EINTR;
	}
	if (in_data) {
		archive_entry_sparse_add_entry(e, (la_int64_t)start,
					       (la_int64_t)(size - start));
		(*regions)++;
	}
	return 0;
}

/* The whole file into the archive; libarchive drops the holes' bytes. */
static int copy_data(struct bar_writer *w, const char *name, int fd,
		     uint64_t size, unsigned char *buf)
{
	uint64_t off = 0;

	while (off < size) {
		size_t n = (size_t)(size - off < CHUNK ? size - off : CHUNK);
		ssize_t got = pread(fd, buf, n, (off_t)off);

		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		if (archive_write_data(w->a, buf, (size_t)got) != got)
			return write_failed(w, name);
		off += (uint64_t)got;
		if (sigchain_pending())
			return -UKB_EINTR;
	}
	return 0;
}

int bar_add_file(struct bar_writer *w, const char *name, const char *src,
		 unsigned mode)
{
	unsigned char *buf = xmalloc(CHUNK);
	struct archive_entry *e = NULL;
	struct stat st;
	size_t regions;
	int fd, ret;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = error(-UKB_EHOST, "cannot read '%s': %s", src,
			    strerror(errno));
		goto out;
	}
	e = new_entry(w, name, AE_IFREG, mode, (uint64_t)st.st_size);
	ret = sparse_map(fd, (uint64_t)st.st_size, e, buf, &regions);
	/* a file without a hole is stored plain */
	if (!ret && regions == 1) {
		la_int64_t off, len;

		archive_entry_sparse_reset(e);
		archive_entry_sparse_next(e, &off, &len);
		if (off == 0 && len == st.st_size)
			archive_entry_sparse_clear(e);
	}
	if (ret == -UKB_EINTR)
		goto out;
	if (ret) {
		ret = error(-UKB_EHOST, "cannot read '%s': %s", src,
			    strerror(-ret));
		goto out;
	}
	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		ret = write_failed(w, name);
		goto out;
	}
	ret = copy_data(w, name, fd, (uint64_t)st.st_size, buf);
	if (ret && ret != -UKB_EINTR && ret != -UKB_EHOST)
		ret = error(-UKB_EHOST, "cannot read '%s': %s", src,
			    strerror(-ret));
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	free(buf);
	return ret;
}

int bar_close(struct bar_writer *w)
{
	int ret = 0;

	if (archive_write_close(w->a) != ARCHIVE_OK)
		ret = error(-UKB_EHOST, "cannot write '%s': %s", w->path,
			    archive_error_string(w->a) ?
			    archive_error_string(w->a) : "libarchive failed");
	bar_abort(w);
	return ret;
}

void bar_abort(struct bar_writer *w)
{
	if (!w)
		return;
	archive_write_free(w->a);
	free(w->path);
	free(w);
}

/* ---- reading ---------------------------------------------------------- */

static void hash_zeros(struct sha256 *h, uint64_t n, struct strbuf *keep)
{
	static const unsigned char zeros[65536];

	while (n) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);

		sha256_update(h, zeros, k);
		if (keep)
			strbuf_add(keep, zeros, k);
		n -= k;
	}
}

static int scan_failed(struct archive *a, const char *path)
{
	const char *msg = archive_error_string(a);

	if (sigchain_pending())
		return -UKB_EINTR;
	return error(-UKB_ESOURCE, "cannot read '%s': %s", path,
		     msg ? msg : "not an archive libarchive knows");
}

/* One member's data, hashed with the holes as zeros. */
static int scan_data(struct archive *a, const char *path,
		     struct bar_member *m, size_t keep_max)
{
	struct sha256 *h = sha256_new();
	struct strbuf *keep = m->size <= keep_max ? &m->data : NULL;
	uint64_t pos = 0;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r, ret = 0;

	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (off < 0 || (uint64_t)off < pos || (uint64_t)off + len > m->size) {
			ret = error(-UKB_ESOURCE, "cannot read '%s': member '%s' has data outside its size",
				    path, m->name);
			break;
		}
		hash_zeros(h, (uint64_t)off - pos, keep);
		sha256_update(h, buf, len);
		if (keep)
			strbuf_add(keep, buf, len);
		pos = (uint64_t)off + len;
		if (sigchain_pending()) {
			ret = -UKB_EINTR;
			break;
		}
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = scan_failed(a, path);
	if (!ret)
		hash_zeros(h, m->size - pos, keep);
	sha256_finish(h, m->sha256);
	return ret;
}

static int scan_entries(struct archive *a, const char *path, size_t keep_max,
			struct bar_members *ms)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		struct bar_member *m;
		la_int64_t size = archive_entry_size(e);

		if (ms->nr >= BAR_MEMBERS_MAX)
			return error(-UKB_ESOURCE, "cannot read '%s': more than %d members",
				     path, BAR_MEMBERS_MAX);
		if (size < 0 || (uint64_t)size > BAR_MEMBER_MAX)
			return error(-UKB_ESOURCE, "cannot read '%s': member '%s' is over %llu GiB",
				     path, archive_entry_pathname(e) ?
				     archive_entry_pathname(e) : "",
				     BAR_MEMBER_MAX >> 30);
		ALLOC_GROW(ms->m, ms->nr + 1, ms->alloc);
		m = &ms->m[ms->nr++];
		memset(m, 0, sizeof(*m));
		strbuf_init(&m->data, 0);
		m->name = xstrdup(archive_entry_pathname(e) ?
				  archive_entry_pathname(e) : "");
		m->mode = archive_entry_perm(e);
		m->size = (uint64_t)size;
		switch (archive_entry_filetype(e)) {
		case AE_IFREG:
			m->type = archive_entry_hardlink(e) ? BAR_OTHER : BAR_FILE;
			break;
		case AE_IFDIR:
			m->type = BAR_DIR;
			break;
		default:
			m->type = BAR_OTHER;
		}
		if (m->type == BAR_FILE) {
			int ret = scan_data(a, path, m, keep_max);

			if (ret)
				return ret;
		}
	}
	return r == ARCHIVE_EOF ? 0 : scan_failed(a, path);
}

int bar_scan(const char *path, size_t keep_max, struct bar_members *ms)
{
	struct archive *a = archive_read_new();
	int ret;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		int e = archive_errno(a);

		if (e > 0 && e != EILSEQ && e != EINVAL)
			ret = error(-e, "cannot read '%s': %s", path, strerror(e));
		else
			ret = scan_failed(a, path);
	} else {
		ret = scan_entries(a, path, keep_max, ms);
	}
	archive_read_free(a);
	return ret;
}

void bar_members_release(struct bar_members *ms)
{
	for (size_t i = 0; i < ms->nr; i++) {
		free(ms->m[i].name);
		strbuf_release(&ms->m[i].data);
	}
	free(ms->m);
	memset(ms, 0, sizeof(*ms));
}

const struct bar_member *bar_find(const struct bar_members *ms,
				  const char *name)
{
	for (size_t i = 0; i < ms->nr; i++)
		if (!strcmp(ms->m[i].name, name))
			return &ms->m[i];
	return NULL;
}
