/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies: the documented construction rebuilt here from util/siphash and compared bit
 * for bit; every MSS class and the values in between (rounded down); window shift 0..14,
 * above 14 and absent, SACK, ECN, with and without timestamps; TSval layout, bounds and
 * monotonicity across the 2^32 wrap; the validity window at its exact boundaries
 * (current and previous counter accepted, two counters old and from the future rejected,
 * a wrapped counter field rejected by the MAC); forgeries (random guesses counted against
 * the documented 2^-27, exhaustive sweeps of the MAC and low fields, every single-bit flip);
 * each 4-tuple field, the peer ISN and ack +-1; key rotation, reseeding and engines sharing
 * a secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tcp/syncookie.h"
#include "util/seq.h"

#define P  ((uint64_t)SYNCOOKIE_PERIOD_MS)
/* A time in the middle of counter X0 (X0 & 3 == 2, so no field wraps near it). */
#define X0 UINT64_C(1002)
#define T0 (X0 * P + 12345)

static const uint64_t secret[2] = {UINT64_C(0x0123456789abcdef), UINT64_C(0xfedcba9876543210)};
static const struct syncookie_tuple tup = {
        .laddr = 0xc0a80001, .raddr = 0x0a000002, .lport = 80, .rport = 40000};

#define ISN 0x89abcdefu /* the peer's ISN (its SYN's seq) */

static const struct syncookie_opts no_opts = {.mss = 1460};
static const struct syncookie_opts all_opts = {
        .mss = 1460, .wscale = 7, .sack = true, .ecn = true, .ts = true};

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
ctx_at(struct syncookie_ctx *ctx, uint64_t now_ms)
{
	syncookie_init(ctx, secret);
	syncookie_rotate(ctx, now_ms);
}

/* The ACK that completes the handshake with cookie c: seq = ISN + 1, ack = c + 1. */
static enum syncookie_verdict
ack_of(const struct syncookie_ctx *ctx, uint32_t c, const struct syncookie_opts *o, uint64_t now_ms,
        struct syncookie_result *r)
{
	uint32_t tsval = syncookie_tsval(0x12345678, o);

	return syncookie_check(ctx, &tup, c + 1, ISN + 1, o->ts, tsval, now_ms, r);
}

/* The construction documented in syncookie.c, written out independently. */
static uint32_t
spec_cookie(const struct syncookie_tuple *t, uint32_t peer_isn, uint64_t now_ms, unsigned mss_idx,
        bool ts, uint32_t obits)
{
	struct siphash_key master = {.k0 = secret[0], .k1 = secret[1]}, key;
	uint64_t x = now_ms / 65536;
	uint32_t low = (uint32_t)(x % 4) | mss_idx << 2 | (ts ? 32u : 0u);
	uint32_t m[5];
	uint64_t h;

	key.k0 = siphash24_4u32(&master, (uint32_t)x, (uint32_t)(x >> 32), 0x53594e43, 0);
	key.k1 = siphash24_4u32(&master, (uint32_t)x, (uint32_t)(x >> 32), 0x53594e43, 1);
	m[0] = t->laddr;
	m[1] = t->raddr;
	m[2] = (uint32_t)t->lport << 16 | t->rport;
	m[3] = peer_isn;
	m[4] = (uint32_t)(x % (1u << 20)) << 12 | (ts ? obits : 0) << 6 | low;
	h = siphash24(&key, m, sizeof(m));
	return (uint32_t)(h >> 32) >> 6 << 6 | low;
}

static void
test_construction(void **state)
{
	struct syncookie_ctx ctx, cold;
	struct syncookie_opts o = all_opts;
	uint16_t mss;

	(void)state;
	ctx_at(&ctx, T0);
	syncookie_init(&cold, secret); /* never rotated: keys derived on the fly */
	assert_int_equal(syncookie_make(&ctx, &tup, ISN, &no_opts, T0, &mss),
	        spec_cookie(&tup, ISN, T0, 6, false, 0));
	assert_int_equal(mss, 1460);
	/* wscale 7 | SACK 16 | ECN 32 = 55 */
	assert_int_equal(syncookie_make(&ctx, &tup, ISN, &o, T0, NULL),
	        spec_cookie(&tup, ISN, T0, 6, true, 55));
	o.wscale = SYNCOOKIE_WSCALE_NONE;
	o.sack = false;
	o.mss = 536;
	/* no wscale 15 | ECN 32 = 47 */
	assert_int_equal(syncookie_make(&ctx, &tup, ISN, &o, T0, NULL),
	        spec_cookie(&tup, ISN, T0, 1, true, 47));
	assert_int_equal(syncookie_make(&cold, &tup, ISN, &o, T0, NULL),
	        spec_cookie(&tup, ISN, T0, 1, true, 47));
	/* Low bits: counter 1002 & 3 = 2, MSS index 1, T. */
	assert_int_equal(syncookie_make(&ctx, &tup, ISN, &o, T0, NULL) & 63, 2 | 1 << 2 | 32);
	/* Counter 0 (clock start). */
	ctx_at(&ctx, 5);
	assert_int_equal(syncookie_make(&ctx, &tup, ISN, &no_opts, 5, NULL),
	        spec_cookie(&tup, ISN, 5, 6, false, 0));
}

static void
test_mss_classes(void **state)
{
	static const uint16_t cases[][2] = {
	        {0, 64},
	        {1, 64},
	        {63, 64},
	        {64, 64},
	        {100, 64},
	        {535, 64},
	        {536, 536},
	        {537, 536},
	        {1000, 536},
	        {1219, 536},
	        {1220, 1220},
	        {1221, 1220},
	        {1379, 1220},
	        {1380, 1380},
	        {1400, 1380},
	        {1439, 1380},
	        {1440, 1440},
	        {1448, 1440},
	        {1451, 1440},
	        {1452, 1452},
	        {1459, 1452},
	        {1460, 1460},
	        {1461, 1460},
	        {1500, 1460},
	        {4096, 1460},
	        {8959, 1460},
	        {8960, 8960},
	        {8961, 8960},
	        {9000, 8960},
	        {65535, 8960},
	};
	static const uint16_t classes[] = {64, 536, 1220, 1380, 1440, 1452, 1460, 8960};
	struct syncookie_ctx ctx;

	(void)state;
	ctx_at(&ctx, T0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int ts = 0; ts < 2; ts++) {
			struct syncookie_opts o = ts ? all_opts : no_opts;
			struct syncookie_result r;
			uint16_t mss = 0;
			unsigned idx = 0;
			uint32_t c;

			o.mss = cases[i][0];
			c = syncookie_make(&ctx, &tup, ISN, &o, T0, &mss);
			assert_int_equal(mss, cases[i][1]);
			assert_int_equal(syncookie_mss_class(cases[i][0], false), cases[i][1]);
			while (classes[idx] != cases[i][1])
				idx++;
			assert_int_equal((c >> 2) & 7, idx);
			memset(&r, 0, sizeof(r));
			assert_int_equal(ack_of(&ctx, c, &o, T0 + 100, &r), SYNCOOKIE_OK);
			assert_int_equal(r.mss, cases[i][1]);
		}
	}
}

static void
test_options_roundtrip(void **state)
{
	static const uint8_t shifts[] = {
	        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 200, SYNCOOKIE_WSCALE_NONE};
	struct syncookie_ctx ctx;
	uint64_t seed = 1;
	unsigned n = 0;

	(void)state;
	ctx_at(&ctx, T0);
	for (size_t w = 0; w < sizeof(shifts); w++) {
		for (unsigned f = 0; f < 8; f++) {
			struct syncookie_opts o = {.mss = 1440,
			        .wscale = shifts[w],
			        .sack = f & 1,
			        .ecn = (f >> 1) & 1,
			        .ts = (f >> 2) & 1};
			struct syncookie_result r;
			uint32_t c = syncookie_make(&ctx, &tup, ISN, &o, T0, NULL);

			memset(&r, 0xa5, sizeof(r));
			assert_int_equal(ack_of(&ctx, c, &o, T0 + 1000, &r), SYNCOOKIE_OK);
			assert_int_equal(r.mss, 1440);
			assert_int_equal(r.ts, o.ts);
			if (o.ts) {
				uint8_t want = shifts[w] == SYNCOOKIE_WSCALE_NONE
				                       ? SYNCOOKIE_WSCALE_NONE
				               : shifts[w] > 14 ? 14
				                                : shifts[w];

				assert_int_equal(r.wscale, want);
				assert_int_equal(r.sack, o.sack);
				assert_int_equal(r.ecn, o.ecn);
			} else {
				/* Lost without timestamps. An unsolicited TSopt on the ACK is
				 * ignored (RFC 7323 §3.2), whatever its TSecr. */
				assert_int_equal(r.wscale, SYNCOOKIE_WSCALE_NONE);
				assert_false(r.sack);
				assert_false(r.ecn);
				memset(&r, 0xa5, sizeof(r));
				assert_int_equal(syncookie_check(&ctx, &tup, c + 1, ISN + 1, true,
				                         (uint32_t)rnd(&seed), T0, &r),
				        SYNCOOKIE_OK);
				assert_false(r.ts);
				assert_false(r.sack);
				assert_false(r.ecn);
				assert_int_equal(r.wscale, SYNCOOKIE_WSCALE_NONE);
			}
			n++;
		}
	}
	assert_int_equal(n, 18 * 8);
}

static void
test_ts_echo(void **state)
{
	struct syncookie_ctx ctx;
	struct syncookie_result r;
	uint32_t c, tsval;

	(void)state;
	ctx_at(&ctx, T0);
	c = syncookie_make(&ctx, &tup, ISN, &all_opts, T0, NULL);
	tsval = syncookie_tsval(777777, &all_opts);
	/* The SYN had timestamps and the ACK has none. */
	assert_int_equal(
	        syncookie_check(&ctx, &tup, c + 1, ISN + 1, false, tsval, T0, &r), SYNCOOKIE_NO_TS);
	/* Any of the 6 option bits of TSecr changed: the MAC fails. */
	for (unsigned b = 0; b < 6; b++)
		assert_int_equal(syncookie_check(&ctx, &tup, c + 1, ISN + 1, true,
		                         tsval ^ (1u << b), T0, &r),
		        SYNCOOKIE_BAD);
	/* The clock part of TSecr is not authenticated: any multiple of 64 away is fine. */
	assert_int_equal(syncookie_check(&ctx, &tup, c + 1, ISN + 1, true, tsval + 6400, T0, &r),
	        SYNCOOKIE_OK);
	assert_int_equal(r.wscale, 7);
	/* A cookie without T ignores a missing TSopt. */
	c = syncookie_make(&ctx, &tup, ISN, &no_opts, T0, NULL);
	assert_int_equal(
	        syncookie_check(&ctx, &tup, c + 1, ISN + 1, false, 0, T0, &r), SYNCOOKIE_OK);
}

static void
test_tsval(void **state)
{
	struct syncookie_opts o = all_opts;
	uint64_t seed = 7;

	(void)state;
	/* Exact values: bits = wscale | 16 * SACK | 32 * ECN. */
	o.ecn = false; /* 7 | 16 = 23 */
	assert_int_equal(syncookie_tsval(1000, &o), 983);
	assert_int_equal(syncookie_tsval(983, &o), 983);
	assert_int_equal(syncookie_tsval(982, &o), 919);
	assert_int_equal(syncookie_tsval(5, &o), 0xffffffd7); /* behind, across the wrap */
	o.ecn = true;
	o.wscale = SYNCOOKIE_WSCALE_NONE; /* 15 | 16 | 32 = 63 */
	assert_int_equal(syncookie_tsval(1000, &o), 959);
	assert_int_equal(syncookie_tsval(1023, &o), 1023);
	o.wscale = 0;
	o.sack = false;
	o.ecn = false; /* 0 */
	assert_int_equal(syncookie_tsval(1000, &o), 960);
	o.ts = false;
	assert_int_equal(syncookie_tsval(1000, &o), 1000);

	/* Every option combination: low bits, within 64 behind the clock, non-decreasing and
	 * moving forward with the clock, across the 2^32 wrap. */
	for (unsigned bits = 0; bits < 64; bits++) {
		struct syncookie_opts q = {.mss = 1460,
		        .wscale = (bits & 15) == 15 ? SYNCOOKIE_WSCALE_NONE : (uint8_t)(bits & 15),
		        .sack = (bits >> 4) & 1,
		        .ecn = (bits >> 5) & 1,
		        .ts = true};
		uint32_t clk = 0xffffe000u + (uint32_t)(rnd(&seed) & 63);
		uint32_t prev = syncookie_tsval(clk, &q), first = prev;

		for (unsigned i = 0; i < 20000; i++) {
			uint32_t v;

			clk++;
			v = syncookie_tsval(clk, &q);
			assert_int_equal(v & 63, bits);
			assert_true(seq_leq(v, clk));
			assert_true(clk - v < 64);
			assert_true(seq_geq(v, prev));
			assert_int_equal(syncookie_tsval(clk + 64, &q), v + 64);
			prev = v;
		}
		/* It moved forward with the clock. */
		assert_true(prev - first >= 20000 - 63);
	}
}

static void
test_validity_window(void **state)
{
	const uint64_t start = X0 * P, end = (X0 + 1) * P - 1;
	struct syncookie_ctx ctx;
	struct syncookie_result r;
	uint32_t c;

	(void)state;
	/* Minted at the first ms of counter X0: valid through the last ms of X0 + 1. */
	ctx_at(&ctx, start);
	c = syncookie_make(&ctx, &tup, ISN, &all_opts, start, NULL);
	assert_int_equal(ack_of(&ctx, c, &all_opts, start, &r), SYNCOOKIE_OK);
	assert_int_equal(ack_of(&ctx, c, &all_opts, end, &r), SYNCOOKIE_OK);
	syncookie_rotate(&ctx, end + 1);
	assert_int_equal(ack_of(&ctx, c, &all_opts, end + 1, &r), SYNCOOKIE_OK);
	assert_int_equal(ack_of(&ctx, c, &all_opts, end + P, &r), SYNCOOKIE_OK);
	syncookie_rotate(&ctx, end + P + 1);
	assert_int_equal(ack_of(&ctx, c, &all_opts, end + P + 1, &r), SYNCOOKIE_STALE);
	assert_int_equal(ack_of(&ctx, c, &all_opts, end + 2 * P, &r), SYNCOOKIE_STALE);
	/* Four counters on the 2-bit field matches again; the MAC (key and counter) does not.
	 * Five on, the field reads as "previous": the MAC again. */
	syncookie_rotate(&ctx, start + 4 * P);
	assert_int_equal(ack_of(&ctx, c, &all_opts, start + 4 * P, &r), SYNCOOKIE_BAD);
	syncookie_rotate(&ctx, start + 5 * P);
	assert_int_equal(ack_of(&ctx, c, &all_opts, start + 5 * P, &r), SYNCOOKIE_BAD);

	/* Minted at the last ms of X0: still about 65.5 s to go. */
	ctx_at(&ctx, end);
	c = syncookie_make(&ctx, &tup, ISN, &no_opts, end, NULL);
	syncookie_rotate(&ctx, end + P);
	assert_int_equal(ack_of(&ctx, c, &no_opts, end + P, &r), SYNCOOKIE_OK);
	syncookie_rotate(&ctx, end + P + 1);
	assert_int_equal(ack_of(&ctx, c, &no_opts, end + P + 1, &r), SYNCOOKIE_STALE);

	/* From the future: minted at X0 + 1, checked at X0. */
	ctx_at(&ctx, end + 1);
	c = syncookie_make(&ctx, &tup, ISN, &no_opts, end + 1, NULL);
	assert_int_equal(ack_of(&ctx, c, &no_opts, end, &r), SYNCOOKIE_STALE);
	assert_int_equal(ack_of(&ctx, c, &no_opts, end + 1, &r), SYNCOOKIE_OK);

	/* Counter 0: no previous counter exists. */
	ctx_at(&ctx, 0);
	c = syncookie_make(&ctx, &tup, ISN, &no_opts, 0, NULL);
	assert_int_equal(c & 3, 0);
	assert_int_equal(ack_of(&ctx, c, &no_opts, P - 1, &r), SYNCOOKIE_OK);
	assert_int_equal(ack_of(&ctx, c | 3, &no_opts, 0, &r), SYNCOOKIE_STALE);
}

static void
test_wrong_fields(void **state)
{
	struct syncookie_ctx ctx;
	struct syncookie_result r;
	struct syncookie_tuple t;
	uint32_t c;

	(void)state;
	ctx_at(&ctx, T0);
	for (int ts = 0; ts < 2; ts++) {
		const struct syncookie_opts *o = ts ? &all_opts : &no_opts;
		uint32_t tsecr = syncookie_tsval(99999, o);

		c = syncookie_make(&ctx, &tup, ISN, o, T0, NULL);
		assert_int_equal(syncookie_check(&ctx, &tup, c + 1, ISN + 1, ts, tsecr, T0, &r),
		        SYNCOOKIE_OK);
#define TRY(field, val)                                                                        \
	do {                                                                                   \
		t = tup;                                                                       \
		t.field = (val);                                                               \
		assert_int_equal(syncookie_check(&ctx, &t, c + 1, ISN + 1, ts, tsecr, T0, &r), \
		        SYNCOOKIE_BAD);                                                        \
	} while (0)
		TRY(laddr, tup.laddr + 1);
		TRY(laddr, tup.laddr ^ 0x80000000u);
		TRY(raddr, tup.raddr + 1);
		TRY(raddr, tup.laddr);
		TRY(lport, tup.lport + 1);
		TRY(lport, tup.rport);
		TRY(rport, tup.rport - 1);
		TRY(rport, tup.lport);
#undef TRY
		/* The reversed tuple (as if minted for the other direction). */
		t = (struct syncookie_tuple){.laddr = tup.raddr,
		        .raddr = tup.laddr,
		        .lport = tup.rport,
		        .rport = tup.lport};
		assert_int_equal(syncookie_check(&ctx, &t, c + 1, ISN + 1, ts, tsecr, T0, &r),
		        SYNCOOKIE_BAD);
		/* The peer ISN (seq - 1). */
		assert_int_equal(syncookie_check(&ctx, &tup, c + 1, ISN + 2, ts, tsecr, T0, &r),
		        SYNCOOKIE_BAD);
		assert_int_equal(
		        syncookie_check(&ctx, &tup, c + 1, ISN, ts, tsecr, T0, &r), SYNCOOKIE_BAD);
		assert_int_equal(syncookie_check(&ctx, &tup, c + 1, (ISN ^ 0x80000000u) + 1, ts,
		                         tsecr, T0, &r),
		        SYNCOOKIE_BAD);
		/* ack + 1 puts the counter field one ahead; ack - 1 one behind. */
		assert_int_equal(syncookie_check(&ctx, &tup, c + 2, ISN + 1, ts, tsecr, T0, &r),
		        SYNCOOKIE_STALE);
		assert_int_equal(
		        syncookie_check(&ctx, &tup, c, ISN + 1, ts, tsecr, T0, &r), SYNCOOKIE_BAD);
		/* ack = cookie (no + 1). */
		assert_int_equal(
		        syncookie_check(&ctx, &tup, c, ISN, ts, tsecr, T0, &r), SYNCOOKIE_BAD);
		/* Another secret. */
		{
			static const uint64_t other[2] = {1, 2};
			struct syncookie_ctx o2;

			syncookie_init(&o2, other);
			syncookie_rotate(&o2, T0);
			assert_int_equal(
			        syncookie_check(&o2, &tup, c + 1, ISN + 1, ts, tsecr, T0, &r),
			        SYNCOOKIE_BAD);
		}
	}
}

static void
test_forgery(void **state)
{
	struct syncookie_ctx ctx;
	struct syncookie_result r;
	uint32_t c, tsecr = syncookie_tsval(4242424, &all_opts);
	uint64_t seed = 0x5eed;
	unsigned ok = 0, stale = 0, nots = 0;

	(void)state;
	ctx_at(&ctx, T0);
	/* 2^20 blind guesses (random ack, seq, TSopt): each succeeds with probability 2^-27
	 * with a TSopt, 2^-28 without, so the expected count is 2^20 * 1.5 * 2^-28 = 1/170
	 * and P(count >= 3) < 10^-7. About half fail on the counter field, a quarter of the
	 * rest on a T bit without TSopt. */
	for (uint32_t i = 0; i < (1u << 20); i++) {
		uint64_t v = rnd(&seed);
		bool has_ts = (v >> 63) & 1;

		switch (syncookie_check(&ctx, &tup, (uint32_t)v, (uint32_t)(v >> 32), has_ts,
		        (uint32_t)rnd(&seed), T0, &r)) {
		case SYNCOOKIE_OK:
			ok++;
			break;
		case SYNCOOKIE_STALE:
			stale++;
			break;
		case SYNCOOKIE_NO_TS:
			nots++;
			break;
		case SYNCOOKIE_BAD:
			break;
		}
	}
	print_message(
	        "random guesses: %u of 2^20 accepted, %u stale, %u no TSopt\n", ok, stale, nots);
	assert_true(ok <= 2);
	/* Half of the 4 field values are stale: 2^19 +- 5 sigma (sigma = 512). */
	assert_true(stale > (1u << 19) - 2600 && stale < (1u << 19) + 2600);
	/* A quarter of the 2^19 others have T set and no TSopt: 2^17 +- 5 sigma (~340). */
	assert_true(nots > (1u << 17) - 1750 && nots < (1u << 17) + 1750);

	c = syncookie_make(&ctx, &tup, ISN, &all_opts, T0, NULL);
	/* Every value of MAC bits 6..25 with the rest right: only the real one passes. */
	ok = 0;
	for (uint32_t v = 0; v < (1u << 20); v++) {
		uint32_t f = (c & ~(0xfffffu << 6)) | v << 6;

		if (syncookie_check(&ctx, &tup, f + 1, ISN + 1, true, tsecr, T0, &r) ==
		        SYNCOOKIE_OK) {
			ok++;
			assert_int_equal(f, c);
		}
	}
	assert_int_equal(ok, 1);
	/* Every value of MAC bits 26..31. */
	ok = 0;
	for (uint32_t v = 0; v < 64; v++) {
		uint32_t f = (c & 0x03ffffffu) | v << 26;

		ok += syncookie_check(&ctx, &tup, f + 1, ISN + 1, true, tsecr, T0, &r) ==
		      SYNCOOKIE_OK;
	}
	assert_int_equal(ok, 1);
	/* Every value of the low 6 bits (counter, MSS index, T) under the real MAC. */
	ok = 0;
	for (uint32_t v = 0; v < 64; v++) {
		uint32_t f = (c & ~63u) | v;

		ok += syncookie_check(&ctx, &tup, f + 1, ISN + 1, true, tsecr, T0, &r) ==
		      SYNCOOKIE_OK;
	}
	assert_int_equal(ok, 1);
	/* Every single-bit flip of the cookie. */
	for (unsigned b = 0; b < 32; b++)
		assert_int_not_equal(syncookie_check(&ctx, &tup, (c ^ (1u << b)) + 1, ISN + 1, true,
		                             tsecr, T0, &r),
		        SYNCOOKIE_OK);
}

static void
test_rotation(void **state)
{
	static const uint64_t fresh[2] = {UINT64_C(0x1111), UINT64_C(0x2222)};
	static const uint64_t fresh2[2] = {UINT64_C(0x3333), UINT64_C(0x4444)};
	struct syncookie_ctx a, b, cold;
	struct syncookie_result r;
	struct siphash_key k;
	uint32_t c, ca, cb;

	(void)state;
	ctx_at(&a, T0);
	assert_int_equal(a.key_ctr[X0 & 1], X0);
	assert_int_equal(a.key_ctr[(X0 - 1) & 1], X0 - 1);
	k = a.key[X0 & 1];
	c = syncookie_make(&a, &tup, ISN, &all_opts, T0, NULL);

	/* Next period: the key of X0 is now the previous one and still validates. */
	syncookie_rotate(&a, T0 + P);
	assert_int_equal(a.key_ctr[(X0 + 1) & 1], X0 + 1);
	assert_int_equal(a.key_ctr[X0 & 1], X0);
	assert_memory_equal(&a.key[X0 & 1], &k, sizeof(k));
	assert_int_equal(ack_of(&a, c, &all_opts, T0 + P, &r), SYNCOOKIE_OK);
	/* Two rotations later the key of X0 is gone. */
	syncookie_rotate(&a, T0 + 2 * P);
	assert_int_equal(a.key_ctr[X0 & 1], X0 + 2);
	assert_memory_not_equal(&a.key[X0 & 1], &k, sizeof(k));
	assert_int_equal(ack_of(&a, c, &all_opts, T0 + 2 * P, &r), SYNCOOKIE_STALE);
	/* Rotating is idempotent within a period and never goes backwards. */
	syncookie_rotate(&a, T0 + 2 * P + 1000);
	assert_int_equal(a.key_ctr[X0 & 1], X0 + 2);
	syncookie_rotate(&a, T0);
	assert_int_equal(a.key_ctr[X0 & 1], X0 + 2);
	assert_int_equal(a.key_ctr[(X0 + 1) & 1], X0 + 1);
	/* A jump over many periods derives both keys. */
	syncookie_rotate(&a, T0 + 100 * P);
	assert_int_equal(a.key_ctr[(X0 + 100) & 1], X0 + 100);
	assert_int_equal(a.key_ctr[(X0 + 99) & 1], X0 + 99);

	/* A context never rotated derives keys on the fly: same cookies, same verdicts. */
	ctx_at(&a, T0);
	syncookie_init(&cold, secret);
	assert_int_equal(syncookie_make(&cold, &tup, ISN, &all_opts, T0, NULL), c);
	assert_int_equal(ack_of(&cold, c, &all_opts, T0 + P, &r), SYNCOOKIE_OK);

	/* Two engines with the same secret accept each other's cookies. */
	ctx_at(&b, T0);
	assert_int_equal(syncookie_make(&b, &tup, ISN, &all_opts, T0, NULL), c);
	assert_int_equal(ack_of(&b, c, &all_opts, T0, &r), SYNCOOKIE_OK);

	/* Reseeding keeps the cookies already out valid (this period and the next), and
	 * changes the keys of the periods after it. */
	syncookie_reseed(&a, fresh, T0);
	assert_int_equal(syncookie_make(&a, &tup, ISN, &all_opts, T0, NULL), c);
	assert_int_equal(ack_of(&a, c, &all_opts, T0, &r), SYNCOOKIE_OK);
	syncookie_rotate(&a, T0 + P);
	syncookie_rotate(&b, T0 + P);
	assert_int_equal(ack_of(&a, c, &all_opts, T0 + P, &r), SYNCOOKIE_OK);
	ca = syncookie_make(&a, &tup, ISN, &all_opts, T0 + P, NULL);
	cb = syncookie_make(&b, &tup, ISN, &all_opts, T0 + P, NULL);
	assert_int_not_equal(ca, cb);
	assert_int_equal(ca & 63, cb & 63);
	assert_int_equal(ack_of(&a, ca, &all_opts, T0 + P, &r), SYNCOOKIE_OK);
	assert_int_equal(ack_of(&b, ca, &all_opts, T0 + P, &r), SYNCOOKIE_BAD);
	assert_int_equal(ack_of(&a, cb, &all_opts, T0 + P, &r), SYNCOOKIE_BAD);
	/* Two reseeds within a period: the current cookie still holds. */
	syncookie_reseed(&a, fresh, T0 + P);
	syncookie_reseed(&a, fresh2, T0 + P);
	assert_int_equal(ack_of(&a, ca, &all_opts, T0 + P, &r), SYNCOOKIE_OK);
	assert_int_equal(ack_of(&a, ca, &all_opts, T0 + 2 * P, &r), SYNCOOKIE_OK);
	/* A reseed on a context never rotated keeps the cookies already out valid too. */
	syncookie_init(&cold, secret);
	c = syncookie_make(&cold, &tup, ISN, &all_opts, T0, NULL);
	syncookie_reseed(&cold, fresh, T0);
	assert_int_equal(ack_of(&cold, c, &all_opts, T0, &r), SYNCOOKIE_OK);
	assert_int_equal(ack_of(&cold, c, &all_opts, T0 + P, &r), SYNCOOKIE_OK);
	/* The same fresh values in the same order bring the engines back in step. */
	syncookie_reseed(&b, fresh, T0 - P);
	syncookie_reseed(&b, fresh, T0 + P);
	syncookie_reseed(&b, fresh2, T0 + P);
	syncookie_rotate(&a, T0 + 2 * P);
	syncookie_rotate(&b, T0 + 2 * P);
	assert_int_equal(syncookie_make(&a, &tup, ISN, &all_opts, T0 + 2 * P, NULL),
	        syncookie_make(&b, &tup, ISN, &all_opts, T0 + 2 * P, NULL));
}

/* IPv6: the MAC covers both 128-bit addresses whole (a cookie minted for one address fails
 * for another that differs in any byte, the low 32 bits equal), the MSS classes are IPv6's
 * (a v6 peer's 1440 stays 1440, 1460 comes down to 1440), options round-trip, and an IPv4
 * tuple with the same low words does not take an IPv6 cookie. */
static void
test_ipv6(void **state)
{
	uint8_t a6[32] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1, 0x20, 0x01, 0x0d, 0xb8, [31] = 2};
	struct syncookie_tuple t6 = {.lport = 80, .rport = 40000, .ip6 = a6};
	struct syncookie_tuple t4 = {.lport = 80, .rport = 40000};
	static const uint16_t cls[][2] = {{1440, 1440}, {1460, 1440}, {1439, 1420}, {1420, 1420},
	        {1399, 1360}, {1359, 1220}, {9000, 8940}, {1280, 1220}, {600, 536}, {0, 64}};
	struct syncookie_ctx ctx;
	struct syncookie_result r;
	uint16_t mss = 0;
	uint32_t c;
	unsigned i, b;

	(void)state;
	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		assert_int_equal(syncookie_mss_class(cls[i][0], true), cls[i][1]);
	assert_int_equal(syncookie_mss_class(1460, false), 1460);
	ctx_at(&ctx, T0);
	c = syncookie_make(&ctx, &t6, ISN, &all_opts, T0, &mss);
	assert_int_equal(mss, 1440); /* all_opts.mss 1460: IPv6's class */
	assert_int_equal(syncookie_check(&ctx, &t6, c + 1, ISN + 1, true,
	                         syncookie_tsval(0x12345678, &all_opts), T0, &r),
	        SYNCOOKIE_OK);
	assert_int_equal(r.mss, 1440);
	assert_int_equal(r.wscale, 7);
	assert_true(r.sack && r.ts && r.ecn);
	t4.laddr = (uint32_t)a6[12] << 24 | (uint32_t)a6[13] << 16 | a6[14] << 8 | a6[15];
	t4.raddr = (uint32_t)a6[28] << 24 | (uint32_t)a6[29] << 16 | a6[30] << 8 | a6[31];
	c = syncookie_make(&ctx, &t6, ISN, &no_opts, T0, NULL);
	assert_int_equal(
	        syncookie_check(&ctx, &t6, c + 1, ISN + 1, false, 0, T0, &r), SYNCOOKIE_OK);
	assert_int_equal(
	        syncookie_check(&ctx, &t4, c + 1, ISN + 1, false, 0, T0, &r), SYNCOOKIE_BAD);
	for (b = 0; b < 32; b++) { /* any byte of either address */
		a6[b] ^= 0x40;
		assert_int_equal(syncookie_check(&ctx, &t6, c + 1, ISN + 1, false, 0, T0, &r),
		        SYNCOOKIE_BAD);
		a6[b] ^= 0x40;
	}
	assert_int_equal(
	        syncookie_check(&ctx, &t6, c + 1, ISN + 1, false, 0, T0, &r), SYNCOOKIE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_construction),
	        cmocka_unit_test(test_mss_classes),
	        cmocka_unit_test(test_ipv6),
	        cmocka_unit_test(test_options_roundtrip),
	        cmocka_unit_test(test_ts_echo),
	        cmocka_unit_test(test_tsval),
	        cmocka_unit_test(test_validity_window),
	        cmocka_unit_test(test_wrong_fields),
	        cmocka_unit_test(test_forgery),
	        cmocka_unit_test(test_rotation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
