/*
 * The configure stage's work on the build directory's .config, around the
 * driver's `make defconfig` and `make olddefconfig`: apply the merged
 * request, then read back the resolved file and check it.
 */
#ifndef UKB_RESOLVE_H
#define UKB_RESOLVE_H

#include "base/version.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"

struct manifest;

/*
 * Rewrite the .config at cfg_path (as make defconfig wrote it) with the
 * requested values applied. Returns 0 or -UKB_EBUILD (message printed).
 */
int configure_apply_file(const char *cfg_path, const struct kc_set *requested);

struct configure_check_in {
	const char *cfg_path;              /* the resolved .config */
	const char *srcdir, *objdir;       /* for the hints */
	const struct kc_required *required;
	const struct kc_set *requested;
	const struct kver *version;
	unsigned arch;                     /* ARCH_* | LINK_* */
};

/*
 * Parse the resolved .config into config, check it into rep (see
 * configure_check) and record the check under results.config_check in m.
 * Returns 0, -UKB_EBUILD (unreadable) or -UKB_ECONFIG; message printed.
 */
int configure_check_file(const struct configure_check_in *in,
			 struct kc_set *config, struct kc_report *rep,
			 struct manifest *m);

#endif
