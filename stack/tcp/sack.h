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
	uint8_t n; /**< ranges in use */
	struct sack_range r[SACK_MAX_RANGES]; /**< sorted, disjoint, not adjacent */
	tern_seq_t high_rxt;  /**< HighRxt: retransmissions went up to here (exclusive) */
	uint32_t sacked;      /**< bytes covered by the ranges */
};

/**
 * Take the SACK blocks of an ACK. Blocks outside (snd_una, snd_max] or with left >= right
 * are ignored (RFC 2018 §5: a receiver may send stale ones; D-SACK blocks below snd_una
 * are not used). Ranges at or below @p snd_una are dropped first.
 * @return bytes newly marked SACKed by this ACK
 */
uint32_t sack_update(struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max,
        const struct wire_sack_block *blk, unsigned n);

/** Forget everything (RTO: RFC 6675 §5.1 lets the receiver renege; start over). */
void sack_reset(struct sack_board *b);

/** Is byte @p seq SACKed? */
bool sack_is_sacked(const struct sack_board *b, tern_seq_t seq);

/**
 * IsLost(SeqNum) (RFC 6675 §4): DupThresh discontiguous SACKed ranges above @p seq, or
 * more than (DupThresh - 1) * @p mss SACKed bytes above it.
 */
bool sack_is_lost(const struct sack_board *b, tern_seq_t seq, uint32_t mss);

/**
 * SetPipe() (RFC 6675 §4): bytes estimated in the network between @p snd_una and
 * @p snd_max, considering SACKed bytes, lost bytes, and retransmissions below HighRxt.
 * Computed per @p mss-sized chunk starting at @p snd_una.
 */
uint32_t sack_pipe(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max,
        uint32_t mss);

/**
 * NextSeg() rules 1 and 3 (RFC 6675 §4): the first not-SACKed sequence number at or
 * above max(HighRxt, snd_una) that IsLost() (rule 1), or, when @p rescue, that has a
 * SACKed byte above it (rule 3). Rule 2 (new data) is the caller's.
 * @param[out] seq start of the segment to retransmit
 * @param[out] len its length: at most @p mss, stopping at the next SACKed range or at
 *             @p snd_max
 * @return false when there is nothing to retransmit
 */
bool sack_next_seg(const struct sack_board *b, tern_seq_t snd_una, tern_seq_t snd_max,
        uint32_t mss, bool rescue, tern_seq_t *seq, uint32_t *len);

/** Highest SACKed sequence + 1 (snd_una when none): RFC 6675's HighACK/HighData helper. */
tern_seq_t sack_high(const struct sack_board *b, tern_seq_t snd_una);

#endif
