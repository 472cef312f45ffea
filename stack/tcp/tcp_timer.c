/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection timers on the engine's wheel: retransmission (RFC 6298) and zero-window
 * probing, delayed ACK, and the idle timer (keepalive, FIN_WAIT_2 timeout); the user
 * timeout bounds the retransmission timer.
 *
 * On expiry the oldest unacknowledged segment is due: the RTO doubles (up to 120 s),
 * the congestion window falls to one segment (RFC 5681 §3.1), RTT timing stops (Karn),
 * and sending restarts from snd_una (go-back-N, skipping what the peer SACKed; SACK loss
 * recovery proper is tcp_input.c's, entry and ACKs, and tcp_output.c's, the RFC 6675
 * sending). After syn_retries (SYN, SYN-ACK) or
 * data_retries (data, FIN) the connection ends with TERN_CLOSE_TIMEOUT and a RST to the
 * peer; with unacknowledged data older than the user timeout, TERN_CLOSE_USER_TIMEOUT.
 */
#include "engine/engine.h"
#include "tcp/tcp.h"

#define TCP_RTO_MAX_MS         120000u
#define TCP_RTO_GRANULARITY_US 1000u

/* ---- one wheel entry for the three timers ---- */

/*
 * The deadlines are 32-bit stamps (engine ms, low bits). The wheel entry is never later
 * than any armed deadline: arming an earlier one moves it, arming a later one leaves it
 * (it may fire early once and find nothing due), and it is moved to the earliest only
 * after it fired. Stopping the last armed timer leaves the entry pending too ("stale",
 * counted in tcp.timers_stale): a connection's timers come and go several times a
 * handshake and a request, and the next arm, seldom earlier than the stale expiry, then
 * finds the entry in place instead of cancelling and filing it again; a stale entry
 * that fires finds nothing armed and leaves the wheel. So when it fires, every armed
 * deadline lies within 2^32 ms after its expiry (they are armed at most TCP_TIMER_MAX_MS
 * ahead), however late the engine polls; after the handlers ran, every deadline still
 * armed is within 2^31 ms of now.
 */

/* Engine ms of deadline @p stamp, read as a signed distance from @p now_ms. */
static inline uint64_t
timer_near(uint32_t stamp, uint64_t now_ms)
{
	return now_ms + (uint64_t)(int64_t)(int32_t)(stamp - (uint32_t)now_ms);
}

/* Point the wheel entry at the earliest armed timer, or take it off the wheel. */
static void
timer_sync(struct tern_conn *c)
{
	struct twheel *w = &conn_e(c)->wheel;
	uint64_t now = conn_e(c)->now_ms;
	uint64_t first = UINT64_MAX;
	unsigned k;

	for (k = 0; k < CONN_T_N; k++)
		if (conn_timer_armed(c, (enum conn_timer)k) && timer_near(c->due[k], now) < first)
			first = timer_near(c->due[k], now);
	if (first == UINT64_MAX) {
		if (tern_timer_pending(&c->timer)) {
			conn_e(c)->tcp.timers_stale--; /* a handler armed and stopped one */
			twheel_cancel(w, &c->timer);
		}
	} else if (!tern_timer_pending(&c->timer) || c->timer.expires != first)
		twheel_arm(w, &c->timer, first);
}

void
conn_timer_arm(struct tern_conn *c, enum conn_timer k, uint64_t when)
{
	/* The settings are bounded (TCP_TIMER_MAX_MS); this keeps the stamp readable anyway. */
	if (when > conn_e(c)->now_ms + TCP_TIMER_MAX_MS)
		when = conn_e(c)->now_ms + TCP_TIMER_MAX_MS;
	c->due[k] = (uint32_t)when;
	if (!tern_timer_pending(&c->timer)) {
		c->timers |= (uint8_t)(1u << k);
		twheel_arm(&conn_e(c)->wheel, &c->timer, when);
		return;
	}
	if (c->timers == 0)
		conn_e(c)->tcp.timers_stale--; /* a stale entry in use again */
	c->timers |= (uint8_t)(1u << k);
	if (when < c->timer.expires)
		twheel_arm(&conn_e(c)->wheel, &c->timer, when);
}

void
conn_timer_stop(struct tern_conn *c, enum conn_timer k)
{
	if (!conn_timer_armed(c, k))
		return;
	c->timers &= (uint8_t) ~(1u << k);
	/* The entry stays where it is, even with nothing else armed (stale, see above): it
	 * may fire early once and find nothing due (cheaper than a resync on every ACK that
	 * settles a delayed one, or a cancel and a new filing for every RTX stop and arm). */
	if (c->timers == 0 && tern_timer_pending(&c->timer))
		conn_e(c)->tcp.timers_stale++;
}

static void rtx_expired(struct tern_conn *c, struct tern_engine *e);
static void delack_expired(struct tern_conn *c, struct tern_engine *e);
static void idle_expired(struct tern_conn *c, struct tern_engine *e);

void
conn_timer_fn(struct tern_timer *t, void *ctx)
{
	static void (*const expired[CONN_T_N])(struct tern_conn *, struct tern_engine *) = {
	        [CONN_T_RTX] = rtx_expired,
	        [CONN_T_DELACK] = delack_expired,
	        [CONN_T_IDLE] = idle_expired,
	};
	struct tern_conn *c = tern_container_of(t, struct tern_conn, timer);
	struct tern_engine *e = ctx;
	uint64_t fired = t->expires; /* no armed deadline is earlier (see above) */
	unsigned k;

	if (c->timers == 0) {
		conn_e(c)->tcp.timers_stale--; /* stale: off the wheel now */
		return;
	}

	for (k = 0; k < CONN_T_N; k++) {
		if (c->flags & CONN_F_DEAD)
			return;
		if (conn_timer_armed(c, (enum conn_timer)k) &&
		        fired + (uint32_t)(c->due[k] - (uint32_t)fired) <= e->now_ms) {
			c->timers &= (uint8_t) ~(1u << k);
			expired[k](c, e);
		}
	}
	if (!(c->flags & CONN_F_DEAD))
		timer_sync(c);
}

void
tcp_arm_rtx(struct tern_conn *c)
{
	uint64_t when = conn_e(c)->now_ms + c->rto_ms;
	uint32_t uto = conn_ka(c)->user_timeout_ms;

	/* The user timeout ends the connection on time, not at the next backoff step. */
	if (uto != 0 && c->snd_una != c->snd_max &&
	        tcp_ms_at(conn_e(c)->now_ms, c->progress_ms) + uto < when)
		when = tcp_ms_at(conn_e(c)->now_ms, c->progress_ms) + uto;
	if (when <= conn_e(c)->now_ms)
		when = conn_e(c)->now_ms + 1;
	conn_timer_arm(c, CONN_T_RTX, when);
}

/* RTO from SRTT and RTTVAR (RFC 6298 §2), the initial one before any sample. */
static inline __attribute__((always_inline)) void
rto_compute(struct tern_conn *c)
{
	uint32_t rto_us, var4;

	if (c->srtt_us == 0) {
		c->rto_ms = conn_e(c)->conf.rto_init_ms;
		return;
	}
	var4 = 4 * c->rttvar_us;
	rto_us = c->srtt_us + (var4 > TCP_RTO_GRANULARITY_US ? var4 : TCP_RTO_GRANULARITY_US);
	c->rto_ms = (rto_us + 999) / 1000;
	if (c->rto_ms < conn_e(c)->conf.rto_min_ms)
		c->rto_ms = conn_e(c)->conf.rto_min_ms;
	if (c->rto_ms > TCP_RTO_MAX_MS)
		c->rto_ms = TCP_RTO_MAX_MS;
}

void
tcp_persist_end(struct tern_conn *c)
{
	if (!(c->flags & CONN_F_PERSIST))
		return;
	/* The probes were answered or the window opened: their doubling was no loss, and
	 * the data's retransmission timer starts from the RTO again (as Linux, which clears
	 * icsk_backoff when the window opens). */
	c->flags &= (uint32_t)~CONN_F_PERSIST;
	c->nrtx = 0; /* (unanswered probes, counted while persisting) */
	rto_compute(c);
}

void
tcp_cancel_rtx(struct tern_conn *c)
{
	conn_timer_stop(c, CONN_T_RTX);
	if (unlikely(c->flags & CONN_F_PERSIST))
		tcp_persist_end(c);
}

void
tcp_rtt_sample(struct tern_conn *c, uint32_t r)
{
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
	rto_compute(c);
}

#define TCP_RTO_SYN_FALLBACK_MS 3000 /* RFC 6298 §5 (5.7); Linux's TCP_TIMEOUT_FALLBACK */

void
tcp_rto_syn_fallback(struct tern_conn *c)
{
	const struct tern_engine_conf *conf = &conn_e(c)->conf;

	if (c->srtt_us != 0 || conf->rto_init_ms >= TCP_RTO_SYN_FALLBACK_MS)
		return;
	c->rto_ms = conf->rto_min_ms > TCP_RTO_SYN_FALLBACK_MS ? conf->rto_min_ms
	                                                       : TCP_RTO_SYN_FALLBACK_MS;
}

/* End the connection from a timer: RST to the peer (unless only a SYN was sent). */
static void
timer_kill(struct tern_conn *c, enum tern_close_reason why, enum tern_counter ctr)
{
	struct tern_engine *e = conn_e(c);

	tern_count(e, ctr, 1);
	if (c->state == TERN_TCP_SYN_SENT)
		tern_count(e, TERN_CTR_TCP_CONNECT_FAIL, 1);
	else
		tcp_send_rst(c);
	conn_terminate(c, why);
}

static void
rtx_expired(struct tern_conn *c, struct tern_engine *e)
{
	bool syn = c->state == TERN_TCP_SYN_SENT || c->state == TERN_TCP_SYN_RCVD;
	unsigned limit = syn ? e->conf.syn_retries : e->conf.data_retries;

	if (c->flags & CONN_F_DEAD)
		return;
	if (c->flags & CONN_F_PERSIST) {
		/* Probes the peer answers never end the connection (RFC 1122 §4.2.2.17); a
		 * peer silent behind its shut window would hold it and its send buffer for
		 * ever: more than data_retries probes in a row unanswered (nothing received
		 * since the one before, rto_ms ago; the first follows what shut the window),
		 * or the user timeout since
		 * the peer was last heard, end it (as Linux's probe timer). nrtx counts them:
		 * nothing is in flight while persisting, and tcp_persist_end() clears it. */
		if (conn_ka(c)->user_timeout_ms != 0 &&
		        tcp_ms_since(e->now_ms, c->last_rx_ms) >= conn_ka(c)->user_timeout_ms) {
			timer_kill(c, TERN_CLOSE_USER_TIMEOUT, TERN_CTR_TCP_USER_TIMEOUT);
			return;
		}
		if (tcp_ms_since(e->now_ms, c->last_rx_ms) <= c->rto_ms) {
			c->nrtx = 0;
		} else if (++c->nrtx > limit) {
			timer_kill(c, TERN_CLOSE_TIMEOUT, TERN_CTR_TCP_TIMEOUT);
			return;
		}
		/* Zero-window probe: an old sequence number draws an ACK with the window. */
		tern_count(e, TERN_CTR_TCP_ZERO_WINDOW_PROBE, 1);
		tcp_send_ack_now(c, c->snd_una - 1);
		c->rto_ms = c->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : c->rto_ms * 2;
		tcp_arm_rtx(c);
		return;
	}
	if (c->snd_una == c->snd_max)
		return; /* nothing outstanding */
	if (!syn && conn_ka(c)->user_timeout_ms != 0 &&
	        tcp_ms_since(e->now_ms, c->progress_ms) >= conn_ka(c)->user_timeout_ms) {
		timer_kill(c, TERN_CLOSE_USER_TIMEOUT, TERN_CTR_TCP_USER_TIMEOUT);
		return;
	}
	if (!syn && c->snd_wnd == 0 && tcp_ms_since(e->now_ms, c->last_rx_ms) <= TCP_RTO_MAX_MS) {
		/* The peer shut its window on data in flight (RFC 9293 §3.8.6, MUST-35): these
		 * retransmissions probe the zero window, and while the peer answers them the
		 * connection is not timed out (RFC 1122 §4.2.2.17), only after TCP_RTO_MAX_MS
		 * of silence (as Linux's tcp_retransmit_timer). */
		if (c->nrtx < limit)
			c->nrtx++;
	} else if (++c->nrtx > limit) {
		timer_kill(c, TERN_CLOSE_TIMEOUT, TERN_CTR_TCP_TIMEOUT);
		return;
	}
	tern_count(e, TERN_CTR_TCP_RTO, 1);
	if (!syn) {
		/* RFC 5681 §3.1 / RFC 6582 §4: loss window, and no fast retransmit for what
		 * was sent before this timeout. */
		conn_cc(c)->on_rto(&c->cc, c->snd_max - c->snd_una, e->now_ns / 1000);
		c->recover = c->snd_max;
		c->flags &= (uint32_t)~CONN_F_RECOVERY;
		c->dupacks = 0;
		/* Keep what the peer SACKed: going back from snd_una skips it. A second
		 * timeout in a row may mean the peer reneged (RFC 2018 §8): forget it. */
		if (c->ext_id != 0) {
			if (c->nrtx > 1)
				sack_reset(&conn_x(c)->scb);
			conn_x(c)->scb.high_rxt = c->snd_una;
		}
	}
	c->rto_ms = c->rto_ms * 2 > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : c->rto_ms * 2;
	c->flags &= (uint32_t)~CONN_F_RTT_TIMING;
	c->snd_nxt = c->snd_una;
	if (syn)
		c->flags |= CONN_F_NEEDS_SYN;
	tcp_arm_rtx(c);
	if (!syn) {
		/* The head segment goes now, whatever SACK claimed (the peer would have ACKed
		 * it had it arrived), within the peer's window; a shut window still gets it
		 * (the probe RFC 1122 §4.2.2.17 asks for). The rest follows as cwnd allows.
		 * The head may be our FIN alone: tcp_resend() needs CONN_F_FIN_SENT to know it. */
		uint32_t len = tcp_seg_room(c);

		if (c->snd_wnd > 0 && c->snd_wnd < len)
			len = c->snd_wnd;
		c->snd_nxt += tcp_resend(c, c->snd_una, len);
	}
	/* A FIN not sent again yet goes again after the data before it. */
	if ((c->flags & CONN_F_FIN_SENT) && seq_leq(c->snd_nxt, conn_snd_fin(c)))
		c->flags &= (uint32_t)~CONN_F_FIN_SENT;
	tcp_output(c);
}

void
tcp_ack_later(struct tern_conn *c)
{
	struct tern_engine *e = conn_e(c);

	if (e->conf.no_delack || conn_rcv_unacked(c) >= 2u * c->rcv_mss) {
		c->flags |= CONN_F_ACK_NOW;
		conn_want_output(c);
		return;
	}
	if (!(c->flags & CONN_F_DELACK)) {
		/* The deadline is set now; the wheel hears of it only after the output pass
		 * (tcp_delack_arm()): most often the ACK goes before that, with the
		 * application's answer or its FIN, and the timer was never needed. */
		c->flags |= CONN_F_DELACK | CONN_F_DELACK_ARM;
		c->due[CONN_T_DELACK] = (uint32_t)(e->now_ms + e->conf.delack_ms);
		conn_want_output(c);
	}
}

void
tcp_delack_arm(struct tern_conn *c)
{
	c->flags &= (uint32_t)~CONN_F_DELACK_ARM;
	if ((c->flags & (CONN_F_DELACK | CONN_F_DEAD)) == CONN_F_DELACK)
		conn_timer_arm(
		        c, CONN_T_DELACK, timer_near(c->due[CONN_T_DELACK], conn_e(c)->now_ms));
}

static void
delack_expired(struct tern_conn *c, struct tern_engine *e)
{
	if ((c->flags & CONN_F_DEAD) || !(c->flags & CONN_F_DELACK))
		return;
	tern_count(e, TERN_CTR_TCP_DELAYED_ACK, 1);
	c->flags |= CONN_F_ACK_NOW;
	tcp_output(c);
}

void
tcp_idle_arm(struct tern_conn *c)
{
	struct tern_engine *e = conn_e(c);

	if (c->flags & CONN_F_DEAD)
		return;
	if (c->state == TERN_TCP_FIN_WAIT_2 && (c->flags & CONN_F_APP_CLOSED)) {
		if (!conn_timer_armed(c, CONN_T_IDLE) || (c->flags & CONN_F_KA_PROBE)) {
			c->flags &= (uint32_t)~CONN_F_KA_PROBE;
			conn_timer_arm(c, CONN_T_IDLE, e->now_ms + e->conf.fin_timeout_ms);
		}
		return;
	}
	if ((c->opt & CONN_O_KEEPALIVE) && c->state == TERN_TCP_ESTABLISHED) {
		c->flags &= (uint32_t)~CONN_F_KA_PROBE;
		conn_timer_arm(
		        c, CONN_T_IDLE, tcp_ms_at(e->now_ms, c->last_rx_ms) + conn_ka(c)->idle_ms);
		return;
	}
	conn_timer_stop(c, CONN_T_IDLE);
}

static void
idle_expired(struct tern_conn *c, struct tern_engine *e)
{
	if (c->flags & CONN_F_DEAD)
		return;
	if (c->state == TERN_TCP_FIN_WAIT_2 && (c->flags & CONN_F_APP_CLOSED)) {
		timer_kill(c, TERN_CLOSE_FIN_TIMEOUT, TERN_CTR_TCP_FIN_TIMEOUT);
		return;
	}
	if (!(c->opt & CONN_O_KEEPALIVE) || c->state != TERN_TCP_ESTABLISHED)
		return;
	if (c->snd_una != c->snd_max || conn_sb_len(c) > 0) {
		/* Data in flight: retransmissions watch the peer, not keepalive. */
		c->flags &= (uint32_t)~CONN_F_KA_PROBE;
		c->ka_probes = 0;
		conn_timer_arm(c, CONN_T_IDLE, e->now_ms + conn_ka(c)->idle_ms);
		return;
	}
	if (tcp_ms_since(e->now_ms, c->last_rx_ms) <
	        (c->flags & CONN_F_KA_PROBE ? 0 : conn_ka(c)->idle_ms)) {
		/* Something arrived since the timer was set: wait from then. */
		conn_timer_arm(
		        c, CONN_T_IDLE, tcp_ms_at(e->now_ms, c->last_rx_ms) + conn_ka(c)->idle_ms);
		return;
	}
	if ((c->flags & CONN_F_KA_PROBE) && c->ka_probes == 0) {
		/* Probing had started and an answer came (input clears ka_probes). */
		c->flags &= (uint32_t)~CONN_F_KA_PROBE;
		conn_timer_arm(
		        c, CONN_T_IDLE, tcp_ms_at(e->now_ms, c->last_rx_ms) + conn_ka(c)->idle_ms);
		return;
	}
	if (c->ka_probes >= conn_ka(c)->cnt) {
		timer_kill(c, TERN_CLOSE_KEEPALIVE, TERN_CTR_TCP_KEEPALIVE_TIMEOUT);
		return;
	}
	/* RFC 1122 §4.2.3.6: an old sequence number makes the peer answer with an ACK. */
	c->flags |= CONN_F_KA_PROBE;
	c->ka_probes++;
	tern_count(e, TERN_CTR_TCP_KEEPALIVE_PROBE, 1);
	tcp_send_ack_now(c, c->snd_una - 1);
	conn_timer_arm(c, CONN_T_IDLE, e->now_ms + conn_ka(c)->intvl_ms);
}
