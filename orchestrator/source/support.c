#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/scope.h"
#include "source/support.h"
#include "base/banned.h"

/* Replace "{version}" in reason with v. */
static void expand_reason(struct strbuf *out, const char *reason, size_t len,
			  const struct kver *v)
{
	const char *end = reason + len, *p;
	char ver[48];

	kver_format(v, ver, sizeof(ver));
	while ((p = memmem(reason, (size_t)(end - reason), "{version}", 9))) {
		strbuf_add(out, reason, (size_t)(p - reason));
		strbuf_addstr(out, ver);
		reason = p + 9;
	}
	strbuf_add(out, reason, (size_t)(end - reason));
}

int support_parse(const char *name, const char *buf, size_t len,
		  const struct kver *v, unsigned target, struct strbuf *why)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;

	for (; p < end; lineno++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		struct scope scope = SCOPE_ALL;
		const char *q = p;

		if (!eol)
			eol = end;
		if (*p == '#' || p == eol) {
			p = eol + 1;
			continue;
		}
		/* qualifiers are the leading words with an '=' */
		for (;;) {
			const char *w = q;

			while (q < eol && *q != ' ')
				q++;
			if (!memchr(w, '=', (size_t)(q - w))) {
				q = w;
				break;
			}
			switch (scope_qualifier(&scope, w, (size_t)(q - w))) {
			case SCOPE_WORD_OK:
				break;
			case SCOPE_WORD_BAD_RANGE:
				return error(-UKB_EUSAGE, "%s:%u: bad version range '%.*s'",
					     name, lineno + 1, (int)(q - w), w);
			default:
				return error(-UKB_EUSAGE,
					     "%s:%u: unknown qualifier '%.*s' (use versions=A..B, arch=NAME or link=static|dynamic)",
					     name, lineno + 1, (int)(q - w), w);
			}
			while (q < eol && *q == ' ')
				q++;
		}
		if (q == eol)
			return error(-UKB_EUSAGE, "%s:%u: the line gives no reason",
				     name, lineno + 1);
		if (scope_matches(&scope, v, target)) {
			expand_reason(why, q, (size_t)(eol - q), v);
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

int support_check(const struct kver *v, unsigned target)
{
	char *path = ukb_data_path("kconfig-fragments/unsupported.list");
	struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
	int ret = strbuf_read_file(&sb, path);

	if (ret) {
		error_errno(ret, "cannot read '%s'", path);
		ret = -UKB_EHOST;
		goto out;
	}
	ret = support_parse(path, sb.buf, sb.len, v, target, &why);
	if (ret < 0)
		ret = -UKB_EHOST;
	else if (ret > 0)
		ret = error(-UKB_EUNSUPPORTED, "%s", why.buf);
out:
	strbuf_release(&sb);
	strbuf_release(&why);
	free(path);
	return ret;
}
