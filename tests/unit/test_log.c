/*
 * log: the one sink for diagnostics quotes what it prints, so an archive
 * entry name, an argument or a child's output line cannot add a line or
 * send a terminal escape sequence (quote_ctrl and its use by error(),
 * warning() and log_child_line()).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "testlib.h"

static char *quoted(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	quote_ctrl(&sb, s, len);
	return strbuf_detach(&sb, NULL);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c - 'a' + 10;
}

/* quote_ctrl's inverse, for the round trip. */
static void unquote(struct strbuf *out, const char *s)
{
	while (*s) {
		if (*s != '\\' || !s[1]) {
			strbuf_addch(out, *s++);
			continue;
		}
		switch (s[1]) {
		case '\\': strbuf_addch(out, '\\'); s += 2; break;
		case 'n': strbuf_addch(out, '\n'); s += 2; break;
		case 't': strbuf_addch(out, '\t'); s += 2; break;
		case 'r': strbuf_addch(out, '\r'); s += 2; break;
		case 'x':
			strbuf_addch(out, hexval(s[2]) << 4 | hexval(s[3]));
			s += 4;
			break;
		default:
			if (s[1] >= '0' && s[1] <= '7') {
				strbuf_addch(out, (s[1] - '0') << 6 |
					     (s[2] - '0') << 3 | (s[3] - '0'));
				s += 4;
			} else {
				strbuf_addch(out, *s++);
			}
		}
	}
}

static void expect(const char *in, size_t len, const char *want)
{
	char *q = quoted(in, len);
	struct strbuf back = STRBUF_INIT;

	assert_string_equal(q, want);
	unquote(&back, q);
	assert_int_equal(back.len, len);
	assert_memory_equal(back.buf, in, len);
	/* and the module's own decoder */
	strbuf_reset(&back);
	unquote_ctrl(&back, q, strlen(q));
	assert_int_equal(back.len, len);
	assert_memory_equal(back.buf, in, len);
	strbuf_release(&back);
	free(q);
}

#define EXPECT(in, want) expect(in, sizeof(in) - 1, want)

static void test_quote_plain(void **state)
{
	(void)state;
	EXPECT("", "");
	EXPECT("cannot unpack 'linux-6.1/Makefile'", "cannot unpack 'linux-6.1/Makefile'");
	/* UTF-8 is text, not an attack */
	EXPECT("Ren\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "Ren\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
	/* a backslash stays single unless it would start an escape */
	EXPECT("-DX=\\\"y\\\" C:\\Users", "-DX=\\\"y\\\" C:\\Users");
	EXPECT("trailing\\", "trailing\\");
}

static void test_quote_controls(void **state)
{
	(void)state;
	EXPECT("linux-x/a\nerror: forged line\n../../x",
	       "linux-x/a\\nerror: forged line\\n../../x");
	EXPECT("\x1b[31mred\x1b[m", "\\033[31mred\\033[m");
	EXPECT("a\tb\rc\x7f\x01", "a\\tb\\rc\\177\\001");
	EXPECT("nul\0byte", "nul\\000byte");
	/* backslashes that would read as escapes */
	EXPECT("\\n", "\\\\n");
	EXPECT("\\\\", "\\\\\\");
	EXPECT("\\033", "\\\\033");
	EXPECT("\\x41", "\\\\x41");
	EXPECT("\\\n", "\\\\\\n");
}

static void test_quote_not_utf8(void **state)
{
	(void)state;
	/* C1 controls: CSI as one byte and as UTF-8 */
	EXPECT("\x9b" "31m", "\\x9b31m");
	EXPECT("\xc2\x9b" "31m", "\\xc2\\x9b31m");
	EXPECT("\xc2\x85", "\\xc2\\x85");
	/* bidi overrides and line separators */
	EXPECT("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb");
	EXPECT("\xe2\x80\xa8", "\\xe2\\x80\\xa8");
	EXPECT("\xe2\x81\xa6", "\\xe2\\x81\\xa6");
	/* overlong, surrogate, truncated, stray continuation, past U+10FFFF */
	EXPECT("\xc0\xaf", "\\xc0\\xaf");
	EXPECT("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	EXPECT("\xed\xa0\x80", "\\xed\\xa0\\x80");
	EXPECT("\xe2\x82", "\\xe2\\x82");
	EXPECT("\x80", "\\x80");
	EXPECT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	EXPECT("\xff", "\\xff");
}

static void test_quote_lines(void **state)
{
	static const char in[] = "  prompt \"\x1b[31mred\"\n\n\tlast";
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	quote_ctrl_lines(&sb, in, sizeof(in) - 1);
	assert_string_equal(sb.buf, "  prompt \"\\033[31mred\"\n\n\\tlast");
	strbuf_release(&sb);
}

/* what log.h reports during one call, as stderr would show it */
static char *capture_call(void (*fn)(void))
{
	capture_start();
	fn();
	return capture_stop();
}

static void say_nasty(void)
{
	error(-1, "cannot unpack '%s': unsafe entry '%s'", "t.tar",
	      "linux-x/a\nerror: forged line\n../../x");
	warning("'%s'", "\x1b]0;title\x07");
	log_child_line("make: \x1b[2J", 10);
}

static void test_sink(void **state)
{
	char dir[] = "/tmp/ukb-test-logdir.XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	char *err, *path;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/build.log", dir);
	log_set_verbosity(LOG_VERBOSE);
	assert_int_equal(log_open(path), 0);
	err = capture_call(say_nasty);
	log_close();
	assert_string_equal(err,
		"error: cannot unpack 't.tar': unsafe entry 'linux-x/a\\nerror: forged line\\n../../x'\n"
		"warning: '\\033]0;title\\007'\n"
		"make: \\033[2J\n");
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_string_equal(sb.buf,
		"E: cannot unpack 't.tar': unsafe entry 'linux-x/a\\nerror: forged line\\n../../x'\n"
		"W: '\\033]0;title\\007'\n"
		"make: \\033[2J\n");
	log_set_verbosity(LOG_NORMAL);
	strbuf_release(&sb);
	free(err);
	rmtree(dir);
	free(path);
}

static void say_errno(void)
{
	assert_int_equal(error_errno(-ENOENT, "cannot read '%s'", "/x"),
			 -ENOENT);
	assert_int_equal(error_errno(-UKB_EHOST, "cannot use '%s'", "y"),
			 -UKB_EHOST);
	errno = EACCES;
	assert_int_equal(error_errno(0, "cannot open"), -EACCES);
}

/* error_errno: the message of the code (or of errno) after ": " */
static void test_error_errno(void **state)
{
	char *err, *want;

	(void)state;
	err = capture_call(say_errno);
	want = xasprintf("error: cannot read '/x': %s\n"
			 "error: cannot use 'y': %s\n"
			 "error: cannot open: %s\n", strerror(ENOENT),
			 ukb_strerror(-UKB_EHOST), strerror(EACCES));
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void warn_errno(void)
{
	warning_errno(-ENOENT, "cannot remove '%s'", "/x");
	warning_errno(-UKB_ESOURCE, "cannot use '%s'", "y");
	errno = EPERM;
	warning_errno(0, "cannot write");
	log_set_verbosity(LOG_QUIET);
	warning_errno(-EIO, "hidden");
	log_set_verbosity(LOG_NORMAL);
}

/* warning_errno: warning() with the message of the code (or of errno) */
static void test_warning_errno(void **state)
{
	char *err, *want;

	(void)state;
	err = capture_call(warn_errno);
	want = xasprintf("warning: cannot remove '/x': %s\n"
			 "warning: cannot use 'y': %s\n"
			 "warning: cannot write: %s\n", strerror(ENOENT),
			 ukb_strerror(-UKB_ESOURCE), strerror(EPERM));
	assert_string_equal(err, want);
	free(want);
	free(err);
}

/* the sink gets each shown line with its level; verbosity still applies */
static void test_capture_levels(void **state)
{
	char *got;

	(void)state;
	capture_start();
	error(-1, "bad '%s'", "x");
	hint("try '%s'", "y");
	warning("odd");
	info("phase");
	debug("detail");
	log_set_verbosity(LOG_QUIET);
	info("hidden");
	warning("hidden too");
	error(-1, "still shown");
	log_set_verbosity(LOG_NORMAL);
	assert_int_equal(captured_count(LOG_LEVEL_ERROR), 2);
	assert_int_equal(captured_count(LOG_LEVEL_HINT), 1);
	assert_int_equal(captured_count(LOG_LEVEL_WARNING), 1);
	assert_int_equal(captured_count(LOG_LEVEL_INFO), 1);
	assert_int_equal(captured_count(LOG_LEVEL_DEBUG), 0);
	assert_logged("^error: bad 'x'$");
	assert_logged("^hint: try 'y'$");
	assert_not_logged("hidden");
	got = capture_stop();
	assert_string_equal(got, "error: bad 'x'\nhint: try 'y'\n"
				 "warning: odd\nphase\nerror: still shown\n");
	free(got);
	/* stopped: nothing more is kept */
	capture_start();
	free(capture_stop());
	assert_string_equal(captured(), "");
}

/* without a sink, the lines reach the real stderr, prefixed, uncoloured */
static void test_stderr_plain(void **state)
{
	int fds[2], status;
	char buf[256] = "";
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		error(-1, "cannot '%s'", "z\n");
		hint("do this");
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	       (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	assert_string_equal(buf, "error: cannot 'z\\n'\nhint: do this\n");
}

/* BUG: "BUG: file:line: ..." on stderr, then abort */
static void test_bug(void **state)
{
	int fds[2], status;
	char buf[256] = "";
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		BUG("arch %d is not a target", 7);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(buf, "BUG: tests/unit/test_log.c:"));
	assert_non_null(strstr(buf, ": arch 7 is not a target\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_plain),
		cmocka_unit_test(test_quote_controls),
		cmocka_unit_test(test_quote_not_utf8),
		cmocka_unit_test(test_quote_lines),
		cmocka_unit_test(test_sink),
		cmocka_unit_test(test_error_errno),
		cmocka_unit_test(test_warning_errno),
		cmocka_unit_test(test_capture_levels),
		cmocka_unit_test(test_stderr_plain),
		cmocka_unit_test(test_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
