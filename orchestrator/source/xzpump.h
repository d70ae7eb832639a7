/*
 * xz (or gzip) decoding beside the unpacker, as GNU tar runs xz beside
 * itself: a thread decodes the file with liblzma (or zlib) into one end
 * of a socket pair and libarchive reads plain tar from the other, so the
 * next block decodes while the last one is written to disk. The thread
 * decodes to the end of the file, so every stream's check is verified,
 * concatenated streams are read, and anything after the last one but xz
 * stream padding is refused as trailing garbage, for both formats.
 */
#ifndef UKB_XZPUMP_H
#define UKB_XZPUMP_H

#include <stdint.h>

struct xzpump;

enum xzpump_verdict {
	XZPUMP_OK,              /* decoded to the end, or stopped by the reader */
	XZPUMP_TRUNCATED,       /* the file ends inside the xz stream */
	XZPUMP_CORRUPT,         /* damaged data or a bad check */
	XZPUMP_NOT_XZ,          /* no xz header after all */
	XZPUMP_FAILED,          /* out of memory, a read or socket error */
	XZPUMP_TRAILING,        /* bytes after the last stream */
};

enum xzpump_codec { XZPUMP_NONE, XZPUMP_XZ, XZPUMP_GZIP };

/* Which magic the open file fd starts with (pread, offset kept). */
enum xzpump_codec xzpump_detect(int fd);
/*
 * Start decoding fd (XZPUMP_XZ or XZPUMP_GZIP); *plain_fd is where the
 * decoded bytes come out (EOF at the end or on a failure). Returns 0 or
 * -errno.
 */
int xzpump_start(struct xzpump **xp, int fd, enum xzpump_codec codec,
		 int *plain_fd);
/* Compressed bytes read so far (for progress). */
uint64_t xzpump_consumed(struct xzpump *x);
/*
 * Stop the thread if it still runs (the reader is done or gave up), wait
 * for it, and say how decoding went: *why gets the decoder's complaint
 * in words (static) for anything but XZPUMP_OK. Safe to call more than once.
 */
enum xzpump_verdict xzpump_finish(struct xzpump *x, const char **why,
				  int *err);
/* Finish, close both ends and free. NULL is fine. */
void xzpump_free(struct xzpump *x);

#endif
