#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "rootfs/alpine.h"
#include "rootfs/debian.h"
#include "rootfs/mmdebstrap.h"
#include "rootfs/image.h"
#include "rootfs/rootfs.h"
#include "rootfs/stage.h"
#include "source/http.h"
#include "source/unpack.h"
#include "base/banned.h"

#define FREE_AND_NULL(p) do { free(p); (p) = NULL; } while (0)


/* ---- The run ---------------------------------------------------------- */

/* The public inputs, hashed: copied files by content, no secret. */
static int digest_inputs(struct rootfs_run *r)
{
	const struct rootfs_opts *o = r->o;
	struct strbuf *sb = &r->inputs;
	int ret = 0;

	strbuf_reset(sb);
	if (o->debian)
		strbuf_addf(sb, "umlkbuild rootfs 1\nsource debian %s %s %s\n",
			    o->debian, o->fetch.mirrors[0], r->deb.rel.sha256);
	else
		strbuf_addf(sb, "umlkbuild rootfs 1\nsource %s\n",
			    r->src.sha256);
	strbuf_addf(sb, "arch %s\nsize %llu\n"
		    "ip %s\ngw %s\ndns %s\nhost %s\nswap %llu\npassword %d\n",
		    o->arch, (unsigned long long)o->size,
		    o->guest_ip, o->gateway, o->dns, o->hostname,
		    (unsigned long long)o->swap, o->password_file != NULL);
	for (size_t i = 0; i < o->sysctls.nr; i++)
		strbuf_addf(sb, "sysctl %s\n", o->sysctls.v[i]);
	for (size_t i = 0; i < o->starts.nr; i++)
		strbuf_addf(sb, "start %zu %s\n", strlen(o->starts.v[i]),
			    o->starts.v[i]);
	for (size_t i = 0; !ret && i < o->copies.nr; i++) {
		char *host = xstrdup(o->copies.v[i]), h[SHA256_HEX_LEN + 1];

		*strrchr(host, ':') = '\0';
		if (sha256_file(host, h))
			memcpy(h, "unreadable", 11);
		strbuf_addf(sb, "copy %s %s\n", h,
			    strrchr(o->copies.v[i], ':') + 1);
		free(host);
	}
	if (o->authorized_keys) {
		char h[SHA256_HEX_LEN + 1];

		if (sha256_file(o->authorized_keys, h))
			memcpy(h, "unreadable", 11);
		strbuf_addf(sb, "keys %s\n", h);
	}
	sha256_buf(sb->buf, sb->len, r->digest);
	return ret;
}

static long long release_epoch(struct rootfs_run *r)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char *path;
	struct stat st;
	long long t = 0;

	if (env && *env)
		return strtoll(env, NULL, 10);
	if (r->o->debian)  /* the Date of the Release apt verified */
		return r->deb.rel.epoch > 0 ? r->deb.rel.epoch : 0;
	/* the release's own date: the same for every build of it */
	path = path_join(r->staging, "etc/alpine-release");
	if (!lstat(path, &st))
		t = st.st_mtime;
	free(path);
	return t;
}

/* What apt verified (the suite's InRelease) and what dpkg installed. */
static void debian_json(struct rootfs_run *r, struct manifest *m)
{
	const struct debian_release *rel = &r->deb.rel;
	char *url = url_redact(r->o->fetch.mirrors[0]);

	manifest_set_str(m, "source.distribution", "debian");
	manifest_set_str(m, "source.version", r->version);
	manifest_set_str(m, "source.suite", r->o->debian);
	manifest_set_str(m, "source.codename", rel->codename ? rel->codename : "");
	manifest_set_str(m, "source.url", url);
	manifest_set_str(m, "source.sha256", rel->sha256);
	manifest_set_str(m, "source.release_date", rel->date ? rel->date : "");
	manifest_set_str(m, "source.origin", rel->origin ? rel->origin : "");
	manifest_set_bool(m, "source.verified", 1);
	manifest_set_str(m, "source.signer", DEBIAN_KEYRING);
	manifest_set_str(m, "source.tool", "mmdebstrap --variant=minbase");
	manifest_pack(m, "source.packages", "[]");
	for (size_t i = 0; i < r->deb.packages.nr; i++)
		manifest_append(m, "source.packages", "s", r->deb.packages.v[i]);
	free(url);
}

static int write_json(struct rootfs_run *r, const char *image_sha,
		      const char *uuid)
{
	const struct rootfs_opts *o = r->o;
	struct manifest *m = manifest_new();
	char *tmp = xasprintf("%s/rootfs.json", r->scratch);
	int ret;

	if (o->debian)
		debian_json(r, m);
	else {
		manifest_set_str(m, "source.distribution", "alpine");
		manifest_set_str(m, "source.version", r->version);
		manifest_set_str(m, "source.url", r->src.url ? r->src.url : "");
		manifest_set_str(m, "source.sha256", r->src.sha256);
		manifest_set_bool(m, "source.verified", r->src.verified);
		manifest_set_str(m, "source.signer",
				 r->src.signer ? r->src.signer : "");
	}
	manifest_set_str(m, "settings.arch", o->arch);
	manifest_set_int(m, "settings.size", (long long)o->size);
	manifest_set_str(m, "settings.guest_ip", o->guest_ip);
	manifest_set_str(m, "settings.gateway", o->gateway);
	manifest_set_str(m, "settings.dns", o->dns);
	manifest_set_str(m, "settings.hostname", o->hostname);
	manifest_set_int(m, "settings.swap", (long long)o->swap);
	manifest_set_bool(m, "settings.root_password", !!o->password_file);
	manifest_set_bool(m, "settings.authorized_keys", !!o->authorized_keys);
	manifest_pack(m, "settings.copy", "[]");
	for (size_t i = 0; i < o->copies.nr; i++)
		manifest_append(m, "settings.copy", "s", o->copies.v[i]);
	manifest_pack(m, "settings.start", "[]");
	for (size_t i = 0; i < o->starts.nr; i++)
		manifest_append(m, "settings.start", "s", o->starts.v[i]);
	manifest_pack(m, "settings.sysctl", "[]");
	for (size_t i = 0; i < o->sysctls.nr; i++)
		manifest_append(m, "settings.sysctl", "s", o->sysctls.v[i]);
	manifest_set_str(m, "image.sha256", image_sha);
	manifest_set_str(m, "image.uuid", uuid);
	manifest_set_str(m, "image.label", "ROOT");
	manifest_set_int(m, "image.epoch", r->epoch);
	ret = manifest_write(m, tmp);
	if (!ret && rename(tmp, r->json) < 0)
		ret = -errno;
	if (ret)
		error_errno(ret, "cannot write '%s'", r->json);
	manifest_free(m);
	free(tmp);
	return ret;
}

static char *json_path(const char *out)
{
	size_t n = strlen(out);

	if (n > 4 && !strcmp(out + n - 4, ".img"))
		return xasprintf("%.*s.json", (int)(n - 4), out);
	return xasprintf("%s.json", out);
}

static int make_scratch(struct rootfs_run *r)
{
	const char *out = r->o->out;
	char *parent = xstrdup(out), *slash = strrchr(parent, '/');

	if (slash && slash != parent) {
		*slash = '\0';
		mkdir_p(parent, 0755);  /* mkdtemp says what failed */
	}
	free(parent);
	r->scratch = xasprintf("%s.tmp-XXXXXX", out);
	if (!mkdtemp(r->scratch)) {
		error_errno(0, "cannot create '%s'", r->scratch);
		free(r->scratch);
		r->scratch = NULL;
		return -UKB_EHOST;
	}
	tmp_register(r->scratch);
	r->staging = path_join(r->scratch, "root");
	r->image = path_join(r->scratch, "image");
	r->json = json_path(out);
	return 0;
}

/* The inputs' digest, the password's hash, then an empty staging tree. */
static int begin_tree(struct rootfs_run *r)
{
	int ret = digest_inputs(r);

	if (!ret && r->o->password_file)
		ret = rootfs_hash_password(r);
	if (!ret)
		ret = make_scratch(r);
	return ret;
}

/* Alpine's verified minirootfs, unpacked with its owners. */
static int alpine_tree(struct rootfs_run *r)
{
	const struct rootfs_opts *o = r->o;
	const char *arch = strcmp(o->arch, "i386") ? "x86_64" : "x86";
	struct unpack_result ur;
	int ret;

	ret = alpine_fetch(o->alpine, arch, &o->fetch, &r->version, &r->src);
	if (ret)
		return ret;
	info("Alpine %s: '%s' (sha256 %s, signed by %s)", r->version,
	     r->src.path, r->src.sha256, r->src.signer);
	ret = begin_tree(r);
	if (!ret)
		ret = unpack_archive_owned(r->src.path, r->staging, &ur);
	if (!ret)
		unpack_result_release(&ur);
	return ret;
}

/* mmdebstrap's minbase of the suite; the inputs then name its InRelease. */
static int debian_tree(struct rootfs_run *r)
{
	const struct rootfs_opts *o = r->o;
	int ret;

	ret = debian_check_host();
	/* the password file is read before the minutes mmdebstrap takes */
	if (!ret)
		ret = begin_tree(r);
	if (!ret)
		ret = debian_bootstrap(o->debian, o->arch, o->fetch.mirrors,
				       o->fetch.nr_mirrors, r->staging, &r->deb);
	if (ret)
		return ret;
	r->version = xstrdup(r->deb.rel.version ? r->deb.rel.version : o->debian);
	info("Debian %s (%s, %s): %zu packages, InRelease sha256 %s verified "
	     "by apt", o->debian, r->version,
	     r->deb.rel.date ? r->deb.rel.date : "no date",
	     r->deb.packages.nr, r->deb.rel.sha256);
	ret = digest_inputs(r);
	if (!ret && r->shadow_hash) {
		explicit_bzero(r->shadow_hash, strlen(r->shadow_hash));
		FREE_AND_NULL(r->shadow_hash);
		ret = rootfs_hash_password(r);
	}
	return ret;
}

/* Long on purpose: the run's steps in order, each undone by one cleanup. */
int rootfs_make(const struct rootfs_opts *o)
{
	struct rootfs_run r = { .o = o, .inputs = STRBUF_INIT,
				.script = STRBUF_INIT };
	char image_sha[SHA256_HEX_LEN + 1], uuid[37];
	int ret;

	ret = o->debian ? debian_tree(&r) : alpine_tree(&r);
	if (ret)
		goto out;
	r.epoch = release_epoch(&r);
	ret = o->debian ? debian_fix_shadow_dates(r.staging, r.epoch) : 0;
	if (!ret)
		ret = rootfs_stage(&r);
	if (!ret)
		ret = rootfs_settle(&r);
	if (!ret)
		ret = rootfs_check_size(&r);
	if (!ret)
		ret = rootfs_make_image(&r, uuid);
	if (!ret && (ret = sha256_file(r.image, image_sha)))
		error_errno(ret, "cannot read '%s'", r.image);
	if (!ret)
		ret = write_json(&r, image_sha, uuid);
	if (!ret && rename(r.image, o->out) < 0) {
		error_errno(0, "cannot publish '%s'", o->out);
		ret = -UKB_EHOST;
		unlink(r.json);
	}
	if (!ret) {
		info("'%s': ext4 %llu MiB, sha256 %s", o->out,
		     (unsigned long long)(o->size / MiB), image_sha);
		printf("%s\n", o->out);
		fflush(stdout);
	}
out:
	if (r.scratch) {
		rmtree(r.scratch);
		tmp_forget(r.scratch);
		free(r.scratch);
	}
	if (r.shadow_hash) {
		explicit_bzero(r.shadow_hash, strlen(r.shadow_hash));
		free(r.shadow_hash);
	}
	fetched_release(&r.src);
	debian_tree_release(&r.deb);
	strbuf_release(&r.inputs);
	strbuf_release(&r.script);
	free(r.staging);
	free(r.image);
	free(r.json);
	free(r.version);
	return ret;
}
