/*
 * Between unpack.c (the archive: open it, make dest, check the stream's
 * end, clean up) and unpack-entry.c (the extraction loop: each entry
 * checked, limited and written): the state of one unpack and what each
 * side calls of the other. Nothing outside those two includes this.
 */
#ifndef UKB_UNPACKER_H
#define UKB_UNPACKER_H

#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"
#include "base/strset.h"

struct progress;
struct tar;
struct unpack_result;
struct xzpump;

struct unpacker {
	const char *path; /* the archive, as the caller named it */
	const char *dest;
	char *abs;  /* dest, absolute */
	int fd;     /* the archive */
	int in_fd;  /* what libarchive reads: fd, or the decoder's pipe */
	int cwd;    /* where we were before entering dest */
	int made;   /* dest was created (removed on failure) */
	int umask_set;
	mode_t old_umask;
	off_t size;
	struct tar *in, *out;
	struct progress *progress;
	struct unpack_result *res;
	struct strset seen; /* names so far, marked 1 for regular files */
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
uint64_t unpacker_consumed(struct unpacker *u);
/*
 * The reader's or the disk writer's failure said, as the decoder, the
 * system or libarchive saw it; returns the error.
 */
int unpacker_read_failed(struct unpacker *u);
int unpacker_write_failed(struct unpacker *u);

/* unpack-entry.c: every entry to the end of the tar data, or the error. */
int unpacker_entries(struct unpacker *u);

#endif
