/*
 * The downloads/ part of the cache, where fetch keeps tarballs:
 *   <name>.part             a download in progress (fetch resumes it)
 *   <sha256>/<name>         a tarball; immutable once there
 *   <sha256>/signer         fingerprint of the key whose .tar.sign was
 *                           checked; absent after --no-verify
 *   by-name/<name>          symlink to ../<sha256>/<name> (--offline)
 * Entries are hashed again when used: a rotten one is removed and counts
 * as absent. Callers hold fetch's per-release lock.
 */
#ifndef UKB_DLCACHE_H
#define UKB_DLCACHE_H

#include <stdint.h>

#include "base/sha256.h"

/* A tarball in the cache, as fetch and the cache describe it. */
struct fetched {
	char *path;       /* <cache>/downloads/<sha256>/linux-X.tar.xz */
	char sha256[65];
	char *url;        /* where it came from; NULL when served from cache */
	int from_cache;
	int verified;     /* 0 only with no_verify */
	char *signer;     /* fingerprint of the .tar.sign key when verified */
};

/*
 * Look up dl/<sha>/<name>. Returns 1 with f filled in (path, sha256,
 * from_cache, verified, signer), 0 when absent or, with need_verified,
 * never signature-checked (then *unchecked is set), or an error.
 */
int dlcache_get(const char *dl, const char *sha, const char *name,
		int need_verified, struct fetched *f, int *unchecked);
/* The same through by-name/<name>, when the hash is not known. */
int dlcache_get_by_name(const char *dl, const char *name, int need_verified,
			struct fetched *f, int *unchecked);
/*
 * Make file (a finished .part, or the entry itself) the entry
 * dl/<sha>/<name>: record signer (NULL when unverified) before the file
 * moves in, then point by-name/<name> at it. Fills f's path, sha256,
 * verified and signer. Returns 0 or -errno, reported.
 */
int dlcache_put(const char *dl, const char *file, const char *sha,
		const char *name, const char *signer, struct fetched *f);

/*
 * A .part file: open path for appending (created 0644), with *hash
 * holding the SHA-256 of what it already holds (*size bytes). Returns 0
 * or -errno, reported; *fd and *hash are the caller's either way.
 */
int dlcache_part_open(const char *path, int *fd, struct sha256 **hash,
		      uint64_t *size);
/* Empty the .part file at path (open as fd) and start *hash again. */
int dlcache_part_restart(const char *path, int fd, struct sha256 **hash);

#endif
