/*
 * Between fetch.c (the whole fetch) and mirror.c (one mirror): the state
 * of one fetch_tarball() or fetch_file() call, and each protocol's steps
 * against one mirror. Nothing outside those two includes this.
 */
#ifndef UKB_MIRROR_H
#define UKB_MIRROR_H

#include <stddef.h>

#include "base/strbuf.h"
#include "base/version.h"
#include "source/dlcache.h"
#include "source/fetchopts.h"
#include "source/http.h"
#include "source/sigverify.h"

/* What one fetch_tarball() call works with. */
struct fetch_ctx {
	const struct kver *v;
	const struct fetch_opts *o;
	char *dl;               /* <cache>/downloads */
	char *tmp;              /* this run's scratch directory inside dl */
	const struct fetch_item *item; /* fetch_file(); NULL for kernels */
	struct http *h;
	struct sigverify_keys keys;
	int saw_unverified;     /* a cache entry without a signature check */
};

/* The i-th name to look for (.tar.xz then .tar.gz); NULL past the last. */
char *mirror_file_name(const struct fetch_ctx *c, size_t i);
/*
 * kernel.org's order (the signed sha256sums.asc, the checksum, the
 * .tar.sign), --no-verify's, and fetch_file()'s (.sha256, .asc) against
 * one mirror: 0 with out filled in, or an error. Errors worth trying the
 * next mirror for are described in why; others are reported.
 */
int mirror_verified_from(struct fetch_ctx *c, const char *mirror,
			 struct fetched *out, struct strbuf *why);
int mirror_unverified_from(struct fetch_ctx *c, const char *mirror,
			   struct fetched *out, struct strbuf *why);
int mirror_item_from(struct fetch_ctx *c, const char *mirror,
		     struct fetched *out, struct strbuf *why);

#endif
