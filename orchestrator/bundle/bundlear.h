/*
 * The bundle's tar.xz, through base/tar.h.
 * Written member by member in the pax format: regular files are stored
 * sparse (GNU sparse 1.0, which GNU tar and bsdtar restore), their map
 * found from the content (all-zero 4 KiB blocks), owners root:root and one
 * fixed time, so the same members give the same bytes whatever file
 * system they came from. Read back member by member, each hashed over its
 * whole contents, holes included.
 */
#ifndef UKB_BUNDLEAR_H
#define UKB_BUNDLEAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"
#include "base/strbuf.h"

struct bar_writer;

/* Create path (truncated) for writing. Returns 0 or -UKB_EHOST, said. */
int bar_create(const char *path, long long mtime, struct bar_writer **w);
int bar_add_dir(struct bar_writer *w, const char *name);
/* The regular file src as name, mode as given, stored sparse. */
int bar_add_file(struct bar_writer *w, const char *name, const char *src,
		 unsigned mode);
int bar_add_buf(struct bar_writer *w, const char *name, const void *buf,
		size_t len, unsigned mode);
/* Finish the archive and free w: 0 or -UKB_EHOST, said. */
int bar_close(struct bar_writer *w);
/* Free w without finishing (after a failure; the caller removes path). */
void bar_abort(struct bar_writer *w);

enum { BAR_FILE = 1, BAR_DIR, BAR_OTHER };

struct bar_member {
	char *name;              /* as stored */
	int type;                /* BAR_* */
	unsigned mode;           /* permission bits */
	uint64_t size;           /* the whole file, holes included */
	char sha256[SHA256_HEX_LEN + 1];
	struct strbuf data;      /* the content when size <= keep_max */
};

struct bar_members {
	struct bar_member *m;
	size_t nr, alloc;
};

/* What bar_scan() accepts of one member (a hostile sparse file could
 * make the hash take hours). */
#define BAR_MEMBER_MAX (64ULL << 30)
#define BAR_MEMBERS_MAX 64

/*
 * Read every member of the archive at path (any compression libarchive
 * detects). Returns 0; -UKB_ESOURCE, said, when path is not a readable
 * archive, is corrupt or passes the limits above; -errno, said, when it
 * cannot be opened. ms is filled in order; release it with
 * bar_members_release() whatever the result.
 */
int bar_scan(const char *path, size_t keep_max, struct bar_members *ms);
void bar_members_release(struct bar_members *ms);
/* The member called name, or NULL. */
const struct bar_member *bar_find(const struct bar_members *ms,
				  const char *name);

/* One member bar_extract() writes out. */
struct bar_out {
	const char *name;        /* the member, as stored */
	const char *dest;        /* created (O_EXCL) with mode, holes kept */
	unsigned mode;
	char sha256[SHA256_HEX_LEN + 1];  /* of what was written */
	int found;
};

/*
 * One pass over the archive at path: each member named in outs written
 * to its dest, all-zero 4 KiB blocks left as holes, then synced. Returns
 * 0 (a member not in the archive has found 0); -UKB_ESOURCE as bar_scan()
 * does; -UKB_EHOST when a dest cannot be written; -UKB_EINTR. Reported;
 * the caller removes the dests on failure.
 */
int bar_extract(const char *path, struct bar_out *outs, size_t nr);

#endif
