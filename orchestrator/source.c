#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "errors.h"
#include "fsutil.h"
#include "log.h"
#include "paths.h"
#include "sigchain.h"
#include "source.h"
#include "strbuf.h"
#include "unpack.h"
#include "wrapper.h"
#include "banned.h"

#define STAMP ".umlkbuild-tree"

int source_check_supported(const struct kver *v)
{
	static const struct kver first = { 4, 9, 0, 0 };
	char buf[48];

	kver_format(v, buf, sizeof(buf));
	if (kver_cmp(v, &first) < 0) {
		error(-UKB_EUNSUPPORTED,
		      "linux %s predates TCP BBR, which arrived in 4.9", buf);
		hint("build 4.9 or later");
		return -UKB_EUNSUPPORTED;
	}
	return 0;
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

	kver_format(v, buf, sizeof(buf));
	snprintf(line, sizeof(line), "%s\n", buf);
	write_file_atomic(path, line, strlen(line), 0644);
	free(path);
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
		return ret;
	patch_series_select(&all, &s->version, spec->arch, &s->patches);
	patch_series_release(&all);
	return 0;
}

static int prepare_tarball(const struct source_spec *spec, struct source *s)
{
	struct cache_lock lk = { .fd = -1 };
	char *trees = NULL, *scratch = NULL, *top = NULL, *lockname = NULL;
	char series[SHA256_HEX_LEN + 1];
	struct stat st;
	int ret, have_version;

	if (stat(s->tarball, &st) < 0) {
		ret = -errno;
		error(-UKB_ESOURCE, "cannot read '%s': %s", s->tarball,
		      strerror(-ret));
		return -UKB_ESOURCE;
	}
	if (!S_ISREG(st.st_mode))
		return error(-UKB_ESOURCE, "'%s' is not a regular file",
			     s->tarball);
	s->timestamp = (long long)st.st_mtime;
	ret = sha256_file(s->tarball, s->sha256);
	if (ret)
		return error(-UKB_ESOURCE, "cannot read '%s': %s", s->tarball,
			     strerror(-ret));
	trees = cache_dir("trees");
	if (!trees)
		return -UKB_EHOST;
	lockname = xasprintf("tree-%.16s", s->sha256);
	ret = cache_lock(lockname, &lk);
	if (ret)
		goto out;

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
	ret = source_check_supported(&s->version);
	if (ret)
		goto out;
	ret = select_patches(spec, s);
	if (ret)
		goto out;
	patch_series_key(&s->patches, series);
	{
		char *key = xasprintf("%s%s", s->sha256, series);

		sha256_buf(key, strlen(key), s->tree_key);
		free(key);
	}
	s->tree = xasprintf("%s/%.16s-%.16s", trees, s->sha256, series);
	{
		char *stamp = path_join(s->tree, STAMP);
		int ready = path_exists(stamp);

		free(stamp);
		if (ready) {
			debug("using the cached tree '%s'", s->tree);
			goto out;
		}
	}
	/* a tree without its stamp is a leftover of a killed run */
	rmtree(s->tree);
	if (!top) {
		ret = unpack_scratch(s, trees, &scratch, &top);
		if (ret)
			goto out;
	}
	if (s->patches.nr)
		info("applying %zu patch%s", s->patches.nr,
		     s->patches.nr == 1 ? "" : "es");
	ret = apply_series(s, top);
	if (ret)
		goto out;
	{
		char *stamp = path_join(top, STAMP);

		ret = write_file_atomic(stamp, "", 0, 0644);
		free(stamp);
	}
	if (!ret && rename(top, s->tree) < 0)
		ret = error(-errno, "cannot move the tree to '%s': %s",
			    s->tree, strerror(errno));
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

int source_prepare(const struct source_spec *spec, struct source *s)
{
	memset(s, 0, sizeof(*s));
	if (spec->tarball) {
		s->kind = "tarball";
		s->tarball = path_absolute(spec->tarball);
		return prepare_tarball(spec, s);
	}
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
