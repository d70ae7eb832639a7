#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "base/banned.h"

/* what a progress line registers, so a message never lands after it */
static void (*clear_hook)(void);

void log_set_clear_hook(void (*fn)(void))
{
	clear_hook = fn;
}

static void clear_line(void)
{
	if (clear_hook)
		clear_hook();
}

/* where shown lines go instead of stderr (tests) */
static log_sink_fn *sink_fn;
static void *sink_ctx;

void log_set_sink(log_sink_fn *fn, void *ctx)
{
	sink_fn = fn;
	sink_ctx = ctx;
}

static int verbosity;
static FILE *log_file;
static char *log_file_path;

void log_set_verbosity(int level)
{
	verbosity = level;
}

int log_verbosity(void)
{
	return verbosity;
}

int log_interactive(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = isatty(STDERR_FILENO) && verbosity >= LOG_NORMAL;
	return cached;
}

static int use_colour(void)
{
	const char *nc = getenv("NO_COLOR");

	return log_interactive() && !(nc && *nc);
}

/*
 * The length of the character at s that may be shown as it is (1 to 4
 * bytes of printable ASCII or UTF-8), or 0 when it must be escaped.
 */
static size_t shown_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return c >= 0x20 && c != 0x7f;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	/* C1 controls; bidi and line-separator controls */
	if (cp <= 0x9f || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n;
}

void quote_ctrl(struct strbuf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n = shown_len(s + i, len - i);

		if (c == '\\') {
			/* doubled only where it would start an escape */
			unsigned next = i + 1 < len ? s[i + 1] : 0;

			if (i + 1 < len &&
			    (strchr("\\ntrx01234567", (int)next) ||
			     !shown_len(s + i + 1, len - i - 1)))
				strbuf_addch(out, '\\');
			strbuf_addch(out, '\\');
			i++;
		} else if (n) {
			strbuf_add(out, s + i, n);
			i += n;
		} else if (c == '\n') {
			strbuf_addstr(out, "\\n");
			i++;
		} else if (c == '\t') {
			strbuf_addstr(out, "\\t");
			i++;
		} else if (c == '\r') {
			strbuf_addstr(out, "\\r");
			i++;
		} else if (c < 0x80) {
			strbuf_addf(out, "\\%03o", c);
			i++;
		} else {
			strbuf_addf(out, "\\x%02x", c);
			i++;
		}
	}
}

void quote_ctrl_str(struct strbuf *out, const char *s)
{
	if (!s)
		s = "(null)";
	quote_ctrl(out, s, strlen(s));
}

static int digit_val(int c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void unquote_ctrl(struct strbuf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int c = i + 1 < len && s[i] == '\\' ? s[i + 1] : -1;
		int a = i + 2 < len ? digit_val(s[i + 2]) : -1;
		int b = i + 3 < len ? digit_val(s[i + 3]) : -1;

		if (c == '\\' || c == 'n' || c == 't' || c == 'r') {
			strbuf_addch(out, c == 'n' ? '\n' : c == 't' ? '\t' :
					  c == 'r' ? '\r' : '\\');
			i += 2;
		} else if (c == 'x' && a >= 0 && b >= 0) {
			strbuf_addch(out, a << 4 | b);
			i += 4;
		} else if (c >= '0' && c <= '3' && a >= 0 && a < 8 && b >= 0 &&
			   b < 8) {
			strbuf_addch(out, (c - '0') << 6 | a << 3 | b);
			i += 4;
		} else {
			/* a backslash quote_ctrl() left single */
			strbuf_addch(out, s[i++]);
		}
	}
}

void quote_ctrl_lines(struct strbuf *out, const char *s, size_t len)
{
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) : len;

		quote_ctrl(out, s, n);
		if (nl) {
			strbuf_addch(out, '\n');
			n++;
		}
		s += n;
		len -= n;
	}
}

/* Format, then quote: the line is one line whatever went into it. */
static void show_line(enum log_level level, const char *prefix,
		      const char *colour, const char *line)
{
	if (sink_fn) {
		struct strbuf sb = STRBUF_INIT;

		if (prefix)
			strbuf_addf(&sb, "%s ", prefix);
		strbuf_addstr(&sb, line);
		sink_fn(sink_ctx, level, sb.buf);
		strbuf_release(&sb);
		return;
	}
	clear_line();
	if (prefix && colour && use_colour())
		fprintf(stderr, "\033[%sm%s\033[m ", colour, prefix);
	else if (prefix)
		fprintf(stderr, "%s ", prefix);
	fprintf(stderr, "%s\n", line);
}

static void emit(enum log_level level, char tag, const char *prefix,
		 const char *colour, int show, const char *fmt, va_list ap)
{
	struct strbuf raw = STRBUF_INIT, line = STRBUF_INIT;

	if (!log_file && !show)
		return;
	strbuf_vaddf(&raw, fmt, ap);
	quote_ctrl(&line, raw.buf, raw.len);
	if (log_file) {
		fprintf(log_file, "%c: %s\n", tag, line.buf);
		fflush(log_file);
	}
	if (show)
		show_line(level, prefix, colour, line.buf);
	strbuf_release(&raw);
	strbuf_release(&line);
}

int error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LEVEL_ERROR, 'E', "error:", "1;31", 1, fmt, ap);
	va_end(ap);
	return err;
}

/* err, or errno's when err is 0 (-EIO if errno is 0 too) */
static int errno_code(int err)
{
	if (err)
		return err;
	return errno ? -errno : -EIO;
}

/* fmt's text and ": " and the message of err (errno_code's) into out */
static int vformat_errno(struct strbuf *out, int err, const char *fmt,
			 va_list ap)
{
	err = errno_code(err);  /* before anything can change errno */
	strbuf_vaddf(out, fmt, ap);
	strbuf_addf(out, ": %s", ukb_strerror(err));
	return err;
}

int error_errno(int err, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	err = vformat_errno(&msg, err, fmt, ap);
	va_end(ap);
	error(err, "%s", msg.buf);
	strbuf_release(&msg);
	return err;
}

_Noreturn void bug_fl(const char *file, int line, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	clear_line();
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, msg.buf);
	if (log_file) {
		fprintf(log_file, "E: BUG: %s:%d: %s\n", file, line, msg.buf);
		fflush(log_file);
	}
	strbuf_release(&msg);
	abort();
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LEVEL_WARNING, 'W', "warning:", "1;33",
	     verbosity >= LOG_NORMAL, fmt, ap);
	va_end(ap);
}

void warning_errno(int err, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vformat_errno(&msg, err, fmt, ap);
	va_end(ap);
	warning("%s", msg.buf);
	strbuf_release(&msg);
}

void hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LEVEL_HINT, 'I', "hint:", "33", 1, fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LEVEL_INFO, 'I', NULL, NULL, verbosity >= LOG_NORMAL, fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LEVEL_DEBUG, 'D', NULL, NULL, verbosity >= LOG_VERBOSE, fmt, ap);
	va_end(ap);
}

int log_open(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	log_close();
	log_file = f;
	log_file_path = xstrdup(path);
	return 0;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	free(log_file_path);
	log_file_path = NULL;
}

const char *log_path(void)
{
	return log_file_path;
}

void log_child_line(const char *line, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	if (!log_file && verbosity < LOG_VERBOSE)
		return;
	quote_ctrl(&sb, line, len);
	if (log_file) {
		fputs(sb.buf, log_file);
		fputc('\n', log_file);
	}
	if (verbosity >= LOG_VERBOSE)
		show_line(LOG_LEVEL_CHILD, NULL, NULL, sb.buf);
	strbuf_release(&sb);
}
