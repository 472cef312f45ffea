/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Retransmission timer (RFC 6298) and zero-window probing, on the engine's wheel.
 *
 * On expiry the oldest unacknowledged segment is due: the RTO doubles (up to 120 s),
 * the congestion window falls to one segment (RFC 5681 §3.1), RTT timing stops (Karn),
 * and sending restarts from snd_una (go-back-N; SACK-based recovery comes later). After
 * syn_retries (SYN, SYN-ACK) or data_retries (data, FIN) the connection ends with
 * TERN_CLOSE_TIMEOUT and a RST to the peer.
 */
#include "engine/engine.h"
#include "tcp/tcp.h"

#define TCP_RTO_MAX_MS         120000u
#define TCP_RTO_GRANULARITY_US 1000u

void
tcp_arm_rtx(struct tern_conn *c)
{
	twheel_arm(&c->e->wheel, &c->rtx_timer, c->e->now_ms + c->rto_ms);
}

void
tcp_cancel_rtx(struct tern_conn *c)
{
	twheel_cancel(&c->e->wheel, &c->rtx_timer);
	c->flags &= (uint16_t)~CONN_F_PERSIST;
}

void
tcp_rtt_sample(struct tern_conn *c, uint32_t r)
{
	uint32_t rto_us, var4;

	if (r == 0)
		r = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = r;
		c->rttvar_us = r / 2;
	} else {
		uint32_t d = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;
		c->rttvar_us = (3 * c->rttvar_us + d) / 4;
		c->srtt_us = (7 * c->srtt_us + r) / 8;
	}
	var4 = 4 * c->rttvar_us;
	rto_us = c->srtt_us + (var4 > TCP_RTO_GRANULARITY_US ? var4 : TCP_RTO_GRANULARITY_US);
	c->rto_ms = (rto_us + 999) / 1000;
	if (c->rto_ms < c->e->conf.rto_min_ms)
		c->rto_ms = c->e->conf.rto_min_ms;
	if (c->rto_ms > TCP_RTO_MAX_MS)
		c->rto_ms = TCP_RTO_MAX_MS;
}

void
tcp_rtx_timer_fn(struct tern_timer *t, void *ctx)
{
	struct tern_conn *c = tern_container_of(t, struct tern_conn, rtx_timer);
	struct tern_engine *e = ctx;
	bool syn = c->state == TERN_TCP_SYN_SENT || c->state == TERN_TCP_SYN_RCVD;
	unsigned limit = syn ? e->conf.syn_retries : e->conf.data_retries;
	uint32_t flight;

	if (c->flags & CONN_F_DEAD)
		return;
	if (c->flags & CONN_F_PERSIST) {
		/* Zero-window probe: an old sequence number draws an ACK with the window. */
		tcp_send_ack_now(c, c->snd_una - 1);
		c->rto_ms = c->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : c->rto_ms * 2;
		tcp_arm_rtx(c);
		return;
	}
	if (c->snd_una == c->snd_max)
		return; /* nothing outstanding */
	if (++c->nrtx > limit) {
		tern_count(e, TERN_CTR_TCP_TIMEOUT, 1);
		if (c->state == TERN_TCP_SYN_SENT)
			tern_count(e, TERN_CTR_TCP_CONNECT_FAIL, 1);
		else
			tcp_send_bare(e, &c->node.key, c->snd_nxt, c->rcv_nxt,
			        WIRE_TCP_RST | WIRE_TCP_ACK);
		conn_terminate(c, TERN_CLOSE_TIMEOUT);
		return;
	}
	flight = c->snd_max - c->snd_una;
	c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
	c->cwnd = c->mss;
	c->rto_ms = c->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : c->rto_ms * 2;
	c->flags &= (uint16_t)~CONN_F_RTT_TIMING;
	c->snd_nxt = c->snd_una;
	if (syn)
		c->flags |= CONN_F_NEEDS_SYN;
	if ((c->flags & CONN_F_FIN_SENT) && seq_leq(c->snd_una, c->snd_fin))
		c->flags &= (uint16_t)~CONN_F_FIN_SENT;
	tcp_arm_rtx(c);
	tcp_output(c);
}
