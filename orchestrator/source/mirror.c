/*
 * One mirror, in the order each protocol asks it: kernel.org's signed
 * sha256sums.asc, the tarball and its .tar.sign; --no-verify's plain
 * download; a publisher's file with its .sha256 and .asc (fetch_file()).
 * The whole fetch (cache, mirrors in turn, offline) is fetch.c's.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/dlcache.h"
#include "source/http.h"
#include "source/mirror.h"
#include "source/sigverify.h"
#include "source/sums.h"
#include "base/banned.h"

#define SUMS_MAX (64u << 20)  /* kernel.org's v6.x list is a few MiB */
#define SIGN_MAX (1u << 20)

/* "<mirror>/v6.x/<file>", the directory of v's tarball; caller frees. */
static char *dir_url(const char *mirror, const struct kver *v,
		     const char *file)
{
	char *t = kver_tarball_url(mirror, v, "xz"), *url;

	*(strrchr(t, '/') + 1) = '\0';
	url = xasprintf("%s%s", t, file);
	free(t);
	return url;
}

/* The i-th name to look for (.tar.xz then .tar.gz); NULL past the last. */
char *mirror_file_name(const struct fetch_ctx *c, size_t i)
{
	static const char *const exts[] = { "xz", "gz" };

	if (c->item)
		return i ? NULL : xstrdup(c->item->name);
	return i < ARRAY_SIZE(exts) ? kver_tarball_name(c->v, exts[i]) : NULL;
}

/* Compare a download with its listed hash; a mismatch is deleted. */
static int check_sum(const char *part, const char *name, const char *url,
		     const char *expected, const char *actual,
		     const char *list)
{
	int ret;

	if (!strcmp(actual, expected))
		return 0;
	unlink(part);
	ret = error(-UKB_ECHECKSUM, "checksum mismatch for '%s' from '%s': "
		    "expected sha256 %s, got %s", name, url, expected, actual);
	hint("the download was deleted; the mirror serves another file than "
	     "its %s lists", list);
	return ret;
}

/* The verified copy of name with that sha256, if the cache has it: 1 (out
 * filled), 0 (not there) or a negative error. */
static int from_cache(struct fetch_ctx *c, const char *expected,
		      const char *name, struct fetched *out)
{
	int ret = dlcache_get(c->dl, expected, name, 1, out, &c->saw_unverified);

	if (ret > 0)
		info("'%s' is in the cache", name);
	return ret;
}

static int save_tmp(struct fetch_ctx *c, const char *name,
		    const struct strbuf *sb, char **path)
{
	int ret;

	*path = path_join(c->tmp, name);
	ret = write_file_atomic(*path, sb->buf, sb->len, 0644);
	if (ret)
		error_errno(ret, "cannot write '%s'", *path);
	return ret;
}

/* What mirror_verified_from() learns on the way, step by step. */
struct verified {
	char expected[SHA256_HEX_LEN + 1], actual[SHA256_HEX_LEN + 1];
	char *name;       /* the tarball's file name */
	const char *ext;  /* "xz" or "gz" */
	char *url_shown;  /* its URL without credentials */
	char *part;       /* the downloaded file (or the unverified entry's) */
	char *entry_dir;  /* <dl>/<sha256> */
	int cached;       /* part is an entry from a --no-verify run */
};

static void verified_release(struct verified *t)
{
	free(t->name);
	free(t->url_shown);
	free(t->part);
	free(t->entry_dir);
}

/*
 * The signed sha256sums.asc of the release's directory, and in it the
 * .tar.xz's (else the .tar.gz's) hash: t's expected, name and ext.
 */
static int signed_sum(struct fetch_ctx *c, const char *mirror,
		      struct verified *t, struct strbuf *why)
{
	static const char *const exts[] = { "xz", "gz" };
	struct strbuf sums = STRBUF_INIT, text = STRBUF_INIT;
	char *sums_url = dir_url(mirror, c->v, "sha256sums.asc");
	char *sums_shown = url_redact(sums_url);
	char *sums_path = NULL, *sums_signer = NULL;
	int ret;

	ret = http_get(c->h, sums_url, SUMS_MAX, &sums, why);
	if (!ret)
		ret = save_tmp(c, "sha256sums.asc", &sums, &sums_path);
	if (!ret)
		ret = sigverify_clearsigned(&c->keys, sums_path, sums_shown,
					    &text, &sums_signer);
	if (ret)
		goto out;
	debug("'%s' is signed by %s", sums_shown, sums_signer);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		free(t->name);
		t->ext = exts[i];
		t->name = kver_tarball_name(c->v, t->ext);
		ret = sha256sums_lookup("sha256sums.asc", text.buf, text.len,
					 t->name, t->expected, NULL);
		if (ret != -UKB_ENOTFOUND)
			break;
	}
	if (ret == -UKB_ENOTFOUND) {
		*strstr(t->name, ".tar.") = '\0';
		strbuf_addf(why, "'%s' lists no '%s.tar.xz' nor '.tar.gz': no "
			    "such release on this mirror", sums_shown, t->name);
	}
out:
	strbuf_release(&sums);
	strbuf_release(&text);
	free(sums_url);
	free(sums_shown);
	free(sums_path);
	free(sums_signer);
	return ret;
}

/* The tarball t names, downloaded or left by --no-verify, checked. */
static int checked_tarball(struct fetch_ctx *c, const char *mirror,
			   struct verified *t, struct strbuf *why)
{
	char *url = kver_tarball_url(mirror, c->v, t->ext);
	int ret;

	t->url_shown = url_redact(url);
	t->entry_dir = path_join(c->dl, t->expected);
	t->part = path_join(t->entry_dir, t->name);
	if (path_exists(t->part)) {
		/* from a --no-verify run: the content is right, check it */
		t->cached = 1;
		ret = sha256_file(t->part, t->actual);
		if (ret)
			ret = error_errno(ret, "cannot read '%s'", t->part);
	} else {
		free(t->part);
		t->part = xasprintf("%s/%s.part", c->dl, t->name);
		info("downloading '%s'", t->url_shown);
		ret = http_download(c->h, url, t->part, t->name, t->expected,
				    t->actual, why);
	}
	if (!ret)
		ret = check_sum(t->part, t->name, t->url_shown, t->expected,
				t->actual, "signed sha256sums.asc");
	free(url);
	return ret;
}

/* linux-X.tar.sign over the tar, then the tarball into the cache. */
static int signed_tarball(struct fetch_ctx *c, const char *mirror,
			  struct verified *t, struct fetched *out,
			  struct strbuf *why)
{
	struct strbuf sig = STRBUF_INIT;
	char *sig_name = kver_tarball_name(c->v, "sign");
	char *sig_url = kver_tarball_url(mirror, c->v, "sign");
	char *sig_shown = url_redact(sig_url);
	char *sig_path = NULL, *signer = NULL;
	int ret;

	ret = http_get(c->h, sig_url, SIGN_MAX, &sig, why);
	if (!ret)
		ret = save_tmp(c, sig_name, &sig, &sig_path);
	if (!ret)
		ret = sigverify_tarball(&c->keys, sig_path, t->part, t->name,
					&signer);
	if (ret == -UKB_ESIGNATURE || ret == -UKB_ESOURCE) {
		/* a bad download is never kept */
		if (t->cached)
			rmtree(t->entry_dir);
		else
			unlink(t->part);
		hint("'%s' was deleted; its signature came from '%s'", t->name,
		     sig_shown);
	}
	if (!ret)
		ret = dlcache_put(c->dl, t->part, t->expected, t->name, signer,
				  out);
	if (!ret) {
		out->from_cache = t->cached;
		/* recorded in metadata.json: never the credentials */
		out->url = t->cached ? NULL : xstrdup(t->url_shown);
	}
	strbuf_release(&sig);
	free(sig_name);
	free(sig_url);
	free(sig_shown);
	free(sig_path);
	free(signer);
	return ret;
}

/*
 * kernel.org's get-verified-tarball order: the signed sha256sums.asc, the
 * tarball's checksum against it, then linux-X.tar.sign over the tar.
 * Errors worth trying the next mirror for are described in why, others
 * are reported here.
 */
int mirror_verified_from(struct fetch_ctx *c, const char *mirror,
			 struct fetched *out, struct strbuf *why)
{
	struct verified t = { .ext = NULL };
	int ret;

	ret = signed_sum(c, mirror, &t, why);
	if (!ret) {
		ret = from_cache(c, t.expected, t.name, out);
		if (ret) {
			verified_release(&t);
			return ret > 0 ? 0 : ret;
		}
		ret = checked_tarball(c, mirror, &t, why);
	}
	if (!ret)
		ret = signed_tarball(c, mirror, &t, out, why);
	verified_release(&t);
	return ret;
}

/* --no-verify: .tar.xz, else .tar.gz, stored under its own hash. */
int mirror_unverified_from(struct fetch_ctx *c, const char *mirror,
			   struct fetched *out, struct strbuf *why)
{
	static const char *const exts[] = { "xz", "gz" };
	struct strbuf first = STRBUF_INIT;
	char actual[SHA256_HEX_LEN + 1];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		char *name = kver_tarball_name(c->v, exts[i]);
		char *url = kver_tarball_url(mirror, c->v, exts[i]);
		char *part = xasprintf("%s/%s.part", c->dl, name);
		char *shown = url_redact(url);

		info("downloading '%s'", shown);
		ret = http_download(c->h, url, part, name, NULL, actual, why);
		if (!ret)
			ret = dlcache_put(c->dl, part, actual, name, NULL, out);
		if (!ret)
			out->url = xstrdup(shown);
		free(name);
		free(url);
		free(shown);
		free(part);
		if (ret != -UKB_ENOTFOUND)
			break;
		if (!first.len)
			strbuf_addstr(&first, why->buf);
	}
	if (ret == -UKB_ENOTFOUND && first.len) {
		/* name the .tar.xz, the one people look for */
		strbuf_reset(why);
		strbuf_addstr(why, first.buf);
	}
	strbuf_release(&first);
	return ret;
}

/*
 * fetch_file()'s order: the plain "<name>.sha256" beside the file, the
 * file hashed while it downloads, then "<name>.asc" over the file itself.
 */
int mirror_item_from(struct fetch_ctx *c, const char *mirror,
		     struct fetched *out, struct strbuf *why)
{
	const char *name = c->item->name;
	size_t mlen = strlen(mirror);
	struct strbuf sums = STRBUF_INIT, sig = STRBUF_INIT;
	char expected[SHA256_HEX_LEN + 1], actual[SHA256_HEX_LEN + 1];
	char *url, *sums_url, *sig_url, *part = NULL, *sig_path = NULL;
	char *sig_name, *signer = NULL, *shown, *sums_shown, *sig_shown;
	int ret;

	while (mlen && mirror[mlen - 1] == '/')
		mlen--;
	url = xasprintf("%.*s/%s%s", (int)mlen, mirror, c->item->dir, name);
	sums_url = xasprintf("%s.sha256", url);
	sig_url = xasprintf("%s.asc", url);
	sig_name = xasprintf("%s.asc", name);
	/* what is printed or recorded carries no credentials */
	shown = url_redact(url);
	sums_shown = url_redact(sums_url);
	sig_shown = url_redact(sig_url);
	ret = http_get(c->h, sums_url, SIGN_MAX, &sums, why);
	if (!ret) {
		ret = sha256sums_lookup(sums_shown, sums.buf, sums.len, name,
					expected, why);
		if (ret == -UKB_ENOTFOUND)
			strbuf_addf(why, "'%s' does not list '%s'", sums_shown,
				    name);
	}
	if (ret)
		goto out;
	ret = from_cache(c, expected, name, out);
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	part = xasprintf("%s/%s.part", c->dl, name);
	info("downloading '%s'", shown);
	ret = http_download(c->h, url, part, name, expected, actual, why);
	if (!ret)
		ret = check_sum(part, name, shown, expected, actual, sums_shown);
	if (!ret)
		ret = http_get(c->h, sig_url, SIGN_MAX, &sig, why);
	if (!ret)
		ret = save_tmp(c, sig_name, &sig, &sig_path);
	if (!ret) {
		ret = sigverify_detached(&c->keys, sig_path, part, name,
					 &signer);
		if (ret == -UKB_ESIGNATURE) {
			unlink(part);  /* a bad download is never kept */
			hint("'%s' was deleted; its signature came from '%s'",
			     name, sig_shown);
		}
	}
	if (!ret)
		ret = dlcache_put(c->dl, part, expected, name, signer, out);
	if (!ret)
		out->url = xstrdup(shown);
out:
	strbuf_release(&sums);
	strbuf_release(&sig);
	free(url);
	free(sums_url);
	free(sig_url);
	free(shown);
	free(sums_shown);
	free(sig_shown);
	free(sig_name);
	free(part);
	free(sig_path);
	free(signer);
	return ret;
}

