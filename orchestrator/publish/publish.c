#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "publish/publish.h"
#include "base/banned.h"

/* Staging dirs "OUT.tmp-PID" of runs that died without cleaning up. */
static void remove_stale_staging(const char *out)
{
	const char *slash = strrchr(out, '/');
	char *dir = xstrndup(out, slash && slash != out ? (size_t)(slash - out) : 1);
	char *prefix = xasprintf("%s.tmp-", slash ? slash + 1 : out);
	size_t n = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *end, *path;
		long pid;

		if (strncmp(de->d_name, prefix, n))
			continue;
		pid = strtol(de->d_name + n, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno == EPERM)
			continue;
		path = path_join(dir, de->d_name);
		rmtree(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

/* ---- What an existing DIR may be ------------------------------------ */

int publish_parse_sums(const char *buf, size_t len, struct strvec *names,
		       const char **why)
{
	size_t pos = 0;

	*why = NULL;
	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		char *name;

		pos += n + 1;
		if (!nl) {
			*why = "SHA256SUMS does not end with a newline";
			return -EINVAL;
		}
		/* exactly what manifest_write_sums() writes: "<hex>  <name>" */
		if (n < 67 || !sha256_is_hex(s, SHA256_HEX_LEN) || s[64] != ' ' ||
		    s[65] != ' ') {
			*why = "SHA256SUMS has a line umlkbuild does not write";
			return -EINVAL;
		}
		name = xstrndup(s + 66, n - 66);
		if (strlen(name) != n - 66 || strchr(name, '/') ||
		    !strcmp(name, ".") || !strcmp(name, "..") ||
		    !strcmp(name, "SHA256SUMS")) {
			free(name);
			*why = "SHA256SUMS names a file umlkbuild does not write";
			return -EINVAL;
		}
		strvec_push(names, name);
		free(name);
	}
	return 0;
}

static int listed(const struct strvec *names, const char *name)
{
	for (size_t i = 0; i < names->nr; i++)
		if (!strcmp(names->v[i], name))
			return 1;
	return 0;
}

/*
 * Whether dir is empty (ARTIFACT_EMPTY) or an earlier artifact: a
 * SHA256SUMS as umlkbuild writes it, listing metadata.json, and nothing in
 * dir but it and the regular files it lists (ARTIFACT_OURS; their names in
 * names). Otherwise -EEXIST, with the reason in why.
 */
enum { ARTIFACT_EMPTY = 1, ARTIFACT_OURS };

static int artifact_verdict(const char *dir, struct strvec *names,
			    struct strbuf *why)
{
	char *sums = path_join(dir, "SHA256SUMS");
	struct strbuf sb = STRBUF_INIT;
	const char *perr;
	DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	size_t nr = 0;
	int ret = -EEXIST;

	d = opendir(dir);
	if (!d) {
		strbuf_addf(why, "cannot read it: %s", strerror(errno));
		goto out;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			nr++;
	if (!nr) {
		ret = ARTIFACT_EMPTY;
		goto out;
	}
	/* the list of an artifact is a few hundred bytes */
	if (lstat(sums, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 65536 || strbuf_read_file(&sb, sums) < 0) {
		strbuf_addstr(why, "it holds no SHA256SUMS of umlkbuild's");
		goto out;
	}
	if (publish_parse_sums(sb.buf, sb.len, names, &perr)) {
		strbuf_addstr(why, perr);
		goto out;
	}
	if (!listed(names, "metadata.json")) {
		strbuf_addstr(why, "its SHA256SUMS does not list metadata.json");
		goto out;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char *p;
		int reg;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "SHA256SUMS"))
			continue;
		p = path_join(dir, de->d_name);
		reg = !lstat(p, &st) && S_ISREG(st.st_mode);
		free(p);
		if (!listed(names, de->d_name) || !reg) {
			strbuf_addf(why, "'%s' is not a file its SHA256SUMS lists",
				    de->d_name);
			goto out;
		}
	}
	ret = ARTIFACT_OURS;
out:
	if (d)
		closedir(d);
	strbuf_release(&sb);
	free(sums);
	return ret;
}

/* path resolved through the links of its deepest existing ancestor, the
 * rest taken lexically ("a/../b" is "b"); caller frees. */
static char *resolve_loose(const char *path)
{
	char *abs = path_absolute(path), *head = xstrdup(abs), *real = NULL;
	struct strvec rest = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;

	for (;;) {
		char *slash;

		real = realpath(head, NULL);
		if (real || !strcmp(head, "/"))
			break;
		slash = strrchr(head, '/');
		strvec_push(&rest, slash + 1);
		if (slash == head)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	strbuf_addstr(&out, real ? real : "/");
	/* rest holds the missing components, last first */
	for (size_t i = rest.nr; i-- > 0;) {
		const char *c = rest.v[i];

		if (!*c || !strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *slash = strrchr(out.buf, '/');

			strbuf_setlen(&out, slash == out.buf ? 1 : (size_t)(slash - out.buf));
			continue;
		}
		if (out.len > 1)
			strbuf_addch(&out, '/');
		strbuf_addstr(&out, c);
	}
	strvec_clear(&rest);
	free(real);
	free(head);
	free(abs);
	return strbuf_detach(&out, NULL);
}

static int within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return 1;
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

int publish_check_place(const char *out, unsigned flags)
{
	char *res, *cache;
	int ret = 0;

	if (!*out)
		return error(-UKB_EUSAGE, "--out wants a directory, not an empty string");
	res = resolve_loose(out);
	cache = resolve_loose(cache_root());
	if (!strcmp(res, "/")) {
		ret = error(-UKB_EHOST, "refusing to publish into '/'");
		hint("--out a new or empty directory");
	} else if (!(flags & PUBLISH_IN_CACHE) && within(res, cache)) {
		ret = error(-UKB_EHOST, strcmp(res, cache) ? "'%s' is inside the cache '%s'" :
			    "'%s' is the cache '%s'", out, cache);
		hint("--out a directory outside the cache");
	}
	free(res);
	free(cache);
	return ret;
}

int publish_check_target(const char *out, unsigned flags)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct stat st;
	int ret;

	ret = publish_check_place(out, flags);
	if (ret)
		return ret;
	if (stat(out, &st) < 0) {
		if (errno != ENOENT) {
			int err = errno;
			char *up = xstrdup(out), *slash;

			/* name what is in the way: the nearest existing parent */
			while (stat(up, &st) < 0 && (slash = strrchr(up, '/')) && slash != up)
				*slash = '\0';
			error_errno(-err, "cannot write to '%s'", up);
			ret = -UKB_EHOST;
			hint("choose a writable directory with --out DIR");
			free(up);
		}
	} else if (!S_ISDIR(st.st_mode)) {
		ret = error(-UKB_EHOST, "'%s' exists and is not a directory", out);
		hint("--out a new or empty directory");
	} else if (artifact_verdict(out, &names, &why) < 0) {
		ret = error(-UKB_EHOST, "'%s' exists and is not an umlkbuild artifact: %s",
			    out, why.buf);
		hint("--out a new or empty directory; umlkbuild replaces only its own artifacts");
	}
	strvec_clear(&names);
	strbuf_release(&why);
	return ret;
}

/*
 * Remove an earlier artifact swapped out of place: exactly its files. What
 * else is there (a file dropped in between the last check and the swap)
 * is kept under a name that the stale-staging cleanup does not take.
 */
static void remove_artifact(const char *dir, const struct strvec *names,
			    const char *out)
{
	char *p;

	for (size_t i = 0; i < names->nr; i++) {
		p = path_join(dir, names->v[i]);
		unlink(p);
		free(p);
	}
	p = path_join(dir, "SHA256SUMS");
	unlink(p);
	free(p);
	if (rmdir(dir) < 0 && errno != ENOENT) {
		p = xasprintf("%s.kept-%ld", out, (long)getpid());
		if (rename(dir, p) == 0)
			warning("files that were not the artifact's are kept in '%s'", p);
		else
			warning_errno(0, "left '%s' behind", dir);
		free(p);
	}
}

static void remove_created(struct strvec *created)
{
	for (size_t i = created->nr; i-- > 0;)
		rmdir(created->v[i]);
	strvec_clear(created);
}

static void publish_release(struct publish *pub)
{
	free(pub->staging);
	free(pub->out);
	pub->staging = pub->out = NULL;
	strvec_clear(&pub->created);
}

int publish_begin(const char *out, struct publish *pub)
{
	char *parent, *slash;
	int ret;

	ret = publish_check_target(out, pub->flags);
	if (ret)
		return ret;
	pub->out = path_absolute(out);
	/* drop trailing slashes so the staging dir is a sibling */
	for (size_t n = strlen(pub->out); n > 1 && pub->out[n - 1] == '/'; n--)
		pub->out[n - 1] = '\0';
	parent = xstrdup(pub->out);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	ret = mkdir_p_track(parent, 0755, &pub->created);
	if (!ret && access(parent, W_OK) < 0)
		ret = -errno;
	if (ret) {
		error_errno(ret, "cannot write to '%s'", parent);
		hint("choose a writable directory with --out DIR");
		free(parent);
		remove_created(&pub->created);
		publish_release(pub);
		return -UKB_EHOST;
	}
	free(parent);
	remove_stale_staging(pub->out);
	pub->staging = xasprintf("%s.tmp-%ld", pub->out, (long)getpid());
	rmtree(pub->staging);
	if (mkdir(pub->staging, 0755) < 0) {
		error_errno(0, "cannot create '%s'", pub->staging);
		remove_created(&pub->created);
		publish_release(pub);
		return -UKB_EHOST;
	}
	tmp_register(pub->staging);
	return 0;
}

char *publish_path(const struct publish *pub, const char *name)
{
	return path_join(pub->staging, name);
}

int publish_commit(struct publish *pub)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	int dirfd = -1, verdict = 0;

	/* the files themselves were written and closed; flush them */
	sync();
	if (is_dir(pub->out)) {
		/*
		 * Checked again now, not only before the build: DIR may have
		 * changed while the kernel compiled. Only an empty directory
		 * or an earlier artifact is ever swapped out.
		 */
		verdict = artifact_verdict(pub->out, &names, &why);
		if (verdict < 0) {
			error(-UKB_EHOST, "'%s' exists and is not an umlkbuild artifact: %s",
			      pub->out, why.buf);
			hint("--out a new or empty directory; umlkbuild replaces only its own artifacts");
			goto fail_quiet;
		}
		if (renameat2(AT_FDCWD, pub->staging, AT_FDCWD, pub->out,
			      RENAME_EXCHANGE) < 0)
			goto fail;
		/* staging now holds the previous artifact: exactly its files go */
		remove_artifact(pub->staging, &names, pub->out);
	} else if (rename(pub->staging, pub->out) < 0) {
		goto fail;
	}
	tmp_forget(pub->staging);
	dirfd = open(pub->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0) {
		fsync(dirfd);
		close(dirfd);
	}
	strvec_clear(&names);
	strbuf_release(&why);
	publish_release(pub);
	return 0;
fail:
	error_errno(0, "cannot publish '%s'", pub->out);
fail_quiet:
	strvec_clear(&names);
	strbuf_release(&why);
	publish_abort(pub);
	return -UKB_EHOST;
}

void publish_abort(struct publish *pub)
{
	if (pub->staging) {
		rmtree(pub->staging);
		tmp_forget(pub->staging);
	}
	remove_created(&pub->created);
	publish_release(pub);
}
