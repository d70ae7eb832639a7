/*
 * `umlkbuild doctor`: can this host run a UML artifact (TUN, the tun
 * driver, an exec-mappable tmpfs for guest memory, ptrace, 32/64-bit),
 * and with --build, can it build one (preflight.h). Each item is OK or
 * says what is wrong and the command that fixes it.
 */
#ifndef UKB_DOCTOR_H
#define UKB_DOCTOR_H

#include <stddef.h>

struct doctor_item {
	const char *name;
	int ok;
	char *detail;   /* what was found, or what is wrong */
	char *fix;      /* the command that fixes it; NULL when ok */
};

struct doctor_report {
	struct doctor_item *items;
	size_t nr, alloc;
};

/*
 * The run-time checks; returns the number of failed items.
 */
int doctor_run(struct doctor_report *rep);
/* The directory a UML started now would put its memory file in; static. */
const char *doctor_uml_tempdir(int *from_env);
void doctor_report_release(struct doctor_report *rep);
/*
 * Run the checks (with build: also the tools an arch build needs) and
 * print them, as JSON with json; returns 0 or -UKB_EHOST when one failed.
 */
int doctor_report(int json, int build, unsigned arch);

#endif
