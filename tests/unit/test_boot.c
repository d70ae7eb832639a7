/*
 * boot: reading ukb-init's verdicts, panics and stub crashes out of the
 * guest's console, one line at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/fsutil.h"
#include "boot/boot.h"
#include "testlib.h"

static int feed(struct boot_result *r, const char *line)
{
	return bootlog_parse_line(line, strlen(line), r);
}

static void test_checks(void **state)
{
	struct boot_result r = { 0 };

	(void)state;
	assert_int_equal(feed(&r, "ukb-init: ok tcp_congestion_control: bbr"), 1);
	assert_int_equal(feed(&r, "ukb-init: fail qdisc fq: tc qdisc add failed: No such file"), 1);
	assert_int_equal(feed(&r, "ukb-init: skip tun: /dev/net/tun missing"), 1);
	assert_int_equal(r.nr, 3);
	assert_int_equal(r.nr_failed, 1);
	assert_string_equal(r.checks[0].status, "ok");
	assert_string_equal(r.checks[0].name, "tcp_congestion_control");
	assert_string_equal(r.checks[0].detail, "bbr");
	assert_string_equal(r.checks[1].status, "fail");
	/* the name runs to the first colon; the detail may hold more */
	assert_string_equal(r.checks[1].name, "qdisc fq");
	assert_string_equal(r.checks[1].detail,
			    "tc qdisc add failed: No such file");
	assert_string_equal(r.checks[2].status, "skip");
	assert_string_equal(r.checks[2].name, "tun");
	assert_string_equal(r.checks[2].detail, "/dev/net/tun missing");
	assert_false(r.saw_result);
	assert_null(r.kernel);
	assert_null(r.panic);
	assert_null(r.stub_crash);
	boot_result_release(&r);
}

static void test_result_line(void **state)
{
	struct boot_result r = { 0 };

	(void)state;
	assert_int_equal(feed(&r, "ukb-init: result pass"), 1);
	assert_true(r.saw_result);
	assert_true(r.passed);
	assert_int_equal(r.nr, 0);
	boot_result_release(&r);

	assert_int_equal(feed(&r, "ukb-init: result fail"), 1);
	assert_true(r.saw_result);
	assert_false(r.passed);
	boot_result_release(&r);

	/* a later "fail" wins over an earlier "pass" */
	feed(&r, "ukb-init: result pass");
	feed(&r, "ukb-init: result fail");
	assert_false(r.passed);
	boot_result_release(&r);

	/* a truncated result line is a result, but not a pass */
	assert_int_equal(feed(&r, "ukb-init: result pa"), 1);
	assert_true(r.saw_result);
	assert_false(r.passed);
	boot_result_release(&r);
}

static void test_kernel_check(void **state)
{
	struct boot_result r = { 0 };

	(void)state;
	feed(&r, "ukb-init: ok kernel: Linux 6.1.158 #1 Tue Jan 1 00:00:00 UTC 2025 x86_64");
	feed(&r, "ukb-init: ok kernel: second");
	assert_non_null(r.kernel);
	assert_string_equal(r.kernel,
			    "Linux 6.1.158 #1 Tue Jan 1 00:00:00 UTC 2025 x86_64");
	assert_int_equal(r.nr, 2);
	boot_result_release(&r);
}

static void test_panic_and_stub(void **state)
{
	static const char panic[] =
		"Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b";
	static const char stub[] =
		"wait_stub_done : failed to wait for SIGTRAP, pid = 1234, n = 1234, errno = 0, status = 0xb7f";
	struct boot_result r = { 0 };

	(void)state;
	assert_int_equal(feed(&r, "Linux version 6.1.158 (builder@host) #1"), 0);
	assert_int_equal(feed(&r, stub), 0);
	assert_int_equal(feed(&r, panic), 0);
	assert_int_equal(feed(&r, "Kernel panic - not syncing: a second one"), 0);
	assert_int_equal(feed(&r, "wait_stub_done : again"), 0);
	assert_string_equal(r.panic, panic);
	assert_string_equal(r.stub_crash, stub);
	assert_int_equal(r.nr, 0);
	assert_false(r.saw_result);
	boot_result_release(&r);

	/* with a console prefix the whole line is kept */
	feed(&r, "[    2.345678] Kernel panic - not syncing: VFS: Unable to mount root fs");
	assert_string_equal(r.panic,
			    "[    2.345678] Kernel panic - not syncing: VFS: Unable to mount root fs");
	boot_result_release(&r);
}

static void test_console_noise(void **state)
{
	struct boot_result r = { 0 };

	(void)state;
	/* the kernel's printk can land in front of init's output */
	assert_int_equal(feed(&r, "[    1.234567] random: crng init doneukb-init: ok syncookies: 1\r"), 1);
	assert_int_equal(feed(&r, "\x1b[0m  ukb-init: fail fq_codel:  attach failed  "), 1);
	assert_int_equal(feed(&r, "xxukb-init: result pass\r"), 1);
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.checks[0].status, "ok");
	assert_string_equal(r.checks[0].name, "syncookies");
	assert_string_equal(r.checks[0].detail, "1");
	assert_string_equal(r.checks[1].name, "fq_codel");
	assert_string_equal(r.checks[1].detail, "attach failed");
	assert_int_equal(r.nr_failed, 1);
	assert_true(r.saw_result);
	assert_true(r.passed);
	boot_result_release(&r);
}

static void test_malformed(void **state)
{
	static const char *const lines[] = {
		"",
		"hello",
		"ukb-init:",
		"ukb-init: ",
		"ukb-init: ok",
		"ukb-init: okname-without-space",
		"ukb-init: ok name without colon",
		"ukb-init:ok name: detail",
		"ukb-init - ok name: detail",
		"UKB-INIT: ok name: detail",
		"ukb-init: resul",
	};
	struct boot_result r = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (feed(&r, lines[i]) != 0)
			fail_msg("'%s' should be ignored", lines[i]);
	}
	assert_int_equal(r.nr, 0);
	assert_int_equal(r.nr_failed, 0);
	assert_false(r.saw_result);
	assert_null(r.panic);
	assert_null(r.stub_crash);
	boot_result_release(&r);
}

static void test_len_bounds(void **state)
{
	/* only len bytes count: no NUL is needed at the end of a line */
	static const char buf[] = "ukb-init: ok tun: works" "GARBAGE";
	static const char res[] = "ukb-init: result passGARBAGE";
	struct boot_result r = { 0 };

	(void)state;
	assert_int_equal(bootlog_parse_line(buf, strlen(buf) - 7, &r), 1);
	assert_string_equal(r.checks[0].detail, "works");
	assert_int_equal(bootlog_parse_line(res, strlen(res) - 8, &r), 1);
	assert_true(r.saw_result);
	assert_false(r.passed);
	boot_result_release(&r);
}

static void test_host_checks_marked(void **state)
{
	/* boot.c's judge tells the host's halves of checks from ukb-init's */
	struct boot_result r = { 0 };

	(void)state;
	feed(&r, "ukb-init: fail ipv6: no ::1");
	bootlog_add_check(&r, "fail", "console_pty_host", "no pty for %s", "tty1");
	assert_int_equal(r.nr, 2);
	assert_int_equal(r.nr_failed, 2);
	assert_false(r.checks[0].host);
	assert_true(r.checks[1].host);
	assert_string_equal(r.checks[1].detail, "no pty for tty1");
	boot_result_release(&r);
}

static void test_release(void **state)
{
	struct boot_result r = { 0 };

	(void)state;
	for (int i = 0; i < 100; i++)
		feed(&r, "ukb-init: ok kernel: Linux");
	feed(&r, "Kernel panic - not syncing: x");
	feed(&r, "wait_stub_done : y");
	assert_int_equal(r.nr, 100);
	/* LeakSanitizer checks that everything goes */
	boot_result_release(&r);
	assert_int_equal(r.nr, 0);
	assert_null(r.checks);
	assert_null(r.panic);
	assert_null(r.stub_crash);
	assert_null(r.kernel);
	/* and that a released result can be used and released again */
	feed(&r, "ukb-init: ok a: b");
	boot_result_release(&r);
	boot_result_release(&r);
}

/* boot --net's eth0=tuntap or vec0: the artifact's config, else the banner */
static void test_net_driver(void **state)
{
	char *tmp = test_tmpdir("bootnet");
	char *k = path_join(tmp, "vmlinux"), *cfg = path_join(tmp, "config");
	static const char b619[] = "\177ELF...Linux version 6.19.0 (u@h) #1\n";
	static const char b612[] = "\177ELF...Linux version 6.12.48 (u@h) #1\n";

	(void)state;
	assert_int_equal(boot_net_driver(k), UMLNET_TUNTAP); /* no file */
	assert_int_equal(write_file_atomic(k, b619, sizeof(b619) - 1, 0755), 0);
	assert_int_equal(boot_net_driver(k), UMLNET_VECTOR);
	assert_int_equal(write_file_atomic(k, b612, sizeof(b612) - 1, 0755), 0);
	assert_int_equal(boot_net_driver(k), UMLNET_TUNTAP);
	/* the config beside the kernel wins over its release */
	assert_int_equal(write_file_atomic(cfg, "CONFIG_UML_NET_VECTOR=y\n", 24,
					   0644), 0);
	assert_int_equal(boot_net_driver(k), UMLNET_VECTOR);
	assert_int_equal(write_file_atomic(k, b619, sizeof(b619) - 1, 0755), 0);
	assert_int_equal(write_file_atomic(cfg, "CONFIG_UML_NET_TUNTAP=y\n", 24,
					   0644), 0);
	assert_int_equal(boot_net_driver(k), UMLNET_TUNTAP);
	rmtree(tmp);
	free(k);
	free(cfg);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_result_line),
		cmocka_unit_test(test_kernel_check),
		cmocka_unit_test(test_panic_and_stub),
		cmocka_unit_test(test_console_noise),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_len_bounds),
		cmocka_unit_test(test_host_checks_marked),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_net_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
