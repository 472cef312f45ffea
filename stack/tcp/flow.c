/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-engine 4-tuple table: chained hashing keyed with SipHash so that a remote peer
 * cannot aim many flows at one bucket (hash flooding). Nodes are intrusive; the table
 * never allocates after flow_init().
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "tcp/tcp.h"

uint32_t
flow_hash(struct flow_table *t, const struct flow_key *k)
{
	struct flow_memo *m = flow_memo_slot(t, k);

	if (!flow_key_eq(&m->key, k)) {
		m->key = *k;
		m->hash = flow_siphash(t, k);
	}
	return m->hash;
}

void
flow_hash_n(struct flow_table *t, const struct flow_key *k, unsigned n, uint32_t *out)
{
	uint32_t a[FLOW_HASH_N_MAX], b[FLOW_HASH_N_MAX], c[FLOW_HASH_N_MAX];
	uint64_t h[FLOW_HASH_N_MAX];
	unsigned i;

	if (!t->hash_vector || n < 4) {
		/* One by one: the memo saves whole hashes. (Fewer than four keys would fill a
		 * vector with copies; a lightly loaded port's bursts of one or two frames of
		 * the same few flows hit the memo instead.) */
		for (i = 0; i < n; i++)
			out[i] = flow_hash(t, &k[i]);
		return;
	}
	/* Four lanes at a time cost less than looking in the memo: every key is hashed. */
	for (i = 0; i < n; i++) {
		a[i] = k[i].laddr;
		b[i] = k[i].raddr;
		c[i] = (uint32_t)k[i].lport << 16 | k[i].rport;
	}
	siphash13_3u32_n(&t->key, a, b, c, n, h);
	for (i = 0; i < n; i++)
		out[i] = (uint32_t)h[i];
}

_Static_assert(sizeof(struct flow_peer6) == 32, "an interned IPv6 peer is 32 bytes");
_Static_assert(sizeof(struct flow_key) == 12, "one 12-byte key for both families");

static int
peers6_init(struct flow_peers6 *p, uint32_t size)
{
	uint32_t nb = rte_align32pow2(size), i;

	memset(p, 0, sizeof(*p));
	p->lru_head = p->lru_tail = FLOW_PEER_NONE;
	if (size == 0)
		return 0;
	p->ent = rte_zmalloc_socket("tern_peers6", sizeof(*p->ent) * size, 0, rte_socket_id());
	p->bucket = rte_malloc_socket("tern_peers6_b", sizeof(*p->bucket) * nb, 0, rte_socket_id());
	if (p->ent == NULL || p->bucket == NULL)
		return -ENOMEM;
	memset(p->bucket, 0xff, sizeof(*p->bucket) * nb); /* FLOW_PEER_NONE */
	p->mask = nb - 1;
	p->size = size;
	for (i = 0; i < size; i++) {
		p->ent[i].prev = i == 0 ? FLOW_PEER_NONE : i - 1;
		p->ent[i].next = i + 1 == size ? FLOW_PEER_NONE : i + 1;
		p->ent[i].hnext = FLOW_PEER_NONE;
	}
	p->lru_head = 0;
	p->lru_tail = size - 1;
	return 0;
}

int
flow_init(struct flow_table *t, uint32_t entries, uint32_t peers6, const struct siphash_key *key)
{
	uint32_t n = rte_align32pow2(entries < 64 ? 64 : entries);

	memset(t->base, 0, sizeof(t->base));
	memset(t->stride, 0, sizeof(t->stride));
	t->buckets = rte_malloc_socket("tern_flows", sizeof(*t->buckets) * n, 0, rte_socket_id());
	if (t->buckets == NULL)
		return -ENOMEM;
	memset(t->buckets, 0xff, sizeof(*t->buckets) * n); /* FLOW_NIL */
	t->mask = n - 1;
	t->count = 0;
	t->key = *key;
	t->hash_vector = siphash13_n_vector();
	t->seg_node = NULL;
	for (uint32_t i = 0; i < FLOW_MEMO; i++) {
		memset(&t->memo[i].key, 0, sizeof(t->memo[i].key));
		t->memo[i].hash = flow_siphash(t, &t->memo[i].key);
	}
	return peers6_init(&t->peers, peers6);
}

void
flow_fini(struct flow_table *t)
{
	rte_free(t->buckets);
	rte_free(t->peers.ent);
	rte_free(t->peers.bucket);
	t->buckets = NULL;
	t->peers.ent = NULL;
	t->peers.bucket = NULL;
	t->peers.size = 0;
}

static void
lru_unlink(struct flow_peers6 *p, uint32_t i)
{
	struct flow_peer6 *x = &p->ent[i];

	if (x->prev != FLOW_PEER_NONE)
		p->ent[x->prev].next = x->next;
	else
		p->lru_head = x->next;
	if (x->next != FLOW_PEER_NONE)
		p->ent[x->next].prev = x->prev;
	else
		p->lru_tail = x->prev;
}

static void
lru_append(struct flow_peers6 *p, uint32_t i)
{
	struct flow_peer6 *x = &p->ent[i];

	x->next = FLOW_PEER_NONE;
	x->prev = p->lru_tail;
	if (p->lru_tail != FLOW_PEER_NONE)
		p->ent[p->lru_tail].next = i;
	else
		p->lru_head = i;
	p->lru_tail = i;
}

static uint32_t
peer6_bucket(const struct flow_table *t, const struct wire_ip6 *ip)
{
	return (uint32_t)siphash24(&t->key, ip->b, sizeof(ip->b)) & t->peers.mask;
}

uint32_t
flow_peer6_get(struct flow_table *t, const struct wire_ip6 *ip)
{
	struct flow_peers6 *p = &t->peers;
	uint32_t b, i, *pp;

	if (p->size == 0 || wire_ip6_is_unspec(ip))
		return FLOW_PEER_NONE; /* :: marks an entry never used: never a peer */
	b = peer6_bucket(t, ip);
	for (i = p->bucket[b]; i != FLOW_PEER_NONE; i = p->ent[i].hnext)
		if (memcmp(p->ent[i].ip.b, ip->b, sizeof(ip->b)) == 0) {
			if (p->ent[i].ref == 0) { /* recently seen: recycled last */
				lru_unlink(p, i);
				lru_append(p, i);
			}
			return i;
		}
	i = p->lru_head;
	if (i == FLOW_PEER_NONE)
		return FLOW_PEER_NONE;
	if (!wire_ip6_is_unspec(&p->ent[i].ip)) {
		/* recycle: off its old chain */
		for (pp = &p->bucket[peer6_bucket(t, &p->ent[i].ip)]; *pp != i;
		        pp = &p->ent[*pp].hnext)
			;
		*pp = p->ent[i].hnext;
	}
	p->ent[i].ip = *ip;
	p->ent[i].hnext = p->bucket[b];
	p->bucket[b] = i;
	lru_unlink(p, i);
	lru_append(p, i);
	return i;
}

void
flow_peer6_ref(struct flow_table *t, const struct flow_key *k)
{
	struct flow_peers6 *p = &t->peers;

	if (!flow_key_is6(k))
		return;
	if (p->ent[k->raddr].ref++ == 0) {
		lru_unlink(p, k->raddr);
		p->used++;
	}
}

void
flow_peer6_unref(struct flow_table *t, const struct flow_key *k)
{
	struct flow_peers6 *p = &t->peers;

	if (!flow_key_is6(k))
		return;
	if (--p->ent[k->raddr].ref == 0) {
		lru_append(p, k->raddr);
		p->used--;
	}
}

struct flow_node *
flow_lookup_hashed(const struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
	uint32_t r;

	for (r = t->buckets[hash & t->mask]; r != FLOW_NIL;) {
		struct flow_node *n = flow_node_at(t, r);

		if (flow_key_eq(&n->key, k))
			return n;
		r = n->next;
	}
	return NULL;
}

struct flow_node *
flow_lookup(struct flow_table *t, const struct flow_key *k)
{
	return flow_lookup_hashed(t, k, flow_hash(t, k));
}

void
flow_insert(struct flow_table *t, struct flow_node *n)
{
	flow_insert_hashed(t, n, flow_hash(t, &n->key));
}

void
flow_insert_hashed(struct flow_table *t, struct flow_node *n, uint32_t hash)
{
	uint32_t *b = &t->buckets[hash & t->mask];

	n->next = *b;
	*b = flow_ref(t, n);
	n->linked = 1;
	t->count++;
	flow_peer6_ref(t, &n->key);
}

void
flow_remove(struct flow_table *t, struct flow_node *n)
{
	if (n->linked)
		flow_remove_hashed(t, n, flow_node_hash(t, n));
}

void
flow_remove_hashed(struct flow_table *t, struct flow_node *n, uint32_t hash)
{
	uint32_t *pp = &t->buckets[hash & t->mask];
	uint32_t r;

	if (!n->linked)
		return;
	r = flow_ref(t, n);
	while (*pp != FLOW_NIL && *pp != r)
		pp = &flow_node_at(t, *pp)->next;
	if (*pp == r) {
		*pp = n->next;
		t->count--;
		flow_peer6_unref(t, &n->key);
	}
	n->next = FLOW_NIL;
	n->linked = 0;
}
