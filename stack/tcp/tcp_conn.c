/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection block life cycle, event delivery, and the send and receive buffers
 * (RFC 9293 §3.10.2 SEND and §3.10.3 RECEIVE over them). stack/api/ wraps these for
 * the public API; the other user calls (open, close, abort, options) are tcp_user.c.
 *
 * Events are never delivered from inside the input path: input marks what happened
 * (conn_event) and the engine delivers the callbacks after the burst (conn_run_pending),
 * so application code never runs while a segment is half processed. A block is freed
 * in exactly one place: after its closed callback, or at once for connections the
 * application never saw (a SYN_RCVD reset, say).
 *
 * "Protocol done" and "application done" are separate: a connection that finishes its
 * close sequence (TIME_WAIT, or LAST_ACK acknowledged) before the application has called
 * tern_conn_close() keeps its block, off the flow table, so buffered data can still be
 * read; tern_conn_close() then delivers the closed event.
 *
 * Buffers are chains of single-segment mbufs linked through ->next (head->nb_segs and
 * pkt_len are not kept up to date). The send buffer may hold mbufs of any origin: the
 * engine's own data-only mbufs (tern_conn_send, data_off 0), and mbufs an application
 * handed over with tern_conn_send_mbuf(), typically received ones (headroom in front of
 * the payload, from any pool, possibly indirect). Segment building only reads them through
 * data_off/data_len (tcp_output.c copies the payload into each segment's own mbuf);
 * acknowledged bytes are trimmed with rte_pktmbuf_adj() and whole mbufs freed one segment
 * at a time. Bytes are only ever written into the tailroom of a send buffer mbuf that is
 * direct and not shared (sb_writable()).
 *
 * mbuf shortage: tern_conn_send() leaves the last pool_reserve() mbufs of the pool to the
 * engine (segments, ACKs, receiving), so an application filling its send buffers cannot
 * starve the transmission that would free them. A connection refused for want of mbufs
 * joins the engine's nobufs bitmap and gets a writable (or readable) event once the pool has
 * twice the reserve free again; conn_run_pending() looks at most once per millisecond.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"

static void
mq_free(struct rte_mbuf **head, struct rte_mbuf **tail)
{
	struct rte_mbuf *m = *head;

	while (m != NULL) {
		struct rte_mbuf *next = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	*head = *tail = NULL;
}

static void
mq_append(struct rte_mbuf **head, struct rte_mbuf **tail, struct rte_mbuf *m)
{
	m->next = NULL;
	if (*tail != NULL)
		(*tail)->next = m;
	else
		*head = m;
	*tail = m;
}

/* May bytes be appended to @p m's tailroom? Only if nobody else sees its buffer. */
static inline bool
sb_writable(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1;
}

/* Free mbufs the application's sends never take: 1/16 of the pool, 32..1024. */
static uint32_t
pool_reserve(const struct tern_engine *e)
{
	uint32_t r = e->pool->size / 16;

	return r < 32 ? 32 : r > 1024 ? 1024 : r;
}

/* Count the free mbufs (rte_mempool_avail_count() walks every lcore's cache: not per
 * burst) and judge. */
static void
pool_look(struct tern_engine *e)
{
	uint32_t avail = rte_mempool_avail_count(e->pool);

	e->tcp.pool_check_ms = e->now_ms;
	e->tcp.pool_est = (int64_t)avail;
	e->tcp.pool_low = avail < pool_reserve(e);
}

void
tcp_pool_rx(struct tern_engine *e, unsigned n)
{
	struct tcp_engine *tcp = &e->tcp;

	/* Each frame received took a fresh mbuf for the NIC: at worst none came back. */
	tcp->pool_est -= n;
	if (tcp->pool_check_ms != e->now_ms || tcp->pool_est < 2 * (int64_t)pool_reserve(e))
		pool_look(e);
}

/* May the application's send take one more mbuf? Not when the free count would fall to
 * the reserve. The count is the estimate (a lower bound: engine_alloc() and every frame
 * received lower it, returns to the pool do not raise it), counted again once per ms and
 * whenever it comes near twice the reserve: rte_mempool_avail_count() walks every lcore's
 * cache, too dear for each mbuf a send fills. */
static bool
pool_spare(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;

	if (tcp->pool_check_ms != e->now_ms || tcp->pool_est <= 2 * (int64_t)pool_reserve(e))
		pool_look(e);
	return tcp->pool_est > (int64_t)pool_reserve(e);
}

bool
tcp_pool_low(struct tern_engine *e)
{
	if (e->tcp.pool_check_ms != e->now_ms)
		pool_look(e);
	return e->tcp.pool_low;
}

/* @p c found the pool empty: deliver @p ev once mbufs are back. */
static void
conn_nobufs_wait(struct tern_conn *c, uint8_t ev)
{
	tern_count(conn_e(c), TERN_CTR_NOBUFS_WAIT, 1);
	c->wait_ev |= ev;
	if (!(c->flags & CONN_F_ON_WAIT)) {
		struct tcp_engine *tcp = &conn_e(c)->tcp;
		uint32_t i = (uint32_t)(c - tcp->conn_pool);

		c->flags |= CONN_F_ON_WAIT;
		tcp->nobufs[i / 64] |= UINT64_C(1) << (i % 64);
		tcp->nobufs_n++;
	}
}

static void
conn_nobufs_leave(struct tern_conn *c)
{
	if (c->flags & CONN_F_ON_WAIT) {
		struct tcp_engine *tcp = &conn_e(c)->tcp;
		uint32_t i = (uint32_t)(c - tcp->conn_pool);

		c->flags &= (uint32_t)~CONN_F_ON_WAIT;
		tcp->nobufs[i / 64] &= ~(UINT64_C(1) << (i % 64));
		tcp->nobufs_n--;
	}
	c->wait_ev = 0;
}

/* Wake the connections waiting for mbufs when the pool has refilled (once per ms), all of
 * them, in pool order. */
static void
nobufs_wake(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	uint32_t w, words = (e->conf.max_conns + 63) / 64;

	if (tcp->nobufs_n == 0 || tcp->nobufs_check_ms == e->now_ms)
		return;
	tcp->nobufs_check_ms = e->now_ms;
	if (rte_mempool_avail_count(e->pool) < 2 * pool_reserve(e))
		return;
	for (w = 0; w < words && tcp->nobufs_n > 0; w++) {
		while (tcp->nobufs[w] != 0) {
			struct tern_conn *c =
			        &tcp->conn_pool[w * 64 + (uint32_t)__builtin_ctzll(tcp->nobufs[w])];
			uint8_t ev = c->wait_ev;

			conn_nobufs_leave(c); /* clears its bit */
			tern_count(e, TERN_CTR_NOBUFS_WAKEUP, 1);
			conn_event(c, ev);
		}
	}
}

struct tern_conn *
conn_alloc(struct tern_engine *e, const struct flow_key *k)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tern_conn *c = tcp->conn_free;

	if (c == NULL)
		return NULL;
	tcp->conn_free = c->node.next == FLOW_NIL ? NULL : &tcp->conn_pool[c->node.next];
	memset(c, 0, sizeof(*c));
	c->node.key = *k;
	c->node.kind = FLOW_CONN;
	c->eid = tcp->eid;
	c->state = TERN_TCP_CLOSED;
	tcp->state_count[TERN_TCP_CLOSED]++;
	flow_peer6_ref(&tcp->flows, k); /* the block's own, until conn_free() */
	c->mss = tcp_our_mss(tcp, k);
	c->rcv_mss = c->mss < 536 ? c->mss : 536;
	c->rto_ms = e->conf.rto_init_ms;
	c->rtt_start_us = (uint32_t)(e->now_ns / 1000);
	c->cc_id = tcp->cc_id;
	c->dupthresh = SACK_DUPTHRESH;
	/* The congestion state and ts_offset (a SipHash) are set by the caller: an active open
	 * at once (its SYN may offer timestamps), a passive one when it takes the handshake's
	 * options (tcp_conn_take_syn: cc for the final MSS; ts_offset only with timestamps). */
	c->last_rx_ms = (uint32_t)e->now_ms;
	/* ka_id 0: the engine's keepalive and user-timeout settings */
	if (e->conf.nodelay)
		c->opt |= CONN_O_NODELAY;
	if (e->conf.keepalive)
		c->opt |= CONN_O_KEEPALIVE;
	c->timer = tcp->conn_timer0; /* twheel_timer_init(&c->timer, conn_timer_fn) */
	return c;
}

/*
 * The block every connection holds, idle or not (issue 12: compact connections). What only
 * loss recovery and reordering need is in struct tcp_conn_ext; keep it that way: a field
 * added here costs every connection, a field in the extension only the busy ones.
 */
#define TERN_CONN_BYTES 248
_Static_assert(sizeof(struct tern_conn) <= TERN_CONN_BYTES,
        "struct tern_conn outgrew its 248 bytes: move what is not per-segment to the "
        "extension (struct tcp_conn_ext) or the buffers (struct tcp_conn_io)");
_Static_assert(sizeof(struct tcp_conn_io) == 64, "a connection's buffers are one cache line");

struct tcp_conn_ext *
conn_ext_get(struct tern_conn *c)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;
	struct tcp_conn_ext *x = conn_x(c);

	if (likely(x != NULL))
		return x;
	c->ext_id = xpool_get(&tcp->ext_pool);
	if (c->ext_id == 0) {
		tern_count(conn_e(c), TERN_CTR_TCP_EXT_NOMEM, 1);
		return NULL;
	}
	x = conn_x(c);
	memset(x, 0, sizeof(*x));
	x->scb.high_rxt = c->snd_una;
	return x;
}

/* Give the extension back whatever it holds (the connection is going away). */
static void
conn_ext_put(struct tern_conn *c)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;
	struct tcp_conn_ext *x = conn_x(c);

	if (x == NULL)
		return;
	reass_purge(&x->reass, &tcp->reass);
	xpool_put(&tcp->ext_pool, c->ext_id);
	c->ext_id = 0;
	c->opt &= (uint8_t)~CONN_O_DSACK;
	c->flags &= (uint32_t)~CONN_F_RXT_WATCH;
}

void
conn_ext_trim(struct tern_conn *c)
{
	const struct tcp_conn_ext *x = conn_x(c);

	if (x == NULL || x->scb.n != 0 || x->reass.head != NULL || x->reass.has_fin ||
	        (c->flags & (CONN_F_RECOVERY | CONN_F_RXT_WATCH)) || (c->opt & CONN_O_DSACK) ||
	        (seq_gt(x->scb.high_rxt, c->snd_una) && seq_leq(x->scb.high_rxt, c->snd_max)))
		return;
	conn_ext_put(c);
}

struct tcp_conn_io *
conn_io_new(struct tern_conn *c)
{
	struct xpool *pool = &conn_e(c)->tcp.io_pool;
	struct tcp_conn_io *io;

	c->io_id = xpool_get(pool);
	if (unlikely(c->io_id == 0))
		return NULL;
	io = xpool_at(pool, c->io_id);
	memset(io, 0, sizeof(*io));
	return io;
}

/* The connection's buffers, taken from the pool when it has none (conn_io_new()). */
static inline struct tcp_conn_io *
io_get(struct tern_conn *c)
{
	return likely(c->io_id != 0) ? conn_io(c) : conn_io_new(c);
}

/* Give the buffers back when both are empty (never while a pointer to them is held). */
static inline void
io_trim(struct tern_conn *c)
{
	struct xpool *pool;
	const struct tcp_conn_io *io;

	if (c->io_id == 0)
		return;
	pool = &conn_e(c)->tcp.io_pool;
	io = xpool_at(pool, c->io_id);
	if (io->sb_head != NULL || io->rb_head != NULL)
		return;
	xpool_put(pool, c->io_id);
	c->io_id = 0;
}

void
tcp_no_route(struct tern_engine *e, const struct rte_mbuf *m)
{
	struct wire_tcp4_tuple tu;
	struct flow_node *n;
	struct flow_key k;
	struct tern_conn *c;

	if (!ipv4_frame_tuple(m, &tu))
		return;
	k = (struct flow_key){/* a frame of ours: we are its source */
	        .laddr = tu.src,
	        .raddr = tu.dst,
	        .lport = tu.sport,
	        .rport = tu.dport};
	n = flow_lookup(&e->tcp.flows, &k);
	if (n == NULL || n->kind != FLOW_CONN)
		return;
	c = (struct tern_conn *)n;
	if (c->state != TERN_TCP_SYN_SENT || (c->flags & CONN_F_DEAD))
		return;
	tern_count(e, TERN_CTR_TCP_CONNECT_FAIL, 1);
	conn_terminate(c, TERN_CLOSE_NO_ROUTE);
}

void
conn_accq_leave(struct tern_conn *c)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;
	struct tcp_listener *l = tcp->listeners[c->node.key.lport];

	if (!(c->flags & CONN_F_ACCQ))
		return;
	c->flags &= (uint32_t)~CONN_F_ACCQ;
	if (l != NULL && l->accq_len > 0)
		l->accq_len--;
	if (tcp->accq_total > 0)
		tcp->accq_total--;
}

static void
conn_free(struct tern_conn *c)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;

	conn_accq_leave(c);
	conn_nobufs_leave(c);
	if (c->io_id != 0) { /* unread data of a connection that ended (conn_finish()) */
		struct tcp_conn_io *io = conn_io(c);

		mq_free(&io->sb_head, &io->sb_tail);
		mq_free(&io->rb_head, &io->rb_tail);
		xpool_put(&tcp->io_pool, c->io_id);
		c->io_id = 0;
	}
	flow_peer6_unref(&tcp->flows, &c->node.key);
	if (c->ka_id != 0)
		tcp->ka[c->ka_id].ref--;
	tcp->state_count[c->state]--;
	c->state = TERN_TCP_CLOSED;
	c->node.kind = 0;
	c->node.next =
	        tcp->conn_free == NULL ? FLOW_NIL : (uint32_t)(tcp->conn_free - tcp->conn_pool);
	tcp->conn_free = c;
}

void
conn_set_state(struct tern_conn *c, enum tern_tcp_state s)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;

	tcp->state_count[c->state]--;
	tcp->state_count[s]++;
	c->state = (uint8_t)s;
}

void
conn_ev_link(struct tern_conn *c)
{
	if (!(c->flags & CONN_F_ON_EV)) {
		c->flags |= CONN_F_ON_EV;
		conn_list_add_tail(&conn_e(c)->tcp, &conn_e(c)->tcp.events, c, CONN_LK_EV);
	}
}

/* Off the events list, or off its listener's accept queue. */
static void
conn_ev_unlink(struct tern_conn *c)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;

	if (!(c->flags & CONN_F_ON_EV))
		return;
	conn_list_del(tcp,
	        (c->flags & CONN_F_IN_ACCQ) ? &tcp->listeners[c->node.key.lport]->accq
	                                    : &tcp->events,
	        c, CONN_LK_EV);
	c->flags &= (uint32_t) ~(CONN_F_ON_EV | CONN_F_IN_ACCQ);
}

void
conn_event(struct tern_conn *c, uint8_t ev)
{
	c->events |= ev;
	conn_ev_link(c);
}

void
conn_want_output(struct tern_conn *c)
{
	if (!(c->flags & (CONN_F_ON_OUT | CONN_F_DEAD))) {
		struct tcp_engine *tcp = &conn_e(c)->tcp;

		c->flags |= CONN_F_ON_OUT;
		conn_set_add(&tcp->output, (uint32_t)(c - tcp->conn_pool));
	}
}

/* Off the flow table, timers and output list: the protocol side is over. */
static void
conn_detach(struct tern_conn *c)
{
	struct tern_engine *e = conn_e(c);

	if (c->timers == 0 && tern_timer_pending(&c->timer))
		e->tcp.timers_stale--;
	twheel_cancel(&e->wheel, &c->timer);
	c->timers = 0;
	conn_ext_put(c);
	flow_remove(&e->tcp.flows, &c->node);
	if (c->flags & CONN_F_ON_OUT) {
		conn_set_del(&e->tcp.output, (uint32_t)(c - e->tcp.conn_pool));
		c->flags &= (uint32_t)~CONN_F_ON_OUT;
	}
	conn_nobufs_leave(c);
	if (c->io_id != 0) {
		struct tcp_conn_io *io = conn_io(c);

		mq_free(&io->sb_head, &io->sb_tail);
		io->sb_len = 0;
		io->sb_cur = NULL;
		io_trim(c);
	}
	c->flags |= CONN_F_DEAD;
}

void
conn_terminate(struct tern_conn *c, enum tern_close_reason why)
{
	if (c->flags & CONN_F_DEAD) {
		return;
	}
	conn_detach(c);
	conn_rb_discard(c);
	conn_set_state(c, TERN_TCP_CLOSED);
	c->close_reason = (uint8_t)why;
	if (c->flags & CONN_F_APP_KNOWS) {
		c->events = CONN_EV_CLOSED;
		conn_ev_link(c);
	} else {
		conn_ev_unlink(c);
		conn_free(c);
	}
}

/* The close sequence completed normally (see tcp.h). */
void
conn_finish(struct tern_conn *c)
{
	if ((c->flags & CONN_F_APP_CLOSED) || !(c->flags & CONN_F_APP_KNOWS) ||
	        conn_rb_len(c) == 0) {
		if (!(c->flags & CONN_F_APP_CLOSED) && (c->flags & CONN_F_APP_KNOWS)) {
			/* Nothing left to read: the EOF is all the application gets. */
			c->flags |= CONN_F_APP_CLOSED;
		}
		conn_terminate(c, TERN_CLOSE_NORMAL);
		return;
	}
	/* Unread data: keep the block (and the data) until tern_conn_close(). */
	conn_detach(c);
	c->close_reason = TERN_CLOSE_NORMAL;
	conn_event(c, CONN_EV_READABLE);
}

void
conn_time_wait(struct tern_conn *c)
{
	struct tern_engine *e = conn_e(c);

	flow_remove(&e->tcp.flows, &c->node);
	tw_enter(e, c);
	conn_set_state(c, TERN_TCP_TIME_WAIT);
	conn_finish(c);
}

void
conn_sb_ack(struct tern_conn *c, uint32_t bytes)
{
	struct tcp_conn_io *io;

	if (bytes == 0 || c->io_id == 0)
		return;
	io = conn_io(c);
	if (io->sb_cur != NULL && seq_lt(io->sb_cur_seq, c->snd_una + bytes))
		io->sb_cur = NULL; /* its mbuf is freed or trimmed below */
	io->sb_len -= bytes;
	while (bytes > 0 && io->sb_head != NULL) {
		struct rte_mbuf *m = io->sb_head;
		if (bytes < m->data_len) {
			rte_pktmbuf_adj(m, (uint16_t)bytes);
			return;
		}
		bytes -= m->data_len;
		io->sb_head = m->next;
		if (io->sb_head == NULL)
			io->sb_tail = NULL;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	io_trim(c);
}

void
conn_run_pending(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	const struct tern_callbacks *cb = e->conf.cb;
	void *app = e->conf.app;
	struct tern_conn *c;
	uint32_t i;

	nobufs_wake(e);
	do {
		while ((c = conn_list_pop(tcp, &tcp->events, CONN_LK_EV)) != NULL) {
			uint8_t ev = c->events;

			c->flags &= (uint32_t)~CONN_F_ON_EV;
			c->events = 0;
			if (ev & CONN_EV_CLOSED) {
				if (cb != NULL && cb->closed != NULL)
					cb->closed(c, (enum tern_close_reason)c->close_reason, app);
				conn_free(c);
				continue;
			}
			if (ev & (CONN_EV_ACCEPTED | CONN_EV_CONNECTED)) {
				c->flags |= CONN_F_APP_KNOWS;
				conn_accq_leave(c);
				if (cb != NULL && (ev & CONN_EV_ACCEPTED) && cb->accepted != NULL)
					cb->accepted(c, app);
				if (cb != NULL && (ev & CONN_EV_CONNECTED) && cb->connected != NULL)
					cb->connected(c, app);
			}
			if (c->events & CONN_EV_CLOSED)
				continue; /* closed from the callback: delivered next round */
			if ((ev & CONN_EV_READABLE) && cb != NULL && cb->readable != NULL)
				cb->readable(c, app);
			if (c->events & CONN_EV_CLOSED)
				continue;
			if ((ev & CONN_EV_WRITABLE) && cb != NULL && cb->writable != NULL)
				cb->writable(c, app);
		}
		while ((i = conn_set_pop(&tcp->output)) != CONN_NIL) {
			c = &tcp->conn_pool[i];
			c->flags &= (uint32_t)~CONN_F_ON_OUT;
			tcp_output(c);
			if (c->flags & CONN_F_DELACK_ARM)
				tcp_delack_arm(c);
		}
	} while (!conn_list_empty(&tcp->events));
}

/* Drop whatever the application left unread (tcp_close). */
void
conn_rb_discard(struct tern_conn *c)
{
	struct tcp_conn_io *io;

	if (c->io_id == 0)
		return;
	io = conn_io(c);
	mq_free(&io->rb_head, &io->rb_tail);
	io->rb_len = 0;
	io_trim(c);
}

ssize_t
tcp_send(struct tern_conn *c, const void *buf, size_t len)
{
	struct tern_engine *e = conn_e(c);
	const uint8_t *src = buf;
	struct tcp_conn_io *io;
	size_t done = 0, want;

	if (c->flags & (CONN_F_DEAD | CONN_F_FIN_QUEUED | CONN_F_APP_CLOSED))
		return -EPIPE;
	if (c->state != TERN_TCP_ESTABLISHED && c->state != TERN_TCP_CLOSE_WAIT)
		return -ENOTCONN;
	if (len == 0)
		return 0;
	io = io_get(c);
	if (io == NULL)
		return -ENOMEM;
	want = conn_sb_limit(c) - io->sb_len;
	if (want > len)
		want = len;
	while (done < want) {
		struct rte_mbuf *m = io->sb_tail;
		uint16_t room = m != NULL && sb_writable(m) ? rte_pktmbuf_tailroom(m) : 0;
		size_t n;

		if (room == 0) {
			/* The last mbufs of the pool stay with the engine (see the top). */
			if (!pool_spare(e) || (m = engine_alloc(e)) == NULL) {
				conn_nobufs_wait(c, CONN_EV_WRITABLE);
				break;
			}
			m->data_off = 0; /* data-only: use the whole buffer */
			mq_append(&io->sb_head, &io->sb_tail, m);
			room = rte_pktmbuf_tailroom(m);
		}
		n = want - done < room ? want - done : room;
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), src + done, n);
		done += n;
	}
	io->sb_len += (uint32_t)done;
	if (done < len || io->sb_len == conn_sb_limit(c))
		c->flags |= CONN_F_WANT_WRITE;
	if (done > 0)
		conn_want_output(c);
	else
		io_trim(c);
	if (done == 0 && want > 0)
		return -ENOBUFS;
	return (ssize_t)done;
}

/* @p c's application took bytes out of the receive buffer: update the window if useful. */
static void
rb_consumed(struct tern_conn *c)
{
	uint32_t old_wnd;

	if (c->flags & CONN_F_DEAD)
		return;
	/* Window update when the window we last advertised was small and reading opened it
	 * (tcp_rcv_window() moves rcv_adv only by a useful amount). Compared in bytes: the
	 * value it returns is the scaled header field. */
	old_wnd = c->rcv_adv - c->rcv_nxt;
	(void)tcp_rcv_window(c);
	if (c->rcv_adv - c->rcv_nxt > old_wnd && old_wnd < 2u * c->mss) {
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
	}
}

/* Take the head mbuf off the receive buffer (the caller accounts for rb_len). */
static struct rte_mbuf *
rb_pop(struct tcp_conn_io *io)
{
	struct rte_mbuf *m = io->rb_head;

	io->rb_head = m->next;
	if (io->rb_head == NULL)
		io->rb_tail = NULL;
	m->next = NULL;
	return m;
}

ssize_t
tcp_receive_mbuf(struct tern_conn *c, size_t max, struct rte_mbuf **out)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	struct tcp_conn_io *io;
	uint32_t done = 0;
	uint16_t nseg = 0;

	*out = NULL;
	if (conn_rb_len(c) == 0)
		return (c->flags & (CONN_F_FIN_RCVD | CONN_F_DEAD)) ? 0 : -EAGAIN;
	if (max == 0)
		return -EINVAL;
	io = conn_io(c);
	if (max > io->rb_len)
		max = io->rb_len;
	while (done < max && io->rb_head != NULL && nseg < UINT16_MAX) {
		struct rte_mbuf *m = io->rb_head;
		uint32_t n = m->data_len;

		if (n > max - done) {
			/* @p max cuts this mbuf: copy its first bytes into a fresh one. */
			struct rte_mbuf *p = engine_alloc(conn_e(c));

			if (p == NULL) {
				if (head != NULL)
					break;
				conn_nobufs_wait(c, CONN_EV_READABLE);
				return -ENOBUFS;
			}
			p->data_off = 0;
			n = (uint32_t)(max - done);
			if (n > rte_pktmbuf_tailroom(p))
				n = rte_pktmbuf_tailroom(p);
			memcpy(rte_pktmbuf_append(p, (uint16_t)n),
			        rte_pktmbuf_mtod(m, const void *), n);
			rte_pktmbuf_adj(m, (uint16_t)n);
			tern_count(conn_e(c), TERN_CTR_ZC_RX_COPIED, n);
			m = p;
		} else {
			rb_pop(io);
			if (n == 0) {
				rte_pktmbuf_free_seg(m);
				continue;
			}
		}
		m->next = NULL;
		m->nb_segs = 1;
		m->pkt_len = m->data_len;
		if (tail != NULL)
			tail->next = m;
		else
			head = m;
		tail = m;
		done += n;
		nseg++;
	}
	head->nb_segs = nseg;
	head->pkt_len = done;
	io->rb_len -= done;
	io_trim(c);
	rb_consumed(c);
	*out = head;
	return (ssize_t)done;
}

/* Segments up to this size are copied into the send buffer's tail when it has room, so a
 * stream of small segments does not pin one mbuf each. */
#define SB_COPY_MAX 512

int
tcp_send_mbuf(struct tern_conn *c, struct rte_mbuf *m)
{
	struct rte_mbuf *s, *next;
	struct tcp_conn_io *io;
	uint64_t len = 0;
	uint32_t nseg = 0;

	if (m == NULL)
		return -EINVAL;
	if (c->flags & (CONN_F_DEAD | CONN_F_FIN_QUEUED | CONN_F_APP_CLOSED))
		return -EPIPE;
	if (c->state != TERN_TCP_ESTABLISHED && c->state != TERN_TCP_CLOSE_WAIT)
		return -ENOTCONN;
	for (s = m; s != NULL; s = s->next) {
		len += s->data_len;
		if (++nseg > m->nb_segs)
			return -EINVAL;
	}
	if (nseg != m->nb_segs || len != m->pkt_len)
		return -EINVAL;
	if (len > conn_sb_limit(c))
		return -EMSGSIZE;
	if (len > conn_sb_limit(c) - conn_sb_len(c)) {
		c->flags |= CONN_F_WANT_WRITE;
		return -EAGAIN;
	}
	io = io_get(c);
	if (io == NULL)
		return -ENOMEM;
	for (s = m; s != NULL; s = next) {
		struct rte_mbuf *t = io->sb_tail;

		next = s->next;
		s->next = NULL;
		s->nb_segs = 1;
		s->pkt_len = s->data_len;
		if (s->data_len == 0) {
			rte_pktmbuf_free_seg(s);
			continue;
		}
		if (s->data_len <= SB_COPY_MAX && t != NULL && sb_writable(t) &&
		        rte_pktmbuf_tailroom(t) >= s->data_len) {
			memcpy(rte_pktmbuf_append(t, s->data_len),
			        rte_pktmbuf_mtod(s, const void *), s->data_len);
			tern_count(conn_e(c), TERN_CTR_ZC_TX_COPIED, s->data_len);
			rte_pktmbuf_free_seg(s);
			continue;
		}
		mq_append(&io->sb_head, &io->sb_tail, s);
	}
	io->sb_len += (uint32_t)len;
	if (io->sb_len == conn_sb_limit(c))
		c->flags |= CONN_F_WANT_WRITE;
	if (len > 0)
		conn_want_output(c);
	else
		io_trim(c);
	return 0;
}

ssize_t
tcp_receive(struct tern_conn *c, void *buf, size_t len)
{
	uint8_t *dst = buf;
	struct tcp_conn_io *io;
	size_t done = 0;

	if (conn_rb_len(c) == 0)
		return (c->flags & (CONN_F_FIN_RCVD | CONN_F_DEAD)) ? 0 : -EAGAIN;
	io = conn_io(c);
	while (done < len && io->rb_head != NULL) {
		struct rte_mbuf *m = io->rb_head;
		size_t n = len - done < m->data_len ? len - done : m->data_len;

		memcpy(dst + done, rte_pktmbuf_mtod(m, const uint8_t *), n);
		done += n;
		if (n == m->data_len) {
			rte_pktmbuf_free_seg(rb_pop(io));
		} else {
			rte_pktmbuf_adj(m, (uint16_t)n);
		}
	}
	io->rb_len -= (uint32_t)done;
	io_trim(c);
	rb_consumed(c);
	return (ssize_t)done;
}
