/*
 * ukb-init's network check (ukb.net=IP/PREFIX,PEER,PORT,BYTES[,IF] on the
 * kernel command line or as an argument, from `umlkbuild boot --net`): the
 * guest's interface up with its address, its root qdisc, and BYTES sent
 * over TCP to the host's sink under the default congestion control, with
 * what the kernel's tcp_info says of the connection.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "guest.h"

struct net_opts {
	int on;
	char ip[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	char ifname[IFNAMSIZ];
	int prefix;
	unsigned port;
	unsigned long long bytes;
};

/* "10.0.0.2/24,10.0.0.1,5001,4194304[,vec0]"; 0 or -EINVAL. */
static int parse_net(const char *arg, struct net_opts *n)
{
	struct in_addr a;
	int end = 0, ifend = 0;

	memset(n, 0, sizeof(*n));
	snprintf(n->ifname, sizeof(n->ifname), "eth0");
	if (sscanf(arg, "%15[0-9.]/%d,%15[0-9.],%u,%llu%n", n->ip, &n->prefix,
		   n->peer, &n->port, &n->bytes, &end) != 5 ||
	    (arg[end] && (sscanf(arg + end, ",%15[a-z0-9]%n", n->ifname,
				 &ifend) != 1 || arg[end + ifend])) ||
	    n->prefix < 1 || n->prefix > 32 || !n->port || n->port > 65535 ||
	    !n->bytes || inet_pton(AF_INET, n->ip, &a) != 1 ||
	    inet_pton(AF_INET, n->peer, &a) != 1)
		return -EINVAL;
	n->on = 1;
	return 0;
}

static void find_net_opts(int argc, char **argv, struct net_opts *n)
{
	static const char key[] = "ukb.net=";
	char cmdline[4096], *word = NULL;

	for (int i = 1; i < argc && !word; i++)
		if (!strncmp(argv[i], key, strlen(key)))
			word = argv[i];
	if (!word && read_text("/proc/cmdline", cmdline, sizeof(cmdline)) == 0) {
		for (char *p = cmdline; p && *p; p = strchr(p, ' ')) {
			while (*p == ' ')
				p++;
			if (!strncmp(p, key, strlen(key))) {
				word = p;
				p = strchr(p, ' ');
				if (p)
					*p = '\0';
				break;
			}
		}
	}
	memset(n, 0, sizeof(*n));
	if (word && parse_net(word + strlen(key), n) < 0)
		report("fail", "net_options", "cannot parse '%s': want %sIP/PREFIX,PEER,PORT,BYTES[,IF]",
		       word, key);
}

static int ifreq_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	return ioctl(fd, req, ifr) < 0 ? -errno : 0;
}

static int set_inaddr(int fd, const char *dev, unsigned long req,
		      in_addr_t addr)
{
	struct ifreq ifr;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	sin.sin_addr.s_addr = addr;
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	return ifreq_ioctl(fd, req, &ifr);
}

int link_up(int fd, const char *dev)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ret = ifreq_ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (ret < 0)
		return ret;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ifreq_ioctl(fd, SIOCSIFFLAGS, &ifr);
}

/* n->ifname gets ip/prefix and goes up; lo goes up too. */
static int net_configure(const struct net_opts *n)
{
	in_addr_t mask = n->prefix == 32 ? 0xffffffffu :
			 ~(0xffffffffu >> n->prefix);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return -errno;
	link_up(fd, "lo");
	ret = set_inaddr(fd, n->ifname, SIOCSIFADDR, inet_addr(n->ip));
	if (!ret)
		ret = set_inaddr(fd, n->ifname, SIOCSIFNETMASK, htonl(mask));
	if (!ret)
		ret = link_up(fd, n->ifname);
	close(fd);
	return ret;
}

/* The kind of ifindex's root qdisc, from an RTM_GETQDISC dump. */
static int root_qdisc(int ifindex, char *kind, size_t size)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req;
	static char buf[16384];
	int fd, ret = -ENOENT, done = 0;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.tc));
	req.nh.nlmsg_type = RTM_GETQDISC;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		if (len <= 0) {
			ret = len < 0 ? -errno : -EIO;
			break;
		}
		for (; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
			struct tcmsg *tc = NLMSG_DATA(nh);
			struct rtattr *rta;
			int alen;

			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				done = 1;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWQDISC ||
			    tc->tcm_ifindex != ifindex ||
			    tc->tcm_parent != TC_H_ROOT)
				continue;
			rta = (struct rtattr *)((char *)tc + NLMSG_ALIGN(sizeof(*tc)));
			alen = (int)nh->nlmsg_len - NLMSG_LENGTH(sizeof(*tc));
			for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
				if (rta->rta_type == TCA_KIND) {
					snprintf(kind, size, "%.*s",
						 (int)RTA_PAYLOAD(rta),
						 (const char *)RTA_DATA(rta));
					ret = 0;
				}
			}
		}
	}
out:
	close(fd);
	return ret;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int tcp_connect(const struct net_opts *n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 30 };
	int fd = -1, ret = -ETIMEDOUT;

	sa.sin_port = htons((unsigned short)n->port);
	inet_pton(AF_INET, n->peer, &sa.sin_addr);
	/* the host's side may still be coming up: a few tries, a second apart */
	for (int i = 0; i < 10; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		ret = -errno;
		close(fd);
		if (ret != -ECONNREFUSED && ret != -ENETUNREACH &&
		    ret != -EHOSTUNREACH)
			break;
		sleep(1);
	}
	return ret;
}

/* Send n->bytes, half-close, wait for the peer's close: all of it was acked. */
static int tcp_send_all(int fd, const struct net_opts *n, double *secs)
{
	static char buf[65536];
	unsigned long long left = n->bytes;
	double t0 = now_s();

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	while (left) {
		ssize_t w = send(fd, buf, left < sizeof(buf) ? left : sizeof(buf),
				 MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		left -= (unsigned long long)w;
	}
	shutdown(fd, SHUT_WR);
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	*secs = now_s() - t0;
	return 0;
}

static void report_tcp(int fd, const struct net_opts *n)
{
	char cc[16] = "";
	socklen_t len = sizeof(cc);
	struct tcp_info ti;
	union tcp_cc_info ci;

	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len) < 0)
		report("fail", "net_tcp_congestion", "getsockopt TCP_CONGESTION: %s",
		       strerror(errno));
	else if (strcmp(cc, "bbr"))
		report("fail", "net_tcp_congestion", "the connection ran with '%s', expected bbr",
		       cc);
	else
		report("ok", "net_tcp_congestion", "bbr (TCP_CONGESTION of the connection to %s:%u)",
		       n->peer, n->port);

	memset(&ti, 0, sizeof(ti));
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) {
		report("fail", "net_tcp_info", "getsockopt TCP_INFO: %s",
		       strerror(errno));
	} else if (len >= offsetof(struct tcp_info, tcpi_bytes_received) &&
		   ti.tcpi_bytes_acked < n->bytes) {
		report("fail", "net_tcp_info", "only %llu of %llu bytes acked",
		       (unsigned long long)ti.tcpi_bytes_acked, n->bytes);
	} else {
		report("ok", "net_tcp_info",
		       "bytes_acked %llu rtt %uus cwnd %u retrans %u pacing_rate %llu B/s delivery_rate %llu B/s",
		       (unsigned long long)ti.tcpi_bytes_acked, ti.tcpi_rtt,
		       ti.tcpi_snd_cwnd, ti.tcpi_total_retrans,
		       (unsigned long long)ti.tcpi_pacing_rate,
		       (unsigned long long)ti.tcpi_delivery_rate);
	}

	memset(&ci, 0, sizeof(ci));
	len = sizeof(ci);
	if (getsockopt(fd, IPPROTO_TCP, TCP_CC_INFO, &ci, &len) < 0) {
		report("fail", "net_bbr_info", "getsockopt TCP_CC_INFO: %s",
		       strerror(errno));
	} else if (len < sizeof(ci.bbr)) {
		report("fail", "net_bbr_info", "no BBR state (%u bytes)",
		       (unsigned)len);
	} else {
		unsigned long long bw = (unsigned long long)ci.bbr.bbr_bw_hi << 32 |
					ci.bbr.bbr_bw_lo;

		/* a bandwidth estimate is what BBR, and only BBR, keeps */
		report(bw ? "ok" : "fail", "net_bbr_info",
		       "bw %llu B/s min_rtt %uus pacing_gain %.2f cwnd_gain %.2f",
		       bw, ci.bbr.bbr_min_rtt, ci.bbr.bbr_pacing_gain / 256.0,
		       ci.bbr.bbr_cwnd_gain / 256.0);
	}
}

/* The seeds' network path: eth0 (vec0) on TAP, default qdisc fq, a TCP flow out. */
static void check_net(const struct net_opts *n)
{
	char kind[64], up[32], qdisc[32];
	unsigned idx;
	double secs = 0;
	int fd, ret;

	/* a kernel built with CONFIG_DEFAULT_FQ needs no sysctl; else do as the seeds */
	if (read_text("/proc/sys/net/core/default_qdisc", kind, sizeof(kind)) == 0 &&
	    !strcmp(kind, "fq"))
		report("ok", "net_default_qdisc", "fq (the kernel's default)");
	else
		check_sysctl_set("net_default_qdisc",
				 "/proc/sys/net/core/default_qdisc", "fq");
	snprintf(up, sizeof(up), "net_%s", n->ifname);
	snprintf(qdisc, sizeof(qdisc), "net_qdisc_%s", n->ifname);
	ret = net_configure(n);
	if (ret < 0) {
		report("fail", up, "cannot configure %s as %s/%d: %s",
		       n->ifname, n->ip, n->prefix, strerror(-ret));
		return;
	}
	report("ok", up, "%s/%d up", n->ip, n->prefix);
	idx = if_nametoindex(n->ifname);
	ret = root_qdisc((int)idx, kind, sizeof(kind));
	if (ret < 0)
		report("fail", qdisc, "cannot dump %s's qdiscs: %s",
		       n->ifname, strerror(-ret));
	else if (strcmp(kind, "fq"))
		report("fail", qdisc, "%s's root qdisc is '%s', expected fq",
		       n->ifname, kind);
	else
		report("ok", qdisc, "root qdisc fq");

	fd = tcp_connect(n);
	if (fd < 0) {
		report("fail", "net_tcp_transfer", "cannot connect to %s:%u: %s",
		       n->peer, n->port, strerror(-fd));
		return;
	}
	ret = tcp_send_all(fd, n, &secs);
	if (ret < 0)
		report("fail", "net_tcp_transfer", "sending %llu bytes to %s:%u: %s",
		       n->bytes, n->peer, n->port, strerror(-ret));
	else
		report("ok", "net_tcp_transfer", "sent %llu bytes to %s:%u in %.2f s (%.1f Mbit/s)",
		       n->bytes, n->peer, n->port, secs,
		       secs > 0 ? (double)n->bytes * 8 / secs / 1e6 : 0.0);
	report_tcp(fd, n);
	close(fd);
}

/* The network check, when ukb.net= asks for it. */
void net_checks(int argc, char **argv)
{
	struct net_opts n;

	find_net_opts(argc, argv, &n);
	if (n.on)
		check_net(&n);
}
