/*
 * firewall: the rules of a deployment as each backend takes them, compared
 * with golden text; applying them for real is test_hostnet's job.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "errors.h"
#include "host/firewall.h"
#include "strbuf.h"
#include "wrapper.h"

/* the seeds' deployment: a TCP and a UDP forward, and then all the rest */
static const char golden_ipt[] =
	"*nat\n"
	":UKB-bbr-PRE - [0:0]\n"
	":UKB-bbr-PST - [0:0]\n"
	"-I PREROUTING -j UKB-bbr-PRE\n"
	"-I POSTROUTING -j UKB-bbr-PST\n"
	"-A UKB-bbr-PRE -i venet0 -p tcp --dport 22 -j RETURN\n"
	"-A UKB-bbr-PRE -i venet0 -p tcp --dport 10000:20000 -j DNAT "
	"--to-destination 10.0.0.2\n"
	"-A UKB-bbr-PRE -i venet0 -p udp --dport 10221 -j DNAT "
	"--to-destination 10.0.0.2\n"
	"-A UKB-bbr-PRE -i venet0 -p tcp -j DNAT --to-destination 10.0.0.2\n"
	"-A UKB-bbr-PRE -i venet0 -p udp -j DNAT --to-destination 10.0.0.2\n"
	"-A UKB-bbr-PST -s 10.0.0.0/24 -o venet0 -j MASQUERADE\n"
	"COMMIT\n"
	"*filter\n"
	":UKB-bbr-FWD - [0:0]\n"
	"-I FORWARD -j UKB-bbr-FWD\n"
	"-A UKB-bbr-FWD -s 10.0.0.2/32 -i tap0 -j ACCEPT\n"
	"-A UKB-bbr-FWD -d 10.0.0.2/32 -o tap0 -m conntrack "
	"--ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT\n"
	"COMMIT\n";

static const char golden_nft[] =
	"table ip umlkbuild-bbr\n"
	"delete table ip umlkbuild-bbr\n"
	"table ip umlkbuild-bbr {\n"
	"\tchain prerouting {\n"
	"\t\ttype nat hook prerouting priority -100; policy accept;\n"
	"\t\tiifname \"venet0\" tcp dport 22 return\n"
	"\t\tiifname \"venet0\" tcp dport 10000-20000 dnat to 10.0.0.2\n"
	"\t\tiifname \"venet0\" udp dport 10221 dnat to 10.0.0.2\n"
	"\t\tiifname \"venet0\" meta l4proto tcp dnat to 10.0.0.2\n"
	"\t\tiifname \"venet0\" meta l4proto udp dnat to 10.0.0.2\n"
	"\t}\n"
	"\tchain postrouting {\n"
	"\t\ttype nat hook postrouting priority 100; policy accept;\n"
	"\t\toifname \"venet0\" ip saddr 10.0.0.0/24 masquerade\n"
	"\t}\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority 0; policy accept;\n"
	"\t\tiifname \"tap0\" ip saddr 10.0.0.2 accept\n"
	"\t\toifname \"tap0\" ip daddr 10.0.0.2 ct state "
	"established,related accept\n"
	"\t\toifname \"tap0\" ip daddr 10.0.0.2 ct status dnat accept\n"
	"\t}\n"
	"}\n";

static void spec(struct netspec *n, const char *name, const char *const *fwd)
{
	const char *why = NULL;

	netspec_init(n, name);
	for (; *fwd; fwd++) {
		n->fwd = xrealloc(n->fwd, (n->nr_fwd + 1) * sizeof(*n->fwd));
		assert_int_equal(netspec_parse_ports(*fwd, &n->fwd[n->nr_fwd],
						     &why), 0);
		n->nr_fwd++;
	}
}

static void expect_render(const struct netspec *n, const char *wan,
			  enum fw_backend b, const char *golden)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(fw_render(n, wan, b, &sb), 0);
	assert_string_equal(sb.buf, golden);
	strbuf_release(&sb);
}

static void test_seeds(void **state)
{
	static const char *const fwd[] = {
		"tcp:10000-20000", "udp:10221", "all", NULL,
	};
	struct netspec n;

	(void)state;
	spec(&n, "bbr", fwd);
	expect_render(&n, "venet0", FW_IPTABLES, golden_ipt);
	/* the same input for either iptables */
	expect_render(&n, "venet0", FW_IPTABLES_LEGACY, golden_ipt);
	expect_render(&n, "venet0", FW_NFT, golden_nft);
	netspec_release(&n);
}

/* several reserved ports, all returned before any DNAT, per protocol */
static void test_reserved_first(void **state)
{
	static const char *const fwd[] = { "udp:53", "tcp:8000-8080", NULL };
	static const char ipt[] =
		"*nat\n"
		":UKB-web-1-PRE - [0:0]\n"
		":UKB-web-1-PST - [0:0]\n"
		"-I PREROUTING -j UKB-web-1-PRE\n"
		"-I POSTROUTING -j UKB-web-1-PST\n"
		"-A UKB-web-1-PRE -i eth0 -p tcp --dport 22 -j RETURN\n"
		"-A UKB-web-1-PRE -i eth0 -p udp --dport 60000:61000 -j RETURN\n"
		"-A UKB-web-1-PRE -i eth0 -p udp --dport 53 -j DNAT "
		"--to-destination 192.168.7.9\n"
		"-A UKB-web-1-PRE -i eth0 -p tcp --dport 8000:8080 -j DNAT "
		"--to-destination 192.168.7.9\n"
		"-A UKB-web-1-PST -s 192.168.0.0/16 -o eth0 -j MASQUERADE\n"
		"COMMIT\n"
		"*filter\n"
		":UKB-web-1-FWD - [0:0]\n"
		"-I FORWARD -j UKB-web-1-FWD\n"
		"-A UKB-web-1-FWD -s 192.168.7.9/32 -i uml7 -j ACCEPT\n"
		"-A UKB-web-1-FWD -d 192.168.7.9/32 -o uml7 -m conntrack "
		"--ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT\n"
		"COMMIT\n";
	static const char nft[] =
		"table ip umlkbuild-web-1\n"
		"delete table ip umlkbuild-web-1\n"
		"table ip umlkbuild-web-1 {\n"
		"\tchain prerouting {\n"
		"\t\ttype nat hook prerouting priority -100; policy accept;\n"
		"\t\tiifname \"eth0\" tcp dport 22 return\n"
		"\t\tiifname \"eth0\" udp dport 60000-61000 return\n"
		"\t\tiifname \"eth0\" udp dport 53 dnat to 192.168.7.9\n"
		"\t\tiifname \"eth0\" tcp dport 8000-8080 dnat to 192.168.7.9\n"
		"\t}\n"
		"\tchain postrouting {\n"
		"\t\ttype nat hook postrouting priority 100; policy accept;\n"
		"\t\toifname \"eth0\" ip saddr 192.168.0.0/16 masquerade\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority 0; policy accept;\n"
		"\t\tiifname \"uml7\" ip saddr 192.168.7.9 accept\n"
		"\t\toifname \"uml7\" ip daddr 192.168.7.9 ct state "
		"established,related accept\n"
		"\t\toifname \"uml7\" ip daddr 192.168.7.9 ct status dnat "
		"accept\n"
		"\t}\n"
		"}\n";
	struct netspec n;
	const char *why = NULL;

	(void)state;
	spec(&n, "web-1", fwd);
	free(n.tap);
	n.tap = xstrdup("uml7");
	n.host_ip = 0xc0a80001;         /* 192.168.0.1/16 */
	n.prefix = 16;
	n.guest_ip = 0xc0a80709;        /* 192.168.7.9 */
	n.reserve = xrealloc(n.reserve, 2 * sizeof(*n.reserve));
	assert_int_equal(netspec_parse_ports("udp:60000-61000", &n.reserve[1],
					     &why), 0);
	n.nr_reserve = 2;
	expect_render(&n, "eth0", FW_IPTABLES, ipt);
	expect_render(&n, "eth0", FW_NFT, nft);
	netspec_release(&n);
}

/* nothing forwarded: the guest still gets out, nothing comes in */
static void test_no_forward(void **state)
{
	static const char *const fwd[] = { NULL };
	struct netspec n;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	spec(&n, "bbr", fwd);
	assert_int_equal(fw_render(&n, "venet0", FW_IPTABLES, &sb), 0);
	assert_null(strstr(sb.buf, "-j DNAT"));
	assert_non_null(strstr(sb.buf, "-j MASQUERADE\n"));
	strbuf_reset(&sb);
	assert_int_equal(fw_render(&n, "venet0", FW_NFT, &sb), 0);
	assert_null(strstr(sb.buf, "dnat to"));
	assert_non_null(strstr(sb.buf, " masquerade\n"));
	strbuf_release(&sb);
	netspec_release(&n);
}

static void test_backend_names(void **state)
{
	enum fw_backend b = FW_NFT;

	(void)state;
	assert_int_equal(fw_parse_backend("auto", &b), 0);
	assert_int_equal(b, FW_AUTO);
	assert_int_equal(fw_parse_backend("nft", &b), 0);
	assert_int_equal(b, FW_NFT);
	assert_int_equal(fw_parse_backend("iptables", &b), 0);
	assert_int_equal(b, FW_IPTABLES);
	assert_int_equal(fw_parse_backend("iptables-legacy", &b), 0);
	assert_int_equal(b, FW_IPTABLES_LEGACY);
	assert_int_equal(fw_parse_backend("ipfw", &b), -UKB_EUSAGE);
	assert_int_equal(fw_parse_backend("", &b), -UKB_EUSAGE);
	assert_int_equal(b, FW_IPTABLES_LEGACY);
	for (enum fw_backend i = FW_AUTO; i <= FW_IPTABLES_LEGACY; i++) {
		assert_int_equal(fw_parse_backend(fw_backend_name(i), &b), 0);
		assert_int_equal(b, i);
	}
	/* auto is resolved first: it has no rules of its own */
	{
		struct netspec n;
		struct strbuf sb = STRBUF_INIT;
		static const char *const fwd[] = { NULL };

		spec(&n, "bbr", fwd);
		assert_int_equal(fw_render(&n, "eth0", FW_AUTO, &sb), -22);
		assert_int_equal(sb.len, 0);
		netspec_release(&n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_reserved_first),
		cmocka_unit_test(test_no_forward),
		cmocka_unit_test(test_backend_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
