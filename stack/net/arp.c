/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP cache and resolution. See arp.h for the entry life cycle.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "wire/arp.h"
#include "wire/eth.h"

static inline unsigned
arp_bucket(uint32_t ip)
{
	/* Addresses on a link differ in their low bits; fold them. */
	return (ip ^ (ip >> 8) ^ (ip >> 16)) & (ARP_BUCKETS - 1);
}

static struct arp_entry *
arp_find(struct arp_table *t, uint32_t ip)
{
	struct arp_entry *a;

	for (a = t->buckets[arp_bucket(ip)]; a != NULL; a = a->next)
		if (a->ip == ip)
			return a;
	return NULL;
}

static void arp_timer_fn(struct tern_timer *tm, void *ctx);

int
arp_init(struct tern_engine *e)
{
	struct arp_table *t = &e->arp;
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->pool = rte_zmalloc_socket(
	        "tern_arp", sizeof(*t->pool) * ARP_MAX_ENTRIES, 0, rte_socket_id());
	if (t->pool == NULL)
		return -ENOMEM;
	for (i = 0; i < ARP_MAX_ENTRIES; i++) {
		t->pool[i].next = t->free;
		t->pool[i].e = e;
		twheel_timer_init(&t->pool[i].timer, arp_timer_fn);
		t->free = &t->pool[i];
	}
	return 0;
}

static void
arp_drop_held(struct tern_engine *e, struct arp_entry *a)
{
	uint16_t i;

	for (i = 0; i < a->nhold; i++)
		tern_drop(e, a->hold[i], TERN_DROP_ARP_UNRESOLVED);
	a->nhold = 0;
}

static void
arp_remove(struct tern_engine *e, struct arp_entry *a)
{
	struct arp_table *t = &e->arp;
	struct arp_entry **pp = &t->buckets[arp_bucket(a->ip)];

	while (*pp != a)
		pp = &(*pp)->next;
	*pp = a->next;
	twheel_cancel(&e->wheel, &a->timer);
	arp_drop_held(e, a);
	a->state = ARP_FREE;
	a->next = t->free;
	t->free = a;
	t->count--;
}

void
arp_fini(struct tern_engine *e)
{
	struct arp_table *t = &e->arp;
	unsigned b;

	if (t->pool == NULL)
		return;
	for (b = 0; b < ARP_BUCKETS; b++)
		while (t->buckets[b] != NULL)
			arp_remove(e, t->buckets[b]);
	rte_free(t->pool);
	t->pool = NULL;
	t->last = NULL;
}

static struct arp_entry *
arp_create(struct tern_engine *e, uint32_t ip)
{
	struct arp_table *t = &e->arp;
	struct arp_entry *a = t->free;
	unsigned b = arp_bucket(ip);

	if (a == NULL)
		return NULL;
	t->free = a->next;
	a->ip = ip;
	a->state = ARP_INCOMPLETE;
	a->tries = 0;
	a->nhold = 0;
	a->confirmed_ms = 0;
	memset(&a->mac, 0, sizeof(a->mac));
	a->next = t->buckets[b];
	t->buckets[b] = a;
	t->count++;
	return a;
}

int
arp_send_request(struct tern_engine *e, uint32_t ip)
{
	struct rte_mbuf *m = engine_alloc(e);
	struct wire_eth_repr eth;
	struct wire_arp_repr arp;
	uint8_t *p;

	if (m == NULL)
		return -ENOBUFS;
	p = (uint8_t *)rte_pktmbuf_append(m, WIRE_ETH_HLEN + WIRE_ARP_LEN);
	memset(&eth.dst, 0xff, sizeof(eth.dst));
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_ARP;
	wire_eth_emit(p, &eth);
	arp.op = WIRE_ARP_OP_REQUEST;
	arp.sha = e->mac;
	arp.spa = e->ip;
	memset(&arp.tha, 0, sizeof(arp.tha));
	arp.tpa = ip;
	wire_arp_emit(p + WIRE_ETH_HLEN, &arp);
	tern_count(e, TERN_CTR_ARP_REQ_TX, 1);
	engine_tx(e, m);
	return 0;
}

static void
arp_flush_held(struct tern_engine *e, struct arp_entry *a)
{
	uint16_t i;

	for (i = 0; i < a->nhold; i++) {
		struct rte_mbuf *m = a->hold[i];
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), &a->mac, WIRE_ETH_ALEN);
		engine_tx(e, m);
	}
	a->nhold = 0;
}

/* Record a confirmed mapping ip -> mac; create the entry when @p create. */
static void
arp_learn(struct tern_engine *e, uint32_t ip, const struct wire_mac *mac, bool create)
{
	struct arp_entry *a = arp_find(&e->arp, ip);

	if (a == NULL) {
		if (!create)
			return;
		a = arp_create(e, ip);
		if (a == NULL)
			return;
	}
	a->mac = *mac;
	a->state = ARP_REACHABLE;
	a->tries = 0;
	a->confirmed_ms = e->now_ms;
	twheel_cancel(&e->wheel, &a->timer);
	arp_flush_held(e, a);
}

static void
arp_timer_fn(struct tern_timer *tm, void *ctx)
{
	struct arp_entry *a = tern_container_of(tm, struct arp_entry, timer);
	struct tern_engine *e = ctx;

	if (a->state == ARP_REACHABLE)
		return;
	if (a->tries >= ARP_MAX_TRIES) {
		/* Unresolved (or stale and unconfirmed): give up on it. What waited for it
		 * goes, and an active open whose SYN was among it ends now (no route) rather
		 * than after its SYN retries, as connect() fails with EHOSTUNREACH. */
		uint16_t i;

		for (i = 0; i < a->nhold; i++) {
			tcp_no_route(e, a->hold[i]);
			tern_drop(e, a->hold[i], TERN_DROP_ARP_UNRESOLVED);
		}
		a->nhold = 0;
		arp_remove(e, a);
		return;
	}
	a->tries++;
	arp_send_request(e, a->ip);
	twheel_arm(&e->wheel, &a->timer, e->now_ms + ARP_RETRY_MS);
}

void
arp_learn_frame(struct tern_engine *e, struct rte_mbuf *m)
{
	struct wire_arp_repr arp;

	/* steer_rx() of the engine that received it parsed and checked it already. */
	if (wire_arp_parse(rte_pktmbuf_mtod(m, const uint8_t *) + WIRE_ETH_HLEN,
	            rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, &arp) == WIRE_OK)
		arp_learn(e, arp.spa, &arp.sha, true);
	rte_pktmbuf_free(m);
}

void
arp_input(struct tern_engine *e, struct rte_mbuf *m)
{
	struct wire_eth_repr eth;
	struct wire_arp_repr arp;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t asked;
	bool for_us;

	if (wire_arp_parse(p + WIRE_ETH_HLEN, rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, &arp) !=
	        WIRE_OK) {
		tern_drop(e, m, TERN_DROP_ARP_BAD);
		return;
	}
	for_us = engine_local_ip(e, arp.tpa);
	if (arp.spa == 0 || wire_mac_is_multicast(&arp.sha)) {
		/* Probes (RFC 5227) and nonsense: nothing to learn or answer. */
		tern_drop(e, m, for_us ? TERN_DROP_ARP_BAD : TERN_DROP_ARP_NOT_US);
		return;
	}
	/* RFC 826: update an existing entry for the sender; add it when we are the target. */
	arp_learn(e, arp.spa, &arp.sha, for_us);

	if (!for_us) {
		tern_drop(e, m, TERN_DROP_ARP_NOT_US);
		return;
	}
	if (arp.op == WIRE_ARP_OP_REPLY) {
		tern_count(e, TERN_CTR_ARP_REPLY_RX, 1);
		rte_pktmbuf_free(m);
		return;
	}
	/* Answer the request in place. */
	tern_count(e, TERN_CTR_ARP_REQ_RX, 1);
	eth.dst = arp.sha;
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_ARP;
	asked = arp.tpa; /* ours: the main address or one of the active-open sources */
	arp.op = WIRE_ARP_OP_REPLY;
	arp.tha = arp.sha;
	arp.tpa = arp.spa;
	arp.sha = e->mac;
	arp.spa = asked;
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (WIRE_ETH_HLEN + WIRE_ARP_LEN));
	wire_eth_emit(p, &eth);
	wire_arp_emit(p + WIRE_ETH_HLEN, &arp);
	engine_tx(e, m);
}

void
arp_output(struct tern_engine *e, struct rte_mbuf *m, uint32_t nexthop)
{
	struct arp_entry *a = arp_find(&e->arp, nexthop);

	if (a == NULL) {
		a = arp_create(e, nexthop);
		if (a == NULL) {
			tern_drop(e, m, TERN_DROP_ARP_HOLD_FULL);
			return;
		}
		a->tries = 1;
		arp_send_request(e, nexthop);
		twheel_arm(&e->wheel, &a->timer, e->now_ms + ARP_RETRY_MS);
	}
	switch (a->state) {
	case ARP_INCOMPLETE:
		if (a->nhold == ARP_HOLD_MAX) {
			tern_drop(e, m, TERN_DROP_ARP_HOLD_FULL);
			return;
		}
		a->hold[a->nhold++] = m;
		return;
	case ARP_REACHABLE:
		if (e->now_ms - a->confirmed_ms > ARP_REACHABLE_MS) {
			/* Keep using it while we ask again. */
			a->state = ARP_STALE;
			a->tries = 1;
			arp_send_request(e, nexthop);
			twheel_arm(&e->wheel, &a->timer, e->now_ms + ARP_RETRY_MS);
		}
		break;
	default:
		break;
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), &a->mac, WIRE_ETH_ALEN);
	engine_tx(e, m);
}

const struct wire_mac *
arp_resolved(struct tern_engine *e, uint32_t nexthop)
{
	struct arp_entry *a = e->arp.last;

	if (a == NULL || a->ip != nexthop || a->state == ARP_FREE) {
		a = arp_find(&e->arp, nexthop);
		if (a == NULL)
			return NULL;
		e->arp.last = a;
	}
	if (a->state == ARP_STALE ||
	        (a->state == ARP_REACHABLE && e->now_ms - a->confirmed_ms <= ARP_REACHABLE_MS))
		return &a->mac;
	return NULL;
}

void
arp_glean(struct tern_engine *e, uint32_t ip, const struct wire_mac *mac)
{
	struct arp_entry *a = arp_find(&e->arp, ip);

	if ((a != NULL && a->state != ARP_INCOMPLETE) || wire_mac_is_multicast(mac))
		return;
	tern_count(e, TERN_CTR_ARP_GLEANED, 1);
	arp_learn(e, ip, mac, true);
}

int
arp_lookup(struct tern_engine *e, uint32_t ip, struct wire_mac *mac)
{
	struct arp_entry *a = arp_find(&e->arp, ip);

	if (a == NULL || a->state == ARP_INCOMPLETE)
		return -ENOENT;
	*mac = a->mac;
	return 0;
}
