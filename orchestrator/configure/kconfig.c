#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/scope.h"
#include "base/wrapper.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "base/banned.h"

#define SCOPE_PREFIX "# umlkbuild:"

/* A Kconfig value: y/m/n, a number, or a complete double-quoted string. */
static const char *check_value(const char *v, size_t len)
{
	if (!len)
		return "empty value";
	if (memchr(v, '\0', len))
		return "NUL byte in the value";
	if (len == 1 && (*v == 'y' || *v == 'm' || *v == 'n'))
		return NULL;
	if (*v == '"') {
		size_t i;

		for (i = 1; i < len; i++) {
			if (v[i] == '\\') {
				i++;
				continue;
			}
			if (v[i] == '"')
				break;
		}
		if (i >= len)
			return "unterminated string";
		if (i != len - 1)
			return "text after the closing quote";
		return NULL;
	}
	{
		size_t i = (*v == '-') ? 1 : 0;
		int hex = len > i + 2 && v[i] == '0' &&
			  (v[i + 1] == 'x' || v[i + 1] == 'X');

		if (hex)
			i += 2;
		if (i >= len)
			return "expected y, m, n, a number or a quoted string";
		for (; i < len; i++) {
			if (hex ? !isxdigit((unsigned char)v[i]) :
				  !isdigit((unsigned char)v[i]))
				return "expected y, m, n, a number or a quoted string";
		}
	}
	return NULL;
}

static int parse_scope(const char *p, const char *end, struct scope *scope,
		       const char **why)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (end - p > 9 && !strncmp(p, "versions ", 9)) {
		p += 9;
		while (p < end && *p == ' ')
			p++;
		if (kver_range_parse(p, (size_t)(end - p), &scope->versions)) {
			*why = "bad version range (use A..B, A.., ..B or *)";
			return -1;
		}
		return 0;
	}
	if (end - p > 5 && !strncmp(p, "arch ", 5)) {
		p += 5;
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) == 6 && !strncmp(p, "x86_64", 6))
			scope->arches = ARCH_X86_64;
		else if ((size_t)(end - p) == 4 && !strncmp(p, "i386", 4))
			scope->arches = ARCH_I386;
		else {
			*why = "unknown arch (use x86_64 or i386)";
			return -1;
		}
		return 0;
	}
	if (end - p > 5 && !strncmp(p, "link ", 5)) {
		p += 5;
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) == 6 && !strncmp(p, "static", 6))
			scope->links = LINK_STATIC;
		else if ((size_t)(end - p) == 7 && !strncmp(p, "dynamic", 7))
			scope->links = LINK_DYNAMIC;
		else {
			*why = "unknown link (use static or dynamic)";
			return -1;
		}
		return 0;
	}
	*why = "unknown directive (use 'versions A..B', 'arch NAME' or 'link static|dynamic')";
	return -1;
}

/*
 * One line of a fragment or .config. Sets *name and *value for an entry,
 * leaves *name NULL for a comment or blank line, or returns a reason.
 */
static const char *parse_line(const char *p, const char *end, int strict,
			      const char **name, size_t *nlen,
			      const char **value, size_t *vlen,
			      struct scope *scope)
{
	static const char not_set[] = " is not set";
	const char *q;

	*name = NULL;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end)
		return NULL;
	if (*p == '#') {
		const char *why = NULL;

		if ((size_t)(end - p) >= sizeof(SCOPE_PREFIX) - 1 &&
		    !strncmp(p, SCOPE_PREFIX, sizeof(SCOPE_PREFIX) - 1)) {
			struct scope dummy;

			if (parse_scope(p + sizeof(SCOPE_PREFIX) - 1, end,
					scope ? scope : &dummy, &why) && strict)
				return why;
			return NULL;
		}
		q = p + 1;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - q < 8 || strncmp(q, "CONFIG_", 7))
			return NULL;
		*name = q;
		while (q < end && kc_is_sym_char((unsigned char)*q))
			q++;
		*nlen = (size_t)(q - *name);
		if (p[1] == ' ' && *name == p + 2 &&
		    (size_t)(end - q) == sizeof(not_set) - 1 &&
		    !memcmp(q, not_set, sizeof(not_set) - 1)) {
			*value = "n";
			*vlen = 1;
			return NULL;
		}
		*name = NULL;
		/* "#CONFIG_X is not set", "# CONFIG_X  is not set" ... */
		if (strict && memmem(q, (size_t)(end - q), "is not set", 10))
			return "malformed '# CONFIG_X is not set' line";
		return NULL;
	}
	if (end - p < 8 || strncmp(p, "CONFIG_", 7))
		return "expected 'CONFIG_X=value' or '# CONFIG_X is not set'";
	q = p + 7;
	while (q < end && kc_is_sym_char((unsigned char)*q))
		q++;
	if (q == p + 7)
		return "missing symbol name after CONFIG_";
	*name = p;
	*nlen = (size_t)(q - p);
	if (q < end && (*q == ' ' || *q == '\t')) {
		*name = NULL;
		return "no spaces allowed around '='";
	}
	if (q >= end || *q != '=') {
		*name = NULL;
		return "expected '=' after the symbol name";
	}
	q++;
	if (q < end && (*q == ' ' || *q == '\t')) {
		*name = NULL;
		return "no spaces allowed around '='";
	}
	*value = q;
	*vlen = (size_t)(end - q);
	{
		const char *why = check_value(*value, *vlen);

		if (why) {
			*name = NULL;
			return why;
		}
	}
	return NULL;
}

static int parse_buf(struct kc_set *out, const char *file, const char *buf,
		     size_t len, int strict, struct scope *scope)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;

	if (scope) {
		memset(scope, 0, sizeof(*scope));
		scope->arches = ARCH_ALL;
		scope->links = LINK_ALL;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *name, *value, *why;
		size_t nlen = 0, vlen = 0;

		if (!eol)
			eol = end;
		lineno++;
		why = parse_line(p, eol, strict, &name, &nlen, &value, &vlen,
				 scope);
		if (why && strict)
			return error(-UKB_EUSAGE, "%s:%u: %s", file, lineno, why);
		if (name) {
			struct kc_entry *prev = kc_find_n(out, name, nlen);

			if (prev && strict &&
			    (strlen(prev->value) != vlen ||
			     memcmp(prev->value, value, vlen)))
				return error(-UKB_EUSAGE,
					     "%s:%u: %.*s conflicts with its value '%s' on line %u of the same fragment",
					     file, lineno, (int)nlen, name,
					     prev->value, prev->line);
			if (prev && strict)
				warning("%s:%u: %.*s repeats line %u", file,
					lineno, (int)nlen, name, prev->line);
			if (prev) {
				free(prev->value);
				prev->value = xstrndup(value, vlen);
				prev->line = lineno;
			} else {
				kc_add_entry(out, name, nlen, value, vlen, file,
					  lineno);
			}
		}
		p = eol + 1;
	}
	return 0;
}

/* parse_buf into a set of its own (a repeat is within one file), then
 * append that to out */
static int parse_append(struct kc_set *out, const char *file, const char *buf,
			size_t len, int strict, struct scope *scope)
{
	struct kc_set tmp = KC_SET_INIT;
	int ret = parse_buf(&tmp, file, buf, len, strict, scope);

	if (!ret && !out->nr) {
		kc_set_release(out);
		*out = tmp;
		return 0;
	}
	if (!ret) {
		ALLOC_GROW(out->e, out->nr + tmp.nr, out->alloc);
		memcpy(out->e + out->nr, tmp.e, tmp.nr * sizeof(*tmp.e));
		out->nr += tmp.nr;
		kc_set_release_borrowed(&tmp);
	} else {
		kc_set_release(&tmp);
	}
	return ret;
}

int kc_parse_fragment(struct kc_set *out, const char *file, const char *buf,
		      size_t len, struct scope *scope)
{
	return parse_append(out, file, buf, len, 1, scope);
}

void kc_parse_config(struct kc_set *out, const char *file, const char *buf,
		     size_t len)
{
	/* lenient: parse_buf fails only in strict mode */
	int ret = parse_append(out, file, buf, len, 0, NULL);

	if (ret)
		BUG("the lenient parse of '%s' failed", file);
}

const char *kc_not_config(const char *buf, size_t len,
			  const struct kc_set *config)
{
	if (memchr(buf, '\0', len))
		return "it holds binary data";
	if (!config->nr)
		return "it has no CONFIG_ line";
	return NULL;
}

size_t kc_merge(struct kc_set *dst, const struct kc_set *src)
{
	size_t overrides = 0;

	for (size_t i = 0; i < src->nr; i++) {
		const struct kc_entry *s = &src->e[i];
		struct kc_entry *d = kc_find(dst, s->name);

		if (!d) {
			kc_add_entry(dst, s->name, strlen(s->name), s->value,
				  strlen(s->value), s->file, s->line);
			continue;
		}
		if (strcmp(d->value, s->value)) {
			info("%s:%u: %s=%s overrides %s from %s:%u", s->file,
			     s->line, s->name, s->value, d->value, d->file,
			     d->line);
			overrides++;
		}
		free(d->value);
		free(d->file);
		d->value = xstrdup(s->value);
		d->file = xstrdup(s->file);
		d->line = s->line;
	}
	return overrides;
}

static void format_entry(struct strbuf *out, const struct kc_entry *e)
{
	if (!strcmp(e->value, "n"))
		strbuf_addf(out, "# %s is not set\n", e->name);
	else
		strbuf_addf(out, "%s=%s\n", e->name, e->value);
}

void kc_apply(const char *config, size_t len, const struct kc_set *set,
	      struct strbuf *out)
{
	const char *p = config, *end = config + len;
	unsigned char *used = xcalloc(set->nr + 1, 1);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *name, *value;
		size_t nlen = 0, vlen = 0;
		const struct kc_entry *hit = NULL;

		if (!eol)
			eol = end;
		parse_line(p, eol, 0, &name, &nlen, &value, &vlen, NULL);
		if (name && (hit = kc_find_n(set, name, nlen)))
			used[hit - set->e] = 1;
		if (hit)
			format_entry(out, hit);
		else {
			strbuf_add(out, p, (size_t)(eol - p));
			strbuf_addch(out, '\n');
		}
		p = eol + 1;
	}
	for (size_t i = 0; i < set->nr; i++)
		if (!used[i])
			format_entry(out, &set->e[i]);
	free(used);
}


int kc_parse_required(struct kc_required *req, const char *file,
		      const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *tok, *name, *value, *why;
		size_t nlen = 0, vlen = 0;
		struct scope scope = { .arches = ARCH_ALL, .links = LINK_ALL };

		if (!eol)
			eol = end;
		lineno++;
		/* the entry is the first word; scope words follow */
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		tok = p;
		while (tok < eol && !isspace((unsigned char)*tok))
			tok++;
		why = parse_line(p, tok, 1, &name, &nlen, &value, &vlen, NULL);
		if (why)
			return error(-UKB_EUSAGE, "%s:%u: %s", file, lineno, why);
		if (!name) {
			p = eol + 1;
			continue;
		}
		while (tok < eol) {
			const char *w;

			while (tok < eol && isspace((unsigned char)*tok))
				tok++;
			if (tok >= eol || *tok == '#')
				break;
			w = tok;
			while (tok < eol && !isspace((unsigned char)*tok))
				tok++;
			switch (scope_qualifier(&scope, w, (size_t)(tok - w))) {
			case SCOPE_WORD_OK:
				break;
			case SCOPE_WORD_BAD_RANGE:
				return error(-UKB_EUSAGE,
					     "%s:%u: bad version range '%.*s'",
					     file, lineno,
					     (int)(tok - w - 9), w + 9);
			default:
				return error(-UKB_EUSAGE,
					     "%s:%u: unknown qualifier '%.*s' (use versions=A..B, arch=NAME or link=static|dynamic)",
					     file, lineno, (int)(tok - w), w);
			}
		}
		kc_add_entry(&req->syms, name, nlen, value, vlen, file, lineno);
		req->scopes = xrealloc(req->scopes,
				       req->syms.nr * sizeof(*req->scopes));
		req->scopes[req->syms.nr - 1] = scope;
		p = eol + 1;
	}
	return 0;
}

