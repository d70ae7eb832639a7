/* `umlkbuild matrix FILE.ini`: build a matrix of cells and report it. */
#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "cli/cmd.h"
#include "driver/matrix.h"
#include "base/banned.h"

enum { O_OUT = 1, O_JOBS, O_PARALLEL, O_TOOLCHAIN, O_NO_CCACHE, O_NO_BOOT,
       O_OFFLINE, O_CONFIG, O_JSON };

static const struct opt matrix_opts[] = {
	{ "out", O_OUT, 0, required_argument, "DIR",
	  "where artifacts and reports land" },
	{ "jobs", O_JOBS, 'j', required_argument, "N",
	  "the make -j budget shared by the running builds" },
	{ "parallel", O_PARALLEL, 0, required_argument, "N",
	  "builds at once (default 1), each with -j JOBS/N" },
	{ "toolchain", O_TOOLCHAIN, 0, required_argument, "NAME",
	  "toolchain profile for cells that name none" },
	{ "no-ccache", O_NO_CCACHE, 0, no_argument, NULL,
	  "compile without ccache" },
	{ "no-boot", O_NO_BOOT, 0, no_argument, NULL, "skip the boot checks" },
	{ "offline", O_OFFLINE, 0, no_argument, NULL, "use only the cache" },
	{ "config", O_CONFIG, 0, required_argument, "FILE",
	  "read this INI file after the system and user ones" },
	{ "json", O_JSON, 0, no_argument, NULL, "print matrix.json on stdout" },
	OPT_END,
};

static int take(struct matrix_args *a, int c, const char *arg)
{
	switch (c) {
	case O_OUT: a->out = arg; break;
	case O_JOBS: return opts_parse_count("--jobs", arg, 1024, &a->jobs);
	case O_PARALLEL: return opts_parse_count("--parallel", arg, 64, &a->parallel);
	case O_TOOLCHAIN: a->toolchain = arg; break;
	case O_NO_CCACHE: a->no_ccache = 1; break;
	case O_NO_BOOT: a->no_boot = 1; break;
	case O_OFFLINE: a->offline = 1; break;
	case O_CONFIG: a->config_file = arg; break;
	case O_JSON: a->json = 1; break;
	}
	return 0;
}

static int matrix_cmd(int argc, char **argv)
{
	struct matrix_args a = { .file = NULL };
	struct opt_parser p;
	int c, ret;

	opts_begin(&p, &cmd_matrix, argc, argv);
	while ((c = opts_next(&p)))
		p.ret = take(&a, c, p.arg);
	ret = opts_end(&p);
	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	if (optind != argc - 1)
		return error(-UKB_EUSAGE, optind < argc ? "matrix takes one FILE.ini" :
			     "matrix needs a FILE.ini");
	a.file = argv[optind];
	return matrix_run_file(&a);
}

const struct cmd cmd_matrix = {
	.name = "matrix",
	.fn = matrix_cmd,
	.help = "build a matrix of sources, arches and profiles; report it",
	.usage = "usage: umlkbuild matrix [OPTIONS] FILE.ini\n"
		 "\nBuild every cell of FILE.ini (sources x arches x profiles), keep going\n"
		 "past failures, and write OUT/matrix.json, matrix.md and matrix.html.\n"
		 "\noptions (they override the file's [matrix] section):\n",
	.opts = matrix_opts,
	.footer = "Exit 0 when every build passed, 6 when one failed, 2 for a bad file.\n",
};
