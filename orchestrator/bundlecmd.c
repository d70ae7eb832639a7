/* `umlkbuild bundle`: the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "errors.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "wrapper.h"
#include "banned.h"

static const char bundle_usage[] =
	"usage: umlkbuild bundle --kernel DIR --rootfs rootfs.img --out NAME.tar.xz\n"
	"                        [--mem 64m] [--tap tap0] [--forward PROTO:PORTS[=PORTS]]...\n"
	"       umlkbuild bundle --verify NAME.tar.xz";

static int bad(const char *opt, const char *val, const char *why)
{
	return error(-UKB_EUSAGE, "invalid %s '%s': %s", opt, val, why);
}

static int ports_ok(const char *s, size_t n)
{
	size_t i = 0, digits;
	long lo, hi = 0;

	digits = strspn(s, "0123456789");
	if (!digits || digits > 5 || digits > n)
		return 0;
	lo = strtol(s, NULL, 10);
	i = digits;
	if (i < n && s[i] == '-') {
		digits = strspn(s + i + 1, "0123456789");
		if (!digits || digits > 5 || i + 1 + digits != n)
			return 0;
		hi = strtol(s + i + 1, NULL, 10);
		i = n;
		if (hi < lo)
			return 0;
	}
	return i == n && lo >= 1 && lo <= 65535 && hi <= 65535;
}

/* "tcp:8080", "udp:5000-5010", "tcp:2222=22" (what run.sh takes). */
static int check_forward(const char *s)
{
	const char *colon = strchr(s, ':'), *eq;

	if (!colon || (strncmp(s, "tcp:", 4) && strncmp(s, "udp:", 4)) ||
	    colon != s + 3)
		return bad("--forward", s, "expected tcp:PORT, udp:LO-HI or tcp:PORT=GUESTPORT");
	eq = strchr(colon + 1, '=');
	if (!ports_ok(colon + 1, eq ? (size_t)(eq - colon - 1) : strlen(colon + 1)) ||
	    (eq && !ports_ok(eq + 1, strlen(eq + 1))))
		return bad("--forward", s, "ports are numbers 1 to 65535, a range LO-HI");
	return 0;
}

static int check_opts(const struct bundle_opts *o, const struct strvec *fw)
{
	size_t n;

	if (!o->kernel || !o->rootfs || !o->out)
		return error(-UKB_EUSAGE, "bundle needs --kernel DIR, --rootfs IMG and --out NAME.tar.xz (or --verify FILE)");
	n = strlen(o->tap);
	if (!n || n > 15 || o->tap[strspn(o->tap, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")])
		return bad("--tap", o->tap, "1 to 15 letters, digits, '_', '.' or '-'");
	n = strspn(o->mem, "0123456789");
	if (!n || o->mem[0] == '0' || n > 6 ||
	    (o->mem[n] && (!strchr("kKmMgG", o->mem[n]) || o->mem[n + 1])))
		return bad("--mem", o->mem, "expected a number with k, m or g, such as 64m");
	for (size_t i = 0; i < fw->nr; i++)
		if (check_forward(fw->v[i]))
			return -UKB_EUSAGE;
	return 0;
}

int bundle_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'K' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'O' },
		{ "mem", required_argument, NULL, 'M' },
		{ "tap", required_argument, NULL, 'T' },
		{ "forward", required_argument, NULL, 'F' },
		{ "verify", required_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bundle_opts o = { .mem = "64m", .tap = "tap0", .forward = "" };
	struct strvec fw = STRVEC_INIT;
	const char *verify = NULL;
	char *joined = NULL;
	int c, ret = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'K': o.kernel = optarg; break;
		case 'R': o.rootfs = optarg; break;
		case 'O': o.out = optarg; break;
		case 'M': o.mem = optarg; break;
		case 'T': o.tap = optarg; break;
		case 'F': strvec_push(&fw, optarg); break;
		case 'V': verify = optarg; break;
		case 'q': log_set_verbosity(LOG_QUIET); break;
		case 'v': log_set_verbosity(LOG_VERBOSE); break;
		case 'h':
			puts(bundle_usage);
			goto out;
		default:
			ret = cli_option_error(c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		ret = error(-UKB_EUSAGE, "bundle: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (verify) {
		if (o.kernel || o.rootfs || o.out || fw.nr)
			ret = error(-UKB_EUSAGE, "--verify checks a bundle: give it alone");
		else
			ret = bundle_verify(verify);
		goto out;
	}
	ret = check_opts(&o, &fw);
	if (ret)
		goto out;
	joined = strvec_join(&fw, " ");
	o.forward = joined;
	ret = bundle_make(&o);
out:
	free(joined);
	strvec_clear(&fw);
	return ret;
}
