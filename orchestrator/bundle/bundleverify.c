/* `umlkbuild bundle --verify`: see bundle.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "bundle/bundle.h"
#include "bundle/bundlear.h"
#include "base/banned.h"

/* SHA256SUMS and metadata.json are small; a bigger one is not ours. */
#define KEEP_MAX ((size_t)4 << 20)

int bundle_parse_sums(const char *buf, size_t len, struct strvec *pairs,
		      const char **why, size_t *line)
{
	const char *p = buf, *end = buf + len;

	*line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		++*line;
		if (!nl) {
			*why = "the last line has no newline";
			return -EINVAL;
		}
		n = (size_t)(nl - p);
		if (n < SHA256_HEX_LEN + 3 || !sha256_is_hex(p, SHA256_HEX_LEN) ||
		    p[SHA256_HEX_LEN] != ' ' || p[SHA256_HEX_LEN + 1] != ' ') {
			*why = "not '<sha256>  <name>'";
			return -EINVAL;
		}
		for (const char *c = p + SHA256_HEX_LEN + 2; c < nl; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/') {
				*why = "a name with '/' or a control character";
				return -EINVAL;
			}
		{
			char *name = xstrndup(p + SHA256_HEX_LEN + 2,
					      n - SHA256_HEX_LEN - 2);
			char *hex = xstrndup(p, SHA256_HEX_LEN);

			for (size_t i = 0; i < pairs->nr; i += 2)
				if (!strcmp(pairs->v[i], name)) {
					free(name);
					free(hex);
					*why = "a name listed twice";
					return -EINVAL;
				}
			strvec_push(pairs, name);
			strvec_push(pairs, hex);
			free(name);
			free(hex);
		}
		p = nl + 1;
	}
	return 0;
}

static int is_member(const char *name)
{
	for (size_t i = 0; bundle_members[i]; i++)
		if (!strcmp(bundle_members[i], name))
			return 1;
	return 0;
}

/* One top directory; every other entry a known regular file in it. */
static int check_set(const char *path, const struct bar_members *ms,
		     const char **top_out, size_t *top_len)
{
	const char *top = NULL;
	size_t tl = 0;

	if (!ms->nr)
		return error(-UKB_EARTIFACT, "'%s' is not a bundle: the archive is empty", path);
	for (size_t i = 0; i < ms->nr; i++) {
		const struct bar_member *m = &ms->m[i];
		const char *slash = strchr(m->name, '/');
		size_t l = slash ? (size_t)(slash - m->name) : strlen(m->name);

		if (!top) {
			top = m->name;
			tl = l;
		}
		if (!slash || l != tl || strncmp(m->name, top, tl) || !l ||
		    strchr(slash + 1, '/'))
			return error(-UKB_EARTIFACT, "'%s' has a member outside one top directory: '%s'",
				     path, m->name);
		if (!slash[1]) {
			if (m->type != BAR_DIR)
				return error(-UKB_EARTIFACT, "'%s': '%s' is not a directory", path, m->name);
			continue;
		}
		if (!is_member(slash + 1))
			return error(-UKB_EARTIFACT, "'%s' has a member no bundle has: '%s'",
				     path, m->name);
		if (m->type != BAR_FILE)
			return error(-UKB_EARTIFACT, "'%s': member '%s' is not a regular file",
				     path, m->name);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(ms->m[k].name, m->name))
				return error(-UKB_EARTIFACT, "'%s' has the member '%s' twice",
					     path, m->name);
	}
	*top_out = top;
	*top_len = tl;
	return 0;
}

static const struct bar_member *member(const struct bar_members *ms,
				       const char *top, size_t tl,
				       const char *name)
{
	char *full = xasprintf("%.*s/%s", (int)tl, top, name);
	const struct bar_member *m = bar_find(ms, full);

	free(full);
	return m;
}

static int check_sums(const char *path, const struct bar_members *ms,
		      const char *top, size_t tl)
{
	const struct bar_member *s = member(ms, top, tl, "SHA256SUMS");
	struct strvec pairs = STRVEC_INIT;
	const char *why;
	size_t line;
	int ret = 0;

	if (bundle_parse_sums(s->data.buf, s->data.len, &pairs, &why, &line)) {
		ret = error(-UKB_EARTIFACT, "'%s': SHA256SUMS line %zu: %s", path,
			    line, why);
		goto out;
	}
	for (size_t i = 0; !ret && bundle_members[i]; i++) {
		const char *n = bundle_members[i];
		const struct bar_member *m = member(ms, top, tl, n);
		size_t k;

		if (!strcmp(n, "SHA256SUMS"))
			continue;
		for (k = 0; k < pairs.nr && strcmp(pairs.v[k], n); k += 2)
			;
		if (k >= pairs.nr)
			ret = error(-UKB_EARTIFACT, "'%s': SHA256SUMS does not list '%s'", path, n);
		else if (strcmp(pairs.v[k + 1], m->sha256))
			ret = error(-UKB_EARTIFACT, "'%s': member '%s' does not match SHA256SUMS: expected sha256 %s, got %s",
				    path, n, pairs.v[k + 1], m->sha256);
	}
	if (!ret && pairs.nr != 10)
		ret = error(-UKB_EARTIFACT, "'%s': SHA256SUMS lists a file the bundle does not have",
			    path);
out:
	strvec_clear(&pairs);
	return ret;
}

/* metadata.json's own record of the members, and both halves'. */
static int check_meta(const char *path, const struct bar_members *ms,
		      const char *top, size_t tl, struct manifest **out)
{
	const struct bar_member *mj = member(ms, top, tl, "metadata.json");
	struct manifest *m = manifest_loadb(mj->data.buf, mj->data.len, "metadata.json");
	static const char *const own[][2] = {
		{ "vmlinux", "kernel.vmlinux.sha256" },
		{ "rootfs.img", "rootfs.image.sha256" },
	};
	size_t n;

	if (!m)
		return -UKB_EARTIFACT;
	*out = m;
	if (manifest_get_int(m, "bundle.format", 0) != 1)
		return error(-UKB_EARTIFACT, "'%s': metadata.json is not a bundle's (bundle.format is not 1)",
			     path);
	n = manifest_array_size(m, "bundle.members");
	for (size_t i = 0; bundle_members[i]; i++) {
		const char *name = bundle_members[i], *sha = NULL;

		if (!strcmp(name, "SHA256SUMS") || !strcmp(name, "metadata.json"))
			continue;
		for (size_t k = 0; k < n && !sha; k++) {
			const char *mn = manifest_array_str(m, "bundle.members", k, "name");

			if (mn && !strcmp(mn, name))
				sha = manifest_array_str(m, "bundle.members", k, "sha256");
		}
		if (!sha || strcmp(sha, member(ms, top, tl, name)->sha256))
			return error(-UKB_EARTIFACT, "'%s': metadata.json's bundle.members says %s of '%s', the member is %s",
				     path, sha ? sha : "nothing", name,
				     member(ms, top, tl, name)->sha256);
	}
	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		const char *sha = manifest_get_str(m, own[i][1]);

		if (!sha || strcmp(sha, member(ms, top, tl, own[i][0])->sha256))
			return error(-UKB_EARTIFACT, "'%s': metadata.json's %s is %s, the member '%s' is %s",
				     path, own[i][1], sha ? sha : "missing", own[i][0],
				     member(ms, top, tl, own[i][0])->sha256);
	}
	return 0;
}

static char *dup_str(const struct manifest *m, const char *key)
{
	const char *v = manifest_get_str(m, key);

	return v ? xstrdup(v) : NULL;
}

/* What a deploy and the "ok" line want of a checked bundle. */
static void fill_info(const struct bar_members *ms, const char *top,
		      size_t tl, const struct manifest *m,
		      struct bundle_info *bi)
{
	bi->top = xstrndup(top, tl);
	memcpy(bi->sums, member(ms, top, tl, "SHA256SUMS")->sha256, sizeof(bi->sums));
	memcpy(bi->vmlinux, member(ms, top, tl, "vmlinux")->sha256, sizeof(bi->vmlinux));
	memcpy(bi->rootfs, member(ms, top, tl, "rootfs.img")->sha256, sizeof(bi->rootfs));
	bi->kernel_version = dup_str(m, "kernel.source.kernelversion");
	bi->arch = dup_str(m, "kernel.build.subarch");
	bi->distribution = dup_str(m, "rootfs.source.distribution");
	bi->distro_version = dup_str(m, "rootfs.source.version");
	bi->tap = dup_str(m, "bundle.run.tap");
	bi->mem = dup_str(m, "bundle.run.mem");
	bi->forward = dup_str(m, "bundle.run.forward");
	bi->net = dup_str(m, "bundle.run.net");
	bi->guest_ip = dup_str(m, "rootfs.settings.guest_ip");
	bi->gateway = dup_str(m, "rootfs.settings.gateway");
	bi->nr_members = ms->nr - 1;
}

void bundle_info_release(struct bundle_info *bi)
{
	char **s[] = {
		&bi->top, &bi->kernel_version, &bi->arch, &bi->distribution,
		&bi->distro_version, &bi->tap, &bi->mem, &bi->forward, &bi->net,
		&bi->guest_ip, &bi->gateway,
	};

	for (size_t i = 0; i < ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(bi, 0, sizeof(*bi));
}

int bundle_check(const char *path, struct bundle_info *bi)
{
	struct bar_members ms = { 0 };
	struct manifest *meta = NULL;
	const char *top = NULL;
	size_t tl = 0;
	struct stat st;
	int ret;

	memset(bi, 0, sizeof(*bi));
	if (stat(path, &st) < 0) {
		error_errno(0, "cannot read '%s'", path);
		return -UKB_EUSAGE;
	}
	if (!S_ISREG(st.st_mode))
		return error(-UKB_EUSAGE, "'%s' is not a regular file", path);
	ret = bar_scan(path, KEEP_MAX, &ms);
	if (ret == -UKB_ESOURCE)
		hint("'%s' is not a bundle made by 'umlkbuild bundle'", path);
	if (!ret)
		ret = check_set(path, &ms, &top, &tl);
	for (size_t i = 0; !ret && bundle_members[i]; i++)
		if (!member(&ms, top, tl, bundle_members[i]))
			ret = error(-UKB_EARTIFACT, "'%s' lacks the member '%.*s/%s'",
				    path, (int)tl, top, bundle_members[i]);
	if (!ret)
		ret = check_sums(path, &ms, top, tl);
	if (!ret)
		ret = check_meta(path, &ms, top, tl, &meta);
	if (!ret)
		fill_info(&ms, top, tl, meta, bi);
	manifest_free(meta);
	bar_members_release(&ms);
	return ret;
}

int bundle_verify(const char *path)
{
	struct bundle_info bi;
	int ret = bundle_check(path, &bi);

	if (!ret)
		printf("%s: ok: Linux %s %s and %s %s, %zu members checked\n", path,
		       bi.kernel_version ?: "?", bi.arch ?: "?",
		       bi.distribution ?: "?", bi.distro_version ?: "?",
		       bi.nr_members);
	bundle_info_release(&bi);
	return ret;
}
