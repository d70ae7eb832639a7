/* `umlkbuild reproduce METADATA.json`: rebuild and compare the sha256. */
#include "base/errors.h"
#include "base/strvec.h"
#include "cli/cmd.h"
#include "driver/reproduce.h"
#include "base/banned.h"

enum { O_OUT = 1, O_MIRROR, O_KEYRING };

static const struct opt reproduce_opts[] = {
	{ "out", O_OUT, 0, required_argument, "DIR",
	  "publish the rebuilt artifact here (default: a scratch dir)" },
	{ "mirror", O_MIRROR, 0, required_argument, "URL",
	  "kernel.org mirror (repeatable; default: the recorded one)" },
	{ "keyring", O_KEYRING, 0, required_argument, "FILE",
	  "trusted OpenPGP keys (repeatable)" },
	OPT_END,
};

static int reproduce_cmd(int argc, char **argv)
{
	struct strvec mirrors = STRVEC_INIT, keyrings = STRVEC_INIT;
	const char *out = NULL;
	struct opt_parser p;
	int c, ret;

	opts_begin(&p, &cmd_reproduce, argc, argv);
	while ((c = opts_next(&p))) {
		if (c == O_OUT)
			out = p.arg;
		else
			strvec_push(c == O_MIRROR ? &mirrors : &keyrings, p.arg);
	}
	ret = opts_end(&p);
	if (!ret && optind != argc - 1) {
		opts_usage(stderr, &cmd_reproduce);
		ret = -UKB_EUSAGE;
	}
	if (!ret)
		ret = reproduce_run(argv[optind], out, &mirrors, &keyrings);
	strvec_clear(&mirrors);
	strvec_clear(&keyrings);
	return ret == OPTS_DONE ? 0 : ret;
}

const struct cmd cmd_reproduce = {
	.name = "reproduce",
	.fn = reproduce_cmd,
	.help = "rebuild from a metadata.json and compare the sha256",
	.usage = "usage: umlkbuild reproduce [--out DIR] [--mirror URL] [--keyring FILE] METADATA.json\n"
		 "\nRebuild from the inputs a metadata.json records and compare the new\n"
		 "vmlinux's sha256 with the recorded one. Exit 0 when they match, 7 when\n"
		 "they differ.\n"
		 "\noptions:\n",
	.opts = reproduce_opts,
};
