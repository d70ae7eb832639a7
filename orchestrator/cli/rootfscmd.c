/* `umlkbuild rootfs`: the guest's root file system image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "rootfs/alpine.h"
#include "rootfs/rootfs.h"
#include "rootfs/rootfsopt.h"
#include "source/settings.h"
#include "base/banned.h"

static const char rootfs_usage[] =
	"usage: umlkbuild rootfs [--alpine X.Y[.Z]] [--arch x86_64|i386] "
	"[--size 512M]\n"
	"                        [--guest-ip 10.0.0.2/24] [--gateway 10.0.0.1] "
	"[--dns 8.8.8.8]\n"
	"                        [--hostname NAME] [--root-password-file FILE] "
	"[--authorized-keys FILE]\n"
	"                        [--swap 64M] [--copy HOSTPATH:GUESTPATH]... "
	"[--start 'COMMAND']...\n"
	"                        [--sysctl KEY=VALUE]... [--mirror URL]... "
	"[--keyring FILE]... [--offline]\n"
	"                        [--cache DIR] [--config FILE] [-q] [-v] "
	"--out rootfs.img";

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

	if (alpine_version_check(o->alpine, &full))
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

int rootfs_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alpine", required_argument, NULL, 'A' },
		{ "arch", required_argument, NULL, 'a' },
		{ "size", required_argument, NULL, 's' },
		{ "guest-ip", required_argument, NULL, 'i' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "dns", required_argument, NULL, 'd' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "root-password-file", required_argument, NULL, 'p' },
		{ "authorized-keys", required_argument, NULL, 'K' },
		{ "swap", required_argument, NULL, 'w' },
		{ "copy", required_argument, NULL, 'x' },
		{ "start", required_argument, NULL, 'S' },
		{ "sysctl", required_argument, NULL, 'y' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "offline", no_argument, NULL, 'o' },
		{ "cache", required_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rootfs_opts o = {
		.alpine = "3.20", .arch = "x86_64", .guest_ip = "10.0.0.2/24",
		.gateway = "10.0.0.1", .dns = "8.8.8.8", .hostname = "uml",
		.copies = STRVEC_INIT, .starts = STRVEC_INIT,
		.sysctls = STRVEC_INIT,
	};
	struct strvec mirrors = STRVEC_INIT, keyrings = STRVEC_INIT;
	const char *size = "512M", *swap = "64M", *cache = NULL;
	const char *config = NULL;
	struct ukb_settings cfg;
	int c, ret = 0;

	settings_init(&cfg);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'A': o.alpine = optarg; break;
		case 'a': o.arch = optarg; break;
		case 's': size = optarg; break;
		case 'i': o.guest_ip = optarg; break;
		case 'g': o.gateway = optarg; break;
		case 'd': o.dns = optarg; break;
		case 'H': o.hostname = optarg; break;
		case 'p': o.password_file = optarg; break;
		case 'K': o.authorized_keys = optarg; break;
		case 'w': swap = optarg; break;
		case 'x': strvec_push(&o.copies, optarg); break;
		case 'S': strvec_push(&o.starts, optarg); break;
		case 'y': strvec_push(&o.sysctls, optarg); break;
		case 'm': strvec_push(&mirrors, optarg); break;
		case 'k': strvec_push(&keyrings, optarg); break;
		case 'o': o.fetch.offline = 1; break;
		case 'C': cache = optarg; break;
		case 'c': config = optarg; break;
		case 'O': o.out = optarg; break;
		case 'q': log_set_verbosity(LOG_QUIET); break;
		case 'v': log_set_verbosity(LOG_VERBOSE); break;
		case 'h':
			puts(rootfs_usage);
			goto out;
		default:
			ret = opts_error(c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		ret = error(-UKB_EUSAGE, "rootfs: unexpected argument '%s'",
			    argv[optind]);
		goto out;
	}
	ret = check_opts(&o, size, swap);
	if (ret) {
		if (!o.out)
			hint("%s", rootfs_usage);
		goto out;
	}
	ret = settings_load(&cfg, config);
	if (ret)
		goto out;
	/* [alpine], not [fetch]: kernel.org's tree and keys are another's */
	if (!mirrors.nr)
		strvec_pushv(&mirrors, cfg.alpine_mirrors.v);
	if (!keyrings.nr)
		strvec_pushv(&keyrings, cfg.alpine_keyrings.v);
	if (cache)
		cache_set_root(cache);
	else if (cfg.cache_dir && !cache_root_is_set())
		cache_set_root(cfg.cache_dir);
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
