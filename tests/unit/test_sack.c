/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SACK scoreboard and RFC 6675 primitives: merging, ordering, invalid blocks, trimming at
 * snd_una, the 16-range cap, wraparound; IsLost() at its exact thresholds; SetPipe() and
 * NextSeg() on examples worked by hand; a whole recovery of 10 segments with two losses;
 * and a randomized comparison with a byte-per-byte model that follows the RFC's per-octet
 * definitions literally.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tcp/sack.h"

#define MSS  1000u
#define WRAP 0xfffff000u /* a base 4096 bytes below 2^32 */

#define BLK(l, r) ((struct wire_sack_block){.left = (l), .right = (r)})

static uint32_t
upd1(struct sack_board *b, tern_seq_t una, tern_seq_t max, tern_seq_t l, tern_seq_t r)
{
	struct wire_sack_block blk = BLK(l, r);

	return sack_update(b, una, max, &blk, 1);
}

/* The board holds exactly these ranges (pairs of left, right offsets from base). */
static void
check_board(const struct sack_board *b, tern_seq_t base, const uint32_t *want, unsigned n)
{
	uint32_t sum = 0;

	assert_int_equal(b->n, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(b->r[i].left, (tern_seq_t)(base + want[2 * i]));
		assert_int_equal(b->r[i].right, (tern_seq_t)(base + want[2 * i + 1]));
		sum += want[2 * i + 1] - want[2 * i];
	}
	assert_int_equal(b->sacked, sum);
}

#define CHECK_BOARD(b, base, ...)                                             \
	do {                                                                  \
		static const uint32_t w_[] = {__VA_ARGS__};                   \
		check_board((b), (base), w_, sizeof(w_) / sizeof(w_[0]) / 2); \
	} while (0)

static void
check_empty(const struct sack_board *b)
{
	assert_int_equal(b->n, 0);
	assert_int_equal(b->sacked, 0);
}

static void
test_update_merge(void **state)
{
	const tern_seq_t u = 1000000, m = u + 20000;
	struct sack_board b;

	(void)state;
	sack_reset(&b);
	check_empty(&b);
	/* Out of order inserts come out sorted. */
	assert_int_equal(upd1(&b, u, m, u + 5000, u + 6000), 1000);
	assert_int_equal(upd1(&b, u, m, u + 1000, u + 2000), 1000);
	assert_int_equal(upd1(&b, u, m, u + 3000, u + 3500), 500);
	CHECK_BOARD(&b, u, 1000, 2000, 3000, 3500, 5000, 6000);
	/* The same block again: nothing new. */
	assert_int_equal(upd1(&b, u, m, u + 1000, u + 2000), 0);
	/* A subset: nothing new. */
	assert_int_equal(upd1(&b, u, m, u + 1200, u + 1300), 0);
	/* Adjacent on the right and on the left: merged, not kept apart. */
	assert_int_equal(upd1(&b, u, m, u + 2000, u + 2100), 100);
	assert_int_equal(upd1(&b, u, m, u + 900, u + 1000), 100);
	CHECK_BOARD(&b, u, 900, 2100, 3000, 3500, 5000, 6000);
	/* Overlapping one range on both sides. */
	assert_int_equal(upd1(&b, u, m, u + 2900, u + 3600), 200);
	CHECK_BOARD(&b, u, 900, 2100, 2900, 3600, 5000, 6000);
	/* One block bridging all three, with holes 800 + 1400 between them. */
	assert_int_equal(upd1(&b, u, m, u + 1500, u + 5500), 2200);
	CHECK_BOARD(&b, u, 900, 6000);
	/* Several blocks in one ACK; one of them overlaps another. */
	{
		const struct wire_sack_block blk[] = {BLK(u + 8000, u + 9000),
		        BLK(u + 7000, u + 7500), BLK(u + 8500, u + 9200), BLK(u + 100, u + 200)};

		assert_int_equal(sack_update(&b, u, m, blk, 4), 1200 + 500 + 100);
	}
	CHECK_BOARD(&b, u, 100, 200, 900, 6000, 7000, 7500, 8000, 9200);
	assert_int_equal(sack_high(&b, u), u + 9200);
	/* An ACK without blocks changes nothing. */
	assert_int_equal(sack_update(&b, u, m, NULL, 0), 0);
	CHECK_BOARD(&b, u, 100, 200, 900, 6000, 7000, 7500, 8000, 9200);
}

static void
test_update_invalid(void **state)
{
	const tern_seq_t u = 50000, m = u + 10000;
	struct sack_board b;

	(void)state;
	sack_reset(&b);
	assert_int_equal(upd1(&b, u, m, u + 2000, u + 2000), 0); /* empty */
	assert_int_equal(upd1(&b, u, m, u + 3000, u + 2000), 0); /* reversed */
	assert_int_equal(upd1(&b, u, m, u + 9000, m + 1), 0);    /* one byte past snd_max */
	assert_int_equal(upd1(&b, u, m, m, m + 1000), 0);        /* all beyond snd_max */
	assert_int_equal(upd1(&b, u, m, u - 2000, u - 1000), 0); /* D-SACK below snd_una */
	assert_int_equal(upd1(&b, u, m, u - 1000, u), 0);        /* ends at snd_una */
	check_empty(&b);
	assert_int_equal(upd1(&b, u, m, u + 100, u + 100 + 0x80000000u), 0); /* 2^31 long */
	check_empty(&b);
	/* Right at snd_max is fine. */
	assert_int_equal(upd1(&b, u, m, m - 500, m), 500);
	CHECK_BOARD(&b, u, 9500, 10000);
	/* A block straddling snd_una is trimmed to start there. */
	assert_int_equal(upd1(&b, u, m, u - 300, u + 200), 200);
	CHECK_BOARD(&b, u, 0, 200, 9500, 10000);
	assert_false(sack_is_sacked(&b, u - 1));
	assert_true(sack_is_sacked(&b, u));
	assert_true(sack_is_sacked(&b, u + 199));
	assert_false(sack_is_sacked(&b, u + 200));
	assert_false(sack_is_sacked(&b, u + 9499));
	assert_true(sack_is_sacked(&b, m - 1));
	assert_false(sack_is_sacked(&b, m));
}

static void
test_update_trim_at_snd_una(void **state)
{
	tern_seq_t u = 7000, m = u + 10000;
	const tern_seq_t base = u;
	struct sack_board b;
	const struct wire_sack_block blk[] = {
	        BLK(u + 1000, u + 2000), BLK(u + 3000, u + 4000), BLK(u + 5000, u + 6000)};

	(void)state;
	sack_reset(&b);
	assert_int_equal(sack_update(&b, u, m, blk, 3), 3000);
	/* snd_una at the left edge of the first range: nothing changes. */
	assert_int_equal(sack_update(&b, base + 1000, m, NULL, 0), 0);
	CHECK_BOARD(&b, base, 1000, 2000, 3000, 4000, 5000, 6000);
	/* snd_una exactly at the right edge of the first range: it goes. */
	assert_int_equal(sack_update(&b, base + 2000, m, NULL, 0), 0);
	CHECK_BOARD(&b, base, 3000, 4000, 5000, 6000);
	/* snd_una in the middle of a range (an ACK for part of a SACKed range): trimmed. The
	 * same blocks again are then not new. */
	u = base + 3400;
	assert_int_equal(sack_update(&b, u, m, blk, 3), 0);
	CHECK_BOARD(&b, base, 3400, 4000, 5000, 6000);
	assert_int_equal(b.sacked, 1600);
	/* Past everything. */
	assert_int_equal(sack_update(&b, base + 6000, m, NULL, 0), 0);
	check_empty(&b);
	assert_int_equal(sack_high(&b, base + 6000), base + 6000);
}

static void
test_update_cap(void **state)
{
	const tern_seq_t u = 0x10000, m = u + 100000;
	struct sack_board b;
	uint32_t want[2 * SACK_MAX_RANGES];

	(void)state;
	sack_reset(&b);
	/* Ranges [1000k + 1000, 1000k + 1500) for k = 1..16 fill the board. */
	for (unsigned k = 1; k <= SACK_MAX_RANGES; k++)
		assert_int_equal(upd1(&b, u, m, u + 1000 * k + 1000, u + 1000 * k + 1500), 500);
	assert_int_equal(b.n, SACK_MAX_RANGES);
	assert_int_equal(b.sacked, SACK_MAX_RANGES * 500);
	/* A 17th one above all: forgotten, not counted as new. */
	assert_int_equal(upd1(&b, u, m, u + 30000, u + 31000), 0);
	assert_int_equal(b.n, SACK_MAX_RANGES);
	assert_false(sack_is_sacked(&b, u + 30000));
	assert_int_equal(sack_high(&b, u), u + 17500);
	/* A 17th one below all: kept, and the highest range is forgotten. */
	assert_int_equal(upd1(&b, u, m, u + 100, u + 300), 200);
	for (unsigned k = 0; k < SACK_MAX_RANGES; k++) {
		want[2 * k] = k == 0 ? 100 : 1000 * k + 1000;
		want[2 * k + 1] = k == 0 ? 300 : 1000 * k + 1500;
	}
	check_board(&b, u, want, SACK_MAX_RANGES);
	assert_int_equal(b.sacked, 200 + 15 * 500);
	assert_false(sack_is_sacked(&b, u + 17000));
	/* Merging when full needs no room: a block joining two ranges frees one. */
	assert_int_equal(upd1(&b, u, m, u + 2500, u + 3000), 500);
	assert_int_equal(b.n, SACK_MAX_RANGES - 1);
	assert_int_equal(b.r[1].left, u + 2000);
	assert_int_equal(b.r[1].right, u + 3500);
	/* Room again: the forgotten range comes back when reported again. */
	assert_int_equal(upd1(&b, u, m, u + 17000, u + 17500), 500);
	assert_int_equal(b.n, SACK_MAX_RANGES);
	assert_int_equal(b.sacked, 200 + 16 * 500 + 500 - 500 + 500 - 500 + 500);
}

static void
test_update_wraparound(void **state)
{
	const tern_seq_t u = WRAP, m = u + 10000; /* m = 0x1710 */
	struct sack_board b;
	tern_seq_t seq;
	uint32_t len;

	(void)state;
	sack_reset(&b);
	b.high_rxt = u; /* a reset board's 0 is inside this flight */
	/* Ranges below 2^32, across it, and above it (0xfffff000 + 4096 == 0). */
	assert_int_equal(upd1(&b, u, m, u + 6000, u + 7000), 1000); /* above 0 */
	assert_int_equal(upd1(&b, u, m, u + 1000, u + 2000), 1000); /* below 2^32 */
	assert_int_equal(upd1(&b, u, m, u + 3500, u + 4500), 1000); /* across */
	CHECK_BOARD(&b, u, 1000, 2000, 3500, 4500, 6000, 7000);
	assert_int_equal(b.r[1].left, 0xfffffdacu);
	assert_int_equal(b.r[1].right, 0x194u);
	assert_true(sack_is_sacked(&b, 0xffffffffu));
	assert_true(sack_is_sacked(&b, 0));
	assert_false(sack_is_sacked(&b, u + 4500));
	/* Bridge across 2^32. */
	assert_int_equal(upd1(&b, u, m, u + 1500, u + 4000), 1500);
	CHECK_BOARD(&b, u, 1000, 4500, 6000, 7000);
	assert_int_equal(sack_high(&b, u), u + 7000);
	/* Three ranges over 2^32 make u lost; pipe and NextSeg work across it. */
	assert_int_equal(upd1(&b, u, m, u + 8000, u + 8100), 100);
	assert_true(sack_is_lost(&b, u, MSS));
	assert_false(sack_is_lost(&b, u + 4500, MSS));
	/* Holes: [0,1000) lost; [4500,6000) 2 ranges 1100 bytes above: not lost;
	 * [7000,8000) and [8100,10000) not lost. */
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1500 + 1000 + 1900);
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, u);
	assert_int_equal(len, 1000);
	/* snd_una moves across 2^32. */
	assert_int_equal(sack_update(&b, u + 5000, m, NULL, 0), 0);
	CHECK_BOARD(&b, u, 6000, 7000, 8000, 8100);
	assert_int_equal(b.r[0].left, 0x770u);
}

static void
test_high_rxt_clamp(void **state)
{
	const tern_seq_t u = 0x90000000u, m = u + 10000;
	struct sack_board b;
	tern_seq_t seq;
	uint32_t len;

	(void)state;
	sack_reset(&b); /* high_rxt 0: 2^31 + something away from u, "above" it modulo 2^32 */
	assert_int_equal(b.high_rxt, 0);
	assert_int_equal(upd1(&b, u, m, u + 1000, u + 4000), 3000);
	assert_int_equal(upd1(&b, u, m, u + 5000, u + 6000), 1000);
	/* Not a retransmission: pipe counts [u, u+1000) 0 (lost), [4000,5000) 1000,
	 * [6000,10000) 4000, and nothing twice. */
	b.high_rxt = 0;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 5000);
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, u);
	/* Below snd_una: the same. */
	b.high_rxt = u - 500;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 5000);
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, u);
	/* Above snd_max: the same. */
	b.high_rxt = m + 1;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 5000);
	/* sack_update stores the clamped value. */
	b.high_rxt = u - 500;
	sack_update(&b, u, m, NULL, 0);
	assert_int_equal(b.high_rxt, u);
	b.high_rxt = u + 700;
	sack_update(&b, u, m, NULL, 0);
	assert_int_equal(b.high_rxt, u + 700);
	sack_update(&b, u + 900, m, NULL, 0);
	assert_int_equal(b.high_rxt, u + 900);
}

static void
test_is_lost_ranges(void **state)
{
	const tern_seq_t u = 1000, m = u + 100000;
	struct sack_board b;

	(void)state;
	sack_reset(&b);
	assert_false(sack_is_lost(&b, u, MSS));
	/* Small ranges (100 bytes): only the count of ranges matters. */
	upd1(&b, u, m, u + 2000, u + 2100);
	upd1(&b, u, m, u + 4000, u + 4100);
	assert_false(sack_is_lost(&b, u, MSS)); /* 2 ranges */
	upd1(&b, u, m, u + 6000, u + 6100);
	assert_true(sack_is_lost(&b, u, MSS)); /* 3 ranges */
	assert_true(sack_is_lost(&b, u + 1999, MSS));
	/* Bytes above seq: inside the first range, its upper part still counts as a range. */
	assert_true(sack_is_lost(&b, u + 2000, MSS));
	assert_true(sack_is_lost(&b, u + 2098, MSS));
	/* Its last byte: nothing of it is above. */
	assert_false(sack_is_lost(&b, u + 2099, MSS));
	assert_false(sack_is_lost(&b, u + 2100, MSS));
	assert_false(sack_is_lost(&b, u + 6099, MSS));
	assert_false(sack_is_lost(&b, m, MSS));
}

static void
test_is_lost_bytes(void **state)
{
	const tern_seq_t u = WRAP, m = u + 100000;
	struct sack_board b;

	(void)state;
	sack_reset(&b);
	/* One range of exactly 2 * MSS: not more than (DupThresh - 1) * SMSS. */
	upd1(&b, u, m, u + 3000, u + 5000);
	assert_false(sack_is_lost(&b, u, MSS));
	assert_false(sack_is_lost(&b, u + 2999, MSS));
	/* One more byte: lost. */
	upd1(&b, u, m, u + 5000, u + 5001);
	assert_int_equal(b.n, 1);
	assert_true(sack_is_lost(&b, u, MSS));
	assert_true(sack_is_lost(&b, u + 2999, MSS));
	/* Inside the range: bytes strictly above seq. 2001 above u+2999, 2000 above u+3000. */
	assert_false(sack_is_lost(&b, u + 3000, MSS));
	/* The threshold scales with mss. */
	assert_false(sack_is_lost(&b, u, 1001));
	assert_true(sack_is_lost(&b, u, 1000));
	/* Two ranges that sum to 2 * MSS + 1. */
	sack_reset(&b);
	upd1(&b, u, m, u + 3000, u + 4000);
	upd1(&b, u, m, u + 6000, u + 7000);
	assert_false(sack_is_lost(&b, u, MSS));
	upd1(&b, u, m, u + 7000, u + 7001);
	assert_true(sack_is_lost(&b, u, MSS));
	assert_false(sack_is_lost(&b, u + 4000, MSS));
}

static void
test_pipe_examples(void **state)
{
	const tern_seq_t u = 100000, m = u + 10000;
	struct sack_board b;

	(void)state;
	sack_reset(&b);
	/* Nothing SACKed: the whole flight. */
	assert_int_equal(sack_pipe(&b, u, m, MSS), 10000);
	assert_int_equal(sack_pipe(&b, u, u, MSS), 0);
	/* [u+1000, u+3000) SACKed (2 * MSS, one range): nothing lost. */
	upd1(&b, u, m, u + 1000, u + 3000);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 8000);
	/* Add [u+5000, u+5500): hole [u, u+1000) has 2500 bytes above: lost.
	 * Hole [u+3000, u+5000) has 500 above: not lost. Top [u+5500, m) not lost. */
	upd1(&b, u, m, u + 5000, u + 5500);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 0 + 2000 + 4500);
	/* Retransmit [u, u+1000): HighRxt = u+1000, those bytes count once. */
	b.high_rxt = u + 1000;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 2000 + 4500);
	/* HighRxt in the middle of a hole: [u+3000, u+3400) was retransmitted too (rule 3),
	 * not lost, so it counts twice. SACKed bytes below HighRxt count nothing. */
	b.high_rxt = u + 3400;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + (2000 + 400) + 4500);
	/* A third range: [u+3000, u+5000) has 2 ranges (600 bytes) above: still not lost. */
	upd1(&b, u, m, u + 7000, u + 7100);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + (2000 + 400) + 1500 + 2900);
	/* A fourth makes it lost: [u+3000, u+3400) counts once (retransmitted), the rest of
	 * the hole nothing. [u+5500, u+7000) has 2 ranges above, not lost. */
	upd1(&b, u, m, u + 8000, u + 8100);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 400 + 1500 + 900 + 1900);
	/* The whole flight SACKed but the first byte. */
	sack_reset(&b);
	upd1(&b, u, m, u + 1, m);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 0);
	b.high_rxt = u + 1;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1);
	/* A small mss makes more lost: [u+1000, u+3000) + [u+5000, u+5500) with mss 100. */
	sack_reset(&b);
	upd1(&b, u, m, u + 1000, u + 3000);
	upd1(&b, u, m, u + 5000, u + 5500);
	assert_int_equal(sack_pipe(&b, u, m, 100), 0 + 0 + 4500);
	assert_int_equal(sack_pipe(&b, u, m, 250), 0 + 2000 + 4500); /* 500 > 500? no */
	assert_int_equal(sack_pipe(&b, u, m, 249), 0 + 0 + 4500);
}

static void
test_next_seg_rules(void **state)
{
	const tern_seq_t u = 20000, m = u + 20000;
	struct sack_board b;
	tern_seq_t seq = 0;
	uint32_t len = 0;

	(void)state;
	sack_reset(&b);
	/* Nothing SACKed: nothing to retransmit, even with rule 3. */
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	/* One range [u+2500, u+3000): hole [u, u+2500) not lost. */
	upd1(&b, u, m, u + 2500, u + 3000);
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_true(sack_next_seg(&b, u, m, MSS, true, &seq, &len)); /* rule 3 */
	assert_int_equal(seq, u);
	assert_int_equal(len, MSS);
	/* Rule 3 after HighRxt, ending at the SACKed range. */
	b.high_rxt = u + 2000;
	assert_true(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	assert_int_equal(seq, u + 2000);
	assert_int_equal(len, 500);
	/* HighRxt at the range: no hole above it under the highest SACK. */
	b.high_rxt = u + 2500;
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	/* Two more ranges: [u+4000, u+4100), [u+9000, u+9100). Hole [u, u+2500) has 3 ranges
	 * above (700 bytes): lost. Hole [u+3000, u+4000): 2 ranges, 200 bytes: not lost. */
	upd1(&b, u, m, u + 4000, u + 4100);
	upd1(&b, u, m, u + 9000, u + 9100);
	b.high_rxt = u;
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len)); /* rule 1 */
	assert_int_equal(seq, u);
	assert_int_equal(len, MSS);
	b.high_rxt = u + 1000;
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, u + 1000);
	assert_int_equal(len, MSS);
	b.high_rxt = u + 2000;
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, u + 2000);
	assert_int_equal(len, 500);
	/* Hole [u+3000, u+4000) is not lost: rule 1 fails, rule 3 takes it. */
	b.high_rxt = u + 2500;
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_true(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	assert_int_equal(seq, u + 3000);
	assert_int_equal(len, 1000);
	/* Rule 3 through the next holes, then nothing above the highest SACK. */
	b.high_rxt = u + 4000;
	assert_true(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	assert_int_equal(seq, u + 4100);
	assert_int_equal(len, 1000);
	b.high_rxt = u + 8500;
	assert_true(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	assert_int_equal(seq, u + 8500);
	assert_int_equal(len, 500);
	b.high_rxt = u + 9000;
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	b.high_rxt = u + 9100;
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	/* A small mss cuts the segment. */
	b.high_rxt = u;
	assert_true(sack_next_seg(&b, u, m, 536, false, &seq, &len));
	assert_int_equal(seq, u);
	assert_int_equal(len, 536);
	/* snd_una inside a hole (the board is trimmed by the next update; the result does
	 * not depend on it). */
	assert_true(sack_next_seg(&b, u + 1234, m, MSS, false, &seq, &len));
	assert_int_equal(seq, u + 1234);
	assert_int_equal(len, MSS);
	assert_false(sack_next_seg(&b, u, m, 0, true, &seq, &len));
}

static void
test_rescue_seg(void **state)
{
	const tern_seq_t u = WRAP, m = u + 10000;
	struct sack_board b;
	tern_seq_t seq;
	uint32_t len;

	(void)state;
	sack_reset(&b);
	assert_false(sack_rescue_seg(&b, u, u, MSS, &seq, &len));
	/* Nothing SACKed: the last MSS of the flight. */
	assert_true(sack_rescue_seg(&b, u, m, MSS, &seq, &len));
	assert_int_equal(seq, m - MSS);
	assert_int_equal(len, MSS);
	/* SACKed up to snd_max: the top of the hole below. */
	upd1(&b, u, m, u + 9600, m);
	assert_true(sack_rescue_seg(&b, u, m, MSS, &seq, &len));
	assert_int_equal(seq, u + 8600);
	assert_int_equal(len, MSS);
	upd1(&b, u, m, u + 1000, u + 9000);
	assert_true(sack_rescue_seg(&b, u, m, MSS, &seq, &len));
	assert_int_equal(seq, u + 9000);
	assert_int_equal(len, 600);
	/* Only the first 300 bytes missing. */
	upd1(&b, u, m, u + 300, u + 9600);
	assert_true(sack_rescue_seg(&b, u, m, MSS, &seq, &len));
	assert_int_equal(seq, u);
	assert_int_equal(len, 300);
	upd1(&b, u, m, u, u + 300);
	assert_false(sack_rescue_seg(&b, u, m, MSS, &seq, &len));
}

/*
 * Ten segments of 1000 bytes, S1..S10 = [u + 1000(k-1), u + 1000k), sent once; S2 and S5
 * are lost. The flight sits across 2^32. No new data: snd_max stays at S10's end.
 */
static void
test_recovery_scenario(void **state)
{
	const tern_seq_t base = 0xffffe000u, m = base + 10000;
	tern_seq_t u = base;
	struct sack_board b;
	tern_seq_t seq;
	uint32_t len;
	struct wire_sack_block blk[2];

#define S(k) ((tern_seq_t)(base + 1000 * ((k)-1)))
	(void)state;
	sack_reset(&b);
	/* Nothing retransmitted. (A reset board has HighRxt 0, which is inside this flight:
	 * the connection sets it to snd_una when it starts using the board.) */
	b.high_rxt = u;
	assert_int_equal(sack_pipe(&b, u, m, MSS), 10000);

	/* S1 arrives: ACK S2, no blocks. */
	u = S(2);
	assert_int_equal(sack_update(&b, u, m, NULL, 0), 0);
	check_empty(&b);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 9000);

	/* S3: dup ACK, SACK S3. One range, 1000 bytes: S2 not lost. */
	blk[0] = BLK(S(3), S(4));
	assert_int_equal(sack_update(&b, u, m, blk, 1), 1000);
	assert_false(sack_is_lost(&b, u, MSS));
	assert_int_equal(sack_pipe(&b, u, m, MSS), 8000);
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));

	/* S4: SACK S3-S4. 2000 bytes = 2 * MSS, not more: still not lost. */
	blk[0] = BLK(S(3), S(5));
	assert_int_equal(sack_update(&b, u, m, blk, 1), 1000);
	assert_false(sack_is_lost(&b, u, MSS));
	assert_int_equal(sack_pipe(&b, u, m, MSS), 7000);
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));

	/* S6: SACK S6, S3-S4. 3000 bytes above S2 (the third dup ACK too): S2 is lost, so
	 * recovery starts. S5 has 1000 bytes above: not lost. Pipe = S5 + S7..S10. */
	blk[0] = BLK(S(6), S(7));
	blk[1] = BLK(S(3), S(5));
	assert_int_equal(sack_update(&b, u, m, blk, 2), 1000);
	assert_true(sack_is_lost(&b, u, MSS));
	assert_false(sack_is_lost(&b, S(5), MSS));
	assert_int_equal(sack_pipe(&b, u, m, MSS), 5000);
	/* Recovery: HighRxt = HighACK; NextSeg gives S2 (rule 1). */
	b.high_rxt = u;
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, S(2));
	assert_int_equal(len, MSS);
	b.high_rxt = seq + len; /* retransmit S2 */
	assert_int_equal(sack_pipe(&b, u, m, MSS), 6000);
	/* Next: S5 is not lost yet. Rule 3 would pick it. */
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_true(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	assert_int_equal(seq, S(5));

	/* S7: SACK S6-S7, S3-S4. S5: 2000 bytes above, not lost. Pipe = S2 rxt + S5 + S8..S10. */
	blk[0] = BLK(S(6), S(8));
	assert_int_equal(sack_update(&b, u, m, blk, 2), 1000);
	assert_false(sack_is_lost(&b, S(5), MSS));
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 1000 + 3000);
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));

	/* S8: SACK S6-S8: S5 lost. Pipe = S2 rxt + S9..S10. NextSeg gives S5 (rule 1). */
	blk[0] = BLK(S(6), S(9));
	assert_int_equal(sack_update(&b, u, m, blk, 2), 1000);
	assert_true(sack_is_lost(&b, S(5), MSS));
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 2000);
	assert_true(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_int_equal(seq, S(5));
	assert_int_equal(len, MSS);
	b.high_rxt = seq + len; /* retransmit S5 */
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 1000 + 2000);
	/* Nothing else below the highest SACK: rules 1 and 3 both fail. */
	assert_false(sack_next_seg(&b, u, m, MSS, false, &seq, &len));
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));
	/* Rule 4 would take S10. */
	assert_true(sack_rescue_seg(&b, u, m, MSS, &seq, &len));
	assert_int_equal(seq, S(10));
	assert_int_equal(len, MSS);

	/* S9, S10. */
	blk[0] = BLK(S(6), S(10));
	assert_int_equal(sack_update(&b, u, m, blk, 2), 1000);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 1000 + 1000);
	blk[0] = BLK(S(6), m);
	assert_int_equal(sack_update(&b, u, m, blk, 2), 1000);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000 + 1000);
	assert_int_equal(b.sacked, 7000);
	assert_int_equal(sack_high(&b, u), m);
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));

	/* The retransmitted S2 arrives: ACK S5, SACK S6-S10. S5 is lost and retransmitted. */
	u = S(5);
	blk[0] = BLK(S(6), m);
	assert_int_equal(sack_update(&b, u, m, blk, 1), 0);
	CHECK_BOARD(&b, base, 5000, 10000);
	assert_int_equal(b.high_rxt, S(6));
	assert_int_equal(sack_pipe(&b, u, m, MSS), 1000);
	assert_false(sack_next_seg(&b, u, m, MSS, true, &seq, &len));

	/* The retransmitted S5 arrives: ACK everything. */
	u = m;
	assert_int_equal(sack_update(&b, u, m, NULL, 0), 0);
	check_empty(&b);
	assert_int_equal(b.high_rxt, m);
	assert_int_equal(sack_pipe(&b, u, m, MSS), 0);
#undef S
}

/* ---- Randomized comparison with a byte-per-byte model ------------------------------- */

#define W 4000 /* model window: offsets from base */

struct model {
	tern_seq_t base;
	uint32_t una, max; /* offsets */
	uint8_t sacked[W + 2];
};

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned
model_runs(const struct model *md, uint32_t *top_left)
{
	unsigned runs = 0;

	for (uint32_t i = md->una; i < md->max; i++) {
		if (md->sacked[i] && (i == md->una || !md->sacked[i - 1])) {
			runs++;
			*top_left = i;
		}
	}
	return runs;
}

/* One block, as RFC 2018 plus the board's rules would have it. */
static void
model_block(struct model *md, int64_t l, int64_t r)
{
	uint32_t top = 0;

	if (l >= r || r > md->max || r <= md->una)
		return;
	if (l < md->una)
		l = md->una;
	for (int64_t i = l; i < r; i++)
		md->sacked[i] = 1;
	if (model_runs(md, &top) > SACK_MAX_RANGES) {
		for (uint32_t i = top; i < md->max && md->sacked[i]; i++)
			md->sacked[i] = 0;
	}
}

/* IsLost for every offset: lost[i] for i in [una - 1, max]. */
static void
model_lost(const struct model *md, uint32_t mss, bool *lost)
{
	uint64_t above = 0;
	unsigned runs = 0;

	for (int64_t i = md->max; i >= (int64_t)md->una - 1 && i >= 0; i--) {
		/* Bytes > i: add byte i + 1, and a run whose last byte is i + 1. */
		if (i + 1 < md->max && md->sacked[i + 1]) {
			above++;
			if (i + 2 >= md->max || !md->sacked[i + 2])
				runs++;
		}
		lost[i] = runs >= SACK_DUPTHRESH || above > (uint64_t)(SACK_DUPTHRESH - 1) * mss;
	}
}

static void
check_model(const struct sack_board *b, const struct model *md, uint32_t mss)
{
	static bool lost[W + 2];
	tern_seq_t una = md->base + md->una, max = md->base + md->max;
	tern_seq_t hrx = b->high_rxt;
	uint32_t hr_off, sum = 0, top = 0, want_len;
	uint64_t pipe = 0;
	int64_t s2 = -1, highest = -1;
	tern_seq_t seq;
	uint32_t len;

	/* The board is the model's runs. */
	assert_int_equal(b->n, model_runs(md, &top));
	for (uint32_t i = md->una, k = 0; i < md->max; i++) {
		if (md->sacked[i])
			sum++;
		if (md->sacked[i] && (i == md->una || !md->sacked[i - 1])) {
			assert_int_equal(b->r[k].left, md->base + i);
			k++;
		}
		if (md->sacked[i] && (i + 1 == md->max || !md->sacked[i + 1]))
			assert_int_equal(b->r[k - 1].right, md->base + i + 1);
		assert_int_equal(sack_is_sacked(b, md->base + i), md->sacked[i]);
	}
	assert_int_equal(b->sacked, sum);

	/* IsLost() at every offset (and one below snd_una). */
	model_lost(md, mss, lost);
	for (int64_t i = md->una > 0 ? md->una - 1 : 0; i <= md->max; i++)
		assert_int_equal(sack_is_lost(b, md->base + (uint32_t)i, mss), lost[i]);

	/* SetPipe() per octet; HighRxt outside [una, max] counts as una. */
	hr_off = hrx - md->base;
	if (hr_off < md->una || hr_off > md->max)
		hr_off = md->una;
	for (uint32_t i = md->una; i < md->max; i++) {
		if (md->sacked[i])
			continue;
		if (!lost[i])
			pipe++;
		if (i < hr_off)
			pipe++;
	}
	assert_int_equal(sack_pipe(b, una, max, mss), pipe);

	/* NextSeg(): the lowest unSACKed s >= HighRxt below the highest SACKed byte. */
	for (uint32_t i = md->una; i < md->max; i++) {
		if (md->sacked[i])
			highest = i;
	}
	for (int64_t i = hr_off; i < highest; i++) {
		if (!md->sacked[i]) {
			s2 = i;
			break;
		}
	}
	want_len = 0;
	for (int64_t i = s2; s2 >= 0 && i < md->max && !md->sacked[i] && want_len < mss; i++)
		want_len++;
	for (int rule3 = 0; rule3 < 2; rule3++) {
		bool want = s2 >= 0 && (rule3 || lost[s2]);

		seq = 0;
		len = 0;
		assert_int_equal(sack_next_seg(b, una, max, mss, rule3, &seq, &len), want);
		if (want) {
			assert_int_equal(seq, md->base + (uint32_t)s2);
			assert_int_equal(len, want_len);
		}
	}

	/* Rescue: the highest unSACKed byte, and up to mss below it within its hole. */
	{
		int64_t hi = -1;
		uint32_t n = 0;

		for (int64_t i = (int64_t)md->max - 1; i >= md->una; i--) {
			if (!md->sacked[i]) {
				hi = i;
				break;
			}
		}
		for (int64_t i = hi; hi >= 0 && i >= md->una && !md->sacked[i] && n < mss; i--)
			n++;
		assert_int_equal(sack_rescue_seg(b, una, max, mss, &seq, &len), hi >= 0);
		if (hi >= 0) {
			assert_int_equal(seq, md->base + (uint32_t)(hi + 1 - n));
			assert_int_equal(len, n);
		}
	}
}

static uint64_t stat_n, stat_flight, stat_full, stat_steps;

static void
run_random(uint64_t seed, tern_seq_t base0, unsigned steps)
{
	static struct model md;
	static uint8_t old[W + 2];
	struct sack_board b;
	uint32_t mss = 0, long_len = 0;

	for (unsigned step = 0; step < steps; step++) {
		struct wire_sack_block blk[WIRE_TCP_MAX_SACK];
		unsigned nblk;
		uint32_t fresh;

		/* A new connection now and then, or when the window is used up. */
		if (step % 500 == 0 || (md.max == W && md.max - md.una < 100)) {
			memset(&md, 0, sizeof(md));
			md.base = base0 + (uint32_t)rnd(&seed) % 100000;
			md.max = 500 + rnd(&seed) % 1500;
			sack_reset(&b);
			mss = 20 + rnd(&seed) % 300;
			long_len = rnd(&seed) % 2 ? 300 : 30; /* many small ranges, or fewer */
		}
		/* Sometimes new data, sometimes a cumulative ACK. */
		if (rnd(&seed) % 3 == 0)
			md.max += rnd(&seed) % (W - md.max + 1) % 300;
		if (rnd(&seed) % 6 == 0)
			md.una += rnd(&seed) % (md.max - md.una + 1) % 200;
		/* Sometimes HighRxt moves, sometimes it is stale. */
		switch (rnd(&seed) % 8) {
		case 0:
			b.high_rxt = md.base + md.una + rnd(&seed) % (md.max - md.una + 1);
			break;
		case 1:
			b.high_rxt = (tern_seq_t)rnd(&seed);
			break;
		default:
			break;
		}
		memcpy(old, md.sacked, sizeof(old));
		nblk = rnd(&seed) % (WIRE_TCP_MAX_SACK + 1);
		for (unsigned k = 0; k < nblk; k++) {
			int64_t l = (int64_t)md.una - 100 +
			            (int64_t)(rnd(&seed) % (md.max - md.una + 200));
			uint64_t kind = rnd(&seed) % 8;
			int64_t len;

			if (kind == 0)
				len = -(int64_t)(rnd(&seed) % 50); /* empty or reversed */
			else if (kind < 5)
				len = 1 + rnd(&seed) % 30;
			else
				len = 1 + rnd(&seed) % long_len;
			blk[k] = BLK(md.base + (uint32_t)l, md.base + (uint32_t)(l + len));
			model_block(&md, l, l + len);
		}
		/* Newly SACKed: on the board now, not before. */
		fresh = 0;
		for (uint32_t i = md.una; i < md.max; i++)
			fresh += md.sacked[i] && !old[i];
		assert_int_equal(
		        sack_update(&b, md.base + md.una, md.base + md.max, blk, nblk), fresh);
		/* HighRxt stored inside [snd_una, snd_max]. */
		assert_true(b.high_rxt - (md.base + md.una) <= md.max - md.una);
		check_model(&b, &md, mss);
		stat_n += b.n;
		stat_flight += md.max - md.una;
		stat_full += b.n == SACK_MAX_RANGES;
		stat_steps++;
	}
}

static void
test_random_model(void **state)
{
	(void)state;
	run_random(1, 1000, 6000);
	run_random(2, WRAP, 6000);
	run_random(3, 0x7fffff00u, 6000);
	/* The walk did exercise the interesting cases. */
	assert_true(stat_n / stat_steps >= 4);
	assert_true(stat_flight / stat_steps >= 1000);
	assert_true(stat_full >= stat_steps / 20);
}

static void
test_reset(void **state)
{
	struct sack_board b;

	(void)state;
	memset(&b, 0xa5, sizeof(b));
	sack_reset(&b);
	check_empty(&b);
	assert_int_equal(b.high_rxt, 0);
	assert_false(sack_is_sacked(&b, 0));
	assert_int_equal(sack_high(&b, 1234), 1234);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reset),
	        cmocka_unit_test(test_update_merge),
	        cmocka_unit_test(test_update_invalid),
	        cmocka_unit_test(test_update_trim_at_snd_una),
	        cmocka_unit_test(test_update_cap),
	        cmocka_unit_test(test_update_wraparound),
	        cmocka_unit_test(test_high_rxt_clamp),
	        cmocka_unit_test(test_is_lost_ranges),
	        cmocka_unit_test(test_is_lost_bytes),
	        cmocka_unit_test(test_pipe_examples),
	        cmocka_unit_test(test_next_seg_rules),
	        cmocka_unit_test(test_rescue_seg),
	        cmocka_unit_test(test_recovery_scenario),
	        cmocka_unit_test(test_random_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
