#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "base/errors.h"
#include "base/ini.h"
#include "base/log.h"
#include "base/wrapper.h"
#include "base/banned.h"

/* Feeds inih one line at a time, so problems get their line number. */
struct reader {
	const char *buf;
	size_t len, pos;
	unsigned line;
	const char *bad;        /* a line inih must not see, and why */
};

/* One INI text being read: the reader, the caller's handler, the first problem. */
struct ini_ctx {
	struct reader r;
	ini_entry_fn fn;
	void *user;
	char *problem;
	unsigned problem_line;
};

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	const char *s, *nl;
	size_t n;

	if (r->pos >= r->len || r->bad)
		return NULL;
	s = r->buf + r->pos;
	nl = memchr(s, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - s) + 1 : r->len - r->pos;
	r->line++;
	if (memchr(s, '\0', n)) {
		r->bad = "NUL byte in line";
		return NULL;
	}
	if (num < 1 || n >= (size_t)num) {
		r->bad = "line too long";
		return NULL;
	}
	memcpy(str, s, n);
	str[n] = '\0';
	r->pos += n;
	return str;
}

static int on_ini_entry(void *user, const char *section, const char *key,
			const char *value)
{
	struct ini_ctx *ic = user;
	char *msg;

	if (ic->problem)
		return 1;
	if (!*section) {
		msg = xasprintf("'%s' outside a section", key);
	} else if (!*value) {
		msg = xasprintf("empty value for '%s'", key);
	} else {
		msg = ic->fn(ic->user, section, key, value);
	}
	if (!msg)
		return 1;
	ic->problem = msg;
	ic->problem_line = ic->r.line;
	return 0;
}

int ini_read(const char *name, const char *buf, size_t len, ini_entry_fn fn,
	     void *user)
{
	struct ini_ctx ic = { .r = { .buf = buf, .len = len }, .fn = fn,
			      .user = user };
	unsigned line = 0;
	const char *msg = NULL;
	int rc;

	rc = ini_parse_stream(read_line, &ic.r, on_ini_entry, &ic);
	if (rc > 0 && (!ic.problem || (unsigned)rc < ic.problem_line)) {
		line = (unsigned)rc;
		msg = "expected '[section]' or 'key = value'";
	} else if (ic.problem) {
		line = ic.problem_line;
		msg = ic.problem;
	}
	if (ic.r.bad && (!msg || ic.r.line < line)) {
		line = ic.r.line;
		msg = ic.r.bad;
	}
	if (rc == -2 && !msg)
		msg = "out of memory";
	if (msg)
		rc = error(-UKB_EUSAGE, "%s:%u: %s", name, line, msg);
	else
		rc = 0;
	free(ic.problem);
	return rc;
}
