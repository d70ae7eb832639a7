/*
 * Atomic publication of an artifact directory: everything is written into
 * a staging directory beside DIR, then swapped in with one rename, so DIR
 * is either the previous complete artifact or the new complete one.
 */
#ifndef UKB_PUBLISH_H
#define UKB_PUBLISH_H

#include <stddef.h>

#include "base/strvec.h"

struct publish {
	char *out;
	char *staging;
	struct strvec created; /* parents of out this run made */
	unsigned flags;        /* PUBLISH_* */
};
#define PUBLISH_INIT { .out = NULL, .staging = NULL, .created = STRVEC_INIT, .flags = 0 }

/* out is a scratch directory of umlkbuild's own inside the cache
 * (reproduce's): the cache check does not apply */
#define PUBLISH_IN_CACHE 1u

/*
 * Whether out may receive an artifact: it does not exist, or it is an
 * empty directory or an earlier umlkbuild artifact (a SHA256SUMS as
 * umlkbuild writes it, listing metadata.json, and only the files it
 * lists). '/', the cache and anything inside it, and non-directories are
 * refused. Returns 0, -UKB_EUSAGE ('') or -UKB_EHOST, with the message.
 */
int publish_check_target(const char *out, unsigned flags);
/*
 * The part of publish_check_target() that does not look inside out: not
 * '', not '/', not the cache or inside it (real paths compared). For
 * directories umlkbuild writes into, such as matrix's --out.
 */
int publish_check_place(const char *out, unsigned flags);
/*
 * Parse a SHA256SUMS as manifest_write_sums() writes it ("<hex>  <name>"
 * lines, plain names) into names. Returns 0, or -EINVAL with the reason
 * in *why. Pure; fuzzed.
 */
int publish_parse_sums(const char *buf, size_t len, struct strvec *names,
		       const char **why);

/* Check out (publish_check_target with pub->flags), make its parents and the staging
 * directory. Returns 0 or a negative error with a message. */
int publish_begin(const char *out, struct publish *pub);
/* staging/name; caller frees. */
char *publish_path(const struct publish *pub, const char *name);
/* Swap staging into place; an earlier artifact there is removed, file by
 * file. Refuses (-UKB_EHOST) if out is no longer empty or an artifact. */
int publish_commit(struct publish *pub);
/* Remove the staging directory and the parents this run made (after a
 * failure). */
void publish_abort(struct publish *pub);

#endif
