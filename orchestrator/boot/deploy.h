/*
 * The seeds' deployment for the boot check (`boot --deploy`): a scratch
 * ext4 image with ukb-init as /sbin/init, booted as the root on ubda with a
 * second console on a host pty, and the host's side of that pty.
 */
#ifndef UKB_DEPLOY_H
#define UKB_DEPLOY_H

#include <stddef.h>

#include "base/strvec.h"

struct deploy {
	char *dir;              /* scratch directory, gone after release */
	char *image;            /* dir/rootfs.img */
	int pty_fd;             /* the host side of the guest's tty1, or -1 */
	char *pty_path;         /* "/dev/pts/N" as UML announced it */
	int pty_err;            /* -errno of opening or writing the pty */
	int got_pong;           /* the guest's answer came back on the pty */
};

#define DEPLOY_INIT { .pty_fd = -1 }

/*
 * Make the image in a scratch directory under $TMPDIR: ext4 (mke2fs -d),
 * /sbin/init a copy of init. 0, -UKB_EHOST (message printed) or -UKB_EINTR.
 */
int deploy_prepare(struct deploy *d, const char *init);
/* The kernel command line words that boot from the image. */
void deploy_args(const struct deploy *d, struct strvec *argv);
/* Feed each console line: answers UML's pty announcement for tty1. */
void deploy_console_line(struct deploy *d, const char *line, size_t len);
/*
 * The host side's verdict on the pty console into *ok and a detail
 * string (to free).
 */
char *deploy_pty_verdict(struct deploy *d, int *ok);
void deploy_release(struct deploy *d);

#endif
