/* The rootfs's staging tree: the guest's files written into it. */
#ifndef UKB_ROOTFS_STAGE_H
#define UKB_ROOTFS_STAGE_H

#include "rootfs/run.h"

/*
 * crypt(3) the --password-file's password into r->shadow_hash, salted from
 * the inputs' digest. Returns 0 or -UKB_EUSAGE (message printed).
 */
int rootfs_hash_password(struct rootfs_run *r);
/*
 * The seeds' steps, done in r->staging: fstab, inittab, the boot script,
 * network, sysctls, swap, root login, --copy files, --start commands.
 * Returns 0 or a negative error (message printed).
 */
int rootfs_stage(struct rootfs_run *r);

#endif
