/*
 * What the host side's commands (deploy, undeploy, run, status, console;
 * one file each under cli/) share.
 */
#ifndef UKB_CLI_HOSTCMDS_H
#define UKB_CLI_HOSTCMDS_H

#include "cli/cmd.h"

/*
 * The options of cmd (only --help and the global ones) and NAME, its
 * first of at most max_operands operands, into *name: 0, OPTS_DONE after
 * --help, or a negative error (reported). optind is left on NAME.
 */
int hostcmd_parse_name(const struct cmd *cmd, int argc, char **argv,
		       int max_operands, const char **name);
/* deploy, undeploy and run change the host: they need root. */
int hostcmd_need_root(const char *cmd);

#endif
