/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: RFC 9293 §3.10.7 "SEGMENT ARRIVES", step by step.
 *
 * tcp_input() validates the header and checksum, then dispatches on what the 4-tuple
 * finds: a connection block, a TIME_WAIT entry, a listener, or nothing. Every segment
 * that is not delivered is counted under a drop reason. Acknowledgments of ordinary data
 * are deferred (CONN_F_ACK_NOW, the output list): tcp_output() runs once per connection
 * per burst, so one ACK answers a burst of in-order data. What answers the segment itself
 * goes at once: RSTs, the immediate ACK of out-of-order data and of a FIN beyond a hole,
 * TIME_WAIT ACKs, the last ACK before TIME_WAIT; so do the retransmissions that start fast
 * recovery and answer a NewReno partial ACK.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define PAWS_24DAYS_S  (24u * 86400)
#define OOW_ACK_GAP_MS 500 /* out-of-window ACKs to pure ACKs: one per this, per connection */

void
tcp_syn_negotiate(
        const struct tern_engine *e, const struct wire_tcp_opts *o, struct tcp_syn_opts *n)
{
	memset(n, 0, sizeof(*n));
	if (o->present & WIRE_TCPO_MSS)
		n->mss = o->mss;
	if ((o->present & WIRE_TCPO_WSCALE) && !e->conf.no_wscale) {
		n->flags |= SYNQ_F_WSCALE;
		n->wscale = o->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : o->wscale;
	}
	if ((o->present & WIRE_TCPO_SACK_PERM) && !e->conf.no_sack)
		n->flags |= SYNQ_F_SACK;
	if ((o->present & WIRE_TCPO_TS) && !e->conf.no_timestamps) {
		n->flags |= SYNQ_F_TS;
		n->tsval = o->tsval;
	}
}

void
tcp_conn_take_syn(struct tern_conn *c, const struct tcp_syn_opts *n)
{
	struct tern_engine *e = conn_e(c);

	c->opt &= (uint8_t) ~(CONN_O_WSCALE | CONN_O_TS | CONN_O_SACK | CONN_O_TS_VALID);
	c->snd_wscale = c->rcv_wscale = 0;
	if (n->flags & SYNQ_F_WSCALE) {
		c->opt |= CONN_O_WSCALE;
		c->snd_wscale = n->wscale;
		c->rcv_wscale = e->tcp.wscale;
	}
	if (n->flags & SYNQ_F_TS) {
		c->opt |= CONN_O_TS | CONN_O_TS_VALID;
		c->ts_recent = n->tsval;
		c->ts_recent_s = tcp_secs(e->now_ms);
	}
	if (n->flags & SYNQ_F_SACK)
		c->opt |= CONN_O_SACK;
	c->mss = tcp_peer_mss(&e->tcp, &c->node.key, n->mss);
	conn_cc(c)->init(&c->cc, tcp_seg_room(c), e->now_ns / 1000);
}

/* SYN_SENT state (RFC 9293 §3.10.7.3). */
static void
input_syn_sent(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);
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
	c->rcv_nxt = s->th.seq + 1;
	c->rcv_adv = c->rcv_nxt;
	{
		struct tcp_syn_opts n;
		tcp_syn_negotiate(e, &s->th.opts, &n);
		tcp_conn_take_syn(c, &n);
	}
	c->snd_wnd = s->th.win;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->th.seq;
	c->snd_wl2 = s->th.ack;
	c->last_rx_ms = (uint32_t)e->now_ms;
	if (ack_ok) {
		c->snd_una = s->th.ack;
		if ((c->flags & CONN_F_RTT_TIMING) && c->nrtx == 0)
			tcp_rtt_sample(c, (uint32_t)(e->now_ns / 1000) - c->rtt_start_us);
		else if (c->nrtx > 0)
			tcp_rto_syn_fallback(c); /* the SYN went again: no sample (Karn) */
		c->flags &= (uint32_t)~CONN_F_RTT_TIMING;
		c->nrtx = 0;
		tcp_cancel_rtx(c);
		conn_set_state(c, TERN_TCP_ESTABLISHED);
		tern_count(e, TERN_CTR_TCP_ACTIVE_OPEN, 1);
		if (flow_key_is6(&c->node.key))
			tern_count(e, TERN_CTR_TCP6_OPEN, 1);
		conn_event(c, CONN_EV_CONNECTED);
		c->flags |= CONN_F_ACK_NOW;
		tcp_idle_arm(c);
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

/*
 * ACK an unacceptable segment (RFC 9293 step 1, PAWS). Answers to segments without data
 * are limited to one per OOW_ACK_GAP_MS per connection, so that a flood of forged pure
 * ACKs cannot make us send as many; data always gets its ACK (the peer may be
 * retransmitting because our ACK was lost).
 */
static void
ack_unacceptable(struct tern_conn *c, const struct tcp_seg *s)
{
	if (s->th.flags & WIRE_TCP_RST)
		return;
	if (s->len == 0 && !(s->th.flags & (WIRE_TCP_SYN | WIRE_TCP_FIN))) {
		/* signed: the stamp, kept odd, is 1 ms ahead within an even millisecond */
		if (c->oow_ack_ms != 0 &&
		        (int32_t)tcp_ms_since(conn_e(c)->now_ms, c->oow_ack_ms) < OOW_ACK_GAP_MS)
			return;
		c->oow_ack_ms = (uint32_t)conn_e(c)->now_ms | 1; /* never 0 (none) */
	}
	c->flags |= CONN_F_ACK_NOW;
	conn_want_output(c);
}

bool
tcp_challenge_ack(struct tern_conn *c)
{
	if (!tcp_challenge_budget(conn_e(c)))
		return false;
	c->flags |= CONN_F_ACK_NOW;
	conn_want_output(c);
	return true;
}

/* Duplicate bytes [l, r) arrived: report them in the next ACK (D-SACK, RFC 2883). */
static void
dsack_note(struct tern_conn *c, tern_seq_t l, tern_seq_t r)
{
	struct tcp_conn_ext *x;

	if (!(c->opt & CONN_O_SACK) || !seq_lt(l, r) || (x = conn_ext_get(c)) == NULL)
		return;
	x->dsack_l = l;
	x->dsack_r = r;
	c->opt |= CONN_O_DSACK;
}

/*
 * No extension for a SACK scoreboard (the pool is empty): go on as if SACK had not been
 * negotiated. The peer's blocks are advisory (RFC 2018 §8: it keeps what it SACKed until
 * it is ACKed); we only resend more than needed. Our own blocks stop too.
 */
static void
sack_give_up(struct tern_conn *c)
{
	c->opt &= (uint8_t) ~(CONN_O_SACK | CONN_O_DSACK);
}

/* Bytes in flight, for congestion control. */
static uint32_t
conn_flight(const struct tern_conn *c)
{
	return c->snd_max - c->snd_una;
}

/*
 * Loss detected by duplicate ACKs or SACK (RFC 5681 §3.2, RFC 6675 §5, RFC 6582 §3.2):
 * enter recovery and retransmit the first unacknowledged segment now.
 */
static void
enter_recovery(struct tern_conn *c)
{
	struct tern_engine *e = conn_e(c);
	struct tcp_conn_ext *x = conn_ext_get(c);
	uint32_t n;

	if (x == NULL)
		sack_give_up(c); /* no scoreboard: recover the NewReno way, without undo */
	c->flags |= CONN_F_RECOVERY;
	c->recover = c->snd_max;
	if (x != NULL) {
		/*
		 * Eifel (RFC 3522) compares the echoed timestamp with the TSval of the head
		 * segment's *first* retransmission. When the previous recovery had already resent
		 * it (NextSeg went past that recovery's point: HighRxt is above snd_una), that
		 * TSval is older than ours, and an ACK echoing it would pass for the original's:
		 * no undo then.
		 */
		bool resent =
		        seq_gt(x->scb.high_rxt, c->snd_una) && seq_leq(x->scb.high_rxt, c->snd_max);

		x->undo_cc = c->cc;
		x->undo_ok = (c->opt & CONN_O_TS) != 0 && !resent;
		x->rxt_tsval = tcp_ts_now(c, e->now_ms);
	}
	conn_cc(c)->on_loss(&c->cc, conn_flight(c), e->now_ns / 1000);
	c->flags &= (uint32_t)~CONN_F_RTT_TIMING; /* Karn */
	tern_count(e, TERN_CTR_TCP_RECOVERY, 1);
	n = tcp_retransmit(c, c->snd_una, tcp_seg_room(c));
	if (x != NULL)
		x->scb.high_rxt = c->snd_una + n;
	if (!(c->opt & CONN_O_SACK))
		c->cc.cwnd += 3u * c->cc.mss; /* NewReno: the three segments that left */
	tcp_arm_rtx(c);
}

/*
 * Early retransmit (RFC 5827): with fewer than four segments outstanding and nothing new
 * that could be sent (no data, no window, or Nagle holding it), three duplicate ACKs can
 * never come; oseg - 1 of them (SACKed segments with SACK) are enough.
 */
static bool
early_retransmit(const struct tern_conn *c)
{
	uint32_t mss = c->cc.mss;
	uint32_t oseg = (c->snd_max - c->snd_una + mss - 1) / mss;
	uint32_t got;

	if (oseg < 2 || oseg >= 4 || tcp_can_send_new(c))
		return false;
	if (c->opt & CONN_O_SACK)
		got = c->ext_id != 0 ? (conn_x(c)->scb.sacked + mss - 1) / mss : 0;
	else
		got = c->dupacks;
	return got >= oseg - 1;
}

/* SACK says snd_una is lost (RFC 6675 IsLost, with the connection's DupThresh). */
static bool
sack_lost(const struct tern_conn *c)
{
	const struct tcp_conn_ext *x = conn_x(c);

	if (!(c->opt & CONN_O_SACK) || x == NULL)
		return false;
	if (c->dupthresh <= SACK_DUPTHRESH)
		return sack_is_lost(&x->scb, c->snd_una, c->cc.mss);
	return x->scb.sacked > (uint32_t)(c->dupthresh - 1) * c->cc.mss;
}

/* Recovery ends: the recovery point is acknowledged. */
static void
leave_recovery(struct tern_conn *c)
{
	c->flags &= (uint32_t)~CONN_F_RECOVERY;
	c->dupacks = 0;
	conn_cc(c)->on_recovery_end(&c->cc, conn_flight(c), conn_e(c)->now_ns / 1000);
}

/*
 * Fifth step: the ACK field, in a synchronized state (RFC 9293 §3.10.7.4 fifth; RFC 5961
 * §5; RFC 6675, 6582, 3522/4015 for recovery), step by step.
 */

/* SYN_RCVD: an ACK of our SYN completes the handshake (accepted / connected). */
static bool
ack_syn_rcvd(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);
	tern_seq_t ack = s->th.ack;

	if (!seq_gt(ack, c->snd_una) || seq_gt(ack, c->snd_max)) {
		tcp_send_rst_reply(e, s);
		tern_drop(e, s->m, TERN_DROP_TCP_BAD_ACK);
		return false;
	}
	if (c->flags & CONN_F_PASSIVE) {
		/* Built by tcp_listen.c for this ACK, which checked the accept queue. */
		struct tcp_listener *l = e->tcp.listeners[c->node.key.lport];

		tern_count(e, TERN_CTR_TCP_PASSIVE_OPEN, 1);
		if (flow_key_is6(&c->node.key))
			tern_count(e, TERN_CTR_TCP6_OPEN, 1);
		if (l != NULL) {
			l->accq_len++;
			e->tcp.accq_total++;
			c->flags |= CONN_F_ACCQ;
		}
		if (l != NULL && l->paused) {
			/* held until tern_listen_pause(.., false) */
			c->events |= CONN_EV_ACCEPTED;
			if (!(c->flags & CONN_F_ON_EV)) {
				c->flags |= CONN_F_ON_EV | CONN_F_IN_ACCQ;
				conn_list_add_tail(&e->tcp, &l->accq, c, CONN_LK_EV);
			}
		} else {
			conn_event(c, CONN_EV_ACCEPTED);
		}
	} else {
		tern_count(e, TERN_CTR_TCP_ACTIVE_OPEN, 1);
		if (flow_key_is6(&c->node.key))
			tern_count(e, TERN_CTR_TCP6_OPEN, 1);
		conn_event(c, CONN_EV_CONNECTED);
	}
	if ((c->flags & CONN_F_RTT_TIMING) && c->nrtx == 0)
		tcp_rtt_sample(c, (uint32_t)(e->now_ns / 1000) - c->rtt_start_us);
	else if (c->nrtx > 0)
		tcp_rto_syn_fallback(c); /* our SYN-ACK went again (simultaneous open) */
	c->flags &= (uint32_t)~CONN_F_RTT_TIMING;
	conn_set_state(c, TERN_TCP_ESTABLISHED);
	if (c->flags & CONN_F_FIN_QUEUED) /* shutdown() in SYN_RCVD: the FIN goes now */
		conn_set_state(c, TERN_TCP_FIN_WAIT_1);
	c->snd_wnd = (uint32_t)s->th.win << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd > c->max_snd_wnd ? c->snd_wnd : c->max_snd_wnd;
	c->snd_wl1 = s->th.seq;
	c->snd_wl2 = ack;
	tcp_idle_arm(c);
	return true; /* the common processing follows: it acknowledges our SYN */
}

/* An ACK of what was never sent, or too old to be a duplicate (RFC 5961 §5.2). */
static bool
ack_acceptable(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);
	tern_seq_t ack = s->th.ack;

	if (seq_gt(ack, c->snd_max)) {
		/* Acknowledges something not yet sent: ACK and drop (RFC 9293, RFC 5961 §5). */
		ack_unacceptable(c, s);
		tern_drop(e, s->m, TERN_DROP_TCP_BAD_ACK);
		return false;
	}
	if (seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		/* Too old to be a real duplicate: a blind injection attempt (RFC 5961 §5.2). */
		ack_unacceptable(c, s);
		tern_drop(e, s->m, TERN_DROP_TCP_ACK_TOO_OLD);
		return false;
	}
	return true;
}

/* RTT: from the echoed timestamp (RFC 7323 §4), else the timed segment. */
static void
ack_rtt(struct tern_conn *c, const struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);

	if ((c->opt & CONN_O_TS) && (s->th.opts.present & WIRE_TCPO_TS) && s->th.opts.tsecr != 0) {
		uint32_t ms = tcp_ts_now(c, e->now_ms) - s->th.opts.tsecr;
		if (ms < 3600u * 1000)
			tcp_rtt_sample(c, ms * 1000);
		c->flags &= (uint32_t)~CONN_F_RTT_TIMING;
	} else if ((c->flags & CONN_F_RTT_TIMING) && seq_gt(s->th.ack, c->rtt_seq)) {
		c->flags &= (uint32_t)~CONN_F_RTT_TIMING;
		tcp_rtt_sample(c, (uint32_t)(e->now_ns / 1000) - c->rtt_start_us);
	}
}

/*
 * Eifel (RFC 3522): the first ACK for the retransmitted data echoes a timestamp older than
 * the retransmission: the original arrived, the segment was only reordered. Undo the
 * reduction (RFC 4015) and wait for more duplicates before the next recovery.
 */
static void
ack_undo(struct tern_conn *c, const struct tcp_seg *s)
{
	struct tcp_conn_ext *x = conn_x(c);

	if (!(c->flags & CONN_F_RECOVERY) || x == NULL || !x->undo_ok)
		return;
	x->undo_ok = 0;
	if ((s->th.opts.present & WIRE_TCPO_TS) && s->th.opts.tsecr != 0 &&
	        seq_lt(s->th.opts.tsecr, x->rxt_tsval)) {
		tern_count(conn_e(c), TERN_CTR_TCP_SPURIOUS_RECOVERY, 1);
		if (x->undo_cc.cwnd > c->cc.cwnd)
			c->cc = x->undo_cc;
		c->flags &= (uint32_t)~CONN_F_RECOVERY;
		c->dupacks = 0;
		c->recover = c->snd_una;
		c->dupthresh = c->dupthresh < 64 ? (uint8_t)(c->dupthresh * 2) : 127;
	}
}

/* Congestion control for @p acked new bytes (@p flight before them): recovery's end or
 * NewReno partial ACK (RFC 6582), else the algorithm's on_ack. */
static void
ack_cc(struct tern_conn *c, uint32_t acked, uint32_t flight)
{
	if (c->flags & CONN_F_RECOVERY) {
		if (seq_geq(c->snd_una, c->recover)) { /* snd_una is the ACK now */
			leave_recovery(c);
		} else if (!(c->opt & CONN_O_SACK)) {
			/* NewReno partial ACK (RFC 6582 §3.2 step 5): retransmit the
			 * next hole, deflate by what was acknowledged. */
			tcp_retransmit(c, c->snd_una, tcp_seg_room(c));
			c->cc.cwnd = c->cc.cwnd > acked ? c->cc.cwnd - acked : c->cc.mss;
			if (acked >= c->cc.mss)
				c->cc.cwnd += c->cc.mss;
		}
	} else {
		c->dupacks = 0;
		conn_cc(c)->on_ack(&c->cc, acked, flight, c->srtt_us, conn_e(c)->now_ns / 1000);
	}
}

/* New data acknowledged: the send buffer, snd_una, RTT, undo, congestion control, the
 * retransmission timer, the writable event. */
static void
ack_advance(struct tern_conn *c, const struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);
	tern_seq_t ack = s->th.ack;
	uint32_t acked = ack - c->snd_una;
	uint32_t flight = conn_flight(c);
	uint32_t data = acked;

	if (c->snd_una == c->iss)
		data--; /* our SYN */
	if ((c->flags & CONN_F_FIN_SENT) && seq_gt(ack, conn_snd_fin(c)))
		data--; /* our FIN */
	if (data > conn_sb_len(c))
		data = conn_sb_len(c);
	conn_sb_ack(c, data);
	c->snd_una = ack;
	c->progress_ms = (uint32_t)e->now_ms;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	ack_rtt(c, s);
	c->nrtx = 0;
	ack_undo(c, s);
	ack_cc(c, acked, flight);
	if (c->snd_una == c->snd_max)
		tcp_cancel_rtx(c);
	else
		tcp_arm_rtx(c);
	if ((c->flags & CONN_F_WANT_WRITE) && conn_sb_len(c) < conn_sb_limit(c)) {
		c->flags &= (uint32_t)~CONN_F_WANT_WRITE;
		conn_event(c, CONN_EV_WRITABLE);
	}
	/* tcp_output() would find nothing to do when everything sent is acknowledged (the
	 * retransmission timer is cancelled above), nothing is buffered, no FIN, ACK or SYN is
	 * owed, no recovery and no extension block to trim: the handshake's ACK of a fresh
	 * connection, an ACK that empties the pipe. Whatever owes output later asks for it. */
	if (c->snd_una != c->snd_max || conn_sb_len(c) != 0 || c->ext_id != 0 ||
	        (c->flags & (CONN_F_ACK_NOW | CONN_F_NEEDS_SYN | CONN_F_FIN_QUEUED |
	                            CONN_F_RECOVERY | CONN_F_PERSIST)))
		conn_want_output(c);
}

/*
 * A resent head segment lost again: the peer SACKs data we sent after it while snd_una
 * stays put. Send it again now rather than wait for a(nother) timeout; this is the same
 * loss episode, so congestion control is not told twice.
 */
static void
ack_lost_retransmit(struct tern_conn *c)
{
	struct tcp_conn_ext *x = conn_x(c);

	if (!(c->flags & CONN_F_RXT_WATCH))
		return;
	if (x == NULL || c->snd_una != x->rxt_head || !(c->opt & CONN_O_SACK)) {
		c->flags &= (uint32_t)~CONN_F_RXT_WATCH;
	} else if (seq_gt(sack_high(&x->scb, c->snd_una), x->rxt_mark)) {
		c->flags &= (uint32_t)~CONN_F_RXT_WATCH;
		tern_count(conn_e(c), TERN_CTR_TCP_LOST_RETRANS, 1);
		if (c->flags & CONN_F_RECOVERY) {
			x->scb.high_rxt = c->snd_una; /* NextSeg starts over */
		} else {
			c->snd_nxt = c->snd_una; /* after a timeout: go back again */
			if ((c->flags & CONN_F_FIN_SENT) && seq_leq(c->snd_nxt, conn_snd_fin(c)))
				c->flags &= (uint32_t)~CONN_F_FIN_SENT;
		}
		conn_want_output(c);
	}
}

/*
 * Duplicate ACK. With SACK (RFC 6675 §2): an ACK whose blocks SACK new bytes, even if it
 * carries data, a new window or moves snd_una (the peer's ACKs ride on its own data).
 * Without (RFC 5681 §2): nothing new acknowledged, no data, same window.
 */
static void
ack_duplicate(struct tern_conn *c, const struct tcp_seg *s, bool advanced, uint32_t newly_sacked,
        uint32_t win)
{
	bool dup;

	if (c->opt & CONN_O_SACK)
		dup = newly_sacked > 0;
	else
		dup = !advanced && s->th.ack == c->snd_una && s->len == 0 &&
		      !(s->th.flags & (WIRE_TCP_SYN | WIRE_TCP_FIN)) && win == c->snd_wnd;
	if (!dup || c->snd_una == c->snd_max)
		return;
	if (c->dupacks < 255)
		c->dupacks++;
	if (c->flags & CONN_F_RECOVERY) {
		if (!(c->opt & CONN_O_SACK))
			c->cc.cwnd += c->cc.mss; /* NewReno inflation (RFC 6582 §3.2) */
		conn_want_output(c);
	} else if (seq_gt(c->snd_una, c->recover) || c->snd_una == c->recover) {
		/* RFC 6582 §3.2 / RFC 6675 §5: not for losses of what was sent before the last
		 * recovery or timeout ended. */
		if (c->dupacks >= c->dupthresh || sack_lost(c) || early_retransmit(c))
			enter_recovery(c);
		else if (c->dupacks <= 2)
			conn_want_output(c); /* limited transmit (RFC 3042) */
	}
}

/* Send window update (RFC 9293 §3.10.7.4 fifth, ESTABLISHED). */
static void
ack_window(struct tern_conn *c, const struct tcp_seg *s, uint32_t win)
{
	if (seq_lt(c->snd_wl1, s->th.seq) ||
	        (c->snd_wl1 == s->th.seq && seq_leq(c->snd_wl2, s->th.ack))) {
		if (win > c->snd_wnd)
			conn_want_output(c);
		c->snd_wnd = win;
		if (win > c->max_snd_wnd)
			c->max_snd_wnd = win;
		c->snd_wl1 = s->th.seq;
		c->snd_wl2 = s->th.ack;
	}
}

/* Our FIN acknowledged: FIN_WAIT_1 -> FIN_WAIT_2, CLOSING -> TIME_WAIT, LAST_ACK -> done.
 * @return false when the connection ended here (the segment freed). */
static bool
ack_fin_states(struct tern_conn *c, struct tcp_seg *s)
{
	bool fin_acked = (c->flags & CONN_F_FIN_SENT) && seq_gt(c->snd_una, conn_snd_fin(c));

	if (!fin_acked)
		return true;
	switch (c->state) {
	case TERN_TCP_FIN_WAIT_1:
		conn_set_state(c, TERN_TCP_FIN_WAIT_2);
		tcp_idle_arm(c);
		return true;
	case TERN_TCP_CLOSING:
		rte_pktmbuf_free(s->m);
		conn_time_wait(c);
		return false;
	case TERN_TCP_LAST_ACK:
		rte_pktmbuf_free(s->m);
		conn_finish(c);
		return false;
	default:
		return true;
	}
}

/* @return false when the segment is finished with (dropped or the connection ended). */
static bool
input_ack(struct tern_conn *c, struct tcp_seg *s)
{
	uint32_t win, newly_sacked = 0;
	bool advanced;

	if (c->state == TERN_TCP_SYN_RCVD && !ack_syn_rcvd(c, s))
		return false;
	if (!ack_acceptable(c, s))
		return false;
	if (seq_lt(s->th.ack, c->snd_una)) /* old duplicate: ignore the ACK field */
		return ack_fin_states(c, s);
	win = (uint32_t)s->th.win << c->snd_wscale;
	advanced = seq_gt(s->th.ack, c->snd_una);
	if (advanced)
		ack_advance(c, s);
	if ((c->opt & CONN_O_SACK) && (s->th.opts.present & WIRE_TCPO_SACK)) {
		struct tcp_conn_ext *x = conn_ext_get(c);

		if (x != NULL)
			newly_sacked = sack_update(
			        &x->scb, c->snd_una, c->snd_max, s->th.opts.sack, s->th.opts.nsack);
		else
			sack_give_up(c);
	} else if (c->ext_id != 0 && conn_x(c)->scb.n != 0) {
		sack_update(&conn_x(c)->scb, c->snd_una, c->snd_max, NULL, 0);
	}
	ack_lost_retransmit(c);
	ack_duplicate(c, s, advanced, newly_sacked, win);
	ack_window(c, s, win);
	return ack_fin_states(c, s);
}

/* Data after tern_conn_close(): nobody will read it; reset (RFC 2525 §2.17, as Linux). */
static void
data_after_close(struct tern_conn *c, struct tcp_seg *s)
{
	tcp_send_rst(c);
	tern_drop(conn_e(c), s->m, TERN_DROP_TCP_CLOSED_DATA);
	conn_terminate(c, TERN_CLOSE_ABORTED);
}

/* Deliver in-order payload @p m (trimmed to its @p len bytes) to the receive buffer.
 * @return false when the connection had no buffers and none could be had (conn_io_new()):
 * @p m dropped (tcp_io_nomem), rcv_nxt unchanged: the peer resends */
static bool
deliver(struct tern_conn *c, struct rte_mbuf *m, uint32_t len)
{
	struct tcp_conn_io *io = likely(c->io_id != 0) ? conn_io(c) : conn_io_new(c);

	if (unlikely(io == NULL)) {
		tern_drop(conn_e(c), m, TERN_DROP_TCP_IO_NOMEM);
		return false;
	}
	io->rb_len += m->data_len;
	m->next = NULL;
	if (io->rb_tail != NULL)
		io->rb_tail->next = m;
	else
		io->rb_head = m;
	io->rb_tail = m;
	c->rcv_nxt += len;
	tern_count(conn_e(c), TERN_CTR_TCP_DATA_RX, len);
	conn_event(c, CONN_EV_READABLE);
	return true;
}

/*
 * States other than LISTEN and SYN_SENT (RFC 9293 §3.10.7.4), step by step. Each step
 * returns false when it has dealt with the segment (dropped, answered, or the connection
 * ended); the segment's mbuf is then no longer ours.
 */

/* What the steps after the sequence check see: the segment trimmed to the window. */
struct seg_view {
	tern_seq_t seq; /**< first sequence number kept */
	uint32_t len;   /**< payload bytes kept */
	uint32_t front; /**< payload bytes before rcv_nxt, trimmed off */
	uint8_t fl;     /**< flags, less a SYN before rcv_nxt or a FIN beyond the window */
};

/* A retransmitted SYN in SYN_RCVD: our SYN-ACK was lost, send it again. */
static bool
step_syn_rcvd_resend(struct tern_conn *c, struct tcp_seg *s)
{
	uint8_t fl = s->th.flags;

	/* In SYN_RCVD rcv_nxt is still the peer's ISN + 1 (no data before the ACK). */
	if (c->state != TERN_TCP_SYN_RCVD || !(fl & WIRE_TCP_SYN) || (fl & WIRE_TCP_ACK) ||
	        s->th.seq + 1 != c->rcv_nxt)
		return true;
	c->flags |= CONN_F_NEEDS_SYN;
	conn_want_output(c);
	tern_drop(conn_e(c), s->m, TERN_DROP_TCP_SYN_RETRANS);
	return false;
}

/* Timestamps (RFC 7323): required once negotiated; PAWS (§5.3) before anything else. */
static bool
step_paws(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);
	uint8_t fl = s->th.flags;
	tern_seq_t seq = s->th.seq;

	if (!(c->opt & CONN_O_TS) || (fl & WIRE_TCP_RST))
		return true;
	if (!(s->th.opts.present & WIRE_TCPO_TS)) {
		tern_drop(e, s->m, TERN_DROP_TCP_NO_TS);
		return false;
	}
	if ((c->opt & CONN_O_TS_VALID) && tcp_secs(e->now_ms) - c->ts_recent_s > PAWS_24DAYS_S)
		c->opt &= (uint8_t)~CONN_O_TS_VALID; /* §5.5: too old to compare */
	if ((c->opt & CONN_O_TS_VALID) && seq_lt(s->th.opts.tsval, c->ts_recent)) {
		if (fl & WIRE_TCP_SYN) {
			/* Still a SYN (RFC 5961 §4): a challenge ACK from the budget (§7), as
			 * Linux; not an unacceptable segment's ACK, which a SYN always gets. */
			tcp_challenge_ack(c);
			tern_drop(e, s->m, TERN_DROP_TCP_SYN_CHALLENGE);
			return false;
		}
		if (s->len > 0 && !(fl & (WIRE_TCP_SYN | WIRE_TCP_RST)) &&
		        seq_leq(seq + s->len, c->rcv_nxt))
			dsack_note(c, seq, seq + s->len); /* an old copy: say so */
		ack_unacceptable(c, s);
		tern_drop(e, s->m, TERN_DROP_TCP_PAWS);
		return false;
	}
	return true;
}

/* first: check the sequence number; trim to the window (into @p v). */
static bool
step_sequence(struct tern_conn *c, struct tcp_seg *s, struct seg_view *v)
{
	struct tern_engine *e = conn_e(c);
	uint8_t fl = s->th.flags;
	tern_seq_t seq = s->th.seq;
	uint32_t seglen = s->len + !!(fl & WIRE_TCP_SYN) + !!(fl & WIRE_TCP_FIN);
	uint32_t front = 0, len = s->len, wnd;
	bool acceptable = seg_acceptable(c, seq, seglen), zero_wnd_ack = false;

	if (!acceptable && seq == c->rcv_nxt && c->rcv_adv == c->rcv_nxt && !(fl & WIRE_TCP_SYN)) {
		/* A zero window accepts no text and no FIN, "but special allowance should be
		 * made to accept valid ACKs, URGs, and RSTs" (RFC 9293 §3.10.7.4 first check):
		 * a window probe with data at rcv_nxt still brings its ACK and window (as
		 * Linux). Its text and FIN are trimmed away below, and an ACK says so. */
		zero_wnd_ack = true;
		e->stats.drop[TERN_DROP_TCP_OUT_OF_WINDOW]++;
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
	} else if (!acceptable) {
		if ((fl & (WIRE_TCP_SYN | WIRE_TCP_RST)) == WIRE_TCP_SYN) {
			/* RFC 5961 §4: a SYN draws a challenge ACK whatever its sequence. */
			tcp_challenge_ack(c);
			tern_drop(e, s->m, TERN_DROP_TCP_SYN_CHALLENGE);
			return false;
		}
		if (s->len > 0 && !(fl & WIRE_TCP_RST) && seq_leq(seq + seglen, c->rcv_nxt))
			dsack_note(c, seq, seq + s->len);
		ack_unacceptable(c, s);
		/* Wholly old data is a retransmission (ours ACKed late, a tail loss probe),
		 * not an attack: count it apart. */
		tern_drop(e, s->m,
		        s->len > 0 && seq_leq(seq + seglen, c->rcv_nxt)
		                ? TERN_DROP_TCP_DUP_DATA
		                : TERN_DROP_TCP_OUT_OF_WINDOW);
		return false;
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
		if (!(fl & WIRE_TCP_RST))
			dsack_note(c, seq, seq + front);
		len -= front;
		seq += front;
	}
	wnd = c->rcv_adv - c->rcv_nxt;
	if (zero_wnd_ack) {
		len = 0;
		fl &= (uint8_t)~WIRE_TCP_FIN;
	} else if (seq_gt(seq + len, c->rcv_nxt + wnd)) {
		len = seq_gt(c->rcv_nxt + wnd, seq) ? c->rcv_nxt + wnd - seq : 0;
		fl &= (uint8_t)~WIRE_TCP_FIN;
	}
	v->seq = seq;
	v->len = len;
	v->front = front;
	v->fl = fl;
	return true;
}

/* second: RST (RFC 5961 §3); fourth: SYN (RFC 5961 §4); fifth: no ACK, no processing. */
static bool
step_control(struct tern_conn *c, struct tcp_seg *s, uint8_t fl)
{
	struct tern_engine *e = conn_e(c);

	if (fl & WIRE_TCP_RST) {
		/* exact match resets, otherwise a challenge ACK */
		if (s->th.seq != c->rcv_nxt) {
			tcp_challenge_ack(c);
			tern_drop(e, s->m, TERN_DROP_TCP_RST_CHALLENGE);
			return false;
		}
		tern_count(e, TERN_CTR_TCP_RST_RX, 1);
		rte_pktmbuf_free(s->m);
		if (c->state == TERN_TCP_SYN_RCVD && !(c->flags & CONN_F_PASSIVE))
			tern_count(e, TERN_CTR_TCP_CONNECT_FAIL, 1);
		conn_terminate(c, c->state == TERN_TCP_SYN_RCVD && !(c->flags & CONN_F_PASSIVE)
		                          ? TERN_CLOSE_REFUSED
		                          : TERN_CLOSE_RESET);
		return false;
	}
	if (fl & WIRE_TCP_SYN) {
		tcp_challenge_ack(c);
		tern_drop(e, s->m, TERN_DROP_TCP_SYN_CHALLENGE);
		return false;
	}
	if (!(fl & WIRE_TCP_ACK)) {
		tern_drop(e, s->m, TERN_DROP_TCP_NO_ACK);
		return false;
	}
	return true;
}

/* The segment is acceptable: TS.Recent follows it (RFC 7323 §4.3). */
static void
step_ts_recent(struct tern_conn *c, const struct tcp_seg *s)
{
	if ((c->opt & CONN_O_TS) && (s->th.opts.present & WIRE_TCPO_TS) &&
	        seq_leq(s->th.seq, c->last_ack_sent) &&
	        (!(c->opt & CONN_O_TS_VALID) || seq_geq(s->th.opts.tsval, c->ts_recent))) {
		c->ts_recent = s->th.opts.tsval;
		c->ts_recent_s = tcp_secs(conn_e(c)->now_ms);
		c->opt |= CONN_O_TS_VALID;
	}
}

/* The segment filled (part of) a hole: take what now follows, and ACK at once (RFC 5681
 * §4.2). @return whether the stream's FIN now comes in order. */
static bool
take_filled(struct tern_conn *c)
{
	struct tern_engine *e = conn_e(c);
	struct tcp_conn_ext *x = conn_x(c);
	struct rte_mbuf *m;
	uint32_t n;
	bool fin = false, f = false;

	while ((m = reass_pop(&x->reass, &e->tcp.reass, c->rcv_nxt, &n, &f)) != NULL) {
		/* cannot fail: the segment before was just delivered, the buffers are held */
		(void)deliver(c, m, n);
		fin |= f;
	}
	fin |= f;
	c->flags |= CONN_F_ACK_NOW;
	conn_want_output(c);
	return fin || (x->reass.has_fin && x->reass.fin_seq == c->rcv_nxt);
}

/* seventh: segment text (in order: delivered; out of order: queued); a FIN with it or
 * beyond a hole. Sets *fin_in_order when the stream ends here. */
static bool
step_text(struct tern_conn *c, struct tcp_seg *s, const struct seg_view *v, bool *fin_in_order)
{
	struct tern_engine *e = conn_e(c);
	uint8_t fl = v->fl;
	struct rte_mbuf *m;
	bool filled;

	if (v->len == 0) {
		if (s->len > 0 && !(fl & WIRE_TCP_FIN)) {
			/* Everything was a duplicate (or beyond the window): tell the peer. */
			c->flags |= CONN_F_ACK_NOW;
			conn_want_output(c);
		} else if ((fl & WIRE_TCP_FIN) && v->seq == c->rcv_nxt) {
			*fin_in_order = true;
		} else if ((fl & WIRE_TCP_FIN) && seq_gt(v->seq, c->rcv_nxt) &&
		           !(c->flags & CONN_F_FIN_RCVD)) {
			/* A FIN beyond a hole: remember it with the queue (without an
			 * extension the peer sends it again), ACK what we have. */
			struct tcp_conn_ext *x = conn_ext_get(c);

			if (x != NULL) {
				x->reass.has_fin = 1;
				x->reass.fin_seq = v->seq;
			}
			tcp_send_ack_now(c, c->snd_nxt);
		}
		return true;
	}
	switch (c->state) {
	case TERN_TCP_ESTABLISHED:
	case TERN_TCP_FIN_WAIT_1:
	case TERN_TCP_FIN_WAIT_2:
		break;
	default:
		/* After the peer's FIN: nothing more can be data. */
		tern_drop(e, s->m, TERN_DROP_TCP_OUT_OF_WINDOW);
		return false;
	}
	if (c->flags & CONN_F_APP_CLOSED) {
		data_after_close(c, s);
		return false;
	}
	if (tcp_pool_low(e)) {
		/* Buffering it would starve reception (ACKs, RSTs) of mbufs: the peer resends
		 * it; its ACK field and window were taken above. */
		tern_drop(e, s->m, TERN_DROP_TCP_RCV_POOL_LOW);
		return false;
	}
	if (v->len > c->rcv_mss)
		c->rcv_mss = (uint16_t)(v->len < c->mss ? v->len : c->mss);
	m = s->m;
	s->m = NULL;
	rte_pktmbuf_adj(m, (uint16_t)(s->data_off + v->front));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - v->len));
	if (v->seq != c->rcv_nxt) {
		/* Out of order: queue it, ACK at once with SACK (RFC 5681 §4.2). */
		struct tcp_conn_ext *x = conn_ext_get(c);
		enum reass_result r = REASS_NOMEM;

		if (x != NULL)
			r = reass_insert(&x->reass, &e->tcp.reass, v->seq, v->len, m,
			        (fl & WIRE_TCP_FIN) != 0, e->conf.reass_segs);
		else
			rte_pktmbuf_free(m);
		if (r == REASS_QUEUED) {
			tern_count(e, TERN_CTR_TCP_OOO_QUEUED, 1);
		} else if (r == REASS_DUP) {
			e->stats.drop[TERN_DROP_TCP_REASS_DUP]++;
			dsack_note(c, v->seq, v->seq + v->len);
		} else {
			e->stats.drop[TERN_DROP_TCP_REASS_FULL]++;
		}
		tcp_send_ack_now(c, c->snd_nxt);
		return false;
	}
	filled = c->ext_id != 0 && (conn_x(c)->reass.head != NULL || conn_x(c)->reass.has_fin);
	if (!deliver(c, m, v->len)) {
		/* no buffers: as if the segment were lost (a FIN with it comes again too) */
		tcp_send_ack_now(c, c->snd_nxt);
		return false;
	}
	if (fl & WIRE_TCP_FIN) {
		/* The stream ends here: whatever was queued beyond is not data. */
		*fin_in_order = true;
		filled = false;
		if (c->ext_id != 0)
			reass_purge(&conn_x(c)->reass, &e->tcp.reass);
	}
	if (filled)
		*fin_in_order = take_filled(c);
	else if (!*fin_in_order)
		tcp_ack_later(c);
	return true;
}

/* eighth: FIN (in order: the state moves on; again: ACKed again). Frees the segment. */
static void
step_fin(struct tern_conn *c, struct tcp_seg *s, uint8_t fl, bool fin_in_order)
{
	struct tern_engine *e = conn_e(c);

	if (fin_in_order && !(c->flags & CONN_F_FIN_RCVD)) {
		bool fin_acked =
		        (c->flags & CONN_F_FIN_SENT) && seq_gt(c->snd_una, conn_snd_fin(c));

		if (c->ext_id != 0)
			reass_purge(&conn_x(c)->reass, &e->tcp.reass);
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

/* The payload of a segment header prediction took (@p s, in order, within the window):
 * to the receive buffer, and the ACK scheduled. When it was delivered, the burst's next
 * frame may continue it (rx_continue()). */
static inline void
predicted_data(struct tern_engine *e, struct tern_conn *c, struct tcp_seg *s)
{
	struct rte_mbuf *m = s->m;

	if (s->len > c->rcv_mss)
		c->rcv_mss = (uint16_t)(s->len < c->mss ? s->len : c->mss);
	rte_pktmbuf_adj(m, s->data_off);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - s->len));
	if (likely(deliver(c, m, s->len))) {
		tcp_ack_later(c);
		e->tcp.rx_cont = c;
		e->tcp.rx_cont_hash = s->hash;
	} else {
		tcp_send_ack_now(c, c->snd_nxt); /* no buffers: as if lost, see step_text() */
	}
}

/*
 * Header prediction, the in-order fast path: the ESTABLISHED connection's next expected
 * segment, ACK (and PSH) its only flags, the send window unchanged, no SACK blocks and no
 * scoreboard, nothing queued out of order, a timestamp that passes PAWS; and either a pure
 * ACK of new data or in-order data within the window. For such a segment every check of
 * the steps below is known to pass and most of their work is void, so only what remains
 * is done, in the same order (TS.Recent, the ACK, the window, the text). Anything else,
 * or any doubt, goes the general way.
 * @return true when the segment was taken here.
 */
/* Header prediction's test (below): whether @p s (window field scaled: @p win) is one it
 * takes. */
static inline __attribute__((always_inline)) bool
predictable(struct tern_engine *e, struct tern_conn *c, const struct tcp_seg *s, uint32_t win)
{
	uint8_t fl = s->th.flags &
	             (WIRE_TCP_FIN | WIRE_TCP_SYN | WIRE_TCP_RST | WIRE_TCP_ACK | WIRE_TCP_URG);
	tern_seq_t ack = s->th.ack;

	if (c->state != TERN_TCP_ESTABLISHED || fl != WIRE_TCP_ACK || s->th.seq != c->rcv_nxt ||
	        win != c->snd_wnd || (s->th.opts.present & WIRE_TCPO_SACK) || c->ext_id != 0 ||
	        seq_lt(ack, c->snd_una) || seq_gt(ack, c->snd_max))
		return false;
	if ((c->opt & CONN_O_TS) &&
	        (!(s->th.opts.present & WIRE_TCPO_TS) ||
	                ((c->opt & CONN_O_TS_VALID) &&
	                        (seq_lt(s->th.opts.tsval, c->ts_recent) ||
	                                tcp_secs(e->now_ms) - c->ts_recent_s > PAWS_24DAYS_S))))
		return false;
	return s->len == 0 ? ack != c->snd_una /* a duplicate ACK: counted the general way */
	                   : s->len <= c->rcv_adv - c->rcv_nxt && !(c->flags & CONN_F_APP_CLOSED) &&
	                             !tcp_pool_low(e);
}

static bool
input_predicted(struct tern_conn *c, struct tcp_seg *s)
{
	struct tern_engine *e = conn_e(c);
	tern_seq_t ack = s->th.ack;
	uint32_t win = (uint32_t)s->th.win << c->snd_wscale;

	if (!predictable(e, c, s, win))
		return false;
	tern_count(e, TERN_CTR_TCP_PREDICTED, 1);
	step_ts_recent(c, s);
	c->last_rx_ms = (uint32_t)e->now_ms;
	c->ka_probes = 0;
	if (ack != c->snd_una) {
		ack_advance(c, s);
		ack_lost_retransmit(c);
	}
	ack_window(c, s, win);
	if (s->len == 0) {
		rte_pktmbuf_free(s->m);
		return true;
	}
	predicted_data(e, c, s);
	return true;
}

/*
 * RX continuation. Frame @p s of the burst comes right after one that header prediction
 * delivered into @p c (tcp_engine.rx_cont). When it is the next in-order data with the
 * same ACK and window, header prediction would take it as well, and much of its work
 * would change nothing: the flow look-up would find @p c again, the ACK is no news, and
 * TS.Recent stays (the segment starts past last_ack_sent: no ACK has left since). So only
 * the checks that can fail and what changes state are done, as input_predicted() does
 * them; any doubt, and the segment goes the usual way. @return true when @p s was taken
 * here.
 */
static bool
rx_continue(struct tern_engine *e, struct tern_conn *c, struct tcp_seg *s)
{
	uint32_t win = (uint32_t)s->th.win << c->snd_wscale;
	struct flow_key k = tcp_seg_key(s);

	/* header prediction's test, and: the same connection (the hash may collide), data, no
	 * news in the ACK, and nothing that step_ts_recent() would take (TS.Recent valid, the
	 * segment past last_ack_sent: implied, since no ACK leaves within a burst, and checked
	 * so that the skip does not rest on that) */
	if (!flow_key_eq(&c->node.key, &k) || s->len == 0 || s->th.ack != c->snd_una ||
	        seq_leq(s->th.seq, c->last_ack_sent) ||
	        ((c->opt & CONN_O_TS) && !(c->opt & CONN_O_TS_VALID)) || !predictable(e, c, s, win))
		return false;
	tern_count(e, TERN_CTR_TCP_PREDICTED, 1);
	tern_count(e, TERN_CTR_TCP_RX_CONTINUED, 1);
	c->last_rx_ms = (uint32_t)e->now_ms;
	c->ka_probes = 0;
	ack_window(c, s, win); /* moves snd_wl1 to this segment, as its own pass would */
	s->hash = e->tcp.rx_cont_hash;
	predicted_data(e, c, s);
	return true;
}

/* The steps of RFC 9293 §3.10.7.4 in order, for what header prediction did not take. */
static void
input_steps(struct tern_conn *c, struct tcp_seg *s)
{
	struct seg_view v;
	bool fin_in_order = false;

	if (!step_syn_rcvd_resend(c, s) || !step_paws(c, s) || !step_sequence(c, s, &v) ||
	        !step_control(c, s, v.fl))
		return;
	step_ts_recent(c, s);
	c->last_rx_ms = (uint32_t)conn_e(c)->now_ms;
	c->ka_probes = 0;
	if (!input_ack(c, s)) /* sixth: the ACK field */
		return;
	if (!step_text(c, s, &v, &fin_in_order))
		return;
	step_fin(c, s, v.fl, fin_in_order);
}

/* States other than LISTEN and SYN_SENT (RFC 9293 §3.10.7.4). */
static void
input_synchronized(struct tern_conn *c, struct tcp_seg *s)
{
	if (c->state == TERN_TCP_ESTABLISHED && input_predicted(c, s))
		return; /* (the handshake's ACK, in SYN_RCVD, goes the general way) */
	input_steps(c, s);
	conn_ext_trim(c); /* the loss or the hole may be over (no-op once the block is gone) */
}

_Static_assert(TCP_RX_BATCH <= FLOW_HASH_N_MAX, "a batch's keys are hashed in one call");

void
tcp_rx_prepare(struct tern_engine *e, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct tcp_engine *tcp = &e->tcp;
	struct flow_key key[TCP_RX_BATCH];
	uint16_t i, k = 0;

	for (i = 0; i < n && k < TCP_RX_BATCH; i++) {
		const struct rte_mbuf *m = pkts[i];
		struct wire_tcp4_tuple t;
		uint16_t l4len = 0;

		if (!ipv4_tcp_fast(e, m, &t, &l4len) && !ipv4_frame_tuple(m, &t))
			continue;
		key[k] = (struct flow_key){
		        .laddr = t.dst, .raddr = t.src, .lport = t.dport, .rport = t.sport};
		tcp->rx_m[k] = m;
		tcp->rx_l4len[k] = l4len;
		k++;
	}
	flow_hash_n(&tcp->flows, key, k, tcp->rx_hash); /* the burst's keys together */
	for (i = 0; i < k; i++)
		flow_prefetch_bucket(&tcp->flows, tcp->rx_hash[i]);
	for (i = 0; i < k; i++)
		flow_prefetch_node(&tcp->flows, tcp->rx_hash[i]);
	tcp->rx_n = k;
	tcp->rx_cur = 0;
	tcp->rx_cont = NULL;
	if (n > 0)
		tcp_pool_rx(e, n);
}

void
tcp_rx_done(struct tern_engine *e)
{
	e->tcp.rx_n = 0;
	e->tcp.rx_cur = 0;
	e->tcp.rx_cont = NULL; /* the connection may go before the next burst */
}

/* The flow hash of @p k, segment @p m: prepared by tcp_rx_prepare() when @p m is the next
 * frame it looked at (frames are processed in order), else computed now. */
static inline uint32_t
rx_hash_of(struct tern_engine *e, const struct rte_mbuf *m, const struct flow_key *k)
{
	struct tcp_engine *tcp = &e->tcp;

	while (tcp->rx_cur < tcp->rx_n) {
		if (tcp->rx_m[tcp->rx_cur] == m)
			return tcp->rx_hash[tcp->rx_cur++];
		tcp->rx_cur++; /* that frame was dropped before TCP */
	}
	return flow_hash(&tcp->flows, k);
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

/* The segment @p s (parsed, checksum verified, addresses in its key) to its flow. */
static void
tcp_input_flow(struct tern_engine *e, struct tcp_seg *s, uint32_t hash)
{
	struct rte_mbuf *m = s->m;
	struct flow_node *n;
	struct tcp_listener *l;
	struct flow_key k;

	k = tcp_seg_key(s);
	s->hash = hash;
	n = flow_lookup_hashed(&e->tcp.flows, &k, hash);
	e->tcp.flows.seg_node = n;
	e->tcp.flows.seg_hash = hash;
	if (n != NULL && n->kind == FLOW_CONN) {
		struct tern_conn *c = (struct tern_conn *)n;
		if (c->state == TERN_TCP_SYN_SENT)
			input_syn_sent(c, s);
		else
			input_synchronized(c, s);
		return;
	}
	if (n != NULL && n->kind == FLOW_SYN) {
		struct tern_conn *c = tcp_synq_input(e, synq_entry_of(n), s);
		if (c != NULL)
			input_synchronized(c, s);
		return;
	}
	l = e->tcp.listeners[k.lport];
	if (n != NULL) {
		struct tcp_tw *tw = (struct tcp_tw *)n;
		enum tern_drop why = TERN_DROP_TCP_TW_SEGMENT;

		switch (tw_input(e, tw, s)) {
		case TW_ACK:
			tern_count(e, TERN_CTR_TCP_TW_ACK, 1);
			tw_send_ack(e, tw);
			break;
		case TW_KILL:
			tern_count(e, TERN_CTR_TCP_RST_RX, 1);
			tw_remove(e, tw);
			break;
		case TW_REOPEN:
			if (l != NULL) {
				/* RFC 6191: the old incarnation is over; the listener takes
				 * the SYN with an ISN beyond the old snd_nxt. */
				s->tw_reopen = true;
				s->tw_snd_nxt = tw->snd_nxt;
				tern_count(e, TERN_CTR_TCP_TW_REUSE_PASSIVE, 1);
				tw_remove(e, tw);
				tcp_listen_input(e, l, s); /* a SYN: never a connection yet */
				return;
			}
			/* nobody listens (the tuple was an active open) */
			__attribute__((fallthrough));
		case TW_CHALLENGE:
			why = TERN_DROP_TCP_TW_SYN;
			if (tcp_challenge_budget(e)) {
				tern_count(e, TERN_CTR_TCP_TW_ACK, 1);
				tw_send_ack(e, tw);
			}
			break;
		case TW_IGNORE_RST:
			why = TERN_DROP_TCP_TW_RST_IGNORED;
			break;
		case TW_DROP:
			break;
		}
		tern_drop(e, m, why);
		return;
	}
	if (l != NULL) {
		struct tern_conn *c = tcp_listen_input(e, l, s);
		if (c != NULL)
			input_synchronized(c, s);
		return;
	}
	/* CLOSED (RFC 9293 §3.10.7.1): answer with a RST, never a RST to a RST. */
	if (s->th.flags & WIRE_TCP_RST) {
		tern_drop(e, m, TERN_DROP_TCP_NO_LISTENER);
		return;
	}
	tcp_send_rst_reply(e, s);
	tern_drop(e, m, TERN_DROP_TCP_NO_LISTENER_RST);
}

static void
tcp_input_seg(struct tern_engine *e, struct tcp_seg *s, uint32_t hash)
{
	tcp_input_flow(e, s, hash);
	e->tcp.flows.seg_node = NULL; /* the node may be freed and taken for another key */
}

/* The NIC verified @p m's TCP checksum (and said so): no sum to compute, not even the
 * pseudo header's. */
static inline bool
tcp_rx_csum_good(const struct tern_engine *e, const struct rte_mbuf *m)
{
	return e->conf.rx_csum_offload &&
	       (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

/* Parse the TCP header at @p l4off (@p l4len bytes) into @p s; checksum by the NIC's flag
 * or @p pseudo (the pseudo-header sum; callers skip it, 0, when tcp_rx_csum_good()).
 * @return false when @p m was dropped. */
static inline __attribute__((always_inline)) bool
tcp_parse_seg(struct tern_engine *e, struct rte_mbuf *m, uint16_t l4off, uint32_t l4len,
        uint32_t pseudo, struct tcp_seg *s)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	enum wire_err err;

	err = wire_tcp_parse(p + l4off, l4len, &s->th);
	if (err != WIRE_OK) {
		tern_drop(e, m, tcp_err_drop[err]);
		return false;
	}
	if (tcp_rx_csum_good(e, m)) {
		/* verified by the NIC */
	} else if ((e->conf.rx_csum_offload && (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	                                               RTE_MBUF_F_RX_L4_CKSUM_BAD) ||
	           wire_csum_fold(l4len == s->th.hdr_len /* no payload: a header */
	                                  ? wire_csum_add_hdr(pseudo, p + l4off, l4len)
	                                  : wire_csum_add(pseudo, p + l4off, l4len)) != 0) {
		tern_drop(e, m, TERN_DROP_TCP_CSUM);
		return false;
	}
	if (s->th.sport == 0 || s->th.dport == 0) {
		tern_drop(e, m, TERN_DROP_TCP_PORT0);
		return false;
	}
	tern_count(e, TERN_CTR_TCP_SEG_RX, 1);
	s->len = l4len - s->th.hdr_len;
	s->data_off = (uint16_t)(l4off + s->th.hdr_len);
	s->m = m;
	s->tw_reopen = false;
	/* Drop link padding so that the payload ends where the IP packet ends. */
	if (rte_pktmbuf_pkt_len(m) > (uint32_t)l4off + l4len)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - (l4off + l4len)));
	return true;
}

/* The segment at @p l4off of @p m, @p l4len bytes, from @p src to @p dst (IPv4, checked),
 * parsed into @p s with its checksum verified. @return false when @p m was dropped. */
static inline __attribute__((always_inline)) bool
tcp_parse_seg4(struct tern_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst,
        uint16_t l4off, uint32_t l4len, struct tcp_seg *s)
{
	if (!tcp_parse_seg(e, m, l4off, l4len,
	            tcp_rx_csum_good(e, m)
	                    ? 0
	                    : wire_csum_pseudo4(src, dst, WIRE_IPPROTO_TCP, (uint16_t)l4len),
	            s))
		return false;
	tcp_seg_put_addrs(s, dst, src);
	return true;
}

void
tcp_input(
        struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip, uint16_t l4off)
{
	struct flow_key k;
	struct tcp_seg s;

	if (!tcp_parse_seg4(e, m, ip->src, ip->dst, l4off, ip->total_len - ip->hdr_len, &s))
		return;
	k = tcp_seg_key(&s);
	tcp_input_seg(e, &s, rx_hash_of(e, m, &k));
}

bool
tcp_rx_input(struct tern_engine *e, struct rte_mbuf *m)
{
	struct tcp_engine *tcp = &e->tcp;
	uint16_t j = tcp->rx_cur;
	const uint8_t *ip;
	struct tcp_seg s;
	uint32_t hash;

	/* Slots before @p m's are frames dropped before TCP; a frame without a slot (not TCP
	 * over IPv4) leaves them as they are. A frame that goes the general path ends any
	 * continuation (rx_cont): it may end the connection. */
	while (j < tcp->rx_n && tcp->rx_m[j] != m)
		j++;
	if (j == tcp->rx_n) {
		tcp->rx_cont = NULL;
		return false;
	}
	tcp->rx_cur = j;
	if (tcp->rx_l4len[j] == 0) {
		tcp->rx_cont = NULL;
		return false; /* the general path; tcp_input() takes the hash */
	}
	tcp->rx_cur = (uint16_t)(j + 1);
	hash = tcp->rx_hash[j];
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, WIRE_ETH_HLEN);
	if (tcp_parse_seg4(e, m, ld32(ip + 12), ld32(ip + 16), WIRE_ETH_HLEN + WIRE_IPV4_HLEN,
	            tcp->rx_l4len[j], &s)) {
		/* (a frame dropped by the parse touched no connection: a continuation holds) */
		struct tern_conn *cont = tcp->rx_cont;

		tcp->rx_cont = NULL; /* set again only by this frame's own delivery */
		if (cont == NULL || hash != tcp->rx_cont_hash || !rx_continue(e, cont, &s))
			tcp_input_seg(e, &s, hash);
	}
	return true;
}

void
tcp_input6(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        uint16_t l4off, uint32_t l4len)
{
	struct flow_key k;
	struct tcp_seg s;
	uint32_t peer;

	if (wire_ip6_is_multicast(&ip->dst)) {
		tern_drop(e, m, TERN_DROP_IP6_NOT_US); /* TCP is unicast only */
		return;
	}
	if (!tcp_parse_seg(e, m, l4off, l4len,
	            tcp_rx_csum_good(e, m)
	                    ? 0
	                    : wire_csum_pseudo6(&ip->src, &ip->dst, WIRE_IPPROTO_TCP, l4len),
	            &s))
		return;
	peer = flow_peer6_get(&e->tcp.flows, &ip->src);
	if (peer == FLOW_PEER_NONE) {
		tern_drop(e, m, TERN_DROP_TCP_CONN_TABLE_FULL);
		return;
	}
	tern_count(e, TERN_CTR_TCP6_SEG_RX, 1);
	s.laddr = wire_ip6_is_linklocal(&ip->dst) ? FLOW_L6_LINK : FLOW_L6_GLOBAL;
	s.raddr = peer;
	k = tcp_seg_key(&s);
	tcp_input_seg(e, &s, flow_hash(&e->tcp.flows, &k));
}

void
tcp_ptb6(struct tern_engine *e, const struct wire_ip6 *dst, uint32_t mtu, const uint8_t *inner,
        size_t len)
{
	struct wire_ip6 src;
	struct flow_node *n;
	struct tern_conn *c;
	struct flow_key k;
	uint32_t mss;

	/* We send no extension headers: the quote is IPv6 + TCP, ports first. */
	if (len < WIRE_IPV6_HLEN + 4 || inner[6] != WIRE_IPPROTO_TCP)
		return;
	memcpy(src.b, inner + 8, sizeof(src.b));
	k.laddr = wire_ip6_is_linklocal(&src) ? FLOW_L6_LINK : FLOW_L6_GLOBAL;
	k.raddr = flow_peer6_get(&e->tcp.flows, dst);
	k.lport = (uint16_t)(inner[WIRE_IPV6_HLEN] << 8 | inner[WIRE_IPV6_HLEN + 1]);
	k.rport = (uint16_t)(inner[WIRE_IPV6_HLEN + 2] << 8 | inner[WIRE_IPV6_HLEN + 3]);
	if (k.raddr == FLOW_PEER_NONE)
		return;
	n = flow_lookup(&e->tcp.flows, &k);
	if (n == NULL || n->kind != FLOW_CONN)
		return;
	c = (struct tern_conn *)n;
	mss = mtu - WIRE_IPV6_HLEN - WIRE_TCP_HLEN; /* mtu is 1280 at least: 1220 at least */
	if (mss < c->mss) {
		c->mss = (uint16_t)mss;
		tern_count(e, TERN_CTR_TCP6_PTB_MSS, 1);
		conn_want_output(c);
	}
}
