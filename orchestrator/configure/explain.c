#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/wrapper.h"
#include "configure/explain.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"
#include "configure/kexpr.h"
#include "configure/ksym.h"
#include "base/banned.h"

/* An expression with each symbol's value, and what it comes to. */
static void add_expr(struct strbuf *out, const struct kt_expr *x,
		     const struct kc_set *config)
{
	if (!x->e) {
		strbuf_addf(out, "%s (not understood here)", x->text);
		return;
	}
	kexpr_format(x->e, out, ksym_config_value, (void *)config);
}

static void add_cond_line(struct strbuf *out, const struct kt_cond *c,
			  const struct kc_set *config)
{
	static const char *const words[] = {
		[KT_IF] = "if", [KT_MENU_DEP] = "depends on",
		[KT_MENU_VISIBLE] = "visible if", [KT_CHOICE_DEP] = "depends on",
	};

	strbuf_addf(out, "%s:%u: %s ", c->file, c->line, words[c->kind]);
	add_expr(out, &c->x, config);
	strbuf_addf(out, " => %s",
		    kexpr_tristate_name(ksym_value(&c->x, config)));
	if (c->kind == KT_MENU_DEP || c->kind == KT_MENU_VISIBLE)
		strbuf_addf(out, " (menu \"%s\")", c->label ? c->label : "");
	else if (c->kind == KT_CHOICE_DEP)
		strbuf_addstr(out, " (choice)");
	strbuf_addch(out, '\n');
}

static void add_depends_line(struct strbuf *out, const struct kt_entry *e,
			     const struct kt_prop *p,
			     const struct kc_set *config)
{
	strbuf_addf(out, "%s:%u: depends on ", e->file, p->line);
	add_expr(out, &p->x, config);
	strbuf_addf(out, " => %s\n",
		    kexpr_tristate_name(ksym_value(&p->x, config)));
}

static void add_prompt_line(struct strbuf *out, const struct kt_entry *e,
			    const struct kc_set *config)
{
	strbuf_addf(out, "%s:%u: prompt \"%s\"", e->file, e->prompt_line,
		    e->prompt);
	if (e->prompt_if.text) {
		strbuf_addstr(out, " if ");
		add_expr(out, &e->prompt_if, config);
		strbuf_addf(
			out, " => %s",
			kexpr_tristate_name(ksym_value(&e->prompt_if, config)));
	}
	strbuf_addch(out, '\n');
}

/* What a default gives a symbol of type type, as a .config writes it. */
static void default_value(struct strbuf *out, const struct kt_prop *p,
			  enum kt_type type, const struct kc_set *config)
{
	const char *op;
	int quoted = 0;

	if (type == KT_BOOL || type == KT_TRISTATE || !p->x.e) {
		strbuf_addstr(out,
			      kexpr_tristate_name(ksym_value(&p->x, config)));
		return;
	}
	op = kexpr_operand(p->x.e, &quoted);
	if (!op) {
		strbuf_addstr(out, p->x.text);
	} else if (quoted || type == KT_STRING) {
		const char *v =
			quoted ? NULL : ksym_config_value(op, (void *)config);

		if (v) {
			strbuf_addstr(out, v);
			return;
		}
		strbuf_addch(out, '"');
		for (; *op; op++) {
			if (*op == '"' || *op == '\\')
				strbuf_addch(out, '\\');
			strbuf_addch(out, *op);
		}
		strbuf_addch(out, '"');
	} else {
		const char *v = ksym_config_value(op, (void *)config);

		strbuf_addstr(out, v ? v : op);
	}
}

static void add_default_line(struct strbuf *out, const struct ksym *s,
			     const struct kt_entry *e, const struct kt_prop *p)
{
	int taken = ksym_min(ksym_value(&p->cond, s->config),
			     ksym_def_dep(e, s->config));

	strbuf_addf(out, "%s:%u: default ", e->file, p->line);
	add_expr(out, &p->x, s->config);
	if (p->cond.text) {
		strbuf_addstr(out, " if ");
		add_expr(out, &p->cond, s->config);
	}
	strbuf_addstr(out, " => ");
	if (taken)
		default_value(out, p, s->type, s->config);
	else
		strbuf_addstr(out, "not taken");
	strbuf_addch(out, '\n');
}

static void add_reverse_line(struct strbuf *out, const struct kt_entry *e,
			     const struct kt_prop *p,
			     const struct kc_set *config)
{
	const char *v = ksym_config_value(e->name, (void *)config);

	strbuf_addf(out, "%s:%u: %s by %s [=%s]", e->file, p->line,
		    p->kind == KT_SELECT ? "selected" : "implied", e->name,
		    v ? v : "n");
	if (p->cond.text) {
		strbuf_addstr(out, " if ");
		add_expr(out, &p->cond, config);
	}
	strbuf_addf(out, " => %s\n",
		    kexpr_tristate_name(ksym_reverse_value(e, p, config)));
}

/* The enclosing conditions of e, outermost first. */
static size_t outer_first(const struct kt_entry *e, const struct kt_cond ***out)
{
	size_t n = 0, i = 0;

	for (const struct kt_cond *c = e->conds; c; c = c->parent)
		n++;
	*out = xcalloc(n + 1, sizeof(**out));
	for (const struct kt_cond *c = e->conds; c; c = c->parent)
		(*out)[n - ++i] = c;
	return n;
}

/* The dependencies of every definition that fall below need. */
static int blame_deps(struct strbuf *out, const struct ksym *s, int need)
{
	int n = 0;

	for (size_t d = 0; d < s->nr_defs; d++) {
		const struct kt_entry *e = s->defs[d];
		const struct kt_cond **conds;
		size_t nr = outer_first(e, &conds);

		for (size_t i = 0; i < nr; i++) {
			if (conds[i]->kind == KT_MENU_VISIBLE ||
			    ksym_value(&conds[i]->x, s->config) >= need)
				continue;
			add_cond_line(out, conds[i], s->config);
			n++;
		}
		free(conds);
		for (size_t i = 0; i < e->nr_props; i++) {
			if (e->props[i].kind != KT_DEPENDS ||
			    ksym_value(&e->props[i].x, s->config) >= need)
				continue;
			add_depends_line(out, e, &e->props[i], s->config);
			n++;
		}
	}
	return n;
}

/* Why no prompt lets a .config raise the symbol to need. */
static int blame_prompt(struct strbuf *out, const struct ksym *s, int need)
{
	int n = 0;

	if (!s->has_prompt) {
		strbuf_addf(out, "CONFIG_%s has no prompt: a .config cannot set it, only its defaults and selects can\n",
			    s->name);
		return 1;
	}
	for (size_t d = 0; d < s->nr_defs; d++) {
		const struct kt_entry *e = s->defs[d];

		if (!e->prompt)
			continue;
		if (ksym_value(&e->prompt_if, s->config) < need) {
			add_prompt_line(out, e, s->config);
			n++;
		}
		for (const struct kt_cond *c = e->conds; c; c = c->parent) {
			if (c->kind == KT_MENU_VISIBLE &&
			    ksym_value(&c->x, s->config) < need) {
				add_cond_line(out, c, s->config);
				n++;
			}
		}
	}
	return n;
}

/* Whether default p would give want (a tristate, or a string as written). */
static int default_gives(const struct ksym *s, const struct kt_prop *p,
			 int want, const char *want_str)
{
	struct strbuf v = STRBUF_INIT;
	int ok;

	if (!want_str)
		return ksym_promote(s, ksym_value(&p->x, s->config)) >= want;
	default_value(&v, p, s->type, s->config);
	ok = kc_value_satisfied(want_str, v.buf);
	strbuf_release(&v);
	return ok;
}

/*
 * For a symbol without a visible prompt: the default that applies, and
 * those that would give want (want_str for a string, int or hex) but
 * whose condition is n.
 */
static int blame_defaults(struct strbuf *out, const struct ksym *s, int want,
			  const char *want_str)
{
	int n = 0;

	if (s->def_prop) {
		add_default_line(out, s, s->def_entry, s->def_prop);
		n++;
	} else {
		strbuf_addf(out, "CONFIG_%s: no default applies\n", s->name);
		n++;
	}
	for (size_t d = 0; d < s->nr_defs; d++) {
		const struct kt_entry *e = s->defs[d];

		for (size_t i = 0; i < e->nr_props; i++) {
			const struct kt_prop *p = &e->props[i];

			if (p->kind != KT_DEFAULT || p == s->def_prop ||
			    ksym_min(ksym_value(&p->cond, s->config),
				    ksym_def_dep(e, s->config)) ||
			    !default_gives(s, p, want, want_str))
				continue;
			add_default_line(out, s, e, p);
			n++;
		}
	}
	return n;
}

static int blame_selects(struct strbuf *out, const struct ktree *t,
			 const struct ksym *s, int above)
{
	int n = 0;

	for (size_t i = 0; i < t->nr; i++) {
		for (size_t k = 0; k < t->e[i].nr_props; k++) {
			const struct kt_prop *p = &t->e[i].props[k];

			if (p->kind != KT_SELECT ||
			    strcmp(p->target, s->name) ||
			    ksym_promote(s, ksym_reverse_value(&t->e[i], p,
							       s->config)) <=
				    above)
				continue;
			add_reverse_line(out, &t->e[i], p, s->config);
			n++;
		}
	}
	return n;
}

static int tristate_blockers(struct strbuf *out, const struct ktree *t,
			     const struct ksym *s, int want)
{
	int lo = s->vis ? s->rev : ksym_max(s->deflt, s->rev);
	int hi = s->vis ? ksym_max(s->vis, s->rev) : lo;
	int n = 0;

	if (want == KX_M && s->boolish) {
		if (s->type == KT_BOOL)
			strbuf_addf(out, "CONFIG_%s is a bool: it cannot be m\n",
				    s->name);
		else
			strbuf_addstr(out, "CONFIG_MODULES is not y: a tristate cannot be m\n");
		return 1;
	}
	if (want > hi) {
		int need = s->boolish ? KX_M : want;

		if (s->dep < need)
			n = blame_deps(out, s, need);
		else if (s->vis < need)
			n = blame_prompt(out, s, need);
		/* a choice member's value comes from the choice, not defaults */
		if (!s->vis && s->dep >= need && !s->in_choice)
			n += blame_defaults(out, s, want, NULL);
	}
	if (want < lo) {
		n += blame_selects(out, t, s, want);
		if (!s->vis && s->deflt > want && s->def_prop) {
			add_default_line(out, s, s->def_entry, s->def_prop);
			n++;
		}
	}
	return n;
}

/* A string, int or hex symbol: a visible prompt lets a .config set it. */
static int value_blockers(struct strbuf *out, const struct ksym *s,
			  const char *want)
{
	struct strbuf dv = STRBUF_INIT;
	int n = 0;

	if (s->vis)
		return 0;
	if (s->def_prop)
		default_value(&dv, s->def_prop, s->type, s->config);
	if (s->def_prop && s->dep && kc_value_satisfied(want, dv.buf)) {
		strbuf_release(&dv);
		return 0;
	}
	strbuf_release(&dv);
	if (!s->dep)
		n = blame_deps(out, s, KX_M);
	else
		n = blame_prompt(out, s, KX_M) +
		    blame_defaults(out, s, KX_Y, want);
	return n;
}

/* want as a fragment writes it for this symbol's type; caller frees. */
static char *normalise_want(const struct ksym *s, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	if (s->type != KT_STRING || *want == '"')
		return xstrdup(want);
	strbuf_addch(&sb, '"');
	for (; *want; want++) {
		if (*want == '"' || *want == '\\')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *want);
	}
	strbuf_addch(&sb, '"');
	return strbuf_detach(&sb, NULL);
}

static int blockers(struct strbuf *out, const struct ktree *t,
		    const struct ksym *s, const char *want)
{
	int w;

	if (s->type == KT_STRING || s->type == KT_INT || s->type == KT_HEX)
		return value_blockers(out, s, want);
	w = !strcmp(want, "y") ? KX_Y : !strcmp(want, "m") ? KX_M :
	    !strcmp(want, "n") ? KX_N : -1;
	if (w < 0) {
		strbuf_addf(out, "CONFIG_%s is a %s: it takes %s, not %s\n",
			    s->name, ktree_type_name(s->type),
			    s->type == KT_BOOL ? "y or n" : "y, m or n", want);
		return 1;
	}
	return tristate_blockers(out, t, s, w);
}

int explain_blockers(const struct ktree *t, const struct kc_set *config,
		     const char *name, const char *want, struct strbuf *out)
{
	struct ksym s;
	char *w;
	int n;

	if (ksym_analyse(&s, t, config, name)) {
		ksym_release(&s);
		return -UKB_ECONFIG;
	}
	w = normalise_want(&s, want);
	n = blockers(out, t, &s, w);
	free(w);
	ksym_release(&s);
	return n;
}

/* Append lines, each indented by ind. */
static void add_indented(struct strbuf *out, const char *ind, const char *text)
{
	for (const char *p = text, *eol; *p; p = eol + 1) {
		eol = strchrnul(p, '\n');
		strbuf_addf(out, "%s%.*s\n", ind, (int)(eol - p), p);
		if (!*eol)
			break;
	}
}

static void add_definition(struct strbuf *out, const struct ksym *s,
			   const struct kt_entry *e)
{
	struct strbuf sb = STRBUF_INIT;
	const struct kt_cond **conds;
	size_t nr = outer_first(e, &conds);

	strbuf_addf(out, "  defined at: %s:%u%s\n", e->file, e->line,
		    e->menuconfig ? " (menuconfig)" : "");
	if (e->prompt)
		add_prompt_line(&sb, e, s->config);
	else
		strbuf_addstr(&sb, "no prompt\n");
	if (e->in_choice)
		strbuf_addstr(&sb, "a member of a choice: the choice sets one of its members to y\n");
	for (size_t i = 0; i < nr; i++)
		add_cond_line(&sb, conds[i], s->config);
	free(conds);
	for (size_t i = 0; i < e->nr_props; i++)
		if (e->props[i].kind == KT_DEPENDS)
			add_depends_line(&sb, e, &e->props[i], s->config);
	for (size_t i = 0; i < e->nr_props; i++)
		if (e->props[i].kind == KT_DEFAULT)
			add_default_line(&sb, s, e, &e->props[i]);
	add_indented(out, "    ", sb.buf);
	strbuf_release(&sb);
}

static void add_reverse(struct strbuf *out, const struct ktree *t,
			const struct ksym *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < t->nr; i++)
		for (size_t k = 0; k < t->e[i].nr_props; k++)
			if ((t->e[i].props[k].kind == KT_SELECT ||
			     t->e[i].props[k].kind == KT_IMPLY) &&
			    !strcmp(t->e[i].props[k].target, s->name))
				add_reverse_line(&sb, &t->e[i], &t->e[i].props[k],
						 s->config);
	if (!sb.len) {
		strbuf_addstr(out, "  reverse dependencies: none\n");
	} else {
		strbuf_addstr(out, "  reverse dependencies:\n");
		add_indented(out, "    ", sb.buf);
	}
	strbuf_release(&sb);
}

/* One line on why the symbol has its value: what keeps it from the other. */
static void add_summary(struct strbuf *out, const struct ktree *t,
			const struct ksym *s)
{
	struct strbuf why = STRBUF_INIT;
	int tri = s->type == KT_BOOL || s->type == KT_TRISTATE;
	int n;

	strbuf_addf(out, "  summary:    %s", s->actual ? s->actual : "absent");
	if (!s->dep && !s->rev) {
		blame_deps(&why, s, KX_M);
		strbuf_setlen(&why, strcspn(why.buf, "\n"));
		strbuf_addf(out, "; its dependencies are n: %s\n", why.buf);
	} else if (!s->vis && !s->rev) {
		if (s->def_prop)
			strbuf_addf(out, "; no visible prompt: from its default at %s:%u\n",
				    s->def_entry->file, s->def_prop->line);
		else
			strbuf_addstr(out, "; no visible prompt and no default applies\n");
	} else if (tri) {
		const char *other = ksym_tristate(s->actual) ? "n" : "y";

		n = blockers(&why, t, s, other);
		strbuf_setlen(&why, strcspn(why.buf, "\n"));
		if (!n)
			strbuf_addf(out, "; nothing keeps it from %s\n", other);
		else if (n == 1)
			strbuf_addf(out, "; kept from %s: %s\n", other, why.buf);
		else
			strbuf_addf(out, "; kept from %s: %s (and %d more: ask for =%s)\n",
				    other, why.buf, n - 1, other);
	} else {
		strbuf_addstr(out, "; its prompt is visible: a .config sets it\n");
	}
	strbuf_release(&why);
}

int explain_symbol(const struct ktree *t, const struct kc_set *config,
		   const char *name, const char *want, struct strbuf *out)
{
	struct ksym s;
	const struct kt_entry *typed = NULL;

	if (ksym_analyse(&s, t, config, name)) {
		ksym_release(&s);
		return -UKB_ECONFIG;
	}
	for (size_t i = 0; i < s.nr_defs && !typed; i++)
		if (s.defs[i]->type_word)
			typed = s.defs[i];
	strbuf_addf(out, "CONFIG_%s\n", s.name);
	if (!s.actual)
		strbuf_addstr(out, "  value:      absent from .config\n");
	else if (!strcmp(s.actual, "n"))
		strbuf_addstr(out, "  value:      n (is not set)\n");
	else
		strbuf_addf(out, "  value:      %s\n", s.actual);
	strbuf_addf(out, "  type:       %s", ktree_type_name(s.type));
	if (typed && strcmp(typed->type_word, ktree_type_name(s.type)))
		strbuf_addf(out, " (%s)", typed->type_word);
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < s.nr_defs; i++)
		add_definition(out, &s, s.defs[i]);
	add_reverse(out, t, &s);
	if (want) {
		struct strbuf why = STRBUF_INIT;
		char *w = normalise_want(&s, want);
		int n = blockers(&why, t, &s, w);

		if (kc_value_satisfied(w, s.actual))
			strbuf_addf(out, "  wanted %s: it is %s\n", w, w);
		else if (!n)
			strbuf_addf(out, "  wanted %s: nothing in the Kconfig files keeps it from %s; set CONFIG_%s=%s in a fragment\n",
				    w, w, s.name, w);
		else
			strbuf_addf(out, "  wanted %s: kept from it by\n", w);
		if (n && !kc_value_satisfied(w, s.actual))
			add_indented(out, "    ", why.buf);
		strbuf_release(&why);
		free(w);
	} else {
		add_summary(out, t, &s);
	}
	ksym_release(&s);
	return 0;
}
