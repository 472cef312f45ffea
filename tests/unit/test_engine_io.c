/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's TX buffer against a PMD that takes fewer frames than offered
 * (stack/engine/engine.c engine_tx / engine_tx_flush): frames it does not take stay for
 * the next flush, in order; they count as sent only once taken; a full buffer drops new
 * frames (tx_full); nothing leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "engine/engine.h"
#include "test_helpers.h"

/* A fake PMD: takes at most `room` frames per call, keeps what it took. */
struct fake_pmd {
	unsigned room;
	unsigned got;
	bool scribble; /* a taken frame is the PMD's: it reuses it at once (length changed) */
	struct rte_mbuf *taken[256];
};

static uint16_t
fake_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	(void)pkts;
	(void)n;
	return 0;
}

static uint16_t
fake_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_pmd *p = arg;
	uint16_t k = n < p->room ? n : (uint16_t)p->room;

	for (uint16_t i = 0; i < k; i++) {
		p->taken[p->got++] = pkts[i];
		if (p->scribble)
			pkts[i]->pkt_len = 7;
	}
	p->room -= k;
	return k;
}

static struct rte_mbuf *
frame(struct rte_mempool *pool, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 60);
	assert_non_null(p);
	memset(p, tag, 60);
	return m;
}

/* A small engine on the fake PMD @p pmd, reset; on the fake clock @p clk, or the default
 * TSC clock when NULL. */
static struct tern_engine *
small_engine_clk(struct rte_mempool *pool, struct fake_pmd *pmd, struct test_clock *clk)
{
	struct tern_engine_conf c;
	struct tern_engine *e;

	memset(pmd, 0, sizeof(*pmd));
	memset(&c, 0, sizeof(c));
	c.ip = IP4(10, 0, 0, 1);
	c.mac[0] = 2;
	c.pool = pool;
	c.io.rx_burst = fake_rx;
	c.io.tx_burst = fake_tx;
	c.io.arg = pmd;
	c.max_conns = 16;
	c.max_tw = 16;
	c.synq_size = 16;
	c.reass_segs = 16;
	if (clk != NULL) {
		c.clock.now_ns = test_clock_now_ns;
		c.clock.arg = clk;
	}
	e = tern_engine_create(&c);
	assert_non_null(e);
	return e;
}

static struct tern_engine *
small_engine(struct rte_mempool *pool, struct fake_pmd *pmd)
{
	return small_engine_clk(pool, pmd, NULL);
}

static void
test_tx_keeps_unsent(void **state)
{
	struct rte_mempool *pool = test_eal_pool();
	unsigned free0 = rte_mempool_avail_count(pool), i;
	static struct fake_pmd pmd;
	struct tern_engine *e;
	const struct tern_stats *st;

	(void)state;
	e = small_engine(pool, &pmd);
	st = tern_engine_stats(e);

	/* the PMD's queue is full: nothing goes, nothing is freed or counted as sent */
	for (i = 0; i < 5; i++)
		assert_int_equal(tern_engine_send_frame(e, frame(pool, (uint8_t)i)), 0);
	tern_engine_poll(e);
	assert_int_equal(pmd.got, 0);
	assert_int_equal(st->ctr[TERN_CTR_TX_PKTS], 0);
	assert_int_equal(st->drop[TERN_DROP_TX_FULL], 0);
	/* room for 2: the first two, in order; the other three wait */
	pmd.room = 2;
	tern_engine_poll(e);
	assert_int_equal(pmd.got, 2);
	assert_int_equal(st->ctr[TERN_CTR_TX_PKTS], 2);
	assert_int_equal(st->ctr[TERN_CTR_TX_BYTES], 120);
	/* room again: the rest, still in order */
	pmd.room = 100;
	tern_engine_poll(e);
	assert_int_equal(pmd.got, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(rte_pktmbuf_mtod(pmd.taken[i], uint8_t *)[0], i);
	assert_int_equal(st->ctr[TERN_CTR_TX_PKTS], 5);
	/* a PMD that takes nothing while more than the buffer comes: the buffer's worth
	 * waits, each frame beyond it is dropped and counted */
	pmd.room = 0;
	for (i = 0; i < TERN_TX_BUF + 10; i++)
		tern_engine_send_frame(e, frame(pool, 0x40));
	assert_int_equal(st->drop[TERN_DROP_TX_FULL], 10);
	pmd.room = 1000;
	tern_engine_poll(e);
	assert_int_equal(pmd.got, 5 + TERN_TX_BUF);
	for (i = 0; i < pmd.got; i++)
		rte_pktmbuf_free(pmd.taken[i]);
	/* frames left in the buffer when the engine goes are freed */
	pmd.room = 0;
	pmd.got = 0;
	tern_engine_send_frame(e, frame(pool, 0x50));
	tern_engine_destroy(e);
	assert_int_equal(rte_mempool_avail_count(pool), free0);
}

/* The default clock (TSC, a multiply and a shift per poll, no division) agrees with the
 * TSC read the plain way, and moves with it. */
static void
test_default_clock(void **state)
{
	struct rte_mempool *pool = test_eal_pool();
	static struct fake_pmd pmd;
	struct tern_engine *e;
	uint64_t hz = rte_get_tsc_hz(), before, after, ms;

	(void)state;
	e = small_engine(pool, &pmd);
	before = (uint64_t)((unsigned __int128)rte_rdtsc() * 1000 / hz);
	tern_engine_poll(e);
	ms = tern_engine_now_ms(e);
	after = (uint64_t)((unsigned __int128)rte_rdtsc() * 1000 / hz);
	assert_true(ms + 1 >= before && ms <= after + 1);
	rte_delay_ms(20);
	tern_engine_poll(e);
	assert_true(tern_engine_now_ms(e) >= ms + 19);
	tern_engine_destroy(e);
}

/* tx_bytes counts the frames' lengths as they were handed over, never what the PMD did to
 * a frame it took (af_packet frees and the pool reuses it within the call). */
static void
test_tx_bytes_before_handover(void **state)
{
	struct rte_mempool *pool = test_eal_pool();
	static struct fake_pmd pmd;
	struct tern_engine *e;
	unsigned i;

	(void)state;
	e = small_engine(pool, &pmd);
	pmd.scribble = true;
	pmd.room = 100;
	for (i = 0; i < 3; i++)
		assert_int_equal(tern_engine_send_frame(e, frame(pool, (uint8_t)i)), 0);
	tern_engine_poll(e);
	assert_int_equal(pmd.got, 3);
	assert_int_equal(tern_engine_stats(e)->ctr[TERN_CTR_TX_BYTES], 180);
	for (i = 0; i < pmd.got; i++)
		rte_pktmbuf_free(pmd.taken[i]);
	tern_engine_destroy(e);
}

static void
nop_timer(struct tern_timer *t, void *ctx)
{
	(void)t;
	(void)ctx;
}

/*
 * tern_engine_next_timer_us (the idle backoff's deadline): none armed -> UINT64_MAX; a
 * timer of tick T is due when the clock reads T ms, so the wait is counted from the last
 * poll's clock reading in us, rounded up; 0 once due; a far timer gives a bound that is
 * never later than it.
 */
static void
test_next_timer_us(void **state)
{
	struct rte_mempool *pool = test_eal_pool();
	static struct fake_pmd pmd;
	struct test_clock clk = {.ns = UINT64_C(5000300000)}; /* 5000.3 ms */
	struct tern_engine *e;
	struct tern_timer t, far;

	(void)state;
	e = small_engine_clk(pool, &pmd, &clk);
	tern_engine_poll(e);
	assert_int_equal(tern_engine_now_ms(e), 5000);
	assert_true(tern_engine_next_timer_us(e) == UINT64_MAX);
	twheel_timer_init(&t, nop_timer);
	twheel_timer_init(&far, nop_timer);
	twheel_arm(&e->wheel, &t, 5040);
	assert_int_equal(tern_engine_next_timer_us(e), 39700);
	clk.ns += 12345; /* 12.345 us later, read by the next poll: rounded up */
	tern_engine_poll(e);
	assert_int_equal(tern_engine_next_timer_us(e), 39700 - 12);
	clk.ns = UINT64_C(5040000000) - 1;
	tern_engine_poll(e);
	assert_true(tern_timer_pending(&t));
	assert_int_equal(tern_engine_next_timer_us(e), 1);
	clk.ns += 1;
	engine_update_clock(e); /* due, not yet polled */
	assert_int_equal(tern_engine_next_timer_us(e), 0);
	tern_engine_poll(e);
	assert_false(tern_timer_pending(&t));
	assert_true(tern_engine_next_timer_us(e) == UINT64_MAX);
	/* far: 10 s ahead; the bound is no later, and polling at it brings the next bound */
	twheel_arm(&e->wheel, &far, 15040);
	for (int i = 0; i < 8 && tern_timer_pending(&far); i++) {
		uint64_t us = tern_engine_next_timer_us(e);

		assert_true(us > 0 && clk.ns + us * 1000 <= UINT64_C(15040000000));
		clk.ns += us * 1000;
		tern_engine_poll(e);
	}
	assert_false(tern_timer_pending(&far));
	/* a timer armed already due */
	twheel_arm(&e->wheel, &t, 100);
	assert_int_equal(tern_engine_next_timer_us(e), 0);
	tern_engine_poll(e);
	tern_engine_destroy(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tx_keeps_unsent),
	        cmocka_unit_test(test_default_clock),
	        cmocka_unit_test(test_tx_bytes_before_handover),
	        cmocka_unit_test(test_next_timer_us),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
