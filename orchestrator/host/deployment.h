/*
 * One deployment as `umlkbuild deploy` records it: the network (a netspec,
 * whose name is the deployment's), the kernel and image, the guest's
 * memory, the firewall backend and the kind of service. Saved as an INI
 * file, DIR/NAME.conf (DIR: $UKB_CONF_DIR, else /etc/umlkbuild/deploy);
 * its runtime state lives in RUN/NAME/ (RUN: $UKB_RUN_DIR, else
 * /run/umlkbuild); the kernel and image a deploy --bundle installed in
 * STATE/NAME/ (STATE: $UKB_STATE_DIR, else /var/lib/umlkbuild).
 * Rendering and parsing are pure and unit-tested.
 */
#ifndef UKB_HOST_DEPLOYMENT_H
#define UKB_HOST_DEPLOYMENT_H

#include <stddef.h>

#include "base/strbuf.h"
#include "host/firewall.h"
#include "host/netspec.h"

enum service_kind { SVC_AUTO, SVC_SYSTEMD, SVC_SYSV, SVC_NONE };

struct deployment {
	struct netspec net;     /* net.name is the deployment's name */
	char *kernel;           /* absolute path of the vmlinux */
	char *rootfs;           /* absolute path of the image */
	char *mem;              /* "256m", as UML's mem= takes it */
	enum fw_backend fw;     /* resolved (not FW_AUTO) once saved */
	enum service_kind service;
	char *bundle;           /* deploy --bundle: its SHA256SUMS's sha256 */
	char *transport;        /* "tuntap" or "vector" when known (a bundle
				 * says), else guessed from the kernel's config */
};

/* The seeds' defaults (netspec_init's, mem 256m); kernel/rootfs NULL. */
void deployment_init(struct deployment *d, const char *name);
void deployment_release(struct deployment *d);

/* "auto", "systemd", "sysv", "none"; 0 or -UKB_EUSAGE (not reported). */
int service_parse_kind(const char *s, enum service_kind *k);
const char *service_kind_name(enum service_kind k);

/* "64m", "256M", "1g", "262144k": 32 MiB to 64 GiB; 0 or -UKB_EUSAGE. */
int deployment_parse_mem(const char *s, const char **why);

/*
 * Everything a deploy needs before it changes the host: the name, the
 * network (netspec_check), the memory, the kernel and image (regular,
 * readable files; paths without control characters; not checked when
 * d->bundle is set: the bundle installs them). Reports the first
 * problem; -UKB_EUSAGE, or -UKB_ESOURCE for a missing kernel or image.
 */
int deployment_check(const struct deployment *d);

/* The INI text of d (deterministic: equal settings, equal text). */
void deployment_render(const struct deployment *d, struct strbuf *out);
/* Parse that text back into d (initialised); -UKB_EUSAGE, reported as
 * "file:LINE: problem". */
int deployment_parse(struct deployment *d, const char *file, const char *buf,
		     size_t len);
/* Whether a and b have the same settings. */
int deployment_same(const struct deployment *a, const struct deployment *b);

/* Where things live; each result is the caller's to free. */
char *deployment_conf_dir(void);
char *deployment_conf_path(const char *name);
char *deployment_run_dir(const char *name);
char *deployment_state_dir(const char *name);

/* deployment_load's flags */
enum {
	/* accept a file without kernel or rootfs (undeploy removes it) */
	DEPLOYMENT_INCOMPLETE = 1,
};

/*
 * Load NAME.conf. -UKB_EUSAGE, reported, when there is no such
 * deployment ("no deployment named 'x'", hint: status lists them), when
 * the file does not parse, and, unless flags has DEPLOYMENT_INCOMPLETE,
 * when it names no kernel or no rootfs (a file edited by hand). A load
 * without that flag that returns 0 has set d->kernel and d->rootfs.
 */
int deployment_load(struct deployment *d, const char *name, unsigned flags);
/* Write NAME.conf atomically (mode 0644), making the directory. */
int deployment_save(const struct deployment *d);
/* The names of the saved deployments, sorted, into a NULL-ended array
 * the caller frees (each name and the array). */
char **deployment_list(void);

#endif
