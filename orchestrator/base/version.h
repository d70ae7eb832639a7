/* Kernel versions: parsing, comparison, ranges and kernel.org's layout. */
#ifndef UKB_VERSION_H
#define UKB_VERSION_H

#include <stddef.h>

struct kver {
	unsigned major, minor, patch;
	unsigned rc;            /* 0 for a release */
};

/* A half-open range [from, to); a missing end is open. */
struct kver_range {
	struct kver from, to;
	int has_from, has_to;
};

/*
 * Parse "X.Y", "X.Y.Z" or "X.Y-rcN" (len bytes of s). Returns 0 or
 * -UKB_EUSAGE; on error why (if set) gets a static reason.
 */
int kver_parse(const char *s, size_t len, struct kver *v, const char **why);
int kver_cmp(const struct kver *a, const struct kver *b);
/* "4.10.1", "4.9", "6.1-rc3" into buf. */
void kver_format(const struct kver *v, char *buf, size_t size);

/* Parse "A..B", "A..", "..B" or "*". Returns 0 or -UKB_EUSAGE. */
int kver_range_parse(const char *s, size_t len, struct kver_range *r);
int kver_in_range(const struct kver *v, const struct kver_range *r);
void kver_range_format(const struct kver_range *r, char *buf, size_t size);

/*
 * Read VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION from a kernel
 * tree's top Makefile (its text in buf). Returns 0 or -UKB_ESOURCE.
 */
int kver_from_makefile(const char *buf, size_t len, struct kver *v);

/* kernel.org: "<mirror>/v4.x/linux-4.10.1.tar.<ext>"; caller frees. */
char *kver_tarball_url(const char *mirror, const struct kver *v,
		       const char *ext);
/* "linux-4.10.1.tar.<ext>" */
char *kver_tarball_name(const struct kver *v, const char *ext);

#endif
