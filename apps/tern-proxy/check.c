/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Active health checks (--health-check): engine 0 connects to every backend of its pool each
 * --health-interval, one check in flight per backend, and publishes the result (rise / fall
 * counted by health.c) as a byte per backend that every engine reads.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proxy.h"

/* Count @p pr's result once; a state change is one line on stdout. */
static void
probe_result(struct probe *pr, bool ok, const char *why)
{
	struct hc_slot *hs = &px->hcs[pr->slot];
	enum hc_change ch;

	if (pr->done)
		return;
	pr->done = true;
	hs->checks++;
	hs->failed += !ok;
	ch = hc_result(&hs->t, &px->hc, ok);
	if (ch == HC_SAME)
		return;
	if (ch == HC_WENT_UP)
		__atomic_fetch_add(&px->health_up_gen[pr->slot], 1, __ATOMIC_RELAXED);
	__atomic_store_n(&px->health_down[pr->slot], ch == HC_WENT_DOWN, __ATOMIC_RELAXED);
	if (ch == HC_WENT_DOWN)
		printf("tern-proxy: backend %s down: health check failed %u times in a row (%s)\n",
		        px->be[pr->slot].name, hs->t.fail_run, why);
	else
		printf("tern-proxy: backend %s up: health check passed %u times in a row\n",
		        px->be[pr->slot].name, hs->t.ok_run);
}

static void
probe_start(struct tern_engine *e, unsigned slot, uint64_t now)
{
	struct hc_slot *hs = &px->hcs[slot];
	struct probe *pr = calloc(1, sizeof(*pr));

	if (pr == NULL)
		return;
	pr->kind = OBJ_PROBE;
	pr->slot = slot;
	pr->t_start = now;
	pr->c = tern_connect_addr(e, &px->be[slot].addr, px->be[slot].port, 0, pr);
	if (pr->c == NULL) {
		free(pr); /* no local port or block now: the next millisecond */
		return;
	}
	hs->probe = pr;
	hs->next_ms = now + px->hc.interval_ms;
}

void
probe_connected(struct probe *pr)
{
	char req[PP_HDR_MAX + HC_PATH_MAX + 160];
	size_t h;
	int n;

	if (px->hc.type == HC_TCP) {
		probe_result(pr, true, "");
		/* our FIN; what the backend sends (a greeting) is read and dropped until its FIN
		 * (closing at once would answer a greeting with a RST) */
		if (tern_conn_shutdown(pr->c) != 0)
			tern_conn_close(pr->c);
		return;
	}
	/* a backend that expects a PROXY protocol header gets the LOCAL one first */
	h = pp_encode_local(px->be[pr->slot].pp, (uint8_t *)req, sizeof(req));
	n = hc_request(&px->hc, px->be[pr->slot].name, req + h, sizeof(req) - h);
	if (n >= 0)
		n += (int)h;
	if (n < 0 || tern_conn_send(pr->c, req, (size_t)n) != n) {
		probe_result(pr, false, "request not sent");
		tern_conn_abort(pr->c);
	}
}

void
probe_readable(struct probe *pr)
{
	char why[48];
	ssize_t n;
	int st;

	if (pr->done) {
		char sink[512];
		while ((n = tern_conn_recv(pr->c, sink, sizeof(sink))) > 0)
			;
		if (n == 0)
			tern_conn_close(pr->c); /* the backend's FIN: both sides done */
		return;
	}
	n = tern_conn_recv(pr->c, pr->buf + pr->got, sizeof(pr->buf) - pr->got);
	if (n <= 0) {
		if (n == 0) {
			probe_result(pr, false, "closed before a status line");
			tern_conn_close(pr->c);
		}
		return;
	}
	pr->got = (uint8_t)(pr->got + n);
	st = hc_status(pr->buf, pr->got);
	if (st == 0 && pr->got < sizeof(pr->buf))
		return;
	if (st <= 0) {
		probe_result(pr, false, "not an HTTP status line");
	} else {
		snprintf(why, sizeof(why), "status %d, want %u", st, px->hc.status);
		probe_result(pr, st == px->hc.status, why);
	}
	tern_conn_abort(pr->c); /* the rest of the answer is not needed */
}

void
probe_closed(struct probe *pr, enum tern_close_reason why)
{
	static const char *const reasons[TERN_CLOSE_MAX] = {
	        [TERN_CLOSE_NORMAL] = "closed",
	        [TERN_CLOSE_RESET] = "reset",
	        [TERN_CLOSE_REFUSED] = "connection refused",
	        [TERN_CLOSE_TIMEOUT] = "no answer",
	        [TERN_CLOSE_ABORTED] = "aborted",
	        [TERN_CLOSE_NO_ROUTE] = "no ARP answer",
	        [TERN_CLOSE_ENGINE] = "stopped",
	};
	const char *r = why < TERN_CLOSE_MAX && reasons[why] != NULL ? reasons[why] : "closed";

	probe_result(pr, false, pr->timed_out ? "timeout" : r);
	px->hcs[pr->slot].probe = NULL;
	free(pr);
}

/* Engine 0, once a millisecond: checks due, checks past --health-timeout. */
void
health_tick(struct tern_engine *e, struct eng *g, uint64_t now)
{
	const struct pool_cfg *pc = g->pool;
	unsigned i;

	if (px->hc.type == HC_NONE || now == px->hc_scan_ms || g->drain_started)
		return;
	px->hc_scan_ms = now;
	for (i = 0; i < pc->n; i++) {
		struct hc_slot *hs = &px->hcs[pc->slot[i]];

		if (hs->probe != NULL) {
			if (hs->probe->t_start + px->hc.timeout_ms <= now &&
			        !hs->probe->timed_out) {
				hs->probe->timed_out = true;
				tern_conn_abort(hs->probe->c); /* closed counts it */
			}
		} else if (now >= hs->next_ms) {
			probe_start(e, pc->slot[i], now);
		}
	}
}
