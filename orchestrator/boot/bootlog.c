#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/wrapper.h"
#include "boot/bootlog.h"
#include "base/banned.h"

#define PREFIX "ukb-init: "

static char *dup_trim(const char *s, const char *end)
{
	while (s < end && *s == ' ')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

int bootlog_parse_line(const char *line, size_t len, struct boot_result *r)
{
	const char *p, *end = line + len, *sp, *colon;
	size_t plen = strlen(PREFIX);
	struct boot_check *c;

	if (!r->panic && memmem(line, len, "Kernel panic", 12))
		r->panic = xstrndup(line, len);
	if (!r->stub_crash && memmem(line, len, "wait_stub_done", 14))
		r->stub_crash = xstrndup(line, len);
	if (!r->tls_failure &&
	    memmem(line, len, "PTRACE_SET_THREAD_AREA failed", 29))
		r->tls_failure = xstrndup(line, len);
	p = memmem(line, len, PREFIX, plen);
	if (!p)
		return 0;
	p += plen;
	if ((size_t)(end - p) >= 7 && !strncmp(p, "result ", 7)) {
		r->saw_result = 1;
		r->passed = (size_t)(end - p) >= 11 && !strncmp(p + 7, "pass", 4);
		return 1;
	}
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		return 0;
	colon = memchr(sp, ':', (size_t)(end - sp));
	if (!colon)
		return 0;
	ALLOC_GROW(r->checks, r->nr + 1, r->alloc);
	c = &r->checks[r->nr++];
	c->status = dup_trim(p, sp);
	c->name = dup_trim(sp + 1, colon);
	c->detail = dup_trim(colon + 1, end);
	c->host = 0;
	if (!strcmp(c->status, "fail"))
		r->nr_failed++;
	if (!strcmp(c->name, "kernel") && !r->kernel)
		r->kernel = xstrdup(c->detail);
	return 1;
}

void bootlog_add_check(struct boot_result *r, const char *status,
		      const char *name, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct boot_check *c;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(r->checks, r->nr + 1, r->alloc);
	c = &r->checks[r->nr++];
	c->status = xstrdup(status);
	c->name = xstrdup(name);
	c->detail = strbuf_detach(&sb, NULL);
	c->host = 1;
	if (!strcmp(status, "fail"))
		r->nr_failed++;
}

void boot_result_release(struct boot_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->checks[i].status);
		free(r->checks[i].name);
		free(r->checks[i].detail);
	}
	free(r->checks);
	free(r->skip_reason);
	free(r->panic);
	free(r->stub_crash);
	free(r->tls_failure);
	free(r->kernel);
	memset(r, 0, sizeof(*r));
}
