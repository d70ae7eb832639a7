#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "rootfs/alpine.h"
#include "rootfs/stage.h"
#include "source/unpack.h"
#include "base/banned.h"

#define SECRET_MAX 4096
#define KEYS_MAX (1u << 20)

static int read_small(const char *path, size_t max, struct strbuf *sb,
		      const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char buf[4096];
	ssize_t n;

	if (fd < 0) {
		error_errno(0, "cannot read the %s '%s'", what, path);
		return -UKB_EUSAGE;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (sb->len + (size_t)n > max) {
			close(fd);
			return error(-UKB_EUSAGE, "the %s '%s' is larger than "
				     "%zu bytes", what, path, max);
		}
		strbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		error_errno(0, "cannot read the %s '%s'", what, path);
		return -UKB_EUSAGE;
	}
	return 0;
}

/*
 * Walk guest (absolute, checked) inside the staging tree, making missing
 * directories; refuse to pass through a symlink, which could lead out of
 * the tree on the host (the tarball's are meant for the guest). what
 * names the path in messages.
 */
static int guest_target(struct rootfs_run *r, const char *guest,
			const char *what, char **out)
{
	struct strbuf p = STRBUF_INIT;
	const char *c = guest;
	struct stat st;

	strbuf_addstr(&p, r->staging);
	for (;;) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		strbuf_addch(&p, '/');
		strbuf_add(&p, c, n);
		c += n;
		if (!c[strspn(c, "/")])
			break;
		if (lstat(p.buf, &st) < 0) {
			if (mkdir(p.buf, 0755) < 0) {
				int ret = error_errno(0, "cannot create '%s'",
						      p.buf);

				strbuf_release(&p);
				return ret;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			int ret = error(-UKB_EUSAGE, "%s '%s' goes through "
					"'%s', which is not a directory in the "
					"image", what, guest,
					p.buf + strlen(r->staging));

			strbuf_release(&p);
			return ret;
		}
	}
	if (!lstat(p.buf, &st) && S_ISDIR(st.st_mode)) {
		int ret = error(-UKB_EUSAGE, "%s '%s' is a directory in the "
				"image", what, guest);

		hint("name the file itself, e.g. '%s/NAME'", guest);
		strbuf_release(&p);
		return ret;
	}
	*out = strbuf_detach(&p, NULL);
	return 0;
}

/* Write text to guest path rel (absolute) in the staging tree. */
static int put(struct rootfs_run *r, const char *rel, const char *text,
	       mode_t mode)
{
	char *path = NULL;
	int ret = guest_target(r, rel, "the file", &path);

	if (ret)
		return ret;
	unlink(path);  /* a symlink there is replaced, never followed */
	ret = write_file_atomic(path, text, strlen(text), mode);
	if (ret)
		error_errno(ret, "cannot write '%s'", path);
	free(path);
	return ret;
}

static void salt_from(const char *digest, char out[17])
{
	static const char abc[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz";
	char h[SHA256_HEX_LEN + 1];
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "umlkbuild rootfs salt\n%s", digest);
	sha256_buf(sb.buf, sb.len, h);
	for (int i = 0; i < 16; i++) {
		unsigned v = 0;

		sscanf(h + 2 * i, "%2x", &v);
		out[i] = abc[v % 64];
	}
	out[16] = '\0';
	strbuf_release(&sb);
}

/*
 * Hash the password with SHA-512 crypt. The salt derives from the public
 * inputs only, so the image is reproducible and the salt says nothing
 * about the password. The clear text is wiped at once.
 */
int rootfs_hash_password(struct rootfs_run *r)
{
	struct strbuf pw = STRBUF_INIT;
	struct crypt_data *cd;
	char salt[17], *setting, *h;
	int ret;

	ret = read_small(r->o->password_file, SECRET_MAX, &pw,
			 "password file");
	if (ret)
		goto out;
	while (pw.len && (pw.buf[pw.len - 1] == '\n' ||
			  pw.buf[pw.len - 1] == '\r'))
		pw.buf[--pw.len] = '\0';
	if (!pw.len || memchr(pw.buf, '\n', pw.len) ||
	    memchr(pw.buf, '\0', pw.len)) {
		ret = error(-UKB_EUSAGE, "the password file '%s' must hold "
			    "one non-empty line", r->o->password_file);
		goto out;
	}
	salt_from(r->digest, salt);
	setting = xasprintf("$6$%s$", salt);
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_r(pw.buf, setting, cd);
	if (!h || h[0] != '$')
		ret = error(-EINVAL, "crypt(3) cannot hash with SHA-512");
	else
		r->shadow_hash = xstrdup(h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	free(setting);
out:
	explicit_bzero(pw.buf, pw.alloc);
	strbuf_release(&pw);
	return ret;
}

/* Replace root's password field in etc/shadow, keeping owner and mode. */
static int set_root_password(struct rootfs_run *r, const char *field)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char *path = NULL;
	struct stat st;
	int ret, done = 0;

	ret = guest_target(r, "/etc/shadow", "the file", &path);
	if (ret)
		goto out;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    read_small(path, SECRET_MAX * 16, &in, "image's shadow file")) {
		ret = error(-UKB_ESOURCE, "the tarball has no usable "
			    "'/etc/shadow'");
		goto out;
	}
	for (char *line = in.buf, *nl; line < in.buf + in.len; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = in.buf + in.len;
		if (!done && !strncmp(line, "root:", 5)) {
			char *rest = memchr(line + 5, ':', (size_t)(nl - line - 5));

			strbuf_addf(&out, "root:%s", field);
			if (rest)
				strbuf_add(&out, rest, (size_t)(nl - rest));
			done = 1;
		} else {
			strbuf_add(&out, line, (size_t)(nl - line));
		}
		strbuf_addch(&out, '\n');
	}
	if (!done)
		strbuf_addf(&out, "root:%s:0:0:::::\n", field);
	unlink(path);
	ret = write_file_atomic(path, out.buf, out.len, st.st_mode & 07777);
	if (!ret && chown(path, st.st_uid, st.st_gid) < 0)
		ret = -errno;
	if (ret)
		error_errno(ret, "cannot write '%s'", path);
out:
	strbuf_release(&in);
	strbuf_release(&out);
	free(path);
	return ret;
}

static int install_keys(struct rootfs_run *r)
{
	struct strbuf keys = STRBUF_INIT;
	char *dir = path_join(r->staging, "root/.ssh");
	int ret;

	ret = read_small(r->o->authorized_keys, KEYS_MAX, &keys,
			 "authorized keys file");
	if (!ret)
		ret = put(r, "/root/.ssh/authorized_keys", keys.buf, 0600);
	/* put() walked it: a directory of the tree, not a symlink */
	if (!ret && chmod(dir, 0700) < 0)
		ret = error_errno(0, "cannot chmod '%s'", dir);
	if (!ret && !r->o->debian)
		warning("Alpine's minirootfs has no ssh server: add one in the "
			"guest with 'apk add openssh'");
	strbuf_release(&keys);
	free(dir);
	return ret;
}

static int copy_in(struct rootfs_run *r, const char *spec)
{
	char *copy = xstrdup(spec), *colon = strrchr(copy, ':');
	char *dst = NULL;
	struct stat st;
	int ret;

	*colon = '\0';
	ret = access(copy, R_OK) || stat(copy, &st) ? -errno : 0;
	if (ret) {
		error_errno(ret, "cannot read the --copy source '%s'", copy);
		ret = -UKB_EUSAGE;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error(-UKB_EUSAGE, "the --copy source '%s' is not a "
			    "regular file", copy);
		goto out;
	}
	ret = guest_target(r, colon + 1, "--copy target", &dst);
	if (ret)
		goto out;
	unlink(dst);
	ret = copy_file(copy, dst);
	if (!ret && (chown(dst, 0, 0) < 0 ||
		     chmod(dst, st.st_mode & 07777) < 0))
		ret = -errno;
	if (ret) {
		error_errno(ret, "cannot copy '%s' into the image", copy);
		ret = -UKB_EUSAGE;
	}
out:
	free(dst);
	free(copy);
	return ret;
}

static char *data_text(const char *name, int *ret)
{
	char *path = ukb_data_path(name);
	struct strbuf sb = STRBUF_INIT;

	*ret = read_small(path, 1 << 20, &sb, "data file");
	free(path);
	return strbuf_detach(&sb, NULL);
}

/* busybox init's: the minirootfs has no OpenRC. */
static void busybox_inittab(struct strbuf *sb)
{
	strbuf_addstr(sb, "# written by umlkbuild rootfs: init runs "
		      "umlkbuild's boot script, no OpenRC\n"
		      "::sysinit:/etc/umlkbuild/boot\n"
		      "::once:/etc/umlkbuild/start\n"
		      "console::respawn:/sbin/getty 38400 console\n");
	for (int i = 1; i <= 6; i++)
		strbuf_addf(sb, "tty%d::respawn:/sbin/getty 38400 tty%d\n",
			    i, i);
	strbuf_addstr(sb, "::ctrlaltdel:/sbin/reboot\n"
		      "::shutdown:/sbin/swapoff -a\n"
		      "::shutdown:/bin/umount -a -r\n");
}

/*
 * sysvinit's, for Debian: the same boot script instead of Debian's rc
 * scripts (nothing in minbase needs them; sshd is started by the boot
 * script), runlevel 2, util-linux's getty.
 */
static void sysv_inittab(struct strbuf *sb)
{
	strbuf_addstr(sb, "# written by umlkbuild rootfs: init runs "
		      "umlkbuild's boot script, not /etc/init.d/rc\n"
		      "id:2:initdefault:\n"
		      "si::sysinit:/etc/umlkbuild/boot\n"
		      "st:2345:once:/etc/umlkbuild/start\n"
		      "co:2345:respawn:/sbin/getty 38400 console\n");
	for (int i = 1; i <= 6; i++)
		strbuf_addf(sb, "%d:2345:respawn:/sbin/getty 38400 tty%d\n",
			    i, i);
	strbuf_addstr(sb, "ca::ctrlaltdel:/sbin/shutdown -t1 -r now\n"
		      "h0:0:wait:/sbin/swapoff -a\n"
		      "h1:0:wait:/bin/umount -a -r\n"
		      "h2:0:wait:/sbin/halt -d -f -p\n"
		      "r0:6:wait:/sbin/swapoff -a\n"
		      "r1:6:wait:/bin/umount -a -r\n"
		      "r2:6:wait:/sbin/reboot -d -f\n");
}

/* The seeds' steps, done in the staging tree; long: a flat list, one file each. */
int rootfs_stage(struct rootfs_run *r)
{
	const struct rootfs_opts *o = r->o;
	struct strbuf sb = STRBUF_INIT;
	char *text;
	int ret;

	strbuf_addstr(&sb, "# written by umlkbuild rootfs\n"
		      "LABEL=ROOT\t/\text4\tdefaults,noatime\t1 1\n");
	if (o->swap)
		strbuf_addstr(&sb, "/swapfile\tnone\tswap\tsw\t0 0\n");
	ret = put(r, "/etc/fstab", sb.buf, 0644);

	strbuf_reset(&sb);
	if (o->debian)
		sysv_inittab(&sb);
	else
		busybox_inittab(&sb);
	if (!ret)
		ret = put(r, "/etc/inittab", sb.buf, 0644);

	text = data_text("rootfs/boot.sh", &ret);
	if (!ret)
		ret = put(r, "/etc/umlkbuild/boot", text, 0755);
	free(text);
	text = data_text("rootfs/50-umlkbuild.conf", &ret);
	if (!ret)
		ret = put(r, "/etc/sysctl.d/50-umlkbuild.conf", text, 0644);
	free(text);

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "# --sysctl, written by umlkbuild rootfs\n");
	for (size_t i = 0; i < o->sysctls.nr; i++)
		strbuf_addf(&sb, "%s\n", o->sysctls.v[i]);
	if (!ret)
		ret = put(r, "/etc/sysctl.d/60-umlkbuild-user.conf", sb.buf,
			  0644);

	/* values checked by cli/cmd-rootfs.c: no quote can be in them */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "# the guest's network, written by umlkbuild rootfs\n"
		    "ADDRESS='%s'\nGATEWAY='%s'\nSWAP_MB='%s'\n", o->guest_ip,
		    o->gateway, "");
	strbuf_setlen(&sb, sb.len - 2);
	if (o->swap)
		strbuf_addf(&sb, "%llu", (unsigned long long)(o->swap / MiB));
	strbuf_addstr(&sb, "'\n");
	if (!ret)
		ret = put(r, "/etc/umlkbuild/net", sb.buf, 0644);

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "#!/bin/sh\n# --start commands, run last at every "
		      "boot (written by umlkbuild rootfs)\n"
		      "exec >>/var/log/umlkbuild-start.log 2>&1 </dev/null\n");
	for (size_t i = 0; i < o->starts.nr; i++)
		strbuf_addf(&sb, "%s\n", o->starts.v[i]);
	if (!ret)
		ret = put(r, "/etc/umlkbuild/start", sb.buf, 0755);

	strbuf_reset(&sb);
	if (*o->dns)
		strbuf_addf(&sb, "nameserver %s\n", o->dns);
	if (!ret)
		ret = put(r, "/etc/resolv.conf", sb.buf, 0644);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s\n", o->hostname);
	if (!ret)
		ret = put(r, "/etc/hostname", sb.buf, 0644);
	strbuf_release(&sb);

	if (!ret)
		ret = set_root_password(r, r->shadow_hash ? r->shadow_hash : "");
	if (!ret && !o->password_file && !o->authorized_keys)
		info("no --root-password-file nor --authorized-keys: root logs "
		     "in without a password, on the consoles only");
	if (!ret && o->authorized_keys)
		ret = install_keys(r);
	for (size_t i = 0; !ret && i < o->copies.nr; i++)
		ret = copy_in(r, o->copies.v[i]);
	if (!ret) {
		/* the kernel opens /dev/console before the boot script runs */
		char *dev = NULL;

		ret = guest_target(r, "/dev/console", "the file", &dev);
		if (!ret && mknod(dev, S_IFCHR | 0600, makedev(5, 1)) < 0 &&
		    errno != EEXIST)
			debug("cannot make '%s': %s", dev, strerror(errno));
		free(dev);
	}
	return ret;
}
