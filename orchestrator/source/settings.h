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
#ifndef UKB_SETTINGS_H
#define UKB_SETTINGS_H

#include <stddef.h>

#include "base/strvec.h"

struct ukb_settings {
	struct strvec mirrors;   /* [fetch] mirror */
	struct strvec keyrings;  /* [fetch] keyring, absolute paths */
	char *cache_dir;         /* [cache] dir, absolute; NULL when unset */
	struct strvec alpine_mirrors;  /* [alpine] mirror */
	struct strvec alpine_keyrings; /* [alpine] keyring, absolute paths */
};

void settings_init(struct ukb_settings *c);
void settings_release(struct ukb_settings *c);

/*
 * Read the system and user files, then file unless NULL (which must
 * exist). Returns 0, -UKB_EUSAGE for a bad or missing file (reported as
 * "error: FILE:LINE: problem" or naming the file), or -errno.
 */
int settings_load(struct ukb_settings *c, const char *file);

/*
 * Parse len bytes of INI text into c; name (the file's path) is used in
 * messages and to resolve relative paths. Returns 0 or -UKB_EUSAGE with
 * the first problem reported as "name:LINE: problem". Fuzzed.
 */
int settings_parse(struct ukb_settings *c, const char *name, const char *buf,
		 size_t len);

#endif
