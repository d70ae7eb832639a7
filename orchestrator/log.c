#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"
#include "wrapper.h"
#include "banned.h"

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

static void emit(char tag, const char *prefix, const char *colour, int show,
		 const char *fmt, va_list ap)
{
	va_list cp;

	if (log_file) {
		va_copy(cp, ap);
		fprintf(log_file, "%c: ", tag);
		vfprintf(log_file, fmt, cp);
		fputc('\n', log_file);
		fflush(log_file);
		va_end(cp);
	}
	if (!show)
		return;
	progress_clear_line();
	if (prefix) {
		if (colour && use_colour())
			fprintf(stderr, "\033[%sm%s\033[m ", colour, prefix);
		else
			fprintf(stderr, "%s ", prefix);
	}
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit('E', "error:", "1;31", 1, fmt, ap);
	va_end(ap);
	return err;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit('W', "warning:", "1;33", verbosity >= LOG_NORMAL, fmt, ap);
	va_end(ap);
}

void hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit('I', "hint:", "33", 1, fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit('I', NULL, NULL, verbosity >= LOG_NORMAL, fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit('D', NULL, NULL, verbosity >= LOG_VERBOSE, fmt, ap);
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
	if (log_file) {
		fwrite(line, 1, len, log_file);
		fputc('\n', log_file);
	}
	if (verbosity >= LOG_VERBOSE) {
		progress_clear_line();
		fwrite(line, 1, len, stderr);
		fputc('\n', stderr);
	}
}
