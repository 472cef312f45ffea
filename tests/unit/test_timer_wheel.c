/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer wheel: expiry order, exact tick, FIFO ties, cancel, re-arm (also from a
 * callback), far and out-of-range timers, backwards time, and a million random timers.
 * The wheel is driven by a fake clock: each test passes the ticks itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/timer_wheel.h"

#define LOG_MAX     1024
#define MS_PER_HOUR (UINT64_C(3600) * 1000)
#define RANGE       (UINT64_C(1) << (TWHEEL_BITS * TWHEEL_LEVELS)) /* 2^30 ticks */

struct env;

struct rec {
	struct tern_timer t;
	uint32_t id;
	uint32_t fires;
	uint64_t fired_tick; /* wheel's now seen by the callback */
	uint64_t fired_call; /* target of the twheel_advance() that fired it */
	bool cancelled;
	void (*hook)(struct env *e, struct rec *r); /* extra action in the callback */
	uint64_t arg;
	struct rec *other;
};

struct env {
	struct twheel w;
	uint64_t target;      /* now passed to the running twheel_advance() */
	uint64_t prev_target; /* now passed to the previous one */
	uint32_t log[LOG_MAX];
	uint64_t log_tick[LOG_MAX];
	size_t nlog;
	/* Streaming checks for the big tests. */
	uint64_t last_exp;
	uint32_t last_id;
	uint64_t fired;
};

#define REC(tp) ((struct rec *)((char *)(tp)-offsetof(struct rec, t)))

static void
on_fire(struct tern_timer *t, void *ctx)
{
	struct env *e = ctx;
	struct rec *r = REC(t);

	assert_false(tern_timer_pending(t));
	r->fires++;
	r->fired_tick = e->w.now;
	r->fired_call = e->target;
	assert_true(e->nlog < LOG_MAX);
	e->log[e->nlog] = r->id;
	e->log_tick[e->nlog] = e->w.now;
	e->nlog++;
	if (r->hook != NULL)
		r->hook(e, r);
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	twheel_init(&e->w, 0);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	free(*state);
	return 0;
}

static void
reset(struct env *e, uint64_t now)
{
	twheel_init(&e->w, now);
	e->target = e->prev_target = now;
	e->nlog = 0;
	e->last_exp = 0;
	e->last_id = 0;
	e->fired = 0;
}

static void
rec_init(struct rec *r, uint32_t id)
{
	*r = (struct rec){.id = id};
	twheel_timer_init(&r->t, on_fire);
}

static unsigned
adv(struct env *e, uint64_t now)
{
	unsigned n;

	e->target = now;
	n = twheel_advance(&e->w, now, e);
	e->prev_target = now;
	return n;
}

/* Deterministic PRNG (splitmix64). */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
test_expiry_order(void **state)
{
	struct env *e = *state;
	static const uint64_t exp[] = {500, 3, 70000, 64, 4096, 63, 65, 1, 262144, 5000000, 4095, 2,
	        16777216, 16777215, 128};
	/* ids sorted by expiry */
	static const uint32_t want[] = {7, 11, 1, 5, 3, 6, 14, 0, 10, 4, 2, 8, 9, 13, 12};
	enum { N = sizeof(exp) / sizeof(exp[0]) };
	struct rec r[N];

	reset(e, 0);
	for (uint32_t i = 0; i < N; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, exp[i]);
		assert_true(tern_timer_pending(&r[i].t));
	}
	assert_int_equal(twheel_pending(&e->w), N);
	assert_int_equal(adv(e, 100000000), N);
	assert_int_equal(e->nlog, N);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(e->log[i], want[i]);
		assert_int_equal(e->log_tick[i], exp[want[i]]);
		assert_int_equal(r[i].fires, 1);
		assert_false(tern_timer_pending(&r[i].t));
	}
	assert_int_equal(twheel_pending(&e->w), 0);
	assert_int_equal(e->w.now, 100000000);
}

/*
 * Each timer fires in the advance whose now == its expiry when stepping 1 tick at a
 * time, and the wheel's now seen by the callback is the expiry, from several starting
 * points, including one just below the range boundary 2^30.
 */
static void
test_never_early_exact_tick(void **state)
{
	struct env *e = *state;
	static const uint64_t starts[] = {0, 37, RANGE - 219, (UINT64_C(5) << 24) - 3};
	static const uint64_t delta[] = {1, 2, 3, 62, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097,
	        8191, 8192, 100000, 262143, 262144, 262145};
	enum { N = sizeof(delta) / sizeof(delta[0]) };
	struct rec r[N + 4];

	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		uint64_t base = starts[s];
		uint64_t last = base;
		uint32_t n = 0;

		reset(e, base);
		for (uint32_t i = 0; i < N; i++, n++) {
			rec_init(&r[n], n);
			twheel_arm(&e->w, &r[n].t, base + delta[i]);
		}
		/* Absolute boundaries just after base: next multiple of 64, 4096, 2^18, 2^24. */
		for (unsigned b = 1; b <= 4; b++, n++) {
			uint64_t m = UINT64_C(1) << (6 * b);
			uint64_t x = (base / m + 1) * m;

			if (x - base > 300000)
				x = base + 300000 - b;
			rec_init(&r[n], n);
			twheel_arm(&e->w, &r[n].t, x);
		}
		for (uint32_t i = 0; i < n; i++)
			if (r[i].t.expires > last)
				last = r[i].t.expires;
		for (uint64_t now = base + 1; now <= last + 1; now++) {
			adv(e, now);
			for (uint32_t i = 0; i < n; i++) {
				if (r[i].t.expires > now)
					assert_int_equal(r[i].fires, 0);
			}
		}
		for (uint32_t i = 0; i < n; i++) {
			assert_int_equal(r[i].fires, 1);
			assert_int_equal(r[i].fired_call, r[i].t.expires);
			assert_int_equal(r[i].fired_tick, r[i].t.expires);
		}
		assert_int_equal(twheel_pending(&e->w), 0);
	}
}

/* Equal expiry: arm order, whatever level each timer was filed at. */
static void
test_fifo_ties(void **state)
{
	struct env *e = *state;
	enum { N = 100 };
	const uint64_t x = 100000;
	struct rec r[N + 1];

	reset(e, 0);
	for (uint32_t i = 0; i < N + 1; i++)
		rec_init(&r[i], i);
	for (uint32_t i = 0; i < 50; i++) /* level 2 */
		twheel_arm(&e->w, &r[i].t, x);
	adv(e, 90000);
	for (uint32_t i = 50; i < 70; i++) /* level 1 */
		twheel_arm(&e->w, &r[i].t, x);
	adv(e, 99990);
	for (uint32_t i = 70; i < 90; i++) /* level 1 or 0 */
		twheel_arm(&e->w, &r[i].t, x);
	adv(e, 99999);
	for (uint32_t i = 90; i < N; i++) /* level 0 */
		twheel_arm(&e->w, &r[i].t, x);
	/* Re-arming moves a timer to the back of its tie. */
	twheel_arm(&e->w, &r[10].t, x);
	/* An earlier one armed last still fires first. */
	twheel_arm(&e->w, &r[N].t, x - 1);
	assert_int_equal(e->nlog, 0);
	assert_int_equal(adv(e, x), N + 1);
	assert_int_equal(e->log[0], N);
	size_t k = 1;
	for (uint32_t i = 0; i < N; i++) {
		if (i == 10)
			continue;
		assert_int_equal(e->log[k++], i);
	}
	assert_int_equal(e->log[k], 10);

	/* Ties among far timers (parked beyond the range) as well. */
	reset(e, 5);
	for (uint32_t i = 0; i < 10; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, 3 * RANGE + 17);
		if (i == 4)
			adv(e, RANGE + 1000);
		if (i == 7)
			adv(e, 3 * RANGE + 10);
	}
	assert_int_equal(adv(e, 4 * RANGE), 10);
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(e->log[i], i);
		assert_int_equal(e->log_tick[i], 3 * RANGE + 17);
	}
}

static void
hook_cancel_other(struct env *e, struct rec *r)
{
	twheel_cancel(&e->w, &r->other->t);
	r->other->cancelled = true;
}

static void
test_cancel(void **state)
{
	struct env *e = *state;
	struct rec r[8];

	/* Not pending: never armed, cancelled twice, already fired. */
	reset(e, 0);
	rec_init(&r[0], 0);
	twheel_cancel(&e->w, &r[0].t);
	assert_int_equal(twheel_pending(&e->w), 0);
	twheel_arm(&e->w, &r[0].t, 10);
	twheel_cancel(&e->w, &r[0].t);
	assert_false(tern_timer_pending(&r[0].t));
	twheel_cancel(&e->w, &r[0].t);
	assert_int_equal(twheel_pending(&e->w), 0);
	assert_int_equal(adv(e, 20), 0);
	twheel_arm(&e->w, &r[0].t, 25);
	assert_int_equal(adv(e, 25), 1);
	twheel_cancel(&e->w, &r[0].t);
	assert_int_equal(twheel_pending(&e->w), 0);

	/* Head, middle and tail of one slot; the list stays usable (tail append). */
	reset(e, 0);
	for (uint32_t i = 0; i < 6; i++) {
		rec_init(&r[i], i);
		if (i < 5)
			twheel_arm(&e->w, &r[i].t, 100);
	}
	twheel_cancel(&e->w, &r[2].t);
	twheel_cancel(&e->w, &r[0].t);
	twheel_cancel(&e->w, &r[4].t);
	assert_int_equal(twheel_pending(&e->w), 2);
	twheel_arm(&e->w, &r[5].t, 100);
	assert_int_equal(adv(e, 1000), 3);
	assert_int_equal(e->log[0], 1);
	assert_int_equal(e->log[1], 3);
	assert_int_equal(e->log[2], 5);

	/* A timer cascaded down from level 1 then cancelled (it is its slot's tail). */
	reset(e, 0);
	rec_init(&r[0], 0);
	rec_init(&r[1], 1);
	twheel_arm(&e->w, &r[0].t, 70);
	adv(e, 64); /* cascade 64..127 into level 0 */
	twheel_cancel(&e->w, &r[0].t);
	twheel_arm(&e->w, &r[1].t, 70);
	assert_int_equal(adv(e, 70), 1);
	assert_int_equal(e->log[0], 1);
	assert_int_equal(r[0].fires, 0);

	/* Timers in the due list: cancel its tail, then append again. */
	reset(e, 50);
	for (uint32_t i = 0; i < 4; i++) {
		rec_init(&r[i], i);
		if (i < 3)
			twheel_arm(&e->w, &r[i].t, 40 + i);
	}
	twheel_cancel(&e->w, &r[2].t);
	twheel_cancel(&e->w, &r[0].t);
	twheel_arm(&e->w, &r[3].t, 50);
	assert_int_equal(adv(e, 50), 2);
	assert_int_equal(e->log[0], 1);
	assert_int_equal(e->log[1], 3);

	/* From a callback: the next timer of the same tick, and a later one. */
	reset(e, 0);
	for (uint32_t i = 0; i < 4; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, i < 3 ? 30 : 31);
	}
	r[0].hook = hook_cancel_other;
	r[0].other = &r[2]; /* tail of the running slot */
	r[1].hook = hook_cancel_other;
	r[1].other = &r[3];
	assert_int_equal(adv(e, 100), 2);
	assert_int_equal(r[2].fires, 0);
	assert_int_equal(r[3].fires, 0);
	assert_int_equal(twheel_pending(&e->w), 0);

	/* From a callback run from the due list: cancel the due list's tail. */
	reset(e, 10);
	for (uint32_t i = 0; i < 3; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, 5);
	}
	r[0].hook = hook_cancel_other;
	r[0].other = &r[2];
	assert_int_equal(adv(e, 10), 2);
	assert_int_equal(r[2].fires, 0);
	assert_int_equal(twheel_pending(&e->w), 0);
}

static void
hook_rearm_self(struct env *e, struct rec *r)
{
	if (r->fires < 5)
		twheel_arm(&e->w, &r->t, e->w.now + r->arg);
}

static void
hook_arm_other(struct env *e, struct rec *r)
{
	twheel_arm(&e->w, &r->other->t, r->arg);
}

static void
test_rearm(void **state)
{
	struct env *e = *state;
	struct rec r[3];

	/* Earlier. */
	reset(e, 0);
	rec_init(&r[0], 0);
	twheel_arm(&e->w, &r[0].t, 1000);
	twheel_arm(&e->w, &r[0].t, 10);
	assert_int_equal(twheel_pending(&e->w), 1);
	for (uint64_t t = 1; t <= 2000; t++)
		adv(e, t);
	assert_int_equal(r[0].fires, 1);
	assert_int_equal(r[0].fired_call, 10);

	/* Later. */
	reset(e, 0);
	rec_init(&r[0], 0);
	twheel_arm(&e->w, &r[0].t, 10);
	twheel_arm(&e->w, &r[0].t, 5000);
	for (uint64_t t = 1; t <= 6000; t++)
		adv(e, t);
	assert_int_equal(r[0].fires, 1);
	assert_int_equal(r[0].fired_call, 5000);

	/* Periodic from its own callback, 1-tick steps and one big jump. */
	for (int jump = 0; jump < 2; jump++) {
		reset(e, 0);
		rec_init(&r[0], 0);
		r[0].hook = hook_rearm_self;
		r[0].arg = 70; /* crosses level-0 blocks */
		twheel_arm(&e->w, &r[0].t, 70);
		if (jump) {
			assert_int_equal(adv(e, 10000), 5);
		} else {
			for (uint64_t t = 1; t <= 10000; t++)
				adv(e, t);
		}
		assert_int_equal(r[0].fires, 5);
		for (size_t i = 0; i < 5; i++)
			assert_int_equal(e->log_tick[i], 70 * (i + 1));
		assert_int_equal(twheel_pending(&e->w), 0);
	}

	/* Re-armed "now" from its callback: next advance, never within the same call. */
	reset(e, 0);
	rec_init(&r[0], 0);
	r[0].hook = hook_rearm_self;
	r[0].arg = 0;
	twheel_arm(&e->w, &r[0].t, 50);
	assert_int_equal(adv(e, 60), 1);
	assert_int_equal(r[0].fired_tick, 50);
	assert_true(tern_timer_pending(&r[0].t));
	assert_int_equal(adv(e, 60), 1);
	assert_int_equal(adv(e, 60), 1);
	assert_int_equal(r[0].fires, 3);

	/* A callback arming another timer: due now (next call), later within the call. */
	reset(e, 0);
	for (uint32_t i = 0; i < 3; i++)
		rec_init(&r[i], i);
	r[0].hook = hook_arm_other;
	r[0].other = &r[1];
	r[0].arg = 5; /* already due at tick 20 */
	r[1].hook = hook_arm_other;
	r[1].other = &r[2];
	r[1].arg = 25; /* <= target of the next call */
	twheel_arm(&e->w, &r[0].t, 20);
	assert_int_equal(adv(e, 20), 1);
	assert_int_equal(r[1].fires, 0);
	assert_int_equal(adv(e, 30), 2);
	assert_int_equal(r[1].fired_call, 30);
	assert_int_equal(r[2].fired_tick, 25);

	/* A timer armed already due fires on the next advance, even at the same tick. */
	reset(e, 100);
	rec_init(&r[0], 0);
	rec_init(&r[1], 1);
	twheel_arm(&e->w, &r[1].t, 101);
	twheel_arm(&e->w, &r[0].t, 3);
	assert_int_equal(adv(e, 100), 1);
	assert_int_equal(e->log[0], 0);
	assert_int_equal(adv(e, 101), 1);
	assert_int_equal(e->log[1], 1);
}

/* One far timer: exact tick in one big jump (twice: stop 1 short, and overshoot). */
static void
check_far_jump(struct env *e, uint64_t start, uint64_t exp)
{
	struct rec r;

	reset(e, start);
	rec_init(&r, 0);
	twheel_arm(&e->w, &r.t, exp);
	assert_int_equal(adv(e, exp - 1), 0);
	assert_int_equal(r.fires, 0);
	assert_int_equal(adv(e, exp), 1);
	assert_int_equal(r.fired_tick, exp);

	reset(e, start);
	rec_init(&r, 0);
	twheel_arm(&e->w, &r.t, exp);
	assert_int_equal(adv(e, exp + 123456789), 1);
	assert_int_equal(r.fired_tick, exp);
}

/* One far timer: fires exactly at its tick stepping 1 tick at a time from @p from. */
static void
check_far_steps(struct env *e, uint64_t start, uint64_t from, uint64_t stride, uint64_t exp)
{
	struct rec r;
	uint64_t now = start;

	reset(e, start);
	rec_init(&r, 0);
	twheel_arm(&e->w, &r.t, exp);
	/* Coarse approach first when asked (stride > 1), never reaching exp. */
	while (now + stride < from) {
		now += stride;
		assert_int_equal(adv(e, now), 0);
	}
	while (now < exp + 3) {
		now++;
		adv(e, now);
		assert_int_equal(r.fires, now >= exp ? 1 : 0);
	}
	assert_int_equal(r.fired_call, exp);
	assert_int_equal(r.fired_tick, exp);
}

static void
test_far_timers(void **state)
{
	struct env *e = *state;
	const uint64_t h2 = 2 * MS_PER_HOUR, h24 = 24 * MS_PER_HOUR;
	const uint64_t beyond[] = {RANGE, RANGE + 12345, 3 * RANGE + 77, 40 * 24 * MS_PER_HOUR,
	        (UINT64_C(1) << 44) + 5};

	check_far_jump(e, 0, h2);
	check_far_jump(e, 0, h24);
	check_far_jump(e, 777, 777 + h24);
	for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		check_far_jump(e, 0, beyond[i]);
		check_far_jump(e, 12345, beyond[i] + 12345);
	}

	/* 1-tick steps all the way for 2 h and 24 h. */
	check_far_steps(e, 0, 0, 1, h2);
	check_far_steps(e, 0, 0, 1, h24);
	/*
	 * Beyond the range, 1-tick steps over the last 2^21 ticks (several level-3
	 * cascades) after a coarse approach with an odd stride: stepping 2^30+ ticks one by
	 * one would make the test take minutes.
	 */
	check_far_steps(e, 0, RANGE + 12345 - (1u << 21), 4099, RANGE + 12345);
	check_far_steps(e, 5, 3 * RANGE + 77 - (1u << 21), 65537, 3 * RANGE + 77);

	/* Several far timers sharing the parked slot, with near ones, in one jump. */
	struct rec r[5];
	const uint64_t exps[5] = {2 * RANGE + 9, RANGE + 9, 9, h24, 5 * RANGE + 9};
	reset(e, 0);
	for (uint32_t i = 0; i < 5; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, exps[i]);
	}
	assert_int_equal(adv(e, 6 * RANGE), 5);
	const uint32_t order[5] = {2, 3, 1, 0, 4};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(e->log[i], order[i]);
		assert_int_equal(e->log_tick[i], exps[order[i]]);
	}
}

static void
test_backwards(void **state)
{
	struct env *e = *state;
	struct rec r;

	reset(e, 0);
	rec_init(&r, 0);
	assert_int_equal(adv(e, 100), 0);
	twheel_arm(&e->w, &r.t, 120);
	assert_int_equal(adv(e, 50), 0);
	assert_int_equal(e->w.now, 100);
	assert_int_equal(adv(e, 0), 0);
	assert_int_equal(adv(e, 119), 0);
	assert_int_equal(r.fires, 0);
	assert_int_equal(adv(e, 118), 0);
	assert_int_equal(e->w.now, 119);
	assert_int_equal(adv(e, 120), 1);
	assert_int_equal(r.fired_tick, 120);

	/* A due timer is not run by a backwards call either. */
	twheel_arm(&e->w, &r.t, 1);
	assert_int_equal(adv(e, 60), 0);
	assert_int_equal(adv(e, 120), 1);
}

static uint64_t random_delay(uint64_t *seed);

/* The earliest pending expiry, by a scan (the reference for twheel_next_expiry). */
static bool
min_expiry(const struct rec *r, size_t n, uint64_t *min)
{
	bool any = false;

	for (size_t i = 0; i < n; i++)
		if (tern_timer_pending(&r[i].t) && (!any || r[i].t.expires < *min)) {
			*min = r[i].t.expires;
			any = true;
		}
	return any;
}

/*
 * twheel_next_expiry: exact in the current 64-tick block and for timers armed due, none
 * when empty, and for any mix a lower bound on the next expiry at which the wheel does
 * work: advancing to the tick before it fires nothing, and stepping from bound to bound
 * reaches every timer in a few steps per level.
 */
static void
test_next_expiry(void **state)
{
	struct env *e = *state;
	enum { N = 1000 }; /* LOG_MAX */
	static struct rec r[N];
	uint64_t tick, min = 0, seed = 15, steps = 0;
	const uint64_t start = 1000;

	reset(e, start);
	assert_false(twheel_next_expiry(&e->w, &tick));
	rec_init(&r[0], 0);
	rec_init(&r[1], 1);
	twheel_arm(&e->w, &r[0].t, start + 5);
	assert_true(twheel_next_expiry(&e->w, &tick));
	assert_int_equal(tick, start + 5);
	twheel_arm(&e->w, &r[1].t, start + 3);
	assert_true(twheel_next_expiry(&e->w, &tick));
	assert_int_equal(tick, start + 3);
	twheel_cancel(&e->w, &r[1].t);
	assert_true(twheel_next_expiry(&e->w, &tick));
	assert_int_equal(tick, start + 5);
	twheel_arm(&e->w, &r[1].t, start - 7); /* already due: now */
	assert_true(twheel_next_expiry(&e->w, &tick));
	assert_int_equal(tick, start);
	assert_int_equal(adv(e, start), 1);
	assert_int_equal(adv(e, start + 4), 0);
	assert_true(twheel_next_expiry(&e->w, &tick));
	assert_int_equal(tick, start + 5);
	assert_int_equal(adv(e, start + 5), 1);
	assert_false(twheel_next_expiry(&e->w, &tick));

	/* Random mix, near and far: step from bound to bound. */
	reset(e, start);
	for (uint32_t i = 0; i < N; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, start + random_delay(&seed) % (UINT64_C(1) << 24));
	}
	while (twheel_next_expiry(&e->w, &tick)) {
		assert_true(min_expiry(r, N, &min));
		assert_true(tick <= min);
		assert_true(tick > e->w.now || tick == min);
		if (tick > e->w.now)
			assert_int_equal(adv(e, tick - 1), 0);
		adv(e, tick);
		steps++;
	}
	assert_false(min_expiry(r, N, &min));
	assert_true(steps >= N / 4 && steps <= (uint64_t)N * TWHEEL_LEVELS);
}

static void
test_pending_count(void **state)
{
	struct env *e = *state;
	struct rec r[3];

	reset(e, 0);
	for (uint32_t i = 0; i < 3; i++) {
		rec_init(&r[i], i);
		twheel_arm(&e->w, &r[i].t, 10 * (i + 1));
	}
	assert_int_equal(twheel_pending(&e->w), 3);
	twheel_arm(&e->w, &r[0].t, 5000); /* re-arm: still 3 */
	assert_int_equal(twheel_pending(&e->w), 3);
	twheel_cancel(&e->w, &r[1].t);
	assert_int_equal(twheel_pending(&e->w), 2);
	twheel_cancel(&e->w, &r[1].t);
	assert_int_equal(twheel_pending(&e->w), 2);
	adv(e, 30);
	assert_int_equal(twheel_pending(&e->w), 1);
	twheel_arm(&e->w, &r[2].t, 0); /* due */
	assert_int_equal(twheel_pending(&e->w), 2);
	adv(e, 30);
	assert_int_equal(twheel_pending(&e->w), 1);
	adv(e, 5000);
	assert_int_equal(twheel_pending(&e->w), 0);
}

/* ---- a million timers ---- */

#define BIG_N 1000000u

static void
on_fire_check(struct tern_timer *t, void *ctx)
{
	struct env *e = ctx;
	struct rec *r = REC(t);

	if (r->cancelled || r->fires != 0)
		fail_msg("timer %u fired again or after cancel", r->id);
	if (e->w.now != t->expires || e->target < t->expires || e->prev_target >= t->expires)
		fail_msg("timer %u (expiry %llu) fired at tick %llu in advance(%llu), previous "
		         "advance(%llu)",
		        r->id, (unsigned long long)t->expires, (unsigned long long)e->w.now,
		        (unsigned long long)e->target, (unsigned long long)e->prev_target);
	if (e->fired != 0 &&
	        (t->expires < e->last_exp || (t->expires == e->last_exp && r->id < e->last_id)))
		fail_msg("timer %u (expiry %llu) out of order after %u (expiry %llu)", r->id,
		        (unsigned long long)t->expires, e->last_id,
		        (unsigned long long)e->last_exp);
	r->fires++;
	e->last_exp = t->expires;
	e->last_id = r->id;
	e->fired++;
}

/* Mostly near expiries, some far, a few beyond the wheel's range. */
static uint64_t
random_delay(uint64_t *seed)
{
	uint64_t x = rnd(seed);
	unsigned cls = (unsigned)(x % 100);

	x >>= 8;
	if (cls < 60)
		return 1 + x % 4096;
	if (cls < 85)
		return 1 + x % (UINT64_C(1) << 22);
	if (cls < 95)
		return 1 + x % RANGE;
	return 1 + x % (UINT64_C(1) << 34);
}

static void
run_big(struct env *e, struct rec *r, uint64_t start, uint64_t seed, uint64_t expect)
{
	uint64_t now = start, last = start;

	for (uint32_t i = 0; i < BIG_N; i++)
		if (!r[i].cancelled && r[i].t.expires > last)
			last = r[i].t.expires;
	/* Random steps: mostly small, sometimes huge. */
	while (now < last) {
		uint64_t x = rnd(&seed);
		uint64_t step = 1 + (x >> 8) % (UINT64_C(1) << (x % 25));

		now += step;
		adv(e, now);
	}
	assert_int_equal(e->fired, expect);
	assert_int_equal(twheel_pending(&e->w), 0);
	for (uint32_t i = 0; i < BIG_N; i++) {
		assert_int_equal(r[i].fires, r[i].cancelled ? 0 : 1);
		assert_false(tern_timer_pending(&r[i].t));
	}
}

static void
test_million_random(void **state)
{
	struct env *e = *state;
	struct rec *r = calloc(BIG_N, sizeof(*r));
	const uint64_t start = 123456789;
	uint64_t seed = 1;

	assert_non_null(r);
	reset(e, start);
	for (uint32_t i = 0; i < BIG_N; i++) {
		r[i].id = i;
		twheel_timer_init(&r[i].t, on_fire_check);
		twheel_arm(&e->w, &r[i].t, start + random_delay(&seed));
	}
	assert_int_equal(twheel_pending(&e->w), BIG_N);
	run_big(e, r, start, 7, BIG_N);
	free(r);
}

static void
test_million_cancel_half(void **state)
{
	struct env *e = *state;
	struct rec *r = calloc(BIG_N, sizeof(*r));
	const uint64_t start = 99;
	uint64_t seed = 2, ncancel = 0;

	assert_non_null(r);
	reset(e, start);
	for (uint32_t i = 0; i < BIG_N; i++) {
		r[i].id = i;
		twheel_timer_init(&r[i].t, on_fire_check);
		twheel_arm(&e->w, &r[i].t, start + random_delay(&seed));
	}
	/* Cancel half of them, visiting the timers in a scattered order. */
	for (uint64_t k = 0; k < BIG_N; k++) {
		struct rec *x = &r[(k * 7919) % BIG_N];

		if (rnd(&seed) & 1) {
			twheel_cancel(&e->w, &x->t);
			x->cancelled = true;
			ncancel++;
		}
	}
	assert_true(ncancel > BIG_N / 2 - 5000 && ncancel < BIG_N / 2 + 5000);
	assert_int_equal(twheel_pending(&e->w), BIG_N - ncancel);
	run_big(e, r, start, 11, BIG_N - ncancel);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_expiry_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_never_early_exact_tick, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fifo_ties, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rearm, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_far_timers, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_backwards, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_pending_count, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_next_expiry, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_million_random, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_million_cancel_half, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
