/* debian and deb822: suites, mirrors, apt's sources, Release and status. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "rootfs/deb822.h"
#include "rootfs/debian.h"

static void test_suite(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(debian_suite_check("bookworm", &why), 0);
	assert_int_equal(debian_suite_check("bookworm-backports", &why), 0);
	assert_int_equal(debian_suite_check("stable", &why), 0);
	assert_int_equal(debian_suite_check("Bookworm", &why), -UKB_EUSAGE);
	assert_int_equal(debian_suite_check("", &why), -UKB_EUSAGE);
	assert_int_equal(debian_suite_check("-x", &why), -UKB_EUSAGE);
	assert_int_equal(debian_suite_check("book worm", &why), -UKB_EUSAGE);
	assert_int_equal(debian_suite_check("../x", &why), -UKB_EUSAGE);
	assert_int_equal(debian_suite_check("a23456789012345678901234567890123",
					    &why), -UKB_EUSAGE);
	assert_non_null(why);
	assert_string_equal(debian_arch("x86_64"), "amd64");
	assert_string_equal(debian_arch("i386"), "i386");
}

static void test_mirror(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(debian_mirror_check("http://deb.debian.org/debian", &why), 0);
	assert_int_equal(debian_mirror_check("https://a/b", &why), 0);
	assert_int_equal(debian_mirror_check("file:///srv/debian", &why), 0);
	assert_int_equal(debian_mirror_check("ftp://a/b", &why), -UKB_EUSAGE);
	/* a blank would make mmdebstrap read a whole sources line */
	assert_int_equal(debian_mirror_check("http://a/b bookworm main", &why),
			 -UKB_EUSAGE);
	assert_int_equal(debian_mirror_check("http://a/\nb", &why), -UKB_EUSAGE);
}

static char *pick(const char *s, int deb822)
{
	char *uri = (char *)"unset";

	assert_int_equal(debian_sources_pick("t", s, strlen(s), deb822, &uri), 0);
	return uri;
}

static void test_sources(void **state)
{
	char *u;

	(void)state;
	/* this machine's debian.sources, as shipped */
	u = pick("Types: deb\n"
		 "# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
		 "URIs: http://deb.debian.org/debian\n"
		 "Suites: bookworm bookworm-updates\n"
		 "Components: main\n"
		 "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
		 "Types: deb\n"
		 "URIs: http://deb.debian.org/debian-security\n"
		 "Suites: bookworm-security\n"
		 "Components: main\n", 1);
	assert_string_equal(u, "http://deb.debian.org/debian");
	free(u);
	/* security first, a disabled entry, then the archive */
	u = pick("Types: deb\nURIs: http://s/debian-security\n"
		 "Suites: bookworm-security\n\n"
		 "Enabled: no\nTypes: deb\nURIs: http://off/debian\nSuites: bookworm\n\n"
		 "Types: deb-src deb\nURIs: http://m/debian\nSuites:\n bookworm\n", 1);
	assert_string_equal(u, "http://m/debian");
	free(u);
	assert_null(pick("Types: deb\nURIs: https://deb.nodesource.com/node_20.x\n"
			 "Suites: nodistro\n", 1));
	/* one-line style, with options and comments */
	u = pick("# deb http://old/debian bookworm main\n"
		 "deb-src http://src/debian bookworm main\n"
		 "deb [arch=amd64 signed-by=/k.gpg] http://m/debian/ bookworm main\n", 0);
	assert_string_equal(u, "http://m/debian/");
	free(u);
	assert_null(pick("deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n", 0));
	assert_null(pick("deb [", 0));
	u = (char *)"unset";
	assert_int_equal(debian_sources_pick("t", "Types deb\n", 10, 1, &u),
			 -UKB_ESOURCE);
	assert_null(u);
}

static void test_default_mirror(void **state)
{
	char dir[] = "/tmp/ukb-test-apt-XXXXXX", *d, *f, *u;

	(void)state;
	assert_non_null(mkdtemp(dir));
	u = debian_default_mirror(dir);
	assert_string_equal(u, DEBIAN_DEFAULT_MIRROR);
	free(u);
	d = path_join(dir, "sources.list.d");
	assert_int_equal(mkdir(d, 0755), 0);
	f = path_join(d, "b.sources");
	assert_int_equal(write_file_atomic(f, "Types: deb\nURIs: http://b/debian\n"
					   "Suites: trixie\n", 44, 0644), 0);
	free(f);
	f = path_join(d, "a.list.disabled");
	assert_int_equal(write_file_atomic(f, "deb http://a/debian sid main\n",
					   29, 0644), 0);
	free(f);
	u = debian_default_mirror(dir);
	assert_string_equal(u, "http://b/debian");
	free(u);
	free(d);
	rmtree(dir);
}

static const char inrelease[] =
	"-----BEGIN PGP SIGNED MESSAGE-----\n"
	"Hash: SHA512\n"
	"\n"
	"Origin: Debian\n"
	"Label: Debian\n"
	"Suite: stable\n"
	"Version: 12.12\n"
	"Codename: bookworm\n"
	"Changelogs: https://metadata.ftp-master.debian.org/changelogs/@CHANGEPATH@_changelog.txt\n"
	"Date: Sat, 06 Sep 2025 09:43:52 UTC\n"
	"Acquire-By-Hash: yes\n"
	"Description: Debian 12.12 Released 06 September 2025\n"
	"MD5Sum:\n"
	" 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 contrib/Contents-all\n"
	"-----BEGIN PGP SIGNATURE-----\n"
	"\n"
	"iQIzBAEBCgAdFiEE...\n"
	"-----END PGP SIGNATURE-----\n";

static void test_release(void **state)
{
	struct debian_release r;

	(void)state;
	assert_int_equal(debian_release_parse("t", inrelease, strlen(inrelease),
					      &r), 0);
	assert_string_equal(r.origin, "Debian");
	assert_string_equal(r.suite, "stable");
	assert_string_equal(r.codename, "bookworm");
	assert_string_equal(r.version, "12.12");
	assert_string_equal(r.date, "Sat, 06 Sep 2025 09:43:52 UTC");
	assert_int_equal(r.epoch, 1757151832LL);
	assert_int_equal(strlen(r.sha256), 64);
	debian_release_release(&r);
	/* a date it cannot read: no epoch, still the fields */
	assert_int_equal(debian_release_parse("t", "Suite: sid\nDate: soon\n", 22,
					      &r), 0);
	assert_int_equal(r.epoch, -1);
	debian_release_release(&r);
	assert_int_equal(debian_release_parse("t", "Origin: x\n", 10, &r),
			 -UKB_ESOURCE);
	assert_int_equal(debian_release_parse("t", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: x\n",
					      44, &r), -UKB_ESOURCE);
	assert_int_equal(debian_release_parse("t", "Suite: a\0b\n", 11, &r),
			 -UKB_ESOURCE);
}

static void test_status(void **state)
{
	static const char st[] =
		"Package: base-files\nEssential: yes\n"
		"Status: install ok installed\nArchitecture: amd64\n"
		"Version: 12.4+deb12u11\nDescription: x\n more\n .\n last\n\n"
		"Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
		"Package: libc6\nStatus: install ok installed\n"
		"Architecture: armhf\nVersion: 2.36-9\n";
	struct strvec v = STRVEC_INIT;

	(void)state;
	assert_int_equal(debian_status_parse("t", st, strlen(st), &v), 0);
	assert_int_equal(v.nr, 2);
	assert_string_equal(v.v[0], "base-files=12.4+deb12u11");
	assert_string_equal(v.v[1], "libc6:armhf=2.36-9");
	strvec_clear(&v);
	assert_int_equal(debian_status_parse("t", " x\n", 3, &v), -UKB_ESOURCE);
	assert_int_equal(debian_status_parse("t", "no colon\n", 9, &v),
			 -UKB_ESOURCE);
	strvec_clear(&v);
}

static int count_fields(void *ctx, unsigned stanza, const char *field,
			const char *value)
{
	(void)stanza;
	(void)field;
	(void)value;
	(*(int *)ctx)++;
	return 0;
}

static void test_deb822(void **state)
{
	int n = 0;

	(void)state;
	/* comments, blank lines with blanks, CRLF, no final newline */
	static const char t[] = "# c\nA: 1\r\n \t\nB:2\nC: x\n y";

	assert_int_equal(deb822_parse("t", t, strlen(t), count_fields, &n), 0);
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suite),
		cmocka_unit_test(test_mirror),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_default_mirror),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_deb822),
	};

	log_set_verbosity(LOG_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
