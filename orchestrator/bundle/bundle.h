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

#include "base/sha256.h"
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

/* What a checked bundle holds and says; strings NULL when it has none. */
struct bundle_info {
	char *top;                            /* "uml-x86_64" */
	char sums[SHA256_HEX_LEN + 1];        /* SHA256SUMS's: the bundle's identity */
	char vmlinux[SHA256_HEX_LEN + 1];     /* the members', as checked */
	char rootfs[SHA256_HEX_LEN + 1];
	char *kernel_version, *arch, *distribution, *distro_version;
	char *tap, *mem, *forward, *net;      /* run.sh's defaults (bundle.run) */
	char *guest_ip, *gateway;             /* the image's "10.0.0.2/24", "10.0.0.1" */
	size_t nr_members;
};

/*
 * bundle_verify() without the line on stdout: the same checks, the same
 * errors and results; on success bi describes the bundle (release it
 * with bundle_info_release(), whatever the result).
 */
int bundle_check(const char *path, struct bundle_info *bi);
void bundle_info_release(struct bundle_info *bi);

/*
 * Install the checked bundle's vmlinux (0755) and rootfs.img (0600,
 * sparse) as dir/vmlinux and dir/rootfs.img: written into a staging
 * directory beside dir, each checked against bi's sha256 as it is
 * written, then renamed to dir, which must not exist. Returns 0,
 * -UKB_EARTIFACT (the file changed since it was checked), -UKB_EHOST or
 * -UKB_EINTR; reported once, nothing left on failure.
 */
int bundle_install(const char *path, const struct bundle_info *bi,
		   const char *dir);
/* Remove what bundle_install() put in dir, and dir: 0 or -UKB_EHOST,
 * reported; a dir that is gone already is fine. */
int bundle_uninstall(const char *dir);

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
