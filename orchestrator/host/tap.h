/*
 * Persistent TAP devices through /dev/net/tun's ioctls, as `ip tuntap`
 * makes them: they outlive this process and wait for UML to attach.
 */
#ifndef UKB_HOST_TAP_H
#define UKB_HOST_TAP_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Make the TAP called name persistent (IFF_TAP | IFF_NO_PI), owned by
 * owner unless that is (uid_t)-1; *created says whether it was not there
 * before. Reports nothing; returns 0 or:
 *   -ENOENT/-ENODEV/-ENXIO  no /dev/net/tun (or no tun driver),
 *   -EINVAL  a link of that name that is not a TAP,
 *   -EBUSY   a TAP of that name that another process has open,
 *   -EPERM/-EACCES  not allowed, or another -errno.
 */
int tap_create(const char *name, uid_t owner, bool *created);
/* Delete the TAP called name; -EBUSY while a process has it open. */
int tap_delete(const char *name);
/* Whether /dev/net/tun opens: 0 or -errno. */
int tap_probe(void);

#endif
