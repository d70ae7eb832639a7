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
#include "rootfs/image.h"
#include "rootfs/rootfs.h"
#include "rootfs/stage.h"
#include "source/unpack.h"
#include "base/banned.h"


/* ---- The run ---------------------------------------------------------- */

/* The public inputs, hashed: copied files by content, no secret. */
static int digest_inputs(struct rootfs_run *r)
{
	const struct rootfs_opts *o = r->o;
	struct strbuf *sb = &r->inputs;
	int ret = 0;

	strbuf_addf(sb, "umlkbuild rootfs 1\nsource %s\narch %s\nsize %llu\n"
		    "ip %s\ngw %s\ndns %s\nhost %s\nswap %llu\npassword %d\n",
		    r->src.sha256, o->arch, (unsigned long long)o->size,
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
	/* the release's own date: the same for every build of it */
	path = path_join(r->staging, "etc/alpine-release");
	if (!lstat(path, &st))
		t = st.st_mtime;
	free(path);
	return t;
}

static int write_json(struct rootfs_run *r, const char *image_sha,
		      const char *uuid)
{
	const struct rootfs_opts *o = r->o;
	struct manifest *m = manifest_new();
	char *tmp = xasprintf("%s/rootfs.json", r->scratch);
	int ret;

	manifest_set_str(m, "source.distribution", "alpine");
	manifest_set_str(m, "source.version", r->version);
	manifest_set_str(m, "source.url", r->src.url ? r->src.url : "");
	manifest_set_str(m, "source.sha256", r->src.sha256);
	manifest_set_bool(m, "source.verified", r->src.verified);
	manifest_set_str(m, "source.signer", r->src.signer ? r->src.signer : "");
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

/* Long on purpose: the run's steps in order, each undone by one cleanup. */
int rootfs_make(const struct rootfs_opts *o)
{
	struct rootfs_run r = { .o = o, .inputs = STRBUF_INIT,
				.script = STRBUF_INIT };
	struct unpack_result ur;
	const char *arch = strcmp(o->arch, "i386") ? "x86_64" : "x86";
	char image_sha[SHA256_HEX_LEN + 1], uuid[37];
	int ret;

	ret = alpine_fetch(o->alpine, arch, &o->fetch, &r.version, &r.src);
	if (ret)
		goto out;
	info("Alpine %s: '%s' (sha256 %s, signed by %s)", r.version,
	     r.src.path, r.src.sha256, r.src.signer);
	ret = digest_inputs(&r);
	if (!ret && o->password_file)
		ret = rootfs_hash_password(&r);
	if (ret)
		goto out;
	r.scratch = xasprintf("%s.tmp-XXXXXX", o->out);
	{
		char *parent = xstrdup(o->out), *slash = strrchr(parent, '/');

		if (slash && slash != parent) {
			*slash = '\0';
			mkdir_p(parent, 0755);  /* mkdtemp says what failed */
		}
		free(parent);
	}
	if (!mkdtemp(r.scratch)) {
		error_errno(0, "cannot create '%s'", r.scratch);
		ret = -UKB_EHOST;
		free(r.scratch);
		r.scratch = NULL;
		goto out;
	}
	tmp_register(r.scratch);
	r.staging = path_join(r.scratch, "root");
	r.image = path_join(r.scratch, "image");
	r.json = json_path(o->out);
	ret = unpack_archive_owned(r.src.path, r.staging, &ur);
	if (ret)
		goto out;
	unpack_result_release(&ur);
	r.epoch = release_epoch(&r);
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
	strbuf_release(&r.inputs);
	strbuf_release(&r.script);
	free(r.staging);
	free(r.image);
	free(r.json);
	free(r.version);
	return ret;
}
