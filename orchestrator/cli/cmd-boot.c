/* `umlkbuild boot`: boot a UML kernel and run the boot checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/opts.h"
#include "boot/boot.h"
#include "cli/cmd.h"
#include "base/banned.h"

enum { O_TIMEOUT = 1, O_MEM, O_LOG, O_NET, O_NET_BYTES, O_DEPLOY };

static const struct opt boot_opts[] = {
	{ "timeout", O_TIMEOUT, 't', required_argument, "SECONDS",
	  "limit for the boot (default 120)" },
	{ "mem", O_MEM, 'm', required_argument, "SIZE",
	  "the guest's memory (mem=SIZE)" },
	{ "log", O_LOG, 'l', required_argument, "FILE",
	  "write the console log to FILE" },
	{ "net", O_NET, 0, no_argument, NULL,
	  "(root only) boot with eth0 (vec0 from 6.16) on a TAP in a private netns" },
	{ "net-bytes", O_NET_BYTES, 0, required_argument, "N",
	  "bytes the guest sends with --net (default 4 MiB)" },
	{ "deploy", O_DEPLOY, 0, no_argument, NULL,
	  "boot it the way the seeds deploy it" },
	OPT_END,
};

static int take(struct boot_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case O_TIMEOUT:
		return opts_parse_count("--timeout", arg, 86400, &o->timeout_s);
	case O_MEM:
		o->mem = arg;
		return 0;
	case O_LOG:
		o->log_path = arg;
		return 0;
	case O_NET:
		o->net = 1;
		return 0;
	case O_DEPLOY:
		o->deploy = 1;
		return 0;
	}
	errno = 0;
	o->net_bytes = strtoull(arg, &end, 10);
	if (errno || *end || !o->net_bytes || o->net_bytes > (1ULL << 30))
		return error(-UKB_EUSAGE,
			     "--net-bytes wants a number of bytes from 1 to 1073741824, not '%s'",
			     arg);
	return 0;
}

static int boot_cmd(int argc, char **argv)
{
	struct boot_opts o = { 0 };
	struct boot_result r;
	struct opt_parser p;
	char *abs;
	int c, ret;
	opts_begin(&p, &cmd_boot, argc, argv);
	while ((c = opts_next(&p)))
		p.ret = take(&o, c, p.arg);
	ret = opts_end(&p);
	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	if (optind != argc - 1) {
		opts_usage(stderr, &cmd_boot);
		return -UKB_EUSAGE;
	}
	abs = path_absolute(argv[optind]);
	if (is_dir(abs)) {
		/* an artifact's directory, given for the kernel in it */
		ret = error(-UKB_EUSAGE, "'%s' is a directory, not a kernel",
			    argv[optind]);
		hint("boot the vmlinux in it: 'umlkbuild boot %s/vmlinux'",
		     argv[optind]);
		free(abs);
		return ret;
	}
	o.vmlinux = abs;
	ret = boot_run(&o, &r);
	/* a plain errno here is about the paths the user gave */
	ret = ukb_classify(ret, -UKB_EUSAGE);
	for (size_t i = 0; i < r.nr; i++)
		printf("%s %s: %s\n", r.checks[i].status, r.checks[i].name,
		       r.checks[i].detail);
	if (!ret)
		printf("%s\n", r.ran ? "boot check passed" : "boot check skipped");
	boot_result_release(&r);
	free(abs);
	return ret;
}

const struct cmd cmd_boot = {
	.name = "boot",
	.fn = boot_cmd,
	.help = "boot a UML kernel and run the boot checks",
	.usage = "usage: umlkbuild boot [--timeout SECONDS] [--mem SIZE] [--log FILE]\n"
		 "                      [--net [--net-bytes N]] [--deploy] VMLINUX\n"
		 "\n"
		 "Boot a UML kernel with the host's / as its root and check that\n"
		 "BBR is the default, fq/fq_codel/qfq/codel attach, syncookies and\n"
		 "TUN work. Prints one line per check on stdout.\n"
		 "\n"
		 "--net (root only) boots it in a private network namespace with\n"
		 "eth0 on a TAP device there (host 10.0.0.1/24, guest 10.0.0.2;\n"
		 "vec0:transport=tap for a kernel with the vector driver, 6.16 on),\n"
		 "sends N bytes (default 4 MiB) from the guest to the host over TCP\n"
		 "and checks that the flow ran with bbr and the interface's qdisc is fq.\n"
		 "\n"
		 "--deploy boots it the way the seeds deploy it: root on an ext4\n"
		 "image on ubda (made in $TMPDIR with mke2fs, removed afterwards),\n"
		 "mem=64m unless --mem says otherwise, a swap file that must take\n"
		 "pages, tmpfs, loopback IPv4, IPv6 and unix sockets, and tty1 on a\n"
		 "host pty (con1=pts) that must answer the host.\n" "\noptions:\n",
	.opts = boot_opts,
	.flags = CMD_POSIX,
};
