/*
 * The matrix report: one row per build, written as matrix.json (through
 * manifest.h), matrix.md (a markdown table) and matrix.html (one
 * self-contained page: inline CSS, no scripts, no external assets, every
 * value escaped). Every string from input is quoted (log.h's quote_ctrl())
 * in all three, so no report carries a raw control character.
 */
#ifndef UKB_REPORT_H
#define UKB_REPORT_H

#include <stddef.h>

#include "base/strbuf.h"

struct report_row {
	char *id;           /* "NNN-cell-arch-profile" */
	char *cell;
	char *kind;         /* "tarball", "version", "git" */
	char *source;
	char *version;      /* kernel version, NULL when unknown */
	char *arch;
	char *profile;
	const char *status; /* "PASS", "FAIL" or "SKIP" (not run) */
	char *phase;        /* failing phase, NULL when passed */
	char *error;        /* first error line, NULL when passed */
	int exit_code;
	double duration;    /* seconds */
	long long size;     /* stripped vmlinux bytes, -1 when none */
	char *sha256;
	char *artifact;     /* relative to the out dir, NULL when none */
	char *log;          /* the build's diagnostics, relative to the out dir */
};

struct report {
	char *file;         /* the matrix file */
	char *started;      /* UTC, ISO 8601 */
	double duration;
	struct report_row *r;
	size_t nr, alloc;
};

void report_init(struct report *rep);
void report_release(struct report *rep);
/* A new zeroed row (size -1), owned by rep. */
struct report_row *report_add(struct report *rep);
/* Rows per status. */
size_t report_count(const struct report *rep, const char *status);

/* Append s quoted (quote_ctrl(): control characters and non-UTF-8 as C
 * escapes), then with &, <, >, " and ' escaped (NULL appends nothing). */
void html_escape(struct strbuf *out, const char *s);
/* Append s quoted, then for a markdown table cell: | \ ` * < [ ] escaped. */
void md_escape(struct strbuf *out, const char *s);

void report_md(const struct report *rep, struct strbuf *out);
void report_html(const struct report *rep, struct strbuf *out);
/*
 * Write dir/matrix.json, dir/matrix.md and dir/matrix.html atomically.
 * Returns 0 or -UKB_EHOST with a message.
 */
int report_write(const struct report *rep, const char *dir);

#endif
