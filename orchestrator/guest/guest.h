/*
 * ukb-init's shared helpers: the guest init is one static program built
 * from the files in orchestrator/guest/ (no host library is linked).
 */
#ifndef UKB_GUEST_H
#define UKB_GUEST_H

#include <stddef.h>

/* "ukb-init: STATUS NAME: DETAIL" on the console; "fail" is counted. */
void report(const char *status, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The file's text without trailing newlines and blanks; 0 or -errno. */
int read_text(const char *path, char *buf, size_t size);
/* Mount type on dir (source = type), reporting a failure. */
void mount_fs(const char *type, const char *dir);
/* Write value to the sysctl at path and read it back, reporting name. */
void check_sysctl_set(const char *name, const char *path, const char *value);
/* Set IFF_UP on dev through the socket fd; 0 or -errno. */
int link_up(int fd, const char *dev);

/*
 * With ukb.net=IP/PREFIX,PEER,PORT,BYTES[,IF] in argv or on the kernel
 * command line: the interface configured and BYTES sent over TCP to the
 * host (netcheck.c). Nothing without it.
 */
void net_checks(int argc, char **argv);

/*
 * The seeds' deployment (ukb.deploy on the command line): an ext4 root on
 * ubda, a swap file that takes pages, tmpfs, loopback IPv4 and IPv6, unix
 * sockets and a console on a host pty that answers the host.
 */
void deploy_checks(void);

#endif
