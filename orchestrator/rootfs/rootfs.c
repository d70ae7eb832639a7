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
#include "rootfs/rootfs.h"
#include "source/unpack.h"
#include "base/banned.h"

#define SECRET_MAX 4096
#define KEYS_MAX (1u << 20)
#define MiB (1ull << 20)

/* One run: the scratch directory beside --out and what goes in. */
struct rootfs_run {
	const struct rootfs_opts *o;
	char *scratch;      /* <out>.tmp-XXXXXX */
	char *staging;      /* scratch/root */
	char *image;        /* scratch/image */
	char *json;         /* <out minus .img>.json */
	char *version;      /* Alpine X.Y.Z */
	struct fetched src;
	char *shadow_hash;  /* crypt(3) of the password, or NULL */
	struct strbuf inputs; /* what the UUID, seed and salt derive from */
	struct strbuf script; /* debugfs commands that fix the ctimes */
	char digest[SHA256_HEX_LEN + 1];
	long long epoch;
};

static int read_small(const char *path, size_t max, struct strbuf *sb,
		      const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return error(-UKB_EUSAGE, "cannot read the %s '%s': %s", what,
			     path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (sb->len + (size_t)n > max) {
			close(fd);
			return error(-UKB_EUSAGE, "the %s '%s' is larger than "
				     "%zu bytes", what, path, max);
		}
		strbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	if (n < 0)
		return error(-UKB_EUSAGE, "cannot read the %s '%s': %s", what,
			     path, strerror(errno));
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
				int ret = error(-errno, "cannot create '%s': "
						"%s", p.buf, strerror(errno));

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
static int hash_password(struct rootfs_run *r)
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
		ret = error(-errno, "cannot chmod '%s': %s", dir,
			    strerror(errno));
	if (!ret)
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
		ret = error(-UKB_EUSAGE, "cannot read the --copy source '%s': %s",
			    copy, strerror(-ret));
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
	if (ret)
		ret = error(-UKB_EUSAGE, "cannot copy '%s' into the image: %s",
			    copy, strerror(-ret));
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

/* The seeds' steps, done in the staging tree. */
static int stage(struct rootfs_run *r)
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
	strbuf_addstr(&sb, "# written by umlkbuild rootfs: init runs "
		      "umlkbuild's boot script, no OpenRC\n"
		      "::sysinit:/etc/umlkbuild/boot\n"
		      "::once:/etc/umlkbuild/start\n"
		      "console::respawn:/sbin/getty 38400 console\n");
	for (int i = 1; i <= 6; i++)
		strbuf_addf(&sb, "tty%d::respawn:/sbin/getty 38400 tty%d\n",
			    i, i);
	strbuf_addstr(&sb, "::ctrlaltdel:/sbin/reboot\n"
		      "::shutdown:/sbin/swapoff -a\n"
		      "::shutdown:/bin/umount -a -r\n");
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

	/* values checked by rootfscmd.c: no quote can be in them */
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

/* ---- Timestamps, size, image ------------------------------------------ */

static long long walk_epoch;
static uint64_t walk_bytes, walk_inodes;
static size_t walk_root_len;
static struct strbuf *walk_script;

static int touch_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	struct timespec ts[2] = { { walk_epoch, 0 }, { walk_epoch, 0 } };

	(void)flag;
	(void)ftw;
	const char *rel = path + walk_root_len;

	walk_bytes += ((uint64_t)st->st_size + 4095) & ~4095ull;
	walk_inodes++;
	/* mke2fs -d copies ctime too, which no one can set: debugfs does */
	if (!strpbrk(rel, "\"\\\n"))
		strbuf_addf(walk_script, "sif \"%s\" ctime @%lld\n",
			    *rel ? rel : "/", walk_epoch);
	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* Every mtime to the epoch; count what the files need. */
static int settle(struct rootfs_run *r)
{
	int ret;

	walk_epoch = r->epoch;
	walk_bytes = walk_inodes = 0;
	walk_root_len = strlen(r->staging);
	walk_script = &r->script;
	ret = nftw(r->staging, touch_one, 32, FTW_PHYS | FTW_DEPTH);
	if (ret)
		return error(ret < 0 ? ret : -EIO, "cannot set the times in "
			     "'%s': %s", r->staging,
			     strerror(ret < 0 ? -ret : EIO));
	return 0;
}

/*
 * ext4's own needs for size bytes: the journal (mke2fs gives 4 MiB per
 * 128 MiB up to 64 MiB), inode tables (an inode per 16 KiB, 256 bytes
 * each) and group metadata; then room to work in.
 */
static int check_size(struct rootfs_run *r)
{
	uint64_t size = r->o->size, journal, meta, head, need;

	journal = size < 128 * MiB ? 1 * MiB : size / 32;
	if (journal > 64 * MiB)
		journal = 64 * MiB;
	meta = size / 64 + walk_inodes * 256 + 2 * MiB;
	head = 16 * MiB;
	need = walk_bytes + r->o->swap + journal + meta + head;
	if (size >= need)
		return 0;
	error(-UKB_EUSAGE, "--size %llu MiB is too small: the files need %llu "
	      "MiB, the swap file %llu MiB, ext4 %llu MiB and headroom %llu "
	      "MiB, %llu MiB in all", (unsigned long long)(size / MiB),
	      (unsigned long long)((walk_bytes + MiB - 1) / MiB),
	      (unsigned long long)(r->o->swap / MiB),
	      (unsigned long long)((journal + meta + MiB - 1) / MiB),
	      (unsigned long long)(head / MiB),
	      (unsigned long long)((need + MiB - 1) / MiB));
	hint("give --size %lluM or more", (unsigned long long)
	     ((need + MiB - 1) / MiB));
	return -UKB_EUSAGE;
}

/* "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx" from 32 hex digits at h. */
static void uuid_from(const char *h, char out[37])
{
	char *p = out;

	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20)
			*p++ = '-';
		*p++ = i == 12 ? '4' : i == 16 ? "89ab"[h[i] % 4] : h[i];
	}
	*p = '\0';
}

static int make_image(struct rootfs_run *r, char uuid[37])
{
	struct strbuf out = STRBUF_INIT;
	char seed[37], h[SHA256_HEX_LEN + 1], *ext, *size, *ft, *sde;
	struct strbuf sb = STRBUF_INIT;
	struct proc p = { 0 };
	int ret;

	strbuf_addf(&sb, "umlkbuild rootfs seed\n%s", r->digest);
	sha256_buf(sb.buf, sb.len, h);
	uuid_from(r->digest, uuid);
	uuid_from(h, seed);
	ext = xasprintf("hash_seed=%s,root_owner=0:0", seed);
	size = xasprintf("%lluk", (unsigned long long)(r->o->size >> 10));
	ft = xasprintf("E2FSPROGS_FAKE_TIME=%lld", r->epoch);
	sde = xasprintf("SOURCE_DATE_EPOCH=%lld", r->epoch);
	{
		const char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4",
				       "-b", "4096", "-L", "ROOT", "-U", uuid,
				       "-E", ext, "-d", r->staging, r->image,
				       size, NULL };
		const char *env[] = { ft, sde, NULL };

		p.argv = argv;
		p.env = env;
		p.capture = &out;
		p.quiet_log = 1;
		p.timeout_ms = 600000;
		ret = proc_run(&p);
	}
	if (!ret) {
		char *cmds = path_join(r->scratch, "ctimes.debugfs");
		const char *argv[] = { "debugfs", "-w", "-f", cmds, r->image,
				       NULL };
		const char *env[] = { ft, NULL };
		struct proc q = { .argv = argv, .env = env, .capture = &out,
				  .quiet_log = 1, .timeout_ms = 600000 };

		ret = write_file_atomic(cmds, r->script.buf, r->script.len,
					0600);
		if (!ret)
			ret = proc_run(&q);
		free(cmds);
	}
	if (ret && ret != -UKB_EINTR) {
		strbuf_rtrim(&out);
		ret = error(-UKB_EHOST, "cannot make the ext4 image%s%s%s",
			    ret == -ENOENT ? ": mke2fs or debugfs is not "
			    "installed (e2fsprogs)" : "", out.len ? ": " : "",
			    out.buf);
	}
	strbuf_release(&out);
	strbuf_release(&sb);
	free(ext);
	free(size);
	free(ft);
	free(sde);
	return ret;
}

/* ---- The run ---------------------------------------------------------- */

/* The public inputs, hashed: copied files by content, no secret. */
static int digest_inputs(struct rootfs_run *r)
{
	const struct rootfs_opts *o = r->o;
	struct strbuf *sb = &r->inputs;
	int ret = 0;

	strbuf_addf(sb, "umlkbuild rootfs 1\nsource %s\narch %s\nsize %llu\n"
		    "ip %s\ngw %s\ndns %s\nhost %s\nswap %llu\npassword %d\n",
		    r->src.sha256, o->arch, (unsigned long long)o->size,
		    o->guest_ip, o->gateway, o->dns, o->hostname,
		    (unsigned long long)o->swap, o->password_file != NULL);
	for (size_t i = 0; i < o->sysctls.nr; i++)
		strbuf_addf(sb, "sysctl %s\n", o->sysctls.v[i]);
	for (size_t i = 0; i < o->starts.nr; i++)
		strbuf_addf(sb, "start %zu %s\n", strlen(o->starts.v[i]),
			    o->starts.v[i]);
	for (size_t i = 0; !ret && i < o->copies.nr; i++) {
		char *host = xstrdup(o->copies.v[i]), h[SHA256_HEX_LEN + 1];

		*strrchr(host, ':') = '\0';
		if (sha256_file(host, h))
			memcpy(h, "unreadable", 11);
		strbuf_addf(sb, "copy %s %s\n", h,
			    strrchr(o->copies.v[i], ':') + 1);
		free(host);
	}
	if (o->authorized_keys) {
		char h[SHA256_HEX_LEN + 1];

		if (sha256_file(o->authorized_keys, h))
			memcpy(h, "unreadable", 11);
		strbuf_addf(sb, "keys %s\n", h);
	}
	sha256_buf(sb->buf, sb->len, r->digest);
	return ret;
}

static long long release_epoch(struct rootfs_run *r)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char *path;
	struct stat st;
	long long t = 0;

	if (env && *env)
		return strtoll(env, NULL, 10);
	/* the release's own date: the same for every build of it */
	path = path_join(r->staging, "etc/alpine-release");
	if (!lstat(path, &st))
		t = st.st_mtime;
	free(path);
	return t;
}

static int write_json(struct rootfs_run *r, const char *image_sha,
		      const char *uuid)
{
	const struct rootfs_opts *o = r->o;
	struct manifest *m = manifest_new();
	char *tmp = xasprintf("%s/rootfs.json", r->scratch);
	int ret;

	manifest_set_str(m, "source.distribution", "alpine");
	manifest_set_str(m, "source.version", r->version);
	manifest_set_str(m, "source.url", r->src.url ? r->src.url : "");
	manifest_set_str(m, "source.sha256", r->src.sha256);
	manifest_set_bool(m, "source.verified", r->src.verified);
	manifest_set_str(m, "source.signer", r->src.signer ? r->src.signer : "");
	manifest_set_str(m, "settings.arch", o->arch);
	manifest_set_int(m, "settings.size", (long long)o->size);
	manifest_set_str(m, "settings.guest_ip", o->guest_ip);
	manifest_set_str(m, "settings.gateway", o->gateway);
	manifest_set_str(m, "settings.dns", o->dns);
	manifest_set_str(m, "settings.hostname", o->hostname);
	manifest_set_int(m, "settings.swap", (long long)o->swap);
	manifest_set_bool(m, "settings.root_password", !!o->password_file);
	manifest_set_bool(m, "settings.authorized_keys", !!o->authorized_keys);
	manifest_pack(m, "settings.copy", "[]");
	for (size_t i = 0; i < o->copies.nr; i++)
		manifest_append(m, "settings.copy", "s", o->copies.v[i]);
	manifest_pack(m, "settings.start", "[]");
	for (size_t i = 0; i < o->starts.nr; i++)
		manifest_append(m, "settings.start", "s", o->starts.v[i]);
	manifest_pack(m, "settings.sysctl", "[]");
	for (size_t i = 0; i < o->sysctls.nr; i++)
		manifest_append(m, "settings.sysctl", "s", o->sysctls.v[i]);
	manifest_set_str(m, "image.sha256", image_sha);
	manifest_set_str(m, "image.uuid", uuid);
	manifest_set_str(m, "image.label", "ROOT");
	manifest_set_int(m, "image.epoch", r->epoch);
	ret = manifest_write(m, tmp);
	if (!ret && rename(tmp, r->json) < 0)
		ret = -errno;
	if (ret)
		error_errno(ret, "cannot write '%s'", r->json);
	manifest_free(m);
	free(tmp);
	return ret;
}

static char *json_path(const char *out)
{
	size_t n = strlen(out);

	if (n > 4 && !strcmp(out + n - 4, ".img"))
		return xasprintf("%.*s.json", (int)(n - 4), out);
	return xasprintf("%s.json", out);
}

int rootfs_make(const struct rootfs_opts *o)
{
	struct rootfs_run r = { .o = o, .inputs = STRBUF_INIT,
				.script = STRBUF_INIT };
	struct unpack_result ur;
	const char *arch = strcmp(o->arch, "i386") ? "x86_64" : "x86";
	char image_sha[SHA256_HEX_LEN + 1], uuid[37];
	int ret;

	ret = alpine_fetch(o->alpine, arch, &o->fetch, &r.version, &r.src);
	if (ret)
		goto out;
	info("Alpine %s: '%s' (sha256 %s, signed by %s)", r.version,
	     r.src.path, r.src.sha256, r.src.signer);
	ret = digest_inputs(&r);
	if (!ret && o->password_file)
		ret = hash_password(&r);
	if (ret)
		goto out;
	r.scratch = xasprintf("%s.tmp-XXXXXX", o->out);
	{
		char *parent = xstrdup(o->out), *slash = strrchr(parent, '/');

		if (slash && slash != parent) {
			*slash = '\0';
			mkdir_p(parent, 0755);  /* mkdtemp says what failed */
		}
		free(parent);
	}
	if (!mkdtemp(r.scratch)) {
		ret = error(-UKB_EHOST, "cannot create '%s': %s", r.scratch,
			    strerror(errno));
		free(r.scratch);
		r.scratch = NULL;
		goto out;
	}
	tmp_register(r.scratch);
	r.staging = path_join(r.scratch, "root");
	r.image = path_join(r.scratch, "image");
	r.json = json_path(o->out);
	ret = unpack_archive_owned(r.src.path, r.staging, &ur);
	if (ret)
		goto out;
	unpack_result_release(&ur);
	r.epoch = release_epoch(&r);
	ret = stage(&r);
	if (!ret)
		ret = settle(&r);
	if (!ret)
		ret = check_size(&r);
	if (!ret)
		ret = make_image(&r, uuid);
	if (!ret && (ret = sha256_file(r.image, image_sha)))
		error_errno(ret, "cannot read '%s'", r.image);
	if (!ret)
		ret = write_json(&r, image_sha, uuid);
	if (!ret && rename(r.image, o->out) < 0) {
		ret = error(-UKB_EHOST, "cannot publish '%s': %s", o->out,
			    strerror(errno));
		unlink(r.json);
	}
	if (!ret) {
		info("'%s': ext4 %llu MiB, sha256 %s", o->out,
		     (unsigned long long)(o->size / MiB), image_sha);
		printf("%s\n", o->out);
		fflush(stdout);
	}
out:
	if (r.scratch) {
		rmtree(r.scratch);
		tmp_forget(r.scratch);
		free(r.scratch);
	}
	if (r.shadow_hash) {
		explicit_bzero(r.shadow_hash, strlen(r.shadow_hash));
		free(r.shadow_hash);
	}
	fetched_release(&r.src);
	strbuf_release(&r.inputs);
	strbuf_release(&r.script);
	free(r.staging);
	free(r.image);
	free(r.json);
	free(r.version);
	return ret;
}
