/* `umlkbuild status [NAME] [--json]`: exit 0 when all is well, 9 not. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/wrapper.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/status.h"
#include "base/banned.h"

static const char status_usage[] =
	"usage: umlkbuild status [NAME] [--json]\n"
	"\nEach deployment (or NAME): the supervisor, the VM (pid, uptime,\n"
	"restarts), the TAP, forwarding, the rules, the guest answering on the\n"
	"first forwarded TCP port, the consoles. Exit 0 when every one is ok,\n"
	"9 when one is not, 2 for an unknown NAME.";

static const struct option opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

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
		ret = deployment_load(&ds[done], names[done]);
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

int status_cmd(int argc, char **argv)
{
	char **names, *one[2] = { NULL, NULL };
	int c, json = 0, ret;
	size_t nr = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			puts(status_usage);
			return 0;
		} else {
			return opts_error(c, argv);
		}
	}
	if (optind + 1 < argc)
		return error(-UKB_EUSAGE, "unexpected argument '%s'",
			     argv[optind + 1]);
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
