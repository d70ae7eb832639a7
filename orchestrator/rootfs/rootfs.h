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

#include <stdint.h>

#include "base/strvec.h"
#include "source/fetch.h"

struct rootfs_opts {
	const char *alpine;          /* "3.20" or "3.20.3" */
	const char *arch;            /* "x86_64" or "i386" */
	uint64_t size;               /* bytes */
	const char *guest_ip;        /* "10.0.0.2/24" */
	const char *gateway;         /* "" for none */
	const char *dns;             /* "" for none */
	const char *hostname;
	const char *password_file;   /* NULL: no password, consoles only */
	const char *authorized_keys; /* NULL: none */
	uint64_t swap;               /* bytes, 0 for none */
	struct strvec copies;        /* "HOST:GUEST", checked */
	struct strvec starts;        /* shell commands */
	struct strvec sysctls;       /* "KEY=VALUE", checked */
	struct fetch_opts fetch;
	const char *out;
};

/*
 * Fetch, stage, make and publish the image at o->out (and o->out's .json).
 * Returns 0, or the fetch's errors, -UKB_EUSAGE (bad --copy, password or
 * keys file, an image too small), -UKB_ESOURCE (unsafe tarball),
 * -UKB_EHOST (mke2fs), -UKB_EINTR; reported once. Nothing is left at
 * o->out on failure.
 */
int rootfs_make(const struct rootfs_opts *o);


#endif
