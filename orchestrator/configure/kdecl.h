/*
 * The symbols Kconfig files declare ("config X", "menuconfig X").
 */
#ifndef UKB_KDECL_H
#define UKB_KDECL_H

#include <stddef.h>

#include "configure/kcset.h"

/*
 * The symbol a Kconfig line declares ("config X" or "menuconfig X", s at
 * its first non-blank, eol its end), with its length in *len; NULL for
 * any other line.
 */
const char *kc_config_decl(const char *s, const char *eol, size_t *len);
/*
 * Call fn(path, line, name, len, data) for every "config NAME" and
 * "menuconfig NAME" line of every Kconfig* file under srcdir, whether
 * kconfig reads the file or not, leaving out .git, Documentation, scripts
 * and tools (kconfig's own test cases). name is not NUL-terminated. Not
 * reentrant. Returns 0 or -errno.
 */
int kc_walk_decls(const char *srcdir,
		  void (*fn)(const char *path, unsigned line, const char *name,
			     size_t len, void *data),
		  void *data);

/*
 * Mark in defined[i] whether set->e[i] is declared ("config X" or
 * "menuconfig X") in a Kconfig file under srcdir. Returns 0 or -errno.
 */
int kc_defined(const char *srcdir, const struct kc_set *set,
	       unsigned char *defined);

#endif
