/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the micro-benchmarks share: a monotonic clock, a fast deterministic generator
 * (splitmix64) and the median of repeated runs.
 */
#ifndef TERN_BENCH_H
#define TERN_BENCH_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/** Monotonic nanoseconds. */
static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

#endif
