/*
 * reproduce's view of a metadata.json: manifest_loadb, then
 * reproduce_setup, which checks every field a rebuild uses. Whatever the
 * bytes, no crash; what it accepts names one source, a known profile and
 * only strings where strings go.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/manifest.h"
#include "configure/configure.h"
#include "driver/build.h"
#include "driver/reproduce.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = manifest_loadb((const char *)data, size, "fuzz");
	struct build_opts o = { 0 };
	int sources;

	if (!m)
		return 0;
	if (!reproduce_setup(m, "fuzz", &o)) {
		sources = !!o.tarball + !!o.version + !!o.git_url;
		if (sources != 1 || !o.profile ||
		    !configure_valid_profile(o.profile) ||
		    (o.git_url && (!o.git_ref || strlen(o.git_ref) != 40)))
			abort();
		for (size_t i = 0; i < o.kconfig_add.nr; i++)
			if (!o.kconfig_add.v[i])
				abort();
	}
	strvec_clear(&o.kconfig_add);
	strvec_clear(&o.mirrors);
	strvec_clear(&o.fragments);
	manifest_free(m);
	return 0;
}
