/* Allocation wrappers that never return NULL: out of memory aborts (git's wrapper.c). */
#ifndef UKB_WRAPPER_H
#define UKB_WRAPPER_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ALLOC_GROW(x, nr, alloc)                                              \
	do {                                                                  \
		if ((nr) > (alloc)) {                                         \
			(alloc) = (alloc) < 16 ? 16 : (alloc) * 2;            \
			if ((alloc) < (nr))                                   \
				(alloc) = (nr);                               \
			(x) = xrealloc((x), (alloc) * sizeof(*(x)));          \
		}                                                             \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
