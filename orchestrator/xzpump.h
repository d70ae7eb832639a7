/*
 * xz decoding beside the unpacker, as GNU tar runs xz beside itself: a
 * thread decodes the file with liblzma into one end of a socket pair and
 * libarchive reads plain tar from the other, so the next block decodes
 * while the last one is written to disk.
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
};

/* Whether the open file fd starts with xz's magic (pread, offset kept). */
int xzpump_is_xz(int fd);
/*
 * Start decoding fd; *plain_fd is where the decoded bytes come out (EOF
 * at the end or on a failure). Returns 0 or -errno.
 */
int xzpump_start(struct xzpump **xp, int fd, int *plain_fd);
/* Compressed bytes read so far (for progress). */
uint64_t xzpump_consumed(struct xzpump *x);
/*
 * Stop the thread if it still runs (the reader is done or gave up), wait
 * for it, and say how decoding went: *why gets liblzma's complaint in
 * words (static) for anything but XZPUMP_OK. Safe to call more than once.
 */
enum xzpump_verdict xzpump_finish(struct xzpump *x, const char **why,
				  int *err);
/* Finish, close both ends and free. NULL is fine. */
void xzpump_free(struct xzpump *x);

#endif
