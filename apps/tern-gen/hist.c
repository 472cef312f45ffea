/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Latency histogram, see hist.h. Bucket of v >= 64: e = position of the leading one
 * (6..63), m = the HIST_SUB_BITS bits below it; index = 64 + (e - 6) * 32 + m. The bucket
 * covers [(32 + m) << (e - 5), (33 + m) << (e - 5)).
 */
#include <string.h>

#include "hist.h"

static unsigned
hist_index(uint64_t v)
{
	unsigned e, m;

	if (v < HIST_LINEAR)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	m = (unsigned)(v >> (e - HIST_SUB_BITS)) & ((1u << HIST_SUB_BITS) - 1);
	return HIST_LINEAR + (e - 6) * (1u << HIST_SUB_BITS) + m;
}

/* Midpoint of bucket @p i. */
static uint64_t
hist_value(unsigned i)
{
	unsigned e, m;
	uint64_t lo, width;

	if (i < HIST_LINEAR)
		return i;
	e = (i - HIST_LINEAR) / (1u << HIST_SUB_BITS) + 6;
	m = (i - HIST_LINEAR) % (1u << HIST_SUB_BITS);
	width = 1ull << (e - HIST_SUB_BITS);
	lo = ((uint64_t)(1u << HIST_SUB_BITS) + m) * width;
	return lo + width / 2;
}

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->n += src->n;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void
hist_sub(struct hist *dst, const struct hist *a, const struct hist *b)
{
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] = a->b[i] - b->b[i];
	dst->n = a->n - b->n;
	dst->sum = a->sum - b->sum;
	/* An interval's extremes are unknown; the buckets bound them. */
	dst->min = UINT64_MAX;
	dst->max = 0;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0, v;
	unsigned i;

	if (h->n == 0)
		return 0;
	if (q <= 0)
		q = 0;
	if (q >= 1)
		q = 1;
	want = (uint64_t)(q * (double)h->n);
	if ((double)want < q * (double)h->n)
		want++;
	if (want == 0)
		want = 1;
	if (want > h->n)
		want = h->n;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			break;
	}
	if (i == HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	v = hist_value(i);
	if (h->min != UINT64_MAX && v < h->min)
		v = h->min;
	if (h->max != 0 && v > h->max)
		v = h->max;
	return v;
}
