/*
 * UML's network driver on the kernel command line: the legacy driver's
 * eth0=tuntap,TAP (removed in 6.16) or the vector driver's
 * vec0:transport=tap,ifname=TAP. The one place that chooses between them,
 * for `boot --net` and the deploy supervisor.
 */
#ifndef UKB_UMLNET_H
#define UKB_UMLNET_H

#include <stddef.h>

#include "base/strvec.h"
#include "base/version.h"

enum umlnet_driver { UMLNET_TUNTAP, UMLNET_VECTOR };

/*
 * The driver a kernel's .config text gives it: UMLNET_TUNTAP when it has
 * CONFIG_UML_NET_TUNTAP=y, else UMLNET_VECTOR with CONFIG_UML_NET_VECTOR=y,
 * else -ENOENT.
 */
int umlnet_driver_of_config(const char *cfg, size_t len);

/* The same from the file "config" beside kernel (an artifact's layout);
 * -ENOENT also when there is none. */
int umlnet_driver_of_kernel(const char *kernel);

/* The driver a release has: the vector driver from 6.16 on. */
enum umlnet_driver umlnet_driver_of_version(const struct kver *v);

/*
 * The driver of a kernel: its artifact's config, else its release v (NULL
 * when unknown), else the legacy driver.
 */
enum umlnet_driver umlnet_driver_for(const char *kernel,
				     const struct kver *v);

/* The guest's interface: "vec0" or "eth0". */
const char *umlnet_ifname(enum umlnet_driver d);

/* The word that puts the guest's interface on the host's TAP (caller
 * frees), and the same pushed onto argv. */
char *umlnet_arg(enum umlnet_driver d, const char *tap);
void umlnet_push_arg(struct strvec *argv, enum umlnet_driver d,
		     const char *tap);

#endif
