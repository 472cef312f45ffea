/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SYN queue: compact half-open (SYN_RCVD) entries for passive opens.
 *
 * A SYN to a listener creates no connection block: it takes a 64-byte struct synq_entry
 * from a pool allocated once per engine, holding what is needed to (re)send the SYN-ACK and
 * to build the connection when the final ACK arrives. Entries live in the engine's flow
 * table like TIME_WAIT entries (node.kind == FLOW_SYN). Each listener counts its entries
 * against its backlog; a SYN beyond the backlog, or with the pool empty, gets no entry.
 *
 * SYN-ACK schedule: the first SYN-ACK is sent when the entry is created; it is sent again
 * rto_ms, 2*rto_ms, 4*rto_ms ... after each previous send, @c retries times; the entry
 * expires rto_ms << retries after the last send. With the defaults (1 s, 5 retries) the
 * SYN-ACKs go out at +0, +1, +3, +7, +15, +31 s and the entry expires at +63 s.
 *
 * No per-entry timer: an entry that has been retransmitted k times is on the FIFO of stage
 * k, whose delay is fixed (rto_ms << k). Entries enter a stage's tail with due = now +
 * delay and time only moves forward, so every FIFO is sorted by due time and only its head
 * needs looking at. The engine arms one wheel timer at synq_next_due() and calls
 * synq_expire() when it fires; synq_expire() works through the due heads of all stages in
 * due order and calls back "resend the SYN-ACK" or "expired".
 *
 * Engine pattern:
 * @code
 *   ent = synq_alloc(q, &listener->synq, &key, now_ms);   // NULL: rte_errno says why
 *   ... fill ent->irs, iss, mss, wnd, wscale, ts_recent, node.aux; send the SYN-ACK ...
 *   if (!tern_timer_pending(&t) || t.expires > synq_next_due(q))
 *           twheel_arm(wheel, &t, synq_next_due(q));
 *   // timer callback:
 *   synq_expire(q, now_ms, cb, arg);                   // cb sends the SYN-ACK again
 *   if (!synq_empty(q))
 *           twheel_arm(wheel, &t, synq_next_due(q));
 *   // final ACK: read the entry, synq_free() it, create the connection.
 * @endcode
 *
 * Time is an argument (engine ms); the queue never reads a clock. Times passed in that go
 * backwards are taken as the latest time seen.
 */
#ifndef TERN_TCP_SYNQ_H
#define TERN_TCP_SYNQ_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/flow.h"
#include "util/seq.h"

#define SYNQ_MAX_RETRIES     15                  /**< stages 0..15 */
#define SYNQ_MAX_DELAY_MS    (UINT32_C(1) << 30) /**< longest stage delay, rto_ms << retries */
#define SYNQ_DEFAULT_RETRIES 5
#define SYNQ_DEFAULT_RTO_MS  1000       /**< RFC 6298 initial RTO */
#define SYNQ_NEVER           UINT64_MAX /**< synq_next_due() of an empty queue */

/* synq_entry.node.aux: options of the peer's SYN that we answer */
#define SYNQ_F_WSCALE 0x01 /**< window scaling in use; wscale is the peer's shift */
#define SYNQ_F_SACK   0x02 /**< SACK permitted */
#define SYNQ_F_TS     0x04 /**< timestamps in use; ts_recent is TS.Recent */

/** Per-listener bookkeeping (embed it in the listener). */
struct synq_listener {
	uint32_t backlog;   /**< half-open entries allowed at once */
	uint32_t len;       /**< half-open entries now */
	uint64_t overflows; /**< SYNs refused because len reached backlog */
};

/**
 * A half-open connection, one cache line (64 bytes). Widths:
 * - the schedule links are 32-bit pool indices rather than a struct tern_list: the 8
 *   bytes saved pay for the listener pointer, which needs no lookup on expiry and
 *   survives any listener table layout;
 * - due is the low 32 bits of engine ms, compared wrap-safe against the queue's clock:
 *   exact while an entry is never more than 2^31 ms away from the latest time the queue
 *   saw (stage delays are capped at 2^30 ms; the engine calls synq_expire() on time);
 * - mss and wnd are the 16-bit wire fields (a SYN's window is never scaled);
 * - wscale (0..14) and nrtx (0..SYNQ_MAX_RETRIES) need a byte each;
 * - the options flags live in node.aux; our TSval offset is not stored: it is a hash of
 *   the addresses (tcp_engine.ts_key) and is computed again.
 */
struct synq_entry {
	struct flow_node node;     /**< 20 bytes, must be first; key = the 4-tuple */
	struct synq_listener *lst; /**< counted against this listener */
	uint32_t prev;             /**< schedule FIFO links: pool indices, SYNQ_NIL at the ends */
	uint32_t next;
	tern_seq_t irs;     /**< peer's ISN (the SYN's sequence number) */
	tern_seq_t iss;     /**< our ISN (the SYN-ACK's sequence number) */
	uint32_t ts_recent; /**< TS.Recent: the SYN's TSval (with SYNQ_F_TS) */
	uint32_t due;       /**< next SYN-ACK or expiry, engine ms mod 2^32 */
	uint16_t mss;       /**< peer's MSS (as the caller chose: option or default) */
	uint16_t wnd;       /**< peer's window, unscaled */
	uint8_t wscale;     /**< peer's window shift (with SYNQ_F_WSCALE) */
	uint8_t nrtx;       /**< SYN-ACK retransmissions so far = schedule stage */
	uint16_t rsvd;      /**< padding: unused */
};

/** End of a schedule FIFO. */
#define SYNQ_NIL UINT32_MAX

/** What synq_expire() / synq_flush() report for an entry. */
enum synq_event {
	/**
	 * Send the SYN-ACK again. nrtx was incremented and the entry is scheduled for its next
	 * stage. The callback may synq_free() the entry.
	 */
	SYNQ_RESEND,
	/**
	 * Retransmissions exhausted: the entry is off the schedule and is removed (flow table
	 * and pool) when the callback returns. The callback must not free it.
	 */
	SYNQ_EXPIRED,
	/** synq_flush(): as SYNQ_EXPIRED, for a listener going away. */
	SYNQ_FLUSHED,
};

/**
 * Callback of synq_expire() and synq_flush(). It must not call either of them; a
 * SYNQ_FLUSHED callback must not free entries either.
 */
typedef void (*synq_cb)(void *arg, struct synq_entry *ent, enum synq_event ev);

/** Engine-wide counters. allocs == len + freed + expired + flushed at all times. */
struct synq_stats {
	uint64_t allocs;      /**< entries handed out */
	uint64_t freed;       /**< entries given back by synq_free() (handshake done, RST ...) */
	uint64_t expired;     /**< entries whose retransmissions ran out */
	uint64_t flushed;     /**< entries removed by synq_flush() */
	uint64_t retransmits; /**< SYN-ACK retransmissions (SYNQ_RESEND callbacks) */
	uint64_t overflows;   /**< allocations refused: listener backlog reached */
	uint64_t pool_empty;  /**< allocations refused: pool exhausted */
};

/** Parameters of synq_init(). */
struct synq_conf {
	uint32_t size;            /**< entries in the pool (0: every SYN is refused) */
	uint8_t retries;          /**< SYN-ACK retransmissions, <= SYNQ_MAX_RETRIES */
	uint32_t rto_ms;          /**< delay of stage 0 (> 0); stage k waits rto_ms << k */
	struct flow_table *flows; /**< entries are inserted here / removed from here, or NULL */
	int socket;               /**< NUMA socket of the pool */
};

/** A SYN queue. Embed it; never copy an initialised one. */
struct synq {
	struct synq_entry *pool;
	struct synq_entry *free; /**< free list through node.next */
	struct flow_table *flows;
	uint32_t size;
	uint32_t len; /**< entries allocated */
	uint32_t rto_ms;
	uint8_t retries;
	uint64_t now_ms; /**< latest time passed in */
	struct {
		uint32_t head;
		uint32_t tail;
	} stage[SYNQ_MAX_RETRIES + 1]; /**< stage k: entries with nrtx == k, by due time */
	struct synq_stats stats;
};

/**
 * Set up @p q and allocate its pool (rte_zmalloc_socket). Nothing is allocated later.
 * @return 0; -EINVAL for retries > SYNQ_MAX_RETRIES, rto_ms == 0, rto_ms << retries >
 * SYNQ_MAX_DELAY_MS or size >= 2^32 - 2; -ENOMEM.
 */
int synq_init(struct synq *q, const struct synq_conf *conf);

/**
 * Release the pool. Entries still allocated are dropped without callbacks and left in the
 * flow table: synq_flush() first if the table outlives the queue.
 */
void synq_fini(struct synq *q);

/** Set up listener counters with @p backlog (0: every SYN is refused). */
void synq_listener_init(struct synq_listener *l, uint32_t backlog);

/**
 * Take an entry for the half-open connection @p key of listener @p l at @p now_ms: the
 * first SYN-ACK is taken as sent now, the first retransmission is due at now + rto_ms. The
 * entry is inserted in the flow table (if the queue has one: the caller made sure @p key is
 * not there) and counted against @p l. Its protocol fields and flags are zero.
 * @return the entry; NULL with rte_errno ENOSPC when @p l is at its backlog (counted in
 * l->overflows and stats.overflows), ENOMEM when the pool is empty (stats.pool_empty).
 */
struct synq_entry *synq_alloc(
        struct synq *q, struct synq_listener *l, const struct flow_key *key, uint64_t now_ms);

/** As synq_alloc(), with @p key's flow hash (flow_hash() under the queue's table) given:
 *  the segment's, looked up with already, not computed again. */
struct synq_entry *synq_alloc_hashed(struct synq *q, struct synq_listener *l,
        const struct flow_key *key, uint32_t hash, uint64_t now_ms);

/**
 * Give back an entry (handshake completed, RST, ...): off the flow table and the schedule,
 * uncounted from its listener, back to the pool.
 * @return 0; -EINVAL when @p ent is not an allocated entry of @p q (double free);
 * -EBUSY when @p ent is being expired or flushed (the queue frees it).
 */
int synq_free(struct synq *q, struct synq_entry *ent);

/**
 * Earliest due time (SYN-ACK retransmission or expiry) of all entries, in engine ms;
 * SYNQ_NEVER when the queue is empty. O(retries).
 */
uint64_t synq_next_due(const struct synq *q);

/** True when an entry is due at @p now_ms (tests; the engine uses synq_next_due()). */
static inline bool
synq_due(const struct synq *q, uint64_t now_ms)
{
	return synq_next_due(q) <= now_ms;
}

/**
 * Handle every entry due at @p now_ms, in due order (ties: lower stage first, then FIFO):
 * one that has retransmissions left moves to the next stage, due rto_ms << nrtx after
 * @p now_ms, and is reported SYNQ_RESEND; one that has none is reported SYNQ_EXPIRED and
 * removed. An entry is handled at most once per call. @p cb may be NULL.
 * @return number of entries handled.
 */
unsigned synq_expire(struct synq *q, uint64_t now_ms, synq_cb cb, void *arg);

/**
 * Remove every entry of listener @p l (all entries when NULL), reporting each as
 * SYNQ_FLUSHED first. Scans the queue: for tern_unlisten() and engine teardown only.
 * @return number of entries removed.
 */
unsigned synq_flush(struct synq *q, const struct synq_listener *l, synq_cb cb, void *arg);

/**
 * Engine ms at which @p ent's last SYN-ACK was sent (the RTT sample of the final ACK, when
 * nrtx == 0: Karn's rule).
 */
uint64_t synq_sent_ms(const struct synq *q, const struct synq_entry *ent);

/** Entries allocated. */
static inline uint32_t
synq_len(const struct synq *q)
{
	return q->len;
}

static inline bool
synq_empty(const struct synq *q)
{
	return q->len == 0;
}

/** The entry of flow table node @p n (n->kind == FLOW_SYN). */
static inline struct synq_entry *
synq_entry_of(struct flow_node *n)
{
	return (struct synq_entry *)n;
}

#endif
