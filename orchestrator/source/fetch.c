/*
 * The kernel.org protocol (and the publishers' one of fetch_file()): which
 * files to ask each mirror for, in which order, what to verify, what the
 * cache keeps. See fetch.h; the transfers are http.c's.
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
#include "source/fetch.h"
#include "source/http.h"
#include "source/mirror.h"
#include "source/sigverify.h"
#include "base/banned.h"

/* ---- The whole fetch -------------------------------------------------- */

/* The .tar.xz or .tar.gz of the release through by-name/: 1, 0 or error. */
static int cache_lookup_any(struct fetch_ctx *c, int need_verified,
			    struct fetched *out)
{
	char *name;
	int ret = 0;

	for (size_t i = 0; !ret && (name = mirror_file_name(c, i)); i++) {
		ret = dlcache_get_by_name(c->dl, name, need_verified, out,
					  &c->saw_unverified);
		free(name);
	}
	return ret;
}

/* Whether by-name/ knows the release at all (for a hint only). */
static int in_cache(struct fetch_ctx *c)
{
	char *name;
	int found = 0;

	for (size_t i = 0; !found && (name = mirror_file_name(c, i)); i++) {
		char *link = xasprintf("%s/by-name/%s", c->dl, name);
		struct stat st;

		found = !lstat(link, &st);
		free(link);
		free(name);
	}
	return found;
}

static int fetch_offline(struct fetch_ctx *c, struct fetched *out)
{
	char *name;
	int ret = cache_lookup_any(c, !c->o->no_verify, out);

	if (ret)
		return ret < 0 ? ret : 0;
	name = mirror_file_name(c, 0);
	ret = error(-UKB_ENOTFOUND, "'%s' is not in the cache '%s' and "
		    "--offline forbids downloading it", name, c->dl);
	free(name);
	if (c->saw_unverified)
		hint("the cache holds it from a --no-verify download only: run "
		     "once online to check it, or add --no-verify");
	else
		hint("run once without --offline to fill the cache");
	return ret;
}

static int default_keyrings(const struct fetch_ctx *c, struct strvec *files)
{
	char *dir = ukb_data_path(c->item ? c->item->keydir : "keys");
	char *pattern;
	glob_t g;
	int ret = 0;

	pattern = xasprintf("%s/*.asc", dir);
	if (!glob(pattern, 0, NULL, &g)) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			strvec_push(files, g.gl_pathv[i]);
		globfree(&g);
	}
	if (!files->nr) {
		ret = error(-UKB_EUSAGE, "no trusted keys in '%s'", dir);
		hint("pass the release signers' keys with --keyring FILE");
	}
	free(pattern);
	free(dir);
	return ret;
}

static int make_scratch(struct fetch_ctx *c)
{
	c->tmp = xasprintf("%s/tmp-XXXXXX", c->dl);
	if (!mkdtemp(c->tmp)) {
		int ret = error_errno(0, "cannot create '%s'", c->tmp);

		free(c->tmp);
		c->tmp = NULL;
		return ret;
	}
	tmp_register(c->tmp);
	return 0;
}

static int fetch_online(struct fetch_ctx *c, const char *const *mirrors,
			size_t nr, struct fetched *out)
{
	struct strvec keyfiles = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (!c->o->no_verify) {
		if (c->o->nr_keyrings)
			for (size_t i = 0; i < c->o->nr_keyrings; i++)
				strvec_push(&keyfiles, c->o->keyrings[i]);
		else
			ret = default_keyrings(c, &keyfiles);
		if (!ret)
			ret = sigverify_keys_load(&c->keys, keyfiles.v,
						  keyfiles.nr);
	}
	if (!ret)
		ret = make_scratch(c);
	if (ret)
		goto out;
	/* fetch_file() names its publisher in a 404 */
	c->h = http_new(c->item ? "the mirror" : NULL);
	if (!c->h) {
		ret = error(-ENOMEM, "cannot start libcurl");
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&why);
		if (c->item)
			ret = mirror_item_from(c, mirrors[i], out, &why);
		else if (c->o->no_verify)
			ret = mirror_unverified_from(c, mirrors[i], out, &why);
		else
			ret = mirror_verified_from(c, mirrors[i], out, &why);
		if (!ret || !why.len)
			break;  /* done, or a failure already reported */
		if (i + 1 < nr) {
			char *next = url_redact(mirrors[i + 1]);

			warning("%s", why.buf);
			info("trying the next mirror, '%s'", next);
			free(next);
			continue;
		}
		error(ret, "%s", why.buf);
		if (ret == -UKB_ENETWORK && in_cache(c))
			hint("the cache holds a copy: --offline uses it "
			     "without the network");
	}
out:
	strvec_clear(&keyfiles);
	strbuf_release(&why);
	return ret;
}

/* Mirrors checked, under the cache lock lockname: cache, then network. */
static int fetch_run(struct fetch_ctx *c, const char *const *mirrors,
		     size_t nr, const char *lockname, const char *label,
		     struct fetched *out)
{
	struct cache_lock lk = { .fd = -1 };
	const struct fetch_opts *o = c->o;
	int ret;

	for (size_t i = 0; !o->offline && i < nr; i++) {
		const char *why = fetch_url_refused(mirrors[i]);

		if (why) {
			char *shown = url_redact(mirrors[i]);

			ret = error(-UKB_EUSAGE, "refusing mirror '%s': %s",
				    shown, why);
			free(shown);
			return ret;
		}
	}
	c->dl = cache_dir("downloads");
	if (!c->dl)
		return -UKB_EHOST;
	/* one run per release at a time: the other waits, then finds it */
	ret = cache_lock(lockname, &lk);
	if (ret)
		goto out;
	if (o->no_verify)
		warning("--no-verify: '%s' is used without checking its "
			"checksum or signature", label);
	if (o->offline) {
		ret = fetch_offline(c, out);
	} else {
		ret = o->no_verify ? cache_lookup_any(c, 0, out) : 0;
		if (!ret)
			ret = fetch_online(c, mirrors, nr, out);
		else if (ret > 0)
			ret = 0;
	}
out:
	http_free(c->h);
	if (c->tmp) {
		rmtree(c->tmp);
		tmp_forget(c->tmp);
		free(c->tmp);
	}
	sigverify_keys_release(&c->keys);
	cache_unlock(&lk);
	free(c->dl);
	if (ret)
		fetched_release(out);
	return ret;
}

int fetch_tarball(const struct kver *v, const struct fetch_opts *o,
		  struct fetched *out)
{
	static const char *const defaults[] = { FETCH_DEFAULT_MIRROR };
	struct fetch_ctx c = { .v = v, .o = o };
	const char *const *mirrors = o->nr_mirrors ? o->mirrors : defaults;
	size_t nr = o->nr_mirrors ? o->nr_mirrors : 1;
	char ver[48], *lockname, *label;
	int ret;

	memset(out, 0, sizeof(*out));
	kver_format(v, ver, sizeof(ver));
	if (v->rc) {
		ret = error(-UKB_EUSAGE, "kernel.org publishes no tarballs of "
			    "-rc releases such as '%s'", ver);
		hint("build it from git with --git URL --ref v%s", ver);
		return ret;
	}
	lockname = xasprintf("download-linux-%s", ver);
	label = xasprintf("linux-%s", ver);
	ret = fetch_run(&c, mirrors, nr, lockname, label, out);
	free(lockname);
	free(label);
	return ret;
}

int fetch_file(const struct fetch_item *it, const struct fetch_opts *o,
	       struct fetched *out)
{
	const char *const defaults[] = { it->default_mirror };
	struct fetch_opts fo = *o;
	struct fetch_ctx c = { .item = it, .o = &fo };
	const char *const *mirrors = o->nr_mirrors ? o->mirrors : defaults;
	size_t nr = o->nr_mirrors ? o->nr_mirrors : 1;
	char *lockname;
	int ret;

	memset(out, 0, sizeof(*out));
	fo.no_verify = 0;
	lockname = xasprintf("download-%s", it->name);
	ret = fetch_run(&c, mirrors, nr, lockname, it->name, out);
	free(lockname);
	return ret;
}

void fetched_release(struct fetched *f)
{
	free(f->path);
	free(f->url);
	free(f->signer);
	memset(f, 0, sizeof(*f));
}
