/*
 * Alpine's releases: the minirootfs tarball of a release, found through
 * the mirror's latest-releases.yaml (libyaml; alpine.c is the only file
 * that includes yaml.h) and fetched through fetch_file(), so it is
 * verified (.sha256, .asc by Alpine's key in <datadir>/keys/alpine/) and
 * cached like kernel tarballs.
 */
#ifndef UKB_ALPINE_H
#define UKB_ALPINE_H

#include <stddef.h>

#include "source/fetch.h"

#define ALPINE_DEFAULT_MIRROR "https://dl-cdn.alpinelinux.org/alpine"

/*
 * Whether s is "X.Y" (*full = 0) or "X.Y.Z" (*full = 1), numbers only.
 * Returns 0 or -UKB_EUSAGE (not reported). Pure.
 */
int alpine_version_check(const char *s, int *full);

/*
 * Find the minirootfs in a latest-releases.yaml (a sequence of mappings
 * with flavor, version and file keys) and return its version (caller
 * frees). name names the file in messages ("NAME: problem"). Returns 0,
 * -UKB_ENOTFOUND (no minirootfs listed) or -UKB_ESOURCE (not YAML, or not
 * that shape), reported once. Pure; fuzzed.
 */
int alpine_latest_parse(const char *name, const char *buf, size_t len,
			char **version);

/*
 * The verified minirootfs of release (X.Y resolved on the first mirror,
 * X.Y.Z taken as is) for arch ("x86_64" or "x86") into the cache; out as
 * fetch_tarball() fills it. *version gets the X.Y.Z (caller frees).
 * Returns as fetch_file() does; X.Y with --offline is -UKB_EUSAGE.
 */
int alpine_fetch(const char *release, const char *arch,
		 const struct fetch_opts *o, char **version,
		 struct fetched *out);

#endif
