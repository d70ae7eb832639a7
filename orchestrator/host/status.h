/*
 * `umlkbuild status`: what a deployment looks like now, changing nothing:
 * the supervisor and the VM (pid, uptime, restarts), the TAP, forwarding
 * and the rules (hostnet_status), whether the guest accepts a TCP
 * connection on the first forwarded TCP port (at guest_ip, from the
 * host), and the consoles' ptys.
 */
#ifndef UKB_HOST_STATUS_H
#define UKB_HOST_STATUS_H

#include <stdbool.h>

#include "base/strbuf.h"
#include "host/deployment.h"
#include "host/hostnet.h"
#include "host/vmstate.h"

struct deploy_status {
	bool supervisor;        /* its lock is held */
	bool vm_up;             /* state.json's VM pid runs with our umid */
	long long uptime;       /* seconds */
	struct vmstate st;
	struct hostnet_status net;
	int net_err;            /* hostnet_status()'s error, or 0 */
	unsigned probe_port;    /* 0: no TCP forward to try */
	int probe;              /* 0 connected, or -errno (-ETIMEDOUT) */
	bool ok;                /* everything above is as it should be */
};

#define STATUS_PROBE_MS 2000

/* d as deployment_load returns it without DEPLOYMENT_INCOMPLETE: its
 * kernel and rootfs are set. */
void status_collect(const struct deployment *d, struct deploy_status *s);
void status_release(struct deploy_status *s);
/* Human-readable lines for stdout. */
void status_render(const struct deployment *d, const struct deploy_status *s,
		   struct strbuf *out);

/* Several deployments as one JSON document: {"ok": .., "deployments":
 * {NAME: {...}}}; caller frees. */
char *status_json(const struct deployment *const *ds,
		  const struct deploy_status *const *ss, size_t nr);

/* A TCP connection to addr:port (host byte order) within ms: 0 or -errno. */
int status_probe_tcp(uint32_t addr, unsigned port, int ms);

#endif
