/*
 * Kconfig expressions ("depends on", "if", "select ... if", "default"):
 * parsing, evaluation over tristate logic (n=0, m=1, y=2) against the
 * values of a .config, and printing, optionally with each symbol's value
 * as menuconfig shows it ("NET [=y] && !UML [=n]").
 */
#ifndef UKB_KEXPR_H
#define UKB_KEXPR_H

#include <stddef.h>

#include "base/strbuf.h"

enum { KX_N = 0, KX_M = 1, KX_Y = 2 };

struct kexpr;

/*
 * A symbol's value as a .config writes it ("y", "m", "42", "\"bbr\"";
 * "n" for "is not set"), or NULL when the symbol is unset.
 */
typedef const char *kexpr_lookup_fn(const char *name, void *data);

/*
 * Parse the expression in s (len bytes; no NUL needed). Returns 0 and a
 * tree in *out that the caller frees with kexpr_free, or -UKB_EUSAGE with
 * a static reason in *why (when given) and *out NULL.
 */
int kexpr_parse(const char *s, size_t len, struct kexpr **out,
		const char **why);
void kexpr_free(struct kexpr *e);

/*
 * The tristate value of e: && is the minimum, || the maximum, ! is 2 - x;
 * comparisons are y or n, numeric when both sides are numbers (y/m/n
 * count as 2/1/0), else by string. Unset symbols are n. $(macro)
 * operands cannot be expanded here and are n.
 */
int kexpr_eval(const struct kexpr *e, kexpr_lookup_fn *lookup, void *data);

/*
 * Append e in a canonical form. With lookup, each symbol it reads is
 * followed by " [=VALUE]" (n for an unset one).
 */
void kexpr_format(const struct kexpr *e, struct strbuf *out,
		  kexpr_lookup_fn *lookup, void *data);

/*
 * When e is a single operand (a symbol, a number, y/m/n or a quoted
 * string), its text, without quotes; *quoted says whether it was a quoted
 * string. NULL for any other expression.
 */
const char *kexpr_operand(const struct kexpr *e, int *quoted);

/* "n", "m" or "y". */
const char *kexpr_tristate_name(int v);

#endif
