#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "errors.h"
#include "fsutil.h"
#include "log.h"
#include "paths.h"
#include "proc.h"
#include "strvec.h"
#include "wrapper.h"
#include "banned.h"

#define PREFIX "ukb-init: "

static char *dup_trim(const char *s, const char *end)
{
	while (s < end && *s == ' ')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

int bootlog_parse_line(const char *line, size_t len, struct boot_result *r)
{
	const char *p, *end = line + len, *sp, *colon;
	size_t plen = strlen(PREFIX);
	struct boot_check *c;

	if (!r->panic && memmem(line, len, "Kernel panic", 12))
		r->panic = xstrndup(line, len);
	if (!r->stub_crash && memmem(line, len, "wait_stub_done", 14))
		r->stub_crash = xstrndup(line, len);
	p = memmem(line, len, PREFIX, plen);
	if (!p)
		return 0;
	p += plen;
	if ((size_t)(end - p) >= 7 && !strncmp(p, "result ", 7)) {
		r->saw_result = 1;
		r->passed = (size_t)(end - p) >= 11 && !strncmp(p + 7, "pass", 4);
		return 1;
	}
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		return 0;
	colon = memchr(sp, ':', (size_t)(end - sp));
	if (!colon)
		return 0;
	ALLOC_GROW(r->checks, r->nr + 1, r->alloc);
	c = &r->checks[r->nr++];
	c->status = dup_trim(p, sp);
	c->name = dup_trim(sp + 1, colon);
	c->detail = dup_trim(colon + 1, end);
	if (!strcmp(c->status, "fail"))
		r->nr_failed++;
	if (!strcmp(c->name, "kernel") && !r->kernel)
		r->kernel = xstrdup(c->detail);
	return 1;
}

void boot_result_release(struct boot_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->checks[i].status);
		free(r->checks[i].name);
		free(r->checks[i].detail);
	}
	free(r->checks);
	free(r->skip_reason);
	free(r->panic);
	free(r->stub_crash);
	free(r->kernel);
	memset(r, 0, sizeof(*r));
}

struct console {
	FILE *log;
	struct boot_result *r;
};

static void on_console(void *ctx, const char *line, size_t len)
{
	struct console *c = ctx;

	if (c->log) {
		fwrite(line, 1, len, c->log);
		fputc('\n', c->log);
	}
	bootlog_parse_line(line, len, c->r);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int judge(const struct boot_opts *o, struct proc *p, int ret,
		 struct boot_result *r)
{
	struct strbuf why = STRBUF_INIT;

	if (ret == -UKB_EINTR)
		return ret;
	if (r->saw_result && r->passed && !r->nr_failed && ret == 0)
		return 0;
	for (size_t i = 0; i < r->nr; i++) {
		if (strcmp(r->checks[i].status, "fail"))
			continue;
		ret = error(-UKB_EBOOT, "boot check failed: %s: %s",
			    r->checks[i].name, r->checks[i].detail);
		goto hint;
	}
	if (r->stub_crash) {
		ret = error(-UKB_EBOOT,
			    "the guest crashed starting its first process: %s",
			    r->stub_crash);
		hint("a static UML on glibc 2.35+ needs the rseq patch "
		     "(patches/0002-um-unregister-glibc-rseq.patch)");
		goto hint;
	}
	if (r->panic) {
		ret = error(-UKB_EBOOT, "the guest panicked: %s", r->panic);
		goto hint;
	}
	proc_describe(p, &why);
	ret = error(-UKB_EBOOT, "'%s' %s before ukb-init reported a result",
		    o->vmlinux, why.buf);
hint:
	if (o->log_path)
		hint("the guest's console is in '%s'", o->log_path);
	strbuf_release(&why);
	return ret;
}

int boot_run(const struct boot_opts *o, struct boot_result *r)
{
	const char *init = o->init ? o->init : ukb_init_path();
	struct strvec argv = STRVEC_INIT;
	struct console con = { .r = r };
	struct proc p = { 0 };
	struct timespec t0;
	int ret;

	memset(r, 0, sizeof(*r));
	if (access(init, X_OK) < 0)
		return error(-UKB_EHOST, "cannot run the boot check's init '%s': %s",
			     init, strerror(errno));
	if (access(o->vmlinux, X_OK) < 0)
		return error(-errno, "cannot run '%s': %s", o->vmlinux,
			     strerror(errno));
	if (o->log_path) {
		con.log = fopen(o->log_path, "we");
		if (!con.log)
			return error(-errno, "cannot write '%s': %s",
				     o->log_path, strerror(errno));
	}
	strvec_push(&argv, o->vmlinux);
	strvec_pushf(&argv, "mem=%s", o->mem ? o->mem : "256m");
	strvec_pushl(&argv, "root=/dev/root", "rootfstype=hostfs", "rootflags=/",
		     "rw", NULL);
	strvec_pushf(&argv, "init=%s", init);
	strvec_pushl(&argv, "con=null", "con0=null,fd:1", NULL);
	strvec_pushv(&argv, o->extra);

	p.argv = argv.v;
	p.timeout_ms = (o->timeout_s > 0 ? o->timeout_s : 120) * 1000;
	p.on_line = on_console;
	p.ctx = &con;
	p.quiet_log = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = proc_run(&p);
	r->seconds = elapsed(&t0);
	if (con.log)
		fclose(con.log);
	strvec_clear(&argv);

	if (ret == -ENOEXEC) {
		/* e.g. an i386 binary on a host without IA32 emulation */
		r->ran = 0;
		r->skip_reason = xstrdup("this host cannot execute 32-bit binaries");
		warning("%s; boot check skipped", r->skip_reason);
		return 0;
	}
	if (ret < 0 && ret > -UKB_EBASE)
		return error(ret, "cannot start '%s': %s", o->vmlinux,
			     strerror(-ret));
	r->ran = 1;
	return judge(o, &p, ret, r);
}

static void boot_usage(FILE *f)
{
	fputs("usage: umlkbuild boot [--timeout SECONDS] [--mem SIZE] [--log FILE] VMLINUX\n"
	      "\n"
	      "Boot a UML kernel with the host's / as its root and check that\n"
	      "BBR is the default, fq/fq_codel/qfq/codel attach, syncookies and\n"
	      "TUN work. Prints one line per check on stdout.\n", f);
}

int boot_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "mem", required_argument, NULL, 'm' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct boot_opts o = { 0 };
	struct boot_result r;
	char *abs;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+t:m:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.timeout_s = atoi(optarg);
			if (o.timeout_s <= 0)
				return error(-UKB_EUSAGE,
					     "--timeout wants a positive number of seconds, not '%s'",
					     optarg);
			break;
		case 'm':
			o.mem = optarg;
			break;
		case 'l':
			o.log_path = optarg;
			break;
		case 'h':
			boot_usage(stdout);
			return 0;
		default:
			boot_usage(stderr);
			return -UKB_EUSAGE;
		}
	}
	if (optind != argc - 1) {
		boot_usage(stderr);
		return -UKB_EUSAGE;
	}
	abs = path_absolute(argv[optind]);
	o.vmlinux = abs;
	ret = boot_run(&o, &r);
	for (size_t i = 0; i < r.nr; i++)
		printf("%s %s: %s\n", r.checks[i].status, r.checks[i].name,
		       r.checks[i].detail);
	if (!ret)
		printf("%s\n", r.ran ? "boot check passed" : "boot check skipped");
	boot_result_release(&r);
	free(abs);
	return ret;
}
