/* What every command's option parsing shares: its errors and counts. */
#ifndef UKB_OPTS_H
#define UKB_OPTS_H

/*
 * Report what getopt_long (with opterr = 0 and an optstring starting
 * with ':') returned for a bad option: "unknown option '--x'" or
 * "option '--x' needs a value", with the command's --help as the hint.
 * Returns -UKB_EUSAGE.
 */
int opts_error(int c, char *const *argv);
/* Parse the value s of option opt as a whole number from 1 to hi into
 * *out; otherwise report it and return -UKB_EUSAGE. */
int opts_parse_count(const char *opt, const char *s, int hi, int *out);

#endif
