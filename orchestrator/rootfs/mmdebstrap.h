/*
 * A Debian suite's minbase tree made by mmdebstrap, whose apt checks the
 * archive's InRelease against debian-archive-keyring, plus the packages
 * in <datadir>/rootfs/debian.packages (sysvinit-core, iproute2,
 * openssh-server). What apt verified (the InRelease) and what dpkg
 * installed are read back from the tree for rootfs.json.
 */
#ifndef UKB_MMDEBSTRAP_H
#define UKB_MMDEBSTRAP_H

#include "base/strvec.h"
#include "rootfs/debian.h"

/* What debian_bootstrap() made. */
struct debian_tree {
	struct debian_release rel;
	struct strvec packages;
};
void debian_tree_release(struct debian_tree *t);

/*
 * Whether this host can run debian_bootstrap(): mmdebstrap installed,
 * debian-archive-keyring readable, root. 0 or -UKB_EHOST (reported).
 */
int debian_check_host(void);

/*
 * mmdebstrap SUITE for arch into dir (which must not exist) from the
 * mirrors, as root; then read the suite's InRelease and dpkg's status
 * into t, and remove apt's lists and sshd's host keys (made at first
 * boot) from the tree. Returns 0, -UKB_EHOST (no mmdebstrap, not root),
 * -UKB_ESOURCE (mmdebstrap or apt failed) or -UKB_EINTR, reported once.
 */
int debian_bootstrap(const char *suite, const char *arch,
		     const char *const *mirrors, size_t nr, const char *dir,
		     struct debian_tree *t);

/* Root's and every user's last password change in etc/shadow (and
 * shadow-) under dir to the day of epoch: one image per input. */
int debian_fix_shadow_dates(const char *dir, long long epoch);

#endif
