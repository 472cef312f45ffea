/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum (RFC 1071).
 *
 * The one's complement sum is independent of byte order (RFC 1071 §2(B)): summing the
 * buffer as native-order words and swapping the folded 16-bit result gives the same value
 * as summing big-endian 16-bit words. So the loop loads 8 bytes at a time in native order
 * (memcpy: any alignment is fine), keeps the end-around carries in a separate counter and
 * folds once at the end. Words are taken relative to the start of the buffer, never to the
 * address, so an odd start address needs no special case.
 */
#include <string.h>

#include "csum.h"
#include "util/load.h"
#include "ipv6.h"

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Add a native-order 64-bit word, counting the carry out. */
static inline void
add64(uint64_t *acc, uint64_t *carry, uint64_t w)
{
	*acc += w;
	*carry += *acc < w;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define CSUM_VEC_MIN 256 /* shorter buffers (headers) stay scalar: no dispatch, no setup */

/*
 * The bulk of a long buffer with AVX2, where the CPU has it (payload checksums without
 * offload). Each 32-bit lane sums 16-bit native-order words with vpmaddwd, which
 * multiplies signed words: each word is biased by 0x8000 first (w ^ 0x8000 is w - 32768
 * as a signed word), so a lane gains w0 + w1 - 65536 per 32 bytes, and 65536 per round
 * is added back at the end, in 32-bit arithmetic modulo 2^32. Two accumulators of 32
 * bytes each: a lane of their sum gets 4 words a round, so its true sum is below
 * 4 * 65535 * rounds < 2^32 for at most 16383 rounds (1 MiB, the chunk taken here), and
 * neither accumulator leaves the signed 32-bit range. The lanes' sums are native-order
 * words as the scalar loop's, added to its accumulator.
 * Consumes whole 64-byte blocks of the buffer at *pp, *lenp bytes long.
 */
__attribute__((target("avx2,tune=haswell"))) static void
csum_avx2(const uint8_t **pp, size_t *lenp, uint64_t *acc, uint64_t *carry)
{
	const __m256i bias = _mm256_set1_epi16((short)0x8000), ones = _mm256_set1_epi16(1);
	const uint8_t *p = *pp;
	size_t len = *lenp;

	while (len >= 64) {
		size_t rounds = len / 64 < 32767 / 2 ? len / 64 : 32767 / 2;
		__v8si s0 = {0}, s1 = {0};
		uint32_t lane[8];
		uint64_t t = 0;

		for (size_t i = 0; i < rounds; i++) {
			__m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
			__m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));

			s0 += (__v8si)_mm256_madd_epi16(_mm256_xor_si256(x0, bias), ones);
			s1 += (__v8si)_mm256_madd_epi16(_mm256_xor_si256(x1, bias), ones);
			p += 64;
		}
		len -= rounds * 64;
		/* Each lane of s0 + s1 had 2 * rounds word pairs: add back 65536 for each. The
		 * eight lanes' 32-bit sums add up in 64 bits without a carry out (below 2^35),
		 * then go to the accumulator at once (add64() is not inlined into this
		 * function's target: one call, not eight). */
		_mm256_storeu_si256((__m256i *)(void *)lane, (__m256i)(s0 + s1));
		for (unsigned j = 0; j < 8; j++)
			t += (uint32_t)(lane[j] + (uint32_t)(2 * rounds) * 65536u);
		add64(acc, carry, t);
	}
	/* The rest of the stack is SSE code: leave no dirty upper halves behind (the
	 * compiler does not always emit this itself; without it the bulk bench ran 40 %
	 * slower). */
	_mm256_zeroupper();
	*pp = p;
	*lenp = len;
}
#endif

uint32_t
wire_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t a0 = 0, a1 = 0, c0 = 0, c1 = 0;
	uint32_t part;
	uint64_t s;

#ifdef CSUM_VEC_MIN
	if (len >= CSUM_VEC_MIN && __builtin_cpu_supports("avx2"))
		csum_avx2(&p, &len, &a0, &c0);
#endif
	/* Two independent accumulators so the adds of one iteration can overlap. */
	while (len >= 32) {
		add64(&a0, &c0, load64(p));
		add64(&a1, &c1, load64(p + 8));
		add64(&a0, &c0, load64(p + 16));
		add64(&a1, &c1, load64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		add64(&a0, &c0, load64(p));
		p += 8;
		len -= 8;
	}
	if (len > 0)
		/* the tail zero padded in memory order: an odd last byte is the high half of a
		 * big-endian word, as RFC 1071 asks */
		add64(&a0, &c0, util_load_tail(p, len));
	add64(&a0, &c0, a1);
	/* Each carry is worth 2^64 == 1 in one's complement arithmetic. */
	add64(&a0, &c0, c1);
	part = wire_csum_fold16(a0);
	part = wire_csum_fold16((uint64_t)part + c0);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	part = ((part & 0xffu) << 8) | (part >> 8);
#endif
	/* Add to the caller's running sum, keeping the result within 32 bits. */
	s = (uint64_t)sum + part;
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint32_t
wire_csum_pseudo6(
        const struct wire_ip6 *src, const struct wire_ip6 *dst, uint8_t proto, uint32_t l4len)
{
	uint32_t sum = wire_csum_add(0, src->b, 16);

	sum = wire_csum_add(sum, dst->b, 16);
	/* Each term below is < 2^17 and the sum of two address halves < 2^32 - 2^18: no wrap. */
	sum = (sum & 0xffffu) + (sum >> 16);
	return sum + (l4len >> 16) + (l4len & 0xffffu) + proto;
}

uint32_t
wire_csum_add_at(uint32_t sum, const void *buf, size_t len, size_t at)
{
	uint32_t part;

	if ((at & 1) == 0)
		return wire_csum_add(sum, buf, len);
	/* Its words straddle the pieces' 16-bit grid by one byte: sum it as if aligned and
	 * swap the folded result (RFC 1071 §2(B)). */
	part = (uint32_t)(uint16_t)~wire_csum_fold(wire_csum_add(0, buf, len));
	return sum + (((part & 0xffu) << 8) | (part >> 8));
}
