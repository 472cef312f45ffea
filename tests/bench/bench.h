/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the micro-benchmarks share: a monotonic clock, a fast deterministic generator
 * (splitmix64) and the median of repeated runs.
 */
#ifndef TERN_BENCH_H
#define TERN_BENCH_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>

/** Stop the EAL and remove the (empty) run directory it leaves in /var/run/dpdk. */
static inline void
bench_eal_cleanup(void)
{
	char rundir[PATH_MAX];

	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
}

/** Monotonic nanoseconds. */
static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The engines' clock for the IPv6 rows: the TSC in nanoseconds, as the engine's default
 * clock (one indirect call per reading either way), plus a forward skew that
 * bench_clock_skip() grows, so that a new IPv6 engine's DAD (ND_RETRANS_MS, RFC 4862) is
 * over without a second of waiting. Both families' engines use it in a run that has both.
 */
static inline uint64_t *
bench_clock_state(void)
{
	static uint64_t st[2]; /* [0] ns per TSC cycle << 32, [1] skew ns */

	if (st[0] == 0)
		st[0] = (uint64_t)((((unsigned __int128)1000000000u << 32) + rte_get_tsc_hz() / 2) /
		                   rte_get_tsc_hz());
	return st;
}

/** Nanoseconds for tern_engine_conf.clock (arg unused). */
static inline uint64_t
bench_clock_ns(void *arg)
{
	const uint64_t *st = bench_clock_state();

	(void)arg;
	return (uint64_t)(((unsigned __int128)rte_rdtsc() * st[0]) >> 32) + st[1];
}

/** Move bench_clock_ns() forward by @p ms (every engine on it sees the jump). */
static inline void
bench_clock_skip(uint64_t ms)
{
	bench_clock_state()[1] += ms * 1000000u;
}

/** splitmix64: the next value of the sequence whose state is @p s. */
static inline uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/** Median of the @p n values at @p v (sorts them). */
static inline double
bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), bench_cmp_double);
	return v[n / 2];
}

/**
 * A positive integer option value (decimal, or 0x hex) no larger than @p max; on anything
 * else print "PROG: bad WHAT 'S' (1..MAX)" and exit with status 2.
 */
static inline uint64_t
bench_parse_u64(const char *prog, const char *s, const char *what, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v == 0 || v > max) {
		fprintf(stderr, "%s: bad %s '%s' (1..%llu)\n", prog, what, s,
		        (unsigned long long)max);
		exit(2);
	}
	return v;
}

struct rte_mbuf;

/** Engine I/O for benches that feed an engine directly: no frame ever arrives. */
static inline uint16_t
bench_no_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	(void)pkts;
	(void)n;
	return 0;
}

/** Engine I/O that takes every frame and forgets it (frames the bench reuses, or none). */
static inline uint16_t
bench_no_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	(void)pkts;
	return n;
}

#endif
