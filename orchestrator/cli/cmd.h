/*
 * Each command's options are described once, in a table: getopt_long's
 * arrays, --help and --list-options are made from it.
 *
 * A umlkbuild command: one file cli/cmd-NAME.c exporting one struct cmd,
 * and one line in cli.c's table (kmod's tools/kmod.h).
 */
#ifndef UKB_CMD_H
#define UKB_CMD_H

#include <getopt.h>
#include <stdio.h>

#include "base/strbuf.h"

struct opt {
	const char *name;  /* long name without "--"; NULL: a heading or the end */
	int id;            /* what opts_next() returns for it, > 0 */
	char short_name;   /* 0 when it has none */
	int has_arg;       /* no_argument or required_argument */
	const char *arg;   /* the value's name in --help */
	const char *help;  /* one or more lines; a heading's text when name is NULL */
};

/* A heading line in a table, and its end. */
#define OPT_HEADING(text) { NULL, 0, 0, 0, NULL, text }
#define OPT_END { NULL, 0, 0, 0, NULL, NULL }

/* "--help" printed: the command returns 0 */
#define OPTS_DONE 1

struct opt_parser {
	const struct cmd *cmd;
	int argc;
	char **argv;
	const char *arg;      /* the current option's value */
	int ret;              /* 0, a negative error, or OPTS_DONE */
	/* private */
	struct option *longopts;
	const struct opt **entries;
	struct strbuf shortopts;
};

/*
 * Start parsing argv (argv[0] is the command's name) with cmd's table,
 * its --help, the hidden --list-options and the global options --cache,
 * -q and -v, which are taken here wherever they stand.
 */
void opts_begin(struct opt_parser *p, const struct cmd *cmd, int argc,
		char **argv);
/*
 * The next option's id, with its value in p->arg; 0 at the end, after an
 * error (reported) or after --help. Set p->ret to stop with an error.
 */
int opts_next(struct opt_parser *p);
/*
 * Free the parser; returns p->ret. For a command whose options end at
 * its first operand, an option word among the operands that is a global
 * one is refused with the hint to put it before the command.
 */
int opts_end(struct opt_parser *p);
/*
 * opts_end(), then at most max_operands words after the options: 0 to go
 * on, OPTS_DONE after --help, or a negative error (reported: "CMD:
 * unexpected argument 'X'").
 */
int opts_finish(struct opt_parser *p, int max_operands);

/* cmd's --help: its usage text, then the table. */
void opts_usage(FILE *f, const struct cmd *cmd);
/* cmd's options, one name per line ("-j", "--jobs"). */
void opts_list(FILE *f, const struct cmd *cmd);


/* options end at the first operand: what follows is the operands' */
#define CMD_POSIX 1u

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;        /* one line for 'umlkbuild --help' */
	const char *usage;       /* --help: synopsis and description */
	const struct opt *opts;  /* ends with OPT_END */
	const char *footer;      /* --help: after the options, or NULL */
	unsigned flags;
};

extern const struct cmd cmd_build;
extern const struct cmd cmd_fetch;
extern const struct cmd cmd_boot;
extern const struct cmd cmd_check_config;
extern const struct cmd cmd_explain;
extern const struct cmd cmd_patches;
extern const struct cmd cmd_reproduce;
extern const struct cmd cmd_matrix;
extern const struct cmd cmd_rootfs;
extern const struct cmd cmd_doctor;
extern const struct cmd cmd_bundle;
extern const struct cmd cmd_deploy;
extern const struct cmd cmd_undeploy;
extern const struct cmd cmd_run;
extern const struct cmd cmd_status;
extern const struct cmd cmd_console;

#endif
