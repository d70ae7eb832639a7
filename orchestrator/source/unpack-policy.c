/* What an unpack lets onto the disk: see unpack-policy.h. */
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "source/unpack-policy.h"
#include "base/banned.h"

/* The next '/'-separated component at or after p; *len is 0 at the end. */
static const char *next_component(const char *p, size_t *len)
{
	while (*p == '/')
		p++;
	*len = strcspn(p, "/");
	return p;
}

static int is_dot(const char *p, size_t len)
{
	return len == 1 && p[0] == '.';
}

static int is_dotdot(const char *p, size_t len)
{
	return len == 2 && p[0] == '.' && p[1] == '.';
}

const char *unpack_check_path(const char *name)
{
	const char *p;
	size_t len;

	if (!name || !*name)
		return "empty name";
	if (*name == '/')
		return "absolute path";
	if (strnlen(name, PATH_MAX) >= PATH_MAX)
		return "name too long";
	for (p = next_component(name, &len); len;
	     p = next_component(p + len, &len))
		if (is_dotdot(p, len))
			return "'..' component";
	return NULL;
}

/*
 * with_top: the tree's root is its one top directory ("linux-x"), renamed
 * out of the scratch directory; else (a root file system) the root is the
 * destination itself.
 */
static const char *check_symlink(const char *link_name, const char *target,
				 int with_top)
{
	const char *why = unpack_check_path(link_name);
	const char *p;
	size_t len, depth = 0;
	int named = 0;

	if (why)
		return why;
	for (p = next_component(link_name, &len); len;
	     p = next_component(p + len, &len))
		if (!is_dot(p, len))
			depth++;
	if (!depth)
		return "link in place of the top directory";
	/*
	 * A link may not leave the root, so one beside the top directory has
	 * nowhere safe to point.
	 */
	if (with_top && depth == 1)
		return "link beside the top directory";
	depth -= with_top ? 2 : 1; /* the link's directory, below the root */

	if (!target || !*target)
		return "empty link target";
	if (*target == '/')
		return "absolute link target";
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return "link target too long";
	for (p = next_component(target, &len); len;
	     p = next_component(p + len, &len)) {
		if (is_dot(p, len))
			continue;
		if (!is_dotdot(p, len)) {
			named = 1;
			continue;
		}
		/* "a/.." leaves the tree when a is a symlink to "." */
		if (named)
			return "'..' after a name in link target";
		if (!depth)
			return "link target leaves the tree";
		depth--;
	}
	return NULL;
}

const char *unpack_check_symlink(const char *link_name, const char *target)
{
	return check_symlink(link_name, target, 1);
}

/* name without "." components, repeated or trailing slashes: "a/b". */
static void clean_name(struct strbuf *sb, const char *name)
{
	const char *p;
	size_t len;

	strbuf_reset(sb);
	for (p = next_component(name, &len); len;
	     p = next_component(p + len, &len)) {
		if (is_dot(p, len))
			continue;
		if (sb->len)
			strbuf_addch(sb, '/');
		strbuf_add(sb, p, len);
	}
}

static const char *check_hardlink(const char *target, int system_tree,
				  const struct strset *seen,
				  const struct strbuf *name, struct strbuf *link)
{
	const char *why = unpack_check_path(target);
	size_t top = strcspn(name->buf, "/");
	unsigned char is_file = 0;

	if (why)
		return why;
	clean_name(link, target);
	if (!name->len)
		return "hard link in place of the top directory";
	if (!strcmp(name->buf, link->buf))
		return "hard link to itself";
	if (!system_tree &&
	    (top != strcspn(link->buf, "/") || memcmp(name->buf, link->buf, top)))
		return "hard link target outside the top directory";
	if (!strset_has(seen, link->buf, &is_file) || !is_file)
		return "hard link target is not an earlier file";
	return NULL;
}

const char *unpack_check_entry(const struct tar_entry *e, const char *raw,
			       int system_tree, const struct strset *seen,
			       struct strbuf *name, struct strbuf *link)
{
	const char *why = unpack_check_path(raw);

	if (why)
		return why;
	clean_name(name, raw);
	if (e->hardlink)
		return check_hardlink(e->hardlink, system_tree, seen, name,
				      link);
	switch (e->type) {
	case TAR_DIR:
		return NULL;
	case TAR_FILE:
		return name->len ? NULL : "file in place of the top directory";
	case TAR_SYMLINK:
		/* a root file system's "/bin/busybox" resolves in the guest */
		if (system_tree && e->symlink && e->symlink[0] == '/')
			return unpack_check_path(e->symlink + 1);
		return check_symlink(raw, e->symlink, !system_tree);
	case TAR_CHR:
	case TAR_BLK:
		return "device node";
	case TAR_FIFO:
		return "fifo";
	case TAR_SOCK:
		return "socket";
	default:
		return "unknown entry type";
	}
}

/*
 * The tree lands in a cache that is reused without another look: nobody
 * but its owner may change it, and its owner must be able to read and
 * clean it.
 */
unsigned unpack_safe_mode(enum tar_type type, unsigned perm)
{
	unsigned safe = perm & ~(unsigned)(S_ISUID | S_ISGID | S_ISVTX |
					   S_IWGRP | S_IWOTH);

	if (type == TAR_SYMLINK)
		return perm;
	if (type == TAR_DIR)
		safe |= S_IRWXU;
	return safe;
}
