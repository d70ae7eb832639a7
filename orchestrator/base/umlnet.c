#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/umlnet.h"
#include "base/wrapper.h"
#include "base/banned.h"

/* 6.16 removed UML_NET_TUNTAP (65eaac591b75) */
static const struct kver no_tuntap = { 6, 16, 0, 0 };

/* Whether text holds the whole line "line". */
static int has_line(const char *text, size_t len, const char *line)
{
	size_t n = strlen(line);
	const char *p = text, *end = text + len;

	while ((p = memmem(p, (size_t)(end - p), line, n))) {
		if ((p == text || p[-1] == '\n') &&
		    (p + n == end || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

int umlnet_driver_of_config(const char *cfg, size_t len)
{
	if (has_line(cfg, len, "CONFIG_UML_NET_TUNTAP=y"))
		return UMLNET_TUNTAP;
	if (has_line(cfg, len, "CONFIG_UML_NET_VECTOR=y"))
		return UMLNET_VECTOR;
	return -ENOENT;
}

int umlnet_driver_of_kernel(const char *kernel)
{
	struct strbuf sb = STRBUF_INIT;
	const char *slash = strrchr(kernel, '/');
	char *cfg = xasprintf("%.*s/config", slash ? (int)(slash - kernel) : 1,
			      slash ? kernel : ".");
	int ret = read_input_file(&sb, cfg, UKB_INPUT_MAX, NULL);

	if (!ret)
		ret = umlnet_driver_of_config(sb.buf, sb.len);
	else
		ret = -ENOENT;
	free(cfg);
	strbuf_release(&sb);
	return ret;
}

enum umlnet_driver umlnet_driver_of_version(const struct kver *v)
{
	return kver_cmp(v, &no_tuntap) >= 0 ? UMLNET_VECTOR : UMLNET_TUNTAP;
}

enum umlnet_driver umlnet_driver_for(const char *kernel,
				     const struct kver *v)
{
	int d = umlnet_driver_of_kernel(kernel);

	if (d >= 0)
		return (enum umlnet_driver)d;
	return v ? umlnet_driver_of_version(v) : UMLNET_TUNTAP;
}

const char *umlnet_ifname(enum umlnet_driver d)
{
	return d == UMLNET_VECTOR ? "vec0" : "eth0";
}

char *umlnet_arg(enum umlnet_driver d, const char *tap)
{
	if (d == UMLNET_VECTOR)
		return xasprintf("vec0:transport=tap,ifname=%s", tap);
	return xasprintf("eth0=tuntap,%s", tap);
}

void umlnet_push_arg(struct strvec *argv, enum umlnet_driver d,
		     const char *tap)
{
	char *arg = umlnet_arg(d, tap);

	strvec_push(argv, arg);
	free(arg);
}
