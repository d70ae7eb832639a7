#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "kconfig.h"
#include "paths.h"
#include "wrapper.h"
#include "banned.h"

#ifndef UKB_DATADIR
#define UKB_DATADIR "/usr/local/share/umlkbuild"
#endif
#ifndef UKB_LIBEXECDIR
#define UKB_LIBEXECDIR "/usr/local/libexec/umlkbuild"
#endif

/* The checkout the running binary was built in, if it is one. */
static const char *source_tree(void)
{
	static char *tree;
	static int done;
	char exe[PATH_MAX];
	ssize_t n;

	if (done)
		return tree;
	done = 1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	/* ./umlkbuild or ./build/<variant>/umlkbuild */
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		char *probe;

		if (!slash)
			break;
		*slash = '\0';
		probe = path_join(exe, "kconfig-fragments/required.list");
		if (path_exists(probe)) {
			free(probe);
			tree = xstrdup(exe);
			break;
		}
		free(probe);
	}
	return tree;
}

/* PREFIX/bin/umlkbuild next to PREFIX/share/umlkbuild: a relocated install. */
static const char *installed_prefix(void)
{
	static char *prefix;
	static int done;
	char exe[PATH_MAX];
	ssize_t n;

	if (done)
		return prefix;
	done = 1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			return NULL;
		*slash = '\0';
	}
	{
		char *probe = xasprintf("%s/share/umlkbuild/kconfig-fragments/required.list",
					exe);

		if (path_exists(probe))
			prefix = xstrdup(exe);
		free(probe);
	}
	return prefix;
}

const char *ukb_datadir(void)
{
	static char *relocated;
	const char *env = getenv("UKB_DATADIR");

	if (env && *env)
		return env;
	if (source_tree())
		return source_tree();
	if (installed_prefix()) {
		if (!relocated)
			relocated = xasprintf("%s/share/umlkbuild", installed_prefix());
		return relocated;
	}
	return UKB_DATADIR;
}

char *ukb_data_path(const char *name)
{
	return path_join(ukb_datadir(), name);
}

const char *ukb_init_path(void)
{
	static char *path;
	const char *env = getenv("UKB_INIT");

	if (env && *env)
		return env;
	if (!path) {
		if (source_tree())
			path = path_join(source_tree(), "build/ukb-init");
		else if (installed_prefix())
			path = xasprintf("%s/libexec/umlkbuild/ukb-init",
					 installed_prefix());
		else
			path = xstrdup(UKB_LIBEXECDIR "/ukb-init");
	}
	return path;
}

const char *ukb_init_path_arch(unsigned arch)
{
	static char *path32;
	const char *env = getenv("UKB_INIT_I386");

	if (arch != ARCH_I386)
		return ukb_init_path();
	if (env && *env)
		return env;
	if (!path32)
		path32 = xasprintf("%s-i386", ukb_init_path());
	return path32;
}
