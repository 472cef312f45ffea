/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering between the engines of one port: the owner rule, the handoff of misdirected
 * segments over per-engine rings in bursts, ARP shared between engines. See steer.h.
 *
 * Only rte_rings cross cores: frames are enqueued (multi-producer) by the engine that
 * received them and dequeued (single consumer) by their owner, which then owns the mbufs.
 * No lock, no shared table: each engine has its own copy of the rule's key tables and
 * RETA. A full ring drops the frames it could not take, counted as steer_ring_full (TCP
 * retransmits; ARP asks again).
 *
 * Cost with several engines: every TCP segment received from the NIC pays one owner
 * computation (12 table lookups, or two compares for an ephemeral port under rte_flow, or
 * one RETA read when the NIC's RSS is the rule and it put its hash in the mbuf);
 * a misdirected one also a stash slot, its share of one ring enqueue and dequeue, and it
 * is parsed again by its owner.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "engine/engine.h"
#include "engine/steer.h"
#include "net/arp.h"
#include "net/nd.h"
#include "net/ipv4.h"
#include "wire/arp.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

/* The key of Microsoft's RSS verification suite: the rule when the configuration gives
 * none (unit tests, embedders); the apps give a random key or the NIC's. */
static const uint8_t steer_default_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41,
        0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
        0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01,
        0xfa};

const char *
tern_steer_method_name(enum tern_steer_method m)
{
	switch (m) {
	case TERN_STEER_SINGLE:
		return "single";
	case TERN_STEER_RSS:
		return "rss";
	case TERN_STEER_RTE_FLOW:
		return "rte_flow";
	case TERN_STEER_SOFTWARE:
		return "software";
	}
	return "?";
}

int
steer_init(struct tern_engine *e)
{
	const struct tern_engine_conf *c = &e->conf;
	struct engine_steer *s = &e->steer;
	unsigned i;

	s->n = c->nengines;
	s->id = c->id;
	s->method = TERN_STEER_SINGLE;
	if (s->n <= 1)
		return 0;
	if (s->id >= s->n || c->rings == NULL || c->steer > TERN_STEER_SOFTWARE)
		return -EINVAL;
	for (i = 0; i < s->n; i++)
		if (c->rings[i] == NULL)
			return -EINVAL;
	s->rings = c->rings;
	s->method = c->steer == TERN_STEER_SINGLE ? TERN_STEER_SOFTWARE : c->steer;
	s->nic_hash = s->method == TERN_STEER_RSS && c->rx_rss_hash;
	s->port_lo = c->port_lo;
	s->port_hi = c->port_hi;
	if (c->rss != NULL) {
		const struct tern_rss *r = c->rss;
		if (r->key_len < TOEPLITZ_KEY_NEED(TOEPLITZ_IPV4_TCP_LEN) ||
		        r->key_len > TERN_RSS_KEY_MAX || r->reta_size == 0 ||
		        r->reta_size > TERN_RSS_RETA_MAX)
			return -EINVAL;
		for (i = 0; i < r->reta_size; i++)
			if (r->reta[i] >= s->n)
				return -EINVAL; /* a queue no engine polls */
		s->reta_size = r->reta_size;
		memcpy(s->reta, r->reta, sizeof(s->reta[0]) * r->reta_size);
		toeplitz_tables(r->key, r->key_len, TOEPLITZ_IPV6_TCP_LEN, s->tab);
	} else {
		if (s->method == TERN_STEER_RSS)
			return -EINVAL; /* the NIC's rule must be given */
		s->reta_size = STEER_RETA_SOFT;
		for (i = 0; i < STEER_RETA_SOFT; i++)
			s->reta[i] = (uint16_t)(i % s->n);
		toeplitz_tables(steer_default_key, sizeof(steer_default_key), TOEPLITZ_IPV6_TCP_LEN,
		        s->tab);
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
	while (s->nout > 0)
		rte_pktmbuf_free(s->out[--s->nout]);
	while (rte_ring_sc_dequeue(s->rings[s->id], &m) == 0)
		rte_pktmbuf_free(m);
}

/* The Ethernet type of frame @p m, 0 when too short to have one. */
static inline uint16_t
frame_ethertype(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (rte_pktmbuf_data_len(m) < WIRE_ETH_HLEN)
		return 0;
	return (uint16_t)(p[12] << 8 | p[13]);
}

unsigned
steer_poll(struct tern_engine *e)
{
	struct engine_steer *s = &e->steer;
	struct rte_mbuf *pkts[STEER_BURST];
	unsigned n, i, total = 0;

	do {
		n = rte_ring_sc_dequeue_burst(s->rings[s->id], (void **)pkts, STEER_BURST, NULL);
		for (i = 0; i < n; i++) {
			/* Only the TCP segments we own and copies of ARP and ND frames another
			 * engine received (and answered) come through our ring. */
			if (frame_ethertype(pkts[i]) == WIRE_ETHERTYPE_ARP)
				arp_learn_frame(e, pkts[i]);
			else if (frame_ethertype(pkts[i]) == WIRE_ETHERTYPE_IPV6 &&
			         nd_frame_is_nd(e, pkts[i]))
				nd_learn_frame(e, pkts[i]);
			else
				eth_input(e, pkts[i]);
		}
		total += n;
	} while (n == STEER_BURST && total < STEER_POLL_MAX);
	tern_count(e, TERN_CTR_STEER_RECEIVED, total);
	return total;
}

/* Enqueue @p n frames on @p owner's ring; drop (counted) what it cannot take. */
static void
steer_give(struct tern_engine *e, struct rte_mbuf **m, unsigned n, unsigned owner,
        enum tern_counter ctr)
{
	unsigned done = rte_ring_mp_enqueue_burst(e->steer.rings[owner], (void **)m, n, NULL);

	tern_count(e, ctr, done);
	tern_count(e, TERN_CTR_STEER_ENQUEUES, 1);
	for (; done < n; done++)
		tern_drop(e, m[done], TERN_DROP_STEER_RING_FULL);
}

/* Hand the stashed segments to their owners: one ring enqueue per owner. */
static void
steer_flush(struct tern_engine *e)
{
	struct engine_steer *s = &e->steer;
	struct rte_mbuf *batch[STEER_BURST];

	while (s->nout > 0) {
		unsigned owner = s->out_owner[0], nb = 0, keep = 0, i;

		/* Take this owner's frames in arrival order; keep the others' in order too. */
		for (i = 0; i < s->nout; i++) {
			if (s->out_owner[i] == owner) {
				batch[nb++] = s->out[i];
			} else {
				s->out_owner[keep] = s->out_owner[i];
				s->out[keep++] = s->out[i];
			}
		}
		s->nout = (uint16_t)keep;
		steer_give(e, batch, nb, owner, TERN_CTR_STEER_HANDOFF);
	}
}

/* Copy ARP or ND frame @p m to every other engine's ring, counted under @p ctr. */
static void
steer_share(struct tern_engine *e, const struct rte_mbuf *m, enum tern_counter ctr)
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
		steer_give(e, &copy, 1, i, ctr);
	}
}

/* The engine that owns frame @p m, an IPv4 one: by the rule for TCP with room for its
 * ports (first fragments too), else us (eth_input() judges it). Nothing is validated:
 * that is the owner's job. */
static unsigned
steer_ipv4_owner(const struct engine_steer *s, const struct rte_mbuf *m)
{
	struct wire_tcp4_tuple t;

	if (!ipv4_frame_tuple(m, &t))
		return s->id;
	if (s->nic_hash && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
		return s->reta[m->hash.rss % s->reta_size]; /* the NIC did the hash */
	return steer_owner(s, t.src, t.dst, t.sport, t.dport);
}

/* The engine that owns IPv6 frame @p m: by the rule for TCP (after the extension headers,
 * walked as the owner will), and for a Packet Too Big quoting one of our TCP segments (we
 * send no extension headers), the owner of the quoted 4-tuple, whose MSS it lowers
 * (tcp_ptb6); else us. Nothing is validated; the NIC's hash is not used: its IPv6 hash
 * type may not be the rule's. */
static unsigned
steer_ipv6_owner(const struct engine_steer *s, const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *) + WIRE_ETH_HLEN;
	uint32_t len = rte_pktmbuf_data_len(m), plen;
	struct wire_ipv6_ext x;
	const uint8_t *l4;

	if (len < WIRE_ETH_HLEN + WIRE_IPV6_HLEN + 4)
		return s->id;
	plen = RTE_MIN((uint32_t)(p[4] << 8 | p[5]), len - WIRE_ETH_HLEN - WIRE_IPV6_HLEN);
	if (wire_ipv6_ext_walk(p + WIRE_IPV6_HLEN, plen, p[6], &x) != WIRE_EXT_OK ||
	        (uint32_t)x.l4_off + 4 > plen)
		return s->id;
	l4 = p + WIRE_IPV6_HLEN + x.l4_off;
	if (x.proto == WIRE_IPPROTO_TCP) /* source, destination, then the ports */
		return steer_owner6(s, p + 8, p + 24, (uint16_t)(l4[0] << 8 | l4[1]),
		        (uint16_t)(l4[2] << 8 | l4[3]));
	if (x.proto == WIRE_IPPROTO_ICMPV6 && l4[0] == WIRE_ICMP6_PKT_TOO_BIG &&
	        (uint32_t)x.l4_off + WIRE_ICMP6_HLEN + WIRE_IPV6_HLEN + 4 <= plen &&
	        l4[WIRE_ICMP6_HLEN + 6] == WIRE_IPPROTO_TCP) {
		const uint8_t *q = l4 + WIRE_ICMP6_HLEN; /* our segment */

		return steer_owner6(s, q + 24, q + 8, (uint16_t)(q[42] << 8 | q[43]),
		        (uint16_t)(q[40] << 8 | q[41]));
	}
	return s->id;
}

/* Is ARP frame @p m worth every engine's table: a valid sender, for one of our addresses? */
static bool
steer_arp_wanted(const struct tern_engine *e, const struct rte_mbuf *m)
{
	struct wire_arp_repr arp;

	if (wire_arp_parse(rte_pktmbuf_mtod(m, const uint8_t *) + WIRE_ETH_HLEN,
	            rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, &arp) != WIRE_OK)
		return false;
	return arp.spa != 0 && !wire_mac_is_multicast(&arp.sha) && engine_local_ip(e, arp.tpa);
}

uint16_t
steer_rx(struct tern_engine *e, struct rte_mbuf **pkts, uint16_t n)
{
	struct engine_steer *s = &e->steer;
	uint16_t i, keep = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		unsigned owner = s->id;

		/* eth_input() linearizes chains; a chained frame here is judged by its owner
		 * only if its headers are in the first segment, else it stays. */
		switch (frame_ethertype(m)) {
		case WIRE_ETHERTYPE_IPV4:
			owner = steer_ipv4_owner(s, m);
			break;
		case WIRE_ETHERTYPE_ARP:
			if (steer_arp_wanted(e, m))
				steer_share(
				        e, m, TERN_CTR_STEER_ARP_SHARED); /* and answered here */
			break;
		case WIRE_ETHERTYPE_IPV6:
			/* Each engine keeps its own neighbour cache, as its own ARP table. */
			if (nd_frame_is_nd(e, m))
				steer_share(e, m, TERN_CTR_STEER_ND_SHARED); /* and answered here */
			else
				owner = steer_ipv6_owner(s, m);
			break;
		default:
			break;
		}
		if (owner == s->id) {
			pkts[keep++] = m;
			continue;
		}
		if (s->nout == STEER_BURST)
			steer_flush(e); /* a burst longer than TERN_RX_BURST (an embedder's) */
		s->out_owner[s->nout] = (uint16_t)owner;
		s->out[s->nout++] = m;
	}
	if (s->nout > 0)
		steer_flush(e);
	return keep;
}

void
steer_port_share(const struct tern_engine *e, uint16_t *lo, uint32_t *len)
{
	const struct engine_steer *s = &e->steer;

	if (s->n > 1 && s->method != TERN_STEER_RSS) {
		share_of(e->conf.port_lo, e->conf.port_hi, s->id, s->n, lo, len);
	} else {
		*lo = e->conf.port_lo;
		*len = (uint32_t)e->conf.port_hi - e->conf.port_lo + 1;
	}
}
