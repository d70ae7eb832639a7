#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "base/banned.h"

int mkdir_p_track(const char *path, mode_t mode, struct strvec *created)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) == 0) {
			if (created)
				strvec_push(created, p);
		} else if (errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!ret && !is_dir(path))
		ret = -ENOTDIR;
	free(p);
	return ret;
}

int mkdir_p(const char *path, mode_t mode)
{
	return mkdir_p_track(path, mode, NULL);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	/* A tree we extracted may hold read-only directories: open them up. */
	if (nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int write_in_full(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, ret;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_in_full(fd, data, len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

int copy_file(const char *src, const char *dst)
{
	char buf[1 << 16];
	struct stat st;
	int in, out, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   st.st_mode & 07777);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = write_in_full(out, buf, (size_t)n);
		if (ret)
			break;
	}
	if (close(out) < 0 && !ret)
		ret = -errno;
	close(in);
	if (ret)
		unlink(dst);
	return ret;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

char *path_absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return path_join(cwd, path);
}

char *path_expand(const char *base, const char *value)
{
	const char *home = getenv("HOME");

	if (value[0] == '/')
		return xstrdup(value);
	if (!strncmp(value, "~/", 2) && home && *home)
		return path_join(home, value + 2);
	if (base)
		return path_join(base, value);
	return path_absolute(value);
}

/* Length of path's first n components (leading '/' included). */
static size_t skip_components(const char *path, size_t n)
{
	const char *p = path;

	while (n--) {
		while (*p == '/')
			p++;
		p = strchrnul(p, '/');
	}
	return (size_t)(p - path);
}

static size_t count_components(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p; ) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		n++;
		p = strchrnul(p, '/');
	}
	return n;
}

char *path_relative(const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t nf = count_components(from), common = 0;
	const char *rest;

	/* how many leading components the two share */
	while (common < nf) {
		size_t a = skip_components(from, common + 1);
		size_t b = skip_components(to, common + 1);

		if (a != b || strncmp(from, to, a) || (to[b] && to[b] != '/') ||
		    b == skip_components(to, common))
			break;
		common++;
	}
	for (size_t i = common; i < nf; i++)
		strbuf_addstr(&sb, sb.len ? "/.." : "..");
	rest = to + skip_components(to, common);
	while (*rest == '/')
		rest++;
	if (*rest) {
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_addstr(&sb, rest);
	}
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	if (!sb.len)
		strbuf_addch(&sb, '.');
	return strbuf_detach(&sb, NULL);
}

int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int read_bounded(struct strbuf *sb, const char *path, size_t max)
{
	struct stat st;
	size_t start = sb->len;
	int fd, ret = 0;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	strbuf_grow(sb, (size_t)st.st_size + 1);
	for (;;) {
		/* at most max + 1 bytes: a file that grows is caught too */
		size_t room = max + 1 - (sb->len - start);
		ssize_t n;

		strbuf_grow(sb, room < 65536 ? room : 65536);
		n = read(fd, sb->buf + sb->len,
			 room < sb->alloc - sb->len - 1 ? room :
			 sb->alloc - sb->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		strbuf_setlen(sb, sb->len + (size_t)n);
		if (sb->len - start > max) {
			ret = -EFBIG;
			break;
		}
	}
out:
	close(fd);
	if (ret)
		strbuf_setlen(sb, start);
	return ret;
}

int read_input_file(struct strbuf *sb, const char *path, size_t max,
		    const char *what)
{
	int ret = read_bounded(sb, path, max);

	if (!ret || !what)
		return ret;
	if (ret == -EINVAL)
		return error(-UKB_EUSAGE, "%s '%s' is not a regular file", what,
			     path);
	if (ret == -EFBIG && max >= (1 << 20))
		return error(-UKB_EUSAGE,
			     "%s '%s' is larger than %zu MiB, the limit for a %s",
			     what, path, max >> 20, what);
	if (ret == -EFBIG)
		return error(-UKB_EUSAGE,
			     "%s '%s' is larger than %zu bytes, the limit for a %s",
			     what, path, max, what);
	error_errno(ret, "cannot read %s '%s'", what, path);
	return -UKB_EUSAGE;
}
