/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The per-engine flow table (flow.c): 4-tuple -> connection block, TIME_WAIT entry or
 * half-open SYN queue entry. Everything it holds starts with a struct flow_node.
 */
#ifndef TERN_TCP_FLOW_H
#define TERN_TCP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/siphash.h"

/** 4-tuple key, host order. */
struct flow_key {
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;
};

enum flow_kind {
	FLOW_CONN = 1, /**< a struct tern_conn */
	FLOW_TW = 2,   /**< a struct tcp_tw */
	FLOW_SYN = 3,  /**< a struct synq_entry (half-open, synq.c) */
};

/** Common head of everything the flow table holds. */
struct flow_node {
	struct flow_node *next;
	struct flow_key key;
	uint8_t kind;
	uint8_t linked; /**< in the table */
	uint8_t aux;    /**< per-kind flags (TW_F_* for TIME_WAIT entries) */
};

struct flow_table {
	struct flow_node **buckets;
	uint32_t mask;
	uint32_t count;
	struct siphash_key key;
};

int flow_init(struct flow_table *t, uint32_t entries, const struct siphash_key *key);
void flow_fini(struct flow_table *t);
struct flow_node *flow_lookup(const struct flow_table *t, const struct flow_key *k);
/** The table's hash of @p k (SipHash under the table's key). */
uint32_t flow_hash(const struct flow_table *t, const struct flow_key *k);
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
	const struct flow_node *n = t->buckets[hash & t->mask];

	if (n != NULL)
		__builtin_prefetch(n);
}
/** Insert @p n (its key set). The caller made sure the key is not present. */
void flow_insert(struct flow_table *t, struct flow_node *n);
void flow_remove(struct flow_table *t, struct flow_node *n);

static inline bool
flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport &&
	       a->rport == b->rport;
}

#endif
