/* `umlkbuild run NAME`: the supervisor, in the foreground. */
#include <stdio.h>

#include "base/errors.h"
#include "base/log.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/supervise.h"
#include "base/banned.h"

static int run_cmd(int argc, char **argv)
{
	struct deployment d;
	const char *name = NULL;
	int ret = hostcmd_parse_name(&cmd_run, argc, argv, 1, &name);

	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	ret = hostcmd_need_root("run");
	if (ret)
		return ret;
	ret = deployment_load(&d, name, 0);
	if (!ret)
		ret = deployment_check(&d);
	if (!ret)
		ret = supervise_run(&d);
	deployment_release(&d);
	return ret;
}

static const struct opt run_opts[] = { OPT_END };

const struct cmd cmd_run = {
	.name = "run",
	.fn = run_cmd,
	.help = "supervise a deployment's VM in the foreground (what the service runs)",
	.usage = "usage: umlkbuild run NAME\n"
		 "\n"
		 "The supervisor the service runs, in the foreground: makes the TAP and\n"
		 "the rules if they are missing, starts the VM, restarts it with backoff\n"
		 "when it ends, halts it cleanly on SIGTERM. One per deployment.\n",
	.opts = run_opts,
	.flags = CMD_POSIX,
};
