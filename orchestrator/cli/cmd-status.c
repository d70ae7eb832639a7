/* `umlkbuild status [NAME] [--json]`: exit 0 when all is well, 9 not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/wrapper.h"
#include "cli/cmd.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/status.h"
#include "base/banned.h"

static const struct opt status_opts[];

static int report(char **names, size_t nr, int json)
{
	struct deployment *ds = xcalloc(nr + 1, sizeof(*ds));
	struct deploy_status *ss = xcalloc(nr + 1, sizeof(*ss));
	const struct deployment **dp = xcalloc(nr + 1, sizeof(*dp));
	const struct deploy_status **sp = xcalloc(nr + 1, sizeof(*sp));
	struct strbuf out = STRBUF_INIT;
	size_t done = 0;
	int ret = 0, ok = 1;

	for (; done < nr; done++) {
		ret = deployment_load(&ds[done], names[done], 0);
		if (ret)
			break;
		status_collect(&ds[done], &ss[done]);
		ok &= ss[done].ok;
		dp[done] = &ds[done];
		sp[done] = &ss[done];
		if (!json)
			status_render(&ds[done], &ss[done], &out);
	}
	if (!ret && json) {
		char *text = status_json(dp, sp, nr);

		fputs(text, stdout);
		free(text);
	} else if (!ret) {
		if (!nr)
			strbuf_addstr(&out, "no deployments\n");
		fputs(out.buf, stdout);
	}
	if (!ret && !ok)
		ret = -UKB_EHOST;
	for (size_t i = 0; i <= done && i < nr; i++) {
		status_release(&ss[i]);
		deployment_release(&ds[i]);
	}
	free(ds);
	free(ss);
	free(dp);
	free(sp);
	strbuf_release(&out);
	return ret;
}

static int status_cmd(int argc, char **argv)
{
	char **names, *one[2] = { NULL, NULL };
	struct opt_parser p;
	int json = 0, ret;
	size_t nr = 0;

	opts_begin(&p, &cmd_status, argc, argv);
	while (opts_next(&p))
		json = 1;       /* --json, its only option */
	ret = opts_finish(&p, 1);
	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	if (optind < argc) {
		one[0] = argv[optind];
		ret = report(one, 1, json);
		return ret;
	}
	names = deployment_list();
	while (names[nr])
		nr++;
	ret = report(names, nr, json);
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return ret;
}

enum { O_JSON = 1 };

static const struct opt status_opts[] = {
	{ "json", O_JSON, 0, no_argument, NULL,
	  "the same as JSON on standard output, for scripts" },
	OPT_END,
};

const struct cmd cmd_status = {
	.name = "status",
	.fn = status_cmd,
	.help = "show the deployments' VMs, network and consoles (--json)",
	.usage = "usage: umlkbuild status [NAME] [--json]\n"
		 "\n"
		 "Each deployment (or NAME): the supervisor, the VM (pid, uptime,\n"
		 "restarts), the TAP, forwarding, the rules, the guest answering on the\n"
		 "first forwarded TCP port, the consoles. Exit 0 when every one is ok,\n"
		 "9 when one is not, 2 for an unknown NAME.\n"
		 "\noptions:\n",
	.opts = status_opts,
};
