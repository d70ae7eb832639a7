/*
 * The boot console read: the verdicts ukb-init prints ("ukb-init:
 * ok|fail|skip NAME: DETAIL", then "ukb-init: result pass|fail") and the
 * kernel's own signs of failure, gathered into a boot_result.
 */
#ifndef UKB_BOOTLOG_H
#define UKB_BOOTLOG_H

#include <stddef.h>

struct boot_check {
	char *status;   /* "ok", "fail" or "skip" */
	char *name;
	char *detail;
	int host;       /* judged by the host (bootlog_add_check), not ukb-init */
};

struct boot_result {
	int ran;                /* 0: skipped, see skip_reason */
	char *skip_reason;
	int passed;
	int saw_result;         /* the final "result" line was seen */
	size_t nr_failed;
	struct boot_check *checks;
	size_t nr, alloc;
	char *panic;            /* first "Kernel panic" line */
	char *stub_crash;       /* first "wait_stub_done" line */
	char *tls_failure;      /* first "PTRACE_SET_THREAD_AREA failed" line */
	int attempts;           /* boots it took (see boot_run) */
	char *kernel;           /* the guest's uname, from the "kernel" check */
	double seconds;
};

/* Feed one console line; pure, fuzzed. Returns 1 when it was ukb-init's. */
int bootlog_parse_line(const char *line, size_t len, struct boot_result *r);
/* Add a check the host judged itself (printf-style detail). */
void bootlog_add_check(struct boot_result *r, const char *status,
		       const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void boot_result_release(struct boot_result *r);

#endif
