/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Latency histogram: log-linear buckets (exact below 64, then 32 sub-buckets per power of
 * two, so a reported percentile is within about 3 % of the true value), fixed size, no
 * allocation. One writer (an engine's lcore); others may read it racily for progress.
 */
#ifndef TERN_GEN_HIST_H
#define TERN_GEN_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_LINEAR   64 /**< values below are exact */
#define HIST_BUCKETS  (HIST_LINEAR + (64 - 6) * (1u << HIST_SUB_BITS))

struct hist {
	uint64_t n;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t b[HIST_BUCKETS];
};

/** Empty @p h. */
void hist_init(struct hist *h);

/** Record value @p v. */
void hist_add(struct hist *h, uint64_t v);

/** Add the samples of @p src to @p dst. */
void hist_merge(struct hist *dst, const struct hist *src);

/** @p dst = @p a minus @p b (the samples of an interval, @p b an earlier copy of @p a). */
void hist_sub(struct hist *dst, const struct hist *a, const struct hist *b);

/**
 * Value at quantile @p q (0..1): a value within the bucket holding the ceil(q*n)-th smallest
 * sample (its midpoint, clamped to [min, max] when those are known). 0 when empty.
 */
uint64_t hist_quantile(const struct hist *h, double q);

#endif
