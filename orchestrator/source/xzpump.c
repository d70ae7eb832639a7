/*
 * xz or gzip decoding in a thread beside libarchive (see xzpump.h).
 * liblzma and zlib do the decoding; this file only moves bytes, looks at
 * what follows each stream, and reports how it ended.
 */
#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <zlib.h>

#include "base/wrapper.h"
#include "source/xzpump.h"
#include "base/banned.h"

#define IN_SIZE (128 * 1024)
#define OUT_SIZE (256 * 1024)

struct xzpump {
	enum xzpump_codec codec;
	int in_fd;              /* the compressed file (the caller's) */
	int plain[2];           /* [0] the reader's end, [1] the thread's */
	pthread_t thread;
	int running;            /* started and not yet joined */
	_Atomic uint64_t consumed;
	/* how decoding ended, set by the thread */
	enum xzpump_verdict verdict;
	const char *why;        /* static words for anything but XZPUMP_OK */
	int err;                /* -errno of a read or send, 0 if none */
	/* input not yet decoded: in[pos..pos+avail), eof once read() said 0 */
	uint8_t *in, *out;
	size_t pos, avail;
	int eof;
};

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t gz_magic[2] = { 0x1f, 0x8b };

enum xzpump_codec xzpump_detect(int fd)
{
	uint8_t head[sizeof(xz_magic)];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n == (ssize_t)sizeof(xz_magic) &&
	    !memcmp(head, xz_magic, sizeof(xz_magic)))
		return XZPUMP_XZ;
	if (n >= (ssize_t)sizeof(gz_magic) &&
	    !memcmp(head, gz_magic, sizeof(gz_magic)))
		return XZPUMP_GZIP;
	return XZPUMP_NONE;
}

static void fail(struct xzpump *x, enum xzpump_verdict v, const char *why)
{
	x->verdict = v;
	x->why = why;
}

static void fail_errno(struct xzpump *x, int err)
{
	x->err = err;
	fail(x, XZPUMP_FAILED, strerror(-err));
}

/* Read until at least need bytes wait (or the file ends). 0 or -1. */
static int refill(struct xzpump *x, size_t need)
{
	if (x->pos && x->avail)
		memmove(x->in, x->in + x->pos, x->avail);
	x->pos = 0;
	while (x->avail < need && !x->eof) {
		ssize_t n = read(x->in_fd, x->in + x->avail,
				 IN_SIZE - x->avail);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail_errno(x, -errno);
			return -1;
		}
		if (!n)
			x->eof = 1;
		x->avail += (size_t)n;
		atomic_fetch_add(&x->consumed, (uint64_t)n);
	}
	return 0;
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

/* Hand len decoded bytes to the reader. 0 or -1. */
static int flush_out(struct xzpump *x, size_t len)
{
	int err = send_all(x->plain[1], x->out, len);

	if (!err)
		return 0;
	/* EPIPE: the reader had what it wanted and stopped */
	if (err == -EPIPE)
		x->err = err;
	else
		fail_errno(x, err);
	return -1;
}

static void lzma_failed(struct xzpump *x, lzma_ret r)
{
	switch (r) {
	case LZMA_BUF_ERROR:
		fail(x, XZPUMP_TRUNCATED, "xz: unexpected end of input");
		break;
	case LZMA_DATA_ERROR:
		fail(x, XZPUMP_CORRUPT, "xz: compressed data is corrupt");
		break;
	case LZMA_FORMAT_ERROR:
		fail(x, XZPUMP_NOT_XZ, "xz: file format not recognized");
		break;
	case LZMA_OPTIONS_ERROR:
		fail(x, XZPUMP_CORRUPT, "xz: unsupported options");
		break;
	case LZMA_MEM_ERROR:
		fail_errno(x, -ENOMEM);
		break;
	default:
		fail(x, XZPUMP_FAILED, "xz: internal error");
		break;
	}
}

/* One xz stream, to its footer. 0 at its end, -1 when done for good. */
static int decode_xz(struct xzpump *x)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r = lzma_stream_decoder(&s, UINT64_MAX, 0);

	s.next_out = x->out;
	s.avail_out = OUT_SIZE;
	while (r == LZMA_OK) {
		if (!x->avail && refill(x, 1) < 0)
			break;
		s.next_in = x->in + x->pos;
		s.avail_in = x->avail;
		r = lzma_code(&s, x->avail ? LZMA_RUN : LZMA_FINISH);
		x->pos += x->avail - s.avail_in;
		x->avail = s.avail_in;
		if (!s.avail_out || r != LZMA_OK) {
			if (flush_out(x, OUT_SIZE - s.avail_out) < 0)
				break;
			s.next_out = x->out;
			s.avail_out = OUT_SIZE;
		}
	}
	lzma_end(&s);
	if (r == LZMA_STREAM_END && !x->why && !x->err)
		return 0;
	if (r != LZMA_OK && r != LZMA_STREAM_END && !x->why && !x->err)
		lzma_failed(x, r);
	return -1;
}

/* One gzip member, to its trailer. 0 at its end, -1 when done for good. */
static int decode_gzip(struct xzpump *x)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		fail_errno(x, -ENOMEM);
		return -1;
	}
	for (;;) {
		int starved;

		if (!x->avail && refill(x, 1) < 0)
			break;
		starved = !x->avail;
		z.next_in = x->in + x->pos;
		z.avail_in = (uInt)x->avail;
		z.next_out = x->out;
		z.avail_out = OUT_SIZE;
		r = inflate(&z, Z_NO_FLUSH);
		x->pos += x->avail - z.avail_in;
		x->avail = z.avail_in;
		if (OUT_SIZE - z.avail_out &&
		    flush_out(x, OUT_SIZE - z.avail_out) < 0)
			break;
		if (r == Z_STREAM_END) {
			inflateEnd(&z);
			return 0;
		}
		if (r == Z_DATA_ERROR || r == Z_NEED_DICT) {
			fail(x, XZPUMP_CORRUPT, "gzip: compressed data is corrupt");
			break;
		}
		if (r == Z_MEM_ERROR) {
			fail_errno(x, -ENOMEM);
			break;
		}
		/* the file ended and the output was not what held it up */
		if (starved && z.avail_out) {
			fail(x, XZPUMP_TRUNCATED, "gzip: unexpected end of input");
			break;
		}
	}
	inflateEnd(&z);
	return -1;
}

/*
 * After a stream: the end of the file, another stream, or (xz only)
 * stream padding, zeros in multiples of four, then either. Anything else
 * is trailing garbage, refused for both. 1 for another stream, else 0.
 */
static int next_stream(struct xzpump *x)
{
	const uint8_t *magic = x->codec == XZPUMP_XZ ? xz_magic : gz_magic;
	size_t len = x->codec == XZPUMP_XZ ? sizeof(xz_magic) : sizeof(gz_magic);
	uint64_t zeros = 0;

	for (;;) {
		if (!x->avail && refill(x, 1) < 0)
			return 0;
		if (!x->avail)
			break;
		if (x->codec != XZPUMP_XZ || x->in[x->pos])
			break;
		while (x->avail && !x->in[x->pos]) {
			x->pos++;
			x->avail--;
			zeros++;
		}
	}
	if (zeros % 4)
		goto garbage;
	if (!x->avail)
		return 0;
	if (refill(x, len) < 0)
		return 0;
	if (x->avail >= len && !memcmp(x->in + x->pos, magic, len))
		return 1;
garbage:
	fail(x, XZPUMP_TRAILING, x->codec == XZPUMP_XZ ?
	     "after the end of the xz data" : "after the end of the gzip data");
	return 0;
}

static void *pump(void *arg)
{
	struct xzpump *x = arg;

	x->in = xmalloc(IN_SIZE);
	x->out = xmalloc(OUT_SIZE);
	do {
		if ((x->codec == XZPUMP_XZ ? decode_xz : decode_gzip)(x) < 0)
			break;
	} while (next_stream(x));
	free(x->in);
	free(x->out);
	x->in = x->out = NULL;
	/* end of data for the reader, whatever happened */
	shutdown(x->plain[1], SHUT_WR);
	return NULL;
}

int xzpump_start(struct xzpump **xp, int fd, enum xzpump_codec codec,
		 int *plain_fd)
{
	struct xzpump *x = xcalloc(1, sizeof(*x));
	int ret;

	x->codec = codec;
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
	if (x->running) {
		/* a reader that stopped early: the thread's send fails */
		shutdown(x->plain[0], SHUT_RD);
		pthread_join(x->thread, NULL);
		x->running = 0;
	}
	*why = x->verdict == XZPUMP_OK ? NULL : x->why;
	*err = x->verdict == XZPUMP_FAILED ? x->err : 0;
	return x->verdict;
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
