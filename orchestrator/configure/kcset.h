/*
 * A set of Kconfig entries (a fragment, a .config) with a name index.
 */
#ifndef UKB_KCSET_H
#define UKB_KCSET_H

#include <ctype.h>
#include <stddef.h>

struct kc_entry {
	char *name;   /* "CONFIG_X" */
	char *value;  /* as written; "n" for "is not set" */
	char *file;   /* where it came from */
	unsigned line;
};

struct kc_set {
	struct kc_entry *e;
	size_t nr, alloc;
	/*
	 * A cache for kc_find: an open-addressing table of index + 1 into e
	 * (0 is free), covering e[0..indexed). Entries appended to e
	 * directly are indexed on the next lookup; names never change and
	 * entries are never taken out (kc_set_release empties a set).
	 */
	size_t *slots, nr_slots, indexed;
};

/* Where a fragment or a required entry applies ("# umlkbuild: ..."). */
#define KC_SET_INIT { NULL, 0, 0, NULL, 0, 0 }

void kc_set_release(struct kc_set *set);
/* Free a set whose entries it borrowed: the array and index only. */
void kc_set_release_borrowed(struct kc_set *set);
/* The first entry named name, in constant time; NULL when none. */
struct kc_entry *kc_find(const struct kc_set *set, const char *name);
/* As kc_find, for a name of len bytes (not NUL-terminated). */
struct kc_entry *kc_find_n(const struct kc_set *set, const char *name,
			   size_t len);
/* Append an entry, copying name, value and file. */
struct kc_entry *kc_add_entry(struct kc_set *set, const char *name,
			      size_t nlen, const char *value, size_t vlen,
			      const char *file, unsigned line);

/* Whether c may be part of a Kconfig symbol's name. */
static inline int kc_is_sym_char(int c)
{
	return isalnum(c) || c == '_';
}

#endif
