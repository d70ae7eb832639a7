/* UML's mconsole protocol, version 2, from its description. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "host/mconsole.h"
#include "base/banned.h"

#define MC_MAGIC 0xcafebabeU
#define MC_VERSION 2
#define MC_MAX_DATA 512

/* native byte order: both ends run on this host */
struct mc_request {
	uint32_t magic;
	uint32_t version;
	uint32_t len;
	char data[MC_MAX_DATA];
};

struct mc_reply {
	uint32_t err;
	uint32_t more;
	uint32_t len;
	char data[MC_MAX_DATA];
};

static int open_client(const char *path, struct sockaddr_un *to)
{
	sa_family_t fam = AF_UNIX;
	int fd;

	if (strlen(path) >= sizeof(to->sun_path))
		return -ENAMETOOLONG;
	memset(to, 0, sizeof(*to));
	to->sun_family = AF_UNIX;
	memcpy(to->sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* autobind an abstract address, so the kernel's reply finds us */
	if (bind(fd, (struct sockaddr *)&fam, sizeof(fam))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int read_replies(int fd, long long deadline, struct strbuf *reply)
{
	struct mc_reply r;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - clock_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		n = recv(fd, &r, sizeof(r), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)(3 * sizeof(uint32_t)))
			return n < 0 ? -errno : -EPROTO;
		if (r.len > MC_MAX_DATA ||
		    (size_t)n < 3 * sizeof(uint32_t) + r.len)
			return -EPROTO;
		if (reply)
			strbuf_add(reply, r.data, strnlen(r.data, r.len));
		if (!r.more)
			return r.err ? 1 : 0;
	}
}

int mconsole_cmd(const char *path, const char *cmd, int timeout_ms,
		 struct strbuf *reply)
{
	struct mc_request req = { .magic = MC_MAGIC, .version = MC_VERSION };
	struct sockaddr_un to;
	size_t len = strlen(cmd);
	int fd, ret;

	if (len >= MC_MAX_DATA)
		return -EINVAL;
	fd = open_client(path, &to);
	if (fd < 0)
		return fd;
	req.len = (uint32_t)len;
	memcpy(req.data, cmd, len);
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		ret = -errno;
	else
		ret = read_replies(fd, clock_ms() + timeout_ms, reply);
	close(fd);
	return ret;
}
