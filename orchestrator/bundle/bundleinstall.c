/* A checked bundle's kernel and image, installed for a deploy: see bundle.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "bundle/bundle.h"
#include "bundle/bundlear.h"
#include "base/banned.h"

/* What bundle_install() puts in its directory, and nothing else. */
static const char *const installed[] = { "vmlinux", "rootfs.img" };

static int make_parent(const char *dir)
{
	char *parent = xstrdup(dir), *slash = strrchr(parent, '/');
	int ret = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		ret = mkdir_p(parent, 0755);
		if (ret) {
			error_errno(ret, "cannot make '%s'", parent);
			ret = -UKB_EHOST;
		}
	}
	free(parent);
	return ret;
}

/* Both members into stage, each against the sha256 bi was checked with. */
static int extract(const char *path, const struct bundle_info *bi,
		   const char *stage)
{
	struct bar_out o[2] = {
		{ .mode = 0755 }, { .mode = 0600 },
	};
	const char *want[2] = { bi->vmlinux, bi->rootfs };
	char *names[2], *dests[2];
	int ret;

	for (size_t i = 0; i < 2; i++) {
		o[i].name = names[i] = xasprintf("%s/%s", bi->top, installed[i]);
		o[i].dest = dests[i] = path_join(stage, installed[i]);
	}
	ret = bar_extract(path, o, 2);
	for (size_t i = 0; !ret && i < 2; i++)
		if (!o[i].found || strcmp(o[i].sha256, want[i]))
			ret = error(-UKB_EARTIFACT, "'%s' changed while it was deployed: member '%s' is no longer the one checked",
				    path, names[i]);
	for (size_t i = 0; i < 2; i++) {
		free(names[i]);
		free(dests[i]);
	}
	return ret;
}

int bundle_install(const char *path, const struct bundle_info *bi,
		   const char *dir)
{
	char *stage = xasprintf("%s.tmp-%d", dir, (int)getpid());
	int ret = make_parent(dir);

	if (!ret && path_exists(dir)) {
		ret = error(-UKB_EHOST, "cannot install into '%s': it exists", dir);
		hint("a deployment of that name left it: remove it, or choose another --name");
	}
	if (ret)
		goto out;
	if (mkdir(stage, 0700)) {
		ret = -UKB_EHOST;
		error_errno(0, "cannot make '%s'", stage);
		goto out;
	}
	tmp_register(stage);
	ret = extract(path, bi, stage);
	if (!ret && rename(stage, dir)) {
		error_errno(0, "cannot rename '%s' to '%s'", stage, dir);
		ret = -UKB_EHOST;
	}
	if (ret)
		rmtree(stage);
	tmp_forget(stage);
out:
	free(stage);
	return ret;
}

int bundle_uninstall(const char *dir)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(installed); i++) {
		char *p = path_join(dir, installed[i]);

		if (unlink(p) && errno != ENOENT) {
			error_errno(0, "cannot remove '%s'", p);
			ret = -UKB_EHOST;
		}
		free(p);
	}
	if (ret || !rmdir(dir) || errno == ENOENT)
		return ret;
	if (errno == ENOTEMPTY) {
		warning("left '%s': it holds files umlkbuild did not put there", dir);
		return 0;
	}
	error_errno(0, "cannot remove '%s'", dir);
	return -UKB_EHOST;
}
