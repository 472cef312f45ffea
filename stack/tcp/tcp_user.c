/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The user calls of RFC 9293 §3.10 that change a connection's state: OPEN (passive:
 * tcp_listen_open, active: tcp_connect), CLOSE (tcp_shutdown, tcp_close), ABORT
 * (tcp_abort), and the per-connection options. SEND and RECEIVE are in tcp_conn.c with
 * the buffers. stack/api/conn.c is the public wrapper around these.
 */
#include <errno.h>

#include <rte_malloc.h>

#include "engine/engine.h"
#include "net/ipv4.h"
#include "net/nd.h"
#include "tcp/ephemeral.h"
#include "tcp/tcp.h"

int
tcp_listen_open(struct tern_engine *e, uint16_t port, uint32_t backlog)
{
	struct tcp_listener *l;

	if (port == 0)
		return -EINVAL;
	if (e->tcp.listeners[port] != NULL)
		return -EADDRINUSE;
	l = rte_zmalloc_socket("tern_listener", sizeof(*l), 0, rte_socket_id());
	if (l == NULL)
		return -ENOMEM;
	synq_listener_init(&l->sq, backlog ? backlog : 1024);
	conn_list_init(&l->accq);
	e->tcp.listeners[port] = l;
	e->tcp.nlisteners++;
	return 0;
}

int
tcp_listen_pause(struct tern_engine *e, uint16_t port, bool pause)
{
	struct tcp_listener *l = port != 0 ? e->tcp.listeners[port] : NULL;
	struct tern_conn *c;

	if (l == NULL)
		return -ENOENT;
	l->paused = pause;
	if (pause)
		return 0;
	while ((c = conn_list_pop(&e->tcp, &l->accq, CONN_LK_EV)) != NULL) {
		c->flags &= (uint32_t)~CONN_F_IN_ACCQ; /* still CONN_F_ON_EV */
		conn_list_add_tail(&e->tcp, &e->tcp.events, c, CONN_LK_EV);
	}
	return 0;
}

int
tcp_listen_set_filter(struct tern_engine *e, uint16_t port, tern_syn_filter_fn fn, void *arg)
{
	struct tcp_listener *l = port != 0 ? e->tcp.listeners[port] : NULL;

	if (l == NULL)
		return -ENOENT;
	l->filter = fn;
	l->filter_arg = arg;
	return 0;
}

int
tcp_listen_close(struct tern_engine *e, uint16_t port)
{
	struct tcp_listener *l = e->tcp.listeners[port];

	if (port == 0 || l == NULL)
		return -ENOENT;
	l->paused = 0;
	tcp_listen_pause(e, port, false); /* held connections are delivered */
	tcp_listen_flush(e, l);           /* half-open ones go */
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

/* The common part of the active opens: @p k has its addresses and rport. */
static int
connect_key(struct tern_engine *e, struct flow_key *k, uint16_t local_port, void *udata,
        struct tern_conn **out)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tern_conn *c;
	tern_seq_t iss = 0;
	bool reused = false;

	if (tcp->conn_free == NULL) {
		return -ENOMEM;
	}
	if (local_port != 0) {
		k->lport = local_port;
		if (!ephemeral_port_ours(e, k)) {
			return -EINVAL; /* the answers would reach another engine */
		}
		if (!connect_tuple_free(e, k, &iss, &reused)) {
			return -EADDRINUSE;
		}
	} else if (ephemeral_pick(e, k, &iss, &reused) != 0) {
		return -EADDRNOTAVAIL;
	}
	c = conn_alloc(e, k);
	conn_cc(c)->init(&c->cc, c->mss, e->now_ns / 1000);
	c->ts_offset = tcp_ts_offset_memo(tcp, k); /* our SYN may offer timestamps */
	c->iss = reused ? iss : tcp_isn(e, k);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->flags |= CONN_F_APP_KNOWS | CONN_F_NEEDS_SYN;
	c->udata = udata;
	conn_set_state(c, TERN_TCP_SYN_SENT);
	flow_insert(&tcp->flows, &c->node);
	conn_want_output(c);
	*out = c;
	return 0;
}

int
tcp_connect(struct tern_engine *e, uint32_t dst, uint16_t dport, uint16_t local_port, void *udata,
        struct tern_conn **out)
{
	struct flow_key k = {.laddr = e->ip, .raddr = dst, .rport = dport};

	engine_update_clock(e);
	if (dst == 0 || dport == 0 || engine_local_ip(e, dst)) {
		return -EINVAL;
	}
	if (ipv4_nexthop(e, dst) == 0) {
		return -ENETUNREACH;
	}
	return connect_key(e, &k, local_port, udata, out);
}

int
tcp_connect6(struct tern_engine *e, const struct wire_ip6 *dst, uint16_t dport, uint16_t local_port,
        void *udata, struct tern_conn **out)
{
	struct flow_key k = {.rport = dport};
	struct wire_ip6 src, nh;

	engine_update_clock(e);
	if (!nd_enabled(&e->nd) || dport == 0 || wire_ip6_is_unspec(dst) ||
	        wire_ip6_is_multicast(dst) || wire_ip6_is_loopback(dst) || nd_is_local(e, dst, 0)) {
		return -EINVAL;
	}
	if (!nd_source(e, dst, &src) || !nd_nexthop(e, dst, &nh)) {
		return -ENETUNREACH; /* no route, or our address is not usable (yet) */
	}
	k.laddr = wire_ip6_is_linklocal(&src) ? FLOW_L6_LINK : FLOW_L6_GLOBAL;
	k.raddr = flow_peer6_get(&e->tcp.flows, dst);
	if (k.raddr == FLOW_PEER_NONE) {
		return -ENOMEM;
	}
	return connect_key(e, &k, local_port, udata, out);
}

int
tcp_shutdown(struct tern_conn *c)
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
tcp_close(struct tern_conn *c)
{
	bool unread = conn_rb_len(c) > 0;

	if (c->flags & CONN_F_APP_CLOSED)
		return 0;
	c->flags |= CONN_F_APP_CLOSED;
	if (unread && !(c->flags & CONN_F_DEAD) && c->state != TERN_TCP_SYN_SENT) {
		/* Closing with unread data loses it: say so with a RST (RFC 2525 §2.17). */
		tern_count(conn_e(c), TERN_CTR_TCP_RST_UNREAD, 1);
		tcp_send_rst(c);
		conn_terminate(c, TERN_CLOSE_ABORTED);
		return 0;
	}
	conn_rb_discard(c);
	if (c->flags & CONN_F_DEAD) {
		/* Protocol already finished; tell the application now. */
		if (!(c->events & CONN_EV_CLOSED)) {
			c->events = CONN_EV_CLOSED;
			conn_ev_link(c);
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
		tcp_shutdown(c);
		break;
	case TERN_TCP_FIN_WAIT_2:
		tcp_idle_arm(c); /* the FIN_WAIT_2 timeout starts now */
		break;
	default:
		break; /* FIN already queued */
	}
	return 0;
}

static bool
ka_eq(const struct tcp_ka *a, const struct tcp_ka *b)
{
	return a->idle_ms == b->idle_ms && a->intvl_ms == b->intvl_ms &&
	       a->user_timeout_ms == b->user_timeout_ms && a->cnt == b->cnt;
}

/*
 * Move @p c to the engine's settings @p want (struct tcp_ka): a set that holds them already,
 * else a free slot, else its own set if no other connection names it.
 * @return 0, or -ENOSPC when every other set is in use.
 */
static int
conn_ka_set(struct tern_conn *c, const struct tcp_ka *want)
{
	struct tcp_engine *tcp = &conn_e(c)->tcp;
	struct tcp_ka *cur = &tcp->ka[c->ka_id];
	unsigned i, slot = 0;

	if (ka_eq(cur, want))
		return 0;
	for (i = 0; i < TCP_KA_N; i++) {
		if (i != 0 && tcp->ka[i].ref == 0) {
			if (slot == 0)
				slot = i;
		} else if (ka_eq(&tcp->ka[i], want)) {
			break;
		}
	}
	if (i == TCP_KA_N) {
		if (slot == 0 && c->ka_id != 0 && cur->ref == 1)
			slot = c->ka_id; /* the only user of its set: change it in place */
		if (slot == 0)
			return -ENOSPC;
		i = slot;
		if (i != c->ka_id)
			tcp->ka[i].ref = 0;
		tcp->ka[i].idle_ms = want->idle_ms;
		tcp->ka[i].intvl_ms = want->intvl_ms;
		tcp->ka[i].user_timeout_ms = want->user_timeout_ms;
		tcp->ka[i].cnt = want->cnt;
		if (i == c->ka_id)
			return 0;
	}
	if (c->ka_id != 0)
		cur->ref--;
	c->ka_id = (uint8_t)i;
	if (i != 0)
		tcp->ka[i].ref++;
	return 0;
}

int
tcp_setopt(struct tern_conn *c, enum tern_conn_opt opt, uint32_t val)
{
	struct tcp_ka want = *conn_ka(c);
	int rc;

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
		if (val == 0 || val > TCP_TIMER_MAX_MS)
			return -EINVAL;
		want.idle_ms = val;
		break;
	case TERN_OPT_KEEPINTVL_MS:
		if (val == 0 || val > TCP_TIMER_MAX_MS)
			return -EINVAL;
		want.intvl_ms = val;
		break;
	case TERN_OPT_KEEPCNT:
		if (val == 0 || val > 255)
			return -EINVAL;
		want.cnt = (uint8_t)val;
		break;
	case TERN_OPT_USER_TIMEOUT_MS:
		want.user_timeout_ms = val;
		return conn_ka_set(c, &want);
	default:
		return -EINVAL;
	}
	if (opt != TERN_OPT_KEEPALIVE) {
		rc = conn_ka_set(c, &want);
		if (rc != 0)
			return rc;
	}
	engine_update_clock(conn_e(c));
	tcp_idle_arm(c);
	return 0;
}

int
tcp_getopt(const struct tern_conn *c, enum tern_conn_opt opt, uint32_t *val)
{
	switch (opt) {
	case TERN_OPT_NODELAY:
		*val = !!(c->opt & CONN_O_NODELAY);
		return 0;
	case TERN_OPT_KEEPALIVE:
		*val = !!(c->opt & CONN_O_KEEPALIVE);
		return 0;
	case TERN_OPT_KEEPIDLE_MS:
		*val = conn_ka(c)->idle_ms;
		return 0;
	case TERN_OPT_KEEPINTVL_MS:
		*val = conn_ka(c)->intvl_ms;
		return 0;
	case TERN_OPT_KEEPCNT:
		*val = conn_ka(c)->cnt;
		return 0;
	case TERN_OPT_USER_TIMEOUT_MS:
		*val = conn_ka(c)->user_timeout_ms;
		return 0;
	}
	return -EINVAL;
}

void
tcp_abort(struct tern_conn *c)
{
	engine_update_clock(conn_e(c));
	if (c->flags & CONN_F_DEAD) {
		/* The protocol side is over (unread data kept it): close delivers closed. */
		tcp_close(c);
		return;
	}
	c->flags |= CONN_F_APP_CLOSED;
	/* An ACK owed now goes first: above all the handshake's, which an active open owes
	 * from the SYN-ACK until the next output. An app aborting from its connected callback
	 * was told the connection is established; without the ACK the peer would only see
	 * its half-open connection reset, never a connection. */
	if ((c->flags & CONN_F_ACK_NOW) && c->state != TERN_TCP_SYN_SENT &&
	        c->state != TERN_TCP_SYN_RCVD && c->state != TERN_TCP_CLOSED)
		tcp_send_ack_now(c, c->snd_nxt);
	if (c->state != TERN_TCP_SYN_SENT && c->state != TERN_TCP_CLOSED)
		tcp_send_rst(c);
	conn_terminate(c, TERN_CLOSE_ABORTED);
}
