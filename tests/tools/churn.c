/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-churn: a Linux-side client that opens many short HTTP/1.1 connections, for the
 * TIME_WAIT churn test and the connections-per-second benchmark (docs/PROXY.md). It runs
 * on the kernel's TCP stack (in the lab's peer namespace), so the peer tern talks to is
 * the real Linux one.
 *
 * Each connection: non-blocking connect, "GET PATH", read the response (status 200 and
 * the whole Content-Length body), then
 *   --close client   the request keeps the connection alive; the client closes first
 *   --close server   the request says "Connection: close"; the client waits for the
 *                    server's FIN (EOF) and closes second.
 * Bounded: stops after --count connections or --max-seconds, whichever comes first.
 * A progress line every second on stderr; one JSON summary line on stdout; exit 0 when
 * every connection succeeded, 1 when any failed, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum fail_kind {
	F_REFUSED,   /* connect: RST */
	F_RESET,     /* RST after connect */
	F_TIMEOUT,   /* no completion in --timeout-ms */
	F_BAD,       /* not a 200 with the whole body */
	F_ADDRNOTAV, /* the client's own ports ran out (EADDRNOTAVAIL on connect) */
	F_OTHER,
	F_MAX
};
static const char *const fail_name[F_MAX] = {
        "refused", "reset", "timeout", "bad_response", "client_eaddrnotavail", "other"};

struct conn {
	int fd;
	int state; /* 0 free, 1 connecting, 2 reading */
	uint64_t start_ms;
	size_t got;     /* bytes of response read */
	long body_len;  /* Content-Length, -1 unknown */
	size_t hdr_len; /* 0 until the header end was seen */
	int status;
	char hdr[2048];
};

static struct {
	struct sockaddr_storage dst, src; /* IPv4 or IPv6 */
	socklen_t dst_len, src_len;
	bool have_src;
	uint64_t count, max_ms, timeout_ms;
	unsigned conc;
	bool server_close;
	const char *path;
	char req[512];
	size_t req_len;
} cfg = {.count = 1000, .max_ms = 60000, .timeout_ms = 10000, .conc = 32, .path = "/"};

static uint64_t started, ok, failed, fails[F_MAX], lat_sum_us;
static int ep;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
finish(struct conn *c, int fail)
{
	if (fail >= 0) {
		failed++;
		fails[fail]++;
		/* A failed connection is aborted, so that it does not linger. */
		struct linger lg = {1, 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	} else {
		ok++;
		lat_sum_us += (now_ms() - c->start_ms) * 1000;
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->state = 0;
}

static int
errno_kind(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return F_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return F_RESET;
	case ETIMEDOUT:
		return F_TIMEOUT;
	case EADDRNOTAVAIL:
		return F_ADDRNOTAV;
	default:
		return F_OTHER;
	}
}

static void
start(struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN};
	int one = 1, fd, r;

	fd = socket(cfg.dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("tern-churn: socket");
		exit(1);
	}
	started++;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->start_ms = now_ms();
	c->body_len = -1;
	if (cfg.have_src) {
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&cfg.src, cfg.src_len) != 0) {
			c->state = 1;
			finish(c, errno_kind(errno));
			return;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r = connect(fd, (struct sockaddr *)&cfg.dst, cfg.dst_len);
	c->state = 1;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	if (r != 0 && errno != EINPROGRESS)
		finish(c, errno_kind(errno));
}

/* Parse the header once complete. @return false on a malformed response. */
static bool
parse_header(struct conn *c)
{
	char *end =
	        memmem(c->hdr, c->got < sizeof(c->hdr) ? c->got : sizeof(c->hdr), "\r\n\r\n", 4);
	char *p;

	if (end == NULL)
		return c->got < sizeof(c->hdr) - 1;
	*end = '\0';
	c->hdr_len = (size_t)(end - c->hdr) + 4;
	if (sscanf(c->hdr, "HTTP/1.%*d %d", &c->status) != 1)
		return false;
	for (p = c->hdr; (p = strchr(p, '\n')) != NULL;) {
		p++;
		if (strncasecmp(p, "content-length:", 15) == 0)
			c->body_len = strtol(p + 15, NULL, 10);
	}
	return true;
}

static void
on_event(struct conn *c, uint32_t events)
{
	char buf[65536];
	ssize_t n;

	if (c->state == 1) {
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			finish(c, errno_kind(err));
			return;
		}
		if (!(events & (EPOLLOUT | EPOLLIN)))
			return;
		if (write(c->fd, cfg.req, cfg.req_len) != (ssize_t)cfg.req_len) {
			finish(c, errno_kind(errno));
			return;
		}
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->state = 2;
		return;
	}
	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			finish(c, errno_kind(errno));
			return;
		}
		if (n == 0) { /* EOF: complete only with the whole body */
			bool whole = c->hdr_len > 0 && c->status == 200 && c->body_len >= 0 &&
			             c->got - c->hdr_len == (size_t)c->body_len;
			finish(c, whole ? -1 : F_BAD);
			return;
		}
		if (c->hdr_len == 0) {
			size_t room = sizeof(c->hdr) - c->got,
			       k = (size_t)n < room ? (size_t)n : room;

			memcpy(c->hdr + c->got, buf, k);
			c->got += (size_t)n;
			if (!parse_header(c)) {
				finish(c, F_BAD);
				return;
			}
		} else {
			c->got += (size_t)n;
		}
		if (c->hdr_len > 0 && (c->status != 200 || c->body_len < 0 ||
		                              c->got - c->hdr_len > (size_t)c->body_len)) {
			finish(c, F_BAD);
			return;
		}
		if (c->hdr_len > 0 && c->got - c->hdr_len == (size_t)c->body_len &&
		        !cfg.server_close) {
			finish(c, -1); /* the client closes first */
			return;
		}
	}
}

/* "A.B.C.D" or "X:X::X" (without a port), "A.B.C.D:PORT" or "[X:X::X]:PORT" (with one). */
static int
parse_addr(const char *s, struct sockaddr_storage *a, socklen_t *len, bool want_port)
{
	char host[64];
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hlen = strlen(s);
	long port = 0;
	bool v6;

	memset(a, 0, sizeof(*a));
	if (want_port) {
		if (colon == NULL)
			return -1;
		port = strtol(colon + 1, NULL, 10);
		if (port <= 0 || port > 65535)
			return -1;
		hlen = (size_t)(colon - s);
		if (s[0] == '[') { /* [X:X::X]:PORT */
			if (hlen < 2 || s[hlen - 1] != ']')
				return -1;
			h = s + 1;
			hlen -= 2;
		}
	}
	if (hlen >= sizeof(host))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	v6 = strchr(host, ':') != NULL;
	if (v6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)a;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
	}
}

static void
usage(int rc)
{
	fprintf(rc ? stderr : stdout,
	        "Usage: tern-churn --target IP:PORT|[IPv6]:PORT [--count N] [--concurrency C]\n"
	        "         [--close client|server] [--max-seconds S] [--timeout-ms MS]\n"
	        "         [--src IP] [--path PATH]\n");
	exit(rc);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {{"target", 1, 0, 't'}, {"count", 1, 0, 'n'},
	        {"concurrency", 1, 0, 'c'}, {"close", 1, 0, 'x'}, {"max-seconds", 1, 0, 'm'},
	        {"timeout-ms", 1, 0, 'o'}, {"src", 1, 0, 's'}, {"path", 1, 0, 'p'},
	        {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	struct epoll_event evs[256];
	struct conn *conns;
	uint64_t t0, last_print, now;
	bool have_target = false;
	unsigned i;
	int o;

	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *end = NULL;
		unsigned long long v = 0;

		if (o == 'n' || o == 'c' || o == 'm' || o == 'o') {
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || v == 0) {
				fprintf(stderr, "tern-churn: bad number '%s'\n", optarg);
				return 2;
			}
		}
		switch (o) {
		case 't':
			if (parse_addr(optarg, &cfg.dst, &cfg.dst_len, true) != 0) {
				fprintf(stderr, "tern-churn: --target '%s': expected IP:PORT\n",
				        optarg);
				return 2;
			}
			have_target = true;
			break;
		case 'n':
			cfg.count = v;
			break;
		case 'c':
			cfg.conc = v > 4096 ? 4096 : (unsigned)v;
			break;
		case 'm':
			cfg.max_ms = v * 1000;
			break;
		case 'o':
			cfg.timeout_ms = v;
			break;
		case 'x':
			if (strcmp(optarg, "client") != 0 && strcmp(optarg, "server") != 0) {
				fprintf(stderr,
				        "tern-churn: --close '%s': expected client or server\n",
				        optarg);
				return 2;
			}
			cfg.server_close = strcmp(optarg, "server") == 0;
			break;
		case 's':
			if (parse_addr(optarg, &cfg.src, &cfg.src_len, false) != 0) {
				fprintf(stderr,
				        "tern-churn: --src '%s': expected an IPv4 address\n",
				        optarg);
				return 2;
			}
			cfg.have_src = true;
			break;
		case 'p':
			cfg.path = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (!have_target) {
		fprintf(stderr, "tern-churn: --target IP:PORT is required\n");
		return 2;
	}
	if (cfg.have_src && cfg.src.ss_family != cfg.dst.ss_family) {
		fprintf(stderr, "tern-churn: --src and --target are of different families\n");
		return 2;
	}
	cfg.req_len = (size_t)snprintf(cfg.req, sizeof(cfg.req),
	        "GET %s HTTP/1.1\r\nHost: tern\r\n%s\r\n", cfg.path,
	        cfg.server_close ? "Connection: close\r\n" : "");
	ep = epoll_create1(0);
	conns = calloc(cfg.conc, sizeof(*conns));
	if (ep < 0 || conns == NULL) {
		perror("tern-churn");
		return 1;
	}
	for (i = 0; i < cfg.conc; i++)
		conns[i].fd = -1;
	t0 = last_print = now_ms();
	for (;;) {
		unsigned active = 0;
		int n, k;

		now = now_ms();
		for (i = 0; i < cfg.conc; i++) {
			struct conn *c = &conns[i];

			if (c->state != 0 && now - c->start_ms > cfg.timeout_ms)
				finish(c, F_TIMEOUT);
			if (c->state == 0 && started < cfg.count && now - t0 < cfg.max_ms)
				start(c);
			active += c->state != 0;
		}
		if (active == 0)
			break;
		n = epoll_wait(ep, evs, 256, 100);
		for (k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;

			if (c->state != 0)
				on_event(c, evs[k].events);
		}
		if (now - last_print >= 1000) {
			fprintf(stderr, "tern-churn: %.0f s: %llu ok, %llu failed, %.0f conn/s\n",
			        (double)(now - t0) / 1000, (unsigned long long)ok,
			        (unsigned long long)failed,
			        (double)ok * 1000 / (double)(now - t0 + 1));
			last_print = now;
		}
	}
	now = now_ms();
	printf("{\"started\": %llu, \"ok\": %llu, \"failed\": %llu", (unsigned long long)started,
	        (unsigned long long)ok, (unsigned long long)failed);
	for (i = 0; i < F_MAX; i++)
		printf(", \"%s\": %llu", fail_name[i], (unsigned long long)fails[i]);
	printf(", \"seconds\": %.3f, \"conn_per_s\": %.1f, \"mean_ms\": %.3f}\n",
	        (double)(now - t0) / 1000, (double)ok * 1000 / (double)(now - t0 + 1),
	        ok ? (double)lat_sum_us / (double)ok / 1000 : 0.0);
	return failed == 0 && ok == cfg.count ? 0 : 1;
}
