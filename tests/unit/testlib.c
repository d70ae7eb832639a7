#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "testlib.h"

static struct strbuf text = STRBUF_INIT;
static size_t counts[LOG_LEVEL_CHILD + 1];

static void sink(void *ctx, enum log_level level, const char *line)
{
	(void)ctx;
	strbuf_addstr(&text, line);
	strbuf_addch(&text, '\n');
	if ((size_t)level < sizeof(counts) / sizeof(counts[0]))
		counts[level]++;
}

void capture_start(void)
{
	strbuf_reset(&text);
	memset(counts, 0, sizeof(counts));
	log_set_sink(sink, NULL);
}

const char *captured(void)
{
	return text.buf;
}

size_t captured_count(enum log_level level)
{
	return (size_t)level < sizeof(counts) / sizeof(counts[0]) ?
		       counts[level] : 0;
}

char *capture_stop(void)
{
	char *out = xstrdup(text.buf);

	log_set_sink(NULL, NULL);
	strbuf_reset(&text);
	return out;
}

static int any_line_matches(const regex_t *rx)
{
	const char *p = text.buf;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *one = xstrndup(p, n);
		int hit = !regexec(rx, one, 0, NULL, 0);

		free(one);
		if (hit)
			return 1;
		p += n + (nl != NULL);
	}
	return 0;
}

void testlib_assert_logged(const char *re, int want, const char *file,
			   int line)
{
	regex_t rx;
	int hit;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) {
		print_error("%s:%d: bad regular expression '%s'\n", file,
			       line, re);
		_fail(file, line);
	}
	hit = any_line_matches(&rx);
	regfree(&rx);
	if (hit == want)
		return;
	print_error("%s /%s/; captured:\n%s", want ? "no line matches" :
				"a line matches", re,
		       text.len ? text.buf : "(nothing)\n");
	_fail(file, line);
}

char *test_tmpdir(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/ukb-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp",
			      name);

	if (!mkdtemp(dir)) {
		print_error("cannot create '%s'\n", dir);
		_fail(__FILE__, __LINE__);
	}
	return dir;
}
