/*
 * The model explain.c reports on: one Kconfig symbol, its definitions in
 * the tree (ktree.h) evaluated against a .config (kexpr.h), tristates as
 * KX_N < KX_M < KX_Y.
 */
#ifndef UKB_KSYM_H
#define UKB_KSYM_H

#include <stddef.h>

#include "configure/kcset.h"
#include "configure/ktree.h"

/* One symbol, its definitions evaluated against a .config. */
struct ksym {
	const struct kc_set *config;
	const char *name;              /* without CONFIG_ */
	const char *actual;            /* its .config value; NULL: absent */
	const struct kt_entry **defs;
	size_t nr_defs;
	enum kt_type type;
	int boolish;     /* bool, or tristate without MODULES=y: no m */
	int has_prompt;
	int in_choice;
	int dep;         /* its dependencies, the best definition's */
	int vis;         /* how far a .config can set it through a prompt */
	int rev;         /* what selects force it to, at least */
	int implied;
	int deflt;       /* what its defaults give when no prompt shows */
	const struct kt_entry *def_entry;  /* the default that applies */
	const struct kt_prop *def_prop;
};

static inline int ksym_min(int a, int b)
{
	return a < b ? a : b;
}

static inline int ksym_max(int a, int b)
{
	return a > b ? a : b;
}

/* The .config value of name (without CONFIG_) in the kc_set data. */
const char *ksym_config_value(const char *name, void *data);
/* A .config value as a tristate; absent or not y/m is KX_N. */
int ksym_tristate(const char *v);
/* A condition's value; a missing one holds, one we could not read is not
 * blamed. */
int ksym_value(const struct kt_expr *x, const struct kc_set *config);
/* The dependencies of one definition: enclosing blocks and "depends on". */
int ksym_def_dep(const struct kt_entry *e, const struct kc_set *config);
/* What a select or imply of a symbol by entry e, with property p, gives. */
int ksym_reverse_value(const struct kt_entry *e, const struct kt_prop *p,
		       const struct kc_set *config);
/* v as s can hold it: m is y for a bool. */
int ksym_promote(const struct ksym *s, int v);
/*
 * Fill s for name (with or without CONFIG_) from t and config. Returns 0,
 * or -UKB_ECONFIG when no entry of t defines it; ksym_release s either way.
 */
int ksym_analyse(struct ksym *s, const struct ktree *t,
		 const struct kc_set *config, const char *name);
void ksym_release(struct ksym *s);

#endif
