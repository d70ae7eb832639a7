/*
 * The cache directory ($XDG_CACHE_HOME/umlkbuild, or --cache DIR) and its
 * locks. Layout:
 *   downloads/   verified tarballs, content-addressed by sha256
 *   trees/       unpacked and patched sources, keyed by tarball sha256
 *                and patch series
 *   build/       out-of-tree (O=) build directories
 *   git/         bare mirrors of git remotes
 *   ccache/      ccache's own store
 *   locks/       flock(2) files; a dead holder releases its lock
 */
#ifndef UKB_CACHE_H
#define UKB_CACHE_H

void cache_set_root(const char *dir);
/* The config file's cache directory: the root unless cache_set_root()
 * (--cache) chose one already. NULL changes nothing. */
void cache_set_default_root(const char *dir);
/* The root (created on first use); never NULL. */
const char *cache_root(void);
/* root/sub, created as a directory; caller frees. NULL and an error
 * message when it cannot be created. */
char *cache_dir(const char *sub);

struct cache_lock {
	int fd;
	char *path;
};

/*
 * Take the exclusive lock called name, waiting (with a message) while
 * another run holds it. Returns 0, -UKB_EINTR, -UKB_EHOST when the lock
 * cannot be created (reported), or -errno.
 */
int cache_lock(const char *name, struct cache_lock *lk);
void cache_unlock(struct cache_lock *lk);

#endif
