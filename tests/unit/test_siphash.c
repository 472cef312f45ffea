/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 against the published test vectors and the 4 x u32 fast path against the
 * generic function; SipHash-1-3's fast path (the flow table's) against a plain SipHash-c-d
 * that reproduces the 2-4 vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/siphash.h"

/* Key bytes 00 01 .. 0f read as two little-endian words. */
static const struct siphash_key ref_key = {
        .k0 = UINT64_C(0x0706050403020100),
        .k1 = UINT64_C(0x0f0e0d0c0b0a0908),
};

/*
 * SipHash-2-4 outputs (as little-endian 64-bit words) for the key above and the
 * messages 00, 00 01, ..., 00 01 .. 3e of length 0..63: the test vectors published with
 * the SipHash reference implementation (vectors.h, "vectors_sip64"). Entry 15 is also
 * the worked example of appendix A of the paper (a129ca6149be45e5).
 */
static const uint64_t ref_vectors[64] = {
        UINT64_C(0x726fdb47dd0e0e31),
        UINT64_C(0x74f839c593dc67fd),
        UINT64_C(0x0d6c8009d9a94f5a),
        UINT64_C(0x85676696d7fb7e2d),
        UINT64_C(0xcf2794e0277187b7),
        UINT64_C(0x18765564cd99a68d),
        UINT64_C(0xcbc9466e58fee3ce),
        UINT64_C(0xab0200f58b01d137),
        UINT64_C(0x93f5f5799a932462),
        UINT64_C(0x9e0082df0ba9e4b0),
        UINT64_C(0x7a5dbbc594ddb9f3),
        UINT64_C(0xf4b32f46226bada7),
        UINT64_C(0x751e8fbc860ee5fb),
        UINT64_C(0x14ea5627c0843d90),
        UINT64_C(0xf723ca908e7af2ee),
        UINT64_C(0xa129ca6149be45e5),
        UINT64_C(0x3f2acc7f57c29bdb),
        UINT64_C(0x699ae9f52cbe4794),
        UINT64_C(0x4bc1b3f0968dd39c),
        UINT64_C(0xbb6dc91da77961bd),
        UINT64_C(0xbed65cf21aa2ee98),
        UINT64_C(0xd0f2cbb02e3b67c7),
        UINT64_C(0x93536795e3a33e88),
        UINT64_C(0xa80c038ccd5ccec8),
        UINT64_C(0xb8ad50c6f649af94),
        UINT64_C(0xbce192de8a85b8ea),
        UINT64_C(0x17d835b85bbb15f3),
        UINT64_C(0x2f2e6163076bcfad),
        UINT64_C(0xde4daaaca71dc9a5),
        UINT64_C(0xa6a2506687956571),
        UINT64_C(0xad87a3535c49ef28),
        UINT64_C(0x32d892fad841c342),
        UINT64_C(0x7127512f72f27cce),
        UINT64_C(0xa7f32346f95978e3),
        UINT64_C(0x12e0b01abb051238),
        UINT64_C(0x15e034d40fa197ae),
        UINT64_C(0x314dffbe0815a3b4),
        UINT64_C(0x027990f029623981),
        UINT64_C(0xcadcd4e59ef40c4d),
        UINT64_C(0x9abfd8766a33735c),
        UINT64_C(0x0e3ea96b5304a7d0),
        UINT64_C(0xad0c42d6fc585992),
        UINT64_C(0x187306c89bc215a9),
        UINT64_C(0xd4a60abcf3792b95),
        UINT64_C(0xf935451de4f21df2),
        UINT64_C(0xa9538f0419755787),
        UINT64_C(0xdb9acddff56ca510),
        UINT64_C(0xd06c98cd5c0975eb),
        UINT64_C(0xe612a3cb9ecba951),
        UINT64_C(0xc766e62cfcadaf96),
        UINT64_C(0xee64435a9752fe72),
        UINT64_C(0xa192d576b245165a),
        UINT64_C(0x0a8787bf8ecb74b2),
        UINT64_C(0x81b3e73d20b49b6f),
        UINT64_C(0x7fa8220ba3b2ecea),
        UINT64_C(0x245731c13ca42499),
        UINT64_C(0xb78dbfaf3a8d83bd),
        UINT64_C(0xea1ad565322a1a0b),
        UINT64_C(0x60e61c23a3795013),
        UINT64_C(0x6606d7e446282b93),
        UINT64_C(0x6ca4ecb15c5f91e1),
        UINT64_C(0x9f626da15c9625f3),
        UINT64_C(0xe51b38608ef25f57),
        UINT64_C(0x958a324ceb064572),
};

static void
fill_msg(uint8_t *msg, size_t len)
{
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)i;
}

/* Every length 0..63, which covers the required 0, 1, 7, 8, 15, 16 and 63. */
static void
test_reference_vectors(void **state)
{
	uint8_t msg[64];

	(void)state;
	fill_msg(msg, sizeof(msg));
	for (size_t len = 0; len < 64; len++) {
		uint64_t h = siphash24(&ref_key, msg, len);

		if (h != ref_vectors[len])
			fail_msg("length %zu: got %016llx, want %016llx", len,
			        (unsigned long long)h, (unsigned long long)ref_vectors[len]);
	}
}

/* The same vectors from a misaligned buffer (the word loads must not assume alignment). */
static void
test_unaligned_input(void **state)
{
	uint8_t buf[64 + 3];
	const size_t lens[] = {0, 1, 7, 8, 9, 15, 16, 17, 63};

	(void)state;
	for (size_t off = 1; off < 4; off++) {
		memset(buf, 0xa5, sizeof(buf));
		fill_msg(buf + off, 63);
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			assert_int_equal(
			        siphash24(&ref_key, buf + off, lens[i]), ref_vectors[lens[i]]);
	}
}

/* The key matters, and both halves of it. */
static void
test_key_sensitivity(void **state)
{
	uint8_t msg[16];
	struct siphash_key k = ref_key;

	(void)state;
	fill_msg(msg, sizeof(msg));
	k.k0 ^= 1;
	assert_int_not_equal(siphash24(&k, msg, 16), ref_vectors[16]);
	k = ref_key;
	k.k1 ^= UINT64_C(1) << 63;
	assert_int_not_equal(siphash24(&k, msg, 16), ref_vectors[16]);
}

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint64_t
hash_words(const struct siphash_key *k, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint8_t msg[16];

	store_le32(msg, a);
	store_le32(msg + 4, b);
	store_le32(msg + 8, c);
	store_le32(msg + 12, d);
	return siphash24(k, msg, sizeof(msg));
}

/* siphash24_4u32 == siphash24 over the four words stored little-endian. */
static void
test_4u32_equivalence(void **state)
{
	uint64_t seed = 42;

	(void)state;
	/* The reference message 00 01 .. 0f as words. */
	assert_int_equal(siphash24_4u32(&ref_key, 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c),
	        ref_vectors[16]);
	for (int i = 0; i < 10000; i++) {
		struct siphash_key k = {splitmix64(&seed), splitmix64(&seed)};
		uint64_t r1 = splitmix64(&seed), r2 = splitmix64(&seed);
		uint32_t a = (uint32_t)r1, b = (uint32_t)(r1 >> 32);
		uint32_t c = (uint32_t)r2, d = (uint32_t)(r2 >> 32);

		assert_int_equal(siphash24_4u32(&k, a, b, c, d), hash_words(&k, a, b, c, d));
	}
	/* Word order matters. */
	assert_int_not_equal(
	        siphash24_4u32(&ref_key, 1, 2, 3, 4), siphash24_4u32(&ref_key, 2, 1, 3, 4));
}

/* siphash24_3u32 / _5u32 == siphash24 over the three / five words stored little-endian,
 * and the reference vectors of 12 and 20 bytes (00 01 .. as words). */
static void
test_3u32_5u32_equivalence(void **state)
{
	uint64_t seed = 7;

	(void)state;
	assert_int_equal(
	        siphash24_3u32(&ref_key, 0x03020100, 0x07060504, 0x0b0a0908), ref_vectors[12]);
	assert_int_equal(siphash24_5u32(&ref_key, 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
	                         0x13121110),
	        ref_vectors[20]);
	for (int i = 0; i < 10000; i++) {
		struct siphash_key k = {splitmix64(&seed), splitmix64(&seed)};
		uint32_t w[5];
		uint8_t msg[20];

		for (int j = 0; j < 5; j++) {
			w[j] = (uint32_t)splitmix64(&seed);
			for (int b = 0; b < 4; b++)
				msg[4 * j + b] = (uint8_t)(w[j] >> (8 * b));
		}
		assert_int_equal(siphash24_3u32(&k, w[0], w[1], w[2]), siphash24(&k, msg, 12));
		assert_int_equal(
		        siphash24_5u32(&k, w[0], w[1], w[2], w[3], w[4]), siphash24(&k, msg, 20));
	}
}

/*
 * SipHash-c-d written plainly from the paper (section 2), byte by byte, for any c and d:
 * the reference the SipHash-1-3 fast path is checked against. It is itself checked against
 * the published SipHash-2-4 vectors (test_cd_reference), so that its c and d are the only
 * thing left to trust.
 */
static uint64_t
rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static void
sipround(uint64_t v[4])
{
	v[0] += v[1], v[1] = rotl(v[1], 13), v[1] ^= v[0], v[0] = rotl(v[0], 32);
	v[2] += v[3], v[3] = rotl(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = rotl(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = rotl(v[1], 17), v[1] ^= v[2], v[2] = rotl(v[2], 32);
}

static uint64_t
siphash_cd(const struct siphash_key *k, const uint8_t *msg, size_t len, int c, int d)
{
	uint64_t v[4] = {k->k0 ^ UINT64_C(0x736f6d6570736575), k->k1 ^ UINT64_C(0x646f72616e646f6d),
	        k->k0 ^ UINT64_C(0x6c7967656e657261), k->k1 ^ UINT64_C(0x7465646279746573)};
	uint64_t m;
	size_t i, b;

	for (i = 0; i <= len; i += 8) {
		m = 0;
		for (b = 0; b < 8 && i + b < len; b++)
			m |= (uint64_t)msg[i + b] << (8 * b);
		if (i + 8 > len) /* the last word: the tail bytes and the length */
			m |= (uint64_t)(len & 0xff) << 56;
		v[3] ^= m;
		for (int r = 0; r < c; r++)
			sipround(v);
		v[0] ^= m;
		if (i + 8 > len)
			break;
	}
	v[2] ^= 0xff;
	for (int r = 0; r < d; r++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void
test_cd_reference(void **state)
{
	uint8_t msg[64];

	(void)state;
	fill_msg(msg, sizeof(msg));
	for (size_t len = 0; len < 64; len++)
		assert_int_equal(siphash_cd(&ref_key, msg, len, 2, 4), ref_vectors[len]);
}

/* siphash13_3u32 (the flow table's hash) == SipHash-1-3 over the three words stored
 * little-endian; and it is not SipHash-2-4. */
static void
test_13_3u32(void **state)
{
	uint64_t seed = 13;
	uint8_t ref12[12];

	(void)state;
	fill_msg(ref12, sizeof(ref12));
	assert_int_equal(siphash13_3u32(&ref_key, 0x03020100, 0x07060504, 0x0b0a0908),
	        siphash_cd(&ref_key, ref12, 12, 1, 3));
	assert_int_not_equal(
	        siphash13_3u32(&ref_key, 0x03020100, 0x07060504, 0x0b0a0908), ref_vectors[12]);
	for (int i = 0; i < 10000; i++) {
		struct siphash_key k = {splitmix64(&seed), splitmix64(&seed)};
		uint32_t w[3];
		uint8_t msg[12];

		for (int j = 0; j < 3; j++) {
			w[j] = (uint32_t)splitmix64(&seed);
			store_le32(msg + 4 * j, w[j]);
		}
		assert_int_equal(
		        siphash13_3u32(&k, w[0], w[1], w[2]), siphash_cd(&k, msg, 12, 1, 3));
	}
}

/* siphash13_3u32_n() == siphash13_3u32() of each message (so also the reference), for
 * every count from 0 to 41: whole groups of four lanes (AVX2 where the CPU has it), the
 * tail one by one, each lane with its own words, and out[] untouched past n. */
static void
test_13_3u32_n(void **state)
{
	uint64_t seed = 1313;

	(void)state;
#if defined(__x86_64__)
	if (!__builtin_cpu_supports("avx2"))
		print_message("no AVX2 on this CPU: only the one-by-one form is checked\n");
#endif
	for (unsigned n = 0; n <= 41; n++) {
		for (int rep = 0; rep < 50; rep++) {
			struct siphash_key k = {splitmix64(&seed), splitmix64(&seed)};
			uint32_t a[41], b[41], c[41];
			uint64_t out[42];
			uint8_t msg[12];

			for (unsigned i = 0; i < n; i++) {
				a[i] = (uint32_t)splitmix64(&seed);
				b[i] = (uint32_t)splitmix64(&seed);
				c[i] = (uint32_t)splitmix64(&seed);
			}
			out[n] = 0x5a5a5a5a5a5a5a5aull;
			siphash13_3u32_n(&k, a, b, c, n, out);
			for (unsigned i = 0; i < n; i++) {
				assert_int_equal(out[i], siphash13_3u32(&k, a[i], b[i], c[i]));
				if (i == 0 && rep == 0) {
					store_le32(msg, a[i]);
					store_le32(msg + 4, b[i]);
					store_le32(msg + 8, c[i]);
					assert_int_equal(out[i], siphash_cd(&k, msg, 12, 1, 3));
				}
			}
			assert_int_equal(out[n], 0x5a5a5a5a5a5a5a5aull);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reference_vectors),
	        cmocka_unit_test(test_unaligned_input),
	        cmocka_unit_test(test_key_sensitivity),
	        cmocka_unit_test(test_4u32_equivalence),
	        cmocka_unit_test(test_3u32_5u32_equivalence),
	        cmocka_unit_test(test_cd_reference),
	        cmocka_unit_test(test_13_3u32),
	        cmocka_unit_test(test_13_3u32_n),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
