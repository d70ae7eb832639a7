/* INI text, read with libinih (the only user of ini.h). */
#ifndef UKB_INI_H
#define UKB_INI_H

#include <stddef.h>

/*
 * A generic INI reader on libinih (the only user of ini.h): fn sees every
 * entry and returns NULL, or a problem message (allocated; freed by
 * ini_read) that stops the read. Problems are reported once as
 * "name:LINE: problem" and give -UKB_EUSAGE. Fuzzed through settings_parse.
 */
typedef char *(*ini_entry_fn)(void *user, const char *section,
			      const char *key, const char *value);
int ini_read(const char *name, const char *buf, size_t len, ini_entry_fn fn,
	     void *user);

#endif
