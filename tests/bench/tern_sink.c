/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-sink: TCP discard server on tern, for the one-way case of the lab bulk benchmark
 * (tests/bench/lab_bulk.sh). Every byte received is read and dropped; when the peer
 * half-closes, the connection is closed. Same command line as tern-echo:
 *
 *   tern-sink [EAL options] -- --ip A.B.C.D/LEN --listen PORT [common options]
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "app.h"

struct sink {
	uint16_t port;
	uint64_t bytes;
	uint64_t conns;
};

static void
on_readable(struct tern_conn *c, void *app)
{
	struct sink *s = app;
	uint8_t buf[16384];
	ssize_t n;

	while ((n = tern_conn_recv(c, buf, sizeof(buf))) > 0)
		s->bytes += (uint64_t)n;
	if (n == 0)
		tern_conn_close(c); /* peer closed and everything was read */
}

static void
on_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct sink *s = app;

	(void)c;
	(void)why;
	s->conns++;
}

static int
sink_setup(struct tern_engine *e, void *app)
{
	return tern_listen(e, ((struct sink *)app)->port, 0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        APP_COMMON_OPTS, {"listen", required_argument, 0, 'l'}, {0, 0, 0, 0}};
	static const struct tern_callbacks cb = {.readable = on_readable, .closed = on_closed};
	struct sink s = {0};
	struct app a = {.name = "tern-sink", .cb = &cb, .app = &s, .setup = sink_setup};
	char ready[64];
	uint64_t v;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app_scan_args(&a, argc, argv)) {
		printf("Usage: tern-sink [EAL options] -- --ip A.B.C.D/LEN --listen PORT "
		       "[options]\nTCP discard server on tern.\n\n%s",
		        app_common_usage);
		return 0;
	}
	app_eal_init(&a, &argc, &argv);
	while ((opt = app_next_opt(&a, argc, argv, longopts)) != -1) {
		if (opt != 'l' || app_parse_u64(optarg, 1, 65535, &v) != 0)
			app_usage_error(&a, "--listen PORT (1..65535) expected");
		s.port = (uint16_t)v;
	}
	if (optind < argc || s.port == 0)
		app_usage_error(&a, "--listen PORT is required and nothing may follow the options");
	snprintf(ready, sizeof(ready), "discard on port %u", s.port);
	a.ready_msg = ready;
	rc = app_run(&a);
	if (rc == 0)
		printf("tern-sink: %lu connections, %lu bytes discarded\n", (unsigned long)s.conns,
		        (unsigned long)s.bytes);
	rte_eal_cleanup();
	return rc;
}
