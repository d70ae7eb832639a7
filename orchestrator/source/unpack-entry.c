/*
 * The extraction loop of an unpack (unpack.c opens the archive and makes
 * dest): each entry is checked (unpack-policy.h), held to the limits on
 * entries, one file's size and all file data, and written to the disk.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/strset.h"
#include "base/tar.h"
#include "base/wrapper.h"
#include "source/unpack-policy.h"
#include "source/unpack.h"
#include "source/unpacker.h"
#include "base/banned.h"

static struct unpack_limits limits = {
	.total = UNPACK_MAX_TOTAL,
	.entry = UNPACK_MAX_ENTRY,
	.entries = UNPACK_MAX_ENTRIES,
};

void unpack_set_limits(const struct unpack_limits *l)
{
	static const struct unpack_limits defaults = {
		.total = UNPACK_MAX_TOTAL,
		.entry = UNPACK_MAX_ENTRY,
		.entries = UNPACK_MAX_ENTRIES,
	};

	limits = l ? *l : defaults;
}

static int interrupted(struct unpacker *u)
{
	return error(-UKB_EINTR, "cannot unpack '%s': interrupted", u->path);
}

static void track_top(struct unpacker *u, int is_dir)
{
	size_t len = strcspn(u->name.buf, "/");

	if (u->top_state < 0)
		return;
	if (!u->top_state) {
		u->top = xstrndup(u->name.buf, len);
		u->top_state = 1;
	} else if (strlen(u->top) != len || memcmp(u->top, u->name.buf, len)) {
		u->top_state = -1;
	}
	if (!u->name.buf[len] && !is_dir)
		u->top_state = -1; /* a lone top-level file */
}

/* "8 GiB", "1 MiB" or "123 bytes": the limits as the user reads them. */
static void size_words(char *buf, size_t len, uint64_t n)
{
	if (n && !(n % (1ULL << 30)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(n >> 30));
	else if (n && !(n % (1ULL << 20)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

static int too_big(struct unpacker *u, uint64_t size)
{
	char lim[32];

	size_words(lim, sizeof(lim), limits.entry);
	return error(-UKB_ESOURCE,
		     "cannot unpack '%s': entry '%s' holds %llu bytes, more than the %s allowed for one file",
		     u->path, u->name.buf, (unsigned long long)size, lim);
}

static int too_much(struct unpacker *u)
{
	char lim[32];

	size_words(lim, sizeof(lim), limits.total);
	return error(-UKB_ESOURCE,
		     "cannot unpack '%s': more than %s of file data (at entry '%s')",
		     u->path, lim, u->name.buf);
}

/*
 * Sizes as the header declares them, before anything is written: a
 * crafted header fails at once, not after gigabytes of zeros.
 */
static int check_declared(struct unpacker *u, const struct tar_entry *e)
{
	uint64_t n = e->size > 0 ? (uint64_t)e->size : 0;

	if (n > limits.entry)
		return too_big(u, n);
	if (n > limits.total - u->declared)
		return too_much(u);
	u->declared += n;
	return 0;
}

static int copy_data(struct unpacker *u)
{
	const void *buf;
	size_t len;
	int64_t off;
	int r;

	for (;;) {
		r = tar_read_data(u->in, &buf, &len, &off);
		if (r == TAR_EOF)
			return 0;
		if (r < TAR_WARN)
			return unpacker_read_failed(u);
		if (sigchain_pending())
			return interrupted(u);
		/* and as written, whatever the header said */
		if (off < 0 || (uint64_t)off > limits.entry ||
		    len > limits.entry - (uint64_t)off)
			return too_big(u, (uint64_t)(off < 0 ? 0 : off) + len);
		if (len > limits.total - u->res->bytes)
			return too_much(u);
		if (tar_disk_data(u->out, buf, len, off) < TAR_OK)
			return unpacker_write_failed(u);
		u->res->bytes += len;
		progress_update(u->progress, unpacker_consumed(u));
	}
}

/* The refusal of an entry, worded by its kind. */
static int refuse(struct unpacker *u, const struct tar_entry *e,
		  const char *raw, const char *why)
{
	if (e->type == TAR_SYMLINK && !e->hardlink)
		return error(-UKB_ESOURCE,
			     "cannot unpack '%s': unsafe symlink '%s' -> '%s': %s",
			     u->path, raw, e->symlink ? e->symlink : "", why);
	if (e->hardlink)
		return error(-UKB_ESOURCE,
			     "cannot unpack '%s': unsafe hard link '%s' => '%s': %s",
			     u->path, raw, e->hardlink, why);
	return error(-UKB_ESOURCE, "cannot unpack '%s': unsafe entry '%s': %s",
		     u->path, raw, why);
}

/* A disk writer's result r: 0, a warning said, or the failure said. */
static int written(struct unpacker *u, int r)
{
	if (r < TAR_WARN)
		return unpacker_write_failed(u);
	if (r == TAR_WARN)
		warning("unpacking '%s': '%s': %s", u->path, u->name.buf,
			tar_error(u->out));
	return 0;
}

static int unpack_entry(struct unpacker *u, struct tar_entry *e)
{
	const char *raw = e->name ? e->name : "";
	int hardlink = e->hardlink != NULL;
	int is_file = hardlink || e->type == TAR_FILE;
	const char *why;
	int r;

	why = unpack_check_entry(e, raw, u->system_tree, &u->seen, &u->name,
				 &u->link);
	if (why)
		return refuse(u, e, raw, why);
	if (!u->name.len)
		return 0; /* "./": dest itself, which we made */

	track_top(u, e->type == TAR_DIR);
	/* raw dies here: the entry now carries the names we checked */
	e->name = u->name.buf;
	if (hardlink)
		e->hardlink = u->link.buf;
	/*
	 * A root file system keeps its modes (/tmp is 1777 in the guest); it
	 * is staged below a mode-0700 scratch directory, never cached.
	 */
	if (!u->system_tree) {
		unsigned safe = unpack_safe_mode(e->type, e->mode);

		if (safe != e->mode) {
			e->mode = safe;
			u->res->adjusted++;
		}
	}
	if (is_file) {
		r = check_declared(u, e);
		if (r)
			return r;
	}
	r = written(u, tar_disk_header(u->out, u->in, e));
	if (!r && is_file)
		r = copy_data(u);
	if (!r)
		r = written(u, tar_disk_finish_entry(u->out));
	if (r)
		return r;
	if (is_file && !hardlink)
		u->res->files++;
	strset_add(&u->seen, u->name.buf, is_file);
	return 0;
}

int unpacker_entries(struct unpacker *u)
{
	struct tar_entry entry;
	int r;

	for (;;) {
		if (sigchain_pending())
			return interrupted(u);
		r = tar_next(u->in, &entry);
		if (r == TAR_EOF)
			return 0;
		if (r < TAR_WARN)
			return unpacker_read_failed(u);
		if (r == TAR_WARN)
			debug("unpacking '%s': %s", u->path, tar_error(u->in));
		if (++u->entries > limits.entries)
			return error(-UKB_ESOURCE,
				     "cannot unpack '%s': more than %llu entries",
				     u->path, (unsigned long long)limits.entries);
		r = unpack_entry(u, &entry);
		if (r)
			return r;
		progress_update(u->progress, unpacker_consumed(u));
	}
}
