/* `umlkbuild bundle`: making one; see bundle.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/umlnet.h"
#include "base/version.h"
#include "base/wrapper.h"
#include "bundle/bundle.h"
#include "bundle/bundlear.h"
#include "rootfs/rootfsopt.h"
#include "base/banned.h"

const char *const bundle_members[] = {
	"README", "run.sh", "metadata.json", "SHA256SUMS", "vmlinux",
	"rootfs.img", NULL,
};

/* Both inputs, checked, and what the bundle says of them. */
struct inputs {
	struct manifest *kmeta, *rmeta;
	char *vmlinux, *rjson;
	char ksha[SHA256_HEX_LEN + 1], rsha[SHA256_HEX_LEN + 1];
	const char *arch, *kversion;
	char guest[16], host_cidr[24];
	int vector;      /* the kernel has no tuntap transport (6.16 on) */
};

char *bundle_top_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= 7 || strcmp(base + n - 7, ".tar.xz"))
		return NULL;
	n -= 7;
	if ((n == 1 && base[0] == '.') || (n == 2 && !strncmp(base, "..", 2)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)base[i] < 0x20 || base[i] == 0x7f)
			return NULL;
	return xstrndup(base, n);
}

static int hash_input(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	int ret = sha256_file(path, hex);

	if (ret) {
		error_errno(ret, "cannot read '%s'", path);
		return -UKB_EUSAGE;
	}
	return 0;
}

static int check_kernel(const struct bundle_opts *o, struct inputs *in)
{
	char *meta = path_join(o->kernel, "metadata.json");
	const char *want;
	struct kver v;
	int ret = 0;

	in->vmlinux = path_join(o->kernel, "vmlinux");
	if (!is_dir(o->kernel))
		ret = error(-UKB_EUSAGE, "--kernel '%s' is not a directory", o->kernel);
	else if (!path_exists(in->vmlinux) || !path_exists(meta))
		ret = error(-UKB_EUSAGE, "--kernel '%s' is not a umlkbuild kernel artifact: it has no '%s'",
			    o->kernel, path_exists(meta) ? "vmlinux" : "metadata.json");
	else if (!(in->kmeta = manifest_try_load(meta)) ||
		 !(want = manifest_get_str(in->kmeta, "vmlinux.sha256")) ||
		 !(in->kversion = manifest_get_str(in->kmeta, "source.kernelversion")) ||
		 !(in->arch = manifest_get_str(in->kmeta, "build.subarch")))
		ret = error(-UKB_EUSAGE, "'%s' is not a umlkbuild kernel's metadata.json",
			    meta);
	else if (!(ret = hash_input(in->vmlinux, in->ksha)) && strcmp(want, in->ksha))
		ret = error(-UKB_EARTIFACT, "'%s' does not match its metadata.json: expected sha256 %s, got %s",
			    in->vmlinux, want, in->ksha);
	if (!ret) {
		int bad = kver_parse(in->kversion, strlen(in->kversion), &v,
				     NULL);

		in->vector = umlnet_driver_for(in->vmlinux, bad ? NULL : &v) ==
			     UMLNET_VECTOR;
	}
	free(meta);
	return ret;
}

static char *json_beside(const char *img)
{
	size_t n = strlen(img);

	if (n > 4 && !strcmp(img + n - 4, ".img"))
		return xasprintf("%.*s.json", (int)(n - 4), img);
	return xasprintf("%s.json", img);
}

/* The TAP's address on the host: the image's gateway in its network. */
static int check_net(const char *json, struct inputs *in)
{
	const char *cidr = manifest_get_str(in->rmeta, "settings.guest_ip");
	const char *gw = manifest_get_str(in->rmeta, "settings.gateway");
	const char *why;
	uint32_t a, g;
	unsigned prefix;

	if (!cidr || rootfs_parse_cidr(cidr, &a, &prefix, &why))
		return error(-UKB_EUSAGE, "'%s' has no valid settings.guest_ip", json);
	if (!gw || !*gw || rootfs_parse_ip(gw, &g, &why))
		return error(-UKB_EUSAGE, "the image '%s' has no gateway: run.sh puts it on the host's TAP (make it with --gateway)",
			     json);
	snprintf(in->guest, sizeof(in->guest), "%.*s",
		 (int)strcspn(cidr, "/"), cidr);
	snprintf(in->host_cidr, sizeof(in->host_cidr), "%s/%u", gw, prefix);
	return 0;
}

static int check_rootfs(const struct bundle_opts *o, struct inputs *in)
{
	const char *want, *arch;
	int ret;

	in->rjson = json_beside(o->rootfs);
	if (!path_exists(o->rootfs)) {
		error_errno(-ENOENT, "cannot read --rootfs '%s'", o->rootfs);
		return -UKB_EUSAGE;
	}
	if (!path_exists(in->rjson))
		return error(-UKB_EUSAGE, "--rootfs '%s' has no '%s' beside it: make the image with 'umlkbuild rootfs'",
			     o->rootfs, in->rjson);
	if (!(in->rmeta = manifest_try_load(in->rjson)) ||
	    !(want = manifest_get_str(in->rmeta, "image.sha256")) ||
	    !(arch = manifest_get_str(in->rmeta, "settings.arch")))
		return error(-UKB_EUSAGE, "'%s' is not the rootfs.json of 'umlkbuild rootfs'",
			     in->rjson);
	ret = check_net(in->rjson, in);
	if (!ret && strcmp(arch, in->arch))
		ret = error(-UKB_EUSAGE, "the kernel is %s but the image '%s' is %s: bundle a kernel and an image of one arch",
			    in->arch, o->rootfs, arch);
	if (!ret && !(ret = hash_input(o->rootfs, in->rsha)) && strcmp(want, in->rsha))
		ret = error(-UKB_EARTIFACT, "'%s' does not match its '%s': expected sha256 %s, got %s",
			    o->rootfs, in->rjson, want, in->rsha);
	return ret;
}

/* tmpl with each @KEY@ of kv (KEY, value, ..., NULL) replaced. */
static void subst(struct strbuf *out, const struct strbuf *tmpl,
		  const char *const *kv)
{
	const char *p = tmpl->buf, *end = tmpl->buf + tmpl->len;

	while (p < end) {
		const char *at = memchr(p, '@', (size_t)(end - p)), *close;
		size_t i;

		if (!at || !(close = memchr(at + 1, '@', (size_t)(end - at - 1)))) {
			strbuf_add(out, p, (size_t)(end - p));
			break;
		}
		strbuf_add(out, p, (size_t)(at - p));
		for (i = 0; kv[i]; i += 2)
			if (strlen(kv[i]) == (size_t)(close - at - 1) &&
			    !memcmp(kv[i], at + 1, (size_t)(close - at - 1)))
				break;
		if (kv[i]) {
			strbuf_addstr(out, kv[i + 1]);
			p = close + 1;
		} else {
			strbuf_addch(out, '@');
			p = at + 1;
		}
	}
}

static int template(const char *name, const char *const *kv, struct strbuf *out)
{
	char *rel = xasprintf("bundle/%s", name);
	char *path = ukb_data_path(rel);
	struct strbuf t = STRBUF_INIT;
	int ret = read_input_file(&t, path, UKB_INPUT_MAX, NULL);

	if (ret) {
		error_errno(ret, "cannot read umlkbuild's '%s'", path);
		ret = -UKB_EHOST;
	} else {
		subst(out, &t, kv);
	}
	strbuf_release(&t);
	free(rel);
	free(path);
	return ret;
}

/* run.sh and README from their templates; values checked by the caller. */
static int texts(const struct bundle_opts *o, const struct inputs *in,
		 const char *top, struct strbuf *run, struct strbuf *readme)
{
	struct strbuf settings = STRBUF_INIT, distro = STRBUF_INIT;
	const char *gw = manifest_get_str(in->rmeta, "settings.gateway");
	char *net_arg = umlnet_arg(in->vector ? UMLNET_VECTOR : UMLNET_TUNTAP,
				   o->tap);
	int ret;

	strbuf_addf(&settings,
		    "# written by umlkbuild bundle: Linux %s, the image's network\n"
		    "DEF_TAP='%s' DEF_MEM='%s' DEF_FORWARD='%s'\n"
		    "HOST_IP='%s' GUEST_IP='%s' NET='%s'",
		    in->kversion, o->tap, o->mem, o->forward, in->host_cidr,
		    in->guest, in->vector ? "vector" : "tuntap");
	strbuf_addf(&distro, "%s %s",
		    manifest_get_str(in->rmeta, "source.distribution") ?: "?",
		    manifest_get_str(in->rmeta, "source.version") ?: "?");
	{
		const char *kv[] = {
			"SETTINGS", settings.buf, "TOP", top,
			"UKB_VERSION", UKB_VERSION, "KERNEL", in->kversion,
			"ARCH", in->arch, "DISTRO", distro.buf,
			"GUEST_IP", in->guest, "GATEWAY", gw, "TAP", o->tap,
			"HOST_IP", in->host_cidr, "NET_ARG", net_arg,
			"MEM", o->mem, "FORWARD", o->forward, NULL,
		};

		ret = template("run.sh", kv, run);
		if (!ret)
			ret = template("README", kv, readme);
	}
	strbuf_release(&settings);
	strbuf_release(&distro);
	free(net_arg);
	return ret;
}

static void add_member(struct manifest *m, const char *name, const char *sha,
		       unsigned long long size)
{
	manifest_append(m, "bundle.members", "{s:s, s:s, s:I}", "name", name,
			"sha256", sha, "size", (long long)size);
}

static unsigned long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long long)st.st_size;
}

/* metadata.json and SHA256SUMS for the members made so far. */
static char *metadata(const struct bundle_opts *o, const struct inputs *in,
		      const char *top, const struct strbuf *run,
		      const struct strbuf *readme, char *meta_sha)
{
	struct manifest *m = manifest_new();
	char rsh[SHA256_HEX_LEN + 1], rdm[SHA256_HEX_LEN + 1];
	char *text;

	sha256_buf(run->buf, run->len, rsh);
	sha256_buf(readme->buf, readme->len, rdm);
	manifest_set_int(m, "bundle.format", 1);
	manifest_set_str(m, "bundle.name", top);
	manifest_set_str(m, "bundle.umlkbuild", UKB_VERSION);
	manifest_set_str(m, "bundle.run.tap", o->tap);
	manifest_set_str(m, "bundle.run.mem", o->mem);
	manifest_set_str(m, "bundle.run.forward", o->forward);
	manifest_set_str(m, "bundle.run.net", in->vector ? "vector" : "tuntap");
	manifest_pack(m, "bundle.members", "[]");
	add_member(m, "vmlinux", in->ksha, file_size(in->vmlinux));
	add_member(m, "rootfs.img", in->rsha, file_size(o->rootfs));
	add_member(m, "run.sh", rsh, run->len);
	add_member(m, "README", rdm, readme->len);
	manifest_set_doc(m, "kernel", in->kmeta);
	manifest_set_doc(m, "rootfs", in->rmeta);
	text = manifest_dumps(m);
	manifest_free(m);
	if (!text)
		abort();
	sha256_buf(text, strlen(text), meta_sha);
	return text;
}

static long long bundle_epoch(const struct inputs *in)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");

	if (env && *env)
		return strtoll(env, NULL, 10);
	return manifest_get_int(in->rmeta, "image.epoch",
				manifest_get_int(in->kmeta, "source.timestamp", 0));
}

static int write_bundle(const struct bundle_opts *o, const struct inputs *in,
			const char *top, const char *tmp)
{
	struct strbuf run = STRBUF_INIT, readme = STRBUF_INIT, sums = STRBUF_INIT;
	struct bar_writer *w = NULL;
	char msha[SHA256_HEX_LEN + 1], rsh[SHA256_HEX_LEN + 1], rdm[SHA256_HEX_LEN + 1];
	char *meta = NULL, *name;
	int ret = texts(o, in, top, &run, &readme);

	if (ret)
		goto out;
	meta = metadata(o, in, top, &run, &readme, msha);
	sha256_buf(run.buf, run.len, rsh);
	sha256_buf(readme.buf, readme.len, rdm);
	strbuf_addf(&sums, "%s  vmlinux\n%s  rootfs.img\n%s  run.sh\n%s  README\n%s  metadata.json\n",
		    in->ksha, in->rsha, rsh, rdm, msha);
	ret = bar_create(tmp, bundle_epoch(in), &w);
#define NAME(n) (free(name), name = xasprintf("%s/%s", top, n))
	name = xasprintf("%s/", top);
	if (!ret)
		ret = bar_add_dir(w, name);
	if (!ret)
		ret = bar_add_buf(w, NAME("README"), readme.buf, readme.len, 0644);
	if (!ret)
		ret = bar_add_buf(w, NAME("run.sh"), run.buf, run.len, 0755);
	if (!ret)
		ret = bar_add_buf(w, NAME("metadata.json"), meta, strlen(meta), 0644);
	if (!ret)
		ret = bar_add_buf(w, NAME("SHA256SUMS"), sums.buf, sums.len, 0644);
	if (!ret)
		ret = bar_add_file(w, NAME("vmlinux"), in->vmlinux, 0755);
	if (!ret)
		ret = bar_add_file(w, NAME("rootfs.img"), o->rootfs, 0644);
#undef NAME
	free(name);
	if (!ret) {
		ret = bar_close(w);
		w = NULL;
	}
out:
	bar_abort(w);
	free(meta);
	strbuf_release(&run);
	strbuf_release(&readme);
	strbuf_release(&sums);
	return ret;
}

static void inputs_release(struct inputs *in)
{
	manifest_free(in->kmeta);
	manifest_free(in->rmeta);
	free(in->vmlinux);
	free(in->rjson);
}

int bundle_make(const struct bundle_opts *o)
{
	struct inputs in = { 0 };
	char *top = bundle_top_name(o->out), *tmp = NULL;
	int ret;

	if (!top)
		return error(-UKB_EUSAGE, "--out '%s' must name a NAME.tar.xz file", o->out);
	ret = check_kernel(o, &in);
	if (!ret)
		ret = check_rootfs(o, &in);
	if (!ret && is_dir(o->out))
		ret = error(-UKB_EUSAGE, "--out '%s' is a directory: name the bundle's file", o->out);
	if (ret)
		goto out;
	{
		char *parent = xstrdup(o->out), *slash = strrchr(parent, '/');

		if (slash && slash != parent) {
			*slash = '\0';
			mkdir_p(parent, 0755);  /* bar_create says what failed */
		}
		free(parent);
	}
	tmp = xasprintf("%s.tmp-%d", o->out, (int)getpid());
	tmp_register(tmp);
	info("bundling Linux %s (%s) and '%s' into '%s'", in.kversion, in.arch,
	     o->rootfs, o->out);
	ret = write_bundle(o, &in, top, tmp);
	if (!ret && rename(tmp, o->out) < 0) {
		error_errno(0, "cannot publish '%s'", o->out);
		ret = -UKB_EHOST;
	}
	if (ret)
		unlink(tmp);
	tmp_forget(tmp);
	if (!ret) {
		info("'%s': %llu bytes", o->out, file_size(o->out));
		printf("%s\n", o->out);
		fflush(stdout);
	}
out:
	inputs_release(&in);
	free(tmp);
	free(top);
	return ret;
}
