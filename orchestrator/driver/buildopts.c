#include <string.h>
#include <unistd.h>

#include "base/scope.h"
#include "driver/buildopts.h"
#include "base/banned.h"

void build_opts_init(struct build_opts *o)
{
	memset(o, 0, sizeof(*o));   /* the lists: STRVEC_INIT */
	o->arch = ARCH_X86_64;
	o->link = LINK_STATIC;
	o->profile = "defconfig";
	o->boot_timeout = 120;
	o->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o->jobs < 1)
		o->jobs = 1;
}

void build_opts_release(struct build_opts *o)
{
	strvec_clear(&o->fragments);
	strvec_clear(&o->kconfig_add);
	strvec_clear(&o->mirrors);
	strvec_clear(&o->keyrings);
}
