/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Sender-side SACK scoreboard and the RFC 6675 loss recovery primitives.
 *
 * The scoreboard keeps the ranges of sequence space above snd_una that the peer reported
 * in SACK blocks (RFC 2018), sorted and merged, capped at SACK_MAX_RANGES (when full, the
 * highest range is forgotten: that only makes recovery retransmit more, never less). It
 * also tracks HighRxt (the highest sequence retransmitted in this recovery). The
 * connection code owns snd_una / snd_max and the recovery point; these functions are pure
 * computations over the board, so they are unit tested on their own.
 */
#ifndef TERN_TCP_SACK_H
#define TERN_TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/seq.h"
#include "wire/tcp.h"

#define SACK_MAX_RANGES 16
#define SACK_DUPTHRESH  3 /**< DupThresh (RFC 6675 §2) */

struct sack_range {
	tern_seq_t left;  /**< first SACKed byte */
	tern_seq_t right; /**< one past the last */
};

struct sack_board {
	uint8_t n;                            /**< ranges in use */
	struct sack_range r[SACK_MAX_RANGES]; /**< sorted, disjoint, not adjacent */
	/** HighRxt, exclusive: retransmissions in this recovery went up to here. The connection
	 * sets it to snd_una when recovery starts and to seq + len after each retransmission
	 * of sack_next_seg(). A value outside [snd_una, snd_max] counts as snd_una and
	 * sack_update() stores it so. */
	tern_seq_t high_rxt;
	uint32_t sacked; /**< bytes covered by the ranges */
};

/**
 * Take the SACK blocks of an ACK (RFC 2018 §5: a receiver may send stale ones). Ranges
 * at or below @p snd_una are dropped first and a range straddling it is trimmed. A block
 * is ignored when left >= right, when it ends beyond @p snd_max, or when it lies entirely
 * at or below @p snd_una (a D-SACK, RFC 2883, or a stale block); a block straddling
 * @p snd_una is trimmed to start there. Also clamps high_rxt into [snd_una, snd_max]
 * (snd_una when outside). @c sacked is exact afterwards.
 * @return bytes newly marked SACKed by this ACK (bytes that end up on the board and were
 *         not on it before; a range forgotten at the cap does not count)
 */
uint32_t sack_update(struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max,
        const struct wire_sack_block *blk, unsigned n);

/**
 * Forget everything (RTO: RFC 6675 §5.1 lets the receiver renege; start over). high_rxt
 * becomes 0, which can lie inside the flight near the 2^32 wrap: the connection sets it
 * to snd_una before the board is used for SetPipe() / NextSeg() again.
 */
void sack_reset(struct sack_board *b);

/** Is byte @p seq SACKed? (For tests and diagnostics: the sender walks the board.) */
bool sack_is_sacked(const struct sack_board *b, tern_seq_t seq);

/**
 * IsLost(SeqNum) (RFC 6675 §4): DupThresh discontiguous SACKed ranges above @p seq, or
 * more than (DupThresh - 1) * @p mss SACKed bytes above it. "Discontiguous SACKed
 * sequences" are read as distinct ranges of the board holding bytes above @p seq (each
 * one stands for at least one segment that arrived out of order); "above" means
 * sequence numbers strictly greater than @p seq.
 */
bool sack_is_lost(const struct sack_board *b, tern_seq_t seq, uint32_t mss);

/**
 * SetPipe() (RFC 6675 §4): bytes estimated in the network between @p snd_una and
 * @p snd_max. Each byte not SACKed counts 1 when not IsLost(), and 1 more when it was
 * retransmitted (below HighRxt). Exact per byte as the RFC defines it, computed in
 * O(ranges): IsLost() is the same for every byte of a hole between two ranges.
 */
uint32_t sack_pipe(
        const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max, uint32_t mss);

/**
 * NextSeg() rules 1 and 3 (RFC 6675 §4): the lowest not-SACKed sequence number S at or
 * above max(HighRxt, snd_una) (rule 1.a; HighRxt here is exclusive) and below the highest
 * SACKed byte (1.b), when IsLost(S) (rule 1), or, when @p rescue, regardless (rule 3).
 * Rule 2 (new data) is the caller's: it tries rule 1 (@p rescue false), then new data,
 * then rule 3 (@p rescue true). Rule 4 would be sack_rescue_seg(), which the sender does
 * not use (docs/TCP.md, not implemented). The caller advances
 * high_rxt to @p seq + @p len after sending.
 * @param rescue also apply rule 3 (no IsLost() requirement)
 * @param[out] seq start of the segment to retransmit
 * @param[out] len its length: at most @p mss, stopping at the next SACKed range (which
 *             is below @p snd_max)
 * @return false when there is nothing to retransmit
 */
bool sack_next_seg(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max, uint32_t mss,
        bool rescue, tern_seq_t *seq, uint32_t *len);

/**
 * NextSeg() rule 4 (RFC 6675 §4), the rescue retransmission: one segment of at most
 * @p mss bytes that ends with the highest outstanding byte not SACKed, and stays inside
 * its hole. Whether a rescue is allowed (HighACK > RescueRxt, rules 1-3 failed) and
 * RescueRxt are the caller's; HighRxt is not to be advanced for it.
 * @param[out] seq start of the segment
 * @param[out] len its length
 * @return false when every outstanding byte is SACKed (or nothing is outstanding)
 */
bool sack_rescue_seg(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max,
        uint32_t mss, tern_seq_t *seq, uint32_t *len);

/** Highest SACKed sequence + 1 (snd_una when none): RFC 6675's HighACK/HighData helper. */
tern_seq_t sack_high(const struct sack_board *b, tern_seq_t snd_una);

#endif
