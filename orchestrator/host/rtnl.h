/*
 * The few rtnetlink requests the host's side of a deployment needs,
 * through libmnl (the one file that includes it): a link by name, its
 * state and addresses, and the default route's device. Each opens its own
 * socket; each returns 0 or a negative errno and reports nothing, so the
 * caller words the error for its own context.
 */
#ifndef UKB_HOST_RTNL_H
#define UKB_HOST_RTNL_H

#include <stdbool.h>
#include <stdint.h>

struct rtnl_link {
	int index;
	unsigned type;          /* ARPHRD_ETHER for a TAP, ARPHRD_NONE for TUN */
	char kind[16];          /* IFLA_INFO_KIND: "tun", "veth"; "" if none */
	bool up;                /* IFF_UP */
};

/* The link called name into *l; -ENODEV when there is none. */
int rtnl_link_get(const char *name, struct rtnl_link *l);
/* Whether l is a TAP: kind "tun" (or none, on old kernels) and Ethernet. */
bool rtnl_link_is_tap(const struct rtnl_link *l);
int rtnl_link_set_up(int index, bool up);
int rtnl_link_del(int index);

/* Add ip/prefix (host byte order) to the link; *added (may be NULL) says
 * whether it was not there before: the same address twice is 0. */
int rtnl_addr_add(int index, uint32_t ip, unsigned prefix, bool *added);
int rtnl_addr_del(int index, uint32_t ip, unsigned prefix);
/* 1 when the link carries ip/prefix, 0 when not, or -errno. */
int rtnl_addr_has(int index, uint32_t ip, unsigned prefix);

/* The device of the main table's IPv4 default route (the lowest metric)
 * into name (IFNAMSIZ bytes); -ENETUNREACH when there is none. */
int rtnl_default_dev(char *name);

#endif
