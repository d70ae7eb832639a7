/*
 * xz decoding in a thread beside libarchive (see xzpump.h). liblzma does
 * the decoding; this file only moves bytes and reports how it ended.
 */
#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "wrapper.h"
#include "xzpump.h"
#include "banned.h"

#define IN_SIZE (128 * 1024)
#define OUT_SIZE (256 * 1024)

struct xzpump {
	int in_fd;              /* the xz file (the caller's) */
	int plain[2];           /* [0] the reader's end, [1] the thread's */
	pthread_t thread;
	int running;            /* started and not yet joined */
	_Atomic uint64_t consumed;
	lzma_ret lret;          /* how liblzma finished */
	int err;                /* -errno of a read or send, 0 if none */
};

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

int xzpump_is_xz(int fd)
{
	uint8_t head[sizeof(xz_magic)];

	return pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	       !memcmp(head, xz_magic, sizeof(head));
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *pump(void *arg)
{
	struct xzpump *x = arg;
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_action action = LZMA_RUN;
	uint8_t *in = xmalloc(IN_SIZE), *out = xmalloc(OUT_SIZE);

	x->lret = lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED);
	s.next_out = out;
	s.avail_out = OUT_SIZE;
	while (x->lret == LZMA_OK) {
		if (!s.avail_in && action == LZMA_RUN) {
			ssize_t n = read(x->in_fd, in, IN_SIZE);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				x->err = -errno;
				break;
			}
			if (!n)
				action = LZMA_FINISH;
			s.next_in = in;
			s.avail_in = (size_t)n;
			atomic_fetch_add(&x->consumed, (uint64_t)n);
		}
		x->lret = lzma_code(&s, action);
		if (!s.avail_out || x->lret != LZMA_OK) {
			x->err = send_all(x->plain[1], out, OUT_SIZE - s.avail_out);
			if (x->err)
				break;
			s.next_out = out;
			s.avail_out = OUT_SIZE;
		}
	}
	lzma_end(&s);
	free(in);
	free(out);
	/* end of data for the reader, whatever happened */
	shutdown(x->plain[1], SHUT_WR);
	return NULL;
}

int xzpump_start(struct xzpump **xp, int fd, int *plain_fd)
{
	struct xzpump *x = xcalloc(1, sizeof(*x));
	int ret;

	x->in_fd = fd;
	x->plain[0] = x->plain[1] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, x->plain) < 0) {
		ret = -errno;
		free(x);
		return ret;
	}
	ret = -pthread_create(&x->thread, NULL, pump, x);
	if (ret) {
		close(x->plain[0]);
		close(x->plain[1]);
		free(x);
		return ret;
	}
	x->running = 1;
	*plain_fd = x->plain[0];
	*xp = x;
	return 0;
}

uint64_t xzpump_consumed(struct xzpump *x)
{
	return atomic_load(&x->consumed);
}

enum xzpump_verdict xzpump_finish(struct xzpump *x, const char **why,
				  int *err)
{
	*why = NULL;
	*err = 0;
	if (x->running) {
		/* a reader that stopped early: the thread's send fails */
		shutdown(x->plain[0], SHUT_RD);
		pthread_join(x->thread, NULL);
		x->running = 0;
	}
	switch (x->lret) {
	case LZMA_OK:
	case LZMA_STREAM_END:
		/* EPIPE: the reader had what it wanted and stopped */
		if (x->err && x->err != -EPIPE) {
			*err = x->err;
			*why = strerror(-x->err);
			return XZPUMP_FAILED;
		}
		return XZPUMP_OK;
	case LZMA_BUF_ERROR:
		*why = "xz: unexpected end of input";
		return XZPUMP_TRUNCATED;
	case LZMA_DATA_ERROR:
		*why = "xz: compressed data is corrupt";
		return XZPUMP_CORRUPT;
	case LZMA_FORMAT_ERROR:
		*why = "xz: file format not recognized";
		return XZPUMP_NOT_XZ;
	case LZMA_OPTIONS_ERROR:
		*why = "xz: unsupported options";
		return XZPUMP_CORRUPT;
	case LZMA_MEM_ERROR:
		*err = -ENOMEM;
		*why = strerror(ENOMEM);
		return XZPUMP_FAILED;
	default:
		*why = "xz: internal error";
		return XZPUMP_FAILED;
	}
}

void xzpump_free(struct xzpump *x)
{
	const char *why;
	int err;

	if (!x)
		return;
	xzpump_finish(x, &why, &err);
	close(x->plain[0]);
	close(x->plain[1]);
	free(x);
}
