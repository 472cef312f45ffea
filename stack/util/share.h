/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Equal slices of a port range: the ephemeral blocks of the engines of one port, the owner
 * rule for ephemeral ports under every steering method but rss (steer.h), which rte_flow
 * rules also pin to each engine's queue (port.c).
 */
#ifndef TERN_UTIL_SHARE_H
#define TERN_UTIL_SHARE_H

#include <stdint.h>

/** Slice @p i of @p n of the range [lo, hi]: first port and length (may be 0 when n > range). */
static inline void
share_of(uint16_t lo, uint16_t hi, unsigned i, unsigned n, uint16_t *first, uint32_t *len)
{
	uint32_t range = (uint32_t)hi - lo + 1;
	uint32_t a = (uint32_t)((uint64_t)range * i / n);
	uint32_t b = (uint32_t)((uint64_t)range * (i + 1) / n);

	*first = (uint16_t)(lo + a);
	*len = b - a;
}

/** Which slice of share_of() holds @p port: 0..n-1, or n when outside [lo, hi]. */
static inline unsigned
share_owner(uint16_t lo, uint16_t hi, unsigned n, uint16_t port)
{
	uint32_t range = (uint32_t)hi - lo + 1;

	if (port < lo || port > hi)
		return n;
	/* slice i starts at floor(range * i / n): the largest i whose start is <= port.
	 * 32-bit arithmetic (n * range < 2^32 for n <= 65536): no 64-bit division per segment. */
	return (n * (uint32_t)(port - lo + 1) - 1) / range;
}

#endif
