#include <ctype.h>
#include <string.h>

#include "base/strbuf.h"
#include "configure/ktlex.h"
#include "base/banned.h"

int kt_is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

const char *kt_skip_blanks(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

const char *kt_trim_end(const char *p, const char *end)
{
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

/* Whether [p, end) starts with the word w, followed by a non-word char. */
int kt_starts_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) >= n && !memcmp(p, w, n) &&
	       (p + n == end || !kt_is_word_char((unsigned char)p[n]));
}
/*
 * Where the trailing " if EXPR" of a default, select, imply or prompt
 * starts: the first word "if" outside quotes and $(...); end without one.
 */
const char *kt_find_if(const char *p, const char *end)
{
	int macro = 0;

	while (p < end) {
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			while (p < end && *p != q)
				p += (*p == '\\' && p + 1 < end) ? 2 : 1;
			if (p < end)
				p++;
			continue;
		}
		if (*p == '$' && p + 1 < end && p[1] == '(') {
			macro++;
			p += 2;
			continue;
		}
		if (macro && *p == '(')
			macro++;
		else if (macro && *p == ')')
			macro--;
		else if (!macro && kt_is_word_char((unsigned char)*p)) {
			const char *w = p;

			while (p < end && kt_is_word_char((unsigned char)*p))
				p++;
			if (p - w == 2 && !memcmp(w, "if", 2))
				return w;
			continue;
		}
		p++;
	}
	return end;
}

/* A quoted string at *p (", ' or unquoted up to a blank), unescaped. */
char *kt_take_string(const char **p, const char *end)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = kt_skip_blanks(*p, end);

	if (s < end && (*s == '"' || *s == '\'')) {
		char q = *s++;

		while (s < end && *s != q) {
			if (*s == '\\' && s + 1 < end)
				s++;
			strbuf_addch(&sb, *s++);
		}
		if (s < end)
			s++;
	} else {
		while (s < end && !isspace((unsigned char)*s))
			strbuf_addch(&sb, *s++);
	}
	*p = s;
	return strbuf_detach(&sb, NULL);
}

/* Columns of leading blanks, tabs to the next multiple of 8 (kconfig's). */
int kt_indent_of(const char *p, const char *eol, const char **first)
{
	int n = 0;

	for (; p < eol && (*p == ' ' || *p == '\t'); p++)
		n = *p == '\t' ? (n & ~7) + 8 : n + 1;
	*first = p;
	return n;
}

/* Drop a '#' comment that is outside quotes. */
const char *kt_comment_start(const char *p, const char *end)
{
	char q = 0;

	for (; p < end; p++) {
		if (q) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (*p == '#') {
			return p;
		}
	}
	return end;
}
