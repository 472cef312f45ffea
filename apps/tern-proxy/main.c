/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-proxy: TCP proxy. Each accepted client gets a connection to a backend opened from
 * the same engine (tern_connect), chosen round robin or by least connections; the two are
 * spliced with the zero-copy calls (docs/PROXY.md).
 *
 * Splice, per direction (client -> backend, backend -> client):
 *   - read no more than the destination's send space (tern_conn_recv_mbuf(from, space)),
 *     hand the chain over whole (tern_conn_send_mbuf(to, chain)). A chain the destination
 *     refuses waits in the pair (pend[dir]); nothing more is read from that side until
 *     it is taken, so a slow reader closes the fast writer's window: the memory per
 *     direction is bounded by the source's receive buffer plus the destination's send
 *     buffer (--buffer sets both).
 *   - resume on the destination's writable callback and the source's readable callback.
 *   - EOF from the source (FIN) becomes tern_conn_shutdown(to) once everything before it
 *     went over; when both directions have forwarded their FIN both connections are closed.
 *   - a reset (or any abnormal end) of either side aborts the other (RST).
 *
 * Backends: a connect that is refused (RST), times out (--connect-timeout, or the SYN
 * retries) or whose next hop never answers ARP (TERN_CLOSE_NO_ROUTE, about 3 s) marks the
 * backend down on this engine; it is not chosen again
 * before --retry-down seconds. The client's connection then tries the next backend it has
 * not tried yet; when none is left it is aborted (RST). Timeouts are kept without scans:
 * connecting pairs sit on a FIFO in start order, spliced pairs on an LRU list by last
 * activity (both timeouts are the same for every pair), and the tick after each poll looks
 * at the heads only.
 *
 * Everything here is per engine (struct eng, indexed by the engine id): no locks. Engines
 * are independent: each opens its clients' backend connections from ports it owns, and
 * steering (docs/ARCHITECTURE.md) brings every segment of them to it.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "app.h"
#include "pp.h"

#define MAX_BACKENDS 64

struct backend {
	struct tern_addr addr; /**< IPv4 or IPv6 */
	uint16_t port;
	enum pp_version pp; /**< PROXY protocol header it gets */
	bool pp_given;      /**< pp from the entry's /v1|/v2|/none, not --proxy-protocol */
	char name[80];      /* A.B.C.D:PORT or [X:X::X]:PORT */
};

/** One backend as seen by one engine. */
struct be_state {
	uint64_t conns;      /**< connections established */
	uint64_t failures;   /**< connects refused, timed out or unroutable */
	uint64_t bytes_to;   /**< bytes from clients to it */
	uint64_t bytes_from; /**< bytes from it to clients */
	uint32_t active;     /**< open connections to it (connecting included) */
	bool down;
	uint64_t retry_ms; /**< down: not chosen before this engine time */
};

struct pair;
TAILQ_HEAD(pair_q, pair);

/** Per-engine state. */
struct eng {
	struct be_state be[MAX_BACKENDS];
	unsigned rr;
	struct pair_q connq;  /**< connecting, oldest first */
	struct pair_q idleq;  /**< spliced, least recently active first */
	struct pair_q portq;  /**< waiting for a local port (or connection block), FIFO */
	uint64_t port_try_ms; /**< when the head of portq was last retried */
	uint64_t port_waits;  /**< clients that had to wait for a local port */
	uint64_t clients;     /**< accepted */
	uint64_t rejected;    /**< reset: no backend left to try */
	uint64_t connect_timeouts, idle_timeouts, resets;
	uint32_t active; /**< pairs alive */
};

enum { C2B = 0, B2C = 1 };

struct pair {
	struct tern_conn *cli, *be;
	struct eng *g;
	int bi;                   /**< backend of be, -1 none */
	uint64_t tried;           /**< backends tried for this client (bit per index) */
	uint64_t t_start;         /**< connect started (ms) */
	uint64_t t_active;        /**< last data moved (ms) */
	struct rte_mbuf *pend[2]; /**< chain the destination refused, per direction */
	bool connecting;
	bool in_connq, in_idleq, in_portq;
	uint64_t t_wait; /**< waiting for a local port since (ms) */
	bool be_timeout; /**< be aborted by the connect timeout */
	bool eof[2];     /**< the source of a direction sent its FIN (read to EOF) */
	bool shut[2];    /**< ... and the FIN was passed on (shutdown of the destination) */
	bool closing;    /**< both directions done: both connections closed */
	uint8_t hdr_len, hdr_off; /**< PROXY protocol header: length, bytes sent */
	uint8_t hdr[PP_HDR_MAX];  /**< ... sent on be before any byte of the client's */
	TAILQ_ENTRY(pair) connq, idleq, portq;
};

enum lb { LB_RR, LB_LEAST };

struct proxy {
	uint16_t port;
	struct backend be[MAX_BACKENDS];
	unsigned nbe;
	enum lb lb;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms; /**< 0 = none */
	uint32_t retry_down_ms;
	enum pp_version pp; /**< --proxy-protocol: for backends without their own */
	struct eng eng[RTE_MAX_LCORE];
	const struct app *a;
};

static struct proxy *px; /* for tick and the stats hook; engines only touch their eng */

static struct eng *
eng_of(struct tern_engine *e)
{
	return &px->eng[tern_engine_id(e)];
}

/* ---- pair life cycle ---- */

static void
connq_leave(struct pair *p)
{
	if (p->in_connq) {
		TAILQ_REMOVE(&p->g->connq, p, connq);
		p->in_connq = false;
	}
}

static void
portq_leave(struct pair *p)
{
	if (p->in_portq) {
		TAILQ_REMOVE(&p->g->portq, p, portq);
		p->in_portq = false;
	}
}

static void
idleq_leave(struct pair *p)
{
	if (p->in_idleq) {
		TAILQ_REMOVE(&p->g->idleq, p, idleq);
		p->in_idleq = false;
	}
}

/* Data moved: to the tail of the idle list (at most once per ms). */
static void
touch(struct pair *p, uint64_t now)
{
	if (px->idle_timeout_ms == 0 || (p->in_idleq && p->t_active == now))
		return;
	idleq_leave(p);
	p->t_active = now;
	TAILQ_INSERT_TAIL(&p->g->idleq, p, idleq);
	p->in_idleq = true;
}

static void
pair_maybe_free(struct pair *p)
{
	unsigned d;

	if (p->cli != NULL || p->be != NULL)
		return;
	connq_leave(p);
	idleq_leave(p);
	portq_leave(p);
	for (d = 0; d < 2; d++)
		rte_pktmbuf_free(p->pend[d]); /* NULL is a no-op */
	p->g->active--;
	free(p);
}

/* Choose a backend not yet tried for this client and not down (or due for a retry). */
static int
pick_backend(struct eng *g, uint64_t tried, uint64_t now)
{
	int best = -1;
	unsigned i;

	for (i = 0; i < px->nbe; i++) {
		unsigned k = (g->rr + i) % px->nbe;
		struct be_state *b = &g->be[k];

		if (tried & (1ull << k))
			continue;
		if (b->down && now < b->retry_ms)
			continue;
		if (px->lb == LB_RR) {
			best = (int)k;
			break;
		}
		if (best < 0 || b->active < g->be[best].active)
			best = (int)k;
	}
	if (best >= 0)
		g->rr = ((unsigned)best + 1) % px->nbe;
	return best;
}

static void
reject(struct pair *p)
{
	p->g->rejected++;
	if (p->cli != NULL)
		tern_conn_abort(p->cli); /* RST; closed follows and frees the pair */
}

/*
 * Open a connection to the next backend for @p p's client, or reset the client.
 * A local shortage (every port toward the backend busy or in a TIME_WAIT too young to
 * reuse, or no connection block) is not the backend's fault and is usually over within a
 * second: the client waits on the engine's port queue, in arrival order, and the tick
 * retries the head (for at most --connect-timeout). Clients behind it do not jump it.
 */
static void
start_connect(struct pair *p, bool queued)
{
	struct tern_engine *e = tern_conn_engine(p->cli);
	uint64_t now = tern_engine_now_ms(e);
	int bi = pick_backend(p->g, p->tried, now);
	struct tern_conn *be;

	if (bi < 0) {
		reject(p);
		return;
	}
	if (!queued && !TAILQ_EMPTY(&p->g->portq))
		be = NULL, rte_errno = EADDRNOTAVAIL; /* others wait already: behind them */
	else
		be = tern_connect_addr(e, &px->be[bi].addr, px->be[bi].port, 0, p);
	if (be == NULL) {
		if (rte_errno != EADDRNOTAVAIL && rte_errno != ENOMEM) {
			reject(p);
			return;
		}
		if (!queued) {
			p->t_wait = now;
			p->g->port_waits++;
			TAILQ_INSERT_TAIL(&p->g->portq, p, portq);
		} else {
			TAILQ_INSERT_HEAD(&p->g->portq, p, portq);
		}
		p->in_portq = true;
		return;
	}
	p->tried |= 1ull << bi;
	p->be = be;
	p->bi = bi;
	p->g->be[bi].active++;
	p->connecting = true;
	p->be_timeout = false;
	p->t_start = now;
	TAILQ_INSERT_TAIL(&p->g->connq, p, connq);
	p->in_connq = true;
}

static void
backend_failed(struct pair *p, uint64_t now)
{
	struct be_state *b = &p->g->be[p->bi];

	b->failures++;
	b->down = true;
	b->retry_ms = now + px->retry_down_ms;
}

/* Both directions passed their FIN on: close both (nothing is left to read). */
static void
maybe_finish(struct pair *p)
{
	if (p->closing || !p->shut[C2B] || !p->shut[B2C])
		return;
	p->closing = true;
	idleq_leave(p);
	if (p->cli != NULL)
		tern_conn_close(p->cli);
	if (p->be != NULL)
		tern_conn_close(p->be);
}

/*
 * The PROXY protocol header goes to the backend before anything of the client's: pump(C2B)
 * calls this first. It is copied (tern_conn_send), since it is a few bytes into a send
 * buffer that is empty at this point. @return true once it is all sent (or there is
 * none); false while part of it waits for the writable callback (send space or mbufs).
 */
static bool
send_header(struct pair *p)
{
	ssize_t n;

	if (p->hdr_off == p->hdr_len)
		return true;
	n = tern_conn_send(p->be, p->hdr + p->hdr_off, p->hdr_len - p->hdr_off);
	if (n > 0)
		p->hdr_off = (uint8_t)(p->hdr_off + n);
	return p->hdr_off == p->hdr_len;
}

/* The header for backend @p bi naming @p p's client and the address it connected to. */
static void
build_header(struct pair *p, int bi)
{
	struct tern_addr src, dst;
	struct pp_addrs a;

	p->hdr_len = p->hdr_off = 0;
	if (px->be[bi].pp == PP_NONE || p->cli == NULL)
		return;
	memset(&a, 0, sizeof(a));
	tern_conn_peer(p->cli, &src, &a.src_port);
	tern_conn_local(p->cli, &dst, &a.dst_port);
	a.v6 = src.family == TERN_AF_INET6; /* the client's family, whatever the backend's */
	if (a.v6) {
		memcpy(a.src6, src.v6, 16);
		memcpy(a.dst6, dst.v6, 16);
	} else {
		a.src_ip = src.v4;
		a.dst_ip = dst.v4;
	}
	p->hdr_len = (uint8_t)pp_encode(px->be[bi].pp, p->hdr, sizeof(p->hdr), &a);
}

/* Move what can be moved in direction @p dir. */
static void
pump(struct pair *p, int dir)
{
	struct tern_conn *from = dir == C2B ? p->cli : p->be;
	struct tern_conn *to = dir == C2B ? p->be : p->cli;
	struct be_state *b;
	uint64_t now;

	if (to == NULL || p->connecting || p->shut[dir] || (from == NULL && !p->eof[dir]))
		return;
	b = &p->g->be[p->bi];
	now = tern_engine_now_ms(tern_conn_engine(to));
	if (dir == C2B && !send_header(p))
		return;
	for (;;) {
		struct rte_mbuf *m;
		size_t space;
		ssize_t n;
		int rc;

		if (p->pend[dir] != NULL) {
			rc = tern_conn_send_mbuf(to, p->pend[dir]);
			if (rc == -EAGAIN)
				return; /* to's writable resumes */
			if (rc != 0) {
				rte_pktmbuf_free(p->pend[dir]);
				p->pend[dir] = NULL;
				return;
			}
			p->pend[dir] = NULL;
		}
		if (p->eof[dir]) {
			p->shut[dir] = true;
			tern_conn_shutdown(to);
			maybe_finish(p);
			return;
		}
		space = tern_conn_send_space(to);
		if (space == 0)
			return; /* the send that filled it asked for writable */
		n = tern_conn_recv_mbuf(from, space, &m);
		if (n == 0) {
			p->eof[dir] = true;
			continue;
		}
		if (n < 0)
			return; /* -EAGAIN: readable resumes; -ENOBUFS: the engine wakes us */
		if (dir == C2B)
			b->bytes_to += (uint64_t)n;
		else
			b->bytes_from += (uint64_t)n;
		touch(p, now);
		rc = tern_conn_send_mbuf(to, m);
		if (rc == -EAGAIN) {
			p->pend[dir] = m;
			return;
		}
		if (rc != 0) {
			rte_pktmbuf_free(m);
			return;
		}
	}
}

/* ---- callbacks ---- */

static void
on_accepted(struct tern_conn *c, void *app)
{
	struct pair *p = calloc(1, sizeof(*p));

	(void)app;
	if (p == NULL) {
		tern_conn_abort(c);
		return;
	}
	p->g = eng_of(tern_conn_engine(c));
	p->g->clients++;
	p->g->active++;
	p->cli = c;
	p->bi = -1;
	tern_conn_set_udata(c, p);
	start_connect(p, false);
}

static void
on_connected(struct tern_conn *c, void *app)
{
	struct pair *p = tern_conn_udata(c);
	struct be_state *b = &p->g->be[p->bi];

	(void)app;
	connq_leave(p);
	p->connecting = false;
	b->conns++;
	b->down = false;
	build_header(p, p->bi);
	touch(p, tern_engine_now_ms(tern_conn_engine(c)));
	pump(p, C2B);
	pump(p, B2C);
}

static void
on_readable(struct tern_conn *c, void *app)
{
	struct pair *p = tern_conn_udata(c);

	(void)app;
	if (p != NULL)
		pump(p, c == p->cli ? C2B : B2C);
}

static void
on_writable(struct tern_conn *c, void *app)
{
	struct pair *p = tern_conn_udata(c);

	(void)app;
	if (p != NULL)
		pump(p, c == p->cli ? B2C : C2B);
}

static void
on_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct pair *p = tern_conn_udata(c);
	uint64_t now = tern_engine_now_ms(tern_conn_engine(c));

	(void)app;
	if (p == NULL)
		return;
	if (why == TERN_CLOSE_RESET)
		p->g->resets++;
	if (c == p->cli) {
		p->cli = NULL;
		rte_pktmbuf_free(p->pend[B2C]);
		p->pend[B2C] = NULL;
		if (p->be != NULL) {
			if (why == TERN_CLOSE_NORMAL && !p->connecting) {
				/* A normal end comes without a last readable event: it is the
				 * client's EOF. What it sent before goes on, then the FIN. */
				p->eof[C2B] = true;
				pump(p, C2B);
			} else {
				tern_conn_abort(p->be);
			}
		}
		pair_maybe_free(p);
		return;
	}
	/* the backend connection */
	p->be = NULL;
	p->g->be[p->bi].active--;
	rte_pktmbuf_free(p->pend[C2B]);
	p->pend[C2B] = NULL;
	if (p->connecting) {
		connq_leave(p);
		p->connecting = false;
		if (p->cli == NULL) {
			pair_maybe_free(p); /* the client went away meanwhile */
			return;
		}
		if (why == TERN_CLOSE_REFUSED || why == TERN_CLOSE_TIMEOUT ||
		        why == TERN_CLOSE_NO_ROUTE ||
		        (why == TERN_CLOSE_ABORTED && p->be_timeout)) {
			backend_failed(p, now);
			start_connect(p, false); /* the next backend, or RST */
		} else {
			tern_conn_abort(p->cli);
		}
		return;
	}
	if (p->cli != NULL) {
		if (why == TERN_CLOSE_NORMAL) {
			p->eof[B2C] = true; /* the backend's EOF, as for the client above */
			pump(p, B2C);
		} else {
			tern_conn_abort(p->cli);
		}
	}
	pair_maybe_free(p);
}

static int
proxy_setup(struct tern_engine *e, void *app)
{
	struct proxy *x = app;
	struct eng *g = &x->eng[tern_engine_id(e)];

	TAILQ_INIT(&g->connq);
	TAILQ_INIT(&g->idleq);
	TAILQ_INIT(&g->portq);
	return tern_listen(e, x->port, 0);
}

/* After every poll: connect and idle timeouts, looking at the list heads only. */
static void
proxy_tick(struct tern_engine *e, unsigned idx, void *app)
{
	struct proxy *x = app;
	struct eng *g = &x->eng[tern_engine_id(e)];
	uint64_t now = tern_engine_now_ms(e);
	struct pair *p;

	(void)idx;
	/* Clients waiting for a local port, oldest first; at most one round a millisecond. */
	if (!TAILQ_EMPTY(&g->portq) && g->port_try_ms != now) {
		g->port_try_ms = now;
		while ((p = TAILQ_FIRST(&g->portq)) != NULL) {
			portq_leave(p);
			if (p->t_wait + x->connect_timeout_ms <= now) {
				g->connect_timeouts++;
				reject(p);
				continue;
			}
			start_connect(p, true);
			if (p->in_portq)
				break; /* still none: the next round */
		}
	}
	while ((p = TAILQ_FIRST(&g->connq)) != NULL && p->t_start + x->connect_timeout_ms <= now) {
		connq_leave(p);
		g->connect_timeouts++;
		p->be_timeout = true;
		tern_conn_abort(p->be); /* closed (ABORTED) moves on to the next backend */
	}
	while (x->idle_timeout_ms != 0 && (p = TAILQ_FIRST(&g->idleq)) != NULL &&
	        p->t_active + x->idle_timeout_ms <= now) {
		idleq_leave(p);
		g->idle_timeouts++;
		if (p->cli != NULL)
			tern_conn_abort(p->cli);
		if (p->be != NULL)
			tern_conn_abort(p->be);
	}
}

/* ---- stats ---- */

static void
sum_backend(const struct app *a, unsigned k, struct be_state *t)
{
	unsigned i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < a->nengines; i++) {
		const struct be_state *b = &px->eng[i].be[k];
		t->conns += b->conns;
		t->failures += b->failures;
		t->bytes_to += b->bytes_to;
		t->bytes_from += b->bytes_from;
		t->active += b->active;
		t->down |= b->down;
	}
}

static void
stats_extra(const struct app *a, FILE *out, double secs, bool final)
{
	uint64_t clients = 0, rejected = 0, active = 0, cto = 0, ito = 0, pw = 0;
	unsigned i, k;

	(void)secs;
	(void) final;
	for (i = 0; i < a->nengines; i++) {
		clients += px->eng[i].clients;
		rejected += px->eng[i].rejected;
		active += px->eng[i].active;
		cto += px->eng[i].connect_timeouts;
		ito += px->eng[i].idle_timeouts;
		pw += px->eng[i].port_waits;
	}
	fprintf(out,
	        " | clients %" PRIu64 " active %" PRIu64 " rejected %" PRIu64
	        " timeouts connect %" PRIu64 " idle %" PRIu64 " port_waits %" PRIu64,
	        clients, active, rejected, cto, ito, pw);
	for (k = 0; k < px->nbe; k++) {
		struct be_state t;
		sum_backend(a, k, &t);
		fprintf(out, " | %s %s conns %" PRIu64 " active %u fail %" PRIu64, px->be[k].name,
		        t.down ? "down" : "up", t.conns, t.active, t.failures);
	}
}

/* --metrics: the figures of the stats line and of each backend (label backend="IP:PORT"). */
static void
proxy_metrics(const struct app *a, FILE *out)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} eng_fields[] = {
	        {"tern_proxy_clients_total", "counter", "clients accepted",
	                offsetof(struct eng, clients)},
	        {"tern_proxy_rejected_total", "counter",
	                "clients reset: no backend left to try, or no local port in time",
	                offsetof(struct eng, rejected)},
	        {"tern_proxy_connect_timeouts_total", "counter",
	                "backend connects given up after --connect-timeout (or port waits)",
	                offsetof(struct eng, connect_timeouts)},
	        {"tern_proxy_idle_timeouts_total", "counter",
	                "pairs reset after --idle-timeout without data",
	                offsetof(struct eng, idle_timeouts)},
	        {"tern_proxy_port_waits_total", "counter",
	                "clients that waited for a local port or connection block",
	                offsetof(struct eng, port_waits)},
	};
	static const struct {
		const char *name, *type, *help;
	} be_fields[] = {
	        {"tern_proxy_backend_up", "gauge", "1 when no engine has the backend marked down"},
	        {"tern_proxy_backend_connections_total", "counter",
	                "backend connections established"},
	        {"tern_proxy_backend_failures_total", "counter",
	                "backend connects refused, timed out or unroutable"},
	        {"tern_proxy_backend_active", "gauge",
	                "open connections to the backend (connecting included)"},
	        {"tern_proxy_backend_sent_bytes_total", "counter",
	                "bytes from clients to the backend"},
	        {"tern_proxy_backend_received_bytes_total", "counter",
	                "bytes from the backend to clients"},
	};
	uint64_t active = 0;
	unsigned i, f, k;

	RTE_BUILD_BUG_ON(RTE_DIM(be_fields) != 6); /* the values v[] below */
	for (f = 0; f < RTE_DIM(eng_fields); f++) {
		uint64_t sum = 0;
		for (i = 0; i < a->nengines; i++)
			sum += *(const uint64_t *)((const char *)&px->eng[i] + eng_fields[f].off);
		app_metric_head(out, eng_fields[f].name, eng_fields[f].type, eng_fields[f].help);
		fprintf(out, "%s %" PRIu64 "\n", eng_fields[f].name, sum);
	}
	for (i = 0; i < a->nengines; i++)
		active += px->eng[i].active;
	app_metric_head(out, "tern_proxy_active", "gauge", "client-backend pairs alive");
	fprintf(out, "tern_proxy_active %" PRIu64 "\n", active);
	for (f = 0; f < RTE_DIM(be_fields); f++) {
		app_metric_head(out, be_fields[f].name, be_fields[f].type, be_fields[f].help);
		for (k = 0; k < px->nbe; k++) {
			struct be_state t;
			uint64_t v[] = {0, 0, 0, 0, 0, 0};

			sum_backend(a, k, &t);
			v[0] = !t.down;
			v[1] = t.conns;
			v[2] = t.failures;
			v[3] = t.active;
			v[4] = t.bytes_to;
			v[5] = t.bytes_from;
			fprintf(out, "%s{backend=\"%s\"} %" PRIu64 "\n", be_fields[f].name,
			        px->be[k].name, v[f]);
		}
	}
}

static void
final_summary(const struct app *a)
{
	unsigned k;

	for (k = 0; k < px->nbe; k++) {
		struct be_state t;
		sum_backend(a, k, &t);
		printf("tern-proxy: backend %s %s: conns %" PRIu64 " failures %" PRIu64
		       " bytes to %" PRIu64 " from %" PRIu64 "%s%s\n",
		        px->be[k].name, t.down ? "down" : "up", t.conns, t.failures, t.bytes_to,
		        t.bytes_from, px->be[k].pp != PP_NONE ? " proxy-protocol " : "",
		        px->be[k].pp != PP_NONE ? pp_version_name(px->be[k].pp) : "");
	}
}

/* ---- options ---- */

static bool
addr_eq(const struct tern_addr *a, const struct tern_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == TERN_AF_INET ? a->v4 == b->v4 : memcmp(a->v6, b->v6, 16) == 0;
}

/* "A.B.C.D" or "[X:X::X]" (brackets required, so that the port's colon is unambiguous). */
static int
parse_backend_addr(char *s, struct tern_addr *out)
{
	size_t n = strlen(s);
	struct in6_addr in6;

	memset(out, 0, sizeof(*out));
	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		s[n - 1] = '\0';
		if (inet_pton(AF_INET6, s + 1, &in6) != 1 || IN6_IS_ADDR_UNSPECIFIED(&in6) ||
		        IN6_IS_ADDR_MULTICAST(&in6) || IN6_IS_ADDR_LOOPBACK(&in6)) {
			s[n - 1] = ']';
			return -1;
		}
		s[n - 1] = ']';
		out->family = TERN_AF_INET6;
		memcpy(out->v6, &in6, 16);
		return 0;
	}
	out->family = TERN_AF_INET;
	return app_parse_ipv4(s, &out->v4) != 0 || out->v4 == 0 ? -1 : 0;
}

static void
parse_backends(struct app *a, struct proxy *x, const char *arg)
{
	const char *p = arg;

	if (*arg == '\0')
		app_usage_error(a, "--backend '': empty list (expected IP:PORT[,IP:PORT...])");
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char item[64], *colon, *slash;
		enum pp_version pp = PP_NONE;
		struct tern_addr ip;
		uint64_t port;
		unsigned k;

		if (n == 0)
			app_usage_error(a, "--backend '%s': empty entry in the list", arg);
		if (n >= sizeof(item))
			app_usage_error(a, "--backend '%s': entry too long", arg);
		memcpy(item, p, n);
		item[n] = '\0';
		slash = strchr(item, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (pp_parse_version(slash + 1, &pp) != 0)
				app_usage_error(a,
				        "--backend '%s': '/%s' is not /v1, /v2 or /none (PROXY "
				        "protocol)",
				        arg, slash + 1);
		}
		colon = strrchr(item, ':');
		if (colon == NULL || (item[0] == '[' && colon[-1] != ']'))
			app_usage_error(
			        a, "--backend '%s': '%s' is not IP:PORT or [IPv6]:PORT", arg, item);
		*colon = '\0';
		if (parse_backend_addr(item, &ip) != 0)
			app_usage_error(a,
			        "--backend '%s': '%s' is not an IPv4 address or a bracketed IPv6 "
			        "unicast address",
			        arg, item);
		if (app_parse_u64(colon + 1, 1, 65535, &port) != 0)
			app_usage_error(
			        a, "--backend '%s': port '%s' is not 1..65535", arg, colon + 1);
		for (k = 0; k < x->nbe; k++)
			if (addr_eq(&x->be[k].addr, &ip) && x->be[k].port == port)
				app_usage_error(a, "--backend '%s': %s:%s given twice", arg, item,
				        colon + 1);
		if (x->nbe == MAX_BACKENDS)
			app_usage_error(a, "--backend: at most %d backends", MAX_BACKENDS);
		x->be[x->nbe].addr = ip;
		x->be[x->nbe].port = (uint16_t)port;
		x->be[x->nbe].pp = pp;
		x->be[x->nbe].pp_given = slash != NULL;
		snprintf(x->be[x->nbe].name, sizeof(x->be[x->nbe].name), "%s:%u", item,
		        (unsigned)port);
		x->nbe++;
		if (end == NULL)
			break;
		p = end + 1;
	}
}

static void
usage(void)
{
	printf("Usage: tern-proxy [EAL options] -- --ip A.B.C.D/LEN --listen PORT "
	       "--backend IP:PORT[,IP:PORT...] [options]\n"
	       "TCP proxy: clients of PORT are spliced to backends (docs/PROXY.md).\n\n"
	       "  --listen PORT          TCP port for clients (required)\n"
	       "  --backend LIST         IP:PORT[/v1|/v2|/none][,...], up to %d; may be "
	       "repeated;\n"
	       "                         /v1, /v2: PROXY protocol for that backend (required)\n"
	       "                         IPv6 backends as [X:X::X]:PORT (with an IPv6 --ip);\n"
	       "  --lb rr|least-conn     backend choice: round robin (default) or fewest open\n"
	       "                         connections\n"
	       "  --connect-timeout MS   give up a backend connect after MS, 1..600000 (default "
	       "3000)\n"
	       "  --idle-timeout S       reset both sides after S seconds without data, 0 = "
	       "never,\n"
	       "                         0..86400 (default 300)\n"
	       "  --retry-down S         a backend that refused or timed out is not chosen for S\n"
	       "                         seconds, 1..3600 (default 10)\n"
	       "  --proxy-protocol v1|v2|none  PROXY protocol header to backends without "
	       "their own\n"
	       "                         /v1|/v2|/none (default none)\n"
	       "  --buffer BYTES         send and receive buffer of every connection, "
	       "2048..1073741824\n"
	       "                         (default 262144; --sndbuf / --rcvbuf override)\n\n"
	       "%s",
	        MAX_BACKENDS, app_common_usage);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {APP_COMMON_OPTS,
	        {"listen", required_argument, 0, 'l'}, {"backend", required_argument, 0, 'b'},
	        {"lb", required_argument, 0, 'L'}, {"connect-timeout", required_argument, 0, 'c'},
	        {"idle-timeout", required_argument, 0, 'i'},
	        {"retry-down", required_argument, 0, 'r'}, {"buffer", required_argument, 0, 'B'},
	        {"proxy-protocol", required_argument, 0, 'P'}, {0, 0, 0, 0}};
	static const struct tern_callbacks cb = {.accepted = on_accepted,
	        .connected = on_connected,
	        .readable = on_readable,
	        .writable = on_writable,
	        .closed = on_closed};
	struct app a = {.name = "tern-proxy", .cb = &cb, .setup = proxy_setup, .tick = proxy_tick};
	uint32_t buffer = 0;
	char ready[128];
	uint64_t v;
	unsigned k;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	px = calloc(1, sizeof(*px));
	if (px == NULL) {
		fprintf(stderr, "tern-proxy: out of memory\n");
		return 1;
	}
	px->connect_timeout_ms = 3000;
	px->idle_timeout_ms = 300000;
	px->retry_down_ms = 10000;
	px->a = &a;
	a.app = px;
	a.stats_extra = stats_extra;
	a.metrics = proxy_metrics;
	if (app_scan_args(&a, argc, argv)) {
		usage();
		return 0;
	}
	app_eal_init(&a, &argc, &argv);
	while ((opt = app_next_opt(&a, argc, argv, longopts)) != -1) {
		switch (opt) {
		case 'l':
			px->port = app_parse_listen(&a, optarg);
			break;
		case 'b':
			parse_backends(&a, px, optarg);
			break;
		case 'L':
			if (strcmp(optarg, "rr") == 0)
				px->lb = LB_RR;
			else if (strcmp(optarg, "least-conn") == 0)
				px->lb = LB_LEAST;
			else
				app_usage_error(&a, "--lb '%s': expected rr or least-conn", optarg);
			break;
		case 'c':
			if (app_parse_u64(optarg, 1, 600000, &v) != 0)
				app_usage_error(&a,
				        "--connect-timeout '%s': expected milliseconds, 1..600000",
				        optarg);
			px->connect_timeout_ms = (uint32_t)v;
			break;
		case 'i':
			if (app_parse_u64(optarg, 0, 86400, &v) != 0)
				app_usage_error(&a,
				        "--idle-timeout '%s': expected seconds, 0..86400", optarg);
			px->idle_timeout_ms = (uint32_t)v * 1000;
			break;
		case 'r':
			if (app_parse_u64(optarg, 1, 3600, &v) != 0)
				app_usage_error(
				        &a, "--retry-down '%s': expected seconds, 1..3600", optarg);
			px->retry_down_ms = (uint32_t)v * 1000;
			break;
		case 'B':
			if (app_parse_u64(optarg, 2048, 1u << 30, &v) != 0)
				app_usage_error(&a,
				        "--buffer '%s': expected bytes, 2048..1073741824", optarg);
			buffer = (uint32_t)v;
			break;
		case 'P':
			if (pp_parse_version(optarg, &px->pp) != 0)
				app_usage_error(&a,
				        "--proxy-protocol '%s': expected v1, v2 or none", optarg);
			break;
		case 'h':
			usage();
			return 0;
		default:
			app_usage_error(&a, "unexpected option");
		}
	}
	app_no_leftover(&a, argc, argv);
	if (px->port == 0)
		app_usage_error(&a, "--listen PORT is required");
	if (px->nbe == 0)
		app_usage_error(&a, "--backend IP:PORT[,IP:PORT...] is required");
	for (k = 0; k < px->nbe; k++) {
		const struct tern_addr *b = &px->be[k].addr;
		uint32_t mask = ~0u << (32 - a.o.prefix_len);

		if (b->family == TERN_AF_INET6) {
			if (!a.o.has_ip6)
				app_usage_error(&a,
				        "--backend %s: an IPv6 backend needs an IPv6 --ip "
				        "X:X::X/LEN",
				        px->be[k].name);
			if (memcmp(b->v6, a.o.ip6, 16) == 0)
				app_usage_error(&a, "--backend %s: that is our own address (--ip)",
				        px->be[k].name);
			continue;
		}
		if (a.o.ip == 0)
			continue;
		if (b->v4 == a.o.ip)
			app_usage_error(
			        &a, "--backend %s: that is our own address (--ip)", px->be[k].name);
		if ((b->v4 & mask) != (a.o.ip & mask) && a.o.gw == 0)
			app_usage_error(&a, "--backend %s: not on-link for --ip and no --gw given",
			        px->be[k].name);
	}
	for (k = 0; k < px->nbe; k++)
		if (!px->be[k].pp_given)
			px->be[k].pp = px->pp;
	if (buffer != 0) {
		if (a.o.rcvbuf == 0)
			a.o.rcvbuf = buffer;
		if (a.o.sndbuf == 0)
			a.o.sndbuf = buffer;
	}
	snprintf(ready, sizeof(ready), "proxy on port %u to %u backend%s (%s%s%s)", px->port,
	        px->nbe, px->nbe > 1 ? "s" : "", px->lb == LB_RR ? "rr" : "least-conn",
	        px->pp != PP_NONE ? ", proxy-protocol " : "",
	        px->pp != PP_NONE ? pp_version_name(px->pp) : "");
	a.ready_msg = ready;
	rc = app_run(&a);
	if (rc == 0)
		final_summary(&a);
	rte_eal_cleanup();
	free(px);
	return rc;
}
