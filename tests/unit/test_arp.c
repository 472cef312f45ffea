/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for stack/net: ARP (answering, resolution, hold queue, retries), ICMP echo and
 * the IPv4 input checks. One engine on end 0 of an in-memory link, in capture mode; the test
 * plays the neighbour by injecting crafted frames and decoding what the engine sends, on a
 * fake clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "test_helpers.h"

static const struct test_host us = {IP4(10, 0, 0, 1), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}};
static const struct test_host peer = {IP4(10, 0, 0, 2), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}};
static const struct wire_mac bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct wire_mac zero_mac = {{0}};

struct fx {
	struct rte_mempool *pool;
	unsigned free0;
	struct test_clock clk;
	struct test_link *l;
	struct tern_engine *e;
	struct tern_stats before; /**< snapshot for drop_only() */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = test_eal_pool();
	f->free0 = rte_mempool_avail_count(f->pool);
	f->clk.ns = 1000ull * 1000000000ull; /* t = 1000 s: not zero, like a real clock */
	f->l = test_link_new(f->pool, &f->clk);
	test_link_capture(f->l, 0, true);
	f->e = test_engine_new(f->l, 0, &us, NULL, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	test_link_free(f->l);
	/* Leak check: tern_engine_destroy() released every mbuf the engine held. */
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

static void
inject(struct fx *f, struct rte_mbuf *m)
{
	test_link_inject(f->l, 0, m);
	test_link_poll(f->l);
}

static struct rte_mbuf *
arp_frame(const struct fx *f, const struct wire_mac *dst, uint16_t op, const struct test_host *from,
        const struct wire_mac *tha, uint32_t tpa)
{
	struct wire_arp_repr a = {
	        .op = op, .sha = from->mac, .spa = from->ip, .tha = *tha, .tpa = tpa};

	return test_craft_arp(f->pool, dst, &a);
}

/* ICMP echo request from @p from to us: id, seq, @p len bytes of pattern data. */
static struct rte_mbuf *
echo_frame(const struct fx *f, const struct test_host *from, uint16_t id, uint16_t seq, size_t len)
{
	struct wire_icmp_repr ic = {.type = WIRE_ICMP_ECHO_REQUEST, .id = id, .seq = seq};
	struct wire_ipv4_repr ip = {.proto = WIRE_IPPROTO_ICMP};
	uint8_t buf[WIRE_ICMP_HLEN + 256];
	size_t i;

	assert_true(len <= 256);
	for (i = 0; i < len; i++)
		buf[WIRE_ICMP_HLEN + i] = (uint8_t)(i * 7 + seq);
	wire_icmp_emit(buf, &ic, len);
	return test_craft_ipv4(f->pool, from, &us, &ip, buf, WIRE_ICMP_HLEN + len);
}

static void
assert_mac(const struct wire_mac *a, const struct wire_mac *b)
{
	assert_memory_equal(a->b, b->b, WIRE_ETH_ALEN);
}

/* The next captured frame is an ARP request from us for @p tpa. */
static void
expect_arp_request(struct fx *f, uint32_t tpa, struct test_pkt *p)
{
	static const uint8_t hdr[] = {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01};

	assert_true(test_link_pop(f->l, 0, p));
	assert_true(p->is_arp);
	assert_int_equal(p->len, WIRE_ETH_HLEN + WIRE_ARP_LEN);
	assert_mac(&p->eth.dst, &bcast);
	assert_mac(&p->eth.src, &us.mac);
	assert_int_equal(p->eth.type, WIRE_ETHERTYPE_ARP);
	assert_memory_equal(p->raw + WIRE_ETH_HLEN, hdr, sizeof(hdr));
	assert_int_equal(p->arp.op, WIRE_ARP_OP_REQUEST);
	assert_mac(&p->arp.sha, &us.mac);
	assert_int_equal(p->arp.spa, us.ip);
	assert_mac(&p->arp.tha, &zero_mac);
	assert_int_equal(p->arp.tpa, tpa);
}

/* The next captured frame is the echo reply to echo_frame(peer, id, seq, len). */
static void
expect_echo_reply(struct fx *f, uint16_t id, uint16_t seq, size_t len)
{
	struct test_pkt p;
	size_t i;

	assert_true(test_link_pop(f->l, 0, &p));
	assert_true(p.is_ip);
	assert_mac(&p.eth.dst, &peer.mac);
	assert_mac(&p.eth.src, &us.mac);
	assert_int_equal(p.eth.type, WIRE_ETHERTYPE_IPV4);
	assert_true(p.ip_csum_ok);
	assert_int_equal(p.ip.src, us.ip);
	assert_int_equal(p.ip.dst, peer.ip);
	assert_int_equal(p.ip.proto, WIRE_IPPROTO_ICMP);
	assert_int_equal(p.ip.hdr_len, WIRE_IPV4_HLEN);
	assert_int_equal(p.ip.total_len, WIRE_IPV4_HLEN + WIRE_ICMP_HLEN + len);
	assert_int_equal(p.len, WIRE_ETH_HLEN + WIRE_IPV4_HLEN + WIRE_ICMP_HLEN + len);
	assert_false(wire_ipv4_is_fragment(&p.ip));
	assert_true(p.ip.ttl > 0);
	assert_true(p.is_icmp);
	assert_true(p.icmp_csum_ok);
	assert_int_equal(p.icmp.type, WIRE_ICMP_ECHO_REPLY);
	assert_int_equal(p.icmp.code, 0);
	assert_int_equal(p.icmp.id, id);
	assert_int_equal(p.icmp.seq, seq);
	assert_int_equal(p.plen, len);
	for (i = 0; i < len; i++)
		assert_int_equal(p.payload[i], (uint8_t)(i * 7 + seq));
}

/* ---- ARP ---- */

static void
test_arp_request_for_us(void **state)
{
	static const uint8_t hdr[] = {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02};
	static const uint8_t ip_us[] = {10, 0, 0, 1}, ip_peer[] = {10, 0, 0, 2};
	struct fx *f = *state;
	struct tern_gauges g;
	struct test_pkt p;

	snapshot(f);
	inject(f, arp_frame(f, &bcast, WIRE_ARP_OP_REQUEST, &peer, &zero_mac, us.ip));
	assert_int_equal(test_link_captured(f->l, 0), 1);
	assert_true(test_link_pop(f->l, 0, &p));
	assert_true(p.is_arp);
	assert_int_equal(p.len, WIRE_ETH_HLEN + WIRE_ARP_LEN);
	assert_mac(&p.eth.dst, &peer.mac);
	assert_mac(&p.eth.src, &us.mac);
	assert_int_equal(p.eth.type, WIRE_ETHERTYPE_ARP);
	/* htype 1, ptype 0x0800, hlen 6, plen 4, op 2 */
	assert_memory_equal(p.raw + WIRE_ETH_HLEN, hdr, sizeof(hdr));
	assert_mac(&p.arp.sha, &us.mac);
	assert_int_equal(p.arp.spa, us.ip);
	assert_mac(&p.arp.tha, &peer.mac);
	assert_int_equal(p.arp.tpa, peer.ip);
	/* the raw bytes of spa / tpa, network order */
	assert_memory_equal(p.raw + WIRE_ETH_HLEN + 14, ip_us, 4);
	assert_memory_equal(p.raw + WIRE_ETH_HLEN + 24, ip_peer, 4);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_RX], 1);
	drop_only(f, TERN_DROP_ARP_BAD, 0);
	/* The requester was learnt (RFC 826: we are the target). */
	tern_engine_gauges(f->e, &g);
	assert_int_equal(g.arp_entries, 1);
}

static void
test_arp_request_not_us(void **state)
{
	struct fx *f = *state;
	struct tern_gauges g;

	snapshot(f);
	inject(f, arp_frame(f, &bcast, WIRE_ARP_OP_REQUEST, &peer, &zero_mac, IP4(10, 0, 0, 3)));
	assert_int_equal(test_link_captured(f->l, 0), 0);
	drop_only(f, TERN_DROP_ARP_NOT_US, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_RX], 0);
	tern_engine_gauges(f->e, &g);
	assert_int_equal(g.arp_entries, 0); /* not the target: nothing learnt */
}

static void
test_arp_resolve_and_hold(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;

	snapshot(f);
	/* The echo reply needs the peer's MAC: one request goes out, the reply is held. */
	inject(f, echo_frame(f, &peer, 0x4242, 1, 32));
	expect_arp_request(f, peer.ip, &p);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	/* A second packet to the same neighbour joins the hold queue: no second request. */
	inject(f, echo_frame(f, &peer, 0x4242, 2, 32));
	assert_int_equal(test_link_captured(f->l, 0), 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_TX], 1);
	test_link_advance(f->l, 500);
	assert_int_equal(test_link_captured(f->l, 0), 0);

	inject(f, arp_frame(f, &us.mac, WIRE_ARP_OP_REPLY, &peer, &us.mac, us.ip));
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REPLY_RX], 1);
	assert_int_equal(test_link_captured(f->l, 0), 2);
	expect_echo_reply(f, 0x4242, 1, 32);
	expect_echo_reply(f, 0x4242, 2, 32);
	/* Resolved: the next packet goes straight out. */
	inject(f, echo_frame(f, &peer, 0x4242, 3, 32));
	expect_echo_reply(f, 0x4242, 3, 32);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_TX], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ICMP_ECHO], 3);
	drop_only(f, TERN_DROP_ARP_HOLD_FULL, 0);
}

static void
test_arp_retry_then_drop(void **state)
{
	struct fx *f = *state;
	uint64_t t0 = test_link_now_ms(f->l);
	struct tern_gauges g;
	struct test_pkt p;
	unsigned i;

	snapshot(f);
	inject(f, echo_frame(f, &peer, 1, 1, 16));
	inject(f, echo_frame(f, &peer, 1, 2, 16));
	/* ARP_MAX_TRIES requests, ARP_RETRY_MS apart. */
	for (i = 0; i < ARP_MAX_TRIES; i++) {
		expect_arp_request(f, peer.ip, &p);
		assert_int_equal(p.t_ms, t0 + i * ARP_RETRY_MS);
		assert_int_equal(test_link_captured(f->l, 0), 0);
		test_link_advance(f->l, ARP_RETRY_MS - 1);
		assert_int_equal(test_link_captured(f->l, 0), 0);
		if (i + 1 < ARP_MAX_TRIES)
			test_link_advance(f->l, 1);
	}
	/* At t0 + ARP_MAX_TRIES * ARP_RETRY_MS - 1 the packets are still held. */
	drop_only(f, TERN_DROP_ARP_UNRESOLVED, 0);
	tern_engine_gauges(f->e, &g);
	assert_int_equal(g.arp_entries, 1);
	test_link_advance(f->l, 1);
	drop_only(f, TERN_DROP_ARP_UNRESOLVED, 2);
	tern_engine_gauges(f->e, &g);
	assert_int_equal(g.arp_entries, 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_TX], ARP_MAX_TRIES);
	test_link_advance(f->l, 5000);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

static void
test_arp_malformed(void **state)
{
	struct fx *f = *state;
	struct wire_eth_repr eth = {.dst = bcast, .src = peer.mac, .type = WIRE_ETHERTYPE_ARP};
	struct wire_arp_repr a = {.op = WIRE_ARP_OP_REQUEST,
	        .sha = peer.mac,
	        .spa = peer.ip,
	        .tha = zero_mac,
	        .tpa = us.ip};
	uint8_t buf[WIRE_ARP_LEN];

	snapshot(f);
	/* truncated: 20 of 28 bytes */
	wire_arp_emit(buf, &a);
	inject(f, test_craft_frame(f->pool, &eth, buf, 20));
	drop_only(f, TERN_DROP_ARP_BAD, 1);
	/* htype 6 (IEEE 802) */
	buf[1] = 6;
	inject(f, test_craft_frame(f->pool, &eth, buf, sizeof(buf)));
	drop_only(f, TERN_DROP_ARP_BAD, 2);
	/* ptype 0x86dd */
	wire_arp_emit(buf, &a);
	buf[2] = 0x86;
	buf[3] = 0xdd;
	inject(f, test_craft_frame(f->pool, &eth, buf, sizeof(buf)));
	drop_only(f, TERN_DROP_ARP_BAD, 3);
	/* hlen 8 */
	wire_arp_emit(buf, &a);
	buf[4] = 8;
	inject(f, test_craft_frame(f->pool, &eth, buf, sizeof(buf)));
	drop_only(f, TERN_DROP_ARP_BAD, 4);
	/* op 3 (RARP request) */
	wire_arp_emit(buf, &a);
	buf[7] = 3;
	inject(f, test_craft_frame(f->pool, &eth, buf, sizeof(buf)));
	drop_only(f, TERN_DROP_ARP_BAD, 5);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_RX], 0);
}

/* arp_resolved() (the data path's next hop): what arp_output() would send to at once,
 * through its one-entry memo, which never outlives a change in the cache. */
static void
test_arp_resolved_memo(void **state)
{
	static const struct test_host moved = {
	        IP4(10, 0, 0, 2), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x22}}};
	struct fx *f = *state;
	const struct wire_mac *mac;
	struct test_pkt p;

	snapshot(f);
	assert_null(arp_resolved(f->e, peer.ip)); /* no entry: arp_output() asks */
	/* Unresolved: the echo reply is held, so the entry is INCOMPLETE, not usable. */
	inject(f, echo_frame(f, &peer, 7, 1, 16));
	expect_arp_request(f, peer.ip, &p);
	assert_null(arp_resolved(f->e, peer.ip));
	inject(f, arp_frame(f, &us.mac, WIRE_ARP_OP_REPLY, &peer, &us.mac, us.ip));
	expect_echo_reply(f, 7, 1, 16);
	mac = arp_resolved(f->e, peer.ip);
	assert_non_null(mac);
	assert_mac(mac, &peer.mac);
	assert_null(arp_resolved(f->e, IP4(10, 0, 0, 3))); /* another address: no memo hit */
	assert_non_null(arp_resolved(f->e, peer.ip));
	/* The peer moves to another MAC: seen at once, memo or not. */
	inject(f, arp_frame(f, &us.mac, WIRE_ARP_OP_REPLY, &moved, &us.mac, us.ip));
	mac = arp_resolved(f->e, peer.ip);
	assert_non_null(mac);
	assert_mac(mac, &moved.mac);
	/* Past ARP_REACHABLE_MS: not usable as is; arp_output() marks it STALE and asks,
	 * then it is used while the question is out. */
	test_link_advance(f->l, ARP_REACHABLE_MS + 1);
	assert_null(arp_resolved(f->e, peer.ip));
	inject(f, echo_frame(f, &peer, 7, 2, 16));
	expect_arp_request(f, peer.ip, &p);
	assert_true(test_link_pop(f->l, 0, &p));
	assert_mac(&p.eth.dst, &moved.mac);
	assert_non_null(arp_resolved(f->e, peer.ip));
	/* Unconfirmed for ARP_MAX_TRIES retries: removed, and the memo does not keep it. */
	test_link_advance(f->l, ARP_MAX_TRIES * ARP_RETRY_MS);
	while (test_link_pop(f->l, 0, &p))
		assert_true(p.is_arp);
	assert_null(arp_resolved(f->e, peer.ip));
	drop_only(f, TERN_DROP_ARP_HOLD_FULL, 0);
}

/* ---- ICMP and IPv4 ---- */

static void
seed_arp(struct fx *f)
{
	inject(f, arp_frame(f, &us.mac, WIRE_ARP_OP_REPLY, &peer, &us.mac, us.ip));
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

static void
test_icmp_echo(void **state)
{
	struct fx *f = *state;

	seed_arp(f);
	snapshot(f);
	inject(f, echo_frame(f, &peer, 0xbeef, 7, 56));
	assert_int_equal(test_link_captured(f->l, 0), 1);
	expect_echo_reply(f, 0xbeef, 7, 56);
	/* odd length: the checksum pads with a zero byte */
	inject(f, echo_frame(f, &peer, 0xbeef, 8, 33));
	expect_echo_reply(f, 0xbeef, 8, 33);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ICMP_ECHO], 2);
	drop_only(f, TERN_DROP_ICMP_BAD, 0);
}

static void
test_icmp_bad(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *m;

	seed_arp(f);
	snapshot(f);
	m = echo_frame(f, &peer, 1, 1, 20);
	rte_pktmbuf_mtod(m, uint8_t *)[WIRE_ETH_HLEN + WIRE_IPV4_HLEN + 2] ^= 0x01; /* csum */
	inject(f, m);
	drop_only(f, TERN_DROP_ICMP_BAD, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

static struct rte_mbuf *
ip_frame(const struct fx *f, uint16_t frag)
{
	struct wire_ipv4_repr ip = {.proto = WIRE_IPPROTO_ICMP, .frag = frag};
	struct wire_icmp_repr ic = {.type = WIRE_ICMP_ECHO_REQUEST, .id = 9, .seq = 9};
	uint8_t buf[WIRE_ICMP_HLEN + 8] = {0};

	wire_icmp_emit(buf, &ic, 8);
	return test_craft_ipv4(f->pool, &peer, &us, &ip, buf, sizeof(buf));
}

/* Rewrite the IPv4 header checksum of frame @p m after a test changed header bytes. */
static void
ip_recsum(struct rte_mbuf *m)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *) + WIRE_ETH_HLEN;
	uint32_t sum = 0;
	unsigned i;

	ip[10] = ip[11] = 0;
	for (i = 0; i < WIRE_IPV4_HLEN; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

static void
test_ipv4_drops(void **state)
{
	struct fx *f = *state;
	struct wire_eth_repr eth = {.dst = us.mac, .src = peer.mac, .type = WIRE_ETHERTYPE_IPV4};
	struct rte_mbuf *m;
	uint8_t *ip;

	seed_arp(f);

	/* control: the unmodified frame is answered */
	snapshot(f);
	inject(f, ip_frame(f, 0));
	assert_int_equal(test_link_captured(f->l, 0), 1);
	test_link_flush(f->l, 0);
	drop_only(f, TERN_DROP_IP_CSUM, 0);

	/* header checksum */
	snapshot(f);
	m = ip_frame(f, 0);
	rte_pktmbuf_mtod(m, uint8_t *)[WIRE_ETH_HLEN + 11] ^= 0x40;
	inject(f, m);
	drop_only(f, TERN_DROP_IP_CSUM, 1);

	/* version 6 (checksum made right, so only the version is wrong) */
	snapshot(f);
	m = ip_frame(f, 0);
	ip = rte_pktmbuf_mtod(m, uint8_t *) + WIRE_ETH_HLEN;
	ip[0] = 0x65;
	ip_recsum(m);
	inject(f, m);
	drop_only(f, TERN_DROP_IP_VERSION, 1);

	/* truncated: no IPv4 header at all, then 12 bytes of one */
	snapshot(f);
	inject(f, test_craft_frame(f->pool, &eth, NULL, 0));
	drop_only(f, TERN_DROP_IP_TRUNC, 1);
	snapshot(f);
	m = ip_frame(f, 0);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (WIRE_ETH_HLEN + 12));
	inject(f, m);
	drop_only(f, TERN_DROP_IP_TRUNC, 1);

	/* total length beyond the frame */
	snapshot(f);
	m = ip_frame(f, 0);
	ip = rte_pktmbuf_mtod(m, uint8_t *) + WIRE_ETH_HLEN;
	ip[3] += 10;
	ip_recsum(m);
	inject(f, m);
	drop_only(f, TERN_DROP_IP_LEN, 1);

	/* fragments: more-fragments set, and a non-zero offset */
	snapshot(f);
	inject(f, ip_frame(f, WIRE_IPV4_MF));
	inject(f, ip_frame(f, 185));
	drop_only(f, TERN_DROP_IP_FRAG, 2);

	/* not our address (our MAC, another IP) */
	snapshot(f);
	m = ip_frame(f, 0);
	ip = rte_pktmbuf_mtod(m, uint8_t *) + WIRE_ETH_HLEN;
	ip[19] = 9; /* 10.0.0.9 */
	ip_recsum(m);
	inject(f, m);
	drop_only(f, TERN_DROP_IP_NOT_US, 1);

	assert_int_equal(test_link_captured(f->l, 0), 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ICMP_ECHO], 1);
}

/* A SYN from peer to a closed port of ours (the engine answers a RST when it takes it). */
static struct rte_mbuf *
syn_frame(const struct fx *f)
{
	struct wire_tcp_repr th = {
	        .sport = 40000, .dport = 9, .seq = 1000, .flags = WIRE_TCP_SYN, .win = 1000};

	return test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0);
}

/*
 * The same drops for TCP, whose frames batched RX checks whole (ipv4_tcp_fast()) and takes
 * straight to TCP: every frame that fails a check there takes the general path and is
 * dropped with its reason; a header with options is taken by the general path.
 */
static void
test_ipv4_tcp_drops(void **state)
{
	struct fx *f = *state;
	struct wire_eth_repr eth = {.dst = us.mac, .src = peer.mac, .type = WIRE_ETHERTYPE_IPV4};
	uint8_t raw[WIRE_IPV4_HLEN + 4 + WIRE_TCP_HLEN];
	struct rte_mbuf *m;
	static const struct {
		uint8_t off; /* in the IPv4 header */
		char op;     /* '=' set, '|' or, '+' add */
		uint8_t val;
		enum tern_drop drop;
	} bad[] = {
	        {8, '=', 0, TERN_DROP_IP_TTL},                  /* TTL 0 */
	        {6, '|', WIRE_IPV4_MF >> 8, TERN_DROP_IP_FRAG}, /* a fragment */
	        {19, '=', 9, TERN_DROP_IP_NOT_US},              /* not our address */
	        {12, '=', 127, TERN_DROP_IP_SRC_BAD},           /* a loopback source */
	        {3, '+', 4, TERN_DROP_IP_LEN},                  /* total length beyond the frame */
	};
	uint8_t *ip;
	unsigned i;
	uint32_t sum;

	/* control: the unmodified SYN draws a RST */
	snapshot(f);
	inject(f, syn_frame(f));
	assert_int_equal(test_link_captured(f->l, 0), 1);
	test_link_flush(f->l, 0);
	drop_only(f, TERN_DROP_TCP_NO_LISTENER_RST, 1);

	snapshot(f); /* header checksum */
	m = syn_frame(f);
	rte_pktmbuf_mtod(m, uint8_t *)[WIRE_ETH_HLEN + 11] ^= 0x40;
	inject(f, m);
	drop_only(f, TERN_DROP_IP_CSUM, 1);

	/* one IPv4 header byte changed (the checksum made right again) */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *b;

		snapshot(f);
		m = syn_frame(f);
		b = rte_pktmbuf_mtod(m, uint8_t *) + WIRE_ETH_HLEN + bad[i].off;
		*b = bad[i].op == '='   ? bad[i].val
		     : bad[i].op == '|' ? (uint8_t)(*b | bad[i].val)
		                        : (uint8_t)(*b + bad[i].val);
		ip_recsum(m);
		inject(f, m);
		drop_only(f, bad[i].drop, 1);
	}

	snapshot(f); /* another host's MAC */
	m = syn_frame(f);
	rte_pktmbuf_mtod(m, uint8_t *)[5] ^= 0x10;
	inject(f, m);
	drop_only(f, TERN_DROP_ETH_NOT_US, 1);
	assert_int_equal(test_link_captured(f->l, 0), 0);

	/* IHL 6 (a word of NOP options, RFC 791): the general path takes it, a RST again */
	m = syn_frame(f);
	ip = rte_pktmbuf_mtod(m, uint8_t *) + WIRE_ETH_HLEN;
	memcpy(raw, ip, WIRE_IPV4_HLEN);
	memset(raw + WIRE_IPV4_HLEN, 1, 4); /* NOP */
	memcpy(raw + WIRE_IPV4_HLEN + 4, ip + WIRE_IPV4_HLEN, WIRE_TCP_HLEN);
	rte_pktmbuf_free(m);
	raw[0] = 0x46;
	raw[3] += 4;
	raw[10] = raw[11] = 0;
	for (i = 0, sum = 0; i < WIRE_IPV4_HLEN + 4; i += 2)
		sum += (uint32_t)raw[i] << 8 | raw[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	raw[10] = (uint8_t)(~sum >> 8);
	raw[11] = (uint8_t)~sum;
	snapshot(f);
	inject(f, test_craft_frame(f->pool, &eth, raw, sizeof(raw)));
	assert_int_equal(test_link_captured(f->l, 0), 1);
	drop_only(f, TERN_DROP_TCP_NO_LISTENER_RST, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_arp_request_for_us, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_arp_request_not_us, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_arp_resolve_and_hold, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_arp_retry_then_drop, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_arp_malformed, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_arp_resolved_memo, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_icmp_echo, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_icmp_bad, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ipv4_drops, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ipv4_tcp_drops, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
