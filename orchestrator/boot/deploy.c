/*
 * The seeds' deployment for the boot check: a scratch ext4 root image and
 * the host's end of the guest's pty console. The guest's side of it is
 * orchestrator/guest/deploy.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "boot/deploy.h"
#include "base/banned.h"

/* room for ukb-init, the guest's 32 MiB swap file and ext4's own needs */
#define IMAGE_SIZE "96M"
#define PTY_PING "ukb-pty-ping\n"
#define PTY_PONG "ukb-pty-pong"
#define ANNOUNCE "Virtual console 1 assigned device '"

static int make_staging(const char *staging, const char *init)
{
	static const char *const dirs[] = { "sbin", "proc", "sys", "dev", "tmp" };
	char *dst;
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(dirs); i++) {
		char *d = path_join(staging, dirs[i]);

		ret = mkdir_p(d, 0755);
		free(d);
	}
	if (ret)
		return ret;
	dst = path_join(staging, "sbin/init");
	ret = copy_file(init, dst);
	if (!ret && chmod(dst, 0755) < 0)
		ret = -errno;
	free(dst);
	return ret;
}

int deploy_prepare(struct deploy *d, const char *init)
{
	const char *tmp = getenv("TMPDIR");
	char *staging;
	struct strbuf out = STRBUF_INIT;
	struct proc p = { 0 };
	int ret;

	d->dir = xasprintf("%s/ukb-deploy-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->dir)) {
		error_errno(0, "cannot create a scratch directory '%s'", d->dir);
		ret = -UKB_EHOST;
		free(d->dir);
		d->dir = NULL;
		return ret;
	}
	tmp_register(d->dir);
	staging = path_join(d->dir, "root");
	d->image = path_join(d->dir, "rootfs.img");
	ret = make_staging(staging, init);
	if (ret) {
		error_errno(ret, "cannot stage the root image in '%s'", staging);
		ret = -UKB_EHOST;
		goto out;
	}
	{
		const char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4",
				       "-L", "ukbroot", "-d", staging,
				       d->image, IMAGE_SIZE, NULL };

		p.argv = argv;
		p.capture = &out;
		p.quiet_log = 1;
		p.timeout_ms = 60000;
		ret = proc_run(&p);
	}
	if (ret == -UKB_EINTR)
		goto out;
	if (ret) {
		strbuf_rtrim(&out);
		ret = error(-UKB_EHOST, "cannot make the ext4 root image%s%s%s",
			    ret == -ENOENT ? ": mke2fs is not installed (e2fsprogs)" : "",
			    out.len ? ": " : "", out.buf);
	}
out:
	free(staging);
	strbuf_release(&out);
	return ret;
}

void deploy_args(const struct deploy *d, struct strvec *argv)
{
	strvec_pushf(argv, "ubda=%s", d->image);
	strvec_pushl(argv, "root=/dev/ubda", "rootfstype=ext4", "rw",
		     "init=/sbin/init", "con1=pts", "ukb.deploy", NULL);
}

/* Open the announced pty the way `screen /dev/pts/N` would, raw, and ping. */
void deploy_console_line(struct deploy *d, const char *line, size_t len)
{
	const char *p = memmem(line, len, ANNOUNCE, strlen(ANNOUNCE));
	const char *end = line + len, *q;
	struct termios t;

	if (d->pty_fd >= 0 && !d->got_pong) {
		char buf[256];
		ssize_t n = read(d->pty_fd, buf, sizeof(buf) - 1);

		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, PTY_PONG))
				d->got_pong = 1;
		}
	}
	if (!p || d->pty_path)
		return;
	p += strlen(ANNOUNCE);
	q = memchr(p, '\'', (size_t)(end - p));
	/* only ever a /dev/pts/NUMBER */
	if (!q || q - p <= 9 || strncmp(p, "/dev/pts/", 9) ||
	    strspn(p + 9, "0123456789") != (size_t)(q - p - 9))
		return;
	d->pty_path = xstrndup(p, (size_t)(q - p));
	d->pty_fd = open(d->pty_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (d->pty_fd < 0) {
		d->pty_err = -errno;
		return;
	}
	if (tcgetattr(d->pty_fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(d->pty_fd, TCSANOW, &t);
	}
	if (write(d->pty_fd, PTY_PING, strlen(PTY_PING)) != (ssize_t)strlen(PTY_PING))
		d->pty_err = errno ? -errno : -EIO;
}

char *deploy_pty_verdict(struct deploy *d, int *ok)
{
	*ok = 0;
	if (!d->pty_path)
		return xstrdup("UML announced no pty for tty1 (con1=pts)");
	if (d->pty_err)
		return xasprintf("cannot talk to %s: %s", d->pty_path,
				 strerror(-d->pty_err));
	if (!d->got_pong)
		return xasprintf("no answer from the guest on %s", d->pty_path);
	*ok = 1;
	return xasprintf("%s answered '%s'", d->pty_path, PTY_PONG);
}

void deploy_release(struct deploy *d)
{
	if (d->pty_fd >= 0)
		close(d->pty_fd);
	if (d->dir) {
		rmtree(d->dir);
		tmp_forget(d->dir);
	}
	free(d->dir);
	free(d->image);
	free(d->pty_path);
	memset(d, 0, sizeof(*d));
	d->pty_fd = -1;
}
