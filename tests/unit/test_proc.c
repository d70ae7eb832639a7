/*
 * proc: spawning real children (sh, sleep, printf, seq) and reading
 * their status, output, environment and process group.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "errors.h"
#include "proc.h"
#include "strbuf.h"
#include "strvec.h"

struct lines {
	struct strvec v;
};

static void on_line(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	strvec_pushf(&l->v, "%.*s", (int)len, line);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Members of process group pgrp that are still running. Zombies do not
 * count: where nothing reaps orphans (a container's init) they linger.
 */
static int group_alive(pid_t pgrp)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int alive = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[300], buf[512], *rp, state;
		FILE *f;
		int pg = 0;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		buf[0] = '\0';
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		/* "pid (comm) state ppid pgrp ...": comm may hold spaces */
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 1, " %c %*d %d", &state, &pg) != 2)
			continue;
		if (pg == pgrp && state != 'Z' && state != 'X')
			alive++;
	}
	closedir(d);
	return alive;
}

/* SIGKILL is sent by the time proc_run returns; dying takes a moment. */
static int group_survives(pid_t pgrp)
{
	for (int i = 0; i < 100; i++) {
		if (!group_alive(pgrp))
			return 0;
		usleep(10000);
	}
	return group_alive(pgrp);
}

static void test_exit_zero(void **state)
{
	const char *argv[] = { "true", NULL };
	struct proc p = { .argv = argv };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(proc_run(&p), 0);
	assert_true(p.pid > 0);
	assert_false(p.timed_out);
	proc_describe(&p, &sb);
	assert_string_equal(sb.buf, "exited with 0");
	strbuf_release(&sb);
}

static void test_exit_three(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 3", NULL };
	struct proc p = { .argv = argv };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(proc_run(&p), -UKB_ECHILD);
	proc_describe(&p, &sb);
	assert_string_equal(sb.buf, "exited with 3");
	strbuf_release(&sb);
}

static void test_killed(void **state)
{
	const char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
	struct proc p = { .argv = argv };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(proc_run(&p), -UKB_ECHILD);
	proc_describe(&p, &sb);
	assert_non_null(strstr(sb.buf, "killed by signal 9"));
	strbuf_release(&sb);
}

static void test_missing_program(void **state)
{
	const char *argv[] = { "ukb-no-such-program-here", "x", NULL };
	const char *abs[] = { "/nonexistent/ukb-prog", NULL };
	struct proc p = { .argv = argv };
	struct proc q = { .argv = abs };

	(void)state;
	assert_int_equal(proc_run(&p), -ENOENT);
	assert_int_equal(proc_run(&q), -ENOENT);
}

static void test_lines(void **state)
{
	const char *argv[] = { "printf", "one\ntwo\n\nthree (no newline)", NULL };
	struct lines l = { STRVEC_INIT };
	struct strbuf cap = STRBUF_INIT;
	struct proc p = { .argv = argv, .on_line = on_line, .ctx = &l,
			  .capture = &cap };

	(void)state;
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(l.v.nr, 4);
	assert_string_equal(l.v.v[0], "one");
	assert_string_equal(l.v.v[1], "two");
	assert_string_equal(l.v.v[2], "");
	assert_string_equal(l.v.v[3], "three (no newline)");
	assert_string_equal(cap.buf, "one\ntwo\n\nthree (no newline)");
	strvec_clear(&l.v);
	strbuf_release(&cap);
}

static void test_stderr_and_many_lines(void **state)
{
	const char *argv[] = { "sh", "-c", "seq 1 20000; echo oops >&2", NULL };
	struct lines l = { STRVEC_INIT };
	struct proc p = { .argv = argv, .on_line = on_line, .ctx = &l,
			  .quiet_log = 1 };

	(void)state;
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(l.v.nr, 20001);
	assert_string_equal(l.v.v[0], "1");
	assert_string_equal(l.v.v[19999], "20000");
	/* stderr comes through the same pipe */
	assert_string_equal(l.v.v[20000], "oops");
	strvec_clear(&l.v);
}

static void test_stdin_is_null(void **state)
{
	const char *argv[] = { "cat", NULL };
	struct strbuf cap = STRBUF_INIT;
	struct proc p = { .argv = argv, .capture = &cap, .timeout_ms = 10000 };

	(void)state;
	/* cat would wait for a terminal; /dev/null ends it at once */
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(cap.len, 0);
	strbuf_release(&cap);
}

static void test_input(void **state)
{
	const char *argv[] = { "cat", NULL };
	struct strbuf cap = STRBUF_INIT, in = STRBUF_INIT;
	struct proc p = { .argv = argv, .capture = &cap, .timeout_ms = 10000 };

	(void)state;
	/* more than a pipe holds, so a child that reads late still gets it */
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&in, "line %d\n", i);
	p.input = in.buf;
	p.input_len = in.len;
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(cap.len, in.len);
	assert_memory_equal(cap.buf, in.buf, in.len);
	strbuf_release(&cap);
	strbuf_release(&in);
}

static void test_timeout(void **state)
{
	const char *argv[] = { "sleep", "10", NULL };
	struct proc p = { .argv = argv, .timeout_ms = 300 };
	struct strbuf sb = STRBUF_INIT;
	long long t0 = now_ms();

	(void)state;
	assert_int_equal(proc_run(&p), -UKB_ETIMEDOUT);
	assert_true(now_ms() - t0 < 4000);
	assert_true(p.timed_out);
	assert_false(group_survives(p.pid));
	proc_describe(&p, &sb);
	assert_non_null(strstr(sb.buf, "timed out"));
	strbuf_release(&sb);
}

static void test_timeout_kills_group(void **state)
{
	/* the shell's children share its group and must die with it */
	const char *argv[] = { "sh", "-c", "sleep 10 & sleep 10 & wait", NULL };
	struct proc p = { .argv = argv, .timeout_ms = 300 };
	long long t0 = now_ms();

	(void)state;
	assert_int_equal(proc_run(&p), -UKB_ETIMEDOUT);
	assert_true(now_ms() - t0 < 4000);
	assert_false(group_survives(p.pid));
}

static void test_leader_exit_kills_stragglers(void **state)
{
	/*
	 * The leader exits while a child it started holds the pipe open:
	 * proc_run must neither wait 10 s for it nor leave it behind.
	 */
	const char *argv[] = { "sh", "-c", "sleep 10 & exit 0", NULL };
	struct proc p = { .argv = argv, .timeout_ms = 8000 };
	long long t0 = now_ms();

	(void)state;
	assert_int_equal(proc_run(&p), 0);
	assert_true(now_ms() - t0 < 4000);
	assert_false(group_survives(p.pid));
}

static void test_env(void **state)
{
	const char *argv[] = { "sh", "-c", "echo \"$FOO|$UKB_TEST_KEEP\"; env | grep -c '^FOO='", NULL };
	const char *env[] = { "FOO=bar", NULL };
	struct strbuf cap = STRBUF_INIT;
	struct proc p = { .argv = argv, .env = env, .capture = &cap };

	(void)state;
	assert_int_equal(setenv("FOO", "old", 1), 0);
	assert_int_equal(setenv("UKB_TEST_KEEP", "kept", 1), 0);
	assert_int_equal(proc_run(&p), 0);
	/* replaced, not duplicated; the rest of environ passes through */
	assert_string_equal(cap.buf, "bar|kept\n1\n");
	strbuf_release(&cap);

	/* the same without FOO in our own environment */
	unsetenv("FOO");
	assert_int_equal(proc_run(&p), 0);
	assert_string_equal(cap.buf, "bar|kept\n1\n");
	strbuf_release(&cap);
	unsetenv("UKB_TEST_KEEP");
}

static void test_cwd(void **state)
{
	const char *argv[] = { "pwd", NULL };
	struct strbuf cap = STRBUF_INIT;
	struct proc p = { .argv = argv, .cwd = "/", .capture = &cap };

	(void)state;
	assert_int_equal(proc_run(&p), 0);
	assert_string_equal(cap.buf, "/\n");
	strbuf_release(&cap);
}

static void test_capture_and_have(void **state)
{
	const char *argv[] = { "echo", "hello", NULL };
	const char *bad[] = { "sh", "-c", "echo partial; exit 2", NULL };
	struct strbuf cap = STRBUF_INIT;

	(void)state;
	assert_int_equal(proc_capture(argv, &cap), 0);
	assert_string_equal(cap.buf, "hello\n");
	strbuf_reset(&cap);
	assert_int_equal(proc_capture(bad, &cap), -UKB_ECHILD);
	assert_string_equal(cap.buf, "partial\n");
	strbuf_release(&cap);

	assert_true(proc_have("sh"));
	assert_true(proc_have("/bin/sh"));
	assert_false(proc_have("ukb-no-such-program-here"));
	assert_false(proc_have("/nonexistent/sh"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_zero),
		cmocka_unit_test(test_exit_three),
		cmocka_unit_test(test_killed),
		cmocka_unit_test(test_missing_program),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_stderr_and_many_lines),
		cmocka_unit_test(test_stdin_is_null),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_leader_exit_kills_stragglers),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_cwd),
		cmocka_unit_test(test_capture_and_have),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
