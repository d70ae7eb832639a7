#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "host/netspec.h"
#include "inet.h"
#include "strbuf.h"
#include "wrapper.h"
#include "banned.h"

#define BAD(reason) do { *why = (reason); return -UKB_EUSAGE; } while (0)

void netspec_init(struct netspec *n, const char *name)
{
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(name ? name : "bbr");
	n->tap = xstrdup("tap0");
	n->host_ip = 0x0a000001;        /* 10.0.0.1 */
	n->prefix = 24;
	n->guest_ip = 0x0a000002;       /* 10.0.0.2 */
	n->reserve = xcalloc(1, sizeof(*n->reserve));
	n->reserve[0] = (struct port_range){ NETSPEC_TCP, 22, 22 };
	n->nr_reserve = 1;
}

void netspec_release(struct netspec *n)
{
	free(n->name);
	free(n->tap);
	free(n->wan_if);
	free(n->fwd);
	free(n->reserve);
	memset(n, 0, sizeof(*n));
}

bool netspec_is_all(const struct port_range *r)
{
	return r->proto == NETSPEC_ALL;
}

/* 1..65535 in decimal, no sign, no leading zero; *s moves past it */
static int port(const char **s, uint16_t *v)
{
	const char *p = *s;
	unsigned n = 0;

	if (*p < '1' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (n > 65535)
			return -1;
	}
	*v = (uint16_t)n;
	*s = p;
	return 0;
}

int netspec_parse_ports(const char *s, struct port_range *r, const char **why)
{
	static const char usage[] =
		"expected tcp:PORT, udp:PORT, tcp:FIRST-LAST, udp:FIRST-LAST "
		"or all";
	struct port_range x = { 0, 0, 0 };

	if (!strcmp(s, "all")) {
		*r = (struct port_range){ NETSPEC_ALL, 1, 65535 };
		return 0;
	}
	if (!strncmp(s, "tcp:", 4))
		x.proto = NETSPEC_TCP;
	else if (!strncmp(s, "udp:", 4))
		x.proto = NETSPEC_UDP;
	else
		BAD(usage);
	s += 4;
	if (port(&s, &x.lo))
		BAD("a port is a number 1 to 65535");
	x.hi = x.lo;
	if (*s == '-') {
		s++;
		if (port(&s, &x.hi))
			BAD("a port is a number 1 to 65535");
		if (x.hi < x.lo)
			BAD("the range's first port is above its last");
	}
	if (*s)
		BAD(usage);
	*r = x;
	return 0;
}

void netspec_format_ports(const struct port_range *r, struct strbuf *out)
{
	if (netspec_is_all(r)) {
		strbuf_addstr(out, "all");
		return;
	}
	strbuf_addstr(out, r->proto == NETSPEC_UDP ? "udp:" : "tcp:");
	if (r->lo == r->hi)
		strbuf_addf(out, "%u", r->lo);
	else
		strbuf_addf(out, "%u-%u", r->lo, r->hi);
}

int netspec_check_name(const char *s, const char **why)
{
	if (!*s)
		BAD("an empty name");
	if (strlen(s) > NETSPEC_NAME_MAX)
		BAD("longer than 20 characters");
	if (*s < 'a' || *s > 'z')
		BAD("a name starts with a lowercase letter");
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", *s))
			BAD("a name has only a-z, 0-9, '_' and '-'");
	return 0;
}

int netspec_check_ifname(const char *s, const char **why)
{
	if (!*s)
		BAD("an empty interface name");
	if (strlen(s) > 15)
		BAD("longer than 15 characters (IFNAMSIZ)");
	if (!strcmp(s, ".") || !strcmp(s, "..") || !strcmp(s, "all") ||
	    !strcmp(s, "default"))
		BAD("a name the kernel keeps for itself");
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *s))
			BAD("an interface name has only A-Z, a-z, 0-9, '_', "
			    "'.' and '-'");
	return 0;
}

static bool range_ok(const struct port_range *r)
{
	return (r->proto == NETSPEC_TCP || r->proto == NETSPEC_UDP ||
		r->proto == NETSPEC_ALL) && r->lo >= 1 && r->lo <= r->hi;
}

static bool overlaps(const struct port_range *a, const struct port_range *b)
{
	return (a->proto & b->proto) && a->lo <= b->hi && b->lo <= a->hi;
}

static int check_addrs(const struct netspec *n, struct strbuf *why)
{
	uint32_t mask = inet_mask(n->prefix), host = n->host_ip & ~mask;
	uint32_t guest = n->guest_ip & ~mask;
	char h[16], g[16];

	inet_ntoa_r(n->host_ip, h, sizeof(h));
	inet_ntoa_r(n->guest_ip, g, sizeof(g));
	if (n->prefix < 1 || n->prefix > 32)
		strbuf_addf(why, "the TAP's prefix /%u is not 1 to 32",
			    n->prefix);
	else if (n->prefix < 31 && (host == 0 || host == ~mask))
		strbuf_addf(why, "the host address %s is the network's or "
			    "broadcast address of %s/%u", h, h, n->prefix);
	else if ((n->guest_ip & mask) != (n->host_ip & mask))
		strbuf_addf(why, "the guest address %s is outside the TAP's "
			    "subnet %s/%u", g, h, n->prefix);
	else if (n->guest_ip == n->host_ip)
		strbuf_addf(why, "the guest address %s is the host's", g);
	else if (n->prefix < 31 && (guest == 0 || guest == ~mask))
		strbuf_addf(why, "the guest address %s is the network's or "
			    "broadcast address of %s/%u", g, h, n->prefix);
	return why->len ? -UKB_EUSAGE : 0;
}

static int check_ports(const struct netspec *n, struct strbuf *why)
{
	for (size_t i = 0; i < n->nr_fwd + n->nr_reserve; i++) {
		bool fwd = i < n->nr_fwd;
		const struct port_range *r =
			fwd ? &n->fwd[i] : &n->reserve[i - n->nr_fwd];

		if (!range_ok(r) || (!fwd && netspec_is_all(r))) {
			strbuf_addf(why, "a bad %s port range ",
				    fwd ? "forwarded" : "reserved");
			netspec_format_ports(r, why);
			return -UKB_EUSAGE;
		}
	}
	for (size_t i = 0; i < n->nr_fwd; i++) {
		/* "all" means every port not reserved */
		if (netspec_is_all(&n->fwd[i]))
			continue;
		for (size_t j = 0; j < n->nr_reserve; j++) {
			if (!overlaps(&n->fwd[i], &n->reserve[j]))
				continue;
			strbuf_addstr(why, "the forward ");
			netspec_format_ports(&n->fwd[i], why);
			strbuf_addstr(why, " covers the reserved ");
			netspec_format_ports(&n->reserve[j], why);
			return -UKB_EUSAGE;
		}
	}
	return 0;
}

static int check_names(const struct netspec *n, struct strbuf *sb)
{
	const char *why = NULL;

	if (!n->name || netspec_check_name(n->name, &why))
		strbuf_addf(sb, "bad deployment name '%s': %s",
			    n->name ? n->name : "", why ? why : "none");
	else if (!n->tap || netspec_check_ifname(n->tap, &why))
		strbuf_addf(sb, "bad TAP name '%s': %s", n->tap ? n->tap : "",
			    why ? why : "none");
	else if (n->wan_if && netspec_check_ifname(n->wan_if, &why))
		strbuf_addf(sb, "bad WAN interface name '%s': %s", n->wan_if,
			    why);
	return sb->len ? -UKB_EUSAGE : 0;
}

int netspec_check(const struct netspec *n, char **why)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	*why = NULL;
	ret = check_names(n, &sb);
	if (!ret)
		ret = check_addrs(n, &sb);
	if (!ret)
		ret = check_ports(n, &sb);
	if (ret)
		*why = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	return ret;
}
