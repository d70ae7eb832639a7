#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/dlcache.h"
#include "base/banned.h"

static char *read_signer(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = path_join(dir, "signer");

	if (strbuf_read_file(&sb, path)) {
		free(path);
		strbuf_release(&sb);
		return NULL;
	}
	free(path);
	strbuf_rtrim(&sb);
	return strbuf_detach(&sb, NULL);
}

int dlcache_get(const char *dl, const char *sha, const char *name,
		int need_verified, struct fetched *out, int *unchecked)
{
	char *dir = path_join(dl, sha), *path = path_join(dir, name);
	char actual[SHA256_HEX_LEN + 1], *signer = NULL;
	int ret = 0;

	if (!path_exists(path))
		goto out;
	signer = read_signer(dir);
	if (need_verified && !signer) {
		*unchecked = 1;
		goto out;
	}
	ret = sha256_file(path, actual);
	if (ret) {
		error_errno(ret, "cannot read '%s'", path);
		goto out;
	}
	if (strcmp(actual, sha)) {
		warning("cached '%s' is corrupt: expected sha256 %s, got %s; "
			"removing it", path, sha, actual);
		rmtree(dir);
		goto out;
	}
	out->path = path;
	path = NULL;
	memcpy(out->sha256, sha, sizeof(out->sha256));
	out->from_cache = 1;
	out->verified = signer != NULL;
	out->signer = signer;
	signer = NULL;
	ret = 1;
out:
	free(signer);
	free(path);
	free(dir);
	return ret;
}

int dlcache_get_by_name(const char *dl, const char *name, int need_verified,
			struct fetched *out, int *unchecked)
{
	char *link = xasprintf("%s/by-name/%s", dl, name);
	char target[4096];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	int ret = 0;

	free(link);
	/* "../<sha256>/<name>" */
	if (n < 3 + SHA256_HEX_LEN + 1)
		return 0;
	target[n] = '\0';
	if (strncmp(target, "../", 3) || target[3 + SHA256_HEX_LEN] != '/' ||
	    !sha256_is_hex(target + 3, SHA256_HEX_LEN))
		return 0;
	target[3 + SHA256_HEX_LEN] = '\0';
	ret = dlcache_get(dl, target + 3, name, need_verified, out, unchecked);
	return ret;
}

int dlcache_put(const char *dl, const char *part, const char *sha,
		const char *name, const char *signer, struct fetched *out)
{
	char *dir = path_join(dl, sha), *path = path_join(dir, name);
	char *byname = path_join(dl, "by-name");
	char *link = NULL, *tmp = NULL, *target = NULL, *marker = NULL;
	int ret;

	ret = mkdir_p(dir, 0755);
	if (!ret && signer) {
		/* the marker first: a tarball there is always a checked one */
		char *line = xasprintf("%s\n", signer);

		marker = path_join(dir, "signer");
		ret = write_file_atomic(marker, line, strlen(line), 0644);
		free(line);
	}
	if (!ret && strcmp(part, path) && rename(part, path) < 0)
		ret = -errno;
	if (ret) {
		error_errno(ret, "cannot store '%s' in the cache", path);
		goto out;
	}
	ret = mkdir_p(byname, 0755);
	link = xasprintf("%s/%s", byname, name);
	tmp = xasprintf("%s.tmp.%ld", link, (long)getpid());
	target = xasprintf("../%s/%s", sha, name);
	unlink(tmp);
	if (ret || symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		/* the entry itself is fine: only --offline misses it */
		warning_errno(ret, "cannot link '%s' to '%s'", link, target);
		unlink(tmp);
		ret = 0;
	}
	out->path = path;
	path = NULL;
	memcpy(out->sha256, sha, sizeof(out->sha256));
	out->verified = signer != NULL;
	out->signer = signer ? xstrdup(signer) : NULL;
out:
	free(marker);
	free(target);
	free(tmp);
	free(link);
	free(byname);
	free(path);
	free(dir);
	return ret;
}

/* ---- .part files ------------------------------------------------------ */

int dlcache_part_open(const char *path, int *fd, struct sha256 **hash,
		      uint64_t *size)
{
	char buf[1 << 16];
	ssize_t n;
	int in;

	*hash = sha256_new();
	*size = 0;
	*fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (*fd < 0)
		return error_errno(0, "cannot open '%s'", path);
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return error_errno(0, "cannot read '%s'", path);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		sha256_update(*hash, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(in);
	if (n < 0)
		return error_errno(0, "cannot read '%s'", path);
	return 0;
}

int dlcache_part_restart(const char *path, int fd, struct sha256 **hash)
{
	char discard[SHA256_HEX_LEN + 1];

	sha256_finish(*hash, discard);
	*hash = sha256_new();
	if (ftruncate(fd, 0) < 0)
		return error_errno(0, "cannot truncate '%s'", path);
	return 0;
}
