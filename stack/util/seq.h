/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Wrap-safe comparisons for 32-bit TCP sequence numbers and timestamps (RFC 9293 §3.4,
 * RFC 7323 §5.2). Never compare sequence numbers with raw < or >.
 */
#ifndef TERN_UTIL_SEQ_H
#define TERN_UTIL_SEQ_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t tern_seq_t;

static inline bool
seq_lt(tern_seq_t a, tern_seq_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
seq_leq(tern_seq_t a, tern_seq_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool
seq_gt(tern_seq_t a, tern_seq_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool
seq_geq(tern_seq_t a, tern_seq_t b)
{
	return (int32_t)(a - b) >= 0;
}

/** True when lo <= s < hi (modulo 2^32). */
static inline bool
seq_in(tern_seq_t s, tern_seq_t lo, tern_seq_t hi)
{
	return seq_geq(s, lo) && seq_lt(s, hi);
}

static inline tern_seq_t
seq_max(tern_seq_t a, tern_seq_t b)
{
	return seq_gt(a, b) ? a : b;
}

static inline tern_seq_t
seq_min(tern_seq_t a, tern_seq_t b)
{
	return seq_lt(a, b) ? a : b;
}

#endif
