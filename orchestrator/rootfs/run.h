/* What one `umlkbuild rootfs` run shares between its steps (rootfs.c). */
#ifndef UKB_ROOTFS_RUN_H
#define UKB_ROOTFS_RUN_H

#include "base/sha256.h"
#include "base/strbuf.h"
#include "rootfs/mmdebstrap.h"
#include "rootfs/rootfsopt.h"
#include "source/fetch.h"

#define MiB (1ull << 20)

/* One run: the scratch directory beside --out and what goes in. */
struct rootfs_run {
	const struct rootfs_opts *o;
	char *scratch;      /* <out>.tmp-XXXXXX */
	char *staging;      /* scratch/root */
	char *image;        /* scratch/image */
	char *json;         /* <out minus .img>.json */
	char *version;      /* Alpine X.Y.Z, Debian's Release Version */
	struct fetched src;
	struct debian_tree deb; /* --debian: what apt verified, dpkg installed */
	char *shadow_hash;  /* crypt(3) of the password, or NULL */
	struct strbuf inputs; /* what the UUID, seed and salt derive from */
	struct strbuf script; /* debugfs commands that fix the ctimes */
	char digest[SHA256_HEX_LEN + 1];
	long long epoch;
};

#endif
