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
#include "source/http.h" /* the URL policy, for fetch's callers */
#include "source/sums.h"

#define FETCH_DEFAULT_MIRROR "https://cdn.kernel.org/pub/linux/kernel"

struct fetch_opts {
	const char *const *mirrors; /* in order; FETCH_DEFAULT_MIRROR when 0 */
	size_t nr_mirrors;
	const char *const *keyrings; /* armored or binary key files; replace */
	size_t nr_keyrings;      /* the default <datadir>/keys/ *.asc */
	int no_verify;           /* loud warning; the caller records it */
	int offline;             /* only the cache; say what is missing */
};

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
 * A file published the way Alpine publishes its releases: in dir under the
 * mirror, with "<name>.sha256" ("<sha256>  <name>", unsigned) and
 * "<name>.asc" (a detached signature over the file itself) beside it. The
 * same download, cache (content-addressed, by-name/ for --offline) and
 * trust rules as kernel tarballs; keydir (under the data directory) holds
 * the keys trusted by default instead of keys/ itself.
 */
struct fetch_item {
	const char *name;           /* "alpine-minirootfs-3.20.3-x86_64.tar.gz" */
	const char *dir;            /* "v3.20/releases/x86_64/" */
	const char *default_mirror; /* when o->nr_mirrors is 0 */
	const char *keydir;         /* "keys/alpine" */
};

/*
 * Put the verified file it describes into the cache (or find it there).
 * Returns and reports as fetch_tarball(); o->no_verify is not offered.
 */
int fetch_file(const struct fetch_item *it, const struct fetch_opts *o,
	       struct fetched *out);

#endif
