/*
 * A set of strings, each with a small mark (e.g. "is a regular file"):
 * open addressing, no deletion, for the many lookups of one unpack.
 */
#ifndef UKB_STRSET_H
#define UKB_STRSET_H

#include <stddef.h>

struct strset {
	char **items;
	unsigned char *marks;
	size_t nr, alloc;
};

#define STRSET_INIT { 0 }

/* Add a copy of str with mark, or set the mark of the one there. */
void strset_add(struct strset *s, const char *str, unsigned char mark);
/* 1 when str is in s (its mark in *mark, when mark is not NULL), else 0. */
int strset_has(const struct strset *s, const char *str, unsigned char *mark);
/* Free what s holds and leave it empty. */
void strset_clear(struct strset *s);

#endif
