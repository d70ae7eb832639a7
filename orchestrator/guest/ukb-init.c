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

void check_sysctl_set(const char *name, const char *path, const char *value)
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

/* A bare word on the kernel command line (the kernel keeps dotted ones). */
static int on_cmdline(const char *word)
{
	char cmdline[4096];

	return read_text("/proc/cmdline", cmdline, sizeof(cmdline)) == 0 &&
	       has_word(cmdline, word);
}

int main(int argc, char **argv)
{
	struct utsname u;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	mount_fs("devtmpfs", "/dev");
	if (uname(&u) == 0)
		report("ok", "kernel", "%s %s %s", u.sysname, u.release,
		       u.machine);

	check_congestion();
	net_checks(argc, argv);
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
