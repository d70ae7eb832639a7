#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "configure/kdecl.h"
#include "configure/ktlex.h"
#include "configure/ktree.h"
#include "base/banned.h"

/* kconfig refuses deeper source nesting long before this */
#define MAX_SOURCE_DEPTH 32

enum block_kind { BLOCK_IF, BLOCK_MENU, BLOCK_CHOICE };

struct block {
	enum block_kind kind;
	char *title;                 /* a menu's */
	const struct kt_cond *saved; /* the chain outside the block */
};

/* What the attribute lines ("depends on", "select", ...) belong to. */
enum current { CUR_NONE, CUR_CONFIG, CUR_MENU, CUR_CHOICE, CUR_COMMENT };

struct kparse {
	struct ktree *t;
	const char *srcdir;        /* NULL: do not follow source lines */
	const char *const *vars;
	struct block *blocks;
	size_t nr_blocks, alloc_blocks;
	const struct kt_cond *chain;
	enum current cur;
	int source_depth;
	struct strvec stack;       /* the files being read, outermost first */
	int err;                   /* a source cycle: stop */
};

const char *ktree_type_name(enum kt_type type)
{
	static const char *const names[] = {
		[KT_UNKNOWN] = "unknown", [KT_BOOL] = "bool",
		[KT_TRISTATE] = "tristate", [KT_STRING] = "string",
		[KT_INT] = "int", [KT_HEX] = "hex",
	};

	return names[type];
}

static void expr_release(struct kt_expr *x)
{
	free(x->text);
	kexpr_free(x->e);
	x->text = NULL;
	x->e = NULL;
}

void ktree_release(struct ktree *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		struct kt_entry *e = &t->e[i];

		for (size_t k = 0; k < e->nr_props; k++) {
			free(e->props[k].target);
			expr_release(&e->props[k].x);
			expr_release(&e->props[k].cond);
		}
		free(e->props);
		free(e->name);
		free(e->prompt);
		expr_release(&e->prompt_if);
	}
	free(t->e);
	for (size_t i = 0; i < t->nr_conds; i++) {
		free(t->conds[i]->label);
		expr_release(&t->conds[i]->x);
		free(t->conds[i]);
	}
	free(t->conds);
	for (size_t i = 0; i < t->nr_files; i++)
		free(t->files[i]);
	free(t->files);
	memset(t, 0, sizeof(*t));
}

static void set_expr(struct kt_expr *x, const char *file, unsigned line,
		     const char *s, const char *end)
{
	const char *why = NULL;

	s = kt_skip_blanks(s, end);
	end = kt_trim_end(s, end);
	x->text = xstrndup(s, (size_t)(end - s));
	if (kexpr_parse(s, (size_t)(end - s), &x->e, &why))
		debug("%s:%u: cannot read the expression '%s': %s", file, line,
		      x->text, why);
}

static const struct kt_cond *add_cond(struct kparse *kp, enum kt_cond_kind kind,
				      const char *file, unsigned line,
				      const char *label, const char *s,
				      const char *end)
{
	struct kt_cond *c = xcalloc(1, sizeof(*c));

	c->kind = kind;
	c->file = file;
	c->line = line;
	c->label = label ? xstrdup(label) : NULL;
	set_expr(&c->x, file, line, s, end);
	c->parent = kp->chain;
	ALLOC_GROW(kp->t->conds, kp->t->nr_conds + 1, kp->t->alloc_conds);
	kp->t->conds[kp->t->nr_conds++] = c;
	kp->chain = c;
	return c;
}

static void push_block(struct kparse *kp, enum block_kind kind,
		       const char *title)
{
	struct block *b;

	ALLOC_GROW(kp->blocks, kp->nr_blocks + 1, kp->alloc_blocks);
	b = &kp->blocks[kp->nr_blocks++];
	b->kind = kind;
	b->title = title ? xstrdup(title) : NULL;
	b->saved = kp->chain;
}

static void pop_block(struct kparse *kp)
{
	struct block *b;

	if (!kp->nr_blocks)
		return;
	b = &kp->blocks[--kp->nr_blocks];
	kp->chain = b->saved;
	free(b->title);
}

static int in_choice(const struct kparse *kp)
{
	for (size_t i = 0; i < kp->nr_blocks; i++)
		if (kp->blocks[i].kind == BLOCK_CHOICE)
			return 1;
	return 0;
}

static const char *block_title(const struct kparse *kp)
{
	return kp->nr_blocks ? kp->blocks[kp->nr_blocks - 1].title : NULL;
}

static struct kt_entry *current_entry(struct kparse *kp)
{
	return kp->cur == CUR_CONFIG ? &kp->t->e[kp->t->nr - 1] : NULL;
}

static struct kt_prop *add_prop(struct kt_entry *e, enum kt_prop_kind kind,
				unsigned line)
{
	struct kt_prop *p;

	ALLOC_GROW(e->props, e->nr_props + 1, e->alloc_props);
	p = &e->props[e->nr_props++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->line = line;
	return p;
}

/* "EXPR [if COND]" into x and cond. */
static void expr_with_if(struct kt_expr *x, struct kt_expr *cond,
			 const char *file, unsigned line, const char *s,
			 const char *end)
{
	const char *i = kt_find_if(s, end);

	set_expr(x, file, line, s, i);
	if (i < end)
		set_expr(cond, file, line, i + 2, end);
}

/* A prompt string and its optional "if EXPR". */
static void set_prompt(struct kt_entry *e, const char *file, unsigned line,
		       const char *s, const char *end)
{
	char *prompt = kt_take_string(&s, end);

	if (!*prompt) {
		free(prompt);
		return;
	}
	free(e->prompt);
	expr_release(&e->prompt_if);
	e->prompt = prompt;
	e->prompt_line = line;
	s = kt_skip_blanks(s, end);
	if (kt_starts_word(s, end, "if"))
		set_expr(&e->prompt_if, file, line, s + 2, end);
}

static const struct {
	const char *word;
	enum kt_type type;
	int has_default;  /* def_bool, def_tristate */
} type_words[] = {
	{ "bool", KT_BOOL, 0 }, { "boolean", KT_BOOL, 0 },
	{ "tristate", KT_TRISTATE, 0 }, { "string", KT_STRING, 0 },
	{ "int", KT_INT, 0 }, { "hex", KT_HEX, 0 },
	{ "def_bool", KT_BOOL, 1 }, { "def_tristate", KT_TRISTATE, 1 },
};

/* An attribute line of the current entry; 0 when w is none. */
static int attribute(struct kparse *kp, const char *file, unsigned line,
		     const char *w, const char *rest, const char *end)
{
	struct kt_entry *e = current_entry(kp);
	struct kt_prop *p;

	for (size_t i = 0; i < ARRAY_SIZE(type_words); i++) {
		if (!kt_starts_word(w, end, type_words[i].word))
			continue;
		if (!e)
			return 1;
		e->type = type_words[i].type;
		e->type_word = type_words[i].word;
		if (type_words[i].has_default) {
			p = add_prop(e, KT_DEFAULT, line);
			expr_with_if(&p->x, &p->cond, file, line, rest, end);
		} else if (rest < end) {
			set_prompt(e, file, line, rest, end);
		}
		return 1;
	}
	if (kt_starts_word(w, end, "prompt")) {
		if (e)
			set_prompt(e, file, line, rest, end);
	} else if (kt_starts_word(w, end, "default")) {
		if (e) {
			p = add_prop(e, KT_DEFAULT, line);
			expr_with_if(&p->x, &p->cond, file, line, rest, end);
		}
	} else if (kt_starts_word(w, end, "depends")) {
		if (!kt_starts_word(rest, end, "on"))
			return 1;
		rest += 2;
		if (e) {
			p = add_prop(e, KT_DEPENDS, line);
			set_expr(&p->x, file, line, rest, end);
		} else if (kp->cur == CUR_MENU) {
			add_cond(kp, KT_MENU_DEP, file, line, block_title(kp),
				 rest, end);
		} else if (kp->cur == CUR_CHOICE) {
			add_cond(kp, KT_CHOICE_DEP, file, line, NULL, rest, end);
		}
	} else if (kt_starts_word(w, end, "visible")) {
		if (kp->cur == CUR_MENU && kt_starts_word(rest, end, "if"))
			add_cond(kp, KT_MENU_VISIBLE, file, line,
				 block_title(kp), rest + 2, end);
	} else if (kt_starts_word(w, end, "select") || kt_starts_word(w, end, "imply")) {
		const char *t = rest, *i = kt_find_if(rest, end);

		while (t < i && kt_is_word_char((unsigned char)*t))
			t++;
		if (!e || t == rest)
			return 1;
		p = add_prop(e, *w == 's' ? KT_SELECT : KT_IMPLY, line);
		p->target = xstrndup(rest, (size_t)(t - rest));
		if (i < end)
			set_expr(&p->cond, file, line, i + 2, end);
	} else {
		return 0;
	}
	return 1;
}

static void parse_file(struct kparse *kp, const char *file);

/* $(NAME) in a source path, from kp->vars; -1 for an unknown one. */
static int expand_path(const struct kparse *kp, const char *path,
		       struct strbuf *out)
{
	const char *p = path, *m;

	while ((m = strstr(p, "$("))) {
		const char *close = strchr(m, ')');
		size_t n;
		const char *const *v;

		if (!close)
			return -1;
		strbuf_add(out, p, (size_t)(m - p));
		n = (size_t)(close - m - 2);
		for (v = kp->vars; v && *v; v++)
			if (!strncmp(*v, m + 2, n) && (*v)[n] == '=')
				break;
		if (!v || !*v)
			return -1;
		strbuf_addstr(out, *v + n + 1);
		p = close + 1;
	}
	strbuf_addstr(out, p);
	return 0;
}

static void parse_source_directive(struct kparse *kp, const char *file, unsigned line,
				   const char *w, const char *rest, const char *end)
{
	int relative = w[0] == 'r' || (w[0] == 'o' && w[1] == 'r');
	int optional = w[0] == 'o';
	char *path = kt_take_string(&rest, end);
	struct strbuf full = STRBUF_INIT;

	if (!kp->srcdir)
		goto out;
	if (relative) {
		const char *slash = strrchr(file, '/');

		if (slash)
			strbuf_add(&full, file, (size_t)(slash - file + 1));
	}
	if (kp->err)
		goto out;
	if (expand_path(kp, path, &full)) {
		debug("%s:%u: cannot expand '%s': skipped", file, line, path);
		goto out;
	}
	for (size_t i = 0; i < kp->stack.nr; i++) {
		char *via;

		if (strcmp(kp->stack.v[i], full.buf))
			continue;
		/* kconfig says "recursive inclusion detected" and stops */
		strvec_push(&kp->stack, full.buf);
		via = strvec_join(&kp->stack, " -> ");
		kp->err = error(-UKB_EUSAGE,
				"Kconfig source cycle: '%s' sources itself (via %s)",
				full.buf, via);
		free(via);
		goto out;
	}
	if (kp->source_depth >= MAX_SOURCE_DEPTH) {
		debug("%s:%u: sources nested too deeply: '%s' skipped", file,
		      line, full.buf);
		goto out;
	}
	if (optional) {
		char *abs = path_join(kp->srcdir, full.buf);
		int there = path_exists(abs);

		free(abs);
		if (!there)
			goto out;
	}
	parse_file(kp, full.buf);
out:
	strbuf_release(&full);
	free(path);
}

/* One logical line (continuations joined, comment stripped). */
static void parse_line(struct kparse *kp, const char *file, unsigned line,
		       const char *s, const char *end)
{
	const char *w = kt_skip_blanks(s, end), *rest = w;
	size_t len;
	const char *name;

	end = kt_trim_end(w, end);
	while (rest < end && kt_is_word_char((unsigned char)*rest))
		rest++;
	if (rest == w)
		return;
	rest = kt_skip_blanks(rest, end);
	if ((name = kc_config_decl(w, end, &len))) {
		struct kt_entry *e;

		ALLOC_GROW(kp->t->e, kp->t->nr + 1, kp->t->alloc);
		e = &kp->t->e[kp->t->nr++];
		memset(e, 0, sizeof(*e));
		e->name = xstrndup(name, len);
		e->file = file;
		e->line = line;
		e->menuconfig = *w == 'm';
		e->in_choice = in_choice(kp);
		e->conds = kp->chain;
		kp->cur = CUR_CONFIG;
	} else if (kt_starts_word(w, end, "if")) {
		push_block(kp, BLOCK_IF, NULL);
		add_cond(kp, KT_IF, file, line, NULL, rest, end);
		kp->cur = CUR_NONE;
	} else if (kt_starts_word(w, end, "menu")) {
		char *title = kt_take_string(&rest, end);

		push_block(kp, BLOCK_MENU, title);
		free(title);
		kp->cur = CUR_MENU;
	} else if (kt_starts_word(w, end, "choice")) {
		push_block(kp, BLOCK_CHOICE, NULL);
		kp->cur = CUR_CHOICE;
	} else if (kt_starts_word(w, end, "endif") ||
		   kt_starts_word(w, end, "endmenu") ||
		   kt_starts_word(w, end, "endchoice")) {
		pop_block(kp);
		kp->cur = CUR_NONE;
	} else if (kt_starts_word(w, end, "comment")) {
		kp->cur = CUR_COMMENT;
	} else if (kt_starts_word(w, end, "source") ||
		   kt_starts_word(w, end, "rsource") ||
		   kt_starts_word(w, end, "osource") ||
		   kt_starts_word(w, end, "orsource")) {
		kp->cur = CUR_NONE;
		parse_source_directive(kp, file, line, w, rest, end);
	} else if (kt_starts_word(w, end, "mainmenu")) {
		kp->cur = CUR_NONE;
	} else if (kp->cur != CUR_NONE) {
		attribute(kp, file, line, w, rest, end);
	}
}

static const char *intern(struct ktree *t, const char *file)
{
	for (size_t i = 0; i < t->nr_files; i++)
		if (!strcmp(t->files[i], file))
			return t->files[i];
	ALLOC_GROW(t->files, t->nr_files + 1, t->alloc_files);
	t->files[t->nr_files] = xstrdup(file);
	return t->files[t->nr_files++];
}

static void parse_buf(struct kparse *kp, const char *file, const char *buf,
		      size_t len)
{
	const char *p = buf, *end = buf + len;
	struct strbuf logical = STRBUF_INIT;
	size_t base = kp->nr_blocks;
	unsigned lineno = 0;
	int help = 0, help_indent = 0;

	file = intern(kp->t, file);
	kp->cur = CUR_NONE;
	while (p < end && !kp->err) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *first, *stop;
		unsigned start;
		int indent;

		if (!eol)
			eol = end;
		lineno++;
		indent = kt_indent_of(p, eol, &first);
		if (help) {
			/* help text: lines indented at least as its first */
			if (kt_trim_end(first, eol) == first) {
				p = eol + 1;
				continue;
			}
			if (!help_indent && indent) {
				help_indent = indent;
			} else if (!help_indent || indent < help_indent) {
				help = 0;
			}
			if (help) {
				p = eol + 1;
				continue;
			}
		}
		/* join "\"-continued lines */
		start = lineno;
		strbuf_reset(&logical);
		for (;;) {
			stop = kt_trim_end(p, eol);
			if (stop > p && stop[-1] == '\\' && eol < end) {
				strbuf_add(&logical, p, (size_t)(stop - 1 - p));
				strbuf_addch(&logical, ' ');
				p = eol + 1;
				eol = memchr(p, '\n', (size_t)(end - p));
				if (!eol)
					eol = end;
				lineno++;
				continue;
			}
			strbuf_add(&logical, p, (size_t)(eol - p));
			break;
		}
		stop = kt_comment_start(logical.buf, logical.buf + logical.len);
		first = kt_skip_blanks(logical.buf, stop);
		if (kt_starts_word(first, stop, "help") ||
		    kt_starts_word(first, stop, "---help---")) {
			help = 1;
			help_indent = 0;
		} else {
			parse_line(kp, file, start, logical.buf, stop);
		}
		p = eol + 1;
	}
	/* kconfig refuses a file that leaves a block open; close it here */
	while (kp->nr_blocks > base)
		pop_block(kp);
	kp->cur = CUR_NONE;
	strbuf_release(&logical);
}

static void parse_file(struct kparse *kp, const char *file)
{
	char *path = path_join(kp->srcdir, file);
	struct strbuf sb = STRBUF_INIT;
	int ret = read_input_file(&sb, path, UKB_INPUT_MAX, NULL);

	if (ret) {
		debug("cannot read '%s': %s", path, strerror(-ret));
	} else {
		kp->source_depth++;
		strvec_push(&kp->stack, file);
		parse_buf(kp, file, sb.buf, sb.len);
		if (!kp->err) {
			free((char *)kp->stack.v[--kp->stack.nr]);
			kp->stack.v[kp->stack.nr] = NULL;
		}
		kp->source_depth--;
	}
	strbuf_release(&sb);
	free(path);
}

static void kparse_release(struct kparse *kp)
{
	while (kp->nr_blocks)
		pop_block(kp);
	free(kp->blocks);
	strvec_clear(&kp->stack);
}

void ktree_parse(struct ktree *t, const char *file, const char *buf,
		 size_t len)
{
	struct kparse kp = { .t = t };

	parse_buf(&kp, file, buf, len);
	kparse_release(&kp);
}

int ktree_load(struct ktree *t, const char *srcdir, const char *const *vars)
{
	struct kparse kp = { .t = t, .srcdir = srcdir, .vars = vars };
	char *top = path_join(srcdir, "Kconfig");
	int there = path_exists(top);

	free(top);
	if (!there)
		return error(-UKB_EUSAGE, "'%s' has no top-level Kconfig",
			     srcdir);
	parse_file(&kp, "Kconfig");
	kparse_release(&kp);
	return kp.err;
}
