/*
 * Which releases umlkbuild refuses to build, and why: version policy
 * from kconfig-fragments/unsupported.list, checked before any download.
 * Each line is qualifier words (base/scope.h), then the reason shown to
 * the user, where "{version}" stands for the release.
 */
#ifndef UKB_SUPPORT_H
#define UKB_SUPPORT_H

#include <stddef.h>

#include "base/strbuf.h"
#include "base/version.h"

/*
 * Parse len bytes of the list named name: 0 when nothing refuses (v,
 * target), 1 with the expanded reason appended to why when a line does,
 * or -UKB_EUSAGE for a malformed line, reported as "name:LINE: problem".
 * Pure (fuzzed).
 */
int support_parse(const char *name, const char *buf, size_t len,
		  const struct kver *v, unsigned target, struct strbuf *why);

/*
 * The installed list's verdict on (v, target): 0, or -UKB_EUNSUPPORTED
 * after printing the reason, or -UKB_EHOST when it cannot be read.
 */
int support_check(const struct kver *v, unsigned target);

#endif
