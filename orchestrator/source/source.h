/*
 * The source stage: from a source spec (a local tarball, a kernel.org
 * version, or a git URL and ref) to a verified, unpacked and patched tree
 * in the cache, shared by every build of the same inputs.
 */
#ifndef UKB_SOURCE_H
#define UKB_SOURCE_H

#include "base/sha256.h"
#include "base/strvec.h"
#include "base/version.h"
#include "source/patch.h"

struct source_spec {
	const char *tarball;
	const char *version;
	const char *git_url;
	const char *git_ref;
	unsigned arch;
	unsigned link;             /* LINK_STATIC or LINK_DYNAMIC */
	const char *const *mirrors;
	const char *const *keyrings;
	int no_verify;
	int offline;
};

struct source {
	const char *kind;          /* "tarball", "kernel.org" or "git" */
	char *tarball;             /* absolute path of the tarball used */
	char *url;                 /* where it was fetched from, if fetched */
	char sha256[SHA256_HEX_LEN + 1]; /* of the tarball */
	char commit[41];           /* git sources */
	int verified;              /* signatures checked (fetched sources) */
	int from_cache;            /* a fetched tarball found in the cache */
	char *signer;
	struct kver version;
	long long timestamp;       /* source date: tarball mtime, commit time */
	char *tree;                /* the patched tree, in the cache */
	char tree_key[SHA256_HEX_LEN + 1];
	struct patch_series patches;   /* applied, in order */
	struct strvec patches_skipped; /* already present in the tree */
	/* entries whose modes unpacking made safe, when this run unpacked */
	long long modes_masked;     /* -1: the tree came from the cache */
};

/* Returns 0 or a negative error (message printed). */
int source_prepare(const struct source_spec *spec, struct source *s);
void source_release(struct source *s);
/* Refuse what umlkbuild cannot build (target: ARCH_* | LINK_*), with the
 * reason from kconfig-fragments/unsupported.list. */
int source_check_supported(const struct kver *v, unsigned target);
/* Remove dir's entries "<prefix><pid>" whose process is gone (left by a
 * killed or crashed run); a live run's are kept. */
void remove_stale_scratch(const char *dir, const char *prefix);

#endif
