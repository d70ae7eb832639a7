#include <stdlib.h>
#include <string.h>

#include "base/wrapper.h"
#include "configure/kcset.h"
#include "base/banned.h"

void kc_set_release_borrowed(struct kc_set *set)
{
	free(set->e);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

void kc_set_release(struct kc_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		free(set->e[i].name);
		free(set->e[i].value);
		free(set->e[i].file);
	}
	kc_set_release_borrowed(set);
}

/* FNV-1a */
static size_t hash_name(const char *name, size_t len)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * (size_t)1099511628211ULL;
	return h;
}

/* The slot of name: the one holding it, or the free one it would take. */
static size_t *find_slot(const struct kc_set *set, const char *name,
			 size_t len)
{
	size_t mask = set->nr_slots - 1;

	for (size_t i = hash_name(name, len) & mask;; i = (i + 1) & mask) {
		size_t *s = &set->slots[i];
		const char *n;

		if (!*s)
			return s;
		n = set->e[*s - 1].name;
		if (!strncmp(n, name, len) && !n[len])
			return s;
	}
}

static void index_entry(struct kc_set *set, size_t i)
{
	const char *name = set->e[i].name;
	size_t *s = find_slot(set, name, strlen(name));

	if (!*s)
		*s = i + 1; /* the first of equal names wins, as before */
}

/* Bring the index up to date with e; the index is only a cache. */
static void index_update(struct kc_set *set)
{
	if (set->indexed == set->nr)
		return;
	/* a set cut short (nr lowered) is indexed again from scratch */
	if (2 * set->nr >= set->nr_slots || set->indexed > set->nr) {
		size_t n = set->nr_slots ? set->nr_slots : 64;

		while (2 * set->nr >= n)
			n *= 2;
		free(set->slots);
		set->slots = xcalloc(n, sizeof(*set->slots));
		set->nr_slots = n;
		set->indexed = 0;
	}
	for (; set->indexed < set->nr; set->indexed++)
		index_entry(set, set->indexed);
}

struct kc_entry *kc_find_n(const struct kc_set *cset, const char *name,
			       size_t len)
{
	/* the set's contents stay as they are: only its cache changes */
	struct kc_set *set = (struct kc_set *)cset;
	size_t *s;

	if (!set->nr)
		return NULL;
	index_update(set);
	s = find_slot(set, name, len);
	return *s ? &set->e[*s - 1] : NULL;
}

struct kc_entry *kc_find(const struct kc_set *set, const char *name)
{
	return kc_find_n(set, name, strlen(name));
}

struct kc_entry *kc_add_entry(struct kc_set *set, const char *name,
				  size_t nlen, const char *value, size_t vlen,
				  const char *file, unsigned line)
{
	struct kc_entry *e;

	ALLOC_GROW(set->e, set->nr + 1, set->alloc);
	e = &set->e[set->nr++];
	e->name = xstrndup(name, nlen);
	e->value = xstrndup(value, vlen);
	e->file = xstrdup(file);
	e->line = line;
	return e;
}
