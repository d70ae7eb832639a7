/* `umlkbuild undeploy NAME`: remove exactly what deploy and run added. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/opts.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/hostnet.h"
#include "host/service.h"
#include "host/supervise.h"
#include "base/banned.h"

#define STOP_WAIT_MS 60000

static const char undeploy_usage[] =
	"usage: umlkbuild undeploy NAME\n"
	"\nStops the service and the VM (halted through its mconsole), then\n"
	"removes the rules, the TAP, the service file, the state and NAME.conf.";

static const struct option opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int hostcmd_parse_name(int argc, char **argv, const char *usage,
		       const char **name)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			puts(usage);
			return 1;
		}
		return opts_error(c, argv);
	}
	if (optind >= argc) {
		error(-UKB_EUSAGE, "'umlkbuild %s' needs a deployment's name",
		      argv[0]);
		hint("'umlkbuild status' lists them");
		return -UKB_EUSAGE;
	}
	*name = argv[optind];
	return 0;
}

static int remove_files(const struct deployment *d)
{
	char *run = deployment_run_dir(d->net.name);
	char *conf = deployment_conf_path(d->net.name);
	int ret = rmtree(run);

	if (ret)
		ret = error(-UKB_EHOST, "cannot remove '%s': %s", run,
			    strerror(-ret));
	else if (unlink(conf) && errno != ENOENT)
		ret = error(-UKB_EHOST, "cannot remove '%s': %s", conf,
			    strerror(errno));
	free(run);
	free(conf);
	return ret;
}

int undeploy_cmd(int argc, char **argv)
{
	struct deployment d;
	const char *name = NULL;
	int ret = hostcmd_parse_name(argc, argv, undeploy_usage, &name);

	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind + 1 < argc)
		return error(-UKB_EUSAGE, "unexpected argument '%s'",
			     argv[optind + 1]);
	ret = hostcmd_need_root("undeploy");
	if (ret)
		return ret;
	ret = deployment_load(&d, name);
	if (ret)
		goto out;
	/* the service first, so its manager does not start it again */
	ret = service_remove(&d);
	if (!ret)
		ret = supervise_stop(name, STOP_WAIT_MS);
	if (!ret)
		ret = hostnet_down(&d.net, d.fw);
	if (!ret)
		ret = remove_files(&d);
	if (!ret)
		info("undeployed '%s'", name);
out:
	deployment_release(&d);
	return ret;
}
