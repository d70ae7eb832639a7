/*
 * netspec: a deployment's network as the operator gives it (ports, names,
 * addresses), parsed and checked without touching the host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "errors.h"
#include "host/netspec.h"
#include "inet.h"
#include "strbuf.h"
#include "wrapper.h"

static void expect_ports(const char *s, unsigned proto, unsigned lo,
			 unsigned hi)
{
	struct port_range r;
	struct strbuf sb = STRBUF_INIT;
	const char *why = NULL;

	assert_int_equal(netspec_parse_ports(s, &r, &why), 0);
	assert_int_equal(r.proto, proto);
	assert_int_equal(r.lo, lo);
	assert_int_equal(r.hi, hi);
	/* and back: the same text */
	netspec_format_ports(&r, &sb);
	assert_string_equal(sb.buf, s);
	strbuf_release(&sb);
}

static void expect_bad_ports(const char *s, const char *reason)
{
	struct port_range r = { 7, 7, 7 };
	const char *why = NULL;

	assert_int_equal(netspec_parse_ports(s, &r, &why), -UKB_EUSAGE);
	assert_non_null(why);
	if (reason)
		assert_string_equal(why, reason);
	/* nothing written on failure */
	assert_int_equal(r.proto, 7);
}

static void test_ports(void **state)
{
	(void)state;
	expect_ports("tcp:10000-20000", NETSPEC_TCP, 10000, 20000);
	expect_ports("udp:10221", NETSPEC_UDP, 10221, 10221);
	expect_ports("tcp:80", NETSPEC_TCP, 80, 80);
	expect_ports("tcp:1", NETSPEC_TCP, 1, 1);
	expect_ports("udp:65535", NETSPEC_UDP, 65535, 65535);
	expect_ports("all", NETSPEC_ALL, 1, 65535);
	expect_bad_ports("tcp:0", "a port is a number 1 to 65535");
	expect_bad_ports("tcp:65536", "a port is a number 1 to 65535");
	expect_bad_ports("tcp:99999999999", "a port is a number 1 to 65535");
	expect_bad_ports("tcp:080", "a port is a number 1 to 65535");
	expect_bad_ports("tcp:-5", "a port is a number 1 to 65535");
	expect_bad_ports("tcp:20-10", "the range's first port is above its "
			 "last");
	expect_bad_ports("tcp:10-", "a port is a number 1 to 65535");
	expect_bad_ports("tcp:10:20", NULL);
	expect_bad_ports("tcp:10-20-30", NULL);
	expect_bad_ports("tcp:", NULL);
	expect_bad_ports("sctp:80", NULL);
	expect_bad_ports("TCP:80", NULL);
	expect_bad_ports("80", NULL);
	expect_bad_ports("", NULL);
	expect_bad_ports("All", NULL);
	expect_bad_ports("all ", NULL);
	expect_bad_ports("tcp:80 ", NULL);
	expect_bad_ports("tcp: 80", NULL);
}

static void test_names(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(netspec_check_name("bbr", &why), 0);
	assert_int_equal(netspec_check_name("a", &why), 0);
	assert_int_equal(netspec_check_name("web-1_x", &why), 0);
	assert_int_equal(netspec_check_name("abcdefghijabcdefghij", &why), 0);
	assert_int_equal(netspec_check_name("abcdefghijabcdefghijk", &why),
			 -UKB_EUSAGE);
	assert_string_equal(why, "longer than 20 characters");
	assert_int_equal(netspec_check_name("", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("1bbr", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("-bbr", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("Bbr", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("b b", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("b/b", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("b\"b", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_name("b.b", &why), -UKB_EUSAGE);

	assert_int_equal(netspec_check_ifname("tap0", &why), 0);
	assert_int_equal(netspec_check_ifname("venet0", &why), 0);
	assert_int_equal(netspec_check_ifname("eth0.100", &why), 0);
	assert_int_equal(netspec_check_ifname("abcdefghijklmno", &why), 0);
	assert_int_equal(netspec_check_ifname("abcdefghijklmnop", &why),
			 -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname(".", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("..", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("all", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("tap/0", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("tap 0", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("tap:0", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("tap\"0", &why), -UKB_EUSAGE);
	assert_int_equal(netspec_check_ifname("tap\n", &why), -UKB_EUSAGE);
}

/* netspec_check's verdict, and its reason when it refuses */
static void expect_verdict(const struct netspec *n, const char *reason)
{
	char *why = (char *)"unset";

	if (!reason) {
		assert_int_equal(netspec_check(n, &why), 0);
		assert_null(why);
		return;
	}
	assert_int_equal(netspec_check(n, &why), -UKB_EUSAGE);
	assert_string_equal(why, reason);
	free(why);
}

static void add(struct port_range **v, size_t *nr, const char *s)
{
	const char *why = NULL;

	*v = xrealloc(*v, (*nr + 1) * sizeof(**v));
	assert_int_equal(netspec_parse_ports(s, &(*v)[*nr], &why), 0);
	(*nr)++;
}

static void test_defaults(void **state)
{
	struct netspec n;
	char ip[16];

	(void)state;
	netspec_init(&n, "bbr");
	assert_string_equal(n.name, "bbr");
	assert_string_equal(n.tap, "tap0");
	assert_string_equal(inet_ntoa_r(n.host_ip, ip, sizeof(ip)),
			    "10.0.0.1");
	assert_int_equal(n.prefix, 24);
	assert_string_equal(inet_ntoa_r(n.guest_ip, ip, sizeof(ip)),
			    "10.0.0.2");
	assert_null(n.wan_if);
	assert_int_equal(n.nr_fwd, 0);
	assert_int_equal(n.nr_reserve, 1);
	assert_int_equal(n.reserve[0].proto, NETSPEC_TCP);
	assert_int_equal(n.reserve[0].lo, 22);
	expect_verdict(&n, NULL);
	netspec_release(&n);
}

static void test_addresses(void **state)
{
	struct netspec n;
	const char *why;

	(void)state;
	netspec_init(&n, "bbr");
	assert_int_equal(inet_parse_ip("10.0.1.2", &n.guest_ip, &why), 0);
	expect_verdict(&n, "the guest address 10.0.1.2 is outside the TAP's "
		     "subnet 10.0.0.1/24");
	n.prefix = 16;
	expect_verdict(&n, NULL);
	n.guest_ip = 0x0a000001;
	expect_verdict(&n, "the guest address 10.0.0.1 is the host's");
	n.prefix = 24;
	n.guest_ip = 0x0a000000;
	expect_verdict(&n, "the guest address 10.0.0.0 is the network's or "
		     "broadcast address of 10.0.0.1/24");
	n.guest_ip = 0x0a0000ff;
	expect_verdict(&n, "the guest address 10.0.0.255 is the network's or "
		     "broadcast address of 10.0.0.1/24");
	n.guest_ip = 0x0a0000fe;
	expect_verdict(&n, NULL);
	/* /31: both addresses are hosts (RFC 3021); /32 leaves none */
	n.prefix = 31;
	n.host_ip = 0x0a000000;
	n.guest_ip = 0x0a000001;
	expect_verdict(&n, NULL);
	n.prefix = 32;
	expect_verdict(&n, "the guest address 10.0.0.1 is outside the TAP's "
		     "subnet 10.0.0.0/32");
	n.prefix = 24;
	expect_verdict(&n, "the host address 10.0.0.0 is the network's or "
		     "broadcast address of 10.0.0.0/24");
	n.prefix = 0;
	expect_verdict(&n, "the TAP's prefix /0 is not 1 to 32");
	netspec_release(&n);
}

static void test_reserved(void **state)
{
	struct netspec n;

	(void)state;
	netspec_init(&n, "bbr");
	add(&n.fwd, &n.nr_fwd, "tcp:10000-20000");
	add(&n.fwd, &n.nr_fwd, "udp:10000-20000");
	add(&n.fwd, &n.nr_fwd, "udp:22");
	expect_verdict(&n, NULL);
	/* all yields to the reserved ports */
	add(&n.fwd, &n.nr_fwd, "all");
	expect_verdict(&n, NULL);
	add(&n.fwd, &n.nr_fwd, "tcp:10-30");
	expect_verdict(&n, "the forward tcp:10-30 covers the reserved tcp:22");
	n.nr_fwd--;
	add(&n.reserve, &n.nr_reserve, "udp:15000");
	expect_verdict(&n, "the forward udp:10000-20000 covers the reserved "
		     "udp:15000");
	n.nr_reserve--;
	add(&n.reserve, &n.nr_reserve, "all");
	expect_verdict(&n, "a bad reserved port range all");
	n.nr_reserve--;
	n.fwd[0].lo = 30000;
	expect_verdict(&n, "a bad forwarded port range tcp:30000-20000");
	n.fwd[0].lo = 0;
	expect_verdict(&n, "a bad forwarded port range tcp:0-20000");
	n.fwd[0].lo = 1;
	n.fwd[0].proto = 4;
	expect_verdict(&n, "a bad forwarded port range tcp:1-20000");
	netspec_release(&n);
}

static void test_check_names(void **state)
{
	struct netspec n;

	(void)state;
	netspec_init(&n, "Bad");
	expect_verdict(&n, "bad deployment name 'Bad': a name starts with a "
		     "lowercase letter");
	free(n.name);
	n.name = xstrdup("good");
	free(n.tap);
	n.tap = xstrdup("tap0123456789abc");
	expect_verdict(&n, "bad TAP name 'tap0123456789abc': longer than 15 "
		     "characters (IFNAMSIZ)");
	free(n.tap);
	n.tap = xstrdup("tap1");
	n.wan_if = xstrdup("ven et0");
	expect_verdict(&n, "bad WAN interface name 'ven et0': an interface "
		     "name has only A-Z, a-z, 0-9, '_', '.' and '-'");
	netspec_release(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_check_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
