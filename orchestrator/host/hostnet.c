#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "host/hostnet.h"
#include "host/rtnl.h"
#include "host/tap.h"
#include "base/banned.h"

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

/* what one hostnet_up() call changed, so a failure can undo just that */
struct undo {
	bool tap_created;
	int index;
	bool addr_added;
	bool brought_up;
	bool forward_set;
};

static int forwarding(void)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = strbuf_read_file(&sb, IP_FORWARD);

	if (!ret)
		ret = sb.buf[0] == '1';
	strbuf_release(&sb);
	return ret;
}

static int set_forwarding(bool on)
{
	int fd = open(IP_FORWARD, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, on ? "1\n" : "0\n", 2) != 2)
		ret = -errno;
	close(fd);
	return ret;
}

static int need_root(const struct netspec *n)
{
	if (geteuid() == 0)
		return 0;
	error(-UKB_EHOST, "the network of '%s' needs root to set up", n->name);
	hint("run umlkbuild as root");
	return -UKB_EHOST;
}

static int need_tun(void)
{
	int ret = tap_probe();

	if (!ret)
		return 0;
	error_errno(ret, "cannot open '/dev/net/tun'");
	hint("on OpenVZ, switch TUN/TAP on for this container in the "
	     "provider's panel; `umlkbuild doctor` checks it");
	return -UKB_EHOST;
}

/* n->wan_if, or the default route's device */
static int wan(const struct netspec *n, char *out, bool quiet)
{
	struct rtnl_link l;
	int ret;

	if (n->wan_if) {
		snprintf(out, IFNAMSIZ, "%s", n->wan_if);
		ret = rtnl_link_get(n->wan_if, &l);
		if (ret && !quiet) {
			error_errno(ret, "no interface '%s' for the WAN",
				    n->wan_if);
			return -UKB_EUSAGE;
		}
		return ret ? -UKB_EUSAGE : 0;
	}
	ret = rtnl_default_dev(out);
	if (ret && quiet)
		out[0] = '\0';
	if (ret && !quiet) {
		error(-UKB_EHOST, "cannot find the WAN interface: %s",
		      ret == -ENETUNREACH ? "no IPv4 default route" :
		      strerror(-ret));
		hint("name it with --wan-if");
	}
	return ret ? -UKB_EHOST : 0;
}

static int tap_refused(const struct netspec *n, int err)
{
	struct rtnl_link l;

	if (err == -EBUSY) {
		error(-UKB_EUSAGE, "the TAP '%s' is in use by another process",
		      n->tap);
		hint("name another with --tap, or stop what holds it");
		return -UKB_EUSAGE;
	}
	if (err == -EINVAL) {
		if (rtnl_link_get(n->tap, &l))
			l.kind[0] = '\0';
		if (!strcmp(l.kind, "tun"))
			error(-UKB_EUSAGE, "'%s' is a TUN, not a TAP", n->tap);
		else
			error(-UKB_EUSAGE, "'%s' is %s%s link, not a TAP",
			      n->tap, l.kind[0] ? "a " : "another kind of",
			      l.kind);
		hint("name another with --tap");
		return -UKB_EUSAGE;
	}
	if (err == -ENOENT || err == -ENODEV || err == -ENXIO)
		return need_tun();
	error_errno(err, "cannot make the TAP '%s'", n->tap);
	return -UKB_EHOST;
}

static int up_tap(const struct netspec *n, struct undo *u)
{
	struct rtnl_link l;
	int ret = tap_create(n->tap, (uid_t)-1, &u->tap_created);

	if (ret)
		return tap_refused(n, ret);
	ret = rtnl_link_get(n->tap, &l);
	if (!ret) {
		u->index = l.index;
		ret = rtnl_addr_add(l.index, n->host_ip, n->prefix,
				    &u->addr_added);
	}
	if (!ret && !l.up) {
		ret = rtnl_link_set_up(l.index, true);
		u->brought_up = !ret;
	}
	if (ret) {
		error_errno(ret, "cannot set up the TAP '%s'", n->tap);
		return -UKB_EHOST;
	}
	return 0;
}

static int up_forwarding(struct undo *u)
{
	int ret = forwarding();

	if (ret == 1)
		return 0;
	if (!ret)
		ret = set_forwarding(true);
	if (ret) {
		error_errno(ret, "cannot turn on '%s'", IP_FORWARD);
		return -UKB_EHOST;
	}
	u->forward_set = true;
	return 0;
}

static void rollback(const struct netspec *n, const struct undo *u)
{
	int ret = 0;

	if (u->forward_set && (ret = set_forwarding(false)))
		warning_errno(ret, "cannot turn '%s' back off", IP_FORWARD);
	if (u->tap_created) {
		if ((ret = tap_delete(n->tap)))
			warning_errno(ret, "cannot delete the TAP '%s' again",
				      n->tap);
		return;
	}
	if (u->brought_up && (ret = rtnl_link_set_up(u->index, false)))
		warning_errno(ret, "cannot set '%s' down again", n->tap);
	if (u->addr_added &&
	    (ret = rtnl_addr_del(u->index, n->host_ip, n->prefix)))
		warning_errno(ret, "cannot remove the address from '%s' again",
			      n->tap);
}

static int checked(const struct netspec *n)
{
	char *why = NULL;
	int ret = netspec_check(n, &why);

	if (ret)
		error(ret, "%s", why);
	free(why);
	return ret;
}

int hostnet_up(const struct netspec *n, enum fw_backend fw,
	       struct hostnet_status *st)
{
	struct undo u = { 0 };
	char wan_if[IFNAMSIZ];
	int ret;

	if ((ret = checked(n)) || (ret = need_root(n)) || (ret = need_tun()) ||
	    (ret = wan(n, wan_if, false)) || (ret = fw_resolve(fw, &fw)))
		return ret;
	if (!strcmp(wan_if, n->tap))
		return error(-UKB_EUSAGE, "the TAP '%s' is the WAN interface",
			     n->tap);
	ret = up_tap(n, &u);
	if (!ret)
		ret = up_forwarding(&u);
	/* last: one transaction, so a failure leaves the earlier rules */
	if (!ret)
		ret = fw_apply(n, wan_if, fw);
	if (ret) {
		rollback(n, &u);
		return ret;
	}
	debug("network of '%s' up: %s, WAN %s, %s", n->name, n->tap, wan_if,
	      fw_backend_name(fw));
	return st ? hostnet_status(n, fw, st) : 0;
}

static int remove_rules(const struct netspec *n, enum fw_backend fw)
{
	int ret = 0;

	if (fw != FW_AUTO)
		return fw_remove(n->name, fw);
	/* not knowing which: wherever ours are */
	for (enum fw_backend b = FW_NFT; b <= FW_IPTABLES_LEGACY; b++) {
		if (fw_usable(b) && fw_present(n->name, b) != 0) {
			int r = fw_remove(n->name, b);

			ret = ret ? ret : r;
		}
	}
	return ret;
}

int hostnet_down(const struct netspec *n, enum fw_backend fw)
{
	struct rtnl_link l;
	int ret = need_root(n), r;

	if (ret)
		return ret;
	ret = remove_rules(n, fw);
	r = rtnl_link_get(n->tap, &l);
	if (r == -ENODEV)
		return ret;
	if (r) {
		error_errno(r, "cannot look at '%s'", n->tap);
		return -UKB_EHOST;
	}
	if (!rtnl_link_is_tap(&l)) {
		warning("'%s' is not a TAP: left alone", n->tap);
		return ret;
	}
	r = tap_delete(n->tap);
	/* a VM still attached: the link goes from under it */
	if (r == -EBUSY)
		r = rtnl_link_del(l.index);
	if (r) {
		error_errno(r, "cannot delete the TAP '%s'", n->tap);
		r = -UKB_EHOST;
	}
	return ret ? ret : r;
}

int hostnet_status(const struct netspec *n, enum fw_backend fw,
		   struct hostnet_status *st)
{
	struct rtnl_link l;
	int ret;

	memset(st, 0, sizeof(*st));
	wan(n, st->wan_if, true);
	ret = rtnl_link_get(n->tap, &l);
	if (ret && ret != -ENODEV) {
		error_errno(ret, "cannot look at '%s'", n->tap);
		return -UKB_EHOST;
	}
	if (!ret && rtnl_link_is_tap(&l)) {
		st->tap_exists = true;
		st->tap_up = l.up;
		st->tap_addr = rtnl_addr_has(l.index, n->host_ip,
					     n->prefix) == 1;
	}
	st->forwarding = forwarding() == 1;
	if (fw != FW_AUTO) {
		ret = fw_present(n->name, fw);
		if (ret < 0)
			return ret;
		st->rules = ret;
		st->fw = fw;
		return 0;
	}
	/* not knowing which: wherever ours are */
	for (enum fw_backend b = FW_NFT; b <= FW_IPTABLES_LEGACY; b++) {
		if (fw_usable(b) && fw_present(n->name, b) == 1) {
			st->rules = true;
			st->fw = b;
			break;
		}
	}
	return 0;
}
