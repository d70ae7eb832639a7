#include <stdio.h>

#include "errors.h"
#include "inet.h"
#include "banned.h"

#define BAD(reason) do { *why = (reason); return -UKB_EUSAGE; } while (0)

static int octet(const char **p, uint32_t *v)
{
	const char *s = *p;
	unsigned n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 4) {
		n = n * 10 + (unsigned)(*s++ - '0');
		digits++;
	}
	if (!digits || digits > 3 || n > 255 || (digits > 1 && **p == '0'))
		return -1;
	*v = n;
	*p = s;
	return 0;
}

static int parse_ip(const char **p, uint32_t *addr, const char **why)
{
	uint32_t a = 0, o;

	for (int i = 0; i < 4; i++) {
		if (i && *(*p)++ != '.')
			BAD("expected four numbers A.B.C.D");
		if (octet(p, &o))
			BAD("expected four numbers 0 to 255, A.B.C.D");
		a = a << 8 | o;
	}
	*addr = a;
	return 0;
}

int inet_parse_ip(const char *s, uint32_t *addr, const char **why)
{
	int ret = parse_ip(&s, addr, why);

	if (!ret && *s)
		BAD("trailing characters after the address");
	return ret;
}

uint32_t inet_mask(unsigned prefix)
{
	if (!prefix)
		return 0;
	return prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
}

int inet_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix,
		    const char **why)
{
	uint32_t a, mask, o;
	int ret = parse_ip(&s, &a, why);

	if (ret)
		return ret;
	if (*s++ != '/')
		BAD("expected A.B.C.D/N");
	if (octet(&s, &o) || *s || o < 1 || o > 32)
		BAD("expected a prefix length 1 to 32 after '/'");
	mask = inet_mask(o);
	if (o < 31 && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
		BAD("the network's or broadcast address, not a host's");
	*addr = a;
	*prefix = o;
	return 0;
}

const char *inet_ntoa_r(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
	return buf;
}
