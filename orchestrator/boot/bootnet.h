/*
 * The boot check's network path (boot --net): a private network namespace
 * with a TAP device and a TCP sink on the host's side, counting what the
 * guest sends.
 */
#ifndef UKB_BOOTNET_H
#define UKB_BOOTNET_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "boot/bootlog.h"

/* The seeds' addresses, only ever inside the namespace a run creates. */
#define NET_TAP "ukbtap0"
#define NET_HOST_IP "10.0.0.1"
#define NET_GUEST "10.0.0.2/24"
#define NET_DEFAULT_BYTES (4ULL << 20)

struct net_run {
	int home_ns;            /* our original network namespace */
	int listen_fd;
	unsigned port;
	unsigned long long want, got;   /* want: set before bootnet_enter */
	double seconds;
	int err;                /* the sink's -errno, 0 when fine */
	char peer[INET_ADDRSTRLEN];
	atomic_int stop;
	int thread_started;
	pthread_t thread;
};
#define NET_RUN_INIT { .home_ns = -1, .listen_fd = -1 }

/*
 * Enter a private network namespace holding the TAP (NET_HOST_IP/24) and
 * a sink listening on n->port. Root only. Returns 0 or -UKB_EHOST
 * (message printed); call bootnet_leave either way.
 */
int bootnet_enter(struct net_run *n);
/* Stop the sink, remove the TAP and go home; safe after a partial enter. */
void bootnet_leave(struct net_run *n);
/* Add what the host's side saw of the guest's flow to r. */
void bootnet_judge(const struct net_run *n, struct boot_result *r);

#endif
