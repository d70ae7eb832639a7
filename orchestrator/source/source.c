#include <dirent.h>
#include <errno.h>
#include <signal.h>
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
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/fetch.h"
#include "source/gitsrc.h"
#include "source/source.h"
#include "source/support.h"
#include "source/unpack.h"
#include "base/banned.h"

#define STAMP ".umlkbuild-tree"

int source_check_supported(const struct kver *v, unsigned target)
{
	return support_check(v, target);
}

static int read_version(const char *tree, struct kver *v)
{
	char *mk = path_join(tree, "Makefile");
	struct strbuf sb = STRBUF_INIT;
	int ret = strbuf_read_file(&sb, mk);

	if (!ret && kver_from_makefile(sb.buf, sb.len, v))
		ret = -UKB_ESOURCE;
	if (ret)
		error(-UKB_ESOURCE, "'%s' is not a kernel tree: no version in its Makefile",
		      tree);
	free(mk);
	strbuf_release(&sb);
	return ret ? -UKB_ESOURCE : 0;
}

/* The version recorded for an already unpacked tarball, if any. */
static int cached_version(const char *trees, const char *key, struct kver *v)
{
	char *path = xasprintf("%s/%.32s.version", trees, key);
	struct strbuf sb = STRBUF_INIT;
	int ret = strbuf_read_file(&sb, path);

	if (!ret) {
		strbuf_rtrim(&sb);
		ret = kver_parse(sb.buf, sb.len, v, NULL);
	}
	free(path);
	strbuf_release(&sb);
	return ret;
}

static void remember_version(const char *trees, const char *key,
			     const struct kver *v)
{
	char *path = xasprintf("%s/%.32s.version", trees, key);
	char buf[48], line[64];
	int ret;

	kver_format(v, buf, sizeof(buf));
	snprintf(line, sizeof(line), "%s\n", buf);
	/* only a shortcut for the next run: it reads the Makefile again */
	ret = write_file_atomic(path, line, strlen(line), 0644);
	if (ret)
		warning_errno(ret, "cannot write '%s'", path);
	free(path);
}

/*
 * Remove scratch dirs "<prefix><pid>" left by runs that died (SIGKILL,
 * power loss): their pid is gone. A live run's scratch dir is kept.
 */
void remove_stale_scratch(const char *trees, const char *prefix)
{
	size_t n = strlen(prefix);
	DIR *d = opendir(trees);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end, *path;
		long pid;

		if (strncmp(de->d_name, prefix, n))
			continue;
		pid = strtol(de->d_name + n, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno == EPERM))
			continue;
		path = path_join(trees, de->d_name);
		info("removing '%s', left by an interrupted run", path);
		rmtree(path);
		free(path);
	}
	closedir(d);
}

/* Unpack the tarball into a fresh scratch dir; *top is its kernel tree. */
static int unpack_scratch(struct source *s, const char *trees, char **scratch,
			  char **top)
{
	struct unpack_result res = { 0 };
	int ret;

	*scratch = xasprintf("%s/tmp-%.16s-%ld", trees, s->sha256, (long)getpid());
	*top = NULL;
	rmtree(*scratch);
	tmp_register(*scratch);
	info("unpacking '%s'", s->tarball);
	ret = unpack_archive(s->tarball, *scratch, &res);
	if (ret)
		goto out;
	if (!res.topdir) {
		ret = error(-UKB_ESOURCE,
			    "'%s' does not hold a single top-level directory",
			    s->tarball);
		goto out;
	}
	*top = path_join(*scratch, res.topdir);
	s->modes_masked = (long long)res.adjusted;
out:
	unpack_result_release(&res);
	return ret;
}

static int apply_series(struct source *s, const char *top)
{
	for (size_t i = 0; i < s->patches.nr; i++) {
		int skipped, ret;

		if (sigchain_pending())
			return -UKB_EINTR;
		ret = patch_apply(&s->patches.p[i], top, &s->version, &skipped);
		if (ret)
			return ret;
		if (skipped)
			strvec_push(&s->patches_skipped, s->patches.p[i].name);
		else
			debug("applied %s", s->patches.p[i].name);
	}
	return 0;
}

static int select_patches(const struct source_spec *spec, struct source *s)
{
	struct patch_series all = { 0 };
	char *dir = ukb_data_path("patches");
	int ret = patch_series_load(dir, &all);

	free(dir);
	if (ret)
		return ukb_classify(ret, -UKB_EHOST);
	patch_series_select(&all, &s->version, spec->arch, &s->patches);
	patch_series_release(&all);
	return 0;
}

static void tree_key(struct source *s, const char *base_key, const char *trees)
{
	char series[SHA256_HEX_LEN + 1];
	char *key;

	patch_series_key(&s->patches, series);
	key = xasprintf("%s%s", base_key, series);
	sha256_buf(key, strlen(key), s->tree_key);
	free(key);
	s->tree = xasprintf("%s/%.16s-%.16s", trees, base_key, series);
}

/*
 * The stamp of a finished tree: STAMP_HEAD, then the patches the tree
 * already had, one name a line, so that a build on the cached tree
 * records them as a fresh one does.
 */
#define STAMP_HEAD "umlkbuild tree 2\n"

/* The patches of s->patches that LIST (a stamp's lines) names. */
static void stamp_skipped(struct source *s, const char *list)
{
	while (*list) {
		size_t n = strcspn(list, "\n");

		for (size_t i = 0; i < s->patches.nr; i++) {
			const char *name = s->patches.p[i].name;

			if (strlen(name) == n && !strncmp(name, list, n))
				strvec_push(&s->patches_skipped, name);
		}
		list += n + (list[n] == '\n');
	}
}

/*
 * Whether s->tree is finished; if so, its skipped patches go to
 * s->patches_skipped. A stamp without STAMP_HEAD (an older umlkbuild's,
 * which did not name them) counts as unfinished: the tree is made again.
 */
static int tree_ready(struct source *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *stamp = path_join(s->tree, STAMP);
	const size_t head = strlen(STAMP_HEAD);
	int ready = !strbuf_read_file(&sb, stamp) && sb.len >= head &&
		    !memcmp(sb.buf, STAMP_HEAD, head);

	if (ready)
		stamp_skipped(s, sb.buf + head);
	free(stamp);
	strbuf_release(&sb);
	return ready;
}

/* Patch top, stamp it and move it to s->tree. */
static int finish_tree(struct source *s, const char *top)
{
	struct strbuf text = STRBUF_INIT;
	char *stamp;
	int ret;

	if (s->patches.nr)
		info("applying %zu patch%s", s->patches.nr,
		     s->patches.nr == 1 ? "" : "es");
	ret = apply_series(s, top);
	if (ret)
		return ret;
	strbuf_addstr(&text, STAMP_HEAD);
	for (size_t i = 0; i < s->patches_skipped.nr; i++)
		strbuf_addf(&text, "%s\n", s->patches_skipped.v[i]);
	stamp = path_join(top, STAMP);
	ret = write_file_atomic(stamp, text.buf, text.len, 0644);
	free(stamp);
	strbuf_release(&text);
	if (!ret && rename(top, s->tree) < 0)
		ret = error_errno(0, "cannot move the tree to '%s'", s->tree);
	return ret;
}

static int prepare_tarball(const struct source_spec *spec, struct source *s)
{
	struct cache_lock lk = { .fd = -1 };
	char *trees = NULL, *scratch = NULL, *top = NULL, *lockname = NULL;
	struct stat st;
	int ret, have_version;

	if (stat(s->tarball, &st) < 0) {
		error_errno(0, "cannot read '%s'", s->tarball);
		return -UKB_ESOURCE;
	}
	if (!S_ISREG(st.st_mode))
		return error(-UKB_ESOURCE, "'%s' is not a regular file",
			     s->tarball);
	s->timestamp = (long long)st.st_mtime;
	/* a fetched tarball was hashed while it downloaded */
	ret = s->sha256[0] ? 0 : sha256_file(s->tarball, s->sha256);
	if (ret) {
		error_errno(ret, "cannot read '%s'", s->tarball);
		return -UKB_ESOURCE;
	}
	trees = cache_dir("trees");
	if (!trees)
		return -UKB_EHOST;
	lockname = xasprintf("tree-%.16s", s->sha256);
	ret = cache_lock(lockname, &lk);
	if (ret)
		goto out;

	{
		char *prefix = xasprintf("tmp-%.16s-", s->sha256);

		remove_stale_scratch(trees, prefix);
		free(prefix);
	}
	have_version = !cached_version(trees, s->sha256, &s->version);
	if (!have_version) {
		ret = unpack_scratch(s, trees, &scratch, &top);
		if (ret)
			goto out;
		ret = read_version(top, &s->version);
		if (ret)
			goto out;
		remember_version(trees, s->sha256, &s->version);
	}
	ret = source_check_supported(&s->version, spec->arch | spec->link);
	if (ret)
		goto out;
	ret = select_patches(spec, s);
	if (ret)
		goto out;
	tree_key(s, s->sha256, trees);
	if (tree_ready(s)) {
		debug("using the cached tree '%s'", s->tree);
		s->modes_masked = -1; /* an unpack for the version only */
		goto out;
	}
	/* a tree without its stamp is a leftover of a killed run (or of an
	 * older umlkbuild: see tree_ready) */
	rmtree(s->tree);
	if (!top) {
		ret = unpack_scratch(s, trees, &scratch, &top);
		if (ret)
			goto out;
	}
	ret = finish_tree(s, top);
out:
	if (scratch) {
		rmtree(scratch);
		tmp_forget(scratch);
	}
	cache_unlock(&lk);
	free(lockname);
	free(scratch);
	free(top);
	free(trees);
	return ret;
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int prepare_release(const struct source_spec *spec, struct source *s)
{
	struct fetch_opts fo = {
		.mirrors = spec->mirrors, .nr_mirrors = count(spec->mirrors),
		.keyrings = spec->keyrings, .nr_keyrings = count(spec->keyrings),
		.no_verify = spec->no_verify, .offline = spec->offline,
	};
	struct fetched f = { 0 };
	struct kver want;
	int ret;

	if (kver_parse(spec->version, strlen(spec->version), &want, NULL))
		return error(-UKB_EUSAGE, "invalid kernel version '%s'",
			     spec->version);
	ret = fetch_tarball(&want, &fo, &f);
	if (ret) {
		fetched_release(&f);
		return ret;
	}
	s->kind = "kernel.org";
	s->tarball = xstrdup(f.path);
	s->url = f.url ? xstrdup(f.url) : NULL;
	s->verified = f.verified;
	s->from_cache = f.from_cache;
	s->signer = f.signer ? xstrdup(f.signer) : NULL;
	memcpy(s->sha256, f.sha256, sizeof(s->sha256));
	fetched_release(&f);
	ret = prepare_tarball(spec, s);
	if (!ret && kver_cmp(&want, &s->version)) {
		char got[48];

		kver_format(&s->version, got, sizeof(got));
		ret = error(-UKB_ESOURCE,
			    "the tarball of %s holds a %s tree", spec->version, got);
	}
	return ret;
}

static int prepare_git(const struct source_spec *spec, struct source *s)
{
	struct cache_lock lk = { .fd = -1 };
	struct git_export ge = { 0 };
	char *trees = cache_dir("trees"), *scratch = NULL, *lockname = NULL;
	int ret;

	if (!trees)
		return -UKB_EHOST;
	s->kind = "git";
	/* recorded in metadata.json: never the credentials */
	s->url = url_redact(spec->git_url);
	remove_stale_scratch(trees, "tmp-git-");
	scratch = xasprintf("%s/tmp-git-%ld", trees, (long)getpid());
	rmtree(scratch);
	tmp_register(scratch);
	info("exporting '%s' from '%s'", spec->git_ref, s->url);
	ret = gitsrc_export(spec->git_url, spec->git_ref, scratch, &ge);
	if (ret)
		goto out;
	memcpy(s->commit, ge.commit, sizeof(s->commit));
	s->timestamp = ge.commit_time;
	ret = read_version(scratch, &s->version);
	if (!ret)
		ret = source_check_supported(&s->version,
					     spec->arch | spec->link);
	if (!ret)
		ret = select_patches(spec, s);
	if (ret)
		goto out;
	tree_key(s, s->commit, trees);
	lockname = xasprintf("tree-%.16s", s->commit);
	ret = cache_lock(lockname, &lk);
	if (ret)
		goto out;
	if (tree_ready(s)) {
		debug("using the cached tree '%s'", s->tree);
		goto out;
	}
	rmtree(s->tree);
	ret = finish_tree(s, scratch);
out:
	rmtree(scratch);
	tmp_forget(scratch);
	cache_unlock(&lk);
	git_export_release(&ge);
	free(lockname);
	free(scratch);
	free(trees);
	return ret;
}

int source_prepare(const struct source_spec *spec, struct source *s)
{
	memset(s, 0, sizeof(*s));
	s->modes_masked = -1;
	if (spec->tarball) {
		s->kind = "tarball";
		s->tarball = path_absolute(spec->tarball);
		return prepare_tarball(spec, s);
	}
	if (spec->version)
		return prepare_release(spec, s);
	if (spec->git_url)
		return prepare_git(spec, s);
	return error(-UKB_EUSAGE, "no kernel source given");
}

void source_release(struct source *s)
{
	free(s->tarball);
	free(s->url);
	free(s->signer);
	free(s->tree);
	patch_series_release(&s->patches);
	strvec_clear(&s->patches_skipped);
	memset(s, 0, sizeof(*s));
}
