/*
 * SIGINT/SIGTERM handling (git's sigchain): the handler only records the
 * signal; long-running loops poll sigchain_pending(), unwind through their
 * normal error paths (killing child process groups, removing partial files
 * registered here), and main re-raises the signal at the end.
 */
#ifndef UKB_SIGCHAIN_H
#define UKB_SIGCHAIN_H

void sigchain_install(void);
/* The signal received so far, or 0. */
int sigchain_pending(void);
/* Remove what is still registered, then die by the pending signal. */
void sigchain_reraise(void);

/* Partial files and directories to remove if the run dies early. */
void tmp_register(const char *path);
void tmp_forget(const char *path);
/* Remove everything still registered (at error exit or on a signal). */
void tmp_remove_all(void);

#endif
