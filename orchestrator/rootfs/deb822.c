#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "rootfs/deb822.h"
#include "base/banned.h"

#define ARMOUR_HEAD "-----BEGIN PGP SIGNED MESSAGE-----"
#define ARMOUR_SIG "-----BEGIN PGP SIGNATURE-----"

struct d822 {
	struct strbuf field, value;
	unsigned stanza;
	int open;      /* a field is being read */
	int in_stanza; /* a field was seen since the last blank line */
};

static int flush(struct d822 *d, deb822_fn fn, void *ctx)
{
	int ret = 0;

	if (d->open) {
		strbuf_rtrim(&d->value);
		ret = fn(ctx, d->stanza, d->field.buf, d->value.buf);
	}
	d->open = 0;
	return ret;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* One line (without its '\n') of the stanzas. */
static int one_line(struct d822 *d, const char *name, size_t no,
		    const char *s, size_t n, deb822_fn fn, void *ctx)
{
	const char *colon;
	int ret;

	if (n && s[n - 1] == '\r')
		n--;
	if (is_blank(s, n)) {
		ret = flush(d, fn, ctx);
		if (d->in_stanza)
			d->stanza++;
		d->in_stanza = 0;
		return ret;
	}
	if (*s == '#')
		return 0;
	if (*s == ' ' || *s == '\t') {
		if (!d->open)
			return error(-UKB_ESOURCE, "%s:%zu: a continuation "
				     "line without a field", name, no);
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		strbuf_addch(&d->value, '\n');
		/* a lone "." stands for an empty line */
		if (!(n == 1 && *s == '.'))
			strbuf_add(&d->value, s, n);
		return 0;
	}
	colon = memchr(s, ':', n);
	if (!colon || colon == s || memchr(s, ' ', (size_t)(colon - s)))
		return error(-UKB_ESOURCE, "%s:%zu: expected 'Field: value'",
			     name, no);
	ret = flush(d, fn, ctx);
	if (ret)
		return ret;
	strbuf_reset(&d->field);
	strbuf_add(&d->field, s, (size_t)(colon - s));
	strbuf_reset(&d->value);
	n -= (size_t)(colon + 1 - s);
	s = colon + 1;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	strbuf_add(&d->value, s, n);
	d->open = d->in_stanza = 1;
	return 0;
}

int deb822_parse(const char *name, const char *buf, size_t len, deb822_fn fn,
		 void *ctx)
{
	struct d822 d = { .field = STRBUF_INIT, .value = STRBUF_INIT };
	const char *p = buf, *end = buf + len;
	size_t no = 0;
	int ret = 0, armour = 0;

	if (memchr(buf, '\0', len))
		return error(-UKB_ESOURCE, "%s: a NUL byte in the text", name);
	while (!ret && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		no++;
		if (no == 1 && n >= strlen(ARMOUR_HEAD) &&
		    !strncmp(p, ARMOUR_HEAD, strlen(ARMOUR_HEAD))) {
			armour = 1;  /* "Hash:" lines up to a blank line */
		} else if (armour == 1) {
			if (is_blank(p, n))
				armour = 2;
		} else if (armour == 2 && n >= strlen(ARMOUR_SIG) &&
			   !strncmp(p, ARMOUR_SIG, strlen(ARMOUR_SIG))) {
			break;
		} else {
			/* the armour's dash-escaping: "- -----" is "-----" */
			if (armour && n >= 2 && !strncmp(p, "- ", 2))
				p += 2, n -= 2;
			ret = one_line(&d, name, no, p, n, fn, ctx);
		}
		p += n + (nl ? 1 : 0);
	}
	if (!ret && armour == 1)
		ret = error(-UKB_ESOURCE, "%s: a signed message without text",
			    name);
	if (!ret)
		ret = flush(&d, fn, ctx);
	strbuf_release(&d.field);
	strbuf_release(&d.value);
	return ret;
}
