/*
 * Diagnostics. Messages go to stderr (git's style: "error: ...", lowercase,
 * no full stop) and, once log_open() was called, to the log file with
 * TuxMake-like "E:"/"W:"/"I:" prefixes. Results never go through here.
 */
#ifndef UKB_LOG_H
#define UKB_LOG_H

#include <stddef.h>
#include <stdio.h>

enum { LOG_QUIET = -1, LOG_NORMAL = 0, LOG_VERBOSE = 1 };

void log_set_verbosity(int level);
int log_verbosity(void);
/* Whether stderr is a terminal a human watches (progress, colour). */
int log_interactive(void);

/* Print "error: ..." and return err, so callers can `return error(...)`. */
int error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
/* A line of child output: into the log; onto stderr with -v. */
void log_child_line(const char *line, size_t len);

#endif
