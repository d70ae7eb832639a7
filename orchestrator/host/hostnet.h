/*
 * The host's side of a deployment as one step: a persistent TAP with the
 * host's address, up; ip_forward on; the rules. Each call is idempotent,
 * and a failure part-way undoes what that call added.
 */
#ifndef UKB_HOST_HOSTNET_H
#define UKB_HOST_HOSTNET_H

#include <stdbool.h>

#include "host/firewall.h"
#include "host/netspec.h"

struct hostnet_status {
	char wan_if[16];        /* as resolved (the default route's device) */
	bool tap_exists;        /* a TAP of that name */
	bool tap_up;
	bool tap_addr;          /* carries host_ip/prefix */
	bool forwarding;        /* net.ipv4.ip_forward is 1 */
	bool rules;             /* fw_present() */
	enum fw_backend fw;     /* the backend resolved (up) or found (status
				 * with FW_AUTO); FW_AUTO when none has them */
};

/*
 * Make it so. Refuses (-UKB_EUSAGE, reported) a TAP name that something
 * else uses: a link that is not a TAP, or a TAP attached to another
 * process. -UKB_EHOST, reported, for no /dev/net/tun (with the OpenVZ
 * panel's TUN/TAP switch and `umlkbuild doctor` in the hint), not root, or
 * no default route when wan_if is auto. *st (may be NULL) gets the result.
 */
int hostnet_up(const struct netspec *n, enum fw_backend fw,
	       struct hostnet_status *st);
/* Undo: this deployment's rules and its TAP; what is absent is skipped. */
int hostnet_down(const struct netspec *n, enum fw_backend fw);
/* Look, change nothing. */
int hostnet_status(const struct netspec *n, enum fw_backend fw,
		   struct hostnet_status *st);

#endif
