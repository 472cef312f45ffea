/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The idle backoff of the apps' poll loop (--poll-mode backoff): what an engine's lcore
 * does after a number of empty polls in a row, as a pure function so that it is tested
 * without a clock or a port.
 *
 * A poll is empty when it received nothing, fired no timer and sent nothing. The first
 * spin_polls empty polls poll again at once (a busy poller's latency); the next
 * pause_polls each rest in rte_pause() (the sibling hyperthread and the host get the
 * pipeline); after that the lcore sleeps, min_sleep_us first, doubling at each further
 * empty poll up to max_sleep_us, and never past the engine's next timer. A sleep shorter
 * than min_sleep_us is not worth a system call: the lcore pauses instead.
 *
 * Latency cost: a frame that arrives while the lcore sleeps waits at most max_sleep_us
 * plus the kernel's timer slack (the loop sets it to 10 us); timers fire on time (the
 * sleep ends at the next one). Any non-empty poll starts the count again.
 */
#ifndef TERN_APP_IDLE_H
#define TERN_APP_IDLE_H

#include <stdint.h>

/** The policy's knobs. */
struct app_idle_conf {
	uint32_t spin_polls;   /**< empty polls polled again at once */
	uint32_t pause_polls;  /**< then empty polls followed by a pause */
	uint32_t min_sleep_us; /**< first sleep; shorter waits pause instead */
	uint32_t max_sleep_us; /**< longest sleep (--idle-sleep-us) */
};

/** Defaults: 200 polls, 800 pauses, then 16 us doubling up to 1 ms. */
#define APP_IDLE_SPIN_POLLS   200
#define APP_IDLE_PAUSE_POLLS  800
#define APP_IDLE_MIN_SLEEP_US 16
#define APP_IDLE_MAX_SLEEP_US 1000

/** What to do after an empty poll. */
enum app_idle_action {
	APP_IDLE_POLL,  /**< poll again now */
	APP_IDLE_PAUSE, /**< rte_pause(), then poll */
	APP_IDLE_SLEEP, /**< sleep us microseconds, then poll */
};

/** One step of the policy. */
struct app_idle_step {
	enum app_idle_action action;
	uint32_t us; /**< APP_IDLE_SLEEP: how long */
};

/**
 * The policy.
 * @param c the knobs (max_sleep_us >= 1; a min_sleep_us above it is taken as max_sleep_us)
 * @param empty empty polls in a row so far, this one included (>= 1)
 * @param timer_us microseconds until the engine's next timer (tern_engine_next_timer_us():
 *        0 = due, UINT64_MAX = none)
 * @return what to do before the next poll
 */
struct app_idle_step app_idle_next(
        const struct app_idle_conf *c, uint64_t empty, uint64_t timer_us);

#endif
