/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for stack/net's IPv6 side: DAD (RFC 4862), Neighbour Discovery (RFC 4861: NS
 * answered, neighbours learnt, resolution, NUD through STALE / DELAY / PROBE, recovery from
 * a neighbour that changed its MAC), ICMPv6 echo and Packet Too Big, and the IPv6 input
 * drops (extension headers, addresses) each under its own reason. One engine on end 0 of
 * an in-memory link, in capture mode, on a fake clock; the test plays the neighbours with
 * frames built by stack/wire's emitters (their bytes are checked against scapy in
 * test_ipv6.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "engine/engine.h"
#include "net/ipv6.h"
#include "net/nd.h"
#include "test_helpers.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

#define A6(last)                                              \
	{                                                     \
		{                                             \
			0x20, 0x01, 0x00, 0x02, [15] = (last) \
		}                                             \
	} /* 2001:2::last */

static const struct test_host us = {IP4(10, 0, 0, 1), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}};
static const struct wire_mac peer_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static const struct wire_mac peer_mac2 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x22}};
static const struct wire_ip6 us6 = A6(1);
static const struct wire_ip6 peer6 = A6(2);
static const struct wire_ip6 router6 = A6(0xfe);
static const struct wire_ip6 far6 = {{0x20, 0x01, 0x0d, 0xb8, [15] = 9}}; /* 2001:db8::9 */

struct fx {
	struct rte_mempool *pool;
	unsigned free0;
	struct test_clock clk;
	struct test_link *l;
	struct tern_engine *e;
	struct tern_stats before;
	struct wire_ip6 ll; /**< our link-local address */
	/* Packet Too Big hook calls */
	unsigned ptb_calls;
	uint32_t ptb_mtu;
	struct wire_ip6 ptb_dst;
};

static struct fx *the_fx; /* for the PTB hook (a test fixture, not stack state) */

static void
fx_engine(struct fx *f, bool gateway)
{
	struct tern_engine_conf c;

	test_engine_conf(&c, f->l, 0, &us);
	memcpy(c.ip6, us6.b, 16);
	if (gateway)
		memcpy(c.gateway6, router6.b, 16);
	f->e = test_engine_new_conf(f->l, 0, &c);
	wire_ip6_linklocal_from_mac(us.mac.b, &f->ll);
}

static int
setup_nogw(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = test_eal_pool();
	f->free0 = rte_mempool_avail_count(f->pool);
	f->clk.ns = 1000ull * 1000000000ull;
	f->l = test_link_new(f->pool, &f->clk);
	test_link_capture(f->l, 0, true);
	fx_engine(f, false);
	the_fx = f;
	*state = f;
	return 0;
}

static int
setup_gw(void **state)
{
	struct fx *f;

	setup_nogw(state);
	f = *state;
	test_engine_destroy(f->l, 0);
	fx_engine(f, true);
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	test_link_free(f->l);
	assert_int_equal(rte_mempool_avail_count(f->pool), f->free0);
	free(f);
	return 0;
}

static const struct tern_stats *
stats(const struct fx *f)
{
	return tern_engine_stats(f->e);
}

static void
snapshot(struct fx *f)
{
	f->before = *stats(f);
}

/* Since the snapshot: drop reason @p why went up by @p n and no other drop reason moved. */
static void
drop_only(const struct fx *f, enum tern_drop why, uint64_t n)
{
	test_drop_only(f->e, &f->before, why, n);
}

static uint64_t
ctr(const struct fx *f, enum tern_counter c)
{
	return stats(f)->ctr[c];
}

/* ---- frames ---- */

/* IPv6 frame from @p smac to @p dmac: header fields from the arguments, then @p l4. */
static void
inject6(struct fx *f, const struct wire_mac *smac, const struct wire_mac *dmac,
        const struct wire_ip6 *src, const struct wire_ip6 *dst, uint8_t hop, uint8_t nh,
        const void *l4, size_t len)
{
	struct wire_eth_repr eth = {.dst = *dmac, .src = *smac, .type = WIRE_ETHERTYPE_IPV6};
	struct wire_ipv6_repr ip = {.src = *src,
	        .dst = *dst,
	        .payload_len = (uint16_t)len,
	        .next_hdr = nh,
	        .hop_limit = hop};
	uint8_t buf[WIRE_IPV6_HLEN + 1500];

	assert_true(len <= 1500);
	wire_ipv6_emit(buf, &ip);
	memcpy(buf + WIRE_IPV6_HLEN, l4, len);
	test_link_inject(f->l, 0, test_craft_frame(f->pool, &eth, buf, WIRE_IPV6_HLEN + len));
	test_link_poll(f->l);
}

/* Echo request body (ICMPv6 header + 16 bytes), checksummed for @p src -> @p dst. */
static size_t
echo_body(uint8_t *buf, const struct wire_ip6 *src, const struct wire_ip6 *dst, uint16_t seq)
{
	struct wire_icmp6_repr r = {.type = WIRE_ICMP6_ECHO_REQUEST, .id = 0x77, .seq = seq};
	size_t i;

	for (i = 0; i < 16; i++)
		buf[WIRE_ICMP6_HLEN + i] = (uint8_t)(i + seq);
	wire_icmp6_emit(buf, &r, WIRE_ICMP6_HLEN + 16, src, dst);
	return WIRE_ICMP6_HLEN + 16;
}

static void
inject_echo(struct fx *f, const struct wire_mac *smac, const struct wire_ip6 *src, uint16_t seq)
{
	uint8_t buf[64];
	size_t n = echo_body(buf, src, &us6, seq);

	inject6(f, smac, &us.mac, src, &us6, 64, WIRE_IPPROTO_ICMPV6, buf, n);
}

/* NS or NA from @p src (Ethernet @p smac) to @p dst (its group MAC when multicast). */
static void
inject_nd(struct fx *f, uint8_t type, const struct wire_mac *smac, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, const struct wire_ip6 *target, const struct wire_mac *lla,
        uint8_t flags, uint8_t hop)
{
	struct wire_nd_repr nd = {.target = *target, .flags = flags};
	struct wire_mac dmac = us.mac;
	uint8_t buf[64];
	size_t n;

	if (lla != NULL) {
		nd.has_lla = true;
		nd.lla = *lla;
	}
	n = wire_nd_emit(buf, type, &nd, src, dst);
	if (wire_ip6_is_multicast(dst))
		wire_ip6_mcast_mac(dst, dmac.b);
	inject6(f, smac, &dmac, src, dst, hop, WIRE_IPPROTO_ICMPV6, buf, n);
}

/* A captured IPv6/ICMPv6 frame, parsed and checksum-checked. */
struct pkt6 {
	struct test_pkt raw;
	struct wire_eth_repr eth;
	struct wire_ipv6_repr ip;
	struct wire_icmp6_repr icmp;
	struct wire_nd_repr nd; /**< NS / NA */
	const uint8_t *body;    /**< the ICMPv6 message */
	size_t len;
};

static void
pop6(struct fx *f, struct pkt6 *p)
{
	const uint8_t *l3;

	assert_true(test_link_pop(f->l, 0, &p->raw));
	assert_int_equal(p->raw.eth.type, WIRE_ETHERTYPE_IPV6);
	p->eth = p->raw.eth;
	l3 = p->raw.raw + WIRE_ETH_HLEN;
	assert_int_equal(wire_ipv6_parse(l3, p->raw.len - WIRE_ETH_HLEN, &p->ip), WIRE_OK);
	assert_int_equal(p->ip.next_hdr, WIRE_IPPROTO_ICMPV6);
	p->body = l3 + WIRE_IPV6_HLEN;
	p->len = p->ip.payload_len;
	assert_int_equal(
	        wire_icmp6_parse(p->body, p->len, &p->ip.src, &p->ip.dst, &p->icmp, true), WIRE_OK);
	if (p->icmp.type == WIRE_ICMP6_NEIGH_SOL || p->icmp.type == WIRE_ICMP6_NEIGH_ADV) {
		assert_int_equal(p->ip.hop_limit, 255);
		assert_int_equal(wire_nd_parse(p->body, p->len, p->icmp.type, &p->nd), WIRE_OK);
	}
}

static void
assert_ip6(const struct wire_ip6 *a, const struct wire_ip6 *b)
{
	assert_memory_equal(a->b, b->b, 16);
}

static void
assert_mac(const struct wire_mac *a, const struct wire_mac *b)
{
	assert_memory_equal(a->b, b->b, WIRE_ETH_ALEN);
}

/* The next frame is an NS for @p target: multicast to its solicited-node group, or
 * unicast to @p dmac. */
static void
expect_ns(struct fx *f, const struct wire_ip6 *target, const struct wire_mac *dmac)
{
	struct wire_ip6 sn;
	struct wire_mac mc;
	struct pkt6 p;

	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_NEIGH_SOL);
	assert_ip6(&p.nd.target, target);
	assert_true(p.nd.has_lla);
	assert_mac(&p.nd.lla, &us.mac);
	if (dmac == NULL) {
		wire_ip6_solicited_node(target, &sn);
		assert_ip6(&p.ip.dst, &sn);
		wire_ip6_mcast_mac(&sn, mc.b);
		assert_mac(&p.eth.dst, &mc);
	} else {
		assert_ip6(&p.ip.dst, target);
		assert_mac(&p.eth.dst, dmac);
	}
}

/* Run DAD to its end: both probes seen, both addresses preferred. */
static void
dad_done(struct fx *f)
{
	struct pkt6 p;
	unsigned i;

	test_link_poll(f->l);
	for (i = 0; i < 2; i++) {
		pop6(f, &p);
		assert_int_equal(p.icmp.type, WIRE_ICMP6_NEIGH_SOL);
		assert_true(wire_ip6_is_unspec(&p.ip.src));
		assert_false(p.nd.has_lla);
	}
	test_link_advance(f->l, ND_RETRANS_MS);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_PREFERRED);
	assert_int_equal(ctr(f, TERN_CTR_ND_DAD_OK), 2);
}

/* ---- DAD ---- */

static void
test_dad_probes_then_preferred(void **state)
{
	struct fx *f = *state;
	struct wire_ip6 sn;
	struct wire_mac mc;
	struct pkt6 p;

	test_link_poll(f->l);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_TENTATIVE);
	/* Link-local first, then the configured address; from ::, no SLLA, to the group. */
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_NEIGH_SOL);
	assert_ip6(&p.nd.target, &f->ll);
	pop6(f, &p);
	assert_ip6(&p.nd.target, &us6);
	assert_true(wire_ip6_is_unspec(&p.ip.src));
	assert_false(p.nd.has_lla);
	wire_ip6_solicited_node(&us6, &sn);
	assert_ip6(&p.ip.dst, &sn);
	wire_ip6_mcast_mac(&sn, mc.b);
	assert_mac(&p.eth.dst, &mc);
	assert_mac(&p.eth.src, &us.mac);

	/* Tentative: not answering, not accepting. */
	snapshot(f);
	inject_echo(f, &peer_mac, &peer6, 1);
	drop_only(f, TERN_DROP_IP6_TENTATIVE, 1);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &sn, &us6, &peer_mac, 0, 255);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	/* Our own probe looped back (another engine of the port) is not a conflict. */
	inject_nd(
	        f, WIRE_ICMP6_NEIGH_SOL, &us.mac, &(struct wire_ip6){{0}}, &sn, &us6, NULL, 0, 255);
	assert_int_equal(stats(f)->drop[TERN_DROP_IP6_LOOPED], 1);

	test_link_advance(f->l, ND_RETRANS_MS - 1);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_TENTATIVE);
	test_link_advance(f->l, 1);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_PREFERRED);
	assert_int_equal(ctr(f, TERN_CTR_ND_DAD_OK), 2);
	assert_int_equal(ctr(f, TERN_CTR_ND_DAD_FAILED), 0);
	assert_int_equal(ctr(f, TERN_CTR_ND_NS_TX), 2);
}

static void
test_dad_conflict_na(void **state)
{
	struct fx *f = *state;
	struct wire_ip6 all;

	test_link_poll(f->l);
	test_link_flush(f->l, 0);
	wire_ip6_all_nodes(&all);
	/* The owner of our address defends it (RFC 4862 §5.4.4). */
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &us6, &all, &us6, &peer_mac, WIRE_NA_OVERRIDE,
	        255);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_DUPLICATE);
	assert_int_equal(ctr(f, TERN_CTR_ND_DAD_FAILED), 1);
	test_link_advance(f->l, ND_RETRANS_MS);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_DUPLICATE);
	assert_int_equal(ctr(f, TERN_CTR_ND_DAD_OK), 1); /* the link-local one */
	/* Not ours to use: neither answered nor accepted. */
	snapshot(f);
	inject_echo(f, &peer_mac, &peer6, 1);
	drop_only(f, TERN_DROP_IP6_TENTATIVE, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

static void
test_dad_conflict_ns(void **state)
{
	struct fx *f = *state;
	struct wire_ip6 sn;

	test_link_poll(f->l);
	test_link_flush(f->l, 0);
	/* Another node probing for the same address at the same time. */
	wire_ip6_solicited_node(&us6, &sn);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &(struct wire_ip6){{0}}, &sn, &us6, NULL, 0,
	        255);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_DUPLICATE);
	assert_int_equal(ctr(f, TERN_CTR_ND_DAD_FAILED), 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

/* ---- NS answered, echo, NUD ---- */

static void
test_ns_answered_echo_and_nud(void **state)
{
	struct fx *f = *state;
	struct wire_ip6 sn;
	struct wire_mac mac;
	struct pkt6 p;

	dad_done(f);
	wire_ip6_solicited_node(&us6, &sn);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &sn, &us6, &peer_mac, 0, 255);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_NEIGH_ADV);
	assert_mac(&p.eth.dst, &peer_mac);
	assert_ip6(&p.ip.src, &us6);
	assert_ip6(&p.ip.dst, &peer6);
	assert_ip6(&p.nd.target, &us6);
	assert_int_equal(p.nd.flags, WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE);
	assert_true(p.nd.has_lla);
	assert_mac(&p.nd.lla, &us.mac);
	assert_int_equal(ctr(f, TERN_CTR_ND_NS_RX), 1);
	/* The solicitor was learnt, unconfirmed (RFC 4861 §7.2.3). */
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_STALE);
	assert_int_equal(nd_lookup(f->e, &peer6, &mac), 0);
	assert_mac(&mac, &peer_mac);

	/* Echo: answered at once through the STALE entry, which goes to DELAY. */
	inject_echo(f, &peer_mac, &peer6, 5);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_ECHO_REPLY);
	assert_int_equal(p.icmp.id, 0x77);
	assert_int_equal(p.icmp.seq, 5);
	assert_int_equal(p.len, WIRE_ICMP6_HLEN + 16);
	assert_int_equal(p.body[WIRE_ICMP6_HLEN + 3], 3 + 5);
	assert_mac(&p.eth.dst, &peer_mac);
	assert_ip6(&p.ip.src, &us6);
	assert_ip6(&p.ip.dst, &peer6);
	assert_int_equal(p.ip.hop_limit, 64);
	assert_int_equal(ctr(f, TERN_CTR_ICMP6_ECHO), 1);
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_DELAY);

	/* No confirmation within DELAY_FIRST_PROBE_TIME: a unicast probe. */
	test_link_advance(f->l, ND_DELAY_FIRST_PROBE_MS - 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	test_link_advance(f->l, 1);
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_PROBE);
	expect_ns(f, &peer6, &peer_mac);
	/* The solicited answer confirms it. */
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &peer6, &us6, &peer6, &peer_mac,
	        WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE, 255);
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_REACHABLE);
	assert_int_equal(ctr(f, TERN_CTR_ND_NA_RX), 1);
	test_link_advance(f->l, 2 * ND_RETRANS_MS);
	assert_int_equal(test_link_captured(f->l, 0), 0);

	/* REACHABLE for ND_REACHABLE_MS, then the next send starts DELAY again. */
	test_link_jump(f->l, ND_REACHABLE_MS - 2 * ND_RETRANS_MS);
	inject_echo(f, &peer_mac, &peer6, 6);
	pop6(f, &p);
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_REACHABLE);
	test_link_jump(f->l, 1);
	inject_echo(f, &peer_mac, &peer6, 7);
	pop6(f, &p);
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_DELAY);
}

/*
 * The router changes its MAC without telling: probes to the old MAC go unanswered, the
 * entry goes, and the next packet resolves the router afresh by multicast.
 */
static void
test_router_resolved_and_mac_change_recovered(void **state)
{
	struct fx *f = *state;
	struct wire_mac mac;
	struct pkt6 p;
	unsigned i;

	dad_done(f);
	/* The configured router is resolved as soon as the address is ours. */
	expect_ns(f, &router6, NULL);
	assert_int_equal(nd_entry_state(f->e, &router6), ND_INCOMPLETE);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &router6, &us6, &router6, &peer_mac,
	        WIRE_NA_ROUTER | WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE, 255);
	assert_int_equal(nd_entry_state(f->e, &router6), ND_REACHABLE);

	/* Off-link ping: the reply goes through the router. */
	inject_echo(f, &peer_mac, &far6, 1);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_ECHO_REPLY);
	assert_ip6(&p.ip.dst, &far6);
	assert_mac(&p.eth.dst, &peer_mac);

	/* Later the router is at peer_mac2 and peer_mac is silent. */
	test_link_jump(f->l, ND_REACHABLE_MS + 1);
	inject_echo(f, &peer_mac2, &far6, 2);
	pop6(f, &p);
	assert_mac(&p.eth.dst, &peer_mac); /* still the old one, in DELAY */
	test_link_advance(f->l, ND_DELAY_FIRST_PROBE_MS);
	for (i = 0; i < ND_MAX_UNICAST_SOLICIT; i++) {
		expect_ns(f, &router6, &peer_mac);
		test_link_advance(f->l, ND_RETRANS_MS);
	}
	assert_int_equal(nd_entry_state(f->e, &router6), ND_FREE);
	assert_int_equal(test_link_captured(f->l, 0), 0);

	/* Next reply: multicast NS, reply held, then sent to the new MAC. */
	inject_echo(f, &peer_mac2, &far6, 3);
	expect_ns(f, &router6, NULL);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac2, &router6, &us6, &router6, &peer_mac2,
	        WIRE_NA_ROUTER | WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE, 255);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_ECHO_REPLY);
	assert_int_equal(p.icmp.seq, 3);
	assert_mac(&p.eth.dst, &peer_mac2);
	assert_int_equal(nd_lookup(f->e, &router6, &mac), 0);
	assert_mac(&mac, &peer_mac2);

	/* An unsolicited NA with override moves it at once (and says so); without override
	 * a different MAC is not believed, the entry only stops being trusted. */
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &router6, &us6, &router6, &peer_mac,
	        WIRE_NA_OVERRIDE, 255);
	assert_int_equal(ctr(f, TERN_CTR_ND_MAC_CHANGED), 1);
	assert_int_equal(nd_entry_state(f->e, &router6), ND_STALE);
	assert_int_equal(nd_lookup(f->e, &router6, &mac), 0);
	assert_mac(&mac, &peer_mac);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac2, &router6, &us6, &router6, &peer_mac,
	        WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE, 255);
	assert_int_equal(nd_entry_state(f->e, &router6), ND_REACHABLE);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac2, &router6, &us6, &router6, &peer_mac2,
	        WIRE_NA_SOLICITED, 255);
	assert_int_equal(nd_entry_state(f->e, &router6), ND_STALE);
	assert_int_equal(nd_lookup(f->e, &router6, &mac), 0);
	assert_mac(&mac, &peer_mac);
	assert_int_equal(ctr(f, TERN_CTR_ND_MAC_CHANGED), 1);
}

static void
test_unresolved_gives_up(void **state)
{
	struct fx *f = *state;
	unsigned i;

	dad_done(f);
	snapshot(f);
	/* From an on-link host that sent no NS and never answers ours. */
	inject_echo(f, &peer_mac, &peer6, 1);
	for (i = 0; i < ND_MAX_MULTICAST_SOLICIT; i++) {
		expect_ns(f, &peer6, NULL);
		test_link_advance(f->l, ND_RETRANS_MS);
	}
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_FREE);
	drop_only(f, TERN_DROP_ND_UNRESOLVED, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

/* ---- input drops ---- */

static void
test_ext_header_drops(void **state)
{
	struct fx *f = *state;
	uint8_t buf[256];
	size_t n;
	unsigned i;
	struct pkt6 p;

	dad_done(f);
	/* Teach the peer's MAC so replies need no resolution. */
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &peer6, &us6, &peer6, &peer_mac,
	        WIRE_NA_OVERRIDE, 255);
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_FREE); /* no entry: not created */
	{
		struct wire_ip6 sn;

		wire_ip6_solicited_node(&us6, &sn);
		inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &sn, &us6, &peer_mac, 0, 255);
		test_link_flush(f->l, 0);
	}

	/* Destination options (a skippable option) + atomic fragment + echo: answered, the
	 * reply without extension headers. */
	memset(buf, 0, sizeof(buf));
	buf[0] = WIRE_IPPROTO_FRAGMENT; /* Destination Options: next, len 0 */
	buf[2] = 0x07;                  /* unknown option, action 00: skip */
	buf[3] = 4;
	buf[8] = WIRE_IPPROTO_ICMPV6; /* Fragment: offset 0, M 0 */
	n = 16 + echo_body(buf + 16, &peer6, &us6, 9);
	inject6(f, &peer_mac, &us.mac, &peer6, &us6, 64, WIRE_IPPROTO_DSTOPTS, buf, n);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_ECHO_REPLY);
	assert_int_equal(p.icmp.seq, 9);
	assert_int_equal(p.ip.payload_len, WIRE_ICMP6_HLEN + 16);

	/* Each malformed chain its own reason. */
	struct {
		uint8_t first, b0, b2, b3;
		enum tern_drop why;
	} cases[] = {
	        {WIRE_IPPROTO_DSTOPTS, WIRE_IPPROTO_ICMPV6, 0x47, 4, TERN_DROP_IP6_EXT_OPT},
	        {WIRE_IPPROTO_DSTOPTS, WIRE_IPPROTO_ICMPV6, 0x07, 9, TERN_DROP_IP6_EXT_OPT_LEN},
	        {WIRE_IPPROTO_FRAGMENT, WIRE_IPPROTO_ICMPV6, 0, 1, TERN_DROP_IP6_FRAG},
	        {WIRE_IPPROTO_FRAGMENT, WIRE_IPPROTO_ICMPV6, 0, 8, TERN_DROP_IP6_FRAG},
	        {WIRE_IPPROTO_ROUTING, WIRE_IPPROTO_ICMPV6, 4, 1, TERN_DROP_IP6_ROUTING},
	        {WIRE_IPPROTO_DSTOPTS, WIRE_IPPROTO_HOPOPTS, 1, 4, TERN_DROP_IP6_EXT_ORDER},
	        {WIRE_IPPROTO_DSTOPTS, WIRE_IPPROTO_NONE, 1, 4, TERN_DROP_IP6_NO_NEXT},
	        /* TCP: reaches tcp_input6 past the option, which finds no segment in the body */
	        {WIRE_IPPROTO_DSTOPTS, 6, 1, 4, TERN_DROP_TCP_TRUNC},
	        {WIRE_IPPROTO_DSTOPTS, 17, 1, 4, TERN_DROP_IP6_PROTO},
	};
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = cases[i].b0;
		buf[2] = cases[i].b2;
		buf[3] = cases[i].b3;
		n = 8 + echo_body(buf + 8, &peer6, &us6, 1);
		snapshot(f);
		inject6(f, &peer_mac, &us.mac, &peer6, &us6, 64, cases[i].first, buf, n);
		drop_only(f, cases[i].why, 1);
		if (cases[i].why == TERN_DROP_IP6_ROUTING) {
			/* RFC 8200 §4.4: Parameter Problem, code 0, at the Routing Type. */
			pop6(f, &p);
			assert_int_equal(p.icmp.type, WIRE_ICMP6_PARAM_PROB);
			assert_int_equal(p.icmp.code, 0);
			assert_int_equal(p.icmp.mtu, WIRE_IPV6_HLEN + 2);
		}
		assert_int_equal(test_link_captured(f->l, 0), 0);
	}
	/* Nine Destination Options headers: too long a chain; a cut one: truncated. */
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 9; i++)
		buf[8 * i] = WIRE_IPPROTO_DSTOPTS;
	buf[8 * 8] = WIRE_IPPROTO_ICMPV6;
	snapshot(f);
	inject6(f, &peer_mac, &us.mac, &peer6, &us6, 64, WIRE_IPPROTO_DSTOPTS, buf, 9 * 8 + 8);
	drop_only(f, TERN_DROP_IP6_EXT_CHAIN, 1);
	snapshot(f);
	buf[1] = 1; /* 16 bytes, 12 given */
	inject6(f, &peer_mac, &us.mac, &peer6, &us6, 64, WIRE_IPPROTO_DSTOPTS, buf, 12);
	drop_only(f, TERN_DROP_IP6_EXT_TRUNC, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

static void
test_address_and_nd_drops(void **state)
{
	struct fx *f = *state;
	struct wire_ip6 sn, other = A6(0x33), mc_other = {{0xff, 0x02, [15] = 0x16}};
	struct wire_mac mc;
	uint8_t buf[64];
	size_t n;

	dad_done(f);
	wire_ip6_solicited_node(&us6, &sn);
	struct {
		const struct wire_mac *smac;
		struct wire_ip6 src, dst;
		enum tern_drop why;
	} cases[] = {
	        {&peer_mac, peer6, other, TERN_DROP_IP6_NOT_US},
	        {&peer_mac, mc_other, us6, TERN_DROP_IP6_SRC_BAD},
	        {&peer_mac, {{[15] = 1}}, us6, TERN_DROP_IP6_SRC_BAD}, /* ::1 */
	        {&peer_mac, us6, us6, TERN_DROP_IP6_SRC_BAD},
	        {&peer_mac, {{0}}, us6, TERN_DROP_IP6_SRC_BAD}, /* :: outside DAD */
	        {&us.mac, peer6, us6, TERN_DROP_IP6_LOOPED},
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = echo_body(buf, &cases[i].src, &cases[i].dst, 1);
		snapshot(f);
		inject6(f, cases[i].smac, &us.mac, &cases[i].src, &cases[i].dst, 64,
		        WIRE_IPPROTO_ICMPV6, buf, n);
		drop_only(f, cases[i].why, 1);
	}
	/* A multicast group we did not join: the MAC filter already says no. */
	n = echo_body(buf, &peer6, &mc_other, 1);
	wire_ip6_mcast_mac(&mc_other, mc.b);
	snapshot(f);
	inject6(f, &peer_mac, &mc, &peer6, &mc_other, 64, WIRE_IPPROTO_ICMPV6, buf, n);
	drop_only(f, TERN_DROP_ETH_TYPE, 1);
	/* Bad checksum; truncated header; payload longer than the frame. */
	n = echo_body(buf, &peer6, &us6, 1);
	buf[n - 1] ^= 0x40;
	snapshot(f);
	inject6(f, &peer_mac, &us.mac, &peer6, &us6, 64, WIRE_IPPROTO_ICMPV6, buf, n);
	drop_only(f, TERN_DROP_ICMP6_BAD, 1);
	{
		struct wire_eth_repr eth = {
		        .dst = us.mac, .src = peer_mac, .type = WIRE_ETHERTYPE_IPV6};
		uint8_t hdr[WIRE_IPV6_HLEN];
		struct wire_ipv6_repr ip = {.src = peer6,
		        .dst = us6,
		        .payload_len = 8,
		        .next_hdr = 58,
		        .hop_limit = 64};

		wire_ipv6_emit(hdr, &ip);
		snapshot(f);
		test_link_inject(f->l, 0, test_craft_frame(f->pool, &eth, hdr, 39));
		test_link_poll(f->l);
		drop_only(f, TERN_DROP_IP6_TRUNC, 1);
		snapshot(f);
		test_link_inject(f->l, 0, test_craft_frame(f->pool, &eth, hdr, 40));
		test_link_poll(f->l);
		drop_only(f, TERN_DROP_IP6_LEN, 1);
		hdr[0] = 0x45;
		snapshot(f);
		test_link_inject(f->l, 0, test_craft_frame(f->pool, &eth, hdr, 40));
		test_link_poll(f->l);
		drop_only(f, TERN_DROP_IP6_VERSION, 1);
	}
	/* ND validity: hop limit not 255; DAD probe with an SLLA; target not ours; NA to a
	 * group with S set; NA for nobody we asked about. */
	snapshot(f);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &sn, &us6, &peer_mac, 0, 64);
	drop_only(f, TERN_DROP_ND_BAD, 1);
	snapshot(f);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &(struct wire_ip6){{0}}, &sn, &us6, &peer_mac,
	        0, 255);
	drop_only(f, TERN_DROP_ND_BAD, 1);
	snapshot(f);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &sn, &us6, &mc, 0, 255);
	drop_only(f, TERN_DROP_ND_BAD, 1); /* a multicast MAC as the sender's address */
	assert_int_equal(nd_entry_state(f->e, &peer6), ND_FREE);
	snapshot(f);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &us6, &other, &peer_mac, 0, 255);
	drop_only(f, TERN_DROP_ND_NOT_US, 1);
	snapshot(f);
	{
		struct wire_ip6 all;

		wire_ip6_all_nodes(&all);
		inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &peer6, &all, &peer6, &peer_mac,
		        WIRE_NA_SOLICITED, 255);
	}
	drop_only(f, TERN_DROP_ND_BAD, 1);
	snapshot(f);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &peer6, &us6, &peer6, &peer_mac,
	        WIRE_NA_SOLICITED, 255);
	drop_only(f, TERN_DROP_ND_NOT_US, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	/* A DAD probe for our (now preferred) address is defended: NA to all-nodes. */
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &(struct wire_ip6){{0}}, &sn, &us6, NULL, 0,
	        255);
	{
		struct pkt6 p;
		struct wire_ip6 all;

		pop6(f, &p);
		wire_ip6_all_nodes(&all);
		assert_int_equal(p.icmp.type, WIRE_ICMP6_NEIGH_ADV);
		assert_ip6(&p.ip.dst, &all);
		assert_int_equal(p.nd.flags, WIRE_NA_OVERRIDE);
	}
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_PREFERRED);
}

/* RFC 8200 §4.2 / RFC 4443: Parameter Problem for options that ask for one, rate-limited. */
static void
inject_opt(struct fx *f, uint8_t type, const struct wire_ip6 *dst)
{
	struct wire_mac dmac = us.mac;
	uint8_t buf[64] = {0};
	size_t n;

	buf[0] = WIRE_IPPROTO_ICMPV6;
	buf[2] = type;
	buf[3] = 4;
	n = 8 + echo_body(buf + 8, &peer6, dst, 1);
	if (wire_ip6_is_multicast(dst))
		wire_ip6_mcast_mac(dst, dmac.b);
	inject6(f, &peer_mac, &dmac, &peer6, dst, 64, WIRE_IPPROTO_DSTOPTS, buf, n);
}

static void
test_param_problem(void **state)
{
	struct fx *f = *state;
	struct wire_ip6 all, sn;
	struct pkt6 p;
	unsigned i;

	dad_done(f);
	wire_ip6_all_nodes(&all);
	wire_ip6_solicited_node(&us6, &sn);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac, &peer6, &sn, &us6, &peer_mac, 0, 255);
	test_link_flush(f->l, 0);

	/* 10xxxxxx: discard and tell, pointing at the option's type. */
	inject_opt(f, 0x87, &us6);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_PARAM_PROB);
	assert_int_equal(p.icmp.code, 2);
	assert_int_equal(p.icmp.mtu, WIRE_IPV6_HLEN + 2);
	assert_ip6(&p.ip.src, &us6);
	assert_ip6(&p.ip.dst, &peer6);
	assert_mac(&p.eth.dst, &peer_mac);
	/* It quotes the whole (short) packet, from its IPv6 header on. */
	assert_int_equal(p.len, WIRE_ICMP6_HLEN + WIRE_IPV6_HLEN + 8 + WIRE_ICMP6_HLEN + 16);
	assert_int_equal(p.body[WIRE_ICMP6_HLEN] >> 4, 6);
	assert_int_equal(p.body[WIRE_ICMP6_HLEN + WIRE_IPV6_HLEN + 2], 0x87);
	/* ...also when sent to a multicast group of ours. */
	inject_opt(f, 0x87, &all);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_PARAM_PROB);
	assert_ip6(&p.ip.src, &us6);
	/* 11xxxxxx: tell, unless it went to a multicast address; 01xxxxxx: never. */
	inject_opt(f, 0xc7, &us6);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_PARAM_PROB);
	inject_opt(f, 0xc7, &all);
	inject_opt(f, 0x47, &us6);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	assert_int_equal(ctr(f, TERN_CTR_ICMP6_ERROR_TX), 3);
	assert_int_equal(stats(f)->drop[TERN_DROP_IP6_EXT_OPT], 5);

	/* Rate: a burst, then ICMP6_ERR_PER_SEC a second. */
	test_link_jump(f->l, 1000);
	for (i = 0; i < 3 * ICMP6_ERR_BURST; i++)
		inject_opt(f, 0x87, &us6);
	assert_int_equal(test_link_flush(f->l, 0), ICMP6_ERR_BURST);
	assert_int_equal(ctr(f, TERN_CTR_ICMP6_ERROR_LIMITED), 2 * ICMP6_ERR_BURST);
	test_link_jump(f->l, 1000 / ICMP6_ERR_PER_SEC - 1);
	inject_opt(f, 0x87, &us6);
	assert_int_equal(test_link_flush(f->l, 0), 0);
	test_link_jump(f->l, 1);
	inject_opt(f, 0x87, &us6);
	inject_opt(f, 0x87, &us6);
	assert_int_equal(test_link_flush(f->l, 0), 1);
}

/* ---- Packet Too Big ---- */

static void
ptb_hook(struct tern_engine *e, const struct wire_ip6 *dst, uint32_t mtu, const uint8_t *inner,
        size_t len)
{
	(void)e;
	(void)inner;
	(void)len;
	the_fx->ptb_calls++;
	the_fx->ptb_mtu = mtu;
	the_fx->ptb_dst = *dst;
}

static void
inject_ptb(struct fx *f, uint32_t mtu, const struct wire_ip6 *inner_src, size_t quote)
{
	struct wire_icmp6_repr r = {.type = WIRE_ICMP6_PKT_TOO_BIG, .mtu = mtu};
	struct wire_ipv6_repr in = {.src = *inner_src,
	        .dst = far6,
	        .payload_len = 1400,
	        .next_hdr = 6,
	        .hop_limit = 64};
	uint8_t buf[WIRE_ICMP6_HLEN + 80] = {0};

	wire_ipv6_emit(buf + WIRE_ICMP6_HLEN, &in);
	wire_icmp6_emit(buf, &r, WIRE_ICMP6_HLEN + quote, &router6, &us6);
	inject6(f, &peer_mac, &us.mac, &router6, &us6, 64, WIRE_IPPROTO_ICMPV6, buf,
	        WIRE_ICMP6_HLEN + quote);
}

static void
test_packet_too_big(void **state)
{
	struct fx *f = *state;

	dad_done(f);
	/* Without a hook: counted only. */
	inject_ptb(f, 1400, &us6, 60);
	assert_int_equal(ctr(f, TERN_CTR_ICMP6_PTB), 1);
	f->e->nd.ptb_hook = ptb_hook;
	inject_ptb(f, 1400, &us6, 60);
	assert_int_equal(f->ptb_calls, 1);
	assert_int_equal(f->ptb_mtu, 1400);
	assert_ip6(&f->ptb_dst, &far6);
	/* Never below the IPv6 minimum MTU (RFC 8201 §4), never above our link's. */
	inject_ptb(f, 600, &us6, 60);
	assert_int_equal(f->ptb_mtu, WIRE_IPV6_MIN_MTU);
	inject_ptb(f, 9000, &us6, 60);
	assert_int_equal(f->ptb_mtu, f->e->conf.mtu);
	assert_int_equal(ctr(f, TERN_CTR_ICMP6_PTB), 4);
	/* Quoting a packet that is not ours, or too little of it. */
	snapshot(f);
	inject_ptb(f, 1400, &peer6, 60);
	drop_only(f, TERN_DROP_ICMP6_PTB_BAD, 1);
	snapshot(f);
	inject_ptb(f, 1400, &us6, 39);
	drop_only(f, TERN_DROP_ICMP6_PTB_BAD, 1);
	assert_int_equal(f->ptb_calls, 3);
	/* Other errors: counted. */
	{
		struct wire_icmp6_repr r = {.type = WIRE_ICMP6_DEST_UNREACH, .code = 4};
		uint8_t buf[WIRE_ICMP6_HLEN + 48] = {0};

		wire_icmp6_emit(buf, &r, sizeof(buf), &router6, &us6);
		snapshot(f);
		inject6(f, &peer_mac, &us.mac, &router6, &us6, 64, WIRE_IPPROTO_ICMPV6, buf,
		        sizeof(buf));
		drop_only(f, TERN_DROP_ICMP6_BAD, 0);
		assert_int_equal(ctr(f, TERN_CTR_ICMP6_ERROR_RX), 1);
	}
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

/* ---- configuration ---- */

static void
test_conf_and_v4_only(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	uint8_t macs[TERN_IP6_MCAST_MACS][6];
	uint8_t buf[64];
	size_t n;

	test_engine_conf(&c, f->l, 1, &us);
	memcpy(c.ip6, f->ll.b, 16); /* link-local: not configurable */
	assert_null(tern_engine_create(&c));
	assert_int_equal(rte_errno, EINVAL);
	memcpy(c.ip6, us6.b, 16);
	c.mtu = 1279;
	assert_null(tern_engine_create(&c));
	c.mtu = 0;
	c.prefix6_len = 129;
	assert_null(tern_engine_create(&c));

	/* Multicast MACs: all-nodes, and the two solicited-node groups... */
	assert_int_equal(tern_ip6_mcast_macs(us6.b, peer_mac2.b, macs), 3);
	assert_memory_equal(macs[0], ((const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}), 6);
	assert_memory_equal(macs[1], ((const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 1}), 6);
	assert_memory_equal(macs[2], ((const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 0x22}), 6);
	/* ...which are one when the low 24 bits of both addresses agree (2001:2::1 and
	 * fe80::ff:fe00:1). */
	assert_int_equal(tern_ip6_mcast_macs(us6.b, us.mac.b, macs), 2);

	/* Without ip6 the engine takes no IPv6 at all. */
	test_engine_destroy(f->l, 0);
	f->e = test_engine_new(f->l, 0, &us, NULL, NULL);
	assert_int_equal(tern_engine_ip6_state(f->e), TERN_IP6_NONE);
	n = echo_body(buf, &peer6, &us6, 1);
	snapshot(f);
	inject6(f, &peer_mac, &us.mac, &peer6, &us6, 64, WIRE_IPPROTO_ICMPV6, buf, n);
	drop_only(f, TERN_DROP_ETH_TYPE, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

/* ipv6_output(), the way TCP will send: held while ND resolves, then framed. */
static void
test_ipv6_output(void **state)
{
	struct fx *f = *state;
	struct wire_ipv6_repr ip;
	struct test_pkt raw;
	struct rte_mbuf *m;
	uint8_t *p;

	dad_done(f);
	m = rte_pktmbuf_alloc(f->pool);
	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 8);
	memcpy(p, "l4 bytes", 8);
	ipv6_output(f->e, m, &us6, &peer6, 17);
	test_link_poll(f->l); /* the TX batch goes out at the end of a poll */
	expect_ns(f, &peer6, NULL);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &peer6, &us6, &peer6, &peer_mac,
	        WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE, 255);
	assert_true(test_link_pop(f->l, 0, &raw));
	assert_int_equal(raw.len, WIRE_ETH_HLEN + WIRE_IPV6_HLEN + 8);
	assert_memory_equal(raw.eth.dst.b, peer_mac.b, 6);
	assert_memory_equal(raw.eth.src.b, us.mac.b, 6);
	assert_int_equal(raw.eth.type, WIRE_ETHERTYPE_IPV6);
	assert_int_equal(
	        wire_ipv6_parse(raw.raw + WIRE_ETH_HLEN, raw.len - WIRE_ETH_HLEN, &ip), WIRE_OK);
	assert_ip6(&ip.src, &us6);
	assert_ip6(&ip.dst, &peer6);
	assert_int_equal(ip.next_hdr, 17);
	assert_int_equal(ip.payload_len, 8);
	assert_int_equal(ip.hop_limit, TERN_IP6_HOP_LIMIT);
	assert_memory_equal(raw.raw + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, "l4 bytes", 8);

	/* Off-link with no router: no route. */
	m = rte_pktmbuf_alloc(f->pool);
	assert_non_null(rte_pktmbuf_append(m, 8));
	snapshot(f);
	ipv6_output(f->e, m, &us6, &far6, 17);
	drop_only(f, TERN_DROP_NO_ROUTE6, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

/* ---- two engines on one port: NS and NA shared over the steering rings ---- */

static void
test_two_engines_share_nd(void **state)
{
	struct fx *f = *state;
	struct test_link *l2 = test_link_new(f->pool, &f->clk);
	struct rte_ring *rings[2];
	struct tern_engine_conf c;
	struct tern_engine *a, *b;
	struct wire_ip6 sn;
	struct test_pkt raw;
	struct pkt6 p;
	unsigned i;

	for (i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "nd_ring%u", i);
		rings[i] = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
		assert_non_null(rings[i]);
	}
	test_engine_destroy(f->l, 0);
	test_link_capture(l2, 0, true);
	test_engine_conf(&c, f->l, 0, &us);
	memcpy(c.ip6, us6.b, 16);
	c.nengines = 2;
	c.rings = rings;
	c.id = 0;
	a = f->e = test_engine_new_conf(f->l, 0, &c);
	c.io = l2->end[0].io;
	c.id = 1;
	b = test_engine_new_conf(l2, 0, &c);

	/* Both probe; engine 0's probe looped back to engine 1 is not a conflict there. */
	test_link_poll(f->l);
	test_link_poll(l2);
	assert_true(test_link_pop(f->l, 0, &raw));
	test_link_flush(f->l, 0);
	test_link_flush(l2, 0);
	test_link_inject(l2, 0,
	        test_craft_frame(
	                f->pool, &raw.eth, raw.raw + WIRE_ETH_HLEN, raw.len - WIRE_ETH_HLEN));
	test_link_poll(l2);
	assert_int_equal(tern_engine_stats(b)->drop[TERN_DROP_IP6_LOOPED], 1);
	test_link_jump(f->l, ND_RETRANS_MS);
	test_link_poll(l2);
	assert_int_equal(tern_engine_ip6_state(a), TERN_IP6_PREFERRED);
	assert_int_equal(tern_engine_ip6_state(b), TERN_IP6_PREFERRED);
	for (i = 0; i < 2; i++) {
		const struct tern_stats *st = tern_engine_stats(i == 0 ? a : b);

		assert_int_equal(st->ctr[TERN_CTR_ND_DAD_OK], 2);
		assert_int_equal(st->ctr[TERN_CTR_ND_DAD_FAILED], 0);
	}

	/* An echo reaches engine 1, which asks for the peer; the NA reaches engine 0. */
	{
		uint8_t buf[64];
		size_t n = echo_body(buf, &peer6, &us6, 4);
		struct wire_eth_repr eth = {
		        .dst = us.mac, .src = peer_mac, .type = WIRE_ETHERTYPE_IPV6};
		struct wire_ipv6_repr ip = {.src = peer6,
		        .dst = us6,
		        .payload_len = (uint16_t)n,
		        .next_hdr = WIRE_IPPROTO_ICMPV6,
		        .hop_limit = 64};
		uint8_t pkt[WIRE_IPV6_HLEN + 64];

		wire_ipv6_emit(pkt, &ip);
		memcpy(pkt + WIRE_IPV6_HLEN, buf, n);
		test_link_inject(l2, 0, test_craft_frame(f->pool, &eth, pkt, WIRE_IPV6_HLEN + n));
		test_link_poll(l2);
	}
	assert_int_equal(nd_entry_state(b, &peer6), ND_INCOMPLETE);
	assert_true(test_link_pop(l2, 0, &raw)); /* the NS */
	assert_int_equal(test_link_captured(l2, 0), 0);
	inject_nd(f, WIRE_ICMP6_NEIGH_ADV, &peer_mac, &peer6, &us6, &peer6, &peer_mac,
	        WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE, 255);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_ND_SHARED], 1);
	assert_int_equal(tern_engine_stats(a)->drop[TERN_DROP_ND_NOT_US], 1); /* none asked here */
	test_link_poll(l2);
	assert_int_equal(nd_entry_state(b, &peer6), ND_REACHABLE);
	assert_true(test_link_pop(l2, 0, &raw)); /* the held reply, now sent */
	{
		struct wire_ipv6_repr ip;
		struct wire_icmp6_repr r;

		assert_int_equal(
		        wire_ipv6_parse(raw.raw + WIRE_ETH_HLEN, raw.len - WIRE_ETH_HLEN, &ip),
		        WIRE_OK);
		assert_int_equal(wire_icmp6_parse(raw.raw + WIRE_ETH_HLEN + WIRE_IPV6_HLEN,
		                         ip.payload_len, &ip.src, &ip.dst, &r, true),
		        WIRE_OK);
		assert_int_equal(r.type, WIRE_ICMP6_ECHO_REPLY);
		assert_memory_equal(raw.eth.dst.b, peer_mac.b, 6);
	}
	assert_int_equal(tern_engine_stats(b)->ctr[TERN_CTR_ND_NA_RX], 0); /* counted once, at a */

	/* An NS reaching engine 0 is answered there, and engine 1 learns its sender too. */
	wire_ip6_solicited_node(&us6, &sn);
	inject_nd(f, WIRE_ICMP6_NEIGH_SOL, &peer_mac2, &router6, &sn, &us6, &peer_mac2, 0, 255);
	pop6(f, &p);
	assert_int_equal(p.icmp.type, WIRE_ICMP6_NEIGH_ADV);
	test_link_poll(l2);
	assert_int_equal(nd_entry_state(b, &router6), ND_STALE);
	assert_int_equal(test_link_captured(l2, 0), 0); /* engine 1 answered nothing */
	assert_int_equal(tern_engine_stats(b)->ctr[TERN_CTR_ND_NS_RX], 0);

	test_link_free(l2);
	test_engine_destroy(f->l, 0);
	f->e = NULL;
	for (i = 0; i < 2; i++)
		rte_ring_free(rings[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_dad_probes_then_preferred, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_dad_conflict_na, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_dad_conflict_ns, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_ns_answered_echo_and_nud, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_router_resolved_and_mac_change_recovered, setup_gw, teardown),
	        cmocka_unit_test_setup_teardown(test_unresolved_gives_up, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_ext_header_drops, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_address_and_nd_drops, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_param_problem, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_packet_too_big, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_conf_and_v4_only, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_share_nd, setup_nogw, teardown),
	        cmocka_unit_test_setup_teardown(test_ipv6_output, setup_nogw, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
