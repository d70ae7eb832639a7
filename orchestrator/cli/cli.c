/* The dispatcher: global options, the command table, umlkbuild --help. */
#include <stdio.h>
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/wrapper.h"
#include "cli/cli.h"
#include "cli/cmd.h"
#include "base/banned.h"

/* A new command: its file cli/cmd-NAME.c and one line here. */
static const struct cmd *const commands[] = {
	&cmd_build,
	&cmd_fetch,
	&cmd_boot,
	&cmd_check_config,
	&cmd_explain,
	&cmd_patches,
	&cmd_reproduce,
	&cmd_matrix,
	&cmd_rootfs,
	&cmd_bundle,
	&cmd_deploy,
	&cmd_undeploy,
	&cmd_run,
	&cmd_status,
	&cmd_console,
	&cmd_doctor,
};

static void usage(FILE *f)
{
	fputs("usage: umlkbuild [-q|-v] [--cache DIR] [COMMAND] [OPTIONS]\n"
	      "       umlkbuild --tarball PATH|--version X.Y[.Z]|--git URL --ref REF [OPTIONS]\n"
	      "\ncommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name, commands[i]->help);
	fputs("\nRun 'umlkbuild COMMAND --help' for a command's options;\n"
	      "'man umlkbuild' documents everything, exit codes included;\n"
	      "-q, -v and --cache DIR may also follow the command.\n", f);
}

/*
 * No option or argument of umlkbuild's is ever legitimately empty, and an
 * empty path means the current directory to most calls ('--cache ""'
 * would make it the cache): refuse any, for every command, here.
 */
static int refuse_empty_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *eq = !strncmp(argv[i], "--", 2) ? strchr(argv[i], '=') : NULL;

		if (eq && !eq[1])
			return error(-UKB_EUSAGE, "option '%.*s' wants a value, not an empty string",
				     (int)(eq - argv[i]), argv[i]);
		if (argv[i][0])
			continue;
		if (i > 1 && argv[i - 1][0] == '-' && strcmp(argv[i - 1], "--"))
			return error(-UKB_EUSAGE, "option '%s' wants a value, not an empty string",
				     argv[i - 1]);
		return error(-UKB_EUSAGE, "argument %d is an empty string", i);
	}
	return 0;
}

int cli_run(int argc, char **argv)
{
	int i = 1;

	if (refuse_empty_args(argc, argv))
		return -UKB_EUSAGE;

	/* global options come before the command */
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			log_set_verbosity(LOG_QUIET);
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			log_set_verbosity(LOG_VERBOSE);
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache_set_root(argv[++i]);
		} else if (!strncmp(argv[i], "--cache=", 8)) {
			cache_set_root(argv[i] + 8);
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version") && i + 1 >= argc) {
			printf("umlkbuild %s\n", UKB_VERSION);
			return 0;
		} else {
			break;
		}
	}
	if (i < argc && argv[i][0] != '-') {
		for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
			if (!strcmp(argv[i], commands[k]->name))
				return commands[k]->fn(argc - i, argv + i);
		error(-UKB_EUSAGE, "'%s' is not a umlkbuild command", argv[i]);
		hint("run 'umlkbuild --help' for the list");
		return -UKB_EUSAGE;
	}
	/* the default command is build; argv[i - 1] stands in for its name */
	if (i >= argc) {
		usage(stderr);
		return -UKB_EUSAGE;
	}
	argv[i - 1] = (char *)"umlkbuild";
	return cmd_build.fn(argc - i + 1, argv + i - 1);
}
