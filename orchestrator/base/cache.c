#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "base/banned.h"

static char *root;

void cache_set_root(const char *dir)
{
	free(root);
	root = path_absolute(dir);
}

void cache_set_default_root(const char *dir)
{
	if (dir && !root)
		cache_set_root(dir);
}

const char *cache_root(void)
{
	const char *xdg, *home;

	if (root)
		return root;
	xdg = getenv("XDG_CACHE_HOME");
	home = getenv("HOME");
	if (xdg && *xdg == '/')
		root = xasprintf("%s/umlkbuild", xdg);
	else if (home && *home)
		root = xasprintf("%s/.cache/umlkbuild", home);
	else
		root = xstrdup("/var/cache/umlkbuild");
	return root;
}

char *cache_dir(const char *sub)
{
	char *p = path_join(cache_root(), sub);
	int ret = mkdir_p(p, 0755);

	if (ret) {
		error_errno(ret, "cannot create cache directory '%s'", p);

		hint("choose another with --cache DIR");
		free(p);
		return NULL;
	}
	return p;
}

int cache_lock(const char *name, struct cache_lock *lk)
{
	char *dir = cache_dir("locks");
	int ret;

	lk->fd = -1;
	lk->path = NULL;
	if (!dir)
		return -UKB_EHOST;
	lk->path = xasprintf("%s/%s.lock", dir, name);
	free(dir);
	lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lk->fd < 0) {
		ret = -errno;
		error_errno(ret, "cannot open lock '%s'", lk->path);
		ret = -UKB_EHOST;
		goto fail;
	}
	if (flock(lk->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		ret = -errno;
		goto fail;
	}
	info("waiting for another umlkbuild run to release '%s'", lk->path);
	while (flock(lk->fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			goto fail;
		}
		if (sigchain_pending()) {
			ret = -UKB_EINTR;
			goto fail;
		}
	}
	return 0;
fail:
	cache_unlock(lk);
	return ret;
}

void cache_unlock(struct cache_lock *lk)
{
	if (lk->fd >= 0)
		close(lk->fd);
	lk->fd = -1;
	free(lk->path);
	lk->path = NULL;
}
