/* alpine: release names and latest-releases.yaml (libyaml). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/log.h"
#include "rootfs/alpine.h"

static const char yaml[] =
	"---\n"
	"-\n"
	"  title: \"Standard\"\n"
	"  flavor: alpine-standard\n"
	"  version: 3.20.2\n"
	"  file: alpine-standard-3.20.2-x86_64.iso\n"
	"-\n"
	"  title: \"Mini root filesystem\"\n"
	"  desc: \"Minimal root filesystem.\n"
	"    For use in containers\"\n"
	"  branch: v3.20\n"
	"  arch: x86_64\n"
	"  version: 3.20.3\n"
	"  flavor: alpine-minirootfs\n"
	"  file: alpine-minirootfs-3.20.3-x86_64.tar.gz\n"
	"  size: 3490290\n";

static int parse(const char *s, char **v)
{
	return alpine_latest_parse("t.yaml", s, strlen(s), v);
}

static void test_latest(void **state)
{
	char *v;

	(void)state;
	assert_int_equal(parse(yaml, &v), 0);
	assert_string_equal(v, "3.20.3");
	free(v);
}

static void test_latest_bad(void **state)
{
	char *v;

	(void)state;
	assert_int_equal(parse("- flavor: alpine-standard\n  version: 1.2.3\n",
			       &v), -UKB_ENOTFOUND);
	assert_null(v);
	assert_int_equal(parse("[unclosed", &v), -UKB_ESOURCE);
	assert_int_equal(parse("flavor: alpine-minirootfs\n", &v),
			 -UKB_ESOURCE);
	assert_int_equal(parse("- [a, b]\n", &v), -UKB_ESOURCE);
	assert_int_equal(parse("", &v), -UKB_ENOTFOUND);
	/* nested values are skipped, whatever they hold */
	assert_int_equal(parse("- flavor: alpine-minirootfs\n  x: {a: [1]}\n"
			       "  version: 3.1.4\n", &v), 0);
	assert_string_equal(v, "3.1.4");
	free(v);
	/* an alias as a key (found by fuzz_rootfsopt) */
	assert_int_equal(parse("-\n  *a : alpine-minirootfs\n"
			       "  version: 3.1.4\n", &v), -UKB_ENOTFOUND);
	/* the first minirootfs wins */
	assert_int_equal(parse("- {flavor: alpine-minirootfs, version: 3.1.4}\n"
			       "- {flavor: alpine-minirootfs, version: 3.1.5}\n",
			       &v), 0);
	assert_string_equal(v, "3.1.4");
	free(v);
}

static void test_version(void **state)
{
	int full = -1;

	(void)state;
	assert_int_equal(alpine_version_check("3.20", &full), 0);
	assert_int_equal(full, 0);
	assert_int_equal(alpine_version_check("3.20.3", &full), 0);
	assert_int_equal(full, 1);
	assert_int_equal(alpine_version_check("3", &full), -UKB_EUSAGE);
	assert_int_equal(alpine_version_check("3.20.3.1", &full), -UKB_EUSAGE);
	assert_int_equal(alpine_version_check("3.020", &full), -UKB_EUSAGE);
	assert_int_equal(alpine_version_check("3.x", &full), -UKB_EUSAGE);
	assert_int_equal(alpine_version_check("3.20.", &full), -UKB_EUSAGE);
	assert_int_equal(alpine_version_check("../3.20", &full), -UKB_EUSAGE);
	assert_int_equal(alpine_version_check("", &full), -UKB_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest),
		cmocka_unit_test(test_latest_bad),
		cmocka_unit_test(test_version),
	};

	log_set_verbosity(LOG_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
