#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/version.h"
#include "cli/args.h"
#include "compile/kbuild.h"
#include "source/source.h"
#include "base/banned.h"

int args_parse_arch(const char *s, unsigned *arch)
{
	if (kbuild_parse_arch(s, arch))
		return error(-UKB_EUSAGE,
			     "unknown arch '%s': use x86_64 (amd64, 64) or i386 (i686, 32)",
			     s);
	return 0;
}

int args_check_version(const char *s, unsigned target)
{
	struct kver v;
	const char *why = NULL;

	if (kver_parse(s, strlen(s), &v, &why))
		return error(-UKB_EUSAGE, "invalid kernel version '%s': %s", s,
			     why);
	return source_check_supported(&v, target);
}
