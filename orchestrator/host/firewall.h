/*
 * A deployment's rules, in umlkbuild's own chains (iptables) or its own
 * table (nft), named after the deployment: MASQUERADE of the guest's
 * subnet out of the WAN interface, DNAT of each forward from the WAN
 * interface to the guest (reserved ports return first), and FORWARD
 * accepting only traffic to and from the guest. Applied atomically and
 * removed exactly.
 */
#ifndef UKB_HOST_FIREWALL_H
#define UKB_HOST_FIREWALL_H

#include "strbuf.h"
#include "host/netspec.h"

enum fw_backend {
	FW_AUTO,
	FW_NFT,                 /* libnftables, table "ip umlkbuild-NAME" */
	FW_IPTABLES,            /* iptables-restore --noflush (iptables-nft) */
	FW_IPTABLES_LEGACY,     /* the same through iptables-legacy-restore */
};

/* "auto", "nft", "iptables", "iptables-legacy"; 0 or -UKB_EUSAGE. */
int fw_parse_backend(const char *s, enum fw_backend *b);
const char *fw_backend_name(enum fw_backend b);

/*
 * What this host can do: FW_AUTO picks nft where the kernel has nf_tables,
 * else iptables, legacy where iptables-nft cannot work. Reports and
 * returns -UKB_EHOST when the asked-for backend (or any) is missing.
 */
int fw_resolve(enum fw_backend want, enum fw_backend *got);

/* Whether backend b (not FW_AUTO) can work here, quietly: 1 or 0. */
int fw_usable(enum fw_backend b);
/*
 * fw_present() over every backend that can work here, for a caller that
 * does not know which one applied them: 1, 0 or -errno.
 */
int fw_present_any(const char *name);

/* The rules as the backend takes them (iptables-restore input, nft script). */
int fw_render(const struct netspec *n, const char *wan_if, enum fw_backend b,
	      struct strbuf *out);
/* Apply in one transaction, replacing this deployment's earlier rules. */
int fw_apply(const struct netspec *n, const char *wan_if, enum fw_backend b);
/* Remove exactly this deployment's rules; none there is 0. */
int fw_remove(const char *name, enum fw_backend b);
/* 1 when this deployment's rules are there, 0 when not, or -errno. */
int fw_present(const char *name, enum fw_backend b);

#endif
