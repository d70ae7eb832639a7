/*
 * A deployment's runtime state, RUN/NAME/state.json, written atomically by
 * `run` at every change and read by `status`, `console` and `undeploy`:
 * the supervisor's and the VM's pids, when the VM started, how often it
 * was restarted, why it last ended, and the host pty of each console.
 * Beside it: the supervisor's lock (RUN/NAME/lock, flock) and pidfile.
 */
#ifndef UKB_HOST_VMSTATE_H
#define UKB_HOST_VMSTATE_H

#include <stddef.h>

#define VM_CONSOLES 16

struct vmstate {
	long sup_pid;           /* the supervisor (`run`), 0 when none */
	long vm_pid;            /* the VM's main process, 0 when none */
	long long started;      /* this VM's start, seconds since the epoch */
	long restarts;          /* VMs started again by this supervisor */
	char *last_exit;        /* "killed by signal 9 (Killed)", or NULL */
	char *pts[VM_CONSOLES]; /* console N's "/dev/pts/M", or NULL */
};

void vmstate_init(struct vmstate *s);
void vmstate_release(struct vmstate *s);
/* Forget the VM's consoles (a new VM gets new ptys). */
void vmstate_clear_consoles(struct vmstate *s);

/* 0 or -errno. */
int vmstate_write(const struct vmstate *s, const char *path);
/* 0, -ENOENT when there is none, -EINVAL when it does not parse. */
int vmstate_read(struct vmstate *s, const char *path);

/*
 * One line of the VM's output: UML's "Virtual console N assigned device
 * '/dev/pts/M'" records console N's pty. Returns N, or -1 for another
 * line. Pure.
 */
int vmstate_console_line(struct vmstate *s, const char *line, size_t len);

/* Whether pid is alive and a UML kernel started with umid=umid. */
int vm_is_ours(long pid, const char *umid);
/* Whether the lock file is held (a supervisor runs). */
int vm_lock_held(const char *lock_path);

#endif
