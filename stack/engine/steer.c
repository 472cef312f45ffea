/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering between the engines of one port: ownership of active-open flows, the handoff
 * of misdirected segments over per-engine rings, ARP shared between engines. See steer.h.
 *
 * Only rte_rings cross cores: a frame is enqueued (multi-producer) by the engine that
 * received it and dequeued (single consumer) by its owner, which then owns the mbuf. No
 * lock, no shared table. A full ring drops the frame, counted as steer_ring_full (TCP
 * retransmits; ARP asks again).
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "engine/engine.h"
#include "engine/steer.h"
#include "net/ipv4.h"
#include "tcp/ephemeral.h"
#include "tcp/tcp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

int
steer_init(struct tern_engine *e)
{
	const struct tern_engine_conf *c = &e->conf;
	struct engine_steer *s = &e->steer;
	unsigned i;

	s->n = c->nengines;
	s->id = c->id;
	if (s->n <= 1)
		return 0;
	if (s->id >= s->n || c->rings == NULL)
		return -EINVAL;
	for (i = 0; i < s->n; i++)
		if (c->rings[i] == NULL)
			return -EINVAL;
	s->rings = c->rings;
	if (c->rss != NULL) {
		const struct tern_rss *r = c->rss;
		if (r->key_len < TOEPLITZ_KEY_NEED(TOEPLITZ_IPV4_TCP_LEN) ||
		        r->key_len > TERN_RSS_KEY_MAX || r->reta_size == 0 ||
		        r->reta_size > TERN_RSS_RETA_MAX)
			return -EINVAL;
		s->rss = true;
		s->reta_size = r->reta_size;
		memcpy(s->reta, r->reta, sizeof(s->reta[0]) * r->reta_size);
		toeplitz_tables(r->key, r->key_len, TOEPLITZ_IPV4_TCP_LEN, s->tab);
	}
	return 0;
}

void
steer_fini(struct tern_engine *e)
{
	struct engine_steer *s = &e->steer;
	void *m;

	if (s->n <= 1 || s->rings == NULL)
		return;
	while (rte_ring_sc_dequeue(s->rings[s->id], &m) == 0)
		rte_pktmbuf_free(m);
}

unsigned
steer_poll(struct tern_engine *e)
{
	struct engine_steer *s = &e->steer;
	struct rte_mbuf *pkts[STEER_BURST];
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst(s->rings[s->id], (void **)pkts, STEER_BURST, NULL);
	s->in_ring = true;
	for (i = 0; i < n; i++)
		eth_input(e, pkts[i]);
	s->in_ring = false;
	return n;
}

static void
steer_give(struct tern_engine *e, struct rte_mbuf *m, unsigned owner, enum tern_counter ctr)
{
	if (rte_ring_mp_enqueue(e->steer.rings[owner], m) != 0) {
		tern_drop(e, m, TERN_DROP_STEER_RING_FULL);
		return;
	}
	tern_count(e, ctr, 1);
}

bool
steer_tcp(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip,
        const uint8_t *l4, uint32_t l4len)
{
	const struct engine_steer *s = &e->steer;
	const struct tcp_ephemeral *ep = &e->tcp.eph;
	struct flow_key k;
	unsigned owner;
	uint8_t flags;

	/* Answers to our active opens reach us by construction with predictable RSS; frames
	 * taken from our own ring are ours. */
	if (s->rss || s->in_ring || l4len < WIRE_TCP_HLEN)
		return false;
	k.lport = (uint16_t)(l4[2] << 8 | l4[3]);
	if ((uint32_t)(uint16_t)(k.lport - ep->share_lo) < ep->share_len)
		return false; /* our own share */
	owner = share_owner(e->conf.port_lo, e->conf.port_hi, s->n, k.lport);
	if (owner >= s->n)
		return false; /* not an ephemeral port: passive flows stay where they arrived */
	/* Another engine's port, unless a flow of ours uses it (a passive one, to a listener
	 * on a port inside the range) or it is a SYN for one of our listeners. */
	k.laddr = ip->dst;
	k.raddr = ip->src;
	k.rport = (uint16_t)(l4[0] << 8 | l4[1]);
	if (flow_lookup(&e->tcp.flows, &k) != NULL)
		return false;
	flags = l4[13];
	if (e->tcp.listeners[k.lport] != NULL &&
	        (flags & (WIRE_TCP_SYN | WIRE_TCP_ACK | WIRE_TCP_RST)) == WIRE_TCP_SYN)
		return false;
	steer_give(e, m, owner, TERN_CTR_STEER_HANDOFF);
	return true;
}

void
steer_arp_share(struct tern_engine *e, const struct rte_mbuf *m)
{
	const struct engine_steer *s = &e->steer;
	unsigned i;

	for (i = 0; i < s->n; i++) {
		struct rte_mbuf *copy;
		if (i == s->id)
			continue;
		copy = rte_pktmbuf_copy(m, e->pool, 0, UINT32_MAX);
		if (copy == NULL) {
			e->stats.drop[TERN_DROP_NO_MBUF]++;
			continue;
		}
		steer_give(e, copy, i, TERN_CTR_STEER_ARP_SHARED);
	}
}
