/* state.json of a running deployment, and who is alive. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/manifest.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "host/vmstate.h"
#include "base/banned.h"

void vmstate_init(struct vmstate *s)
{
	memset(s, 0, sizeof(*s));
}

void vmstate_clear_consoles(struct vmstate *s)
{
	for (size_t i = 0; i < VM_CONSOLES; i++) {
		free(s->pts[i]);
		s->pts[i] = NULL;
	}
}

void vmstate_release(struct vmstate *s)
{
	vmstate_clear_consoles(s);
	free(s->last_exit);
	vmstate_init(s);
}

int vmstate_write(const struct vmstate *s, const char *path)
{
	struct manifest *m = manifest_new();
	int ret;

	manifest_set_int(m, "supervisor.pid", s->sup_pid);
	manifest_set_int(m, "vm.pid", s->vm_pid);
	manifest_set_int(m, "vm.started", s->started);
	manifest_set_int(m, "vm.restarts", s->restarts);
	if (s->last_exit)
		manifest_set_str(m, "vm.last_exit", s->last_exit);
	manifest_pack(m, "vm.consoles", "{}");
	for (size_t i = 0; i < VM_CONSOLES; i++) {
		char key[32];

		if (!s->pts[i])
			continue;
		snprintf(key, sizeof(key), "vm.consoles.%zu", i);
		manifest_set_str(m, key, s->pts[i]);
	}
	ret = manifest_write(m, path);
	manifest_free(m);
	return ret;
}

int vmstate_read(struct vmstate *s, const char *path)
{
	struct manifest *m;
	const char *v;

	if (access(path, F_OK))
		return -errno;
	m = manifest_try_load(path);
	if (!m)
		return -EINVAL;
	vmstate_release(s);
	s->sup_pid = (long)manifest_get_int(m, "supervisor.pid", 0);
	s->vm_pid = (long)manifest_get_int(m, "vm.pid", 0);
	s->started = manifest_get_int(m, "vm.started", 0);
	s->restarts = (long)manifest_get_int(m, "vm.restarts", 0);
	if ((v = manifest_get_str(m, "vm.last_exit")))
		s->last_exit = xstrdup(v);
	for (size_t i = 0; i < VM_CONSOLES; i++) {
		char key[32];

		snprintf(key, sizeof(key), "vm.consoles.%zu", i);
		if ((v = manifest_get_str(m, key)))
			s->pts[i] = xstrdup(v);
	}
	manifest_free(m);
	return 0;
}

int vmstate_console_line(struct vmstate *s, const char *line, size_t len)
{
	static const char pre[] = "Virtual console ";
	static const char mid[] = " assigned device '/dev/pts/";
	const char *p = memmem(line, len, pre, sizeof(pre) - 1), *end;
	const char *start;
	unsigned n = 0, digits = 0;

	end = line + len;
	if (!p)
		return -1;
	for (p += sizeof(pre) - 1; p < end && *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (++digits > 2)
			return -1;
	}
	if (!digits || n >= VM_CONSOLES ||
	    (size_t)(end - p) < sizeof(mid) - 1 ||
	    memcmp(p, mid, sizeof(mid) - 1))
		return -1;
	start = p + sizeof(mid) - 1 - strlen("/dev/pts/");
	for (p += sizeof(mid) - 1, digits = 0;
	     p < end && *p >= '0' && *p <= '9'; p++)
		digits++;
	if (!digits || digits > 9 || p >= end || *p != '\'')
		return -1;
	free(s->pts[n]);
	s->pts[n] = xstrndup(start, (size_t)(p - start));
	return (int)n;
}

int vm_is_ours(long pid, const char *umid)
{
	struct strbuf sb = STRBUF_INIT;
	char path[64];
	char *want;
	int ours = 0;

	if (pid <= 0 || kill((pid_t)pid, 0))
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if (strbuf_read_file(&sb, path)) {
		strbuf_release(&sb);
		return 0;
	}
	want = xasprintf("umid=%s", umid);
	for (size_t at = 0; at < sb.len; at += strlen(sb.buf + at) + 1) {
		if (!strcmp(sb.buf + at, want)) {
			ours = 1;
			break;
		}
	}
	free(want);
	strbuf_release(&sb);
	return ours;
}

int vm_lock_held(const char *lock_path)
{
	int fd = open(lock_path, O_RDONLY | O_CLOEXEC);
	int held = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB))
		held = errno == EWOULDBLOCK;
	close(fd);
	return held;
}
