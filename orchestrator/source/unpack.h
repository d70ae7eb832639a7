/*
 * Unpacking a kernel source archive (libarchive): tar, optionally gzip,
 * xz or bzip2 compressed, detected by content. Every entry is checked
 * before it reaches the disk, so a hostile archive cannot write outside
 * the destination or leave links that point out of it (the checks:
 * unpack-policy.h).
 */
#ifndef UKB_UNPACK_H
#define UKB_UNPACK_H

#include <stdint.h>

#include "source/unpack-policy.h" /* the checks, for unpack's callers */

/*
 * Far above any kernel tree (the biggest unpacks to about 1.5 GB in under
 * 100000 entries), so that a small archive cannot fill the cache.
 */
#define UNPACK_MAX_TOTAL (8ULL << 30)   /* file data, in bytes */
#define UNPACK_MAX_ENTRY (1ULL << 30)   /* one file, in bytes */
#define UNPACK_MAX_ENTRIES 1000000ULL

struct unpack_limits {
	uint64_t total, entry, entries;
};

/* Other limits for the tests; NULL restores the ones above. */
void unpack_set_limits(const struct unpack_limits *l);

struct unpack_result {
	/* The single top-level directory, e.g. "linux-6.1"; NULL otherwise. */
	char *topdir;
	unsigned long long files; /* regular files written (not hard links) */
	unsigned long long bytes; /* uncompressed file data written */
	/* entries whose mode was made safe for the cache (see below) */
	unsigned long long adjusted;
};

/*
 * Extract the archive at path into dest, which must not exist yet and is
 * created with mode 0755 (its parents as needed). Entries keep their mode
 * less group and other write, setuid, setgid and sticky bits (directories
 * get the owner's rwx too), and their mtime, never their owner. Refused with
 * -UKB_ESOURCE: absolute names, '..' components, symlinks pointing out of
 * the tree or to an absolute path, hard links to anything but an earlier
 * file, device nodes, fifos and sockets; likewise a truncated or corrupt
 * archive, and one beyond the limits above (checked on the sizes the
 * headers declare, before writing, and on the bytes written). An unreadable archive gives its -errno, a full disk its -errno,
 * a pending SIGINT/SIGTERM -UKB_EINTR. Every failure is reported once
 * through error() and removes dest entirely. Returns 0 and fills res
 * (release it with unpack_result_release()) on success.
 */
int unpack_archive(const char *path, const char *dest,
		   struct unpack_result *res);
/*
 * The same, for a system tree (a distribution's root file system): the
 * entries also keep their owner and group (when run as root), and a
 * symlink may point to an absolute path without '..' ("/bin/busybox"),
 * which resolves inside the guest. Nothing may follow such links on the
 * host: libarchive does not, and the caller must not either.
 */
int unpack_archive_owned(const char *path, const char *dest,
			 struct unpack_result *res);
/* Free what res holds and zero it. */
void unpack_result_release(struct unpack_result *res);

#endif
