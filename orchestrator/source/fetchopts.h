/*
 * What a fetch is asked for: the options of fetch_tarball() and
 * fetch_file(), and the publisher's file of the latter (fetch.h). Types
 * only, shared by fetch.c and mirror.c.
 */
#ifndef UKB_FETCHOPTS_H
#define UKB_FETCHOPTS_H

#include <stddef.h>

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

#endif
