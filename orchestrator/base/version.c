#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/version.h"
#include "base/wrapper.h"
#include "base/banned.h"

static int parse_num(const char **p, const char *end, unsigned *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (s >= end || !isdigit((unsigned char)*s))
		return -1;
	/* no leading zeros: "4.09" is not a kernel version */
	if (*s == '0' && s + 1 < end && isdigit((unsigned char)s[1]))
		return -1;
	while (s < end && isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 100000)
			return -1;
		s++;
	}
	*out = (unsigned)v;
	*p = s;
	return 0;
}

int kver_parse(const char *s, size_t len, struct kver *v, const char **why)
{
	const char *p = s, *end = s + len;
	const char *reason = NULL;

	memset(v, 0, sizeof(*v));
	if (!len)
		reason = "empty version";
	else if (*p == 'v' || *p == 'V')
		reason = "drop the leading 'v'";
	else if (parse_num(&p, end, &v->major) || p >= end || *p++ != '.' ||
		 parse_num(&p, end, &v->minor))
		reason = "expected MAJOR.MINOR[.PATCH]";
	else if (p < end && *p == '.') {
		p++;
		if (parse_num(&p, end, &v->patch))
			reason = "expected MAJOR.MINOR[.PATCH]";
	}
	if (!reason && p < end && *p == '-') {
		if (end - p < 4 || strncmp(p, "-rc", 3)) {
			reason = "only -rcN may follow the version";
		} else {
			p += 3;
			if (parse_num(&p, end, &v->rc) || !v->rc)
				reason = "expected -rcN with N >= 1";
			else if (v->patch)
				reason = "release candidates have no patch level";
		}
	}
	if (!reason && p != end)
		reason = "expected MAJOR.MINOR[.PATCH]";
	if (!reason && v->major < 2)
		reason = "expected MAJOR.MINOR[.PATCH]";
	if (reason) {
		if (why)
			*why = reason;
		return -UKB_EUSAGE;
	}
	return 0;
}

int kver_cmp(const struct kver *a, const struct kver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	/* X.Y-rcN comes before X.Y */
	if (a->rc != b->rc) {
		if (!a->rc)
			return 1;
		if (!b->rc)
			return -1;
		return a->rc < b->rc ? -1 : 1;
	}
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

void kver_format(const struct kver *v, char *buf, size_t size)
{
	if (v->rc)
		snprintf(buf, size, "%u.%u-rc%u", v->major, v->minor, v->rc);
	else if (v->patch)
		snprintf(buf, size, "%u.%u.%u", v->major, v->minor, v->patch);
	else
		snprintf(buf, size, "%u.%u", v->major, v->minor);
}

int kver_range_parse(const char *s, size_t len, struct kver_range *r)
{
	const char *dots;

	memset(r, 0, sizeof(*r));
	if (len == 1 && *s == '*')
		return 0;
	dots = memmem(s, len, "..", 2);
	if (!dots) {
		/* a bare version: that release and its stable updates */
		if (kver_parse(s, len, &r->from, NULL))
			return -UKB_EUSAGE;
		r->has_from = r->has_to = 1;
		r->to = r->from;
		r->to.patch = 0;
		r->to.rc = 0;
		r->to.minor++;
		r->from.patch = 0;
		return 0;
	}
	if (dots > s) {
		if (kver_parse(s, (size_t)(dots - s), &r->from, NULL))
			return -UKB_EUSAGE;
		r->has_from = 1;
	}
	if (dots + 2 < s + len) {
		if (kver_parse(dots + 2, (size_t)(s + len - dots - 2), &r->to,
			       NULL))
			return -UKB_EUSAGE;
		r->has_to = 1;
	}
	/* an empty range (4.1..4.0, 4.0-rc1..4.0) is a typo, not a rule */
	if (r->has_from && r->has_to && !kver_in_range(&r->from, r))
		return -UKB_EUSAGE;
	return 0;
}

int kver_in_range(const struct kver *v, const struct kver_range *r)
{
	/*
	 * X.Y-rcN belongs to the X.Y line, which it already has the changes
	 * of, unless the bound is an -rc itself: then compare exactly.
	 */
	struct kver line = *v;

	line.rc = 0;
	if (r->has_from &&
	    kver_cmp(r->from.rc ? v : &line, &r->from) < 0)
		return 0;
	if (r->has_to && kver_cmp(r->to.rc ? v : &line, &r->to) >= 0)
		return 0;
	return 1;
}

void kver_range_format(const struct kver_range *r, char *buf, size_t size)
{
	char a[32] = "", b[32] = "";

	if (!r->has_from && !r->has_to) {
		snprintf(buf, size, "*");
		return;
	}
	if (r->has_from)
		kver_format(&r->from, a, sizeof(a));
	if (r->has_to)
		kver_format(&r->to, b, sizeof(b));
	snprintf(buf, size, "%s..%s", a, b);
}

/* Value of "NAME = value" at the start of a line, or NULL. */
static const char *makefile_var(const char *buf, size_t len, const char *name,
				size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nlen && !memcmp(p, name, nlen)) {
			q = p + nlen;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == '=') {
				q++;
				while (q < eol && (*q == ' ' || *q == '\t'))
					q++;
				*vlen = (size_t)(eol - q);
				while (*vlen && isspace((unsigned char)q[*vlen - 1]))
					(*vlen)--;
				return q;
			}
		}
		p = eol + 1;
	}
	return NULL;
}

int kver_from_makefile(const char *buf, size_t len, struct kver *v)
{
	static const char *const names[] = { "VERSION", "PATCHLEVEL",
					     "SUBLEVEL" };
	unsigned *fields[] = { &v->major, &v->minor, &v->patch };
	const char *val;
	size_t vlen;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *p;

		val = makefile_var(buf, len, names[i], &vlen);
		if (!val || !vlen) {
			if (i == 2)
				continue; /* SUBLEVEL may be empty */
			return -UKB_ESOURCE;
		}
		p = val;
		if (parse_num(&p, val + vlen, fields[i]) || p != val + vlen)
			return -UKB_ESOURCE;
	}
	val = makefile_var(buf, len, "EXTRAVERSION", &vlen);
	if (val && vlen > 3 && !strncmp(val, "-rc", 3)) {
		const char *p = val + 3;

		if (parse_num(&p, val + vlen, &v->rc) || p != val + vlen)
			v->rc = 0;
	}
	if (!v->major)
		return -UKB_ESOURCE;
	return 0;
}

char *kver_tarball_name(const struct kver *v, const char *ext)
{
	char ver[48];

	kver_format(v, ver, sizeof(ver));
	return xasprintf("linux-%s.tar.%s", ver, ext);
}

char *kver_tarball_url(const char *mirror, const struct kver *v,
		       const char *ext)
{
	char *name = kver_tarball_name(v, ext), *url;
	size_t n = strlen(mirror);

	url = xasprintf("%.*s/v%u.x/%s", (int)(n && mirror[n - 1] == '/' ?
					      n - 1 : n),
			mirror, v->major, name);
	free(name);
	return url;
}
