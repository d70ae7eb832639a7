/* deploy --bundle: the bundle's settings as defaults; see deploybundle.h. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/wrapper.h"
#include "cli/deploybundle.h"
#include "rootfs/rootfsopt.h"
#include "base/banned.h"

static int bad(const char *path, const char *what, const char *val,
	       const char *why)
{
	return error(-UKB_EUSAGE, "the bundle '%s' has an invalid %s '%s': %s",
		     path, what, val, why);
}

/* One of run.sh's forwards, "tcp:8080", "udp:5000-5010" or
 * "tcp:2222=2222", as deploy's range; "=" only to the same ports. */
static int add_forward(const char *path, const char *word,
		       struct netspec *n)
{
	const char *colon = strchr(word, ':'), *eq = strchr(word, '='), *why;
	char *ports = eq ? xstrndup(word, (size_t)(eq - word)) : xstrdup(word);
	struct port_range r;
	int ret = 0;

	if (eq && (!colon || colon > eq ||
		   strcmp(ports + (colon - word) + 1, eq + 1))) {
		ret = error(-UKB_EUSAGE, "the bundle '%s' forwards '%s' to other guest ports: deploy forwards to the same ports",
			    path, word);
		hint("give the forwards with --forward");
	} else if (netspec_parse_ports(ports, &r, &why)) {
		ret = bad(path, "forward", word, why);
	} else {
		n->fwd = xrealloc(n->fwd, (n->nr_fwd + 1) * sizeof(*n->fwd));
		n->fwd[n->nr_fwd++] = r;
	}
	free(ports);
	return ret;
}

/* run.sh's list, words split by spaces. */
static int add_forwards(const char *path, const char *list,
			struct netspec *n)
{
	int ret = 0;

	while (!ret && *list) {
		size_t len = strcspn(list, " ");

		if (len) {
			char *word = xstrndup(list, len);

			ret = add_forward(path, word, n);
			free(word);
		}
		list += len + (list[len] == ' ');
	}
	return ret;
}

/* The image's address (CIDR) and gateway: the guest's and the TAP's. */
static int set_net(const char *path, const struct bundle_info *bi,
		   unsigned given, struct netspec *n)
{
	const char *why;
	uint32_t a;
	unsigned prefix;

	if (bi->tap && !(given & DEPLOY_GIVEN_TAP)) {
		if (netspec_check_ifname(bi->tap, &why))
			return bad(path, "TAP", bi->tap, why);
		free(n->tap);
		n->tap = xstrdup(bi->tap);
	}
	if (!bi->guest_ip)
		return 0;
	if (rootfs_parse_cidr(bi->guest_ip, &a, &prefix, &why))
		return bad(path, "guest address", bi->guest_ip, why);
	if (!(given & DEPLOY_GIVEN_GUEST_IP))
		n->guest_ip = a;
	if (bi->gateway && *bi->gateway && !(given & DEPLOY_GIVEN_HOST_IP)) {
		if (rootfs_parse_ip(bi->gateway, &a, &why))
			return bad(path, "gateway", bi->gateway, why);
		n->host_ip = a;
		n->prefix = prefix;
	}
	return 0;
}

int deploy_bundle_settings(const char *path, const struct bundle_info *bi,
			   unsigned given, struct deployment *d)
{
	char *dir = deployment_state_dir(d->net.name);
	const char *why;
	int ret = set_net(path, bi, given, &d->net);

	d->kernel = path_join(dir, "vmlinux");
	d->rootfs = path_join(dir, "rootfs.img");
	d->bundle = xstrdup(bi->sums);
	if (bi->net && (!strcmp(bi->net, "tuntap") || !strcmp(bi->net, "vector")))
		d->transport = xstrdup(bi->net);
	if (!ret && bi->mem && !(given & DEPLOY_GIVEN_MEM)) {
		if (deployment_parse_mem(bi->mem, &why))
			ret = bad(path, "mem", bi->mem, why);
		else {
			free(d->mem);
			d->mem = xstrdup(bi->mem);
		}
	}
	if (!ret && bi->forward && !(given & DEPLOY_GIVEN_FORWARD))
		ret = add_forwards(path, bi->forward, &d->net);
	free(dir);
	return ret;
}
