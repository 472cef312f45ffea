/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: RFC 9293 §3.10.7 "SEGMENT ARRIVES", step by step.
 *
 * tcp_input() validates the header and checksum, then dispatches on what the 4-tuple
 * finds: a connection block, a TIME_WAIT entry, a listener, or nothing. Every segment
 * that is not delivered is counted under a drop reason. Handlers do not send directly:
 * they set CONN_F_ACK_NOW / queue output, and tcp_output() runs once per connection per
 * burst, so one ACK answers a burst of in-order data.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

#define TCP_MIN_MSS     64
#define TCP_DEFAULT_MSS 536 /* RFC 9293 §3.7.1 when the peer sends no MSS option */

static uint16_t
peer_mss(const struct tern_engine *e, const struct tcp_seg *s)
{
	uint16_t mss = (s->th.opts.present & WIRE_TCPO_MSS) ? s->th.opts.mss : TCP_DEFAULT_MSS;

	if (mss > e->tcp.mss)
		mss = e->tcp.mss;
	if (mss < TCP_MIN_MSS)
		mss = TCP_MIN_MSS;
	return mss;
}

static void
conn_init_cc(struct tern_conn *c)
{
	c->cwnd = 10u * c->mss; /* RFC 6928 */
	c->ssthresh = UINT32_MAX / 2;
}

/* LISTEN state (RFC 9293 §3.10.7.2). */
static void
input_listen(struct tern_engine *e, struct tcp_listener *l, struct tcp_seg *s)
{
	struct flow_key k = {
	        .laddr = s->laddr, .raddr = s->raddr, .lport = s->th.dport, .rport = s->th.sport};
	uint8_t fl = s->th.flags;
	struct tern_conn *c;

	/* first: a RST is ignored */
	if (fl & WIRE_TCP_RST) {
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return;
	}
	/* second: an ACK draws <SEQ=SEG.ACK><CTL=RST> */
	if (fl & WIRE_TCP_ACK) {
		tcp_send_rst_reply(e, s);
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return;
	}
	/* third: SYN */
	if (!(fl & WIRE_TCP_SYN)) {
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return;
	}
	if (l->pending >= l->backlog || (c = conn_alloc(e, &k)) == NULL) {
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_OVERFLOW);
		return;
	}
	if (ipv4_nexthop(e, s->raddr) == s->raddr) {
		struct wire_mac src;
		memcpy(&src, rte_pktmbuf_mtod_offset(s->m, uint8_t *, WIRE_ETH_ALEN), sizeof(src));
		arp_glean(e, s->raddr, &src);
	}
	c->flags |= CONN_F_PASSIVE | CONN_F_NEEDS_SYN;
	c->irs = s->th.seq;
	c->rcv_nxt = s->th.seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = tcp_isn(e, &k);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_wnd = s->th.win; /* a SYN's window is never scaled */
	c->snd_wl1 = s->th.seq;
	c->snd_wl2 = c->iss;
	c->mss = peer_mss(e, s);
	conn_init_cc(c);
	conn_set_state(c, TERN_TCP_SYN_RCVD);
	l->pending++;
	flow_insert(&e->tcp.flows, &c->node);
	conn_want_output(c);
	/* Data on a SYN is not queued: the peer sends it again once we ACK only the SYN. */
	rte_pktmbuf_free(s->m);
}

/* SYN_SENT state (RFC 9293 §3.10.7.3). */
static void
input_syn_sent(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = c->e;
	uint8_t fl = s->th.flags;
	bool ack_ok = false;

	/* first: the ACK */
	if (fl & WIRE_TCP_ACK) {
		if (seq_leq(s->th.ack, c->iss) || seq_gt(s->th.ack, c->snd_max)) {
			tcp_send_rst_reply(e, s);
			tern_drop(e, s->m, TERN_DROP_TCP_SYN_SENT_BAD);
			return;
		}
		ack_ok = true;
	}
	/* second: RST */
	if (fl & WIRE_TCP_RST) {
		if (ack_ok) {
			tern_count(e, TERN_CTR_TCP_RST_RX, 1);
			tern_count(e, TERN_CTR_TCP_CONNECT_FAIL, 1);
			rte_pktmbuf_free(s->m);
			conn_terminate(c, TERN_CLOSE_REFUSED);
			return;
		}
		tern_drop(e, s->m, TERN_DROP_TCP_SYN_SENT_BAD);
		return;
	}
	/* fourth: SYN */
	if (!(fl & WIRE_TCP_SYN)) {
		tern_drop(e, s->m, TERN_DROP_TCP_SYN_SENT_BAD);
		return;
	}
	c->irs = s->th.seq;
	c->rcv_nxt = s->th.seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->mss = peer_mss(e, s);
	conn_init_cc(c);
	c->snd_wnd = s->th.win;
	c->snd_wl1 = s->th.seq;
	c->snd_wl2 = s->th.ack;
	if (ack_ok) {
		c->snd_una = s->th.ack;
		if (c->nrtx == 0)
			tcp_rtt_sample(c, (uint32_t)(e->now_ns / 1000 - c->rtt_start_us));
		c->nrtx = 0;
		tcp_cancel_rtx(c);
		conn_set_state(c, TERN_TCP_ESTABLISHED);
		tern_count(e, TERN_CTR_TCP_ACTIVE_OPEN, 1);
		conn_event(c, CONN_EV_CONNECTED);
		c->flags |= CONN_F_ACK_NOW;
	} else {
		/* Simultaneous open: answer with SYN-ACK from our ISS. */
		conn_set_state(c, TERN_TCP_SYN_RCVD);
		c->flags |= CONN_F_NEEDS_SYN;
	}
	conn_want_output(c);
	rte_pktmbuf_free(s->m);
}

/* RFC 9293 §3.10.7.4 first check: is the segment acceptable? */
static bool
seg_acceptable(const struct tern_conn *c, tern_seq_t seq, uint32_t seglen)
{
	uint32_t wnd = c->rcv_adv - c->rcv_nxt;

	if (seglen == 0) {
		if (wnd == 0)
			return seq == c->rcv_nxt;
		return seq_in(seq, c->rcv_nxt, c->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	return seq_in(seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
	       seq_in(seq + seglen - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

/* Fifth step: the ACK field, in a synchronized state. @return false when the segment
 * is finished with (dropped or the connection ended). */
static bool
input_ack(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = c->e;
	tern_seq_t ack = s->th.ack;
	bool fin_acked;

	if (c->state == TERN_TCP_SYN_RCVD) {
		if (!seq_gt(ack, c->snd_una) || seq_gt(ack, c->snd_max)) {
			tcp_send_rst_reply(e, s);
			tern_drop(e, s->m, TERN_DROP_TCP_BAD_ACK);
			return false;
		}
		if (c->flags & CONN_F_PASSIVE) {
			struct tcp_listener *l = e->tcp.listeners[c->node.key.lport];
			if (l != NULL && l->pending > 0)
				l->pending--;
			tern_count(e, TERN_CTR_TCP_PASSIVE_OPEN, 1);
			conn_event(c, CONN_EV_ACCEPTED);
		} else {
			tern_count(e, TERN_CTR_TCP_ACTIVE_OPEN, 1);
			conn_event(c, CONN_EV_CONNECTED);
		}
		if (c->nrtx == 0 && c->srtt_us == 0 && c->rtt_start_us != 0)
			tcp_rtt_sample(c, (uint32_t)(e->now_ns / 1000 - c->rtt_start_us));
		conn_set_state(c, TERN_TCP_ESTABLISHED);
		c->snd_wnd = s->th.win;
		c->snd_wl1 = s->th.seq;
		c->snd_wl2 = ack;
		/* fall through to the common processing: it acknowledges our SYN */
	}

	if (seq_gt(ack, c->snd_max)) {
		/* Acknowledges something not yet sent: ACK and drop (RFC 9293). */
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
		tern_drop(e, s->m, TERN_DROP_TCP_BAD_ACK);
		return false;
	}
	if (seq_gt(ack, c->snd_una)) {
		uint32_t acked = ack - c->snd_una;
		uint32_t data = acked;
		bool syn_acked = c->snd_una == c->iss;

		if (syn_acked)
			data--;
		fin_acked = (c->flags & CONN_F_FIN_SENT) && seq_gt(ack, c->snd_fin);
		if (fin_acked)
			data--;
		if (data > c->sb_len)
			data = c->sb_len;
		conn_sb_ack(c, data);
		c->snd_una = ack;
		if (seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		if ((c->flags & CONN_F_RTT_TIMING) && seq_gt(ack, c->rtt_seq)) {
			c->flags &= (uint16_t)~CONN_F_RTT_TIMING;
			tcp_rtt_sample(c, (uint32_t)(e->now_ns / 1000 - c->rtt_start_us));
		}
		c->nrtx = 0;
		/* Slow start, then congestion avoidance (RFC 5681 §3.1). */
		if (c->cwnd < c->ssthresh)
			c->cwnd += acked < c->mss ? acked : c->mss;
		else
			c->cwnd += (uint32_t)c->mss * c->mss / c->cwnd + 1;
		if (c->snd_una == c->snd_max)
			tcp_cancel_rtx(c);
		else
			tcp_arm_rtx(c);
		if ((c->flags & CONN_F_WANT_WRITE) && c->sb_len < c->sb_limit) {
			c->flags &= (uint16_t)~CONN_F_WANT_WRITE;
			conn_event(c, CONN_EV_WRITABLE);
		}
		conn_want_output(c);
	} else if (!seq_geq(ack, c->snd_una)) {
		/* Old duplicate ACK: ignore the ACK field, keep processing. */
		goto state_checks;
	}
	/* Send window update (RFC 9293 §3.10.7.4 fifth, ESTABLISHED). */
	if (seq_lt(c->snd_wl1, s->th.seq) ||
	        (c->snd_wl1 == s->th.seq && seq_leq(c->snd_wl2, ack))) {
		if (s->th.win > c->snd_wnd)
			conn_want_output(c);
		c->snd_wnd = s->th.win;
		c->snd_wl1 = s->th.seq;
		c->snd_wl2 = ack;
	}

state_checks:
	fin_acked = (c->flags & CONN_F_FIN_SENT) && seq_gt(c->snd_una, c->snd_fin);
	switch (c->state) {
	case TERN_TCP_FIN_WAIT_1:
		if (fin_acked)
			conn_set_state(c, TERN_TCP_FIN_WAIT_2);
		break;
	case TERN_TCP_CLOSING:
		if (fin_acked) {
			rte_pktmbuf_free(s->m);
			conn_time_wait(c);
			return false;
		}
		break;
	case TERN_TCP_LAST_ACK:
		if (fin_acked) {
			rte_pktmbuf_free(s->m);
			conn_finish(c);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

/* States other than LISTEN and SYN_SENT (RFC 9293 §3.10.7.4). */
static void
input_synchronized(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = c->e;
	uint8_t fl = s->th.flags;
	tern_seq_t seq = s->th.seq;
	uint32_t seglen = s->len + !!(fl & WIRE_TCP_SYN) + !!(fl & WIRE_TCP_FIN);
	uint32_t front = 0; /* payload bytes before rcv_nxt, trimmed */
	uint32_t len = s->len;
	uint32_t wnd;

	/* A retransmitted SYN in SYN_RCVD: our SYN-ACK was lost, send it again. */
	if (c->state == TERN_TCP_SYN_RCVD && (fl & WIRE_TCP_SYN) && !(fl & WIRE_TCP_ACK) &&
	        seq == c->irs) {
		c->flags |= CONN_F_NEEDS_SYN;
		conn_want_output(c);
		tern_drop(e, s->m, TERN_DROP_TCP_OUT_OF_WINDOW);
		return;
	}

	/* first: check the sequence number */
	if (!seg_acceptable(c, seq, seglen)) {
		if (!(fl & WIRE_TCP_RST)) {
			c->flags |= CONN_F_ACK_NOW;
			conn_want_output(c);
		}
		tern_drop(e, s->m, TERN_DROP_TCP_OUT_OF_WINDOW);
		return;
	}
	/* Trim to the window: drop what is before rcv_nxt and beyond the right edge. */
	if (seq_lt(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;
		if (fl & WIRE_TCP_SYN) {
			fl &= (uint8_t)~WIRE_TCP_SYN;
			d--;
			seq++;
		}
		front = d < len ? d : len;
		len -= front;
		seq += front;
	}
	wnd = c->rcv_adv - c->rcv_nxt;
	if (seq_gt(seq + len, c->rcv_nxt + wnd)) {
		len = seq_gt(c->rcv_nxt + wnd, seq) ? c->rcv_nxt + wnd - seq : 0;
		fl &= (uint8_t)~WIRE_TCP_FIN;
	}

	/* second: RST (RFC 5961 §3: exact match resets, otherwise a challenge ACK) */
	if (fl & WIRE_TCP_RST) {
		if (s->th.seq != c->rcv_nxt) {
			c->flags |= CONN_F_ACK_NOW;
			conn_want_output(c);
			tern_drop(e, s->m, TERN_DROP_TCP_OUT_OF_WINDOW);
			return;
		}
		tern_count(e, TERN_CTR_TCP_RST_RX, 1);
		rte_pktmbuf_free(s->m);
		if (c->state == TERN_TCP_SYN_RCVD && !(c->flags & CONN_F_PASSIVE))
			tern_count(e, TERN_CTR_TCP_CONNECT_FAIL, 1);
		conn_terminate(c, c->state == TERN_TCP_SYN_RCVD && !(c->flags & CONN_F_PASSIVE)
		                          ? TERN_CLOSE_REFUSED
		                          : TERN_CLOSE_RESET);
		return;
	}
	/* fourth: SYN in a synchronized state: challenge ACK (RFC 5961 §4) */
	if (fl & WIRE_TCP_SYN) {
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
		tern_drop(e, s->m, TERN_DROP_TCP_OUT_OF_WINDOW);
		return;
	}
	/* fifth: the ACK field */
	if (!(fl & WIRE_TCP_ACK)) {
		tern_drop(e, s->m, TERN_DROP_TCP_NO_ACK);
		return;
	}
	if (!input_ack(c, s))
		return;

	/* seventh: segment text */
	if (len > 0) {
		switch (c->state) {
		case TERN_TCP_ESTABLISHED:
		case TERN_TCP_FIN_WAIT_1:
		case TERN_TCP_FIN_WAIT_2:
			break;
		default:
			/* After the peer's FIN: nothing more can be data. */
			tern_drop(e, s->m, TERN_DROP_TCP_OUT_OF_WINDOW);
			return;
		}
		if (seq != c->rcv_nxt) {
			/* Out of order: no reassembly yet. One immediate duplicate ACK per
			 * such segment (RFC 5681 §4.2), not one per burst, so the sender's
			 * fast retransmit sees its three. */
			tcp_send_ack_now(c, c->snd_nxt);
			tern_drop(e, s->m, TERN_DROP_TCP_REASS_FULL);
			return;
		}
		c->rcv_nxt += len;
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
		if (c->flags & CONN_F_APP_CLOSED) {
			/* The application closed: data is acknowledged and discarded. */
			e->stats.drop[TERN_DROP_TCP_CLOSED_DATA]++;
		} else {
			struct rte_mbuf *m = s->m;
			rte_pktmbuf_adj(m, (uint16_t)(s->data_off + front));
			rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - len));
			s->m = NULL;
			conn_rb_append(c, m);
			tern_count(e, TERN_CTR_TCP_DATA_RX, len);
			conn_event(c, CONN_EV_READABLE);
		}
	} else if (s->len > 0 && !(fl & WIRE_TCP_FIN)) {
		/* Everything was a duplicate (or beyond the window): tell the peer. */
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
	}

	/* eighth: FIN */
	if ((fl & WIRE_TCP_FIN) && seq + len == c->rcv_nxt && !(c->flags & CONN_F_FIN_RCVD)) {
		bool fin_acked = (c->flags & CONN_F_FIN_SENT) && seq_gt(c->snd_una, c->snd_fin);

		c->rcv_nxt++;
		c->flags |= CONN_F_FIN_RCVD | CONN_F_ACK_NOW;
		conn_want_output(c);
		conn_event(c, CONN_EV_READABLE);
		switch (c->state) {
		case TERN_TCP_SYN_RCVD:
		case TERN_TCP_ESTABLISHED:
			conn_set_state(c, TERN_TCP_CLOSE_WAIT);
			break;
		case TERN_TCP_FIN_WAIT_1:
			if (!fin_acked) {
				conn_set_state(c, TERN_TCP_CLOSING);
				break;
			}
			/* fallthrough */
		case TERN_TCP_FIN_WAIT_2:
			conn_set_state(c, TERN_TCP_TIME_WAIT);
			tcp_output(c); /* the ACK of the FIN, before the block goes */
			rte_pktmbuf_free(s->m);
			conn_time_wait(c);
			return;
		default:
			break;
		}
	} else if ((fl & WIRE_TCP_FIN) && (c->flags & CONN_F_FIN_RCVD)) {
		/* Retransmitted FIN: ACK it again. */
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
	}
	rte_pktmbuf_free(s->m);
}

static const enum tern_drop tcp_err_drop[] = {
        [WIRE_ETRUNC] = TERN_DROP_TCP_TRUNC,
        [WIRE_EBADLEN] = TERN_DROP_TCP_TRUNC,
        [WIRE_EVERSION] = TERN_DROP_TCP_TRUNC,
        [WIRE_EBADHLEN] = TERN_DROP_TCP_TRUNC,
        [WIRE_ECSUM] = TERN_DROP_TCP_CSUM,
        [WIRE_EBADOPT] = TERN_DROP_TCP_OPT,
        [WIRE_EUNSUP] = TERN_DROP_TCP_OPT,
};

void
tcp_input(
        struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip, uint16_t l4off)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t l4len = ip->total_len - ip->hdr_len;
	struct flow_node *n;
	struct tcp_listener *l;
	struct flow_key k;
	struct tcp_seg s;
	enum wire_err err;

	err = wire_tcp_parse(p + l4off, l4len, &s.th);
	if (err != WIRE_OK) {
		tern_drop(e, m, tcp_err_drop[err]);
		return;
	}
	if (e->conf.rx_csum_offload &&
	        (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		/* verified by the NIC */
	} else if ((e->conf.rx_csum_offload && (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	                                               RTE_MBUF_F_RX_L4_CKSUM_BAD) ||
	           wire_tcp_csum(ip->src, ip->dst, p + l4off, l4len) != 0) {
		tern_drop(e, m, TERN_DROP_TCP_CSUM);
		return;
	}
	if (s.th.sport == 0 || s.th.dport == 0) {
		tern_drop(e, m, TERN_DROP_TCP_PORT0);
		return;
	}
	tern_count(e, TERN_CTR_TCP_SEG_RX, 1);
	s.laddr = ip->dst;
	s.raddr = ip->src;
	s.len = l4len - s.th.hdr_len;
	s.data_off = (uint16_t)(l4off + s.th.hdr_len);
	s.m = m;
	/* Drop link padding so that the payload ends where the IP packet ends. */
	if (rte_pktmbuf_pkt_len(m) > (uint32_t)l4off + l4len)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - (l4off + l4len)));

	k.laddr = s.laddr;
	k.raddr = s.raddr;
	k.lport = s.th.dport;
	k.rport = s.th.sport;
	n = flow_lookup(&e->tcp.flows, &k);
	if (n != NULL && n->kind == FLOW_CONN) {
		struct tern_conn *c = (struct tern_conn *)n;
		if (c->state == TERN_TCP_SYN_SENT)
			input_syn_sent(c, &s);
		else
			input_synchronized(c, &s);
		return;
	}
	if (n != NULL) {
		struct tcp_tw *tw = (struct tcp_tw *)n;
		switch (tw_input(e, tw, &s)) {
		case TW_ACK:
			tern_count(e, TERN_CTR_TCP_TW_ACK, 1);
			tcp_send_bare(e, &k, tw->snd_nxt, tw->rcv_nxt, WIRE_TCP_ACK);
			break;
		case TW_RST:
			tcp_send_rst_reply(e, &s);
			break;
		case TW_KILL:
			tern_count(e, TERN_CTR_TCP_RST_RX, 1);
			tw_remove(e, tw);
			break;
		case TW_DROP:
			break;
		}
		tern_drop(e, m, TERN_DROP_TCP_TW_SEGMENT);
		return;
	}
	l = e->tcp.listeners[k.lport];
	if (l != NULL) {
		input_listen(e, l, &s);
		return;
	}
	/* CLOSED (RFC 9293 §3.10.7.1): answer with a RST, never a RST to a RST. */
	if (s.th.flags & WIRE_TCP_RST) {
		tern_drop(e, m, TERN_DROP_TCP_NO_LISTENER);
		return;
	}
	tcp_send_rst_reply(e, &s);
	tern_drop(e, m, TERN_DROP_TCP_NO_LISTENER_RST);
}
