#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/scope.h"
#include "base/strvec.h"
#include "base/umlnet.h"
#include "base/wrapper.h"
#include "boot/boot.h"
#include "boot/bootnet.h"
#include "boot/deploy.h"
#include "boot/hostkernel.h"
#include "verify/verify.h"
#include "base/banned.h"

struct console {
	FILE *log;
	struct boot_result *r;
	struct deploy *dep;     /* --deploy: answers the pty announcement */
};

static void on_console(void *ctx, const char *line, size_t len)
{
	struct console *c = ctx;

	if (c->log) {
		fwrite(line, 1, len, c->log);
		fputc('\n', c->log);
	}
	bootlog_parse_line(line, len, c->r);
	if (c->dep)
		deploy_console_line(c->dep, line, len);
}

static int judge(const struct boot_opts *o, struct proc *p, int ret,
		 struct boot_result *r, int quiet)
{
	struct strbuf why = STRBUF_INIT;

	if (ret == -UKB_EINTR)
		return ret;
	if (r->saw_result && r->passed && !r->nr_failed && ret == 0)
		return 0;
	/* a boot that will be retried stays quiet */
	if (quiet)
		return -UKB_EBOOT;
	for (size_t i = 0; i < r->nr; i++) {
		if (strcmp(r->checks[i].status, "fail"))
			continue;
		/*
		 * The host's halves of the checks (the pty, the transfer)
		 * fail whenever the guest died before them: then say how
		 * the guest ended instead.
		 */
		if (!r->saw_result && r->checks[i].host)
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

/* A 32-bit guest needs the 32-bit init. */
static const char *default_init(const char *vmlinux)
{
	struct elf_facts f;

	if (verify_read_elf_quiet(vmlinux, &f) == 0 && f.elf_class == 32)
		return ukb_init_path_arch(ARCH_I386);
	return ukb_init_path();
}

/* Long on purpose: one boot's argv, pty, netns and console log, set up and released together. */
static int boot_once(const struct boot_opts *o, struct boot_result *r,
		     int quiet)
{
	const char *init = o->init ? o->init : default_init(o->vmlinux);
	struct strvec argv = STRVEC_INIT;
	struct console con = { .r = r };
	struct net_run net = NET_RUN_INIT;
	struct deploy dep = DEPLOY_INIT;
	struct proc p = { 0 };
	long long t0;
	enum umlnet_driver drv;
	int ret;

	memset(r, 0, sizeof(*r));
	if (access(init, X_OK) < 0) {
		error_errno(0, "cannot run the boot check's init '%s'", init);
		return -UKB_EHOST;
	}
	if (access(o->vmlinux, X_OK) < 0)
		return error_errno(0, "cannot run '%s'", o->vmlinux);
	if (o->deploy) {
		ret = deploy_prepare(&dep, init);
		if (ret) {
			deploy_release(&dep);
			return ret;
		}
		con.dep = &dep;
	}
	if (o->log_path) {
		con.log = fopen(o->log_path, "we");
		if (!con.log) {
			/* errno before deploy_release's calls change it */
			ret = error_errno(0, "cannot write '%s'", o->log_path);
			deploy_release(&dep);
			return ret;
		}
	}
	strvec_push(&argv, o->vmlinux);
	strvec_pushf(&argv, "mem=%s",
		     o->mem ? o->mem : o->deploy ? "64m" : "256m");
	strvec_pushl(&argv, "con=null", "con0=null,fd:1", NULL);
	if (o->deploy) {
		deploy_args(&dep, &argv);
	} else {
		strvec_pushl(&argv, "root=/dev/root", "rootfstype=hostfs",
			     "rootflags=/", "rw", NULL);
		strvec_pushf(&argv, "init=%s", init);
	}
	strvec_pushv(&argv, o->extra);
	if (o->net) {
		net.want = o->net_bytes ? o->net_bytes : NET_DEFAULT_BYTES;
		ret = bootnet_enter(&net);
		if (ret) {
			bootnet_leave(&net);
			if (con.log)
				fclose(con.log);
			strvec_clear(&argv);
			deploy_release(&dep);
			return ret;
		}
		drv = boot_net_driver(o->vmlinux);
		umlnet_push_arg(&argv, drv, NET_TAP);
		strvec_pushf(&argv, "ukb.net=%s,%s,%u,%llu,%s", NET_GUEST,
			     NET_HOST_IP, net.port, net.want,
			     umlnet_ifname(drv));
	}

	p.argv = argv.v;
	p.timeout_ms = (o->timeout_s > 0 ? o->timeout_s : 120) * 1000;
	p.on_line = on_console;
	p.ctx = &con;
	p.quiet_log = 1;
	t0 = clock_ms();
	ret = proc_run(&p);
	r->seconds = (double)(clock_ms() - t0) / 1000;
	if (o->net) {
		bootnet_leave(&net);
		if (ret != -ENOEXEC)
			bootnet_judge(&net, r);
	}
	if (o->deploy && ret != -ENOEXEC && ret != -UKB_EINTR) {
		int ok;
		char *detail = deploy_pty_verdict(&dep, &ok);

		bootlog_add_check(r, ok ? "ok" : "fail", "console_pty_host", "%s", detail);
		free(detail);
	}
	deploy_release(&dep);
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
		return error_errno(ret, "cannot start '%s'", o->vmlinux);
	r->ran = 1;
	return judge(o, &p, ret, r, quiet);
}

#define BOOT_ATTEMPTS 5

/* The release vmlinux's banner names; -ENOENT when it names none. */
static int vmlinux_release(const char *vmlinux, struct kver *v)
{
	struct stat st;
	void *map;
	int fd, ret;

	fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !st.st_size) {
		close(fd);
		return -ENOENT;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -ENOENT;
	ret = hostkernel_banner_version(map, (size_t)st.st_size, v);
	munmap(map, (size_t)st.st_size);
	return ret;
}

enum umlnet_driver boot_net_driver(const char *vmlinux)
{
	struct kver v;

	return umlnet_driver_for(vmlinux,
				 vmlinux_release(vmlinux, &v) ? NULL : &v);
}

/*
 * Refuse, before starting it, a kernel whose line needs what this host's
 * kernel lacks (hostkernel.h): otherwise it dies with no word of why.
 */
static int check_host_kernel(const char *vmlinux)
{
	struct hostkernel hk;
	struct kver v;
	const char *why = NULL;
	char ver[48], newest[32];
	int ret = 0;

	if (vmlinux_release(vmlinux, &v))
		return 0; /* starting it reports an unreadable file */
	hostkernel_probe(&hk);
	if (hostkernel_can_run(&hk, &v, &why)) {
		kver_format(&v, ver, sizeof(ver));
		hostkernel_newest_line(&hk, newest, sizeof(newest));
		ret = error(-UKB_EHOST, "cannot boot '%s' (linux %s) on this host: %s",
			    vmlinux, ver, why);
		hint("this host (Linux %s) runs UML %s and older: use such an artifact here, or --no-boot",
		     hk.release, newest);
	}
	return ret;
}

int boot_run(const struct boot_opts *o, struct boot_result *r)
{
	int ret, attempt = 1;

	ret = check_host_kernel(o->vmlinux);
	if (ret)
		return ret;

	for (;;) {
		int last = attempt == BOOT_ATTEMPTS;

		ret = boot_once(o, r, !last);
		r->attempts = attempt;
		if (ret != -UKB_EBOOT || last)
			return ret;
		if (r->tls_failure) {
			warning("the 32-bit guest failed to set up TLS (%s); booting it again (%d of %d)",
				r->tls_failure, attempt + 1, BOOT_ATTEMPTS);
			attempt++;
		} else {
			/* another failure: boot once more, reporting it */
			attempt = BOOT_ATTEMPTS;
		}
		boot_result_release(r);
	}
}
