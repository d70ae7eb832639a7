#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "compile/toolchain.h"
#include "configure/configure.h"
#include "driver/build.h"
#include "driver/reproduce.h"
#include "source/fetch.h"
#include "source/source.h"
#include "base/banned.h"

/* The mirror a kernel.org URL came from: strip "/vN.x/NAME". */
static char *mirror_of(const char *url)
{
	const char *slash = strrchr(url, '/'), *v;

	if (!slash)
		return NULL;
	for (v = slash - 1; v > url && *v != '/'; v--)
		;
	if (v <= url || strncmp(v, "/v", 2))
		return NULL;
	return xstrndup(url, (size_t)(v - url));
}

/* The sha256 of a recorded file, never blocking on a FIFO or reading
 * without end. */
static int hash_input(const char *file, char hex[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_input_file(&sb, file, UKB_INPUT_MAX, NULL);

	if (!ret)
		sha256_buf(sb.buf, sb.len, hex);
	strbuf_release(&sb);
	return ret;
}

/* A fragment's file name, written back as "<dir>/<i>-<name>". */
#define FRAGMENT_NAME_MAX 200

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The string at path into *out (NULL when absent or null and optional). */
static int get_str(const struct manifest *m, const char *file,
		   const char *path, int required, const char **out)
{
	enum manifest_type t = manifest_type(m, path);

	*out = NULL;
	if (t == MANIFEST_STRING) {
		*out = manifest_get_str(m, path);
		return 0;
	}
	if (t == MANIFEST_ABSENT || t == MANIFEST_NULL)
		return required ? error(-UKB_EUSAGE, "'%s' records no %s",
					file, path) : 0;
	return error(-UKB_EUSAGE, "'%s': %s is %s, not a string", file, path,
		     manifest_type_name(t));
}

/* An optional array at path: its length, or an error for another type. */
static int get_array(const struct manifest *m, const char *file,
		     const char *path, size_t *n)
{
	enum manifest_type t = manifest_type(m, path);

	*n = 0;
	if (t == MANIFEST_ABSENT || t == MANIFEST_NULL)
		return 0;
	if (t != MANIFEST_ARRAY)
		return error(-UKB_EUSAGE, "'%s': %s is %s, not an array", file,
			     path, manifest_type_name(t));
	*n = manifest_array_size(m, path);
	return 0;
}

/* Member key of item i of build.kconfig has type want (or is absent). */
static int check_member(const struct manifest *m, const char *file, size_t i,
			const char *key, enum manifest_type want, int required)
{
	enum manifest_type t = manifest_array_type(m, "build.kconfig", i, key);

	if (t == want || ((t == MANIFEST_ABSENT || t == MANIFEST_NULL) &&
			  !required))
		return 0;
	if (t == MANIFEST_ABSENT || t == MANIFEST_NULL)
		return error(-UKB_EUSAGE, "'%s' records no build.kconfig[%zu].%s",
			     file, i, key);
	return error(-UKB_EUSAGE, "'%s': build.kconfig[%zu].%s is %s, not %s",
		     file, i, key, manifest_type_name(t),
		     manifest_type_name(want));
}

/* Each recorded fragment: its types; a user fragment's name and content. */
static int check_fragments(const struct manifest *m, const char *file)
{
	size_t n;
	int ret = get_array(m, file, "build.kconfig", &n);

	for (size_t i = 0; !ret && i < n; i++) {
		enum manifest_type t = manifest_array_type(m, "build.kconfig",
							   i, NULL);
		const char *name, *sha, *text;
		char hex[SHA256_HEX_LEN + 1];

		if (t != MANIFEST_OBJECT)
			return error(-UKB_EUSAGE, "'%s': build.kconfig[%zu] is %s, not an object",
				     file, i, manifest_type_name(t));
		ret = check_member(m, file, i, "file", MANIFEST_STRING, 1);
		if (!ret)
			ret = check_member(m, file, i, "sha256", MANIFEST_STRING, 1);
		if (!ret)
			ret = check_member(m, file, i, "user", MANIFEST_BOOL, 0);
		if (!ret)
			ret = check_member(m, file, i, "content", MANIFEST_STRING, 0);
		if (ret)
			return ret;
		name = manifest_array_str(m, "build.kconfig", i, "file");
		sha = manifest_array_str(m, "build.kconfig", i, "sha256");
		text = manifest_array_str(m, "build.kconfig", i, "content");
		if (!sha256_is_hex(sha, strlen(sha)))
			return error(-UKB_EUSAGE, "'%s': build.kconfig[%zu].sha256 is not a sha256",
				     file, i);
		if (!manifest_array_bool(m, "build.kconfig", i, "user", 0))
			continue;
		name = base_name(name);
		if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
			return error(-UKB_EUSAGE, "'%s': invalid fragment name '%s'",
				     file, name);
		if (strlen(name) > FRAGMENT_NAME_MAX)
			return error(-UKB_EUSAGE, "'%s': the fragment name '%.32s...' is longer than %d bytes",
				     file, name, FRAGMENT_NAME_MAX);
		if (!text)
			return error(-UKB_EUSAGE,
				     "the metadata lacks the content of fragment '%s'", name);
		sha256_buf(text, strlen(text), hex);
		if (strcmp(hex, sha))
			return error(-UKB_EUSAGE,
				     "the recorded content of fragment '%s' does not match its sha256",
				     name);
	}
	return ret;
}

/* Write each recorded user fragment back to dir (checked already). */
static int restore_fragments(const struct manifest *m, const char *dir,
			     struct build_opts *o)
{
	size_t n = manifest_array_size(m, "build.kconfig");

	for (size_t i = 0; i < n; i++) {
		const char *file = manifest_array_str(m, "build.kconfig", i, "file");
		const char *sha = manifest_array_str(m, "build.kconfig", i, "sha256");
		const char *text = manifest_array_str(m, "build.kconfig", i, "content");
		char hex[SHA256_HEX_LEN + 1];
		char *path;
		int ret;

		if (!manifest_array_bool(m, "build.kconfig", i, "user", 0)) {
			/* the project's own: must be unchanged to reproduce */
			if (hash_input(file, hex) || strcmp(hex, sha))
				warning("the project's fragment '%s' differs from the one recorded",
					file);
			continue;
		}
		path = xasprintf("%s/%zu-%s", dir, i, base_name(file));
		ret = write_file_atomic(path, text, strlen(text), 0644);
		if (!ret)
			strvec_push(&o->fragments, path);
		free(path);
		if (ret)
			return error_errno(ret, "cannot write '%s'", dir);
	}
	return 0;
}

static int refuse_url(const char *what, const char *url, const char *why)
{
	char *shown = url_redact(url);
	int ret = error(-UKB_EUSAGE, "refusing %s '%s': %s", what, shown, why);

	free(shown);
	return ret;
}

/* The source: one of the three kinds, each with its fields. */
static int setup_source(const struct manifest *m, const char *file,
			struct build_opts *o, char **mirror)
{
	const char *kind, *url = NULL, *why;
	int ret = get_str(m, file, "source.kind", 1, &kind);

	if (ret)
		return ret;
	if (!strcmp(kind, "tarball"))
		return get_str(m, file, "source.tarball", 1, &o->tarball);
	if (!strcmp(kind, "kernel.org")) {
		ret = get_str(m, file, "source.kernelversion", 1, &o->version);
		if (!ret)
			ret = get_str(m, file, "source.url", 0, &url);
		if (ret || !url || o->mirrors.nr)
			return ret;
		*mirror = mirror_of(url);
		why = *mirror ? fetch_url_refused(*mirror) : NULL;
		return why ? refuse_url("mirror", *mirror, why) : 0;
	}
	if (!strcmp(kind, "git")) {
		ret = get_str(m, file, "source.url", 1, &o->git_url);
		if (!ret)
			ret = get_str(m, file, "source.commit", 1, &o->git_ref);
		if (ret)
			return ret;
		why = fetch_git_url_refused(o->git_url);
		if (why)
			return refuse_url("git remote", o->git_url, why);
		if (strlen(o->git_ref) != 40 ||
		    !sha256_is_hex(o->git_ref, strlen(o->git_ref)))
			return error(-UKB_EUSAGE, "'%s': source.commit '%s' is not a commit id",
				     file, o->git_ref);
		return 0;
	}
	return error(-UKB_EUSAGE, "'%s': unknown source.kind '%s': expected tarball, kernel.org or git",
		     file, kind);
}

int reproduce_setup(const struct manifest *m, const char *file,
		    struct build_opts *o)
{
	const char *arch, *link, *profile, *skip, *tc = NULL, *why = NULL;
	char *mirror = NULL;
	struct toolchain chk;
	struct kver v;
	size_t n;
	int ret;

	ret = setup_source(m, file, o, &mirror);
	if (!ret)
		ret = get_str(m, file, "build.subarch", 1, &arch);
	if (!ret)
		ret = get_str(m, file, "build.link", 0, &link);
	if (!ret)
		ret = get_str(m, file, "build.profile", 1, &profile);
	if (!ret)
		ret = get_str(m, file, "build.toolchain.name", 0, &tc);
	if (!ret)
		ret = get_str(m, file, "results.boot.skip_reason", 0, &skip);
	if (ret)
		goto out;
	if (kbuild_parse_arch(arch, &o->arch)) {
		ret = error(-UKB_EUSAGE, "unknown arch '%s' in '%s'", arch, file);
		goto out;
	}
	if (!link || !strcmp(link, "static")) {
		o->link = LINK_STATIC;
	} else if (!strcmp(link, "dynamic")) {
		o->link = LINK_DYNAMIC;
	} else {
		ret = error(-UKB_EUSAGE, "unknown link '%s' in '%s': use static or dynamic",
			    link, file);
		goto out;
	}
	if (!configure_valid_profile(profile)) {
		ret = error(-UKB_EUSAGE, "unknown profile '%s' in '%s': use defconfig or minimal",
			    profile, file);
		goto out;
	}
	o->profile = profile;
	if (o->version) {
		if (kver_parse(o->version, strlen(o->version), &v, &why)) {
			ret = error(-UKB_EUSAGE, "invalid kernel version '%s' in '%s': %s",
				    o->version, file, why ? why : "malformed");
			goto out;
		}
		ret = source_check_supported(&v, o->arch | o->link);
		if (ret)
			goto out;
	}
	if (tc) {
		/* an unknown or malformed name is refused now, not mid-run */
		ret = toolchain_load(tc, &chk);
		if (ret)
			goto out;
		toolchain_release(&chk);
		o->toolchain = tc;
	}
	o->no_boot = skip && !strcmp(skip, "--no-boot");
	ret = get_array(m, file, "build.kconfig_add", &n);
	for (size_t i = 0; !ret && i < n; i++) {
		enum manifest_type t = manifest_array_type(m, "build.kconfig_add",
							   i, NULL);

		if (t != MANIFEST_STRING)
			ret = error(-UKB_EUSAGE, "'%s': build.kconfig_add[%zu] is %s, not a string",
				    file, i, manifest_type_name(t));
		else
			strvec_push(&o->kconfig_add,
				    manifest_array_str(m, "build.kconfig_add", i, NULL));
	}
	if (!ret)
		ret = check_fragments(m, file);
	if (!ret && mirror)
		strvec_push(&o->mirrors, mirror);
out:
	free(mirror);
	return ret;
}

int reproduce_run(const char *file, const char *out_opt,
		  const struct strvec *mirrors, const struct strvec *keyrings)
{
	struct build_opts o;
	struct manifest *m = NULL;
	const char *want;
	char *work = NULL, *out = NULL, *vmlinux = NULL;
	char have[SHA256_HEX_LEN + 1];
	int ret = 0;

	build_opts_init(&o);
	strvec_pushv(&o.mirrors, mirrors->v);
	strvec_pushv(&o.keyrings, keyrings->v);
	m = manifest_load(file);
	if (!m) {
		build_opts_release(&o);
		return -UKB_EUSAGE;
	}
	want = manifest_get_str(m, "vmlinux.sha256");
	if (!want || !sha256_is_hex(want, strlen(want))) {
		ret = error(-UKB_EUSAGE, "'%s' records no vmlinux sha256", file);
		goto out;
	}
	ret = reproduce_setup(m, file, &o);
	if (ret)
		goto out;
	work = cache_dir("reproduce");
	if (!work) {
		ret = -UKB_EHOST;
		goto out;
	}
	/* the scratch dirs of runs that crashed or were killed */
	remove_stale_scratch(work, "");
	free(work);
	work = xasprintf("%s/reproduce/%ld", cache_root(), (long)getpid());
	rmtree(work);
	ret = mkdir_p(work, 0755);
	if (ret) {
		error_errno(ret, "cannot create '%s'", work);
		ret = -UKB_EHOST;
		goto out;
	}
	tmp_register(work);
	ret = restore_fragments(m, work, &o);
	if (ret)
		goto out;
	out = out_opt ? xstrdup(out_opt) : path_join(work, "artifact");
	o.out = out;
	o.out_in_cache = !out_opt;
	/* proof, not a shortcut: kbuild checks every object again */
	o.no_reuse = 1;
	info("rebuilding from '%s'", file);
	ret = build_run(&o);
	if (ret)
		goto out;
	vmlinux = path_join(out, "vmlinux");
	ret = sha256_file(vmlinux, have);
	if (ret) {
		ret = error_errno(ret, "cannot read '%s'", vmlinux);
		goto out;
	}
	if (strcmp(have, want)) {
		ret = error(-UKB_EARTIFACT,
			    "not reproduced: vmlinux has sha256 %s, the metadata records %s",
			    have, want);
		goto out;
	}
	printf("reproduced: %s\n", have);
out:
	if (work) {
		rmtree(work);
		tmp_forget(work);
	}
	manifest_free(m);
	build_opts_release(&o);
	free(work);
	free(out);
	free(vmlinux);
	return ret;
}
