/*
 * Where a fragment, a required symbol, a patch or a refusal applies: a
 * range of kernel versions, the arches and the ways of linking. The
 * qualifier words ("versions=A..B", "arch=i386", "link=static") are
 * shared by required.list and unsupported.list.
 */
#ifndef UKB_SCOPE_H
#define UKB_SCOPE_H

#include <stddef.h>

#include "base/version.h"

enum { ARCH_X86_64 = 1, ARCH_I386 = 2, ARCH_ALL = 3 };
/*
 * How the kernel links. A build target is an ARCH_* bit or'ed with a
 * LINK_* bit; a target without a LINK_* bit is static.
 */
enum { LINK_STATIC = 4, LINK_DYNAMIC = 8, LINK_ALL = 12 };

struct scope {
	struct kver_range versions;
	unsigned arches; /* ARCH_* mask */
	unsigned links;  /* LINK_* mask */
};

/* Every version, arch and link. */
#define SCOPE_ALL { .arches = ARCH_ALL, .links = LINK_ALL }

/* Whether version v built for target (ARCH_* | LINK_*) is inside s. */
int scope_matches(const struct scope *s, const struct kver *v,
		  unsigned target);

enum scope_word { SCOPE_WORD_OK, SCOPE_WORD_UNKNOWN, SCOPE_WORD_BAD_RANGE };
/*
 * Narrow s by one qualifier word of len bytes: "versions=A..B" (A.., ..B
 * and * too), "arch=x86_64", "arch=i386", "link=static", "link=dynamic".
 * Returns SCOPE_WORD_OK, or what is wrong with the word.
 */
enum scope_word scope_qualifier(struct scope *s, const char *w, size_t len);

#endif
