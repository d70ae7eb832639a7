/* The supervisor: one VM per deployment, restarted, halted cleanly. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/sigchain.h"
#include "base/umlnet.h"
#include "base/wrapper.h"
#include "host/hostnet.h"
#include "host/mconsole.h"
#include "host/supervise.h"
#include "host/vmstate.h"
#include "base/banned.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define STABLE_SECS 60          /* a VM up this long resets the backoff */
#define HALT_WAIT_MS 30000

struct sup {
	const struct deployment *d;
	char *run_dir, *state_path, *log_path;
	struct vmstate st;
	int log_fd;
};

bool supervise_kernel_has_vector(const char *kernel)
{
	return umlnet_driver_of_kernel(kernel) == UMLNET_VECTOR;
}

void supervise_vm_argv(const struct deployment *d, const char *run_dir,
		       struct strvec *argv)
{
	strvec_push(argv, d->kernel);
	strvec_pushf(argv, "ubda=%s", d->rootfs);
	/* a bundle's deployment says which; else the kernel's own files */
	umlnet_push_arg(argv, (d->transport ? !strcmp(d->transport, "vector") :
			       supervise_kernel_has_vector(d->kernel)) ?
			UMLNET_VECTOR : UMLNET_TUNTAP, d->net.tap);
	strvec_pushf(argv, "mem=%s", d->mem);
	strvec_pushf(argv, "umid=%s", d->net.name);
	strvec_pushf(argv, "uml_dir=%s", run_dir);
	strvec_push(argv, "con=pts");
	strvec_push(argv, "con0=fd:0,fd:1");
}

static void drain(int fd)
{
	char buf[4096];

	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Whether pid is gone (reaped when it is our child). */
static int gone(long pid)
{
	int status;

	if (waitpid((pid_t)pid, &status, WNOHANG) == (pid_t)pid)
		return 1;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

int supervise_halt(long pid, const char *run_dir, const char *name,
		   int wait_ms, int drain_fd)
{
	char *sock = xasprintf("%s/%s/mconsole", run_dir, name);
	long long end = clock_ms() + wait_ms;
	int ret;

	if (drain_fd >= 0)
		fcntl(drain_fd, F_SETFL, O_NONBLOCK);
	/* sync and remount read-only first: "halt" stops the kernel at once */
	mconsole_cmd(sock, "sysrq s", 2000, NULL);
	mconsole_cmd(sock, "sysrq u", 2000, NULL);
	ret = mconsole_cmd(sock, "halt", 2000, NULL);
	if (ret < 0 && ret != -ETIMEDOUT)
		warning("cannot reach the VM's mconsole '%s': %s; killing it",
			sock, strerror(-ret));
	while ((ret >= 0 || ret == -ETIMEDOUT) && !gone(pid) &&
	       clock_ms() < end) {
		drain(drain_fd);
		usleep(50000);
	}
	if (!gone(pid)) {
		warning("the VM (pid %ld) did not halt: killing it", pid);
		kill(-(pid_t)pid, SIGKILL);
		kill((pid_t)pid, SIGKILL);
		for (end = clock_ms() + 5000; !gone(pid) && clock_ms() < end;)
			usleep(20000);
	}
	/* UML's helpers in its process group go with it */
	kill(-(pid_t)pid, SIGKILL);
	free(sock);
	return gone(pid) ? 0 : -EBUSY;
}

static void save_state(struct sup *s)
{
	int ret = vmstate_write(&s->st, s->state_path);

	if (ret)
		warning_errno(ret, "cannot write '%s'", s->state_path);
}

/* A VM a previous supervisor left: from state.json or UML's own pid file. */
static void clean_leftover(struct sup *s)
{
	struct vmstate old;
	struct strbuf sb = STRBUF_INIT;
	char *umid_pid = xasprintf("%s/%s/pid", s->run_dir, s->d->net.name);
	long pids[2] = { 0, 0 };

	vmstate_init(&old);
	if (!vmstate_read(&old, s->state_path))
		pids[0] = old.vm_pid;
	if (!strbuf_read_file(&sb, umid_pid))
		pids[1] = strtol(sb.buf, NULL, 10);
	for (size_t i = 0; i < 2; i++) {
		if (!vm_is_ours(pids[i], s->d->net.name) ||
		    (i && pids[1] == pids[0]))
			continue;
		info("a VM of an earlier supervisor runs (pid %ld): halting it "
		     "to start afresh", pids[i]);
		supervise_halt(pids[i], s->run_dir, s->d->net.name,
			       HALT_WAIT_MS, -1);
	}
	s->st.restarts = old.restarts;
	vmstate_release(&old);
	strbuf_release(&sb);
	free(umid_pid);
}

static void on_output(struct sup *s, struct strbuf *pending, int flush)
{
	size_t start = 0;

	for (size_t i = 0; i <= pending->len; i++) {
		int n;

		if (i < pending->len ? pending->buf[i] != '\n' : !flush)
			continue;
		n = vmstate_console_line(&s->st, pending->buf + start,
					 i - start);
		if (n >= 0) {
			info("console %d is on %s", n, s->st.pts[n]);
			save_state(s);
		}
		start = i + 1;
	}
	if (start > pending->len)
		start = pending->len;
	memmove(pending->buf, pending->buf + start, pending->len - start);
	strbuf_setlen(pending, pending->len - start);
}

static void open_log(struct sup *s)
{
	char *old = xasprintf("%s.1", s->log_path);

	rename(s->log_path, old);
	free(old);
	s->log_fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC |
			 O_APPEND | O_CLOEXEC, 0600);
}

static void vm_ended(struct sup *s, pid_t pid, int status)
{
	struct proc p = { .status = status };
	struct strbuf how = STRBUF_INIT;

	kill(-pid, SIGKILL);    /* stragglers of its group */
	proc_describe(&p, &how);
	free(s->st.last_exit);
	s->st.last_exit = strbuf_detach(&how, NULL);
	warning("the VM (pid %ld) %s after %lld s", (long)pid,
		s->st.last_exit, (long long)(time(NULL) - s->st.started));
}

/* One VM's life: 1 when a signal stopped it, 0 when it ended, or -errno. */
static int run_vm(struct sup *s)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf pending = STRBUF_INIT;
	struct proc p = { 0 };
	int fd, ret, status;
	char buf[8192], *line;

	supervise_vm_argv(s->d, s->run_dir, &argv);
	p.argv = argv.v;
	open_log(s);
	ret = proc_start(&p, &fd);
	if (ret) {
		error_errno(ret, "cannot start '%s'", s->d->kernel);
		goto out;
	}
	vmstate_clear_consoles(&s->st);
	s->st.vm_pid = p.pid;
	s->st.started = time(NULL);
	save_state(s);
	line = strvec_join(&argv, " ");
	info("the VM runs (pid %ld): %s", (long)p.pid, line);
	free(line);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (sigchain_pending()) {
			info("halting the VM (pid %ld)", (long)p.pid);
			supervise_halt(p.pid, s->run_dir, s->d->net.name,
				       HALT_WAIT_MS, fd);
			ret = 1;
			break;
		}
		if (waitpid(p.pid, &status, WNOHANG) == p.pid) {
			vm_ended(s, p.pid, status);
			ret = 0;
			break;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		got = read(fd, buf, sizeof(buf));
		if (got <= 0) {
			if (got == 0)   /* output closed, the VM lives on */
				usleep(200000);
			continue;
		}
		if (s->log_fd >= 0 && write(s->log_fd, buf, (size_t)got) < 0)
			warning_errno(0, "cannot write '%s'", s->log_path);
		strbuf_add(&pending, buf, (size_t)got);
		on_output(s, &pending, 0);
	}
	on_output(s, &pending, 1);
	close(fd);
	s->st.vm_pid = 0;
	save_state(s);
out:
	if (s->log_fd >= 0)
		close(s->log_fd);
	s->log_fd = -1;
	strbuf_release(&pending);
	strvec_clear(&argv);
	return ret;
}

/* Sleep ms unless a signal comes; 1 when one came. */
static int nap(long long ms)
{
	for (long long end = clock_ms() + ms; clock_ms() < end;) {
		if (sigchain_pending())
			return 1;
		usleep(50000);
	}
	return sigchain_pending() != 0;
}

static int take_lock(struct sup *s, int *lock_fd)
{
	char *lock = path_join(s->run_dir, "lock");
	int fd, ret = 0;

	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_errno(0, "cannot open '%s'", lock);
		ret = -UKB_EHOST;
	} else if (flock(fd, LOCK_EX | LOCK_NB)) {
		struct vmstate other;

		vmstate_init(&other);
		vmstate_read(&other, s->state_path);
		ret = error(-UKB_EHOST, "deployment '%s' already has a "
			    "supervisor (pid %ld)", s->d->net.name,
			    other.sup_pid);
		hint("'umlkbuild status %s' shows it", s->d->net.name);
		vmstate_release(&other);
		close(fd);
		fd = -1;
	}
	free(lock);
	*lock_fd = fd;
	return ret;
}

static int supervise_loop(struct sup *s)
{
	long long backoff = BACKOFF_MIN_MS;
	int ret;

	for (;;) {
		ret = hostnet_up(&s->d->net, s->d->fw, NULL);
		if (!ret)
			ret = run_vm(s);
		if (ret)
			return ret > 0 ? 0 : ret;
		if (time(NULL) - s->st.started >= STABLE_SECS)
			backoff = BACKOFF_MIN_MS;
		s->st.restarts++;
		save_state(s);
		info("restart %ld of the VM in %lld ms", s->st.restarts,
		     backoff);
		if (nap(backoff))
			return 0;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
							 backoff * 2;
	}
}

int supervise_run(const struct deployment *d)
{
	struct sup s = { .d = d, .log_fd = -1 };
	char *pidfile = NULL, pid[32];
	int lock_fd = -1, ret;

	vmstate_init(&s.st);
	s.run_dir = deployment_run_dir(d->net.name);
	s.state_path = path_join(s.run_dir, "state.json");
	s.log_path = path_join(s.run_dir, "vm.log");
	pidfile = path_join(s.run_dir, "run.pid");
	ret = mkdir_p(s.run_dir, 0755);
	if (ret) {
		error_errno(ret, "cannot make '%s'", s.run_dir);
		ret = -UKB_EHOST;
		goto out;
	}
	ret = take_lock(&s, &lock_fd);
	if (ret)
		goto out;
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* the sysv script's pidfile: without it, its stop and status fail */
	ret = write_file_atomic(pidfile, pid, strlen(pid), 0644);
	if (ret) {
		error_errno(ret, "cannot write '%s'", pidfile);
		ret = -UKB_EHOST;
		goto out;
	}
	clean_leftover(&s);
	s.st.sup_pid = getpid();
	save_state(&s);
	ret = supervise_loop(&s);
	s.st.sup_pid = 0;
	s.st.vm_pid = 0;
	save_state(&s);
	unlink(pidfile);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	vmstate_release(&s.st);
	free(s.run_dir);
	free(s.state_path);
	free(s.log_path);
	free(pidfile);
	return ret;
}

int supervise_stop(const char *name, int wait_ms)
{
	char *run_dir = deployment_run_dir(name);
	char *state = path_join(run_dir, "state.json");
	char *lock = path_join(run_dir, "lock");
	struct vmstate st;
	long long end = clock_ms() + wait_ms;
	int ret = 0;

	vmstate_init(&st);
	vmstate_read(&st, state);
	if (st.sup_pid > 0 && vm_lock_held(lock)) {
		info("stopping the supervisor (pid %ld)", st.sup_pid);
		kill((pid_t)st.sup_pid, SIGTERM);
		while (vm_lock_held(lock) && clock_ms() < end)
			usleep(50000);
		if (vm_lock_held(lock)) {
			warning("the supervisor (pid %ld) did not stop: "
				"killing it", st.sup_pid);
			kill((pid_t)st.sup_pid, SIGKILL);
			usleep(200000);
		}
		vmstate_read(&st, state);
	}
	if (vm_is_ours(st.vm_pid, name))
		ret = supervise_halt(st.vm_pid, run_dir, name, wait_ms, -1);
	vmstate_release(&st);
	free(run_dir);
	free(state);
	free(lock);
	return ret;
}
