/*
 * The deploy test's guest server and wan client (static, built by the
 * test; the guest's --copy). Server: TCP echo on BASE, "peer=IP:PORT
 * cc=NAME" on BASE+1 (the accepted socket's congestion control), a sink
 * that answers "ok" after EOF on BASE+2, the peer line again on BASE+3
 * and 22, UDP echo on BASE. Client modes:
 * echo (stdin to the server, the echo to stdout), line, udp, sink.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static int listen_on(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, type, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		perror("bind");
		exit(1);
	}
	return fd;
}

static void serve_tcp(int c, int kind)
{
	struct sockaddr_in p;
	socklen_t len = sizeof(p);
	char cc[32] = "?";
	ssize_t n;

	if (kind == 0) {
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, n) != n)
				break;
	} else if (kind == 1) {
		len = sizeof(cc);
		getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, cc, &len);
		len = sizeof(p);
		getpeername(c, (struct sockaddr *)&p, &len);
		long total = 0, avail = 0;
		char line[128];
		FILE *m = fopen("/proc/meminfo", "r");

		while (m && fgets(line, sizeof(line), m)) {
			sscanf(line, "MemTotal: %ld", &total);
			sscanf(line, "MemAvailable: %ld", &avail);
		}
		if (m)
			fclose(m);
		dprintf(c, "peer=%s:%u cc=%s used_kb=%ld total_kb=%ld\n",
			inet_ntoa(p.sin_addr), ntohs(p.sin_port), cc,
			total - avail, total);
	} else {
		while (read(c, buf, sizeof(buf)) > 0)
			;
		dprintf(c, "ok\n");
	}
	close(c);
	_exit(0);
}

/* BASE+3 and 22 answer like BASE+1: so a forward that should not be
 * there would show (the test expects them unreachable from wan) */
static void server(int base)
{
	int ports[5] = { base, base + 1, base + 2, base + 3, 22 };
	int kinds[5] = { 0, 1, 2, 1, 1 };
	int t[5], u, i;

	signal(SIGCHLD, SIG_IGN);
	for (i = 0; i < 5; i++)
		t[i] = listen_on(SOCK_STREAM, ports[i]);
	u = listen_on(SOCK_DGRAM, base);
	for (;;) {
		struct pollfd p[6];

		for (i = 0; i < 5; i++)
			p[i] = (struct pollfd){ .fd = t[i], .events = POLLIN };
		p[5] = (struct pollfd){ .fd = u, .events = POLLIN };
		if (poll(p, 6, -1) < 0)
			continue;
		for (i = 0; i < 5; i++) {
			int c;

			if (!(p[i].revents & POLLIN) || (c = accept(t[i], NULL, NULL)) < 0)
				continue;
			if (!fork())
				serve_tcp(c, kinds[i]);
			close(c);
		}
		if (p[5].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t len = sizeof(from);
			ssize_t n = recvfrom(u, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &len);

			if (n > 0)
				sendto(u, buf, n, 0, (struct sockaddr *)&from, len);
		}
	}
}

static int dial(const char *host, int port, int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 20 };
	int fd = socket(AF_INET, type, 0);

	inet_pton(AF_INET, host, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(2);
	}
	return fd;
}

/* stdin to the socket and the socket to stdout, at once */
static int echo(int fd)
{
	int in_open = 1;

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = 0, .events = in_open ? POLLIN : 0 } };
		ssize_t n;

		if (poll(p, 2, 20000) <= 0)
			return 3;
		if (p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				shutdown(fd, SHUT_WR);
				in_open = 0;
			} else if (write(fd, buf, n) != n) {
				return 4;
			}
		}
		if (p[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				return n < 0 ? 5 : 0;
			if (write(1, buf, n) != n)
				return 6;
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		server(atoi(argv[2]));
	if (argc < 4)
		return fprintf(stderr, "usage: netprobe server BASE | "
			       "echo|line|udp|sink HOST PORT [ARG]\n"), 2;
	int port = atoi(argv[3]);
	if (!strcmp(argv[1], "echo") || !strcmp(argv[1], "line"))
		return echo(dial(argv[2], port, SOCK_STREAM));
	if (!strcmp(argv[1], "udp") && argc == 5) {
		int fd = dial(argv[2], port, SOCK_DGRAM);
		ssize_t n;

		if (send(fd, argv[4], strlen(argv[4]), 0) < 0)
			return 4;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return 3;
		printf("%.*s\n", (int)n, buf);
		return 0;
	}
	if (!strcmp(argv[1], "sink") && argc == 5) {
		long long left = atoll(argv[4]);
		int fd = dial(argv[2], port, SOCK_STREAM);
		double t0 = now();

		memset(buf, 'x', sizeof(buf));
		while (left > 0) {
			ssize_t n = write(fd, buf, left < (long long)sizeof(buf) ?
					  (size_t)left : sizeof(buf));
			if (n <= 0)
				return 4;
			left -= n;
		}
		shutdown(fd, SHUT_WR);
		if (read(fd, buf, sizeof(buf)) <= 0)
			return 5;
		printf("%.3f\n", now() - t0);
		return 0;
	}
	return 2;
}
