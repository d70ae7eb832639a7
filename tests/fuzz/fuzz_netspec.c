/*
 * A deployment's network values (host/netspec.h) on the same bytes: port
 * specs, names, interface names, and a whole spec built from them. What
 * parses must hold what was promised: a range 1..65535 that prints back
 * as text that parses to it again, names that fit a chain or IFNAMSIZ,
 * and a spec that passes netspec_check renders rules without reaching
 * past its arrays.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/inet.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "fuzz.h"
#include "host/firewall.h"
#include "host/netspec.h"

static void check_ports(const char *s, struct netspec *n)
{
	struct port_range r, back;
	struct strbuf sb = STRBUF_INIT;
	const char *why = NULL;

	if (netspec_parse_ports(s, &r, &why)) {
		if (!why)
			abort();
		return;
	}
	if (r.lo < 1 || r.lo > r.hi || !r.proto || r.proto > NETSPEC_ALL)
		abort();
	/* printed back, it parses to the same range ("tcp:10-10" is tcp:10) */
	netspec_format_ports(&r, &sb);
	if (netspec_parse_ports(sb.buf, &back, &why) || back.proto != r.proto ||
	    back.lo != r.lo || back.hi != r.hi)
		abort();
	strbuf_release(&sb);
	n->fwd = xrealloc(n->fwd, (n->nr_fwd + 1) * sizeof(*n->fwd));
	n->fwd[n->nr_fwd++] = r;
}

static void check_spec(struct netspec *n, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *why = NULL;
	uint32_t a;
	unsigned p;
	char *reason = NULL;

	if (!netspec_check_name(s, &why)) {
		if (strlen(s) > NETSPEC_NAME_MAX || !*s)
			abort();
		free(n->name);
		n->name = xstrdup(s);
	}
	if (!netspec_check_ifname(s, &why)) {
		if (strlen(s) > 15 || strpbrk(s, "/ :\"\n"))
			abort();
		free(n->tap);
		n->tap = xstrdup(s);
	}
	if (!inet_parse_cidr(s, &a, &p, &why)) {
		n->host_ip = a;
		n->prefix = p;
		n->guest_ip = a + 1;
	}
	if (netspec_check(n, &reason)) {
		if (!reason || !*reason)
			abort();
		free(reason);
		return;
	}
	if (reason)
		abort();
	fw_render(n, "eth0", FW_NFT, &sb);
	fw_render(n, "eth0", FW_IPTABLES, &sb);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct netspec n;

	memcpy(s, data, size);
	s[size] = '\0';
	netspec_init(&n, "fuzz");
	/* each line a value: ports, then the rest tried as names */
	for (char *line = s, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		check_ports(line, &n);
		check_spec(&n, line);
	}
	netspec_release(&n);
	free(s);
	return 0;
}
