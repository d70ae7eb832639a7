#include <string.h>

#include "base/scope.h"
#include "base/banned.h"

int scope_matches(const struct scope *s, const struct kver *v,
		  unsigned target)
{
	unsigned link = (target & LINK_ALL) ? (target & LINK_ALL) : LINK_STATIC;

	return kver_in_range(v, &s->versions) &&
	       (s->arches & target & ARCH_ALL) && (s->links & link);
}

static int is(const char *w, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(w, word, len);
}

enum scope_word scope_qualifier(struct scope *s, const char *w, size_t len)
{
	if (len > 9 && !memcmp(w, "versions=", 9))
		return kver_range_parse(w + 9, len - 9, &s->versions) ?
		       SCOPE_WORD_BAD_RANGE : SCOPE_WORD_OK;
	if (is(w, len, "arch=x86_64"))
		s->arches = ARCH_X86_64;
	else if (is(w, len, "arch=i386"))
		s->arches = ARCH_I386;
	else if (is(w, len, "link=static"))
		s->links = LINK_STATIC;
	else if (is(w, len, "link=dynamic"))
		s->links = LINK_DYNAMIC;
	else
		return SCOPE_WORD_UNKNOWN;
	return SCOPE_WORD_OK;
}
