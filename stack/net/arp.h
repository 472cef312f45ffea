/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-engine ARP cache and resolution (RFC 826).
 *
 * Entries live in a fixed pool hashed by IPv4 address. A packet for an unresolved next
 * hop is held (up to ARP_HOLD_MAX per entry) while a request is retried every second,
 * ARP_MAX_TRIES times; then the held packets are dropped (counted). A reachable entry
 * is trusted for ARP_REACHABLE_MS; after that it is STALE: still used, and a request is
 * sent to confirm it; an entry that stays unconfirmed for ARP_MAX_TRIES seconds is removed.
 */
#ifndef TERN_NET_ARP_H
#define TERN_NET_ARP_H

#include <stdint.h>

#include "util/timer_wheel.h"
#include "wire/eth.h"

struct rte_mbuf;
struct tern_engine;

#define ARP_BUCKETS      256
#define ARP_MAX_ENTRIES  4096
#define ARP_HOLD_MAX     32
#define ARP_RETRY_MS     1000
#define ARP_MAX_TRIES    3
#define ARP_REACHABLE_MS 60000

enum arp_state {
	ARP_FREE = 0,
	ARP_INCOMPLETE,
	ARP_REACHABLE,
	ARP_STALE,
};

struct arp_entry {
	struct arp_entry *next; /**< hash chain / free list */
	uint32_t ip;
	struct wire_mac mac;
	uint8_t state;
	uint8_t tries;
	uint16_t nhold;
	uint64_t confirmed_ms; /**< last time the mapping was confirmed */
	struct rte_mbuf *hold[ARP_HOLD_MAX];
	struct tern_timer timer;
	struct tern_engine *e;
};

struct arp_table {
	struct arp_entry *buckets[ARP_BUCKETS];
	struct arp_entry *pool;
	struct arp_entry *free;
	struct arp_entry *last; /**< arp_resolved()'s memo: the entry it found last */
	uint32_t count;
};

/** Allocate the table. @return 0 or -ENOMEM. */
int arp_init(struct tern_engine *e);
/** Free the table and every held packet. */
void arp_fini(struct tern_engine *e);

/**
 * Handle an ARP packet; @p m starts with the (untagged) Ethernet header, the ARP payload
 * follows it. Consumes @p m (reused in place for the reply).
 */
void arp_input(struct tern_engine *e, struct rte_mbuf *m);

/**
 * A copy of an ARP frame another engine of the port received and answered (steering,
 * several engines): learn its sender as arp_input() would, answer nothing; @p m is freed.
 */
void arp_learn_frame(struct tern_engine *e, struct rte_mbuf *m);

/**
 * Send a frame whose Ethernet header is already written except the destination MAC, to
 * next hop @p nexthop (host order): filled in and queued now, or held until resolved.
 * Consumes @p m.
 */
void arp_output(struct tern_engine *e, struct rte_mbuf *m, uint32_t nexthop);

/**
 * The MAC of next hop @p nexthop (host order) when arp_output() would send to it at once
 * without a request of its own (REACHABLE within ARP_REACHABLE_MS, or STALE), else NULL:
 * then arp_output() decides (hold, ask, age). The entry found last is remembered, so a
 * run of segments to one next hop skips the hash; the memo is checked against the entry
 * every time (address and state), so a change in the cache is seen at once.
 */
const struct wire_mac *arp_resolved(struct tern_engine *e, uint32_t nexthop);

/**
 * Learn @p mac for on-link @p ip from a frame that is not ARP (a SYN's source), only when
 * the table has no resolved entry for it: never overwrites a confirmed mapping. Each
 * engine keeps its own table and ARP replies reach only the queue the NIC hashes them
 * to, so an engine that gets a SYN may never see the ARP traffic about its sender.
 */
void arp_glean(struct tern_engine *e, uint32_t ip, const struct wire_mac *mac);

/** Look up a resolved MAC (tern_engine_resolve(), tests). @return 0 or -ENOENT. */
int arp_lookup(struct tern_engine *e, uint32_t ip, struct wire_mac *mac);

/** Build and queue a broadcast request for @p ip. @return 0, or -ENOBUFS (no mbuf). */
int arp_send_request(struct tern_engine *e, uint32_t ip);

#endif
