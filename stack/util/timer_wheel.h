/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Hierarchical timer wheel: 1 tick = 1 ms in the engine, O(1) arm / cancel / expire.
 *
 * Timers are intrusive (struct tern_timer is embedded in its owner), nothing is
 * allocated. The wheel never reads a clock: the caller passes the current tick to
 * twheel_advance(), so tests drive it with a fake clock. Range: TWHEEL_LEVELS levels of
 * TWHEEL_SLOTS slots (64^5 ticks, about 12.4 days at 1 ms); a timer further out is
 * parked in the last level and re-filed when its slot comes round, so any expiry works.
 *
 * Precision: a timer fires on the first twheel_advance() whose @p now >= its expiry,
 * never earlier, and timers fire in expiry order (ties in arm order, FIFO).
 *
 * Timers armed already due (expiry <= the wheel's current tick) go to a "due" list and
 * fire first on the next twheel_advance() call, in arm order. This includes timers armed
 * from a callback with an expiry <= the tick being processed: they fire on the next
 * call, never within the current one, so a callback that re-arms itself "now" cannot
 * make twheel_advance() loop forever. A callback arming a timer for a later tick that is
 * still <= the target of the running twheel_advance() sees it fire within that call.
 *
 * Cost: arm and cancel are O(1). twheel_advance() finds the next occupied slot through
 * one 64-bit occupancy bitmap per level, so an idle gap of any length costs
 * O(TWHEEL_LEVELS); each timer is cascaded at most once per level (parked timers once
 * per revolution of the last level, 2^30 ticks).
 *
 * twheel_advance() must not be called from a callback. Expiries are below 2^56 ticks
 * (2.2 million years of ms; a later one is armed at 2^56 - 1).
 *
 * A timer is 24 bytes: its callback is kept as a one-byte index into a process-wide table
 * of callbacks (filled by twheel_timer_init(), at most TWHEEL_FNS distinct functions),
 * beside the 56-bit expiry.
 */
#ifndef TERN_UTIL_TIMER_WHEEL_H
#define TERN_UTIL_TIMER_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#define TWHEEL_BITS     6
#define TWHEEL_SLOTS    (1u << TWHEEL_BITS)
#define TWHEEL_LEVELS   5
#define TWHEEL_TICK_MAX ((UINT64_C(1) << 56) - 1) /**< the latest expiry */
#define TWHEEL_FNS      256                       /**< distinct callbacks in a process */

struct tern_timer;

/**
 * Timer callback. @p ctx is the pointer passed to twheel_advance(). The callback may
 * re-arm or cancel any timer, including @p t itself, and may arm new timers.
 */
typedef void (*tern_timer_fn)(struct tern_timer *t, void *ctx);

/** An intrusive timer. Initialise with twheel_timer_init() before first use. */
struct tern_timer {
	struct tern_timer *next;
	struct tern_timer **pprev; /**< NULL when not pending */
	uint64_t expires : 56;     /**< tick, at most TWHEEL_TICK_MAX */
	uint64_t fn_id : 8;        /**< callback: index in the table of twheel_timer_init() */
};

/** Slot list head (singly linked forward, pprev back-links; tail for FIFO append). */
struct twheel_slot {
	struct tern_timer *head;
	struct tern_timer **tail;
};

/**
 * The wheel. Embed it; initialise with twheel_init(). Lists point into the structure:
 * never copy or move an initialised wheel.
 */
struct twheel {
	uint64_t now;     /**< last tick processed */
	uint64_t pending; /**< timers armed */
	struct twheel_slot slots[TWHEEL_LEVELS][TWHEEL_SLOTS];
	/* Private below. */
	uint64_t occupied[TWHEEL_LEVELS]; /**< bit i set: slots[level][i] is not empty */
	struct twheel_slot due;           /**< armed with expiry <= now: next advance */
	struct twheel_slot running;       /**< due timers being fired by twheel_advance() */
};

/** Initialise @p w with current tick @p now. */
void twheel_init(struct twheel *w, uint64_t now);

/** Initialise timer @p t with callback @p fn (not pending). A process may use at most
 *  TWHEEL_FNS distinct callbacks (asserted). */
void twheel_timer_init(struct tern_timer *t, tern_timer_fn fn);

/** True when @p t is armed. */
static inline bool
tern_timer_pending(const struct tern_timer *t)
{
	return t->pprev != 0;
}

/**
 * Arm @p t to fire at tick @p expires (absolute). Re-arming a pending timer moves it.
 * An expiry <= the wheel's current tick fires on the next twheel_advance().
 */
void twheel_arm(struct twheel *w, struct tern_timer *t, uint64_t expires);

/** Cancel @p t; no-op when not pending. */
void twheel_cancel(struct twheel *w, struct tern_timer *t);

/**
 * Advance the wheel to tick @p now, running the callbacks of every timer whose expiry
 * is <= @p now, in expiry order. @p now lower than the current tick is ignored.
 * Timers armed already due run first (see the file comment). While a callback runs,
 * w->now is the tick being processed: the timer's expiry, or the previous current tick
 * for a timer that was armed already due.
 * @return number of callbacks run.
 */
unsigned twheel_advance(struct twheel *w, uint64_t now, void *ctx);

/**
 * The earliest tick at which twheel_advance() could run a callback: a lower bound on the
 * next expiry, never later than it. Exact for a timer in the current 64-tick block; for a
 * farther one it is the tick its slot is cascaded (at most 64^L ticks early), the point
 * where the wheel next does any work. A timer armed already due gives w->now.
 * For a caller that wants to sleep until there is work (the apps' idle backoff).
 * @return true and *@p tick, or false when no timer is pending.
 */
bool twheel_next_expiry(const struct twheel *w, uint64_t *tick);

/** Number of pending timers. */
static inline uint64_t
twheel_pending(const struct twheel *w)
{
	return w->pending;
}

#endif
