/*
 * The values of `umlkbuild rootfs`'s options, parsed without side effects
 * (pure; unit-tested and fuzzed). Each returns 0 or -UKB_EUSAGE with a
 * static reason in *why, never reporting by itself.
 */
#ifndef UKB_ROOTFSOPT_H
#define UKB_ROOTFSOPT_H

#include <stdint.h>

#include "base/strvec.h"
#include "source/fetch.h"

/* What one `umlkbuild rootfs` is asked for (rootfs.h). */
struct rootfs_opts {
	const char *alpine;          /* "3.20" or "3.20.3" */
	const char *debian;          /* a suite ("bookworm"), NULL for Alpine */
	const char *arch;            /* "x86_64" or "i386" */
	uint64_t size;               /* bytes */
	const char *guest_ip;        /* "10.0.0.2/24" */
	const char *gateway;         /* "" for none */
	const char *dns;             /* "" for none */
	const char *hostname;
	const char *password_file;   /* NULL: no password, consoles only */
	const char *authorized_keys; /* NULL: none */
	uint64_t swap;               /* bytes, 0 for none */
	struct strvec copies;        /* "HOST:GUEST", checked */
	struct strvec starts;        /* shell commands */
	struct strvec sysctls;       /* "KEY=VALUE", checked */
	struct fetch_opts fetch;     /* with --debian: only the mirrors */
	const char *out;
};

/* "512M", "1G", "65536K", "4096" (bytes): a size of at least 1 MiB. */
int rootfs_parse_size(const char *s, uint64_t *bytes, const char **why);

/* A dotted-quad IPv4 address, four decimal numbers 0..255, no zeros led. */
int rootfs_parse_ip(const char *s, uint32_t *addr, const char **why);

/* "A.B.C.D/N", N 1..32; the address may not be the network or broadcast. */
int rootfs_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix,
		      const char **why);

/*
 * "HOSTPATH:GUESTPATH": the last ':' splits; the guest path is absolute,
 * has no '..' or '.' component nor a control character. *host and *guest
 * point into a copy the caller frees through *host.
 */
int rootfs_parse_copy(const char *s, char **host, char **guest,
		      const char **why);

/*
 * "net.ipv4.tcp_congestion_control=bbr": a key of [A-Za-z0-9_.-] parts
 * separated by '.' (or '/'), a value without newline. Caller frees *key
 * and *value.
 */
int rootfs_parse_sysctl(const char *s, char **key, char **value,
			const char **why);

/* A hostname: labels of [A-Za-z0-9-], 1..63 each, 253 in all. */
int rootfs_check_hostname(const char *s, const char **why);

#endif
