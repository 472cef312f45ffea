/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN queue: half-open connections in compact entries (RFC 9293 §3.10.7.2, RFC 4987).
 *
 * Threat: a SYN flood (RFC 4987 §2) sends SYNs from spoofed addresses that never complete
 * the handshake. Each one held as a full connection block costs a block (~1 KB), a
 * retransmission timer and a share of the listener's backlog for the whole SYN-ACK
 * schedule (63 s with the defaults), so a modest rate exhausts memory and the backlog.
 *
 * Defense here (RFC 4987 §3.3, "SYN cache"): a half-open connection is a 64-byte entry
 * from a pool sized once, holding only what the SYN-ACK and the final ACK need; no timer
 * per entry; every cost is O(1) and nothing is allocated on the SYN path. Two bounds
 * apply: the listener's backlog (stats.overflows, one listener flooded) and the engine's
 * pool (stats.pool_empty, the engine flooded), counted apart in struct synq_stats (the
 * engine exports their sum, tcp_synq_overflow). When either refuses, the caller
 * (tcp_listen.c) chooses the fallback: drop, or a SYN cookie.
 *
 * Schedule: an entry retransmitted k times sits on the FIFO of stage k, due rto_ms << k
 * after it entered. Entries enter at the queue's latest time, which never goes back, so
 * each FIFO is sorted and only heads are due first. synq_expire() repeatedly takes the
 * earliest due head among the stages (retries + 1 <= 16 of them), so it costs
 * O(stages) per entry handled and nothing for entries not due.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "tcp/synq.h"

_Static_assert(sizeof(struct synq_entry) <= 64, "a half-open entry fits one cache line");
_Static_assert(offsetof(struct synq_entry, node) == 0, "the flow node comes first");

/* synq_entry.next while the entry is handed to an SYNQ_EXPIRED / SYNQ_FLUSHED callback. */
#define SYNQ_DYING (UINT32_MAX - 1)

static inline uint32_t
ent_idx(const struct synq *q, const struct synq_entry *ent)
{
	return (uint32_t)(ent - q->pool);
}

static inline uint32_t
stage_delay(const struct synq *q, unsigned k)
{
	return q->rto_ms << k;
}

/* Due time of @p ent relative to the queue's clock (negative: overdue). */
static inline int32_t
due_rel(const struct synq *q, const struct synq_entry *ent)
{
	return (int32_t)(ent->due - (uint32_t)q->now_ms);
}

static inline void
clock_update(struct synq *q, uint64_t now_ms)
{
	if (now_ms > q->now_ms)
		q->now_ms = now_ms;
}

static void
stage_append(struct synq *q, unsigned k, struct synq_entry *ent)
{
	uint32_t i = ent_idx(q, ent);
	uint32_t tail = q->stage[k].tail;

	ent->prev = tail;
	ent->next = SYNQ_NIL;
	if (tail == SYNQ_NIL)
		q->stage[k].head = i;
	else
		q->pool[tail].next = i;
	q->stage[k].tail = i;
}

static void
stage_unlink(struct synq *q, unsigned k, struct synq_entry *ent)
{
	if (ent->prev == SYNQ_NIL)
		q->stage[k].head = ent->next;
	else
		q->pool[ent->prev].next = ent->next;
	if (ent->next == SYNQ_NIL)
		q->stage[k].tail = ent->prev;
	else
		q->pool[ent->next].prev = ent->prev;
	ent->prev = ent->next = SYNQ_NIL;
}

/* Off the flow table, uncounted, back to the pool. The entry is off the schedule. */
static void
ent_release(struct synq *q, struct synq_entry *ent)
{
	if (q->flows != NULL)
		flow_remove(q->flows, &ent->node);
	ent->lst->len--;
	ent->lst = NULL;
	q->len--;
	ent->node.kind = 0;
	ent->prev = ent->next = SYNQ_NIL;
	ent->node.next = q->free == NULL ? FLOW_NIL : (uint32_t)(q->free - q->pool);
	q->free = ent;
}

int
synq_init(struct synq *q, const struct synq_conf *conf)
{
	uint32_t i;

	memset(q, 0, sizeof(*q));
	for (i = 0; i <= SYNQ_MAX_RETRIES; i++)
		q->stage[i].head = q->stage[i].tail = SYNQ_NIL;
	if (conf->retries > SYNQ_MAX_RETRIES || conf->rto_ms == 0 ||
	        ((uint64_t)conf->rto_ms << conf->retries) > SYNQ_MAX_DELAY_MS ||
	        conf->size >= SYNQ_DYING)
		return -EINVAL;
	q->retries = conf->retries;
	q->rto_ms = conf->rto_ms;
	q->flows = conf->flows;
	if (conf->size == 0)
		return 0;
	q->pool = rte_zmalloc_socket("tern_synq", sizeof(*q->pool) * (size_t)conf->size,
	        RTE_CACHE_LINE_SIZE, conf->socket);
	if (q->pool == NULL)
		return -ENOMEM;
	q->size = conf->size;
	for (i = conf->size; i-- > 0;) {
		q->pool[i].prev = q->pool[i].next = SYNQ_NIL;
		q->pool[i].node.next = i + 1 < conf->size ? i + 1 : FLOW_NIL;
		q->free = &q->pool[i];
	}
	if (q->flows != NULL)
		flow_set_pool(q->flows, FLOW_SYN, q->pool, sizeof(*q->pool));
	return 0;
}

void
synq_fini(struct synq *q)
{
	rte_free(q->pool);
	q->pool = NULL;
	q->free = NULL;
	q->size = 0;
	q->len = 0;
}

void
synq_listener_init(struct synq_listener *l, uint32_t backlog)
{
	*l = (struct synq_listener){.backlog = backlog};
}

struct synq_entry *
synq_alloc(struct synq *q, struct synq_listener *l, const struct flow_key *key, uint64_t now_ms)
{
	return synq_alloc_hashed(
	        q, l, key, q->flows != NULL ? flow_hash(q->flows, key) : 0, now_ms);
}

struct synq_entry *
synq_alloc_hashed(struct synq *q, struct synq_listener *l, const struct flow_key *key,
        uint32_t hash, uint64_t now_ms)
{
	struct synq_entry *ent;

	if (l->len >= l->backlog) {
		l->overflows++;
		q->stats.overflows++;
		rte_errno = ENOSPC;
		return NULL;
	}
	ent = q->free;
	if (ent == NULL) {
		q->stats.pool_empty++;
		rte_errno = ENOMEM;
		return NULL;
	}
	q->free = ent->node.next == FLOW_NIL ? NULL : &q->pool[ent->node.next];
	clock_update(q, now_ms);
	memset(ent, 0, sizeof(*ent));
	ent->node.key = *key;
	ent->node.kind = FLOW_SYN;
	ent->lst = l;
	ent->due = (uint32_t)(q->now_ms + stage_delay(q, 0));
	stage_append(q, 0, ent);
	if (q->flows != NULL)
		flow_insert_hashed(q->flows, &ent->node, hash);
	l->len++;
	q->len++;
	q->stats.allocs++;
	return ent;
}

int
synq_free(struct synq *q, struct synq_entry *ent)
{
	uintptr_t off = (uintptr_t)ent - (uintptr_t)q->pool;

	if (q->pool == NULL || (uintptr_t)ent < (uintptr_t)q->pool ||
	        off / sizeof(*ent) >= q->size || off % sizeof(*ent) != 0 ||
	        ent->node.kind != FLOW_SYN)
		return -EINVAL;
	if (ent->next == SYNQ_DYING)
		return -EBUSY;
	stage_unlink(q, ent->nrtx, ent);
	q->stats.freed++;
	ent_release(q, ent);
	return 0;
}

/* Stage whose head is due earliest, or -1 when no stage is. Ties: the lower stage. */
static int
earliest_stage(const struct synq *q, int32_t *rel)
{
	int best = -1;
	int32_t best_rel = 0;
	unsigned k;

	for (k = 0; k <= q->retries; k++) {
		uint32_t h = q->stage[k].head;
		int32_t r;

		if (h == SYNQ_NIL)
			continue;
		r = due_rel(q, &q->pool[h]);
		if (best < 0 || r < best_rel) {
			best = (int)k;
			best_rel = r;
		}
	}
	*rel = best_rel;
	return best;
}

uint64_t
synq_next_due(const struct synq *q)
{
	int32_t rel;

	if (earliest_stage(q, &rel) < 0)
		return SYNQ_NEVER;
	return q->now_ms + (uint64_t)(int64_t)rel;
}

unsigned
synq_expire(struct synq *q, uint64_t now_ms, synq_cb cb, void *arg)
{
	unsigned n = 0;
	int32_t rel;
	int k;

	clock_update(q, now_ms);
	while ((k = earliest_stage(q, &rel)) >= 0 && rel <= 0) {
		struct synq_entry *ent = &q->pool[q->stage[k].head];

		stage_unlink(q, (unsigned)k, ent);
		n++;
		if (k < q->retries) {
			ent->nrtx++;
			ent->due = (uint32_t)(q->now_ms + stage_delay(q, ent->nrtx));
			stage_append(q, ent->nrtx, ent);
			q->stats.retransmits++;
			if (cb != NULL)
				cb(arg, ent, SYNQ_RESEND);
			continue;
		}
		ent->next = SYNQ_DYING;
		q->stats.expired++;
		if (cb != NULL)
			cb(arg, ent, SYNQ_EXPIRED);
		ent_release(q, ent);
	}
	return n;
}

unsigned
synq_flush(struct synq *q, const struct synq_listener *l, synq_cb cb, void *arg)
{
	unsigned n = 0;
	unsigned k;

	for (k = 0; k <= q->retries; k++) {
		uint32_t i = q->stage[k].head;

		while (i != SYNQ_NIL) {
			struct synq_entry *ent = &q->pool[i];

			i = ent->next;
			if (l != NULL && ent->lst != l)
				continue;
			stage_unlink(q, k, ent);
			ent->next = SYNQ_DYING;
			q->stats.flushed++;
			if (cb != NULL)
				cb(arg, ent, SYNQ_FLUSHED);
			ent_release(q, ent);
			n++;
		}
	}
	return n;
}

uint64_t
synq_sent_ms(const struct synq *q, const struct synq_entry *ent)
{
	return q->now_ms + (uint64_t)(int64_t)due_rel(q, ent) - stage_delay(q, ent->nrtx);
}
