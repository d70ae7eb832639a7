/*
 * One deployment's network, as the operator asked for it: the TAP and its
 * subnet, the guest's address, the forwarded and the reserved ports.
 * Parsed and checked without side effects (unit-tested and fuzzed); the
 * host is changed by hostnet.h.
 */
#ifndef UKB_HOST_NETSPEC_H
#define UKB_HOST_NETSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* a deployment's name: [a-z][a-z0-9_-]*, at most this long (chain names) */
#define NETSPEC_NAME_MAX 20

enum { NETSPEC_TCP = 1, NETSPEC_UDP = 2 };
/* "all": the one range with both protocols; it yields to the reserved
 * ports instead of being refused over them */
#define NETSPEC_ALL (NETSPEC_TCP | NETSPEC_UDP)

/* ports lo..hi (lo <= hi, 1..65535) of the protocols in proto's mask */
struct port_range {
	unsigned proto;
	uint16_t lo, hi;
};

struct netspec {
	char *name;
	char *tap;              /* at most IFNAMSIZ - 1 bytes */
	uint32_t host_ip;       /* host byte order */
	unsigned prefix;        /* the TAP's subnet: host_ip/prefix */
	uint32_t guest_ip;
	char *wan_if;           /* NULL: the default route's device */
	struct port_range *fwd;
	size_t nr_fwd;
	struct port_range *reserve;
	size_t nr_reserve;
};

/* The seeds' defaults: tap0, 10.0.0.1/24, guest 10.0.0.2, tcp:22 reserved. */
void netspec_init(struct netspec *n, const char *name);
void netspec_release(struct netspec *n);

/*
 * "tcp:10000-20000", "udp:10221", "tcp:80" or "all" (every TCP and UDP
 * port) into *r. Returns 0 or -UKB_EUSAGE with a static reason in *why.
 */
int netspec_parse_ports(const char *s, struct port_range *r, const char **why);
/* Back into that syntax: "tcp:80", "udp:1-9", "all". */
void netspec_format_ports(const struct port_range *r, struct strbuf *out);
/* Whether r is "all". */
bool netspec_is_all(const struct port_range *r);
/* The same for a deployment's name and a TAP's name. */
int netspec_check_name(const char *s, const char **why);
int netspec_check_ifname(const char *s, const char **why);

/*
 * The whole spec: the guest inside the TAP's subnet and not the host's
 * address, nor its network or broadcast address; no forward over a
 * reserved port. Returns 0 or -UKB_EUSAGE with *why allocated (caller
 * frees) naming the offending value.
 */
int netspec_check(const struct netspec *n, char **why);

#endif
