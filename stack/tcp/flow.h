/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The per-engine flow table (flow.c): 4-tuple -> connection block, TIME_WAIT entry or
 * half-open SYN queue entry. Everything it holds starts with a struct flow_node.
 *
 * Keys are 12 bytes for both families, so that the IPv4 nodes pay nothing for IPv6 (a
 * connection block, a 64-byte TIME_WAIT entry and a 64-byte SYN queue entry stay as they
 * are). An IPv6 key has in laddr one of FLOW_L6_GLOBAL / FLOW_L6_LINK (our configured or
 * our link-local address: 0.0.0.1 and 0.0.0.2, never an IPv4 address of ours) and in raddr
 * the index of the peer's address in the table's peer table (struct flow_peers6): every
 * distinct IPv6 peer address is interned once, 32 bytes, and referenced by each node whose
 * key names it (taken by flow_insert(), given back by flow_remove(); a connection block
 * also holds one from conn_alloc() to its free, for its accessors after it left the
 * table). Unreferenced entries stay interned on an LRU list and are recycled oldest first.
 */
#ifndef TERN_TCP_FLOW_H
#define TERN_TCP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/siphash.h"
#include "wire/ipv6.h"

/** 4-tuple key, host order. */
struct flow_key {
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;
};

/** laddr of an IPv6 key: our configured address (conf.ip6). */
#define FLOW_L6_GLOBAL 1u
/** laddr of an IPv6 key: our link-local address. */
#define FLOW_L6_LINK   2u
/** No peer table entry. */
#define FLOW_PEER_NONE UINT32_MAX

/** Is @p k an IPv6 4-tuple (raddr is a peer table index)? */
static inline bool
flow_key_is6(const struct flow_key *k)
{
	return k->laddr - FLOW_L6_GLOBAL <= FLOW_L6_LINK - FLOW_L6_GLOBAL;
}

/** One interned IPv6 peer address (32 bytes). */
struct flow_peer6 {
	struct wire_ip6 ip; /**< :: while the entry was never used */
	uint32_t ref;       /**< nodes (and connection blocks) naming it */
	uint32_t hnext;     /**< hash chain */
	uint32_t prev;      /**< LRU of unreferenced entries */
	uint32_t next;
};

/** The IPv6 peer address table (allocated only for an engine with IPv6). */
struct flow_peers6 {
	struct flow_peer6 *ent;
	uint32_t *bucket; /**< chain heads, FLOW_PEER_NONE when empty */
	uint32_t mask;
	uint32_t size;
	uint32_t used;     /**< entries with ref > 0 */
	uint32_t lru_head; /**< oldest unreferenced: recycled first */
	uint32_t lru_tail;
};

enum flow_kind {
	FLOW_CONN = 1, /**< a struct tern_conn */
	FLOW_TW = 2,   /**< a struct tcp_tw */
	FLOW_SYN = 3,  /**< a struct synq_entry (half-open, synq.c) */
};

/*
 * The table links its nodes by 32-bit references, not pointers: a node's kind in the top
 * two bits, its index in the pool of that kind below (pools registered with
 * flow_set_pool(), at most FLOW_POOL_MAX entries each). The chains and bucket heads are
 * half the size of pointers; a chain step costs a multiply-add.
 */
#define FLOW_NIL      UINT32_MAX /**< no node: the end of a chain, an empty bucket */
#define FLOW_KIND_S   30
#define FLOW_IDX_MASK ((UINT32_C(1) << FLOW_KIND_S) - 1)
#define FLOW_POOL_MAX FLOW_IDX_MASK /**< entries of one pool at most (2^30 - 1) */
#define FLOW_KINDS    4

/** Common head of everything the flow table holds (20 bytes). */
struct flow_node {
	uint32_t next; /**< reference of the next node of the chain (FLOW_NIL: none); while the
	                *   node is free, its pool's free list: the next free index or FLOW_NIL */
	struct flow_key key;
	uint8_t kind;
	uint8_t linked; /**< in the table */
	uint8_t aux;    /**< per-kind flags (TW_F_* for TIME_WAIT entries) */
};

/** Slots of the table's hash memo (a power of two). */
#define FLOW_MEMO 64

/** One memoised hash: the SipHash of @p key under the table's key. */
struct flow_memo {
	struct flow_key key;
	uint32_t hash;
};

struct flow_table {
	uint32_t *buckets; /**< the reference of each chain's first node, or FLOW_NIL */
	uint32_t mask;
	uint32_t count;
	struct siphash_key key;
	/** The last hashes computed one by one, direct-mapped by an unkeyed mix of the key: a
	 *  flow is hashed when its node is removed or replaced (the connection ends, a
	 *  TIME_WAIT entry takes its place) or inserted after a lookup (connect), and on
	 *  receipt in bursts of fewer than four frames or where the CPU has no AVX2 (else
	 *  flow_hash_n() hashes a burst's keys four at a time for less than the memo would
	 *  cost, and leaves it alone: filling it there measured 150 instructions a connection
	 *  more than it saved later). A slot is always
	 *  exact (it starts as the zero key's hash); a peer who aims flows at one slot only
	 *  makes lookups miss into SipHash. */
	struct flow_memo memo[FLOW_MEMO];
	/** siphash13_n_vector(): flow_hash_n() hashes every key, without the memo */
	bool hash_vector;
	/** The node the segment being processed found, and its hash (set by tcp_input_seg(),
	 *  NULL between segments): removing that node or putting a TIME_WAIT entry in its
	 *  place needs no hash, even when the burst's other frames took its memo slot. */
	const struct flow_node *seg_node;
	uint32_t seg_hash;
	char *base[FLOW_KINDS];      /**< the pool of each enum flow_kind */
	uint32_t stride[FLOW_KINDS]; /**< its entries' size */
	/** flow_ref() divides a node's offset by its stride without a division: the stride is
	 *  2^shift times an odd number, whose inverse modulo 2^32 makes the exact quotient. */
	uint8_t shift[FLOW_KINDS];
	uint32_t inv[FLOW_KINDS];
	struct flow_peers6 peers; /**< IPv6 peer addresses (size 0 without IPv6) */
};

/** Register the pool of @p kind: entries of @p stride bytes, each starting with its node. */
static inline void
flow_set_pool(struct flow_table *t, enum flow_kind kind, void *base, uint32_t stride)
{
	uint32_t odd, inv;

	t->base[kind] = base;
	t->stride[kind] = stride;
	t->shift[kind] = (uint8_t)__builtin_ctz(stride);
	odd = stride >> t->shift[kind];
	/* Newton's iteration for the inverse of an odd number modulo 2^32: each step doubles
	 * the correct low bits (3 to start with, as odd * odd == 1 modulo 8). */
	inv = odd;
	for (int i = 0; i < 4; i++)
		inv *= 2 - odd * inv;
	t->inv[kind] = inv;
}

/** The node of reference @p ref (not FLOW_NIL). */
static inline struct flow_node *
flow_node_at(const struct flow_table *t, uint32_t ref)
{
	uint32_t k = ref >> FLOW_KIND_S;

	return (struct flow_node *)(t->base[k] + (size_t)(ref & FLOW_IDX_MASK) * t->stride[k]);
}

/** The reference of the entry at @p p in the pool of @p kind (p need not be readable). */
static inline uint32_t
flow_ref_of(const struct flow_table *t, unsigned kind, const void *p)
{
	size_t off = (size_t)((const char *)p - t->base[kind]);

	/* off = index * stride exactly, so (off >> shift) * inv == index modulo 2^32. */
	return (uint32_t)kind << FLOW_KIND_S | ((uint32_t)(off >> t->shift[kind]) * t->inv[kind]);
}

/** The reference of node @p n, in the pool of its kind. */
static inline uint32_t
flow_ref(const struct flow_table *t, const struct flow_node *n)
{
	return flow_ref_of(t, n->kind, n);
}

/**
 * @param entries nodes the table will hold at most
 * @param peers6 IPv6 peer table entries (0: no IPv6; else at least @p entries, so that an
 *        insert never finds the table full of referenced entries)
 */
int flow_init(
        struct flow_table *t, uint32_t entries, uint32_t peers6, const struct siphash_key *key);
void flow_fini(struct flow_table *t);
struct flow_node *flow_lookup(struct flow_table *t, const struct flow_key *k);
/** SipHash-1-3 (siphash.h) under the table's key of the 12-byte key (local address, remote address
 * or peer index, ports), keyed so that a remote peer cannot aim flows at one bucket. */
static inline uint32_t
flow_siphash(const struct flow_table *t, const struct flow_key *k)
{
	return (uint32_t)siphash13_3u32(
	        &t->key, k->laddr, k->raddr, ((uint32_t)k->lport << 16) | k->rport);
}
/** The table's hash of @p k: flow_siphash(), through the table's memo of recent results. */
uint32_t flow_hash(struct flow_table *t, const struct flow_key *k);
#define FLOW_HASH_N_MAX 32 /**< keys flow_hash_n() takes at once (a burst) */
/** flow_hash() of @p n <= FLOW_HASH_N_MAX keys into out[]: where the CPU has AVX2 and
 *  n >= 4, all of them together (siphash13_3u32_n(), four at a time; the memo is neither
 *  read nor filled), else one by one through the memo. */
void flow_hash_n(struct flow_table *t, const struct flow_key *k, unsigned n, uint32_t *out)
        UTIL_ACCESS(read_only, 2, 3) UTIL_ACCESS(write_only, 4, 3);
/** The memo slot of @p k (an unkeyed mix: it only picks the slot, the slot is exact). */
static inline struct flow_memo *
flow_memo_slot(struct flow_table *t, const struct flow_key *k)
{
	uint32_t mix = k->raddr ^ (k->raddr >> 16) ^ k->lport ^ ((uint32_t)k->rport << 3);

	return &t->memo[(mix ^ (mix >> 6)) & (FLOW_MEMO - 1)];
}
/** flow_lookup() with the hash of @p k already known (flow_hash()). */
struct flow_node *flow_lookup_hashed(
        const struct flow_table *t, const struct flow_key *k, uint32_t hash);

/** Bring the bucket of hash @p hash towards the cache (batched RX). */
static inline void
flow_prefetch_bucket(const struct flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->buckets[hash & t->mask]);
}

/** Bring the first node of the bucket of @p hash towards the cache (its slot is loaded). */
static inline void
flow_prefetch_node(const struct flow_table *t, uint32_t hash)
{
	uint32_t r = t->buckets[hash & t->mask];

	if (r != FLOW_NIL)
		__builtin_prefetch(flow_node_at(t, r));
}
/** Insert @p n (its key set). The caller made sure the key is not present. */
void flow_insert(struct flow_table *t, struct flow_node *n);
/** flow_insert() with the hash of @p n's key already known (flow_hash()). */
void flow_insert_hashed(struct flow_table *t, struct flow_node *n, uint32_t hash);
/** The hash of linked node @p n's key: the segment's (flow_table.seg_node) or flow_hash(). */
static inline uint32_t
flow_node_hash(struct flow_table *t, const struct flow_node *n)
{
	return n == t->seg_node ? t->seg_hash : flow_hash(t, &n->key);
}
void flow_remove(struct flow_table *t, struct flow_node *n);
/** flow_remove() with the hash of @p n's key already known (flow_hash()). */
void flow_remove_hashed(struct flow_table *t, struct flow_node *n, uint32_t hash);

/**
 * The peer table index of IPv6 address @p ip, interned now if it was not (taking the
 * oldest unreferenced entry). The index stays valid while the entry is referenced, and
 * until the next interning otherwise.
 * @return the index, or FLOW_PEER_NONE when every entry is referenced (or no IPv6, or
 *         @p ip is ::).
 */
uint32_t flow_peer6_get(struct flow_table *t, const struct wire_ip6 *ip);
/** The address of peer table index @p idx. */
static inline const struct wire_ip6 *
flow_peer6_ip(const struct flow_table *t, uint32_t idx)
{
	return &t->peers.ent[idx].ip;
}
/** Take / give back a reference to the peer of IPv6 key @p k (no-op for IPv4 keys). */
void flow_peer6_ref(struct flow_table *t, const struct flow_key *k);
void flow_peer6_unref(struct flow_table *t, const struct flow_key *k);

static inline bool
flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport &&
	       a->rport == b->rport;
}

#endif
