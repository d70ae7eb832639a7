/* A set of strings with a mark each: see strset.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strset.h"
#include "base/wrapper.h"
#include "base/banned.h"

/* FNV-1a */
static size_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static size_t slot(const struct strset *s, const char *str)
{
	size_t i = hash_str(str) & (s->alloc - 1);

	while (s->items[i] && strcmp(s->items[i], str))
		i = (i + 1) & (s->alloc - 1);
	return i;
}

static void grow(struct strset *s)
{
	struct strset bigger = { .alloc = s->alloc ? s->alloc * 2 : 1024 };

	bigger.items = xcalloc(bigger.alloc, sizeof(*bigger.items));
	bigger.marks = xcalloc(bigger.alloc, sizeof(*bigger.marks));
	for (size_t i = 0; i < s->alloc; i++) {
		size_t j;

		if (!s->items[i])
			continue;
		j = slot(&bigger, s->items[i]);
		bigger.items[j] = s->items[i];
		bigger.marks[j] = s->marks[i];
	}
	bigger.nr = s->nr;
	free(s->items);
	free(s->marks);
	*s = bigger;
}

void strset_add(struct strset *s, const char *str, unsigned char mark)
{
	size_t i;

	if ((s->nr + 1) * 2 > s->alloc)
		grow(s);
	i = slot(s, str);
	if (!s->items[i]) {
		s->items[i] = xstrdup(str);
		s->nr++;
	}
	s->marks[i] = mark;
}

int strset_has(const struct strset *s, const char *str, unsigned char *mark)
{
	size_t i;

	if (!s->alloc)
		return 0;
	i = slot(s, str);
	if (!s->items[i])
		return 0;
	if (mark)
		*mark = s->marks[i];
	return 1;
}

void strset_clear(struct strset *s)
{
	for (size_t i = 0; i < s->alloc; i++)
		free(s->items[i]);
	free(s->items);
	free(s->marks);
	memset(s, 0, sizeof(*s));
}
