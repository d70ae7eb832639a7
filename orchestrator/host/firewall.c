#include <errno.h>
#include <string.h>

#include "errors.h"
#include "host/firewall.h"
#include "host/fw-iptables.h"
#include "host/fw-nft.h"
#include "log.h"
#include "banned.h"

static const char *const names[] = {
	[FW_AUTO] = "auto",
	[FW_NFT] = "nft",
	[FW_IPTABLES] = "iptables",
	[FW_IPTABLES_LEGACY] = "iptables-legacy",
};

int fw_parse_backend(const char *s, enum fw_backend *b)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*b = (enum fw_backend)i;
			return 0;
		}
	}
	return -UKB_EUSAGE;
}

const char *fw_backend_name(enum fw_backend b)
{
	return (unsigned)b < sizeof(names) / sizeof(names[0]) ?
		names[b] : "unknown";
}

static int none_here(const char *what, const char *hint_text)
{
	error(-UKB_EHOST, "%s", what);
	hint("%s; `umlkbuild doctor` checks the host", hint_text);
	return -UKB_EHOST;
}

/*
 * nft where the kernel has it, unless the host's iptables FORWARD policy
 * is DROP: an accept in our own nft table cannot overrule a drop in
 * another table, while a jump at the head of that FORWARD chain can.
 */
static int pick_auto(enum fw_backend *got)
{
	bool kernel = !fw_nft_kernel();
	bool ipt = kernel && !fw_ipt_usable(false, NULL);
	bool legacy = !fw_ipt_usable(true, NULL);

	if (kernel && legacy && fw_ipt_forward_drops(true))
		*got = FW_IPTABLES_LEGACY;
	else if (ipt && fw_ipt_forward_drops(false))
		*got = FW_IPTABLES;
	else if (kernel)
		*got = FW_NFT;
	else if (legacy)
		*got = FW_IPTABLES_LEGACY;
	else
		return none_here("neither nft nor iptables can set rules on "
				 "this host", "install iptables (the container "
				 "needs its netfilter modules enabled)");
	debug("firewall: %s", fw_backend_name(*got));
	return 0;
}

int fw_resolve(enum fw_backend want, enum fw_backend *got)
{
	switch (want) {
	case FW_AUTO:
		return pick_auto(got);
	case FW_NFT:
		if (fw_nft_kernel())
			return none_here("this kernel does not take nftables "
					 "rules", "use --firewall iptables");
		break;
	case FW_IPTABLES:
		if (!fw_nft_kernel() && !fw_ipt_usable(false, NULL))
			break;
		/* iptables-nft cannot work here: the legacy one can */
		if (!fw_ipt_usable(true, NULL)) {
			*got = FW_IPTABLES_LEGACY;
			return 0;
		}
		return none_here("no iptables-restore on this host",
				 "install iptables");
	case FW_IPTABLES_LEGACY:
		if (fw_ipt_usable(true, NULL))
			return none_here("no iptables-legacy-restore on this "
					 "host", "install iptables");
		break;
	default:
		return -EINVAL;
	}
	*got = want;
	return 0;
}

int fw_usable(enum fw_backend b)
{
	switch (b) {
	case FW_NFT:
		return !fw_nft_kernel();
	case FW_IPTABLES:
		return !fw_nft_kernel() && !fw_ipt_usable(false, NULL);
	case FW_IPTABLES_LEGACY:
		return !fw_ipt_usable(true, NULL);
	default:
		return 0;
	}
}

int fw_present_any(const char *name)
{
	int ret = 0;

	for (enum fw_backend b = FW_NFT; b <= FW_IPTABLES_LEGACY && !ret; b++)
		if (fw_usable(b))
			ret = fw_present(name, b);
	return ret;
}

int fw_render(const struct netspec *n, const char *wan_if, enum fw_backend b,
	      struct strbuf *out)
{
	switch (b) {
	case FW_NFT:
		fw_nft_render(n, wan_if, out);
		return 0;
	case FW_IPTABLES:
	case FW_IPTABLES_LEGACY:
		fw_ipt_render(n, wan_if, out);
		return 0;
	default:
		return -EINVAL;
	}
}

int fw_apply(const struct netspec *n, const char *wan_if, enum fw_backend b)
{
	switch (b) {
	case FW_NFT:
		return fw_nft_apply(n, wan_if);
	case FW_IPTABLES:
	case FW_IPTABLES_LEGACY:
		return fw_ipt_apply(n, wan_if, b == FW_IPTABLES_LEGACY);
	default:
		return -EINVAL;
	}
}

int fw_remove(const char *name, enum fw_backend b)
{
	switch (b) {
	case FW_NFT:
		return fw_nft_remove(name);
	case FW_IPTABLES:
	case FW_IPTABLES_LEGACY:
		return fw_ipt_remove(name, b == FW_IPTABLES_LEGACY);
	default:
		return -EINVAL;
	}
}

int fw_present(const char *name, enum fw_backend b)
{
	switch (b) {
	case FW_NFT:
		return fw_nft_present(name);
	case FW_IPTABLES:
	case FW_IPTABLES_LEGACY:
		return fw_ipt_present(name, b == FW_IPTABLES_LEGACY);
	default:
		return -EINVAL;
	}
}
