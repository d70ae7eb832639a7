#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/paths.h"
#include "base/scope.h"
#include "base/wrapper.h"
#include "base/banned.h"

#ifndef UKB_DATADIR
#define UKB_DATADIR "/usr/local/share/umlkbuild"
#endif
#ifndef UKB_LIBEXECDIR
#define UKB_LIBEXECDIR "/usr/local/libexec/umlkbuild"
#endif

/*
 * The first of the running binary's ancestor directories, up to max
 * levels above it, that holds probe (a relative path); NULL when none.
 */
static char *exe_ancestor_with(const char *probe, int max)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < max; up++) {
		char *slash = strrchr(exe, '/');
		char *path;
		int found;

		if (!slash)
			break;
		*slash = '\0';
		path = path_join(exe, probe);
		found = path_exists(path);
		free(path);
		if (found)
			return xstrdup(exe);
	}
	return NULL;
}

/* The checkout the binary was built in: ./umlkbuild or ./build/VARIANT/umlkbuild. */
static const char *source_tree(void)
{
	static char *tree;
	static int done;

	if (!done) {
		tree = exe_ancestor_with("kconfig-fragments/required.list", 3);
		done = 1;
	}
	return tree;
}

/* PREFIX/bin/umlkbuild next to PREFIX/share/umlkbuild: a relocated install. */
static const char *installed_prefix(void)
{
	static char *prefix;
	static int done;

	if (!done) {
		char *bin = exe_ancestor_with(
			"../share/umlkbuild/kconfig-fragments/required.list", 1);

		/* bin is PREFIX/bin: its parent is the prefix */
		if (bin) {
			char *slash = strrchr(bin, '/');

			if (slash && slash != bin)
				*slash = '\0';
			prefix = bin;
		}
		done = 1;
	}
	return prefix;
}

static const char *ukb_datadir(void)
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
