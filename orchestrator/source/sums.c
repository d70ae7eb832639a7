/* sha256sums lists: see sums.h. */
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "source/sums.h"
#include "base/banned.h"

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* Report a malformed line of name: printed, or kept in why when given. */
static int sums_bad(const char *name, size_t line, struct strbuf *why,
		    const char *problem, const char *file)
{
	if (why)
		strbuf_addf(why, "%s:%zu: %s%s%s", name, line, problem,
			    file ? file : "", file ? "'" : "");
	else
		error(-UKB_ESOURCE, "%s:%zu: %s%s%s", name, line, problem,
		      file ? file : "", file ? "'" : "");
	return -UKB_ESOURCE;
}

int sha256sums_lookup(const char *name, const char *buf, size_t len,
		      const char *file, char out[65], struct strbuf *why)
{
	size_t flen = strlen(file), pos = 0, line = 0;
	int found = 0;

	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		char hex[65];

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (!n || s[0] == '#')
			continue;
		if (n < 67 || !is_hex64(s) || s[64] != ' ' ||
		    (s[65] != ' ' && s[65] != '*'))
			return sums_bad(name, line, why,
					"expected '<sha256>  <file>'", NULL);
		if (memchr(s, '\0', n))
			return sums_bad(name, line, why,
					"NUL byte in line", NULL);
		if (n - 66 != flen || memcmp(s + 66, file, flen))
			continue;
		for (int i = 0; i < 64; i++)
			hex[i] = (char)(s[i] | 0x20);  /* lowercase hex */
		hex[64] = '\0';
		if (found && strcmp(hex, out))
			return sums_bad(name, line, why,
					"a second, different checksum for '",
					file);
		memcpy(out, hex, sizeof(hex));
		found = 1;
	}
	return found ? 0 : -UKB_ENOTFOUND;
}
