/* `umlkbuild bundle`: the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "bundle/bundle.h"
#include "cli/cmd.h"
#include "base/banned.h"

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

enum { O_KERNEL = 1, O_ROOTFS, O_OUT, O_MEM, O_TAP, O_FORWARD, O_VERIFY };

static int bundle_cmd(int argc, char **argv)
{
	struct bundle_opts o = { .mem = "64m", .tap = "tap0", .forward = "" };
	struct strvec fw = STRVEC_INIT;
	struct opt_parser p;
	const char *verify = NULL;
	char *joined = NULL;
	int c, ret = 0;

	opts_begin(&p, &cmd_bundle, argc, argv);
	while ((c = opts_next(&p))) {
		switch (c) {
		case O_KERNEL: o.kernel = p.arg; break;
		case O_ROOTFS: o.rootfs = p.arg; break;
		case O_OUT: o.out = p.arg; break;
		case O_MEM: o.mem = p.arg; break;
		case O_TAP: o.tap = p.arg; break;
		case O_FORWARD: strvec_push(&fw, p.arg); break;
		case O_VERIFY: verify = p.arg; break;
		}
	}
	ret = opts_finish(&p, 0);
	if (ret) {
		if (ret == OPTS_DONE)
			ret = 0;
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

static const struct opt bundle_opts[] = {
	{ "kernel", O_KERNEL, 0, required_argument, "DIR",
	  "a kernel artifact directory (vmlinux, metadata.json)" },
	{ "rootfs", O_ROOTFS, 0, required_argument, "IMG",
	  "an image made by umlkbuild rootfs (IMG.json beside it)" },
	{ "out", O_OUT, 0, required_argument, "NAME.tar.xz",
	  "the bundle to write" },
	{ "mem", O_MEM, 0, required_argument, "SIZE",
	  "run.sh's mem= (default 64m)" },
	{ "tap", O_TAP, 0, required_argument, "IF",
	  "run.sh's TAP device (default tap0)" },
	{ "forward", O_FORWARD, 0, required_argument, "PROTO:PORTS[=PORTS]",
	  "a port forward run.sh sets up (repeatable)" },
	{ "verify", O_VERIFY, 0, required_argument, "FILE",
	  "check a bundle: every member against SHA256SUMS and the metadata" },
	OPT_END,
};

const struct cmd cmd_bundle = {
	.name = "bundle",
	.fn = bundle_cmd,
	.help = "pack a kernel artifact and a rootfs image with run.sh; --verify one",
	.usage = "usage: umlkbuild bundle --kernel DIR --rootfs rootfs.img --out NAME.tar.xz\n"
		 "                        [--mem 64m] [--tap tap0] [--forward PROTO:PORTS[=PORTS]]...\n"
		 "       umlkbuild bundle --verify NAME.tar.xz\n"
		 "\noptions:\n",
	.opts = bundle_opts,
};
