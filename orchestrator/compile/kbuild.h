/* Running the kernel's own make: ARCH=um, SUBARCH, O=, ccache, reproducibility. */
#ifndef UKB_KBUILD_H
#define UKB_KBUILD_H

#include "base/strbuf.h"
#include "base/strvec.h"

/* "x86_64"/"amd64"/"64" or "i386"/"i686"/"32" to ARCH_*; -UKB_EUSAGE else. */
__attribute__((warn_unused_result))
int kbuild_parse_arch(const char *s, unsigned *arch);
const char *kbuild_arch_name(unsigned arch);   /* "x86_64" or "i386" */

struct kbuild {
	const char *srcdir;
	const char *objdir;
	unsigned arch;
	int jobs;
	const char *cc;            /* compiler, default "gcc" */
	const char *hostcc;        /* host compiler, default cc */
	const char *kcflags;       /* KCFLAGS, or NULL */
	const char *hostcflags;    /* HOSTCFLAGS, or NULL */
	const char *ccache_dir;    /* NULL: no ccache */
	const char *wrapper;       /* "distcc" or NULL: compile through it */
	const char *distcc_hosts;  /* DISTCC_HOSTS, or NULL: distcc's own */
	long long timestamp;       /* KBUILD_BUILD_TIMESTAMP, seconds */
	struct strvec make_vars;   /* extra VAR=value for every make call */
};

/*
 * A -j for compiling through distcc: the slots of every host in a
 * DISTCC_HOSTS list ("host[:port][/limit][,opts]", default limit 4 per
 * host; "localhost" counts as local), plus local for preprocessing and
 * linking. hosts NULL or empty: 2 * local.
 */
int kbuild_distcc_jobs(const char *hosts, int local);

/*
 * make ARCH=um SUBARCH=... O=objdir target (plus make_vars). With
 * show_progress, counts compiled objects on a terminal. On failure quotes
 * the first error lines and the log path. Returns 0, -UKB_EBUILD,
 * -UKB_EINTR or -errno.
 */
int kbuild_make(const struct kbuild *kb, const char *target, int show_progress);
/* The kernel's own "make kernelrelease" answer into out (trimmed). */
int kbuild_kernelrelease(const struct kbuild *kb, struct strbuf *out);

#endif
