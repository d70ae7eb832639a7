/* The command line: global options, the subcommand table and usage. */
#ifndef UKB_CLI_H
#define UKB_CLI_H

/* Parse and run; returns 0 or a negative error for main to map. */
int cli_run(int argc, char **argv);

#endif
