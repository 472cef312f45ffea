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
 */
#include <string.h>

#include "util/siphash.h"

#define SIP_C0 UINT64_C(0x736f6d6570736575) /* "somepseu" */
#define SIP_C1 UINT64_C(0x646f72616e646f6d) /* "dorandom" */
#define SIP_C2 UINT64_C(0x6c7967656e657261) /* "lygenera" */
#define SIP_C3 UINT64_C(0x7465646279746573) /* "tedbytes" */

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* One SipRound: two ARX half-rounds as in figure 2.1 of the paper. */
static inline void
sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v2 += s->v3;
	s->v1 = rotl64(s->v1, 13);
	s->v3 = rotl64(s->v3, 16);
	s->v1 ^= s->v0;
	s->v3 ^= s->v2;
	s->v0 = rotl64(s->v0, 32);

	s->v2 += s->v1;
	s->v0 += s->v3;
	s->v1 = rotl64(s->v1, 17);
	s->v3 = rotl64(s->v3, 21);
	s->v1 ^= s->v2;
	s->v3 ^= s->v0;
	s->v2 = rotl64(s->v2, 32);
}

static inline void
sip_init(struct sip_state *s, const struct siphash_key *key)
{
	s->v0 = key->k0 ^ SIP_C0;
	s->v1 = key->k1 ^ SIP_C1;
	s->v2 = key->k0 ^ SIP_C2;
	s->v3 = key->k1 ^ SIP_C3;
}

static inline void
sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t
sip_finish(struct sip_state *s)
{
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* Little-endian load of @p n (<= 8) bytes, independent of host byte order. */
static inline uint64_t
load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t
siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t words = len / 8;
	struct sip_state s;

	sip_init(&s, key);
	for (size_t i = 0; i < words; i++, p += 8) {
		uint64_t m;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(&m, p, sizeof(m));
#else
		m = load_le(p, 8);
#endif
		sip_compress(&s, m);
	}
	sip_compress(&s, load_le(p, len & 7) | ((uint64_t)(len & 0xff) << 56));
	return sip_finish(&s);
}

uint64_t
siphash24_4u32(const struct siphash_key *key, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct sip_state s;

	sip_init(&s, key);
	sip_compress(&s, (uint64_t)a | ((uint64_t)b << 32));
	sip_compress(&s, (uint64_t)c | ((uint64_t)d << 32));
	sip_compress(&s, (uint64_t)16 << 56);
	return sip_finish(&s);
}
