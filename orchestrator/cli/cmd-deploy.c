/* `umlkbuild deploy`: the TAP, the rules, the service; or --dry-run. With
 * --bundle, the bundle checked first, its kernel and image installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "bundle/bundle.h"
#include "cli/cmd.h"
#include "cli/deploybundle.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/firewall.h"
#include "host/hostnet.h"
#include "host/service.h"
#include "host/supervise.h"
#include "rootfs/rootfsopt.h"
#include "base/banned.h"

enum {
	O_KERNEL = 1, O_ROOTFS, O_NAME, O_MEM, O_TAP, O_HOST_IP, O_GUEST_IP,
	O_FORWARD, O_RESERVE, O_WAN_IF, O_FIREWALL, O_SERVICE, O_DRY_RUN,
	O_BUNDLE,
};

struct args {
	const char *name, *kernel, *rootfs, *mem, *tap, *host_ip, *guest_ip;
	const char *wan_if, *firewall, *service, *bundle;
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

/* The bundle, checked as `bundle --verify` checks it; its settings. */
static int from_bundle(const struct args *a, struct bundle_info *bi,
		       struct deployment *d)
{
	int ret = 0;

	/* before the bundle: a user who cannot deploy is told at once */
	if (!a->dry_run)
		ret = hostcmd_need_root("deploy");
	if (!ret)
		ret = bundle_check(a->bundle, bi);
	if (ret)
		return ret;
	info("bundle '%s': ok: Linux %s %s and %s %s", a->bundle,
	     bi->kernel_version ?: "?", bi->arch ?: "?",
	     bi->distribution ?: "?", bi->distro_version ?: "?");
	return deploy_bundle_settings(a->bundle, bi,
		(a->tap ? DEPLOY_GIVEN_TAP : 0u) |
		(a->host_ip ? DEPLOY_GIVEN_HOST_IP : 0u) |
		(a->guest_ip ? DEPLOY_GIVEN_GUEST_IP : 0u) |
		(a->mem ? DEPLOY_GIVEN_MEM : 0u) |
		(a->fwd.nr ? DEPLOY_GIVEN_FORWARD : 0u), d);
}

/* The values into d, each checked as it comes: the first problem wins.
 * A bundle's settings come first, the command line's over them. */
static int fill(const struct args *a, struct bundle_info *bi,
		struct deployment *d)
{
	struct netspec *n = &d->net;
	const char *why;
	int ret = 0;

	if (netspec_check_name(a->name, &why))
		return bad("--name", a->name, why);
	deployment_init(d, a->name);
	if (a->bundle && (ret = from_bundle(a, bi, d)))
		return ret;
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
	if (!a->fwd.nr && !n->nr_fwd) {
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
	if (a->mem) {
		free(d->mem);
		d->mem = xstrdup(a->mem);
	}
	if (!a->bundle) {
		d->kernel = a->kernel ? path_absolute(a->kernel) : NULL;
		d->rootfs = a->rootfs ? path_absolute(a->rootfs) : NULL;
	}
	/* before the files: a user who cannot read them is told why */
	if (!a->dry_run && (ret = hostcmd_need_root("deploy")))
		return ret;
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
		ret = deployment_load(&old, d->net.name, 0);
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

static int deploy(struct deployment *d, const char *bundle,
		  const struct bundle_info *bi)
{
	char *exe = service_self_exe(), *conf = NULL;
	char *state = d->bundle ? deployment_state_dir(d->net.name) : NULL;
	int ret;

	ret = compare_existing(d);
	if (ret) {
		if (ret > 0)
			info("deployment '%s' is in place with these settings: "
			     "nothing to do", d->net.name);
		goto out;
	}
	/* the deployment's own copy: it needs the bundle no more */
	if (state && (ret = bundle_install(bundle, bi, state)))
		goto out;
	ret = hostnet_up(&d->net, d->fw, NULL);   /* undoes itself */
	if (ret) {
		if (state)
			bundle_uninstall(state);
		goto out;
	}
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
		if (state)
			bundle_uninstall(state);
		goto out;
	}
	info("deployed '%s' (firewall %s, service %s)", d->net.name,
	     fw_backend_name(d->fw), service_kind_name(d->service));
	if (d->service == SVC_NONE)
		info("start it with: umlkbuild run %s", d->net.name);
out:
	free(exe);
	free(conf);
	free(state);
	return ret < 0 ? ret : 0;
}

/* 0, OPTS_DONE after --help, or a negative error (reported) */
static int parse(int argc, char **argv, struct args *a)
{
	struct opt_parser p;
	int c, ret;

	opts_begin(&p, &cmd_deploy, argc, argv);
	while ((c = opts_next(&p))) {
		switch (c) {
		case O_KERNEL: a->kernel = p.arg; break;
		case O_ROOTFS: a->rootfs = p.arg; break;
		case O_NAME: a->name = p.arg; break;
		case O_MEM: a->mem = p.arg; break;
		case O_TAP: a->tap = p.arg; break;
		case O_HOST_IP: a->host_ip = p.arg; break;
		case O_GUEST_IP: a->guest_ip = p.arg; break;
		case O_FORWARD: strvec_push(&a->fwd, p.arg); break;
		case O_RESERVE: strvec_push(&a->reserve, p.arg); break;
		case O_WAN_IF: a->wan_if = p.arg; break;
		case O_FIREWALL: a->firewall = p.arg; break;
		case O_SERVICE: a->service = p.arg; break;
		case O_DRY_RUN: a->dry_run = 1; break;
		case O_BUNDLE: a->bundle = p.arg; break;
		}
	}
	ret = opts_finish(&p, 0);
	if (ret)
		return ret;
	if (a->bundle && (a->kernel || a->rootfs))
		return error(-UKB_EUSAGE, "--bundle brings the kernel and the "
			     "image: give it without --%s",
			     a->kernel ? "kernel" : "rootfs");
	return 0;
}

static int deploy_cmd(int argc, char **argv)
{
	struct args a = { .name = "bbr", .firewall = "auto",
			  .service = "auto", .fwd = STRVEC_INIT,
			  .reserve = STRVEC_INIT };
	struct deployment d = { 0 };
	struct bundle_info bi = { 0 };
	int ret = parse(argc, argv, &a);

	if (ret) {
		if (ret == OPTS_DONE)
			ret = 0;
		goto out;
	}
	ret = fill(&a, &bi, &d);
	if (!ret && d.fw == FW_AUTO)
		ret = fw_resolve(FW_AUTO, &d.fw);
	else if (!ret)
		ret = fw_resolve(d.fw, &d.fw);
	d.service = service_resolve(d.service);
	if (!ret)
		ret = a.dry_run ? dry_run(&d) : deploy(&d, a.bundle, &bi);
out:
	if (d.net.name)
		deployment_release(&d);
	bundle_info_release(&bi);
	strvec_clear(&a.fwd);
	strvec_clear(&a.reserve);
	return ret > 0 ? 0 : ret;
}

static const struct opt deploy_opts[] = {
	{ "kernel", O_KERNEL, 0, required_argument, "VMLINUX",
	  "the UML kernel to run (an artifact's vmlinux)" },
	{ "rootfs", O_ROOTFS, 0, required_argument, "IMG",
	  "the guest's root image (umlkbuild rootfs)" },
	{ "bundle", O_BUNDLE, 0, required_argument, "FILE",
	  "a bundle (umlkbuild bundle) instead of --kernel and --rootfs" },
	{ "name", O_NAME, 0, required_argument, "NAME",
	  "the deployment's name (default bbr)" },
	{ "mem", O_MEM, 0, required_argument, "SIZE",
	  "the guest's memory (default 256m, or the bundle's)" },
	{ "tap", O_TAP, 0, required_argument, "IF",
	  "the TAP device (default tap0)" },
	{ "host-ip", O_HOST_IP, 0, required_argument, "CIDR",
	  "the host's address on the TAP (default 10.0.0.1/24)" },
	{ "guest-ip", O_GUEST_IP, 0, required_argument, "IP",
	  "the guest's address (default 10.0.0.2)" },
	{ "forward", O_FORWARD, 0, required_argument, "PROTO:PORTS",
	  "forward tcp:N[-M], udp:N[-M] or all to the guest (repeatable)" },
	{ "reserve", O_RESERVE, 0, required_argument, "PROTO:PORTS",
	  "never forward these (repeatable; default tcp:22)" },
	{ "wan-if", O_WAN_IF, 0, required_argument, "IF",
	  "the outbound interface, or auto (the default route's)" },
	{ "firewall", O_FIREWALL, 0, required_argument, "KIND",
	  "auto, nft, iptables or iptables-legacy" },
	{ "service", O_SERVICE, 0, required_argument, "KIND",
	  "auto, systemd, sysv or none" },
	{ "dry-run", O_DRY_RUN, 0, no_argument, NULL,
	  "print the rules, the service and the run line; change nothing" },
	OPT_END,
};

const struct cmd cmd_deploy = {
	.name = "deploy",
	.fn = deploy_cmd,
	.help = "set up the TAP, the rules and the service of a UML guest on this host",
	.usage = "usage: umlkbuild deploy (--kernel VMLINUX --rootfs IMG | --bundle FILE)\n"
		 "                        [--name bbr] [--mem 256m] [--tap tap0]\n"
		 "                        [--host-ip 10.0.0.1/24] [--guest-ip 10.0.0.2]\n"
		 "                        [--forward tcp:10000-20000]... [--forward udp:10221]... [--forward all]\n"
		 "                        [--reserve tcp:22]... [--wan-if IF|auto]\n"
		 "                        [--firewall auto|nft|iptables|iptables-legacy]\n"
		 "                        [--service auto|systemd|sysv|none] [--dry-run]\n"
		 "\n"
		 "Without --forward, tcp:10000-20000 and udp:10000-20000 (the seeds').\n"
		 "--reserve replaces the default reserved tcp:22.\n"
		 "With --bundle, the bundle's TAP, addresses, mem= and forwards are the\n"
		 "defaults; its vmlinux and rootfs.img are installed in /var/lib/umlkbuild/NAME.\n"
		 "\noptions:\n",
	.opts = deploy_opts,
};
