/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour Discovery and DAD. See nd.h for the address and cache entry life cycles; the
 * receive rules are RFC 4861 §7.1 (validity), §7.2.3 (NS), §7.2.5 (NA) and RFC 4862 §5.4.3
 * and §5.4.4 (DAD).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/ipv4.h"
#include "net/nd.h"
#include "wire/eth.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

static inline unsigned
nd_bucket(const struct wire_ip6 *ip)
{
	/* Neighbours on a link differ in their interface identifiers: fold its low bytes. */
	return (ip->b[15] ^ ip->b[14] ^ (unsigned)ip->b[13] << 3 ^ ip->b[11]) & (ND_BUCKETS - 1);
}

static struct nd_entry *
nd_find(struct nd_table *t, const struct wire_ip6 *ip)
{
	struct nd_entry *n;

	for (n = t->buckets[nd_bucket(ip)]; n != NULL; n = n->next)
		if (wire_ip6_eq(&n->ip, ip))
			return n;
	return NULL;
}

/* ---- our addresses ---- */

bool
nd_is_local(const struct tern_engine *e, const struct wire_ip6 *ip, uint8_t state)
{
	const struct nd_table *t = &e->nd;

	if (!nd_enabled(t))
		return false;
	if (wire_ip6_eq(ip, &t->addr.ip))
		return state == 0 || t->addr.state == state;
	if (wire_ip6_eq(ip, &t->linklocal.ip))
		return state == 0 || t->linklocal.state == state;
	return false;
}

bool
nd_is_our_group(const struct tern_engine *e, const struct wire_ip6 *ip)
{
	const struct nd_table *t = &e->nd;
	struct wire_ip6 g;

	if (!nd_enabled(t))
		return false;
	wire_ip6_all_nodes(&g);
	if (wire_ip6_eq(ip, &g))
		return true;
	wire_ip6_solicited_node(&t->addr.ip, &g);
	if (wire_ip6_eq(ip, &g))
		return true;
	wire_ip6_solicited_node(&t->linklocal.ip, &g);
	return wire_ip6_eq(ip, &g);
}

bool
nd_is_our_mcast_mac(const struct tern_engine *e, const struct wire_mac *mac)
{
	uint8_t macs[TERN_IP6_MCAST_MACS][6];
	unsigned i, n;

	if (!nd_enabled(&e->nd) || mac->b[0] != 0x33 || mac->b[1] != 0x33)
		return false;
	n = tern_ip6_mcast_macs(e->nd.addr.ip.b, e->mac.b, macs);
	for (i = 0; i < n; i++)
		if (memcmp(macs[i], mac->b, 6) == 0)
			return true;
	return false;
}

unsigned
tern_ip6_mcast_macs(
        const uint8_t ip6[16], const uint8_t mac[6], uint8_t out[TERN_IP6_MCAST_MACS][6])
{
	struct wire_ip6 a, g;
	unsigned n = 0;

	wire_ip6_all_nodes(&g);
	wire_ip6_mcast_mac(&g, out[n++]);
	memcpy(a.b, ip6, 16);
	wire_ip6_solicited_node(&a, &g);
	wire_ip6_mcast_mac(&g, out[n++]);
	wire_ip6_linklocal_from_mac(mac, &a);
	wire_ip6_solicited_node(&a, &g);
	wire_ip6_mcast_mac(&g, out[n]);
	if (memcmp(out[n], out[n - 1], 6) != 0)
		n++;
	return n;
}

bool
nd_source(const struct tern_engine *e, const struct wire_ip6 *dst, struct wire_ip6 *src)
{
	const struct nd_table *t = &e->nd;
	const struct nd_addr *a;

	if (wire_ip6_is_linklocal(dst) || (wire_ip6_is_multicast(dst) && (dst->b[1] & 0xf) <= 2))
		a = &t->linklocal;
	else
		a = &t->addr;
	if (a->state != TERN_IP6_PREFERRED)
		return false;
	*src = a->ip;
	return true;
}

bool
nd_nexthop(const struct tern_engine *e, const struct wire_ip6 *dst, struct wire_ip6 *nh)
{
	const struct nd_table *t = &e->nd;

	if (wire_ip6_is_linklocal(dst) || wire_ip6_is_multicast(dst) ||
	        wire_ip6_prefix_eq(dst, &t->addr.ip, t->prefix_len)) {
		*nh = *dst;
		return true;
	}
	if (!t->has_gateway)
		return false;
	*nh = t->gateway;
	return true;
}

enum tern_ip6_state
tern_engine_ip6_state(const struct tern_engine *e)
{
	return (enum tern_ip6_state)e->nd.addr.state;
}

/* ---- sending NS and NA ---- */

/*
 * Build and queue an NS or NA from @p src to @p dst, to Ethernet @p dmac (NULL: the
 * multicast MAC of @p dst). @return 0 or -ENOBUFS.
 */
static int
nd_send(struct tern_engine *e, uint8_t type, const struct wire_nd_repr *nd,
        const struct wire_ip6 *src, const struct wire_ip6 *dst, const struct wire_mac *dmac)
{
	struct rte_mbuf *m = engine_alloc(e);
	struct wire_ipv6_repr ip;
	struct wire_eth_repr eth;
	size_t len;
	uint8_t *p;

	if (m == NULL)
		return -ENOBUFS;
	p = (uint8_t *)rte_pktmbuf_append(
	        m, WIRE_ETH_HLEN + WIRE_IPV6_HLEN + WIRE_ND_LEN + WIRE_ND_OPT_LLA_LEN);
	len = wire_nd_emit(p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, type, nd, src, dst);
	rte_pktmbuf_trim(m, WIRE_ND_LEN + WIRE_ND_OPT_LLA_LEN - (uint16_t)len);
	memset(&ip, 0, sizeof(ip));
	ip.src = *src;
	ip.dst = *dst;
	ip.payload_len = (uint16_t)len;
	ip.next_hdr = WIRE_IPPROTO_ICMPV6;
	ip.hop_limit = WIRE_ND_HOP_LIMIT;
	wire_ipv6_emit(p + WIRE_ETH_HLEN, &ip);
	if (dmac != NULL)
		eth.dst = *dmac;
	else
		wire_ip6_mcast_mac(dst, eth.dst.b);
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_IPV6;
	wire_eth_emit(p, &eth);
	tern_count(e, type == WIRE_ICMP6_NEIGH_SOL ? TERN_CTR_ND_NS_TX : TERN_CTR_ND_NA_TX, 1);
	engine_tx(e, m);
	return 0;
}

/* NS for @p target: multicast to its solicited-node group, or unicast to @p dmac (probe). */
static void
nd_send_ns(struct tern_engine *e, const struct wire_ip6 *target, const struct wire_mac *dmac)
{
	struct wire_nd_repr nd = {.target = *target, .has_lla = true, .lla = e->mac};
	struct wire_ip6 src, dst;

	if (!nd_source(e, target, &src) && !nd_source(e, &e->nd.addr.ip, &src) &&
	        !nd_source(e, &e->nd.linklocal.ip, &src))
		return; /* no usable source yet (DAD running): the retry timer tries again */
	if (dmac != NULL)
		dst = *target;
	else
		wire_ip6_solicited_node(target, &dst);
	nd_send(e, WIRE_ICMP6_NEIGH_SOL, &nd, &src, &dst, dmac);
}

/* ---- the neighbour cache ---- */

static void nd_timer_fn(struct tern_timer *tm, void *ctx);
static void nd_dad_fn(struct tern_timer *tm, void *ctx);

int
nd_init(struct tern_engine *e)
{
	struct nd_table *t = &e->nd;
	uint32_t i;
	static const struct wire_ip6 zero;

	memset(t, 0, sizeof(*t));
	twheel_timer_init(&t->dad_timer, nd_dad_fn);
	memcpy(t->addr.ip.b, e->conf.ip6, 16);
	if (wire_ip6_eq(&t->addr.ip, &zero))
		return 0;
	t->pool = rte_zmalloc_socket(
	        "tern_nd", sizeof(*t->pool) * ND_MAX_ENTRIES, 0, rte_socket_id());
	if (t->pool == NULL)
		return -ENOMEM;
	for (i = 0; i < ND_MAX_ENTRIES; i++) {
		t->pool[i].next = t->free;
		t->pool[i].e = e;
		twheel_timer_init(&t->pool[i].timer, nd_timer_fn);
		t->free = &t->pool[i];
	}
	t->prefix_len = e->conf.prefix6_len;
	memcpy(t->gateway.b, e->conf.gateway6, 16);
	t->has_gateway = !wire_ip6_eq(&t->gateway, &zero);
	wire_ip6_linklocal_from_mac(e->mac.b, &t->linklocal.ip);
	t->err_tokens = ICMP6_ERR_BURST;
	t->err_fill_ms = e->now_ms;
	t->addr.state = TERN_IP6_TENTATIVE;
	t->linklocal.state = TERN_IP6_TENTATIVE;
	/* DAD starts from the first poll's timers (nd_dad_fn). */
	twheel_arm(&e->wheel, &t->dad_timer, e->now_ms);
	return 0;
}

static void
nd_remove(struct tern_engine *e, struct nd_entry *n)
{
	struct nd_table *t = &e->nd;
	struct nd_entry **pp = &t->buckets[nd_bucket(&n->ip)];
	uint16_t i;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	twheel_cancel(&e->wheel, &n->timer);
	for (i = 0; i < n->nhold; i++)
		tern_drop(e, n->hold[i], TERN_DROP_ND_UNRESOLVED);
	n->nhold = 0;
	n->state = ND_FREE;
	n->next = t->free;
	t->free = n;
	t->count--;
}

void
nd_fini(struct tern_engine *e)
{
	struct nd_table *t = &e->nd;
	unsigned b;

	twheel_cancel(&e->wheel, &t->dad_timer);
	if (t->pool == NULL)
		return;
	for (b = 0; b < ND_BUCKETS; b++)
		while (t->buckets[b] != NULL)
			nd_remove(e, t->buckets[b]);
	rte_free(t->pool);
	t->pool = NULL;
}

static struct nd_entry *
nd_create(struct tern_engine *e, const struct wire_ip6 *ip)
{
	struct nd_table *t = &e->nd;
	struct nd_entry *n = t->free;
	unsigned b = nd_bucket(ip);

	if (n == NULL)
		return NULL;
	t->free = n->next;
	n->ip = *ip;
	n->state = ND_INCOMPLETE;
	n->tries = 0;
	n->nhold = 0;
	n->confirmed_ms = 0;
	memset(&n->mac, 0, sizeof(n->mac));
	n->next = t->buckets[b];
	t->buckets[b] = n;
	t->count++;
	return n;
}

static void
nd_flush_held(struct tern_engine *e, struct nd_entry *n)
{
	uint16_t i;

	for (i = 0; i < n->nhold; i++) {
		memcpy(rte_pktmbuf_mtod(n->hold[i], uint8_t *), &n->mac, WIRE_ETH_ALEN);
		engine_tx(e, n->hold[i]);
	}
	n->nhold = 0;
}

/* Enter @p state, with @p mac when given (a change is counted), timer re-armed to @p at
 * (0: none). */
static void
nd_set(struct tern_engine *e, struct nd_entry *n, uint8_t state, const struct wire_mac *mac,
        uint64_t at)
{
	if (mac != NULL) {
		if (n->state != ND_INCOMPLETE && !wire_mac_eq(&n->mac, mac))
			tern_count(e, TERN_CTR_ND_MAC_CHANGED, 1);
		n->mac = *mac;
	}
	n->state = state;
	n->tries = 0;
	if (state == ND_REACHABLE)
		n->confirmed_ms = e->now_ms;
	twheel_cancel(&e->wheel, &n->timer);
	if (at != 0)
		twheel_arm(&e->wheel, &n->timer, at);
	if (n->nhold > 0 && state != ND_INCOMPLETE)
		nd_flush_held(e, n);
}

static void
nd_timer_fn(struct tern_timer *tm, void *ctx)
{
	struct nd_entry *n = tern_container_of(tm, struct nd_entry, timer);
	struct tern_engine *e = ctx;

	switch (n->state) {
	case ND_INCOMPLETE:
		if (n->tries >= ND_MAX_MULTICAST_SOLICIT) {
			nd_remove(e, n); /* held packets: nd_unresolved */
			return;
		}
		n->tries++;
		nd_send_ns(e, &n->ip, NULL);
		break;
	case ND_DELAY:
		n->state = ND_PROBE;
		n->tries = 1;
		nd_send_ns(e, &n->ip, &n->mac);
		break;
	case ND_PROBE:
		if (n->tries >= ND_MAX_UNICAST_SOLICIT) {
			nd_remove(e, n);
			return;
		}
		n->tries++;
		nd_send_ns(e, &n->ip, &n->mac);
		break;
	default:
		return;
	}
	twheel_arm(&e->wheel, &n->timer, e->now_ms + ND_RETRANS_MS);
}

void
nd_resolve(struct tern_engine *e, const struct wire_ip6 *ip)
{
	struct nd_entry *n;

	if (nd_find(&e->nd, ip) != NULL)
		return;
	n = nd_create(e, ip);
	if (n == NULL)
		return;
	n->tries = 1;
	nd_send_ns(e, ip, NULL);
	twheel_arm(&e->wheel, &n->timer, e->now_ms + ND_RETRANS_MS);
}

void
nd_output(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *nh)
{
	struct nd_entry *n;

	if (wire_ip6_is_multicast(nh)) {
		wire_ip6_mcast_mac(nh, rte_pktmbuf_mtod(m, uint8_t *));
		engine_tx(e, m);
		return;
	}
	n = nd_find(&e->nd, nh);
	if (n == NULL) {
		nd_resolve(e, nh);
		n = nd_find(&e->nd, nh);
		if (n == NULL) {
			tern_drop(e, m, TERN_DROP_ND_HOLD_FULL);
			return;
		}
	}
	switch (n->state) {
	case ND_INCOMPLETE:
		if (n->nhold == ND_HOLD_MAX) {
			tern_drop(e, m, TERN_DROP_ND_HOLD_FULL);
			return;
		}
		n->hold[n->nhold++] = m;
		return;
	case ND_REACHABLE:
		if (e->now_ms - n->confirmed_ms <= ND_REACHABLE_MS)
			break;
		/* Expired: STALE, and this send moves it on (§7.3.3). */
		/* fall through */
	case ND_STALE:
		nd_set(e, n, ND_DELAY, NULL, e->now_ms + ND_DELAY_FIRST_PROBE_MS);
		break;
	default: /* DELAY, PROBE: keep using the address while we ask */
		break;
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), &n->mac, WIRE_ETH_ALEN);
	engine_tx(e, m);
}

int
nd_lookup(struct tern_engine *e, const struct wire_ip6 *ip, struct wire_mac *mac)
{
	struct nd_entry *n = nd_enabled(&e->nd) ? nd_find(&e->nd, ip) : NULL;

	if (n == NULL || n->state == ND_INCOMPLETE)
		return -ENOENT;
	*mac = n->mac;
	return 0;
}

enum nd_state
nd_entry_state(struct tern_engine *e, const struct wire_ip6 *ip)
{
	struct nd_entry *n = nd_enabled(&e->nd) ? nd_find(&e->nd, ip) : NULL;

	return n == NULL ? ND_FREE : (enum nd_state)n->state;
}

/* ---- DAD (RFC 4862 §5.4) ---- */

static void
nd_dad_probe(struct tern_engine *e, const struct nd_addr *a)
{
	struct wire_nd_repr nd = {.target = a->ip}; /* no source link-layer option from :: */
	struct wire_ip6 unspec = {{0}}, dst;

	wire_ip6_solicited_node(&a->ip, &dst);
	nd_send(e, WIRE_ICMP6_NEIGH_SOL, &nd, &unspec, &dst, NULL);
}

/* First run: probe both addresses; second: those still tentative are ours. */
static void
nd_dad_fn(struct tern_timer *tm, void *ctx)
{
	struct tern_engine *e = ctx;
	struct nd_table *t = &e->nd;
	struct nd_addr *as[2] = {&t->linklocal, &t->addr};
	unsigned i;

	(void)tm;
	if (!t->dad_sent) {
		t->dad_sent = true;
		for (i = 0; i < 2; i++)
			if (as[i]->state == TERN_IP6_TENTATIVE)
				nd_dad_probe(e, as[i]);
		twheel_arm(&e->wheel, &t->dad_timer, e->now_ms + ND_RETRANS_MS);
		return;
	}
	for (i = 0; i < 2; i++) {
		if (as[i]->state != TERN_IP6_TENTATIVE)
			continue;
		as[i]->state = TERN_IP6_PREFERRED;
		tern_count(e, TERN_CTR_ND_DAD_OK, 1);
	}
	if (t->addr.state == TERN_IP6_PREFERRED && t->has_gateway)
		nd_resolve(e, &t->gateway);
}

/* Another node has @p a: it is not ours to use (RFC 4862 §5.4.5). */
static void
nd_dad_failed(struct tern_engine *e, struct nd_addr *a)
{
	if (a->state != TERN_IP6_TENTATIVE)
		return;
	a->state = TERN_IP6_DUPLICATE;
	tern_count(e, TERN_CTR_ND_DAD_FAILED, 1);
}

static struct nd_addr *
nd_our_addr(struct nd_table *t, const struct wire_ip6 *ip)
{
	if (wire_ip6_eq(ip, &t->addr.ip))
		return &t->addr;
	if (wire_ip6_eq(ip, &t->linklocal.ip))
		return &t->linklocal;
	return NULL;
}

/* ---- receiving NS and NA ---- */

/* A frame that ends here: a counted drop, or for another engine's copy just freed. */
static void
nd_discard(struct tern_engine *e, struct rte_mbuf *m, bool copy, enum tern_drop why)
{
	if (copy)
		rte_pktmbuf_free(m);
	else
		tern_drop(e, m, why);
}

/* RFC 4861 §7.2.3: a solicitation for one of our addresses. */
static void
nd_input_ns(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        const struct wire_nd_repr *ns, bool copy)
{
	struct nd_table *t = &e->nd;
	struct nd_addr *a = nd_our_addr(t, &ns->target);
	bool dad = wire_ip6_is_unspec(&ip->src);
	struct wire_nd_repr na;
	struct wire_ip6 dst;
	struct wire_mac dmac;
	struct nd_entry *n;

	if (a == NULL || a->state == TERN_IP6_DUPLICATE) {
		nd_discard(e, m, copy, TERN_DROP_ND_NOT_US);
		return;
	}
	if (a->state == TERN_IP6_TENTATIVE) {
		/* RFC 4862 §5.4.3: another node's DAD for it means it is a duplicate; any other
		 * NS for a tentative address is not answered. (Our own probes, looped back,
		 * never get here: ipv6_input drops frames from our MAC.) */
		if (dad)
			nd_dad_failed(e, a);
		nd_discard(e, m, copy, TERN_DROP_ND_NOT_US);
		return;
	}
	if (!copy)
		tern_count(e, TERN_CTR_ND_NS_RX, 1);
	eth_frame_src(m, &dmac);
	if (!dad && ns->has_lla) {
		/* The sender's address, learnt STALE (or updated to STALE if it changed). */
		n = nd_find(t, &ip->src);
		if (n == NULL) {
			n = nd_create(e, &ip->src);
			if (n != NULL)
				nd_set(e, n, ND_STALE, &ns->lla, 0);
		} else if (n->state == ND_INCOMPLETE || !wire_mac_eq(&n->mac, &ns->lla)) {
			nd_set(e, n, ND_STALE, &ns->lla, 0);
		}
		dmac = ns->lla;
	}
	if (copy) { /* the engine that received it answers */
		rte_pktmbuf_free(m);
		return;
	}
	memset(&na, 0, sizeof(na));
	na.target = ns->target;
	na.has_lla = true;
	na.lla = e->mac;
	na.flags = WIRE_NA_OVERRIDE;
	if (dad) {
		wire_ip6_all_nodes(&dst); /* §7.2.4: to all-nodes, not solicited */
		nd_send(e, WIRE_ICMP6_NEIGH_ADV, &na, &ns->target, &dst, NULL);
	} else {
		na.flags |= WIRE_NA_SOLICITED;
		nd_send(e, WIRE_ICMP6_NEIGH_ADV, &na, &ns->target, &ip->src, &dmac);
	}
	rte_pktmbuf_free(m);
}

/* RFC 4861 §7.2.5: an advertisement. */
static void
nd_input_na(struct tern_engine *e, struct rte_mbuf *m, const struct wire_nd_repr *na, bool copy)
{
	struct nd_table *t = &e->nd;
	struct nd_addr *a = nd_our_addr(t, &na->target);
	bool solicited = (na->flags & WIRE_NA_SOLICITED) != 0;
	bool override = (na->flags & WIRE_NA_OVERRIDE) != 0;
	struct nd_entry *n;
	bool same;

	if (a != NULL) {
		/* Someone advertises our address: a duplicate while tentative (RFC 4862
		 * §5.4.4); later, nothing we may do but ignore it. */
		nd_dad_failed(e, a);
		nd_discard(e, m, copy, TERN_DROP_ND_NOT_US);
		return;
	}
	n = nd_find(t, &na->target);
	if (n == NULL) {
		nd_discard(e, m, copy, TERN_DROP_ND_NOT_US);
		return;
	}
	if (!copy)
		tern_count(e, TERN_CTR_ND_NA_RX, 1);
	if (n->state == ND_INCOMPLETE) {
		if (na->has_lla)
			nd_set(e, n, solicited ? ND_REACHABLE : ND_STALE, &na->lla, 0);
		/* else: nothing to learn (§7.2.5: silently discard) */
		rte_pktmbuf_free(m);
		return;
	}
	same = !na->has_lla || wire_mac_eq(&na->lla, &n->mac);
	if (!override && !same) {
		/* A different address without override: do not believe it, but stop
		 * trusting the one we have. */
		if (n->state == ND_REACHABLE)
			nd_set(e, n, ND_STALE, NULL, 0);
	} else if (solicited) {
		nd_set(e, n, ND_REACHABLE, na->has_lla ? &na->lla : NULL, 0);
	} else if (!same) {
		nd_set(e, n, ND_STALE, &na->lla, 0);
	}
	rte_pktmbuf_free(m);
}

/* nd_input(), or with @p copy the learning from another engine's frame: nothing sent, no
 * counter moved (the receiving engine counted it). */
static void
nd_rx(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        const uint8_t *icmp, size_t len, uint8_t type, bool copy)
{
	struct wire_nd_repr nd;
	struct wire_ip6 sn;

	/* §7.1.1 / §7.1.2 validity: hop limit 255 (not forwarded), code 0, body and options
	 * whole, target not multicast; an NS from :: goes to a solicited-node group and has
	 * no source link-layer option; an NA to a multicast address is not solicited. And,
	 * as for ARP, no multicast link-layer address for a neighbour (found by fuzz_nd:
	 * unicast packets would have gone to a group MAC). */
	if (ip->hop_limit != WIRE_ND_HOP_LIMIT || icmp[1] != 0 ||
	        wire_nd_parse(icmp, len, type, &nd) != WIRE_OK ||
	        (nd.has_lla && wire_mac_is_multicast(&nd.lla))) {
		nd_discard(e, m, copy, TERN_DROP_ND_BAD);
		return;
	}
	if (type == WIRE_ICMP6_NEIGH_SOL) {
		if (wire_ip6_is_unspec(&ip->src)) {
			wire_ip6_solicited_node(&nd.target, &sn);
			if (!wire_ip6_eq(&ip->dst, &sn) || nd.has_lla) {
				nd_discard(e, m, copy, TERN_DROP_ND_BAD);
				return;
			}
		}
		nd_input_ns(e, m, ip, &nd, copy);
		return;
	}
	if (wire_ip6_is_unspec(&ip->src) ||
	        (wire_ip6_is_multicast(&ip->dst) && (nd.flags & WIRE_NA_SOLICITED))) {
		nd_discard(e, m, copy, TERN_DROP_ND_BAD);
		return;
	}
	nd_input_na(e, m, &nd, copy);
}

void
nd_input(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        const uint8_t *icmp, size_t len, uint8_t type)
{
	nd_rx(e, m, ip, icmp, len, type, false);
}

/* ---- several engines on one port: NS and NA shared (steer.c) ---- */

/* The ICMPv6 message of an ND-looking frame for us (to our MAC or one of our groups, not
 * from our MAC, no extension headers, hop limit 255), or NULL; *ip and *len filled in.
 * Nothing else is checked. */
static const uint8_t *
nd_frame(const struct tern_engine *e, const struct rte_mbuf *m, struct wire_ipv6_repr *ip,
        size_t *len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct wire_eth_repr eth;
	const uint8_t *icmp;

	if (!nd_enabled(&e->nd) || wire_eth_parse(p, rte_pktmbuf_data_len(m), &eth) != WIRE_OK ||
	        wire_mac_eq(&eth.src, &e->mac) ||
	        (!wire_mac_eq(&eth.dst, &e->mac) && !nd_is_our_mcast_mac(e, &eth.dst)) ||
	        wire_ipv6_parse(p + WIRE_ETH_HLEN, rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, ip) !=
	                WIRE_OK ||
	        ip->next_hdr != WIRE_IPPROTO_ICMPV6 || ip->hop_limit != WIRE_ND_HOP_LIMIT ||
	        ip->payload_len < WIRE_ICMP6_HLEN)
		return NULL;
	icmp = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;
	if (icmp[0] != WIRE_ICMP6_NEIGH_SOL && icmp[0] != WIRE_ICMP6_NEIGH_ADV)
		return NULL;
	*len = ip->payload_len;
	return icmp;
}

bool
nd_frame_is_nd(const struct tern_engine *e, const struct rte_mbuf *m)
{
	struct wire_ipv6_repr ip;
	size_t len;

	return nd_frame(e, m, &ip, &len) != NULL;
}

void
nd_learn_frame(struct tern_engine *e, struct rte_mbuf *m)
{
	struct wire_icmp6_repr h;
	struct wire_ipv6_repr ip;
	const uint8_t *icmp;
	size_t len;

	icmp = nd_frame(e, m, &ip, &len);
	if (icmp == NULL || wire_icmp6_parse(icmp, len, &ip.src, &ip.dst, &h, true) != WIRE_OK) {
		rte_pktmbuf_free(m);
		return;
	}
	nd_rx(e, m, &ip, icmp, len, h.type, true);
}
