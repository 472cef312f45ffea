/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Out-of-order reassembly queue of one connection, with bounded memory, and the SACK
 * blocks (RFC 2018) that describe it.
 *
 * Segments that arrive beyond rcv_nxt wait here, sorted by sequence number, without
 * overlap (overlapping bytes are trimmed from the newcomer: first arrival wins). Queue
 * entries come from a per-engine node pool (struct reass_pool), so the memory one engine
 * spends on reassembly is bounded by the pool size, and each queue is also capped in
 * entries. Each entry holds one mbuf whose data is exactly the entry's payload, and each
 * mbuf belongs to one entry only (no shared references), so the mbufs a queue holds are
 * bounded by its entries too.
 *
 * Adjacent entries are not merged (that would hold several received mbufs per entry);
 * the SACK blocks join them into maximal contiguous ranges. A newcomer that covers whole
 * queued entries absorbs them instead: the queued bytes are copied over the newcomer's
 * (first arrival still wins, byte for byte) and their entries are freed, so such an
 * insert never needs a new entry.
 */
#ifndef TERN_TCP_REASS_H
#define TERN_TCP_REASS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/seq.h"
#include "wire/tcp.h"

struct rte_mbuf;

/** One queue entry (24 bytes): payload [seq, seq + len), len > 0. */
struct reass_seg {
	struct reass_seg *next;
	tern_seq_t seq;
	uint32_t len;
	struct rte_mbuf *m; /**< payload only: its pkt_len is exactly len */
};

/** Engine-wide pool of queue entries. */
struct reass_pool {
	struct reass_seg *nodes;
	struct reass_seg *free;
	uint32_t size;
	uint32_t used;
};

/** Queue of one connection. Zero-initialised = empty. */
struct tcp_reass {
	struct reass_seg *head; /**< sorted by seq, disjoint */
	uint32_t nsegs;
	uint32_t bytes;
	uint8_t has_fin; /**< a FIN was seen at fin_seq (after the last byte queued there) */
	uint8_t nrecent;
	tern_seq_t fin_seq;
	/**
	 * The most recently changed blocks, newest first (RFC 2018 §4 order): block i is the
	 * maximal contiguous queued range [recent[i], recent_end[i]). Always exact and
	 * distinct: blocks that merge become one, popped bytes leave.
	 */
	tern_seq_t recent[WIRE_TCP_MAX_SACK];
	tern_seq_t recent_end[WIRE_TCP_MAX_SACK]; /**< right edges of the recent blocks */
};

/** Result of reass_insert(). */
enum reass_result {
	REASS_QUEUED, /**< some new bytes, or a new FIN, queued (mbuf taken) */
	REASS_DUP,    /**< every byte was already queued (mbuf freed) */
	REASS_NOMEM,  /**< pool empty or queue at @p max_segs (mbuf freed, nothing queued) */
};

/**
 * Allocate @p n nodes on NUMA @p socket (@p n may be 0: every insert then fails).
 * @return 0 or -ENOMEM.
 */
int reass_pool_init(struct reass_pool *p, uint32_t n, int socket);

/** Free the nodes. Every queue using the pool must have been purged. */
void reass_pool_fini(struct reass_pool *p);

/**
 * Queue payload [seq, seq + len) carried by @p m (whose data is exactly that payload;
 * extra bytes beyond @p len, e.g. Ethernet padding, are cut), @p fin when the segment also
 * carried FIN. The caller made sure seq > rcv_nxt and the segment lies within the receive
 * window. Takes @p m in every case; @p m may be NULL when @p len is 0 (a bare FIN).
 * @p m may be a chain; the queued part stays a chain.
 *
 * Overlap with queued bytes is trimmed from the newcomer (first arrival wins). A newcomer
 * that spans queued entries and the gaps between them absorbs those entries (their bytes
 * are copied into it) when all its segments are direct and unshared; otherwise only its
 * first gap is queued and the rest is dropped (the peer will send it again).
 *
 * FIN: the first FIN seen is remembered (fin_seq = seq + len); a later FIN at another
 * sequence number, or one with queued data beyond it, is ignored; bytes beyond a known
 * FIN are discarded (counted as duplicates).
 *
 * A segment whose bytes are all queued already (REASS_DUP) makes its block the first
 * SACK block, as the segment that triggered the ACK (RFC 2018 §4).
 * @param max_segs cap on this queue's entries
 * @return REASS_QUEUED, REASS_DUP (every byte already queued and no new FIN), or
 *         REASS_NOMEM (a new entry was needed and the queue is at @p max_segs or the pool
 *         is empty; the queue, FIN included, is unchanged)
 */
enum reass_result reass_insert(struct tcp_reass *q, struct reass_pool *p, tern_seq_t seq,
        uint32_t len, struct rte_mbuf *m, bool fin, uint32_t max_segs);

/**
 * Take the entries that now continue the stream at @p rcv_nxt (the caller has just
 * advanced it). Entries entirely below @p rcv_nxt are freed; one straddling it is trimmed.
 *
 * The caller loops: r = pop(rcv_nxt); deliver r; rcv_nxt += len; until NULL, then
 * rcv_nxt += 1 if @p *fin was set by the last call (with or without data).
 *
 * @param[out] len payload bytes of the returned mbuf (0 when NULL is returned)
 * @param[out] fin set when the queued FIN directly follows the returned data, or, when
 *             NULL is returned, when it sits exactly at @p rcv_nxt (a bare FIN that arrived
 *             out of order, or one whose data came in order). The FIN is then forgotten:
 *             it is reported once. Nothing is queued beyond a FIN, so the queue is then
 *             empty.
 * @return the mbuf of the first entry that continues the stream (call again for the
 *         next one), or NULL when nothing does. Its data is exactly the @p *len new bytes.
 */
struct rte_mbuf *reass_pop(
        struct tcp_reass *q, struct reass_pool *p, tern_seq_t rcv_nxt, uint32_t *len, bool *fin);

/**
 * SACK blocks for an ACK whose ack number is the rcv_nxt of the last reass_pop(): up to
 * @p max blocks, the one holding the most recently received segment first, then the other
 * most recently changed ones (RFC 2018 §4), then, if room remains, blocks no longer among
 * the recent ones, lowest first. Each block is a maximal contiguous queued range,
 * [left, right), reported once. @return number written.
 */
unsigned reass_sack_blocks(const struct tcp_reass *q, struct wire_sack_block *b, unsigned max);

/** Free every entry. */
void reass_purge(struct tcp_reass *q, struct reass_pool *p);

#endif
