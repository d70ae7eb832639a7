/*
 * Spawning child processes: argv only, never a shell (apk-tools'
 * process.c). The child runs in its own process group with stdin on
 * /dev/null; its stdout and stderr are read through one pipe, split into
 * lines and handed to on_line (and to the log). Timeouts and SIGINT/SIGTERM
 * kill the whole group.
 */
#ifndef UKB_PROC_H
#define UKB_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "base/strbuf.h"

struct proc {
	/* inputs */
	const char *const *argv;
	const char *const *env;     /* "K=V" added to (or replacing) environ */
	const char *cwd;
	int timeout_ms;         /* 0: no limit */
	int quiet_log;          /* do not copy child output into the log */
	void (*on_line)(void *ctx, const char *line, size_t len);
	void *ctx;
	struct strbuf *capture; /* when set, all output is appended here */
	const char *input;      /* when set, the child's stdin: input_len bytes */
	size_t input_len;
	int stdin_fd;           /* > 0: the child's stdin (else /dev/null) */
	/* outputs */
	pid_t pid;
	int status;             /* wait(2) status */
	int timed_out;
};

/*
 * Run to completion. Returns 0 when the child exited with 0, -UKB_ECHILD
 * when it failed, -UKB_ETIMEDOUT, -UKB_EINTR, or -errno when it could not
 * be started (-ENOENT: no such program).
 */
int proc_run(struct proc *p);
/*
 * Start without waiting, as proc_run() would (own process group, stdin on
 * /dev/null), for a caller that supervises the child itself: p->pid is
 * set and *out_fd is the read end of its stdout and stderr (close-on-exec;
 * the caller reads, waits with waitpid(2) and closes). 0 or -errno.
 */
int proc_start(struct proc *p, int *out_fd);
/* "exited with 2", "killed by signal 9 (Killed)" into sb. */
void proc_describe(const struct proc *p, struct strbuf *sb);
/* Run argv and capture its output; for short tool queries. */
int proc_capture(const char *const *argv, struct strbuf *out);
/* Whether an executable named name is on PATH. */
int proc_have(const char *name);

#endif
