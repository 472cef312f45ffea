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
 * entries. Each entry holds one mbuf whose data is exactly the entry's payload.
 */
#ifndef TERN_TCP_REASS_H
#define TERN_TCP_REASS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/seq.h"
#include "wire/tcp.h"

struct rte_mbuf;

struct reass_seg {
	struct reass_seg *next;
	tern_seq_t seq;
	uint32_t len;
	struct rte_mbuf *m; /**< payload only: data_off .. data_off + len */
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
	struct reass_seg *head; /**< sorted by seq */
	uint32_t nsegs;
	uint32_t bytes;
	uint8_t has_fin;   /**< a FIN was seen at fin_seq (after the last byte queued there) */
	uint8_t nrecent;
	tern_seq_t fin_seq;
	/** Left edges of the most recently changed blocks, newest first (RFC 2018 §4 order). */
	tern_seq_t recent[WIRE_TCP_MAX_SACK];
};

/** Result of reass_insert(). */
enum reass_result {
	REASS_QUEUED,   /**< some new bytes queued (mbuf taken) */
	REASS_DUP,      /**< every byte was already queued (mbuf freed) */
	REASS_NOMEM,    /**< pool empty or queue at @p max_segs (mbuf freed, nothing queued) */
};

/** Allocate @p n nodes on NUMA @p socket. @return 0 or -ENOMEM. */
int reass_pool_init(struct reass_pool *p, uint32_t n, int socket);
void reass_pool_fini(struct reass_pool *p);

/**
 * Queue payload [seq, seq + len) carried by @p m (whose data is exactly that payload),
 * @p fin when the segment also carried FIN. The caller made sure seq > rcv_nxt and the
 * segment lies within the receive window. Takes @p m in every case.
 * @param max_segs cap on this queue's entries
 */
enum reass_result reass_insert(struct tcp_reass *q, struct reass_pool *p, tern_seq_t seq,
        uint32_t len, struct rte_mbuf *m, bool fin, uint32_t max_segs);

/**
 * Take the entries that now continue the stream at @p rcv_nxt (the caller has just
 * advanced it). Entries entirely below @p rcv_nxt are freed; one straddling it is trimmed.
 * @param[out] fin set when the FIN directly follows the returned data
 * @return the mbuf of the first entry that continues the stream (call again for the
 *         next one), or NULL when nothing does; @p *len gets its payload bytes.
 */
struct rte_mbuf *reass_pop(struct tcp_reass *q, struct reass_pool *p, tern_seq_t rcv_nxt,
        uint32_t *len, bool *fin);

/**
 * SACK blocks for an ACK whose ack number is @p rcv_nxt: up to @p max blocks, the one
 * holding the most recently received segment first, then the other most recently changed
 * ones (RFC 2018 §4). @return number written.
 */
unsigned reass_sack_blocks(
        const struct tcp_reass *q, struct wire_sack_block *b, unsigned max);

/** Free every entry. */
void reass_purge(struct tcp_reass *q, struct reass_pool *p);

#endif
