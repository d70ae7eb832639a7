/*
 * umlnet_driver_of_config: a kernel's .config text to eth0=tuntap or
 * vec0. Only whole lines count, so the verdict never changes when the
 * text gets a line before it, and a driver is only ever named when its
 * line is in the text.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/umlnet.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *more = malloc(size + 1);
	int d = umlnet_driver_of_config(s, size);

	if (!more)
		return 0;
	if (d != UMLNET_TUNTAP && d != UMLNET_VECTOR && d != -ENOENT)
		abort();
	if (d == UMLNET_VECTOR &&
	    !memmem(s, size, "CONFIG_UML_NET_VECTOR=y", 23))
		abort();
	if (d == UMLNET_TUNTAP &&
	    !memmem(s, size, "CONFIG_UML_NET_TUNTAP=y", 23))
		abort();
	more[0] = '\n';
	memcpy(more + 1, s, size);
	if (umlnet_driver_of_config(more, size + 1) != d)
		abort();
	free(more);
	return 0;
}
