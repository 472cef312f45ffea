/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC congestion control, RFC 9438, with C = 0.4 and beta_cubic = 0.7.
 *
 * Window function (§4.2), with t the time since the epoch started (the first ACK of the
 * current congestion avoidance stage):
 *
 *	W_cubic(t) = C * (t - K)^3 + W_max,	K = cbrt((W_max - cwnd_epoch) / C)
 *
 * RFC 9438 counts windows in segments and time in seconds. Here windows stay in bytes, so
 * C becomes C * mss bytes/s^3, and time is in milliseconds for the cubic terms:
 *
 *	W_cubic(t) = W_max +/- |t - K|^3 * 2 * mss / 5e9	(bytes; t, K in ms)
 *	K^3 = (W_max - cwnd_epoch) * 5e9 / (2 * mss)		(ms^3)
 *
 * All integer: 64-bit products arranged so that they cannot overflow (mul_div()), an
 * integer cube root, K rounded to the nearest millisecond. The bounds assume mss <= 65535
 * (the MSS option is 16 bits) and cwnd <= TCP_CC_CWND_MAX. |t - K| is capped at 2^19 ms
 * (8.7 min) on the convex side; W_cubic passes TCP_CC_CWND_MAX long before.
 *
 * Per ACK in congestion avoidance (cwnd >= ssthresh):
 * - W_est += alpha_cubic * acked / cwnd (segments), alpha_cubic = 3(1-beta)/(1+beta) = 9/17
 *   until W_est reaches cwnd_prior, then 1 (§4.3). Kept in bytes with the fraction as a
 *   remainder over 17 * cwnd.
 * - Reno-friendly region (§4.3): if W_cubic(t) < W_est, cwnd = W_est (never lowered).
 * - Otherwise concave/convex regions (§4.4, §4.5): target = W_cubic(t + RTT) clamped to
 *   [cwnd, 1.5 cwnd] (§4.2) and cwnd grows by (target - cwnd) / cwnd per segment
 *   acknowledged, i.e. by (target - cwnd) * acked / cwnd bytes for @p acked bytes. The
 *   fraction of a byte carries over (cwnd_rem), so growth is exact and cwnd never passes
 *   target. cc->acked is not used.
 * - RTT is srtt_us; before the first sample, CUBIC_RTT_FALLBACK_US (100 ms).
 * - Application-limited ACKs (flight < cwnd/2, tcp_cc_cwnd_limited()) grow nothing, and the
 *   time since the previous ACK is taken out of t by moving the epoch start forward
 *   (§5.8: t must not include application-limited periods).
 *
 * Slow start (cwnd < ssthresh) is the shared RFC 5681/3465 one (tcp_cc_slow_start());
 * HyStart++ (RFC 9406, recommended by §4.10) is not implemented. Bytes left over when slow
 * start reaches ssthresh start congestion avoidance on the same ACK.
 *
 * Loss (§4.6, §4.7): cwnd_prior = cwnd; W_max = cwnd, or cwnd * (1 + beta) / 2 when cwnd is
 * below the previous W_max (fast convergence); ssthresh = max(beta * min(flight, cwnd),
 * 2 * mss): RFC 9438 uses flight_size, the min keeps a loss from ever raising cwnd;
 * cwnd = ssthresh. The epoch restarts at the next congestion avoidance ACK.
 *
 * Timeout (§4.8): ssthresh = max(beta * flight, 2 * mss) (flight, not cwnd, so that
 * repeated timeouts of one segment keep ssthresh), cwnd = 1 mss, and W_max is forgotten:
 * the next epoch runs with K = 0 and W_max = W_est = cwnd_epoch.
 *
 * End of recovery: RFC 6582 option (1) as NewReno (tcp_cc_recovery_end()).
 */
#include <stddef.h>
#include <string.h>

#include "tcp/cc.h"

#define CUBIC_RTT_FALLBACK_US 100000
#define CUBIC_T_MAX_MS        (UINT64_C(1) << 19)
/* C = 0.4 segments/s^3 = 2 * mss / 5e9 bytes/ms^3. */
#define CUBIC_C_DEN           UINT64_C(5000000000)
/* beta_cubic = 7/10; (1 + beta) / 2 = 17/20; alpha_cubic = 3(1 - beta)/(1 + beta) = 9/17. */
#define CUBIC_BETA_NUM        7
#define CUBIC_BETA_DEN        10
#define CUBIC_FC_NUM          17
#define CUBIC_FC_DEN          20
#define CUBIC_ALPHA_NUM       9
#define CUBIC_ALPHA_DEN       17

/*
 * State kept in tcp_cc.priv (eight 32-bit words); loaded and stored with memcpy (no type
 * punning). Time is kept as engine milliseconds, low 32 bits, compared by wrap-safe
 * differences: t and the application-limited gaps are exact in milliseconds (the cubic
 * terms are in milliseconds anyway), wrong only across a 49.7-day gap between two ACKs.
 * W_est's remainder (below 17 * cwnd <= 17 * 2^31, 36 bits) is split between a word and
 * spare bits of K's word (K < 2^21 ms: K^3 <= 2^31 * 5e9 / 2 for mss >= 1), beside the
 * one bit that says an epoch runs (cwnd_epoch itself is needed only at the epoch start).
 */
#define CUBIC_K_BITS   22
#define CUBIC_K_MASK   ((UINT32_C(1) << CUBIC_K_BITS) - 1)
#define CUBIC_REM_HI_S CUBIC_K_BITS        /* w_est_rem >> 32 in bits 22..30 */
#define CUBIC_EPOCH    (UINT32_C(1) << 31) /* an epoch is running */
struct cubic_store {
	uint32_t epoch_ms;    /* epoch start, moved forward by application-limited time */
	uint32_t last_ack_ms; /* time of the previous ACK */
	uint32_t w_est_rem;   /* low 32 bits of the remainder */
	uint32_t kw;          /* K (ms) | remainder >> 32 << CUBIC_REM_HI_S | CUBIC_EPOCH */
	uint32_t cwnd_rem;
	uint32_t w_max;
	uint32_t cwnd_prior;
	uint32_t w_est;
};

_Static_assert(sizeof(struct cubic_store) <= sizeof(((struct tcp_cc *)0)->priv),
        "CUBIC state must fit in tcp_cc.priv");
_Static_assert(offsetof(struct cubic_store, epoch_ms) == 0 &&
                       offsetof(struct cubic_store, last_ack_ms) == sizeof(uint32_t),
        "the time words come first: cubic_on_ack() writes them alone");

/* The same, unpacked while an ACK is processed. */
struct cubic {
	uint32_t epoch_ms;    /* epoch start, moved forward by application-limited time */
	uint32_t last_ack_ms; /* time of the previous ACK */
	uint64_t w_est_rem;   /* fraction of w_est, over CUBIC_ALPHA_DEN * cwnd */
	uint32_t cwnd_rem;    /* fraction of cwnd, over cwnd */
	uint32_t w_max;       /* bytes; 0 = none (start, or after a timeout) */
	uint32_t cwnd_prior;  /* cwnd when ssthresh was last set, bytes */
	uint32_t cwnd_epoch;  /* cwnd when the epoch started (only then); 0 = no epoch */
	uint32_t k_ms;        /* K, milliseconds */
	uint32_t w_est;       /* Reno-friendly estimate, bytes */
};

static void
cubic_load(const struct tcp_cc *cc, struct cubic *s)
{
	struct cubic_store p;

	memcpy(&p, cc->priv, sizeof(p));
	s->epoch_ms = p.epoch_ms;
	s->last_ack_ms = p.last_ack_ms;
	s->w_est_rem = (uint64_t)((p.kw & ~CUBIC_EPOCH) >> CUBIC_REM_HI_S) << 32 | p.w_est_rem;
	s->cwnd_rem = p.cwnd_rem;
	s->w_max = p.w_max;
	s->cwnd_prior = p.cwnd_prior;
	s->cwnd_epoch = (p.kw & CUBIC_EPOCH) != 0;
	s->k_ms = p.kw & CUBIC_K_MASK;
	s->w_est = p.w_est;
}

static void
cubic_store(struct tcp_cc *cc, const struct cubic *s)
{
	struct cubic_store p;

	p.epoch_ms = s->epoch_ms;
	p.last_ack_ms = s->last_ack_ms;
	p.w_est_rem = (uint32_t)s->w_est_rem;
	p.kw = s->k_ms | (uint32_t)(s->w_est_rem >> 32) << CUBIC_REM_HI_S |
	       (s->cwnd_epoch != 0 ? CUBIC_EPOCH : 0);
	p.cwnd_rem = s->cwnd_rem;
	p.w_max = s->w_max;
	p.cwnd_prior = s->cwnd_prior;
	p.w_est = s->w_est;
	memcpy(cc->priv, &p, sizeof(p));
}

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t
clamp_cwnd(uint64_t w)
{
	return w > TCP_CC_CWND_MAX ? TCP_CC_CWND_MAX : (uint32_t)w;
}

/* a * b / c without overflow, provided (a / c) * b and (c - 1) * b fit in 64 bits. */
static uint64_t
mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return (a / c) * b + (a % c) * b / c;
}

/*
 * Floor of the cube root of @p x, one result bit per step. Before the step at shift s,
 * y = floor(cbrt(X >> (s + 3))) for the original X, and x = X - (y^3 << (s + 3)); the step
 * doubles y and adds 1 if (2y + 1)^3 still fits, using (y + 1)^3 - y^3 = 3y(y + 1) + 1.
 */
static uint64_t
icbrt(uint64_t x)
{
	uint64_t y = 0;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		uint64_t b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1; /* (y + 1)^3 - y^3 */
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return y;
}

/* K in ms (§4.2), rounded to nearest: K^3 = (W_max - cwnd_epoch) / C. */
static uint32_t
cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
	uint64_t v, k;

	if (w_max <= cwnd_epoch || mss == 0)
		return 0;
	v = mul_div(w_max - cwnd_epoch, CUBIC_C_DEN, 2 * (uint64_t)mss);
	k = icbrt(v);
	if ((k + 1) * (k + 1) * (k + 1) - v < v - k * k * k)
		k++;
	return (uint32_t)k;
}

/* W_cubic(t) in bytes (§4.2), @p t_us since the epoch start. */
static uint32_t
cubic_w(const struct cubic *s, uint32_t mss, uint64_t t_us)
{
	uint64_t t_ms = t_us / 1000;
	uint64_t d, cube, delta;

	if (t_ms >= s->k_ms) {
		d = t_ms - s->k_ms;
		if (d > CUBIC_T_MAX_MS)
			d = CUBIC_T_MAX_MS;
	} else {
		d = s->k_ms - t_ms; /* < 2^22: K^3 fits in 64 bits */
	}
	cube = d * d * d;
	delta = mul_div(cube, 2 * (uint64_t)mss, CUBIC_C_DEN);
	if (t_ms >= s->k_ms)
		return clamp_cwnd((uint64_t)s->w_max + delta);
	return delta >= s->w_max ? 0 : s->w_max - (uint32_t)delta;
}

/* First congestion avoidance ACK since a loss, timeout or slow start: a new epoch. */
static void
cubic_epoch_start(struct tcp_cc *cc, struct cubic *s, uint64_t now_us)
{
	s->epoch_ms = (uint32_t)(now_us / 1000);
	s->cwnd_epoch = cc->cwnd > 0 ? cc->cwnd : 1;
	if (s->w_max > s->cwnd_epoch) {
		s->k_ms = cubic_k_ms(s->w_max, s->cwnd_epoch, cc->mss);
	} else {
		/* No W_max above us (start, §4.8 timeout): plateau here, convex from now. */
		s->w_max = s->cwnd_epoch;
		s->k_ms = 0;
	}
	s->w_est = s->cwnd_epoch;
	s->w_est_rem = 0;
	s->cwnd_rem = 0;
	cc->acked = 0;
}

/* Congestion avoidance for @p acked bytes (§4.2 - §4.5). */
static void
cubic_avoid(struct tcp_cc *cc, struct cubic *s, uint32_t acked, uint32_t srtt_us, uint64_t now_us)
{
	int32_t t_ms = (int32_t)((uint32_t)(now_us / 1000) - s->epoch_ms);
	uint64_t t_us = t_ms > 0 ? (uint64_t)t_ms * 1000 : 0;
	uint64_t rtt_us = srtt_us != 0 ? srtt_us : CUBIC_RTT_FALLBACK_US;
	uint64_t num, den, max_target;
	uint32_t target;

	/* One ACK never counts for more than a window. */
	acked = min_u32(acked, cc->cwnd);

	/* §4.3: W_est += alpha_cubic * segments_acked / cwnd, alpha 1 past cwnd_prior. */
	num = (uint64_t)acked * cc->mss *
	              (s->w_est >= s->cwnd_prior ? CUBIC_ALPHA_DEN : CUBIC_ALPHA_NUM) +
	      s->w_est_rem;
	den = (uint64_t)CUBIC_ALPHA_DEN * cc->cwnd;
	s->w_est = clamp_cwnd(s->w_est + num / den);
	s->w_est_rem = num % den;

	if (cubic_w(s, cc->mss, t_us) < s->w_est) {
		/* Reno-friendly region. */
		if (s->w_est > cc->cwnd)
			cc->cwnd = s->w_est;
		return;
	}

	/* Concave (cwnd < W_max) or convex region: target per §4.2. */
	target = cubic_w(s, cc->mss, t_us + rtt_us);
	max_target = (uint64_t)cc->cwnd + cc->cwnd / 2;
	if (target > max_target)
		target = (uint32_t)max_target;
	if (target <= cc->cwnd)
		return;

	/* (target - cwnd) <= cwnd / 2 and acked <= cwnd: the increment is at most cwnd / 2. */
	num = (uint64_t)(target - cc->cwnd) * acked + s->cwnd_rem;
	den = cc->cwnd;
	s->cwnd_rem = (uint32_t)(num % den);
	cc->cwnd = clamp_cwnd(cc->cwnd + num / den);
}

static void
cubic_init(struct tcp_cc *cc, uint32_t mss, uint64_t now_us)
{
	uint32_t now_ms = (uint32_t)(now_us / 1000);

	/* cubic_store() of a zeroed state but the previous ACK's time, written in place: the
	 * packed words of a zero state are zero (no copy through a stack image, whose wide
	 * reads of narrower stores stalled on store forwarding) */
	memset(cc->priv, 0, sizeof(cc->priv));
	memcpy((uint8_t *)cc->priv + offsetof(struct cubic_store, last_ack_ms), &now_ms,
	        sizeof(now_ms));
	cc->mss = mss;
	cc->cwnd = tcp_cc_initial_window(mss);
	cc->ssthresh = TCP_CC_SSTHRESH_INF;
	cc->acked = 0;
}

static void
cubic_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint32_t srtt_us, uint64_t now_us)
{
	uint32_t now_ms = (uint32_t)(now_us / 1000);
	struct cubic s;

	if (!tcp_cc_cwnd_limited(cc, flight)) {
		/* §5.8: application-limited time does not count in t (the gap is exact in ms:
		 * the floors of both stamps telescope). Only the two time words change: read
		 * and written in place, the rest of the state as it is (short connections
		 * take this way on every ACK). */
		struct cubic_store p;

		memcpy(&p, cc->priv, sizeof(p));
		if (p.kw & CUBIC_EPOCH)
			p.epoch_ms += now_ms - p.last_ack_ms;
		p.last_ack_ms = now_ms;
		memcpy(cc->priv, &p, 2 * sizeof(uint32_t)); /* epoch_ms, last_ack_ms */
		return;
	}
	cubic_load(cc, &s);
	if (cc->cwnd < cc->ssthresh) {
		s.cwnd_epoch = 0; /* the epoch starts when slow start ends */
		acked = tcp_cc_slow_start(cc, acked);
		if (acked == 0)
			goto out;
	}
	if (s.cwnd_epoch == 0)
		cubic_epoch_start(cc, &s, now_us);
	cubic_avoid(cc, &s, acked, srtt_us, now_us);
out:
	s.last_ack_ms = now_ms;
	cubic_store(cc, &s);
}

/* Forget the epoch; the next congestion avoidance ACK starts a new one. */
static void
cubic_epoch_reset(struct tcp_cc *cc, struct cubic *s)
{
	s->cwnd_epoch = 0;
	s->k_ms = 0;
	s->w_est = 0;
	s->w_est_rem = 0;
	s->cwnd_rem = 0;
	cc->acked = 0;
}

static uint32_t
cubic_ssthresh(const struct tcp_cc *cc, uint32_t base)
{
	uint32_t ss = clamp_cwnd((uint64_t)base * CUBIC_BETA_NUM / CUBIC_BETA_DEN);

	return ss > 2 * cc->mss ? ss : 2 * cc->mss;
}

static void
cubic_on_loss(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	struct cubic s;

	(void)now_us;
	cubic_load(cc, &s);
	s.cwnd_prior = cc->cwnd;
	/* §4.7 fast convergence: a flow losing below its last W_max yields bandwidth. */
	if (cc->cwnd < s.w_max)
		s.w_max = (uint32_t)((uint64_t)cc->cwnd * CUBIC_FC_NUM / CUBIC_FC_DEN);
	else
		s.w_max = cc->cwnd;
	cc->ssthresh = cubic_ssthresh(cc, min_u32(flight, cc->cwnd));
	cc->cwnd = cc->ssthresh;
	cubic_epoch_reset(cc, &s);
	cubic_store(cc, &s);
}

static void
cubic_on_recovery_end(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)now_us;
	tcp_cc_recovery_end(cc, flight);
}

static void
cubic_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	struct cubic s;

	(void)now_us;
	cubic_load(cc, &s);
	s.cwnd_prior = cc->cwnd;
	s.w_max = 0; /* §4.8: next epoch has K = 0 and W_max = cwnd_epoch */
	cc->ssthresh = cubic_ssthresh(cc, flight);
	cc->cwnd = cc->mss;
	cubic_epoch_reset(cc, &s);
	cubic_store(cc, &s);
}

void
tcp_cc_cubic_get_info(const struct tcp_cc *cc, struct tcp_cc_cubic_info *info)
{
	struct cubic s;

	cubic_load(cc, &s);
	info->w_max = s.w_max;
	info->in_epoch = s.cwnd_epoch != 0;
	info->k_ms = info->in_epoch ? s.k_ms : 0;
	info->w_est = info->in_epoch ? s.w_est : 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
        .name = "cubic",
        .init = cubic_init,
        .on_ack = cubic_on_ack,
        .on_loss = cubic_on_loss,
        .on_recovery_end = cubic_on_recovery_end,
        .on_rto = cubic_on_rto,
};
