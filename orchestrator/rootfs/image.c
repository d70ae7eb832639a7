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
#include "rootfs/image.h"
#include "source/unpack.h"
#include "base/banned.h"

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
int rootfs_settle(struct rootfs_run *r)
{
	int ret;

	walk_epoch = r->epoch;
	walk_bytes = walk_inodes = 0;
	walk_root_len = strlen(r->staging);
	walk_script = &r->script;
	ret = nftw(r->staging, touch_one, 32, FTW_PHYS | FTW_DEPTH);
	if (ret)
		return error_errno(ret < 0 ? ret : -EIO,
				   "cannot set the times in '%s'", r->staging);
	return 0;
}

/*
 * ext4's own needs for size bytes: the journal (mke2fs gives 4 MiB per
 * 128 MiB up to 64 MiB), inode tables (an inode per 16 KiB, 256 bytes
 * each) and group metadata; then room to work in.
 */
int rootfs_check_size(struct rootfs_run *r)
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

int rootfs_make_image(struct rootfs_run *r, char uuid[37])
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
