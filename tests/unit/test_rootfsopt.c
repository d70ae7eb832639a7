/*
 * rootfsopt: the values of `umlkbuild rootfs`'s options (sizes, IPv4
 * addresses and CIDRs, --copy specs, sysctl lines, hostnames).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "rootfs/rootfsopt.h"

static void test_size(void **state)
{
	uint64_t b;
	const char *why = NULL;

	(void)state;
	assert_int_equal(rootfs_parse_size("512M", &b, &why), 0);
	assert_int_equal(b, 512ull << 20);
	assert_int_equal(rootfs_parse_size("1G", &b, &why), 0);
	assert_int_equal(b, 1ull << 30);
	assert_int_equal(rootfs_parse_size("65536k", &b, &why), 0);
	assert_int_equal(b, 64ull << 20);
	assert_int_equal(rootfs_parse_size("2MiB", &b, &why), 0);
	assert_int_equal(b, 2ull << 20);
	assert_int_equal(rootfs_parse_size("1048576", &b, &why), 0);
	assert_int_equal(b, 1ull << 20);
	assert_int_equal(rootfs_parse_size("512X", &b, &why), -UKB_EUSAGE);
	assert_string_equal(why, "expected a number with K, M, G or T");
	assert_int_equal(rootfs_parse_size("", &b, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_size("M", &b, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_size("-1M", &b, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_size("1K", &b, &why), -UKB_EUSAGE);
	assert_string_equal(why, "smaller than 1M");
	assert_int_equal(rootfs_parse_size("99999999999999999999", &b, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_size("17T", &b, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_size("5 M", &b, &why), -UKB_EUSAGE);
}

static void test_ip(void **state)
{
	uint32_t a;
	unsigned p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(rootfs_parse_ip("10.0.0.1", &a, &why), 0);
	assert_int_equal(a, 0x0a000001);
	assert_int_equal(rootfs_parse_ip("255.255.255.255", &a, &why), 0);
	assert_int_equal(rootfs_parse_ip("10.0.0.256", &a, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_ip("10.0.0", &a, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_ip("10.0.0.1.2", &a, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_ip("010.0.0.1", &a, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_ip("10.0.0.1 ", &a, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_ip("", &a, &why), -UKB_EUSAGE);

	assert_int_equal(rootfs_parse_cidr("10.0.0.2/24", &a, &p, &why), 0);
	assert_int_equal(a, 0x0a000002);
	assert_int_equal(p, 24);
	assert_int_equal(rootfs_parse_cidr("10.0.0.2/32", &a, &p, &why), 0);
	assert_int_equal(rootfs_parse_cidr("10.0.0.0/31", &a, &p, &why), 0);
	assert_int_equal(rootfs_parse_cidr("10.0.0.2/33", &a, &p, &why),
			 -UKB_EUSAGE);
	assert_string_equal(why, "expected a prefix length 1 to 32 after '/'");
	assert_int_equal(rootfs_parse_cidr("10.0.0.2/0", &a, &p, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_cidr("10.0.0.2", &a, &p, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_cidr("10.0.0.2/", &a, &p, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_cidr("10.0.0.0/24", &a, &p, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_cidr("10.0.0.255/24", &a, &p, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_cidr("10.0.0.300/24", &a, &p, &why),
			 -UKB_EUSAGE);
}

static void test_copy(void **state)
{
	char *h, *g;
	const char *why = NULL;

	(void)state;
	assert_int_equal(rootfs_parse_copy("/srv/proxy:/usr/bin/proxy", &h, &g,
					   &why), 0);
	assert_string_equal(h, "/srv/proxy");
	assert_string_equal(g, "/usr/bin/proxy");
	free(h);
	/* the last ':' splits: a host path may hold one */
	assert_int_equal(rootfs_parse_copy("a:b:/etc/x", &h, &g, &why), 0);
	assert_string_equal(h, "a:b");
	assert_string_equal(g, "/etc/x");
	free(h);
	assert_int_equal(rootfs_parse_copy("x:/etc/../../x", &h, &g, &why),
			 -UKB_EUSAGE);
	assert_null(h);
	assert_int_equal(rootfs_parse_copy("x:/etc/..", &h, &g, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_copy("x:/./etc", &h, &g, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_copy("x:etc/x", &h, &g, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_copy("x:/", &h, &g, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_copy(":/etc/x", &h, &g, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_copy("x", &h, &g, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_copy("x:/etc/a\nb", &h, &g, &why),
			 -UKB_EUSAGE);
	/* '...' and '..x' are names, not parents */
	assert_int_equal(rootfs_parse_copy("x:/etc/..x/...", &h, &g, &why), 0);
	free(h);
}

static void test_sysctl(void **state)
{
	char *k, *v;
	const char *why = NULL;

	(void)state;
	assert_int_equal(rootfs_parse_sysctl("net.ipv4.tcp_congestion_control=bbr",
					     &k, &v, &why), 0);
	assert_string_equal(k, "net.ipv4.tcp_congestion_control");
	assert_string_equal(v, "bbr");
	free(k);
	free(v);
	assert_int_equal(rootfs_parse_sysctl("net.ipv4.tcp_rmem=4096 87380 6291456",
					     &k, &v, &why), 0);
	assert_string_equal(v, "4096 87380 6291456");
	free(k);
	free(v);
	assert_int_equal(rootfs_parse_sysctl("=1", &k, &v, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_sysctl("a..b=1", &k, &v, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_sysctl("a.b", &k, &v, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_sysctl("a.b=", &k, &v, &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_sysctl("a;b=1", &k, &v, &why),
			 -UKB_EUSAGE);
	assert_int_equal(rootfs_parse_sysctl("a.b=1\nc=2", &k, &v, &why),
			 -UKB_EUSAGE);
	assert_null(k);
}

static void test_hostname(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(rootfs_check_hostname("uml", &why), 0);
	assert_int_equal(rootfs_check_hostname("proxy-1.example", &why), 0);
	assert_int_equal(rootfs_check_hostname("", &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_check_hostname("a..b", &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_check_hostname("a b", &why), -UKB_EUSAGE);
	assert_int_equal(rootfs_check_hostname("a'b", &why), -UKB_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_hostname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
