/* The rootfs's ext4 image, made from the staging tree by `mke2fs -d`. */
#ifndef UKB_ROOTFS_IMAGE_H
#define UKB_ROOTFS_IMAGE_H

#include "rootfs/run.h"

/* Every mtime in r->staging to r->epoch; count what the files need. */
int rootfs_settle(struct rootfs_run *r);
/* Whether --size holds what rootfs_settle counted; -UKB_EUSAGE if not. */
int rootfs_check_size(struct rootfs_run *r);
/*
 * mke2fs -d r->staging into r->image with a UUID and hash seed derived
 * from r->digest (uuid gets the UUID), then fix the ctimes with debugfs.
 * Returns 0, -UKB_EHOST or -UKB_EINTR (message printed).
 */
int rootfs_make_image(struct rootfs_run *r, char uuid[37]);

#endif
