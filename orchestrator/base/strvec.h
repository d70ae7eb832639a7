/* A NULL-terminated vector of owned strings, for argv and envp (git's strvec). */
#ifndef UKB_STRVEC_H
#define UKB_STRVEC_H

#include <stddef.h>

struct strvec {
	const char **v;
	size_t nr;
	size_t alloc;
};

#define STRVEC_INIT { .v = NULL, .nr = 0, .alloc = 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Push every argument up to a NULL. */
void strvec_pushl(struct strvec *sv, ...);
void strvec_pushv(struct strvec *sv, const char *const *v);
void strvec_clear(struct strvec *sv);
/* Join with sep into a new string the caller frees. */
char *strvec_join(const struct strvec *sv, const char *sep);

#endif
