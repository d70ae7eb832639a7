/*
 * A kernel tree's Kconfig files as kconfig reads them: from the top-level
 * Kconfig through every source statement, so that the if/menu/choice
 * blocks a file is sourced from count for its entries. Each config entry
 * keeps its type, prompt, own "depends on", defaults, selects and implies,
 * and the chain of enclosing conditions. Expressions are kept as written
 * and parsed (kexpr.h); help texts and macro definitions are skipped.
 */
#ifndef UKB_KTREE_H
#define UKB_KTREE_H

#include <stddef.h>

#include "configure/kexpr.h"

struct kt_expr {
	char *text;        /* as written; NULL when there is none */
	struct kexpr *e;   /* NULL when there is none or it did not parse */
};

enum kt_cond_kind {
	KT_IF,           /* if EXPR ... endif */
	KT_MENU_DEP,     /* menu "X" + depends on EXPR */
	KT_MENU_VISIBLE, /* menu "X" + visible if EXPR: hides prompts only */
	KT_CHOICE_DEP,   /* choice + depends on EXPR */
};

/* A condition of an enclosing block; parent is the next one out. */
struct kt_cond {
	enum kt_cond_kind kind;
	const char *file;   /* relative to the tree */
	unsigned line;
	char *label;        /* the menu's title; NULL otherwise */
	struct kt_expr x;
	const struct kt_cond *parent;
};

enum kt_type { KT_UNKNOWN, KT_BOOL, KT_TRISTATE, KT_STRING, KT_INT, KT_HEX };

enum kt_prop_kind { KT_DEPENDS, KT_DEFAULT, KT_SELECT, KT_IMPLY };

struct kt_prop {
	enum kt_prop_kind kind;
	unsigned line;
	char *target;         /* KT_SELECT, KT_IMPLY: the symbol named */
	struct kt_expr x;     /* KT_DEPENDS, KT_DEFAULT: the expression */
	struct kt_expr cond;  /* its "if EXPR"; text NULL without one */
};

/* One definition of a symbol: a symbol may have several. */
struct kt_entry {
	char *name;          /* without CONFIG_ */
	const char *file;    /* relative to the tree */
	unsigned line;
	int menuconfig;
	int in_choice;
	enum kt_type type;
	const char *type_word;  /* "bool", "def_tristate", ...; NULL */
	char *prompt;           /* NULL when it has none */
	unsigned prompt_line;
	struct kt_expr prompt_if;
	struct kt_prop *props;
	size_t nr_props, alloc_props;
	const struct kt_cond *conds;  /* the innermost enclosing condition */
};

struct ktree {
	struct kt_entry *e;
	size_t nr, alloc;
	struct kt_cond **conds;   /* owned, for release */
	size_t nr_conds, alloc_conds;
	char **files;             /* every file read, relative to the tree */
	size_t nr_files, alloc_files;
};

#define KTREE_INIT { 0 }

/*
 * Read the Kconfig tree under srcdir from its top-level Kconfig. vars are
 * "NAME=VALUE" strings (NULL-terminated) for the $(NAME) of source paths,
 * e.g. SRCARCH=um. Sourced files that cannot be read or whose path names
 * an unknown variable are skipped, and said with -v. Returns 0, or
 * -UKB_EUSAGE (message printed) when srcdir has no readable Kconfig or a
 * file sources itself, directly or through others.
 */
int ktree_load(struct ktree *t, const char *srcdir, const char *const *vars);
/*
 * Add the entries of one Kconfig file's text, named file, without
 * following its source lines (tests, fuzzing).
 */
void ktree_parse(struct ktree *t, const char *file, const char *buf,
		 size_t len);
void ktree_release(struct ktree *t);

/* "bool", "tristate", "string", "int", "hex" or "unknown". */
const char *ktree_type_name(enum kt_type type);

#endif
