/* `umlkbuild [build] SOURCE [OPTIONS]`: the default command. */
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/scope.h"
#include "cli/args.h"
#include "cli/cmd.h"
#include "configure/configure.h"
#include "driver/build.h"
#include "source/settings.h"
#include "base/banned.h"

enum {
	O_TARBALL = 1, O_VERSION, O_GIT, O_REF, O_ARCH, O_OUT, O_PROFILE,
	O_TOOLCHAIN, O_LINK, O_FRAGMENT, O_KADD, O_JOBS, O_NO_CCACHE, O_DISTCC,
	O_NO_BOOT, O_SOURCE_ONLY, O_BOOT_TIMEOUT, O_MIRROR, O_KEYRING,
	O_NO_VERIFY, O_OFFLINE, O_CONFIG,
};

static const struct opt build_opts_table[] = {
	OPT_HEADING("source (one of):"),
	{ "tarball", O_TARBALL, 0, required_argument, "PATH",
	  "a kernel source tarball (.tar.xz, .tar.gz, .tar)" },
	{ "version", O_VERSION, 0, required_argument, "X.Y[.Z]",
	  "a kernel.org release, downloaded and verified" },
	{ "git", O_GIT, 0, required_argument, "URL",
	  "a git repository, with --ref" },
	{ "ref", O_REF, 0, required_argument, "REF",
	  "the tag, branch or commit of --git to build" },
	OPT_HEADING("options:"),
	{ "arch", O_ARCH, 0, required_argument, "ARCH",
	  "x86_64 (amd64, 64) or i386 (i686, 32); default x86_64" },
	{ "out", O_OUT, 0, required_argument, "DIR",
	  "where to publish (default linux-VERSION-um-ARCH)" },
	{ "profile", O_PROFILE, 0, required_argument, "NAME",
	  "defconfig (default) or minimal (tinyconfig-based)" },
	{ "toolchain", O_TOOLCHAIN, 0, required_argument, "NAME",
	  "toolchain profile (toolchain/profiles/NAME.ini; default gcc)" },
	{ "link", O_LINK, 0, required_argument, "KIND",
	  "static (default), or dynamic: needs this host's glibc" },
	{ "fragment", O_FRAGMENT, 0, required_argument, "FILE",
	  "merge a Kconfig fragment after the project's (repeatable)" },
	{ "kconfig-add", O_KADD, 0, required_argument, "LINE",
	  "merge one CONFIG_X=value line last (repeatable)" },
	{ "jobs", O_JOBS, 'j', required_argument, "N",
	  "parallel make jobs (default: online CPUs)" },
	{ "no-ccache", O_NO_CCACHE, 0, no_argument, NULL,
	  "compile without ccache" },
	{ "distcc", O_DISTCC, 0, required_argument, "HOSTS",
	  "compile through distcc on HOSTS (DISTCC_HOSTS syntax)" },
	{ "no-boot", O_NO_BOOT, 0, no_argument, NULL,
	  "skip the boot check (recorded in metadata.json)" },
	{ "source-only", O_SOURCE_ONLY, 0, no_argument, NULL,
	  "stop once the source is verified, unpacked and patched;\n"
	  "print the tree's path" },
	{ "boot-timeout", O_BOOT_TIMEOUT, 0, required_argument, "SECS",
	  "limit for the boot check (default 120)" },
	{ "mirror", O_MIRROR, 0, required_argument, "URL",
	  "kernel.org mirror (repeatable)" },
	{ "keyring", O_KEYRING, 0, required_argument, "FILE",
	  "trusted OpenPGP keys (repeatable)" },
	{ "no-verify", O_NO_VERIFY, 0, no_argument, NULL,
	  "do not check signatures (loud, recorded)" },
	{ "offline", O_OFFLINE, 0, no_argument, NULL, "use only the cache" },
	{ "config", O_CONFIG, 0, required_argument, "FILE",
	  "read this INI file after the system and user ones" },
	OPT_END,
};

struct build_args {
	struct build_opts o;
	const char *config_file;
	int sources;
};

static int take(struct build_args *a, int c, const char *arg)
{
	struct build_opts *o = &a->o;

	switch (c) {
	case O_TARBALL: o->tarball = arg; a->sources++; return 0;
	case O_VERSION: o->version = arg; a->sources++; return 0;
	case O_GIT: o->git_url = arg; a->sources++; return 0;
	case O_REF: o->git_ref = arg; return 0;
	case O_ARCH: return args_parse_arch(arg, &o->arch);
	case O_OUT: o->out = arg; return 0;
	case O_PROFILE:
		o->profile = arg;
		if (!configure_valid_profile(arg))
			return error(-UKB_EUSAGE,
				     "unknown profile '%s': use defconfig or minimal",
				     arg);
		return 0;
	case O_FRAGMENT: strvec_push(&o->fragments, arg); return 0;
	case O_KADD: strvec_push(&o->kconfig_add, arg); return 0;
	case O_JOBS:
		o->jobs_explicit = 1;
		return opts_parse_count("--jobs", arg, 1024, &o->jobs);
	case O_NO_CCACHE: o->no_ccache = 1; return 0;
	case O_NO_BOOT: o->no_boot = 1; return 0;
	case O_BOOT_TIMEOUT:
		return opts_parse_count("--boot-timeout", arg, 86400,
					&o->boot_timeout);
	case O_MIRROR: strvec_push(&o->mirrors, arg); return 0;
	case O_KEYRING: strvec_push(&o->keyrings, arg); return 0;
	case O_NO_VERIFY: o->no_verify = 1; return 0;
	case O_OFFLINE: o->offline = 1; return 0;
	case O_CONFIG: a->config_file = arg; return 0;
	case O_TOOLCHAIN: o->toolchain = arg; return 0;
	case O_SOURCE_ONLY: o->source_only = 1; return 0;
	case O_DISTCC: o->distcc_hosts = arg; return 0;
	}
	/* O_LINK */
	if (!strcmp(arg, "static"))
		o->link = LINK_STATIC;
	else if (!strcmp(arg, "dynamic"))
		o->link = LINK_DYNAMIC;
	else
		return error(-UKB_EUSAGE, "unknown link '%s': use static or dynamic",
			     arg);
	return 0;
}

/* What the options cannot say one by one: one source, --git with --ref. */
static int check_args(const struct build_args *a)
{
	const struct build_opts *o = &a->o;

	if (a->sources != 1)
		return error(-UKB_EUSAGE, a->sources ?
			     "give only one of --tarball, --version and --git" :
			     "no kernel source: give --tarball PATH, --version X.Y[.Z] or --git URL --ref REF");
	if (o->version) {
		int ret = args_check_version(o->version, o->arch | o->link);

		if (ret)
			return ret;
	}
	if (o->git_url && !o->git_ref)
		return error(-UKB_EUSAGE, "--git needs --ref TAG|BRANCH|COMMIT");
	if (o->git_ref && !o->git_url)
		return error(-UKB_EUSAGE, "--ref goes with --git URL");
	return configure_check_inputs(o->fragments.v, o->kconfig_add.v);
}

static int build_cmd(int argc, char **argv)
{
	struct build_args a = { .config_file = NULL };
	struct ukb_settings cfg;
	struct opt_parser p;
	int c, ret;

	build_opts_init(&a.o);
	opts_begin(&p, &cmd_build, argc, argv);
	while ((c = opts_next(&p)))
		p.ret = take(&a, c, p.arg);
	ret = opts_finish(&p, 0);
	if (!ret)
		ret = check_args(&a);
	settings_init(&cfg);
	if (!ret)
		ret = settings_load(&cfg, a.config_file);
	if (!ret) {
		/* the command line replaces what the config files say */
		if (!a.o.mirrors.nr)
			strvec_pushv(&a.o.mirrors, cfg.mirrors.v);
		if (!a.o.keyrings.nr)
			strvec_pushv(&a.o.keyrings, cfg.keyrings.v);
		cache_set_default_root(cfg.cache_dir);
		if (a.o.no_verify)
			warning("--no-verify: the source's signatures will NOT be checked");
		ret = build_run(&a.o);
	}
	settings_release(&cfg);
	build_opts_release(&a.o);
	return ret == OPTS_DONE ? 0 : ret;
}

const struct cmd cmd_build = {
	.name = "build",
	.fn = build_cmd,
	.help = "build, check, boot and publish a UML kernel (the default)",
	.usage = "usage: umlkbuild [build] SOURCE [OPTIONS]\n",
	.opts = build_opts_table,
};
