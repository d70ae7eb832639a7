/*
 * Why a Kconfig symbol has its value in a .config, and what keeps it from
 * another one (Yocto's symbol_why): its definitions in the tree
 * (ktree.h), their type and prompt, every condition on them (enclosing
 * if/menu/choice blocks across files, "depends on"), what selects or
 * implies it, each evaluated against the .config (kexpr.h), then the
 * conditions that keep it from the wanted value. cli/cmd-explain.c holds
 * `umlkbuild explain` and the hints under a failed config check.
 */
#ifndef UKB_EXPLAIN_H
#define UKB_EXPLAIN_H

#include "base/strbuf.h"
#include "configure/kcset.h"
#include "configure/ktree.h"

/*
 * Append the report on name (with or without CONFIG_) to out. want is
 * the value asked for, as a fragment writes it ("y", "\"bbr\"", "0x10";
 * a bare word is taken as a string), or NULL for a one-line summary
 * instead. Returns 0, or -UKB_ECONFIG when no entry of t defines it
 * (nothing appended).
 */
int explain_symbol(const struct ktree *t, const struct kc_set *config,
		   const char *name, const char *want, struct strbuf *out);

/*
 * Append what keeps name from want, one line per reason ("FILE:LINE:
 * depends on A [=n] => n"). Returns the number of lines, or
 * -UKB_ECONFIG when no entry of t defines name.
 */
int explain_blockers(const struct ktree *t, const struct kc_set *config,
		     const char *name, const char *want, struct strbuf *out);


#endif
