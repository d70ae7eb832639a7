/*
 * Fetching kernel.org release tarballs (libcurl) into the cache, verified
 * the way kernel.org's get-verified-tarball does it: the signature on the
 * directory's sha256sums.asc, the tarball's SHA-256 against that list
 * (hashed while it downloads), then linux-X.tar.sign over the uncompressed
 * tar. Tarballs land in <cache>/downloads/ (see dlcache.h). fetch.c is
 * the only file that includes curl/curl.h.
 */
#ifndef UKB_FETCH_H
#define UKB_FETCH_H

#include <stddef.h>

#include "base/strbuf.h"
#include "base/version.h"
#include "source/dlcache.h"

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

/*
 * GET url (a mirror checked with fetch_url_refused()) into out, at most
 * max bytes. Returns 0, -UKB_ENOTFOUND, -UKB_ENETWORK, -UKB_EUSAGE or
 * -UKB_EINTR, reported once.
 */
int fetch_small(const char *url, size_t max, struct strbuf *out);

/* libcurl's process-wide set-up and tear-down; main calls them once. */
void fetch_global_init(void);
void fetch_global_cleanup(void);

/*
 * Whether url may serve as a mirror: https://, file://, or http:// to a
 * loopback host (127.0.0.0/8, ::1, localhost). NULL when allowed, else a
 * static reason. Pure.
 */
const char *fetch_url_refused(const char *url);

/*
 * Whether url may serve as a git remote: https://, file://, a local path,
 * or http:// or git:// to a loopback host. ssh:// and scp-like HOST:PATH
 * are refused. NULL when allowed, else a static reason. Pure.
 */
const char *fetch_git_url_refused(const char *url);

/*
 * url without its userinfo ("https://user:pass@host/x" gives
 * "https://host/x"; git's "user@host:path" gives "host:path"), for every
 * message, log line and metadata field that shows a URL. Anything else is
 * returned as it is. Caller frees.
 */
char *url_redact(const char *url);

/*
 * Find file in a sha256sums list (the signed text of sha256sums.asc,
 * "<sha256>  <name>" or "<sha256> *<name>" lines) and write its hash, in
 * lowercase, into out. Returns 0, -UKB_ENOTFOUND, or -UKB_ESOURCE for
 * malformed input or conflicting entries, described as "name:LINE: ..."
 * (name is the list's file name): appended to why when why is given,
 * else printed as an error. Pure; fuzzed.
 */
int sha256sums_lookup(const char *name, const char *buf, size_t len,
		      const char *file, char out[65], struct strbuf *why);

/* Pause before retry n (1, 2, ...) of a transient failure: base << (n-1). */
extern unsigned fetch_retry_base_ms;

#endif
