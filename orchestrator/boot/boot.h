/*
 * The boot check: run the UML binary with the host's / as its hostfs root
 * and ukb-init as init, bounded by a timeout, and read the verdicts
 * ukb-init prints on the console ("ukb-init: ok|fail|skip NAME: DETAIL",
 * then "ukb-init: result pass|fail").
 */
#ifndef UKB_BOOT_H
#define UKB_BOOT_H

#include "base/umlnet.h"
#include "boot/bootlog.h"

struct boot_opts {
	const char *vmlinux;
	const char *init;       /* default: ukb_init_path() */
	const char *log_path;   /* console copy (boot.log); may be NULL */
	int timeout_s;          /* default 120 */
	const char *mem;        /* default "256m" */
	const char *const *extra;     /* more kernel command line words */
	/*
	 * The seeds' network path: boot inside a private network namespace
	 * with the guest's interface (boot_net_driver: eth0, or vec0 from
	 * 6.16) on a TAP device there (host 10.0.0.1/24, guest 10.0.0.2),
	 * let ukb-init send net_bytes over TCP to a sink on the host side
	 * and report the flow's congestion control and the interface's
	 * qdisc. Root only; the namespace and TAP die with the run.
	 */
	int net;
	unsigned long long net_bytes;  /* default 4 MiB */
	/*
	 * The seeds' deployment (deploy.h): root on a scratch ext4 image on
	 * ubda instead of the host's /, mem=64m unless mem says otherwise,
	 * and tty1 on a host pty that must answer.
	 */
	int deploy;
};

/*
 * Boot and judge. A 32-bit guest whose first process dies setting up its
 * TLS ("PTRACE_SET_THREAD_AREA failed", an intermittent failure of i386
 * guests on 64-bit hosts) is booted again, up to five boots, with a
 * warning each time; r->attempts says how many boots it took.
 * Returns 0 when the checks passed or the boot was
 * skipped because this host cannot execute the binary (r->ran == 0),
 * else -UKB_EBOOT (message printed), -UKB_EINTR, -UKB_EHOST (--net
 * without root, TUN or namespaces) or -errno.
 */
int boot_run(const struct boot_opts *o, struct boot_result *r);

/*
 * The network driver boot --net gives vmlinux: from the artifact's
 * "config" beside it, else from the release its banner names (the vector
 * driver from 6.16), else the legacy eth0=tuntap.
 */
enum umlnet_driver boot_net_driver(const char *vmlinux);

#endif
