#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/sigchain.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "base/banned.h"

extern char **environ;

#define KILL_GRACE_MS 3000

static void build_env(struct strvec *out, const char *const *extra)
{
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t klen = eq ? (size_t)(eq - *e) : strlen(*e);
		int replaced = 0;

		for (const char *const *x = extra; x && *x; x++) {
			if (!strncmp(*x, *e, klen) && (*x)[klen] == '=') {
				replaced = 1;
				break;
			}
		}
		if (!replaced)
			strvec_push(out, *e);
	}
	strvec_pushv(out, extra);
}

static void emit_lines(struct proc *p, struct strbuf *pending, int flush)
{
	size_t start = 0;

	for (size_t i = 0; i < pending->len; i++) {
		if (pending->buf[i] != '\n')
			continue;
		if (!p->quiet_log)
			log_child_line(pending->buf + start, i - start);
		if (p->on_line)
			p->on_line(p->ctx, pending->buf + start, i - start);
		start = i + 1;
	}
	if (flush && start < pending->len) {
		if (!p->quiet_log)
			log_child_line(pending->buf + start,
				       pending->len - start);
		if (p->on_line)
			p->on_line(p->ctx, pending->buf + start,
				   pending->len - start);
		start = pending->len;
	}
	memmove(pending->buf, pending->buf + start, pending->len - start);
	strbuf_setlen(pending, pending->len - start);
}

/* Kill the group, wait for the leader; the group's stragglers get SIGKILL. */
static void kill_group(struct proc *p, int *reaped)
{
	long long deadline = clock_ms() + KILL_GRACE_MS;

	kill(-p->pid, SIGTERM);
	while (!*reaped && clock_ms() < deadline) {
		if (waitpid(p->pid, &p->status, WNOHANG) == p->pid)
			*reaped = 1;
		else
			usleep(20000);
	}
	kill(-p->pid, SIGKILL);
	if (!*reaped && waitpid(p->pid, &p->status, 0) == p->pid)
		*reaped = 1;
}

/* p->input in an unlinked temporary file (no memfd: hosts on 3.10) */
static int input_fd(const struct proc *p)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/ukb-input.XXXXXX",
			       dir && *dir ? dir : "/tmp");
	int fd = mkostemp(path, O_CLOEXEC), err = 0;

	if (fd < 0) {
		err = -errno;
		free(path);
		return err;
	}
	unlink(path);
	free(path);
	for (size_t off = 0; off < p->input_len && !err; ) {
		ssize_t n = write(fd, p->input + off, p->input_len - off);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (!err && lseek(fd, 0, SEEK_SET) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int spawn(struct proc *p, int out_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct strvec env = STRVEC_INIT;
	sigset_t none, dflt;
	int ret, in_fd = -1;

	if (p->input) {
		in_fd = input_fd(p);
		if (in_fd < 0)
			return in_fd;
	}
	posix_spawn_file_actions_init(&fa);
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	else if (p->stdin_fd > 0)
		posix_spawn_file_actions_adddup2(&fa, p->stdin_fd, STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
						 "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
	if (p->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, p->cwd);

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
					POSIX_SPAWN_SETSIGMASK |
					POSIX_SPAWN_SETSIGDEF);

	build_env(&env, p->env);
	ret = posix_spawnp(&p->pid, p->argv[0], &fa, &attr,
			   (char *const *)p->argv, (char *const *)env.v);
	strvec_clear(&env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (in_fd >= 0)
		close(in_fd);
	return -ret;
}

int proc_run(struct proc *p)
{
	struct strbuf pending = STRBUF_INIT;
	long long deadline = 0;
	int fd, ret, reaped = 0, eof = 0;
	char buf[8192];

	p->timed_out = 0;
	p->status = 0;
	ret = proc_start(p, &fd);
	if (ret)
		return ret;
	if (p->timeout_ms > 0)
		deadline = clock_ms() + p->timeout_ms;

	while (!eof || !reaped) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n;

		if (sigchain_pending() ||
		    (deadline && clock_ms() > deadline)) {
			p->timed_out = !sigchain_pending();
			kill_group(p, &reaped);
			break;
		}
		if (!reaped && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
			reaped = 1;
		if (eof) {
			/* output closed but the leader lives on */
			if (!reaped)
				usleep(20000);
			continue;
		}
		n = poll(&pfd, 1, 100);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0) {
			/* the leader is gone: do not wait for stragglers */
			if (reaped && n == 0)
				break;
			continue;
		}
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			eof = 1;
			continue;
		}
		if (p->capture)
			strbuf_add(p->capture, buf, (size_t)got);
		strbuf_add(&pending, buf, (size_t)got);
		emit_lines(p, &pending, 0);
	}
	emit_lines(p, &pending, 1);
	strbuf_release(&pending);
	close(fd);
	if (!reaped)
		waitpid(p->pid, &p->status, 0);
	/* nothing of the group may outlive the call */
	kill(-p->pid, SIGKILL);

	if (sigchain_pending())
		return -UKB_EINTR;
	if (p->timed_out)
		return -UKB_ETIMEDOUT;
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0)
		return 0;
	return -UKB_ECHILD;
}

int proc_start(struct proc *p, int *out_fd)
{
	int fds[2], ret;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	ret = spawn(p, fds[1]);
	close(fds[1]);
	if (ret) {
		close(fds[0]);
		return ret;
	}
	debug("started %s (pid %ld)", p->argv[0], (long)p->pid);
	*out_fd = fds[0];
	return 0;
}

void proc_describe(const struct proc *p, struct strbuf *sb)
{
	if (p->timed_out)
		strbuf_addf(sb, "timed out after %d s", p->timeout_ms / 1000);
	else if (WIFEXITED(p->status))
		strbuf_addf(sb, "exited with %d", WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		strbuf_addf(sb, "killed by signal %d (%s)",
			    WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
	else
		strbuf_addf(sb, "ended with status 0x%x", p->status);
}

int proc_capture(const char *const *argv, struct strbuf *out)
{
	struct proc p = { .argv = argv, .capture = out, .quiet_log = 1,
			  .timeout_ms = 60000 };

	return proc_run(&p);
}

int proc_have(const char *name)
{
	const char *path = getenv("PATH");
	int found = 0;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	for (const char *dir = path; !found; dir++) {
		const char *end = strchrnul(dir, ':');
		char *full = end > dir ?
			xasprintf("%.*s/%s", (int)(end - dir), dir, name) :
			xasprintf("./%s", name);
		struct stat st;

		found = stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
			access(full, X_OK) == 0;
		free(full);
		if (!*end)
			break;
		dir = end;
	}
	return found;
}
