/* The strip stage: the published vmlinux, stripped, checked and hashed. */
#ifndef UKB_STRIP_H
#define UKB_STRIP_H

#include "base/sha256.h"
#include "verify/verify.h"

struct manifest;

/*
 * Copy the built vmlinux src to dst, `strip -s` it, check it for arch
 * (static when want_static) into elf, hash it into sha256 and record the
 * facts under "vmlinux" in m. Returns 0, -UKB_EBUILD (copy, strip),
 * -UKB_EARTIFACT (check) or -UKB_EINTR; the message is printed.
 */
int strip_artifact(const char *src, const char *dst, unsigned arch,
		   int want_static, struct elf_facts *elf,
		   char sha256[SHA256_HEX_LEN + 1], struct manifest *m);

#endif
