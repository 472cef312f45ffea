/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Restarts that peers do not notice (docs/TCP.md "Restarts"): two engines created one after
 * the other (two "processes") with the same clock_key and a simulated wall clock, on the
 * same in-memory link, send SYNs and cookie SYN-ACKs on the same 4-tuple. The second
 * process's sequence numbers and timestamps must continue the first's (newer, by about the
 * time that passed), whatever the engine clock does (it restarts lower, as a new process's
 * would); a Linux peer holding TIME_WAIT for the tuple then takes the SYN (RFC 6191, PAWS).
 * With another key (what a random per-process key gives) they do not continue: what the
 * fix is for. The cookie SYN-ACK of the second process carries a continued TSval and its
 * cookie still validates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "tcp/tcp.h"
#include "test_helpers.h"
#include "util/seq.h"

static const struct test_host tern_h = {.ip = IP4(10, 0, 0, 1), .mac = {{2, 0, 0, 0, 0, 1}}};
static const struct test_host peer_h = {.ip = IP4(10, 0, 0, 2), .mac = {{2, 0, 0, 0, 0, 2}}};
static const uint64_t key_a[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
static const uint64_t key_b[2] = {0x1111111111111111ull, 0x2222222222222222ull};

/* 2026-12-07, a wall clock in ns */
#define WALL0 1796601600000000000ull

/* One "process": a link end 0 engine on the fake engine clock @p mono and the wall clock
 * @p wall, with @p key (NULL: none, i.e. the random secret's). */
static struct tern_engine *
process_start(struct test_link *l, struct test_clock *wall, const uint64_t *key,
        enum tern_syncookies cookies)
{
	struct tern_engine_conf c;

	test_engine_conf(&c, l, 0, &tern_h);
	if (key != NULL) {
		c.clock_key[0] = key[0];
		c.clock_key[1] = key[1];
	}
	c.wall.now_ns = test_clock_now_ns;
	c.wall.arg = wall;
	c.syncookies = cookies;
	return test_engine_new_conf(l, 0, &c);
}

/* The SYN of tern_connect() from local port 40000 to peer:80; @return the connection. */
static struct tern_conn *
syn_of(struct test_link *l, struct tern_engine *e, struct wire_tcp_repr *out)
{
	struct tern_conn *c = tern_connect(e, peer_h.ip, 80, 40000, NULL);
	struct test_pkt p;

	assert_non_null(c);
	test_link_poll(l);
	while (test_link_pop(l, 0, &p)) {
		if (p.is_tcp && p.tcp.flags == WIRE_TCP_SYN) {
			assert_true(p.tcp.opts.present & WIRE_TCPO_TS);
			*out = p.tcp;
			return c;
		}
	}
	fail_msg("no SYN");
	return NULL;
}

/* Engine clock and wall clock move together by @p ms. */
static void
elapse(struct test_link *l, struct test_clock *wall, uint64_t ms)
{
	wall->ns += ms * 1000000ull;
	test_link_advance(l, ms);
}

/* Process 1 sends a SYN at t, lives 10 s and sends another; it ends; process 2 starts
 * 300 ms later with its engine clock lower than process 1's was (a new process) and sends
 * the SYN on the same tuple: sequence number and TSval newer, by about the 300 ms. */
static void
run_restart(const uint64_t *key2, struct wire_tcp_repr *s1, struct wire_tcp_repr *s2)
{
	struct test_clock mono = {.ns = 7000000000ull}, wall = {.ns = WALL0};
	struct test_link *l = test_link_new(test_eal_pool(), &mono);
	struct tern_engine *e;
	struct wire_tcp_repr first;

	test_link_capture(l, 0, true);
	test_link_auto_arp(l, 0, peer_h.ip, &peer_h.mac);
	e = process_start(l, &wall, key_a, TERN_SYNCOOKIES_AUTO);
	tern_conn_abort(syn_of(l, e, &first)); /* gone: no TIME_WAIT */
	test_link_poll(l);
	test_link_flush(l, 0);
	elapse(l, &wall, 10000);
	syn_of(l, e, s1);
	/* in one process: 10 s later, 10,000 ms and 2,500,000 ISN ticks on */
	assert_int_equal((uint32_t)(s1->opts.tsval - first.opts.tsval), 10000);
	assert_int_equal((uint32_t)(s1->seq - first.seq), 2500000);
	test_engine_destroy(l, 0);
	mono.ns = 2000000000ull; /* the next process's engine clock: lower */
	wall.ns += 300000000ull;
	e = process_start(l, &wall, key2, TERN_SYNCOOKIES_AUTO);
	syn_of(l, e, s2);
	test_engine_destroy(l, 0);
	test_link_free(l);
}

static void
restart_same_key_continues(void **state)
{
	struct wire_tcp_repr s1, s2;

	(void)state;
	run_restart(key_a, &s1, &s2);
	/* What Linux's TIME_WAIT checks: a newer timestamp (RFC 6191), else a sequence number
	 * beyond the old one's. Both, by the time between the two SYNs: 300 ms. */
	assert_true(seq_gt(s2.opts.tsval, s1.opts.tsval));
	assert_true(seq_gt(s2.seq, s1.seq));
	assert_in_range((uint32_t)(s2.opts.tsval - s1.opts.tsval), 299, 301);
	assert_in_range((uint32_t)(s2.seq - s1.seq), 74000, 76000);
}

/* The other key (what a fresh random key per process gives) does not continue the clocks:
 * the fix is the key, not chance. (Odds of passing by luck: about 1e-7 each.) */
static void
restart_other_key_jumps(void **state)
{
	struct wire_tcp_repr s1, s2;

	(void)state;
	run_restart(key_b, &s1, &s2);
	assert_false((uint32_t)(s2.opts.tsval - s1.opts.tsval) <= 1000);
	assert_false((uint32_t)(s2.seq - s1.seq) <= 1000000);
}

/* The default wall clock: CLOCK_REALTIME when the engine clock is the default (TSC). With a
 * test's own clock and no wall, the engine clock is the base (offsets 0): scripts that
 * know TSval = engine ms + offset keep working. */
static void
no_wall_no_base(void **state)
{
	struct test_clock mono = {.ns = 7000000000ull};
	struct test_link *l = test_link_new(test_eal_pool(), &mono);
	struct tern_engine *e = test_engine_new(l, 0, &tern_h, NULL, NULL);

	(void)state;
	assert_int_equal(e->tcp.isn_base_ns, 0);
	assert_int_equal(e->tcp.ts_base_ms, 0);
	test_engine_destroy(l, 0);
	test_link_free(l);
}

/* A SYN with every option from the peer to port 8080; @return tern's SYN-ACK. */
static struct wire_tcp_repr
synack_of(struct test_link *l, uint32_t peer_isn, uint32_t peer_ts)
{
	struct wire_tcp_repr syn = {.sport = 50000,
	        .dport = 8080,
	        .seq = peer_isn,
	        .flags = WIRE_TCP_SYN,
	        .win = 65535};
	struct test_pkt p;

	syn.opts.present = WIRE_TCPO_MSS | WIRE_TCPO_TS | WIRE_TCPO_SACK_PERM | WIRE_TCPO_WSCALE;
	syn.opts.mss = 1460;
	syn.opts.wscale = 7;
	syn.opts.tsval = peer_ts;
	test_link_inject(l, 0, test_craft_tcp(test_eal_pool(), &peer_h, &tern_h, &syn, NULL, 0));
	test_link_poll(l);
	while (test_link_pop(l, 0, &p))
		if (p.is_tcp && p.tcp.flags == (WIRE_TCP_SYN | WIRE_TCP_ACK))
			return p.tcp;
	fail_msg("no SYN-ACK");
	return syn;
}

/* Cookies (syncookies always) across a restart: the second process's cookie SYN-ACK has a
 * newer TSval (the low bits carrying the options aside: at most 63 ms behind the clock) and
 * the ACK of its cookie makes a connection. */
static void
cookie_restart(void **state)
{
	struct test_clock mono = {.ns = 7000000000ull}, wall = {.ns = WALL0};
	struct test_link *l = test_link_new(test_eal_pool(), &mono);
	struct wire_tcp_repr sa1, sa2,
	        ack = {.sport = 50000, .dport = 8080, .flags = WIRE_TCP_ACK, .win = 512};
	struct tern_engine *e;

	(void)state;
	test_link_capture(l, 0, true);
	e = process_start(l, &wall, key_a, TERN_SYNCOOKIES_ALWAYS);
	assert_int_equal(tern_listen(e, 8080, 16), 0);
	sa1 = synack_of(l, 1000, 500);
	test_engine_destroy(l, 0);
	mono.ns = 1000000000ull;
	wall.ns += 2000000000ull; /* 2 s later */
	e = process_start(l, &wall, key_a, TERN_SYNCOOKIES_ALWAYS);
	assert_int_equal(tern_listen(e, 8080, 16), 0);
	sa2 = synack_of(l, 90000, 2500);
	assert_true(seq_gt(sa2.opts.tsval, sa1.opts.tsval));
	assert_in_range((uint32_t)(sa2.opts.tsval - sa1.opts.tsval), 2000 - 64, 2000 + 64);
	ack.seq = 90001;
	ack.ack = sa2.seq + 1;
	ack.opts.present = WIRE_TCPO_TS;
	ack.opts.tsval = 2510;
	ack.opts.tsecr = sa2.opts.tsval;
	test_link_inject(l, 0, test_craft_tcp(test_eal_pool(), &peer_h, &tern_h, &ack, NULL, 0));
	test_link_poll(l);
	assert_int_equal(tern_engine_stats(e)->ctr[TERN_CTR_TCP_SYNCOOKIE_OK], 1);
	assert_int_equal(tern_engine_stats(e)->ctr[TERN_CTR_TCP_SYNCOOKIE_FAILED], 0);
	test_engine_destroy(l, 0);
	test_link_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(restart_same_key_continues),
	        cmocka_unit_test(restart_other_key_jumps),
	        cmocka_unit_test(no_wall_no_base),
	        cmocka_unit_test(cookie_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
