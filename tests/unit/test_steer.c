/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port allocation and steering between engines (stack/tcp/ephemeral.c,
 * stack/engine/steer.c, stack/util/toeplitz.c): shares of the ephemeral range, the
 * rotating cursor, exhaustion per destination, several source addresses, TIME_WAIT
 * candidates and the reuse policy, RSS-aware port choice checked against DPDK's
 * rte_softrss and Microsoft's published RSS test vector, and the ring handoff of a
 * misdirected segment and of ARP between two engines.
 *
 * Engines run over the in-memory link on a fake clock (link.c). In the handoff tests the
 * two engines of "one port" each sit on their own link, end 0 capturing, so the test
 * decides which engine a frame from the peer reaches.
 */
#include <errno.h>
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
#include <rte_thash.h>

#include "engine/engine.h"
#include "tcp/ephemeral.h"
#include "tcp/tcp.h"
#include "test_helpers.h"
#include "util/toeplitz.h"
#include "wire/eth.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

static const struct test_host us = {IP4(10, 0, 0, 1), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}};
static const struct test_host peer = {IP4(10, 0, 0, 2), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}};
static const struct test_host peer2 = {IP4(10, 0, 0, 3), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x03}}};
#define US2 IP4(10, 0, 0, 9) /* a second local address (--src-ip) */

/* Microsoft's RSS verification key ("Verifying the RSS Hash Calculation"). */
static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25,
        0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb,
        0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

struct fx {
	struct rte_mempool *pool;
	unsigned free0;
	struct test_clock clk;
	struct test_link *l, *l2;
	struct rte_ring *rings[4];
	unsigned connected, closed;
	struct tern_conn *last;
};

static unsigned ring_seq; /* unique ring names across tests */

static void
cb_connected(struct tern_conn *c, void *app)
{
	struct fx *f = app;

	f->connected++;
	f->last = c;
}

static void
cb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct fx *f = app;

	(void)c;
	(void)why;
	f->closed++;
}

static const struct tern_callbacks cbs = {.connected = cb_connected, .closed = cb_closed};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = test_eal_pool();
	f->free0 = rte_mempool_avail_count(f->pool);
	f->clk.ns = 1000ull * 1000000000ull;
	f->l = test_link_new(f->pool, &f->clk);
	f->l2 = test_link_new(f->pool, &f->clk);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	unsigned i;

	test_link_free(f->l);
	test_link_free(f->l2);
	for (i = 0; i < 4; i++)
		rte_ring_free(f->rings[i]);
	/* every mbuf came back: rings drained, copies freed */
	assert_int_equal(rte_mempool_avail_count(f->pool), f->free0);
	free(f);
	return 0;
}

static void
make_rings(struct fx *f, unsigned n, unsigned size)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		char name[RTE_RING_NAMESIZE];
		snprintf(name, sizeof(name), "ut_steer_%u", ring_seq++);
		f->rings[i] = rte_ring_create(name, size, 0, RING_F_SC_DEQ);
		assert_non_null(f->rings[i]);
	}
}

/* Local address and port of connection @p c. */
static struct tern_tuple
tup(const struct tern_conn *c)
{
	struct tern_tuple t;

	tern_conn_tuple(c, &t);
	return t;
}

/* ---- shares ---- */

static void
test_share_disjoint_cover(void **state)
{
	static const struct {
		uint16_t lo, hi;
	} ranges[] = {{32768, 60999}, {40000, 40003}, {1, 65535}, {1000, 1006}, {5, 5}};
	unsigned r, n, i;

	(void)state;
	for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		uint32_t range = (uint32_t)ranges[r].hi - ranges[r].lo + 1;
		for (n = 1; n <= 16 && n <= range; n++) {
			uint32_t next = ranges[r].lo, total = 0;
			for (i = 0; i < n; i++) {
				uint16_t first;
				uint32_t len, p;
				share_of(ranges[r].lo, ranges[r].hi, i, n, &first, &len);
				/* contiguous, in order, non-empty, within one port of equal */
				assert_int_equal(first, next);
				assert_true(len >= range / n && len <= range / n + 1);
				for (p = first; p < first + len; p++)
					assert_int_equal(share_owner(ranges[r].lo, ranges[r].hi, n,
					                         (uint16_t)p),
					        i);
				next = first + len;
				total += len;
			}
			assert_int_equal(total, range); /* covers the range exactly */
			if (ranges[r].lo > 1)
				assert_int_equal(share_owner(ranges[r].lo, ranges[r].hi, n,
				                         (uint16_t)(ranges[r].lo - 1)),
				        n);
			if (ranges[r].hi < 65535)
				assert_int_equal(share_owner(ranges[r].lo, ranges[r].hi, n,
				                         (uint16_t)(ranges[r].hi + 1)),
				        n);
		}
	}
}

/* Engines of one port, each created with its own id: their port choices never meet. */
/* An engine with a local port the rule gives to @p owner for answers from raddr:rport. */
static uint16_t
port_owned(
        const struct tern_engine *e, uint32_t raddr, uint16_t rport, unsigned owner, uint16_t from)
{
	uint16_t p;

	for (p = from; steer_owner(&e->steer, raddr, us.ip, rport, p) != owner; p++)
		;
	return p;
}

/* Three engines share 10 ports in blocks of 3, 3 and 4, under software and rte_flow alike
 * (the ephemeral part of the owner rule): every port is opened by exactly one engine, the
 * one the rule names, and even so small a range leaves no engine without ports. */
static void
test_share_engines_disjoint(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	struct tern_engine *e[3];
	enum tern_steer_method m;
	unsigned i, k;

	make_rings(f, 3, 64);
	for (m = TERN_STEER_RTE_FLOW; m <= TERN_STEER_SOFTWARE; m++) {
		uint8_t used[16] = {0};
		unsigned total = 0;
		for (i = 0; i < 3; i++) {
			test_engine_conf(&c, f->l, 0, &us);
			c.port_lo = 50000;
			c.port_hi = 50009;
			c.nengines = 3;
			c.id = i;
			c.rings = f->rings;
			c.steer = m;
			c.max_conns = 16;
			e[i] = tern_engine_create(&c);
			assert_non_null(e[i]);
			assert_int_equal(tern_engine_steer_method(e[i]), m);
		}
		for (i = 0; i < 3; i++) {
			unsigned got = 0;
			struct tern_conn *cn;
			while ((cn = tern_connect(e[i], peer.ip, 80, 0, NULL)) != NULL) {
				struct tern_tuple t = tup(cn);
				assert_true(t.lport >= 50000 && t.lport <= 50009);
				for (k = 0; k < 3; k++)
					assert_int_equal(steer_owner(&e[k]->steer, peer.ip, us.ip,
					                         80, t.lport),
					        i);
				assert_int_equal(share_owner(50000, 50009, 3, t.lport), i);
				assert_int_equal(used[t.lport - 50000], 0);
				used[t.lport - 50000] = 1;
				got++;
			}
			assert_int_equal(rte_errno, EADDRNOTAVAIL);
			assert_int_equal(got, i == 2 ? 4 : 3);
			total += got;
		}
		assert_int_equal(total, 10);
		for (k = 0; k < 10; k++)
			assert_int_equal(used[k], 1);
		/* an explicit port another engine owns is refused; an owned one is fine */
		assert_null(tern_connect(
		        e[0], peer.ip, 81, port_owned(e[0], peer.ip, 81, 1, 50000), NULL));
		assert_int_equal(rte_errno, EINVAL);
		assert_non_null(tern_connect(
		        e[0], peer.ip, 81, port_owned(e[0], peer.ip, 81, 0, 50000), NULL));
		for (i = 0; i < 3; i++)
			tern_engine_destroy(e[i]);
	}
	/* blocks with more engines than ports: refused at creation */
	test_engine_conf(&c, f->l, 0, &us);
	c.port_lo = c.port_hi = 50000;
	c.nengines = 2;
	c.rings = f->rings;
	c.steer = TERN_STEER_RTE_FLOW;
	assert_null(tern_engine_create(&c));
	assert_int_equal(rte_errno, EINVAL);
	/* a RETA naming a queue no engine polls, or RSS without the NIC's table: refused */
	{
		static struct tern_rss bad;
		memcpy(bad.key, ms_key, sizeof(ms_key));
		bad.key_len = sizeof(ms_key);
		bad.reta_size = 4;
		bad.reta[3] = 2;
		test_engine_conf(&c, f->l, 0, &us);
		c.nengines = 2;
		c.rings = f->rings;
		c.rss = &bad;
		assert_null(tern_engine_create(&c));
		c.rss = NULL;
		c.steer = TERN_STEER_RSS;
		assert_null(tern_engine_create(&c));
	}
}

/* ---- one engine: cursor, exhaustion, source addresses ---- */

static struct tern_engine *
one_engine(struct fx *f, uint16_t lo, uint16_t hi, const uint32_t *src, uint8_t nsrc)
{
	struct tern_engine_conf c;

	test_link_capture(f->l, 0, true);
	test_link_auto_arp(f->l, 0, peer.ip, &peer.mac);
	test_engine_conf(&c, f->l, 0, &us);
	c.cb = &cbs;
	c.app = f;
	c.port_lo = lo;
	c.port_hi = hi;
	if (nsrc > 0)
		memcpy(c.src_ips, src, sizeof(*src) * nsrc);
	c.nsrc_ips = nsrc;
	return test_engine_new_conf(f->l, 0, &c);
}

/* The cursor offers the pair handed out longest ago: a port freed at once is not taken
 * again until the others have had their turn. */
static void
test_cursor_rotation(void **state)
{
	struct fx *f = *state;
	struct tern_engine *e = one_engine(f, 40000, 40007, NULL, 0);
	unsigned i;

	for (i = 0; i < 20; i++) {
		struct tern_conn *c = tern_connect(e, peer.ip, 80, 0, NULL);
		assert_non_null(c);
		/* a given secret starts the cursor at the first port of the share */
		assert_int_equal(tup(c).lport, 40000 + i % 8);
		tern_conn_abort(c);
		test_link_poll(f->l);
		assert_int_equal(f->closed, i + 1);
	}
	test_link_flush(f->l, 0);
}

/* EADDRNOTAVAIL only when every port is busy toward that destination. */
static void
test_exhaustion_per_destination(void **state)
{
	struct fx *f = *state;
	struct tern_engine *e = one_engine(f, 40000, 40003, NULL, 0);
	struct tern_conn *c[4], *x;
	unsigned i;

	for (i = 0; i < 4; i++) {
		c[i] = tern_connect(e, peer.ip, 80, 0, NULL);
		assert_non_null(c[i]);
	}
	assert_null(tern_connect(e, peer.ip, 80, 0, NULL));
	assert_int_equal(rte_errno, EADDRNOTAVAIL);
	/* the same ports are free toward another port and another host */
	x = tern_connect(e, peer.ip, 81, 0, NULL);
	assert_non_null(x);
	assert_true(tup(x).lport >= 40000 && tup(x).lport <= 40003);
	x = tern_connect(e, peer2.ip, 80, 0, NULL);
	assert_non_null(x);
	/* one freed: exactly that one comes back */
	tern_conn_abort(c[2]);
	test_link_poll(f->l);
	x = tern_connect(e, peer.ip, 80, 0, NULL);
	assert_non_null(x);
	assert_int_equal(tup(x).lport, tup(c[0]).lport + 2);
	assert_null(tern_connect(e, peer.ip, 80, 0, NULL));
	assert_int_equal(rte_errno, EADDRNOTAVAIL);
	/* a listener's port is never an ephemeral choice */
	test_engine_destroy(f->l, 0);
	test_link_flush(f->l, 0);
	e = one_engine(f, 40000, 40001, NULL, 0);
	assert_int_equal(tern_listen(e, 40000, 0), 0);
	x = tern_connect(e, peer.ip, 80, 0, NULL);
	assert_non_null(x);
	assert_int_equal(tup(x).lport, 40001);
	assert_null(tern_connect(e, peer.ip, 80, 0, NULL));
	assert_int_equal(rte_errno, EADDRNOTAVAIL);
	test_link_flush(f->l, 0);
}

static void
test_src_ips(void **state)
{
	struct fx *f = *state;
	static const uint32_t src[] = {US2};
	struct tern_engine *e = one_engine(f, 40000, 40001, src, 1);
	struct wire_arp_repr req = {.op = WIRE_ARP_OP_REQUEST,
	        .sha = peer.mac,
	        .spa = peer.ip,
	        .tha = {{0}},
	        .tpa = US2};
	const struct test_host us2 = {US2, us.mac};
	struct wire_tcp_repr th = {0};
	unsigned seen = 0, i;
	struct test_pkt p;

	for (i = 0; i < 4; i++) {
		struct tern_conn *c = tern_connect(e, peer.ip, 80, 0, NULL);
		struct tern_tuple t;
		assert_non_null(c);
		t = tup(c);
		/* addresses vary fastest: us, us2, us, us2 over ports 40000, 40000, 40001, ... */
		assert_int_equal(t.laddr, i % 2 ? US2 : us.ip);
		assert_int_equal(t.lport, 40000 + i / 2);
		seen |= 1u << i;
	}
	assert_null(tern_connect(e, peer.ip, 80, 0, NULL));
	assert_int_equal(rte_errno, EADDRNOTAVAIL);
	/* the SYNs leave from their own address, checksums right */
	test_link_poll(f->l);
	for (i = 0; i < 4; i++) {
		assert_true(test_link_pop(f->l, 0, &p));
		assert_true(p.is_tcp && p.tcp_csum_ok && p.ip_csum_ok);
		assert_int_equal(p.ip.src, i % 2 ? US2 : us.ip);
	}
	/* ARP for the second address is answered, from it */
	struct wire_mac bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	test_link_inject(f->l, 0, test_craft_arp(f->pool, &bcast, &req));
	test_link_poll(f->l);
	assert_true(test_link_pop(f->l, 0, &p));
	assert_true(p.is_arp);
	assert_int_equal(p.arp.op, WIRE_ARP_OP_REPLY);
	assert_int_equal(p.arp.spa, US2);
	assert_memory_equal(&p.arp.sha, &us.mac, sizeof(us.mac));
	/* TCP to the second address is taken in: a segment to no connection draws a RST
	 * from that address (not an ip_not_us drop) */
	th.sport = 5555;
	th.dport = 7;
	th.seq = 1;
	th.flags = WIRE_TCP_SYN;
	th.win = 1000;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us2, &th, NULL, 0));
	test_link_poll(f->l);
	assert_true(test_link_pop(f->l, 0, &p));
	assert_true(p.is_tcp && p.tcp_csum_ok);
	assert_true(p.tcp.flags & WIRE_TCP_RST);
	assert_int_equal(p.ip.src, US2);
	assert_int_equal(tern_engine_stats(e)->drop[TERN_DROP_IP_NOT_US], 0);
	assert_int_equal(seen, 0xf);
	test_link_flush(f->l, 0);
}

/* ---- TIME_WAIT candidates ---- */

static unsigned fake_calls;
static struct flow_key fake_key;

static bool
fake_reuse_yes(struct tern_engine *e, struct tcp_tw *tw, tern_seq_t *iss)
{
	fake_calls++;
	fake_key = tw->node.key;
	*iss = tw->snd_nxt + 0x10000;
	tw_remove(e, tw);
	return true;
}

/* The far engine of the TIME_WAIT test closes when the peer does. */
static void
b_readable(struct tern_conn *c, void *app)
{
	uint8_t buf[64];

	(void)app;
	while (tern_conn_recv(c, buf, sizeof(buf)) > 0)
		;
	if (tern_conn_recv(c, buf, sizeof(buf)) == 0)
		tern_conn_close(c);
}

static const struct tern_callbacks b_cbs = {.readable = b_readable};

/* Two engines talk over the link; A's single port ends in TIME_WAIT toward B. */
static void
test_time_wait_candidate(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf ca, cb;
	struct tern_engine *a, *b;
	struct tern_conn *c;
	struct test_pkt p;
	uint32_t tw_snd_nxt;
	struct tcp_tw *tw;

	test_engine_conf(&ca, f->l, 0, &us);
	ca.cb = &cbs;
	ca.app = f;
	ca.port_lo = ca.port_hi = 40000;
	test_engine_conf(&cb, f->l, 1, &peer);
	cb.cb = &b_cbs;
	a = test_engine_new_conf(f->l, 0, &ca);
	b = test_engine_new_conf(f->l, 1, &cb);
	assert_int_equal(tern_listen(b, 80, 0), 0);
	c = tern_connect(a, peer.ip, 80, 0, NULL);
	assert_non_null(c);
	test_link_advance(f->l, 10);
	assert_int_equal(f->connected, 1);
	tern_conn_close(c);
	test_link_advance(f->l, 10);
	assert_int_equal(f->closed, 1);
	assert_int_equal(a->tcp.ntw, 1);

	/* the real policy (tw_reuse_active) says no to an entry younger than tw_reuse_ms:
	 * skipped, and with one port, EADDRNOTAVAIL */
	fake_calls = 0;
	assert_null(tern_connect(a, peer.ip, 80, 0, NULL));
	assert_int_equal(rte_errno, EADDRNOTAVAIL);
	assert_int_equal(a->tcp.ntw, 1);
	/* toward another port the tuple differs: no TIME_WAIT in the way */
	c = tern_connect(a, peer.ip, 81, 0, NULL);
	assert_non_null(c);
	assert_int_equal(tup(c).lport, 40000);
	tern_conn_abort(c);
	test_link_advance(f->l, 10);

	/* once the entry is older than tw_reuse_ms (1 s) the real policy lets it go (the two
	 * engines use timestamps): the port is reused toward the same destination */
	test_link_advance(f->l, 1500);
	assert_int_equal(a->tcp.ntw, 1);
	c = tern_connect(a, peer.ip, 80, 0, NULL);
	assert_non_null(c);
	assert_int_equal(tup(c).lport, 40000);
	assert_int_equal(a->tcp.ntw, 0);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_TCP_TW_REUSE_ACTIVE], 1);
	test_link_advance(f->l, 10);
	assert_int_equal(f->connected, 2);
	tern_conn_close(c);
	test_link_advance(f->l, 10);
	assert_int_equal(a->tcp.ntw, 1);

	/* a policy that says yes: called with the entry, which is gone, and its ISS is used */
	tw = (struct tcp_tw *)tern_container_of(
	        tern_list_first(&a->tcp.tw_fifo), struct tcp_tw, fifo);
	tw_snd_nxt = tw->snd_nxt;
	a->tcp.eph.tw_reuse = fake_reuse_yes;
	test_link_capture(f->l, 0, true);
	c = tern_connect(a, peer.ip, 80, 0, NULL);
	assert_non_null(c);
	assert_int_equal(fake_calls, 1);
	assert_int_equal(fake_key.lport, 40000);
	assert_int_equal(fake_key.raddr, peer.ip);
	assert_int_equal(fake_key.rport, 80);
	assert_int_equal(a->tcp.ntw, 0);
	test_link_poll(f->l);
	assert_true(test_link_pop(f->l, 0, &p));
	assert_true(p.is_tcp);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN);
	assert_int_equal(p.tcp.seq, tw_snd_nxt + 0x10000);
	test_link_flush(f->l, 0);
}

/* ---- Toeplitz and RSS-aware choice ---- */

/* rte_softrss's input: host-order words (DPDK's own implementation, not ours). */
static uint32_t
ref_hash(const uint8_t *key, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	uint32_t in[3] = {src, dst, (uint32_t)sport << 16 | dport};

	return rte_softrss(in, 3, key);
}

static void
test_toeplitz_reference(void **state)
{
	uint32_t tab[TOEPLITZ_IPV4_TCP_LEN][256];
	uint8_t key[40];
	unsigned i, k;

	(void)state;
	/* Microsoft's verification table, IPv4 with TCP ports: 66.9.149.187:2794 ->
	 * 161.142.100.80:1766 hashes to 0x51ccc178. */
	assert_int_equal(ref_hash(ms_key, IP4(66, 9, 149, 187), IP4(161, 142, 100, 80), 2794, 1766),
	        0x51ccc178);
	toeplitz_tables(ms_key, sizeof(ms_key), TOEPLITZ_IPV4_TCP_LEN, tab);
	assert_int_equal(toeplitz_ipv4_tcp_tab((const uint32_t(*)[256])tab, IP4(66, 9, 149, 187),
	                         IP4(161, 142, 100, 80), 2794, 1766),
	        0x51ccc178);
	for (k = 0; k < 8; k++) {
		for (i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(rand() >> 7);
		toeplitz_tables(key, sizeof(key), TOEPLITZ_IPV4_TCP_LEN, tab);
		for (i = 0; i < 2000; i++) {
			uint32_t s = (uint32_t)rand() * 2654435761u,
			         d = (uint32_t)rand() ^ 0x5a5a1234;
			uint16_t sp = (uint16_t)rand(), dp = (uint16_t)(rand() >> 3);
			uint8_t in[12] = {(uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8),
			        (uint8_t)s, (uint8_t)(d >> 24), (uint8_t)(d >> 16),
			        (uint8_t)(d >> 8), (uint8_t)d, (uint8_t)(sp >> 8), (uint8_t)sp,
			        (uint8_t)(dp >> 8), (uint8_t)dp};
			uint32_t want = ref_hash(key, s, d, sp, dp);
			assert_int_equal(toeplitz_hash(key, sizeof(key), in, sizeof(in)), want);
			assert_int_equal(
			        toeplitz_ipv4_tcp_tab((const uint32_t(*)[256])tab, s, d, sp, dp),
			        want);
		}
	}
}

/* rte_softrss over an IPv6/TCP tuple: nine host-order words, the addresses as DPDK's
 * rte_thash_load_v6_addrs() loads them (DPDK's own implementation, not ours). */
static uint32_t
ref_hash6(
        const uint8_t *key, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	struct rte_ipv6_hdr h;
	union rte_thash_tuple t;

	memset(&h, 0, sizeof(h));
	memcpy(h.src_addr, src, 16);
	memcpy(h.dst_addr, dst, 16);
	rte_thash_load_v6_addrs(&h, &t);
	t.v6.sport = sport;
	t.v6.dport = dport;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V6_L4_LEN, key);
}

/* The IPv6/TCP Toeplitz hash (tables and bit by bit) against rte_softrss, on Microsoft's
 * verification vector and on random keys and tuples. */
static void
test_toeplitz_reference_v6(void **state)
{
	static const uint8_t s0[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, [15] = 7};
	static const uint8_t d0[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, [15] = 1};
	static uint32_t tab[TOEPLITZ_IPV6_TCP_LEN][256];
	uint8_t key[40], in[36];
	unsigned i, j, k;

	(void)state;
	/* Microsoft's table, IPv6 with TCP ports: [3ffe:2501:200:1fff::7]:2794 ->
	 * [3ffe:2501:200:3::1]:1766 hashes to 0x40207d3d. */
	assert_int_equal(ref_hash6(ms_key, s0, d0, 2794, 1766), 0x40207d3d);
	toeplitz_tables(ms_key, sizeof(ms_key), TOEPLITZ_IPV6_TCP_LEN, tab);
	assert_int_equal(
	        toeplitz_ipv6_tcp_tab((const uint32_t(*)[256])tab, s0, d0, 2794, 1766), 0x40207d3d);
	for (k = 0; k < 4; k++) {
		for (i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(rand() >> 7);
		toeplitz_tables(key, sizeof(key), TOEPLITZ_IPV6_TCP_LEN, tab);
		for (i = 0; i < 1000; i++) {
			uint16_t sp = (uint16_t)rand(), dp = (uint16_t)(rand() >> 3);
			uint32_t want;

			for (j = 0; j < 32; j++)
				in[j] = (uint8_t)(rand() >> 5);
			in[32] = (uint8_t)(sp >> 8);
			in[33] = (uint8_t)sp;
			in[34] = (uint8_t)(dp >> 8);
			in[35] = (uint8_t)dp;
			want = ref_hash6(key, in, in + 16, sp, dp);
			assert_int_equal(toeplitz_hash(key, sizeof(key), in, sizeof(in)), want);
			assert_int_equal(toeplitz_ipv6_tcp_tab(
			                         (const uint32_t(*)[256])tab, in, in + 16, sp, dp),
			        want);
		}
	}
}

/* Over IPv6 too: every port an engine picks toward an IPv6 peer makes the answer's IPv6/TCP
 * hash (rte_softrss) land on its queue; the engines share the range between them. */
static void
test_rss_port_choice_v6(void **state)
{
	static const uint8_t us6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct tern_addr dst = {.family = TERN_AF_INET6, .v6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	struct fx *f = *state;
	static struct tern_rss rss;
	struct tern_engine_conf c;
	struct tern_engine *e[4];
	uint8_t used[256];
	unsigned q, i, n[4] = {0};

	memset(used, 0, sizeof(used));
	memcpy(rss.key, ms_key, sizeof(ms_key));
	rss.key_len = sizeof(ms_key);
	rss.reta_size = 128;
	for (i = 0; i < 128; i++)
		rss.reta[i] = (uint16_t)((i * 7) % 4);
	make_rings(f, 4, 64);
	for (q = 0; q < 4; q++) {
		test_engine_conf(&c, f->l, 0, &us);
		memcpy(c.ip6, us6, 16);
		c.port_lo = 41000;
		c.port_hi = 41255;
		c.nengines = 4;
		c.id = q;
		c.rings = f->rings;
		c.steer = TERN_STEER_RSS;
		c.rss = &rss;
		c.max_conns = 256;
		e[q] = tern_engine_create(&c);
		assert_non_null(e[q]);
		tern_engine_poll(e[q]); /* DAD starts */
	}
	f->clk.ns += 1100 * 1000000ull;
	for (q = 0; q < 4; q++) {
		struct tern_conn *cn;

		tern_engine_poll(e[q]);
		assert_int_equal(tern_engine_ip6_state(e[q]), TERN_IP6_PREFERRED);
		while ((cn = tern_connect_addr(e[q], &dst, 443, 0, NULL)) != NULL) {
			struct tern_addr a;
			uint16_t lport;
			uint32_t h;

			tern_conn_local(cn, &a, &lport);
			assert_int_equal(a.family, TERN_AF_INET6);
			assert_memory_equal(a.v6, us6, 16);
			h = ref_hash6(ms_key, dst.v6, us6, 443, lport);
			assert_true(lport >= 41000 && lport <= 41255);
			assert_int_equal(rss.reta[h % 128], q);
			used[lport - 41000]++;
			n[q]++;
		}
		assert_int_equal(rte_errno, EADDRNOTAVAIL);
	}
	for (i = 0; i < 256; i++)
		assert_int_equal(used[i], 1);
	for (q = 0; q < 4; q++) {
		assert_true(n[q] > 0);
		tern_engine_destroy(e[q]);
	}
	test_link_flush(f->l, 0);
}

/* With a predictable RSS, every port an engine picks makes the answer hash to its queue. */
static void
test_rss_port_choice(void **state)
{
	struct fx *f = *state;
	static struct tern_rss rss;
	struct tern_engine_conf c;
	struct tern_engine *e[4];
	uint8_t used[4][256];
	unsigned q, i, n[4] = {0};

	memset(used, 0, sizeof(used));
	memcpy(rss.key, ms_key, sizeof(ms_key));
	rss.key_len = sizeof(ms_key);
	rss.reta_size = 128;
	for (i = 0; i < 128; i++)
		rss.reta[i] = (uint16_t)((i * 7) % 4); /* any table, not just round robin */
	make_rings(f, 4, 64);
	for (q = 0; q < 4; q++) {
		test_engine_conf(&c, f->l, 0, &us);
		c.port_lo = 41000;
		c.port_hi = 41255;
		c.nengines = 4;
		c.id = q;
		c.rings = f->rings;
		c.steer = TERN_STEER_RSS;
		c.rss = &rss;
		c.max_conns = 256;
		e[q] = tern_engine_create(&c);
		assert_non_null(e[q]);
	}
	for (q = 0; q < 4; q++) {
		struct tern_conn *cn;
		while ((cn = tern_connect(e[q], peer.ip, 443, 0, NULL)) != NULL) {
			struct tern_tuple t = tup(cn);
			uint32_t h = ref_hash(ms_key, peer.ip, t.laddr, 443, t.lport);
			assert_true(t.lport >= 41000 && t.lport <= 41255);
			assert_int_equal(rss.reta[h % 128], q);
			used[q][t.lport - 41000] = 1;
			n[q]++;
		}
		assert_int_equal(rte_errno, EADDRNOTAVAIL);
	}
	/* every port of the range went to exactly one engine */
	for (i = 0; i < 256; i++)
		assert_int_equal(used[0][i] + used[1][i] + used[2][i] + used[3][i], 1);
	for (q = 0; q < 4; q++) {
		assert_true(n[q] > 0);
		tern_engine_destroy(e[q]);
	}
}

/* ---- ring handoff ---- */

struct two {
	struct tern_engine *a, *b; /* engine 0 on link l, engine 1 on link l2 */
};

static struct two
two_engines(struct fx *f, unsigned ring_size)
{
	struct tern_engine_conf c;
	struct two t;

	make_rings(f, 2, ring_size);
	test_link_capture(f->l, 0, true);
	test_link_capture(f->l2, 0, true);
	test_engine_conf(&c, f->l, 0, &us);
	c.cb = &cbs;
	c.app = f;
	c.port_lo = 40000;
	c.port_hi = 40099;
	c.nengines = 2;
	c.rings = f->rings;
	c.id = 0;
	t.a = test_engine_new_conf(f->l, 0, &c);
	c.io = f->l2->end[0].io;
	c.id = 1;
	t.b = test_engine_new_conf(f->l2, 0, &c);
	return t;
}

/* An IPv6 frame from the peer (2001:db8::2) to us (2001:db8::1): @p nh, @p body. */
static struct rte_mbuf *
frame6(struct fx *f, uint8_t nh, const uint8_t *body, size_t len)
{
	struct wire_ipv6_repr ip = {.src = {{0x20, 0x01, 0x0d, 0xb8, [15] = 2}},
	        .dst = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}},
	        .payload_len = (uint16_t)len,
	        .next_hdr = nh,
	        .hop_limit = 64};
	struct wire_eth_repr eth = {.src = peer.mac, .dst = us.mac, .type = WIRE_ETHERTYPE_IPV6};
	uint8_t buf[256];

	wire_ipv6_emit(buf, &ip);
	memcpy(buf + WIRE_IPV6_HLEN, body, len);
	return test_craft_frame(f->pool, &eth, buf, WIRE_IPV6_HLEN + len);
}

/* Steering over IPv6: a TCP segment to a port of engine 1's block, received by engine 0,
 * is handed to engine 1, also behind an extension header; so is a Packet Too Big quoting
 * our segment from that port (the connection whose MSS it lowers is engine 1's); those
 * for engine 0's port stay. */
static void
test_v6_handoff(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	struct tern_engine *a, *b;
	uint8_t tcp[20] = {0, 80, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, WIRE_TCP_ACK, 0xff, 0xff};
	uint8_t ptb[8 + 40 + 20] = {WIRE_ICMP6_PKT_TOO_BIG, 0, 0, 0, 0, 0, 0x05, 0x00};
	struct wire_ipv6_repr in = {.src = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}},
	        .dst = {{0x20, 0x01, 0x0d, 0xb8, [15] = 2}},
	        .payload_len = 20,
	        .next_hdr = WIRE_IPPROTO_TCP,
	        .hop_limit = 64};
	uint16_t p1 = 40070, p0 = 40010; /* in engine 1's block (40050..40099), engine 0's */

	make_rings(f, 2, 64);
	test_link_capture(f->l, 0, true);
	test_link_capture(f->l2, 0, true);
	test_engine_conf(&c, f->l, 0, &us);
	memcpy(c.ip6, in.src.b, 16);
	c.port_lo = 40000;
	c.port_hi = 40099;
	c.nengines = 2;
	c.rings = f->rings;
	c.id = 0;
	a = test_engine_new_conf(f->l, 0, &c);
	c.io = f->l2->end[0].io;
	c.id = 1;
	b = test_engine_new_conf(f->l2, 0, &c);
	assert_int_equal(steer_owner6(&a->steer, in.dst.b, in.src.b, 80, p1), 1);
	assert_int_equal(steer_owner6(&a->steer, in.dst.b, in.src.b, 80, p0), 0);
	tcp[2] = (uint8_t)(p1 >> 8);
	tcp[3] = (uint8_t)p1;
	test_link_inject(f->l, 0, frame6(f, WIRE_IPPROTO_TCP, tcp, sizeof(tcp)));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_HANDOFF], 1);
	wire_ipv6_emit(ptb + 8, &in);
	ptb[48] = (uint8_t)(p1 >> 8); /* our segment: from p1 to the peer's 80 */
	ptb[49] = (uint8_t)p1;
	ptb[51] = 80;
	test_link_inject(f->l, 0, frame6(f, WIRE_IPPROTO_ICMPV6, ptb, sizeof(ptb)));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_HANDOFF], 2);
	{
		/* the segment behind a Destination Options header (PadN): walked, handed over */
		uint8_t dst_tcp[8 + sizeof(tcp)] = {WIRE_IPPROTO_TCP, 0, 1, 4};

		memcpy(dst_tcp + 8, tcp, sizeof(tcp));
		test_link_inject(
		        f->l, 0, frame6(f, WIRE_IPPROTO_DSTOPTS, dst_tcp, sizeof(dst_tcp)));
		test_link_poll(f->l);
		assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_HANDOFF], 3);
	}
	ptb[48] = (uint8_t)(p0 >> 8);
	ptb[49] = (uint8_t)p0;
	test_link_inject(f->l, 0, frame6(f, WIRE_IPPROTO_ICMPV6, ptb, sizeof(ptb)));
	tcp[2] = (uint8_t)(p0 >> 8);
	tcp[3] = (uint8_t)p0;
	test_link_inject(f->l, 0, frame6(f, WIRE_IPPROTO_TCP, tcp, sizeof(tcp)));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_HANDOFF], 3);
	test_link_poll(f->l2);
	assert_int_equal(tern_engine_stats(b)->ctr[TERN_CTR_STEER_RECEIVED], 3);
	test_link_flush(f->l, 0);
	test_link_flush(f->l2, 0);
}

static void
test_ring_handoff(void **state)
{
	struct fx *f = *state;
	struct two t = two_engines(f, 64);
	struct wire_arp_repr rep = {.op = WIRE_ARP_OP_REPLY,
	        .sha = peer.mac,
	        .spa = peer.ip,
	        .tha = us.mac,
	        .tpa = us.ip};
	struct wire_tcp_repr th = {0};
	struct tern_conn *c;
	struct test_pkt p;

	/* engine 1 opens from a port it owns; its ARP request goes out on its queue */
	c = tern_connect(t.b, peer.ip, 80, 0, NULL);
	assert_non_null(c);
	assert_int_equal(steer_owner(&t.a->steer, peer.ip, us.ip, 80, tup(c).lport), 1);
	test_link_poll(f->l2);
	assert_true(test_link_pop(f->l2, 0, &p));
	assert_true(p.is_arp);
	/* the ARP reply reaches engine 0, which copies it to engine 1 */
	test_link_inject(f->l, 0, test_craft_arp(f->pool, &us.mac, &rep));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_STEER_ARP_SHARED], 1);
	test_link_poll(f->l2);
	assert_true(test_link_pop(f->l2, 0, &p)); /* the SYN, now that engine 1 knows the MAC */
	assert_true(p.is_tcp);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN);
	assert_int_equal(test_link_captured(f->l, 0), 0); /* engine 0 answered nothing */

	/* the SYN-ACK reaches engine 0: handed to engine 1, which completes the handshake */
	th.sport = 80;
	th.dport = p.tcp.sport;
	th.seq = 7000;
	th.ack = p.tcp.seq + 1;
	th.flags = WIRE_TCP_SYN | WIRE_TCP_ACK;
	th.win = 65535;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_STEER_HANDOFF], 1);
	assert_int_equal(test_link_captured(f->l, 0), 0); /* no RST from engine 0 */
	assert_int_equal(f->connected, 0);
	test_link_poll(f->l2);
	assert_int_equal(f->connected, 1);
	assert_ptr_equal(f->last, c);
	assert_int_equal(tern_conn_state(c), TERN_TCP_ESTABLISHED);
	assert_true(test_link_pop(f->l2, 0, &p));
	assert_true(p.is_tcp);
	assert_int_equal(p.tcp.flags, WIRE_TCP_ACK);
	assert_int_equal(p.tcp.ack, 7001);
	assert_int_equal(tern_engine_stats(t.b)->ctr[TERN_CTR_STEER_HANDOFF], 0);
	assert_int_equal(tern_engine_stats(t.b)->ctr[TERN_CTR_STEER_RECEIVED], 2);

	/* a segment engine 0 owns that matches nothing: answered there (RST) */
	th.dport = port_owned(t.a, peer.ip, 80, 0, 40000);
	th.flags = WIRE_TCP_ACK;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_STEER_HANDOFF], 1);
	assert_true(test_link_pop(f->l, 0, &p));
	assert_true(p.tcp.flags & WIRE_TCP_RST);

	/* passive flows too: both engines listen on 7; a SYN engine 1 owns reaches engine 0,
	 * goes to engine 1 (SYN-ACK from its queue), and so does the rest of the flow */
	assert_int_equal(tern_listen(t.a, 7, 0), 0);
	assert_int_equal(tern_listen(t.b, 7, 0), 0);
	for (th.sport = 5000; steer_owner(&t.a->steer, peer.ip, us.ip, th.sport, 7) != 1;)
		th.sport++;
	th.dport = 7;
	th.seq = 9000;
	th.ack = 0;
	th.flags = WIRE_TCP_SYN;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	assert_int_equal(test_link_captured(f->l, 0), 0);
	test_link_poll(f->l2);
	assert_true(test_link_pop(f->l2, 0, &p));
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	th.seq = 9001;
	th.ack = p.tcp.seq + 1;
	th.flags = WIRE_TCP_ACK;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	test_link_poll(f->l2);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_TCP_PASSIVE_OPEN], 0);
	assert_int_equal(tern_engine_stats(t.b)->ctr[TERN_CTR_TCP_PASSIVE_OPEN], 1);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_STEER_HANDOFF], 3);
	assert_int_equal(test_link_captured(f->l, 0), 0); /* engine 0 never answered */
	/* (the one RST above was for the ACK engine 0 owns) */
	assert_int_equal(tern_engine_stats(t.a)->drop[TERN_DROP_TCP_NO_LISTENER_RST], 1);
	test_link_flush(f->l, 0);
	test_link_flush(f->l2, 0);
}

/* Misdirected segments of one burst go to their owner in one ring enqueue; a full ring
 * drops (counted) instead of blocking; nothing leaks. */
static void
test_ring_full(void **state)
{
	struct fx *f = *state;
	struct two t = two_engines(f, 4); /* holds 3 */
	struct wire_tcp_repr th = {.sport = 80, .seq = 1, .flags = WIRE_TCP_ACK};
	unsigned i;

	th.dport = port_owned(t.a, peer.ip, 80, 1, 40000);
	for (i = 0; i < 5; i++)
		test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_STEER_HANDOFF], 3);
	assert_int_equal(tern_engine_stats(t.a)->ctr[TERN_CTR_STEER_ENQUEUES], 1);
	assert_int_equal(tern_engine_stats(t.a)->drop[TERN_DROP_STEER_RING_FULL], 2);
	/* engine 1 takes them (no connection: RSTs from its queue) */
	test_link_poll(f->l2);
	assert_int_equal(test_link_captured(f->l2, 0), 3);
	test_link_flush(f->l2, 0);
	/* frames still in a ring when the engines go are freed (teardown counts mbufs) */
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	assert_int_equal(rte_ring_count(f->rings[1]), 1);
}

/* With the NIC's RSS as the rule and its hash in the mbuf, the hash is used as is (one
 * RETA read); a frame without the flag falls back to computing it. */
static void
test_nic_hash(void **state)
{
	struct fx *f = *state;
	static struct tern_rss rss;
	struct tern_engine_conf c;
	struct tern_engine *a, *b;
	struct wire_tcp_repr th = {.sport = 80, .seq = 1, .flags = WIRE_TCP_ACK};
	struct rte_mbuf *m;
	unsigned i;

	memcpy(rss.key, ms_key, sizeof(ms_key));
	rss.key_len = sizeof(ms_key);
	rss.reta_size = 64;
	for (i = 0; i < 64; i++)
		rss.reta[i] = (uint16_t)(i & 1);
	make_rings(f, 2, 64);
	test_link_capture(f->l, 0, true);
	test_engine_conf(&c, f->l, 0, &us);
	c.nengines = 2;
	c.rings = f->rings;
	c.steer = TERN_STEER_RSS;
	c.rss = &rss;
	c.rx_rss_hash = true;
	a = test_engine_new_conf(f->l, 0, &c);
	c.io = f->l2->end[0].io;
	c.id = 1;
	b = test_engine_new_conf(f->l2, 0, &c);
	/* a 4-tuple engine 0 owns by the computed hash, but the NIC's says 1: handed over */
	th.dport = port_owned(a, peer.ip, 80, 0, 40000);
	m = test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0);
	m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	m->hash.rss = 0x12345679; /* odd: entry of engine 1 */
	test_link_inject(f->l, 0, m);
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_HANDOFF], 1);
	/* the same frame without the NIC's hash stays on engine 0 (RST: no connection) */
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	assert_int_equal(tern_engine_stats(a)->ctr[TERN_CTR_STEER_HANDOFF], 1);
	assert_int_equal(test_link_captured(f->l, 0), 1);
	test_link_poll(f->l2);
	assert_int_equal(tern_engine_stats(b)->ctr[TERN_CTR_STEER_RECEIVED], 1);
	test_link_flush(f->l, 0);
	test_link_flush(f->l2, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_share_disjoint_cover),
	        cmocka_unit_test_setup_teardown(test_share_engines_disjoint, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cursor_rotation, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_exhaustion_per_destination, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_src_ips, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time_wait_candidate, setup, teardown),
	        cmocka_unit_test(test_toeplitz_reference),
	        cmocka_unit_test_setup_teardown(test_rss_port_choice, setup, teardown),
	        cmocka_unit_test(test_toeplitz_reference_v6),
	        cmocka_unit_test_setup_teardown(test_rss_port_choice_v6, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ring_handoff, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_v6_handoff, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ring_full, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nic_hash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
