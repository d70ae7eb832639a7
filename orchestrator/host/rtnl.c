/* net/if.h before the kernel's headers, which then keep out of its way */
#include <net/if.h>
#include <net/if_arp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "host/rtnl.h"
#include "banned.h"

#define BUFSZ 32768

/* Send one request and run cb on each answer until the kernel is done. */
static int talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static unsigned seq;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	char buf[BUFSZ];
	unsigned portid;
	ssize_t n;
	int ret = 0;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_seq = seq ? ++seq : (seq = (unsigned)time(NULL));
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb,
				 data);
		if (ret <= MNL_CB_STOP) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

static struct nlmsghdr *put_header(char *buf, int type, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	return nlh;
}

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int kind_attr(const struct nlattr *a, void *data)
{
	struct rtnl_link *l = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
	    mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
		snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct rtnl_link *l = data;

	memset(l, 0, sizeof(*l));
	l->index = ifm->ifi_index;
	l->type = ifm->ifi_type;
	l->up = ifm->ifi_flags & IFF_UP;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb);
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], kind_attr, l);
	return MNL_CB_OK;
}

int rtnl_link_get(const char *name, struct rtnl_link *l)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh = put_header(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	l->index = 0;
	/* the kernel's ack after the answer ends the exchange */
	return talk(nlh, link_cb, l);
}

bool rtnl_link_is_tap(const struct rtnl_link *l)
{
	return (!l->kind[0] || !strcmp(l->kind, "tun")) &&
	       l->type == ARPHRD_ETHER;
}

static int link_change(int type, int index, unsigned change, unsigned flags)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh = put_header(buf, type, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	ifm->ifi_change = change;
	ifm->ifi_flags = flags;
	return talk(nlh, NULL, NULL);
}

int rtnl_link_set_up(int index, bool up)
{
	return link_change(RTM_NEWLINK, index, IFF_UP, up ? IFF_UP : 0);
}

int rtnl_link_del(int index)
{
	return link_change(RTM_DELLINK, index, 0, 0);
}

static int addr_msg(int type, int flags, int index, uint32_t ip,
		    unsigned prefix)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh = put_header(buf, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	uint32_t be = htonl(ip);

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)index;
	mnl_attr_put_u32(nlh, IFA_LOCAL, be);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, be);
	return talk(nlh, NULL, NULL);
}

int rtnl_addr_add(int index, uint32_t ip, unsigned prefix, bool *added)
{
	int ret = addr_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, ip,
			   prefix);

	if (added)
		*added = !ret;
	return ret == -EEXIST ? 0 : ret;
}

int rtnl_addr_del(int index, uint32_t ip, unsigned prefix)
{
	return addr_msg(RTM_DELADDR, 0, index, ip, prefix);
}

struct addr_q {
	int index;
	uint32_t ip;
	unsigned prefix;
	int found;
};

static int addr_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, IFA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	struct addr_q *q = data;

	if ((int)ifa->ifa_index != q->index || ifa->ifa_prefixlen != q->prefix)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, tb);
	if (tb[IFA_LOCAL] &&
	    mnl_attr_validate(tb[IFA_LOCAL], MNL_TYPE_U32) >= 0 &&
	    ntohl(mnl_attr_get_u32(tb[IFA_LOCAL])) == q->ip)
		q->found = 1;
	return MNL_CB_OK;
}

int rtnl_addr_has(int index, uint32_t ip, unsigned prefix)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh = put_header(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct addr_q q = { index, ip, prefix, 0 };
	int ret;

	ifa->ifa_family = AF_INET;
	ret = talk(nlh, addr_cb, &q);
	return ret ? ret : q.found;
}

struct route_q {
	int oif;
	uint32_t metric;
};

static int route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static uint32_t u32_or(const struct nlattr *a, uint32_t dflt)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return dflt;
	return mnl_attr_get_u32(a);
}

/* the first hop of a multipath route */
static int first_hop(const struct nlattr *mp)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);

	if (mnl_attr_get_payload_len(mp) < sizeof(*nh))
		return 0;
	return nh->rtnh_ifindex;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct route_q *q = data;
	uint32_t table, metric;
	int oif;

	if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr, tb);
	table = u32_or(tb[RTA_TABLE], rtm->rtm_table);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	oif = (int)u32_or(tb[RTA_OIF], 0);
	if (!oif && tb[RTA_MULTIPATH])
		oif = first_hop(tb[RTA_MULTIPATH]);
	metric = u32_or(tb[RTA_PRIORITY], 0);
	if (oif > 0 && (!q->oif || metric < q->metric)) {
		q->oif = oif;
		q->metric = metric;
	}
	return MNL_CB_OK;
}

int rtnl_default_dev(char *name)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh = put_header(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_q q = { 0, 0 };
	int ret;

	rtm->rtm_family = AF_INET;
	ret = talk(nlh, route_cb, &q);
	if (ret)
		return ret;
	if (!q.oif)
		return -ENETUNREACH;
	if (!if_indextoname((unsigned)q.oif, name))
		return -errno;
	return 0;
}
