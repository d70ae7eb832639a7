/* A deployment's health, as text and JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/manifest.h"
#include "base/wrapper.h"
#include "host/status.h"
#include "base/banned.h"

int status_probe_tcp(uint32_t addr, unsigned port, int ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(addr) };
	struct pollfd pfd = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int fd, err = 0, n;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		goto out;
	if (errno != EINPROGRESS) {
		err = -errno;
		goto out;
	}
	pfd.fd = fd;
	do
		n = poll(&pfd, 1, ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		err = -ETIMEDOUT;
	else if (n < 0)
		err = -errno;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &n, &len) || n)
		err = -(n ? n : errno);
out:
	close(fd);
	return err;
}

static unsigned first_tcp_port(const struct netspec *n)
{
	for (size_t i = 0; i < n->nr_fwd; i++)
		if (n->fwd[i].proto & NETSPEC_TCP)
			return n->fwd[i].lo;
	return 0;
}

void status_collect(const struct deployment *d, struct deploy_status *s)
{
	char *run = deployment_run_dir(d->net.name);
	char *state = path_join(run, "state.json");
	char *lock = path_join(run, "lock");
	const struct hostnet_status *h = &s->net;

	memset(s, 0, sizeof(*s));
	vmstate_init(&s->st);
	vmstate_read(&s->st, state);
	s->supervisor = vm_lock_held(lock);
	s->vm_up = vm_is_ours(s->st.vm_pid, d->net.name);
	if (s->vm_up)
		s->uptime = (long long)time(NULL) - s->st.started;
	s->net_err = hostnet_status(&d->net, d->fw, &s->net);
	s->probe_port = first_tcp_port(&d->net);
	s->probe = -ENOTCONN;
	if (s->vm_up && s->probe_port)
		s->probe = status_probe_tcp(d->net.guest_ip, s->probe_port,
					    STATUS_PROBE_MS);
	s->ok = s->supervisor && s->vm_up && !s->net_err && h->tap_exists &&
		h->tap_up && h->tap_addr && h->forwarding && h->rules &&
		(!s->probe_port || !s->probe);
	free(run);
	free(state);
	free(lock);
}

void status_release(struct deploy_status *s)
{
	vmstate_release(&s->st);
}

static const char *probe_words(const struct deploy_status *s)
{
	if (!s->probe_port)
		return "no TCP forward to try";
	if (!s->vm_up)
		return "not tried: the VM is down";
	if (!s->probe)
		return "answers";
	if (s->probe == -ECONNREFUSED)
		return "refuses the connection: nothing listens there";
	if (s->probe == -ETIMEDOUT)
		return "no answer within 2 s";
	return strerror(-s->probe);
}

static void add_ip(struct strbuf *out, uint32_t a)
{
	strbuf_addf(out, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		    (a >> 8) & 255, a & 255);
}

void status_render(const struct deployment *d, const struct deploy_status *s,
		   struct strbuf *out)
{
	const struct hostnet_status *h = &s->net;

	strbuf_addf(out, "%s: %s\n", d->net.name, s->ok ? "ok" : "NOT OK");
	strbuf_addf(out, "  kernel      %s\n  rootfs      %s, mem=%s\n",
		    d->kernel, d->rootfs, d->mem);
	if (d->bundle)
		strbuf_addf(out, "  bundle      SHA256SUMS sha256 %s\n",
			    d->bundle);
	if (s->supervisor)
		strbuf_addf(out, "  supervisor  pid %ld\n", s->st.sup_pid);
	else
		strbuf_addstr(out, "  supervisor  not running\n");
	if (s->vm_up)
		strbuf_addf(out, "  vm          pid %ld, up %lld s, %ld "
			    "restarts\n", s->st.vm_pid, s->uptime,
			    s->st.restarts);
	else
		strbuf_addf(out, "  vm          down, %ld restarts\n",
			    s->st.restarts);
	if (s->st.last_exit)
		strbuf_addf(out, "  last exit   %s\n", s->st.last_exit);
	if (s->net_err) {
		strbuf_addf(out, "  network     cannot look: %s\n",
			    ukb_strerror(s->net_err));
	} else {
		strbuf_addf(out, "  tap         %s %s%s, ", d->net.tap,
			    h->tap_exists ? (h->tap_up ? "up" : "down") :
					    "missing",
			    h->tap_exists && !h->tap_addr ? " without" : "");
		add_ip(out, d->net.host_ip);
		strbuf_addf(out, "/%u\n  wan         %s, ip_forward %s\n"
			    "  rules       %s: %s\n", d->net.prefix,
			    h->wan_if[0] ? h->wan_if : "?",
			    h->forwarding ? "on" : "off",
			    fw_backend_name(d->fw),
			    h->rules ? "present" : "missing");
	}
	strbuf_addstr(out, "  guest       ");
	add_ip(out, d->net.guest_ip);
	if (s->probe_port)
		strbuf_addf(out, ":%u", s->probe_port);
	strbuf_addf(out, " %s\n", probe_words(s));
	for (size_t i = 0; i < VM_CONSOLES; i++)
		if (s->st.pts[i] && s->vm_up)
			strbuf_addf(out, "  console %-3zu %s\n", i, s->st.pts[i]);
}

static void add_json(struct manifest *m, const struct deployment *d,
		     const struct deploy_status *s)
{
	const struct hostnet_status *h = &s->net;
	struct strbuf key = STRBUF_INIT, ip = STRBUF_INIT;
	const char *name = d->net.name;

#define K(fmt, ...) (strbuf_reset(&key), \
		     strbuf_addf(&key, "deployments.%s." fmt, name, ##__VA_ARGS__), \
		     key.buf)
	manifest_set_bool(m, K("ok"), s->ok);
	manifest_set_str(m, K("kernel"), d->kernel);
	manifest_set_str(m, K("rootfs"), d->rootfs);
	manifest_set_str(m, K("mem"), d->mem);
	if (d->bundle)
		manifest_set_str(m, K("bundle"), d->bundle);
	manifest_set_bool(m, K("supervisor.running"), s->supervisor);
	manifest_set_int(m, K("supervisor.pid"), s->supervisor ? s->st.sup_pid : 0);
	manifest_set_bool(m, K("vm.up"), s->vm_up);
	manifest_set_int(m, K("vm.pid"), s->vm_up ? s->st.vm_pid : 0);
	manifest_set_int(m, K("vm.uptime"), s->uptime);
	manifest_set_int(m, K("vm.restarts"), s->st.restarts);
	if (s->st.last_exit)
		manifest_set_str(m, K("vm.last_exit"), s->st.last_exit);
	manifest_set_str(m, K("net.tap"), d->net.tap);
	manifest_set_bool(m, K("net.tap_exists"), h->tap_exists);
	manifest_set_bool(m, K("net.tap_up"), h->tap_up);
	manifest_set_bool(m, K("net.tap_addr"), h->tap_addr);
	manifest_set_bool(m, K("net.forwarding"), h->forwarding);
	manifest_set_bool(m, K("net.rules"), h->rules);
	manifest_set_str(m, K("net.wan_if"), h->wan_if);
	manifest_set_str(m, K("net.firewall"), fw_backend_name(d->fw));
	if (s->net_err)
		manifest_set_str(m, K("net.error"), "cannot look");
	add_ip(&ip, d->net.guest_ip);
	manifest_set_str(m, K("guest.ip"), ip.buf);
	manifest_set_int(m, K("guest.port"), s->probe_port);
	manifest_set_bool(m, K("guest.answers"), s->probe_port && !s->probe &&
			  s->vm_up);
	manifest_set_str(m, K("guest.probe"), probe_words(s));
	manifest_pack(m, K("consoles"), "{}");
	for (size_t i = 0; i < VM_CONSOLES; i++)
		if (s->st.pts[i] && s->vm_up)
			manifest_set_str(m, K("consoles.%zu", i), s->st.pts[i]);
#undef K
	strbuf_release(&key);
	strbuf_release(&ip);
}

char *status_json(const struct deployment *const *ds,
		  const struct deploy_status *const *ss, size_t nr)
{
	struct manifest *m = manifest_new();
	int ok = 1;
	char *text;

	manifest_pack(m, "deployments", "{}");
	for (size_t i = 0; i < nr; i++) {
		add_json(m, ds[i], ss[i]);
		ok &= ss[i]->ok;
	}
	manifest_set_bool(m, "ok", ok);
	text = manifest_dumps(m);
	manifest_free(m);
	return text;
}
