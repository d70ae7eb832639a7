/*
 * Tar archives through libarchive, the only file that includes archive.h:
 * reading (any compression libarchive detects), extracting entries onto
 * the disk, and writing a pax tar.xz with sparse members. The rest of
 * umlkbuild sees these types only.
 */
#ifndef UKB_TAR_H
#define UKB_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One libarchive handle: a reader, a disk writer or an archive writer. */
struct tar;

/* Results, with libarchive's values and order: worse is smaller. */
enum {
	TAR_EOF = 1,
	TAR_OK = 0,
	TAR_RETRY = -10,
	TAR_WARN = -20,
	TAR_FAILED = -25,
	TAR_FATAL = -30,
};

enum tar_type {
	TAR_OTHER = 0,
	TAR_FILE,
	TAR_DIR,
	TAR_SYMLINK,
	TAR_CHR,
	TAR_BLK,
	TAR_FIFO,
	TAR_SOCK,
};

/* A data region of a sparse file; the rest reads as zeros. */
struct tar_extent {
	uint64_t off, len;
};

struct tar_entry {
	const char *name;     /* as stored; NULL when the header has none */
	const char *hardlink; /* a hard link's target, or NULL */
	const char *symlink;  /* a symlink's target, or NULL */
	enum tar_type type;
	unsigned mode;        /* permission bits */
	int64_t size;         /* the whole file, holes included */
	long long mtime;
	/* writing only: the data regions, none for a plain file */
	const struct tar_extent *sparse;
	size_t sparse_nr;
};

/*
 * Reading. tar_read_new() gives NULL when out of memory; the archive is
 * then opened from fd (not closed by us) or path, reading block bytes at
 * a time. tar_next() fills e with strings that live until the next call.
 */
struct tar *tar_read_new(void);
int tar_open_fd(struct tar *t, int fd, size_t block);
int tar_open_file(struct tar *t, const char *path, size_t block);
int tar_next(struct tar *t, struct tar_entry *e);
/* The current entry's next data block, at offset *off of the file. */
int tar_read_data(struct tar *t, const void **buf, size_t *len,
		  int64_t *off);
/* Bytes read by filter n (0: the file itself), -1: the last filter. */
uint64_t tar_filter_bytes(struct tar *t, int n);
/* True when the file is read without a decompressor. */
int tar_is_plain(struct tar *t);

/*
 * Extracting onto the disk, below the working directory: modes and
 * mtimes kept, owners only with keep_owner, and libarchive's refusals of
 * '..', absolute names and paths through symlinks on top of the caller's
 * own checks. NULL when out of memory.
 */
struct tar *tar_disk_new(int keep_owner);
/*
 * The current entry of r, under e's name, hard link target (when set)
 * and mode; the entry's other attributes are kept. e's strings must not
 * be those tar_next() returned.
 */
int tar_disk_header(struct tar *d, struct tar *r, const struct tar_entry *e);
ssize_t tar_disk_data(struct tar *d, const void *buf, size_t len,
		     int64_t off);
int tar_disk_finish_entry(struct tar *d);

/*
 * Writing path (truncated) as a pax tar compressed with xz. Members are
 * owned by root:root (0:0): the same members give the same bytes.
 */
struct tar *tar_write_new(void);
int tar_create_xz(struct tar *w, const char *path);
int tar_add(struct tar *w, const struct tar_entry *e);
/* Data of the member just added; a sparse member's holes are dropped. */
ssize_t tar_write(struct tar *w, const void *buf, size_t len);

/* Finish writing (directories' deferred modes, the archive's end). */
int tar_close(struct tar *t);
/* Free t (NULL is fine); a writer that was not closed is closed. */
void tar_free(struct tar *t);
/* The last error: its errno (0 or libarchive's own codes) and text. */
int tar_errno(struct tar *t);
const char *tar_error(struct tar *t); /* NULL when none */

#endif
