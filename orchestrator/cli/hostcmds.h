/*
 * The host side's commands (issue #14), one file each under cli/:
 * deploy, undeploy, run, status, console. Each takes its argv (argv[0] is
 * the command's name) and returns 0 or a negative error for main.
 */
#ifndef UKB_CLI_HOSTCMDS_H
#define UKB_CLI_HOSTCMDS_H

int deploy_cmd(int argc, char **argv);
int undeploy_cmd(int argc, char **argv);
int run_cmd(int argc, char **argv);
int status_cmd(int argc, char **argv);
int console_cmd(int argc, char **argv);

/*
 * NAME, the first argument of undeploy, run and console (with --help:
 * usage printed and 1 returned); optind is left on it.
 */
int hostcmd_parse_name(int argc, char **argv, const char *usage,
		       const char **name);
/* deploy, undeploy and run change the host: they need root. */
int hostcmd_need_root(const char *cmd);

#endif
