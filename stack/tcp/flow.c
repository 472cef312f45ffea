/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-engine 4-tuple table: chained hashing keyed with SipHash so that a remote peer
 * cannot aim many flows at one bucket (hash flooding). Nodes are intrusive; the table
 * never allocates after flow_init().
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "tcp/tcp.h"

uint32_t
flow_hash(const struct flow_table *t, const struct flow_key *k)
{
	return (uint32_t)siphash24_4u32(
	        &t->key, k->laddr, k->raddr, ((uint32_t)k->lport << 16) | k->rport, 0);
}

int
flow_init(struct flow_table *t, uint32_t entries, const struct siphash_key *key)
{
	uint32_t n = rte_align32pow2(entries < 64 ? 64 : entries);

	t->buckets = rte_zmalloc_socket("tern_flows", sizeof(*t->buckets) * n, 0, rte_socket_id());
	if (t->buckets == NULL)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	t->key = *key;
	return 0;
}

void
flow_fini(struct flow_table *t)
{
	rte_free(t->buckets);
	t->buckets = NULL;
}

struct flow_node *
flow_lookup_hashed(const struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
	struct flow_node *n;

	for (n = t->buckets[hash & t->mask]; n != NULL; n = n->next)
		if (flow_key_eq(&n->key, k))
			return n;
	return NULL;
}

struct flow_node *
flow_lookup(const struct flow_table *t, const struct flow_key *k)
{
	return flow_lookup_hashed(t, k, flow_hash(t, k));
}

void
flow_insert(struct flow_table *t, struct flow_node *n)
{
	struct flow_node **b = &t->buckets[flow_hash(t, &n->key) & t->mask];

	n->next = *b;
	*b = n;
	n->linked = 1;
	t->count++;
}

void
flow_remove(struct flow_table *t, struct flow_node *n)
{
	struct flow_node **pp = &t->buckets[flow_hash(t, &n->key) & t->mask];

	if (!n->linked)
		return;
	while (*pp != NULL && *pp != n)
		pp = &(*pp)->next;
	if (*pp == n) {
		*pp = n->next;
		t->count--;
	}
	n->next = NULL;
	n->linked = 0;
}
