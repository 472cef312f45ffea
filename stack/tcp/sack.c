/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender-side SACK scoreboard (RFC 2018) and the RFC 6675 §4 primitives.
 *
 * The board is a short sorted array of disjoint, non-adjacent ranges [left, right) above
 * snd_una. Every routine works per range, never per byte or per segment:
 *
 * - IsLost(s) only depends on the SACKed bytes above s. For a byte s that is not SACKed,
 *   the ranges above it are exactly the ranges above the hole holding s, so IsLost() is
 *   the same for every byte of a hole, and it can only turn from true to false going up
 *   (the ranges above s shrink as s grows). SetPipe() and NextSeg() therefore decide
 *   lost / not lost once per hole, scanning the ranges from the top down with running
 *   sums: O(ranges), whatever the size of the flight.
 *
 * - "DupThresh discontiguous SACKed sequences above SeqNum" is read as DupThresh distinct
 *   ranges of the board holding bytes above SeqNum: each range stands for at least one
 *   segment that arrived out of order past the hole, the SACK analogue of a duplicate ACK.
 *   Contiguous out-of-order segments merge into one range; the byte rule (more than
 *   (DupThresh - 1) * SMSS bytes above SeqNum) catches those.
 *
 * - HighRxt is kept exclusive (one past the last retransmitted byte), so the RFC's
 *   "S > HighRxt" is s >= high_rxt here and "S <= HighRxt" is s < high_rxt. A value
 *   outside [snd_una, snd_max] (nothing retransmitted yet, a stale board after the ACK
 *   moved on, or a zeroed board) counts as snd_una.
 *
 * Ranges are clipped to [snd_una, snd_max) wherever the caller passes those, so a board
 * that was not updated since snd_una moved still gives sound answers.
 */
#include <string.h>

#include "tcp/sack.h"

static inline uint32_t
range_len(const struct sack_range *r)
{
	return r->right - r->left;
}

/* HighRxt clamped into [snd_una, snd_max]. */
static tern_seq_t
eff_high_rxt(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max)
{
	if (seq_geq(b->high_rxt, snd_una) && seq_leq(b->high_rxt, snd_max))
		return b->high_rxt;
	return snd_una;
}

/* Range @p i clipped to [lo, hi); false when nothing of it is left. */
static bool
clip(const struct sack_board *b, unsigned i, tern_seq_t lo, tern_seq_t hi, struct sack_range *out)
{
	tern_seq_t l = seq_max(b->r[i].left, lo);
	tern_seq_t r = seq_min(b->r[i].right, hi);

	if (!seq_lt(l, r))
		return false;
	out->left = l;
	out->right = r;
	return true;
}

/* IsLost() for a byte that has @p nabove ranges holding @p above bytes above it. */
static inline bool
lost(unsigned nabove, uint64_t above, uint32_t mss)
{
	return nabove >= SACK_DUPTHRESH || above > (uint64_t)(SACK_DUPTHRESH - 1) * mss;
}

/* Bytes covered by both sorted, disjoint range lists. */
static uint32_t
overlap(const struct sack_range *a, unsigned na, const struct sack_range *b, unsigned nb)
{
	unsigned i = 0, j = 0;
	uint32_t sum = 0;

	while (i < na && j < nb) {
		tern_seq_t l = seq_max(a[i].left, b[j].left);
		tern_seq_t r = seq_min(a[i].right, b[j].right);

		if (seq_lt(l, r))
			sum += r - l;
		if (seq_leq(a[i].right, b[j].right))
			i++;
		else
			j++;
	}
	return sum;
}

/* Merge [l, r) into the board; when a new range does not fit, forget the highest one. */
static void
insert(struct sack_board *b, tern_seq_t l, tern_seq_t r)
{
	unsigned i = 0, j;

	/* Ranges before i end strictly below l (not even adjacent). */
	while (i < b->n && seq_lt(b->r[i].right, l))
		i++;
	/* Ranges i..j-1 overlap or touch [l, r). */
	j = i;
	while (j < b->n && seq_leq(b->r[j].left, r))
		j++;

	if (j > i) {
		b->r[i].left = seq_min(l, b->r[i].left);
		b->r[i].right = seq_max(r, b->r[j - 1].right);
		memmove(&b->r[i + 1], &b->r[j], (b->n - j) * sizeof(b->r[0]));
		b->n -= j - i - 1;
		return;
	}
	if (b->n == SACK_MAX_RANGES) {
		if (i == SACK_MAX_RANGES)
			return; /* the new range is the highest: forget it */
		b->n--;         /* forget the highest range */
	}
	memmove(&b->r[i + 1], &b->r[i], (b->n - i) * sizeof(b->r[0]));
	b->r[i].left = l;
	b->r[i].right = r;
	b->n++;
}

uint32_t
sack_update(struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max,
        const struct wire_sack_block *blk, unsigned n)
{
	struct sack_range before[SACK_MAX_RANGES];
	unsigned nbefore = 0;
	uint32_t sum = 0;

	b->high_rxt = eff_high_rxt(b, snd_una, snd_max);

	/* Drop what snd_una passed, trim a range straddling it. */
	for (unsigned i = 0; i < b->n; i++) {
		struct sack_range c;

		if (clip(b, i, snd_una, snd_max, &c))
			before[nbefore++] = c;
	}
	memcpy(b->r, before, nbefore * sizeof(before[0]));
	b->n = (uint8_t)nbefore;

	for (unsigned k = 0; k < n; k++) {
		tern_seq_t l = blk[k].left, r = blk[k].right;

		/* Empty or reversed, beyond what was sent, or all at or below snd_una (a D-SACK
		 * or a stale block). */
		if (!seq_lt(l, r) || seq_gt(r, snd_max) || seq_leq(r, snd_una))
			continue;
		insert(b, seq_max(l, snd_una), r);
	}

	for (unsigned i = 0; i < b->n; i++)
		sum += range_len(&b->r[i]);
	b->sacked = sum;
	return sum - overlap(b->r, b->n, before, nbefore);
}

void
sack_reset(struct sack_board *b)
{
	memset(b, 0, sizeof(*b));
}

bool
sack_is_sacked(const struct sack_board *b, tern_seq_t seq)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (seq_lt(seq, b->r[i].left))
			return false;
		if (seq_lt(seq, b->r[i].right))
			return true;
	}
	return false;
}

bool
sack_is_lost(const struct sack_board *b, tern_seq_t seq, uint32_t mss)
{
	unsigned nabove = 0;
	uint64_t above = 0;

	/* Bytes strictly above seq: [seq + 1, right) of each range. */
	for (unsigned i = b->n; i-- > 0;) {
		const struct sack_range *r = &b->r[i];

		if (seq_leq(r->right, seq + 1))
			break;
		nabove++;
		above += seq_gt(r->left, seq) ? range_len(r) : r->right - (seq + 1);
		if (lost(nabove, above, mss))
			return true;
	}
	return false;
}

uint32_t
sack_pipe(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max, uint32_t mss)
{
	tern_seq_t hrx = eff_high_rxt(b, snd_una, snd_max);
	tern_seq_t hole_end = snd_max; /* top of the hole being looked at */
	unsigned nabove = 0;
	uint64_t above = 0, pipe = 0;

	if (!seq_lt(snd_una, snd_max))
		return 0;
	/* Holes from the top down; the last one looked at starts at snd_una. */
	for (unsigned i = b->n + 1; i-- > 0;) {
		struct sack_range c = {.left = snd_una, .right = snd_una};
		tern_seq_t lo, rx_end;

		if (i > 0 && !clip(b, i - 1, snd_una, snd_max, &c))
			continue;
		/* Hole [c.right, hole_end): not SACKed, nabove ranges above it. */
		lo = c.right;
		if (seq_lt(lo, hole_end)) {
			if (!lost(nabove, above, mss))
				pipe += hole_end - lo; /* (a) not lost: still in flight */
			rx_end = seq_min(hrx, hole_end);
			if (seq_lt(lo, rx_end))
				pipe += rx_end - lo; /* (b) retransmitted */
		}
		if (i == 0)
			break;
		nabove++;
		above += range_len(&c);
		hole_end = c.left;
	}
	return pipe > UINT32_MAX ? UINT32_MAX : (uint32_t)pipe;
}

bool
sack_next_seg(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max, uint32_t mss,
        bool rescue, tern_seq_t *seq, uint32_t *len)
{
	tern_seq_t s = eff_high_rxt(b, snd_una, snd_max); /* (1.a) s > HighRxt */
	unsigned hole = 0, nabove = 0;
	uint64_t above = 0;
	struct sack_range c;

	if (mss == 0)
		return false;
	/* Lowest byte >= s that is not SACKed, and the first range above it. */
	for (; hole < b->n; hole++) {
		if (!clip(b, hole, snd_una, snd_max, &c) || seq_leq(c.right, s))
			continue;
		if (seq_gt(c.left, s))
			break;
		s = c.right; /* s is SACKed: skip the range */
	}
	if (hole == b->n)
		return false; /* (1.b) no SACKed byte above s */

	for (unsigned i = hole; i < b->n; i++) {
		struct sack_range a;

		if (clip(b, i, snd_una, snd_max, &a)) {
			nabove++;
			above += range_len(&a);
		}
	}
	/* (1.c) IsLost(s), or rule 3 when allowed. */
	if (!rescue && !lost(nabove, above, mss))
		return false;

	*seq = s;
	*len = c.left - s; /* stop at the next SACKed range, which is below snd_max */
	if (*len > mss)
		*len = mss;
	return true;
}

bool
sack_rescue_seg(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max, uint32_t mss,
        tern_seq_t *seq, uint32_t *len)
{
	tern_seq_t top = snd_max; /* one past the highest byte not SACKed */
	tern_seq_t lo = snd_una;  /* start of the hole below top */

	if (mss == 0 || !seq_lt(snd_una, snd_max))
		return false;
	for (unsigned i = b->n; i-- > 0;) {
		struct sack_range c;

		if (!clip(b, i, snd_una, snd_max, &c))
			continue;
		if (seq_lt(c.right, top)) {
			lo = c.right; /* top is in the hole just above this range */
			break;
		}
		top = c.left; /* the range reaches top: the hole is below it */
	}
	if (!seq_lt(lo, top))
		return false; /* everything outstanding is SACKed */
	*len = top - lo > mss ? mss : top - lo;
	*seq = top - *len;
	return true;
}

tern_seq_t
sack_high(const struct sack_board *b, tern_seq_t snd_una)
{
	if (b->n == 0)
		return snd_una;
	return seq_max(b->r[b->n - 1].right, snd_una);
}
