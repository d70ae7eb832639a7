/*
 * config: INI parsing through libinih with "FILE:LINE: problem" messages,
 * list and override semantics, path resolution, and the file search.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/settings.h"
#include "testlib.h"

static char *dir;
static struct strbuf err = STRBUF_INIT;

/* settings_parse() with what it reports caught in err. */
static int parse(struct ukb_settings *c, const char *name, const char *text,
		 size_t len)
{
	char *got;
	int ret;

	capture_start();
	ret = settings_parse(c, name, text, len);
	got = capture_stop();
	strbuf_reset(&err);
	strbuf_addstr(&err, got);
	free(got);
	return ret;
}

static int parse_str(struct ukb_settings *c, const char *text)
{
	return parse(c, "/etc/umlkbuild.ini", text, strlen(text));
}

static void expect_error(const char *text, const char *msg)
{
	struct ukb_settings c;

	settings_init(&c);
	assert_int_equal(parse_str(&c, text), -UKB_EUSAGE);
	if (!strstr(err.buf, msg))
		fail_msg("wanted '%s', got '%s'", msg, err.buf);
	settings_release(&c);
}

static int setup(void **state)
{
	char tpl[] = "/tmp/ukb-test-config.XXXXXX";

	(void)state;
	if (!mkdtemp(tpl))
		return -1;
	dir = xstrdup(tpl);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(dir);
	free(dir);
	strbuf_release(&err);
	return 0;
}

static void test_parse(void **state)
{
	static const char later[] = "[fetch]\nmirror = file:///srv/m\n";
	struct ukb_settings c;

	(void)state;
	settings_init(&c);
	assert_int_equal(parse_str(&c,
		"; umlkbuild\n"
		"[fetch]\n"
		"mirror = https://mirror.one/pub/linux/kernel\n"
		"Mirror = http://127.0.0.1:8080/k ; the local one\n"
		"keyring = /usr/share/keys/a.asc\n"
		"keyring = b.asc\n"
		"\n"
		"[cache]\n"
		"dir = cache\n"), 0);
	assert_int_equal(c.mirrors.nr, 2);
	assert_string_equal(c.mirrors.v[0], "https://mirror.one/pub/linux/kernel");
	assert_string_equal(c.mirrors.v[1], "http://127.0.0.1:8080/k");
	assert_int_equal(c.keyrings.nr, 2);
	assert_string_equal(c.keyrings.v[0], "/usr/share/keys/a.asc");
	/* relative to the file's directory */
	assert_string_equal(c.keyrings.v[1], "/etc/b.asc");
	assert_string_equal(c.cache_dir, "/etc/cache");
	assert_string_equal(err.buf, "");

	/* a later file replaces the keys it sets, keeps the others */
	assert_int_equal(parse(&c, "/home/u/.config/umlkbuild/config.ini",
			       later, strlen(later)), 0);
	assert_int_equal(c.mirrors.nr, 1);
	assert_string_equal(c.mirrors.v[0], "file:///srv/m");
	assert_int_equal(c.keyrings.nr, 2);
	assert_string_equal(c.cache_dir, "/etc/cache");
	settings_release(&c);
}

/* [alpine] is `umlkbuild rootfs`'s own: it leaves [fetch] alone */
static void test_alpine(void **state)
{
	struct ukb_settings c;

	(void)state;
	settings_init(&c);
	assert_int_equal(parse_str(&c,
		"[fetch]\nkeyring = k.asc\n"
		"[alpine]\nmirror = http://127.0.0.1:8080/alpine\n"
		"keyring = alpine.asc\n"), 0);
	assert_int_equal(c.alpine_mirrors.nr, 1);
	assert_string_equal(c.alpine_mirrors.v[0], "http://127.0.0.1:8080/alpine");
	assert_int_equal(c.alpine_keyrings.nr, 1);
	assert_string_equal(c.alpine_keyrings.v[0], "/etc/alpine.asc");
	assert_int_equal(c.keyrings.nr, 1);
	assert_int_equal(c.mirrors.nr, 0);
	assert_int_equal(parse_str(&c, "[alpine]\nmirror = http://example.com/a\n"),
			 -UKB_EUSAGE);
	assert_int_equal(parse_str(&c, "[alpine]\nbogus = 1\n"), -UKB_EUSAGE);
	settings_release(&c);
}

static void test_home_and_continuation(void **state)
{
	struct ukb_settings c;

	(void)state;
	setenv("HOME", "/home/tester", 1);
	settings_init(&c);
	assert_int_equal(parse_str(&c,
		"[fetch]\n"
		"mirror = https://a.example/k\n"
		"  https://b.example/k\n"
		"keyring = ~/keys/x.asc\n"), 0);
	assert_int_equal(c.mirrors.nr, 2);
	assert_string_equal(c.mirrors.v[1], "https://b.example/k");
	assert_string_equal(c.keyrings.v[0], "/home/tester/keys/x.asc");
	settings_release(&c);
}

static void test_errors(void **state)
{
	char long_line[400];

	(void)state;
	expect_error("[fetch]\nmirrors = https://x/\n",
		     "error: /etc/umlkbuild.ini:2: unknown key 'mirrors' in [fetch]");
	expect_error("\n\n[build]\njobs = 4\n",
		     "/etc/umlkbuild.ini:4: unknown section [build]");
	expect_error("mirror = https://x/\n",
		     "/etc/umlkbuild.ini:1: 'mirror' outside a section");
	expect_error("[fetch]\nmirror =\n",
		     "/etc/umlkbuild.ini:2: empty value for 'mirror'");
	expect_error("[fetch]\n\n\nmirror = http://mirror.example.com/k\n",
		     "/etc/umlkbuild.ini:4: refusing mirror 'http://mirror.example.com/k'");
	expect_error("[fetch]\nthis is not ini\n",
		     "/etc/umlkbuild.ini:2: expected '[section]' or 'key = value'");
	expect_error("[fetch\n", "/etc/umlkbuild.ini:1: expected");
	/* the first problem wins, whichever kind it is */
	expect_error("[fetch]\ngarbage\n[nope]\nx = y\n",
		     "/etc/umlkbuild.ini:2: expected");
	expect_error("[nope]\nx = y\ngarbage\n",
		     "/etc/umlkbuild.ini:2: unknown section [nope]");
	memset(long_line, 'a', sizeof(long_line));
	memcpy(long_line, "[fetch]\nmirror = https://", 25);
	long_line[sizeof(long_line) - 1] = '\0';
	expect_error(long_line, "/etc/umlkbuild.ini:2: line too long");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[fetch]\nmirror = https://a/\0x\n";
	struct ukb_settings c;

	(void)state;
	settings_init(&c);
	assert_int_equal(parse(&c, "f.ini", text, sizeof(text) - 1),
			 -UKB_EUSAGE);
	assert_non_null(strstr(err.buf, "f.ini:2: NUL byte"));
	settings_release(&c);
}

static void write_at(const char *rel, const char *text)
{
	char *p = path_join(dir, rel), *slash = strrchr(p, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(p, 0755), 0);
	*slash = '/';
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static void test_load(void **state)
{
	struct ukb_settings c;
	char *xdg = path_join(dir, "xdg"), *explicit = path_join(dir, "my.ini");
	char *missing = path_join(dir, "missing.ini");

	(void)state;
	setenv("UKB_CONFIG_NOSYSTEM", "1", 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	settings_init(&c);
	/* no files at all is fine */
	assert_int_equal(settings_load(&c, NULL), 0);
	assert_int_equal(c.mirrors.nr, 0);
	assert_null(c.cache_dir);

	write_at("xdg/umlkbuild/config.ini",
		 "[fetch]\nmirror = https://user.example/k\n[cache]\ndir = /c\n");
	write_at("my.ini", "[fetch]\nmirror = https://explicit.example/k\n");
	assert_int_equal(settings_load(&c, explicit), 0);
	assert_int_equal(c.mirrors.nr, 1);
	assert_string_equal(c.mirrors.v[0], "https://explicit.example/k");
	assert_string_equal(c.cache_dir, "/c");
	settings_release(&c);

	settings_init(&c);
	log_set_verbosity(LOG_QUIET);
	assert_int_equal(settings_load(&c, missing), -UKB_EUSAGE);
	write_at("xdg/umlkbuild/config.ini", "[fetch]\nbogus = 1\n");
	assert_int_equal(settings_load(&c, NULL), -UKB_EUSAGE);
	settings_release(&c);
	unsetenv("XDG_CONFIG_HOME");
	free(xdg);
	free(explicit);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_alpine),
		cmocka_unit_test(test_home_and_continuation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
