/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Loads of the last 1..7 bytes of a buffer, shared by the checksum (stack/wire/csum.c) and
 * SipHash (stack/util/siphash.c) tails.
 */
#ifndef TERN_UTIL_LOAD_H
#define TERN_UTIL_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/**
 * The @p n (< 8) bytes at @p p, zero padded in memory order to 8, as a native-order 64-bit
 * word. On a little-endian host that is their little-endian value, taken in pieces of 4, 2
 * and 1 bytes with fixed-size loads (no copy of variable length, no byte loop).
 */
static inline uint64_t
util_load_tail(const uint8_t *p, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v = 0;
	unsigned off = 0;

	if (n & 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		v = w;
		off = 4;
	}
	if (n & 2) {
		uint16_t w;

		memcpy(&w, p + off, sizeof(w));
		v |= (uint64_t)w << (8 * off);
		off += 2;
	}
	if (n & 1)
		v |= (uint64_t)p[off] << (8 * off);
	return v;
#else
	uint8_t tail[8] = {0};
	uint64_t v;

	memcpy(tail, p, n);
	memcpy(&v, tail, sizeof(v));
	return v;
#endif
}

#endif
