/*
 * Debian's texts (debian.h, deb822.h) on the same bytes: apt's sources
 * in both styles, a Release (clear-signed or not), dpkg's status, and the
 * suite and mirror checks. What parses must hold what was promised: a
 * picked URI without a blank, packages as NAME=VERSION, a suite of the
 * allowed characters only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strvec.h"
#include "fuzz.h"
#include "rootfs/debian.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *why;
	char *s = malloc(size + 1), *uri;
	struct debian_release rel;
	struct strvec pkgs = STRVEC_INIT;

	log_set_verbosity(LOG_QUIET);
	memcpy(s, data, size);
	s[size] = '\0';
	for (int d822 = 0; d822 < 2; d822++)
		if (!debian_sources_pick("fuzz", buf, size, d822, &uri) && uri) {
			if (!*uri || strpbrk(uri, " \t\n"))
				abort();
			free(uri);
		}
	if (!debian_release_parse("fuzz", buf, size, &rel)) {
		if (!rel.suite || strlen(rel.sha256) != 64 || strchr(rel.suite, '\n'))
			abort();
		debian_release_release(&rel);
	}
	if (!debian_status_parse("fuzz", buf, size, &pkgs))
		for (size_t i = 0; i < pkgs.nr; i++)
			if (!strchr(pkgs.v[i], '='))
				abort();
	strvec_clear(&pkgs);
	if (!debian_suite_check(s, &why) &&
	    (!*s || s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-")]))
		abort();
	if (!debian_mirror_check(s, &why) && strpbrk(s, " \t\n"))
		abort();
	free(s);
	return 0;
}
