/* `umlkbuild fetch`: the fetch layer on its own, for scripts and tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/strvec.h"
#include "base/version.h"
#include "cli/cmd.h"
#include "source/fetch.h"
#include "source/gitsrc.h"
#include "source/settings.h"
#include "base/banned.h"

static const char fetch_usage[] =
	"usage: umlkbuild fetch --version X.Y[.Z] [--mirror URL]... "
	"[--keyring FILE]...\n"
	"                       [--offline] [--no-verify] [COMMON]\n"
	"       umlkbuild fetch --git URL --ref REF --out DIR [COMMON]\n"
	"common: [--cache DIR] [--config FILE] [-q] [-v]\n";

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

static const struct opt fetch_opts[];

/* Long on purpose: the options, then the git or the tarball source, each read once in order with one cleanup. */
static int fetch_cmd(int argc, char **argv)
{
	struct strvec mirrors = STRVEC_INIT, keyrings = STRVEC_INIT;
	struct ukb_settings cfg;
	struct fetch_opts o = { 0 };
	struct fetched f = { 0 };
	const char *version = NULL, *cache = NULL, *config = NULL, *why;
	const char *git = NULL, *ref = NULL, *outdir = NULL;
	struct kver v;
	struct opt_parser p;
	int c, ret = 0;

	settings_init(&cfg);
	opts_begin(&p, &cmd_fetch, argc, argv);
	while ((c = opts_next(&p))) {
		switch (c) {
		case 'V': version = p.arg; break;
		case 'm': strvec_push(&mirrors, p.arg); break;
		case 'k': strvec_push(&keyrings, p.arg); break;
		case 'C': cache = p.arg; break;
		case 'c': config = p.arg; break;
		case 'o': o.offline = 1; break;
		case 'n': o.no_verify = 1; break;
		case 'g': git = p.arg; break;
		case 'r': ref = p.arg; break;
		case 'O': outdir = p.arg; break;
		case 'q': log_set_verbosity(LOG_QUIET); break;
		case 'v': log_set_verbosity(LOG_VERBOSE); break;
		}
	}
	ret = opts_finish(&p, 0);
	if (ret) {
		if (ret == OPTS_DONE)
			ret = 0;
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
	cache_set_default_root(cfg.cache_dir);
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

static const struct opt fetch_opts[] = {
	{ "version", 'V', 0, required_argument, "X.Y[.Z]",
	  "the kernel.org release to download and verify" },
	{ "mirror", 'm', 0, required_argument, "URL",
	  "kernel.org mirror (repeatable)" },
	{ "keyring", 'k', 0, required_argument, "FILE",
	  "trusted OpenPGP keys (repeatable)" },
	{ "offline", 'o', 0, no_argument, NULL, "use only the cache" },
	{ "no-verify", 'n', 0, no_argument, NULL,
	  "do not check signatures (loud)" },
	{ "git", 'g', 0, required_argument, "URL",
	  "a git repository: export --ref's tree into --out" },
	{ "ref", 'r', 0, required_argument, "REF",
	  "the tag, branch or commit of --git" },
	{ "out", 'O', 0, required_argument, "DIR",
	  "where --git exports the tree" },
	{ "cache", 'C', 0, required_argument, "DIR",
	  "the cache directory" },
	{ "config", 'c', 0, required_argument, "FILE",
	  "read this INI file after the system and user ones" },
	{ "quiet", 'q', 'q', no_argument, NULL, "only errors" },
	{ "verbose", 'v', 'v', no_argument, NULL, "say more" },
	OPT_END,
};

const struct cmd cmd_fetch = {
	.name = "fetch",
	.fn = fetch_cmd,
	.help = "download and verify a kernel.org tarball into the cache",
	.usage = fetch_usage,
	.opts = fetch_opts,
};
