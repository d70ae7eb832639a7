/*
 * Kconfig fragments and .config files: parsing, merging and applying.
 * Values are kept as written ("y", "m", "\"bbr\"", "0x10"); "# CONFIG_X
 * is not set" is the value "n". The set itself is kcset.h, the two-tier
 * check of the resolved configuration kcheck.h, the Kconfig declarations
 * kdecl.h: a user includes the ones it uses.
 */
#ifndef UKB_KCONFIG_H
#define UKB_KCONFIG_H

#include <stddef.h>

#include "base/scope.h"
#include "base/strbuf.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"

/*
 * Parse a fragment: "CONFIG_X=value", "# CONFIG_X is not set", comments,
 * blank lines and "# umlkbuild: versions A..B", "# umlkbuild: arch i386"
 * and "# umlkbuild: link static|dynamic" scope lines (into scope, when
 * given). A malformed line, or one symbol
 * given two values in the same fragment, is an error naming file:line.
 * Returns 0 or -UKB_EUSAGE.
 */
int kc_parse_fragment(struct kc_set *out, const char *file, const char *buf,
		      size_t len, struct scope *scope);
/*
 * Parse a generated .config (lenient: a line it does not understand is
 * skipped), so it cannot fail.
 */
void kc_parse_config(struct kc_set *out, const char *file, const char *buf,
		    size_t len);
/*
 * Why text that kc_parse_config read into config is no Kconfig .config
 * (binary data, no CONFIG_ line), or NULL when it is one.
 */
const char *kc_not_config(const char *buf, size_t len,
			  const struct kc_set *config);

/*
 * Merge src into dst; later values override earlier ones, and each
 * override is reported with both places. Returns the number of overrides.
 */
size_t kc_merge(struct kc_set *dst, const struct kc_set *src);

/* Rewrite a .config's text with the entries of set applied. */
void kc_apply(const char *config, size_t len, const struct kc_set *set,
	      struct strbuf *out);

/* Parse a required.list (kcheck.h) into req; an error names file:line. */
int kc_parse_required(struct kc_required *req, const char *file,
		      const char *buf, size_t len);

#endif
