/* `umlkbuild deploy`: the TAP, the rules, the service; or --dry-run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/firewall.h"
#include "host/hostnet.h"
#include "host/service.h"
#include "host/supervise.h"
#include "rootfs/rootfsopt.h"
#include "base/banned.h"

static const char deploy_usage[] =
	"usage: umlkbuild deploy --kernel VMLINUX --rootfs IMG [--name bbr] "
	"[--mem 256m] [--tap tap0]\n"
	"                        [--host-ip 10.0.0.1/24] [--guest-ip 10.0.0.2]\n"
	"                        [--forward tcp:10000-20000]... "
	"[--forward udp:10221]... [--forward all]\n"
	"                        [--reserve tcp:22]... [--wan-if IF|auto]\n"
	"                        [--firewall auto|nft|iptables|iptables-legacy]\n"
	"                        [--service auto|systemd|sysv|none] [--dry-run]\n"
	"\nWithout --forward, tcp:10000-20000 and udp:10000-20000 (the seeds').\n"
	"--reserve replaces the default reserved tcp:22.";

int hostcmd_need_root(const char *cmd)
{
	if (!geteuid())
		return 0;
	error(-UKB_EHOST, "'umlkbuild %s' needs root: it changes the host's "
	      "network and services", cmd);
	hint("run it as root (sudo umlkbuild %s ...)", cmd);
	return -UKB_EHOST;
}

enum {
	OPT_KERNEL = 256, OPT_ROOTFS, OPT_NAME, OPT_MEM, OPT_TAP, OPT_HOST_IP,
	OPT_GUEST_IP, OPT_FORWARD, OPT_RESERVE, OPT_WAN_IF, OPT_FIREWALL,
	OPT_SERVICE, OPT_DRY_RUN,
};

static const struct option opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "tap", required_argument, NULL, OPT_TAP },
	{ "host-ip", required_argument, NULL, OPT_HOST_IP },
	{ "guest-ip", required_argument, NULL, OPT_GUEST_IP },
	{ "forward", required_argument, NULL, OPT_FORWARD },
	{ "reserve", required_argument, NULL, OPT_RESERVE },
	{ "wan-if", required_argument, NULL, OPT_WAN_IF },
	{ "firewall", required_argument, NULL, OPT_FIREWALL },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *name, *kernel, *rootfs, *mem, *tap, *host_ip, *guest_ip;
	const char *wan_if, *firewall, *service;
	struct strvec fwd, reserve;
	int dry_run;
};

static int bad(const char *opt, const char *val, const char *why)
{
	return error(-UKB_EUSAGE, "invalid %s '%s': %s", opt, val, why);
}

static int add_ports(const char *opt, const char *s, struct port_range **v,
		     size_t *nr)
{
	struct port_range r;
	const char *why;

	if (netspec_parse_ports(s, &r, &why))
		return bad(opt, s, why);
	*v = xrealloc(*v, (*nr + 1) * sizeof(**v));
	(*v)[(*nr)++] = r;
	return 0;
}

/* The values into d, each checked as it comes: the first problem wins. */
static int fill(const struct args *a, struct deployment *d)
{
	struct netspec *n = &d->net;
	const char *why;
	int ret = 0;

	if (netspec_check_name(a->name, &why))
		return bad("--name", a->name, why);
	deployment_init(d, a->name);
	if (a->tap) {
		if (netspec_check_ifname(a->tap, &why))
			return bad("--tap", a->tap, why);
		free(n->tap);
		n->tap = xstrdup(a->tap);
	}
	if (a->wan_if && strcmp(a->wan_if, "auto")) {
		if (netspec_check_ifname(a->wan_if, &why))
			return bad("--wan-if", a->wan_if, why);
		n->wan_if = xstrdup(a->wan_if);
	}
	if (a->host_ip && rootfs_parse_cidr(a->host_ip, &n->host_ip,
					    &n->prefix, &why))
		return bad("--host-ip", a->host_ip, why);
	if (a->guest_ip && rootfs_parse_ip(a->guest_ip, &n->guest_ip, &why))
		return bad("--guest-ip", a->guest_ip, why);
	if (!a->fwd.nr) {
		add_ports("--forward", "tcp:10000-20000", &n->fwd, &n->nr_fwd);
		add_ports("--forward", "udp:10000-20000", &n->fwd, &n->nr_fwd);
	}
	for (size_t i = 0; !ret && i < a->fwd.nr; i++)
		ret = add_ports("--forward", a->fwd.v[i], &n->fwd, &n->nr_fwd);
	if (a->reserve.nr)
		n->nr_reserve = 0;
	for (size_t i = 0; !ret && i < a->reserve.nr; i++)
		ret = add_ports("--reserve", a->reserve.v[i], &n->reserve,
				&n->nr_reserve);
	if (ret)
		return ret;
	if (fw_parse_backend(a->firewall, &d->fw))
		return bad("--firewall", a->firewall,
			   "expected auto, nft, iptables or iptables-legacy");
	if (service_parse_kind(a->service, &d->service))
		return bad("--service", a->service,
			   "expected auto, systemd, sysv or none");
	free(d->mem);
	d->mem = xstrdup(a->mem);
	d->kernel = a->kernel ? path_absolute(a->kernel) : NULL;
	d->rootfs = a->rootfs ? path_absolute(a->rootfs) : NULL;
	return deployment_check(d);
}

static int dry_run(struct deployment *d)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	struct hostnet_status st = { 0 };
	char *exe = service_self_exe(), *path = service_path(d);
	char *run = deployment_run_dir(d->net.name), *line;
	const char *wan = d->net.wan_if;
	int ret;

	if (!wan && !hostnet_status(&d->net, d->fw, &st) && st.wan_if[0])
		wan = st.wan_if;
	ret = fw_render(&d->net, wan ? wan : "WAN_IF", d->fw, &sb);
	if (ret)
		goto out;
	printf("# the rules (%s), applied in one transaction\n%s",
	       fw_backend_name(d->fw), sb.buf);
	strbuf_reset(&sb);
	if (d->service == SVC_SYSTEMD)
		service_render_unit(d, exe, &sb);
	else if (d->service == SVC_SYSV)
		service_render_sysv(d, exe, &sb);
	if (path)
		printf("\n# %s\n%s", path, sb.buf);
	supervise_vm_argv(d, run, &argv);
	line = strvec_join(&argv, " ");
	printf("\n# the VM, as `umlkbuild run %s` starts it\n%s\n",
	       d->net.name, line);
	free(line);
out:
	strbuf_release(&sb);
	strvec_clear(&argv);
	free(exe);
	free(path);
	free(run);
	return ret;
}

/* 1: deployed already with these settings; 0: new; <0: refused. */
static int compare_existing(const struct deployment *d)
{
	char *conf = deployment_conf_path(d->net.name);
	struct deployment old;
	int ret = 0;

	if (path_exists(conf)) {
		ret = deployment_load(&old, d->net.name);
		if (!ret && deployment_same(&old, d)) {
			ret = 1;
		} else if (!ret) {
			ret = error(-UKB_EUSAGE, "deployment '%s' exists with "
				    "other settings ('%s')", d->net.name, conf);
			hint("'umlkbuild undeploy %s' first, or choose another "
			     "--name", d->net.name);
		}
		deployment_release(&old);
	}
	free(conf);
	return ret;
}

static int deploy(struct deployment *d)
{
	char *exe = service_self_exe(), *conf = NULL;
	int ret;

	ret = compare_existing(d);
	if (ret) {
		if (ret > 0)
			info("deployment '%s' is in place with these settings: "
			     "nothing to do", d->net.name);
		goto out;
	}
	ret = hostnet_up(&d->net, d->fw, NULL);   /* undoes itself */
	if (ret)
		goto out;
	ret = deployment_save(d);
	if (!ret) {
		ret = service_install(d, exe);
		if (ret) {
			conf = deployment_conf_path(d->net.name);
			unlink(conf);
		}
	}
	if (ret) {
		hostnet_down(&d->net, d->fw);
		goto out;
	}
	info("deployed '%s' (firewall %s, service %s)", d->net.name,
	     fw_backend_name(d->fw), service_kind_name(d->service));
	if (d->service == SVC_NONE)
		info("start it with: umlkbuild run %s", d->net.name);
out:
	free(exe);
	free(conf);
	return ret < 0 ? ret : 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL: a->kernel = optarg; break;
		case OPT_ROOTFS: a->rootfs = optarg; break;
		case OPT_NAME: a->name = optarg; break;
		case OPT_MEM: a->mem = optarg; break;
		case OPT_TAP: a->tap = optarg; break;
		case OPT_HOST_IP: a->host_ip = optarg; break;
		case OPT_GUEST_IP: a->guest_ip = optarg; break;
		case OPT_FORWARD: strvec_push(&a->fwd, optarg); break;
		case OPT_RESERVE: strvec_push(&a->reserve, optarg); break;
		case OPT_WAN_IF: a->wan_if = optarg; break;
		case OPT_FIREWALL: a->firewall = optarg; break;
		case OPT_SERVICE: a->service = optarg; break;
		case OPT_DRY_RUN: a->dry_run = 1; break;
		case 'h': puts(deploy_usage); return 1;
		default: return opts_error(c, argv);
		}
	}
	if (optind < argc)
		return error(-UKB_EUSAGE, "unexpected argument '%s'",
			     argv[optind]);
	return 0;
}

int deploy_cmd(int argc, char **argv)
{
	struct args a = { .name = "bbr", .mem = "256m", .firewall = "auto",
			  .service = "auto", .fwd = STRVEC_INIT,
			  .reserve = STRVEC_INIT };
	struct deployment d = { 0 };
	int ret = parse(argc, argv, &a);

	if (ret)
		goto out;
	ret = fill(&a, &d);
	if (!ret && !a.dry_run)
		ret = hostcmd_need_root("deploy");
	if (!ret && d.fw == FW_AUTO)
		ret = fw_resolve(FW_AUTO, &d.fw);
	else if (!ret)
		ret = fw_resolve(d.fw, &d.fw);
	d.service = service_resolve(d.service);
	if (!ret)
		ret = a.dry_run ? dry_run(&d) : deploy(&d);
out:
	if (d.net.name)
		deployment_release(&d);
	strvec_clear(&a.fwd);
	strvec_clear(&a.reserve);
	return ret > 0 ? 0 : ret;
}
