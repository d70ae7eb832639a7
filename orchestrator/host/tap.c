#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "host/rtnl.h"
#include "host/tap.h"
#include "banned.h"

#define TUN_DEV "/dev/net/tun"

int tap_probe(void)
{
	int fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Attach to the TAP called name (made when missing) on a new fd. */
static int tap_attach(const char *name)
{
	struct ifreq ifr;
	int fd = open(TUN_DEV, O_RDWR | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int tap_create(const char *name, uid_t owner, bool *created)
{
	struct rtnl_link l;
	int fd, ret = rtnl_link_get(name, &l);

	if (ret && ret != -ENODEV)
		return ret;
	*created = ret == -ENODEV;
	/* a TUN of that name would be taken over by TUNSETIFF on old kernels */
	if (!ret && !rtnl_link_is_tap(&l))
		return -EINVAL;
	fd = tap_attach(name);
	if (fd < 0)
		return fd;
	ret = 0;
	if (owner != (uid_t)-1 && ioctl(fd, TUNSETOWNER, (unsigned long)owner))
		ret = -errno;
	if (!ret && ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		ret = -errno;
	/* a failure leaves a new TAP unpersisted: it goes with the fd */
	close(fd);
	return ret;
}

int tap_delete(const char *name)
{
	int fd = tap_attach(name), ret = 0;

	if (fd < 0)
		return fd;
	if (ioctl(fd, TUNSETPERSIST, 0UL) < 0)
		ret = -errno;
	close(fd);
	return ret;
}
