#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "boot/boot.h"
#include "boot/deploy.h"
#include "boot/hostkernel.h"
#include "configure/kconfig.h"
#include "verify/verify.h"
#include "base/banned.h"

#define PREFIX "ukb-init: "

static char *dup_trim(const char *s, const char *end)
{
	while (s < end && *s == ' ')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

int bootlog_parse_line(const char *line, size_t len, struct boot_result *r)
{
	const char *p, *end = line + len, *sp, *colon;
	size_t plen = strlen(PREFIX);
	struct boot_check *c;

	if (!r->panic && memmem(line, len, "Kernel panic", 12))
		r->panic = xstrndup(line, len);
	if (!r->stub_crash && memmem(line, len, "wait_stub_done", 14))
		r->stub_crash = xstrndup(line, len);
	if (!r->tls_failure &&
	    memmem(line, len, "PTRACE_SET_THREAD_AREA failed", 29))
		r->tls_failure = xstrndup(line, len);
	p = memmem(line, len, PREFIX, plen);
	if (!p)
		return 0;
	p += plen;
	if ((size_t)(end - p) >= 7 && !strncmp(p, "result ", 7)) {
		r->saw_result = 1;
		r->passed = (size_t)(end - p) >= 11 && !strncmp(p + 7, "pass", 4);
		return 1;
	}
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		return 0;
	colon = memchr(sp, ':', (size_t)(end - sp));
	if (!colon)
		return 0;
	ALLOC_GROW(r->checks, r->nr + 1, r->alloc);
	c = &r->checks[r->nr++];
	c->status = dup_trim(p, sp);
	c->name = dup_trim(sp + 1, colon);
	c->detail = dup_trim(colon + 1, end);
	if (!strcmp(c->status, "fail"))
		r->nr_failed++;
	if (!strcmp(c->name, "kernel") && !r->kernel)
		r->kernel = xstrdup(c->detail);
	return 1;
}

void boot_result_release(struct boot_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->checks[i].status);
		free(r->checks[i].name);
		free(r->checks[i].detail);
	}
	free(r->checks);
	free(r->skip_reason);
	free(r->panic);
	free(r->stub_crash);
	free(r->tls_failure);
	free(r->kernel);
	memset(r, 0, sizeof(*r));
}

struct console {
	FILE *log;
	struct boot_result *r;
	struct deploy *dep;     /* --deploy: answers the pty announcement */
};

static void on_console(void *ctx, const char *line, size_t len)
{
	struct console *c = ctx;

	if (c->log) {
		fwrite(line, 1, len, c->log);
		fputc('\n', c->log);
	}
	bootlog_parse_line(line, len, c->r);
	if (c->dep)
		deploy_console_line(c->dep, line, len);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int judge(const struct boot_opts *o, struct proc *p, int ret,
		 struct boot_result *r, int quiet)
{
	struct strbuf why = STRBUF_INIT;

	if (ret == -UKB_EINTR)
		return ret;
	if (r->saw_result && r->passed && !r->nr_failed && ret == 0)
		return 0;
	/* a boot that will be retried stays quiet */
	if (quiet)
		return -UKB_EBOOT;
	for (size_t i = 0; i < r->nr; i++) {
		if (strcmp(r->checks[i].status, "fail"))
			continue;
		ret = error(-UKB_EBOOT, "boot check failed: %s: %s",
			    r->checks[i].name, r->checks[i].detail);
		goto hint;
	}
	if (r->stub_crash) {
		ret = error(-UKB_EBOOT,
			    "the guest crashed starting its first process: %s",
			    r->stub_crash);
		hint("a static UML on glibc 2.35+ needs the rseq patch "
		     "(patches/0002-um-unregister-glibc-rseq.patch)");
		goto hint;
	}
	if (r->panic) {
		ret = error(-UKB_EBOOT, "the guest panicked: %s", r->panic);
		goto hint;
	}
	proc_describe(p, &why);
	ret = error(-UKB_EBOOT, "'%s' %s before ukb-init reported a result",
		    o->vmlinux, why.buf);
hint:
	if (o->log_path)
		hint("the guest's console is in '%s'", o->log_path);
	strbuf_release(&why);
	return ret;
}

/* The seeds' addresses, only ever inside the namespace a run creates. */
#define NET_TAP "ukbtap0"
#define NET_HOST_IP "10.0.0.1"
#define NET_PREFIX 24
#define NET_GUEST "10.0.0.2/24"
#define NET_DEFAULT_BYTES (4ULL << 20)
/* the sink stops reading this far past what it was promised */
#define NET_SLACK (1ULL << 20)

struct net_run {
	int home_ns;            /* our original network namespace */
	int listen_fd;
	unsigned port;
	unsigned long long want, got;
	double seconds;
	int err;                /* the sink's -errno, 0 when fine */
	char peer[INET_ADDRSTRLEN];
	atomic_int stop;
	int thread_started;
	pthread_t thread;
};

static void add_check(struct boot_result *r, const char *status,
		      const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_check(struct boot_result *r, const char *status,
		      const char *name, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct boot_check *c;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(r->checks, r->nr + 1, r->alloc);
	c = &r->checks[r->nr++];
	c->status = xstrdup(status);
	c->name = xstrdup(name);
	c->detail = strbuf_detach(&sb, NULL);
	if (!strcmp(status, "fail"))
		r->nr_failed++;
}

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
	struct timespec t0;
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
	clock_gettime(CLOCK_MONOTONIC, &t0);
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
	n->seconds = elapsed(&t0);
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
static int net_enter(struct net_run *n)
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
	if (n->home_ns < 0)
		return error(-UKB_EHOST, "cannot open /proc/self/ns/net: %s",
			     strerror(errno));
	if (unshare(CLONE_NEWNET) < 0) {
		ret = error(-UKB_EHOST, "cannot create a network namespace: %s",
			    strerror(errno));
		close(n->home_ns);
		n->home_ns = -1;
		return ret;
	}
	ret = tap_persist(NET_TAP, 1, NULL);
	if (ret) {
		ret = error(-UKB_EHOST, "cannot create the TAP device '%s': %s",
			    NET_TAP, strerror(-ret));
		goto out;
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ret = sock < 0 ? -errno : if_up_with(sock, "lo", NULL, 0);
	if (!ret)
		ret = if_up_with(sock, NET_TAP, NET_HOST_IP, NET_PREFIX);
	if (ret) {
		ret = error(-UKB_EHOST, "cannot give '%s' the address %s/%d: %s",
			    NET_TAP, NET_HOST_IP, NET_PREFIX, strerror(-ret));
		goto out;
	}
	ret = net_listen(n);
	if (ret) {
		ret = error(-UKB_EHOST, "cannot listen on %s: %s", NET_HOST_IP,
			    strerror(-ret));
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
static void net_leave(struct net_run *n)
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
		warning("cannot return to the original network namespace: %s",
			strerror(errno));
	close(n->home_ns);
	n->home_ns = -1;
}

/* What the host's side saw of the guest's flow. */
static void net_judge(const struct net_run *n, struct boot_result *r)
{
	if (n->got >= n->want)
		add_check(r, "ok", "net_host_received",
			  "%llu bytes from %s on %s in %.2f s", n->got, n->peer,
			  NET_TAP, n->seconds);
	else if (n->err)
		add_check(r, "fail", "net_host_received",
			  "%llu of %llu bytes, then: %s", n->got, n->want,
			  strerror(-n->err));
	else
		add_check(r, "fail", "net_host_received",
			  "%llu of %llu bytes reached %s:%u", n->got, n->want,
			  NET_HOST_IP, n->port);
}

/* A 32-bit guest needs the 32-bit init. */
static const char *default_init(const char *vmlinux)
{
	struct elf_facts f;

	if (verify_read_elf_quiet(vmlinux, &f) == 0 && f.elf_class == 32)
		return ukb_init_path_arch(ARCH_I386);
	return ukb_init_path();
}

static int boot_once(const struct boot_opts *o, struct boot_result *r,
		     int quiet)
{
	const char *init = o->init ? o->init : default_init(o->vmlinux);
	struct strvec argv = STRVEC_INIT;
	struct console con = { .r = r };
	struct net_run net = { .home_ns = -1, .listen_fd = -1 };
	struct deploy dep = DEPLOY_INIT;
	struct proc p = { 0 };
	struct timespec t0;
	int ret;

	memset(r, 0, sizeof(*r));
	if (access(init, X_OK) < 0)
		return error(-UKB_EHOST, "cannot run the boot check's init '%s': %s",
			     init, strerror(errno));
	if (access(o->vmlinux, X_OK) < 0)
		return error(-errno, "cannot run '%s': %s", o->vmlinux,
			     strerror(errno));
	if (o->deploy) {
		ret = deploy_prepare(&dep, init);
		if (ret) {
			deploy_release(&dep);
			return ret;
		}
		con.dep = &dep;
	}
	if (o->log_path) {
		con.log = fopen(o->log_path, "we");
		if (!con.log) {
			deploy_release(&dep);
			return error(-errno, "cannot write '%s': %s",
				     o->log_path, strerror(errno));
		}
	}
	strvec_push(&argv, o->vmlinux);
	strvec_pushf(&argv, "mem=%s",
		     o->mem ? o->mem : o->deploy ? "64m" : "256m");
	strvec_pushl(&argv, "con=null", "con0=null,fd:1", NULL);
	if (o->deploy) {
		deploy_args(&dep, &argv);
	} else {
		strvec_pushl(&argv, "root=/dev/root", "rootfstype=hostfs",
			     "rootflags=/", "rw", NULL);
		strvec_pushf(&argv, "init=%s", init);
	}
	strvec_pushv(&argv, o->extra);
	if (o->net) {
		net.want = o->net_bytes ? o->net_bytes : NET_DEFAULT_BYTES;
		ret = net_enter(&net);
		if (ret) {
			net_leave(&net);
			if (con.log)
				fclose(con.log);
			strvec_clear(&argv);
			deploy_release(&dep);
			return ret;
		}
		strvec_pushf(&argv, "eth0=tuntap,%s", NET_TAP);
		strvec_pushf(&argv, "ukb.net=%s,%s,%u,%llu", NET_GUEST,
			     NET_HOST_IP, net.port, net.want);
	}

	p.argv = argv.v;
	p.timeout_ms = (o->timeout_s > 0 ? o->timeout_s : 120) * 1000;
	p.on_line = on_console;
	p.ctx = &con;
	p.quiet_log = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = proc_run(&p);
	r->seconds = elapsed(&t0);
	if (o->net) {
		net_leave(&net);
		if (ret != -ENOEXEC)
			net_judge(&net, r);
	}
	if (o->deploy && ret != -ENOEXEC && ret != -UKB_EINTR) {
		int ok;
		char *detail = deploy_pty_verdict(&dep, &ok);

		add_check(r, ok ? "ok" : "fail", "console_pty_host", "%s", detail);
		free(detail);
	}
	deploy_release(&dep);
	if (con.log)
		fclose(con.log);
	strvec_clear(&argv);

	if (ret == -ENOEXEC) {
		/* e.g. an i386 binary on a host without IA32 emulation */
		r->ran = 0;
		r->skip_reason = xstrdup("this host cannot execute 32-bit binaries");
		warning("%s; boot check skipped", r->skip_reason);
		return 0;
	}
	if (ret < 0 && ret > -UKB_EBASE)
		return error_errno(ret, "cannot start '%s'", o->vmlinux);
	r->ran = 1;
	return judge(o, &p, ret, r, quiet);
}

#define BOOT_ATTEMPTS 5

/*
 * Refuse, before starting it, a kernel whose line needs what this host's
 * kernel lacks (hostkernel.h): otherwise it dies with no word of why.
 */
static int check_host_kernel(const char *vmlinux)
{
	struct hostkernel hk;
	struct kver v;
	struct stat st;
	const char *why = NULL;
	char ver[48], newest[32];
	void *map;
	int fd, ret = 0;

	fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* starting it reports that */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !st.st_size) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	if (!hostkernel_banner_version(map, (size_t)st.st_size, &v)) {
		hostkernel_probe(&hk);
		if (hostkernel_can_run(&hk, &v, &why)) {
			kver_format(&v, ver, sizeof(ver));
			hostkernel_newest_line(&hk, newest, sizeof(newest));
			ret = error(-UKB_EHOST, "cannot boot '%s' (linux %s) on this host: %s",
				    vmlinux, ver, why);
			hint("this host (Linux %s) runs UML %s and older: use such an artifact here, or --no-boot",
			     hk.release, newest);
		}
	}
	munmap(map, (size_t)st.st_size);
	return ret;
}

int boot_run(const struct boot_opts *o, struct boot_result *r)
{
	int ret, attempt = 1;

	ret = check_host_kernel(o->vmlinux);
	if (ret)
		return ret;

	for (;;) {
		int last = attempt == BOOT_ATTEMPTS;

		ret = boot_once(o, r, !last);
		r->attempts = attempt;
		if (ret != -UKB_EBOOT || last)
			return ret;
		if (r->tls_failure) {
			warning("the 32-bit guest failed to set up TLS (%s); booting it again (%d of %d)",
				r->tls_failure, attempt + 1, BOOT_ATTEMPTS);
			attempt++;
		} else {
			/* another failure: boot once more, reporting it */
			attempt = BOOT_ATTEMPTS;
		}
		boot_result_release(r);
	}
}
