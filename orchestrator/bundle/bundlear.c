/* The bundle's tar.xz (through tar.h): see bundlear.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/sigchain.h"
#include "base/tar.h"
#include "base/wrapper.h"
#include "bundle/bundlear.h"
#include "base/banned.h"

#define BLOCK 4096
#define CHUNK (1u << 20)

struct bar_writer {
	struct tar *a;
	char *path;
	long long mtime;
};

static int write_failed(struct bar_writer *w, const char *name)
{
	int e = tar_errno(w->a);

	return error(-UKB_EHOST, "cannot write '%s' into '%s': %s", name,
		     w->path, e > 0 && tar_error(w->a) ?
		     tar_error(w->a) : "libarchive failed");
}

int bar_create(const char *path, long long mtime, struct bar_writer **out)
{
	struct bar_writer *w = xcalloc(1, sizeof(*w));

	w->a = tar_write_new();
	w->path = xstrdup(path);
	w->mtime = mtime;
	if (!w->a || tar_create_xz(w->a, path) != TAR_OK) {
		error(-UKB_EHOST, "cannot write '%s': %s", path,
		      w->a && tar_error(w->a) ? tar_error(w->a) :
		      "libarchive failed");
		bar_abort(w);
		return -UKB_EHOST;
	}
	*out = w;
	return 0;
}

/* A member of w: owned by root, at w's time, not sparse. */
static struct tar_entry member(struct bar_writer *w, const char *name,
			       enum tar_type type, unsigned mode, uint64_t size)
{
	return (struct tar_entry){
		.name = name,
		.type = type,
		.mode = mode,
		.size = (int64_t)size,
		.mtime = w->mtime,
	};
}

int bar_add_dir(struct bar_writer *w, const char *name)
{
	struct tar_entry e = member(w, name, TAR_DIR, 0755, 0);

	return tar_add(w->a, &e) == TAR_OK ? 0 : write_failed(w, name);
}

int bar_add_buf(struct bar_writer *w, const char *name, const void *buf,
		size_t len, unsigned mode)
{
	struct tar_entry e = member(w, name, TAR_FILE, mode, len);

	if (tar_add(w->a, &e) != TAR_OK ||
	    (len && tar_write(w->a, buf, len) != (ssize_t)len))
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
struct extents {
	struct tar_extent *v;
	size_t nr, alloc;
};

static void add_extent(struct extents *x, uint64_t off, uint64_t len)
{
	ALLOC_GROW(x->v, x->nr + 1, x->alloc);
	x->v[x->nr++] = (struct tar_extent){ .off = off, .len = len };
}

static int sparse_map(int fd, uint64_t size, struct extents *x,
		      unsigned char *buf)
{
	uint64_t off = 0, start = 0;
	int in_data = 0;

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
				if (in_data)
					add_extent(x, start, off - start);
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
				add_extent(x, start, off + i - start);
				in_data = 0;
			}
		}
		off += (uint64_t)got;
		if (sigchain_pending())
			return -UKB_EINTR;
	}
	if (in_data)
		add_extent(x, start, size - start);
	return 0;
}

/* The whole file into the archive; the holes' bytes are dropped. */
static int copy_data(struct bar_writer *w, const char *name, int fd,
		     uint64_t size, unsigned char *buf)
{
	uint64_t off = 0;

	while (off < size) {
		size_t n = (size_t)(size - off < CHUNK ? size - off : CHUNK);
		ssize_t got = pread(fd, buf, n, (off_t)off);

		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		if (tar_write(w->a, buf, (size_t)got) != got)
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
	struct extents x = { 0 };
	struct tar_entry e;
	struct stat st;
	int fd, ret;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		error_errno(0, "cannot read '%s'", src);
		ret = -UKB_EHOST;
		goto out;
	}
	e = member(w, name, TAR_FILE, mode, (uint64_t)st.st_size);
	ret = sparse_map(fd, (uint64_t)st.st_size, &x, buf);
	/* a file without a hole is stored plain */
	if (!ret && !(x.nr == 1 && x.v[0].off == 0 &&
		      x.v[0].len == (uint64_t)st.st_size)) {
		e.sparse = x.v;
		e.sparse_nr = x.nr;
	}
	if (ret == -UKB_EINTR)
		goto out;
	if (ret) {
		error_errno(ret, "cannot read '%s'", src);
		ret = -UKB_EHOST;
		goto out;
	}
	if (tar_add(w->a, &e) != TAR_OK) {
		ret = write_failed(w, name);
		goto out;
	}
	ret = copy_data(w, name, fd, (uint64_t)st.st_size, buf);
	if (ret && ret != -UKB_EINTR && ret != -UKB_EHOST) {
		error_errno(ret, "cannot read '%s'", src);
		ret = -UKB_EHOST;
	}
out:
	if (fd >= 0)
		close(fd);
	free(x.v);
	free(buf);
	return ret;
}

int bar_close(struct bar_writer *w)
{
	int ret = 0;

	if (tar_close(w->a) != TAR_OK)
		ret = error(-UKB_EHOST, "cannot write '%s': %s", w->path,
			    tar_error(w->a) ? tar_error(w->a) :
			    "libarchive failed");
	bar_abort(w);
	return ret;
}

void bar_abort(struct bar_writer *w)
{
	if (!w)
		return;
	tar_free(w->a);
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

static int scan_failed(struct tar *a, const char *path)
{
	const char *msg = tar_error(a);

	if (sigchain_pending())
		return -UKB_EINTR;
	return error(-UKB_ESOURCE, "cannot read '%s': %s", path,
		     msg ? msg : "not an archive libarchive knows");
}

static int open_failed(struct tar *a, const char *path)
{
	int e = tar_errno(a);

	if (e > 0 && e != EILSEQ && e != EINVAL)
		return error_errno(-e, "cannot read '%s'", path);
	return scan_failed(a, path);
}

/* Where read_data() hands each block of a member's data (off is where
 * it stands in the member); 0 or an error already reported. */
typedef int (*data_fn)(void *ctx, const void *buf, size_t len,
		       uint64_t off);

/*
 * One member's data (size bytes, name in messages), hashed into hex with
 * the holes as zeros; kept whole in keep when it is not NULL, and handed
 * block by block to fn when it is not NULL.
 */
static int read_data(struct tar *a, const char *path, const char *name,
		     uint64_t size, struct strbuf *keep, data_fn fn,
		     void *ctx, char *hex)
{
	struct sha256 *h = sha256_new();
	uint64_t pos = 0;
	const void *buf;
	size_t len;
	int64_t off;
	int r, ret = 0;

	while ((r = tar_read_data(a, &buf, &len, &off)) == TAR_OK) {
		if (off < 0 || (uint64_t)off < pos || (uint64_t)off + len > size) {
			ret = error(-UKB_ESOURCE, "cannot read '%s': member '%s' has data outside its size",
				    path, name);
			break;
		}
		hash_zeros(h, (uint64_t)off - pos, keep);
		sha256_update(h, buf, len);
		if (keep)
			strbuf_add(keep, buf, len);
		if (fn && (ret = fn(ctx, buf, len, (uint64_t)off)))
			break;
		pos = (uint64_t)off + len;
		if (sigchain_pending()) {
			ret = -UKB_EINTR;
			break;
		}
	}
	if (!ret && r != TAR_EOF)
		ret = scan_failed(a, path);
	if (!ret)
		hash_zeros(h, size - pos, keep);
	sha256_finish(h, hex);
	return ret;
}

static int scan_entries(struct tar *a, const char *path, size_t keep_max,
			struct bar_members *ms)
{
	struct tar_entry e;
	int r;

	while ((r = tar_next(a, &e)) == TAR_OK) {
		struct bar_member *m;
		int64_t size = e.size;

		if (ms->nr >= BAR_MEMBERS_MAX)
			return error(-UKB_ESOURCE, "cannot read '%s': more than %d members",
				     path, BAR_MEMBERS_MAX);
		if (size < 0 || (uint64_t)size > BAR_MEMBER_MAX)
			return error(-UKB_ESOURCE, "cannot read '%s': member '%s' is over %llu GiB",
				     path, e.name ? e.name : "",
				     BAR_MEMBER_MAX >> 30);
		ALLOC_GROW(ms->m, ms->nr + 1, ms->alloc);
		m = &ms->m[ms->nr++];
		memset(m, 0, sizeof(*m));
		strbuf_init(&m->data, 0);
		m->name = xstrdup(e.name ? e.name : "");
		m->mode = e.mode;
		m->size = (uint64_t)size;
		switch (e.type) {
		case TAR_FILE:
			m->type = e.hardlink ? BAR_OTHER : BAR_FILE;
			break;
		case TAR_DIR:
			m->type = BAR_DIR;
			break;
		default:
			m->type = BAR_OTHER;
		}
		if (m->type == BAR_FILE) {
			int ret = read_data(a, path, m->name, m->size,
					    m->size <= keep_max ? &m->data : NULL,
					    NULL, NULL, m->sha256);

			if (ret)
				return ret;
		}
	}
	return r == TAR_EOF ? 0 : scan_failed(a, path);
}

int bar_scan(const char *path, size_t keep_max, struct bar_members *ms)
{
	struct tar *a = tar_read_new();
	int ret;

	if (!a)
		return error_errno(-ENOMEM, "cannot read '%s'", path);
	if (tar_open_file(a, path, 65536) != TAR_OK) {
		ret = open_failed(a, path);
	} else {
		ret = scan_entries(a, path, keep_max, ms);
	}
	tar_free(a);
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

/* ---- extracting --------------------------------------------------------- */

/* buf at off into fd, leaving the all-zero aligned blocks as holes. */
static int write_sparse(int fd, const unsigned char *buf, size_t len,
			uint64_t off)
{
	while (len) {
		size_t k = BLOCK - (size_t)(off % BLOCK);

		if (k > len)
			k = len;
		for (size_t done = 0; !all_zero(buf, k) && done < k;) {
			ssize_t n = pwrite(fd, buf + done, k - done,
					   (off_t)(off + done));

			if (n < 0 && errno != EINTR)
				return -errno;
			done += n > 0 ? (size_t)n : 0;
		}
		buf += k;
		off += k;
		len -= k;
	}
	return 0;
}

struct sparse_out {
	int fd;
	const char *dest;
};

static int write_block(void *ctx, const void *buf, size_t len, uint64_t off)
{
	const struct sparse_out *so = ctx;
	int ret = write_sparse(so->fd, buf, len, off);

	if (ret) {
		error_errno(ret, "cannot write '%s'", so->dest);
		return -UKB_EHOST;
	}
	return 0;
}

static int extract_data(struct tar *a, const char *path, int64_t size,
			struct bar_out *o, int fd)
{
	struct sparse_out so = { fd, o->dest };
	int ret = read_data(a, path, o->name, (uint64_t)size, NULL,
			    write_block, &so, o->sha256);

	if (!ret && (ftruncate(fd, (off_t)size) || fsync(fd))) {
		error_errno(0, "cannot write '%s'", o->dest);
		ret = -UKB_EHOST;
	}
	return ret;
}

static int extract_one(struct tar *a, const char *path,
		       const struct tar_entry *e, struct bar_out *o)
{
	int fd, ret;

	if (e->type != TAR_FILE || e->hardlink || e->size < 0 ||
	    (uint64_t)e->size > BAR_MEMBER_MAX)
		return error(-UKB_ESOURCE, "cannot read '%s': member '%s' is not a regular file of at most %llu GiB",
			     path, o->name, BAR_MEMBER_MAX >> 30);
	if (o->found)
		return error(-UKB_ESOURCE, "cannot read '%s': member '%s' twice",
			     path, o->name);
	o->found = 1;
	fd = open(o->dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, o->mode);
	if (fd < 0) {
		error_errno(0, "cannot create '%s'", o->dest);
		return -UKB_EHOST;
	}
	ret = extract_data(a, path, e->size, o, fd);
	if (close(fd) && !ret) {
		error_errno(0, "cannot write '%s'", o->dest);
		ret = -UKB_EHOST;
	}
	return ret;
}

int bar_extract(const char *path, struct bar_out *outs, size_t nr)
{
	struct tar *a = tar_read_new();
	struct tar_entry e;
	int r = TAR_EOF, ret = 0;

	if (!a)
		return error_errno(-ENOMEM, "cannot read '%s'", path);
	for (size_t i = 0; i < nr; i++)
		outs[i].found = 0;
	if (tar_open_file(a, path, 65536) != TAR_OK) {
		ret = open_failed(a, path);
		goto out;
	}
	while (!ret && (r = tar_next(a, &e)) == TAR_OK) {
		for (size_t i = 0; !ret && i < nr; i++)
			if (e.name && !strcmp(e.name, outs[i].name))
				ret = extract_one(a, path, &e, &outs[i]);
	}
	if (!ret && r != TAR_EOF)
		ret = scan_failed(a, path);
out:
	tar_free(a);
	return ret;
}
