/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-gen connect and http modes: open connections at the paced rate, at most
 * `concurrency` at once per run, each in a slot of its worker.
 *
 * connect: tern_connect -> connected (handshake latency) -> FIN (half close; what the
 *          target sends is read and dropped), close at its FIN (or RST with --close rst)
 *          -> closed: ok when it ended normally.
 * http:    tern_connect -> connected -> GET -> response parsed (status, latency) ->
 *          close, or with --http-keepalive back to the idle list for the next request.
 *
 * Every active slot sits on a FIFO ordered by the time its current step began; the tick
 * aborts the head while it is older than --timeout, so no connection outlives it and the
 * check costs O(1) per tick. Counting: a slot's work is counted exactly once (ok or one
 * failure reason), when it finishes or when the connection ends first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "gen.h"

static inline struct gen_worker *
conn_worker(struct gen *g, struct tern_conn *c)
{
	return &g->w[tern_engine_id(tern_conn_engine(c))];
}

static inline uint64_t
tsc_ns(const struct gen *g, uint64_t tsc)
{
	return (uint64_t)((double)tsc * 1e9 / (double)g->hz);
}

static void
count_fail(struct gen_worker *w, struct gen_conn *s, enum gen_fail f)
{
	if (s->done)
		return;
	s->done = true;
	w->c.failed++;
	w->c.fail[f]++;
}

static void
list_del(struct gen_worker *w, struct gen_conn *s)
{
	switch (s->where) {
	case GC_ACTIVE:
		TAILQ_REMOVE(&w->active, s, link);
		break;
	case GC_IDLE:
		TAILQ_REMOVE(&w->idle, s, link);
		break;
	case GC_FREE:
		TAILQ_REMOVE(&w->free, s, link);
		break;
	default:
		break;
	}
	s->where = GC_CLOSING;
}

/* Graceful close; an active slot stays on the timeout FIFO until the closed callback. */
static void
gc_close(struct gen_worker *w, struct gen_conn *s)
{
	if (s->closing)
		return;
	s->closing = true;
	if (s->where == GC_IDLE)
		list_del(w, s);
	tern_conn_close(s->c);
}

static void
gc_abort(struct gen_worker *w, struct gen_conn *s)
{
	if (s->aborted)
		return;
	s->aborted = s->closing = true;
	list_del(w, s);
	tern_conn_abort(s->c);
}

static void
set_active(struct gen_worker *w, struct gen_conn *s, uint64_t now)
{
	list_del(w, s);
	s->t_start = now;
	s->where = GC_ACTIVE;
	TAILQ_INSERT_TAIL(&w->active, s, link);
}

/* Queue the GET on an established connection. */
static void
send_request(struct gen_worker *w, struct gen_conn *s, uint64_t now)
{
	struct gen *g = w->g;
	ssize_t n;

	s->done = false;
	http_resp_init(s->resp);
	n = tern_conn_send(s->c, g->request, (size_t)g->request_len);
	if (n != g->request_len) {
		count_fail(w, s, GEN_FAIL_SEND_FAILED);
		gc_abort(w, s);
		return;
	}
	s->t_req = now;
	s->requests++;
	w->c.requests++;
}

static void
response_done(struct gen_worker *w, struct gen_conn *s, uint64_t now)
{
	struct gen *g = w->g;
	uint16_t st = s->resp->status;

	hist_add(&w->resp_lat, tsc_ns(g, now - s->t_req));
	w->c.status[st >= 100 && st < 600 ? st / 100 : 0]++;
	if (st < GEN_STATUS_CODES)
		w->status_code[st]++;
	w->c.ok++;
	w->c.body_bytes += s->resp->body;
	s->done = true;
	if (g->keepalive && s->resp->keepalive && w->opening) {
		list_del(w, s);
		s->where = GC_IDLE;
		TAILQ_INSERT_TAIL(&w->idle, s, link);
		return;
	}
	gc_close(w, s);
}

static void
on_connected(struct tern_conn *c, void *app)
{
	struct gen *g = app;
	struct gen_worker *w = conn_worker(g, c);
	struct gen_conn *s = tern_conn_udata(c);
	uint64_t now = rte_rdtsc();

	hist_add(&w->connect_lat, tsc_ns(g, now - s->t_start));
	w->c.connected++;
	s->connected = true;
	if (g->mode == GEN_HTTP) {
		send_request(w, s, now);
		return;
	}
	if (g->close_rst)
		gc_abort(w, s);
	else if (tern_conn_shutdown(c) != 0)
		gc_close(w, s);
	/* else: our FIN is out; what the target says (a banner) is read and dropped, and its
	 * FIN closes the connection (on_readable). Closing at once would reset a target that
	 * speaks first: data after the close is answered with a RST (RFC 2525 §2.17). */
}

static void
on_readable(struct tern_conn *c, void *app)
{
	struct gen *g = app;
	struct gen_worker *w = conn_worker(g, c);
	struct gen_conn *s = tern_conn_udata(c);
	uint8_t buf[4096];

	for (;;) {
		ssize_t n = tern_conn_recv(c, buf, sizeof(buf));
		size_t used;
		int rc;

		if (n < 0)
			return;
		if (n == 0) { /* the target closed its side */
			if (g->mode == GEN_HTTP && !s->done) {
				if (http_resp_eof(s->resp) == 1)
					response_done(w, s, rte_rdtsc());
				else
					count_fail(w, s, GEN_FAIL_EOF_EARLY);
			}
			gc_close(w, s);
			return;
		}
		if (g->mode != GEN_HTTP)
			continue; /* connect mode: whatever the target says is dropped */
		w->c.rx_bytes += (uint64_t)n;
		if (s->done) {
			/* Bytes after a complete response on an idle or closing connection. */
			if (s->where == GC_IDLE) {
				count_fail(w, s, GEN_FAIL_BAD_RESPONSE);
				gc_abort(w, s);
				return;
			}
			continue;
		}
		rc = http_resp_feed(s->resp, buf, (size_t)n, &used);
		if (rc < 0 || (rc == 1 && used != (size_t)n)) {
			count_fail(w, s, GEN_FAIL_BAD_RESPONSE);
			gc_abort(w, s);
			return;
		}
		if (rc == 1)
			response_done(w, s, rte_rdtsc());
	}
}

static enum gen_fail
close_reason(const struct gen_conn *s, enum tern_close_reason why)
{
	if (s->timed_out)
		return GEN_FAIL_TIMEOUT;
	switch (why) {
	case TERN_CLOSE_REFUSED:
		return GEN_FAIL_REFUSED;
	case TERN_CLOSE_RESET:
		return s->connected ? GEN_FAIL_RESET : GEN_FAIL_REFUSED;
	case TERN_CLOSE_TIMEOUT:
		return GEN_FAIL_TIMEOUT;
	case TERN_CLOSE_NO_ROUTE:
		return GEN_FAIL_NO_ROUTE;
	case TERN_CLOSE_ENGINE:
		return GEN_FAIL_UNFINISHED;
	case TERN_CLOSE_NORMAL:
		return s->connected ? GEN_FAIL_EOF_EARLY : GEN_FAIL_OTHER;
	default:
		return GEN_FAIL_OTHER;
	}
}

static void
on_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct gen *g = app;
	struct gen_worker *w = conn_worker(g, c);
	struct gen_conn *s = tern_conn_udata(c);

	if (!s->done && why == TERN_CLOSE_ABORTED && !s->aborted && app_stopping()) {
		/* reset by the stop (abort_on_stop): still open when tern-gen stopped */
		count_fail(w, s, GEN_FAIL_UNFINISHED);
	} else if (!s->done) {
		bool ok = g->mode == GEN_CONNECT && s->connected && !s->timed_out &&
		          (why == TERN_CLOSE_NORMAL || (g->close_rst && why == TERN_CLOSE_ABORTED));
		if (ok) {
			s->done = true;
			w->c.ok++;
		} else {
			count_fail(w, s, close_reason(s, why));
		}
	}
	list_del(w, s);
	s->c = NULL;
	s->where = GC_FREE;
	TAILQ_INSERT_HEAD(&w->free, s, link);
	w->c.inflight--;
}

const struct tern_callbacks gen_callbacks = {
        .connected = on_connected,
        .readable = on_readable,
        .closed = on_closed,
};

/* Start one unit of work: a new connection (with its request, in http mode). */
static int
open_one(struct gen_worker *w, uint64_t now)
{
	struct gen *g = w->g;
	struct gen_conn *s = TAILQ_FIRST(&w->free);
	struct tern_conn *c;

	w->c.attempted++;
	w->c.connects++;
	s->connected = s->timed_out = s->done = s->closing = s->aborted = false;
	s->requests = 0;
	/* The engine picks the local address and port: from its own share of the ephemeral
	 * range, so that the answers come back to it (docs/TCP.md, port allocation). */
	c = tern_connect_addr(w->e, &g->dst_addr, g->dport, 0, s);
	if (c == NULL) {
		enum gen_fail f;
		switch (rte_errno) {
		case EADDRNOTAVAIL:
			f = GEN_FAIL_NO_LOCAL_PORT;
			if (!w->warned_ports) {
				w->warned_ports = true;
				fprintf(stderr,
				        "tern-gen: engine %u: no free local port toward %s: every "
				        "(address, port) of its share of the ephemeral ports is in "
				        "use or in TIME_WAIT (2*MSL); such attempts count as "
				        "no_local_port (widen --port-range, add --src-ip, lower "
				        "--msl, "
				        "or --close rst)\n",
				        w->idx, g->target);
			}
			break;
		case ENOMEM:
			f = GEN_FAIL_CONN_TABLE_FULL;
			break;
		case ENETUNREACH:
			f = GEN_FAIL_NO_ROUTE;
			break;
		default:
			f = GEN_FAIL_OTHER;
			break;
		}
		w->c.failed++;
		w->c.fail[f]++;
		return -1;
	}
	s->c = c;
	set_active(w, s, now);
	w->c.inflight++;
	return 0;
}

/* Keepalive: a request on an idle connection. */
static void
reuse_one(struct gen_worker *w, uint64_t now)
{
	struct gen_conn *s = TAILQ_FIRST(&w->idle);

	w->c.attempted++;
	set_active(w, s, now);
	send_request(w, s, now);
}

void
gen_conn_tick(struct gen_worker *w, uint64_t now)
{
	struct gen *g = w->g;
	uint64_t tmo = g->timeout_ms * (g->hz / 1000);
	struct gen_conn *s;
	unsigned n, i;

	/* Expire the oldest steps. */
	while ((s = TAILQ_FIRST(&w->active)) != NULL && now - s->t_start >= tmo) {
		s->timed_out = true;
		count_fail(w, s, GEN_FAIL_TIMEOUT);
		gc_abort(w, s);
	}
	if (w->opening) {
		if (now < w->next_open) /* backing off after a local error */
			return;
		n = gen_pace(w, now, 32);
		for (i = 0; i < n; i++) {
			if (g->keepalive && !TAILQ_EMPTY(&w->idle)) {
				reuse_one(w, now);
				continue;
			}
			if (w->c.inflight >= w->concurrency)
				break;
			if (open_one(w, now) != 0) {
				w->next_open = now + g->hz / 1000;
				i++;
				break;
			}
		}
		gen_bucket_unused(&w->pace, n - i);
		return;
	}
	/* Done opening: close idle keepalive connections, wait for the rest. */
	while ((s = TAILQ_FIRST(&w->idle)) != NULL)
		gc_close(w, s);
	if (w->c.inflight == 0 || now >= w->t_drain_end)
		gen_worker_finish(w, now);
}
