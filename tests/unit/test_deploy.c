/*
 * Unit tests for deploy: the scratch ext4 image, and the host's side of the
 * guest's pty console on a real pty pair (the test plays UML's master).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "boot/deploy.h"

static char tmpdir[] = "/tmp/ukb-test-deploy-XXXXXX";

static int setup(void **state)
{
	(void)state;
	log_set_verbosity(LOG_QUIET);
	if (!mkdtemp(tmpdir))
		return -1;
	return setenv("TMPDIR", tmpdir, 1);
}

static int teardown(void **state)
{
	(void)state;
	return rmtree(tmpdir);
}

static void feed(struct deploy *d, const char *line)
{
	deploy_console_line(d, line, strlen(line));
}

static void test_image(void **state)
{
	struct deploy d = DEPLOY_INIT;
	char *init = path_join(tmpdir, "init"), *dir;
	unsigned char sb[2];
	struct strvec argv = STRVEC_INIT;
	int fd;

	(void)state;
	assert_int_equal(write_file_atomic(init, "#!/bin/sh\n", 10, 0755), 0);
	if (access("/usr/sbin/mke2fs", X_OK) && access("/sbin/mke2fs", X_OK))
		skip();
	assert_int_equal(deploy_prepare(&d, init), 0);
	/* ext4's magic, 0xEF53, at byte 1080 */
	fd = open(d.image, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, sb, 2, 1080), 2);
	close(fd);
	assert_int_equal(sb[0], 0x53);
	assert_int_equal(sb[1], 0xEF);
	deploy_args(&d, &argv);
	assert_string_equal(argv.v[1], "root=/dev/ubda");
	assert_true(!strncmp(argv.v[0], "ubda=", 5));
	dir = strdup(d.dir);
	deploy_release(&d);
	assert_false(path_exists(dir));
	free(dir);
	free(init);
	strvec_clear(&argv);
}

static void test_pty(void **state)
{
	struct deploy d = DEPLOY_INIT;
	char line[128], buf[64];
	struct pollfd pfd = { .events = POLLIN };
	int master = posix_openpt(O_RDWR | O_NOCTTY), ok;
	char *v;
	ssize_t n;

	(void)state;
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	snprintf(line, sizeof(line), "Virtual console 1 assigned device '%s'",
		 ptsname(master));
	feed(&d, "Virtual console 2 assigned device '/dev/pts/999'");
	assert_null(d.pty_path);
	feed(&d, line);
	assert_string_equal(d.pty_path, ptsname(master));
	/* the ping arrives on the master, as UML would read it */
	pfd.fd = master;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	n = read(master, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "ukb-pty-ping\n");
	v = deploy_pty_verdict(&d, &ok);
	assert_false(ok);
	free(v);
	/* the guest answers; the next console line picks it up */
	assert_int_equal(write(master, "ukb-pty-pong\n", 13), 13);
	usleep(50000);
	feed(&d, "ukb-init: ok console_pty: ...");
	v = deploy_pty_verdict(&d, &ok);
	assert_true(ok);
	assert_non_null(strstr(v, "answered"));
	free(v);
	deploy_release(&d);
	close(master);
}

static void test_announce_refused(void **state)
{
	static const char *const bad[] = {
		"Virtual console 1 assigned device '/dev/pts/../../etc/passwd'",
		"Virtual console 1 assigned device '/etc/passwd'",
		"Virtual console 1 assigned device '/dev/pts/'",
		"Virtual console 1 assigned device '/dev/pts/3",
		"Virtual console 1 assigned device '/dev/pts/3x'",
	};
	int ok;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct deploy d = DEPLOY_INIT;
		char *v;

		feed(&d, bad[i]);
		assert_null(d.pty_path);
		assert_int_equal(d.pty_fd, -1);
		v = deploy_pty_verdict(&d, &ok);
		assert_false(ok);
		assert_non_null(strstr(v, "no pty"));
		free(v);
		deploy_release(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_pty),
		cmocka_unit_test(test_announce_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
