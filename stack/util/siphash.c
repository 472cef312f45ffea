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

/*
 * SipHash-1-3 of many 12-byte messages, four lanes at a time in AVX2 registers: each
 * 256-bit register holds one state word (v0, v1, v2 or v3) of four messages. The lanes run
 * the same rounds as siphash_round() on 64-bit elements; AVX2 has no 64-bit rotate, so the
 * rotations by 16 and 32 are byte and word shuffles and the others two shifts and an or.
 * About 18 instructions a message in all (callgrind, full groups), against about 85 for
 * siphash13_3u32().
 */
#if defined(__x86_64__)
#include <immintrin.h>

#define X4_TARGET __attribute__((target("avx2")))

X4_TARGET static inline __m256i
x4_rotl(__m256i x, int r)
{
	return _mm256_or_si256(_mm256_slli_epi64(x, r), _mm256_srli_epi64(x, 64 - r));
}

X4_TARGET static inline __m256i
x4_rotl16(__m256i x)
{
	/* each 64-bit element's bytes 0..7 become bytes 6, 7, 0, 1, 2, 3, 4, 5 */
	const __m256i idx = _mm256_setr_epi8(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13,
	        6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);

	return _mm256_shuffle_epi8(x, idx);
}

X4_TARGET static inline __m256i
x4_rotl32(__m256i x)
{
	return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
}

struct x4_state {
	__m256i v0, v1, v2, v3;
};

X4_TARGET static inline void
x4_round(struct x4_state *s)
{
	s->v0 = _mm256_add_epi64(s->v0, s->v1);
	s->v2 = _mm256_add_epi64(s->v2, s->v3);
	s->v1 = x4_rotl(s->v1, 13);
	s->v3 = x4_rotl16(s->v3);
	s->v1 = _mm256_xor_si256(s->v1, s->v0);
	s->v3 = _mm256_xor_si256(s->v3, s->v2);
	s->v0 = x4_rotl32(s->v0);

	s->v2 = _mm256_add_epi64(s->v2, s->v1);
	s->v0 = _mm256_add_epi64(s->v0, s->v3);
	s->v1 = x4_rotl(s->v1, 17);
	s->v3 = x4_rotl(s->v3, 21);
	s->v1 = _mm256_xor_si256(s->v1, s->v2);
	s->v3 = _mm256_xor_si256(s->v3, s->v0);
	s->v2 = x4_rotl32(s->v2);
}

/* Four messages (a[i], b[i], c[i]), i < 4, into out[0..3]. */
X4_TARGET static void
siphash13_x4(const struct siphash_state *init, const uint32_t *a, const uint32_t *b,
        const uint32_t *c, uint64_t *out)
{
	__m128i va = _mm_loadu_si128((const __m128i *)a);
	__m128i vb = _mm_loadu_si128((const __m128i *)b);
	/* m1 = a | b << 32 per lane; m2 = c | 12 << 56 (the length byte) */
	__m256i m1 = _mm256_set_m128i(_mm_unpackhi_epi32(va, vb), _mm_unpacklo_epi32(va, vb));
	__m256i m2 = _mm256_or_si256(_mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)c)),
	        _mm256_set1_epi64x((long long)((uint64_t)12 << 56)));
	struct x4_state s = {
	        .v0 = _mm256_set1_epi64x((long long)init->v0),
	        .v1 = _mm256_set1_epi64x((long long)init->v1),
	        .v2 = _mm256_set1_epi64x((long long)init->v2),
	        .v3 = _mm256_set1_epi64x((long long)init->v3),
	};
	__m256i h;

	s.v3 = _mm256_xor_si256(s.v3, m1);
	x4_round(&s);
	s.v0 = _mm256_xor_si256(s.v0, m1);
	s.v3 = _mm256_xor_si256(s.v3, m2);
	x4_round(&s);
	s.v0 = _mm256_xor_si256(s.v0, m2);
	s.v2 = _mm256_xor_si256(s.v2, _mm256_set1_epi64x(0xff));
	x4_round(&s);
	x4_round(&s);
	x4_round(&s);
	h = _mm256_xor_si256(_mm256_xor_si256(s.v0, s.v1), _mm256_xor_si256(s.v2, s.v3));
	_mm256_storeu_si256((__m256i *)out, h);
}
#endif

bool
siphash13_n_vector(void)
{
#if defined(__x86_64__)
	return __builtin_cpu_supports("avx2");
#else
	return false;
#endif
}

void
siphash13_3u32_n(const struct siphash_key *key, const uint32_t *a, const uint32_t *b,
        const uint32_t *c, unsigned n, uint64_t *out)
{
	unsigned i = 0;

#if defined(__x86_64__)
	if (n > 0 && __builtin_cpu_supports("avx2")) {
		struct siphash_state init;
		unsigned r = n % 4;

		siphash_init(&init, key);
		for (; i + 4 <= n; i += 4)
			siphash13_x4(&init, a + i, b + i, c + i, out + i);
		if (r != 0) { /* the last 1..3 in a group of their own, padded with copies */
			uint32_t ta[4], tb[4], tc[4];
			uint64_t h[4];

			for (unsigned j = 0; j < 4; j++) {
				unsigned from = i + (j < r ? j : r - 1);

				ta[j] = a[from];
				tb[j] = b[from];
				tc[j] = c[from];
			}
			siphash13_x4(&init, ta, tb, tc, h);
			memcpy(out + i, h, r * sizeof(h[0]));
		}
		return;
	}
#endif
	for (; i < n; i++)
		out[i] = siphash13_3u32(key, a[i], b[i], c[i]);
}
