/*
 * The guest's root file system: a verified distribution tarball (Alpine's
 * minirootfs, through alpine.h) unpacked with its owners into a staging
 * tree, made ready to boot (fstab, inittab, the boot script, network,
 * sysctls, swap, root login, --copy files, --start commands), then an
 * ext4 image made by `mke2fs -d` from it: no loop mounts, same inputs
 * give the same image. Published atomically with <out>.json beside it.
 */
#ifndef UKB_ROOTFS_H
#define UKB_ROOTFS_H

#include "rootfs/rootfsopt.h"

/*
 * Fetch, stage, make and publish the image at o->out (and o->out's .json).
 * Returns 0, or the fetch's errors, -UKB_EUSAGE (bad --copy, password or
 * keys file, an image too small), -UKB_ESOURCE (unsafe tarball),
 * -UKB_EHOST (mke2fs), -UKB_EINTR; reported once. Nothing is left at
 * o->out on failure.
 */
int rootfs_make(const struct rootfs_opts *o);


#endif
