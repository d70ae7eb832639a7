/* `umlkbuild fetch`: the fetch layer on its own, for scripts and tests. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/strvec.h"
#include "base/version.h"
#include "source/fetch.h"
#include "source/gitsrc.h"
#include "source/settings.h"
#include "base/banned.h"

static const char fetch_usage[] =
	"usage: umlkbuild fetch --version X.Y[.Z] [--mirror URL]... "
	"[--keyring FILE]...\n"
	"                       [--offline] [--no-verify] [COMMON]\n"
	"       umlkbuild fetch --git URL --ref REF --out DIR [COMMON]\n"
	"common: [--cache DIR] [--config FILE] [-q] [-v]";

/* --git: export ref's tree into out, print the commit id. */
static int fetch_git(const char *url, const char *ref, const char *out)
{
	struct git_export e;
	int ret;

	if (!ref || !out) {
		ret = error(-UKB_EUSAGE, "fetch: --git needs --ref REF and "
			    "--out DIR");
		hint("%s", fetch_usage);
		return ret;
	}
	ret = gitsrc_export(url, ref, out, &e);
	if (ret)
		return ret;
	printf("%s\n", e.commit);
	fflush(stdout);
	git_export_release(&e);
	return 0;
}

int fetch_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, 'V' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "cache", required_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "offline", no_argument, NULL, 'o' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "git", required_argument, NULL, 'g' },
		{ "ref", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct strvec mirrors = STRVEC_INIT, keyrings = STRVEC_INIT;
	struct ukb_settings cfg;
	struct fetch_opts o = { 0 };
	struct fetched f = { 0 };
	const char *version = NULL, *cache = NULL, *config = NULL, *why;
	const char *git = NULL, *ref = NULL, *outdir = NULL;
	struct kver v;
	int c, ret = 0;

	settings_init(&cfg);
	optind = 0;     /* main may have run getopt already */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'V': version = optarg; break;
		case 'm': strvec_push(&mirrors, optarg); break;
		case 'k': strvec_push(&keyrings, optarg); break;
		case 'C': cache = optarg; break;
		case 'c': config = optarg; break;
		case 'o': o.offline = 1; break;
		case 'n': o.no_verify = 1; break;
		case 'g': git = optarg; break;
		case 'r': ref = optarg; break;
		case 'O': outdir = optarg; break;
		case 'q': log_set_verbosity(LOG_QUIET); break;
		case 'v': log_set_verbosity(LOG_VERBOSE); break;
		case 'h':
			puts(fetch_usage);
			goto out;
		default:
			ret = opts_error(c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		ret = error(-UKB_EUSAGE, "fetch: unexpected argument '%s'",
			    argv[optind]);
		goto out;
	}
	if (!version == !git) {
		ret = error(-UKB_EUSAGE, "fetch: give either --version or "
			    "--git");
		hint("%s", fetch_usage);
		goto out;
	}
	if (version && kver_parse(version, strlen(version), &v, &why)) {
		ret = error(-UKB_EUSAGE, "invalid version '%s': %s", version,
			    why ? why : "expected X.Y or X.Y.Z");
		goto out;
	}
	ret = settings_load(&cfg, config);
	if (ret)
		goto out;
	/* the command line replaces what the config files say */
	if (!mirrors.nr)
		strvec_pushv(&mirrors, cfg.mirrors.v);
	if (!keyrings.nr)
		strvec_pushv(&keyrings, cfg.keyrings.v);
	if (cache)
		cache_set_root(cache);
	else if (cfg.cache_dir && !cache_root_is_set())
		cache_set_root(cfg.cache_dir);
	if (git) {
		ret = fetch_git(git, ref, outdir);
		goto out;
	}
	o.mirrors = mirrors.v;
	o.nr_mirrors = mirrors.nr;
	o.keyrings = keyrings.v;
	o.nr_keyrings = keyrings.nr;

	ret = fetch_tarball(&v, &o, &f);
	if (ret)
		goto out;
	if (f.verified)
		info("'%s' is verified (sha256 %s, signed by %s)", f.path,
		     f.sha256, f.signer);
	printf("%s\n", f.path);
	fflush(stdout);
out:
	fetched_release(&f);
	settings_release(&cfg);
	strvec_clear(&mirrors);
	strvec_clear(&keyrings);
	return ret;
}
