/*
 * `umlkbuild rootfs`'s value parsers (rootfsopt.h) and Alpine's
 * latest-releases.yaml (alpine.h) on the same bytes. What parses must
 * hold what was promised: a size of 1 MiB or more, a --copy guest path
 * that stays inside the image, a sysctl key without '='.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fuzz.h"
#include "rootfs/alpine.h"
#include "rootfs/rootfsopt.h"

static void check_copy(const char *s)
{
	char *h, *g;
	const char *why = NULL;

	if (rootfs_parse_copy(s, &h, &g, &why)) {
		if (!why || h)
			abort();
		return;
	}
	if (g[0] != '/' || strstr(g, "/../") || strstr(g, "/./") ||
	    !strcmp(g + strlen(g) - (strlen(g) >= 3 ? 3 : 0), "/.."))
		abort();
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *k, *v, *ver;
	const char *why = NULL;
	uint64_t b;
	uint32_t a;
	unsigned p;
	int full;

	log_set_verbosity(LOG_QUIET);
	memcpy(s, data, size);
	s[size] = '\0';
	if (!rootfs_parse_size(s, &b, &why) && b < (1u << 20))
		abort();
	(void)rootfs_parse_ip(s, &a, &why);
	if (!rootfs_parse_cidr(s, &a, &p, &why) && (p < 1 || p > 32))
		abort();
	check_copy(s);
	if (!rootfs_parse_sysctl(s, &k, &v, &why)) {
		if (strchr(k, '=') || strchr(v, '\n') || !*k)
			abort();
		free(k);
		free(v);
	}
	(void)rootfs_check_hostname(s, &why);
	(void)alpine_version_check(s, &full);
	if (!alpine_latest_parse("fuzz", (const char *)data, size, &ver))
		free(ver);
	free(s);
	return 0;
}
