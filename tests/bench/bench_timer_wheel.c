/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer micro-benchmark: tern's hierarchical wheel against DPDK's rte_timer (a skip
 * list keyed by TSC deadlines), in the same process and run.
 *
 * Method (both sides get the same N timers and the same random delays):
 *  - arm+cancel: arm N timers with delays uniform in 1..2^20 ms, then cancel all N in
 *    a scattered order; time / N = ns per arm+cancel pair.
 *  - re-arm: with N timers pending, move each one to a new random deadline (the TCP
 *    retransmit / keepalive pattern); time / N.
 *  - expiry: arm N timers with delays uniform in 1..SPREAD_MS ms (not timed), let the
 *    whole spread elapse, then time the processing of all N: one twheel_advance() to
 *    the last tick for tern (every cascade included); rte_timer_manage() until all
 *    callbacks ran for rte_timer, after really sleeping past the last deadline since it
 *    reads the TSC. Callbacks only count. time / N = ns per expiry.
 *  - tern only, expiry stepping: the same N timers fired by SPREAD_MS advances of one
 *    tick (the engine's 1 ms poll), so the per-tick overhead is included.
 * Each figure is the median of REPS runs. 1 tern tick stands for 1 ms; rte_timer
 * delays are the same milliseconds converted to TSC cycles.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_timer.h>

#include "bench.h"
#include "util/timer_wheel.h"

#define MAX_N       100000u
#define REPS        5
#define ARM_SPAN_MS (1u << 20)
#define SPREAD_MS   200u
#define START_TICK  1000000u

struct bench {
	struct twheel wheel;
	struct tern_timer *tt;
	struct rte_timer *rt;
	uint64_t *delay_arm;    /* ms, for arm+cancel and re-arm */
	uint64_t *delay_rearm;  /* ms */
	uint64_t *delay_expiry; /* ms */
	uint32_t *order;        /* scattered visiting order */
	uint64_t fired;
	uint32_t n;     /* timers in this round */
	uint64_t hz_ms; /* TSC cycles per ms */
};

/* The median of the REPS runs of one figure. */
static double
median(double *v)
{
	return bench_median(v, REPS);
}

static void
tern_cb(struct tern_timer *t, void *ctx)
{
	struct bench *b = ctx;

	(void)t;
	b->fired++;
}

static void
rte_cb(struct rte_timer *t, void *arg)
{
	struct bench *b = arg;

	(void)t;
	b->fired++;
}

static void
tern_reset(struct bench *b)
{
	twheel_init(&b->wheel, START_TICK);
	for (uint32_t i = 0; i < b->n; i++)
		twheel_timer_init(&b->tt[i], tern_cb);
}

static void
rte_reset(struct bench *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		rte_timer_init(&b->rt[i]);
}

static double
tern_arm_cancel(struct bench *b)
{
	uint64_t t0;

	tern_reset(b);
	t0 = now_ns();
	for (uint32_t i = 0; i < b->n; i++)
		twheel_arm(&b->wheel, &b->tt[i], START_TICK + b->delay_arm[i]);
	for (uint32_t i = 0; i < b->n; i++)
		twheel_cancel(&b->wheel, &b->tt[b->order[i]]);
	return (double)(now_ns() - t0) / b->n;
}

static double
rte_arm_cancel(struct bench *b)
{
	unsigned lcore = rte_lcore_id();
	uint64_t t0;

	rte_reset(b);
	t0 = now_ns();
	for (uint32_t i = 0; i < b->n; i++)
		rte_timer_reset(&b->rt[i], b->delay_arm[i] * b->hz_ms, SINGLE, lcore, rte_cb, b);
	for (uint32_t i = 0; i < b->n; i++)
		rte_timer_stop(&b->rt[b->order[i]]);
	return (double)(now_ns() - t0) / b->n;
}

static double
tern_rearm(struct bench *b)
{
	uint64_t t0, ns;

	tern_reset(b);
	for (uint32_t i = 0; i < b->n; i++)
		twheel_arm(&b->wheel, &b->tt[i], START_TICK + b->delay_arm[i]);
	t0 = now_ns();
	for (uint32_t i = 0; i < b->n; i++) {
		uint32_t k = b->order[i];

		twheel_arm(&b->wheel, &b->tt[k], START_TICK + b->delay_rearm[k]);
	}
	ns = now_ns() - t0;
	for (uint32_t i = 0; i < b->n; i++)
		twheel_cancel(&b->wheel, &b->tt[i]);
	return (double)ns / b->n;
}

static double
rte_rearm(struct bench *b)
{
	unsigned lcore = rte_lcore_id();
	uint64_t t0, ns;

	rte_reset(b);
	for (uint32_t i = 0; i < b->n; i++)
		rte_timer_reset(&b->rt[i], b->delay_arm[i] * b->hz_ms, SINGLE, lcore, rte_cb, b);
	t0 = now_ns();
	for (uint32_t i = 0; i < b->n; i++) {
		uint32_t k = b->order[i];

		rte_timer_reset(&b->rt[k], b->delay_rearm[k] * b->hz_ms, SINGLE, lcore, rte_cb, b);
	}
	ns = now_ns() - t0;
	for (uint32_t i = 0; i < b->n; i++)
		rte_timer_stop(&b->rt[i]);
	return (double)ns / b->n;
}

static double
tern_expiry(struct bench *b, int stepping)
{
	uint64_t t0, ns;

	tern_reset(b);
	for (uint32_t i = 0; i < b->n; i++)
		twheel_arm(&b->wheel, &b->tt[i], START_TICK + b->delay_expiry[i]);
	b->fired = 0;
	t0 = now_ns();
	if (stepping) {
		for (uint64_t t = START_TICK + 1; t <= START_TICK + SPREAD_MS; t++)
			twheel_advance(&b->wheel, t, b);
	} else {
		twheel_advance(&b->wheel, START_TICK + SPREAD_MS, b);
	}
	ns = now_ns() - t0;
	if (b->fired != b->n) {
		fprintf(stderr, "bench: tern fired %llu of %u timers\n",
		        (unsigned long long)b->fired, b->n);
		exit(1);
	}
	return (double)ns / b->n;
}

static double
rte_expiry(struct bench *b)
{
	unsigned lcore = rte_lcore_id();
	uint64_t t0, ns;

	rte_reset(b);
	for (uint32_t i = 0; i < b->n; i++)
		rte_timer_reset(&b->rt[i], b->delay_expiry[i] * b->hz_ms, SINGLE, lcore, rte_cb, b);
	b->fired = 0;
	/* Sleep (untimed) past the last deadline so the timed part is expiry work only. */
	usleep((SPREAD_MS + 5) * 1000);
	t0 = now_ns();
	while (b->fired < b->n)
		rte_timer_manage();
	ns = now_ns() - t0;
	return (double)ns / b->n;
}

static void
row(const char *name, double tern, double rte)
{
	if (rte > 0)
		printf("%-28s %12.1f %14.1f %12.3f\n", name, tern, rte, tern / rte);
	else
		printf("%-28s %12.1f %14s %12s\n", name, tern, "-", "-");
}

int
main(int argc, char **argv)
{
	char prefix[64];
	struct bench *b;
	uint64_t seed = 12345;
	double ac[2][REPS], ra[2][REPS], ex[2][REPS], st[REPS];
	static const uint32_t sizes[] = {1000, MAX_N};

	(void)argc;
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench-timer-%d", (int)getpid());
	/*
	 * A private, file-less EAL. Not --in-memory: with --no-huge, Debian's DPDK 22.11
	 * forces legacy memory, which --in-memory refuses; --no-shconf keeps the run dir
	 * empty instead.
	 */
	char *eal_argv[] = {argv[0], "--no-huge", "--no-shconf", "--no-pci", "-m", "256", prefix,
	        "--log-level=*:error", "--no-telemetry", NULL};
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv) < 0) {
		fprintf(stderr, "bench: cannot start the EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_timer_subsystem_init() < 0) {
		fprintf(stderr, "bench: rte_timer_subsystem_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return 1;
	b->tt = calloc(MAX_N, sizeof(*b->tt));
	b->rt = calloc(MAX_N, sizeof(*b->rt));
	b->delay_arm = calloc(MAX_N, sizeof(uint64_t));
	b->delay_rearm = calloc(MAX_N, sizeof(uint64_t));
	b->delay_expiry = calloc(MAX_N, sizeof(uint64_t));
	b->order = calloc(MAX_N, sizeof(uint32_t));
	if (!b->tt || !b->rt || !b->delay_arm || !b->delay_rearm || !b->delay_expiry || !b->order)
		return 1;
	b->hz_ms = rte_get_timer_hz() / 1000;
	for (uint32_t i = 0; i < MAX_N; i++) {
		b->delay_arm[i] = 1 + rnd(&seed) % ARM_SPAN_MS;
		b->delay_rearm[i] = 1 + rnd(&seed) % ARM_SPAN_MS;
		b->delay_expiry[i] = 1 + rnd(&seed) % SPREAD_MS;
	}

	printf("timer wheel vs rte_timer: median of %d runs, TSC %llu Hz\n", REPS,
	        (unsigned long long)rte_get_timer_hz());
	printf("arm delays 1..%u ms, expiry delays 1..%u ms\n", ARM_SPAN_MS, SPREAD_MS);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		b->n = sizes[s];
		for (uint32_t i = 0; i < b->n; i++)
			b->order[i] = i;
		for (uint32_t i = b->n - 1; i > 0; i--) { /* Fisher-Yates */
			uint32_t j = (uint32_t)(rnd(&seed) % (i + 1));
			uint32_t x = b->order[i];

			b->order[i] = b->order[j];
			b->order[j] = x;
		}
		/* Alternate the two implementations within each repetition. */
		for (int r = 0; r < REPS; r++) {
			ac[0][r] = tern_arm_cancel(b);
			ac[1][r] = rte_arm_cancel(b);
			ra[0][r] = tern_rearm(b);
			ra[1][r] = rte_rearm(b);
			ex[0][r] = tern_expiry(b, 0);
			ex[1][r] = rte_expiry(b);
			st[r] = tern_expiry(b, 1);
		}
		printf("\nN = %u timers\n", b->n);
		printf("%-28s %12s %14s %12s\n", "operation (ns per timer)", "tern", "rte_timer",
		        "tern/rte");
		row("arm + cancel", median(ac[0]), median(ac[1]));
		row("re-arm pending", median(ra[0]), median(ra[1]));
		row("expiry (all due, 1 call)", median(ex[0]), median(ex[1]));
		row("expiry (1-tick steps)", median(st), -1);
	}

	free(b->order);
	free(b->delay_expiry);
	free(b->delay_rearm);
	free(b->delay_arm);
	free(b->rt);
	free(b->tt);
	free(b);
	rte_timer_subsystem_finalize();
	bench_eal_cleanup();
	return 0;
}
