/*
 * deploy --bundle's defaults (cli/deploybundle.c) from what a bundle's
 * metadata.json says (bundle.run.* and the image's network), one value a
 * line: forward, mem, tap, guest_ip, gateway, net. What is taken must be
 * what deploy takes itself: forwards of ports 1 to 65535, a mem= deploy
 * accepts, a TAP name that fits; and once deployment_check passes (as
 * deploy asks), the NAME.conf it renders parses back to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "cli/deploybundle.h"
#include "fuzz.h"

/* line n of the input (NUL-free), or NULL when there are fewer */
static char *field(const uint8_t *data, size_t size, int n)
{
	const char *p = (const char *)data, *end = p + size;

	for (; n > 0 && p < end; n--) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end)
		return NULL;
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (memchr(p, '\0', len))
			return NULL;
		return xstrndup(p, len);
	}
}

static void check(const struct deployment *d)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct deployment back;
	const char *why;

	if (deployment_parse_mem(d->mem, &why) ||
	    netspec_check_ifname(d->net.tap, &why))
		abort();
	for (size_t i = 0; i < d->net.nr_fwd; i++) {
		const struct port_range *r = &d->net.fwd[i];

		if (r->lo < 1 || r->lo > r->hi || !r->proto)
			abort();
	}
	if (deployment_check(d))
		return;
	deployment_render(d, &a);
	deployment_init(&back, d->net.name);
	if (deployment_parse(&back, "f.conf", a.buf, a.len))
		abort();
	deployment_render(&back, &b);
	if (strcmp(a.buf, b.buf))
		abort();
	deployment_release(&back);
	strbuf_release(&a);
	strbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_info bi;
	struct deployment d;

	memset(&bi, 0, sizeof(bi));
	memset(bi.sums, 'a', SHA256_HEX_LEN);
	bi.forward = field(data, size, 0);
	bi.mem = field(data, size, 1);
	bi.tap = field(data, size, 2);
	bi.guest_ip = field(data, size, 3);
	bi.gateway = field(data, size, 4);
	bi.net = field(data, size, 5);
	deployment_init(&d, "fz");
	if (!deploy_bundle_settings("B", &bi, 0, &d))
		check(&d);
	deployment_release(&d);
	bundle_info_release(&bi);
	return 0;
}
