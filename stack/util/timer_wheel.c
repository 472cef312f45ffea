/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical timer wheel.
 *
 * Placement. A pending timer with expiry E > now sits at level L, the highest 6-bit
 * group in which E and now differ (L = msb(E ^ now) / 6), in slot (E >> 6L) & 63. So
 * level 0 holds the timers of the current 64-tick block, level 1 those of the current
 * 4096-tick block outside it, and so on. When E and now differ above bit 29 the timer is
 * "parked" at level 4 in its natural slot (E >> 24) & 63.
 *
 * Cascade. When now enters the block of an occupied slot at level L >= 1 (now's groups
 * below L are zero and group L equals the slot index), that slot is emptied and each
 * timer re-filed with the rule above; parked timers whose expiry is still out of range
 * land back in the same slot and wait for the next revolution. Level 0 slot now & 63
 * then holds exactly the timers with expiry == now.
 *
 * Ordering. Placement depends only on (E, now) and every change of placement goes
 * through a cascade that walks the slot head to tail and appends, so all timers with the
 * same expiry always share one list in arm order: ties fire FIFO.
 *
 * Skipping. Non-parked timers at level L always have a slot index above now's group L,
 * so the next event is the lowest set bit above now's index in the lowest non-empty
 * level (for level 4, wrapping to the next revolution for parked timers). Between two
 * events no placement changes, so twheel_advance() jumps from event to event.
 *
 * Cancel. Lists are singly linked with back-links, so unlinking a timer that is not the
 * tail needs no list head. For the tail, the owning list is found by its tail pointer
 * (due or running list) or recomputed from (expires, now): the placement invariant
 * holds whenever a callback can run.
 */
#include <assert.h>
#include <stddef.h>

#include "util/timer_wheel.h"

#define TWHEEL_MASK       (TWHEEL_SLOTS - 1)
#define TWHEEL_RANGE_BITS (TWHEEL_BITS * TWHEEL_LEVELS)

static void
slot_reset(struct twheel_slot *s)
{
	s->head = NULL;
	s->tail = &s->head;
}

static void
slot_append(struct twheel_slot *s, struct tern_timer *t)
{
	t->next = NULL;
	t->pprev = s->tail;
	*s->tail = t;
	s->tail = &t->next;
}

/* Remove and return the head of a non-empty list. */
static struct tern_timer *
slot_pop(struct twheel_slot *s)
{
	struct tern_timer *t = s->head;

	s->head = t->next;
	if (s->head != NULL)
		s->head->pprev = &s->head;
	else
		s->tail = &s->head;
	t->next = NULL;
	t->pprev = NULL;
	return t;
}

/* Level and slot index of expiry @p e relative to @p now (e >= now). */
static unsigned
place(uint64_t now, uint64_t e, unsigned *idx)
{
	uint64_t diff = e ^ now;
	unsigned level;

	if (diff == 0) {
		*idx = e & TWHEEL_MASK;
		return 0;
	}
	level = (unsigned)(63 - __builtin_clzll(diff)) / TWHEEL_BITS;
	if (level >= TWHEEL_LEVELS)
		level = TWHEEL_LEVELS - 1; /* parked */
	*idx = (e >> (level * TWHEEL_BITS)) & TWHEEL_MASK;
	return level;
}

/* File @p t (expires > w->now, or == w->now only while cascading) in its wheel slot. */
static void
wheel_insert(struct twheel *w, struct tern_timer *t)
{
	unsigned idx;
	unsigned level = place(w->now, t->expires, &idx);

	slot_append(&w->slots[level][idx], t);
	w->occupied[level] |= UINT64_C(1) << idx;
}

void
twheel_init(struct twheel *w, uint64_t now)
{
	w->now = now;
	w->pending = 0;
	for (unsigned l = 0; l < TWHEEL_LEVELS; l++) {
		for (unsigned i = 0; i < TWHEEL_SLOTS; i++)
			slot_reset(&w->slots[l][i]);
		w->occupied[l] = 0;
	}
	slot_reset(&w->due);
	slot_reset(&w->running);
}

/* The callbacks of every timer, by tern_timer.fn_id. Entries are only ever added (with a
 * compare-and-swap: timers may be initialised on several threads). */
static tern_timer_fn twheel_fns[TWHEEL_FNS];

static uint8_t
fn_id(tern_timer_fn fn)
{
	unsigned i;

	for (i = 0; i < TWHEEL_FNS; i++) {
		tern_timer_fn cur = __atomic_load_n(&twheel_fns[i], __ATOMIC_ACQUIRE);

		if (cur == NULL) {
			if (__atomic_compare_exchange_n(&twheel_fns[i], &cur, fn, false,
			            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return (uint8_t)i;
			/* another thread took the entry: cur is its callback */
		}
		if (cur == fn)
			return (uint8_t)i;
	}
	assert(!"more than TWHEEL_FNS distinct timer callbacks");
	return 0;
}

void
twheel_timer_init(struct tern_timer *t, tern_timer_fn fn)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expires = 0;
	t->fn_id = fn_id(fn);
}

void
twheel_cancel(struct twheel *w, struct tern_timer *t)
{
	if (t->pprev == NULL)
		return;
	*t->pprev = t->next;
	if (t->next != NULL) {
		t->next->pprev = t->pprev;
	} else if (w->due.tail == &t->next) {
		w->due.tail = t->pprev;
	} else if (w->running.tail == &t->next) {
		w->running.tail = t->pprev;
	} else {
		unsigned idx;
		unsigned level = place(w->now, t->expires, &idx);
		struct twheel_slot *s = &w->slots[level][idx];

		assert(s->tail == &t->next);
		s->tail = t->pprev;
		if (s->head == NULL)
			w->occupied[level] &= ~(UINT64_C(1) << idx);
	}
	t->next = NULL;
	t->pprev = NULL;
	w->pending--;
}

void
twheel_arm(struct twheel *w, struct tern_timer *t, uint64_t expires)
{
	twheel_cancel(w, t);
	if (expires > TWHEEL_TICK_MAX)
		expires = TWHEEL_TICK_MAX;
	t->expires = expires;
	if (expires <= w->now)
		slot_append(&w->due, t);
	else
		wheel_insert(w, t);
	w->pending++;
}

/*
 * Next tick > w->now at which a cascade or a level-0 slot is due. Returns false when the
 * wheel is empty.
 */
static bool
next_event(const struct twheel *w, uint64_t *tick)
{
	uint64_t now = w->now;

	for (unsigned l = 0; l < TWHEEL_LEVELS; l++) {
		unsigned shift = l * TWHEEL_BITS;
		unsigned cur = (now >> shift) & TWHEEL_MASK;
		uint64_t occ = w->occupied[l];
		uint64_t above = cur == TWHEEL_MASK ? 0 : occ & (~UINT64_C(0) << (cur + 1));
		uint64_t base = now & ~((UINT64_C(1) << (shift + TWHEEL_BITS)) - 1);

		if (above != 0) {
			*tick = base | ((uint64_t)__builtin_ctzll(above) << shift);
			return true;
		}
		if (occ != 0 && l == TWHEEL_LEVELS - 1) {
			/* Only parked timers left: their slot comes round next revolution. */
			uint64_t t = base + (UINT64_C(1) << TWHEEL_RANGE_BITS) +
			             ((uint64_t)__builtin_ctzll(occ) << shift);

			if (t <= now)
				return false; /* tick space exhausted */
			*tick = t;
			return true;
		}
	}
	return false;
}

bool
twheel_next_expiry(const struct twheel *w, uint64_t *tick)
{
	if (w->due.head != NULL) {
		*tick = w->now;
		return true;
	}
	return next_event(w, tick);
}

/* Empty slot (level, idx) and re-file its timers relative to w->now, in list order. */
static void
cascade(struct twheel *w, unsigned level, unsigned idx)
{
	struct twheel_slot *s = &w->slots[level][idx];
	struct tern_timer *t = s->head;

	slot_reset(s);
	w->occupied[level] &= ~(UINT64_C(1) << idx);
	while (t != NULL) {
		struct tern_timer *next = t->next;

		wheel_insert(w, t);
		t = next;
	}
}

/* Fire every timer of @p s, head first; callbacks may change the list meanwhile. */
static unsigned
run_list(struct twheel *w, struct twheel_slot *s, void *ctx)
{
	unsigned n = 0;

	while (s->head != NULL) {
		struct tern_timer *t = slot_pop(s);

		w->pending--;
		n++;
		__atomic_load_n(&twheel_fns[t->fn_id], __ATOMIC_ACQUIRE)(t, ctx);
	}
	return n;
}

unsigned
twheel_advance(struct twheel *w, uint64_t now, void *ctx)
{
	unsigned n = 0;
	uint64_t tick;

	if (now < w->now)
		return 0;
	/* The same tick again (an engine polls many times a millisecond): only the due list
	 * can hold work, a wheel slot's timers all expire after w->now. */
	if (now == w->now && w->due.head == NULL)
		return 0;

	/* Timers armed already due; those they arm due wait for the next call. */
	if (w->due.head != NULL) {
		w->running = w->due;
		w->running.head->pprev = &w->running.head;
		slot_reset(&w->due);
		n += run_list(w, &w->running, ctx);
	}

	while (next_event(w, &tick) && tick <= now) {
		unsigned idx0 = tick & TWHEEL_MASK;

		w->now = tick;
		for (unsigned l = TWHEEL_LEVELS - 1; l > 0; l--) {
			unsigned shift = l * TWHEEL_BITS;
			unsigned idx = (tick >> shift) & TWHEEL_MASK;

			if ((tick & ((UINT64_C(1) << shift) - 1)) == 0 &&
			        (w->occupied[l] & (UINT64_C(1) << idx)) != 0)
				cascade(w, l, idx);
		}
		/* Callbacks cannot refill this slot: expiry == w->now goes to the due list. */
		n += run_list(w, &w->slots[0][idx0], ctx);
		w->occupied[0] &= ~(UINT64_C(1) << idx0);
	}
	w->now = now;
	return n;
}
