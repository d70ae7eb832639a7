/*
 * firewall.h's iptables side: the rules as iptables-restore input, applied
 * with `iptables-restore --noflush` (iptables-nft, or iptables-legacy).
 * Chains UKB-NAME-PRE (nat, from PREROUTING), UKB-NAME-PST (nat, from
 * POSTROUTING) and UKB-NAME-FWD (filter, from FORWARD): three letters, as
 * a chain name has 28 characters at most and a NAME 20.
 */
#ifndef UKB_HOST_FW_IPTABLES_H
#define UKB_HOST_FW_IPTABLES_H

#include <stdbool.h>

#include "host/netspec.h"
#include "strbuf.h"

/* The input for a host with none of these chains yet. */
void fw_ipt_render(const struct netspec *n, const char *wan_if,
		   struct strbuf *out);
int fw_ipt_apply(const struct netspec *n, const char *wan_if, bool legacy);
int fw_ipt_remove(const char *name, bool legacy);
int fw_ipt_present(const char *name, bool legacy);

/*
 * Whether the tools are there and, for the nft variant, not stuck on a
 * kernel without nf_tables: 0 or -ENOENT. *save gets the save command.
 */
int fw_ipt_usable(bool legacy, const char **save);
/* Whether that variant's filter FORWARD policy is DROP (1), or 0. */
int fw_ipt_forward_drops(bool legacy);

#endif
