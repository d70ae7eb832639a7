/* `umlkbuild undeploy NAME`: remove exactly what deploy and run added. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/wrapper.h"
#include "bundle/bundle.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/hostnet.h"
#include "host/service.h"
#include "host/supervise.h"
#include "base/banned.h"

#define STOP_WAIT_MS 60000

/* What deploy --bundle installed: the directory of the kernel and image
 * NAME.conf names, when they are the two files it puts there. */
static int remove_installed(const struct deployment *d)
{
	char *dir, *slash, *img;
	int ret = 0;

	if (!d->bundle || !d->kernel || !(slash = strrchr(d->kernel, '/')) ||
	    strcmp(slash, "/vmlinux"))
		return 0;
	dir = xstrndup(d->kernel, (size_t)(slash - d->kernel));
	img = xasprintf("%s/rootfs.img", dir);
	if (d->rootfs && !strcmp(d->rootfs, img))
		ret = bundle_uninstall(dir);
	free(img);
	free(dir);
	return ret;
}

static int remove_files(const struct deployment *d)
{
	char *run = deployment_run_dir(d->net.name);
	char *conf = deployment_conf_path(d->net.name);
	int ret = rmtree(run);

	if (ret) {
		error_errno(ret, "cannot remove '%s'", run);
		ret = -UKB_EHOST;
	} else if ((ret = remove_installed(d))) {
		;
	} else if (unlink(conf) && errno != ENOENT) {
		error_errno(0, "cannot remove '%s'", conf);
		ret = -UKB_EHOST;
	}
	free(run);
	free(conf);
	return ret;
}

static int undeploy_cmd(int argc, char **argv)
{
	struct deployment d;
	const char *name = NULL;
	int ret = hostcmd_parse_name(&cmd_undeploy, argc, argv, 1, &name);

	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	ret = hostcmd_need_root("undeploy");
	if (ret)
		return ret;
	ret = deployment_load(&d, name, DEPLOYMENT_INCOMPLETE);
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

static const struct opt undeploy_opts[] = { OPT_END };

const struct cmd cmd_undeploy = {
	.name = "undeploy",
	.fn = undeploy_cmd,
	.help = "remove a deployment: its service, VM, rules, TAP and files",
	.usage = "usage: umlkbuild undeploy NAME\n"
		 "\n"
		 "Stops the service and the VM (halted through its mconsole), then\n"
		 "removes the rules, the TAP, the service file, the state, the kernel and\n"
		 "image deploy --bundle installed, and NAME.conf.\n",
	.opts = undeploy_opts,
	.flags = CMD_POSIX,
};
