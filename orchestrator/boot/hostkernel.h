/*
 * What the host's kernel must offer a UML kernel of a given line. From
 * 6.13, UML starts each userspace process by execveat() of a memfd stub
 * (upstream 32e8eaf263d9 "um: use execveat to create userspace MMs"): the
 * host needs execveat (Linux 3.19) and memfd_create (3.17). OpenVZ 7
 * containers run a 3.10 kernel and OpenVZ 6 a 2.6.32 one: 6.12 is the
 * newest line they can run. Probed by calling, not by version number:
 * vendor kernels backport, and a seccomp filter can take a call away.
 */
#ifndef UKB_HOSTKERNEL_H
#define UKB_HOSTKERNEL_H

#include <stddef.h>

#include "base/version.h"

struct hostkernel {
	char release[65];       /* uname -r */
	int has_memfd;          /* memfd_create() works */
	int has_execveat;       /* execveat() exists and is allowed */
};

void hostkernel_probe(struct hostkernel *hk);

/*
 * Whether a UML kernel of version v can start its processes here: 0, or
 * -UKB_EHOST with *why (static) naming what the host lacks.
 */
int hostkernel_can_run(const struct hostkernel *hk, const struct kver *v,
		       const char **why);

/* "every line", or the newest line this host runs ("6.12"), into buf. */
void hostkernel_newest_line(const struct hostkernel *hk, char *buf,
			    size_t size);

/*
 * The release a vmlinux says it is ("Linux version 6.1.119 ..." in its
 * banner), read from len bytes of the file. 0, or -ENOENT when none.
 */
int hostkernel_banner_version(const char *buf, size_t len, struct kver *v);

#endif
