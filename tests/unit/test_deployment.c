/*
 * The host side's pure parts (issue #14): a deployment's file, its
 * service files (systemd-analyze verify and sh -n run on them), the VM's
 * command line, state.json and UML's console lines, and the mconsole
 * client against a fake kernel end.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "host/deployment.h"
#include "host/mconsole.h"
#include "host/service.h"
#include "host/supervise.h"
#include "host/vmstate.h"

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ukb-unit-deploy.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rmtree(tmp);
}

static void sample(struct deployment *d, const char *name)
{
	struct port_range r;
	const char *why;

	deployment_init(d, name);
	d->kernel = xstrdup("/srv/uml/vmlinux");
	d->rootfs = xstrdup("/srv/uml/rootfs.img");
	d->fw = FW_NFT;
	d->service = SVC_NONE;
	assert_int_equal(netspec_parse_ports("tcp:10000-20000", &r, &why), 0);
	d->net.fwd = xrealloc(d->net.fwd, 2 * sizeof(r));
	d->net.fwd[0] = r;
	assert_int_equal(netspec_parse_ports("udp:10221", &r, &why), 0);
	d->net.fwd[1] = r;
	d->net.nr_fwd = 2;
}

static void test_mem(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(deployment_parse_mem("64m", &why), 0);
	assert_int_equal(deployment_parse_mem("1G", &why), 0);
	assert_int_equal(deployment_parse_mem("262144k", &why), 0);
	assert_int_equal(deployment_parse_mem("16m", &why), -UKB_EUSAGE);
	assert_int_equal(deployment_parse_mem("64", &why), -UKB_EUSAGE);
	assert_int_equal(deployment_parse_mem("64mb", &why), -UKB_EUSAGE);
	assert_int_equal(deployment_parse_mem("m", &why), -UKB_EUSAGE);
	assert_int_equal(deployment_parse_mem("99999999999999g", &why),
			 -UKB_EUSAGE);
}

static void test_render_parse(void **state)
{
	struct deployment a, b;
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;

	(void)state;
	sample(&a, "bbr");
	deployment_render(&a, &x);
	assert_non_null(strstr(x.buf, "\nforward = tcp:10000-20000\n"));
	assert_non_null(strstr(x.buf, "\nforward = udp:10221\n"));
	assert_non_null(strstr(x.buf, "\nreserve = tcp:22\n"));
	assert_non_null(strstr(x.buf, "\nhost_ip = 10.0.0.1/24\n"));
	assert_non_null(strstr(x.buf, "\nwan_if = auto\n"));
	deployment_init(&b, "bbr");
	assert_int_equal(deployment_parse(&b, "t.conf", x.buf, x.len), 0);
	deployment_render(&b, &y);
	assert_string_equal(x.buf, y.buf);
	assert_true(deployment_same(&a, &b));
	b.net.fwd[1].lo = b.net.fwd[1].hi = 10222;
	assert_false(deployment_same(&a, &b));
	deployment_release(&b);

	/* another name, unknown keys and sections are refused */
	deployment_init(&b, "other");
	assert_int_equal(deployment_parse(&b, "t.conf", x.buf, x.len),
			 -UKB_EUSAGE);
	deployment_release(&b);
	deployment_init(&b, "bbr");
	assert_int_equal(deployment_parse(&b, "t.conf", "[net]\nbogus = 1\n",
					  17), -UKB_EUSAGE);
	assert_int_equal(deployment_parse(&b, "t.conf",
					  "[net]\nforward = tcp:0\n", 22),
			 -UKB_EUSAGE);
	deployment_release(&b);
	deployment_release(&a);
	strbuf_release(&x);
	strbuf_release(&y);
}

/* deploy --bundle's keys: written only when set, so a deployment of
 * --kernel/--rootfs keeps its old text; another bundle is other settings */
static void test_bundle_keys(void **state)
{
	struct deployment a, b;
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	char *dir;

	(void)state;
	sample(&a, "bbr");
	deployment_render(&a, &x);
	assert_null(strstr(x.buf, "bundle"));
	assert_null(strstr(x.buf, "transport"));
	a.bundle = xstrdup("ab12");
	a.transport = xstrdup("vector");
	strbuf_reset(&x);
	deployment_render(&a, &x);
	assert_non_null(strstr(x.buf, "\nservice = none\nbundle = ab12\ntransport = vector\n[net]\n"));
	deployment_init(&b, "bbr");
	assert_int_equal(deployment_parse(&b, "t.conf", x.buf, x.len), 0);
	deployment_render(&b, &y);
	assert_string_equal(x.buf, y.buf);
	assert_true(deployment_same(&a, &b));
	free(b.bundle);
	b.bundle = xstrdup("cd34");
	assert_false(deployment_same(&a, &b));
	deployment_release(&b);
	deployment_init(&b, "bbr");
	assert_int_equal(deployment_parse(&b, "t.conf",
					  "[deploy]\ntransport = slirp\n", 27),
			 -UKB_EUSAGE);
	deployment_release(&b);
	deployment_release(&a);
	strbuf_release(&x);
	strbuf_release(&y);

	setenv("UKB_STATE_DIR", "/srv/state", 1);
	dir = deployment_state_dir("bbr");
	assert_string_equal(dir, "/srv/state/bbr");
	free(dir);
	unsetenv("UKB_STATE_DIR");
	dir = deployment_state_dir("bbr");
	assert_string_equal(dir, "/var/lib/umlkbuild/bbr");
	free(dir);
}

/* NAME.conf in UKB_CONF_DIR, as a hand would write it */
static void write_conf(const char *name, const char *text)
{
	char *path = deployment_conf_path(name);

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
}

static void test_save_load_list(void **state)
{
	struct deployment a, b;
	char **names;

	(void)state;
	setenv("UKB_CONF_DIR", tmp, 1);
	sample(&a, "zeta");
	assert_int_equal(deployment_save(&a), 0);
	deployment_release(&a);
	sample(&a, "alpha");
	assert_int_equal(deployment_save(&a), 0);
	assert_int_equal(deployment_load(&b, "alpha", 0), 0);
	assert_true(deployment_same(&a, &b));
	deployment_release(&b);
	assert_int_equal(deployment_load(&b, "nope", 0), -UKB_EUSAGE);
	deployment_release(&b);
	assert_int_equal(deployment_load(&b, "nope", DEPLOYMENT_INCOMPLETE),
			 -UKB_EUSAGE);
	deployment_release(&b);

	/* a file edited by hand without its kernel, or with an empty rootfs:
	 * refused, except for what removes it */
	write_conf("nok", "[deploy]\nrootfs = /r.img\n");
	assert_int_equal(deployment_load(&b, "nok", 0), -UKB_EUSAGE);
	deployment_release(&b);
	assert_int_equal(deployment_load(&b, "nok", DEPLOYMENT_INCOMPLETE), 0);
	assert_null(b.kernel);
	assert_string_equal(b.rootfs, "/r.img");
	deployment_release(&b);
	write_conf("nor", "[deploy]\nkernel = /k\nrootfs =\n");
	assert_int_equal(deployment_load(&b, "nor", 0), -UKB_EUSAGE);
	deployment_release(&b);
	write_conf("both", "[deploy]\nkernel = /k\nrootfs = /r.img\n");
	assert_int_equal(deployment_load(&b, "both", 0), 0);
	deployment_release(&b);
	names = deployment_list();
	assert_string_equal(names[0], "alpha");
	assert_string_equal(names[1], "both");
	assert_string_equal(names[2], "nok");
	assert_string_equal(names[3], "nor");
	assert_string_equal(names[4], "zeta");
	assert_null(names[5]);
	for (size_t i = 0; names[i]; i++)
		free(names[i]);
	free(names);
	deployment_release(&a);
	unsetenv("UKB_CONF_DIR");
}

static void test_check(void **state)
{
	struct deployment d;
	char *k = path_join(tmp, "vmlinux");

	(void)state;
	sample(&d, "bbr");
	assert_int_equal(deployment_check(&d), -UKB_ESOURCE);
	assert_int_equal(write_file_atomic(k, "x", 1, 0644), 0);
	free(d.kernel);
	d.kernel = xstrdup(k);
	free(d.rootfs);
	d.rootfs = xstrdup(k);
	assert_int_equal(deployment_check(&d), 0);
	free(d.rootfs);
	d.rootfs = xasprintf("%s,x", k);
	assert_int_equal(deployment_check(&d), -UKB_EUSAGE);
	free(d.mem);
	d.mem = xstrdup("1t");
	assert_int_equal(deployment_check(&d), -UKB_EUSAGE);
	/* from a bundle: the files are not there before it installs them */
	free(d.mem);
	d.mem = xstrdup("64m");
	free(d.kernel);
	d.kernel = path_join(tmp, "not-yet/vmlinux");
	assert_int_equal(deployment_check(&d), -UKB_ESOURCE);
	d.bundle = xstrdup("ab12");
	assert_int_equal(deployment_check(&d), 0);
	deployment_release(&d);
	free(k);
}

static void test_unit(void **state)
{
	struct deployment d;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	char *path = path_join(tmp, "umlkbuild-bbr.service");

	(void)state;
	sample(&d, "bbr");
	setenv("UKB_RUN_DIR", "/tmp/run 100%", 1);
	service_render_unit(&d, "/usr/local/bin/umlkbuild", &sb);
	unsetenv("UKB_RUN_DIR");
	assert_non_null(strstr(sb.buf, "\nExecStart=\"/usr/local/bin/umlkbuild\" run bbr\n"));
	assert_non_null(strstr(sb.buf, "\nRestart=always\n"));
	assert_non_null(strstr(sb.buf, "\nStartLimitIntervalSec=0\n"));
	assert_non_null(strstr(sb.buf, "\nAfter=network-online.target\n"));
	assert_non_null(strstr(sb.buf, "\nWants=network-online.target\n"));
	assert_non_null(strstr(sb.buf, "\nEnvironment=\"UKB_RUN_DIR=/tmp/run 100%%\"\n"));
	strbuf_reset(&sb);
	service_render_unit(&d, "/bin/true", &sb);
	assert_int_equal(write_file_atomic(path, sb.buf, sb.len, 0644), 0);
	if (proc_have("systemd-analyze")) {
		int ret = proc_capture((const char *[]){ "systemd-analyze",
			"verify", path, NULL }, &out);

		if (ret)
			fprintf(stderr, "systemd-analyze: %s\n", out.buf);
		assert_int_equal(ret, 0);
	}
	deployment_release(&d);
	strbuf_release(&sb);
	strbuf_release(&out);
	free(path);
}

static void test_sysv(void **state)
{
	struct deployment d;
	struct strbuf sb = STRBUF_INIT;
	char *path = path_join(tmp, "umlkbuild-bbr");

	(void)state;
	sample(&d, "bbr");
	service_render_sysv(&d, "/opt/it's/umlkbuild", &sb);
	assert_non_null(strstr(sb.buf, "\nUKB='/opt/it'\\''s/umlkbuild'\n"));
	assert_non_null(strstr(sb.buf, "# Provides:          umlkbuild-bbr\n"));
	assert_int_equal(write_file_atomic(path, sb.buf, sb.len, 0755), 0);
	assert_int_equal(proc_capture((const char *[]){ "sh", "-n", path,
							NULL }, NULL), 0);
	assert_int_equal(proc_capture((const char *[]){ path, "bogus", NULL },
				      NULL), -UKB_ECHILD);
	d.service = SVC_SYSV;
	setenv("UKB_INITD_DIR", tmp, 1);
	free(path);
	path = service_path(&d);
	assert_string_equal(path + strlen(tmp), "/umlkbuild-bbr");
	unsetenv("UKB_INITD_DIR");
	d.service = SVC_NONE;
	assert_null(service_path(&d));
	deployment_release(&d);
	strbuf_release(&sb);
	free(path);
}

static void test_vm_argv(void **state)
{
	struct deployment d;
	struct strvec argv = STRVEC_INIT;
	char *k = path_join(tmp, "vmlinux"), *cfg = path_join(tmp, "config");
	char *line;

	(void)state;
	sample(&d, "bbr");
	free(d.kernel);
	d.kernel = xstrdup(k);
	unlink(cfg);
	supervise_vm_argv(&d, "/run/umlkbuild/bbr", &argv);
	line = strvec_join(&argv, " ");
	assert_string_equal(strchr(line, ' '), " ubda=/srv/uml/rootfs.img "
			    "eth0=tuntap,tap0 mem=256m umid=bbr "
			    "uml_dir=/run/umlkbuild/bbr con=pts con0=fd:0,fd:1");
	free(line);
	strvec_clear(&argv);
	assert_int_equal(write_file_atomic(cfg, "#\n# CONFIG_UML_NET_TUNTAP is "
		"not set\nCONFIG_UML_NET_VECTOR=y\n", 61, 0644), 0);
	assert_true(supervise_kernel_has_vector(k));
	supervise_vm_argv(&d, "/r", &argv);
	assert_string_equal(argv.v[2], "vec0:transport=tap,ifname=tap0");
	strvec_clear(&argv);
	/* a bundle's transport wins over the config beside the kernel */
	d.transport = xstrdup("tuntap");
	supervise_vm_argv(&d, "/r", &argv);
	assert_string_equal(argv.v[2], "eth0=tuntap,tap0");
	strvec_clear(&argv);
	unlink(cfg);
	free(d.transport);
	d.transport = xstrdup("vector");
	supervise_vm_argv(&d, "/r", &argv);
	assert_string_equal(argv.v[2], "vec0:transport=tap,ifname=tap0");
	strvec_clear(&argv);
	deployment_release(&d);
	free(k);
	free(cfg);
}

static void test_console_lines(void **state)
{
	struct vmstate s, r;
	char *path = path_join(tmp, "state.json");
	static const char ok[] = "Virtual console 1 assigned device '/dev/pts/7'";

	(void)state;
	vmstate_init(&s);
	assert_int_equal(vmstate_console_line(&s, ok, strlen(ok)), 1);
	assert_string_equal(s.pts[1], "/dev/pts/7");
	assert_int_equal(vmstate_console_line(&s, ok, strlen(ok) - 1), -1);
	assert_int_equal(vmstate_console_line(&s,
		"Virtual console 99 assigned device '/dev/pts/1'", 47), -1);
	assert_int_equal(vmstate_console_line(&s,
		"Virtual console 2 assigned device '/dev/pts/'", 45), -1);
	assert_int_equal(vmstate_console_line(&s, "login:", 6), -1);
	s.sup_pid = 12;
	s.vm_pid = 34;
	s.started = 1700000000;
	s.restarts = 3;
	s.last_exit = xstrdup("killed by signal 9 (Killed)");
	assert_int_equal(vmstate_write(&s, path), 0);
	vmstate_init(&r);
	assert_int_equal(vmstate_read(&r, path), 0);
	assert_int_equal(r.sup_pid, 12);
	assert_int_equal(r.vm_pid, 34);
	assert_int_equal(r.started, 1700000000);
	assert_int_equal(r.restarts, 3);
	assert_string_equal(r.last_exit, "killed by signal 9 (Killed)");
	assert_string_equal(r.pts[1], "/dev/pts/7");
	assert_null(r.pts[2]);
	unlink(path);
	assert_int_equal(vmstate_read(&r, path), -ENOENT);
	assert_false(vm_is_ours(getpid(), "bbr"));
	vmstate_release(&s);
	vmstate_release(&r);
	free(path);
}

/* a fake kernel end: check the request, answer in two parts */
struct fake {
	int fd;
	int answer;
	char got[600];
};

static void *fake_kernel(void *arg)
{
	struct fake *f = arg;
	struct sockaddr_un from;
	socklen_t len = sizeof(from);
	uint32_t req[3 + 128];
	uint32_t rep[3 + 128];
	ssize_t n = recvfrom(f->fd, req, sizeof(req), 0,
			     (struct sockaddr *)&from, &len);

	if (n < 12 || req[0] != 0xcafebabe || req[1] != 2 || req[2] > 512)
		return NULL;
	memcpy(f->got, &req[3], req[2]);
	f->got[req[2]] = '\0';
	if (!f->answer)
		return NULL;
	rep[0] = 0;
	rep[1] = 1;
	rep[2] = 2;
	memcpy(&rep[3], "ab", 2);
	sendto(f->fd, rep, 14, 0, (struct sockaddr *)&from, len);
	rep[0] = 1;
	rep[1] = 0;
	memcpy(&rep[3], "cd", 2);
	sendto(f->fd, rep, sizeof(rep), 0, (struct sockaddr *)&from, len);
	return NULL;
}

static void test_mconsole(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct strbuf reply = STRBUF_INIT;
	struct fake f = { .answer = 1 };
	char *sock = path_join(tmp, "mconsole");
	pthread_t th;

	(void)state;
	assert_int_equal(mconsole_cmd(sock, "halt", 200, NULL), -ENOENT);
	memcpy(sa.sun_path, sock, strlen(sock));
	f.fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(f.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pthread_create(&th, NULL, fake_kernel, &f);
	/* the error flag of the last part counts */
	assert_int_equal(mconsole_cmd(sock, "sysrq s", 2000, &reply), 1);
	pthread_join(th, NULL);
	assert_string_equal(f.got, "sysrq s");
	assert_string_equal(reply.buf, "abcd");
	f.answer = 0;
	pthread_create(&th, NULL, fake_kernel, &f);
	assert_int_equal(mconsole_cmd(sock, "halt", 300, NULL), -ETIMEDOUT);
	pthread_join(th, NULL);
	assert_string_equal(f.got, "halt");
	close(f.fd);
	strbuf_release(&reply);
	free(sock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_render_parse),
		cmocka_unit_test(test_bundle_keys),
		cmocka_unit_test(test_save_load_list),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_unit),
		cmocka_unit_test(test_sysv),
		cmocka_unit_test(test_vm_argv),
		cmocka_unit_test(test_console_lines),
		cmocka_unit_test(test_mconsole),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
