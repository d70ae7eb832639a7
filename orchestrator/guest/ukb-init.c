/*
 * ukb-init: the init the boot check runs inside the UML guest (the host's
 * / is the guest's root through hostfs). It reports one line per check on
 * the console, "ukb-init: ok|fail|skip NAME: DETAIL", then
 * "ukb-init: result pass|fail", and powers the guest off.
 *
 * It never writes below the root: that is the host's file system. All it
 * touches are the guest's own proc, sys and devtmpfs mounts.
 *
 * Options (on the kernel command line, read from /proc/cmdline since the
 * kernel keeps dotted words from init, or as init arguments):
 *   ukb.deploy                         the seeds' deployment: ext4 root on
 *                                      ubda, swap file, tmpfs, loopback
 *                                      IPv4/IPv6/unix, console on a host
 *                                      pty (deploy.c)
 *   ukb.net=IP/PREFIX,PEER,PORT,BYTES[,IF]
 *                                      set net.core.default_qdisc=fq as the
 *                                      seeds do, configure IF (default
 *                                      eth0; vec0 with the vector driver),
 *                                      send BYTES to PEER:PORT over TCP,
 *                                      then report IF's root qdisc and the
 *                                      connection's congestion control,
 *                                      TCP_INFO and BBR state.
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

static int failures;

void report(const char *status, const char *name, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (!strcmp(status, "fail"))
		failures++;
	printf("ukb-init: %s %s: %s\n", status, name, detail);
	fflush(stdout);
}

int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int write_text(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	}
	return 0;
}

void mount_fs(const char *type, const char *dir)
{
	if (mount(type, dir, type, 0, NULL) < 0 && errno != EBUSY)
		report("fail", "mount", "cannot mount %s on %s: %s", type, dir,
		       strerror(errno));
}

static void check_sysctl_equals(const char *name, const char *path,
				const char *want)
{
	char buf[256];
	int ret = read_text(path, buf, sizeof(buf));

	if (ret < 0)
		report("fail", name, "cannot read %s: %s", path, strerror(-ret));
	else if (strcmp(buf, want))
		report("fail", name, "is '%s', expected '%s'", buf, want);
	else
		report("ok", name, "%s", buf);
}

static void check_sysctl_set(const char *name, const char *path,
			     const char *value)
{
	char buf[256];
	int ret = write_text(path, value);

	if (ret < 0) {
		report("fail", name, "cannot set %s to '%s': %s", path, value,
		       strerror(-ret));
		return;
	}
	ret = read_text(path, buf, sizeof(buf));
	if (ret < 0 || strcmp(buf, value))
		report("fail", name, "set to '%s' but reads back '%s'", value,
		       ret < 0 ? strerror(-ret) : buf);
	else
		report("ok", name, "accepts %s", value);
}

static void check_congestion(void)
{
	char buf[512];
	int ret;

	check_sysctl_equals("tcp_congestion_control",
			    "/proc/sys/net/ipv4/tcp_congestion_control", "bbr");
	ret = read_text("/proc/sys/net/ipv4/tcp_available_congestion_control",
			buf, sizeof(buf));
	if (ret < 0)
		report("fail", "tcp_available_congestion_control",
		       "cannot read: %s", strerror(-ret));
	else if (!has_word(buf, "bbr"))
		report("fail", "tcp_available_congestion_control",
		       "'%s' lacks bbr", buf);
	else
		report("ok", "tcp_available_congestion_control", "%s", buf);
}

/* Make kind the root qdisc of ifindex (handle HANDLE:) via rtnetlink. */
static int set_root_qdisc(int ifindex, const char *kind, unsigned handle)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
		char attrs[64];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
		char pad[256];
	} ans;
	struct rtattr *rta;
	size_t klen = strlen(kind) + 1;
	int fd, ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_NEWQDISC;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			     NLM_F_REPLACE;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = TC_H_ROOT;
	req.tc.tcm_handle = handle << 16;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = TCA_KIND;
	rta->rta_len = RTA_LENGTH(klen);
	memcpy(RTA_DATA(rta), kind, klen);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.tc)) + RTA_ALIGN(rta->rta_len);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = (int)recv(fd, &ans, sizeof(ans), 0);
	close(fd);
	if (ret < 0)
		return -errno;
	if (ans.nh.nlmsg_type == NLMSG_ERROR)
		return ans.err.error;
	return 0;
}

static void check_qdiscs(const char *dev)
{
	static const char *const kinds[] = { "fq", "fq_codel", "qfq", "codel" };
	unsigned idx = if_nametoindex(dev);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char name[32];
		int ret;

		snprintf(name, sizeof(name), "qdisc_%s", kinds[i]);
		ret = idx ? set_root_qdisc((int)idx, kinds[i], (unsigned)i + 1) :
			    -ENODEV;
		if (ret < 0)
			report("fail", name, "cannot attach %s to %s: %s",
			       kinds[i], dev, strerror(-ret));
		else
			report("ok", name, "attached to %s", dev);
	}
	/* leave the seeds' default in place */
	if (idx)
		set_root_qdisc((int)idx, "fq", 0x100);
}

static void check_tun(void)
{
	struct stat st;
	int fd;

	if (stat("/sys/class/misc/tun", &st) < 0) {
		report("fail", "tun", "no tun misc device in /sys/class/misc: %s",
		       strerror(errno));
		return;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		report("fail", "tun", "cannot open /dev/net/tun: %s",
		       strerror(errno));
		return;
	}
	close(fd);
	report("ok", "tun", "/dev/net/tun opens");
}

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

/* A bare word on the kernel command line (the kernel keeps dotted ones). */
static int on_cmdline(const char *word)
{
	char cmdline[4096];

	return read_text("/proc/cmdline", cmdline, sizeof(cmdline)) == 0 &&
	       has_word(cmdline, word);
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

int main(int argc, char **argv)
{
	struct utsname u;
	struct net_opts net;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	mount_fs("devtmpfs", "/dev");
	if (uname(&u) == 0)
		report("ok", "kernel", "%s %s %s", u.sysname, u.release,
		       u.machine);

	check_congestion();
	find_net_opts(argc, argv, &net);
	if (net.on)
		check_net(&net);
	check_sysctl_set("default_qdisc", "/proc/sys/net/core/default_qdisc",
			 "fq_codel");
	check_sysctl_set("default_qdisc", "/proc/sys/net/core/default_qdisc",
			 "fq");
	check_sysctl_set("tcp_syncookies", "/proc/sys/net/ipv4/tcp_syncookies",
			 "1");
	check_qdiscs("lo");
	check_tun();
	if (on_cmdline("ukb.deploy"))
		deploy_checks();

	printf("ukb-init: result %s (%d failed)\n", failures ? "fail" : "pass",
	       failures);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
