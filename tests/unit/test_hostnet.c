/*
 * hostnet, for real: TAPs, addresses, ip_forward and the rules of each
 * backend (nft, iptables-legacy, iptables-nft), in a network namespace of
 * the test's own, never in the machine's. A WAN veth with a default route
 * plays the OpenVZ container's venet0. Needs root: without it the test
 * fails, as CI runs it as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "host/firewall.h"
#include "host/hostnet.h"
#include "host/rtnl.h"
#include "host/tap.h"

#define WAN "ukbwan0"
#define TAP "ukbtap0"

/* run argv, which must succeed; its output, which the caller frees */
static char *run(const char *first, ...)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	const char *a;
	va_list ap;
	int ret;

	va_start(ap, first);
	for (a = first; a; a = va_arg(ap, const char *))
		strvec_push(&argv, a);
	va_end(ap);
	ret = proc_capture(argv.v, &out);
	if (ret)
		fail_msg("'%s' failed: %s", argv.v[0], out.buf);
	strvec_clear(&argv);
	return strbuf_detach(&out, NULL);
}

/* what the backend shows of the whole ruleset, dates left out */
static char *ruleset(enum fw_backend b)
{
	char *raw = b == FW_NFT ? run("nft", "list", "ruleset", NULL) :
		    b == FW_IPTABLES ? run("iptables-nft-save", NULL) :
		    run("iptables-legacy-save", NULL);
	struct strbuf sb = STRBUF_INIT;

	for (char *l = raw; *l; ) {
		size_t len = strcspn(l, "\n");

		if (*l != '#')
			strbuf_add(&sb, l, len + (l[len] == '\n'));
		l += len + (l[len] == '\n');
	}
	free(raw);
	return strbuf_detach(&sb, NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static int forwarding(void)
{
	struct strbuf sb = STRBUF_INIT;
	int on;

	assert_int_equal(strbuf_read_file(&sb, "/proc/sys/net/ipv4/ip_forward"),
			 0);
	on = sb.buf[0] == '1';
	strbuf_release(&sb);
	return on;
}

static void set_forwarding(int on)
{
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, on ? "1" : "0", 1), 1);
	close(fd);
}

static int link_exists(const char *name)
{
	struct rtnl_link l;
	int ret = rtnl_link_get(name, &l);

	assert_true(ret == 0 || ret == -ENODEV);
	return !ret;
}

static void spec(struct netspec *n, const char *name, const char *tap,
		 uint32_t net)
{
	const char *why = NULL;

	netspec_init(n, name);
	free(n->tap);
	n->tap = xstrdup(tap);
	n->host_ip = net | 1;
	n->guest_ip = net | 2;
	n->fwd = xcalloc(2, sizeof(*n->fwd));
	assert_int_equal(netspec_parse_ports("tcp:10000-20000", &n->fwd[0],
					     &why), 0);
	assert_int_equal(netspec_parse_ports("udp:10221", &n->fwd[1], &why),
			 0);
	n->nr_fwd = 2;
}

/* the lines that must be there once "name" is up */
static void expect_ours(enum fw_backend b, const char *rules,
			const char *name)
{
	struct strbuf want = STRBUF_INIT;

	if (b == FW_NFT) {
		strbuf_addf(&want, "table ip umlkbuild-%s {", name);
		assert_non_null(strstr(rules, want.buf));
		assert_non_null(strstr(rules, "iifname \"" WAN "\" tcp "
				       "dport 22 return"));
		assert_non_null(strstr(rules, "tcp dport 10000-20000 dnat "
				       "to 10.0.0.2"));
		assert_non_null(strstr(rules, "udp dport 10221 dnat to "
				       "10.0.0.2"));
		assert_non_null(strstr(rules, "oifname \"" WAN "\" ip saddr "
				       "10.0.0.0/24 masquerade"));
		strbuf_release(&want);
		return;
	}
	strbuf_addf(&want, "-A PREROUTING -j UKB-%s-PRE\n", name);
	assert_int_equal(count(rules, want.buf), 1);
	strbuf_reset(&want);
	strbuf_addf(&want, "-A POSTROUTING -j UKB-%s-PST\n", name);
	assert_int_equal(count(rules, want.buf), 1);
	strbuf_reset(&want);
	strbuf_addf(&want, "-A FORWARD -j UKB-%s-FWD\n", name);
	assert_int_equal(count(rules, want.buf), 1);
	strbuf_reset(&want);
	strbuf_addf(&want, "-A UKB-%s-PRE -i " WAN " -p tcp -m tcp --dport 22 "
		    "-j RETURN\n-A UKB-%s-PRE -i " WAN " -p tcp -m tcp "
		    "--dport 10000:20000 -j DNAT --to-destination 10.0.0.2\n",
		    name, name);
	assert_non_null(strstr(rules, want.buf));
	strbuf_reset(&want);
	strbuf_addf(&want, "-A UKB-%s-PST -s 10.0.0.0/24 -o " WAN
		    " -j MASQUERADE\n", name);
	assert_non_null(strstr(rules, want.buf));
	strbuf_release(&want);
}

static void expect_status(const struct netspec *n, enum fw_backend b,
			  bool all)
{
	struct hostnet_status st;

	assert_int_equal(hostnet_status(n, b, &st), 0);
	assert_string_equal(st.wan_if, WAN);
	assert_int_equal(st.tap_exists, all);
	assert_int_equal(st.tap_up, all);
	assert_int_equal(st.tap_addr, all);
	assert_int_equal(st.rules, all);
	assert_int_equal(fw_present(n->name, b), all);
}

/* the host's own rules in nat and filter, added (-A) or deleted (-D) */
static void host_rules(enum fw_backend b, const char *op)
{
	const char *cmd = b == FW_IPTABLES ? "iptables-nft" : "iptables-legacy";

	free(run(cmd, "-t", "nat", op, "POSTROUTING", "-o", WAN, "-j",
		 "MASQUERADE", NULL));
	free(run(cmd, "-t", "filter", op, "FORWARD", "-i", WAN, "-p", "icmp",
		 "-j", "ACCEPT", NULL));
}

/* up twice, a second deployment beside it, down: exactly ours goes */
static void cycle(enum fw_backend b)
{
	struct netspec n, other;
	struct hostnet_status st;
	char *before, *first, *second, *after, *link;

	spec(&n, "t1", TAP, 0x0a000000);
	spec(&other, "t1-2", "ukbtap1", 0x0a000100);
	set_forwarding(0);
	/* the host's own rules, which must outlive ours */
	if (b == FW_NFT)
		free(run("nft", "add table ip hostfw; add chain ip hostfw "
			 "post { type nat hook postrouting priority 100; }; "
			 "add rule ip hostfw post oifname " WAN " masquerade",
			 NULL));
	else
		host_rules(b, "-A");
	before = ruleset(b);

	assert_int_equal(hostnet_up(&n, b, &st), 0);
	assert_string_equal(st.wan_if, WAN);
	assert_true(st.tap_exists && st.tap_up && st.tap_addr &&
		    st.forwarding && st.rules);
	assert_int_equal(forwarding(), 1);
	link = run("ip", "-d", "addr", "show", "dev", TAP, NULL);
	assert_non_null(strstr(link, "tun type tap"));
	assert_non_null(strstr(link, "persist on"));
	assert_non_null(strstr(link, "inet 10.0.0.1/24"));
	assert_non_null(strstr(link, ",UP"));
	free(link);
	first = ruleset(b);
	expect_ours(b, first, "t1");

	/* status finds them without being told where */
	assert_int_equal(hostnet_status(&n, FW_AUTO, &st), 0);
	assert_true(st.rules);
	assert_int_equal(st.fw, b);

	/* the same again changes nothing */
	assert_int_equal(hostnet_up(&n, b, NULL), 0);
	second = ruleset(b);
	assert_string_equal(first, second);
	expect_status(&n, b, true);

	/* a name that starts like ours is not ours */
	assert_int_equal(hostnet_up(&other, b, NULL), 0);
	assert_int_equal(hostnet_down(&n, b), 0);
	expect_status(&n, b, false);
	expect_status(&other, b, true);
	assert_false(link_exists(TAP));
	assert_int_equal(hostnet_down(&other, b), 0);
	after = ruleset(b);
	assert_string_equal(after, before);
	assert_null(strstr(after, "UKB-"));
	assert_null(strstr(after, "umlkbuild"));
	assert_false(link_exists("ukbtap1"));
	/* gone already: nothing to do is no error */
	assert_int_equal(hostnet_down(&n, b), 0);

	if (b == FW_NFT)
		free(run("nft", "delete table ip hostfw", NULL));
	else
		host_rules(b, "-D");
	free(before);
	free(first);
	free(second);
	free(after);
	netspec_release(&n);
	netspec_release(&other);
}

static void test_nft(void **state)
{
	(void)state;
	cycle(FW_NFT);
}

static void test_iptables_legacy(void **state)
{
	(void)state;
	cycle(FW_IPTABLES_LEGACY);
}

static void test_iptables_nft(void **state)
{
	(void)state;
	cycle(FW_IPTABLES);
}

/* auto: nft, unless an iptables FORWARD policy is DROP (it would win) */
static void test_auto(void **state)
{
	enum fw_backend got = FW_AUTO;

	(void)state;
	assert_int_equal(fw_resolve(FW_AUTO, &got), 0);
	assert_int_equal(got, FW_NFT);
	free(run("iptables-legacy", "-P", "FORWARD", "DROP", NULL));
	assert_int_equal(fw_resolve(FW_AUTO, &got), 0);
	assert_int_equal(got, FW_IPTABLES_LEGACY);
	free(run("iptables-legacy", "-P", "FORWARD", "ACCEPT", NULL));
	free(run("iptables-nft", "-P", "FORWARD", "DROP", NULL));
	assert_int_equal(fw_resolve(FW_AUTO, &got), 0);
	assert_int_equal(got, FW_IPTABLES);
	free(run("iptables-nft", "-P", "FORWARD", "ACCEPT", NULL));
	assert_int_equal(fw_resolve(FW_IPTABLES, &got), 0);
	assert_int_equal(got, FW_IPTABLES);
	assert_int_equal(fw_resolve(FW_IPTABLES_LEGACY, &got), 0);
	assert_int_equal(got, FW_IPTABLES_LEGACY);
}

/*
 * A PATH where iptables-legacy-restore passes for itself but refuses the
 * rules: the failure comes after the TAP, its address and ip_forward.
 */
static char *failing_restore(void)
{
	char dir[] = "/tmp/ukb-test-hostnet.XXXXXX";
	char *script, *save;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	script = xasprintf("%s/iptables-legacy-restore", dir);
	f = fopen(script, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n"
	      "[ \"$1\" = --version ] && "
	      "{ echo 'iptables-restore v1.8.9 (legacy)'; exit 0; }\n"
	      "echo 'iptables-restore: line 3 failed (injected)' >&2\n"
	      "exit 1\n", f);
	fclose(f);
	assert_int_equal(chmod(script, 0755), 0);
	save = xasprintf("%s/iptables-legacy-save", dir);
	assert_int_equal(symlink("/usr/sbin/iptables-legacy-save", save), 0);
	free(script);
	free(save);
	return xstrdup(dir);
}

static void test_rollback(void **state)
{
	struct netspec n;
	char *dir = failing_restore(), *path, *rules, *link;
	const char *old = getenv("PATH");
	char *saved = xstrdup(old ? old : "/usr/bin:/bin");
	bool created;
	struct rtnl_link l;

	(void)state;
	spec(&n, "t1", TAP, 0x0a000000);
	path = xasprintf("%s:%s", dir, saved);
	setenv("PATH", path, 1);

	/* everything this call made goes again */
	set_forwarding(0);
	assert_int_equal(hostnet_up(&n, FW_IPTABLES_LEGACY, NULL),
			 -UKB_EHOST);
	assert_false(link_exists(TAP));
	assert_int_equal(forwarding(), 0);

	/* a TAP that was there stays, as it was: down, no address */
	assert_int_equal(tap_create(TAP, (uid_t)-1, &created), 0);
	assert_true(created);
	assert_int_equal(hostnet_up(&n, FW_IPTABLES_LEGACY, NULL),
			 -UKB_EHOST);
	assert_int_equal(rtnl_link_get(TAP, &l), 0);
	assert_false(l.up);
	assert_int_equal(rtnl_addr_has(l.index, n.host_ip, n.prefix), 0);
	link = run("ip", "addr", "show", "dev", TAP, NULL);
	assert_null(strstr(link, "inet "));
	free(link);
	assert_int_equal(forwarding(), 0);

	setenv("PATH", saved, 1);
	rules = ruleset(FW_IPTABLES_LEGACY);
	assert_null(strstr(rules, "UKB-"));
	assert_int_equal(tap_delete(TAP), 0);
	assert_false(link_exists(TAP));
	free(rules);
	free(path);
	free(saved);
	free(run("rm", "-r", dir, NULL));
	free(dir);
	netspec_release(&n);
}

/* hostnet_up(n) fails with err and leaves no rules and no TAP of n's */
static void expect_refused(const struct netspec *n, int err, bool tap_stays)
{
	assert_int_equal(hostnet_up(n, FW_NFT, NULL), err);
	assert_int_equal(fw_present(n->name, FW_NFT), 0);
	assert_int_equal(link_exists(n->tap), tap_stays);
}

static void test_refusals(void **state)
{
	struct netspec n;
	struct ifreq ifr;
	int fd;

	(void)state;
	spec(&n, "t1", "ukbveth", 0x0a000000);
	/* a name that something else uses */
	free(run("ip", "link", "add", "ukbveth", "type", "veth", "peer",
		 "name", "ukbvethp", NULL));
	expect_refused(&n, -UKB_EUSAGE, true);
	free(run("ip", "link", "del", "ukbveth", NULL));
	free(n.tap);
	n.tap = xstrdup("ukbtun");
	free(run("ip", "tuntap", "add", "ukbtun", "mode", "tun", NULL));
	expect_refused(&n, -UKB_EUSAGE, true);
	free(run("ip", "tuntap", "del", "ukbtun", "mode", "tun", NULL));
	free(n.tap);
	n.tap = xstrdup("ukbbusy");
	fd = open("/dev/net/tun", O_RDWR);
	assert_true(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, "ukbbusy");
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	expect_refused(&n, -UKB_EUSAGE, true);
	close(fd);
	assert_false(link_exists("ukbbusy"));

	/* no WAN to be found */
	n.wan_if = xstrdup("nosuch0");
	expect_refused(&n, -UKB_EUSAGE, false);
	free(n.wan_if);
	n.wan_if = NULL;
	free(run("ip", "route", "del", "default", NULL));
	expect_refused(&n, -UKB_EHOST, false);
	free(run("ip", "route", "add", "default", "via", "192.0.2.254",
		 NULL));

	/* a bad spec changes nothing */
	n.guest_ip = 0x0a000102;
	expect_refused(&n, -UKB_EUSAGE, false);
	netspec_release(&n);
}

/* run fn in a child; its stderr comes back in err; it must exit with 0 */
static void in_child(void (*fn)(const struct netspec *), struct strbuf *err)
{
	struct netspec n;
	int fds[2], status;
	char buf[4096];
	ssize_t got;
	pid_t pid;

	spec(&n, "t1", TAP, 0x0a000000);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(fds[1], 2);
		close(fds[0]);
		fn(&n);
		_exit(99);
	}
	close(fds[1]);
	while ((got = read(fds[0], buf, sizeof(buf))) > 0)
		strbuf_add(err, buf, (size_t)got);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("child: status 0x%x: %s", status, err->buf);
	assert_false(link_exists(TAP));
	netspec_release(&n);
}

static void not_root(const struct netspec *n)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		_exit(2);
	_exit(hostnet_up(n, FW_NFT, NULL) == -UKB_EHOST ? 0 : 1);
}

/* an OpenVZ container without TUN/TAP: /dev/net is empty */
static void no_tun(const struct netspec *n)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/dev/net", "tmpfs", 0, NULL))
		_exit(2);
	_exit(hostnet_up(n, FW_NFT, NULL) == -UKB_EHOST ? 0 : 1);
}

/* the host's own nft table drops forwarded packets: say so */
static void forward_dropped(const struct netspec *n)
{
	static const char *const add[] = {
		"nft", "add table inet hostfw; add chain inet hostfw forwarded "
		"{ type filter hook forward priority 0; policy drop; }", NULL,
	};
	static const char *const del[] = {
		"nft", "delete table inet hostfw", NULL,
	};
	struct strbuf out = STRBUF_INIT;
	int ok = !proc_capture(add, &out) &&
		 !hostnet_up(n, FW_NFT, NULL) && !hostnet_down(n, FW_NFT) &&
		 !proc_capture(del, &out);

	_exit(ok ? 0 : 1);
}

static void test_bad_hosts(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	in_child(not_root, &err);
	assert_non_null(strstr(err.buf, "error: the network of 't1' needs "
			       "root to set up\n"));
	strbuf_reset(&err);
	in_child(no_tun, &err);
	assert_non_null(strstr(err.buf, "error: cannot open '/dev/net/tun': "
			       "No such file or directory\n"));
	assert_non_null(strstr(err.buf, "TUN/TAP"));
	assert_non_null(strstr(err.buf, "`umlkbuild doctor`"));
	strbuf_reset(&err);
	in_child(forward_dropped, &err);
	assert_non_null(strstr(err.buf, "warning: nft table 'inet hostfw' "
			       "drops forwarded packets by policy"));
	strbuf_release(&err);
}

/* the WAN: a veth with an address and the default route through it */
static int setup_wan(void)
{
	static const char *const cmds[][12] = {
		{ "ip", "link", "set", "lo", "up" },
		{ "ip", "link", "add", WAN, "type", "veth", "peer", "name",
		  WAN "p" },
		{ "ip", "addr", "add", "192.0.2.1/24", "dev", WAN },
		{ "ip", "link", "set", WAN, "up" },
		{ "ip", "link", "set", WAN "p", "up" },
		{ "ip", "route", "add", "default", "via", "192.0.2.254" },
	};
	struct strbuf out = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cmds) && !ret; i++) {
		ret = proc_capture(cmds[i], &out);
		if (ret)
			fprintf(stderr, "test_hostnet: '%s %s %s' failed: %s\n",
				cmds[i][0], cmds[i][1], cmds[i][2], out.buf);
	}
	strbuf_release(&out);
	return ret;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft),
		cmocka_unit_test(test_iptables_legacy),
		cmocka_unit_test(test_iptables_nft),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_hosts),
	};
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_hostnet: FAILED: it needs root, to "
			"make a network namespace of its own (CI runs it as "
			"root)\n");
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		/* from here on, nothing can reach the machine's network */
		if (unshare(CLONE_NEWNET)) {
			perror("test_hostnet: unshare(CLONE_NEWNET)");
			_exit(1);
		}
		if (setup_wan())
			_exit(1);
		exit(cmocka_run_group_tests(tests, NULL, NULL));
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
