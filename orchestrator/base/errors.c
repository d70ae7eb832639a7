#include <string.h>

#include "base/errors.h"
#include "base/wrapper.h"
#include "base/banned.h"

static const char *const messages[] = {
	[UKB_EUSAGE - UKB_EBASE] = "invalid usage",
	[UKB_ESOURCE - UKB_EBASE] = "bad kernel source",
	[UKB_ENOTFOUND - UKB_EBASE] = "not found",
	[UKB_ENETWORK - UKB_EBASE] = "network error",
	[UKB_ECHECKSUM - UKB_EBASE] = "checksum mismatch",
	[UKB_ESIGNATURE - UKB_EBASE] = "bad signature",
	[UKB_EUNSUPPORTED - UKB_EBASE] = "unsupported",
	[UKB_EPATCH - UKB_EBASE] = "patch does not apply",
	[UKB_ECONFIG - UKB_EBASE] = "config check failed",
	[UKB_EBUILD - UKB_EBASE] = "build failed",
	[UKB_EARTIFACT - UKB_EBASE] = "artifact check failed",
	[UKB_EBOOT - UKB_EBASE] = "boot check failed",
	[UKB_EHOST - UKB_EBASE] = "host problem",
	[UKB_ECHILD - UKB_EBASE] = "child process failed",
	[UKB_ETIMEDOUT - UKB_EBASE] = "timed out",
	[UKB_EINTR - UKB_EBASE] = "interrupted",
};

static const unsigned char exit_codes[] = {
	[UKB_EUSAGE - UKB_EBASE] = EXIT_USAGE,
	[UKB_ESOURCE - UKB_EBASE] = EXIT_SOURCE,
	[UKB_ENOTFOUND - UKB_EBASE] = EXIT_SOURCE,
	[UKB_ENETWORK - UKB_EBASE] = EXIT_SOURCE,
	[UKB_ECHECKSUM - UKB_EBASE] = EXIT_SOURCE,
	[UKB_ESIGNATURE - UKB_EBASE] = EXIT_SOURCE,
	[UKB_EUNSUPPORTED - UKB_EBASE] = EXIT_USAGE,
	[UKB_EPATCH - UKB_EBASE] = EXIT_PATCH,
	[UKB_ECONFIG - UKB_EBASE] = EXIT_CONFIG,
	[UKB_EBUILD - UKB_EBASE] = EXIT_BUILD,
	[UKB_EARTIFACT - UKB_EBASE] = EXIT_ARTIFACT,
	[UKB_EBOOT - UKB_EBASE] = EXIT_BOOT,
	[UKB_EHOST - UKB_EBASE] = EXIT_HOST,
	[UKB_ECHILD - UKB_EBASE] = EXIT_INTERNAL,
	[UKB_ETIMEDOUT - UKB_EBASE] = EXIT_INTERNAL,
	[UKB_EINTR - UKB_EBASE] = EXIT_INTERRUPTED,
};

const char *ukb_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= UKB_EBASE && err < UKB_EMAX)
		return messages[err - UKB_EBASE];
	return strerror(err);
}

int ukb_exit_code(int err)
{
	if (err == 0)
		return EXIT_OK;
	if (err < 0)
		err = -err;
	if (err >= UKB_EBASE && err < UKB_EMAX)
		return exit_codes[err - UKB_EBASE];
	return EXIT_INTERNAL;
}

int ukb_classify(int err, int stage_class)
{
	if (err >= 0 || -err >= UKB_EBASE)
		return err;
	return stage_class;
}
