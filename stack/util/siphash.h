/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed 64-bit PRF, for ISNs and SYN cookies;
 * and SipHash-1-3, its lighter variant, for the flow table (hash flooding).
 *
 * siphash24() takes any length. The fixed-length forms below (three, four or five 32-bit
 * words) compute the same function, message words stored little-endian, but inline, with
 * the message words and the final length word known at compile time: no loop, no tail
 * bytes, the state in registers. They are what the per-segment paths use (flow hash,
 * SYN cookie MAC, timestamp offset, ISN).
 */
#ifndef TERN_UTIL_SIPHASH_H
#define TERN_UTIL_SIPHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

/** A 128-bit SipHash key. */
struct siphash_key {
	uint64_t k0;
	uint64_t k1;
};

/** SipHash-2-4 of @p len bytes at @p data under @p key. */
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

/** The internal state v0..v3 (section 2 of the paper). */
struct siphash_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
siphash_rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/** One SipRound: two ARX half-rounds as in figure 2.1 of the paper. */
static inline void
siphash_round(struct siphash_state *s)
{
	s->v0 += s->v1;
	s->v2 += s->v3;
	s->v1 = siphash_rotl(s->v1, 13);
	s->v3 = siphash_rotl(s->v3, 16);
	s->v1 ^= s->v0;
	s->v3 ^= s->v2;
	s->v0 = siphash_rotl(s->v0, 32);

	s->v2 += s->v1;
	s->v0 += s->v3;
	s->v1 = siphash_rotl(s->v1, 17);
	s->v3 = siphash_rotl(s->v3, 21);
	s->v1 ^= s->v2;
	s->v3 ^= s->v0;
	s->v2 = siphash_rotl(s->v2, 32);
}

/** The initial state: the key xor "somepseudorandomlygeneratedbytes". */
static inline void
siphash_init(struct siphash_state *s, const struct siphash_key *key)
{
	s->v0 = key->k0 ^ UINT64_C(0x736f6d6570736575);
	s->v1 = key->k1 ^ UINT64_C(0x646f72616e646f6d);
	s->v2 = key->k0 ^ UINT64_C(0x6c7967656e657261);
	s->v3 = key->k1 ^ UINT64_C(0x7465646279746573);
}

/** Compression of one 64-bit message word with @p c SipRounds (a constant: unrolled). */
static inline __attribute__((always_inline)) void
siphash_compress_c(struct siphash_state *s, uint64_t m, unsigned c)
{
	s->v3 ^= m;
#pragma GCC unroll 4
	for (unsigned i = 0; i < c; i++)
		siphash_round(s);
	s->v0 ^= m;
}

/** Finalisation with @p d SipRounds (a constant: unrolled). */
static inline __attribute__((always_inline)) uint64_t
siphash_finish_d(struct siphash_state *s, unsigned d)
{
	s->v2 ^= 0xff;
#pragma GCC unroll 4
	for (unsigned i = 0; i < d; i++)
		siphash_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/** Compression of one 64-bit message word: c = 2 SipRounds. */
static inline void
siphash_compress(struct siphash_state *s, uint64_t m)
{
	siphash_compress_c(s, m, 2);
}

/** Finalisation: d = 4 SipRounds. */
static inline uint64_t
siphash_finish(struct siphash_state *s)
{
	return siphash_finish_d(s, 4);
}

/** The two 32-bit words @p lo, @p hi as the little-endian 64-bit message word. */
static inline uint64_t
siphash_w(uint32_t lo, uint32_t hi)
{
	return (uint64_t)lo | ((uint64_t)hi << 32);
}

/** SipHash-2-4 of a 12-byte message given as three 32-bit words. */
static inline uint64_t
siphash24_3u32(const struct siphash_key *key, uint32_t a, uint32_t b, uint32_t c)
{
	struct siphash_state s;

	siphash_init(&s, key);
	siphash_compress(&s, siphash_w(a, b));
	siphash_compress(&s, siphash_w(c, 0) | (uint64_t)12 << 56);
	return siphash_finish(&s);
}

/*
 * SipHash-1-3: the same construction with one SipRound per message word and three in the
 * finalisation (the c and d of the paper). It is the variant hash tables use where
 * flooding must be resisted but a PRF's margin is not needed (the flow table): about 40 %
 * fewer rounds for a 12-byte key. ISNs and SYN cookies keep SipHash-2-4.
 */

/** SipHash-1-3 of a 12-byte message given as three 32-bit words (the flow table's key). */
static inline uint64_t
siphash13_3u32(const struct siphash_key *key, uint32_t a, uint32_t b, uint32_t c)
{
	struct siphash_state s;

	siphash_init(&s, key);
	siphash_compress_c(&s, siphash_w(a, b), 1);
	siphash_compress_c(&s, siphash_w(c, 0) | (uint64_t)12 << 56, 1);
	return siphash_finish_d(&s, 3);
}

/**
 * siphash13_3u32() of @p n messages (a[i], b[i], c[i]) into out[i]: four at a time in
 * AVX2 registers where the CPU has them (siphash.c; a last group of 1..3 padded to four),
 * else one by one. For a burst's flow keys.
 */
void siphash13_3u32_n(const struct siphash_key *key, const uint32_t *a, const uint32_t *b,
        const uint32_t *c, unsigned n, uint64_t *out) UTIL_ACCESS(read_only, 2, 5)
        UTIL_ACCESS(read_only, 3, 5) UTIL_ACCESS(read_only, 4, 5) UTIL_ACCESS(write_only, 6, 5);

/** Whether siphash13_3u32_n() runs four lanes at a time on this CPU (AVX2): then it costs
 *  about a quarter of siphash13_3u32() a message, and memoising results does not pay. */
bool siphash13_n_vector(void);

/** SipHash-2-4 of a 16-byte message given as four 32-bit words. */
static inline uint64_t
siphash24_4u32(const struct siphash_key *key, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct siphash_state s;

	siphash_init(&s, key);
	siphash_compress(&s, siphash_w(a, b));
	siphash_compress(&s, siphash_w(c, d));
	siphash_compress(&s, (uint64_t)16 << 56);
	return siphash_finish(&s);
}

/** SipHash-2-4 of a 20-byte message given as five 32-bit words. */
static inline uint64_t
siphash24_5u32(
        const struct siphash_key *key, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
	struct siphash_state s;

	siphash_init(&s, key);
	siphash_compress(&s, siphash_w(a, b));
	siphash_compress(&s, siphash_w(c, d));
	siphash_compress(&s, siphash_w(e, 0) | (uint64_t)20 << 56);
	return siphash_finish(&s);
}

#endif
