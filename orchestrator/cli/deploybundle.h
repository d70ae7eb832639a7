/*
 * `umlkbuild deploy --bundle`: the settings a checked bundle brings (its
 * kernel and image, installed in the deployment's state directory, the
 * image's network, run.sh's TAP, memory and forwards), as the defaults
 * the command line overrides.
 */
#ifndef UKB_CLI_DEPLOYBUNDLE_H
#define UKB_CLI_DEPLOYBUNDLE_H

#include "bundle/bundle.h"
#include "host/deployment.h"

/* What the command line gives: the bundle's own value is not looked at. */
enum {
	DEPLOY_GIVEN_TAP = 1, DEPLOY_GIVEN_HOST_IP = 2, DEPLOY_GIVEN_GUEST_IP = 4,
	DEPLOY_GIVEN_MEM = 8, DEPLOY_GIVEN_FORWARD = 16,
};

/*
 * Into d (deployment_init'ed): kernel and rootfs (where bundle_install
 * puts them), the bundle's identity and transport, and, unless given
 * (DEPLOY_GIVEN_*), the TAP, host and guest addresses, mem= and forwards
 * the bundle records (a forward to another guest port is refused: deploy
 * keeps port numbers). 0 or -UKB_EUSAGE, reported.
 */
int deploy_bundle_settings(const char *path, const struct bundle_info *bi,
			   unsigned given, struct deployment *d);

#endif
