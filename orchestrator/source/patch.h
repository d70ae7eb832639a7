/*
 * Kernel patch series: patches/NNNN-name.patch, each with a header of
 * "Key: value" lines (Subject, Origin, Versions, Arch, Verified), free
 * text, a "---" line and a unified diff. Versions holds one or more
 * half-open ranges separated by commas ("4.9..4.9.187, 4.10..4.13").
 * Applied in name order with GNU patch; a patch already present in the
 * tree is skipped.
 */
#ifndef UKB_PATCH_H
#define UKB_PATCH_H

#include <stddef.h>

#include "base/sha256.h"
#include "base/version.h"

#define PATCH_MAX_RANGES 8

struct kpatch {
	char *path;
	char *name;       /* file name */
	char *subject;
	char *origin;
	char *verified;
	struct kver_range ranges[PATCH_MAX_RANGES]; /* any of them */
	size_t nr_ranges;
	unsigned arches;  /* ARCH_* mask */
	char sha256[SHA256_HEX_LEN + 1];
};

struct patch_series {
	struct kpatch *p;
	size_t nr, alloc;
};

/* Parse a patch's header (its whole text in buf). Returns 0 or -UKB_EUSAGE
 * naming name:line. Fills everything but path and sha256. */
int patch_parse_header(const char *name, const char *buf, size_t len,
		       struct kpatch *p);
/* Load every *.patch of dir, sorted by name. */
int patch_series_load(const char *dir, struct patch_series *all);
/* Copy into out the patches that apply to (v, arch), in order. */
void patch_series_select(const struct patch_series *all, const struct kver *v,
			 unsigned arch, struct patch_series *out);
void patch_series_release(struct patch_series *s);
/* The sha256 over the names and hashes of a series: a key for trees. */
void patch_series_key(const struct patch_series *s, char hex[SHA256_HEX_LEN + 1]);

/*
 * Apply p to tree: a dry run first, so a failing patch leaves the tree
 * untouched. *skipped is set when the patch is already in the tree.
 * Returns 0 or -UKB_EPATCH (with a message naming the patch and version).
 */
int patch_apply(const struct kpatch *p, const char *tree,
		const struct kver *v, int *skipped);

#endif
