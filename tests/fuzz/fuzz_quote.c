/*
 * quote_ctrl, the log sink's escaping: whatever the bytes, the result
 * holds no control byte, no C1 or bidi control and nothing that is not
 * UTF-8, and it decodes back to the input (so no two inputs look alike),
 * by this file's decoder and by unquote_ctrl().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "fuzz.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	abort(); /* the quoting writes lowercase hex only */
}

static int is_oct(int c)
{
	return c >= '0' && c <= '7';
}

static void unquote(struct strbuf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (s[i] != '\\' || i + 1 == len) {
			strbuf_addch(out, s[i++]);
			continue;
		}
		switch (s[i + 1]) {
		case '\\': strbuf_addch(out, '\\'); i += 2; break;
		case 'n': strbuf_addch(out, '\n'); i += 2; break;
		case 't': strbuf_addch(out, '\t'); i += 2; break;
		case 'r': strbuf_addch(out, '\r'); i += 2; break;
		case 'x':
			if (i + 3 >= len)
				abort();
			strbuf_addch(out, hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 4;
			break;
		default:
			if (is_oct(s[i + 1])) {
				if (i + 3 >= len || !is_oct(s[i + 2]) ||
				    !is_oct(s[i + 3]))
					abort();
				strbuf_addch(out, (s[i + 1] - '0') << 6 |
					     (s[i + 2] - '0') << 3 |
					     (s[i + 3] - '0'));
				i += 4;
			} else {
				strbuf_addch(out, s[i++]);
			}
		}
	}
}

/* Only printable ASCII and well-formed UTF-8 that is no control. */
static void check_shown(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned c = s[i], cp;
		size_t n;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				abort();
			continue;
		}
		n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!n || i + n > len || c > 0xf4)
			abort();
		cp = c & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000) || cp == 0x61c ||
		    cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			abort();
		i += n - 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf q = STRBUF_INIT, back = STRBUF_INIT;

	quote_ctrl(&q, (const char *)data, size);
	if (strlen(q.buf) != q.len)
		abort();
	check_shown((const unsigned char *)q.buf, q.len);
	unquote(&back, q.buf, q.len);
	if (back.len != size || (size && memcmp(back.buf, data, size)))
		abort();
	/* the module's own decoder agrees */
	strbuf_reset(&back);
	unquote_ctrl(&back, q.buf, q.len);
	if (back.len != size || (size && memcmp(back.buf, data, size)))
		abort();
	/* and never reads past what it is given */
	strbuf_reset(&back);
	unquote_ctrl(&back, (const char *)data, size);
	strbuf_release(&q);
	strbuf_release(&back);
	return 0;
}
