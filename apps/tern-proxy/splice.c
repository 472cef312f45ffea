/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-proxy's pairs. Each accepted client gets a connection to a backend opened from the
 * same engine (tern_connect), chosen from the engine's copy of the pool by smooth weighted
 * round robin, least connections per weight or Maglev (pool.c); the two are spliced with the
 * zero-copy calls (docs/PROXY.md).
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
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "proxy.h"

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
	uint8_t k;

	if (g->maglev == NULL)
		return -1;
	if (!g->maglev_built || g->maglev_members != usable_m) {
		pool_maglev_build(g->maglev, g->maglev_next, pc->key, pc->weight, pc->n, usable_m);
		g->maglev_members = usable_m;
		g->maglev_built = true;
	}
	k = pool_maglev_lookup(g->maglev, pool_addr_hash(&p->caddr));
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
		/* fewest open connections per unit of weight, counted over every engine (each
		 * engine's own counts would balance each engine, not the backends); ties in
		 * turn */
		for (i = 0; i < pc->n; i++) {
			unsigned k = (g->rr + i) % pc->n;
			uint64_t a, b;

			if (!(eligible & (1ull << k)))
				continue;
			if (best < 0) {
				best = (int)k;
				continue;
			}
			a = (uint64_t)__atomic_load_n(
			            &px->be_active[pc->slot[k]], __ATOMIC_RELAXED) *
			    pc->weight[best];
			b = (uint64_t)__atomic_load_n(
			            &px->be_active[pc->slot[best]], __ATOMIC_RELAXED) *
			    pc->weight[k];
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

/* The member of the engine's pool that @p p waits for (its earlier choice), while it is
 * still in the pool, usable and not tried; else -1 (choose again). */
static int
wanted_member(struct eng *g, const struct pair *p, uint64_t now)
{
	const struct pool_cfg *pc = g->pool;
	unsigned i;

	if (p->want < 0)
		return -1;
	for (i = 0; i < pc->n; i++)
		if (pc->slot[i] == (unsigned)p->want)
			return usable(g, (unsigned)p->want, now) && !tried(p, (unsigned)p->want)
			               ? (int)i
			               : -1;
	return -1;
}

/*
 * Open a connection to the next backend for @p p's client, or reset the client.
 * A local shortage (every port toward the backend busy or in a TIME_WAIT too young to
 * reuse, or no connection block) is not the backend's fault and is usually over within a
 * second: the client waits on the engine's port queue, in arrival order, and the tick
 * retries the head (for at most --connect-timeout). Clients behind it do not jump it. A
 * waiting client keeps the backend chosen for it (choosing again at every retry moved the
 * balance state on each time, and the shares went to whichever backend had a port free).
 */
static void
start_connect(struct pair *p, bool queued)
{
	struct tern_engine *e = tern_conn_engine(p->cli);
	uint64_t now = tern_engine_now_ms(e);
	int mi = wanted_member(p->g, p, now);
	int bi;
	struct tern_conn *be;

	if (mi < 0)
		mi = pick_backend(p->g, p, now);
	bi = mi < 0 ? -1 : p->g->pool->slot[mi];
	p->want = -1;

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
		p->want = bi;
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
	if (px->lb == LB_LEAST) /* (the only reader: other modes keep engines apart) */
		__atomic_fetch_add(&px->be_active[bi], 1, __ATOMIC_RELAXED);
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
	struct tern_addr src, dst;
	struct pp_addrs a;

	p->hdr_len = p->hdr_off = 0;
	if (p->pp == PP_NONE || p->cli == NULL)
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

/* ---- callbacks ---- */

/* A client's address as the pool keys it. */
static void
client_addr(const struct tern_addr *ra, struct pool_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->v6 = ra->family == TERN_AF_INET6;
	if (a->v6)
		memcpy(a->b6, ra->v6, 16);
	else
		a->v4 = ra->v4;
}

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
syn_filter(struct tern_engine *e, const struct tern_syn_info *syn, void *arg)
{
	struct eng *g = eng_of(e);
	struct pool_addr a;

	client_addr(&syn->raddr, &a);
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
	struct tern_addr ra;

	(void)app;
	if (p == NULL) {
		tern_conn_abort(c);
		return;
	}
	tern_conn_peer(c, &ra, NULL);
	client_addr(&ra, &p->caddr);
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
	p->want = -1;
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
	if (px->lb == LB_LEAST)
		__atomic_fetch_sub(&px->be_active[p->bi], 1, __ATOMIC_RELAXED);
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

int
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

void
proxy_stopping(struct tern_engine *e, unsigned idx, void *app)
{
	struct proxy *x = app;
	struct eng *g = &x->eng[tern_engine_id(e)];

	(void)idx;
	/* A second signal that came before this engine's next tick: its drain never started,
	 * but its pairs were open at the (first) signal all the same (the drained line said
	 * "0 pairs open at the signal, ..., 1 reset by a second signal"). */
	if (app_draining() && !g->drain_started)
		g->drain_open = g->active;
	/* (app_run() aborts every connection next: both sides of each pair get a RST) */
	g->stop_reset = g->active;
}

/* After every poll: connect and idle timeouts, looking at the list heads only. */
void
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

const struct tern_callbacks proxy_callbacks = {.accepted = on_accepted,
        .connected = on_connected,
        .readable = on_readable,
        .writable = on_writable,
        .closed = on_closed};
