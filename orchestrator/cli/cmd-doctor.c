/* `umlkbuild doctor`: can this host run (with --build: build) a UML kernel. */
#include "base/errors.h"
#include "base/scope.h"
#include "cli/args.h"
#include "cli/cmd.h"
#include "cli/doctor.h"
#include "base/banned.h"

enum { O_JSON = 1, O_BUILD, O_ARCH };

static const struct opt doctor_opts[] = {
	{ "json", O_JSON, 0, no_argument, NULL, "print the items as JSON" },
	{ "build", O_BUILD, 0, no_argument, NULL,
	  "also check the tools a build needs" },
	{ "arch", O_ARCH, 0, required_argument, "ARCH",
	  "the build's arch for --build: x86_64 (default) or i386" },
	OPT_END,
};

static int doctor_cmd(int argc, char **argv)
{
	unsigned arch = ARCH_X86_64;
	int c, ret, json = 0, build = 0;
	struct opt_parser p;

	opts_begin(&p, &cmd_doctor, argc, argv);
	while ((c = opts_next(&p))) {
		if (c == O_JSON)
			json = 1;
		else if (c == O_BUILD)
			build = 1;
		else
			p.ret = args_parse_arch(p.arg, &arch);
	}
	ret = opts_end(&p);
	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	if (optind != argc) {
		opts_usage(stderr, &cmd_doctor);
		return -UKB_EUSAGE;
	}
	return doctor_report(json, build, arch);
}

const struct cmd cmd_doctor = {
	.name = "doctor",
	.fn = doctor_cmd,
	.help = "check that this host can run (with --build: build) a UML kernel",
	.usage = "usage: umlkbuild doctor [--json] [--build [--arch ARCH]]\n"
		 "\n"
		 "Check that this host can run a UML artifact: /dev/net/tun, the\n"
		 "tun driver, a tmpfs that maps PROT_EXEC for guest memory, ptrace,\n"
		 "and whether it is 64-bit or 32-bit. --build also checks the tools\n"
		 "a build for ARCH needs. Each item is ok or says how to fix it;\n"
		 "exits 0 when all are ok.\n"
		 "\noptions:\n",
	.opts = doctor_opts,
	.flags = CMD_POSIX,
};
