/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno congestion control: RFC 5681 with appropriate byte counting (RFC 3465).
 *
 * - Slow start (cwnd < ssthresh): cwnd += min(acked, 2*mss) per ACK (RFC 3465 §2.2, L = 2),
 *   never beyond ssthresh; bytes left over when ssthresh is reached count toward
 *   congestion avoidance.
 * - Congestion avoidance: cc->acked accumulates acknowledged bytes; each time it reaches
 *   cwnd, it drops by cwnd and cwnd grows by one mss (RFC 3465 §2.1), i.e. one segment
 *   per window of data acknowledged. At most one step per ACK; a larger remainder carries
 *   over to the next ACK.
 * - No growth at all while flight < cwnd/2 (tcp_cc_cwnd_limited(), RFC 7661 spirit): an
 *   application-limited sender would otherwise inflate a window it never tested.
 * - Loss (fast retransmit): ssthresh = max(FlightSize/2, 2*mss) (RFC 5681 eq. 4), cwnd =
 *   ssthresh; the connection's RFC 6675 recovery works from there.
 * - End of recovery: RFC 6582 option (1), see tcp_cc_recovery_end().
 * - RTO: same ssthresh, cwnd = 1 mss (loss window, RFC 5681 §3.1).
 *
 * priv[] is unused.
 */
#include "tcp/cc.h"

static uint32_t
half_flight(const struct tcp_cc *cc, uint32_t flight)
{
	uint32_t half = flight / 2;

	return half > 2 * cc->mss ? half : 2 * cc->mss;
}

static void
newreno_init(struct tcp_cc *cc, uint32_t mss, uint64_t now_us)
{
	(void)now_us;
	cc->mss = mss;
	cc->cwnd = tcp_cc_initial_window(mss);
	cc->ssthresh = TCP_CC_SSTHRESH_INF;
	cc->acked = 0;
}

static void
newreno_on_ack(
        struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint32_t srtt_us, uint64_t now_us)
{
	(void)srtt_us;
	(void)now_us;
	if (!tcp_cc_cwnd_limited(cc, flight))
		return;
	if (cc->cwnd < cc->ssthresh) {
		acked = tcp_cc_slow_start(cc, acked);
		if (acked == 0)
			return;
	}
	/* Congestion avoidance, RFC 3465 §2.1. */
	cc->acked = (uint64_t)cc->acked + acked > UINT32_MAX ? UINT32_MAX : cc->acked + acked;
	if (cc->acked >= cc->cwnd) {
		cc->acked -= cc->cwnd;
		if (cc->cwnd < TCP_CC_CWND_MAX - cc->mss)
			cc->cwnd += cc->mss;
		else
			cc->cwnd = TCP_CC_CWND_MAX;
	}
}

static void
newreno_on_loss(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)now_us;
	cc->ssthresh = half_flight(cc, flight);
	cc->cwnd = cc->ssthresh;
	cc->acked = 0;
}

static void
newreno_on_recovery_end(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)now_us;
	tcp_cc_recovery_end(cc, flight);
}

static void
newreno_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)now_us;
	cc->ssthresh = half_flight(cc, flight);
	cc->cwnd = cc->mss;
	cc->acked = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
        .name = "newreno",
        .init = newreno_init,
        .on_ack = newreno_on_ack,
        .on_loss = newreno_on_loss,
        .on_recovery_end = newreno_on_recovery_end,
        .on_rto = newreno_on_rto,
};
