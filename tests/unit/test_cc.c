/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: the initial window, NewReno (RFC 5681 / RFC 3465) and CUBIC
 * (RFC 9438). No EAL: the algorithms are driven directly with a fake clock. Flows are
 * simulated by "rounds": a cwnd-limited sender has cwnd/mss full segments in flight,
 * and their ACKs (one per segment) arrive spread evenly over one RTT.
 *
 * Expected CUBIC values come from the RFC formulas in segments and seconds, e.g.
 * K = cbrt(W_max * (1 - 0.7) / 0.4), computed here in double precision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tcp/cc.h"

#define MSS    1460u
#define SEG(n) ((uint32_t)((n)*MSS))
#define MS     UINT64_C(1000)
#define SEC    UINT64_C(1000000)
#define T0     (100 * SEC) /* an arbitrary non-zero start time */

/* |a - b| <= tol */
#define assert_near(a, b, tol)                                                                    \
	do {                                                                                      \
		double a_ = (double)(a), b_ = (double)(b);                                        \
		if (a_ - b_ > (tol) || b_ - a_ > (tol))                                           \
			fail_msg("%s = %.3f, expected %.3f +/- %.3f", #a, a_, b_, (double)(tol)); \
	} while (0)

/* Cube root by Newton's method (the tests do not link libm). */
static double
cbrt_d(double x)
{
	double y = x > 1 ? x / 3 : 1;
	int i;

	for (i = 0; i < 100; i++)
		y -= (y * y * y - x) / (3 * y * y);
	return y;
}

/* RFC 9438 W_cubic(t) in segments; w_max in segments, t and k in seconds. */
static double
w_cubic(double w_max, double k, double t)
{
	return 0.4 * (t - k) * (t - k) * (t - k) + w_max;
}

static double
segs(uint32_t bytes)
{
	return (double)bytes / MSS;
}

/*
 * One RTT of a cwnd-limited flow: the cwnd bytes sent at the start of the round are
 * acknowledged one segment per ACK (the last one possibly shorter), evenly spaced.
 */
static void
round_trip(const struct tcp_cc_ops *ops, struct tcp_cc *cc, uint64_t *now, uint32_t rtt_us)
{
	uint32_t left = cc->cwnd;
	uint32_t n = (left + cc->mss - 1) / cc->mss;

	while (left > 0) {
		uint32_t acked = left < cc->mss ? left : cc->mss;

		*now += rtt_us / n;
		ops->on_ack(cc, acked, cc->cwnd, rtt_us, *now);
		left -= acked;
	}
}

static void
rounds(const struct tcp_cc_ops *ops, struct tcp_cc *cc, uint64_t *now, uint32_t rtt_us,
        unsigned count)
{
	while (count-- > 0)
		round_trip(ops, cc, now, rtt_us);
}

/* ------------------------------------------------------------------------------------ */
/* Registry and initial window                                                          */

static void
test_find(void **state)
{
	(void)state;
	assert_ptr_equal(tcp_cc_find("cubic"), &tcp_cc_cubic);
	assert_ptr_equal(tcp_cc_find("newreno"), &tcp_cc_newreno);
	assert_null(tcp_cc_find("bogus"));
	assert_null(tcp_cc_find("Cubic"));
	assert_null(tcp_cc_find(""));
	assert_null(tcp_cc_find(NULL));
	assert_string_equal(tcp_cc_cubic.name, "cubic");
	assert_string_equal(tcp_cc_newreno.name, "newreno");
	assert_non_null(strstr(tcp_cc_names(), "cubic"));
	assert_non_null(strstr(tcp_cc_names(), "newreno"));
}

/* RFC 6928: IW = min(10*mss, max(2*mss, 14600)), for both algorithms. */
static void
test_initial_window(void **state)
{
	static const struct {
		uint32_t mss, iw;
	} cases[] = {
	        {536, 5360},   /* 10 * mss */
	        {1460, 14600}, /* 10 * mss = 14600 */
	        {4000, 14600}, /* 14600 */
	        {8960, 17920}, /* 2 * mss */
	};
	const struct tcp_cc_ops *ops[] = {&tcp_cc_newreno, &tcp_cc_cubic};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tcp_cc_initial_window(cases[i].mss), cases[i].iw);
		for (j = 0; j < 2; j++) {
			struct tcp_cc cc;

			memset(&cc, 0xa5, sizeof(cc));
			ops[j]->init(&cc, cases[i].mss, T0);
			assert_int_equal(cc.mss, cases[i].mss);
			assert_int_equal(cc.cwnd, cases[i].iw);
			assert_int_equal(cc.ssthresh, TCP_CC_SSTHRESH_INF);
			assert_int_equal(cc.acked, 0);
		}
	}
}

/* ------------------------------------------------------------------------------------ */
/* NewReno                                                                              */

/* Slow start: one ACK per segment adds one segment, so cwnd doubles every RTT. */
static void
slow_start_doubles(const struct tcp_cc_ops *ops)
{
	struct tcp_cc cc;
	uint64_t now = T0;

	ops->init(&cc, MSS, now);
	round_trip(ops, &cc, &now, 50 * MS);
	assert_int_equal(cc.cwnd, SEG(20));
	round_trip(ops, &cc, &now, 50 * MS);
	assert_int_equal(cc.cwnd, SEG(40));
	round_trip(ops, &cc, &now, 50 * MS);
	assert_int_equal(cc.cwnd, SEG(80));
	assert_int_equal(cc.acked, 0);
}

static void
test_newreno_slow_start(void **state)
{
	(void)state;
	slow_start_doubles(&tcp_cc_newreno);
}

/* RFC 3465 L = 2: a stretch ACK adds at most 2 mss; a partial one adds what it covers. */
static void
abc_cap(const struct tcp_cc_ops *ops)
{
	struct tcp_cc cc;

	ops->init(&cc, MSS, T0);
	ops->on_ack(&cc, SEG(10), SEG(10), 50000, T0 + 1000);
	assert_int_equal(cc.cwnd, SEG(12));
	ops->on_ack(&cc, 500, SEG(12), 50000, T0 + 2000);
	assert_int_equal(cc.cwnd, SEG(12) + 500);
	ops->on_ack(&cc, SEG(2), SEG(12), 50000, T0 + 3000);
	assert_int_equal(cc.cwnd, SEG(14) + 500);
}

static void
test_newreno_abc_cap(void **state)
{
	(void)state;
	abc_cap(&tcp_cc_newreno);
}

/* Slow start stops at ssthresh; the rest of the ACK counts toward avoidance. */
static void
test_newreno_ss_to_ca(void **state)
{
	struct tcp_cc cc;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, T0);
	cc.ssthresh = 16000;
	tcp_cc_newreno.on_ack(&cc, SEG(2), cc.cwnd, 50000, T0 + 1000);
	assert_int_equal(cc.cwnd, 16000);
	assert_int_equal(cc.acked, SEG(2) - (16000 - SEG(10)));
	tcp_cc_newreno.on_ack(&cc, 16000 - cc.acked - 1, cc.cwnd, 50000, T0 + 2000);
	assert_int_equal(cc.cwnd, 16000);
	assert_int_equal(cc.acked, 16000 - 1);
	tcp_cc_newreno.on_ack(&cc, 1, cc.cwnd, 50000, T0 + 3000);
	assert_int_equal(cc.cwnd, 16000 + MSS);
	assert_int_equal(cc.acked, 0);
}

/* Congestion avoidance: exactly one mss per cwnd bytes acknowledged. */
static void
test_newreno_avoidance(void **state)
{
	struct tcp_cc cc;
	uint64_t now = T0;
	int i;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, now);
	cc.ssthresh = SEG(10);
	for (i = 0; i < 9; i++)
		tcp_cc_newreno.on_ack(&cc, MSS, cc.cwnd, 50000, now += 5000);
	assert_int_equal(cc.cwnd, SEG(10));
	assert_int_equal(cc.acked, SEG(9));
	tcp_cc_newreno.on_ack(&cc, MSS, cc.cwnd, 50000, now += 5000);
	assert_int_equal(cc.cwnd, SEG(11));
	assert_int_equal(cc.acked, 0);
	/* Ten more windows: ten more segments, not a byte more. */
	rounds(&tcp_cc_newreno, &cc, &now, 50000, 10);
	assert_int_equal(cc.cwnd, SEG(21));
	assert_int_equal(cc.acked, 0);
}

/* No growth while less than half the window is in flight (RFC 7661 spirit). */
static void
not_cwnd_limited(const struct tcp_cc_ops *ops)
{
	struct tcp_cc cc;
	uint32_t cwnd;

	/* Slow start. */
	ops->init(&cc, MSS, T0);
	ops->on_ack(&cc, MSS, SEG(5) - 1, 50000, T0 + 1000);
	assert_int_equal(cc.cwnd, SEG(10));
	assert_int_equal(cc.acked, 0);
	ops->on_ack(&cc, MSS, SEG(5), 50000, T0 + 2000);
	assert_int_equal(cc.cwnd, SEG(11));

	/* Congestion avoidance: the bytes of an application-limited ACK are not counted. */
	ops->init(&cc, MSS, T0);
	cc.ssthresh = SEG(10);
	ops->on_ack(&cc, SEG(10), SEG(5) - 1, 50000, T0 + 1000);
	assert_int_equal(cc.cwnd, SEG(10));
	assert_int_equal(cc.acked, 0);
	cwnd = cc.cwnd;
	ops->on_ack(&cc, MSS, SEG(5), 50000, T0 + 2000);
	assert_true(cc.cwnd > cwnd || cc.acked == MSS);
}

static void
test_newreno_not_cwnd_limited(void **state)
{
	(void)state;
	not_cwnd_limited(&tcp_cc_newreno);
}

/* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * mss), cwnd = ssthresh. */
static void
test_newreno_loss(void **state)
{
	struct tcp_cc cc;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, T0);
	cc.cwnd = SEG(40);
	cc.acked = 1000;
	tcp_cc_newreno.on_loss(&cc, SEG(30), T0);
	assert_int_equal(cc.ssthresh, SEG(15));
	assert_int_equal(cc.cwnd, SEG(15));
	assert_int_equal(cc.acked, 0);

	tcp_cc_newreno.on_loss(&cc, SEG(3), T0);
	assert_int_equal(cc.ssthresh, SEG(2));
	assert_int_equal(cc.cwnd, SEG(2));
}

/* RTO: same ssthresh, cwnd = 1 mss; slow start back to ssthresh, then avoidance. */
static void
test_newreno_rto(void **state)
{
	struct tcp_cc cc;
	uint64_t now = T0;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, now);
	cc.cwnd = SEG(40);
	tcp_cc_newreno.on_rto(&cc, SEG(20), now);
	assert_int_equal(cc.ssthresh, SEG(10));
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.acked, 0);
	round_trip(&tcp_cc_newreno, &cc, &now, 50000);
	assert_int_equal(cc.cwnd, SEG(2));
	round_trip(&tcp_cc_newreno, &cc, &now, 50000);
	assert_int_equal(cc.cwnd, SEG(4));
	round_trip(&tcp_cc_newreno, &cc, &now, 50000);
	assert_int_equal(cc.cwnd, SEG(8));
	/* 8 ACKs: two reach ssthresh, six count toward avoidance. */
	round_trip(&tcp_cc_newreno, &cc, &now, 50000);
	assert_int_equal(cc.cwnd, SEG(10));
	assert_int_equal(cc.acked, SEG(6));

	tcp_cc_newreno.on_rto(&cc, SEG(2), now);
	assert_int_equal(cc.ssthresh, SEG(2));
}

/* RFC 6582 option (1): cwnd = min(ssthresh, max(flight, mss) + mss). */
static void
recovery_end(const struct tcp_cc_ops *ops)
{
	struct tcp_cc cc;

	ops->init(&cc, MSS, T0);
	cc.cwnd = SEG(40);
	ops->on_loss(&cc, SEG(40), T0);
	assert_int_equal(cc.cwnd, cc.ssthresh);

	ops->on_recovery_end(&cc, SEG(5), T0 + 1000);
	assert_int_equal(cc.cwnd, SEG(6));
	ops->on_recovery_end(&cc, 0, T0 + 1000);
	assert_int_equal(cc.cwnd, SEG(2));
	ops->on_recovery_end(&cc, SEG(60), T0 + 1000);
	assert_int_equal(cc.cwnd, cc.ssthresh);
	assert_int_equal(cc.acked, 0);
}

static void
test_newreno_recovery_end(void **state)
{
	(void)state;
	recovery_end(&tcp_cc_newreno);
}

/* ------------------------------------------------------------------------------------ */
/* CUBIC                                                                                */

static void
test_cubic_slow_start(void **state)
{
	(void)state;
	slow_start_doubles(&tcp_cc_cubic);
	abc_cap(&tcp_cc_cubic);
	not_cwnd_limited(&tcp_cc_cubic);
}

/* init() on a used block: no W_max, no epoch, no estimate, whatever was there before
 * (init writes the packed state in place). */
static void
test_cubic_init(void **state)
{
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		memset(&cc, i == 0 ? 0xff : 0x5a, sizeof(cc));
		tcp_cc_cubic.init(&cc, MSS, T0 + i * 123456789u);
		tcp_cc_cubic_get_info(&cc, &info);
		assert_int_equal(info.w_max, 0);
		assert_int_equal(info.k_ms, 0);
		assert_int_equal(info.w_est, 0);
		assert_false(info.in_epoch);
		assert_int_equal(cc.mss, MSS);
		assert_int_equal(cc.acked, 0);
		assert_int_equal(cc.ssthresh, TCP_CC_SSTHRESH_INF);
		assert_int_equal(cc.cwnd, tcp_cc_initial_window(MSS));
	}
	/* and behaves as on a zeroed block: the same cwnd, ssthresh and state through slow
	 * start, a loss, congestion avoidance, an application-limited spell and more rounds */
	{
		struct tcp_cc a, b;
		uint64_t now = T0;
		unsigned r;

		memset(&a, 0, sizeof(a));
		memset(&b, 0xff, sizeof(b));
		tcp_cc_cubic.init(&a, MSS, now);
		tcp_cc_cubic.init(&b, MSS, now);
		for (r = 0; r < 60; r++) {
			struct tcp_cc_cubic_info ia, ib;
			struct tcp_cc *both[2] = {&a, &b};
			unsigned j;

			now += 20 * MS;
			for (j = 0; j < 2; j++) {
				struct tcp_cc *c = both[j];

				if (r == 8)
					tcp_cc_cubic.on_loss(c, c->cwnd, now);
				else if (r >= 30 && r < 35) /* application-limited */
					tcp_cc_cubic.on_ack(c, MSS, c->cwnd / 4, 20 * MS, now);
				else
					round_trip(&tcp_cc_cubic, c, &(uint64_t){now}, 20 * MS);
			}
			tcp_cc_cubic_get_info(&a, &ia);
			tcp_cc_cubic_get_info(&b, &ib);
			if (a.cwnd != b.cwnd || a.ssthresh != b.ssthresh || a.acked != b.acked ||
			        ia.w_max != ib.w_max || ia.k_ms != ib.k_ms ||
			        ia.w_est != ib.w_est || ia.in_epoch != ib.in_epoch ||
			        memcmp(a.priv, b.priv, sizeof(a.priv)))
				fail_msg("round %u: cwnd %u / %u, ssthresh %u / %u", r, a.cwnd,
				        b.cwnd, a.ssthresh, b.ssthresh);
		}
	}
}

/* Enter congestion avoidance after a loss at @p w_max bytes, with one ACK at @p now. */
static void
cubic_loss_at(struct tcp_cc *cc, uint32_t mss, uint32_t w_max, uint64_t now)
{
	tcp_cc_cubic.init(cc, mss, T0);
	cc->cwnd = w_max;
	tcp_cc_cubic.on_loss(cc, w_max, now);
}

/* §4.6: cwnd = ssthresh = beta * W_max; the epoch starts at the next ACK. */
static void
test_cubic_loss(void **state)
{
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;

	(void)state;
	cubic_loss_at(&cc, MSS, SEG(100), T0);
	assert_int_equal(cc.ssthresh, SEG(70));
	assert_int_equal(cc.cwnd, SEG(70));
	assert_int_equal(cc.acked, 0);
	tcp_cc_cubic_get_info(&cc, &info);
	assert_int_equal(info.w_max, SEG(100));
	assert_false(info.in_epoch);

	/* ssthresh from the data in flight when less than cwnd (RFC 9438 flight_size). */
	tcp_cc_cubic.init(&cc, MSS, T0);
	cc.cwnd = SEG(100);
	tcp_cc_cubic.on_loss(&cc, SEG(80), T0);
	assert_int_equal(cc.ssthresh, SEG(56));
	tcp_cc_cubic_get_info(&cc, &info);
	assert_int_equal(info.w_max, SEG(100));

	/* Never below 2 mss. */
	tcp_cc_cubic.init(&cc, MSS, T0);
	cc.cwnd = SEG(2);
	tcp_cc_cubic.on_loss(&cc, SEG(2), T0);
	assert_int_equal(cc.ssthresh, SEG(2));
	assert_int_equal(cc.cwnd, SEG(2));
}

/* §4.2: K = cbrt(W_max * (1 - beta) / C), in segments and seconds. */
static void
test_cubic_k(void **state)
{
	static const struct {
		uint32_t mss;
		uint32_t w_max_segs;
	} cases[] = {{1460, 100}, {8960, 1000}, {536, 37}, {1460, 10}, {1460, 10000}};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tcp_cc_cubic_info info;
		struct tcp_cc cc;
		uint32_t w_max = cases[i].w_max_segs * cases[i].mss;
		double k;

		cubic_loss_at(&cc, cases[i].mss, w_max, T0);
		tcp_cc_cubic.on_ack(&cc, cases[i].mss, cc.cwnd, 50000, T0 + 1000);
		tcp_cc_cubic_get_info(&cc, &info);
		assert_true(info.in_epoch);
		assert_int_equal(info.w_max, w_max);
		/* From the integer ssthresh actually set. */
		k = cbrt_d((double)(w_max - cc.ssthresh) / cases[i].mss / 0.4);
		assert_near(info.k_ms, k * 1000, 0.5);
		/* And the RFC closed form. */
		assert_near(info.k_ms, cbrt_d(cases[i].w_max_segs * 0.3 / 0.4) * 1000, 1);
	}
}

/*
 * The window follows W_cubic: concave up to W_max at t = K, flat around it, convex
 * beyond. W_max = 1000 segments (K = 9.086 s), RTT = 100 ms: far from the Reno-friendly
 * region (W_est grows by only ~5 segments per second).
 */
static void
test_cubic_curve(void **state)
{
	const uint32_t rtt = 100 * MS;
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;
	uint64_t now = T0, start;
	double k = cbrt_d(1000 * 0.3 / 0.4);
	int r = 0;

	(void)state;
	cubic_loss_at(&cc, MSS, SEG(1000), now);
	start = now;
	while (now - start < 15 * SEC) {
		double t = (double)(now - start) / SEC;

		round_trip(&tcp_cc_cubic, &cc, &now, rtt);
		r++;
		/*
		 * After each round cwnd is close to the target aimed at one RTT earlier:
		 * W_cubic(t + RTT) for the t at which the round started (measured: within
		 * 0.25 segment). The first round starts from beta * W_max.
		 */
		if (r > 1)
			assert_near(segs(cc.cwnd), w_cubic(1000, k, t + 0.1), 0.5);
	}
	tcp_cc_cubic_get_info(&cc, &info);
	assert_int_equal(info.w_max, SEG(1000));
	/* Convex: about W_cubic(15 s) = 1000 + 0.4 * 5.914^3 = 1082.7 segments. */
	assert_near((double)(now - start) / SEC, 15, 0.05);
	assert_near(segs(cc.cwnd), w_cubic(1000, k, (double)(now - start) / SEC), 0.5);
	/* W_est, far behind: 700 segments + 9/17 per RTT. */
	assert_near(r, 150, 1);
	assert_near(segs(info.w_est), 700 + r * 9.0 / 17, 0.5);
}

/* Around t = K cwnd is back at W_max, and it has not passed it before. */
static void
test_cubic_plateau(void **state)
{
	const uint32_t rtt = 100 * MS;
	struct tcp_cc cc;
	uint64_t now = T0, start;
	double k = cbrt_d(1000 * 0.3 / 0.4);

	(void)state;
	cubic_loss_at(&cc, MSS, SEG(1000), now);
	start = now;
	while ((double)(now - start) / SEC + 0.1 < k - 0.05) {
		round_trip(&tcp_cc_cubic, &cc, &now, rtt);
		assert_true(cc.cwnd <= SEG(1000));
	}
	/* One RTT before K, the target was about W_max: cwnd is within a segment of it. */
	assert_near(segs(cc.cwnd), 1000, 1);
	/* One second past K: still within 1 segment (0.4 * 1^3 = 0.4 above W_max). */
	while ((double)(now - start) / SEC < k + 1)
		round_trip(&tcp_cc_cubic, &cc, &now, rtt);
	assert_near(segs(cc.cwnd), 1000.4, 1);
}

/* §4.2: target is at most 1.5 cwnd, however far W_cubic(t + RTT) runs ahead. */
static void
test_cubic_target_cap(void **state)
{
	struct tcp_cc cc;
	uint32_t cwnd;

	(void)state;
	cubic_loss_at(&cc, MSS, SEG(100), T0);
	/* Epoch start: at t = 0 W_cubic = cwnd_epoch, and W_est is a hair above it. */
	tcp_cc_cubic.on_ack(&cc, MSS, cc.cwnd, 20 * SEC, T0 + SEC);
	cwnd = cc.cwnd;
	assert_near(cwnd, SEG(70), 20);
	/* t = 1 s, RTT = 20 s: W_cubic(21 s) = 100 + 0.4 * 16.78^3 = 1990 segments. */
	tcp_cc_cubic.on_ack(&cc, SEG(70), cc.cwnd, 20 * SEC, T0 + 2 * SEC);
	assert_near(cc.cwnd, cwnd + SEG(70) / 2, 1);
	/* A stretch ACK counts for one window at most: cwnd grows by half. */
	cwnd = cc.cwnd;
	tcp_cc_cubic.on_ack(&cc, SEG(1000), cc.cwnd, 20 * SEC, T0 + 3 * SEC);
	assert_near(cc.cwnd, cwnd + cwnd / 2, 1);
}

/* §4.7: a loss below the previous W_max sets W_max = cwnd * (1 + beta) / 2. */
static void
test_cubic_fast_convergence(void **state)
{
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;
	uint64_t now = T0;

	(void)state;
	cubic_loss_at(&cc, MSS, SEG(100), now);
	/* Grow to 90 segments, short of W_max = 100: about 2.3 s at RTT 100 ms. */
	while (cc.cwnd < SEG(90))
		round_trip(&tcp_cc_cubic, &cc, &now, 100 * MS);
	cc.cwnd = SEG(90); /* round figures */
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, now);
	tcp_cc_cubic_get_info(&cc, &info);
	assert_int_equal(info.w_max, SEG(90) * 17 / 20); /* 76.5 segments */
	assert_int_equal(cc.cwnd, SEG(63));
	assert_int_equal(cc.ssthresh, SEG(63));
	tcp_cc_cubic.on_ack(&cc, MSS, cc.cwnd, 100000, now + 1000);
	tcp_cc_cubic_get_info(&cc, &info);
	/* K = cbrt((76.5 - 63) / 0.4) = 3.2317 s */
	assert_near(info.k_ms, cbrt_d(13.5 / 0.4) * 1000, 0.5);

	/* A loss above W_max: W_max = cwnd, no reduction. */
	cc.cwnd = SEG(110);
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, now + 2000);
	tcp_cc_cubic_get_info(&cc, &info);
	assert_int_equal(info.w_max, SEG(110));
	assert_int_equal(cc.cwnd, SEG(77));
}

/*
 * §4.3: with a short RTT, Reno's AIMD beats the cubic curve and cwnd follows W_est.
 * W_max = 20 segments (K = 2.466 s), RTT = 10 ms: for the 32 RTTs simulated W_cubic(t)
 * stays below 20 segments while W_est climbs from 14 segments by 9/17 segment per RTT
 * until it passes cwnd_prior = 20 segments (11.3 RTTs), then by one segment per RTT.
 * Each ACK is checked against the RFC update W_est += alpha * segments_acked / cwnd
 * computed in double precision.
 */
static void
test_cubic_reno_friendly(void **state)
{
	const uint32_t rtt = 10 * MS;
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;
	uint64_t now = T0, start;
	double k = cbrt_d(20 * 0.3 / 0.4);
	double ref = 14; /* W_est = cwnd, segments */
	int r;

	(void)state;
	cubic_loss_at(&cc, MSS, SEG(20), now);
	start = now;
	for (r = 1; r <= 32; r++) {
		uint32_t left = cc.cwnd;
		uint32_t n = (left + MSS - 1) / MSS;

		while (left > 0) {
			uint32_t acked = left < MSS ? left : MSS;

			now += rtt / n;
			tcp_cc_cubic.on_ack(&cc, acked, cc.cwnd, rtt, now);
			left -= acked;
			ref += (ref >= 20 ? 1 : 9.0 / 17) * segs(acked) / ref;
			assert_true(w_cubic(20, k, (double)(now - start) / SEC) < ref);
			assert_near(segs(cc.cwnd), ref, 0.002);
		}
		if (r == 10) /* 14 + 10 * 9/17 = 19.29, less a little: cwnd grows within a round */
			assert_near(segs(cc.cwnd), 19.25, 0.05);
	}
	/* 20 segments after 11.3 RTTs, then one per RTT: 20 + 32 - 11.3 - a little. */
	assert_near(segs(cc.cwnd), 40.3, 0.3);
	tcp_cc_cubic_get_info(&cc, &info);
	assert_int_equal(info.w_est, cc.cwnd);
}

/* §4.8: ssthresh from beta, cwnd = 1 mss, then an epoch with K = 0 at cwnd_epoch. */
static void
test_cubic_rto(void **state)
{
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;
	uint64_t now = T0;

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, now);
	cc.cwnd = SEG(100);
	tcp_cc_cubic.on_rto(&cc, SEG(100), now);
	assert_int_equal(cc.ssthresh, SEG(70));
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.acked, 0);
	tcp_cc_cubic_get_info(&cc, &info);
	assert_false(info.in_epoch);
	assert_int_equal(info.w_max, 0);

	/* Slow start: 1, 2, 4, ..., 64, then 70 segments and the epoch begins. */
	rounds(&tcp_cc_cubic, &cc, &now, 100 * MS, 6);
	assert_int_equal(cc.cwnd, SEG(64));
	tcp_cc_cubic_get_info(&cc, &info);
	assert_false(info.in_epoch);
	round_trip(&tcp_cc_cubic, &cc, &now, 100 * MS);
	tcp_cc_cubic_get_info(&cc, &info);
	assert_true(info.in_epoch);
	assert_int_equal(info.k_ms, 0);
	assert_int_equal(info.w_max, SEG(70));
	/* 64 ACKs: 6 to reach 70 segments, 58 in avoidance: W_est = 70 + 58/70 * 9/17. */
	assert_near(segs(info.w_est), 70 + 58.0 / 70 * 9 / 17, 0.01);

	/* The same segment times out twice: flight unchanged, so is ssthresh. */
	tcp_cc_cubic.init(&cc, MSS, now);
	cc.cwnd = SEG(100);
	tcp_cc_cubic.on_rto(&cc, SEG(100), now);
	tcp_cc_cubic.on_rto(&cc, SEG(100), now + SEC);
	assert_int_equal(cc.ssthresh, SEG(70));
	assert_int_equal(cc.cwnd, MSS);
}

/*
 * §5.8: application-limited time is not part of t. Two flows start an epoch at the same
 * time; B then spends 2 s application-limited. Fed the same ACKs 2 s later, B ends with
 * exactly A's window.
 */
static void
test_cubic_app_limited(void **state)
{
	struct tcp_cc a, b;
	uint64_t now = T0 + SEC;
	double k = cbrt_d(100 * 0.3 / 0.4);
	int i;

	(void)state;
	cubic_loss_at(&a, MSS, SEG(100), T0);
	cubic_loss_at(&b, MSS, SEG(100), T0);
	tcp_cc_cubic.on_ack(&a, MSS, a.cwnd, 50000, now);
	tcp_cc_cubic.on_ack(&b, MSS, b.cwnd, 50000, now);
	for (i = 1; i <= 4; i++) {
		uint32_t cwnd = b.cwnd;

		tcp_cc_cubic.on_ack(&b, MSS, b.cwnd / 4, 50000, now + i * 500 * MS);
		assert_int_equal(b.cwnd, cwnd);
	}
	for (i = 1; i <= 2000; i++) {
		tcp_cc_cubic.on_ack(&a, MSS, a.cwnd, 50000, now + i * MS);
		tcp_cc_cubic.on_ack(&b, MSS, b.cwnd, 50000, now + 2 * SEC + i * MS);
	}
	/* 2 s of avoidance: cwnd at W_cubic(2 s + RTT), from beta * W_max = 70 segments. */
	assert_near(segs(a.cwnd), w_cubic(100, k, 2.05), 1);
	assert_int_equal(a.cwnd, b.cwnd);
	assert_int_equal(a.acked, b.acked);

	/* Without the application-limited pause the same ACKs reach W_max (t = 4 s ~ K). */
	cubic_loss_at(&b, MSS, SEG(100), T0);
	tcp_cc_cubic.on_ack(&b, MSS, b.cwnd, 50000, now);
	for (i = 1; i <= 2000; i++)
		tcp_cc_cubic.on_ack(&b, MSS, b.cwnd, 50000, now + 2 * SEC + i * MS);
	assert_near(segs(b.cwnd), w_cubic(100, k, 4.05), 0.5);
}

static void
test_cubic_recovery_end(void **state)
{
	(void)state;
	recovery_end(&tcp_cc_cubic);
}

/*
 * CUBIC keeps its times as 32-bit engine milliseconds: an epoch that runs across the wrap
 * of the low 32 bits (engine ms 2^32, 49.7 days) follows the same curve as one that does
 * not, ACK for ACK.
 */
static void
test_cubic_ms_wrap(void **state)
{
	const uint32_t rtt = 100 * MS;
	const uint64_t starts[2] = {T0, (UINT64_C(1) << 32) * MS - 5 * SEC};
	struct tcp_cc cc[2];
	uint64_t now[2];
	int i, r;

	(void)state;
	for (i = 0; i < 2; i++) {
		tcp_cc_cubic.init(&cc[i], MSS, starts[i]);
		cc[i].cwnd = SEG(1000);
		tcp_cc_cubic.on_loss(&cc[i], SEG(1000), starts[i]);
		now[i] = starts[i];
	}
	for (r = 0; r < 150; r++) { /* 15 s: from 5 s before the wrap to 10 s after */
		for (i = 0; i < 2; i++)
			round_trip(&tcp_cc_cubic, &cc[i], &now[i], rtt);
		assert_int_equal(cc[0].cwnd, cc[1].cwnd);
		assert_int_equal(now[0] - starts[0], now[1] - starts[1]);
	}
	assert_true(now[1] / MS > UINT32_MAX);
	assert_near(segs(cc[1].cwnd),
	        w_cubic(1000, cbrt_d(1000 * 0.3 / 0.4), (double)(now[1] - starts[1]) / SEC), 0.5);
}

/*
 * W_est's remainder (over 17 * cwnd, up to 36 bits) is kept whole: against an exact model
 * of the Reno-friendly region at a 2^30-byte window. With K = 0 after a timeout and every
 * ACK at one instant, W_cubic stays at cwnd_epoch, so cwnd follows W_est once it passes.
 */
static void
test_cubic_w_est_remainder(void **state)
{
	const uint32_t mss = 65535, acked = UINT32_C(1) << 20, c0 = UINT32_C(1) << 30;
	struct tcp_cc_cubic_info info;
	struct tcp_cc cc;
	uint64_t now = T0 + SEC, rem = 0, big = 0;
	uint32_t cwnd = c0, w_est = c0;
	int i;

	(void)state;
	tcp_cc_cubic.init(&cc, mss, T0);
	tcp_cc_cubic.on_rto(&cc, cc.cwnd, T0); /* W_max forgotten; cwnd_prior = IW */
	cc.cwnd = cc.ssthresh = c0;
	for (i = 0; i < 2000; i++) {
		uint64_t num = (uint64_t)acked * mss * 17 + rem; /* alpha 1: past cwnd_prior */
		uint64_t den = UINT64_C(17) * cwnd;

		w_est += (uint32_t)(num / den);
		rem = num % den;
		big += rem > UINT32_MAX;
		if (w_est > c0 && w_est > cwnd)
			cwnd = w_est;
		tcp_cc_cubic.on_ack(&cc, acked, cc.cwnd, 1, now);
		tcp_cc_cubic_get_info(&cc, &info);
		assert_true(info.in_epoch);
		assert_int_equal(info.w_est, w_est);
		assert_int_equal(cc.cwnd, cwnd);
	}
	assert_true(big > 1000); /* the remainder was above 32 bits most of the time */
	assert_true(cwnd > c0);
}

/* Extreme values stay within TCP_CC_CWND_MAX and do not trip UBSan. */
static void
test_limits(void **state)
{
	const struct tcp_cc_ops *ops[] = {&tcp_cc_newreno, &tcp_cc_cubic};
	size_t j;

	(void)state;
	for (j = 0; j < 2; j++) {
		struct tcp_cc cc;
		uint64_t now = T0;
		int i;

		ops[j]->init(&cc, 65535, now);
		cc.cwnd = TCP_CC_CWND_MAX - 10;
		for (i = 0; i < 10; i++) {
			ops[j]->on_ack(&cc, UINT32_MAX, UINT32_MAX, 0, now += SEC);
			assert_true(cc.cwnd <= TCP_CC_CWND_MAX);
		}
		/* Congestion avoidance for an hour after a loss at a huge window. */
		ops[j]->on_loss(&cc, cc.cwnd, now);
		ops[j]->on_ack(&cc, 65535, cc.cwnd, 1000, now += 1000);
		ops[j]->on_ack(&cc, UINT32_MAX, UINT32_MAX, 1000, now += 3600 * SEC);
		assert_true(cc.cwnd <= TCP_CC_CWND_MAX);
		assert_true(cc.cwnd >= cc.ssthresh);
		ops[j]->on_rto(&cc, UINT32_MAX, now);
		assert_int_equal(cc.cwnd, 65535);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_find),
	        cmocka_unit_test(test_initial_window),
	        cmocka_unit_test(test_newreno_slow_start),
	        cmocka_unit_test(test_newreno_abc_cap),
	        cmocka_unit_test(test_newreno_ss_to_ca),
	        cmocka_unit_test(test_newreno_avoidance),
	        cmocka_unit_test(test_newreno_not_cwnd_limited),
	        cmocka_unit_test(test_newreno_loss),
	        cmocka_unit_test(test_newreno_rto),
	        cmocka_unit_test(test_newreno_recovery_end),
	        cmocka_unit_test(test_cubic_init),
	        cmocka_unit_test(test_cubic_slow_start),
	        cmocka_unit_test(test_cubic_loss),
	        cmocka_unit_test(test_cubic_k),
	        cmocka_unit_test(test_cubic_curve),
	        cmocka_unit_test(test_cubic_plateau),
	        cmocka_unit_test(test_cubic_target_cap),
	        cmocka_unit_test(test_cubic_fast_convergence),
	        cmocka_unit_test(test_cubic_reno_friendly),
	        cmocka_unit_test(test_cubic_rto),
	        cmocka_unit_test(test_cubic_app_limited),
	        cmocka_unit_test(test_cubic_recovery_end),
	        cmocka_unit_test(test_cubic_ms_wrap),
	        cmocka_unit_test(test_cubic_w_est_remainder),
	        cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
