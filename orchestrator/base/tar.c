/* Tar archives through libarchive: see tar.h. */
#include <archive.h>
#include <archive_entry.h>
#include <assert.h>
#include <stdlib.h>

#include "base/tar.h"
#include "base/wrapper.h"
#include "base/banned.h"

static_assert(TAR_EOF == ARCHIVE_EOF && TAR_OK == ARCHIVE_OK &&
		      TAR_RETRY == ARCHIVE_RETRY && TAR_WARN == ARCHIVE_WARN &&
		      TAR_FAILED == ARCHIVE_FAILED && TAR_FATAL == ARCHIVE_FATAL,
	      "tar.h's results are libarchive's");

#define EXTRACT_FLAGS                                                         \
	(ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |                        \
	 ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |  \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

enum tar_kind { KIND_READ, KIND_DISK, KIND_WRITE };

struct tar {
	struct archive *a;
	enum tar_kind kind;
	struct archive_entry *cur; /* reading: the current entry (libarchive's) */
};

static struct tar *tar_new(struct archive *a, enum tar_kind kind)
{
	struct tar *t;

	if (!a)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->a = a;
	t->kind = kind;
	return t;
}

struct tar *tar_read_new(void)
{
	struct tar *t = tar_new(archive_read_new(), KIND_READ);

	if (!t)
		return NULL;
	archive_read_support_filter_all(t->a);
	archive_read_support_format_tar(t->a);
	archive_read_support_format_gnutar(t->a);
	return t;
}

int tar_open_fd(struct tar *t, int fd, size_t block)
{
	return archive_read_open_fd(t->a, fd, block);
}

int tar_open_file(struct tar *t, const char *path, size_t block)
{
	return archive_read_open_filename(t->a, path, block);
}

static enum tar_type type_of(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return TAR_FILE;
	case AE_IFDIR:
		return TAR_DIR;
	case AE_IFLNK:
		return TAR_SYMLINK;
	case AE_IFCHR:
		return TAR_CHR;
	case AE_IFBLK:
		return TAR_BLK;
	case AE_IFIFO:
		return TAR_FIFO;
	case AE_IFSOCK:
		return TAR_SOCK;
	default:
		return TAR_OTHER;
	}
}

int tar_next(struct tar *t, struct tar_entry *e)
{
	int r = archive_read_next_header(t->a, &t->cur);

	*e = (struct tar_entry){ 0 };
	if (r < ARCHIVE_WARN || r == ARCHIVE_EOF)
		return r;
	e->name = archive_entry_pathname(t->cur);
	e->hardlink = archive_entry_hardlink(t->cur);
	e->symlink = archive_entry_symlink(t->cur);
	e->type = type_of(t->cur);
	e->mode = archive_entry_perm(t->cur);
	e->size = archive_entry_size(t->cur);
	e->mtime = (long long)archive_entry_mtime(t->cur);
	return r;
}

int tar_read_data(struct tar *t, const void **buf, size_t *len, int64_t *off)
{
	la_int64_t o = 0;
	int r = archive_read_data_block(t->a, buf, len, &o);

	*off = o;
	return r;
}

uint64_t tar_filter_bytes(struct tar *t, int n)
{
	return (uint64_t)archive_filter_bytes(t->a, n);
}

int tar_is_plain(struct tar *t)
{
	return archive_filter_count(t->a) == 1 &&
	       archive_filter_code(t->a, 0) == ARCHIVE_FILTER_NONE;
}

struct tar *tar_disk_new(int keep_owner)
{
	struct tar *t = tar_new(archive_write_disk_new(), KIND_DISK);

	if (t)
		archive_write_disk_set_options(t->a, EXTRACT_FLAGS |
					       (keep_owner ? ARCHIVE_EXTRACT_OWNER : 0));
	return t;
}

int tar_disk_header(struct tar *d, struct tar *r, const struct tar_entry *e)
{
	struct archive_entry *cur = r->cur;

	archive_entry_copy_pathname(cur, e->name);
	if (e->hardlink)
		archive_entry_copy_hardlink(cur, e->hardlink);
	if (archive_entry_perm(cur) != e->mode)
		archive_entry_set_perm(cur, e->mode);
	return archive_write_header(d->a, cur);
}

ssize_t tar_disk_data(struct tar *d, const void *buf, size_t len,
		     int64_t off)
{
	return archive_write_data_block(d->a, buf, len, off);
}

int tar_disk_finish_entry(struct tar *d)
{
	return archive_write_finish_entry(d->a);
}

struct tar *tar_write_new(void)
{
	return tar_new(archive_write_new(), KIND_WRITE);
}

int tar_create_xz(struct tar *w, const char *path)
{
	int r = archive_write_set_format_pax_restricted(w->a);

	if (r == ARCHIVE_OK)
		r = archive_write_add_filter_xz(w->a);
	if (r == ARCHIVE_OK)
		r = archive_write_open_filename(w->a, path);
	return r;
}

static unsigned filetype_of(enum tar_type type)
{
	switch (type) {
	case TAR_FILE:
		return AE_IFREG;
	case TAR_DIR:
		return AE_IFDIR;
	case TAR_SYMLINK:
		return AE_IFLNK;
	case TAR_CHR:
		return AE_IFCHR;
	case TAR_BLK:
		return AE_IFBLK;
	case TAR_FIFO:
		return AE_IFIFO;
	case TAR_SOCK:
		return AE_IFSOCK;
	default:
		return 0;
	}
}

int tar_add(struct tar *w, const struct tar_entry *te)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, te->name);
	archive_entry_set_filetype(e, filetype_of(te->type));
	archive_entry_set_perm(e, te->mode);
	archive_entry_set_size(e, (la_int64_t)te->size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_mtime(e, (time_t)te->mtime, 0);
	if (te->hardlink)
		archive_entry_set_hardlink(e, te->hardlink);
	if (te->symlink)
		archive_entry_set_symlink(e, te->symlink);
	for (size_t i = 0; i < te->sparse_nr; i++)
		archive_entry_sparse_add_entry(e, (la_int64_t)te->sparse[i].off,
					       (la_int64_t)te->sparse[i].len);
	r = archive_write_header(w->a, e);
	archive_entry_free(e);
	return r;
}

ssize_t tar_write(struct tar *w, const void *buf, size_t len)
{
	return archive_write_data(w->a, buf, len);
}

int tar_close(struct tar *t)
{
	return t->kind == KIND_READ ? archive_read_close(t->a) :
				      archive_write_close(t->a);
}

void tar_free(struct tar *t)
{
	if (!t)
		return;
	if (t->kind == KIND_READ)
		archive_read_free(t->a);
	else
		archive_write_free(t->a);
	free(t);
}

int tar_errno(struct tar *t)
{
	return archive_errno(t->a);
}

const char *tar_error(struct tar *t)
{
	return archive_error_string(t->a);
}
