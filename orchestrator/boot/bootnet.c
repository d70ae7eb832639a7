#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/log.h"
#include "boot/bootnet.h"
#include "base/banned.h"

#define NET_PREFIX 24
/* the sink stops reading this far past what it was promised */
#define NET_SLACK (1ULL << 20)

/* Wait up to 250 ms for fd to be readable; 1 when it is. */
static int readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 250) > 0;
}

/* The host's end of the flow: accept one connection, count its bytes. */
static void *net_sink(void *arg)
{
	struct net_run *n = arg;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	long long t0;
	static char buf[65536];
	int fd = -1;

	while (!atomic_load(&n->stop) && !readable(n->listen_fd))
		;
	if (atomic_load(&n->stop))
		return NULL;
	fd = accept4(n->listen_fd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		n->err = -errno;
		return NULL;
	}
	inet_ntop(AF_INET, &sa.sin_addr, n->peer, sizeof(n->peer));
	t0 = clock_ms();
	while (!atomic_load(&n->stop) && n->got < n->want + NET_SLACK) {
		ssize_t r;

		if (!readable(fd))
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			n->err = -errno;
		if (r <= 0)
			break;
		n->got += (unsigned long long)r;
	}
	n->seconds = (double)(clock_ms() - t0) / 1000;
	close(fd);      /* the guest waits for this close */
	return NULL;
}

static int tap_persist(const char *name, int on, int *fd_out)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, on) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return 0;
}

static int if_up_with(int sock, const char *dev, const char *ip, int prefix)
{
	struct ifreq ifr;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ip) {
		inet_pton(AF_INET, ip, &sin.sin_addr);
		memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
		if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
			return -errno;
		sin.sin_addr.s_addr = htonl(~(0xffffffffu >> prefix));
		memcpy(&ifr.ifr_netmask, &sin, sizeof(sin));
		if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
			return -errno;
	}
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(sock, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* A listening socket on NET_HOST_IP, port chosen by the kernel. */
static int net_listen(struct net_run *n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	inet_pton(AF_INET, NET_HOST_IP, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	n->listen_fd = fd;
	n->port = ntohs(sa.sin_port);
	return 0;
}

/*
 * Enter a private network namespace holding the TAP (NET_HOST_IP/24) and
 * the sink. Everything it creates dies with the namespace, which dies
 * with this process at the latest.
 */
int bootnet_enter(struct net_run *n)
{
	int ret, sock = -1;

	if (geteuid() != 0)
		return error(-UKB_EHOST,
			     "'boot --net' needs root: it creates a network namespace and a TAP device");
	ret = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (ret < 0)
		return error(-UKB_EHOST,
			     "'boot --net' cannot open /dev/net/tun: %s (see 'umlkbuild doctor')",
			     strerror(errno));
	close(ret);
	n->home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (n->home_ns < 0) {
		error_errno(0, "cannot open /proc/self/ns/net");
		return -UKB_EHOST;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		error_errno(0, "cannot create a network namespace");
		ret = -UKB_EHOST;
		close(n->home_ns);
		n->home_ns = -1;
		return ret;
	}
	ret = tap_persist(NET_TAP, 1, NULL);
	if (ret) {
		error_errno(ret, "cannot create the TAP device '%s'", NET_TAP);
		ret = -UKB_EHOST;
		goto out;
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ret = sock < 0 ? -errno : if_up_with(sock, "lo", NULL, 0);
	if (!ret)
		ret = if_up_with(sock, NET_TAP, NET_HOST_IP, NET_PREFIX);
	if (ret) {
		error_errno(ret, "cannot give '%s' the address %s/%d", NET_TAP,
			    NET_HOST_IP, NET_PREFIX);
		ret = -UKB_EHOST;
		goto out;
	}
	ret = net_listen(n);
	if (ret) {
		error_errno(ret, "cannot listen on %s", NET_HOST_IP);
		ret = -UKB_EHOST;
		goto out;
	}
	ret = -pthread_create(&n->thread, NULL, net_sink, n);
	if (ret)
		ret = error_errno(ret, "cannot start the TCP sink");
	else
		n->thread_started = 1;
	debug("network namespace: %s %s/%d, sink on port %u", NET_TAP,
	      NET_HOST_IP, NET_PREFIX, n->port);
out:
	if (sock >= 0)
		close(sock);
	return ret;
}

/* Stop the sink, remove the TAP and go home; safe after a partial enter. */
void bootnet_leave(struct net_run *n)
{
	atomic_store(&n->stop, 1);
	if (n->thread_started)
		pthread_join(n->thread, NULL);
	n->thread_started = 0;
	if (n->listen_fd >= 0)
		close(n->listen_fd);
	n->listen_fd = -1;
	if (n->home_ns < 0)
		return;
	tap_persist(NET_TAP, 0, NULL);
	if (setns(n->home_ns, CLONE_NEWNET) < 0)
		warning_errno(0, "cannot return to the original network "
			      "namespace");
	close(n->home_ns);
	n->home_ns = -1;
}

/* What the host's side saw of the guest's flow. */
void bootnet_judge(const struct net_run *n, struct boot_result *r)
{
	if (n->got >= n->want)
		bootlog_add_check(r, "ok", "net_host_received",
			  "%llu bytes from %s on %s in %.2f s", n->got, n->peer,
			  NET_TAP, n->seconds);
	else if (n->err)
		bootlog_add_check(r, "fail", "net_host_received",
			  "%llu of %llu bytes, then: %s", n->got, n->want,
			  strerror(-n->err));
	else
		bootlog_add_check(r, "fail", "net_host_received",
			  "%llu of %llu bytes reached %s:%u", n->got, n->want,
			  NET_HOST_IP, n->port);
}
