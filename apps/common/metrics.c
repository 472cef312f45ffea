/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --metrics IP:PORT: the counters, gauges, drop reasons and mbuf-pool headroom of every
 * engine, and the app's own figures (struct app's metrics hook: tern-proxy's backends), in
 * the Prometheus text exposition format 0.0.4, over HTTP/1.x at /metrics.
 *
 * Served from the app itself, on a DPDK control thread (rte_ctrl_thread_create: off the
 * engines' lcores) with plain Linux sockets, rather than by an exporter reading DPDK
 * telemetry: the app's own figures (per backend) are not in telemetry, one process is one
 * thing to run and stop, and a scrape needs no second DPDK-aware process. The thread
 * blocks in poll() and on its one client at a time, never the engines: it reads their
 * counters racily, as the stats line and telemetry do (64-bit values only their engine
 * writes). A client gets 2 s to send its request and to take the answer, then is dropped.
 * The socket is bound before the port starts, so a bad address is a usage error (exit 2).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "app_int.h"

#define METRICS_REQ_MAX   4096 /* a longer request head is refused */
#define METRICS_POLL_MS   200  /* how soon the thread sees a stop */
#define METRICS_CLIENT_MS 2000 /* per client, to send its request and to read the answer */

struct app_metrics {
	int fd;
	pthread_t thread;
	bool running;
	atomic_bool stop;
};

void
app_metric_head(FILE *out, const char *name, const char *type, const char *help)
{
	const char *c;

	fprintf(out, "# HELP %s ", name);
	for (c = help; *c != '\0'; c++) {
		if (*c == '\\')
			fputs("\\\\", out);
		else if (*c == '\n')
			fputs("\\n", out);
		else
			fputc(*c, out);
	}
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* The body of a scrape. */
static void
render(const struct app *a, FILE *out)
{
	struct tern_stats s;
	struct tern_gauges g;
	char name[96];
	unsigned k;

	app_sum_stats(a, &s, &g);
	app_metric_head(out, "tern_engines", "gauge", "engines polling (one per worker lcore)");
	fprintf(out, "tern_engines %u\n", a->nengines);
	for (k = 0; k < TERN_CTR_MAX; k++) {
		snprintf(name, sizeof(name), "tern_%s_total", tern_counter_name(k));
		app_metric_head(out, name, "counter", tern_counter_desc(k));
		fprintf(out, "%s %" PRIu64 "\n", name, s.ctr[k]);
	}
	app_metric_head(out, "tern_drops_total", "counter",
	        "packets discarded, by reason (docs: include/tern/stats.h)");
	for (k = 0; k < TERN_DROP_MAX; k++)
		fprintf(out, "tern_drops_total{reason=\"%s\"} %" PRIu64 "\n", tern_drop_name(k),
		        s.drop[k]);
#define X(n, d)                                       \
	app_metric_head(out, "tern_" #n, "gauge", d); \
	fprintf(out, "tern_" #n " %u\n", g.n);
	TERN_GAUGES(X)
#undef X
	app_metric_head(out, "tern_mbufs_free", "gauge", "free mbufs in the port's pool");
	fprintf(out, "tern_mbufs_free %u\n", g.mbufs_free);
	app_metric_head(out, "tern_mbufs_size", "gauge", "mbufs in the port's pool (--mbufs)");
	fprintf(out, "tern_mbufs_size %u\n", app_mbufs_size(a));
	app_metric_head(out, "tern_mbufs_low", "gauge",
	        "1 while the free mbufs are below 1/8 of the pool (the stats line warns)");
	fprintf(out, "tern_mbufs_low %d\n", app_mbufs_low(a, g.mbufs_free) ? 1 : 0);
	if (a->metrics != NULL)
		a->metrics(a, out);
}

static bool
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void
respond(int fd, const char *status, const char *type, const char *body, size_t len, bool head)
{
	char hdr[256];
	int n;

	n = snprintf(hdr, sizeof(hdr),
	        "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	        "Connection: close\r\n\r\n",
	        status, type, len);
	if (send_all(fd, hdr, (size_t)n) && !head)
		send_all(fd, body, len);
}

/* One client: read its request head, answer, close. */
static void
serve_client(const struct app *a, int fd)
{
	static const char text[] = "text/plain; charset=utf-8";
	struct timeval tv = {
	        .tv_sec = METRICS_CLIENT_MS / 1000, .tv_usec = (METRICS_CLIENT_MS % 1000) * 1000};
	char req[METRICS_REQ_MAX + 1], path[64];
	size_t got = 0;
	char *body = NULL;
	size_t len = 0;
	FILE *out;
	bool head;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < METRICS_REQ_MAX) {
		ssize_t r = recv(fd, req + got, METRICS_REQ_MAX - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* gone, or too slow */
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
			break;
	}
	if (got >= METRICS_REQ_MAX) {
		respond(fd, "431 Request Header Fields Too Large", text, "", 0, false);
		return;
	}
	head = strncmp(req, "HEAD ", 5) == 0;
	if (strncmp(req, "GET ", 4) != 0 && !head) {
		respond(fd, "405 Method Not Allowed", text, "GET /metrics\n", 13, false);
		return;
	}
	if (sscanf(req + (head ? 5 : 4), "%63s", path) != 1 ||
	        (strcmp(path, "/metrics") != 0 && strncmp(path, "/metrics?", 9) != 0)) {
		respond(fd, "404 Not Found", text, "try /metrics\n", 13, head);
		return;
	}
	out = open_memstream(&body, &len);
	if (out == NULL) {
		respond(fd, "500 Internal Server Error", text, "", 0, head);
		return;
	}
	render(a, out);
	fclose(out);
	respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, len, head);
	free(body);
}

static void *
serve(void *arg)
{
	const struct app *a = arg;
	struct app_metrics *m = a->metrics_srv;

	while (!atomic_load(&m->stop)) {
		struct pollfd pfd = {.fd = m->fd, .events = POLLIN};
		int c;

		if (poll(&pfd, 1, METRICS_POLL_MS) <= 0)
			continue;
		c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve_client(a, c);
		close(c);
	}
	return NULL;
}

void
app_metrics_listen(struct app *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct app_metrics *m;
	int one = 1, fd;

	if (a->o.metrics_port == 0)
		return;
	sa.sin_addr.s_addr = htonl(a->o.metrics_ip);
	sa.sin_port = htons(a->o.metrics_port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		char ip[INET_ADDRSTRLEN];
		int err = errno;

		inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
		app_usage_error(a, "--metrics %s:%u: cannot listen: %s", ip,
		        (unsigned)a->o.metrics_port, strerror(err));
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		app_usage_error(a, "--metrics: out of memory");
	m->fd = fd;
	a->metrics_srv = m;
}

int
app_metrics_start(struct app *a)
{
	struct app_metrics *m = a->metrics_srv;
	int rc;

	if (m == NULL)
		return 0;
	rc = rte_ctrl_thread_create(&m->thread, "tern-metrics", NULL, serve, a);
	if (rc != 0) {
		fprintf(stderr, "%s: --metrics: cannot start its thread: %s\n", a->name,
		        strerror(rc));
		return 1;
	}
	m->running = true;
	return 0;
}

void
app_metrics_stop(struct app *a)
{
	struct app_metrics *m = a->metrics_srv;

	if (m == NULL)
		return;
	if (m->running) {
		atomic_store(&m->stop, true);
		pthread_join(m->thread, NULL);
	}
	close(m->fd);
	free(m);
	a->metrics_srv = NULL;
}
