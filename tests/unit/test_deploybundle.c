/*
 * deploy --bundle's defaults (cli/deploybundle.c): what a checked bundle
 * records (run.sh's TAP, mem= and forwards, the image's network, the
 * transport) as the deployment's settings; run.sh's forwards to other
 * guest ports refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/wrapper.h"
#include "cli/deploybundle.h"

static void info_of(struct bundle_info *bi, const char *forward)
{
	memset(bi, 0, sizeof(*bi));
	memset(bi->sums, 'a', SHA256_HEX_LEN);
	bi->tap = xstrdup("tap7");
	bi->mem = xstrdup("96m");
	bi->net = xstrdup("vector");
	bi->guest_ip = xstrdup("10.9.0.2/16");
	bi->gateway = xstrdup("10.9.0.1");
	bi->forward = forward ? xstrdup(forward) : NULL;
}

static void test_defaults(void **state)
{
	struct bundle_info bi;
	struct deployment d;

	(void)state;
	setenv("UKB_STATE_DIR", "/srv/st", 1);
	info_of(&bi, "tcp:8080 udp:5000-5010  tcp:2222=2222");
	deployment_init(&d, "x");
	assert_int_equal(deploy_bundle_settings("B", &bi, 0, &d), 0);
	assert_string_equal(d.kernel, "/srv/st/x/vmlinux");
	assert_string_equal(d.rootfs, "/srv/st/x/rootfs.img");
	assert_string_equal(d.bundle, bi.sums);
	assert_string_equal(d.transport, "vector");
	assert_string_equal(d.mem, "96m");
	assert_string_equal(d.net.tap, "tap7");
	assert_int_equal(d.net.guest_ip, (10u << 24) | (9u << 16) | 2);
	assert_int_equal(d.net.host_ip, (10u << 24) | (9u << 16) | 1);
	assert_int_equal(d.net.prefix, 16);
	assert_int_equal(d.net.nr_fwd, 3);
	assert_int_equal(d.net.fwd[1].lo, 5000);
	assert_int_equal(d.net.fwd[1].hi, 5010);
	assert_int_equal(d.net.fwd[2].lo, 2222);
	deployment_release(&d);

	/* given on the command line: the bundle's are not taken */
	deployment_init(&d, "x");
	assert_int_equal(deploy_bundle_settings("B", &bi, DEPLOY_GIVEN_TAP |
		DEPLOY_GIVEN_HOST_IP | DEPLOY_GIVEN_GUEST_IP | DEPLOY_GIVEN_MEM |
		DEPLOY_GIVEN_FORWARD, &d), 0);
	assert_int_equal(d.net.nr_fwd, 0);
	assert_string_equal(d.mem, "256m");
	assert_string_equal(d.net.tap, "tap0");
	assert_int_equal(d.net.guest_ip, (10u << 24) | 2);
	assert_string_equal(d.transport, "vector");
	deployment_release(&d);
	/* --guest-ip alone: the TAP's address is still the image's gateway */
	deployment_init(&d, "x");
	assert_int_equal(deploy_bundle_settings("B", &bi, DEPLOY_GIVEN_GUEST_IP, &d), 0);
	assert_int_equal(d.net.guest_ip, (10u << 24) | 2);
	assert_int_equal(d.net.host_ip, (10u << 24) | (9u << 16) | 1);
	assert_int_equal(d.net.prefix, 16);
	deployment_release(&d);
	bundle_info_release(&bi);

	/* a bundle that records little leaves deploy's own defaults */
	memset(&bi, 0, sizeof(bi));
	memset(bi.sums, 'b', SHA256_HEX_LEN);
	deployment_init(&d, "x");
	assert_int_equal(deploy_bundle_settings("B", &bi, 0, &d), 0);
	assert_null(d.transport);
	assert_string_equal(d.mem, "256m");
	assert_string_equal(d.net.tap, "tap0");
	assert_int_equal(d.net.guest_ip, (10u << 24) | 2);
	assert_int_equal(d.net.nr_fwd, 0);
	deployment_release(&d);
	unsetenv("UKB_STATE_DIR");
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"tcp:2222=22", "tcp:8080-8081=8080", "udp:70000", "sctp:1",
	};
	struct bundle_info bi;
	struct deployment d;

	(void)state;
	log_set_verbosity(LOG_QUIET);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		info_of(&bi, bad[i]);
		deployment_init(&d, "x");
		assert_int_equal(deploy_bundle_settings("B", &bi, 0, &d),
				 -UKB_EUSAGE);
		deployment_release(&d);
		bundle_info_release(&bi);
	}
	info_of(&bi, NULL);
	free(bi.mem);
	bi.mem = xstrdup("64");         /* no unit: not deploy's --mem */
	deployment_init(&d, "x");
	assert_int_equal(deploy_bundle_settings("B", &bi, 0, &d), -UKB_EUSAGE);
	deployment_release(&d);
	/* unless --mem is given */
	deployment_init(&d, "x");
	assert_int_equal(deploy_bundle_settings("B", &bi, DEPLOY_GIVEN_MEM, &d), 0);
	deployment_release(&d);
	bundle_info_release(&bi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
