/*
 * Debian's names and texts, for `rootfs --debian` (mmdebstrap.h makes
 * the tree): suites, mirrors, which archive apt on this machine uses, the
 * InRelease apt verified and dpkg's status. Pure but for
 * debian_default_mirror(), which reads /etc/apt.
 */
#ifndef UKB_DEBIAN_H
#define UKB_DEBIAN_H

#include <stddef.h>

#include "base/sha256.h"
#include "base/strvec.h"

#define DEBIAN_DEFAULT_MIRROR "http://deb.debian.org/debian"
#define DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"

/* A suite or codename: [a-z0-9.-], 1 to 32, a letter or digit first. */
int debian_suite_check(const char *s, const char **why);
/* A mirror for apt: http://, https:// or file://, no blank or control. */
int debian_mirror_check(const char *s, const char **why);
/* Debian's name of umlkbuild's --arch: "amd64" or "i386". */
const char *debian_arch(const char *arch);

/*
 * The first Debian archive in one of apt's sources files (deb822 when
 * deb822, else one-line "deb [opts] URI SUITE COMP..."): a "deb" entry
 * whose URI mentions "debian" but not "security", for a suite without
 * '-' or '/'. *uri gets it (caller frees), or NULL. Returns 0 or
 * -UKB_ESOURCE for a deb822 file that does not parse. Pure; fuzzed.
 */
int debian_sources_pick(const char *name, const char *buf, size_t len,
			int deb822, char **uri);
/*
 * What apt on this machine uses: etc_apt's sources.list, then
 * sources.list.d/ *.list and *.sources in name order; the first pick, or
 * DEBIAN_DEFAULT_MIRROR. Caller frees.
 */
char *debian_default_mirror(const char *etc_apt);

/* The Release fields rootfs.json records, and the time its Date says. */
struct debian_release {
	char *origin, *suite, *codename, *version, *date;
	long long epoch;                 /* Date, as seconds; -1 unknown */
	char sha256[SHA256_HEX_LEN + 1]; /* of the InRelease file */
};

/* Fill rel from an (In)Release; -UKB_ESOURCE when it has no Suite. Pure. */
int debian_release_parse(const char *name, const char *buf, size_t len,
			 struct debian_release *rel);
void debian_release_release(struct debian_release *rel);
/*
 * dpkg's status: "NAME=VERSION" (":ARCH" for a foreign one) of each
 * package installed, pushed onto pkgs in the file's order. Pure.
 */
int debian_status_parse(const char *name, const char *buf, size_t len,
			struct strvec *pkgs);

#endif
