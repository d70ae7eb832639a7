/* The hints a failed config check prints (`umlkbuild explain` in short). */
#ifndef UKB_HINTS_H
#define UKB_HINTS_H

#include "base/strvec.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"

/*
 * The variables of source paths (ARCH=, SRCARCH=, ...) for arch, as a
 * .config names it in its header ("# Linux/um 6.1.0 Kernel Configuration").
 */
void explain_tree_vars(const char *arch, struct strvec *vars);
/*
 * Under a failed config check: for each failed required symbol of rep,
 * hints naming what keeps it from its value in the tree at srcdir, then
 * the `umlkbuild explain` command to run on objdir (when given).
 */
void explain_hints(const char *srcdir, const char *objdir,
		   const struct kc_set *config, const struct kc_report *rep);

#endif
