/*
 * matrix: the INI file (good files, bad files named file:line), the
 * expansion into builds, artifact names, reading a failed build's
 * diagnostics; report: HTML and markdown escaping and the three writers
 * on synthetic results; and the distcc pieces (kbuild's -j for distcc,
 * the toolchain profile's wrapper key).
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

#include "base/scope.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "compile/toolchain.h"
#include "driver/matrix.h"
#include "publish/report.h"
#include "testlib.h"

static char *dir;
static struct strbuf err = STRBUF_INIT;

/* matrix_parse() with what it reports caught in err. */
static int parse(struct matrix *m, const char *text)
{
	char *got;
	int ret;

	capture_start();
	ret = matrix_parse(m, "/srv/nightly/m.ini", text, strlen(text));
	got = capture_stop();
	strbuf_reset(&err);
	strbuf_addstr(&err, got);
	free(got);
	return ret;
}

static void expect_error(const char *text, const char *msg)
{
	struct matrix m;

	matrix_init(&m);
	assert_int_equal(parse(&m, text), -UKB_EUSAGE);
	if (!strstr(err.buf, msg))
		fail_msg("wanted '%s', got '%s'", msg, err.buf);
	matrix_release(&m);
}

static int setup(void **state)
{
	char tpl[] = "/tmp/ukb-test-matrix.XXXXXX";

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

static void test_parse_and_expand(void **state)
{
	static const char text[] =
		"; nightly\n"
		"[matrix]\n"
		"out = artifacts\n"
		"jobs = 4\n"
		"parallel = 2\n"
		"boot = no\n"
		"ccache = yes\n"
		"toolchain = gcc-12\n"
		"\n"
		"[cell debian]\n"
		"tarball = /usr/src/linux-source-6.1.tar.xz\n"
		"arch = x86_64 i386   ; both\n"
		"profile = minimal defconfig\n"
		"fragment = extra.config\n"
		"fragment = /abs/more.config\n"
		"kconfig_add = CONFIG_CMDLINE=\"a b\"\n"
		"\n"
		"[cell old]\n"
		"version = 4.10.1 4.14\n"
		"arch = 32\n"
		"suffix = lts\n"
		"\n"
		"[cell tip]\n"
		"git = https://git.example/linux.git\n"
		"ref = v6.6\n";
	struct matrix m;
	const struct matrix_build *b;

	(void)state;
	matrix_init(&m);
	assert_int_equal(parse(&m, text), 0);
	assert_string_equal(m.out, "/srv/nightly/artifacts");
	assert_int_equal(m.jobs, 4);
	assert_int_equal(m.parallel, 2);
	assert_true(m.no_boot);
	assert_false(m.no_ccache);
	assert_string_equal(m.toolchain, "gcc-12");
	/* 1 tarball x 2 arches x 2 profiles + 2 versions x 1 + 1 ref */
	assert_int_equal(m.nr, 7);

	b = &m.b[0];
	assert_string_equal(b->cell, "debian");
	assert_int_equal(b->line, 10);
	assert_string_equal(b->kind, "tarball");
	assert_string_equal(b->source, "/usr/src/linux-source-6.1.tar.xz");
	assert_int_equal(b->arch, ARCH_X86_64);
	assert_string_equal(b->profile, "minimal");
	assert_int_equal(b->fragments.nr, 2);
	assert_string_equal(b->fragments.v[0], "/srv/nightly/extra.config");
	assert_string_equal(b->fragments.v[1], "/abs/more.config");
	assert_int_equal(b->kconfig_add.nr, 1);
	assert_string_equal(b->kconfig_add.v[0], "CONFIG_CMDLINE=\"a b\"");
	assert_string_equal(m.b[1].profile, "defconfig");
	assert_int_equal(m.b[2].arch, ARCH_I386);
	assert_string_equal(m.b[2].profile, "minimal");

	b = &m.b[4];
	assert_string_equal(b->cell, "old");
	assert_int_equal(b->line, 18);
	assert_string_equal(b->kind, "version");
	assert_string_equal(b->source, "4.10.1");
	assert_int_equal(b->arch, ARCH_I386);
	assert_string_equal(b->profile, "defconfig"); /* the default */
	assert_string_equal(b->suffix, "lts");
	assert_int_equal(b->fragments.nr, 0);
	assert_string_equal(m.b[5].source, "4.14");

	b = &m.b[6];
	assert_string_equal(b->kind, "git");
	assert_string_equal(b->git_url, "https://git.example/linux.git");
	assert_string_equal(b->source, "v6.6");
	assert_int_equal(b->arch, ARCH_X86_64); /* the default */
	matrix_release(&m);
}

static void test_artifact_name(void **state)
{
	struct matrix m;
	char *name;

	(void)state;
	matrix_init(&m);
	assert_int_equal(parse(&m, "[cell a]\nversion = 4.10.1\narch = x86_64 i386\n"
				  "[cell b]\nversion = 4.10.1\nprofile = minimal\nsuffix = nobbr\n"),
			 0);
	assert_int_equal(m.nr, 3);
	name = matrix_artifact_name(&m.b[0], "4.10.1");
	assert_string_equal(name, "linux-4.10.1-um-x86_64");
	free(name);
	name = matrix_artifact_name(&m.b[1], "4.10.1");
	assert_string_equal(name, "linux-4.10.1-um-i386");
	free(name);
	name = matrix_artifact_name(&m.b[2], "4.10.1");
	assert_string_equal(name, "linux-4.10.1-um-x86_64-minimal-nobbr");
	free(name);
	matrix_release(&m);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("[matrix]\njobs = 0\n[cell a]\nversion = 6.1\n",
		     "/srv/nightly/m.ini:2: 'jobs' wants a number from 1 to 1024, not '0'");
	expect_error("[matrix]\nparallel = two\n",
		     "m.ini:2: 'parallel' wants a number");
	expect_error("[matrix]\nboot = maybe\n", "m.ini:2: 'boot' wants yes or no");
	expect_error("[matrix]\nspeed = 11\n", "m.ini:2: unknown key 'speed' in [matrix]");
	expect_error("[matrx]\nout = x\n", "m.ini:2: unknown section [matrx]");
	expect_error("[cell]\nversion = 6.1\n", "m.ini:2: unknown section [cell]");
	expect_error("[cell a/b]\nversion = 6.1\n", "m.ini:2: bad cell name 'a/b'");
	expect_error("[cell a]\nversion = 6.1\n[cell b]\nversion = 6.6\n[cell a]\narch = i386\n",
		     "m.ini:6: cell 'a' is defined twice (first on line 1)");
	expect_error("[cell a]\narch = x86_64 sparc\n",
		     "m.ini:2: unknown arch 'sparc'");
	expect_error("[cell a]\narch = x86_64 amd64\n",
		     "m.ini:2: arch 'x86_64' listed twice");
	expect_error("[cell a]\nprofile = tiny\n", "m.ini:2: unknown profile 'tiny'");
	expect_error("[cell a]\nversion = 6.x\n", "m.ini:2: invalid kernel version '6.x'");
	expect_error("[cell a]\nversion = 6.1\nkconfig_add = IPV6=y\n",
		     "m.ini:3: 'kconfig_add' wants a CONFIG_X=value line");
	expect_error("[cell a]\nversion = 6.1\ncolour = red\n",
		     "m.ini:3: unknown key 'colour' in [cell a]");
	expect_error("[cell a]\nversion = 6.1\nsuffix = two words\n",
		     "m.ini:3: 'suffix' wants one word");
	expect_error("[cell a]\ngit = u1\ngit = u2\nref = x\n",
		     "m.ini:3: a cell takes one 'git' URL");
	expect_error("out = x\n", "m.ini:1: 'out' outside a section");
	expect_error("[matrix]\nout =\n", "m.ini:2: empty value for 'out'");
	expect_error("[matrix\n", "m.ini:1: expected '[section]'");
	/* problems of a whole cell name the cell's line */
	expect_error("[matrix]\nout = o\n\n[cell empty]\narch = i386\n",
		     "m.ini:4: [cell empty] has no source");
	expect_error("[cell two]\nversion = 6.1\ntarball = /t.tar.xz\n",
		     "m.ini:1: [cell two] gives more than one of tarball, version and git");
	expect_error("[cell g]\ngit = https://x/linux.git\n", "m.ini:1: [cell g] 'git' needs 'ref'");
	expect_error("[cell r]\nversion = 6.1\nref = v6.1\n", "m.ini:1: [cell r] 'ref' goes with 'git'");
	expect_error("[cell a]\nversion = 6.1\n[cell b]\n version = 6.1\n",
		     "m.ini:3: [cell b] builds 6.1 for x86_64/defconfig again (as cell 'a' does); give one of them a 'suffix'");
	expect_error("[matrix]\nout = o\n", "m.ini: no [cell NAME] section");
	expect_error("", "no [cell NAME] section");
}

static void test_load(void **state)
{
	char *path = path_join(dir, "m.ini");
	struct matrix m;

	(void)state;
	assert_int_equal(write_file_atomic(path, "[cell a]\ntarball = k.tar.xz\nfragment = f.config\n",
					   48, 0644), 0);
	matrix_init(&m);
	assert_int_equal(matrix_load(&m, path), 0);
	assert_int_equal(m.nr, 1);
	assert_true(!strncmp(m.b[0].source, dir, strlen(dir)));
	assert_true(strstr(m.b[0].source, "/k.tar.xz") != NULL);
	assert_true(strstr(m.b[0].fragments.v[0], "/f.config") != NULL);
	matrix_release(&m);
	free(path);

	matrix_init(&m);
	log_set_verbosity(LOG_QUIET);
	assert_int_equal(matrix_load(&m, "/nonexistent/m.ini"), -UKB_EUSAGE);
	log_set_verbosity(LOG_NORMAL);
	matrix_release(&m);
}

static void test_failure_reading(void **state)
{
	static const char cfg_fail[] =
		"linux 6.1.192 from /usr/src/linux-source-6.1.tar.xz\n"
		"configuring 6.1.192 for i386 (tinyconfig + 9 fragments)\n"
		"error: required CONFIG_TCP_CONG_BBR=y, but the configuration has CONFIG_TCP_CONG_BBR=n\n"
		"error: required CONFIG_DEFAULT_BBR=y, but ...\n"
		"hint: nothing was compiled; fix the fragments and run again\n";
	static const char cc_fail[] =
		"linux 6.1.192 from /usr/src/linux-source-6.1.tar.xz\n"
		"configuring 6.1.192 for x86_64 (defconfig + 8 fragments)\n"
		"compiling vmlinux with -j2 and ccache\n"
		"error: make vmlinux exited with 2\n"
		"  net/ipv4/tcp_bbr.c:12:1: error: expected ';' before 'int'\n"
		"  make[3]: *** [scripts/Makefile.build:250: net/ipv4/tcp_bbr.o] Error 1\n";
	char *e;

	(void)state;
	e = matrix_first_error(cfg_fail);
	assert_string_equal(e, "required CONFIG_TCP_CONG_BBR=y, but the configuration has CONFIG_TCP_CONG_BBR=n");
	free(e);
	e = matrix_first_error(cc_fail);
	assert_string_equal(e, "make vmlinux exited with 2: net/ipv4/tcp_bbr.c:12:1: error: expected ';' before 'int'");
	free(e);
	/* a child that believed it had a terminal: progress and colour */
	e = matrix_first_error("\rcompiling 12\rcompiling 40\r\033[K\033[1;31merror:\033[m make vmlinux exited with 2\n"
			       "  \033[1mx.c:1:1:\033[m error: no\n");
	assert_string_equal(e, "make vmlinux exited with 2: x.c:1:1: error: no");
	free(e);
	assert_null(matrix_first_error("all went well\n"));
	assert_null(matrix_first_error(""));

	/* the phase comes from the child's metadata, not from its messages */
	{
		static const char *const rec[][2] = {
			{ "compile", "compile" }, { "configure", "configure" },
			{ "source", "source" }, { "kmod", "verify" },
			{ "strip", "verify" }, { "config", "verify" },
			{ "boot", "boot" }, { "publish", "publish" },
		};

		for (size_t k = 0; k < sizeof(rec) / sizeof(rec[0]); k++) {
			char *json = xasprintf("{\"results\": {\"failed_phase\": \"%s\"}}",
					       rec[k][0]);
			struct manifest *meta = manifest_loadb(json, strlen(json), "t.json");

			assert_non_null(meta);
			/* EXIT_BUILD for all: only the record tells them apart */
			assert_string_equal(matrix_child_phase(EXIT_BUILD, meta), rec[k][1]);
			manifest_free(meta);
			free(json);
		}
	}
	assert_string_equal(matrix_child_phase(EXIT_BUILD, NULL), "compile");
	assert_string_equal(matrix_child_phase(EXIT_SOURCE, NULL), "source");
	assert_string_equal(matrix_child_phase(EXIT_PATCH, NULL), "source");
	assert_string_equal(matrix_child_phase(EXIT_USAGE, NULL), "usage");
	assert_string_equal(matrix_child_phase(EXIT_CONFIG, NULL), "configure");
	assert_string_equal(matrix_child_phase(EXIT_ARTIFACT, NULL), "verify");
	assert_string_equal(matrix_child_phase(EXIT_BOOT, NULL), "boot");
	assert_string_equal(matrix_child_phase(EXIT_HOST, NULL), "host");
	assert_string_equal(matrix_child_phase(130, NULL), "interrupted");
	assert_string_equal(matrix_child_phase(1, NULL), "internal");
}

static void test_escaping(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	html_escape(&sb, "<script>alert(\"x\" & 'y')</script>\n");
	/* control characters are quoted, not blanked */
	assert_string_equal(sb.buf, "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;\\n");
	strbuf_reset(&sb);
	html_escape(&sb, NULL);
	assert_string_equal(sb.buf, "");
	md_escape(&sb, "a|b `c` *d* CONFIG_X_Y [l](u) <i>\nnext\\");
	assert_string_equal(sb.buf, "a\\|b \\`c\\` \\*d\\* CONFIG_X_Y \\[l\\](u) \\<i>\\\\nnext\\\\");
	strbuf_reset(&sb);
	md_escape(&sb, "\x1b[31m\x9b");
	assert_string_equal(sb.buf, "\\\\033\\[31m\\\\x9b");
	strbuf_release(&sb);
}

/* Two builds, one passed and one failed, with hostile strings. */
static void synthetic(struct report *rep)
{
	struct report_row *r;

	report_init(rep);
	rep->file = xstrdup("nightly<1>.ini");
	rep->started = xstrdup("2026-01-01T00:00:00Z");
	rep->duration = 754.5;
	r = report_add(rep);
	r->id = xstrdup("001-debian-x86_64-minimal");
	r->cell = xstrdup("debian");
	r->kind = xstrdup("tarball");
	r->source = xstrdup("/usr/src/linux-source-6.1.tar.xz");
	r->version = xstrdup("6.1.192");
	r->arch = xstrdup("x86_64");
	r->profile = xstrdup("minimal");
	r->status = "PASS";
	r->duration = 312.25;
	r->size = 3456789;
	r->sha256 = xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	r->artifact = xstrdup("linux-6.1.192-um-x86_64-minimal");
	r->log = xstrdup("logs/001-debian-x86_64-minimal.log");
	r = report_add(rep);
	r->id = xstrdup("002-bad-i386-defconfig");
	r->cell = xstrdup("bad");
	r->kind = xstrdup("tarball");
	r->source = xstrdup("/k|<b>.tar.xz");
	r->arch = xstrdup("i386");
	r->profile = xstrdup("defconfig");
	r->status = "FAIL";
	r->phase = xstrdup("compile");
	r->error = xstrdup("make vmlinux exited with 2: x.c:1: error: '<img src=x>' | `rm`");
	r->exit_code = 6;
	r->duration = 9.5;
	r->log = xstrdup("logs/002-bad-i386-defconfig.log");
	report_add(rep)->id = xstrdup("003-later-x86_64-defconfig"); /* not run */
}

/* Bytes jansson refuses (not UTF-8) and control characters: quoted in
 * all three reports, never an abort in the JSON one. */
static void test_report_untrusted_text(void **state)
{
	char tdir[] = "/tmp/ukb-test-report.XXXXXX";
	struct report rep;
	struct manifest *m;
	struct strbuf sb = STRBUF_INIT;
	char *path;

	(void)state;
	report_init(&rep);
	rep.file = xstrdup("m\xff.ini");
	report_add(&rep)->id = xstrdup("001-c\x1b[2J\xff");
	rep.r[0].source = xstrdup("/k\xc2\x9b.tar\nerror: forged");
	assert_non_null(mkdtemp(tdir));
	assert_int_equal(report_write(&rep, tdir), 0);
	path = xasprintf("%s/matrix.json", tdir);
	m = manifest_load(path);
	assert_non_null(m);
	assert_string_equal(manifest_get_str(m, "matrix.file"), "m\\xff.ini");
	assert_string_equal(manifest_array_str(m, "builds", 0, "id"), "001-c\\033[2J\\xff");
	assert_string_equal(manifest_array_str(m, "builds", 0, "source"),
			    "/k\\xc2\\x9b.tar\\nerror: forged");
	manifest_free(m);
	free(path);
	path = xasprintf("%s/matrix.md", tdir);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	for (size_t i = 0; i < sb.len; i++)
		assert_true((unsigned char)sb.buf[i] >= 0x20 || sb.buf[i] == '\n');
	assert_null(strstr(sb.buf, "\nerror: forged"));
	free(path);
	strbuf_release(&sb);
	rmtree(tdir);
	report_release(&rep);
}

static void test_report_md_html(void **state)
{
	struct report rep;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	synthetic(&rep);
	assert_int_equal(report_count(&rep, "PASS"), 1);
	assert_int_equal(report_count(&rep, "FAIL"), 1);
	assert_int_equal(report_count(&rep, "SKIP"), 1);

	report_md(&rep, &sb);
	assert_non_null(strstr(sb.buf, "3 builds: 1 passed, 1 failed, 1 not run; 12m35s"));
	assert_non_null(strstr(sb.buf, "| 001-debian-x86_64-minimal | 6.1.192 | x86_64 | minimal | PASS | - | 5m12s | 3.3 MiB | `0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef` | linux-6.1.192-um-x86_64-minimal | - |\n"));
	assert_non_null(strstr(sb.buf, "| 002-bad-i386-defconfig | - | i386 | defconfig | FAIL | compile | 9.5s | - | - | - | make vmlinux exited with 2: x.c:1: error: '\\<img src=x>' \\| \\`rm\\` |\n"));
	/* every row has the header's column count */
	{
		const char *line = strstr(sb.buf, "| build |");
		size_t want = 0;

		for (const char *p = line; *p != '\n'; p++)
			want += *p == '|';
		for (const char *p = strchr(line, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
			size_t n = 0;

			for (; *p != '\n'; p++)
				n += *p == '|' && p[-1] != '\\';
			assert_int_equal(n, want);
		}
	}

	strbuf_reset(&sb);
	report_html(&rep, &sb);
	assert_true(!strncmp(sb.buf, "<!DOCTYPE html>", 15));
	assert_non_null(strstr(sb.buf, "<style>"));
	assert_null(strstr(sb.buf, "<script"));
	assert_null(strstr(sb.buf, "<img"));
	assert_null(strstr(sb.buf, "<link"));
	assert_null(strstr(sb.buf, "http"));
	assert_non_null(strstr(sb.buf, "<h1>umlkbuild matrix: nightly&lt;1&gt;.ini</h1>"));
	assert_non_null(strstr(sb.buf, "<td>/k|&lt;b&gt;.tar.xz</td>"));
	assert_non_null(strstr(sb.buf, "&#39;&lt;img src=x&gt;&#39; | `rm`"));
	assert_non_null(strstr(sb.buf, "<td class=\"PASS\">PASS</td>"));
	assert_non_null(strstr(sb.buf, "<td class=\"FAIL\">FAIL</td><td>compile</td>"));
	assert_non_null(strstr(sb.buf, "<td class=\"SKIP\">SKIP</td>"));
	assert_non_null(strstr(sb.buf, "</html>\n"));
	strbuf_release(&sb);
	report_release(&rep);
}

static void test_report_write(void **state)
{
	struct report rep;
	char *json = path_join(dir, "matrix.json");
	char *md = path_join(dir, "matrix.md");
	char *html = path_join(dir, "matrix.html");
	struct manifest *m;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	synthetic(&rep);
	assert_int_equal(report_write(&rep, dir), 0);
	assert_true(path_exists(md));
	assert_true(path_exists(html));
	m = manifest_load(json);
	assert_non_null(m);
	assert_string_equal(manifest_get_str(m, "matrix.file"), "nightly<1>.ini");
	manifest_free(m);
	assert_int_equal(strbuf_read_file(&sb, json), 0);
	assert_non_null(strstr(sb.buf, "\"failed\": 1"));
	assert_non_null(strstr(sb.buf, "\"passed\": 1"));
	assert_non_null(strstr(sb.buf, "\"not_run\": 1"));
	assert_non_null(strstr(sb.buf, "\"vmlinux_size\": 3456789"));
	assert_non_null(strstr(sb.buf, "\"vmlinux_size\": null"));
	assert_non_null(strstr(sb.buf, "\"failed_phase\": \"compile\""));
	assert_non_null(strstr(sb.buf, "\"status\": \"SKIP\""));
	assert_non_null(strstr(sb.buf, "\"exit_code\": 6"));
	strbuf_release(&sb);
	report_release(&rep);

	/* an unwritable directory is a host problem */
	report_init(&rep);
	rep.file = xstrdup("x.ini");
	log_set_verbosity(LOG_QUIET);
	assert_int_equal(report_write(&rep, "/nonexistent/dir"), -UKB_EHOST);
	log_set_verbosity(LOG_NORMAL);
	report_release(&rep);
	free(json);
	free(md);
	free(html);
}

static void test_distcc_jobs(void **state)
{
	(void)state;
	assert_int_equal(kbuild_distcc_jobs("127.0.0.1:3632/2", 2), 4);
	assert_int_equal(kbuild_distcc_jobs("a b/8 c:3633/3,lzo", 2), 2 + 4 + 8 + 3);
	assert_int_equal(kbuild_distcc_jobs("localhost/2 --randomize", 2), 4);
	assert_int_equal(kbuild_distcc_jobs(NULL, 3), 6);
	assert_int_equal(kbuild_distcc_jobs("", 0), 2);
	assert_int_equal(kbuild_distcc_jobs("a/1000 b/1000", 100), 1024);
}

static void test_toolchain_wrapper(void **state)
{
	static const char good[] = "[toolchain]\ncc = gcc\nwrapper = distcc\n"
				   "distcc_hosts = 10.0.0.2/8,lzo 10.0.0.3:3632/4\n";
	struct toolchain tc;
	const char *bad;

	(void)state;
	assert_int_equal(toolchain_parse("gcc-distcc", "/p/gcc-distcc.ini", good,
					 strlen(good), &tc), 0);
	assert_string_equal(tc.wrapper, "distcc");
	assert_string_equal(tc.distcc_hosts, "10.0.0.2/8,lzo 10.0.0.3:3632/4");
	toolchain_release(&tc);

	log_set_verbosity(LOG_QUIET);
	bad = "[toolchain]\ncc = gcc\nwrapper = icecc\n";
	assert_int_equal(toolchain_parse("x", "/p/x.ini", bad, strlen(bad), &tc),
			 -UKB_EUSAGE);
	toolchain_release(&tc);
	bad = "[toolchain]\ncc = gcc\ndistcc_hosts = a;reboot\n";
	assert_int_equal(toolchain_parse("x", "/p/x.ini", bad, strlen(bad), &tc),
			 -UKB_EUSAGE);
	toolchain_release(&tc);
	log_set_verbosity(LOG_NORMAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_expand),
		cmocka_unit_test(test_artifact_name),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_failure_reading),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_report_md_html),
		cmocka_unit_test(test_report_write),
		cmocka_unit_test(test_report_untrusted_text),
		cmocka_unit_test(test_distcc_jobs),
		cmocka_unit_test(test_toolchain_wrapper),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
