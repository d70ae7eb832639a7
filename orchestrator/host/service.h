/*
 * The service that starts `umlkbuild run NAME` at boot and after a crash:
 * a systemd unit umlkbuild-NAME.service, or an init script for sysvinit
 * (LSB headers; also started by OpenRC's sysvinit compatibility) where
 * there is no systemd. The files go to $UKB_UNIT_DIR (else
 * /etc/systemd/system) and $UKB_INITD_DIR (else /etc/init.d); with either
 * variable set the file is only written, not enabled or started (tests,
 * packaging), so nothing of the machine's service manager is touched.
 */
#ifndef UKB_HOST_SERVICE_H
#define UKB_HOST_SERVICE_H

#include "base/strbuf.h"
#include "host/deployment.h"

/* auto: systemd when /run/systemd/system exists, else sysv. */
enum service_kind service_resolve(enum service_kind k);

/* The unit's and the script's text; exe is umlkbuild's absolute path. */
void service_render_unit(const struct deployment *d, const char *exe,
			 struct strbuf *out);
void service_render_sysv(const struct deployment *d, const char *exe,
			 struct strbuf *out);

/* Where d's service file goes (NULL for none); caller frees. */
char *service_path(const struct deployment *d);

/*
 * Write the file (atomically), then, in the default directories, enable
 * and start it (systemctl daemon-reload + enable --now; update-rc.d or
 * rc-update, then the script's start). On failure what this call did is
 * undone. 0, or -UKB_EHOST reported.
 */
int service_install(const struct deployment *d, const char *exe);
/* Stop, disable and remove; an absent file is 0. */
int service_remove(const struct deployment *d);

/* The absolute path of the running umlkbuild; caller frees. */
char *service_self_exe(void);

#endif
