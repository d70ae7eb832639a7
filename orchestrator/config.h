/*
 * The configuration file (INI, read with libinih):
 *
 *   [fetch]
 *   mirror = https://cdn.kernel.org/pub/linux/kernel   ; repeatable, in order
 *   keyring = /usr/share/keyrings/my-release-key.asc   ; repeatable
 *   [alpine]                                           ; `umlkbuild rootfs`
 *   mirror = https://dl-cdn.alpinelinux.org/alpine     ; as [fetch]'s, for
 *   keyring = /usr/share/keyrings/alpine.asc           ; Alpine's releases
 *   [cache]
 *   dir = /var/cache/umlkbuild
 *
 * Files are read in order: /etc/umlkbuild.ini (skipped when
 * $UKB_CONFIG_NOSYSTEM is set), $XDG_CONFIG_HOME/umlkbuild/config.ini
 * (~/.config/... without XDG_CONFIG_HOME), then --config FILE. A key a
 * later file sets replaces that key's whole value (a list included); keys
 * it does not mention keep theirs. Relative paths count from the file's
 * directory, "~/" from $HOME. Unknown sections and keys are errors, so a
 * typo does not pass silently.
 */
#ifndef UKB_CONFIG_H
#define UKB_CONFIG_H

#include <stddef.h>

#include "strvec.h"

struct ukb_config {
	struct strvec mirrors;   /* [fetch] mirror */
	struct strvec keyrings;  /* [fetch] keyring, absolute paths */
	char *cache_dir;         /* [cache] dir, absolute; NULL when unset */
	struct strvec alpine_mirrors;  /* [alpine] mirror */
	struct strvec alpine_keyrings; /* [alpine] keyring, absolute paths */
};

void config_init(struct ukb_config *c);
void config_release(struct ukb_config *c);

/*
 * A generic INI reader on libinih (the only user of ini.h): fn sees every
 * entry and returns NULL, or a problem message (allocated; freed by
 * ini_read) that stops the read. Problems are reported once as
 * "name:LINE: problem" and give -UKB_EUSAGE. Fuzzed through config_parse.
 */
typedef char *(*ini_entry_fn)(void *user, const char *section,
			      const char *key, const char *value);
int ini_read(const char *name, const char *buf, size_t len, ini_entry_fn fn,
	     void *user);

/*
 * Read the system and user files, then file unless NULL (which must
 * exist). Returns 0, -UKB_EUSAGE for a bad or missing file (reported as
 * "error: FILE:LINE: problem" or naming the file), or -errno.
 */
int config_load(struct ukb_config *c, const char *file);

/*
 * Parse len bytes of INI text into c; name (the file's path) is used in
 * messages and to resolve relative paths. Returns 0 or -UKB_EUSAGE with
 * the first problem reported as "name:LINE: problem". Fuzzed.
 */
int config_parse(struct ukb_config *c, const char *name, const char *buf,
		 size_t len);

#endif
