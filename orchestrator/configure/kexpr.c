#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/wrapper.h"
#include "configure/kexpr.h"
#include "base/banned.h"

/* '!' and parentheses nested deeper are refused: kernel trees use ~5. */
#define MAX_DEPTH 64

enum kx_type { KX_SYM, KX_STR, KX_MACRO, KX_NOT, KX_AND, KX_OR, KX_CMP };
enum kx_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

static const char *const op_text[] = {
	[OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<",
	[OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
};

/*
 * && and || are n-ary (a chain of 1000 "&&" is one node, not a tree 1000
 * deep), so only parentheses and '!' nest.
 */
struct kexpr {
	enum kx_type type;
	enum kx_op op;
	char *text;           /* KX_SYM, KX_STR (unescaped), KX_MACRO */
	struct kexpr **kids;  /* KX_NOT: 1, KX_CMP: 2, KX_AND/KX_OR: nr */
	size_t nr, alloc;
};

struct parser {
	const char *p, *end;
	const char *why;
	int depth;
};

void kexpr_free(struct kexpr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nr; i++)
		kexpr_free(e->kids[i]);
	free(e->kids);
	free(e->text);
	free(e);
}

static struct kexpr *new_node(enum kx_type type)
{
	struct kexpr *e = xcalloc(1, sizeof(*e));

	e->type = type;
	return e;
}

static void add_kid(struct kexpr *e, struct kexpr *kid)
{
	ALLOC_GROW(e->kids, e->nr + 1, e->alloc);
	e->kids[e->nr++] = kid;
}

static int is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end && isspace((unsigned char)*ps->p))
		ps->p++;
}

static int next_is(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_blanks(ps);
	return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, tok, n);
}

static struct kexpr *fail(struct parser *ps, const char *why)
{
	if (!ps->why)
		ps->why = why;
	return NULL;
}

/* A quoted string, ' or ", with backslash escapes. */
static struct kexpr *parse_string(struct parser *ps)
{
	struct strbuf sb = STRBUF_INIT;
	char quote = *ps->p++;
	struct kexpr *e;

	while (ps->p < ps->end && *ps->p != quote) {
		if (*ps->p == '\\' && ps->p + 1 < ps->end)
			ps->p++;
		if (!*ps->p) {
			strbuf_release(&sb);
			return fail(ps, "NUL byte in a string");
		}
		strbuf_addch(&sb, *ps->p++);
	}
	if (ps->p >= ps->end) {
		strbuf_release(&sb);
		return fail(ps, "unterminated string");
	}
	ps->p++;
	e = new_node(KX_STR);
	e->text = strbuf_detach(&sb, NULL);
	return e;
}

/* "$(...)" with balanced parentheses, kept as written. */
static struct kexpr *parse_macro(struct parser *ps)
{
	const char *start = ps->p;
	int open = 0;
	struct kexpr *e;

	ps->p++;
	do {
		if (ps->p >= ps->end)
			return fail(ps, "unterminated $(");
		if (!*ps->p)
			return fail(ps, "NUL byte in a macro");
		if (*ps->p == '(')
			open++;
		else if (*ps->p == ')')
			open--;
		ps->p++;
	} while (open);
	e = new_node(KX_MACRO);
	e->text = xstrndup(start, (size_t)(ps->p - start));
	return e;
}

static struct kexpr *parse_operand(struct parser *ps)
{
	const char *w;
	struct kexpr *e;

	skip_blanks(ps);
	if (ps->p >= ps->end)
		return fail(ps, "expected a symbol");
	if (*ps->p == '"' || *ps->p == '\'')
		return parse_string(ps);
	if (*ps->p == '$' && ps->p + 1 < ps->end && ps->p[1] == '(')
		return parse_macro(ps);
	w = ps->p;
	while (ps->p < ps->end && is_word_char((unsigned char)*ps->p))
		ps->p++;
	if (ps->p == w)
		return fail(ps, "expected a symbol");
	e = new_node(KX_SYM);
	e->text = xstrndup(w, (size_t)(ps->p - w));
	return e;
}

/* A comparison operator at ps->p, consumed; -1 when there is none. */
static int parse_op(struct parser *ps)
{
	/* two-character operators first */
	static const char *const ops[] = { "!=", "<=", ">=", "=", "<", ">" };
	static const enum kx_op codes[] = { OP_NE, OP_LE, OP_GE, OP_EQ, OP_LT,
					    OP_GT };

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (next_is(ps, ops[i])) {
			ps->p += strlen(ops[i]);
			return (int)codes[i];
		}
	}
	return -1;
}

static struct kexpr *parse_or(struct parser *ps);

/*
 * after_not: the '(' of "!(...)" does not count towards the depth, so that
 * the canonical form, which writes "!(A = B)" for "!A = B", reads back.
 */
static struct kexpr *parse_unary(struct parser *ps, int after_not)
{
	struct kexpr *e, *l, *r;
	int op;

	if (next_is(ps, "!")) {
		if (++ps->depth > MAX_DEPTH)
			return fail(ps, "expression nested too deeply");
		ps->p++;
		l = parse_unary(ps, 1);
		if (!l)
			return NULL;
		ps->depth--;
		e = new_node(KX_NOT);
		add_kid(e, l);
	} else if (next_is(ps, "(")) {
		if (!after_not && ++ps->depth > MAX_DEPTH)
			return fail(ps, "expression nested too deeply");
		ps->p++;
		e = parse_or(ps);
		if (!e)
			return NULL;
		if (!next_is(ps, ")")) {
			kexpr_free(e);
			return fail(ps, "missing ')'");
		}
		ps->p++;
		if (!after_not)
			ps->depth--;
	} else {
		l = parse_operand(ps);
		if (!l)
			return NULL;
		op = parse_op(ps);
		if (op < 0)
			return l;
		r = parse_operand(ps);
		if (!r) {
			kexpr_free(l);
			return NULL;
		}
		e = new_node(KX_CMP);
		e->op = (enum kx_op)op;
		add_kid(e, l);
		add_kid(e, r);
	}
	return e;
}

/* One level of a && or || chain: operands from sub, joined by tok. */
static struct kexpr *parse_chain(struct parser *ps, const char *tok,
				 enum kx_type type,
				 struct kexpr *(*sub)(struct parser *))
{
	struct kexpr *e = sub(ps), *chain = NULL, *next;

	while (e && next_is(ps, tok)) {
		ps->p += 2;
		next = sub(ps);
		if (!next) {
			kexpr_free(e); /* the chain, once there is one */
			return NULL;
		}
		if (!chain) {
			chain = new_node(type);
			add_kid(chain, e);
			e = chain;
		}
		add_kid(chain, next);
	}
	return e;
}

static struct kexpr *parse_term(struct parser *ps)
{
	return parse_unary(ps, 0);
}

static struct kexpr *parse_and(struct parser *ps)
{
	return parse_chain(ps, "&&", KX_AND, parse_term);
}

static struct kexpr *parse_or(struct parser *ps)
{
	return parse_chain(ps, "||", KX_OR, parse_and);
}

int kexpr_parse(const char *s, size_t len, struct kexpr **out,
		const char **why)
{
	struct parser ps = { s, s + len, NULL, 0 };
	struct kexpr *e;

	*out = NULL;
	skip_blanks(&ps);
	if (ps.p >= ps.end) {
		ps.why = "empty expression";
		goto bad;
	}
	e = parse_or(&ps);
	if (!e)
		goto bad;
	skip_blanks(&ps);
	if (ps.p < ps.end) {
		kexpr_free(e);
		ps.why = *ps.p == ')' ? "unbalanced ')'" :
			 "unexpected text after the expression";
		goto bad;
	}
	*out = e;
	return 0;
bad:
	if (why)
		*why = ps.why;
	return -UKB_EUSAGE;
}

const char *kexpr_tristate_name(int v)
{
	return v >= KX_Y ? "y" : v == KX_M ? "m" : "n";
}

static int tristate_of(const char *s)
{
	if (!s || !s[0] || s[1])
		return -1;
	return *s == 'y' ? KX_Y : *s == 'm' ? KX_M : *s == 'n' ? KX_N : -1;
}

/* A whole decimal or 0x-hex number, possibly negative. */
static int parse_number(const char *s, long long *out)
{
	const char *digits = *s == '-' ? s + 1 : s;
	int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
	char *end;

	if (!*digits || (hex && !digits[2]))
		return 0;
	if (!isxdigit((unsigned char)digits[hex ? 2 : 0]))
		return 0;
	errno = 0;
	*out = strtoll(s, &end, hex ? 16 : 10);
	return !errno && !*end;
}

static int is_constant(const char *word)
{
	long long n;

	return tristate_of(word) >= 0 || parse_number(word, &n);
}

/* The value of an operand as a string, into sb. */
static void operand_value(const struct kexpr *e, kexpr_lookup_fn *lookup,
			  void *data, struct strbuf *sb)
{
	const char *v;

	if (e->type == KX_STR) {
		strbuf_addstr(sb, e->text);
		return;
	}
	if (e->type != KX_SYM) {
		strbuf_addch(sb, 'n');
		return;
	}
	if (is_constant(e->text)) {
		strbuf_addstr(sb, e->text);
		return;
	}
	v = lookup ? lookup(e->text, data) : NULL;
	if (!v) {
		strbuf_addch(sb, 'n');
	} else if (*v == '"') {
		/* a .config string: unquote and unescape */
		for (v++; *v && *v != '"'; v++) {
			if (*v == '\\' && v[1])
				v++;
			strbuf_addch(sb, *v);
		}
	} else {
		strbuf_addstr(sb, v);
	}
}

/* y, m and n count as 2, 1 and 0 in comparisons, like numbers. */
static int as_number(const char *s, long long *out)
{
	int t = tristate_of(s);

	if (t >= 0) {
		*out = t;
		return 1;
	}
	return parse_number(s, out);
}

static int compare(const struct kexpr *e, kexpr_lookup_fn *lookup, void *data)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	long long x, y;
	int c;

	operand_value(e->kids[0], lookup, data, &a);
	operand_value(e->kids[1], lookup, data, &b);
	if (as_number(a.buf, &x) && as_number(b.buf, &y))
		c = x < y ? -1 : x > y;
	else
		c = strcmp(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	switch (e->op) {
	case OP_EQ: return c == 0 ? KX_Y : KX_N;
	case OP_NE: return c != 0 ? KX_Y : KX_N;
	case OP_LT: return c < 0 ? KX_Y : KX_N;
	case OP_LE: return c <= 0 ? KX_Y : KX_N;
	case OP_GT: return c > 0 ? KX_Y : KX_N;
	case OP_GE: return c >= 0 ? KX_Y : KX_N;
	}
	return KX_N;
}

int kexpr_eval(const struct kexpr *e, kexpr_lookup_fn *lookup, void *data)
{
	int v, t;

	switch (e->type) {
	case KX_SYM:
		t = tristate_of(e->text);
		if (t >= 0)
			return t;
		if (is_constant(e->text) || !lookup)
			return KX_N;
		t = tristate_of(lookup(e->text, data));
		return t < 0 ? KX_N : t;
	case KX_STR:
		t = tristate_of(e->text);
		return t < 0 ? KX_N : t;
	case KX_MACRO:
		return KX_N;
	case KX_NOT:
		return KX_Y - kexpr_eval(e->kids[0], lookup, data);
	case KX_AND:
		v = KX_Y;
		for (size_t i = 0; i < e->nr && v > KX_N; i++) {
			t = kexpr_eval(e->kids[i], lookup, data);
			v = t < v ? t : v;
		}
		return v;
	case KX_OR:
		v = KX_N;
		for (size_t i = 0; i < e->nr && v < KX_Y; i++) {
			t = kexpr_eval(e->kids[i], lookup, data);
			v = t > v ? t : v;
		}
		return v;
	case KX_CMP:
		return compare(e, lookup, data);
	}
	return KX_N;
}

static void format_operand(const struct kexpr *e, struct strbuf *out,
			   kexpr_lookup_fn *lookup, void *data)
{
	const char *v;

	if (e->type == KX_STR) {
		strbuf_addch(out, '"');
		for (const char *p = e->text; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addch(out, '\\');
			strbuf_addch(out, *p);
		}
		strbuf_addch(out, '"');
		return;
	}
	strbuf_addstr(out, e->text);
	if (e->type != KX_SYM || !lookup || is_constant(e->text))
		return;
	v = lookup(e->text, data);
	strbuf_addf(out, " [=%s]", v ? v : "n");
}

/* Binding strength: || 1, && 2, everything else 3. */
static int strength(const struct kexpr *e)
{
	return e->type == KX_OR ? 1 : e->type == KX_AND ? 2 : 3;
}

static void format(const struct kexpr *e, struct strbuf *out,
		   kexpr_lookup_fn *lookup, void *data)
{
	switch (e->type) {
	case KX_SYM:
	case KX_STR:
	case KX_MACRO:
		format_operand(e, out, lookup, data);
		return;
	case KX_NOT:
		strbuf_addch(out, '!');
		if (e->kids[0]->type == KX_AND || e->kids[0]->type == KX_OR ||
		    e->kids[0]->type == KX_CMP) {
			strbuf_addch(out, '(');
			format(e->kids[0], out, lookup, data);
			strbuf_addch(out, ')');
		} else {
			format(e->kids[0], out, lookup, data);
		}
		return;
	case KX_CMP:
		format_operand(e->kids[0], out, lookup, data);
		strbuf_addf(out, " %s ", op_text[e->op]);
		format_operand(e->kids[1], out, lookup, data);
		return;
	case KX_AND:
	case KX_OR:
		for (size_t i = 0; i < e->nr; i++) {
			int paren = strength(e->kids[i]) <= strength(e);

			if (i)
				strbuf_addstr(out, e->type == KX_AND ? " && " :
								       " || ");
			if (paren)
				strbuf_addch(out, '(');
			format(e->kids[i], out, lookup, data);
			if (paren)
				strbuf_addch(out, ')');
		}
		return;
	}
}

void kexpr_format(const struct kexpr *e, struct strbuf *out,
		  kexpr_lookup_fn *lookup, void *data)
{
	format(e, out, lookup, data);
}

const char *kexpr_operand(const struct kexpr *e, int *quoted)
{
	if (e->type != KX_SYM && e->type != KX_STR)
		return NULL;
	if (quoted)
		*quoted = e->type == KX_STR;
	return e->text;
}
