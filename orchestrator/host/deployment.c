/* A deployment's settings: checks, the NAME.conf file, where things live. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/inet.h"
#include "base/ini.h"
#include "base/log.h"
#include "base/wrapper.h"
#include "host/deployment.h"
#include "base/banned.h"

#define CONF_DIR_DEFAULT "/etc/umlkbuild/deploy"
#define RUN_DIR_DEFAULT "/run/umlkbuild"
#define STATE_DIR_DEFAULT "/var/lib/umlkbuild"

static const char *const svc_names[] = {
	[SVC_AUTO] = "auto", [SVC_SYSTEMD] = "systemd", [SVC_SYSV] = "sysv",
	[SVC_NONE] = "none",
};

void deployment_init(struct deployment *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	netspec_init(&d->net, name);
	d->mem = xstrdup("256m");
	d->fw = FW_AUTO;
	d->service = SVC_AUTO;
}

void deployment_release(struct deployment *d)
{
	netspec_release(&d->net);
	free(d->kernel);
	free(d->rootfs);
	free(d->mem);
	free(d->bundle);
	free(d->transport);
	memset(d, 0, sizeof(*d));
}

int service_parse_kind(const char *s, enum service_kind *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(svc_names); i++) {
		if (!strcmp(s, svc_names[i])) {
			*k = (enum service_kind)i;
			return 0;
		}
	}
	return -UKB_EUSAGE;
}

const char *service_kind_name(enum service_kind k)
{
	return (size_t)k < ARRAY_SIZE(svc_names) ? svc_names[k] : "?";
}

int deployment_parse_mem(const char *s, const char **why)
{
	unsigned long long n = 0, mib;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (n > (1ULL << 40)) {
			*why = "too large";
			return -UKB_EUSAGE;
		}
	}
	if (p == s || (p[0] && p[1])) {
		*why = "expected a number with k, m or g (64m, 1g)";
		return -UKB_EUSAGE;
	}
	switch (*p) {
	case 'k': case 'K': mib = n >> 10; break;
	case 'm': case 'M': mib = n; break;
	case 'g': case 'G': mib = n << 10; break;
	default:
		*why = "expected a number with k, m or g (64m, 1g)";
		return -UKB_EUSAGE;
	}
	if (mib < 32 || mib > (64ULL << 10)) {
		*why = "the guest wants 32 MiB to 64 GiB";
		return -UKB_EUSAGE;
	}
	return 0;
}

static int has_ctrl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int check_file(const char *what, const char *path)
{
	struct stat st;

	if (!path || !*path)
		return error(-UKB_EUSAGE, "deploy needs --%s", what);
	if (has_ctrl(path) || strpbrk(path, ";#,") || path[0] == ' ' ||
	    path[strlen(path) - 1] == ' ')
		return error(-UKB_EUSAGE, "the --%s path '%s' has a control "
			     "character, ';', '#', ',' or a space at an end: "
			     "rename it", what, path);
	if (stat(path, &st)) {
		error_errno(0, "cannot use the --%s '%s'", what, path);
		return -UKB_ESOURCE;
	}
	if (!S_ISREG(st.st_mode))
		return error(-UKB_ESOURCE, "the --%s '%s' is not a regular file",
			     what, path);
	if (access(path, R_OK)) {
		error_errno(0, "cannot read the --%s '%s'", what, path);
		return -UKB_ESOURCE;
	}
	return 0;
}

int deployment_check(const struct deployment *d)
{
	const char *why;
	char *msg = NULL;
	int ret;

	if (netspec_check_name(d->net.name, &why))
		return error(-UKB_EUSAGE, "invalid deployment name '%s': %s",
			     d->net.name, why);
	if (deployment_parse_mem(d->mem, &why))
		return error(-UKB_EUSAGE, "invalid --mem '%s': %s", d->mem, why);
	if (netspec_check(&d->net, &msg)) {
		ret = error(-UKB_EUSAGE, "%s", msg);
		free(msg);
		return ret;
	}
	if (d->bundle)
		return 0;
	ret = check_file("kernel", d->kernel);
	if (!ret)
		ret = check_file("rootfs", d->rootfs);
	return ret;
}

static void add_ip(struct strbuf *out, uint32_t a)
{
	strbuf_addf(out, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		    (a >> 8) & 255, a & 255);
}

static void add_range(struct strbuf *out, const char *key,
		      const struct port_range *r)
{
	static const struct { unsigned bit; const char *name; } protos[] = {
		{ NETSPEC_TCP, "tcp" }, { NETSPEC_UDP, "udp" },
	};

	if (r->proto == (NETSPEC_TCP | NETSPEC_UDP) && r->lo == 1 &&
	    r->hi == 65535) {
		strbuf_addf(out, "%s = all\n", key);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!(r->proto & protos[i].bit))
			continue;
		strbuf_addf(out, "%s = %s:%u", key, protos[i].name, r->lo);
		if (r->hi != r->lo)
			strbuf_addf(out, "-%u", r->hi);
		strbuf_addch(out, '\n');
	}
}

void deployment_render(const struct deployment *d, struct strbuf *out)
{
	const struct netspec *n = &d->net;

	strbuf_addf(out, "# written by `umlkbuild deploy`; "
		    "`umlkbuild undeploy %s` removes it\n", n->name);
	strbuf_addf(out, "[deploy]\nname = %s\nkernel = %s\nrootfs = %s\n"
		    "mem = %s\nfirewall = %s\nservice = %s\n", n->name,
		    d->kernel ? d->kernel : "", d->rootfs ? d->rootfs : "",
		    d->mem, fw_backend_name(d->fw),
		    service_kind_name(d->service));
	if (d->bundle)
		strbuf_addf(out, "bundle = %s\n", d->bundle);
	if (d->transport)
		strbuf_addf(out, "transport = %s\n", d->transport);
	strbuf_addf(out, "[net]\ntap = %s\nhost_ip = ", n->tap);
	add_ip(out, n->host_ip);
	strbuf_addf(out, "/%u\nguest_ip = ", n->prefix);
	add_ip(out, n->guest_ip);
	strbuf_addf(out, "\nwan_if = %s\n", n->wan_if ? n->wan_if : "auto");
	for (size_t i = 0; i < n->nr_fwd; i++)
		add_range(out, "forward", &n->fwd[i]);
	for (size_t i = 0; i < n->nr_reserve; i++)
		add_range(out, "reserve", &n->reserve[i]);
}

struct parse_ctx {
	struct deployment *d;
	int saw_reserve;
};

static char *set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
	return NULL;
}

static char *add_ports(struct port_range **v, size_t *nr, const char *value)
{
	struct port_range r;
	const char *why;

	if (netspec_parse_ports(value, &r, &why))
		return xasprintf("invalid ports '%s': %s", value, why);
	*v = xrealloc(*v, (*nr + 1) * sizeof(**v));
	(*v)[(*nr)++] = r;
	return NULL;
}

static char *on_net(struct parse_ctx *c, const char *key, const char *value)
{
	struct netspec *n = &c->d->net;
	const char *why;

	if (!strcmp(key, "tap"))
		return set_str(&n->tap, value);
	if (!strcmp(key, "host_ip")) {
		if (inet_parse_cidr(value, &n->host_ip, &n->prefix, &why))
			return xasprintf("invalid host_ip '%s': %s", value, why);
		return NULL;
	}
	if (!strcmp(key, "guest_ip")) {
		if (inet_parse_ip(value, &n->guest_ip, &why))
			return xasprintf("invalid guest_ip '%s': %s", value, why);
		return NULL;
	}
	if (!strcmp(key, "wan_if")) {
		free(n->wan_if);
		n->wan_if = strcmp(value, "auto") ? xstrdup(value) : NULL;
		return NULL;
	}
	if (!strcmp(key, "forward"))
		return add_ports(&n->fwd, &n->nr_fwd, value);
	if (!strcmp(key, "reserve")) {
		if (!c->saw_reserve) {
			n->nr_reserve = 0;      /* the file's list, not the default */
			c->saw_reserve = 1;
		}
		return add_ports(&n->reserve, &n->nr_reserve, value);
	}
	return xasprintf("unknown key '%s' in [net]", key);
}

static char *on_deploy(struct parse_ctx *c, const char *key, const char *value)
{
	struct deployment *d = c->d;

	if (!strcmp(key, "name")) {
		if (strcmp(value, d->net.name))
			return xasprintf("the name '%s' is not the file's", value);
		return NULL;
	}
	if (!strcmp(key, "kernel"))
		return set_str(&d->kernel, value);
	if (!strcmp(key, "rootfs"))
		return set_str(&d->rootfs, value);
	if (!strcmp(key, "mem"))
		return set_str(&d->mem, value);
	if (!strcmp(key, "bundle"))
		return set_str(&d->bundle, value);
	if (!strcmp(key, "transport")) {
		if (strcmp(value, "tuntap") && strcmp(value, "vector"))
			return xasprintf("unknown transport '%s'", value);
		return set_str(&d->transport, value);
	}
	if (!strcmp(key, "firewall"))
		return fw_parse_backend(value, &d->fw) ?
			xasprintf("unknown firewall '%s'", value) : NULL;
	if (!strcmp(key, "service"))
		return service_parse_kind(value, &d->service) ?
			xasprintf("unknown service '%s'", value) : NULL;
	return xasprintf("unknown key '%s' in [deploy]", key);
}

static char *on_entry(void *user, const char *section, const char *key,
		      const char *value)
{
	if (!strcmp(section, "deploy"))
		return on_deploy(user, key, value);
	if (!strcmp(section, "net"))
		return on_net(user, key, value);
	return xasprintf("unknown section '[%s]'", section);
}

int deployment_parse(struct deployment *d, const char *file, const char *buf,
		     size_t len)
{
	struct parse_ctx c = { .d = d };

	return ini_read(file, buf, len, on_entry, &c);
}

int deployment_same(const struct deployment *a, const struct deployment *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	int same;

	deployment_render(a, &x);
	deployment_render(b, &y);
	same = !strcmp(x.buf, y.buf);
	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

char *deployment_conf_dir(void)
{
	const char *e = getenv("UKB_CONF_DIR");

	return xstrdup(e && *e ? e : CONF_DIR_DEFAULT);
}

char *deployment_conf_path(const char *name)
{
	char *dir = deployment_conf_dir();
	char *p = xasprintf("%s/%s.conf", dir, name);

	free(dir);
	return p;
}

char *deployment_run_dir(const char *name)
{
	const char *e = getenv("UKB_RUN_DIR");

	return xasprintf("%s/%s", e && *e ? e : RUN_DIR_DEFAULT, name);
}

char *deployment_state_dir(const char *name)
{
	const char *e = getenv("UKB_STATE_DIR");

	return xasprintf("%s/%s", e && *e ? e : STATE_DIR_DEFAULT, name);
}

/* kernel and rootfs: what run, status and console cannot do without */
static int require_files(const struct deployment *d, const char *path)
{
	const char *key = !d->kernel || !*d->kernel ? "kernel" :
			  !d->rootfs || !*d->rootfs ? "rootfs" : NULL;

	if (!key)
		return 0;
	error(-UKB_EUSAGE, "'%s' has no '%s' in [deploy]", path, key);
	hint("'umlkbuild undeploy %s' removes the deployment; deploy it again "
	     "after", d->net.name);
	return -UKB_EUSAGE;
}

int deployment_load(struct deployment *d, const char *name, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	const char *why;
	char *path;
	int ret;

	if (netspec_check_name(name, &why))
		return error(-UKB_EUSAGE, "invalid deployment name '%s': %s",
			     name, why);
	path = deployment_conf_path(name);
	deployment_init(d, name);
	ret = read_input_file(&sb, path, UKB_INPUT_MAX, NULL);
	if (ret == -ENOENT) {
		ret = error(-UKB_EUSAGE, "no deployment named '%s'", name);
		hint("'umlkbuild status' lists the deployments (in '%s')", path);
	} else if (ret) {
		error_errno(ret, "cannot read '%s'", path);
		ret = -UKB_EHOST;
	} else {
		ret = deployment_parse(d, path, sb.buf, sb.len);
		if (!ret && !(flags & DEPLOYMENT_INCOMPLETE))
			ret = require_files(d, path);
	}
	free(path);
	strbuf_release(&sb);
	return ret;
}

int deployment_save(const struct deployment *d)
{
	struct strbuf sb = STRBUF_INIT;
	char *dir = deployment_conf_dir(), *path = NULL;
	int ret = mkdir_p(dir, 0755);

	if (ret) {
		error_errno(ret, "cannot make '%s'", dir);
		ret = -UKB_EHOST;
		goto out;
	}
	path = deployment_conf_path(d->net.name);
	deployment_render(d, &sb);
	ret = write_file_atomic(path, sb.buf, sb.len, 0644);
	if (ret) {
		error_errno(ret, "cannot write '%s'", path);
		ret = -UKB_EHOST;
	}
out:
	free(dir);
	free(path);
	strbuf_release(&sb);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **deployment_list(void)
{
	char *dir = deployment_conf_dir();
	DIR *dh = opendir(dir);
	char **v = xcalloc(1, sizeof(*v));
	size_t nr = 0;
	struct dirent *e;

	while (dh && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);
		const char *why;
		char *name;

		if (len <= 5 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		name = xstrndup(e->d_name, len - 5);
		if (netspec_check_name(name, &why)) {
			free(name);
			continue;
		}
		v = xrealloc(v, (nr + 2) * sizeof(*v));
		v[nr++] = name;
		v[nr] = NULL;
	}
	if (dh)
		closedir(dh);
	free(dir);
	qsort(v, nr, sizeof(*v), cmp_str);
	return v;
}
