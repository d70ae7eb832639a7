/* `umlkbuild rootfs`: the guest's root file system image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "cli/cmd.h"
#include "rootfs/alpine.h"
#include "rootfs/debian.h"
#include "rootfs/rootfs.h"
#include "rootfs/rootfsopt.h"
#include "source/settings.h"
#include "base/banned.h"

static const char rootfs_usage[] =
	"usage: umlkbuild rootfs [--alpine X.Y[.Z] | --debian SUITE] "
	"[--arch x86_64|i386] [--size 512M]\n"
	"                        [--guest-ip 10.0.0.2/24] [--gateway 10.0.0.1] "
	"[--dns 8.8.8.8]\n"
	"                        [--hostname NAME] [--root-password-file FILE] "
	"[--authorized-keys FILE]\n"
	"                        [--swap 64M] [--copy HOSTPATH:GUESTPATH]... "
	"[--start 'COMMAND']...\n"
	"                        [--sysctl KEY=VALUE]... [--mirror URL]... "
	"[--keyring FILE]... [--offline]\n"
	"                        [--cache DIR] [--config FILE] [-q] [-v] "
	"--out rootfs.img\n";

static int bad(const char *opt, const char *val, const char *why)
{
	return error(-UKB_EUSAGE, "invalid %s '%s': %s", opt, val, why);
}

/* Check every value before anything is fetched. */
static int check_opts(struct rootfs_opts *o, const char *size,
		      const char *swap)
{
	const char *why;
	uint32_t a, g;
	unsigned prefix;
	int full;

	if (o->debian && debian_suite_check(o->debian, &why))
		return bad("--debian", o->debian, why);
	if (!o->debian && alpine_version_check(o->alpine, &full))
		return bad("--alpine", o->alpine, "expected X.Y or X.Y.Z");
	if (strcmp(o->arch, "x86_64") && strcmp(o->arch, "i386"))
		return bad("--arch", o->arch, "expected x86_64 or i386");
	if (rootfs_parse_size(size, &o->size, &why))
		return bad("--size", size, why);
	o->swap = 0;
	if (strcmp(swap, "0") && rootfs_parse_size(swap, &o->swap, &why))
		return bad("--swap", swap, why);
	if (rootfs_parse_cidr(o->guest_ip, &a, &prefix, &why))
		return bad("--guest-ip", o->guest_ip, why);
	if (*o->gateway) {
		if (rootfs_parse_ip(o->gateway, &g, &why))
			return bad("--gateway", o->gateway, why);
		if (prefix < 32 &&
		    (a ^ g) >> (32 - prefix))
			return bad("--gateway", o->gateway, "not in the guest's "
				   "network");
		if (a == g)
			return bad("--gateway", o->gateway, "the guest's own "
				   "address");
	}
	if (*o->dns && rootfs_parse_ip(o->dns, &g, &why))
		return bad("--dns", o->dns, why);
	if (rootfs_check_hostname(o->hostname, &why))
		return bad("--hostname", o->hostname, why);
	for (size_t i = 0; i < o->copies.nr; i++) {
		char *host, *guest;

		if (rootfs_parse_copy(o->copies.v[i], &host, &guest, &why))
			return bad("--copy", o->copies.v[i], why);
		free(host);
	}
	for (size_t i = 0; i < o->sysctls.nr; i++) {
		char *k, *v;

		if (rootfs_parse_sysctl(o->sysctls.v[i], &k, &v, &why))
			return bad("--sysctl", o->sysctls.v[i], why);
		free(k);
		free(v);
	}
	for (size_t i = 0; i < o->starts.nr; i++)
		if (!o->starts.v[i][strspn(o->starts.v[i], " \t")])
			return bad("--start", o->starts.v[i], "empty command");
	if (!o->out || !*o->out)
		return error(-UKB_EUSAGE, "rootfs: --out FILE is required");
	return 0;
}

/*
 * --debian's mirrors: apt's URLs (apt checks the InRelease against
 * debian-archive-keyring, so http:// is as good as https://); none
 * given: what apt on this machine uses. The Alpine-only options refused.
 */
static int debian_opts(const char *alpine_opt, size_t nr_keyrings,
		       int offline, struct strvec *mirrors)
{
	const char *why, *opt = alpine_opt ? alpine_opt :
				nr_keyrings ? "--keyring" :
				offline ? "--offline" : NULL;

	if (opt) {
		int ret = error(-UKB_EUSAGE, "%s is Alpine's: --debian cannot "
				"take it", opt);

		hint("--debian's archive is checked by apt against "
		     "debian-archive-keyring, downloaded each run");
		return ret;
	}
	for (size_t i = 0; i < mirrors->nr; i++)
		if (debian_mirror_check(mirrors->v[i], &why))
			return bad("--mirror", mirrors->v[i], why);
	if (!mirrors->nr) {
		char *m = debian_default_mirror("/etc/apt");

		strvec_push(mirrors, m);
		free(m);
	}
	return 0;
}

static const struct opt rootfs_opts[] = {
	{ "alpine", 'A', 0, required_argument, "X.Y[.Z]",
	  "the Alpine release (default 3.20)" },
	{ "debian", 'D', 0, required_argument, "SUITE",
	  "a Debian suite (e.g. bookworm) made by mmdebstrap, not Alpine" },
	{ "arch", 'a', 0, required_argument, "ARCH", "x86_64 (default) or i386" },
	{ "size", 's', 0, required_argument, "SIZE", "the image's size (default 512M)" },
	{ "guest-ip", 'i', 0, required_argument, "CIDR",
	  "the guest's eth0 address (default 10.0.0.2/24)" },
	{ "gateway", 'g', 0, required_argument, "IP", "its gateway (default 10.0.0.1)" },
	{ "dns", 'd', 0, required_argument, "IP", "its resolver (default 8.8.8.8)" },
	{ "hostname", 'H', 0, required_argument, "NAME", "its host name (default uml)" },
	{ "root-password-file", 'p', 0, required_argument, "FILE",
	  "root's password, from FILE" },
	{ "authorized-keys", 'K', 0, required_argument, "FILE",
	  "root's SSH authorized_keys" },
	{ "swap", 'w', 0, required_argument, "SIZE",
	  "a swap file of SIZE, 0 for none (default 64M)" },
	{ "copy", 'x', 0, required_argument, "HOSTPATH:GUESTPATH",
	  "copy a host file into the image (repeatable)" },
	{ "start", 'S', 0, required_argument, "'COMMAND'",
	  "run COMMAND at boot (repeatable)" },
	{ "sysctl", 'y', 0, required_argument, "KEY=VALUE",
	  "set a sysctl at boot (repeatable)" },
	{ "mirror", 'm', 0, required_argument, "URL", "Alpine's or --debian's mirror (repeatable)" },
	{ "keyring", 'k', 0, required_argument, "FILE",
	  "trusted Alpine signing keys (repeatable)" },
	{ "offline", 'o', 0, no_argument, NULL, "use only the cache" },
	{ "cache", 'C', 0, required_argument, "DIR", "the cache directory" },
	{ "config", 'c', 0, required_argument, "FILE",
	  "read this INI file after the system and user ones" },
	{ "out", 'O', 0, required_argument, "FILE", "the image to write (required)" },
	{ "quiet", 'q', 'q', no_argument, NULL, "only errors" },
	{ "verbose", 'v', 'v', no_argument, NULL, "say more" },
	OPT_END,
};

/* Long on purpose: one case per option filling rootfs_opts, then the one run, with one cleanup. */
static int rootfs_cmd(int argc, char **argv)
{
	struct rootfs_opts o = {
		.alpine = "3.20", .arch = "x86_64", .guest_ip = "10.0.0.2/24",
		.gateway = "10.0.0.1", .dns = "8.8.8.8", .hostname = "uml",
		.copies = STRVEC_INIT, .starts = STRVEC_INIT,
		.sysctls = STRVEC_INIT,
	};
	struct strvec mirrors = STRVEC_INIT, keyrings = STRVEC_INIT;
	const char *size = "512M", *swap = "64M", *cache = NULL;
	const char *config = NULL, *alpine_opt = NULL;
	struct ukb_settings cfg;
	struct opt_parser p;
	int c, ret = 0;

	settings_init(&cfg);
	opts_begin(&p, &cmd_rootfs, argc, argv);
	while ((c = opts_next(&p))) {
		const char *arg = p.arg;

		switch (c) {
		case 'A': o.alpine = arg; alpine_opt = "--alpine"; break;
		case 'D': o.debian = arg; break;
		case 'a': o.arch = arg; break;
		case 's': size = arg; break;
		case 'i': o.guest_ip = arg; break;
		case 'g': o.gateway = arg; break;
		case 'd': o.dns = arg; break;
		case 'H': o.hostname = arg; break;
		case 'p': o.password_file = arg; break;
		case 'K': o.authorized_keys = arg; break;
		case 'w': swap = arg; break;
		case 'x': strvec_push(&o.copies, arg); break;
		case 'S': strvec_push(&o.starts, arg); break;
		case 'y': strvec_push(&o.sysctls, arg); break;
		case 'm': strvec_push(&mirrors, arg); break;
		case 'k': strvec_push(&keyrings, arg); break;
		case 'o': o.fetch.offline = 1; break;
		case 'C': cache = arg; break;
		case 'c': config = arg; break;
		case 'O': o.out = arg; break;
		case 'q': log_set_verbosity(LOG_QUIET); break;
		case 'v': log_set_verbosity(LOG_VERBOSE); break;
		}
	}
	ret = opts_finish(&p, 0);
	if (ret) {
		if (ret == OPTS_DONE)
			ret = 0;
		goto out;
	}
	ret = check_opts(&o, size, swap);
	if (ret) {
		if (!o.out)
			hint("%s", rootfs_usage);
		goto out;
	}
	if (o.debian && (ret = debian_opts(alpine_opt, keyrings.nr,
					   o.fetch.offline, &mirrors)))
		goto out;
	ret = settings_load(&cfg, config);
	if (ret)
		goto out;
	/* [alpine], not [fetch]: kernel.org's tree and keys are another's */
	if (!mirrors.nr)
		strvec_pushv(&mirrors, cfg.alpine_mirrors.v);
	if (!keyrings.nr && !o.debian)
		strvec_pushv(&keyrings, cfg.alpine_keyrings.v);
	if (cache)
		cache_set_root(cache);
	cache_set_default_root(cfg.cache_dir);
	o.fetch.mirrors = mirrors.v;
	o.fetch.nr_mirrors = mirrors.nr;
	o.fetch.keyrings = keyrings.v;
	o.fetch.nr_keyrings = keyrings.nr;
	ret = rootfs_make(&o);
out:
	settings_release(&cfg);
	strvec_clear(&mirrors);
	strvec_clear(&keyrings);
	strvec_clear(&o.copies);
	strvec_clear(&o.starts);
	strvec_clear(&o.sysctls);
	return ret;
}

const struct cmd cmd_rootfs = {
	.name = "rootfs",
	.fn = rootfs_cmd,
	.help = "make the guest's root file system: a verified Alpine or Debian ext4 image",
	.usage = rootfs_usage,
	.opts = rootfs_opts,
};
