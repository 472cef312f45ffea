/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-engine TCP state: set-up and tear-down of the flow table, connection pool,
 * TIME_WAIT table and listeners.
 */
#include <errno.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "engine/engine.h"
#include "tcp/tcp.h"

struct tern_engine *tcp_engines[TCP_MAX_ENGINES];
static rte_spinlock_t tcp_engines_lock = RTE_SPINLOCK_INITIALIZER;

/* Give @p e an index in tcp_engines (engines may be created on several threads). */
static int
engine_slot_take(struct tern_engine *e)
{
	unsigned i;
	int rc = -ENOSPC;

	rte_spinlock_lock(&tcp_engines_lock);
	for (i = 0; i < TCP_MAX_ENGINES; i++) {
		if (tcp_engines[i] == NULL) {
			tcp_engines[i] = e;
			e->tcp.eid = (uint8_t)i;
			e->tcp.has_eid = true;
			rc = 0;
			break;
		}
	}
	rte_spinlock_unlock(&tcp_engines_lock);
	return rc;
}

static void
engine_slot_give(struct tern_engine *e)
{
	if (!e->tcp.has_eid)
		return;
	rte_spinlock_lock(&tcp_engines_lock);
	tcp_engines[e->tcp.eid] = NULL;
	e->tcp.has_eid = false;
	rte_spinlock_unlock(&tcp_engines_lock);
}

int
tcp_init(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	const struct tern_engine_conf *conf = &e->conf;
	struct siphash_key fk = {.k0 = conf->secret[0] ^ 0x666c6f77, .k1 = conf->secret[1]};
	bool own_key = conf->clock_key[0] != 0 || conf->clock_key[1] != 0;
	const uint64_t *ck = own_key ? conf->clock_key : conf->secret;
	uint32_t i;
	int rc;

	rc = engine_slot_take(e);
	if (rc != 0)
		return rc; /* TCP_MAX_ENGINES engines already */
	tcp->isn_key.k0 = ck[0];
	tcp->isn_key.k1 = ck[1];
	tcp->mss = (uint16_t)(conf->mtu - 40);
	tcp->mss6 = (uint16_t)(conf->mtu - 60); /* at least 1220: the IPv6 minimum MTU (1280) */
	tcp->tw_ms = 2 * conf->msl_ms;
	tcp->ts_key.k0 = ck[0] ^ 0x7473;
	tcp->ts_key.k1 = ck[1] + 0x7323;
	tcp->ts_memo_laddr = tcp->ts_memo_raddr = 0; /* the memo starts exact */
	tcp->ts_memo_hash = ts_offset4(tcp, 0, 0);
	tcp_clock_base(e);
	tcp->cc_id = tcp_cc_id(tcp_cc_find(conf->cc));
	twheel_timer_init(&tcp->conn_timer0, conn_timer_fn);
	tcp->ka[0].idle_ms = conf->keepidle_ms;
	tcp->ka[0].intvl_ms = conf->keepintvl_ms;
	tcp->ka[0].user_timeout_ms = conf->user_timeout_ms;
	tcp->ka[0].cnt = conf->keepcnt;
	/* The smallest shift that lets the window field say the whole buffer. */
	while (tcp->wscale < 14 && (conf->rcvbuf >> tcp->wscale) > 65535)
		tcp->wscale++;
	rc = reass_pool_init(&tcp->reass, conf->reass_segs, (int)rte_socket_id());
	if (rc != 0)
		return rc;
	conn_list_init(&tcp->events);
	rc = flow_init(&tcp->flows, conf->max_conns + conf->max_tw + conf->synq_size,
	        nd_enabled(&e->nd) ? conf->max_conns + conf->max_tw + conf->synq_size : 0, &fk);
	if (rc != 0)
		return rc;
	tcp->listeners = rte_zmalloc_socket(
	        "tern_listeners", sizeof(*tcp->listeners) * 65536, 0, rte_socket_id());
	tcp->conn_pool = rte_zmalloc_socket("tern_conns", sizeof(*tcp->conn_pool) * conf->max_conns,
	        RTE_CACHE_LINE_SIZE, rte_socket_id());
	/* the output set: a bit per block, a bit per word of those, a bit per word of these */
	tcp->output.w = rte_zmalloc_socket("tern_output",
	        sizeof(uint64_t) * ((conf->max_conns + 63) / 64), 0, rte_socket_id());
	tcp->output.mid = rte_zmalloc_socket("tern_output",
	        sizeof(uint64_t) * ((conf->max_conns + 4095) / 4096), 0, rte_socket_id());
	tcp->output.top = rte_zmalloc_socket("tern_output",
	        sizeof(uint64_t) * ((conf->max_conns + 262143) / 262144), 0, rte_socket_id());
	if (tcp->output.top != NULL) /* conn_set_pop() reads top[] from then on */
		tcp->output.ntop = (conf->max_conns + 262143) / 262144;
	tcp->nobufs = rte_zmalloc_socket("tern_nobufs",
	        sizeof(*tcp->nobufs) * ((conf->max_conns + 63) / 64), 0, rte_socket_id());
	if (tcp->listeners == NULL || tcp->conn_pool == NULL || tcp->nobufs == NULL ||
	        tcp->output.w == NULL || tcp->output.mid == NULL || tcp->output.top == NULL)
		return -ENOMEM;
	/* extensions and buffers: taken from the heap as connections need them */
	rc = xpool_init(&tcp->ext_pool, "tern_conn_ext", sizeof(struct tcp_conn_ext),
	        conf->conn_ext, (int)rte_socket_id());
	if (rc == 0)
		rc = xpool_init(&tcp->io_pool, "tern_conn_io", sizeof(struct tcp_conn_io),
		        conf->max_conns, (int)rte_socket_id());
	if (rc != 0)
		return rc;
	flow_set_pool(&tcp->flows, FLOW_CONN, tcp->conn_pool, sizeof(*tcp->conn_pool));
	for (i = conf->max_conns; i-- > 0;) {
		tcp->conn_pool[i].node.next = i + 1 < conf->max_conns ? i + 1 : FLOW_NIL;
		tcp->conn_free = &tcp->conn_pool[i];
	}
	if (nd_enabled(&e->nd))
		e->nd.ptb_hook = tcp_ptb6; /* RFC 8201: a connection's MSS */
	rc = tcp_listen_init(e);
	if (rc == 0)
		rc = ephemeral_init(e);
	if (rc != 0)
		return rc;
	return tw_init(e, conf->max_tw);
}

unsigned
tcp_abort_all(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	unsigned n = 0;
	uint32_t i;

	for (i = 0; tcp->conn_pool != NULL && i < e->conf.max_conns; i++) {
		struct tern_conn *c = &tcp->conn_pool[i];

		if (c->node.kind != FLOW_CONN || (c->flags & CONN_F_DEAD))
			continue;
		tcp_abort(c);
		n++;
	}
	conn_run_pending(e); /* closed callbacks; frees the blocks */
	return n;
}

void
tcp_fini(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	uint32_t i;

	if (tcp->conn_pool != NULL) {
		for (i = 0; i < e->conf.max_conns; i++) {
			struct tern_conn *c = &tcp->conn_pool[i];
			if (c->node.kind != FLOW_CONN)
				continue;
			if (!(c->flags & CONN_F_DEAD))
				conn_terminate(c, TERN_CLOSE_ENGINE);
			else if (!(c->events & CONN_EV_CLOSED) && (c->flags & CONN_F_APP_KNOWS))
				tcp_close(c);
		}
		conn_run_pending(e); /* closed callbacks; frees the blocks */
	}
	tcp_listen_fini(e);
	for (i = 0; tcp->listeners != NULL && tcp->nlisteners > 0 && i < 65536; i++) {
		if (tcp->listeners[i] != NULL) {
			rte_free(tcp->listeners[i]);
			tcp->nlisteners--;
		}
	}
	rte_free(tcp->listeners);
	rte_free(tcp->conn_pool);
	xpool_fini(&tcp->ext_pool);
	xpool_fini(&tcp->io_pool);
	rte_free(tcp->nobufs);
	rte_free(tcp->output.w);
	rte_free(tcp->output.mid);
	rte_free(tcp->output.top);
	tw_fini(e);
	reass_pool_fini(&tcp->reass);
	flow_fini(&tcp->flows);
	tcp->listeners = NULL;
	tcp->conn_pool = NULL;
	tcp->nobufs = NULL;
	tcp->output = (struct conn_set){0};
	engine_slot_give(e);
}
