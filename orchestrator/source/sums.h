/*
 * The sha256sums lists that publishers put beside their files
 * ("<sha256>  <name>" lines): a pure parser, fuzzed.
 */
#ifndef UKB_SUMS_H
#define UKB_SUMS_H

#include <stddef.h>

#include "base/strbuf.h"

/*
 * Find file in a sha256sums list (the signed text of sha256sums.asc,
 * "<sha256>  <name>" or "<sha256> *<name>" lines) and write its hash, in
 * lowercase, into out. Returns 0, -UKB_ENOTFOUND, or -UKB_ESOURCE for
 * malformed input or conflicting entries, described as "name:LINE: ..."
 * (name is the list's file name): appended to why when why is given,
 * else printed as an error. Pure; fuzzed.
 */
int sha256sums_lookup(const char *name, const char *buf, size_t len,
		      const char *file, char out[65], struct strbuf *why);

#endif
