#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/banned.h"

int opts_error(int c, char *const *argv)
{
	const char *word = argv[optind - 1];
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* a bad short option inside a cluster: name the letter */
	if (optopt && (!word || strncmp(word, "--", 2)))
		word = shortopt;
	if (c == ':')
		error(-UKB_EUSAGE, "option '%s' needs a value", word);
	else
		error(-UKB_EUSAGE, "unknown option '%s'", word);
	if (!strcmp(argv[0], "umlkbuild"))
		hint("see 'umlkbuild --help'");
	else
		hint("see 'umlkbuild %s --help'", argv[0]);
	return -UKB_EUSAGE;
}

int opts_parse_count(const char *opt, const char *s, int hi, int *out)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end || end == s || n < 1 || n > hi)
		return error(-UKB_EUSAGE, "%s wants a number from 1 to %d, not '%s'",
			     opt, hi, s);
	*out = (int)n;
	return 0;
}
