#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "fsutil.h"
#include "log.h"
#include "publish.h"
#include "sigchain.h"
#include "wrapper.h"
#include "banned.h"

/* Staging dirs "OUT.tmp-PID" of runs that died without cleaning up. */
static void remove_stale_staging(const char *out)
{
	const char *slash = strrchr(out, '/');
	char *dir = xstrndup(out, slash && slash != out ? (size_t)(slash - out) : 1);
	char *prefix = xasprintf("%s.tmp-", slash ? slash + 1 : out);
	size_t n = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *end, *path;
		long pid;

		if (strncmp(de->d_name, prefix, n))
			continue;
		pid = strtol(de->d_name + n, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno == EPERM)
			continue;
		path = path_join(dir, de->d_name);
		rmtree(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

int publish_begin(const char *out, struct publish *pub)
{
	char *parent, *slash;
	int ret;

	pub->out = path_absolute(out);
	/* drop trailing slashes so the staging dir is a sibling */
	for (size_t n = strlen(pub->out); n > 1 && pub->out[n - 1] == '/'; n--)
		pub->out[n - 1] = '\0';
	parent = xstrdup(pub->out);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	ret = mkdir_p(parent, 0755);
	if (!ret && access(parent, W_OK) < 0)
		ret = -errno;
	if (ret) {
		error(-UKB_EHOST, "cannot write to '%s': %s", parent,
		      strerror(-ret));
		hint("choose a writable directory with --out DIR");
		free(parent);
		free(pub->out);
		pub->out = NULL;
		return -UKB_EHOST;
	}
	free(parent);
	remove_stale_staging(pub->out);
	pub->staging = xasprintf("%s.tmp-%ld", pub->out, (long)getpid());
	rmtree(pub->staging);
	if (mkdir(pub->staging, 0755) < 0) {
		ret = -errno;
		error(-UKB_EHOST, "cannot create '%s': %s", pub->staging,
		      strerror(-ret));
		free(pub->staging);
		free(pub->out);
		pub->staging = pub->out = NULL;
		return -UKB_EHOST;
	}
	tmp_register(pub->staging);
	return 0;
}

char *publish_path(const struct publish *pub, const char *name)
{
	return path_join(pub->staging, name);
}

int publish_commit(struct publish *pub)
{
	int dirfd = -1;

	/* the files themselves were written and closed; flush them */
	sync();
	if (is_dir(pub->out)) {
		if (renameat2(AT_FDCWD, pub->staging, AT_FDCWD, pub->out,
			      RENAME_EXCHANGE) < 0)
			goto fail;
		/* staging now holds the previous artifact */
		rmtree(pub->staging);
	} else if (rename(pub->staging, pub->out) < 0) {
		goto fail;
	}
	tmp_forget(pub->staging);
	dirfd = open(pub->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0) {
		fsync(dirfd);
		close(dirfd);
	}
	free(pub->staging);
	free(pub->out);
	pub->staging = pub->out = NULL;
	return 0;
fail:
	error(-UKB_EHOST, "cannot publish '%s': %s", pub->out, strerror(errno));
	publish_abort(pub);
	return -UKB_EHOST;
}

void publish_abort(struct publish *pub)
{
	if (pub->staging) {
		rmtree(pub->staging);
		tmp_forget(pub->staging);
	}
	free(pub->staging);
	free(pub->out);
	pub->staging = pub->out = NULL;
}
