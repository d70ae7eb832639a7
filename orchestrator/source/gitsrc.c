#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "source/fetch.h"
#include "source/gitsrc.h"
#include "base/banned.h"

struct fetch_progress {
	struct progress *p;
	unsigned received, total;
	size_t bytes;
};

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static int is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return !s[n] && n >= min && n <= max;
}

static int on_transfer(const git_indexer_progress *st, void *payload)
{
	struct fetch_progress *fp = payload;

	if (sigchain_pending())
		return -1;
	if (!fp->p && st->total_objects)
		fp->p = progress_start("receiving objects", st->total_objects,
				       0);
	if (fp->p)
		progress_update(fp->p, st->received_objects);
	fp->received = st->received_objects;
	fp->total = st->total_objects;
	fp->bytes = st->received_bytes;
	return 0;
}

static void on_checkout(const char *path, size_t done, size_t total,
			void *payload)
{
	struct progress **p = payload;

	(void)path;
	if (!*p && total)
		*p = progress_start("writing files", total, 0);
	if (*p)
		progress_update(*p, done);
}

/* Open the mirror at path, or create it (and say so through created). */
static int open_mirror(const char *path, const char *shown,
		       git_repository **repo, int *created)
{
	git_config *cfg = NULL;
	int ret;

	*created = 0;
	if (is_dir(path)) {
		if (git_repository_open_bare(repo, path) < 0)
			return error(-UKB_ESOURCE, "cannot open the git mirror "
				     "'%s': %s", path, git_msg());
		return 0;
	}
	if (git_repository_init(repo, path, 1) < 0)
		return error(-EIO, "cannot create the git mirror '%s': %s",
			     path, git_msg());
	*created = 1;
	/* the export must not depend on the user's ~/.gitconfig */
	ret = git_repository_config(&cfg, *repo);
	if (!ret)
		ret = git_config_set_bool(cfg, "core.autocrlf", 0);
	if (!ret)
		ret = git_config_set_string(cfg, "umlkbuild.url", shown);
	git_config_free(cfg);
	if (ret < 0)
		return error(-EIO, "cannot configure the git mirror '%s': %s",
			     path, git_msg());
	return 0;
}

static int fetch_mirror(git_repository *repo, const char *url,
			const char *shown)
{
	static char heads[] = "+refs/heads/*:refs/heads/*";
	static char tags[] = "+refs/tags/*:refs/tags/*";
	char *specs[] = { heads, tags };
	git_strarray refspecs = { specs, 2 };
	git_fetch_options fo;
	git_remote_create_options ropts;
	struct fetch_progress fp = { 0 };
	git_remote *remote = NULL;
	int ret;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	git_remote_create_options_init(&ropts,
				       GIT_REMOTE_CREATE_OPTIONS_VERSION);
	fo.callbacks.transfer_progress = on_transfer;
	fo.callbacks.payload = &fp;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	info("fetching '%s'", shown);
	/*
	 * The URL as given, not rewritten by url.*.insteadOf: the one the
	 * transport policy judged (and libgit2 1.5 leaks in that lookup).
	 */
	ropts.repository = repo;
	ropts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
		      GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	ret = git_remote_create_with_opts(&remote, url, &ropts);
	if (!ret)
		ret = git_remote_fetch(remote, &refspecs, &fo, NULL);
	progress_stop(&fp.p);
	if (ret == GIT_EUSER || (ret < 0 && sigchain_pending())) {
		ret = -UKB_EINTR;
	} else if (ret < 0 && !strstr(url, "://") && !path_exists(url)) {
		ret = error(-UKB_ENOTFOUND, "no git repository at '%s'", shown);
	} else if (ret < 0) {
		ret = error(-UKB_ENETWORK, "cannot fetch from '%s': %s", shown,
			    git_msg());
	} else {
		debug("received %u of %u objects (%zu bytes) from '%s'",
		      fp.received, fp.total, fp.bytes, shown);
	}
	git_remote_free(remote);
	return ret;
}

/* Look ref up in the mirror without fetching: a commit or NULL. */
static git_commit *resolve(git_repository *repo, const char *ref,
			   int *immutable)
{
	static const char *const prefixes[] = { "refs/tags/", "refs/heads/",
						"" };
	git_object *obj = NULL;
	git_commit *commit = NULL;
	git_oid oid;

	*immutable = 0;
	for (size_t i = 0; !obj && i < ARRAY_SIZE(prefixes); i++) {
		git_reference *r = NULL;
		char *name;

		if (i == 2 && strncmp(ref, "refs/", 5))
			break;
		name = xasprintf("%s%s", prefixes[i], ref);
		if (!git_reference_lookup(&r, repo, name) &&
		    !git_reference_peel(&obj, r, GIT_OBJECT_COMMIT))
			*immutable = i == 0 || !strncmp(name, "refs/tags/", 10);
		git_reference_free(r);
		free(name);
	}
	if (!obj && is_hex(ref, GIT_OID_HEXSZ, GIT_OID_HEXSZ) &&
	    !git_oid_fromstr(&oid, ref)) {
		git_object *o = NULL;

		if (!git_object_lookup(&o, repo, &oid, GIT_OBJECT_ANY) &&
		    !git_object_peel(&obj, o, GIT_OBJECT_COMMIT))
			*immutable = 1;
		git_object_free(o);
	} else if (!obj && is_hex(ref, 7, GIT_OID_HEXSZ - 1)) {
		git_object *o = NULL;

		if (!git_revparse_single(&o, repo, ref) &&
		    !git_object_peel(&obj, o, GIT_OBJECT_COMMIT))
			*immutable = 1;
		git_object_free(o);
	}
	if (obj)
		commit = (git_commit *)obj;
	git_error_clear();
	return commit;
}

static int export_tree(git_repository *repo, git_commit *commit,
		       const char *dest)
{
	git_checkout_options co;
	struct progress *p = NULL;
	int ret;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	/* the tree as committed: no eol or ident conversion */
	co.disable_filters = 1;
	co.checkout_strategy = GIT_CHECKOUT_FORCE |
			       GIT_CHECKOUT_RECREATE_MISSING |
			       GIT_CHECKOUT_DONT_UPDATE_INDEX;
	co.target_directory = dest;
	co.progress_cb = on_checkout;
	co.progress_payload = &p;
	ret = git_checkout_tree(repo, (const git_object *)commit, &co);
	progress_stop(&p);
	if (ret < 0)
		return error(-EIO, "cannot write the tree of %s into '%s': %s",
			     git_oid_tostr_s(git_commit_id(commit)), dest,
			     git_msg());
	return sigchain_pending() ? -UKB_EINTR : 0;
}

static int make_dest(const char *dest)
{
	char *parent = xstrdup(dest), *slash = strrchr(parent, '/');
	int ret = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		ret = mkdir_p(parent, 0755);
	}
	if (!ret && mkdir(dest, 0755) < 0)
		ret = -errno;
	if (ret == -EEXIST)
		error(ret, "'%s' already exists", dest);
	else if (ret)
		error_errno(ret, "cannot create '%s'", dest);
	free(parent);
	return ret;
}

/* Long on purpose: lock, clone or open, export, record, every libgit2 handle released at one label. */
int gitsrc_export(const char *url, const char *ref, const char *dest,
		  struct git_export *out)
{
	struct cache_lock lk = { .fd = -1 };
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	char key[SHA256_HEX_LEN + 1], *dir = NULL, *path = NULL;
	char *lockname = NULL, *shown;
	const char *why = fetch_git_url_refused(url);
	int ret, created = 0, immutable = 0, dest_made = 0;

	memset(out, 0, sizeof(*out));
	shown = url_redact(url);
	if (why) {
		ret = error(-UKB_EUSAGE, "refusing git remote '%s': %s", shown,
			    why);
		free(shown);
		return ret;
	}
	sha256_buf(url, strlen(url), key);
	dir = cache_dir("git");
	if (!dir) {
		free(shown);
		return -UKB_EHOST;
	}
	path = xasprintf("%s/%s.git", dir, key);
	lockname = xasprintf("git-%s", key);
	ret = cache_lock(lockname, &lk);
	if (ret)
		goto out;
	ret = open_mirror(path, shown, &repo, &created);
	if (ret)
		goto out;
	if (!created)
		commit = resolve(repo, ref, &immutable);
	/* tags and commit ids do not move: no need to ask the remote */
	if (!commit || !immutable) {
		git_commit_free(commit);
		commit = NULL;
		ret = fetch_mirror(repo, url, shown);
		if (ret)
			goto out;
		commit = resolve(repo, ref, &immutable);
	} else {
		debug("'%s' is in the mirror '%s' already", ref, path);
	}
	if (!commit) {
		ret = error(-UKB_ENOTFOUND, "no tag, branch or commit '%s' in "
			    "'%s'", ref, shown);
		goto out;
	}
	git_oid_tostr(out->commit, sizeof(out->commit), git_commit_id(commit));
	out->commit_time = (long long)git_commit_time(commit);
	out->tree_dir = path_absolute(dest);

	ret = make_dest(out->tree_dir);
	if (ret)
		goto out;
	dest_made = 1;
	tmp_register(out->tree_dir);
	info("exporting %s (%s) into '%s'", ref, out->commit, out->tree_dir);
	ret = export_tree(repo, commit, out->tree_dir);
out:
	if (dest_made) {
		if (ret)
			rmtree(out->tree_dir);
		tmp_forget(out->tree_dir);
	}
	git_commit_free(commit);
	git_repository_free(repo);
	/* an empty mirror from a failed first fetch is no use to anyone */
	if (ret && created)
		rmtree(path);
	cache_unlock(&lk);
	free(lockname);
	free(shown);
	free(path);
	free(dir);
	if (ret)
		git_export_release(out);
	return ret;
}

void git_export_release(struct git_export *out)
{
	free(out->tree_dir);
	memset(out, 0, sizeof(*out));
}

void gitsrc_global_init(void)
{
	git_libgit2_init();
}

void gitsrc_global_cleanup(void)
{
	git_libgit2_shutdown();
}
