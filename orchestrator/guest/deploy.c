/*
 * The seeds' deployment, checked from inside the guest (ukb.deploy): the
 * kernel boots from an ext4 image on ubda with little memory, turns on a
 * swap file and pages into it, mounts tmpfs, talks IPv4, IPv6 and unix
 * sockets over loopback, and answers the host on a console that UML put on
 * a host pty (con1=pts, what `screen /dev/pts/N` attaches to).
 *
 * Everything here writes only to the guest's own root, a scratch image the
 * host made for this boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "guest.h"

#define SWAP_FILE "/swapfile"
#define SWAP_MIB 32
#define UBD_MAJOR 98
#define PTY_PING "ukb-pty-ping"
#define PTY_PONG "ukb-pty-pong"
#define PTY_WAIT_MS 30000

static void check_filesystems(void)
{
	static const struct {
		const char *dir, *name;
		long magic;
	} want[] = {
		{ "/", "ext4", EXT4_SUPER_MAGIC },
		{ "/proc", "proc", PROC_SUPER_MAGIC },
		{ "/sys", "sysfs", SYSFS_MAGIC },
		{ "/dev", "devtmpfs", TMPFS_MAGIC },
		{ "/tmp", "tmpfs", TMPFS_MAGIC },
	};
	struct statfs sf;
	struct stat st;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (statfs(want[i].dir, &sf) < 0) {
			report("fail", "filesystems", "statfs %s: %s",
			       want[i].dir, strerror(errno));
			return;
		}
		if ((long)sf.f_type != want[i].magic) {
			report("fail", "filesystems", "%s is not %s (magic 0x%lx)",
			       want[i].dir, want[i].name, (long)sf.f_type);
			return;
		}
	}
	report("ok", "filesystems", "/ ext4, /proc proc, /sys sysfs, /dev devtmpfs, /tmp tmpfs");

	if (stat("/", &st) < 0 || major(st.st_dev) != UBD_MAJOR ||
	    minor(st.st_dev) != 0)
		report("fail", "rootfs", "/ is not on ubda (device %u:%u)",
		       major(st.st_dev), minor(st.st_dev));
	else
		report("ok", "rootfs", "ext4 on ubda (device %d:0)", UBD_MAJOR);
}

/* A /proc/meminfo value in KiB ("Key:   N kB"); -1 if absent. */
static long long meminfo(const char *key)
{
	char buf[4096], *p;
	size_t klen = strlen(key);

	if (read_text("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 10);
	}
	return -1;
}

static void check_memory(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0) {
		report("fail", "memory", "sysinfo: %s", strerror(errno));
		return;
	}
	report("ok", "memory", "%llu MiB total",
	       (unsigned long long)si.totalram * si.mem_unit >> 20);
}

/*
 * A swap file the way the seeds make one (dd, mkswap, swapon): written in
 * full, no holes, with mkswap's version-1 header in its first page.
 */
static int make_swapfile(const char *path, size_t mib)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t chunk = 64 << 10, total = mib << 20;
	uint32_t info[3];
	char *buf;
	int fd, ret = 0;

	if (page < 4096 || (size_t)page > chunk)
		return -EINVAL;
	buf = calloc(1, chunk);
	if (!buf)
		return -ENOMEM;
	/* version 1, last page, no bad pages, after 1024 boot bytes */
	info[0] = 1;
	info[1] = (uint32_t)(total / (size_t)page - 1);
	info[2] = 0;
	memcpy(buf + 1024, info, sizeof(info));
	memcpy(buf + page - 10, "SWAPSPACE2", 10);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (size_t done = 0; !ret && done < total; done += chunk) {
		errno = 0;
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			ret = errno ? -errno : -EIO;
		if (!done)
			memset(buf, 0, (size_t)page);
	}
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	free(buf);
	return ret;
}

/*
 * Touch more than the guest has free, in a child, so that pages must go to
 * swap; the child reports how much swap was in use while it held them.
 * Returns the KiB of swap used, -ENOMEM when the child could not hold the
 * memory, -1000 - SIGNAL when it was killed, or -errno.
 */
static long long press_memory(size_t bytes)
{
	long long used = -1;
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (!pid) {
		long page = sysconf(_SC_PAGESIZE);
		char *m = malloc(bytes);
		struct sysinfo si;

		if (!m)
			_exit(2);
		for (size_t i = 0; i < bytes; i += (size_t)page)
			m[i] = (char)(i + 1);
		if (sysinfo(&si) < 0)
			_exit(3);
		used = (long long)(si.totalswap - si.freeswap) * si.mem_unit >> 10;
		if (write(pfd[1], &used, sizeof(used)) != sizeof(used))
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &used, sizeof(used)) != sizeof(used))
		used = -1;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return -1000 - WTERMSIG(status);
	if (WEXITSTATUS(status) || used < 0)
		return -ENOMEM;
	return used;
}

static void check_swap(void)
{
	long long avail, used;
	int ret;

	ret = make_swapfile(SWAP_FILE, SWAP_MIB);
	if (ret < 0) {
		report("fail", "swap", "cannot write %s: %s", SWAP_FILE,
		       strerror(-ret));
		return;
	}
	if (swapon(SWAP_FILE, 0) < 0) {
		report("fail", "swap", "swapon %s: %s", SWAP_FILE,
		       strerror(errno));
		unlink(SWAP_FILE);
		return;
	}
	avail = meminfo("MemAvailable");
	if (avail <= 0) {
		report("fail", "swap", "cannot read MemAvailable from /proc/meminfo");
		goto off;
	}
	/* 8 MiB more than is available */
	avail = (avail + 8192) >> 10;
	used = press_memory((size_t)avail << 20);
	if (used <= -1000)
		report("fail", "swap", "a %lld MiB allocation was killed by signal %lld with %d MiB of swap on",
		       avail, -used - 1000, SWAP_MIB);
	else if (used < 0)
		report("fail", "swap", "a %lld MiB allocation failed: %s",
		       avail, strerror((int)-used));
	else if (!used)
		report("fail", "swap", "no page went to %s under a %lld MiB allocation",
		       SWAP_FILE, avail);
	else
		report("ok", "swap", "%s (%d MiB) held %lld KiB under a %lld MiB allocation",
		       SWAP_FILE, SWAP_MIB, used, avail);
off:
	if (swapoff(SWAP_FILE) < 0)
		report("fail", "swap", "swapoff %s: %s", SWAP_FILE,
		       strerror(errno));
	unlink(SWAP_FILE);
}

/* Connect to a listener on addr, send a word, accept and read it back. */
static int stream_roundtrip(const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	int lfd, cfd = -1, afd = -1, ret = 0;
	char word[4] = "";

	lfd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, addr, len) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&bound, &blen) < 0)
		ret = -errno;
	if (!ret && (cfd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		ret = -errno;
	if (!ret && (connect(cfd, (struct sockaddr *)&bound, blen) < 0 ||
		     send(cfd, "ukb", 4, MSG_NOSIGNAL) != 4))
		ret = -errno;
	if (!ret && (afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		ret = -errno;
	if (!ret && recv(afd, word, sizeof(word), MSG_WAITALL) != 4)
		ret = errno ? -errno : -EIO;
	if (!ret && memcmp(word, "ukb", 4))
		ret = -EBADMSG;
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return ret;
}

static void check_sockets(void)
{
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || link_up(fd, "lo") < 0) {
		report("fail", "loopback", "cannot bring lo up: %s",
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);

	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ret = stream_roundtrip((struct sockaddr *)&in4, sizeof(in4));
	report(ret ? "fail" : "ok", "ipv4", "TCP over 127.0.0.1%s%s",
	       ret ? ": " : "", ret ? strerror(-ret) : "");

	in6.sin6_addr = in6addr_loopback;
	ret = stream_roundtrip((struct sockaddr *)&in6, sizeof(in6));
	report(ret ? "fail" : "ok", "ipv6", "TCP over ::1%s%s",
	       ret ? ": " : "", ret ? strerror(-ret) : "");

	snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/ukb-init.sock");
	unlink(un.sun_path);
	ret = stream_roundtrip((struct sockaddr *)&un, sizeof(un));
	unlink(un.sun_path);
	report(ret ? "fail" : "ok", "unix", "stream socket at %s%s%s",
	       un.sun_path, ret ? ": " : "", ret ? strerror(-ret) : "");
}

/*
 * Opening tty1 makes UML open a host pty and announce it on the console
 * ("Virtual console 1 assigned device '/dev/pts/N'"); the host opens that
 * pty, writes PTY_PING, and waits for PTY_PONG back.
 */
static void check_console_pty(void)
{
	struct pollfd pfd = { .events = POLLIN };
	struct termios t;
	char line[128];
	ssize_t n;

	pfd.fd = open("/dev/tty1", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (pfd.fd < 0) {
		report("fail", "console_pty", "cannot open /dev/tty1: %s",
		       strerror(errno));
		return;
	}
	if (tcgetattr(pfd.fd, &t) == 0) {
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(pfd.fd, TCSANOW, &t);
	}
	n = poll(&pfd, 1, PTY_WAIT_MS);
	if (n <= 0) {
		report("fail", "console_pty", "nothing came in on tty1 from the host pty in %d s",
		       PTY_WAIT_MS / 1000);
		goto out;
	}
	n = read(pfd.fd, line, sizeof(line) - 1);
	if (n < 0) {
		report("fail", "console_pty", "reading tty1: %s", strerror(errno));
		goto out;
	}
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, PTY_PING)) {
		report("fail", "console_pty", "tty1 read '%.64s', expected '%s'",
		       line, PTY_PING);
		goto out;
	}
	if (write(pfd.fd, PTY_PONG "\n", sizeof(PTY_PONG)) != sizeof(PTY_PONG) ||
	    tcdrain(pfd.fd) < 0) {
		report("fail", "console_pty", "writing tty1: %s", strerror(errno));
		goto out;
	}
	report("ok", "console_pty", "tty1 read '%s' from the host pty and answered '%s'",
	       PTY_PING, PTY_PONG);
out:
	close(pfd.fd);
}

void deploy_checks(void)
{
	mkdir("/tmp", 01777);
	mount_fs("tmpfs", "/tmp");
	check_filesystems();
	check_memory();
	check_sockets();
	check_swap();
	check_console_pty();
}
