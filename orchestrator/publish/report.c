#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/wrapper.h"
#include "publish/report.h"
#include "base/banned.h"

void report_init(struct report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

static void row_release(struct report_row *r)
{
	free(r->id);
	free(r->cell);
	free(r->kind);
	free(r->source);
	free(r->version);
	free(r->arch);
	free(r->profile);
	free(r->phase);
	free(r->error);
	free(r->sha256);
	free(r->artifact);
	free(r->log);
}

void report_release(struct report *rep)
{
	for (size_t i = 0; i < rep->nr; i++)
		row_release(&rep->r[i]);
	free(rep->r);
	free(rep->file);
	free(rep->started);
	memset(rep, 0, sizeof(*rep));
}

struct report_row *report_add(struct report *rep)
{
	struct report_row *r;

	ALLOC_GROW(rep->r, rep->nr + 1, rep->alloc);
	r = &rep->r[rep->nr++];
	memset(r, 0, sizeof(*r));
	r->status = "SKIP";
	r->size = -1;
	return r;
}

size_t report_count(const struct report *rep, const char *status)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nr; i++)
		if (!strcmp(rep->r[i].status, status))
			n++;
	return n;
}

/* Control characters and what is not UTF-8 as C-style escapes first. */
static char *quoted(const char *s)
{
	struct strbuf q = STRBUF_INIT;

	if (!s)
		return NULL;
	quote_ctrl_str(&q, s);
	return strbuf_detach(&q, NULL);
}

void html_escape(struct strbuf *out, const char *str)
{
	char *q = quoted(str);

	for (const char *s = q; s && *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&#39;"); break;
		default: strbuf_addch(out, *s);
		}
	}
	free(q);
}

void md_escape(struct strbuf *out, const char *str)
{
	char *q = quoted(str);

	for (const char *s = q; s && *s; s++) {
		/* not '_': GFM leaves CONFIG_X_Y alone */
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' ||
		    *s == '<' || *s == '[' || *s == ']')
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
	free(q);
}

static void fmt_duration(char *buf, size_t n, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 60)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%.1fs", s);
}

static void fmt_size(char *buf, size_t n, long long size)
{
	if (size < 0)
		snprintf(buf, n, "-");
	else if (size >= 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", (double)size / (1024.0 * 1024.0));
	else
		snprintf(buf, n, "%lld B", size);
}

/* "VERSION (SOURCE)" as shown in the tables. */
static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void summary(const struct report *rep, struct strbuf *out)
{
	char d[32];

	fmt_duration(d, sizeof(d), rep->duration);
	strbuf_addf(out, "%zu builds: %zu passed, %zu failed, %zu not run; %s",
		    rep->nr, report_count(rep, "PASS"),
		    report_count(rep, "FAIL"), report_count(rep, "SKIP"), d);
}

void report_md(const struct report *rep, struct strbuf *out)
{
	strbuf_addstr(out, "# umlkbuild matrix: ");
	md_escape(out, rep->file);
	strbuf_addstr(out, "\n\n");
	if (rep->started) {
		strbuf_addstr(out, "Started ");
		md_escape(out, rep->started);
		strbuf_addstr(out, ". ");
	}
	summary(rep, out);
	strbuf_addstr(out, ".\n\n| build | version | arch | profile | status | phase | duration | size | sha256 | artifact | first error |\n"
			   "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct report_row *r = &rep->r[i];
		const char *cols[] = { r->id, r->version, r->arch, r->profile,
				       r->status, r->phase };
		char d[32], sz[32];

		strbuf_addch(out, '|');
		for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
			strbuf_addch(out, ' ');
			md_escape(out, or_dash(cols[k]));
			strbuf_addstr(out, " |");
		}
		fmt_duration(d, sizeof(d), r->duration);
		fmt_size(sz, sizeof(sz), r->size);
		strbuf_addf(out, " %s | %s | ", d, sz);
		if (r->sha256) {
			strbuf_addch(out, '`');
			strbuf_addstr(out, r->sha256); /* hex: nothing to escape */
			strbuf_addch(out, '`');
		} else {
			strbuf_addch(out, '-');
		}
		strbuf_addstr(out, " | ");
		md_escape(out, or_dash(r->artifact));
		strbuf_addstr(out, " | ");
		md_escape(out, or_dash(r->error));
		strbuf_addstr(out, " |\n");
	}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<title>umlkbuild matrix</title>\n<style>\n"
	"body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
	"table{border-collapse:collapse;font-size:.9em}\n"
	"th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n"
	"th{background:#f3f3f3}\n"
	"td.num{text-align:right;white-space:nowrap}\n"
	"code{font-size:.85em;word-break:break-all}\n"
	".PASS{background:#dff5df;font-weight:bold}\n"
	".FAIL{background:#f9d6d6;font-weight:bold}\n"
	".SKIP{background:#eee}\n"
	"</style>\n</head>\n<body>\n";

void report_html(const struct report *rep, struct strbuf *out)
{
	strbuf_addstr(out, html_head);
	strbuf_addstr(out, "<h1>umlkbuild matrix: ");
	html_escape(out, rep->file);
	strbuf_addstr(out, "</h1>\n<p>");
	if (rep->started) {
		strbuf_addstr(out, "Started ");
		html_escape(out, rep->started);
		strbuf_addstr(out, ". ");
	}
	{
		struct strbuf s = STRBUF_INIT;

		summary(rep, &s);
		html_escape(out, s.buf);
		strbuf_release(&s);
	}
	strbuf_addstr(out, ".</p>\n<table>\n<tr><th>build</th><th>source</th>"
			   "<th>version</th><th>arch</th><th>profile</th>"
			   "<th>status</th><th>phase</th><th>duration</th>"
			   "<th>size</th><th>sha256</th><th>artifact</th>"
			   "<th>first error</th></tr>\n");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct report_row *r = &rep->r[i];
		const char *cols[] = { r->id, r->source, r->version, r->arch,
				       r->profile };
		char d[32], sz[32];

		strbuf_addstr(out, "<tr>");
		for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
			strbuf_addstr(out, "<td>");
			html_escape(out, or_dash(cols[k]));
			strbuf_addstr(out, "</td>");
		}
		/* the class is one of three fixed words, never input */
		strbuf_addf(out, "<td class=\"%s\">%s</td><td>",
			    !strcmp(r->status, "PASS") ? "PASS" :
			    !strcmp(r->status, "FAIL") ? "FAIL" : "SKIP",
			    !strcmp(r->status, "PASS") ? "PASS" :
			    !strcmp(r->status, "FAIL") ? "FAIL" : "SKIP");
		html_escape(out, or_dash(r->phase));
		fmt_duration(d, sizeof(d), r->duration);
		fmt_size(sz, sizeof(sz), r->size);
		strbuf_addf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td><code>",
			    d, sz);
		html_escape(out, or_dash(r->sha256));
		strbuf_addstr(out, "</code></td><td>");
		html_escape(out, or_dash(r->artifact));
		strbuf_addstr(out, "</td><td><code>");
		html_escape(out, or_dash(r->error));
		strbuf_addstr(out, "</code></td></tr>\n");
	}
	strbuf_addstr(out, "</table>\n</body>\n</html>\n");
}

/* Write matrix.json to path (atomically). Returns 0 or -errno. */
static int report_write_json(const struct report *rep, const char *path)
{
	struct manifest *m = manifest_new();
	int ret;

	{
		char *file = quoted(rep->file), *started = quoted(rep->started);

		manifest_set_str(m, "matrix.file", file);
		manifest_set_str(m, "matrix.started", started);
		free(file);
		free(started);
	}
	manifest_set_real(m, "matrix.duration", rep->duration);
	manifest_set_int(m, "matrix.builds", (long long)rep->nr);
	manifest_set_int(m, "matrix.passed", (long long)report_count(rep, "PASS"));
	manifest_set_int(m, "matrix.failed", (long long)report_count(rep, "FAIL"));
	manifest_set_int(m, "matrix.not_run", (long long)report_count(rep, "SKIP"));
	manifest_set_str(m, "umlkbuild.version", UKB_VERSION);
	for (size_t i = 0; i < rep->nr; i++) {
		const struct report_row *orig = &rep->r[i];
		/* jansson takes UTF-8 only: quote what came from input */
		struct report_row q = {
			.id = quoted(orig->id), .cell = quoted(orig->cell),
			.kind = quoted(orig->kind), .source = quoted(orig->source),
			.version = quoted(orig->version),
			.arch = quoted(orig->arch), .profile = quoted(orig->profile),
			.status = orig->status, .phase = quoted(orig->phase),
			.error = quoted(orig->error), .exit_code = orig->exit_code,
			.duration = orig->duration, .size = orig->size,
			.sha256 = quoted(orig->sha256),
			.artifact = quoted(orig->artifact), .log = quoted(orig->log),
		};
		const struct report_row *r = &q;

#define ROW_FMT(size) "{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, " \
		     "s:s?, s:i, s:f, s:s?, s:s?, s:s?, s:" size "}"
#define ROW_ARGS "id", r->id, "cell", r->cell, "kind", r->kind,           \
		 "source", r->source, "version", r->version, "arch", r->arch, \
		 "profile", r->profile, "status", r->status, "failed_phase",  \
		 r->phase, "error", r->error, "exit_code", r->exit_code,      \
		 "duration", r->duration, "sha256", r->sha256, "artifact",    \
		 r->artifact, "log", r->log, "vmlinux_size"
		if (r->size >= 0)
			manifest_append(m, "builds", ROW_FMT("I"), ROW_ARGS,
					(long long)r->size);
		else
			manifest_append(m, "builds", ROW_FMT("n"), ROW_ARGS);
#undef ROW_FMT
#undef ROW_ARGS
		row_release(&q);
	}
	ret = manifest_write(m, path);
	manifest_free(m);
	return ret;
}

int report_write(const struct report *rep, const char *dir)
{
	static const char *const names[] = { "matrix.md", "matrix.html" };
	struct strbuf sb = STRBUF_INIT;
	char *path = path_join(dir, "matrix.json");
	int ret = report_write_json(rep, path);

	for (size_t i = 0; !ret && i < ARRAY_SIZE(names); i++) {
		strbuf_reset(&sb);
		if (i == 0)
			report_md(rep, &sb);
		else
			report_html(rep, &sb);
		free(path);
		path = path_join(dir, names[i]);
		ret = write_file_atomic(path, sb.buf, sb.len, 0644);
	}
	if (ret) {
		error_errno(ret, "cannot write '%s'", path);
		ret = -UKB_EHOST;
	}
	strbuf_release(&sb);
	free(path);
	return ret;
}
