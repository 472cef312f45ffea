/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed 64-bit PRF for hash tables that
 * must resist hash flooding (flow table) and for ISNs and SYN cookies.
 */
#ifndef TERN_UTIL_SIPHASH_H
#define TERN_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/** A 128-bit SipHash key. */
struct siphash_key {
	uint64_t k0;
	uint64_t k1;
};

/** SipHash-2-4 of @p len bytes at @p data under @p key. */
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

/** SipHash-2-4 of a 16-byte message given as four 32-bit words (fast path, same result as
 *  siphash24() over the words stored little-endian). */
uint64_t siphash24_4u32(
        const struct siphash_key *key, uint32_t a, uint32_t b, uint32_t c, uint32_t d);

#endif
