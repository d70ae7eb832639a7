#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/scope.h"
#include "base/strbuf.h"
#include "compile/preflight.h"
#include "base/banned.h"

static const struct {
	const char *tool;
	const char *package;
} tools[] = {
	{ "make", "make" },   { "gcc", "gcc" },       { "flex", "flex" },
	{ "bison", "bison" }, { "bc", "bc" },         { "strip", "binutils" },
	{ "ld", "binutils" }, { "patch", "patch" },   { "perl", "perl" },
};

/* Whether gcc finds a static libc for -m32 (gcc-multilib, libc6-dev-i386). */
static int have_libc32(const char *cc)
{
	const char *argv[] = { cc ? cc : "gcc", "-m32", "-print-file-name=libc.a",
			       NULL };
	struct strbuf out = STRBUF_INIT;
	int ok = 0;

	if (!proc_capture(argv, &out)) {
		strbuf_rtrim(&out);
		ok = out.buf[0] == '/' && access(out.buf, R_OK) == 0;
	}
	strbuf_release(&out);
	return ok;
}

int preflight_build(unsigned arch, const char *cc, const char *hostcc)
{
	const char *compilers[] = { cc, hostcc };
	int missing = 0;

	for (size_t i = 0; i < 2; i++) {
		if (!compilers[i] || proc_have(compilers[i]) ||
		    (i && !strcmp(compilers[0], compilers[1])))
			continue;
		error(-UKB_EHOST, "the toolchain's compiler '%s' is not installed",
		      compilers[i]);
		missing++;
	}
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (proc_have(tools[i].tool))
			continue;
		error(-UKB_EHOST, "'%s' is not installed: apt-get install %s",
		      tools[i].tool, tools[i].package);
		missing++;
	}
	if (arch == ARCH_I386 && !missing && !have_libc32(cc)) {
		error(-UKB_EHOST,
		      "no 32-bit static libc for an i386 build: apt-get install gcc-multilib libc6-dev-i386");
		missing++;
	}
	if (missing) {
		hint("toolchain/install.sh installs everything umlkbuild needs");
		return -UKB_EHOST;
	}
	return 0;
}
