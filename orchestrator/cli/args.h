/* Option values several commands share: the arch and the kernel version. */
#ifndef UKB_ARGS_H
#define UKB_ARGS_H

/* --arch: x86_64 (amd64, 64) or i386 (i686, 32) into *arch (ARCH_*). */
int args_parse_arch(const char *s, unsigned *arch);
/* --version for a build: well-formed and supported for target. */
int args_check_version(const char *s, unsigned target);

#endif
