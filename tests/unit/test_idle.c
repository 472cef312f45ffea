/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The apps' idle backoff policy (apps/common/idle.c, app_idle_next): poll, then pause,
 * then sleeps doubling to the bound; never past the next timer; a due timer polls; a
 * sleep too short for a system call pauses; huge counts do not overflow the doubling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "idle.h"

static const struct app_idle_conf defaults = {
        .spin_polls = APP_IDLE_SPIN_POLLS,
        .pause_polls = APP_IDLE_PAUSE_POLLS,
        .min_sleep_us = APP_IDLE_MIN_SLEEP_US,
        .max_sleep_us = APP_IDLE_MAX_SLEEP_US,
};

#define NONE UINT64_MAX /* no timer armed */

static void
expect(const struct app_idle_conf *c, uint64_t empty, uint64_t timer_us,
        enum app_idle_action action, uint32_t us)
{
	struct app_idle_step s = app_idle_next(c, empty, timer_us);

	assert_int_equal(s.action, action);
	if (action == APP_IDLE_SLEEP)
		assert_int_equal(s.us, us);
}

/* The phases with the defaults: 200 polls, 800 pauses, 16 32 .. 512 then 1000 us. */
static void
test_phases(void **state)
{
	static const uint32_t sleeps[] = {16, 32, 64, 128, 256, 512, 1000, 1000};
	uint64_t n;

	(void)state;
	for (n = 1; n <= 200; n++)
		expect(&defaults, n, NONE, APP_IDLE_POLL, 0);
	for (n = 201; n <= 1000; n++)
		expect(&defaults, n, NONE, APP_IDLE_PAUSE, 0);
	for (n = 0; n < sizeof(sleeps) / sizeof(sleeps[0]); n++)
		expect(&defaults, 1001 + n, NONE, APP_IDLE_SLEEP, sleeps[n]);
	/* long idle: the bound, whatever the count (no shift overflow) */
	expect(&defaults, 1000 + 33, NONE, APP_IDLE_SLEEP, 1000);
	expect(&defaults, 1000 + 64, NONE, APP_IDLE_SLEEP, 1000);
	expect(&defaults, UINT64_C(1) << 40, NONE, APP_IDLE_SLEEP, 1000);
	expect(&defaults, UINT64_MAX, NONE, APP_IDLE_SLEEP, 1000);
}

/* The next timer: due polls at once in every phase; a sleep ends at the timer; a timer
 * closer than the shortest sleep pauses instead. */
static void
test_timer(void **state)
{
	(void)state;
	expect(&defaults, 5, 0, APP_IDLE_POLL, 0);
	expect(&defaults, 500, 0, APP_IDLE_POLL, 0);
	expect(&defaults, 5000, 0, APP_IDLE_POLL, 0);
	expect(&defaults, 5000, 300, APP_IDLE_SLEEP, 300);
	expect(&defaults, 5000, 1000, APP_IDLE_SLEEP, 1000);
	expect(&defaults, 5000, 1001, APP_IDLE_SLEEP, 1000);
	expect(&defaults, 1001, 20, APP_IDLE_SLEEP, 16);
	expect(&defaults, 1003, 20, APP_IDLE_SLEEP, 20);
	expect(&defaults, 5000, 16, APP_IDLE_SLEEP, 16);
	expect(&defaults, 5000, 15, APP_IDLE_PAUSE, 0);
	expect(&defaults, 5000, 1, APP_IDLE_PAUSE, 0);
	expect(&defaults, 100, 5, APP_IDLE_POLL, 0); /* still spinning */
}

/* Other knobs: --idle-sleep-us below the first sleep; no spin and no pause; a zero
 * shortest sleep is one microsecond. */
static void
test_knobs(void **state)
{
	struct app_idle_conf c = defaults;

	(void)state;
	c.max_sleep_us = 8;
	expect(&c, 1001, NONE, APP_IDLE_SLEEP, 8);
	expect(&c, 1100, NONE, APP_IDLE_SLEEP, 8);
	expect(&c, 1100, 7, APP_IDLE_PAUSE, 0);
	c.max_sleep_us = 100000;
	expect(&c, 1000 + 13, NONE, APP_IDLE_SLEEP, 16u << 12);
	expect(&c, 1000 + 14, NONE, APP_IDLE_SLEEP, 100000);
	c = (struct app_idle_conf){
	        .spin_polls = 0, .pause_polls = 0, .min_sleep_us = 0, .max_sleep_us = 50};
	expect(&c, 1, NONE, APP_IDLE_SLEEP, 1);
	expect(&c, 2, NONE, APP_IDLE_SLEEP, 2);
	expect(&c, 7, NONE, APP_IDLE_SLEEP, 50);
}

/* Sleeps never shrink while idle (no timer) and never pass the bound; the time slept
 * before the bound is reached is under 2 ms with the defaults. */
static void
test_monotone(void **state)
{
	uint64_t n, prev = 0, slept = 0;

	(void)state;
	for (n = 1; n < 5000; n++) {
		struct app_idle_step s = app_idle_next(&defaults, n, NONE);

		if (s.action != APP_IDLE_SLEEP)
			continue;
		assert_true(s.us >= prev && s.us <= APP_IDLE_MAX_SLEEP_US);
		if (s.us < APP_IDLE_MAX_SLEEP_US)
			slept += s.us;
		prev = s.us;
	}
	assert_int_equal(prev, APP_IDLE_MAX_SLEEP_US);
	assert_true(slept < 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_phases),
	        cmocka_unit_test(test_timer),
	        cmocka_unit_test(test_knobs),
	        cmocka_unit_test(test_monotone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
