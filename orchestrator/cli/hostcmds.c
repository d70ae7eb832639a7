#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "cli/cmd.h"
#include "cli/hostcmds.h"
#include "base/banned.h"

int hostcmd_parse_name(const struct cmd *cmd, int argc, char **argv,
		       int max_operands, const char **name)
{
	struct opt_parser p;
	int ret;

	opts_begin(&p, cmd, argc, argv);
	while (opts_next(&p))
		;
	ret = opts_finish(&p, max_operands);
	if (ret)
		return ret;
	if (optind >= argc) {
		error(-UKB_EUSAGE, "'umlkbuild %s' needs a deployment's name",
		      cmd->name);
		hint("'umlkbuild status' lists them");
		return -UKB_EUSAGE;
	}
	*name = argv[optind];
	return 0;
}

int hostcmd_need_root(const char *cmd)
{
	if (!geteuid())
		return 0;
	error(-UKB_EHOST, "'umlkbuild %s' needs root: it changes the host's "
	      "network and services", cmd);
	hint("run it as root (sudo umlkbuild %s ...)", cmd);
	return -UKB_EHOST;
}
