/* SPDX-License-Identifier: BSD-3-Clause */
/* The idle backoff's policy (idle.h): a pure function of the empty-poll count and the next
 * timer. */
#include "idle.h"

struct app_idle_step
app_idle_next(const struct app_idle_conf *c, uint64_t empty, uint64_t timer_us)
{
	struct app_idle_step s = {.action = APP_IDLE_POLL, .us = 0};
	uint64_t min = c->min_sleep_us < c->max_sleep_us ? c->min_sleep_us : c->max_sleep_us;
	uint64_t sleeps, us;

	if (min == 0)
		min = 1;

	if (empty <= c->spin_polls || timer_us == 0)
		return s; /* busy for a while; a due timer wants a poll now */
	s.action = APP_IDLE_PAUSE;
	if (empty <= (uint64_t)c->spin_polls + c->pause_polls)
		return s;
	/* The k-th sleep (k from 0) lasts min << k, capped. */
	sleeps = empty - c->spin_polls - c->pause_polls - 1;
	us = sleeps >= 32 ? c->max_sleep_us : min << sleeps;
	if (us > c->max_sleep_us)
		us = c->max_sleep_us;
	if (us > timer_us)
		us = timer_us;
	if (us < min)
		return s; /* the timer is too close for a system call */
	s.action = APP_IDLE_SLEEP;
	s.us = (uint32_t)us;
	return s;
}
