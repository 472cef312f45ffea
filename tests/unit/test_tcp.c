/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the TCP state machine, packetdrill style: one engine on end 0 of an
 * in-memory link in capture mode, the test scripting the peer segment by segment on a fake
 * clock and asserting on every segment that comes out (flags, seq/ack, window, options,
 * payload), on connection states, callbacks and counters. The last test joins two engines
 * back to back and moves 1 MB each way.
 *
 * The link answers the engine's ARP requests for the peer (auto-ARP) except in the active
 * open test, which checks that the SYN waits for ARP.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "engine/engine.h"
#include "test_helpers.h"
#include "util/seq.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

#define LPORT 80          /* engine's listening port */
#define PPORT 40000       /* scripted peer's port */
#define PISS  0xfffff000u /* peer's ISS: its sequence space wraps during the tests */

static const struct test_host us = {IP4(10, 0, 0, 1), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}};
static const struct test_host peer = {IP4(10, 0, 0, 2), {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}};

struct fx {
	struct rte_mempool *pool;
	unsigned free0;
	struct test_clock clk;
	struct test_link *l;
	struct tern_engine *e;
	struct tern_callbacks cb;

	/* what the callbacks saw */
	struct tern_conn *conn; /* accepted or connected */
	unsigned n_accepted, n_connected, n_readable, n_writable, n_closed;
	enum tern_close_reason why;
	void *udata_seen;

	/* the scripted connection */
	uint16_t lport, pport;
	uint32_t iss; /* engine's ISS */
	uint32_t snd; /* peer's next sequence number */
	uint32_t rcv; /* engine's next sequence number (what the peer acknowledges) */
};

static void
cb_accepted(struct tern_conn *c, void *app)
{
	struct fx *f = app;

	f->conn = c;
	f->n_accepted++;
}

static void
cb_connected(struct tern_conn *c, void *app)
{
	struct fx *f = app;

	f->conn = c;
	f->udata_seen = tern_conn_udata(c);
	f->n_connected++;
}

static void
cb_readable(struct tern_conn *c, void *app)
{
	struct fx *f = app;

	assert_ptr_equal(c, f->conn);
	f->n_readable++;
}

static void
cb_writable(struct tern_conn *c, void *app)
{
	struct fx *f = app;

	(void)c;
	f->n_writable++;
}

static void
cb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct fx *f = app;

	if (f->conn != NULL)
		assert_ptr_equal(c, f->conn);
	f->n_closed++;
	f->why = why;
	f->conn = NULL;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = test_eal_pool();
	f->free0 = rte_mempool_avail_count(f->pool);
	f->clk.ns = 1000ull * 1000000000ull; /* t = 1000 s */
	f->l = test_link_new(f->pool, &f->clk);
	test_link_capture(f->l, 0, true);
	test_link_auto_arp(f->l, 0, peer.ip, &peer.mac);
	f->cb.accepted = cb_accepted;
	f->cb.connected = cb_connected;
	f->cb.readable = cb_readable;
	f->cb.writable = cb_writable;
	f->cb.closed = cb_closed;
	f->lport = LPORT;
	f->pport = PPORT;
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

static void
conf_init(struct fx *f, struct tern_engine_conf *c)
{
	test_engine_conf(c, f->l, 0, &us);
	c->cb = &f->cb;
	c->app = f;
	/* These tests are about the basic segment flow: every segment is acknowledged at
	 * once and windows stay unscaled. Delayed ACKs, Nagle and options have their own
	 * scripts (test_tcp_rfc.c). */
	c->no_delack = true;
	c->nodelay = true;
	c->rcvbuf = 65535;
}

static void
start(struct fx *f, const struct tern_engine_conf *c)
{
	f->e = test_engine_new_conf(f->l, 0, c);
}

static void
start_default(struct fx *f)
{
	struct tern_engine_conf c;

	conf_init(f, &c);
	start(f, &c);
}

static const struct tern_stats *
stats(const struct fx *f)
{
	return tern_engine_stats(f->e);
}

static struct tern_gauges
gauges(const struct fx *f)
{
	struct tern_gauges g;

	tern_engine_gauges(f->e, &g);
	return g;
}

static void
pattern(uint8_t *buf, size_t len, uint32_t off, uint8_t salt)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t x = off + (uint32_t)i;
		buf[i] = (uint8_t)(x ^ (x >> 8) ^ (x >> 16) ^ salt);
	}
}

/* ---- the scripted peer ---- */

static void
peer_send_full(struct fx *f, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
        const struct wire_tcp_opts *opts, const void *data, size_t len)
{
	struct wire_tcp_repr th = {.sport = f->pport,
	        .dport = f->lport,
	        .seq = seq,
	        .ack = ack,
	        .flags = flags,
	        .win = win};

	if (opts != NULL)
		th.opts = *opts;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, data, len));
	test_link_poll(f->l);
}

static void
peer_send(struct fx *f, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, const void *data,
        size_t len)
{
	peer_send_full(f, flags, seq, ack, win, NULL, data, len);
}

/* A segment of the established connection from the peer: seq = f->snd, ack = f->rcv. */
static void
peer_seg(struct fx *f, uint8_t flags, uint16_t win, const void *data, size_t len)
{
	peer_send(f, flags, f->snd, f->rcv, win, data, len);
}

/* Pop the next segment the engine sent and check addressing and checksums. */
static void
next_seg(struct fx *f, struct test_pkt *p)
{
	if (!test_link_pop(f->l, 0, p))
		fail_msg("expected a segment, the engine sent nothing");
	assert_true(p->is_ip);
	assert_true(p->ip_csum_ok);
	assert_true(p->is_tcp);
	assert_true(p->tcp_csum_ok);
	assert_memory_equal(p->eth.dst.b, peer.mac.b, WIRE_ETH_ALEN);
	assert_memory_equal(p->eth.src.b, us.mac.b, WIRE_ETH_ALEN);
	assert_int_equal(p->ip.src, us.ip);
	assert_int_equal(p->ip.dst, peer.ip);
	assert_false(wire_ipv4_is_fragment(&p->ip));
	assert_int_equal(p->tcp.sport, f->lport);
	assert_int_equal(p->tcp.dport, f->pport);
}

/* The next segment has exactly @p flags, @p seq and (when ACK is set) @p ack. */
static void
expect_seg(struct fx *f, struct test_pkt *p, uint8_t flags, uint32_t seq, uint32_t ack)
{
	next_seg(f, p);
	assert_int_equal(p->tcp.flags, flags);
	assert_int_equal(p->tcp.seq, seq);
	if (flags & WIRE_TCP_ACK)
		assert_int_equal(p->tcp.ack, ack);
}

static void
expect_nothing(struct fx *f)
{
	assert_int_equal(test_link_captured(f->l, 0), 0);
}

/* Listen, SYN (MSS @p mss, window @p win) -> SYN-ACK -> ACK. @return the accepted conn. */
static struct tern_conn *
passive_open(struct fx *f, uint16_t mss, uint16_t win)
{
	struct wire_tcp_opts o = {.present = WIRE_TCPO_MSS, .mss = mss};
	struct test_pkt p;

	assert_int_equal(tern_listen(f->e, f->lport, 0), 0);
	peer_send_full(f, WIRE_TCP_SYN, PISS, 0, win, &o, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_int_equal(p.tcp.ack, PISS + 1);
	f->iss = p.tcp.seq;
	f->snd = PISS + 1;
	f->rcv = f->iss + 1;
	peer_seg(f, WIRE_TCP_ACK, win, NULL, 0);
	assert_int_equal(f->n_accepted, 1);
	assert_non_null(f->conn);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
	expect_nothing(f);
	return f->conn;
}

/* ---- accept queue ---- */

/* Handshake from peer port @p pport up to the final ACK. @return our ISS. */
/* A SYN from port @p pport: @return the ISN of the SYN-ACK. */
static uint32_t
syn_from(struct fx *f, uint16_t pport)
{
	struct wire_tcp_opts o = {.present = WIRE_TCPO_MSS, .mss = 1460};
	struct test_pkt p;

	f->pport = pport;
	peer_send_full(f, WIRE_TCP_SYN, PISS, 0, 65535, &o, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	return p.tcp.seq;
}

/* The final ACK from port @p pport to the SYN-ACK with ISN @p iss. */
static void
ack_from(struct fx *f, uint16_t pport, uint32_t iss)
{
	f->pport = pport;
	peer_send(f, WIRE_TCP_ACK, PISS + 1, iss + 1, 65535, NULL, 0);
}

/*
 * A paused listener holds completed handshakes in its accept queue (up to the backlog);
 * one more final ACK overflows: dropped by default (the connection stays half-open and
 * completes when the peer ACKs again), or answered with a RST (abort_on_overflow). A SYN
 * while the accept queue is full is not answered (as Linux).
 */
static void
accept_overflow(void **state, bool abort_on_overflow)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	struct test_pkt p;
	uint32_t iss1, iss2, iss3;

	conf_init(f, &c);
	c.abort_on_overflow = abort_on_overflow;
	start(f, &c);
	assert_int_equal(tern_listen(f->e, LPORT, 2), 0);
	assert_int_equal(tern_listen_pause(f->e, LPORT, true), 0);
	assert_int_equal(tern_listen_pause(f->e, LPORT + 1, true), -ENOENT);

	iss1 = syn_from(f, 40001);
	iss2 = syn_from(f, 40002);
	ack_from(f, 40001, iss1);
	expect_nothing(f);
	assert_int_equal(f->n_accepted, 0); /* held */
	assert_int_equal(gauges(f).accept_queue, 1);
	assert_int_equal(gauges(f).established, 1);
	iss3 = syn_from(f, 40003); /* one slot left in the accept queue: answered */
	ack_from(f, 40002, iss2);
	expect_nothing(f);
	assert_int_equal(gauges(f).accept_queue, 2);
	assert_int_equal(gauges(f).syn_rcvd, 1);

	ack_from(f, 40003, iss3);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_ACCQ_OVERFLOW], 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_ACCEPT_OVERFLOW], 1);
	if (abort_on_overflow) {
		expect_seg(f, &p, WIRE_TCP_RST, iss3 + 1, 0);
		assert_int_equal(gauges(f).syn_rcvd, 0);
	} else {
		expect_nothing(f);
		assert_int_equal(gauges(f).syn_rcvd, 1);
	}
	assert_int_equal(f->n_accepted, 0);
	/* a new SYN with the accept queue full: not answered */
	f->pport = 40004;
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 65535, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_ACCEPT_OVERFLOW], 2);

	/* resume: the held connections are delivered */
	assert_int_equal(tern_listen_pause(f->e, LPORT, false), 0);
	test_link_poll(f->l);
	assert_int_equal(f->n_accepted, 2);
	assert_int_equal(gauges(f).accept_queue, 0);
	if (!abort_on_overflow) {
		/* the peer's ACK again (after our SYN-ACK retransmission): accepted now */
		ack_from(f, 40003, iss3);
		assert_int_equal(f->n_accepted, 3);
		assert_int_equal(gauges(f).established, 3);
	}
	f->conn = NULL; /* several connections: the closed callbacks at teardown are for all */
}

static void
test_accept_overflow_drop(void **state)
{
	accept_overflow(state, false);
}

static void
test_accept_overflow_rst(void **state)
{
	accept_overflow(state, true);
}

/* A SYN filter that refuses peer port 40002 and counts its calls. */
static unsigned filter_calls;
static struct tern_syn_info filter_last;

static bool
refuse_40002(struct tern_engine *e, const struct tern_syn_info *t, void *arg)
{
	(void)e;
	assert_ptr_equal(arg, &filter_calls);
	filter_calls++;
	filter_last = *t;
	return t->rport != 40002;
}

/*
 * tern_listen_filter: a refused SYN gets a RST and costs no SYN queue entry nor cookie; an
 * accepted one goes on; the filter sees the SYN's tuple; removing it lets the SYN in.
 */
static void
test_listen_filter(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	struct test_pkt p;
	uint32_t iss;

	conf_init(f, &c);
	start(f, &c);
	assert_int_equal(tern_listen(f->e, LPORT, 0), 0);
	assert_int_equal(tern_listen_filter(f->e, LPORT + 1, refuse_40002, NULL), -ENOENT);
	assert_int_equal(tern_listen_filter(f->e, LPORT, refuse_40002, &filter_calls), 0);
	filter_calls = 0;

	iss = syn_from(f, 40001);
	assert_int_equal(filter_calls, 1);
	assert_int_equal(filter_last.rport, 40001);
	assert_int_equal(filter_last.lport, LPORT);
	assert_int_equal(filter_last.raddr.family, TERN_AF_INET);
	assert_int_equal(filter_last.raddr.v4, peer.ip);
	assert_int_equal(filter_last.laddr.v4, us.ip);
	assert_int_equal(gauges(f).syn_rcvd, 1);

	f->pport = 40002;
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 65535, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST | WIRE_TCP_ACK, 0, PISS + 1);
	expect_nothing(f);
	assert_int_equal(filter_calls, 2);
	assert_int_equal(gauges(f).syn_rcvd, 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_SYN_FILTERED], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNCOOKIE_SENT], 0);

	ack_from(f, 40001, iss);
	assert_int_equal(f->n_accepted, 1);
	assert_int_equal(filter_calls, 2); /* the final ACK is not filtered */

	assert_int_equal(tern_listen_filter(f->e, LPORT, NULL, NULL), 0);
	syn_from(f, 40002);
	assert_int_equal(filter_calls, 2);
	assert_int_equal(gauges(f).syn_rcvd, 1);
	f->conn = NULL;
}

/* ---- handshake ---- */

static void
test_passive_open(void **state)
{
	struct fx *f = *state;
	struct wire_tcp_opts o = {.present = WIRE_TCPO_MSS, .mss = 1460};
	struct tern_engine_conf c;
	struct tern_tuple t;
	struct test_pkt p;

	conf_init(f, &c);
	c.mtu = 1400;
	start(f, &c);
	assert_int_equal(tern_listen(f->e, LPORT, 0), 0);
	assert_int_equal(tern_listen(f->e, LPORT, 0), -EADDRINUSE);
	assert_int_equal(gauges(f).listeners, 1);

	peer_send_full(f, WIRE_TCP_SYN, PISS, 0, 29200, &o, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_int_equal(p.tcp.ack, PISS + 1);
	assert_true(p.tcp.opts.present & WIRE_TCPO_MSS);
	assert_int_equal(p.tcp.opts.mss, 1400 - 40);
	assert_int_equal(p.tcp.win, 65535);
	assert_int_equal(p.plen, 0);
	expect_nothing(f);
	assert_int_equal(f->n_accepted, 0);
	assert_int_equal(gauges(f).syn_rcvd, 1);
	f->iss = p.tcp.seq;

	/* The final ACK completes the handshake; nothing is sent in answer. */
	peer_send(f, WIRE_TCP_ACK, PISS + 1, f->iss + 1, 29200, NULL, 0);
	expect_nothing(f);
	assert_int_equal(f->n_accepted, 1);
	assert_non_null(f->conn);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
	assert_int_equal(gauges(f).syn_rcvd, 0);
	assert_int_equal(gauges(f).established, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PASSIVE_OPEN], 1);
	tern_conn_tuple(f->conn, &t);
	assert_int_equal(t.laddr, us.ip);
	assert_int_equal(t.raddr, peer.ip);
	assert_int_equal(t.lport, LPORT);
	assert_int_equal(t.rport, PPORT);
	/* the peer is on-link and unknown: its MAC is learnt from the SYN's frame
	 * (ARP gleaning), so the SYN-ACK needs no ARP request */
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_GLEANED], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_TX], 0);
}

static void
test_synack_retransmit(void **state)
{
	struct fx *f = *state;
	static const uint64_t at[] = {1000, 3000, 7000}; /* 1 s, then 2 s, then 4 s later */
	struct tern_engine_conf c;
	struct test_pkt p;
	uint64_t t0;
	unsigned i;

	conf_init(f, &c);
	c.syn_retries = 3;
	start(f, &c);
	assert_int_equal(tern_listen(f->e, LPORT, 0), 0);
	t0 = test_link_now_ms(f->l);
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 8192, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_int_equal(p.tcp.ack, PISS + 1);
	f->iss = p.tcp.seq;
	assert_int_equal(p.t_ms, t0);

	for (i = 0; i < 3; i++) {
		test_link_advance(f->l, t0 + at[i] - 1 - test_link_now_ms(f->l));
		expect_nothing(f);
		test_link_advance(f->l, 1);
		expect_seg(f, &p, WIRE_TCP_SYN | WIRE_TCP_ACK, f->iss, PISS + 1);
		assert_int_equal(p.t_ms, t0 + at[i]);
		assert_int_equal(p.tcp.opts.mss, 1460);
		assert_int_equal(gauges(f).syn_rcvd, 1);
	}
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RETRANS], 3);
	/* The next timeout (8 s later) gives up: the half-open entry goes, silently. */
	test_link_advance(f->l, t0 + 15000 - 1 - test_link_now_ms(f->l));
	expect_nothing(f);
	assert_int_equal(gauges(f).syn_rcvd, 1);
	assert_int_equal(gauges(f).syn_queue, 1);
	test_link_advance(f->l, 1);
	expect_nothing(f);
	assert_int_equal(gauges(f).syn_rcvd, 0);
	assert_int_equal(gauges(f).syn_queue, 0);
	assert_int_equal(gauges(f).timers, 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNQ_EXPIRED], 1);
	assert_int_equal(f->n_accepted, 0);
	assert_int_equal(f->n_closed, 0); /* the application never saw it */

	/* A late ACK finds the listener only: RST <SEQ=SEG.ACK>. */
	peer_send(f, WIRE_TCP_ACK, PISS + 1, f->iss + 1, 8192, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST, f->iss + 1, 0);
	assert_int_equal(f->n_accepted, 0);
	/* The backlog slot was given back: a new SYN is answered. */
	peer_send(f, WIRE_TCP_SYN, PISS + 1000, 0, 8192, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_int_equal(p.tcp.ack, PISS + 1001);
}

static void
test_syn_backlog(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	struct test_pkt p;

	conf_init(f, &c);
	c.syncookies = TERN_SYNCOOKIES_OFF;
	start(f, &c);
	assert_int_equal(tern_listen(f->e, LPORT, 1), 0);
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 8192, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	/* a SYN from another port: backlog 1 is full, and no cookies */
	f->pport = PPORT + 1;
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 8192, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_LISTEN_OVERFLOW], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNQ_OVERFLOW], 1);
	/* A retransmitted SYN on the first connection draws the same SYN-ACK again. */
	f->pport = PPORT;
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 8192, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_SYN | WIRE_TCP_ACK, p.tcp.seq, PISS + 1);
	expect_nothing(f);
}

/*
 * syncookies auto (the default): SYNs beyond the listener's backlog get a SYN cookie
 * instead of being dropped. Both handshakes complete; the cookie one with data on its ACK.
 */
static void
test_syncookie_auto(void **state)
{
	struct fx *f = *state;
	uint8_t data[100], buf[200];
	uint32_t iss1, iss2;

	start_default(f);
	assert_int_equal(tern_listen(f->e, LPORT, 1), 0);
	iss1 = syn_from(f, 40001);
	assert_int_equal(gauges(f).syn_queue, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNCOOKIE_SENT], 0);
	iss2 = syn_from(f, 40002); /* backlog 1 is full: a cookie */
	expect_nothing(f);
	assert_int_equal(gauges(f).syn_queue, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNCOOKIE_SENT], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNQ_OVERFLOW], 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_LISTEN_OVERFLOW], 0);

	/* the cookie's ACK carries data: connection created, data delivered */
	pattern(data, sizeof(data), 0, 7);
	f->pport = 40002;
	peer_send(f, WIRE_TCP_ACK | WIRE_TCP_PSH, PISS + 1, iss2 + 1, 65535, data, sizeof(data));
	assert_int_equal(f->n_accepted, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNCOOKIE_OK], 1);
	assert_non_null(f->conn);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(gauges(f).syn_queue, 1); /* the first is still half-open */

	/* the first handshake completes from its queue entry */
	ack_from(f, 40001, iss1);
	assert_int_equal(f->n_accepted, 2);
	assert_int_equal(gauges(f).syn_queue, 0);
	assert_int_equal(gauges(f).established, 2);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PASSIVE_OPEN], 2);
	f->conn = NULL;
}

/* An ACK to a listener when no cookie was sent recently is not checked: plain RST. */
static void
test_syncookie_not_checked(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;

	start_default(f);
	assert_int_equal(tern_listen(f->e, LPORT, 0), 0);
	peer_send(f, WIRE_TCP_ACK, PISS + 1, 12345, 65535, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST, 12345, 0);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_LISTEN_BAD], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_SYNCOOKIE_FAILED], 0);
}

/* ---- data in ---- */

static void
test_data_in(void **state)
{
	struct fx *f = *state;
	uint8_t data[300], buf[600];
	struct test_pkt p;
	uint32_t base;

	start_default(f);
	passive_open(f, 1460, 65535);
	base = f->snd;
	pattern(data, sizeof(data), 0, 0x5a);

	/* in order: delivered, ACKed with the window shrunk by what is buffered */
	peer_seg(f, WIRE_TCP_ACK | WIRE_TCP_PSH, 65535, data, 100);
	assert_int_equal(f->n_readable, 1);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 100);
	assert_int_equal(p.tcp.win, 65535 - 100);
	assert_int_equal(p.plen, 0);
	expect_nothing(f);
	assert_int_equal(tern_conn_readable(f->conn), 100);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data, 100);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), -EAGAIN);
	f->snd = base + 100;
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_DATA_RX], 100);
	/* the next expected segment, ACK|PSH, same window: header prediction took it */
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PREDICTED], 1);

	/* out of order (a hole of 100 bytes): immediate duplicate ACK, queued, counted */
	peer_send(f, WIRE_TCP_ACK, base + 200, f->rcv, 65535, data + 200, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 100);
	expect_nothing(f);
	assert_int_equal(f->n_readable, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_OOO_QUEUED], 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_REASS_FULL], 0);
	assert_int_equal(tern_conn_readable(f->conn), 0);

	/* old duplicate of the first segment: ACK, nothing delivered */
	peer_send(f, WIRE_TCP_ACK, base, f->rcv, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 100);
	expect_nothing(f);
	assert_int_equal(f->n_readable, 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_DUP_DATA], 1);

	/* overlapping: bytes 50..199, only 100..199 are new; they fill the hole, so the
	 * queued 200..299 follows */
	peer_send(f, WIRE_TCP_ACK, base + 50, f->rcv, 65535, data + 50, 150);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 300);
	assert_int_equal(f->n_readable, 2);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 200);
	assert_memory_equal(buf, data + 100, 200);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_DATA_RX], 300);
	/* out of order, old, and filling a hole (a queue to take from): never predicted */
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PREDICTED], 1);

	/* a segment with a bad checksum is dropped before anything else */
	{
		struct wire_tcp_repr th = {.sport = PPORT,
		        .dport = LPORT,
		        .seq = base + 300,
		        .ack = f->rcv,
		        .flags = WIRE_TCP_ACK,
		        .win = 65535};
		struct rte_mbuf *m = test_craft_tcp(f->pool, &peer, &us, &th, data, 10);
		rte_pktmbuf_mtod(m, uint8_t *)[rte_pktmbuf_data_len(m) - 1] ^= 0xff;
		test_link_inject(f->l, 0, m);
		test_link_poll(f->l);
		expect_nothing(f);
		assert_int_equal(stats(f)->drop[TERN_DROP_TCP_CSUM], 1);
	}
}

/*
 * The sender's side of an empty extension pool: a SACK connection whose peer SACKs
 * cannot get a scoreboard, so it gives SACK up (tcp_ext_nomem) and recovers the NewReno
 * way: three duplicate ACKs retransmit the lost head segment.
 */
static void
test_conn_ext_sack_given_up(void **state)
{
	struct fx *f = *state;
	struct wire_tcp_opts o = {.present = WIRE_TCPO_MSS | WIRE_TCPO_SACK_PERM, .mss = 1000};
	struct wire_tcp_opts sk = {.present = WIRE_TCPO_SACK, .nsack = 1};
	struct tern_engine_conf c;
	uint8_t data[5000];
	struct test_pkt p;
	uint32_t base, iss2;
	int i;

	conf_init(f, &c);
	c.conn_ext = 1;
	start(f, &c);
	passive_open(f, 1460, 65535);
	base = f->snd;
	pattern(data, sizeof(data), 0, 0x44);
	/* the first connection takes the only extension with a hole */
	peer_send(f, WIRE_TCP_ACK, base + 100, f->rcv, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base);
	assert_int_equal(gauges(f).conn_ext, 1);

	/* the second negotiates SACK and sends five segments */
	f->pport = PPORT + 1;
	peer_send_full(f, WIRE_TCP_SYN, PISS, 0, 65535, &o, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_true(p.tcp.opts.present & WIRE_TCPO_SACK_PERM);
	iss2 = p.tcp.seq;
	peer_send(f, WIRE_TCP_ACK, PISS + 1, iss2 + 1, 65535, NULL, 0);
	assert_int_equal(f->n_accepted, 2);
	assert_int_equal(tern_conn_send(f->conn, data, sizeof(data)), sizeof(data));
	test_link_poll(f->l);
	for (i = 0; i < 5; i++) {
		expect_seg(f, &p, WIRE_TCP_ACK | (i == 4 ? WIRE_TCP_PSH : 0), iss2 + 1 + 1000u * i,
		        PISS + 1);
		assert_int_equal(p.plen, 1000);
	}
	/* the first is lost: three ACKs SACKing more and more of the rest */
	sk.sack[0].left = iss2 + 1001;
	for (i = 0; i < 3; i++) {
		sk.sack[0].right = iss2 + 2001 + 1000u * i;
		peer_send_full(f, WIRE_TCP_ACK, PISS + 1, iss2 + 1, 65535, &sk, NULL, 0);
	}
	assert_true(stats(f)->ctr[TERN_CTR_TCP_EXT_NOMEM] >= 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RECOVERY], 1);
	expect_seg(f, &p, WIRE_TCP_ACK, iss2 + 1, PISS + 1);
	assert_int_equal(p.plen, 1000);
	expect_nothing(f);
	assert_int_equal(gauges(f).conn_ext, 1);
	f->conn = NULL; /* two connections: the closed callbacks at teardown are for both */
}

/*
 * Compact connections (issue 12): an idle established connection holds no extension
 * block; an out-of-order segment takes one, filling the hole gives it back. With the pool
 * (conn_ext 1) held by one connection, another's out-of-order segment is dropped
 * (tcp_ext_nomem, tcp_reass_full) and ACKed, and its in-order data still flows.
 */
static void
test_conn_ext_on_demand(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	uint8_t data[300], buf[300];
	struct test_pkt p;
	uint32_t base, iss2;

	conf_init(f, &c);
	c.conn_ext = 1;
	start(f, &c);
	passive_open(f, 1460, 65535);
	base = f->snd;
	pattern(data, sizeof(data), 0, 0x33);
	assert_int_equal(gauges(f).conn_ext, 0);

	/* a hole: queued, the extension taken */
	peer_send(f, WIRE_TCP_ACK, base + 100, f->rcv, 65535, data + 100, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base);
	assert_int_equal(gauges(f).conn_ext, 1);
	/* filled: both delivered, the extension given back */
	peer_send(f, WIRE_TCP_ACK, base, f->rcv, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 200);
	expect_nothing(f);
	assert_int_equal(gauges(f).conn_ext, 0);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 200);
	assert_memory_equal(buf, data, 200);

	/* another hole: this connection now holds the only extension */
	peer_send(f, WIRE_TCP_ACK, base + 250, f->rcv, 65535, data + 250, 50);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 200);
	assert_int_equal(gauges(f).conn_ext, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_EXT_NOMEM], 0);

	/* a second connection: its out-of-order segment finds the pool empty */
	iss2 = syn_from(f, PPORT + 1);
	ack_from(f, PPORT + 1, iss2);
	assert_int_equal(f->n_accepted, 2);
	peer_send(f, WIRE_TCP_ACK, PISS + 1 + 100, iss2 + 1, 65535, data + 100, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, iss2 + 1, PISS + 1);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_EXT_NOMEM], 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_REASS_FULL], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_OOO_QUEUED], 2);
	/* in order, it goes on without one */
	peer_send(f, WIRE_TCP_ACK | WIRE_TCP_PSH, PISS + 1, iss2 + 1, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, iss2 + 1, PISS + 101);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data, 100);
	assert_int_equal(gauges(f).conn_ext, 1);
	assert_int_equal(gauges(f).established, 2);
	f->conn = NULL; /* two connections: the closed callbacks at teardown are for both */
}

/*
 * Compact connections (issue 12): a connection holds buffers (struct tcp_conn_io) only
 * while its send or receive buffer holds data. Received in order: taken; read: given
 * back; sent: taken; acknowledged: given back. When none can be had (the pool held to
 * one, as if the heap were full), in-order data is dropped (tcp_io_nomem) and ACKed at
 * rcv_nxt, a send fails with -ENOMEM; once buffers come back the data flows.
 */
static void
test_conn_io_on_demand(void **state)
{
	struct fx *f = *state;
	uint8_t data[100], buf[300];
	struct test_pkt p;
	struct tern_conn *a;
	uint32_t base, iss2;

	start_default(f);
	f->e->tcp.io_pool.cap = 1; /* before anything grew it */
	a = passive_open(f, 1460, 65535);
	base = f->snd;
	pattern(data, sizeof(data), 0, 0x5a);
	assert_int_equal(gauges(f).conn_io, 0);

	peer_send(f, WIRE_TCP_ACK | WIRE_TCP_PSH, base, f->rcv, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 100);
	assert_int_equal(gauges(f).conn_io, 1);
	assert_int_equal(tern_conn_recv(a, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data, 100);
	assert_int_equal(gauges(f).conn_io, 0);

	assert_int_equal(tern_conn_send(a, data, 50), 50);
	assert_int_equal(gauges(f).conn_io, 1);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_ACK | WIRE_TCP_PSH, f->rcv, base + 100);
	assert_int_equal(p.plen, 50);
	peer_send(f, WIRE_TCP_ACK, base + 100, f->rcv + 50, 65535, NULL, 0);
	assert_int_equal(gauges(f).conn_io, 0);
	f->rcv += 50;

	/* a holds the only buffers (unread data) */
	peer_send(f, WIRE_TCP_ACK | WIRE_TCP_PSH, base + 100, f->rcv, 65535, data, 30);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 130);
	assert_int_equal(gauges(f).conn_io, 1);

	/* b finds none: its data is dropped and ACKed at rcv_nxt, its send refused */
	iss2 = syn_from(f, PPORT + 1);
	ack_from(f, PPORT + 1, iss2);
	assert_int_equal(f->n_accepted, 2);
	peer_send(f, WIRE_TCP_ACK | WIRE_TCP_PSH, PISS + 1, iss2 + 1, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, iss2 + 1, PISS + 1);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_IO_NOMEM], 1);
	assert_int_equal(tern_conn_send(f->conn, data, 10), -ENOMEM);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), -EAGAIN);

	/* a reads: the buffers come back; b's data, sent again, is delivered */
	assert_int_equal(tern_conn_recv(a, buf, sizeof(buf)), 30);
	assert_int_equal(gauges(f).conn_io, 0);
	peer_send(f, WIRE_TCP_ACK | WIRE_TCP_PSH, PISS + 1, iss2 + 1, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, iss2 + 1, PISS + 101);
	assert_int_equal(gauges(f).conn_io, 1);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data, 100);
	assert_int_equal(gauges(f).conn_io, 0);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_IO_NOMEM], 1);
	f->conn = NULL; /* two connections: the closed callbacks at teardown are for both */
}

/* Batched RX: in one burst, frames that tcp_rx_prepare() hashed but that never reach TCP
 * (bad IP checksum, not for us) are skipped over, and the segments after them still find
 * their connection (with the prepared hash); a segment in a later burst too. */
static void
test_burst_prepared_hashes(void **state)
{
	struct fx *f = *state;
	uint8_t data[100], buf[300];
	struct test_pkt p;
	struct rte_mbuf *m;
	struct wire_tcp_repr th = {
	        .sport = PPORT, .dport = LPORT, .flags = WIRE_TCP_ACK | WIRE_TCP_PSH, .win = 65535};

	start_default(f);
	passive_open(f, 1460, 65535);
	pattern(data, sizeof(data), 0, 0x21);
	th.ack = f->rcv;
	/* 1: a segment of another 4-tuple with a broken IP checksum: hashed, dropped at IPv4
	 * (were its hash taken for the next segment, that one would miss its connection) */
	th.seq = f->snd;
	th.sport = PPORT + 1;
	m = test_craft_tcp(f->pool, &peer, &us, &th, data, 50);
	th.sport = PPORT;
	rte_pktmbuf_mtod(m, uint8_t *)[WIRE_ETH_HLEN + 10] ^= 0x55;
	test_link_inject(f->l, 0, m);
	/* 2, 3: two in-order segments */
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, data, 50));
	th.seq = f->snd + 50;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, data + 50, 50));
	test_link_poll(f->l);
	assert_int_equal(stats(f)->drop[TERN_DROP_IP_CSUM], 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_NO_LISTENER_RST], 0);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, data, 100);
	f->snd += 100;
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	/* a later burst */
	peer_seg(f, WIRE_TCP_ACK | WIRE_TCP_PSH, 65535, data, 10);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 10);
}

/*
 * RX continuation (tcp_rx_input(): the burst's next in-order data segment into the same
 * connection skips the flow look-up and what header prediction would find void). The
 * same peer frames are run twice, on two engines with the same secrets and clock: all in
 * one burst, then one poll each. Everything must come out the same: every counter but
 * tcp_rx_continued, every drop, the bytes read, the connection's receive-side state and
 * every segment the engine sends (delayed ACKs on, timestamps on, segments small enough
 * that no ACK leaves before the delayed ACK, so the one-poll-each run sends nothing more).
 * The burst run must have continued exactly the frames expected.
 */
struct cont_seg {
	int32_t off;     /* payload offset from the first byte after the handshake */
	uint16_t len;    /* payload bytes */
	uint8_t flags;   /* WIRE_TCP_* (ACK is added) */
	uint16_t win;    /* 0 = 65535 */
	uint32_t tsv;    /* added to the peer's first TSval */
	bool bad_csum;   /* a wrong TCP checksum (dropped by the parse) */
	uint16_t ackoff; /* bytes of the engine's data (sent before the burst) it acknowledges */
};

struct cont_out {
	struct tern_stats st;
	uint8_t data[1024];
	ssize_t got;
	uint32_t rcv_nxt, rcv_adv, snd_wl1, snd_wl2, snd_wnd, ts_recent, last_ack_sent;
	uint16_t rcv_mss;
	enum tern_tcp_state state;
	unsigned nsent;
	struct {
		uint8_t flags;
		uint32_t seq, ack, tsval, tsecr;
		uint16_t win, len;
	} sent[8];
};

#define CONT_TS0 5000u

static void
cont_run(struct fx *f, const struct cont_seg *sg, unsigned n, bool burst, struct cont_out *o)
{
	struct wire_tcp_opts so = {
	        .present = WIRE_TCPO_MSS | WIRE_TCPO_TS, .mss = 1460, .tsval = CONT_TS0};
	struct tern_engine_conf c;
	struct test_pkt p;
	uint8_t data[1024];
	unsigned i;

	conf_init(f, &c);
	c.no_delack = false;
	c.delack_ms = 40;
	c.secret[0] = 0x1234;
	c.secret[1] = 0x5678;
	start(f, &c);
	assert_int_equal(tern_listen(f->e, f->lport, 0), 0);
	peer_send_full(f, WIRE_TCP_SYN, PISS, 0, 65535, &so, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_true(p.tcp.opts.present & WIRE_TCPO_TS);
	f->iss = p.tcp.seq;
	f->snd = PISS + 1;
	f->rcv = f->iss + 1;
	so.present = WIRE_TCPO_TS;
	so.tsecr = p.tcp.opts.tsval;
	peer_send_full(f, WIRE_TCP_ACK, f->snd, f->rcv, 65535, &so, NULL, 0);
	assert_non_null(f->conn);
	pattern(data, sizeof(data), 0, 0x5c);
	for (i = 0; i < n; i++)
		if (sg[i].ackoff > 0) { /* data of ours in flight, for the peer to acknowledge */
			assert_int_equal(tern_conn_send(f->conn, data, 200), 200);
			test_link_poll(f->l);
			next_seg(f, &p);
			assert_int_equal(p.plen, 200);
			break;
		}
	for (i = 0; i < n; i++) {
		struct wire_tcp_repr th = {.sport = f->pport,
		        .dport = f->lport,
		        .seq = f->snd + (uint32_t)sg[i].off,
		        .ack = f->rcv + sg[i].ackoff,
		        .flags = (uint8_t)(WIRE_TCP_ACK | sg[i].flags),
		        .win = sg[i].win ? sg[i].win : 65535};

		struct rte_mbuf *m;

		th.opts = so;
		th.opts.tsval = CONT_TS0 + sg[i].tsv;
		m = test_craft_tcp(f->pool, &peer, &us, &th, data + sg[i].off, sg[i].len);
		if (sg[i].bad_csum) /* the last payload byte */
			rte_pktmbuf_mtod(m, uint8_t *)[rte_pktmbuf_data_len(m) - 1] ^= 0x5a;
		test_link_inject(f->l, 0, m);
		if (!burst) {
			test_link_poll(f->l);
			if (i + 1 < n)
				expect_nothing(f); /* else the two runs are not comparable */
		}
	}
	if (burst)
		test_link_poll(f->l);
	f->clk.ns += 200 * 1000000ull; /* the delayed ACK */
	test_link_poll(f->l);
	f->clk.ns += 200 * 1000000ull;
	test_link_poll(f->l);
	memset(o, 0, sizeof(*o));
	for (o->nsent = 0; test_link_pop(f->l, 0, &p); o->nsent++) {
		assert_true(o->nsent < RTE_DIM(o->sent));
		o->sent[o->nsent].flags = p.tcp.flags;
		o->sent[o->nsent].seq = p.tcp.seq;
		o->sent[o->nsent].ack = p.tcp.ack;
		o->sent[o->nsent].win = p.tcp.win;
		o->sent[o->nsent].tsval = p.tcp.opts.tsval;
		o->sent[o->nsent].tsecr = p.tcp.opts.tsecr;
		o->sent[o->nsent].len = (uint16_t)p.plen;
	}
	o->rcv_nxt = f->conn->rcv_nxt;
	o->rcv_adv = f->conn->rcv_adv;
	o->snd_wl1 = f->conn->snd_wl1;
	o->snd_wl2 = f->conn->snd_wl2;
	o->snd_wnd = f->conn->snd_wnd;
	o->ts_recent = f->conn->ts_recent;
	o->last_ack_sent = f->conn->last_ack_sent;
	o->rcv_mss = f->conn->rcv_mss;
	o->state = tern_conn_state(f->conn);
	o->got = tern_conn_recv(f->conn, o->data, sizeof(o->data));
	o->st = *stats(f);
}

static void
cont_case(const char *name, const struct cont_seg *sg, unsigned n, uint64_t want_continued)
{
	struct cont_out a, b;
	void *st;
	struct fx *f;
	unsigned i, nbad;

	for (int run = 0; run < 2; run++) {
		assert_int_equal(setup(&st), 0);
		f = st;
		cont_run(f, sg, n, run == 0, run == 0 ? &a : &b);
		assert_int_equal(teardown(&st), 0);
	}
	if (a.st.ctr[TERN_CTR_TCP_RX_CONTINUED] != want_continued ||
	        b.st.ctr[TERN_CTR_TCP_RX_CONTINUED] != 0)
		fail_msg("%s: continued %llu in the burst (want %llu), %llu one by one", name,
		        (unsigned long long)a.st.ctr[TERN_CTR_TCP_RX_CONTINUED],
		        (unsigned long long)want_continued,
		        (unsigned long long)b.st.ctr[TERN_CTR_TCP_RX_CONTINUED]);
	a.st.ctr[TERN_CTR_TCP_RX_CONTINUED] = 0;
	for (i = 0, nbad = 0; i < n; i++)
		nbad += sg[i].bad_csum;
	assert_int_equal(a.st.drop[TERN_DROP_TCP_CSUM], nbad);
	for (i = 0; i < TERN_CTR_MAX; i++)
		if (a.st.ctr[i] != b.st.ctr[i])
			fail_msg("%s: counter %s %llu in the burst, %llu one by one", name,
			        tern_counter_name(i), (unsigned long long)a.st.ctr[i],
			        (unsigned long long)b.st.ctr[i]);
	for (i = 0; i < TERN_DROP_MAX; i++)
		if (a.st.drop[i] != b.st.drop[i])
			fail_msg("%s: drop %s %llu in the burst, %llu one by one", name,
			        tern_drop_name(i), (unsigned long long)a.st.drop[i],
			        (unsigned long long)b.st.drop[i]);
	memset(&a.st, 0, sizeof(a.st));
	memset(&b.st, 0, sizeof(b.st));
	if (memcmp(&a, &b, sizeof(a)) != 0)
		fail_msg("%s: state, data or segments sent differ (rcv_nxt %u/%u wl1 %u/%u "
		         "ts_recent %u/%u sent %u/%u read %zd/%zd)",
		        name, a.rcv_nxt, b.rcv_nxt, a.snd_wl1, b.snd_wl1, a.ts_recent, b.ts_recent,
		        a.nsent, b.nsent, a.got, b.got);
	assert_true(a.nsent >= 1); /* at least the (delayed) ACK */
}

static void
test_rx_continuation(void **state)
{
	static const struct cont_seg in_order[] = {{0, 100, 0, 0, 0},
	        {100, 100, WIRE_TCP_PSH, 0, 0}, {200, 100, 0, 0, 0}, {300, 50, WIRE_TCP_PSH, 0, 0},
	        {350, 100, 0, 0, 0}};
	/* the peer's clock ticks mid-burst: PAWS passes, TS.Recent does not move either way */
	static const struct cont_seg ts_tick[] = {
	        {0, 100, 0, 0, 0}, {100, 100, 0, 0, 1}, {200, 100, 0, 0, 1}, {300, 100, 0, 0, 2}};
	/* an older TSval (PAWS drops it, and ACKs: the last frame, so both runs ACK alike) */
	static const struct cont_seg ts_old[] = {{0, 100, 0, 0, 3}, {100, 100, 0, 0, 2}};
	/* the window changes on the third: not a sequel, then continued again */
	static const struct cont_seg win_change[] = {{0, 100, 0, 0, 0}, {100, 100, 0, 0, 0},
	        {200, 100, 0, 60000, 0}, {300, 100, 0, 60000, 0}, {400, 100, 0, 60000, 0}};
	/* a hole last (an immediate duplicate ACK in both runs) */
	static const struct cont_seg hole_last[] = {
	        {0, 100, 0, 0, 0}, {100, 100, 0, 0, 0}, {300, 100, 0, 0, 0}};
	/* a pure ACK between data */
	static const struct cont_seg pure_ack[] = {
	        {0, 100, 0, 0, 0}, {100, 0, 0, 0, 0}, {100, 100, 0, 0, 0}, {200, 100, 0, 0, 0}};
	/* a FIN last */
	static const struct cont_seg fin_last[] = {
	        {0, 100, 0, 0, 0}, {100, 100, 0, 0, 0}, {200, 100, WIRE_TCP_FIN, 0, 0}};
	/* a frame with a bad TCP checksum between two in order: dropped by the parse, which
	 * touches no connection, so the next one still continues */
	static const struct cont_seg bad_csum[] = {{0, 100, 0, 0, 0, false},
	        {100, 100, 0, 0, 0, true}, {100, 100, 0, 0, 0, false}, {200, 100, 0, 0, 0, false}};
	/* the ACK field moves mid-burst (our 200 bytes acknowledged): that frame is no
	 * sequel (header prediction takes the ACK), the one after it is */
	static const struct cont_seg ack_moves[] = {{0, 100, 0, 0, 0, false, 0},
	        {100, 100, 0, 0, 0, false, 0}, {200, 100, 0, 0, 0, false, 200},
	        {300, 100, 0, 0, 0, false, 200}};
	/* a repeat of the previous frame (a duplicate: ACKed at once; last) */
	static const struct cont_seg repeat_last[] = {
	        {0, 100, 0, 0, 0}, {100, 100, 0, 0, 0}, {100, 100, 0, 0, 0}};

	(void)state;
	cont_case("in order", in_order, RTE_DIM(in_order), 4);
	cont_case("timestamp tick", ts_tick, RTE_DIM(ts_tick), 3);
	cont_case("older timestamp", ts_old, RTE_DIM(ts_old), 0);
	cont_case("window change", win_change, RTE_DIM(win_change), 2);
	cont_case("hole last", hole_last, RTE_DIM(hole_last), 1);
	cont_case("pure ACK between", pure_ack, RTE_DIM(pure_ack), 1);
	cont_case("FIN last", fin_last, RTE_DIM(fin_last), 1);
	cont_case("repeat last", repeat_last, RTE_DIM(repeat_last), 1);
	cont_case("bad checksum between", bad_csum, RTE_DIM(bad_csum), 2);
	cont_case("ACK moves", ack_moves, RTE_DIM(ack_moves), 2);
}

/* Take every mbuf left in @p pool into @p hoard from @p n on. @return the new count. */
static unsigned
hoard_all(struct rte_mempool *pool, struct rte_mbuf **hoard, unsigned n, unsigned max)
{
	while (n < max && (hoard[n] = rte_pktmbuf_alloc(pool)) != NULL)
		n++;
	assert_true(n < max);
	return n;
}

/* An ACK owed while no mbuf can be had stays owed (counted) and goes out once the pool has
 * refilled, from the delayed-ACK timer: it is never silently forgotten. And once the engine
 * sees the pool that low (it looks once per millisecond), new data is dropped
 * (tcp_rcv_pool_low), not buffered: the NIC keeps mbufs to receive with. */
static void
test_ack_without_mbuf(void **state)
{
	static struct rte_mbuf *hoard[16384];
	struct fx *f = *state;
	uint8_t data[300];
	struct test_pkt p;
	struct rte_mbuf *next, *later;
	unsigned n, i;
	uint32_t base;

	start_default(f);
	passive_open(f, 1460, 65535);
	base = f->snd;
	pattern(data, sizeof(data), 0, 0x33);
	peer_seg(f, WIRE_TCP_ACK | WIRE_TCP_PSH, 65535, data, 100);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 100);
	{
		struct wire_tcp_repr th = {.sport = PPORT,
		        .dport = LPORT,
		        .seq = base + 100,
		        .ack = f->rcv,
		        .flags = WIRE_TCP_ACK | WIRE_TCP_PSH,
		        .win = 65535};
		next = test_craft_tcp(f->pool, &peer, &us, &th, data + 100, 100);
		th.seq = base + 200;
		later = test_craft_tcp(f->pool, &peer, &us, &th, data + 200, 100);
	}
	/* the peer's segments are built; now nothing is left in the pool */
	n = hoard_all(f->pool, hoard, 0, RTE_DIM(hoard));
	/* the same millisecond: taken, but there is no mbuf for its ACK */
	test_link_inject(f->l, 0, next);
	test_link_poll(f->l);
	assert_int_equal(f->n_readable, 2);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_ACK_DEFERRED], 1);
	assert_true(stats(f)->drop[TERN_DROP_NO_MBUF] >= 1);
	/* still no mbuf when the timer fires (10 ms): owed again, the timer re-armed */
	test_link_advance(f->l, 15);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_ACK_DEFERRED], 2);
	/* new data now: dropped, not buffered */
	test_link_inject(f->l, 0, later);
	test_link_poll(f->l);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_RCV_POOL_LOW], 1);
	assert_int_equal(tern_conn_readable(f->conn), 200);
	n = hoard_all(f->pool, hoard, n, RTE_DIM(hoard));
	expect_nothing(f);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(hoard[i]);
	test_link_advance(f->l, 10);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, base + 200);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_DATA_RX], 200);
	f->snd = base + 200;
}

static void
test_data_in_fills_window(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	uint8_t data[1000], buf[4096];
	struct test_pkt p;
	unsigned i;

	conf_init(f, &c);
	c.rcvbuf = 4000;
	start(f, &c);
	passive_open(f, 1000, 65535);
	pattern(data, sizeof(data), 0, 1);
	for (i = 0; i < 4; i++) {
		peer_seg(f, WIRE_TCP_ACK, 65535, data, 1000);
		f->snd += 1000;
		expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
		assert_int_equal(p.tcp.win, 4000 - 1000 * (i + 1));
	}
	/* window closed: a further byte is not acceptable */
	peer_seg(f, WIRE_TCP_ACK, 65535, data, 1);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(p.tcp.win, 0);
	assert_int_equal(tern_conn_readable(f->conn), 4000);
	/* reading reopens it, with a window update */
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 4000);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(p.tcp.win, 4000);
}

/* With window scaling, reading a nearly full receive buffer sends a window update at once
 * (the window last advertised was below 2 MSS and reading opened it): rb_consumed() once
 * compared the scaled field with the byte count, so an update that opened the window to
 * less than old_bytes << shift was never sent and the peer sat in persist. */
static void
test_window_update_scaled(void **state)
{
	struct fx *f = *state;
	struct wire_tcp_opts o = {
	        .present = WIRE_TCPO_MSS | WIRE_TCPO_WSCALE, .mss = 1000, .wscale = 0};
	struct tern_engine_conf c;
	static uint8_t data[1000], buf[70000];
	struct test_pkt p;
	uint32_t got = 0;
	unsigned i;

	conf_init(f, &c);
	c.rcvbuf = 70000; /* shift 1 */
	start(f, &c);
	assert_int_equal(tern_listen(f->e, f->lport, 0), 0);
	peer_send_full(f, WIRE_TCP_SYN, PISS, 0, 65535, &o, NULL, 0);
	next_seg(f, &p);
	assert_true(p.tcp.opts.present & WIRE_TCPO_WSCALE);
	assert_int_equal(p.tcp.opts.wscale, 1);
	f->iss = p.tcp.seq;
	f->snd = PISS + 1;
	f->rcv = f->iss + 1;
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	assert_non_null(f->conn);
	pattern(data, sizeof(data), 0, 7);
	/* 69 segments: 1000 bytes (500 scaled) of window left, below 2 MSS */
	for (i = 0; i < 69; i++) {
		peer_seg(f, WIRE_TCP_ACK, 65535, data, sizeof(data));
		f->snd += sizeof(data);
		expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	}
	assert_int_equal(p.tcp.win, 500);
	/* read 1000 bytes: 2000 free, the edge moves by a useful amount (one MSS): the update
	 * (2000 bytes, 1000 scaled) goes now; 1000 scaled is not above 1000 bytes */
	got = (uint32_t)tern_conn_recv(f->conn, buf, 1000);
	assert_int_equal(got, 1000);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(p.tcp.win, 1000);
	expect_nothing(f);
}

/* ---- data out ---- */

static void
test_data_out_window(void **state)
{
	struct fx *f = *state;
	static uint8_t data[10000];
	struct test_pkt p;
	uint32_t sent = 0;
	unsigned i;

	start_default(f);
	passive_open(f, 1000, 4000);
	pattern(data, sizeof(data), 0, 0x33);
	assert_int_equal(tern_conn_send(f->conn, data, sizeof(data)), sizeof(data));
	test_link_poll(f->l);
	/* the peer's window (4000) bounds what is in flight; segments <= MSS 1000 */
	for (i = 0; i < 4; i++) {
		next_seg(f, &p);
		assert_true(p.tcp.flags & WIRE_TCP_ACK);
		assert_int_equal(p.tcp.seq, f->rcv + sent);
		assert_int_equal(p.tcp.ack, f->snd);
		assert_int_equal(p.plen, 1000);
		assert_memory_equal(p.payload, data + sent, p.plen);
		sent += p.plen;
	}
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_DATA_TX], 4000);

	/* 2000 acknowledged, window still 4000: two more segments (a pure ACK of new data,
	 * same window: header prediction) */
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + 2000, 4000, NULL, 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PREDICTED], 1);
	for (i = 0; i < 2; i++) {
		next_seg(f, &p);
		assert_int_equal(p.tcp.seq, f->rcv + sent);
		assert_int_equal(p.plen, 1000);
		assert_memory_equal(p.payload, data + sent, p.plen);
		sent += p.plen;
	}
	expect_nothing(f);
	/* a pure window update (same ACK, bigger window) opens it further */
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + 2000, 5500, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.seq, f->rcv + sent);
	assert_int_equal(p.plen, 1000);
	assert_memory_equal(p.payload, data + sent, p.plen);
	sent += p.plen;
	expect_nothing(f); /* 500 more would be a small segment with data in flight */
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PREDICTED], 1); /* a window update: not */

	/* everything acknowledged, window 8000: the remaining 3000 bytes go */
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + sent, 8000, NULL, 0);
	while (sent < sizeof(data)) {
		next_seg(f, &p);
		assert_int_equal(p.tcp.seq, f->rcv + sent);
		assert_true(p.plen > 0 && p.plen <= 1000);
		assert_memory_equal(p.payload, data + sent, p.plen);
		sent += p.plen;
	}
	assert_true(p.tcp.flags & WIRE_TCP_PSH);
	expect_nothing(f);
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + sent, 8000, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_PREDICTED], 2);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_DATA_TX], sizeof(data));
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RETRANS], 0);
	assert_int_equal(tern_conn_send_space(f->conn), 262144);
	assert_int_equal(gauges(f).timers, 0); /* nothing outstanding: no retransmission timer */
}

static void
test_data_out_mss(void **state)
{
	struct fx *f = *state;
	static uint8_t data[5000];
	struct test_pkt p;
	uint32_t sent = 0;

	start_default(f);
	passive_open(f, 536, 65535);
	pattern(data, sizeof(data), 0, 9);
	assert_int_equal(tern_conn_send(f->conn, data, sizeof(data)), sizeof(data));
	test_link_poll(f->l);
	while (sent < sizeof(data)) {
		next_seg(f, &p);
		assert_int_equal(p.tcp.seq, f->rcv + sent);
		assert_true(p.plen <= 536);
		assert_true(p.plen == 536 || sent + p.plen == sizeof(data));
		assert_memory_equal(p.payload, data + sent, p.plen);
		sent += p.plen;
	}
	expect_nothing(f);
}

static void
test_data_retransmit_timeout(void **state)
{
	struct fx *f = *state;
	static uint8_t data[1500];
	struct tern_engine_conf c;
	struct test_pkt p;
	uint64_t t0, rto = 300, due;
	unsigned i;

	conf_init(f, &c);
	c.rto_min_ms = 300; /* the handshake measured ~0 RTT: RTO is the minimum */
	c.data_retries = 3;
	start(f, &c);
	passive_open(f, 1000, 65535);
	pattern(data, sizeof(data), 0, 0x77);
	t0 = test_link_now_ms(f->l);
	assert_int_equal(tern_conn_send(f->conn, data, sizeof(data)), sizeof(data));
	test_link_poll(f->l);
	next_seg(f, &p);
	assert_int_equal(p.tcp.seq, f->rcv);
	assert_int_equal(p.plen, 1000);
	next_seg(f, &p);
	assert_int_equal(p.tcp.seq, f->rcv + 1000);
	assert_int_equal(p.plen, 500);
	expect_nothing(f);

	/* No ACK: the oldest segment again after RTO, 2 RTO, 4 RTO, same bytes. */
	due = t0;
	for (i = 0; i < 3; i++) {
		due += rto;
		test_link_advance(f->l, due - 1 - test_link_now_ms(f->l));
		expect_nothing(f);
		test_link_advance(f->l, 1);
		next_seg(f, &p);
		assert_int_equal(p.t_ms, due);
		assert_int_equal(p.tcp.seq, f->rcv);
		assert_true(p.tcp.flags & WIRE_TCP_ACK);
		assert_int_equal(p.tcp.ack, f->snd);
		assert_int_equal(p.plen, 1000);
		assert_memory_equal(p.payload, data, 1000);
		expect_nothing(f); /* cwnd fell to one segment */
		rto *= 2;
	}
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RETRANS], 3);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_DATA_TX], 1500);
	assert_int_equal(f->n_closed, 0);

	/* data_retries exhausted: RST and TERN_CLOSE_TIMEOUT */
	due += rto;
	test_link_advance(f->l, due - 1 - test_link_now_ms(f->l));
	expect_nothing(f);
	assert_int_equal(f->n_closed, 0);
	test_link_advance(f->l, 1);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_RST | WIRE_TCP_ACK);
	assert_true(seq_geq(p.tcp.seq, f->rcv) && seq_leq(p.tcp.seq, f->rcv + 1500));
	assert_int_equal(p.tcp.ack, f->snd);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_TIMEOUT);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TIMEOUT], 1);
	assert_int_equal(gauges(f).established, 0);
	/* the 4-tuple is free again: a segment on it draws a RST from the listener */
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST, f->rcv, 0);
}

static void
test_data_retransmit_recovers(void **state)
{
	struct fx *f = *state;
	static uint8_t data[3000];
	struct tern_engine_conf c;
	struct test_pkt p;
	uint32_t sent;

	conf_init(f, &c);
	c.rto_min_ms = 300;
	start(f, &c);
	passive_open(f, 1000, 65535);
	pattern(data, sizeof(data), 0, 0x11);
	assert_int_equal(tern_conn_send(f->conn, data, sizeof(data)), sizeof(data));
	test_link_poll(f->l);
	assert_int_equal(test_link_flush(f->l, 0), 3); /* "lost" */
	test_link_advance(f->l, 300);
	next_seg(f, &p);
	assert_int_equal(p.tcp.seq, f->rcv);
	assert_memory_equal(p.payload, data, 1000);
	expect_nothing(f);
	/* the ACK of the retransmission lets the rest follow (slow start from one segment) */
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_nothing(f);
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + 1000, 65535, NULL, 0);
	sent = 1000;
	while (sent < sizeof(data)) {
		next_seg(f, &p);
		assert_int_equal(p.tcp.seq, f->rcv + sent);
		assert_memory_equal(p.payload, data + sent, p.plen);
		sent += p.plen;
	}
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + sent, 65535, NULL, 0);
	expect_nothing(f);
	test_link_advance(f->l, 5000);
	expect_nothing(f);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
}

/* The zero-window tests' start (rto_min 300 ms, data_retries 2): an accepted connection
 * whose peer shut its window, and 1500 pattern bytes (@p data) sent into it, none of them
 * going. @return the time of the send. */
static uint64_t
zero_window_start(struct fx *f, uint8_t *data, size_t len)
{
	struct tern_engine_conf c;
	uint64_t t0;

	conf_init(f, &c);
	c.rto_min_ms = 300;
	c.data_retries = 2;
	start(f, &c);
	passive_open(f, 1000, 0);
	pattern(data, len, 0, 0x42);
	t0 = test_link_now_ms(f->l);
	assert_int_equal(tern_conn_send(f->conn, data, len), (ssize_t)len);
	test_link_poll(f->l);
	expect_nothing(f); /* the peer's window is shut */
	return t0;
}

static void
test_zero_window_probe(void **state)
{
	struct fx *f = *state;
	static uint8_t data[1500];
	struct test_pkt p;
	uint64_t t0, due, rto = 300;
	unsigned i;

	t0 = zero_window_start(f, data, sizeof(data));

	/* persist: probes with an old sequence number, backing off; more probes than
	 * data_retries, answered (the window still shut), which neither end the connection
	 * nor count against the data sent later */
	due = t0;
	for (i = 0; i < 3; i++) {
		due += rto;
		test_link_advance(f->l, due - 1 - test_link_now_ms(f->l));
		expect_nothing(f);
		test_link_advance(f->l, 1);
		expect_seg(f, &p, WIRE_TCP_ACK, f->rcv - 1, f->snd);
		assert_int_equal(p.plen, 0);
		peer_seg(f, WIRE_TCP_ACK, 0, NULL, 0);
		expect_nothing(f);
		rto *= 2;
	}
	assert_int_equal(f->n_closed, 0);

	/* the window opens: data goes */
	peer_seg(f, WIRE_TCP_ACK, 4000, NULL, 0);
	next_seg(f, &p);
	assert_int_equal(p.tcp.seq, f->rcv);
	assert_int_equal(p.plen, 1000);
	assert_memory_equal(p.payload, data, 1000);
	next_seg(f, &p);
	assert_int_equal(p.tcp.seq, f->rcv + 1000);
	assert_int_equal(p.plen, 500);
	expect_nothing(f);

	/* lost: the first timeout retransmits it (the probes were not retransmissions) */
	for (i = 0; i < 20000 && test_link_captured(f->l, 0) == 0; i++)
		test_link_advance(f->l, 1);
	next_seg(f, &p);
	assert_false(p.tcp.flags & WIRE_TCP_RST);
	assert_int_equal(p.tcp.seq, f->rcv);
	assert_int_equal(p.plen, 1000);
	assert_memory_equal(p.payload, data, 1000);
	assert_int_equal(f->n_closed, 0);
	peer_send(f, WIRE_TCP_ACK, f->snd, f->rcv + 1500, 4000, NULL, 0);
	expect_nothing(f);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
}

/*
 * A peer silent behind its shut window (a zero-window hold): the first probe follows the
 * segment that shut it; after data_retries more in a row unanswered the next expiry ends
 * the connection with a RST (as Linux's probe timer, whose probes_out an ACK clears),
 * instead of probing it, and holding its send buffer, for ever.
 */
static void
test_zero_window_silent_peer(void **state)
{
	struct fx *f = *state;
	static uint8_t data[1500];
	struct test_pkt p;
	uint64_t due, rto = 300;
	unsigned i;

	due = zero_window_start(f, data, sizeof(data));
	for (i = 0; i < 3; i++) { /* the first, then data_retries unanswered */
		due += rto;
		test_link_advance(f->l, due - test_link_now_ms(f->l));
		expect_seg(f, &p, WIRE_TCP_ACK, f->rcv - 1, f->snd);
		rto *= 2;
	}
	assert_int_equal(f->n_closed, 0);
	due += rto;
	test_link_advance(f->l, due - test_link_now_ms(f->l));
	expect_seg(f, &p, WIRE_TCP_RST | WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_TIMEOUT);
}

/* ---- closing ---- */

/* Active close up to TIME_WAIT; returns with f->rcv past our FIN and f->snd past theirs. */
static void
active_close_to_time_wait(struct fx *f)
{
	struct test_pkt p;

	assert_int_equal(tern_conn_close(f->conn), 0);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_FIN_WAIT_1);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(gauges(f).fin_wait_1, 1);
	f->rcv++;
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_nothing(f);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_FIN_WAIT_2);
	assert_int_equal(gauges(f).fin_wait_2, 1);
	assert_int_equal(f->n_closed, 0);
	peer_seg(f, WIRE_TCP_FIN | WIRE_TCP_ACK, 65535, NULL, 0);
	f->snd++;
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_NORMAL);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_ENTER], 1);
	assert_int_equal(gauges(f).time_wait, 1);
	assert_int_equal(gauges(f).fin_wait_2, 0);
	assert_int_equal(gauges(f).established, 0);
}

static void
start_msl(struct fx *f, uint32_t msl)
{
	struct tern_engine_conf c;

	conf_init(f, &c);
	c.msl_ms = msl;
	c.rto_min_ms = 300;
	start(f, &c);
}

static void
test_close_active(void **state)
{
	struct fx *f = *state;

	start_msl(f, 1000);
	passive_open(f, 1460, 65535);
	active_close_to_time_wait(f);
}

static void
test_time_wait_expires(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;
	uint64_t t_tw;

	start_msl(f, 1000);
	passive_open(f, 1460, 65535);
	assert_int_equal(tern_unlisten(f->e, LPORT), 0);
	active_close_to_time_wait(f);
	t_tw = test_link_now_ms(f->l);

	/* A plain ACK in TIME_WAIT is dropped (counted), not answered. */
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_TW_SEGMENT], 1);

	test_link_advance(f->l, 2 * 1000 - 1);
	assert_int_equal(test_link_now_ms(f->l), t_tw + 1999);
	assert_int_equal(gauges(f).time_wait, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_EXPIRE], 0);
	test_link_advance(f->l, 1);
	assert_int_equal(gauges(f).time_wait, 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_EXPIRE], 1);
	expect_nothing(f);

	/* No connection any more: the same ACK now draws RST <SEQ=SEG.ACK>. */
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST, f->rcv, 0);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_NO_LISTENER_RST], 1);
}

static void
test_time_wait_fin_retransmit(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;
	uint64_t t_fin;

	start_msl(f, 1000);
	passive_open(f, 1460, 65535);
	active_close_to_time_wait(f);
	test_link_advance(f->l, 1500);

	/* the peer did not get our ACK and sends its FIN again */
	peer_send(f, WIRE_TCP_FIN | WIRE_TCP_ACK, f->snd - 1, f->rcv, 65535, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_ACK], 1);
	t_fin = test_link_now_ms(f->l);

	/* 2MSL restarted from the retransmitted FIN */
	test_link_advance(f->l, 2000 - 1);
	assert_int_equal(test_link_now_ms(f->l), t_fin + 1999);
	assert_int_equal(gauges(f).time_wait, 1);
	test_link_advance(f->l, 1);
	assert_int_equal(gauges(f).time_wait, 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_EXPIRE], 1);
}

static void
test_close_passive(void **state)
{
	struct fx *f = *state;
	uint8_t buf[16];
	struct test_pkt p;

	start_msl(f, 1000);
	passive_open(f, 1460, 65535);
	peer_seg(f, WIRE_TCP_FIN | WIRE_TCP_ACK, 65535, NULL, 0);
	f->snd++;
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_CLOSE_WAIT);
	assert_int_equal(gauges(f).close_wait, 1);
	assert_int_equal(f->n_readable, 1);
	assert_int_equal(tern_conn_recv(f->conn, buf, sizeof(buf)), 0); /* EOF */

	/* a retransmitted FIN is ACKed again */
	peer_send(f, WIRE_TCP_FIN | WIRE_TCP_ACK, f->snd - 1, f->rcv, 65535, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);

	assert_int_equal(tern_conn_close(f->conn), 0);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_LAST_ACK);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(gauges(f).last_ack, 1);
	assert_int_equal(f->n_closed, 0);
	f->rcv++;
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_NORMAL);
	assert_int_equal(gauges(f).last_ack, 0);
	assert_int_equal(gauges(f).time_wait, 0);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_ENTER], 0);
}

static void
test_close_simultaneous(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;

	start_msl(f, 1000);
	passive_open(f, 1460, 65535);
	assert_int_equal(tern_conn_close(f->conn), 0);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv, f->snd);
	/* the peer's FIN crosses ours: it does not acknowledge our FIN */
	peer_seg(f, WIRE_TCP_FIN | WIRE_TCP_ACK, 65535, NULL, 0);
	f->snd++;
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_CLOSING);
	assert_int_equal(gauges(f).closing, 1);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv + 1, f->snd);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 0);
	/* then it acknowledges our FIN */
	f->rcv++;
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_NORMAL);
	assert_int_equal(gauges(f).closing, 0);
	assert_int_equal(gauges(f).time_wait, 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_ENTER], 1);
}

static void
test_fin_retransmit(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;
	uint64_t t0;

	start_msl(f, 1000);
	passive_open(f, 1460, 65535);
	t0 = test_link_now_ms(f->l);
	assert_int_equal(tern_conn_close(f->conn), 0);
	test_link_poll(f->l);
	expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv, f->snd);
	test_link_advance(f->l, 299);
	expect_nothing(f);
	test_link_advance(f->l, 1);
	expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(p.t_ms, t0 + 300);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RETRANS], 1);
	test_link_advance(f->l, 600);
	expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(p.t_ms, t0 + 900);
	expect_nothing(f);
	/* acknowledged at last: FIN_WAIT_2, no more retransmissions */
	f->rcv++;
	peer_seg(f, WIRE_TCP_ACK, 65535, NULL, 0);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_FIN_WAIT_2);
	test_link_advance(f->l, 5000);
	expect_nothing(f);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RETRANS], 2);
}

static void
test_close_after_data(void **state)
{
	struct fx *f = *state;
	static uint8_t data[2500];
	struct test_pkt p;
	uint32_t sent = 0;

	start_msl(f, 1000);
	passive_open(f, 1000, 65535);
	pattern(data, sizeof(data), 0, 3);
	assert_int_equal(tern_conn_send(f->conn, data, sizeof(data)), sizeof(data));
	assert_int_equal(tern_conn_close(f->conn), 0);
	assert_int_equal(tern_conn_send(f->conn, data, 1), -EPIPE);
	test_link_poll(f->l);
	/* the FIN rides on (or follows) the last data segment */
	while (sent < sizeof(data)) {
		next_seg(f, &p);
		assert_int_equal(p.tcp.seq, f->rcv + sent);
		assert_memory_equal(p.payload, data + sent, p.plen);
		sent += p.plen;
	}
	if (!(p.tcp.flags & WIRE_TCP_FIN))
		expect_seg(f, &p, WIRE_TCP_FIN | WIRE_TCP_ACK, f->rcv + sent, f->snd);
	expect_nothing(f);
	f->rcv += sent + 1;
	peer_seg(f, WIRE_TCP_FIN | WIRE_TCP_ACK, 65535, NULL, 0);
	f->snd++;
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(gauges(f).time_wait, 1);
}

/* ---- RST ---- */

static void
test_rst_closed_port(void **state)
{
	struct fx *f = *state;
	uint8_t data[10] = {0};
	struct test_pkt p;

	start_default(f);
	f->lport = 81;
	/* ACK set: <SEQ=SEG.ACK><CTL=RST> */
	peer_send(f, WIRE_TCP_ACK, 1000, 0xdeadbeef, 8192, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST, 0xdeadbeef, 0);
	assert_int_equal(p.plen, 0);
	/* no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count */
	peer_send(f, WIRE_TCP_SYN, 5000, 0, 8192, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST | WIRE_TCP_ACK, 0, 5001);
	peer_send(f, WIRE_TCP_PSH, 7000, 0, 8192, data, sizeof(data));
	expect_seg(f, &p, WIRE_TCP_RST | WIRE_TCP_ACK, 0, 7010);
	peer_send(f, WIRE_TCP_FIN, 0xfffffffe, 0, 8192, data, 5);
	expect_seg(f, &p, WIRE_TCP_RST | WIRE_TCP_ACK, 0, 4); /* wraps */
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_NO_LISTENER_RST], 4);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RST_TX], 4);
}

static void
test_rst_to_closed_port(void **state)
{
	struct fx *f = *state;

	start_default(f);
	f->lport = 81;
	peer_send(f, WIRE_TCP_RST, 1000, 0, 0, NULL, 0);
	peer_send(f, WIRE_TCP_RST | WIRE_TCP_ACK, 1000, 2000, 0, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_NO_LISTENER], 2);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RST_TX], 0);
	/* a RST to a listener is ignored too */
	f->lport = LPORT;
	assert_int_equal(tern_listen(f->e, LPORT, 0), 0);
	peer_send(f, WIRE_TCP_RST, 1000, 0, 0, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_LISTEN_BAD], 1);
}

static void
test_rst_exact(void **state)
{
	struct fx *f = *state;

	start_default(f);
	passive_open(f, 1460, 65535);
	peer_seg(f, WIRE_TCP_RST, 0, NULL, 0);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_RESET);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RST_RX], 1);
	assert_int_equal(gauges(f).established, 0);
}

static void
test_rst_in_window_challenge(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;

	start_default(f);
	passive_open(f, 1460, 65535);
	/* in the window but not rcv_nxt: challenge ACK (RFC 5961 §3.2), connection stays */
	peer_send(f, WIRE_TCP_RST, f->snd + 100, 0, 0, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 0);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RST_RX], 0);
	/* outside the window: silently dropped */
	peer_send(f, WIRE_TCP_RST, f->snd + 100000, 0, 0, NULL, 0);
	peer_send(f, WIRE_TCP_RST, f->snd - 1, 0, 0, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_RST_CHALLENGE], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_CHALLENGE_ACK], 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_OUT_OF_WINDOW], 2);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
	/* data still flows */
	peer_seg(f, WIRE_TCP_ACK, 65535, "x", 1);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd + 1);
}

static void
test_syn_on_established(void **state)
{
	struct fx *f = *state;
	struct test_pkt p;

	start_default(f);
	passive_open(f, 1460, 65535);
	/* in-window SYN: challenge ACK (RFC 5961 §4.2) */
	peer_send(f, WIRE_TCP_SYN, f->snd + 10, 0, 8192, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	/* a copy of the original SYN (old): ACK too */
	peer_send(f, WIRE_TCP_SYN, PISS, 0, 8192, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(tern_conn_state(f->conn), TERN_TCP_ESTABLISHED);
	assert_int_equal(f->n_closed, 0);
	assert_int_equal(f->n_accepted, 1);
}

/* ---- active open ---- */

/* tern_connect to the peer; answers ARP by hand when @p arp; returns the SYN's seq. */
static struct tern_conn *
connect_syn(struct fx *f, bool arp, struct test_pkt *p)
{
	static int udata;
	struct tern_conn *c;

	c = tern_connect(f->e, peer.ip, 80, 0, &udata);
	assert_non_null(c);
	assert_int_equal(tern_conn_state(c), TERN_TCP_SYN_SENT);
	assert_int_equal(gauges(f).syn_sent, 1);
	test_link_poll(f->l);
	if (arp) {
		struct wire_arp_repr rep = {.op = WIRE_ARP_OP_REPLY,
		        .sha = peer.mac,
		        .spa = peer.ip,
		        .tha = us.mac,
		        .tpa = us.ip};
		/* the SYN waits for the peer's MAC */
		assert_true(test_link_pop(f->l, 0, p));
		assert_true(p->is_arp);
		assert_int_equal(p->arp.op, WIRE_ARP_OP_REQUEST);
		assert_int_equal(p->arp.tpa, peer.ip);
		assert_int_equal(p->arp.spa, us.ip);
		expect_nothing(f);
		test_link_inject(f->l, 0, test_craft_arp(f->pool, &us.mac, &rep));
		test_link_poll(f->l);
	}
	assert_true(test_link_pop(f->l, 0, p));
	assert_true(p->is_tcp);
	assert_true(p->tcp_csum_ok);
	f->lport = p->tcp.sport;
	f->pport = 80;
	assert_true(f->lport >= 32768 && f->lport <= 60999);
	assert_int_equal(p->tcp.dport, 80);
	assert_memory_equal(p->eth.dst.b, peer.mac.b, WIRE_ETH_ALEN);
	assert_int_equal(p->tcp.flags, WIRE_TCP_SYN);
	assert_true(p->tcp.opts.present & WIRE_TCPO_MSS);
	assert_int_equal(p->tcp.opts.mss, 1460);
	assert_int_equal(p->plen, 0);
	f->iss = p->tcp.seq;
	f->rcv = f->iss + 1;
	return c;
}

static void
test_active_open(void **state)
{
	struct fx *f = *state;
	struct wire_tcp_opts o = {.present = WIRE_TCPO_MSS, .mss = 1200};
	struct tern_conn *c;
	struct test_pkt p;
	uint8_t data[2000];

	test_link_auto_arp(f->l, 0, 0, NULL);
	start_default(f);
	c = connect_syn(f, true, &p);
	assert_int_equal(stats(f)->ctr[TERN_CTR_ARP_REQ_TX], 1);
	expect_nothing(f);
	peer_send_full(f, WIRE_TCP_SYN | WIRE_TCP_ACK, PISS, f->iss + 1, 30000, &o, NULL, 0);
	f->snd = PISS + 1;
	expect_seg(f, &p, WIRE_TCP_ACK, f->rcv, f->snd);
	expect_nothing(f);
	assert_int_equal(f->n_connected, 1);
	assert_ptr_equal(f->conn, c);
	assert_non_null(f->udata_seen);
	assert_ptr_equal(f->udata_seen, tern_conn_udata(c));
	assert_int_equal(tern_conn_state(c), TERN_TCP_ESTABLISHED);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_ACTIVE_OPEN], 1);
	/* the peer's MSS is used */
	pattern(data, sizeof(data), 0, 5);
	assert_int_equal(tern_conn_send(c, data, sizeof(data)), sizeof(data));
	test_link_poll(f->l);
	next_seg(f, &p);
	assert_int_equal(p.plen, 1200);
	assert_int_equal(p.tcp.seq, f->rcv);
	next_seg(f, &p);
	assert_int_equal(p.plen, 800);
	expect_nothing(f);
}

static void
test_active_refused(void **state)
{
	struct fx *f = *state;
	struct tern_conn *c;
	struct test_pkt p;

	start_default(f);
	c = connect_syn(f, false, &p);
	/* a RST that does not acknowledge our SYN is dropped, not answered */
	peer_send(f, WIRE_TCP_RST | WIRE_TCP_ACK, 0, f->iss, 0, NULL, 0);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_SYN_SENT_BAD], 1);
	assert_int_equal(f->n_closed, 0);
	/* an ACK of something never sent draws <SEQ=SEG.ACK><CTL=RST> */
	peer_send(f, WIRE_TCP_ACK, 0, f->iss + 5, 0, NULL, 0);
	expect_seg(f, &p, WIRE_TCP_RST, f->iss + 5, 0);
	assert_int_equal(tern_conn_state(c), TERN_TCP_SYN_SENT);
	peer_send(f, WIRE_TCP_RST | WIRE_TCP_ACK, 0, f->iss + 1, 0, NULL, 0);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_REFUSED);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_CONNECT_FAIL], 1);
	assert_int_equal(gauges(f).syn_sent, 0);
}

static void
test_active_timeout(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf c;
	struct test_pkt p;
	uint64_t t0;

	conf_init(f, &c);
	c.syn_retries = 2;
	start(f, &c);
	t0 = test_link_now_ms(f->l);
	connect_syn(f, false, &p);
	test_link_advance(f->l, 999);
	expect_nothing(f);
	test_link_advance(f->l, 1);
	expect_seg(f, &p, WIRE_TCP_SYN, f->iss, 0);
	assert_int_equal(p.t_ms, t0 + 1000);
	test_link_advance(f->l, 2000);
	expect_seg(f, &p, WIRE_TCP_SYN, f->iss, 0);
	assert_int_equal(p.t_ms, t0 + 3000);
	test_link_advance(f->l, 3999);
	expect_nothing(f);
	assert_int_equal(f->n_closed, 0);
	test_link_advance(f->l, 1);
	expect_nothing(f); /* no RST for a connection that never synchronized */
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_TIMEOUT);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_CONNECT_FAIL], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TIMEOUT], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_RETRANS], 2);
	assert_int_equal(gauges(f).syn_sent, 0);
}

/* The next hop never answers ARP: the SYN_SENT connection ends with TERN_CLOSE_NO_ROUTE
 * when ARP gives up (3 requests, 1 s apart), not after its SYN retries; the held SYNs
 * (the first and its retransmissions at 1 s and 3 s) are counted as arp_unresolved. */
static void
test_active_no_route(void **state)
{
	struct fx *f = *state;
	struct tern_conn *c;
	struct test_pkt p;
	uint64_t t0;

	test_link_auto_arp(f->l, 0, 0, NULL);
	start_default(f);
	t0 = test_link_now_ms(f->l);
	c = tern_connect(f->e, peer.ip, 80, 0, NULL);
	assert_non_null(c);
	test_link_poll(f->l);
	test_link_advance(f->l, 2999);
	while (test_link_pop(f->l, 0, &p))
		assert_true(p.is_arp); /* requests only: the SYN waits */
	assert_int_equal(f->n_closed, 0);
	assert_int_equal(tern_conn_state(c), TERN_TCP_SYN_SENT);
	test_link_advance(f->l, 1);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(f->why, TERN_CLOSE_NO_ROUTE);
	assert_int_equal(test_link_now_ms(f->l), t0 + 3000);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_CONNECT_FAIL], 1);
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TIMEOUT], 0);
	assert_int_equal(stats(f)->drop[TERN_DROP_ARP_UNRESOLVED], 3);
	assert_int_equal(gauges(f).syn_sent, 0);
	test_link_advance(f->l, 60000);
	expect_nothing(f);
}

/*
 * Keepalive and user-timeout settings live in the engine's TCP_KA_N sets, a connection
 * naming one: 255 distinct sets besides the engine's own can be in use at once
 * (-ENOSPC beyond, the connection keeps its values); a set no connection names any more
 * is free again; the sole user of a set may change it even when all are taken.
 */
static void
test_keepalive_sets(void **state)
{
	enum { N = 257 };
	struct fx *f = *state;
	struct tern_engine_conf conf;
	struct tern_conn *c[N];
	uint32_t v;
	int i;

	conf_init(f, &conf);
	conf.max_conns = N + 1;
	conf.user_timeout_ms = 777;
	start(f, &conf);
	for (i = 0; i < N; i++) {
		c[i] = tern_connect(f->e, peer.ip, 80, 0, NULL);
		assert_non_null(c[i]);
	}
	for (i = 0; i < N - 2; i++) /* sets 1..255 */
		assert_int_equal(tern_conn_setopt(c[i], TERN_OPT_USER_TIMEOUT_MS, 1000 + i), 0);
	assert_int_equal(tern_conn_setopt(c[N - 2], TERN_OPT_USER_TIMEOUT_MS, 5), -ENOSPC);
	assert_int_equal(tern_conn_setopt(c[N - 2], TERN_OPT_KEEPCNT, 5), -ENOSPC);
	assert_int_equal(tern_conn_getopt(c[N - 2], TERN_OPT_USER_TIMEOUT_MS, &v), 0);
	assert_int_equal(v, 777);
	/* values some set holds already, or the engine's: no new set needed */
	assert_int_equal(tern_conn_setopt(c[N - 2], TERN_OPT_USER_TIMEOUT_MS, 1003), 0);
	assert_int_equal(tern_conn_setopt(c[N - 1], TERN_OPT_USER_TIMEOUT_MS, 777), 0);
	/* the sole user of a set changes it in place */
	assert_int_equal(tern_conn_setopt(c[0], TERN_OPT_KEEPIDLE_MS, 4321), 0);
	assert_int_equal(tern_conn_getopt(c[0], TERN_OPT_KEEPIDLE_MS, &v), 0);
	assert_int_equal(v, 4321);
	assert_int_equal(tern_conn_getopt(c[0], TERN_OPT_USER_TIMEOUT_MS, &v), 0);
	assert_int_equal(v, 1000);
	/* c[3]'s set has two users: still full */
	assert_int_equal(tern_conn_setopt(c[3], TERN_OPT_USER_TIMEOUT_MS, 6), -ENOSPC);
	assert_int_equal(tern_conn_getopt(c[3], TERN_OPT_USER_TIMEOUT_MS, &v), 0);
	assert_int_equal(v, 1003);
	/* c[1] goes back to the engine's values: its set is free for c[N - 1] */
	assert_int_equal(tern_conn_setopt(c[1], TERN_OPT_USER_TIMEOUT_MS, 777), 0);
	assert_int_equal(tern_conn_setopt(c[N - 1], TERN_OPT_KEEPINTVL_MS, 99), 0);
	assert_int_equal(tern_conn_getopt(c[N - 1], TERN_OPT_KEEPINTVL_MS, &v), 0);
	assert_int_equal(v, 99);
	assert_int_equal(tern_conn_getopt(c[N - 1], TERN_OPT_USER_TIMEOUT_MS, &v), 0);
	assert_int_equal(v, 777);
	/* a connection that goes away gives its set back */
	assert_int_equal(tern_conn_setopt(c[N - 2], TERN_OPT_USER_TIMEOUT_MS, 7), -ENOSPC);
	tern_conn_abort(c[2]);
	test_link_poll(f->l);
	assert_int_equal(f->n_closed, 1);
	assert_int_equal(tern_conn_setopt(c[N - 2], TERN_OPT_USER_TIMEOUT_MS, 7), 0);
	assert_int_equal(tern_conn_getopt(c[N - 2], TERN_OPT_USER_TIMEOUT_MS, &v), 0);
	assert_int_equal(v, 7);
	for (i = 0; i < N; i++)
		if (i != 2)
			tern_conn_abort(c[i]);
	test_link_poll(f->l);
	assert_int_equal(f->n_closed, N);
}

/* The flow table names entries by 30-bit pool indices: larger pools are refused. */
static void
test_pool_bounds(void **state)
{
	struct fx *f = *state;
	struct tern_engine_conf conf;

	conf_init(f, &conf);
	conf.max_conns = UINT32_C(1) << 30;
	assert_null(tern_engine_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
	conf_init(f, &conf);
	conf.max_tw = UINT32_C(1) << 30;
	assert_null(tern_engine_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
	conf_init(f, &conf);
	conf.synq_size = UINT32_C(1) << 30;
	assert_null(tern_engine_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
	conf_init(f, &conf);
	conf.max_conns = conf.max_tw = conf.synq_size = (UINT32_C(1) << 30) - 1; /* > 2^31 */
	assert_null(tern_engine_create(&conf));
	assert_int_equal(rte_errno, EINVAL);
}

/* ---- two engines back to back ---- */

#define BULK_BYTES (1u << 20)

struct side {
	struct tern_engine *e;
	struct tern_conn *c;
	uint8_t salt; /* pattern of the bytes this side sends */
	uint32_t tx;  /* bytes accepted by tern_conn_send */
	uint32_t rx;  /* bytes received and checked */
	bool eof;
	bool closed;
	bool is_client;
	enum tern_close_reason why;
	unsigned mismatches;
	uint32_t step; /* varies the piece sizes */
};

static void
side_push(struct side *s)
{
	uint8_t buf[7000];

	while (s->tx < BULK_BYTES) {
		uint32_t n = 1 + (s->step++ * 2654435761u) % sizeof(buf);
		ssize_t r;

		if (n > BULK_BYTES - s->tx)
			n = BULK_BYTES - s->tx;
		pattern(buf, n, s->tx, s->salt);
		r = tern_conn_send(s->c, buf, n);
		if (r <= 0)
			return;
		s->tx += (uint32_t)r;
		if ((uint32_t)r < n)
			return;
	}
}

static void
side_pull(struct side *s)
{
	uint8_t buf[5000], want[5000];
	ssize_t r;

	while ((r = tern_conn_recv(s->c, buf, 1 + s->step++ % sizeof(buf))) > 0) {
		pattern(want, (size_t)r, s->rx, (uint8_t)(s->salt ^ 0xff));
		if (memcmp(buf, want, (size_t)r) != 0)
			s->mismatches++;
		s->rx += (uint32_t)r;
	}
	if (r == 0)
		s->eof = true;
}

static void
bulk_accepted(struct tern_conn *c, void *app)
{
	struct side *s = app;

	s->c = c;
	side_push(s);
}

static void
bulk_readable(struct tern_conn *c, void *app)
{
	struct side *s = app;

	assert_ptr_equal(c, s->c);
	side_pull(s);
	/* the server closes once the client has closed and everything was sent */
	if (s->eof && !s->is_client && s->tx == BULK_BYTES)
		tern_conn_close(c);
}

static void
bulk_writable(struct tern_conn *c, void *app)
{
	struct side *s = app;

	assert_ptr_equal(c, s->c);
	side_push(s);
}

static void
bulk_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct side *s = app;

	assert_ptr_equal(c, s->c);
	s->closed = true;
	s->why = why;
	s->c = NULL;
}

/* IPv6 addresses of the two engines when they talk over IPv6 (2001:db8::1, ::2). */
static const uint8_t us6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t peer6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* The ports play net_tap (conf.tx_tso_l2_in_mtu), for the next two_engines_af(). */
static bool tap_tso;

static void
two_engines_af(struct fx *f, bool zero_copy, bool tso, bool refuse_tso, bool v6, bool cookies)
{
	static const struct tern_callbacks cb = {
	        .accepted = bulk_accepted,
	        .connected = bulk_accepted,
	        .readable = bulk_readable,
	        .writable = bulk_writable,
	        .closed = bulk_closed,
	};
	struct side a = {.salt = 0x00, .is_client = true}, b = {.salt = 0xff};
	struct tern_engine_conf ca, cb_conf;
	struct tern_gauges g;
	unsigned ms;

	test_link_capture(f->l, 0, false);
	test_link_auto_arp(f->l, 0, 0, NULL);
	test_engine_conf(&ca, f->l, 0, &us);
	ca.cb = &cb;
	ca.app = &a;
	ca.msl_ms = 1000;
	test_engine_conf(&cb_conf, f->l, 1, &peer);
	cb_conf.cb = &cb;
	cb_conf.app = &b;
	cb_conf.msl_ms = 1000;
	cb_conf.secret[0] ^= 1; /* a different ISN */
	ca.tx_multi_seg = cb_conf.tx_multi_seg = zero_copy || tso;
	/* TSO: the port computes every checksum and cuts the frames (the link plays it) */
	ca.tx_tso = cb_conf.tx_tso = tso;
	ca.tx_tso_l2_in_mtu = cb_conf.tx_tso_l2_in_mtu = tap_tso; /* net_tap's rte_gso */
	f->l->end[0].refuse_tso = refuse_tso;
	ca.tx_ip_csum_offload = cb_conf.tx_ip_csum_offload = tso;
	ca.tx_tcp_csum_offload = cb_conf.tx_tcp_csum_offload = tso;
	/* and checks the checksums of what it receives (RX offload flags) */
	ca.rx_csum_offload = cb_conf.rx_csum_offload = tso;
	f->l->end[0].nic_rx_csum = f->l->end[1].nic_rx_csum = tso;
	if (v6) {
		memcpy(ca.ip6, us6, 16);
		memcpy(cb_conf.ip6, peer6, 16);
	}
	if (cookies)
		cb_conf.syncookies = TERN_SYNCOOKIES_ALWAYS;
	a.e = test_engine_new_conf(f->l, 0, &ca);
	b.e = test_engine_new_conf(f->l, 1, &cb_conf);
	f->e = a.e;

	assert_int_equal(tern_listen(b.e, 5001, 0), 0);
	if (v6) {
		struct tern_addr dst = {.family = TERN_AF_INET6}, got;
		uint16_t port;

		memcpy(dst.v6, peer6, 16);
		/* no IPv6 source while DAD runs (1 s) */
		assert_null(tern_connect_addr(a.e, &dst, 5001, 0, NULL));
		assert_int_equal(rte_errno, ENETUNREACH);
		test_link_advance(f->l, 1100);
		assert_int_equal(tern_engine_ip6_state(a.e), TERN_IP6_PREFERRED);
		a.c = tern_connect_addr(a.e, &dst, 5001, 0, NULL);
		assert_non_null(a.c);
		tern_conn_peer(a.c, &got, &port);
		assert_int_equal(got.family, TERN_AF_INET6);
		assert_memory_equal(got.v6, peer6, 16);
		assert_int_equal(port, 5001);
		tern_conn_local(a.c, &got, &port);
		assert_int_equal(got.family, TERN_AF_INET6);
		assert_memory_equal(got.v6, us6, 16);
	} else {
		a.c = tern_connect(a.e, peer.ip, 5001, 0, NULL);
		assert_non_null(a.c);
	}
	for (ms = 0; ms < 60000 && (a.rx < BULK_BYTES || b.rx < BULK_BYTES); ms++)
		test_link_advance(f->l, 1);
	assert_int_equal(a.rx, BULK_BYTES);
	assert_int_equal(b.rx, BULK_BYTES);
	assert_int_equal(a.tx, BULK_BYTES);
	assert_int_equal(b.tx, BULK_BYTES);
	assert_int_equal(a.mismatches, 0);
	assert_int_equal(b.mismatches, 0);
	assert_non_null(a.c);
	assert_non_null(b.c);
	assert_int_equal(tern_conn_state(a.c), TERN_TCP_ESTABLISHED);

	/* the client closes first; the server closes on EOF; the client holds TIME_WAIT */
	assert_int_equal(tern_conn_close(a.c), 0);
	for (ms = 0; ms < 10000 && !(a.closed && b.closed); ms++)
		test_link_advance(f->l, 1);
	assert_true(a.closed);
	assert_true(b.closed);
	assert_int_equal(a.why, TERN_CLOSE_NORMAL);
	assert_int_equal(b.why, TERN_CLOSE_NORMAL);
	assert_true(b.eof);
	tern_engine_gauges(a.e, &g);
	assert_int_equal(g.time_wait, 1);
	assert_int_equal(g.established + g.fin_wait_1 + g.fin_wait_2 + g.closing, 0);
	tern_engine_gauges(b.e, &g);
	assert_int_equal(g.time_wait, 0);
	assert_int_equal(g.established + g.close_wait + g.last_ack, 0);
	assert_int_equal(tern_engine_stats(a.e)->ctr[TERN_CTR_TCP_DATA_RX], BULK_BYTES);
	assert_int_equal(tern_engine_stats(b.e)->ctr[TERN_CTR_TCP_DATA_RX], BULK_BYTES);
	assert_int_equal(tern_engine_stats(a.e)->drop[TERN_DROP_TX_FULL], 0);
	assert_int_equal(tern_engine_stats(b.e)->drop[TERN_DROP_TX_FULL], 0);
	/* TIME_WAIT ends after 2MSL */
	test_link_advance(f->l, 2000);
	tern_engine_gauges(a.e, &g);
	assert_int_equal(g.time_wait, 0);
	if (refuse_tso) {
		/* every TSO frame the link refused was dropped after 64 flushes, not held:
		 * the data went again segment by segment */
		assert_true(tern_engine_stats(a.e)->drop[TERN_DROP_TX_TSO_REFUSED] > 0);
		assert_int_equal(f->l->end[0].tso_frames, 0);
		assert_true(f->l->end[0].max_frame <= 1514);
	} else if (tso && v6 && tap_tso) {
		/* net_tap's TSO (rte_gso) cuts no TCP/IPv6: none was asked of it */
		assert_int_equal(tern_engine_stats(a.e)->ctr[TERN_CTR_TSO_TX_FRAMES], 0);
		assert_int_equal(tern_engine_stats(b.e)->ctr[TERN_CTR_TSO_TX_FRAMES], 0);
		assert_int_equal(f->l->end[0].tso_frames, 0);
	} else if (tso) {
		/* bulk data left in TSO frames of several segments each, which the link cut
		 * to the MSS (1500-byte frames at most, none lost) */
		const struct tern_stats *sa = tern_engine_stats(a.e);

		assert_true(sa->ctr[TERN_CTR_TSO_TX_FRAMES] > 0);
		assert_true(sa->ctr[TERN_CTR_TSO_TX_SEGS] >= 2 * sa->ctr[TERN_CTR_TSO_TX_FRAMES]);
		assert_true(sa->ctr[TERN_CTR_TSO_TX_SEGS] >= BULK_BYTES / 1460 / 2);
		assert_true(tern_engine_stats(b.e)->ctr[TERN_CTR_TSO_TX_FRAMES] > 0);
		assert_int_equal(f->l->end[0].tso_frames, sa->ctr[TERN_CTR_TSO_TX_FRAMES]);
		assert_int_equal(f->l->end[0].tx_lost + f->l->end[1].tx_lost, 0);
		assert_true(f->l->end[0].max_frame <= 1514);
		assert_true(f->l->end[1].max_frame <= 1514);
	} else if (zero_copy) {
		/* full-sized segments went by reference, their checksums right (the other end
		 * verifies them in software) */
		assert_true(tern_engine_stats(a.e)->ctr[TERN_CTR_ZC_TX_SEGS] >= BULK_BYTES / 1460);
		assert_true(tern_engine_stats(b.e)->ctr[TERN_CTR_ZC_TX_SEGS] >= BULK_BYTES / 1460);
	} else {
		assert_int_equal(tern_engine_stats(a.e)->ctr[TERN_CTR_ZC_TX_SEGS], 0);
	}
	assert_int_equal(tern_engine_stats(a.e)->drop[TERN_DROP_TCP_CSUM], 0);
	assert_int_equal(tern_engine_stats(b.e)->drop[TERN_DROP_TCP_CSUM], 0);
	if (v6) {
		/* every segment went over IPv6, none above the MTU (MSS = 1500 - 60) */
		const struct tern_stats *sa = tern_engine_stats(a.e), *sb = tern_engine_stats(b.e);

		assert_int_equal(sa->ctr[TERN_CTR_TCP6_SEG_RX], sa->ctr[TERN_CTR_TCP_SEG_RX]);
		assert_int_equal(sb->ctr[TERN_CTR_TCP6_SEG_RX], sb->ctr[TERN_CTR_TCP_SEG_RX]);
		assert_int_equal(sa->ctr[TERN_CTR_TCP6_SEG_TX], sa->ctr[TERN_CTR_TCP_SEG_TX]);
		assert_true(sa->ctr[TERN_CTR_TCP6_SEG_TX] + sa->ctr[TERN_CTR_TSO_TX_SEGS] -
		                    sa->ctr[TERN_CTR_TSO_TX_FRAMES] >=
		            BULK_BYTES / 1440);
		assert_true(f->l->end[0].max_frame <= 1514);
		assert_true(f->l->end[1].max_frame <= 1514);
		assert_true(f->l->end[1].max_frame >= 1500);
	} else {
		assert_int_equal(tern_engine_stats(a.e)->ctr[TERN_CTR_TCP6_SEG_TX], 0);
	}
	if (cookies) {
		/* the connection was made from a SYN cookie (IPv6 tuple in the MAC) */
		assert_int_equal(tern_engine_stats(b.e)->ctr[TERN_CTR_TCP_SYNCOOKIE_OK], 1);
		assert_int_equal(tern_engine_stats(b.e)->ctr[TERN_CTR_TCP_SYNCOOKIE_FAILED], 0);
	}
}

static void
two_engines(struct fx *f, bool zero_copy, bool tso, bool refuse_tso)
{
	two_engines_af(f, zero_copy, tso, refuse_tso, false, false);
}

/* Handshake, 1 MiB each way byte-exact, close and TIME_WAIT over IPv6: a connection made
 * with tern_connect_addr() to an IPv6 listener (the same tern_listen()). */
static void
test_two_engines_v6(void **state)
{
	two_engines_af(*state, false, false, false, true, false);
}

/* On net_tap, whose TSO is DPDK's rte_gso (TCP/IPv4 only), IPv6 data goes segment by
 * segment; the transfer is the same. */
static void
test_two_engines_v6_tap_tso(void **state)
{
	tap_tso = true;
	two_engines_af(*state, true, true, false, true, false);
	tap_tso = false;
}

/* The same with the listener answering by SYN cookies only (syncookies always). */
static void
test_two_engines_v6_cookie(void **state)
{
	two_engines_af(*state, false, false, false, true, true);
}

/* ---- TIME_WAIT reuse over IPv6 ---- */

struct tw6 {
	struct tern_conn *c; /* this engine's latest connection */
	unsigned opened, closed;
	uint32_t rx; /* bytes received */
};

static void
tw6_open(struct tern_conn *c, void *app)
{
	struct tw6 *t = app;

	t->c = c;
	t->opened++;
}

static void
tw6_readable(struct tern_conn *c, void *app)
{
	struct tw6 *t = app;
	uint8_t buf[256];
	ssize_t r;

	while ((r = tern_conn_recv(c, buf, sizeof(buf))) > 0)
		t->rx += (uint32_t)r;
	if (r == 0)
		tern_conn_close(c); /* the other side closed first: close too */
}

static void
tw6_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct tw6 *t = app;

	(void)c;
	if (why == TERN_CLOSE_NORMAL) /* not the engines' destruction at the end */
		t->closed++;
}

/*
 * RFC 6191 and active reuse over IPv6, one 4-tuple three times: the client closes first and
 * holds TIME_WAIT; after tw_reuse_ms it connects again from the same port (active reuse,
 * the entry goes); then the server closes first and holds TIME_WAIT, and the client's next
 * SYN from that port, with a newer timestamp, reopens it on the listener (passive reuse).
 */
static void
test_time_wait_reuse_v6(void **state)
{
	static const struct tern_callbacks cb = {
	        .accepted = tw6_open,
	        .connected = tw6_open,
	        .readable = tw6_readable,
	        .closed = tw6_closed,
	};
	struct fx *f = *state;
	struct tw6 a = {0}, b = {0};
	struct tern_engine_conf ca, cbc;
	struct tern_addr dst = {.family = TERN_AF_INET6}, l;
	struct tern_gauges g;
	struct tern_engine *ea, *eb;
	uint16_t lport;

	test_link_capture(f->l, 0, false);
	test_engine_conf(&ca, f->l, 0, &us);
	test_engine_conf(&cbc, f->l, 1, &peer);
	ca.cb = cbc.cb = &cb;
	ca.app = &a;
	cbc.app = &b;
	ca.msl_ms = cbc.msl_ms = 5000; /* TIME_WAIT 10 s: still there at each reuse */
	cbc.secret[0] ^= 1;
	memcpy(ca.ip6, us6, 16);
	memcpy(cbc.ip6, peer6, 16);
	ea = test_engine_new_conf(f->l, 0, &ca);
	eb = test_engine_new_conf(f->l, 1, &cbc);
	f->e = ea;
	memcpy(dst.v6, peer6, 16);
	assert_int_equal(tern_listen(eb, 5001, 0), 0);
	test_link_advance(f->l, 1100); /* DAD */

	assert_non_null(tern_connect_addr(ea, &dst, 5001, 0, NULL));
	test_link_advance(f->l, 50);
	assert_int_equal(a.opened + b.opened, 2);
	tern_conn_local(a.c, &l, &lport);
	/* the client closes first */
	tern_conn_close(a.c);
	test_link_advance(f->l, 100);
	assert_int_equal(a.closed + b.closed, 2);
	tern_engine_gauges(ea, &g);
	assert_int_equal(g.time_wait, 1);
	/* too young for reuse (tw_reuse_ms 1000): the port is busy */
	assert_null(tern_connect_addr(ea, &dst, 5001, lport, NULL));
	assert_int_equal(rte_errno, EADDRINUSE);
	test_link_advance(f->l, 1000);
	assert_non_null(tern_connect_addr(ea, &dst, 5001, lport, NULL));
	assert_int_equal(tern_engine_stats(ea)->ctr[TERN_CTR_TCP_TW_REUSE_ACTIVE], 1);
	test_link_advance(f->l, 50);
	assert_int_equal(a.opened + b.opened, 4);
	assert_int_equal(tern_conn_state(a.c), TERN_TCP_ESTABLISHED);
	tern_engine_gauges(ea, &g);
	assert_int_equal(g.time_wait, 0);
	/* the server closes first */
	tern_conn_close(b.c);
	test_link_advance(f->l, 100);
	assert_int_equal(a.closed + b.closed, 4);
	tern_engine_gauges(eb, &g);
	assert_int_equal(g.time_wait, 1);
	test_link_advance(f->l, 10); /* a newer timestamp */
	assert_non_null(tern_connect_addr(ea, &dst, 5001, lport, NULL));
	test_link_advance(f->l, 50);
	assert_int_equal(tern_engine_stats(eb)->ctr[TERN_CTR_TCP_TW_REUSE_PASSIVE], 1);
	assert_int_equal(a.opened + b.opened, 6);
	assert_int_equal(tern_conn_state(a.c), TERN_TCP_ESTABLISHED);
	tern_engine_gauges(eb, &g);
	assert_int_equal(g.time_wait, 0);
	assert_int_equal(tern_engine_stats(ea)->ctr[TERN_CTR_TCP6_SEG_RX],
	        tern_engine_stats(ea)->ctr[TERN_CTR_TCP_SEG_RX]);
	test_engine_destroy(f->l, 1);
}

/* The same with chains and TSO over IPv6 (the link cuts IPv6 frames and fills in the
 * IPv6 pseudo-header checksums). */
static void
test_two_engines_v6_tso(void **state)
{
	two_engines_af(*state, true, true, false, true, false);
}

static void
test_two_engines(void **state)
{
	two_engines(*state, false, false, false);
}

/* The same with data segments chained to the send buffer (tx_multi_seg): the link, like a
 * NIC's DMA, gathers each chain into one frame. */
static void
test_two_engines_zero_copy(void **state)
{
	two_engines(*state, true, false, false);
}

/* The same with TSO (conf.tx_tso): new bulk data leaves in frames of up to TCP_TSO_SEGS
 * segments, which the link cuts as a NIC would (checksums too); byte-exact both ways. */
static void
test_two_engines_tso(void **state)
{
	two_engines(*state, true, true, false);
}

/* A port that will not take TSO frames (a PMD with its own size rules) does not stall the
 * engine: a frame refused 64 flushes in a row is dropped (tx_tso_refused) and the
 * connection resends it segment by segment; the transfer completes. */
static void
test_two_engines_tso_refused(void **state)
{
	two_engines(*state, true, true, true);
}

/* RX checksum offload: with conf.rx_csum_offload the engine takes the port's verdict
 * (RTE_MBUF_F_RX_{IP,L4}_CKSUM_GOOD/BAD, here from the link playing the NIC) instead of
 * summing: a SYN whose TCP checksum is wrong is flagged BAD and dropped (tcp_csum); a SYN
 * the port calls GOOD is taken as it is, even one whose checksum field was spoiled after
 * the port checked it (proof that the engine did not sum it again); a good SYN with the
 * port's check on gets its SYN-ACK. */
static void
test_rx_csum_offload(void **state)
{
	struct fx *f = *state;
	struct wire_tcp_repr th = {
	        .sport = PPORT, .dport = LPORT, .seq = PISS, .flags = WIRE_TCP_SYN, .win = 29200};
	struct tern_engine_conf c;
	struct test_pkt p;
	struct rte_mbuf *m;
	uint8_t *tcp;

	conf_init(f, &c);
	c.rx_csum_offload = true;
	start(f, &c);
	assert_int_equal(tern_listen(f->e, LPORT, 0), 0);
	f->l->end[0].nic_rx_csum = true;

	/* 1. wrong TCP checksum: the port says BAD, the engine drops it */
	m = test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0);
	tcp = rte_pktmbuf_mtod_offset(m, uint8_t *, WIRE_ETH_HLEN + WIRE_IPV4_HLEN);
	tcp[WIRE_TCP_CSUM_OFF] ^= 0x5a;
	test_link_inject(f->l, 0, m);
	test_link_poll(f->l);
	expect_nothing(f);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_CSUM], 1);
	assert_int_equal(gauges(f).syn_rcvd, 0);

	/* 2. the port's GOOD is trusted: the spoiled field is not summed again */
	f->l->end[0].nic_rx_csum = false;
	th.sport = f->pport = PPORT + 1;
	m = test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0);
	tcp = rte_pktmbuf_mtod_offset(m, uint8_t *, WIRE_ETH_HLEN + WIRE_IPV4_HLEN);
	tcp[WIRE_TCP_CSUM_OFF] ^= 0x5a;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	test_link_inject(f->l, 0, m);
	test_link_poll(f->l);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_int_equal(p.tcp.dport, PPORT + 1);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_CSUM], 1);

	/* 3. a good SYN through the port's check: answered */
	f->l->end[0].nic_rx_csum = true;
	th.sport = f->pport = PPORT + 2;
	test_link_inject(f->l, 0, test_craft_tcp(f->pool, &peer, &us, &th, NULL, 0));
	test_link_poll(f->l);
	next_seg(f, &p);
	assert_int_equal(p.tcp.flags, WIRE_TCP_SYN | WIRE_TCP_ACK);
	assert_int_equal(p.tcp.dport, PPORT + 2);
	assert_int_equal(stats(f)->drop[TERN_DROP_TCP_CSUM], 1);
	assert_int_equal(gauges(f).syn_rcvd, 2);
}

/*
 * RFC 8201 over TCP: a Packet Too Big (MTU 1280) quoting one of our segments of an IPv6
 * connection lowers that connection's MSS to 1220; the data that follows leaves in frames
 * of at most 14 + 1280 bytes and arrives whole. A PTB quoting another 4-tuple changes
 * nothing.
 */
static void
test_packet_too_big_v6(void **state)
{
	static const struct tern_callbacks cb = {
	        .accepted = tw6_open,
	        .connected = tw6_open,
	        .readable = tw6_readable,
	        .closed = tw6_closed,
	};
	struct fx *f = *state;
	struct tw6 a = {0}, b = {0};
	struct tern_engine_conf ca, cbc;
	struct tern_addr dst = {.family = TERN_AF_INET6}, l;
	struct wire_ip6 s6, d6;
	static uint8_t data[8000];
	uint8_t pkt[40 + 8 + 40 + 20];
	struct wire_eth_repr eth;
	uint16_t lport;
	unsigned k;

	test_link_capture(f->l, 0, false);
	test_engine_conf(&ca, f->l, 0, &us);
	test_engine_conf(&cbc, f->l, 1, &peer);
	ca.cb = cbc.cb = &cb;
	ca.app = &a;
	cbc.app = &b;
	cbc.secret[0] ^= 1;
	memcpy(ca.ip6, us6, 16);
	memcpy(cbc.ip6, peer6, 16);
	f->e = test_engine_new_conf(f->l, 0, &ca);
	test_engine_new_conf(f->l, 1, &cbc);
	memcpy(dst.v6, peer6, 16);
	assert_int_equal(tern_listen(f->l->end[1].e, 5001, 0), 0);
	test_link_advance(f->l, 1100); /* DAD */
	assert_non_null(tern_connect_addr(f->e, &dst, 5001, 0, NULL));
	test_link_advance(f->l, 50);
	assert_int_equal(a.opened + b.opened, 2);
	tern_conn_local(a.c, &l, &lport);
	memcpy(s6.b, peer6, 16);
	memcpy(d6.b, us6, 16);
	for (k = 0; k < 2; k++) {
		/* PTB from the router (here: the peer) quoting our segment: IPv6 + TCP ports;
		 * first for another local port (ignored), then for ours. */
		struct wire_ipv6_repr in = {
		        .src = d6, .dst = s6, .payload_len = 1400, .next_hdr = 6};
		struct wire_ipv6_repr out = {.src = s6,
		        .dst = d6,
		        .payload_len = sizeof(pkt) - 40,
		        .next_hdr = 58,
		        .hop_limit = 64};
		struct wire_icmp6_repr r = {.type = WIRE_ICMP6_PKT_TOO_BIG, .mtu = 1280};
		uint16_t port = k == 0 ? (uint16_t)(lport + 1) : lport;

		memset(pkt, 0, sizeof(pkt));
		wire_ipv6_emit(pkt, &out);
		wire_ipv6_emit(pkt + 48, &in);
		pkt[88] = (uint8_t)(port >> 8);
		pkt[89] = (uint8_t)port;
		pkt[90] = 5001 >> 8;
		pkt[91] = 5001 & 0xff;
		wire_icmp6_emit(pkt + 40, &r, sizeof(pkt) - 40, &s6, &d6);
		memset(&eth, 0, sizeof(eth));
		eth.src = peer.mac;
		eth.dst = us.mac;
		eth.type = WIRE_ETHERTYPE_IPV6;
		test_link_inject(f->l, 0, test_craft_frame(f->pool, &eth, pkt, sizeof(pkt)));
		test_link_advance(f->l, 1);
		assert_int_equal(stats(f)->ctr[TERN_CTR_ICMP6_PTB], k + 1);
		assert_int_equal(stats(f)->ctr[TERN_CTR_TCP6_PTB_MSS], k);
	}
	f->l->end[0].max_frame = 0;
	assert_int_equal(tern_conn_send(a.c, data, sizeof(data)), sizeof(data));
	test_link_advance(f->l, 100);
	assert_int_equal(b.rx, sizeof(data));
	assert_true(f->l->end[0].max_frame <= 14 + 1280);
	assert_true(f->l->end[0].max_frame >= 14 + 1280 - 12);
	test_engine_destroy(f->l, 1);
}

/* A TCP segment @p th over IPv6 from @p src (MAC @p smac) to us6, checksum right. */
static struct rte_mbuf *
craft_tcp6(struct fx *f, const struct wire_ip6 *src, const struct wire_mac *smac,
        const struct wire_tcp_repr *th)
{
	struct wire_ipv6_repr ip = {.src = *src, .next_hdr = WIRE_IPPROTO_TCP, .hop_limit = 64};
	struct wire_eth_repr eth = {.src = *smac, .dst = peer.mac, .type = WIRE_ETHERTYPE_IPV6};
	uint8_t buf[128];
	size_t n;
	uint16_t c;

	memcpy(ip.dst.b, peer6, 16);
	n = wire_tcp_emit(buf + WIRE_IPV6_HLEN, th);
	ip.payload_len = (uint16_t)n;
	wire_ipv6_emit(buf, &ip);
	c = wire_csum_fold(
	        wire_csum_add(wire_csum_pseudo6(&ip.src, &ip.dst, WIRE_IPPROTO_TCP, (uint32_t)n),
	                buf + WIRE_IPV6_HLEN, n));
	buf[WIRE_IPV6_HLEN + WIRE_TCP_CSUM_OFF] = (uint8_t)(c >> 8);
	buf[WIRE_IPV6_HLEN + WIRE_TCP_CSUM_OFF + 1] = (uint8_t)c;
	return test_craft_frame(f->pool, &eth, buf, WIRE_IPV6_HLEN + n);
}

/*
 * Churn and a flood over IPv6, with tables smaller than the traffic: 40 connections one
 * after the other from the client, which closes first and holds TIME_WAIT in a pool of 4
 * (entries recycled, the peer's interned address kept by the live ones); then 300 SYNs
 * from 300 different IPv6 sources at a SYN queue of 4: answered by cookies, the server's
 * peer table (its connection, TIME_WAIT and SYN queue sizes: 64 + 64 + 8 = 136 entries)
 * recycling what no entry holds; a real client still connects, and both engines give back
 * every mbuf.
 */
static void
test_v6_churn_and_flood(void **state)
{
	static const struct tern_callbacks cb = {
	        .accepted = tw6_open,
	        .connected = tw6_open,
	        .readable = tw6_readable,
	        .closed = tw6_closed,
	};
	struct fx *f = *state;
	struct tw6 a = {0}, b = {0};
	struct tern_engine_conf ca, cbc;
	struct tern_addr dst = {.family = TERN_AF_INET6};
	const struct tern_stats *sb;
	struct tern_engine *eb;
	unsigned i;

	test_link_capture(f->l, 0, false);
	test_engine_conf(&ca, f->l, 0, &us);
	test_engine_conf(&cbc, f->l, 1, &peer);
	ca.cb = cbc.cb = &cb;
	ca.app = &a;
	cbc.app = &b;
	ca.max_tw = 4;
	cbc.synq_size = 8;
	cbc.secret[0] ^= 1;
	memcpy(ca.ip6, us6, 16);
	memcpy(cbc.ip6, peer6, 16);
	f->e = test_engine_new_conf(f->l, 0, &ca);
	eb = test_engine_new_conf(f->l, 1, &cbc);
	sb = tern_engine_stats(eb);
	memcpy(dst.v6, peer6, 16);
	assert_int_equal(tern_listen(eb, 5001, 4), 0);
	test_link_advance(f->l, 1100); /* DAD */
	for (i = 0; i < 40; i++) {
		assert_non_null(tern_connect_addr(f->e, &dst, 5001, 0, NULL));
		test_link_advance(f->l, 20);
		assert_int_equal(a.opened, i + 1);
		tern_conn_close(a.c);
		test_link_advance(f->l, 20);
		assert_int_equal(a.closed, i + 1);
	}
	assert_int_equal(stats(f)->ctr[TERN_CTR_TCP_TW_RECYCLED], 36);
	assert_int_equal(sb->ctr[TERN_CTR_TCP6_OPEN], 40);

	for (i = 0; i < 300; i++) {
		struct wire_ip6 src = {
		        {0x20, 0x01, 0x0d, 0xb8, 0xff, [14] = (uint8_t)(i >> 8), (uint8_t)i}};
		struct wire_mac mac = {{0x02, 0, 0, 0, 0x77, 0x77}};
		struct wire_tcp_repr th = {.sport = (uint16_t)(20000 + i),
		        .dport = 5001,
		        .seq = 1000u * i,
		        .flags = WIRE_TCP_SYN,
		        .win = 65535};

		th.opts.present = WIRE_TCPO_MSS;
		th.opts.mss = 1440;
		test_link_inject(f->l, 1, craft_tcp6(f, &src, &mac, &th));
		if (i % 16 == 15)
			test_link_advance(f->l, 1);
	}
	test_link_advance(f->l, 1);
	assert_true(sb->ctr[TERN_CTR_TCP_SYNCOOKIE_SENT] >= 290);
	assert_int_equal(sb->ctr[TERN_CTR_TCP6_SEG_RX], sb->ctr[TERN_CTR_TCP_SEG_RX]);
	/* the flood is over (its half-open entries expire): a real client gets in */
	test_link_advance(f->l, 70000);
	assert_non_null(tern_connect_addr(f->e, &dst, 5001, 0, NULL));
	test_link_advance(f->l, 50);
	assert_int_equal(a.opened, 41);
	assert_int_equal(sb->ctr[TERN_CTR_TCP6_OPEN], 41);
	test_engine_destroy(f->l, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_passive_open, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_keepalive_sets, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_pool_bounds, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_synack_retransmit, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_syn_backlog, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_syncookie_auto, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_syncookie_not_checked, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_in, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_conn_ext_on_demand, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_conn_io_on_demand, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_conn_ext_sack_given_up, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ack_without_mbuf, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_in_fills_window, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_burst_prepared_hashes, setup, teardown),
	        cmocka_unit_test(test_rx_continuation),
	        cmocka_unit_test_setup_teardown(test_window_update_scaled, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_out_window, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_out_mss, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_retransmit_timeout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_data_retransmit_recovers, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_zero_window_probe, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_zero_window_silent_peer, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_close_active, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time_wait_expires, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time_wait_fin_retransmit, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_close_passive, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_close_simultaneous, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fin_retransmit, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_close_after_data, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rst_closed_port, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rst_to_closed_port, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rst_exact, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rst_in_window_challenge, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_syn_on_established, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_active_open, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_active_refused, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_active_timeout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_active_no_route, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_zero_copy, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_tso, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_tso_refused, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_v6, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_v6_tso, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_v6_tap_tso, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_two_engines_v6_cookie, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_time_wait_reuse_v6, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_packet_too_big_v6, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_v6_churn_and_flood, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_accept_overflow_drop, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_listen_filter, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_accept_overflow_rst, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rx_csum_offload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
