#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/wrapper.h"
#include "configure/kcset.h"
#include "configure/ksym.h"
#include "base/banned.h"

const char *ksym_config_value(const char *name, void *data)
{
	const struct kc_set *config = data;
	char *full = xasprintf("CONFIG_%s", name);
	const struct kc_entry *e = kc_find(config, full);

	free(full);
	return e ? e->value : NULL;
}

int ksym_tristate(const char *v)
{
	return !v || !strcmp(v, "n") ? KX_N : !strcmp(v, "m") ? KX_M :
	       !strcmp(v, "y") ? KX_Y : KX_N;
}

/* A missing condition holds; one we could not read is not blamed. */
int ksym_value(const struct kt_expr *x, const struct kc_set *config)
{
	if (!x->text || !x->e)
		return KX_Y;
	return kexpr_eval(x->e, ksym_config_value, (void *)config);
}

int ksym_def_dep(const struct kt_entry *e, const struct kc_set *config)
{
	int v = KX_Y;

	for (const struct kt_cond *c = e->conds; c; c = c->parent)
		if (c->kind != KT_MENU_VISIBLE)
			v = ksym_min(v, ksym_value(&c->x, config));
	for (size_t i = 0; i < e->nr_props; i++)
		if (e->props[i].kind == KT_DEPENDS)
			v = ksym_min(v, ksym_value(&e->props[i].x, config));
	return v;
}

static int def_vis(const struct kt_entry *e, const struct kc_set *config)
{
	int v;

	if (!e->prompt)
		return KX_N;
	v = ksym_min(ksym_def_dep(e, config),
		     ksym_value(&e->prompt_if, config));
	for (const struct kt_cond *c = e->conds; c; c = c->parent)
		if (c->kind == KT_MENU_VISIBLE)
			v = ksym_min(v, ksym_value(&c->x, config));
	return v;
}

/* What a select or imply of s by entry e, with property p, gives. */
int ksym_reverse_value(const struct kt_entry *e, const struct kt_prop *p,
		       const struct kc_set *config)
{
	return ksym_min(
		ksym_tristate(ksym_config_value(e->name, (void *)config)),
		ksym_value(&p->cond, config));
}

int ksym_promote(const struct ksym *s, int v)
{
	return s->boolish && v == KX_M ? KX_Y : v;
}

void ksym_release(struct ksym *s)
{
	free(s->defs);
}

int ksym_analyse(struct ksym *s, const struct ktree *t,
		 const struct kc_set *config, const char *name)
{
	size_t alloc = 0;

	memset(s, 0, sizeof(*s));
	if (!strncmp(name, "CONFIG_", 7))
		name += 7;
	s->config = config;
	s->name = name;
	s->actual = ksym_config_value(name, (void *)config);
	for (size_t i = 0; i < t->nr; i++) {
		if (strcmp(t->e[i].name, name))
			continue;
		ALLOC_GROW(s->defs, s->nr_defs + 1, alloc);
		s->defs[s->nr_defs++] = &t->e[i];
		if (!s->type)
			s->type = t->e[i].type;
	}
	if (!s->nr_defs)
		return -UKB_ECONFIG;
	s->boolish = s->type == KT_BOOL ||
		     (s->type == KT_TRISTATE &&
		      ksym_tristate(ksym_config_value("MODULES",
						      (void *)config)) != KX_Y);
	for (size_t i = 0; i < s->nr_defs; i++) {
		s->has_prompt |= s->defs[i]->prompt != NULL;
		s->in_choice |= s->defs[i]->in_choice;
		s->dep = ksym_max(s->dep, ksym_def_dep(s->defs[i], config));
		s->vis = ksym_max(s->vis, def_vis(s->defs[i], config));
	}
	for (size_t i = 0; i < t->nr; i++) {
		for (size_t k = 0; k < t->e[i].nr_props; k++) {
			const struct kt_prop *p = &t->e[i].props[k];
			int v;

			if ((p->kind != KT_SELECT && p->kind != KT_IMPLY) ||
			    strcmp(p->target, name))
				continue;
			v = ksym_reverse_value(&t->e[i], p, config);
			if (p->kind == KT_SELECT)
				s->rev = ksym_max(s->rev, v);
			else
				s->implied = ksym_max(s->implied, v);
		}
	}
	/* kconfig takes the first default whose condition holds */
	for (size_t i = 0; i < s->nr_defs && !s->def_prop; i++) {
		const struct kt_entry *e = s->defs[i];

		for (size_t k = 0; k < e->nr_props && !s->def_prop; k++) {
			const struct kt_prop *p = &e->props[k];
			int v;

			if (p->kind != KT_DEFAULT)
				continue;
			v = ksym_min(ksym_value(&p->cond, config),
				     ksym_def_dep(e, config));
			if (v == KX_N)
				continue;
			s->def_entry = e;
			s->def_prop = p;
			s->deflt = ksym_min(ksym_value(&p->x, config), v);
		}
	}
	s->deflt = ksym_max(s->deflt, ksym_min(s->implied, s->dep));
	s->vis = ksym_promote(s, s->vis);
	s->rev = ksym_promote(s, s->rev);
	s->deflt = ksym_promote(s, s->deflt);
	return 0;
}
