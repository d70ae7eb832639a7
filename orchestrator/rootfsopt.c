#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "inet.h"
#include "rootfsopt.h"
#include "wrapper.h"
#include "banned.h"

#define BAD(reason) do { *why = (reason); return -UKB_EUSAGE; } while (0)

int rootfs_parse_size(const char *s, uint64_t *bytes, const char **why)
{
	uint64_t n = 0, mult = 1;

	if (!*s)
		BAD("empty size");
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - 9) / 10)
			BAD("too large");
		n = n * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case '\0': break;
	case 'K': case 'k': mult = 1ull << 10; s++; break;
	case 'M': case 'm': mult = 1ull << 20; s++; break;
	case 'G': case 'g': mult = 1ull << 30; s++; break;
	case 'T': case 't': mult = 1ull << 40; s++; break;
	default: BAD("expected a number with K, M, G or T");
	}
	if (*s && strcmp(s, "iB") && strcmp(s, "B"))
		BAD("expected a number with K, M, G or T");
	if (n > UINT64_MAX / mult || n * mult > (1ull << 44))
		BAD("too large (16 TiB at most)");
	if (n * mult < (1u << 20))
		BAD("smaller than 1M");
	*bytes = n * mult;
	return 0;
}

int rootfs_parse_ip(const char *s, uint32_t *addr, const char **why)
{
	return inet_parse_ip(s, addr, why);
}

int rootfs_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix,
		      const char **why)
{
	return inet_parse_cidr(s, addr, prefix, why);
}

int rootfs_parse_copy(const char *s, char **host, char **guest,
		      const char **why)
{
	const char *colon = strrchr(s, ':');
	char *copy;
	const char *g, *c;

	*host = *guest = NULL;
	if (!colon || colon == s)
		BAD("expected HOSTPATH:GUESTPATH");
	g = colon + 1;
	if (*g != '/')
		BAD("the guest path must be absolute");
	for (c = g; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			BAD("a control character in the guest path");
	for (c = g; *c; ) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if ((n == 2 && !strncmp(c, "..", 2)) ||
		    (n == 1 && *c == '.'))
			BAD("'..' or '.' in the guest path: it must stay inside "
			    "the image");
		c += n;
	}
	if (!strcmp(g + strspn(g, "/"), ""))
		BAD("the guest path names the root directory");
	copy = xstrdup(s);
	copy[colon - s] = '\0';
	*host = copy;
	*guest = copy + (colon - s) + 1;
	return 0;
}

int rootfs_parse_sysctl(const char *s, char **key, char **value,
			const char **why)
{
	const char *eq = strchr(s, '='), *c;
	int part = 0;

	*key = *value = NULL;
	if (!eq || eq == s)
		BAD("expected KEY=VALUE");
	for (c = s; c < eq; c++) {
		if (*c == '.' || *c == '/') {
			if (!part)
				BAD("an empty part in the key");
			part = 0;
			continue;
		}
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			BAD("the key has a character other than letters, "
			    "digits, '_', '-' and '.'");
		part++;
	}
	if (!part)
		BAD("an empty part in the key");
	for (c = eq + 1; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			BAD("a control character in the value");
	if (!eq[1 + strspn(eq + 1, " \t")])
		BAD("an empty value");
	*key = xstrndup(s, (size_t)(eq - s));
	*value = xstrdup(eq + 1);
	return 0;
}

int rootfs_check_hostname(const char *s, const char **why)
{
	size_t label = 0, total = 0;

	for (; *s; s++, total++) {
		if (*s == '.') {
			if (!label)
				BAD("an empty label");
			label = 0;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			BAD("only letters, digits, '-' and '.'");
		if (++label > 63)
			BAD("a label longer than 63");
	}
	if (!label)
		BAD("empty, or ends with '.'");
	if (total > 253)
		BAD("longer than 253");
	return 0;
}
