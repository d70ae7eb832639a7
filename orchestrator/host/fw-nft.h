/*
 * firewall.h's nft side, through libnftables (the one file that includes
 * it): the deployment's own table "ip umlkbuild-NAME" with the chains
 * prerouting (nat, dstnat), postrouting (nat, srcnat) and forward
 * (filter), replaced and removed as one transaction each.
 */
#ifndef UKB_HOST_FW_NFT_H
#define UKB_HOST_FW_NFT_H

#include "host/netspec.h"
#include "strbuf.h"

/* The script: it drops the table's earlier version in the same batch. */
void fw_nft_render(const struct netspec *n, const char *wan_if,
		   struct strbuf *out);
int fw_nft_apply(const struct netspec *n, const char *wan_if);
int fw_nft_remove(const char *name);
int fw_nft_present(const char *name);
/* 0 when the kernel takes nf_tables requests, or a negative errno. */
int fw_nft_kernel(void);

#endif
