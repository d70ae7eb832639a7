/*
 * Atomic publication of an artifact directory: everything is written into
 * a staging directory beside DIR, then swapped in with one rename, so DIR
 * is either the previous complete artifact or the new complete one.
 */
#ifndef UKB_PUBLISH_H
#define UKB_PUBLISH_H

struct publish {
	char *out;
	char *staging;
};

/* Create the staging directory. Returns 0 or -UKB_EHOST with a message. */
int publish_begin(const char *out, struct publish *pub);
/* staging/name; caller frees. */
char *publish_path(const struct publish *pub, const char *name);
/* Swap staging into place. Returns 0 or -UKB_EHOST. */
int publish_commit(struct publish *pub);
/* Remove the staging directory (after a failure). */
void publish_abort(struct publish *pub);

#endif
