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
#include "health.h"
#include "pool.h"
#include "pp.h"

#define MAX_BACKENDS POOL_MAX
/** Backends known in one run: a pool has at most MAX_BACKENDS, reloads add slots. */
#define MAX_SLOTS    256
/** Most --allow (and --deny) rules. */
#define MAX_RULES    64

/**
 * A backend slot: one IP:PORT, for the whole run (pairs, counters and health refer to
 * backends by slot, so that a reload that keeps a backend keeps its figures and pairs).
 */
struct backend {
	uint32_t ip;
	uint16_t port;
	enum pp_version pp; /**< PROXY protocol header it gets (as last configured) */
	uint32_t weight;    /**< as last configured */
	bool in_pool;       /**< in the current pool */
	char name[80];      /* A.B.C.D:PORT */
};

/** A backend as the options give it. */
struct be_spec {
	uint32_t ip;
	uint16_t port;
	uint32_t weight;
	enum pp_version pp;
	bool pp_given; /**< pp from the entry's /v1|/v2|/none, not --proxy-protocol */
	char name[80];
};

/** The list of backends from the options (CLI, or a configuration file). */
struct be_list {
	unsigned n;
	struct be_spec be[MAX_BACKENDS];
};

/**
 * The pool the engines choose from: immutable once published (px->pool); an engine adopts a
 * new one at its next tick. Older ones are kept until exit (reloads are rare).
 */
struct pool_cfg {
	unsigned n;
	uint16_t slot[MAX_BACKENDS];
	uint32_t weight[MAX_BACKENDS];
	uint64_t key[MAX_BACKENDS]; /**< Maglev: a hash of the backend's name */
	enum pp_version pp[MAX_BACKENDS];
	struct pool_cfg *older;
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
	uint32_t hc_gen;   /**< down: health_up_gen[] when it went down */
};

struct pair;
TAILQ_HEAD(pair_q, pair);

/** Per-engine state. */
struct eng {
	struct be_state be[MAX_SLOTS];
	const struct pool_cfg *pool; /**< the pool this engine chooses from */
	int64_t swrr[MAX_BACKENDS];  /**< smooth weighted round robin state, per member */
	uint8_t *maglev;             /**< --lb maglev: lookup table (POOL_MAGLEV_M) */
	uint64_t maglev_members;     /**< the members it was built over */
	bool maglev_built;
	uint32_t maglev_next[MAX_BACKENDS];
	unsigned rr;
	struct pair_q connq;  /**< connecting, oldest first */
	struct pair_q idleq;  /**< spliced, least recently active first */
	struct pair_q portq;  /**< waiting for a local port (or connection block), FIFO */
	uint64_t port_try_ms; /**< when the head of portq was last retried */
	uint64_t port_waits;  /**< clients that had to wait for a local port */
	uint64_t clients;     /**< accepted */
	uint64_t rejected;    /**< reset: no backend left to try */
	uint64_t connect_timeouts, idle_timeouts, resets;
	uint32_t active;        /**< pairs alive */
	uint64_t refused_acl;   /**< SYNs refused by --allow / --deny */
	uint64_t refused_limit; /**< SYNs (or accepts) refused by --max-per-client */
	struct pair_q allq;     /**< every pair (the drain's reset walks it) */
	bool drain_started;     /**< the listener is closed */
	uint64_t drain_until;   /**< pairs still open then are reset */
	uint64_t drain_open;    /**< pairs open when the drain began */
	uint64_t drain_reset;   /**< pairs reset at the drain's end */
	uint8_t drained;        /**< draining and no pair left (the main lcore reads it) */
};

enum { C2B = 0, B2C = 1 };

/** What a connection's udata points to: the first byte of either says which. */
enum obj_kind { OBJ_PAIR = 0, OBJ_PROBE = 1 };

struct pair {
	uint8_t kind; /**< OBJ_PAIR */
	struct tern_conn *cli, *be;
	struct eng *g;
	int bi;                         /**< backend (slot) of be, -1 none */
	enum pp_version pp;             /**< PROXY protocol of that backend */
	uint64_t tried[MAX_SLOTS / 64]; /**< backends tried for this client (bit per slot) */
	uint64_t t_start;               /**< connect started (ms) */
	uint64_t t_active;              /**< last data moved (ms) */
	struct rte_mbuf *pend[2];       /**< chain the destination refused, per direction */
	bool connecting;
	bool in_connq, in_idleq, in_portq;
	uint64_t t_wait; /**< waiting for a local port since (ms) */
	bool be_timeout; /**< be aborted by the connect timeout */
	bool eof[2];     /**< the source of a direction sent its FIN (read to EOF) */
	bool shut[2];    /**< ... and the FIN was passed on (shutdown of the destination) */
	bool closing;    /**< both directions done: both connections closed */
	uint8_t hdr_len, hdr_off; /**< PROXY protocol header: length, bytes sent */
	uint8_t hdr[PP_HDR_MAX];  /**< ... sent on be before any byte of the client's */
	bool in_allq;
	bool counted;           /**< in px->clients (--max-per-client) */
	struct pool_addr caddr; /**< the client's address */
	TAILQ_ENTRY(pair) connq, idleq, portq, allq;
};

/** A health check in flight (engine 0's). */
struct probe {
	uint8_t kind; /**< OBJ_PROBE */
	struct tern_conn *c;
	unsigned slot;
	uint64_t t_start;
	bool done;      /**< its result is counted */
	bool timed_out; /**< aborted by --health-timeout */
	uint8_t got;    /**< bytes of the answer in buf */
	char buf[16];   /**< "HTTP/1.x NNN " */
};

/** A backend's health checks: engine 0 only, but for down (health_down[]) */
struct hc_slot {
	struct hc_track t;
	struct probe *probe; /**< in flight, or NULL */
	uint64_t next_ms;    /**< next check due (engine 0's clock) */
	uint64_t checks, failed;
};

enum lb { LB_RR, LB_LEAST, LB_MAGLEV };

static const char *const lb_names[] = {"rr", "least-conn", "maglev"};

struct proxy {
	uint16_t port;
	struct backend be[MAX_SLOTS]; /**< slots 0..nslots-1 */
	unsigned nslots;
	struct pool_cfg *pool; /**< current pool (written by the main lcore, engines read) */
	struct be_list cli_be; /**< --backend */
	enum lb lb;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms; /**< 0 = none */
	uint32_t retry_down_ms;
	enum pp_version pp; /**< --proxy-protocol: for backends without their own */
	struct hc_conf hc;  /**< --health-check and its timing */
	struct hc_slot hcs[MAX_SLOTS];
	uint8_t health_down[MAX_SLOTS];    /**< 1: the checks say down (engine 0 writes) */
	uint32_t health_up_gen[MAX_SLOTS]; /**< times the checks brought it up (engine 0) */
	uint64_t hc_scan_ms;               /**< engine 0: last look at the checks */
	uint32_t drain_timeout_ms;         /**< SIGTERM / SIGQUIT: open pairs get this long */
	const char *config;                /**< --config FILE, or NULL */
	uint32_t buffer;                   /**< --buffer, 0 = not given */
	/* clients: --allow / --deny (deny wins; with an allow list, only those), limit */
	struct pool_cidr allow[MAX_RULES], deny[MAX_RULES];
	unsigned nallow, ndeny;
	uint32_t max_per_client;      /**< 0 = no limit */
	struct pool_clients *clients; /**< connections per client address (every engine) */
	struct be_list file_be;       /**< the backends of the file */
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
	if (p->in_allq) {
		TAILQ_REMOVE(&p->g->allq, p, allq);
		p->in_allq = false;
	}
	if (p->counted)
		pool_clients_del(px->clients, &p->caddr);
	for (d = 0; d < 2; d++)
		rte_pktmbuf_free(p->pend[d]); /* NULL is a no-op */
	p->g->active--;
	free(p);
}

static bool
tried(const struct pair *p, unsigned slot)
{
	return (p->tried[slot / 64] >> (slot % 64)) & 1;
}

/* Not down by the health checks, nor on this engine (or due for a retry). A health check
 * that brought the backend up since this engine marked it down ends the mark. */
static bool
usable(struct eng *g, unsigned slot, uint64_t now)
{
	struct be_state *b = &g->be[slot];

	if (__atomic_load_n(&px->health_down[slot], __ATOMIC_RELAXED))
		return false;
	if (b->down && b->hc_gen != __atomic_load_n(&px->health_up_gen[slot], __ATOMIC_RELAXED))
		b->down = false;
	return !(b->down && now < b->retry_ms);
}

/* The newest pool, once per tick: its selection state starts afresh. */
static void
adopt_pool(struct eng *g)
{
	const struct pool_cfg *pc = __atomic_load_n(&px->pool, __ATOMIC_ACQUIRE);

	if (pc == g->pool)
		return;
	g->pool = pc;
	memset(g->swrr, 0, sizeof(g->swrr));
	g->rr = 0;
	g->maglev_built = false;
}

/* --lb maglev: the member for client @p p, from a table over the usable members (rebuilt
 * when that set changes); -1 when the member is not eligible (tried already) or none is. */
static int
pick_maglev(struct eng *g, const struct pair *p, uint64_t usable_m, uint64_t eligible)
{
	const struct pool_cfg *pc = g->pool;
	struct tern_tuple t;
	struct pool_addr ca;
	uint8_t k;

	if (g->maglev == NULL)
		return -1;
	if (!g->maglev_built || g->maglev_members != usable_m) {
		pool_maglev_build(g->maglev, g->maglev_next, pc->key, pc->weight, pc->n, usable_m);
		g->maglev_members = usable_m;
		g->maglev_built = true;
	}
	tern_conn_tuple(p->cli, &t);
	ca.v4 = t.raddr;
	k = pool_maglev_lookup(g->maglev, pool_addr_hash(&ca));
	if (k == POOL_MAGLEV_NONE || !(eligible & (1ull << k)))
		return -1;
	return k;
}

/* Choose a backend not yet tried for this client and not down (or due for a retry).
 * @return its index in g->pool, or -1. */
static int
pick_backend(struct eng *g, const struct pair *p, uint64_t now)
{
	const struct pool_cfg *pc = g->pool;
	uint64_t eligible = 0, usable_m = 0;
	int best = -1;
	unsigned i;

	for (i = 0; i < pc->n; i++) {
		if (!usable(g, pc->slot[i], now))
			continue;
		usable_m |= 1ull << i;
		if (!tried(p, pc->slot[i]))
			eligible |= 1ull << i;
	}
	if (eligible == 0)
		return -1;
	switch (px->lb) {
	case LB_MAGLEV:
		best = pick_maglev(g, p, usable_m, eligible);
		if (best >= 0)
			break;
		/* its backend failed for this client: the next by weight */
		__attribute__((fallthrough));
	case LB_RR:
		best = pool_swrr_pick(g->swrr, pc->weight, pc->n, eligible);
		break;
	case LB_LEAST:
		/* fewest open connections per unit of weight; ties in turn */
		for (i = 0; i < pc->n; i++) {
			unsigned k = (g->rr + i) % pc->n;
			uint64_t a, b;

			if (!(eligible & (1ull << k)))
				continue;
			if (best < 0) {
				best = (int)k;
				continue;
			}
			a = (uint64_t)g->be[pc->slot[k]].active * pc->weight[best];
			b = (uint64_t)g->be[pc->slot[best]].active * pc->weight[k];
			if (a < b)
				best = (int)k;
		}
		if (best >= 0)
			g->rr = ((unsigned)best + 1) % pc->n;
		break;
	}
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
	int mi = pick_backend(p->g, p, now);
	int bi = mi < 0 ? -1 : p->g->pool->slot[mi];
	struct tern_conn *be;

	if (bi < 0) {
		reject(p);
		return;
	}
	if (!queued && !TAILQ_EMPTY(&p->g->portq))
		be = NULL, rte_errno = EADDRNOTAVAIL; /* others wait already: behind them */
	else
		be = tern_connect(e, px->be[bi].ip, px->be[bi].port, 0, p);
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
	p->tried[bi / 64] |= 1ull << (bi % 64);
	p->be = be;
	p->bi = bi;
	p->pp = p->g->pool->pp[mi];
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
	b->hc_gen = __atomic_load_n(&px->health_up_gen[p->bi], __ATOMIC_RELAXED);
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
build_header(struct pair *p)
{
	struct tern_tuple t;
	struct pp_addrs a;

	p->hdr_len = p->hdr_off = 0;
	if (p->pp == PP_NONE || p->cli == NULL)
		return;
	tern_conn_tuple(p->cli, &t);
	a.src_ip = t.raddr;
	a.src_port = t.rport;
	a.dst_ip = t.laddr;
	a.dst_port = t.lport;
	p->hdr_len = (uint8_t)pp_encode(p->pp, p->hdr, sizeof(p->hdr), &a);
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

/* ---- active health checks (engine 0) ---- */

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
	pr->c = tern_connect(e, px->be[slot].ip, px->be[slot].port, 0, pr);
	if (pr->c == NULL) {
		free(pr); /* no local port or block now: the next millisecond */
		return;
	}
	hs->probe = pr;
	hs->next_ms = now + px->hc.interval_ms;
}

static void
probe_connected(struct probe *pr)
{
	char req[PP_HDR_MAX + HC_PATH_MAX + 160];
	size_t h;
	int n;

	if (px->hc.type == HC_TCP) {
		probe_result(pr, true, "");
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

static void
probe_readable(struct probe *pr)
{
	char why[48];
	ssize_t n;
	int st;

	if (pr->done) {
		char sink[512];
		while (tern_conn_recv(pr->c, sink, sizeof(sink)) > 0)
			;
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

static void
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
static void
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

/* ---- callbacks ---- */

/* --allow / --deny: may @p a connect? */
static bool
acl_allows(const struct pool_addr *a)
{
	unsigned i;

	for (i = 0; i < px->ndeny; i++)
		if (pool_cidr_match(&px->deny[i], a))
			return false;
	for (i = 0; i < px->nallow; i++)
		if (pool_cidr_match(&px->allow[i], a))
			return true;
	return px->nallow == 0;
}

/* The listener's SYN filter: the ACL and the per-client limit, before the stack spends
 * anything on the SYN (a refused one gets a RST). */
static bool
syn_filter(struct tern_engine *e, const struct tern_tuple *t, void *arg)
{
	struct eng *g = eng_of(e);
	struct pool_addr a = {.v4 = t->raddr};

	(void)arg;
	if (!acl_allows(&a)) {
		g->refused_acl++;
		return false;
	}
	if (px->max_per_client != 0 && pool_clients_count(px->clients, &a) >= px->max_per_client) {
		g->refused_limit++;
		return false;
	}
	return true;
}

static void
on_accepted(struct tern_conn *c, void *app)
{
	struct pair *p = calloc(1, sizeof(*p));
	struct tern_tuple t;

	(void)app;
	if (p == NULL) {
		tern_conn_abort(c);
		return;
	}
	tern_conn_tuple(c, &t);
	p->caddr.v4 = t.raddr;
	if (px->max_per_client != 0) {
		/* SYNs of one client that raced past the filter: the limit holds here */
		enum pool_client_verdict v =
		        pool_clients_add(px->clients, &p->caddr, px->max_per_client);

		if (v == POOL_CLIENT_LIMIT) {
			eng_of(tern_conn_engine(c))->refused_limit++;
			free(p);
			tern_conn_abort(c);
			return;
		}
		p->counted = v == POOL_CLIENT_OK;
	}
	p->g = eng_of(tern_conn_engine(c));
	p->g->clients++;
	p->g->active++;
	TAILQ_INSERT_TAIL(&p->g->allq, p, allq);
	p->in_allq = true;
	p->cli = c;
	p->bi = -1;
	tern_conn_set_udata(c, p);
	start_connect(p, false);
}

static void
on_connected(struct tern_conn *c, void *app)
{
	struct pair *p = tern_conn_udata(c);
	struct be_state *b;

	(void)app;
	if (p->kind == OBJ_PROBE) {
		probe_connected((struct probe *)p);
		return;
	}
	b = &p->g->be[p->bi];
	connq_leave(p);
	p->connecting = false;
	b->conns++;
	b->down = false;
	build_header(p);
	touch(p, tern_engine_now_ms(tern_conn_engine(c)));
	pump(p, C2B);
	pump(p, B2C);
}

static void
on_readable(struct tern_conn *c, void *app)
{
	struct pair *p = tern_conn_udata(c);

	(void)app;
	if (p != NULL && p->kind == OBJ_PROBE)
		probe_readable((struct probe *)p);
	else if (p != NULL)
		pump(p, c == p->cli ? C2B : B2C);
}

static void
on_writable(struct tern_conn *c, void *app)
{
	struct pair *p = tern_conn_udata(c);

	(void)app;
	if (p != NULL && p->kind == OBJ_PAIR)
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
	if (p->kind == OBJ_PROBE) {
		probe_closed((struct probe *)p, why);
		return;
	}
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
	int rc;

	TAILQ_INIT(&g->connq);
	TAILQ_INIT(&g->idleq);
	TAILQ_INIT(&g->portq);
	TAILQ_INIT(&g->allq);
	adopt_pool(g);
	if (x->lb == LB_MAGLEV && (g->maglev = malloc(POOL_MAGLEV_M)) == NULL)
		return -ENOMEM;
	rc = tern_listen(e, x->port, 0);
	if (rc == 0 && (x->nallow != 0 || x->ndeny != 0 || x->max_per_client != 0))
		rc = tern_listen_filter(e, x->port, syn_filter, NULL);
	return rc;
}

/*
 * Draining (SIGTERM, SIGQUIT): close the listener (new SYNs get a RST), let the pairs finish;
 * at --drain-timeout reset those left. Engine 0 stops the app once every engine is empty.
 */
static void
drain_tick(struct tern_engine *e, struct eng *g, unsigned idx, uint64_t now)
{
	struct pair *p;
	unsigned i;

	if (!app_draining())
		return;
	if (!g->drain_started) {
		g->drain_started = true;
		g->drain_until = now + px->drain_timeout_ms;
		g->drain_open = g->active;
		tern_unlisten(e, px->port);
	}
	if (g->active > 0 && now >= g->drain_until) {
		while ((p = TAILQ_FIRST(&g->allq)) != NULL) {
			TAILQ_REMOVE(&g->allq, p, allq);
			p->in_allq = false;
			g->drain_reset++;
			if (p->cli != NULL)
				tern_conn_abort(p->cli);
			if (p->be != NULL)
				tern_conn_abort(p->be);
		}
	}
	if (g->active == 0)
		__atomic_store_n(&g->drained, 1, __ATOMIC_RELEASE);
	if (idx != 0)
		return;
	for (i = 0; i < px->a->nengines; i++)
		if (!__atomic_load_n(&px->eng[i].drained, __ATOMIC_ACQUIRE))
			return;
	app_request_stop();
}

/* After every poll: connect and idle timeouts, looking at the list heads only. */
static void
proxy_tick(struct tern_engine *e, unsigned idx, void *app)
{
	struct proxy *x = app;
	struct eng *g = &x->eng[tern_engine_id(e)];
	uint64_t now = tern_engine_now_ms(e);
	struct pair *p;

	adopt_pool(g);
	drain_tick(e, g, idx, now);
	if (idx == 0)
		health_tick(e, g, now);
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
	t->down |= __atomic_load_n(&px->health_down[k], __ATOMIC_RELAXED) != 0;
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
	if (px->nallow != 0 || px->ndeny != 0 || px->max_per_client != 0) {
		uint64_t acl = 0, lim = 0;

		for (i = 0; i < a->nengines; i++) {
			acl += px->eng[i].refused_acl;
			lim += px->eng[i].refused_limit;
		}
		fprintf(out, " refused acl %" PRIu64 " limit %" PRIu64, acl, lim);
	}
	for (k = 0; k < px->nslots; k++) {
		struct be_state t;
		sum_backend(a, k, &t);
		if (!px->be[k].in_pool && t.active == 0)
			continue; /* removed by a reload, and done */
		fprintf(out, " | %s %s conns %" PRIu64 " active %u fail %" PRIu64, px->be[k].name,
		        !px->be[k].in_pool ? "removed"
		        : t.down           ? "down"
		                           : "up",
		        t.conns, t.active, t.failures);
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
	        {"tern_proxy_acl_refused_total", "counter",
	                "connections refused by --allow / --deny (RST to the SYN)",
	                offsetof(struct eng, refused_acl)},
	        {"tern_proxy_limit_refused_total", "counter",
	                "connections refused by --max-per-client",
	                offsetof(struct eng, refused_limit)},
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
		for (k = 0; k < __atomic_load_n(&px->nslots, __ATOMIC_ACQUIRE); k++) {
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

	for (k = 0; k < px->nslots; k++) {
		const struct backend *be = &px->be[k];
		struct be_state t;
		char w[80] = "";
		int n = 0;

		sum_backend(a, k, &t);
		if (be->weight != 1)
			n = snprintf(w, sizeof(w), " weight %u", be->weight);
		if (px->hc.type != HC_NONE)
			snprintf(w + n, sizeof(w) - (size_t)n,
			        " health checks %" PRIu64 " failed %" PRIu64, px->hcs[k].checks,
			        px->hcs[k].failed);
		printf("tern-proxy: backend %s %s: conns %" PRIu64 " failures %" PRIu64
		       " bytes to %" PRIu64 " from %" PRIu64 "%s%s%s\n",
		        be->name,
		        !be->in_pool ? "removed"
		        : t.down     ? "down"
		                     : "up",
		        t.conns, t.failures, t.bytes_to, t.bytes_from, w,
		        be->pp != PP_NONE ? " proxy-protocol " : "",
		        be->pp != PP_NONE ? pp_version_name(be->pp) : "");
	}
}

/* After a drain: what became of the pairs open at the signal. */
static void
drain_summary(const struct app *a)
{
	uint64_t open = 0, reset = 0;
	unsigned i;

	for (i = 0; i < a->nengines; i++) {
		open += px->eng[i].drain_open;
		reset += px->eng[i].drain_reset;
	}
	printf("tern-proxy: drained: %" PRIu64 " pairs open at the signal, %" PRIu64
	       " finished, %" PRIu64 " reset at --drain-timeout %u s\n",
	        open, open >= reset ? open - reset : 0, reset, px->drain_timeout_ms / 1000);
}

/* ---- options ---- */

/** getopt_long values of the options without a char. */
enum {
	OPT_HEALTH_CHECK = APP_OPT_COMMON_END,
	OPT_HEALTH_INTERVAL,
	OPT_HEALTH_TIMEOUT,
	OPT_HEALTH_RISE,
	OPT_HEALTH_FALL,
	OPT_DRAIN_TIMEOUT,
	OPT_CONFIG,
	OPT_ALLOW,
	OPT_DENY,
	OPT_MAX_PER_CLIENT,
};

static const struct option longopts[] = {APP_COMMON_OPTS, {"listen", required_argument, 0, 'l'},
        {"backend", required_argument, 0, 'b'}, {"lb", required_argument, 0, 'L'},
        {"connect-timeout", required_argument, 0, 'c'}, {"idle-timeout", required_argument, 0, 'i'},
        {"retry-down", required_argument, 0, 'r'}, {"buffer", required_argument, 0, 'B'},
        {"proxy-protocol", required_argument, 0, 'P'},
        {"health-check", required_argument, 0, OPT_HEALTH_CHECK},
        {"health-interval", required_argument, 0, OPT_HEALTH_INTERVAL},
        {"health-timeout", required_argument, 0, OPT_HEALTH_TIMEOUT},
        {"health-rise", required_argument, 0, OPT_HEALTH_RISE},
        {"health-fall", required_argument, 0, OPT_HEALTH_FALL},
        {"drain-timeout", required_argument, 0, OPT_DRAIN_TIMEOUT},
        {"config", required_argument, 0, OPT_CONFIG}, {"allow", required_argument, 0, OPT_ALLOW},
        {"deny", required_argument, 0, OPT_DENY},
        {"max-per-client", required_argument, 0, OPT_MAX_PER_CLIENT}, {0, 0, 0, 0}};

/*
 * One backend entry: IP:PORT followed by any of /v1, /v2, /none (PROXY protocol) and
 * /weight=N, in any order. @return 0, or -1 with the reason in @p err.
 */
static int
parse_backend(const char *item0, struct be_spec *b, char *err, size_t errlen)
{
	char item[64], *colon, *slash, *next;
	uint64_t port, w;
	bool pp_seen = false, w_seen = false;

	if (strlen(item0) >= sizeof(item))
		return snprintf(err, errlen, "entry too long"), -1;
	strcpy(item, item0);
	memset(b, 0, sizeof(*b));
	b->weight = 1;
	for (slash = strchr(item, '/'); slash != NULL; slash = next) {
		*slash++ = '\0';
		next = strchr(slash, '/');
		if (next != NULL)
			*next = '\0';
		if (strncmp(slash, "weight=", 7) == 0) {
			if (w_seen)
				return snprintf(err, errlen, "/weight given twice"), -1;
			if (app_parse_u64(slash + 7, 1, POOL_WEIGHT_MAX, &w) != 0)
				return snprintf(err, errlen, "'/%s' is not /weight=1..%d", slash,
				               POOL_WEIGHT_MAX),
				       -1;
			b->weight = (uint32_t)w;
			w_seen = true;
		} else if (!pp_seen && pp_parse_version(slash, &b->pp) == 0) {
			b->pp_given = pp_seen = true;
		} else {
			return snprintf(err, errlen,
			               "'/%s' is not /v1, /v2 or /none (PROXY protocol) nor "
			               "/weight=N",
			               slash),
			       -1;
		}
		if (next != NULL)
			*next = '/';
	}
	colon = strrchr(item, ':');
	if (colon == NULL)
		return snprintf(err, errlen, "'%s' is not IP:PORT", item), -1;
	*colon = '\0';
	if (app_parse_ipv4(item, &b->ip) != 0 || b->ip == 0)
		return snprintf(err, errlen, "'%s' is not an IPv4 address", item), -1;
	if (app_parse_u64(colon + 1, 1, 65535, &port) != 0)
		return snprintf(err, errlen, "port '%s' is not 1..65535", colon + 1), -1;
	b->port = (uint16_t)port;
	snprintf(b->name, sizeof(b->name), "%s:%u", item, (unsigned)port);
	return 0;
}

/* Add the comma-separated entries of @p arg to @p l. @return 0, or -1 with @p err set
 * (the whole message, "--backend 'ARG': ..."). */
static int
parse_backends(struct be_list *l, const char *arg, char *err, size_t errlen)
{
	const char *p = arg;
	char why[160];

	if (*arg == '\0')
		return snprintf(err, errlen,
		               "--backend '': empty list (expected IP:PORT[,IP:PORT...])"),
		       -1;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char item[128];
		unsigned k;

		if (n == 0)
			return snprintf(
			               err, errlen, "--backend '%s': empty entry in the list", arg),
			       -1;
		if (n >= sizeof(item))
			return snprintf(err, errlen, "--backend '%s': entry too long", arg), -1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (l->n == MAX_BACKENDS)
			return snprintf(
			               err, errlen, "--backend: at most %d backends", MAX_BACKENDS),
			       -1;
		if (parse_backend(item, &l->be[l->n], why, sizeof(why)) != 0)
			return snprintf(err, errlen, "--backend '%s': %s", arg, why), -1;
		for (k = 0; k < l->n; k++)
			if (l->be[k].ip == l->be[l->n].ip && l->be[k].port == l->be[l->n].port)
				return snprintf(err, errlen, "--backend '%s': %s given twice", arg,
				               l->be[k].name),
				       -1;
		l->n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

/* Each backend of @p l is reachable from --ip. @return 0, or -1 with @p err set. */
static int
check_backends(const struct app *a, const struct be_list *l, char *err, size_t errlen)
{
	uint32_t mask = ~0u << (32 - a->o.prefix_len);
	unsigned k;

	for (k = 0; k < l->n && a->o.ip != 0; k++) {
		if (l->be[k].ip == a->o.ip)
			return snprintf(err, errlen, "--backend %s: that is our own address (--ip)",
			               l->be[k].name),
			       -1;
		if ((l->be[k].ip & mask) != (a->o.ip & mask) && a->o.gw == 0)
			return snprintf(err, errlen,
			               "--backend %s: not on-link for --ip and no --gw given",
			               l->be[k].name),
			       -1;
	}
	return 0;
}

/* The slot of IP:PORT, a new one when never seen. @return it, or -1 when all are used. */
static int
slot_of(const struct be_spec *b)
{
	unsigned k;

	for (k = 0; k < px->nslots; k++)
		if (px->be[k].ip == b->ip && px->be[k].port == b->port)
			return (int)k;
	if (px->nslots == MAX_SLOTS)
		return -1;
	k = px->nslots;
	px->be[k].ip = b->ip;
	px->be[k].port = b->port;
	snprintf(px->be[k].name, sizeof(px->be[k].name), "%s", b->name);
	__atomic_store_n(&px->nslots, k + 1, __ATOMIC_RELEASE);
	return (int)k;
}

/*
 * Make the backends of @p file then those of @p cli (either may be NULL; an IP:PORT in both
 * takes the command line's weight and PROXY protocol) the engines' pool: slots found or
 * made, the snapshot published; engines adopt it at their next tick.
 * @return 0, or -1 when the run has used every slot (nothing changed).
 */
static int
pool_publish(const struct be_list *file, const struct be_list *cli)
{
	const struct be_list *ls[2] = {file, cli};
	struct pool_cfg *pc = calloc(1, sizeof(*pc));
	unsigned j, k, i;
	bool in[MAX_SLOTS] = {false};

	if (pc == NULL)
		return -1;
	for (j = 0; j < 2; j++) {
		for (k = 0; ls[j] != NULL && k < ls[j]->n; k++) {
			const struct be_spec *b = &ls[j]->be[k];
			unsigned c;
			int slot;

			for (c = 0; j == 0 && cli != NULL && c < cli->n; c++)
				if (cli->be[c].ip == b->ip && cli->be[c].port == b->port)
					b = &cli->be[c];
			if (pc->n == MAX_BACKENDS)
				break;
			if ((slot = slot_of(b)) < 0) {
				free(pc);
				return -1;
			}
			if (in[slot])
				continue;
			in[slot] = true;
			i = pc->n++;
			pc->slot[i] = (uint16_t)slot;
			pc->weight[i] = b->weight;
			pc->key[i] = pool_name_key(b->name);
			pc->pp[i] = b->pp_given ? b->pp : px->pp;
		}
	}
	for (k = 0; k < px->nslots; k++)
		px->be[k].in_pool = in[k];
	for (i = 0; i < pc->n; i++) {
		px->be[pc->slot[i]].weight = pc->weight[i];
		px->be[pc->slot[i]].pp = pc->pp[i];
	}
	pc->older = px->pool;
	__atomic_store_n(&px->pool, pc, __ATOMIC_RELEASE);
	return 0;
}

/* --allow / --deny LIST: CIDR[,CIDR...] added to @p rules. */
static void
parse_rules(
        const struct app *a, const char *opt, const char *arg, struct pool_cidr *rules, unsigned *n)
{
	const char *p = arg;

	if (*arg == '\0')
		app_usage_error(a, "--%s '': empty list (expected A.B.C.D[/LEN][,...])", opt);
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		char item[64];

		if (len == 0 || len >= sizeof(item))
			app_usage_error(
			        a, "--%s '%s': empty or overlong entry in the list", opt, arg);
		if (*n == MAX_RULES)
			app_usage_error(a, "--%s: at most %d rules", opt, MAX_RULES);
		memcpy(item, p, len);
		item[len] = '\0';
		if (pool_cidr_parse(item, &rules[*n]) != 0)
			app_usage_error(a, "--%s '%s': '%s' is not A.B.C.D or A.B.C.D/LEN (0..32)",
			        opt, arg, item);
		++*n;
		if (end == NULL)
			break;
		p = end + 1;
	}
}

/* ---- configuration file ---- */

static void apply_opt(struct app *a, int opt, const char *arg, struct be_list *bl);

/*
 * One line of a configuration file: "NAME [VALUE]", NAME a long option (the leading "--"
 * optional), VALUE the rest of the line without the spaces around it. Empty lines and lines
 * starting with '#' are skipped. @return the line's option (its getopt value), 0 for a line
 * with none, or -1 with the reason in @p err; *val points at the value (NULL: none).
 */
static int
config_line(char *line, char **val, char *err, size_t errlen)
{
	char *name = line, *end;
	size_t n;
	unsigned k;

	*val = NULL;
	while (*name == ' ' || *name == '\t')
		name++;
	n = strlen(name);
	while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\r' || name[n - 1] == ' ' ||
	                        name[n - 1] == '\t'))
		name[--n] = '\0';
	if (*name == '\0' || *name == '#')
		return 0;
	if (strncmp(name, "--", 2) == 0)
		name += 2;
	end = name + strcspn(name, " \t");
	if (*end != '\0') {
		*end++ = '\0';
		while (*end == ' ' || *end == '\t')
			end++;
		*val = end;
	}
	for (k = 0; longopts[k].name != NULL; k++) {
		if (strcmp(longopts[k].name, name) != 0)
			continue;
		if (longopts[k].val == 'h' || longopts[k].val == OPT_CONFIG)
			break;
		if (longopts[k].has_arg == required_argument && *val == NULL)
			return snprintf(err, errlen, "'%s' needs a value", name), -1;
		if (longopts[k].has_arg == no_argument && *val != NULL)
			return snprintf(err, errlen, "'%s' takes no value", name), -1;
		return longopts[k].val;
	}
	return snprintf(err, errlen, "'%s' is not an option of tern-proxy", name), -1;
}

/*
 * --config FILE at start: every line applied as its option would be (common options too),
 * before the command line, which then overrides it (backends: adds, and an IP:PORT given in
 * both takes the command line's suffixes). An error is the usual one line and exit 2, with
 * FILE:LINE in front.
 */
static void
read_config(struct app *a, const char *path)
{
	const char *name = a->name;
	char line[1024], where[PATH_MAX + 64], err[256], *val;
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int opt;

	if (f == NULL)
		app_usage_error(a, "--config '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s: %s:%u", name, path, lineno);
		a->name = where; /* app_usage_error says where */
		if (strchr(line, '\n') == NULL && !feof(f))
			app_usage_error(a, "line longer than %zu bytes", sizeof(line) - 2);
		opt = config_line(line, &val, err, sizeof(err));
		if (opt < 0)
			app_usage_error(a, "%s", err);
		if (opt == 0)
			continue;
		if (app_common_opt(a, opt, val) == 0)
			apply_opt(a, opt, val, &px->file_be);
	}
	a->name = name;
	fclose(f);
}

/* SIGHUP: the backends of the file. @return 0, or -1 with @p err set (nothing changed). */
static int
read_backends(const char *path, struct be_list *l, char *err, size_t errlen)
{
	char line[1024], why[256], *val;
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int opt;

	if (f == NULL)
		return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
	memset(l, 0, sizeof(*l));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		opt = config_line(line, &val, why, sizeof(why));
		if (opt == 'b' && parse_backends(l, val, why, sizeof(why)) != 0)
			opt = -1;
		if (opt < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* SIGHUP (the main lcore): a new pool from the file's backends and --backend. Pairs keep
 * their backends, removed or not; new clients get the new pool once each engine has seen it
 * (its next tick). Anything wrong: one line, and the pool stays as it was. */
static void
proxy_reload(struct app *a)
{
	struct be_list l;
	char err[512];
	unsigned k, added = 0, kept = 0, removed = 0;
	bool was[MAX_SLOTS];

	if (px->config == NULL) {
		printf("tern-proxy: reload: no --config file, nothing to reload\n");
		return;
	}
	if (read_backends(px->config, &l, err, sizeof(err)) != 0 ||
	        check_backends(a, &l, err, sizeof(err)) != 0) {
		printf("tern-proxy: reload failed, pool unchanged: %s\n", err);
		return;
	}
	if (l.n == 0 && px->cli_be.n == 0) {
		printf("tern-proxy: reload failed, pool unchanged: %s has no backend\n",
		        px->config);
		return;
	}
	for (k = 0; k < MAX_SLOTS; k++)
		was[k] = k < px->nslots && px->be[k].in_pool;
	if (pool_publish(&l, &px->cli_be) != 0) {
		printf("tern-proxy: reload failed, pool unchanged: more than %d backends in one "
		       "run\n",
		        MAX_SLOTS);
		return;
	}
	px->file_be = l;
	for (k = 0; k < px->nslots; k++) {
		added += !was[k] && px->be[k].in_pool;
		kept += was[k] && px->be[k].in_pool;
		removed += was[k] && !px->be[k].in_pool;
	}
	printf("tern-proxy: reload: pool of %u backends (%u added, %u kept, %u removed):",
	        px->pool->n, added, kept, removed);
	for (k = 0; k < px->pool->n; k++) {
		printf(" %s", px->be[px->pool->slot[k]].name);
		if (px->pool->weight[k] != 1)
			printf("/weight=%u", px->pool->weight[k]);
	}
	printf("\n");
}

static void
usage(void)
{
	printf("Usage: tern-proxy [EAL options] -- --ip A.B.C.D/LEN --listen PORT "
	       "--backend IP:PORT[,IP:PORT...] [options]\n"
	       "TCP proxy: clients of PORT are spliced to backends (docs/PROXY.md).\n\n"
	       "  --listen PORT          TCP port for clients (required)\n"
	       "  --backend LIST         IP:PORT[/v1|/v2|/none][/weight=N][,...], up to %d; "
	       "may be\n"
	       "                         repeated; /v1, /v2: PROXY protocol for that backend;\n"
	       "                         /weight=N: 1..%d, its share (default 1) (required)\n"
	       "  --lb rr|least-conn|maglev  backend choice: smooth weighted round robin "
	       "(default),\n"
	       "                         fewest open connections per weight, or Maglev "
	       "consistent\n"
	       "                         hashing of the client's address\n"
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
	       "  --health-check tcp|http:/PATH[=STATUS]|none  active checks of every backend:\n"
	       "                         connect, or GET PATH answered STATUS (default 200);\n"
	       "                         state changes logged (default none: failures only)\n"
	       "  --health-interval MS   a check of each backend every MS, 100..3600000 "
	       "(default 2000)\n"
	       "  --health-timeout MS    a check not done in MS fails, 1..3600000 (default 1000)\n"
	       "  --health-rise N, --health-fall N  passes (failures) in a row to go up (down),\n"
	       "                         1..100 (default 2 and 3)\n"
	       "  --drain-timeout S      SIGTERM / SIGQUIT: stop accepting, give open pairs S\n"
	       "                         seconds, then reset them, 0..86400 (default 30)\n"
	       "  --allow LIST, --deny LIST  A.B.C.D[/LEN][,...]: clients allowed (only those,\n"
	       "                         when given) and refused (first); checked at the SYN:\n"
	       "                         a refused client gets a RST, nothing else is spent\n"
	       "  --max-per-client N     open connections per client address, 1..1000000 "
	       "(default\n"
	       "                         no limit); one more SYN gets a RST\n"
	       "  --config FILE          options from FILE, one \"NAME VALUE\" a line (common\n"
	       "                         options too); the command line overrides or adds;\n"
	       "                         SIGHUP re-reads its backend lines (docs/PROXY.md)\n"
	       "  --buffer BYTES         send and receive buffer of every connection, "
	       "2048..1073741824\n"
	       "                         (default 262144; --sndbuf / --rcvbuf override)\n\n"
	       "%s",
	        MAX_BACKENDS, POOL_WEIGHT_MAX, app_common_usage);
}

/* The proxy's option @p opt with its argument: from the command line or a configuration
 * file line; backends go to @p bl. A bad value exits with the one-line error. */
static void
apply_opt(struct app *a, int opt, const char *arg, struct be_list *bl)
{
	char err[256];
	uint64_t v;

	switch (opt) {
	case 'l':
		px->port = app_parse_listen(a, arg);
		break;
	case 'b':
		if (parse_backends(bl, arg, err, sizeof(err)) != 0)
			app_usage_error(a, "%s", err);
		break;
	case 'L':
		if (strcmp(arg, "rr") == 0)
			px->lb = LB_RR;
		else if (strcmp(arg, "least-conn") == 0)
			px->lb = LB_LEAST;
		else if (strcmp(arg, "maglev") == 0)
			px->lb = LB_MAGLEV;
		else
			app_usage_error(a, "--lb '%s': expected rr, least-conn or maglev", arg);
		break;
	case 'c':
		if (app_parse_u64(arg, 1, 600000, &v) != 0)
			app_usage_error(
			        a, "--connect-timeout '%s': expected milliseconds, 1..600000", arg);
		px->connect_timeout_ms = (uint32_t)v;
		break;
	case 'i':
		if (app_parse_u64(arg, 0, 86400, &v) != 0)
			app_usage_error(a, "--idle-timeout '%s': expected seconds, 0..86400", arg);
		px->idle_timeout_ms = (uint32_t)v * 1000;
		break;
	case 'r':
		if (app_parse_u64(arg, 1, 3600, &v) != 0)
			app_usage_error(a, "--retry-down '%s': expected seconds, 1..3600", arg);
		px->retry_down_ms = (uint32_t)v * 1000;
		break;
	case 'B':
		if (app_parse_u64(arg, 2048, 1u << 30, &v) != 0)
			app_usage_error(a, "--buffer '%s': expected bytes, 2048..1073741824", arg);
		px->buffer = (uint32_t)v;
		break;
	case 'P':
		if (pp_parse_version(arg, &px->pp) != 0)
			app_usage_error(a, "--proxy-protocol '%s': expected v1, v2 or none", arg);
		break;
	case OPT_HEALTH_CHECK:
		if (hc_parse(arg, &px->hc, err, sizeof(err)) != 0)
			app_usage_error(a, "--health-check '%s': %s", arg, err);
		break;
	case OPT_HEALTH_INTERVAL:
		if (app_parse_u64(arg, 100, 3600000, &v) != 0)
			app_usage_error(a,
			        "--health-interval '%s': expected milliseconds, "
			        "100..3600000",
			        arg);
		px->hc.interval_ms = (uint32_t)v;
		break;
	case OPT_HEALTH_TIMEOUT:
		if (app_parse_u64(arg, 1, 3600000, &v) != 0)
			app_usage_error(
			        a, "--health-timeout '%s': expected milliseconds, 1..3600000", arg);
		px->hc.timeout_ms = (uint32_t)v;
		break;
	case OPT_HEALTH_RISE:
	case OPT_HEALTH_FALL:
		if (app_parse_u64(arg, 1, 100, &v) != 0)
			app_usage_error(a, "--health-%s '%s': expected 1..100",
			        opt == OPT_HEALTH_RISE ? "rise" : "fall", arg);
		*(opt == OPT_HEALTH_RISE ? &px->hc.rise : &px->hc.fall) = (uint32_t)v;
		break;
	case OPT_DRAIN_TIMEOUT:
		if (app_parse_u64(arg, 0, 86400, &v) != 0)
			app_usage_error(a, "--drain-timeout '%s': expected seconds, 0..86400", arg);
		px->drain_timeout_ms = (uint32_t)v * 1000;
		break;
	case OPT_CONFIG:
		break; /* read before the other options (read_config) */
	case OPT_ALLOW:
	case OPT_DENY:
		parse_rules(a, opt == OPT_ALLOW ? "allow" : "deny", arg,
		        opt == OPT_ALLOW ? px->allow : px->deny,
		        opt == OPT_ALLOW ? &px->nallow : &px->ndeny);
		break;
	case OPT_MAX_PER_CLIENT:
		if (app_parse_u64(arg, 1, 1000000, &v) != 0)
			app_usage_error(a, "--max-per-client '%s': expected 1..1000000", arg);
		px->max_per_client = (uint32_t)v;
		break;
	default:
		app_usage_error(a, "unexpected option");
	}
}

int
main(int argc, char **argv)
{
	static const struct tern_callbacks cb = {.accepted = on_accepted,
	        .connected = on_connected,
	        .readable = on_readable,
	        .writable = on_writable,
	        .closed = on_closed};
	struct app a = {.name = "tern-proxy", .cb = &cb, .setup = proxy_setup, .tick = proxy_tick};
	char ready[384], health[HC_PATH_MAX + 96] = "", rules[96] = "", err[256];
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
	px->hc.interval_ms = 2000;
	px->hc.timeout_ms = 1000;
	px->hc.rise = 2;
	px->hc.fall = 3;
	px->drain_timeout_ms = 30000;
	px->a = &a;
	a.app = px;
	a.stats_extra = stats_extra;
	a.metrics = proxy_metrics;
	a.reload = proxy_reload;
	a.drain = true;
	if (app_scan_args(&a, argc, argv)) {
		usage();
		return 0;
	}
	app_eal_init(&a, &argc, &argv);
	for (k = 1; k < (unsigned)argc; k++) { /* the file first: the command line wins */
		if (strcmp(argv[k], "--config") == 0 && k + 1 < (unsigned)argc)
			px->config = argv[k + 1];
		else if (strncmp(argv[k], "--config=", 9) == 0)
			px->config = argv[k] + 9;
	}
	if (px->config != NULL)
		read_config(&a, px->config);
	while ((opt = app_next_opt(&a, argc, argv, longopts)) != -1) {
		if (opt == 'h') {
			usage();
			return 0;
		}
		apply_opt(&a, opt, optarg, &px->cli_be);
	}
	app_no_leftover(&a, argc, argv);
	if (px->port == 0)
		app_usage_error(&a, "--listen PORT is required");
	if (px->cli_be.n == 0 && px->file_be.n == 0)
		app_usage_error(&a, "--backend IP:PORT[,IP:PORT...] is required");
	if (check_backends(&a, &px->file_be, err, sizeof(err)) != 0 ||
	        check_backends(&a, &px->cli_be, err, sizeof(err)) != 0)
		app_usage_error(&a, "%s", err);
	if (pool_publish(&px->file_be, &px->cli_be) != 0)
		app_usage_error(&a, "out of memory");
	if (px->buffer != 0) {
		if (a.o.rcvbuf == 0)
			a.o.rcvbuf = px->buffer;
		if (a.o.sndbuf == 0)
			a.o.sndbuf = px->buffer;
	}
	if (px->hc.type != HC_NONE)
		snprintf(health, sizeof(health),
		        ", health check %s%s every %u ms, timeout %u ms, rise %u fall %u",
		        px->hc.type == HC_TCP ? "tcp" : "http:",
		        px->hc.type == HC_TCP ? "" : px->hc.path, px->hc.interval_ms,
		        px->hc.timeout_ms, px->hc.rise, px->hc.fall);
	if (px->nallow != 0 || px->ndeny != 0)
		snprintf(rules, sizeof(rules), ", clients: %u allow %u deny rules", px->nallow,
		        px->ndeny);
	if (px->max_per_client != 0)
		snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules),
		        ", at most %u per client", px->max_per_client);
	snprintf(ready, sizeof(ready), "proxy on port %u to %u backend%s (%s%s%s%s%s)", px->port,
	        px->pool->n, px->pool->n > 1 ? "s" : "", lb_names[px->lb],
	        px->pp != PP_NONE ? ", proxy-protocol " : "",
	        px->pp != PP_NONE ? pp_version_name(px->pp) : "", health, rules);
	a.ready_msg = ready;
	if (px->max_per_client != 0 && (px->clients = calloc(1, sizeof(*px->clients))) == NULL)
		app_usage_error(&a, "out of memory");
	rc = app_run(&a);
	if (rc == 0)
		final_summary(&a);
	if (rc == 0 && app_draining())
		drain_summary(&a);
	rte_eal_cleanup();
	for (k = 0; k < RTE_MAX_LCORE; k++)
		free(px->eng[k].maglev);
	while (px->pool != NULL) {
		struct pool_cfg *o = px->pool->older;
		free(px->pool);
		px->pool = o;
	}
	free(px->clients);
	free(px);
	return rc;
}
