/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection block life cycle and the public connection API.
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
 * joins the engine's nobufs list and gets a writable (or readable) event once the pool has
 * twice the reserve free again; conn_run_pending() looks at most once per millisecond.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
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

/* @p c found the pool empty: deliver @p ev once mbufs are back. */
static void
conn_nobufs_wait(struct tern_conn *c, uint8_t ev)
{
	tern_count(c->e, TERN_CTR_NOBUFS_WAIT, 1);
	c->wait_ev |= ev;
	if (!tern_list_linked(&c->wait_link))
		tern_list_add_tail(&c->e->tcp.nobufs, &c->wait_link);
}

static void
conn_nobufs_leave(struct tern_conn *c)
{
	if (tern_list_linked(&c->wait_link))
		tern_list_del(&c->wait_link);
	c->wait_ev = 0;
}

/* Wake the connections waiting for mbufs when the pool has refilled (once per ms). */
static void
nobufs_wake(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tern_list *l;

	if (tern_list_empty(&tcp->nobufs) || tcp->nobufs_check_ms == e->now_ms)
		return;
	tcp->nobufs_check_ms = e->now_ms;
	if (rte_mempool_avail_count(e->pool) < 2 * pool_reserve(e))
		return;
	while ((l = tern_list_first(&tcp->nobufs)) != NULL) {
		struct tern_conn *c = tern_container_of(l, struct tern_conn, wait_link);
		uint8_t ev = c->wait_ev;

		conn_nobufs_leave(c);
		tern_count(e, TERN_CTR_NOBUFS_WAKEUP, 1);
		conn_event(c, ev);
	}
}

struct tern_conn *
conn_alloc(struct tern_engine *e, const struct flow_key *k)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tern_conn *c = tcp->conn_free;

	if (c == NULL)
		return NULL;
	tcp->conn_free = (struct tern_conn *)c->node.next;
	memset(c, 0, sizeof(*c));
	c->node.key = *k;
	c->node.kind = FLOW_CONN;
	c->e = e;
	c->state = TERN_TCP_CLOSED;
	tcp->state_count[TERN_TCP_CLOSED]++;
	c->mss = tcp->mss;
	c->rcv_mss = c->mss < 536 ? c->mss : 536;
	c->rb_limit = e->conf.rcvbuf;
	c->sb_limit = e->conf.sndbuf;
	c->rto_ms = e->conf.rto_init_ms;
	c->rtt_start_us = e->now_ns / 1000;
	c->cc_ops = tcp->cc;
	c->dupthresh = SACK_DUPTHRESH;
	c->cc_ops->init(&c->cc, c->mss, e->now_ns / 1000);
	c->ts_offset = tcp_ts_offset(tcp, k);
	c->last_rx_ms = e->now_ms;
	c->keepidle_ms = e->conf.keepidle_ms;
	c->keepintvl_ms = e->conf.keepintvl_ms;
	c->keepcnt = e->conf.keepcnt;
	c->user_timeout_ms = e->conf.user_timeout_ms;
	if (e->conf.nodelay)
		c->opt |= CONN_O_NODELAY;
	if (e->conf.keepalive)
		c->opt |= CONN_O_KEEPALIVE;
	twheel_timer_init(&c->rtx_timer, tcp_rtx_timer_fn);
	twheel_timer_init(&c->delack_timer, tcp_delack_timer_fn);
	twheel_timer_init(&c->idle_timer, tcp_idle_timer_fn);
	tern_list_init(&c->ev_link);
	tern_list_init(&c->out_link);
	tern_list_init(&c->wait_link);
	tcp->nconns++;
	return c;
}

void
conn_accq_leave(struct tern_conn *c)
{
	struct tcp_engine *tcp = &c->e->tcp;
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
	struct tcp_engine *tcp = &c->e->tcp;

	conn_accq_leave(c);
	conn_nobufs_leave(c);
	tcp->state_count[c->state]--;
	tcp->nconns--;
	c->state = TERN_TCP_CLOSED;
	c->node.kind = 0;
	c->node.next = (struct flow_node *)tcp->conn_free;
	tcp->conn_free = c;
}

void
conn_set_state(struct tern_conn *c, enum tern_tcp_state s)
{
	struct tcp_engine *tcp = &c->e->tcp;

	tcp->state_count[c->state]--;
	tcp->state_count[s]++;
	c->state = (uint8_t)s;
}

void
conn_event(struct tern_conn *c, uint8_t ev)
{
	c->events |= ev;
	if (!tern_list_linked(&c->ev_link))
		tern_list_add_tail(&c->e->tcp.events, &c->ev_link);
}

void
conn_want_output(struct tern_conn *c)
{
	if (!tern_list_linked(&c->out_link) && !(c->flags & CONN_F_DEAD))
		tern_list_add_tail(&c->e->tcp.output, &c->out_link);
}

/* Off the flow table, timers and output list: the protocol side is over. */
static void
conn_detach(struct tern_conn *c)
{
	struct tern_engine *e = c->e;

	twheel_cancel(&e->wheel, &c->rtx_timer);
	twheel_cancel(&e->wheel, &c->delack_timer);
	twheel_cancel(&e->wheel, &c->idle_timer);
	reass_purge(&c->reass, &e->tcp.reass);
	flow_remove(&e->tcp.flows, &c->node);
	if (tern_list_linked(&c->out_link))
		tern_list_del(&c->out_link);
	conn_nobufs_leave(c);
	mq_free(&c->sb_head, &c->sb_tail);
	c->sb_len = 0;
	c->sb_cur = NULL;
	c->flags |= CONN_F_DEAD;
}

void
conn_terminate(struct tern_conn *c, enum tern_close_reason why)
{
	if (c->flags & CONN_F_DEAD) {
		return;
	}
	conn_detach(c);
	mq_free(&c->rb_head, &c->rb_tail);
	c->rb_len = 0;
	conn_set_state(c, TERN_TCP_CLOSED);
	c->close_reason = (uint8_t)why;
	if (c->flags & CONN_F_APP_KNOWS) {
		c->events = CONN_EV_CLOSED;
		if (!tern_list_linked(&c->ev_link))
			tern_list_add_tail(&c->e->tcp.events, &c->ev_link);
	} else {
		if (tern_list_linked(&c->ev_link))
			tern_list_del(&c->ev_link);
		conn_free(c);
	}
}

/* The close sequence completed normally (see tcp.h). */
void
conn_finish(struct tern_conn *c)
{
	if ((c->flags & CONN_F_APP_CLOSED) || !(c->flags & CONN_F_APP_KNOWS) || c->rb_len == 0) {
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
	struct tern_engine *e = c->e;

	flow_remove(&e->tcp.flows, &c->node);
	tw_enter(e, c);
	conn_set_state(c, TERN_TCP_TIME_WAIT);
	conn_finish(c);
}

void
conn_sb_ack(struct tern_conn *c, uint32_t bytes)
{
	if (bytes > 0 && c->sb_cur != NULL && seq_lt(c->sb_cur_seq, c->snd_una + bytes))
		c->sb_cur = NULL; /* its mbuf is freed or trimmed below */
	c->sb_len -= bytes;
	while (bytes > 0 && c->sb_head != NULL) {
		struct rte_mbuf *m = c->sb_head;
		if (bytes < m->data_len) {
			rte_pktmbuf_adj(m, (uint16_t)bytes);
			return;
		}
		bytes -= m->data_len;
		c->sb_head = m->next;
		if (c->sb_head == NULL)
			c->sb_tail = NULL;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
}

void
conn_rb_append(struct tern_conn *c, struct rte_mbuf *m)
{
	c->rb_len += m->data_len;
	mq_append(&c->rb_head, &c->rb_tail, m);
}

void
conn_run_pending(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	const struct tern_callbacks *cb = e->conf.cb;
	void *app = e->conf.app;
	struct tern_list *l;

	nobufs_wake(e);
	do {
		while ((l = tern_list_first(&tcp->events)) != NULL) {
			struct tern_conn *c = tern_container_of(l, struct tern_conn, ev_link);
			uint8_t ev = c->events;

			tern_list_del(l);
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
		while ((l = tern_list_first(&tcp->output)) != NULL) {
			struct tern_conn *c = tern_container_of(l, struct tern_conn, out_link);
			tern_list_del(l);
			tcp_output(c);
		}
	} while (!tern_list_empty(&tcp->events));
}

/* ---- public API ---- */

int
tern_listen(struct tern_engine *e, uint16_t port, uint32_t backlog)
{
	struct tcp_listener *l;

	if (port == 0)
		return -EINVAL;
	if (e->tcp.listeners[port] != NULL)
		return -EADDRINUSE;
	l = rte_zmalloc_socket("tern_listener", sizeof(*l), 0, rte_socket_id());
	if (l == NULL)
		return -ENOMEM;
	l->port = port;
	synq_listener_init(&l->sq, backlog ? backlog : 1024);
	tern_list_init(&l->accq);
	e->tcp.listeners[port] = l;
	e->tcp.nlisteners++;
	return 0;
}

int
tern_listen_pause(struct tern_engine *e, uint16_t port, bool pause)
{
	struct tcp_listener *l = port != 0 ? e->tcp.listeners[port] : NULL;
	struct tern_list *n;

	if (l == NULL)
		return -ENOENT;
	l->paused = pause;
	if (pause)
		return 0;
	while ((n = tern_list_first(&l->accq)) != NULL) {
		tern_list_del(n);
		tern_list_add_tail(&e->tcp.events, n);
	}
	return 0;
}

int
tern_unlisten(struct tern_engine *e, uint16_t port)
{
	struct tcp_listener *l = e->tcp.listeners[port];

	if (port == 0 || l == NULL)
		return -ENOENT;
	l->paused = 0;
	tern_listen_pause(e, port, false); /* held connections are delivered */
	tcp_listen_flush(e, l);            /* half-open ones go */
	e->tcp.listeners[port] = NULL;
	e->tcp.nlisteners--;
	rte_free(l);
	return 0;
}

/* Is 4-tuple @p k free for an active open? A tuple in TIME_WAIT is when the reuse policy
 * lets it go (*reused, *iss: the ISN it asks for). */
static bool
connect_tuple_free(struct tern_engine *e, const struct flow_key *k, tern_seq_t *iss, bool *reused)
{
	struct flow_node *n = flow_lookup(&e->tcp.flows, k);

	if (n == NULL)
		return true;
	if (n->kind == FLOW_TW && e->tcp.eph.tw_reuse(e, (struct tcp_tw *)n, iss)) {
		*reused = true;
		return true;
	}
	return false;
}

struct tern_conn *
tern_connect(struct tern_engine *e, uint32_t dst, uint16_t dport, uint16_t local_port, void *udata)
{
	struct tcp_engine *tcp = &e->tcp;
	struct flow_key k = {.laddr = e->ip, .raddr = dst, .rport = dport};
	struct tern_conn *c;
	tern_seq_t iss = 0;
	bool reused = false;

	engine_update_clock(e);
	if (dst == 0 || dport == 0 || engine_local_ip(e, dst)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (ipv4_nexthop(e, dst) == 0) {
		rte_errno = ENETUNREACH;
		return NULL;
	}
	if (tcp->conn_free == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (local_port != 0) {
		if (!ephemeral_port_ours(e, dst, dport, local_port)) {
			rte_errno = EINVAL; /* the answers would reach another engine */
			return NULL;
		}
		k.lport = local_port;
		if (!connect_tuple_free(e, &k, &iss, &reused)) {
			rte_errno = EADDRINUSE;
			return NULL;
		}
	} else if (ephemeral_pick(e, &k, &iss, &reused) != 0) {
		rte_errno = EADDRNOTAVAIL;
		return NULL;
	}
	c = conn_alloc(e, &k);
	c->iss = reused ? iss : tcp_isn(e, &k);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->flags |= CONN_F_APP_KNOWS | CONN_F_NEEDS_SYN;
	c->udata = udata;
	conn_set_state(c, TERN_TCP_SYN_SENT);
	flow_insert(&tcp->flows, &c->node);
	conn_want_output(c);
	return c;
}

ssize_t
tern_conn_send(struct tern_conn *c, const void *buf, size_t len)
{
	struct tern_engine *e = c->e;
	const uint8_t *src = buf;
	size_t done = 0, want;

	if (c->flags & (CONN_F_DEAD | CONN_F_FIN_QUEUED | CONN_F_APP_CLOSED))
		return -EPIPE;
	if (c->state != TERN_TCP_ESTABLISHED && c->state != TERN_TCP_CLOSE_WAIT)
		return -ENOTCONN;
	want = c->sb_limit - c->sb_len;
	if (want > len)
		want = len;
	while (done < want) {
		struct rte_mbuf *m = c->sb_tail;
		uint16_t room = m != NULL && sb_writable(m) ? rte_pktmbuf_tailroom(m) : 0;
		size_t n;

		if (room == 0) {
			/* The last mbufs of the pool stay with the engine (see the top). */
			if (rte_mempool_avail_count(e->pool) <= pool_reserve(e) ||
			        (m = engine_alloc(e)) == NULL) {
				conn_nobufs_wait(c, CONN_EV_WRITABLE);
				break;
			}
			m->data_off = 0; /* data-only: use the whole buffer */
			mq_append(&c->sb_head, &c->sb_tail, m);
			room = rte_pktmbuf_tailroom(m);
		}
		n = want - done < room ? want - done : room;
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), src + done, n);
		done += n;
	}
	c->sb_len += (uint32_t)done;
	if (done < len || c->sb_len == c->sb_limit)
		c->flags |= CONN_F_WANT_WRITE;
	if (done > 0)
		conn_want_output(c);
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
	/* Window update when reading opened the window by a useful amount. */
	old_wnd = c->rcv_adv - c->rcv_nxt;
	if (tcp_rcv_window(c) > old_wnd && old_wnd < 2u * c->mss) {
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
	}
}

/* Take the head mbuf off the receive buffer (the caller accounts for rb_len). */
static struct rte_mbuf *
rb_pop(struct tern_conn *c)
{
	struct rte_mbuf *m = c->rb_head;

	c->rb_head = m->next;
	if (c->rb_head == NULL)
		c->rb_tail = NULL;
	m->next = NULL;
	return m;
}

ssize_t
tern_conn_recv_mbuf(struct tern_conn *c, size_t max, struct rte_mbuf **out)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t done = 0;
	uint16_t nseg = 0;

	*out = NULL;
	if (c->rb_len == 0)
		return (c->flags & (CONN_F_FIN_RCVD | CONN_F_DEAD)) ? 0 : -EAGAIN;
	if (max == 0)
		return -EINVAL;
	if (max > c->rb_len)
		max = c->rb_len;
	while (done < max && c->rb_head != NULL && nseg < UINT16_MAX) {
		struct rte_mbuf *m = c->rb_head;
		uint32_t n = m->data_len;

		if (n > max - done) {
			/* @p max cuts this mbuf: copy its first bytes into a fresh one. */
			struct rte_mbuf *p = engine_alloc(c->e);

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
			tern_count(c->e, TERN_CTR_ZC_RX_COPIED, n);
			m = p;
		} else {
			rb_pop(c);
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
	c->rb_len -= done;
	rb_consumed(c);
	*out = head;
	return (ssize_t)done;
}

/* Segments up to this size are copied into the send buffer's tail when it has room, so a
 * stream of small segments does not pin one mbuf each. */
#define SB_COPY_MAX 512

int
tern_conn_send_mbuf(struct tern_conn *c, struct rte_mbuf *m)
{
	struct rte_mbuf *s, *next;
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
	if (len > c->sb_limit)
		return -EMSGSIZE;
	if (len > c->sb_limit - c->sb_len) {
		c->flags |= CONN_F_WANT_WRITE;
		return -EAGAIN;
	}
	for (s = m; s != NULL; s = next) {
		struct rte_mbuf *t = c->sb_tail;

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
			tern_count(c->e, TERN_CTR_ZC_TX_COPIED, s->data_len);
			rte_pktmbuf_free_seg(s);
			continue;
		}
		mq_append(&c->sb_head, &c->sb_tail, s);
	}
	c->sb_len += (uint32_t)len;
	if (c->sb_len == c->sb_limit)
		c->flags |= CONN_F_WANT_WRITE;
	if (len > 0)
		conn_want_output(c);
	return 0;
}

ssize_t
tern_conn_recv(struct tern_conn *c, void *buf, size_t len)
{
	uint8_t *dst = buf;
	size_t done = 0;

	if (c->rb_len == 0)
		return (c->flags & (CONN_F_FIN_RCVD | CONN_F_DEAD)) ? 0 : -EAGAIN;
	while (done < len && c->rb_head != NULL) {
		struct rte_mbuf *m = c->rb_head;
		size_t n = len - done < m->data_len ? len - done : m->data_len;

		memcpy(dst + done, rte_pktmbuf_mtod(m, const uint8_t *), n);
		done += n;
		if (n == m->data_len) {
			rte_pktmbuf_free_seg(rb_pop(c));
		} else {
			rte_pktmbuf_adj(m, (uint16_t)n);
		}
	}
	c->rb_len -= (uint32_t)done;
	rb_consumed(c);
	return (ssize_t)done;
}

size_t
tern_conn_readable(const struct tern_conn *c)
{
	return c->rb_len;
}

size_t
tern_conn_send_space(const struct tern_conn *c)
{
	if (c->flags & (CONN_F_DEAD | CONN_F_FIN_QUEUED))
		return 0;
	return c->sb_limit - c->sb_len;
}

int
tern_conn_shutdown(struct tern_conn *c)
{
	if (c->flags & CONN_F_DEAD)
		return -ENOTCONN;
	if (c->flags & CONN_F_FIN_QUEUED)
		return 0;
	switch (c->state) {
	case TERN_TCP_SYN_RCVD:
		/* RFC 9293 §3.10.4: with the handshake not complete, the FIN waits for
		 * ESTABLISHED (input_ack() moves on to FIN_WAIT_1), which still reports
		 * the connection as connected first. */
		break;
	case TERN_TCP_ESTABLISHED:
		conn_set_state(c, TERN_TCP_FIN_WAIT_1);
		break;
	case TERN_TCP_CLOSE_WAIT:
		conn_set_state(c, TERN_TCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	c->flags |= CONN_F_FIN_QUEUED;
	conn_want_output(c);
	return 0;
}

int
tern_conn_close(struct tern_conn *c)
{
	bool unread = c->rb_len > 0;

	if (c->flags & CONN_F_APP_CLOSED)
		return 0;
	c->flags |= CONN_F_APP_CLOSED;
	if (unread && !(c->flags & CONN_F_DEAD) && c->state != TERN_TCP_SYN_SENT) {
		/* Closing with unread data loses it: say so with a RST (RFC 2525 §2.17). */
		tern_count(c->e, TERN_CTR_TCP_RST_UNREAD, 1);
		tcp_send_rst(c);
		conn_terminate(c, TERN_CLOSE_ABORTED);
		return 0;
	}
	mq_free(&c->rb_head, &c->rb_tail);
	c->rb_len = 0;
	if (c->flags & CONN_F_DEAD) {
		/* Protocol already finished; tell the application now. */
		if (!(c->events & CONN_EV_CLOSED)) {
			c->events = CONN_EV_CLOSED;
			if (!tern_list_linked(&c->ev_link))
				tern_list_add_tail(&c->e->tcp.events, &c->ev_link);
		}
		return 0;
	}
	switch (c->state) {
	case TERN_TCP_SYN_SENT:
		conn_terminate(c, TERN_CLOSE_NORMAL);
		break;
	case TERN_TCP_SYN_RCVD:
	case TERN_TCP_ESTABLISHED:
	case TERN_TCP_CLOSE_WAIT:
		tern_conn_shutdown(c);
		break;
	case TERN_TCP_FIN_WAIT_2:
		tcp_idle_arm(c); /* the FIN_WAIT_2 timeout starts now */
		break;
	default:
		break; /* FIN already queued */
	}
	return 0;
}

int
tern_conn_setopt(struct tern_conn *c, enum tern_conn_opt opt, uint32_t val)
{
	switch (opt) {
	case TERN_OPT_NODELAY:
		if (val > 1)
			return -EINVAL;
		c->opt = (uint8_t)(val ? c->opt | CONN_O_NODELAY : c->opt & ~CONN_O_NODELAY);
		if (val)
			conn_want_output(c); /* what Nagle held goes now */
		return 0;
	case TERN_OPT_KEEPALIVE:
		if (val > 1)
			return -EINVAL;
		c->opt = (uint8_t)(val ? c->opt | CONN_O_KEEPALIVE : c->opt & ~CONN_O_KEEPALIVE);
		break;
	case TERN_OPT_KEEPIDLE_MS:
		if (val == 0)
			return -EINVAL;
		c->keepidle_ms = val;
		break;
	case TERN_OPT_KEEPINTVL_MS:
		if (val == 0)
			return -EINVAL;
		c->keepintvl_ms = val;
		break;
	case TERN_OPT_KEEPCNT:
		if (val == 0 || val > 255)
			return -EINVAL;
		c->keepcnt = (uint8_t)val;
		break;
	case TERN_OPT_USER_TIMEOUT_MS:
		c->user_timeout_ms = val;
		return 0;
	default:
		return -EINVAL;
	}
	engine_update_clock(c->e);
	tcp_idle_arm(c);
	return 0;
}

int
tern_conn_getopt(const struct tern_conn *c, enum tern_conn_opt opt, uint32_t *val)
{
	switch (opt) {
	case TERN_OPT_NODELAY:
		*val = !!(c->opt & CONN_O_NODELAY);
		return 0;
	case TERN_OPT_KEEPALIVE:
		*val = !!(c->opt & CONN_O_KEEPALIVE);
		return 0;
	case TERN_OPT_KEEPIDLE_MS:
		*val = c->keepidle_ms;
		return 0;
	case TERN_OPT_KEEPINTVL_MS:
		*val = c->keepintvl_ms;
		return 0;
	case TERN_OPT_KEEPCNT:
		*val = c->keepcnt;
		return 0;
	case TERN_OPT_USER_TIMEOUT_MS:
		*val = c->user_timeout_ms;
		return 0;
	}
	return -EINVAL;
}

void
tern_conn_abort(struct tern_conn *c)
{
	engine_update_clock(c->e);
	if (c->flags & CONN_F_DEAD) {
		/* The protocol side is over (unread data kept it): close delivers closed. */
		tern_conn_close(c);
		return;
	}
	c->flags |= CONN_F_APP_CLOSED;
	if (c->state != TERN_TCP_SYN_SENT && c->state != TERN_TCP_CLOSED)
		tcp_send_rst(c);
	conn_terminate(c, TERN_CLOSE_ABORTED);
}

void *
tern_conn_udata(const struct tern_conn *c)
{
	return c->udata;
}

void
tern_conn_set_udata(struct tern_conn *c, void *udata)
{
	c->udata = udata;
}

enum tern_tcp_state
tern_conn_state(const struct tern_conn *c)
{
	return (enum tern_tcp_state)c->state;
}

struct tern_engine *
tern_conn_engine(const struct tern_conn *c)
{
	return c->e;
}

void
tern_conn_tuple(const struct tern_conn *c, struct tern_tuple *t)
{
	t->laddr = c->node.key.laddr;
	t->raddr = c->node.key.raddr;
	t->lport = c->node.key.lport;
	t->rport = c->node.key.rport;
}
