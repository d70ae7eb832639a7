#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "build.h"
#include "bundle.h"
#include "cache.h"
#include "cli.h"
#include "config.h"
#include "configure.h"
#include "doctor.h"
#include "errors.h"
#include "explain.h"
#include "fetch.h"
#include "fsutil.h"
#include "kbuild.h"
#include "kconfig.h"
#include "log.h"
#include "manifest.h"
#include "matrix.h"
#include "patch.h"
#include "reproduce.h"
#include "rootfs.h"
#include "paths.h"
#include "source.h"
#include "wrapper.h"
#include "banned.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd commands[] = {
	{ "build", build_cmd, "build, check, boot and publish a UML kernel (the default)" },
	{ "fetch", fetch_cmd, "download and verify a kernel.org tarball into the cache" },
	{ "boot", boot_cmd, "boot a UML kernel and run the boot checks" },
	{ "check-config", check_config_cmd, "check a .config against the required symbols" },
	{ "explain", explain_cmd, "why a Kconfig symbol has its value, and what keeps it from another" },
	{ "patches", patches_cmd, "list the patches a kernel version gets, and why" },
	{ "reproduce", reproduce_cmd, "rebuild from a metadata.json and compare the sha256" },
	{ "matrix", matrix_cmd, "build a matrix of sources, arches and profiles; report it" },
	{ "rootfs", rootfs_cmd, "make the guest's root file system: a verified Alpine ext4 image" },
	{ "bundle", bundle_cmd, "pack a kernel and a rootfs image with run.sh into one verifiable tar.xz" },
	{ "doctor", doctor_cmd, "check that this host can run (with --build: build) a UML kernel" },
};

static void usage(FILE *f)
{
	fputs("usage: umlkbuild [-q|-v] [--cache DIR] [COMMAND] [OPTIONS]\n"
	      "       umlkbuild --tarball PATH|--version X.Y[.Z]|--git URL --ref REF [OPTIONS]\n"
	      "\ncommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
	fputs("\nRun 'umlkbuild COMMAND --help' for a command's options;\n"
	      "'man umlkbuild' documents everything, exit codes included.\n", f);
}

static void build_usage(FILE *f)
{
	fputs("usage: umlkbuild [build] SOURCE [OPTIONS]\n"
	      "\nsource (one of):\n"
	      "  --tarball PATH        a kernel source tarball (.tar.xz, .tar.gz, .tar)\n"
	      "  --version X.Y[.Z]     a kernel.org release, downloaded and verified\n"
	      "  --git URL --ref REF   a tag, branch or commit of a git repository\n"
	      "\noptions:\n"
	      "  --arch ARCH           x86_64 (amd64, 64) or i386 (i686, 32); default x86_64\n"
	      "  --out DIR             where to publish (default linux-VERSION-um-ARCH)\n"
	      "  --profile NAME        defconfig (default) or minimal (tinyconfig-based)\n"
	      "  --toolchain NAME      toolchain profile (toolchain/profiles/NAME.ini; default gcc)\n"
	      "  --link KIND           static (default), or dynamic: needs this host's glibc\n"
	      "  --fragment FILE       merge a Kconfig fragment after the project's (repeatable)\n"
	      "  --kconfig-add LINE    merge one CONFIG_X=value line last (repeatable)\n"
	      "  -j, --jobs N          parallel make jobs (default: online CPUs)\n"
	      "  --no-ccache           compile without ccache\n"
	      "  --distcc HOSTS        compile through distcc on HOSTS (DISTCC_HOSTS syntax)\n"
	      "  --no-boot             skip the boot check (recorded in metadata.json)\n"
	      "  --source-only         stop once the source is verified, unpacked and patched;\n"
	      "                        print the tree's path\n"
	      "  --boot-timeout SECS   limit for the boot check (default 120)\n"
	      "  --mirror URL          kernel.org mirror (repeatable)\n"
	      "  --keyring FILE        trusted OpenPGP keys (repeatable)\n"
	      "  --no-verify           do not check signatures (loud, recorded)\n"
	      "  --offline             use only the cache\n"
	      "  --config FILE         read this INI file after the system and user ones\n", f);
}

enum {
	OPT_TARBALL = 256, OPT_VERSION, OPT_GIT, OPT_REF, OPT_ARCH, OPT_OUT,
	OPT_PROFILE, OPT_FRAGMENT, OPT_KADD, OPT_NO_CCACHE, OPT_NO_BOOT,
	OPT_BOOT_TIMEOUT, OPT_MIRROR, OPT_KEYRING, OPT_NO_VERIFY, OPT_OFFLINE,
	OPT_CACHE, OPT_CONFIG, OPT_LINK, OPT_TOOLCHAIN, OPT_SOURCE_ONLY, OPT_DISTCC,
	OPT_JSON,
};

int cli_option_error(int c, char *const *argv)
{
	const char *word = argv[optind - 1];
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* a bad short option inside a cluster: name the letter */
	if (optopt && (!word || strncmp(word, "--", 2)))
		word = shortopt;
	if (c == ':')
		error(-UKB_EUSAGE, "option '%s' needs a value", word);
	else
		error(-UKB_EUSAGE, "unknown option '%s'", word);
	if (!strcmp(argv[0], "umlkbuild"))
		hint("see 'umlkbuild --help'");
	else
		hint("see 'umlkbuild %s --help'", argv[0]);
	return -UKB_EUSAGE;
}

int cli_parse_count(const char *opt, const char *s, int hi, int *out)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end || end == s || n < 1 || n > hi)
		return error(-UKB_EUSAGE, "%s wants a number from 1 to %d, not '%s'",
			     opt, hi, s);
	*out = (int)n;
	return 0;
}

static int parse_arch_opt(const char *s, unsigned *arch)
{
	if (kbuild_parse_arch(s, arch))
		return error(-UKB_EUSAGE,
			     "unknown arch '%s': use x86_64 (amd64, 64) or i386 (i686, 32)",
			     s);
	return 0;
}

static int parse_version_opt(const char *s, unsigned target)
{
	struct kver v;
	const char *why = NULL;

	if (kver_parse(s, strlen(s), &v, &why))
		return error(-UKB_EUSAGE, "invalid kernel version '%s': %s", s,
			     why);
	return source_check_supported(&v, target);
}

static void build_opts_release(struct build_opts *o)
{
	strvec_clear(&o->fragments);
	strvec_clear(&o->kconfig_add);
	strvec_clear(&o->mirrors);
	strvec_clear(&o->keyrings);
}

int build_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tarball", required_argument, NULL, OPT_TARBALL },
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "git", required_argument, NULL, OPT_GIT },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "fragment", required_argument, NULL, OPT_FRAGMENT },
		{ "kconfig-add", required_argument, NULL, OPT_KADD },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-ccache", no_argument, NULL, OPT_NO_CCACHE },
		{ "no-boot", no_argument, NULL, OPT_NO_BOOT },
		{ "boot-timeout", required_argument, NULL, OPT_BOOT_TIMEOUT },
		{ "mirror", required_argument, NULL, OPT_MIRROR },
		{ "keyring", required_argument, NULL, OPT_KEYRING },
		{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "link", required_argument, NULL, OPT_LINK },
		{ "toolchain", required_argument, NULL, OPT_TOOLCHAIN },
		{ "source-only", no_argument, NULL, OPT_SOURCE_ONLY },
		{ "distcc", required_argument, NULL, OPT_DISTCC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct build_opts o = { .arch = ARCH_X86_64, .link = LINK_STATIC,
				.profile = "defconfig", .boot_timeout = 120 };
	struct ukb_config cfg;
	const char *config_file = NULL;
	int c, ret = 0, sources = 0;

	o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o.jobs < 1)
		o.jobs = 1;
	optind = 1;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, ":j:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TARBALL:
			o.tarball = optarg;
			sources++;
			break;
		case OPT_VERSION:
			o.version = optarg;
			sources++;
			break;
		case OPT_GIT:
			o.git_url = optarg;
			sources++;
			break;
		case OPT_REF:
			o.git_ref = optarg;
			break;
		case OPT_ARCH:
			ret = parse_arch_opt(optarg, &o.arch);
			break;
		case OPT_OUT:
			o.out = optarg;
			break;
		case OPT_PROFILE:
			o.profile = optarg;
			if (!configure_valid_profile(optarg))
				ret = error(-UKB_EUSAGE,
					    "unknown profile '%s': use defconfig or minimal",
					    optarg);
			break;
		case OPT_FRAGMENT:
			strvec_push(&o.fragments, optarg);
			break;
		case OPT_KADD:
			strvec_push(&o.kconfig_add, optarg);
			break;
		case 'j':
			ret = cli_parse_count("--jobs", optarg, 1024, &o.jobs);
			o.jobs_explicit = 1;
			break;
		case OPT_NO_CCACHE:
			o.no_ccache = 1;
			break;
		case OPT_NO_BOOT:
			o.no_boot = 1;
			break;
		case OPT_BOOT_TIMEOUT:
			ret = cli_parse_count("--boot-timeout", optarg, 86400,
					      &o.boot_timeout);
			break;
		case OPT_MIRROR:
			strvec_push(&o.mirrors, optarg);
			break;
		case OPT_KEYRING:
			strvec_push(&o.keyrings, optarg);
			break;
		case OPT_NO_VERIFY:
			o.no_verify = 1;
			break;
		case OPT_OFFLINE:
			o.offline = 1;
			break;
		case OPT_CONFIG:
			config_file = optarg;
			break;
		case OPT_TOOLCHAIN:
			o.toolchain = optarg;
			break;
		case OPT_SOURCE_ONLY:
			o.source_only = 1;
			break;
		case OPT_DISTCC:
			o.distcc_hosts = optarg;
			break;
		case OPT_LINK:
			if (!strcmp(optarg, "static"))
				o.link = LINK_STATIC;
			else if (!strcmp(optarg, "dynamic"))
				o.link = LINK_DYNAMIC;
			else
				ret = error(-UKB_EUSAGE,
					    "unknown link '%s': use static or dynamic",
					    optarg);
			break;
		case 'h':
			build_usage(stdout);
			build_opts_release(&o);
			return 0;
		default:
			ret = cli_option_error(c, argv);
		}
	}
	if (!ret && optind < argc)
		ret = error(-UKB_EUSAGE, "unexpected argument '%s'", argv[optind]);
	if (!ret && sources != 1)
		ret = error(-UKB_EUSAGE, sources ? "give only one of --tarball, --version and --git" :
			    "no kernel source: give --tarball PATH, --version X.Y[.Z] or --git URL --ref REF");
	if (!ret && o.version)
		ret = parse_version_opt(o.version, o.arch | o.link);
	if (!ret && o.git_url && !o.git_ref)
		ret = error(-UKB_EUSAGE, "--git needs --ref TAG|BRANCH|COMMIT");
	if (!ret && o.git_ref && !o.git_url)
		ret = error(-UKB_EUSAGE, "--ref goes with --git URL");
	if (!ret)
		ret = configure_check_inputs(o.fragments.v, o.kconfig_add.v);
	config_init(&cfg);
	if (!ret)
		ret = config_load(&cfg, config_file);
	if (!ret) {
		/* the command line replaces what the config files say */
		if (!o.mirrors.nr)
			strvec_pushv(&o.mirrors, cfg.mirrors.v);
		if (!o.keyrings.nr)
			strvec_pushv(&o.keyrings, cfg.keyrings.v);
		if (cfg.cache_dir && !cache_root_is_set())
			cache_set_root(cfg.cache_dir);
		if (o.no_verify)
			warning("--no-verify: the source's signatures will NOT be checked");
		ret = build_run(&o);
	}
	config_release(&cfg);
	build_opts_release(&o);
	return ret;
}

/* check-config --json: one document, the verdicts in the report's order. */
static void print_check_json(const char *file, const struct kver *v,
			     unsigned arch, const struct kc_report *rep)
{
	struct manifest *m = manifest_new();
	char ver[48], *text;

	kver_format(v, ver, sizeof(ver));
	manifest_set_str(m, "config", file);
	manifest_set_str(m, "version", ver);
	manifest_set_str(m, "arch", kbuild_arch_name(arch));
	manifest_set_bool(m, "ok", !rep->required_failed);
	manifest_set_int(m, "required_failed", (long long)rep->required_failed);
	manifest_set_int(m, "warnings", (long long)rep->warnings);
	manifest_pack(m, "symbols", "[]");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct kc_result *r = &rep->r[i];

		manifest_append(m, "symbols", "{s:s, s:b, s:s, s:s?, s:b, s:s, s:i}",
				"name", r->name, "required", r->required,
				"requested", r->requested, "actual", r->actual,
				"ok", r->ok, "file", r->file, "line", (int)r->line);
	}
	text = manifest_dumps(m);
	if (text)
		fputs(text, stdout);
	free(text);
	manifest_free(m);
}

int check_config_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "fragment", required_argument, NULL, OPT_FRAGMENT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kver v = { 6, 1, 0, 0 };
	unsigned arch = ARCH_X86_64;
	struct strvec frags = STRVEC_INIT;
	struct kc_set config = KC_SET_INIT, requested = KC_SET_INIT;
	struct kc_required req = { 0 };
	struct kc_report rep = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *why, *file;
	int c, ret = 0, have_version = 0, have_arch = 0, json = 0;

	optind = 1;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_VERSION:
			if (kver_parse(optarg, strlen(optarg), &v, &why))
				ret = error(-UKB_EUSAGE, "invalid kernel version '%s': %s",
					    optarg, why);
			have_version = 1;
			break;
		case OPT_ARCH:
			ret = parse_arch_opt(optarg, &arch);
			have_arch = 1;
			break;
		case OPT_FRAGMENT:
			strvec_push(&frags, optarg);
			break;
		case 'h':
			puts("usage: umlkbuild check-config [--version V] [--arch A] [--fragment F]... [--json] CONFIG\n"
			     "\nCheck a .config against kconfig-fragments/required.list (and the\n"
			     "given fragments, as warnings). Exit 5 when a required symbol fails.\n"
			     "--json prints the verdicts as one JSON document.");
			goto out;
		default:
			ret = cli_option_error(c, argv);
		}
	}
	if (!ret && optind != argc - 1)
		ret = error(-UKB_EUSAGE, "check-config takes one .config file");
	if (ret)
		goto out;
	file = argv[optind];
	ret = read_input_file(&sb, file, UKB_INPUT_MAX, ".config");
	if (ret)
		goto out;
	kc_parse_config(&config, file, sb.buf, sb.len);
	why = kc_not_config(sb.buf, sb.len, &config);
	if (why) {
		ret = error(-UKB_EUSAGE, "'%s' is not a Kconfig .config: %s",
			    file, why);
		goto out;
	}
	if (!have_arch) {
		/* a UML .config says which sub-arch it was made for */
		const struct kc_entry *e32 = kc_find(&config, "CONFIG_X86_32");

		if (e32 && !strcmp(e32->value, "y"))
			arch = ARCH_I386;
	}
	if (!have_version) {
		/* "# Linux/um 6.1.192 Kernel Configuration" */
		const char *p = strstr(sb.buf, "# Linux/");

		if (p && (p = strchr(p + 8, ' ')) && p[1]) {
			const char *e = strchr(p + 1, ' ');

			if (e && !kver_parse(p + 1, (size_t)(e - p - 1), &v, NULL))
				have_version = 1;
		}
		if (!have_version)
			warning("'%s' names no kernel version; checking as 6.1 (use --version)",
				file);
	}
	for (size_t i = 0; i < frags.nr && !ret; i++) {
		struct strbuf fb = STRBUF_INIT;
		struct kc_set f = KC_SET_INIT;

		ret = read_input_file(&fb, frags.v[i], UKB_INPUT_MAX,
				      "fragment");
		if (!ret)
			ret = kc_parse_fragment(&f, frags.v[i], fb.buf, fb.len, NULL);
		if (!ret)
			kc_merge(&requested, &f);
		kc_set_release(&f);
		strbuf_release(&fb);
	}
	if (!ret)
		ret = configure_required(&req);
	if (ret)
		goto out;
	ret = kc_check(&config, &req, &requested, &v, arch, &rep);
	if (json) {
		print_check_json(file, &v, arch, &rep);
		goto out;
	}
	for (size_t i = 0; i < rep.nr; i++)
		printf("%s %s=%s%s%s\n", rep.r[i].ok ? "ok  " :
		       rep.r[i].required ? "FAIL" : "warn", rep.r[i].name,
		       rep.r[i].actual ? rep.r[i].actual : "(absent)",
		       rep.r[i].ok ? "" : " wanted ",
		       rep.r[i].ok ? "" : rep.r[i].requested);
out:
	kc_report_release(&rep);
	kc_required_release(&req);
	kc_set_release(&config);
	kc_set_release(&requested);
	strvec_clear(&frags);
	strbuf_release(&sb);
	return ret;
}

int patches_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct patch_series all = { 0 }, sel = { 0 };
	unsigned arch = ARCH_X86_64;
	const char *version = NULL, *why;
	struct kver v;
	char *dir;
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_VERSION:
			version = optarg;
			break;
		case OPT_ARCH:
			ret = parse_arch_opt(optarg, &arch);
			break;
		case 'h':
			puts("usage: umlkbuild patches --version X.Y[.Z] [--arch A]\n"
			     "\nList the patches umlkbuild applies to that kernel, and why.");
			return 0;
		default:
			return cli_option_error(c, argv);
		}
	}
	if (ret)
		return ret;
	if (!version)
		return error(-UKB_EUSAGE, "patches needs --version X.Y[.Z]");
	if (kver_parse(version, strlen(version), &v, &why))
		return error(-UKB_EUSAGE, "invalid kernel version '%s': %s",
			     version, why);
	dir = ukb_data_path("patches");
	ret = patch_series_load(dir, &all);
	free(dir);
	if (ret)
		return ret;
	patch_series_select(&all, &v, arch, &sel);
	for (size_t i = 0; i < sel.nr; i++) {
		struct strbuf range = STRBUF_INIT;

		for (size_t r = 0; r < sel.p[i].nr_ranges; r++) {
			char one[80];

			kver_range_format(&sel.p[i].ranges[r], one, sizeof(one));
			strbuf_addf(&range, "%s%s", r ? ", " : "", one);
		}
		printf("%s\n  subject:  %s\n  origin:   %s\n  versions: %s\n"
		       "  verified: %s\n", sel.p[i].name, sel.p[i].subject,
		       sel.p[i].origin, range.buf,
		       sel.p[i].verified && *sel.p[i].verified ?
		       sel.p[i].verified : "not stated");
		strbuf_release(&range);
	}
	if (!sel.nr)
		printf("no patches for %s\n", version);
	patch_series_release(&sel);
	patch_series_release(&all);
	return 0;
}

/*
 * No option or argument of umlkbuild's is ever legitimately empty, and an
 * empty path means the current directory to most calls ('--cache ""'
 * would make it the cache): refuse any, for every command, here.
 */
static int refuse_empty_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *eq = !strncmp(argv[i], "--", 2) ? strchr(argv[i], '=') : NULL;

		if (eq && !eq[1])
			return error(-UKB_EUSAGE, "option '%.*s' wants a value, not an empty string",
				     (int)(eq - argv[i]), argv[i]);
		if (argv[i][0])
			continue;
		if (i > 1 && argv[i - 1][0] == '-' && strcmp(argv[i - 1], "--"))
			return error(-UKB_EUSAGE, "option '%s' wants a value, not an empty string",
				     argv[i - 1]);
		return error(-UKB_EUSAGE, "argument %d is an empty string", i);
	}
	return 0;
}

int cli_run(int argc, char **argv)
{
	int i = 1;

	if (refuse_empty_args(argc, argv))
		return -UKB_EUSAGE;

	/* global options come before the command */
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			log_set_verbosity(LOG_QUIET);
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			log_set_verbosity(LOG_VERBOSE);
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache_set_root(argv[++i]);
		} else if (!strncmp(argv[i], "--cache=", 8)) {
			cache_set_root(argv[i] + 8);
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version") && i + 1 >= argc) {
			printf("umlkbuild %s\n", UKB_VERSION);
			return 0;
		} else {
			break;
		}
	}
	if (i < argc && argv[i][0] != '-') {
		for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
			if (!strcmp(argv[i], commands[k].name))
				return commands[k].fn(argc - i, argv + i);
		error(-UKB_EUSAGE, "'%s' is not a umlkbuild command", argv[i]);
		hint("run 'umlkbuild --help' for the list");
		return -UKB_EUSAGE;
	}
	/* the default command is build; argv[i - 1] stands in for its name */
	if (i >= argc) {
		usage(stderr);
		return -UKB_EUSAGE;
	}
	argv[i - 1] = (char *)"umlkbuild";
	return build_cmd(argc - i + 1, argv + i - 1);
}
