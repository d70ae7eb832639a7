/*
 * Unit tests for configure: which fragments apply to a (version, arch,
 * link, profile) and in what order they merge, on fixture data dirs and on
 * the project's own kconfig-fragments/.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/scope.h"
#include "base/strvec.h"
#include "base/version.h"
#include "base/wrapper.h"
#include "configure/configure.h"
#include "configure/kcset.h"
#include "testlib.h"

static char *top, *project;

static void put(const char *dir, const char *name, const char *text)
{
	char *p = path_join(dir, name);

	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static int setup(void **state)
{
	char cwd[PATH_MAX], *frags, *prof;

	(void)state;
	/* make check-unit runs in the checkout */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	project = xstrdup(cwd);
	top = test_tmpdir("configure");
	frags = path_join(top, "kconfig-fragments");
	put(frags, "10-all.config", "CONFIG_A=y\nCONFIG_B=1\n");
	put(frags, "20-new.config",
	    "# umlkbuild: versions 6.0..\nCONFIG_NEW=y\nCONFIG_B=2\n");
	put(frags, "30-old.config",
	    "# umlkbuild: versions ..5.16\nCONFIG_OLD=y\n");
	put(frags, "40-i386.config", "# umlkbuild: arch i386\nCONFIG_X86_32=y\n");
	put(frags, "50-dyn.config", "# umlkbuild: link dynamic\nCONFIG_DYN=y\n");
	put(frags, "notes.txt", "CONFIG_IGNORED=y\n");
	put(frags, ".hidden.config", "CONFIG_IGNORED=y\n");
	prof = path_join(frags, "profiles/minimal");
	put(prof, "10-min.config", "CONFIG_B=3\nCONFIG_MIN=y\n");
	free(prof);
	free(frags);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(top);
	free(top);
	free(project);
	return 0;
}

static struct kver ver(const char *s)
{
	struct kver v;
	const char *why;

	assert_int_equal(kver_parse(s, strlen(s), &v, &why), 0);
	return v;
}

/* the merged value of name, NULL when absent */
static const char *val(const struct kc_set *set, const char *name)
{
	struct kc_entry *e = kc_find(set, name);

	return e ? e->value : NULL;
}

/* the base names of used, joined by ' ' */
static char *names(const struct strvec *used)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < used->nr; i++) {
		const char *slash = strrchr(used->v[i], '/');

		strbuf_addf(&sb, "%s%s", i ? " " : "",
			    slash ? slash + 1 : used->v[i]);
	}
	return strbuf_detach(&sb, NULL);
}

static char *select_frags(const char *profile, const char *version,
			  unsigned target, struct kc_set *merged)
{
	struct fragment_inputs in = { .profile = profile };
	struct strvec used = STRVEC_INIT;
	struct kver v = ver(version);
	char *s;

	assert_int_equal(configure_fragments(&in, &v, target, merged, &used), 0);
	s = names(&used);
	strvec_clear(&used);
	return s;
}

static void test_version_scope(void **state)
{
	struct kc_set m = KC_SET_INIT;
	char *used;

	(void)state;
	assert_int_equal(setenv("UKB_DATADIR", top, 1), 0);
	used = select_frags("defconfig", "6.1", ARCH_X86_64 | LINK_STATIC, &m);
	assert_string_equal(used, "10-all.config 20-new.config");
	/* a later fragment wins */
	assert_string_equal(val(&m, "CONFIG_B"), "2");
	assert_null(val(&m, "CONFIG_OLD"));
	assert_null(val(&m, "CONFIG_IGNORED"));
	kc_set_release(&m);
	free(used);

	used = select_frags("defconfig", "5.15.3", ARCH_X86_64 | LINK_STATIC, &m);
	assert_string_equal(used, "10-all.config 30-old.config");
	assert_string_equal(val(&m, "CONFIG_B"), "1");
	assert_string_equal(val(&m, "CONFIG_OLD"), "y");
	assert_null(val(&m, "CONFIG_NEW"));
	kc_set_release(&m);
	free(used);

	/* ranges are half-open: 6.0 is in "6.0..", 5.16 not in "..5.16" */
	used = select_frags("defconfig", "6.0", ARCH_X86_64 | LINK_STATIC, &m);
	assert_string_equal(used, "10-all.config 20-new.config");
	kc_set_release(&m);
	free(used);
	used = select_frags("defconfig", "5.16", ARCH_X86_64 | LINK_STATIC, &m);
	assert_string_equal(used, "10-all.config");
	kc_set_release(&m);
	free(used);
}

static void test_arch_link_profile(void **state)
{
	struct kc_set m = KC_SET_INIT;
	char *used;

	(void)state;
	assert_int_equal(setenv("UKB_DATADIR", top, 1), 0);
	used = select_frags("defconfig", "6.1", ARCH_I386 | LINK_DYNAMIC, &m);
	assert_string_equal(used, "10-all.config 20-new.config 40-i386.config "
				  "50-dyn.config");
	kc_set_release(&m);
	free(used);
	/* the profile's fragments come after the project's, and win */
	used = select_frags("minimal", "6.1", ARCH_X86_64 | LINK_STATIC, &m);
	assert_string_equal(used, "10-all.config 20-new.config 10-min.config");
	assert_string_equal(val(&m, "CONFIG_B"), "3");
	assert_string_equal(val(&m, "CONFIG_MIN"), "y");
	kc_set_release(&m);
	free(used);
}

static void test_user_and_adds(void **state)
{
	const char *adds[] = { "CONFIG_B=9", "# CONFIG_A is not set", NULL };
	char *user = path_join(top, "mine.config");
	const char *users[] = { user, NULL };
	struct fragment_inputs in = { "defconfig", users, adds };
	struct strvec used = STRVEC_INIT;
	struct kc_set m = KC_SET_INIT;
	struct kver v = ver("6.1");

	(void)state;
	assert_int_equal(setenv("UKB_DATADIR", top, 1), 0);
	put(top, "mine.config", "# umlkbuild: versions 6.1..6.2\nCONFIG_USER=m\n");
	assert_int_equal(configure_fragments(&in, &v, ARCH_X86_64, &m, &used), 0);
	assert_int_equal(used.nr, 4);
	assert_string_equal(used.v[2], user);
	assert_string_equal(used.v[3], "--kconfig-add");
	assert_string_equal(val(&m, "CONFIG_USER"), "m");
	assert_string_equal(val(&m, "CONFIG_B"), "9");
	assert_string_equal(val(&m, "CONFIG_A"), "n");
	kc_set_release(&m);
	strvec_clear(&used);

	/* out of its scope, the user's fragment is left out, named with -v */
	v = ver("6.2");
	log_set_verbosity(LOG_VERBOSE);
	capture_start();
	assert_int_equal(configure_fragments(&in, &v, ARCH_X86_64, &m, &used), 0);
	assert_logged("mine\\.config' does not apply here");
	free(capture_stop());
	log_set_verbosity(LOG_NORMAL);
	assert_null(val(&m, "CONFIG_USER"));
	kc_set_release(&m);
	strvec_clear(&used);
	free(user);
}

static void test_bad_inputs(void **state)
{
	const char *bad_add[] = { "CONFIG_X", NULL };
	const char *nl_add[] = { "CONFIG_X=y\nCONFIG_Y=y", NULL };
	const char *missing[] = { "/nonexistent/f.config", NULL };
	struct fragment_inputs in = { .profile = "defconfig", .adds = bad_add };
	struct strvec used = STRVEC_INIT;
	struct kc_set m = KC_SET_INIT;
	struct kver v = ver("6.1");
	char *empty = path_join(top, "empty");

	(void)state;
	capture_start();
	assert_int_equal(configure_check_inputs(NULL, nl_add), -UKB_EUSAGE);
	assert_logged("^error: --kconfig-add 'CONFIG_X=y\\.\\.\\.' holds a line break$");
	assert_int_equal(configure_check_inputs(missing, NULL), -UKB_EUSAGE);
	assert_logged("^hint: check the path given to --fragment$");
	assert_int_equal(setenv("UKB_DATADIR", top, 1), 0);
	assert_int_equal(configure_fragments(&in, &v, ARCH_X86_64, &m, &used),
			 -UKB_EUSAGE);
	assert_logged("^error: --kconfig-add");
	kc_set_release(&m);
	strvec_clear(&used);
	/* a data dir without fragments is the host's problem */
	assert_int_equal(mkdir_p(empty, 0755), 0);
	assert_int_equal(setenv("UKB_DATADIR", empty, 1), 0);
	in.adds = NULL;
	assert_int_equal(configure_fragments(&in, &v, ARCH_X86_64, &m, &used),
			 -UKB_EHOST);
	assert_logged("^error: no Kconfig fragments in '.*/empty/kconfig-fragments'$");
	free(capture_stop());
	free(empty);
}

/* the project's own fragments: the policy the README promises */
static void test_project_fragments(void **state)
{
	struct kc_set m = KC_SET_INIT;
	char *used;

	(void)state;
	assert_int_equal(setenv("UKB_DATADIR", project, 1), 0);
	used = select_frags("defconfig", "6.1", ARCH_X86_64 | LINK_STATIC, &m);
	assert_non_null(strstr(used, "10-static.config"));
	assert_null(strstr(used, "11-dynamic.config"));
	assert_null(strstr(used, "22-uml-net-vector.config"));
	assert_non_null(strstr(used, "41-default-fq.config"));
	assert_string_equal(val(&m, "CONFIG_TCP_CONG_BBR"), "y");
	assert_string_equal(val(&m, "CONFIG_STATIC_LINK"), "y");
	assert_null(val(&m, "CONFIG_KERNEL_STACK_ORDER"));
	kc_set_release(&m);
	free(used);
	/* 4.10: no default-fq choice yet; the later stack sizes */
	used = select_frags("defconfig", "4.10", ARCH_X86_64 | LINK_STATIC, &m);
	assert_null(strstr(used, "41-default-fq.config"));
	assert_null(val(&m, "CONFIG_DEFAULT_FQ"));
	assert_string_equal(val(&m, "CONFIG_KERNEL_STACK_ORDER"), "2");
	kc_set_release(&m);
	free(used);
	used = select_frags("minimal", "4.19", ARCH_I386 | LINK_STATIC, &m);
	assert_non_null(strstr(used, "12-stack-i386.config"));
	assert_null(strstr(used, "12-stack-x86_64.config"));
	assert_string_equal(val(&m, "CONFIG_KERNEL_STACK_ORDER"), "1");
	kc_set_release(&m);
	free(used);
	/* 6.16 dynamic: the vector driver */
	used = select_frags("defconfig", "6.16", ARCH_X86_64 | LINK_DYNAMIC, &m);
	assert_non_null(strstr(used, "22-uml-net-vector.config"));
	assert_null(strstr(used, "10-static.config"));
	assert_string_equal(val(&m, "CONFIG_UML_NET_VECTOR"), "y");
	assert_null(strstr(used, "23-uml-net-vector-static.config"));
	assert_null(val(&m, "CONFIG_UML_NET_VECTOR_GRE_L2TPV3"));
	kc_set_release(&m);
	free(used);
	/* 6.16 static: the vector driver without gre and l2tpv3 (patch 0003) */
	used = select_frags("defconfig", "6.19", ARCH_X86_64 | LINK_STATIC, &m);
	assert_non_null(strstr(used, "10-static.config"));
	assert_non_null(strstr(used, "22-uml-net-vector.config"));
	assert_non_null(strstr(used, "23-uml-net-vector-static.config"));
	assert_null(strstr(used, "21-uml-net-tuntap.config"));
	assert_string_equal(val(&m, "CONFIG_STATIC_LINK"), "y");
	assert_string_equal(val(&m, "CONFIG_UML_NET_VECTOR"), "y");
	assert_string_equal(val(&m, "CONFIG_UML_NET_VECTOR_GRE_L2TPV3"), "n");
	kc_set_release(&m);
	free(used);
	unsetenv("UKB_DATADIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_scope),
		cmocka_unit_test(test_arch_link_profile),
		cmocka_unit_test(test_user_and_adds),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_project_fragments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
