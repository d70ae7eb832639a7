/*
 * Debian's suites: a minbase tree made by mmdebstrap, whose apt checks
 * the archive's InRelease against debian-archive-keyring, plus the
 * packages in <datadir>/rootfs/debian.packages (sysvinit-core, iproute2,
 * openssh-server). What apt verified (the InRelease) and what dpkg
 * installed are read back from the tree for rootfs.json.
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

/* What debian_bootstrap() made. */
struct debian_tree {
	struct debian_release rel;
	struct strvec packages;
};
void debian_tree_release(struct debian_tree *t);

/*
 * Whether this host can run debian_bootstrap(): mmdebstrap installed,
 * debian-archive-keyring readable, root. 0 or -UKB_EHOST (reported).
 */
int debian_check_host(void);

/*
 * mmdebstrap SUITE for arch into dir (which must not exist) from the
 * mirrors, as root; then read the suite's InRelease and dpkg's status
 * into t, and remove apt's lists and sshd's host keys (made at first
 * boot) from the tree. Returns 0, -UKB_EHOST (no mmdebstrap, not root),
 * -UKB_ESOURCE (mmdebstrap or apt failed) or -UKB_EINTR, reported once.
 */
int debian_bootstrap(const char *suite, const char *arch,
		     const char *const *mirrors, size_t nr, const char *dir,
		     struct debian_tree *t);

/* Root's and every user's last password change in etc/shadow (and
 * shadow-) under dir to the day of epoch: one image per input. */
int debian_fix_shadow_dates(const char *dir, long long epoch);

#endif
