/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-echo: TCP echo server on tern. Every byte received is sent back; when the peer
 * half-closes, the rest is echoed and the connection closed. With --close-after N, tern
 * closes first once it has echoed N bytes (so tern holds the TIME_WAIT).
 *
 * Backpressure: it reads only as much as the send buffer can take, so a peer that
 * does not read its echo sees tern's receive window close, not data loss.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "app.h"

struct echo {
	uint16_t port;
	uint64_t close_after;                           /**< 0 = never */
	struct app_closes closed[TERN_PORT_MAX_QUEUES]; /**< per engine */
};

/*
 * Echo what can be sent back now, zero-copy: the received mbufs themselves go to the send
 * buffer (tern_conn_recv_mbuf() -> tern_conn_send_mbuf()), so echoing never needs a free
 * mbuf and a low pool cannot make it fail half-way.
 */
static void
echo_pump(struct tern_conn *c, struct echo *ec)
{
	uintptr_t echoed = (uintptr_t)tern_conn_udata(c);

	for (;;) {
		size_t space = tern_conn_send_space(c);
		struct rte_mbuf *m;
		ssize_t n;
		int rc;

		if (space == 0)
			return; /* writable callback resumes */
		n = tern_conn_recv_mbuf(c, space, &m);
		if (n == -EAGAIN || n == -ENOBUFS)
			return; /* the readable callback follows (data, or mbufs back) */
		if (n == 0) {
			tern_conn_close(c); /* peer closed and all is echoed */
			return;
		}
		if (n < 0)
			return;
		rc = tern_conn_send_mbuf(c, m);
		if (rc != 0) {
			/* Cannot happen (we took no more than the space); be loud. */
			fprintf(stderr, "tern-echo: send_mbuf of %zd bytes: %s, aborting\n", n,
			        strerror(-rc));
			rte_pktmbuf_free(m);
			tern_conn_abort(c);
			return;
		}
		echoed += (uintptr_t)n;
		tern_conn_set_udata(c, (void *)echoed);
		if (ec->close_after && echoed >= ec->close_after) {
			tern_conn_close(c);
			return;
		}
	}
}

static void
on_readable(struct tern_conn *c, void *app)
{
	echo_pump(c, app);
}

static void
on_writable(struct tern_conn *c, void *app)
{
	echo_pump(c, app);
}

static void
on_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct echo *ec = app;

	app_closes_count(ec->closed, c, why);
}

static int
echo_setup(struct tern_engine *e, void *app)
{
	struct echo *ec = app;

	return tern_listen(e, ec->port, 0);
}

static void
usage(void)
{
	printf("Usage: tern-echo [EAL options] -- --ip A.B.C.D/LEN --listen PORT [options]\n"
	       "TCP echo server on tern.\n\n"
	       "  --listen PORT         TCP port to echo on (required)\n"
	       "  --close-after BYTES   close each connection after echoing BYTES (tern closes\n"
	       "                        first and holds TIME_WAIT); default: the peer closes\n\n"
	       "%s",
	        app_common_usage);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {APP_COMMON_OPTS,
	        {"listen", required_argument, 0, 'l'}, {"close-after", required_argument, 0, 'c'},
	        {0, 0, 0, 0}};
	static const struct tern_callbacks cb = {
	        .readable = on_readable, .writable = on_writable, .closed = on_closed};
	static struct echo ec; /* per-engine counters: too big for the stack */
	struct app a = {.name = "tern-echo",
	        .cb = &cb,
	        .app = &ec,
	        .setup = echo_setup,
	        .abort_on_stop = true};
	char ready[64];
	uint64_t v;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app_scan_args(&a, argc, argv)) {
		usage();
		return 0;
	}
	app_eal_init(&a, &argc, &argv);
	while ((opt = app_next_opt(&a, argc, argv, longopts)) != -1) {
		switch (opt) {
		case 'l':
			ec.port = app_parse_listen(&a, optarg);
			break;
		case 'c':
			if (app_parse_u64(optarg, 1, UINT64_MAX, &v) != 0)
				app_usage_error(
				        &a, "--close-after '%s': expected bytes >= 1", optarg);
			ec.close_after = v;
			break;
		case 'h':
			usage();
			return 0;
		default:
			app_usage_error(&a, "unexpected option");
		}
	}
	app_no_leftover(&a, argc, argv);
	if (ec.port == 0)
		app_usage_error(&a, "--listen PORT is required");
	snprintf(ready, sizeof(ready), "echo on port %u", ec.port);
	a.ready_msg = ready;
	rc = app_run(&a);
	if (rc == 0)
		app_closes_print("tern-echo", ec.closed);
	rte_eal_cleanup();
	return rc;
}
