/*
 * Debian's control-file format (deb822): stanzas of "Field: value" lines
 * with continuation lines, as apt's .sources files, a Release file (its
 * clear-signed InRelease too: the armour is skipped) and dpkg's status
 * file are written. Pure; fuzzed.
 */
#ifndef UKB_DEB822_H
#define UKB_DEB822_H

#include <stddef.h>

/*
 * Called once per field: stanza counts from 0, value is the first line's
 * text and each continuation line after a '\n', trimmed; NUL-terminated
 * copies valid during the call. A non-zero return stops the parse and is
 * returned.
 */
typedef int (*deb822_fn)(void *ctx, unsigned stanza, const char *field,
			 const char *value);

/*
 * Parse buf (len bytes; NUL bytes refused). '#' lines are comments. name
 * names the text in messages ("NAME:LINE: problem"). Returns 0, fn's
 * value, or -UKB_ESOURCE (reported once).
 */
int deb822_parse(const char *name, const char *buf, size_t len, deb822_fn fn,
		 void *ctx);

#endif
