/*
 * Fetching kernel.org release tarballs (through http.h) into the cache, verified
 * the way kernel.org's get-verified-tarball does it: the signature on the
 * directory's sha256sums.asc, the tarball's SHA-256 against that list
 * (hashed while it downloads), then linux-X.tar.sign over the uncompressed
 * tar. Tarballs land in <cache>/downloads/ (see dlcache.h); the
 * transfers are http.h's, the sha256sums parser sums.h's.
 */
#ifndef UKB_FETCH_H
#define UKB_FETCH_H

#include <stddef.h>

#include "base/strbuf.h"
#include "base/version.h"
#include "source/dlcache.h"
#include "source/fetchopts.h"
#include "source/http.h" /* the URL policy, for fetch's callers */
#include "source/sums.h"

/*
 * Put the verified tarball of release v into the cache (or find it there)
 * and describe it in out, which the caller releases with
 * fetched_release(). Tries .tar.xz then .tar.gz, mirror after mirror
 * while a mirror is unreachable or lacks the release. Holds the cache
 * lock "download-linux-<version>" meanwhile. Returns 0, -UKB_ENOTFOUND
 * (404, or not cached with offline), -UKB_ENETWORK, -UKB_ECHECKSUM,
 * -UKB_ESIGNATURE, -UKB_EUSAGE (refused mirror URL, -rc version),
 * -UKB_EINTR (the .part stays for a resume) or -errno; reported once.
 */
int fetch_tarball(const struct kver *v, const struct fetch_opts *o,
		  struct fetched *out);
void fetched_release(struct fetched *f);

/*
 * Put the verified file it describes into the cache (or find it there).
 * Returns and reports as fetch_tarball(); o->no_verify is not offered.
 */
int fetch_file(const struct fetch_item *it, const struct fetch_opts *o,
	       struct fetched *out);

#endif
