/*
 * Diagnostics. Messages go to stderr (git's style: "error: ...", lowercase,
 * no full stop) and, once log_open() was called, to the log file with
 * TuxMake-like "E:"/"W:"/"I:" prefixes. Results never go through here.
 *
 * This is the one sink for diagnostics, so it is where untrusted text
 * (archive entry names, arguments, URLs, child output) is made harmless:
 * every line is passed through quote_ctrl() after it is formatted, so no
 * message can add a line or send a terminal escape sequence.
 */
#ifndef UKB_LOG_H
#define UKB_LOG_H

#include <stddef.h>
#include <stdio.h>

#include "base/strbuf.h"

enum { LOG_QUIET = -1, LOG_NORMAL = 0, LOG_VERBOSE = 1 };

void log_set_verbosity(int level);
int log_verbosity(void);
/*
 * fn clears a progress line from the terminal; it runs before each line
 * the log prints on stderr (progress.c sets it, so log needs no progress).
 */
void log_set_clear_hook(void (*fn)(void));
/* What kind of line a sink receives. */
enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_HINT,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_CHILD,	/* a line of child output (log_child_line) */
};
/*
 * Each line that would be printed on stderr goes to fn instead, with its
 * level: the line as stderr shows it ("error: ..." prefix included, quoted,
 * no colour, no newline). For tests (tests/unit/testlib); NULL restores
 * stderr. The log file is written as before.
 */
typedef void log_sink_fn(void *ctx, enum log_level level, const char *line);
void log_set_sink(log_sink_fn *fn, void *ctx);
/* Whether stderr is a terminal a human watches (progress, colour). */
int log_interactive(void);

/* Print "error: ..." and return err, so callers can `return error(...)`. */
int error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * error() for a failed call: appends ": " and the message of err (a
 * negative errno or -UKB_E*), or of errno when err is 0; returns err, or
 * -errno when err is 0 (git's error_errno).
 */
int error_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Internal misuse, never bad input: prints "BUG: file:line: ..." and
 * aborts (git's BUG()).
 */
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_fl(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warning() with ": " and the message of err (or of errno when err is 0). */
void warning_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A hint line under an error, as git prints them. */
void hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Phase messages: shown unless -q. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Details: shown with -v only, always logged. */
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Tee diagnostics into path (created or truncated). Returns 0 or -errno. */
int log_open(const char *path);
void log_close(void);
const char *log_path(void);
/* A line of child output: into the log; onto stderr with -v (quoted). */
void log_child_line(const char *line, size_t len);

/*
 * Append s[0..len) to out with C-style escapes for what must not reach a
 * terminal or a log raw: bytes below 0x20 and 0x7f (\n, \t, \r, else
 * octal such as \033); as \xNN each byte of a C1 control (U+0080..U+009F),
 * of a bidi or line-separator control (U+061C, U+200E, U+200F,
 * U+2028..U+202E, U+2066..U+2069) or of anything that is not UTF-8; and
 * as \\ a backslash that would otherwise read as the start of an escape.
 * Other text, UTF-8 included, is kept, so the result decodes back
 * unambiguously. Pure.
 */
void quote_ctrl(struct strbuf *out, const char *s, size_t len);
/* The same for a NUL-terminated string (NULL appends "(null)"). */
void quote_ctrl_str(struct strbuf *out, const char *s);
/* quote_ctrl()'s inverse: the bytes back, for text read from a log. */
void unquote_ctrl(struct strbuf *out, const char *s, size_t len);
/* Each line of s[0..len) quoted, its newline kept: for results on stdout
 * that show text from input (a kernel tree's Kconfig files). */
void quote_ctrl_lines(struct strbuf *out, const char *s, size_t len);

#endif
