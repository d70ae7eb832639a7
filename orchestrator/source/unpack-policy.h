/*
 * What an unpack lets onto the disk: pure checks of entry names, link
 * targets, entry types and modes (fuzzed), apart from the extraction
 * itself (unpack.h).
 */
#ifndef UKB_UNPACK_POLICY_H
#define UKB_UNPACK_POLICY_H

#include "base/strbuf.h"
#include "base/strset.h"
#include "base/tar.h"

/*
 * NULL when safe, else a static reason such as "absolute path", "'..'
 * component" or "empty name". name is as stored in the archive: "./a/b"
 * and "a//b/" are fine, "." and "./" name the top.
 */
const char *unpack_check_path(const char *name);
/*
 * link_name is the symlink's own path as in unpack_check_path(), target
 * its text. NULL when the target, resolved from the link's directory,
 * stays inside the top directory (link_name's first component), which is
 * the tree's root once it is renamed out of the scratch directory; a link
 * at the top level is refused. Stricter than lexical resolution: '..' may only
 * lead the target ("../../x"), since "a/.." escapes when a is itself a
 * symlink to ".".
 */
const char *unpack_check_symlink(const char *link_name, const char *target);

/*
 * Why the entry e, whose name as stored is raw, may not be extracted, or
 * NULL. Leaves in name (and, for a hard link, in link) the cleaned names
 * ("a/b": no "." components, no repeated or trailing slashes). seen holds
 * the cleaned names extracted so far, marked 1 for regular files: a hard
 * link may only point at an earlier file. A system tree (a root file
 * system) has no single top directory, and its symlinks may point to an
 * absolute path without '..', which resolves inside the guest.
 */
const char *unpack_check_entry(const struct tar_entry *e, const char *raw,
			       int system_tree, const struct strset *seen,
			       struct strbuf *name, struct strbuf *link);

/*
 * The mode an entry of type gets in the cache, from perm as stored: no
 * group or other write, no setuid, setgid or sticky bit, and the owner's
 * rwx on directories. Symlinks' modes mean nothing: perm as it is.
 */
unsigned unpack_safe_mode(enum tar_type type, unsigned perm);

#endif
