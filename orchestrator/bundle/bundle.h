/*
 * `umlkbuild bundle`: a kernel artifact and a root file system image in one
 * tar.xz a host without umlkbuild can check and run (what 91yun's
 * uml.tar.xz ships, made verifiable). Members, under one top directory
 * named after the file (uml-x86_64/ for uml-x86_64.tar.xz):
 * vmlinux, rootfs.img (stored sparse), run.sh, README, metadata.json
 * (the kernel's metadata.json and the image's rootfs.json, whole) and
 * SHA256SUMS over the other five.
 */
#ifndef UKB_BUNDLE_H
#define UKB_BUNDLE_H

#include <stddef.h>

#include "base/strvec.h"

struct bundle_opts {
	const char *kernel;  /* a umlkbuild artifact directory */
	const char *rootfs;  /* an image made by `umlkbuild rootfs` */
	const char *out;     /* NAME.tar.xz */
	const char *mem;     /* run.sh's default mem= ("64m") */
	const char *tap;     /* run.sh's default TAP ("tap0") */
	const char *forward; /* run.sh's default port forwards ("" for none) */
};

/* The members every bundle has, in the archive's order; NULL-terminated. */
extern const char *const bundle_members[];

/*
 * Check both inputs against their own checksums, write the bundle beside
 * o->out and rename it into place. Returns 0, -UKB_EUSAGE (an input that
 * is not what it should be), -UKB_EARTIFACT (an input that fails its own
 * checksum), -UKB_EHOST or -UKB_EINTR; reported once, nothing left at
 * o->out or beside it on failure.
 */
int bundle_make(const struct bundle_opts *o);

/*
 * Check the bundle at path: its member set, every member against
 * SHA256SUMS, the metadata against the members. Returns 0 (and prints one
 * line on stdout), -UKB_EUSAGE (unreadable), -UKB_ESOURCE (not a tar
 * archive at all), -UKB_EARTIFACT (anything else wrong); reported once.
 */
int bundle_verify(const char *path);

/*
 * Parse SHA256SUMS ("<64 hex>  <name>" lines): names and hex digests
 * pushed in pairs (name, hex, name, hex...). Returns 0, or -EINVAL with
 * a static reason in *why and the line in *line. Pure; unit-tested.
 */
int bundle_parse_sums(const char *buf, size_t len, struct strvec *pairs,
		      const char **why, size_t *line);

/* "uml-x86_64" for ".../uml-x86_64.tar.xz"; NULL when path does not end
 * in .tar.xz or the name is not a plain one. Caller frees. */
char *bundle_top_name(const char *path);


#endif
