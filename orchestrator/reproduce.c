#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "cache.h"
#include "cli.h"
#include "errors.h"
#include "fsutil.h"
#include "kbuild.h"
#include "kconfig.h"
#include "log.h"
#include "manifest.h"
#include "reproduce.h"
#include "sha256.h"
#include "sigchain.h"
#include "strbuf.h"
#include "wrapper.h"
#include "banned.h"

static void usage(FILE *f)
{
	fputs("usage: umlkbuild reproduce [--out DIR] [--mirror URL] [--keyring FILE] METADATA.json\n"
	      "\nRebuild from the inputs a metadata.json records and compare the new\n"
	      "vmlinux's sha256 with the recorded one. Exit 0 when they match, 7 when\n"
	      "they differ.\n", f);
}

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

/* Write each recorded user fragment back to dir, checking its hash. */
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

		if (!file || !sha)
			continue;
		if (!manifest_array_bool(m, "build.kconfig", i, "user", 0)) {
			/* the project's own: must be unchanged to reproduce */
			if (hash_input(file, hex) || strcmp(hex, sha))
				warning("the project's fragment '%s' differs from the one recorded",
					file);
			continue;
		}
		if (!text)
			return error(-UKB_EUSAGE,
				     "the metadata lacks the content of fragment '%s'", file);
		sha256_buf(text, strlen(text), hex);
		if (strcmp(hex, sha))
			return error(-UKB_EUSAGE,
				     "the recorded content of fragment '%s' does not match its sha256",
				     file);
		path = xasprintf("%s/%zu-%s", dir, i, strrchr(file, '/') ?
				 strrchr(file, '/') + 1 : file);
		ret = write_file_atomic(path, text, strlen(text), 0644);
		if (!ret)
			strvec_push(&o->fragments, path);
		free(path);
		if (ret)
			return error(ret, "cannot write '%s': %s", dir,
				     ukb_strerror(ret));
	}
	return 0;
}

static int setup(const struct manifest *m, struct build_opts *o,
		 const char *fragdir)
{
	const char *kind = manifest_get_str(m, "source.kind");
	const char *arch = manifest_get_str(m, "build.subarch");
	const char *link = manifest_get_str(m, "build.link");
	const char *profile = manifest_get_str(m, "build.profile");
	const char *skip = manifest_get_str(m, "results.boot.skip_reason");
	size_t n;

	if (!kind || !arch || !profile)
		return error(-UKB_EUSAGE,
			     "the metadata lacks source.kind, build.subarch or build.profile");
	if (!strcmp(kind, "tarball")) {
		o->tarball = manifest_get_str(m, "source.tarball");
	} else if (!strcmp(kind, "kernel.org")) {
		const char *url = manifest_get_str(m, "source.url");
		char *mirror = url ? mirror_of(url) : NULL;

		o->version = manifest_get_str(m, "source.kernelversion");
		if (mirror && !o->mirrors.nr)
			strvec_push(&o->mirrors, mirror);
		free(mirror);
	} else if (!strcmp(kind, "git")) {
		o->git_url = manifest_get_str(m, "source.url");
		o->git_ref = manifest_get_str(m, "source.commit");
	}
	if (!o->tarball && !o->version && !(o->git_url && o->git_ref))
		return error(-UKB_EUSAGE, "the metadata names no usable source");
	if (kbuild_parse_arch(arch, &o->arch))
		return error(-UKB_EUSAGE, "unknown arch '%s' in the metadata", arch);
	o->link = link && !strcmp(link, "dynamic") ? LINK_DYNAMIC : LINK_STATIC;
	o->profile = profile;
	o->toolchain = manifest_get_str(m, "build.toolchain.name");
	o->no_boot = skip && !strcmp(skip, "--no-boot");
	n = manifest_array_size(m, "build.kconfig_add");
	for (size_t i = 0; i < n; i++)
		strvec_push(&o->kconfig_add,
			    manifest_array_str(m, "build.kconfig_add", i, NULL));
	return restore_fragments(m, fragdir, o);
}

int reproduce_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct build_opts o = { .boot_timeout = 120 };
	struct manifest *m = NULL;
	const char *out_opt = NULL, *want;
	char *work = NULL, *out = NULL, *vmlinux = NULL;
	char have[SHA256_HEX_LEN + 1];
	int c, ret = 0;

	o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o.jobs < 1)
		o.jobs = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_opt = optarg;
			break;
		case 'm':
			strvec_push(&o.mirrors, optarg);
			break;
		case 'k':
			strvec_push(&o.keyrings, optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_option_error(c, argv);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -UKB_EUSAGE;
	}
	m = manifest_load(argv[optind]);
	if (!m)
		return -UKB_EUSAGE;
	want = manifest_get_str(m, "vmlinux.sha256");
	if (!want || !sha256_is_hex(want, strlen(want))) {
		ret = error(-UKB_EUSAGE, "'%s' records no vmlinux sha256", argv[optind]);
		goto out;
	}
	work = cache_dir("reproduce");
	if (!work) {
		ret = -UKB_EHOST;
		goto out;
	}
	free(work);
	work = xasprintf("%s/reproduce/%ld", cache_root(), (long)getpid());
	rmtree(work);
	ret = mkdir_p(work, 0755);
	if (ret) {
		ret = error(-UKB_EHOST, "cannot create '%s': %s", work,
			    ukb_strerror(ret));
		goto out;
	}
	tmp_register(work);
	ret = setup(m, &o, work);
	if (ret)
		goto out;
	out = out_opt ? xstrdup(out_opt) : path_join(work, "artifact");
	o.out = out;
	o.out_in_cache = !out_opt;
	info("rebuilding from '%s'", argv[optind]);
	ret = build_run(&o);
	if (ret)
		goto out;
	vmlinux = path_join(out, "vmlinux");
	ret = sha256_file(vmlinux, have);
	if (ret) {
		ret = error(ret, "cannot read '%s': %s", vmlinux, ukb_strerror(ret));
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
	strvec_clear(&o.fragments);
	strvec_clear(&o.kconfig_add);
	strvec_clear(&o.mirrors);
	strvec_clear(&o.keyrings);
	free(work);
	free(out);
	free(vmlinux);
	return ret;
}
