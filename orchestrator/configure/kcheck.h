/*
 * The two-tier check of a resolved configuration: required symbols
 * (errors), then the requested fragment lines (warnings).
 */
#ifndef UKB_KCHECK_H
#define UKB_KCHECK_H

#include <stddef.h>

#include "base/scope.h"
#include "base/version.h"
#include "configure/kcset.h"

/* Required symbols: "CONFIG_X=value [versions=A..B] [arch=i386|x86_64]
 * [link=static|dynamic]". */
struct kc_required {
	struct kc_set syms;
	struct scope *scopes; /* parallel to syms.e */
};

void kc_required_release(struct kc_required *req);

struct kc_result {
	const char *name;
	const char *requested;
	const char *actual;   /* NULL when absent from .config */
	const char *file;
	unsigned line;
	int required;
	int ok;
};

struct kc_report {
	struct kc_result *r;
	size_t nr, alloc;
	size_t required_failed;
	size_t warnings;
};

/* Whether requested (as a fragment writes it) holds given actual. */
int kc_value_satisfied(const char *requested, const char *actual);

/*
 * Check a resolved configuration: every required entry in scope for
 * (v, arch), then every requested fragment line. Fills report (pointers
 * into the inputs); returns 0 or -UKB_ECONFIG when a required symbol
 * failed. Messages are printed for every failure and warning.
 */
int kc_check(const struct kc_set *config, const struct kc_required *req,
	     const struct kc_set *requested, const struct kver *v,
	     unsigned arch, struct kc_report *report);
void kc_report_release(struct kc_report *report);

#endif
