/*
 * `umlkbuild run NAME`, the supervisor a service runs in the foreground:
 * one per deployment (a flock on RUN/NAME/lock), it re-creates the TAP and
 * the rules when they are missing, starts the VM, records its consoles and
 * pid in state.json, restarts it with backoff when it ends, and halts it
 * cleanly on SIGTERM or SIGINT.
 *
 * A VM left by an earlier supervisor (killed with SIGKILL, say) is not
 * adopted: `run` halts it and starts a fresh one it can watch, so one
 * image never has two VMs.
 */
#ifndef UKB_HOST_SUPERVISE_H
#define UKB_HOST_SUPERVISE_H

#include <stdbool.h>

#include "base/strvec.h"
#include "host/deployment.h"

/* Until a signal: then 0 once the VM is halted (main re-raises). */
int supervise_run(const struct deployment *d);

/* Whether the kernel's artifact (config beside it) uses the vector driver. */
bool supervise_kernel_has_vector(const char *kernel);
/* The VM's command line for d, kernel first. */
void supervise_vm_argv(const struct deployment *d, const char *run_dir,
		       struct strvec *argv);

/*
 * Halt the VM pid of deployment name (run_dir its RUN/NAME): through its
 * mconsole "sysrq s", "sysrq u" (sync, remount read-only), then "halt";
 * after wait_ms SIGKILL to its process group. Output on drain_fd (or -1)
 * is read meanwhile. Returns 0 when it is gone.
 */
int supervise_halt(long pid, const char *run_dir, const char *name,
		   int wait_ms, int drain_fd);

/*
 * Stop a deployment from outside (undeploy): SIGTERM to its supervisor
 * and wait for it, then halt a VM that is still there.
 */
int supervise_stop(const char *name, int wait_ms);

#endif
