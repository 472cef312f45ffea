/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4, written from the specification in J.-P. Aumasson and D. J. Bernstein,
 * "SipHash: a fast short-input PRF" (INDOCRYPT 2012), section 2:
 *
 *  - the 128-bit key is two little-endian 64-bit words k0, k1; the state is
 *    v0 = k0 ^ "somepseu", v1 = k1 ^ "dorandom", v2 = k0 ^ "lygenera",
 *    v3 = k1 ^ "tedbytes";
 *  - the message is cut into little-endian 64-bit words; the last word holds the
 *    remaining 0..7 bytes and, in its top byte, the message length mod 256;
 *  - compression: for each word m, v3 ^= m, c = 2 SipRounds, v0 ^= m;
 *  - finalisation: v2 ^= 0xff, d = 4 SipRounds, output v0 ^ v1 ^ v2 ^ v3.
 *
 * The rounds, the state and the fixed-length forms are inline in siphash.h.
 */
#include <string.h>

#include "util/load.h"
#include "util/siphash.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* Little-endian load of @p n (<= 8) bytes, independent of host byte order. */
static inline uint64_t
load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}
#endif

/* The last 0..7 bytes as a little-endian word: util_load_tail() on a little-endian host. */
static inline uint64_t
load_tail(const uint8_t *p, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return util_load_tail(p, n);
#else
	return load_le(p, n);
#endif
}

uint64_t
siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t words = len / 8;
	struct siphash_state s;

	siphash_init(&s, key);
	for (size_t i = 0; i < words; i++, p += 8) {
		uint64_t m;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(&m, p, sizeof(m));
#else
		m = load_le(p, 8);
#endif
		siphash_compress(&s, m);
	}
	siphash_compress(&s, load_tail(p, len & 7) | ((uint64_t)(len & 0xff) << 56));
	return siphash_finish(&s);
}
