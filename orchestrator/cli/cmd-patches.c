/* `umlkbuild patches`: the patches a kernel version gets, and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/scope.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "cli/args.h"
#include "cli/cmd.h"
#include "source/patch.h"
#include "base/banned.h"

enum { O_VERSION = 1, O_ARCH };

static const struct opt patches_opts[] = {
	{ "version", O_VERSION, 0, required_argument, "X.Y[.Z]",
	  "the kernel version" },
	{ "arch", O_ARCH, 0, required_argument, "A",
	  "x86_64 (default) or i386" },
	OPT_END,
};

static int patches_cmd(int argc, char **argv)
{
	struct patch_series all = { 0 }, sel = { 0 };
	unsigned arch = ARCH_X86_64;
	const char *version = NULL, *why;
	struct kver v;
	char *dir;
	struct opt_parser p;
	int c, ret = 0;

	opts_begin(&p, &cmd_patches, argc, argv);
	while ((c = opts_next(&p))) {
		if (c == O_VERSION)
			version = p.arg;
		else
			p.ret = args_parse_arch(p.arg, &arch);
	}
	ret = opts_end(&p);
	if (ret == OPTS_DONE)
		return 0;
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

const struct cmd cmd_patches = {
	.name = "patches",
	.fn = patches_cmd,
	.help = "list the patches a kernel version gets, and why",
	.usage = "usage: umlkbuild patches --version X.Y[.Z] [--arch A]\n"
		 "\nList the patches umlkbuild applies to that kernel, and why.\n"
		 "\noptions:\n",
	.opts = patches_opts,
};
