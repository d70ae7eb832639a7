/* The command line: global options, the subcommand table and usage. */
#ifndef UKB_CLI_H
#define UKB_CLI_H

/* Parse and run; returns 0 or a negative error for main to map. */
int cli_run(int argc, char **argv);
/*
 * Report what getopt_long (with opterr = 0 and an optstring starting
 * with ':') returned for a bad option: "unknown option '--x'" or
 * "option '--x' needs a value". Returns -UKB_EUSAGE.
 */
int cli_option_error(int c, char *const *argv);
/* Parse the value s of option opt as a whole number from 1 to hi into
 * *out; otherwise report it and return -UKB_EUSAGE. */
int cli_parse_count(const char *opt, const char *s, int hi, int *out);

#endif
