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

/*
 * Into d (deployment_init'ed): kernel and rootfs (where bundle_install
 * puts them), the bundle's identity and transport, the TAP, host and
 * guest addresses and mem= the bundle records, and its forwards when
 * with_forwards and it has any (a forward to another guest port is
 * refused: deploy keeps port numbers). 0 or -UKB_EUSAGE, reported.
 */
int deploy_bundle_settings(const char *path, const struct bundle_info *bi,
			   int with_forwards, struct deployment *d);

#endif
