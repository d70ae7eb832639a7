/* The systemd unit and the sysv init script of a deployment. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/wrapper.h"
#include "host/service.h"
#include "base/banned.h"

#define UNIT_DIR_DEFAULT "/etc/systemd/system"
#define INITD_DIR_DEFAULT "/etc/init.d"

/* the variables that point a deployment's files elsewhere (tests) */
static const char *const env_keys[] = { "UKB_CONF_DIR", "UKB_RUN_DIR" };

enum service_kind service_resolve(enum service_kind k)
{
	if (k != SVC_AUTO)
		return k;
	return is_dir("/run/systemd/system") ? SVC_SYSTEMD : SVC_SYSV;
}

char *service_self_exe(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return xstrdup("/usr/local/bin/umlkbuild");
	exe[n] = '\0';
	return xstrdup(exe);
}

/* One word of a unit's command line or Environment=: quoted, with '%'
 * doubled (systemd's specifiers) and '"', '\' escaped. */
static void add_unit_word(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(out, '\\');
		if (*s == '%')
			strbuf_addch(out, '%');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

void service_render_unit(const struct deployment *d, const char *exe,
			 struct strbuf *out)
{
	const char *name = d->net.name;

	strbuf_addf(out,
		    "# written by `umlkbuild deploy`; `umlkbuild undeploy %s` "
		    "removes it\n"
		    "[Unit]\n"
		    "Description=UML guest %s (umlkbuild)\n"
		    "Wants=network-online.target\n"
		    "After=network-online.target\n"
		    "# never give up restarting (no start-limit-hit)\n"
		    "StartLimitIntervalSec=0\n\n"
		    "[Service]\n"
		    "Type=simple\n", name, name);
	for (size_t i = 0; i < ARRAY_SIZE(env_keys); i++) {
		const char *v = getenv(env_keys[i]);
		char *kv;

		if (!v || !*v)
			continue;
		kv = xasprintf("%s=%s", env_keys[i], v);
		strbuf_addstr(out, "Environment=");
		add_unit_word(out, kv);
		strbuf_addch(out, '\n');
		free(kv);
	}
	strbuf_addstr(out, "ExecStart=");
	add_unit_word(out, exe);
	strbuf_addf(out, " run %s\n", name);
	strbuf_addstr(out,
		      "Restart=always\n"
		      "RestartSec=5\n"
		      "# SIGTERM to `run`, which halts the guest through its "
		      "mconsole;\n"
		      "# SIGKILL to what is left after TimeoutStopSec\n"
		      "KillMode=mixed\n"
		      "KillSignal=SIGTERM\n"
		      "TimeoutStopSec=60\n\n"
		      "[Install]\n"
		      "WantedBy=multi-user.target\n");
}

/* A POSIX sh word in single quotes. */
static void add_sh_word(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *s);
	}
	strbuf_addch(out, '\'');
}

static const char sysv_body[] =
	"PIDFILE=\"$RUNDIR/run.pid\"\n"
	"LOG=\"$RUNDIR/run.log\"\n\n"
	"running() {\n"
	"\t[ -f \"$PIDFILE\" ] && kill -0 \"$(cat \"$PIDFILE\")\" 2>/dev/null\n"
	"}\n\n"
	"case \"$1\" in\n"
	"start)\n"
	"\tif running; then echo \"umlkbuild-$NAME is running\"; exit 0; fi\n"
	"\tmkdir -p \"$RUNDIR\" || exit 1\n"
	"\t# the supervisor writes the pidfile itself once it holds its lock\n"
	"\tsetsid \"$UKB\" run \"$NAME\" </dev/null >>\"$LOG\" 2>&1 &\n"
	"\ti=0\n"
	"\twhile [ $i -lt 100 ]; do\n"
	"\t\trunning && { echo \"umlkbuild-$NAME started\"; exit 0; }\n"
	"\t\tsleep 0.1; i=$((i + 1))\n"
	"\tdone\n"
	"\techo \"umlkbuild-$NAME did not start: see $LOG\" >&2; exit 1 ;;\n"
	"stop)\n"
	"\tif ! running; then echo \"umlkbuild-$NAME is not running\"; "
	"exit 0; fi\n"
	"\tpid=$(cat \"$PIDFILE\")\n"
	"\tkill -TERM \"$pid\"\n"
	"\ti=0\n"
	"\t# run halts the guest cleanly; give it TimeoutStopSec's 60 s\n"
	"\twhile kill -0 \"$pid\" 2>/dev/null && [ $i -lt 600 ]; do\n"
	"\t\tsleep 0.1; i=$((i + 1))\n"
	"\tdone\n"
	"\tkill -KILL \"$pid\" 2>/dev/null\n"
	"\trm -f \"$PIDFILE\"\n"
	"\techo \"umlkbuild-$NAME stopped\" ;;\n"
	"status)\n"
	"\tif running; then\n"
	"\t\techo \"umlkbuild-$NAME is running (pid $(cat \"$PIDFILE\"))\"\n"
	"\t\texit 0\n"
	"\tfi\n"
	"\techo \"umlkbuild-$NAME is not running\"; exit 3 ;;\n"
	"restart)\n"
	"\t\"$0\" stop; exec \"$0\" start ;;\n"
	"*)\n"
	"\techo \"usage: $0 {start|stop|status|restart}\" >&2; exit 2 ;;\n"
	"esac\n";

void service_render_sysv(const struct deployment *d, const char *exe,
			 struct strbuf *out)
{
	const char *name = d->net.name;
	char *run = deployment_run_dir(name);

	strbuf_addf(out,
		    "#!/bin/sh\n"
		    "# written by `umlkbuild deploy`; `umlkbuild undeploy %s` "
		    "removes it\n"
		    "### BEGIN INIT INFO\n"
		    "# Provides:          umlkbuild-%s\n"
		    "# Required-Start:    $network $remote_fs\n"
		    "# Required-Stop:     $network $remote_fs\n"
		    "# Default-Start:     2 3 4 5\n"
		    "# Default-Stop:      0 1 6\n"
		    "# Short-Description: UML guest %s (umlkbuild)\n"
		    "### END INIT INFO\n\n", name, name, name);
	strbuf_addstr(out, "UKB=");
	add_sh_word(out, exe);
	strbuf_addf(out, "\nNAME=%s\nRUNDIR=", name);
	add_sh_word(out, run);
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < ARRAY_SIZE(env_keys); i++) {
		const char *v = getenv(env_keys[i]);

		if (!v || !*v)
			continue;
		strbuf_addf(out, "%s=", env_keys[i]);
		add_sh_word(out, v);
		strbuf_addf(out, "\nexport %s\n", env_keys[i]);
	}
	strbuf_addstr(out, sysv_body);
	free(run);
}

static const char *dir_of(enum service_kind k, int *overridden)
{
	const char *key = k == SVC_SYSTEMD ? "UKB_UNIT_DIR" : "UKB_INITD_DIR";
	const char *v = getenv(key);

	*overridden = v && *v;
	if (*overridden)
		return v;
	return k == SVC_SYSTEMD ? UNIT_DIR_DEFAULT : INITD_DIR_DEFAULT;
}

char *service_path(const struct deployment *d)
{
	int over;

	if (d->service == SVC_SYSTEMD)
		return xasprintf("%s/umlkbuild-%s.service",
				 dir_of(SVC_SYSTEMD, &over), d->net.name);
	if (d->service == SVC_SYSV)
		return xasprintf("%s/umlkbuild-%s", dir_of(SVC_SYSV, &over),
				 d->net.name);
	return NULL;
}

/* Run a service manager's command; its failure is reported. */
static int manage(const char *const *argv)
{
	struct strbuf out = STRBUF_INIT, how = STRBUF_INIT;
	struct proc p = { .argv = argv, .capture = &out, .timeout_ms = 120000 };
	int ret = proc_run(&p);

	if (ret && ret != -UKB_EINTR) {
		proc_describe(&p, &how);
		strbuf_rtrim(&out);
		ret = error(-UKB_EHOST, "'%s %s' %s%s%s", argv[0], argv[1],
			    ret == -ENOENT ? "is not installed" : how.buf,
			    out.len ? ": " : "", out.buf);
	}
	strbuf_release(&out);
	strbuf_release(&how);
	return ret;
}

static int activate(const struct deployment *d, const char *path)
{
	char *unit = xasprintf("umlkbuild-%s.service", d->net.name);
	char *script = xasprintf("umlkbuild-%s", d->net.name);
	int ret;

	if (d->service == SVC_SYSTEMD) {
		ret = manage((const char *[]){ "systemctl", "daemon-reload",
					       NULL });
		if (!ret)
			ret = manage((const char *[]){ "systemctl", "enable",
						       "--now", unit, NULL });
	} else {
		if (proc_have("update-rc.d"))
			ret = manage((const char *[]){ "update-rc.d", script,
						       "defaults", NULL });
		else if (proc_have("rc-update"))
			ret = manage((const char *[]){ "rc-update", "add",
						       script, "default",
						       NULL });
		else
			ret = 0;
		if (!ret)
			ret = manage((const char *[]){ path, "start", NULL });
	}
	free(unit);
	free(script);
	return ret;
}

int service_install(const struct deployment *d, const char *exe)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = service_path(d);
	int over = 0, ret = 0;
	const char *dir;

	if (!path)
		return 0;
	dir = dir_of(d->service, &over);
	if (d->service == SVC_SYSTEMD)
		service_render_unit(d, exe, &sb);
	else
		service_render_sysv(d, exe, &sb);
	ret = mkdir_p(dir, 0755);
	if (!ret)
		ret = write_file_atomic(path, sb.buf, sb.len,
					d->service == SVC_SYSV ? 0755 : 0644);
	if (ret) {
		error_errno(ret, "cannot write '%s'", path);
		ret = -UKB_EHOST;
	} else if (!over && (ret = activate(d, path))) {
		service_remove(d);
	}
	free(path);
	strbuf_release(&sb);
	return ret;
}

int service_remove(const struct deployment *d)
{
	char *path = service_path(d);
	char *name = xasprintf("umlkbuild-%s", d->net.name);
	char *unit = xasprintf("%s.service", name);
	int over = 0, ret = 0;

	if (!path || !path_exists(path))
		goto out;
	dir_of(d->service, &over);
	if (!over && d->service == SVC_SYSTEMD) {
		manage((const char *[]){ "systemctl", "disable", "--now", unit,
					 NULL });
	} else if (!over) {
		manage((const char *[]){ path, "stop", NULL });
		if (proc_have("update-rc.d"))
			manage((const char *[]){ "update-rc.d", "-f", name,
						 "remove", NULL });
		else if (proc_have("rc-update"))
			manage((const char *[]){ "rc-update", "del", name,
						 "default", NULL });
	}
	if (unlink(path) && errno != ENOENT) {
		error_errno(0, "cannot remove '%s'", path);
		ret = -UKB_EHOST;
	}
	if (!ret && !over && d->service == SVC_SYSTEMD)
		manage((const char *[]){ "systemctl", "daemon-reload", NULL });
out:
	free(path);
	free(name);
	free(unit);
	return ret;
}
