/*
 * The configure stage's data: which fragments and required symbols apply
 * to a (version, arch, profile), merged in order: the project's fragments
 * (the .config files of kconfig-fragments/ and of
 * kconfig-fragments/profiles/PROFILE/), the user's
 * --fragment files, then --kconfig-add lines.
 */
#ifndef UKB_CONFIGURE_H
#define UKB_CONFIGURE_H

#include "base/strvec.h"
#include "base/version.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"

struct fragment_inputs {
	const char *profile;      /* "defconfig" or "minimal" */
	const char *const *user;  /* --fragment files */
	const char *const *adds;        /* --kconfig-add lines */
};

/*
 * Before any kernel work: every --fragment file is a readable regular
 * file within UKB_INPUT_MAX, every --kconfig-add one valid line. Returns
 * 0 or -UKB_EUSAGE (message printed).
 */
int configure_check_inputs(const char *const *fragments,
			   const char *const *adds);
/*
 * Merge every fragment that applies into merged; the names of those used
 * go to used (one out of scope is only named with -v). Returns 0,
 * -UKB_EUSAGE (syntax error, missing file: message printed).
 */
int configure_fragments(const struct fragment_inputs *in, const struct kver *v,
			unsigned arch, struct kc_set *merged, struct strvec *used);
/* Load kconfig-fragments/required.list. */
int configure_required(struct kc_required *req);
/* The make target a profile starts from ("defconfig", "tinyconfig"). */
const char *configure_base_target(const char *profile);
int configure_valid_profile(const char *profile);
/*
 * Check a resolved .config (parsed into config); on a required failure,
 * hint at what keeps each failed symbol from its value in the Kconfig
 * files under srcdir (when given), and at `umlkbuild explain` on objdir,
 * the build directory (when given). Returns 0 or -UKB_ECONFIG.
 */
int configure_check(const char *srcdir, const char *objdir,
		    const struct kc_set *config,
		    const struct kc_required *req, const struct kc_set *requested,
		    const struct kver *v, unsigned arch, struct kc_report *rep);

#endif
