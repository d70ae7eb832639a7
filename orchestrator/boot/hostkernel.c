#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "base/errors.h"
#include "boot/hostkernel.h"
#include "base/banned.h"

/* the first line that starts its processes with execveat of a memfd */
static const struct kver execveat_line = { 6, 13, 0, 0 };

void hostkernel_probe(struct hostkernel *hk)
{
	struct utsname u;
	int fd;

	memset(hk, 0, sizeof(*hk));
	if (!uname(&u))
		snprintf(hk->release, sizeof(hk->release), "%s", u.release);
	fd = memfd_create("ukb-probe", MFD_CLOEXEC);
	if (fd >= 0) {
		hk->has_memfd = 1;
		close(fd);
	}
	/*
	 * No descriptor and an empty path: a kernel that has the call
	 * answers EBADF without executing anything; ENOSYS (or a seccomp
	 * filter's EPERM) means UML's stub cannot start either.
	 */
	errno = 0;
	if (syscall(SYS_execveat, -1, "", NULL, NULL, AT_EMPTY_PATH) < 0 &&
	    errno == EBADF)
		hk->has_execveat = 1;
}

int hostkernel_can_run(const struct hostkernel *hk, const struct kver *v,
		       const char **why)
{
	if (kver_cmp(v, &execveat_line) < 0)
		return 0;
	if (!hk->has_execveat) {
		*why = "the host kernel lacks execveat() (Linux 3.19 or later), "
		       "which UML 6.13 and later start their processes with";
		return -UKB_EHOST;
	}
	if (!hk->has_memfd) {
		*why = "the host kernel lacks memfd_create() (Linux 3.17 or "
		       "later), which UML 6.13 and later start their processes with";
		return -UKB_EHOST;
	}
	return 0;
}

void hostkernel_newest_line(const struct hostkernel *hk, char *buf,
			    size_t size)
{
	if (hk->has_execveat && hk->has_memfd)
		snprintf(buf, size, "every line");
	else
		snprintf(buf, size, "%u.%u", execveat_line.major,
			 execveat_line.minor - 1);
}

int hostkernel_banner_version(const char *buf, size_t len, struct kver *v)
{
	static const char banner[] = "Linux version ";
	const char *p = buf, *end = buf + len;

	while ((p = memmem(p, (size_t)(end - p), banner, sizeof(banner) - 1))) {
		const char *s = p + sizeof(banner) - 1, *e = s, *why;

		while (e < end && e - s < 32 &&
		       ((*e >= '0' && *e <= '9') || *e == '.'))
			e++;
		if (e > s && !kver_parse(s, (size_t)(e - s), v, &why))
			return 0;
		p = s;
	}
	return -ENOENT;
}
