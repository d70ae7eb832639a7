/*
 * umlnet: which UML network driver a kernel has (its .config, the config
 * beside an artifact, its release) and the command-line word for it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/fsutil.h"
#include "base/umlnet.h"
#include "testlib.h"

static int of(const char *cfg)
{
	return umlnet_driver_of_config(cfg, strlen(cfg));
}

static void test_config(void **state)
{
	(void)state;
	assert_int_equal(of("CONFIG_UML_NET_VECTOR=y\n"), UMLNET_VECTOR);
	assert_int_equal(of("#\n# CONFIG_UML_NET_TUNTAP is not set\n"
			    "CONFIG_UML_NET_VECTOR=y"), UMLNET_VECTOR);
	/* a kernel with both keeps the seeds' eth0=tuntap */
	assert_int_equal(of("CONFIG_UML_NET_VECTOR=y\nCONFIG_UML_NET=y\n"
			    "CONFIG_UML_NET_TUNTAP=y\n"), UMLNET_TUNTAP);
	assert_int_equal(of("CONFIG_UML_NET_TUNTAP=y\n"), UMLNET_TUNTAP);
	/* whole lines only */
	assert_int_equal(of("# CONFIG_UML_NET_VECTOR=y\n"), -ENOENT);
	assert_int_equal(of("CONFIG_UML_NET_VECTOR=yes\n"), -ENOENT);
	assert_int_equal(of("CONFIG_UML_NET_VECTOR_GRE_L2TPV3=y\n"), -ENOENT);
	assert_int_equal(of("# CONFIG_UML_NET_VECTOR is not set\n"), -ENOENT);
	assert_int_equal(of(""), -ENOENT);
	/* the length bounds the search */
	assert_int_equal(umlnet_driver_of_config("CONFIG_UML_NET_VECTOR=y", 22),
			 -ENOENT);
}

static void test_version(void **state)
{
	static const struct { const char *v; int want; } t[] = {
		{ "4.10.1", UMLNET_TUNTAP }, { "6.15.11", UMLNET_TUNTAP },
		{ "6.16-rc1", UMLNET_TUNTAP }, { "6.16", UMLNET_VECTOR },
		{ "6.19", UMLNET_VECTOR }, { "7.0", UMLNET_VECTOR },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kver v;

		assert_int_equal(kver_parse(t[i].v, strlen(t[i].v), &v, NULL), 0);
		assert_int_equal(umlnet_driver_of_version(&v), t[i].want);
	}
}

static void test_arg(void **state)
{
	struct strvec argv = STRVEC_INIT;

	(void)state;
	umlnet_push_arg(&argv, UMLNET_VECTOR, "tap7");
	umlnet_push_arg(&argv, UMLNET_TUNTAP, "tap7");
	assert_string_equal(argv.v[0], "vec0:transport=tap,ifname=tap7");
	assert_string_equal(argv.v[1], "eth0=tuntap,tap7");
	assert_string_equal(umlnet_ifname(UMLNET_VECTOR), "vec0");
	assert_string_equal(umlnet_ifname(UMLNET_TUNTAP), "eth0");
	strvec_clear(&argv);
}

static void test_kernel(void **state)
{
	char *tmp = test_tmpdir("umlnet");
	char *k = path_join(tmp, "vmlinux"), *cfg = path_join(tmp, "config");
	static const char vec[] = "CONFIG_STATIC_LINK=y\nCONFIG_UML_NET_VECTOR=y\n";

	(void)state;
	/* no config beside the kernel */
	assert_int_equal(umlnet_driver_of_kernel(k), -ENOENT);
	assert_int_equal(write_file_atomic(cfg, vec, strlen(vec), 0644), 0);
	assert_int_equal(umlnet_driver_of_kernel(k), UMLNET_VECTOR);
	assert_int_equal(write_file_atomic(cfg, "CONFIG_UML_NET_TUNTAP=y\n", 24,
					   0644), 0);
	assert_int_equal(umlnet_driver_of_kernel(k), UMLNET_TUNTAP);
	rmtree(tmp);
	free(k);
	free(cfg);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_arg),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
