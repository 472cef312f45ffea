/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN queue: the SYN-ACK schedule to the millisecond (default, configured, across the 2^32
 * ms wrap), late and backwards polling, due order across stages (worked by hand, and
 * against a brute-force model), listener backlog vs pool exhaustion, freeing in the middle
 * of a FIFO, synq_next_due(), callback rules, flushing a listener, the flow table, and a
 * churn of 100k entries with every invariant checked. Time is a plain argument (fake ms).
 * The pool and the flow table come from rte_malloc, so a private EAL is started once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_errno.h>

#include "tcp/synq.h"
#include "test_helpers.h"

#define LOG_MAX 4096
#define RADDR0  IP4(10, 1, 0, 0)

struct ev {
	uint32_t id;
	uint8_t ev;
	uint8_t nrtx;
	uint64_t now; /* the time passed to synq_expire() */
	uint64_t sent;
};

struct fx {
	struct synq q;
	struct flow_table ft;
	bool has_ft;
	struct synq_listener l[4];
	uint64_t now; /* time of the synq_expire() call running */
	struct ev log[LOG_MAX];
	size_t nlog;
	/* Optional extra action in the callback. */
	void (*hook)(struct fx *f, struct synq_entry *ent, enum synq_event ev);
	int hook_rc;
	struct synq_entry *hook_new;
};

static struct flow_key
key_of(uint32_t id)
{
	return (struct flow_key){.laddr = IP4(10, 0, 0, 1),
	        .raddr = RADDR0 + (id >> 16),
	        .lport = 80,
	        .rport = (uint16_t)id};
}

static uint32_t
id_of(const struct synq_entry *ent)
{
	return (ent->node.key.raddr - RADDR0) << 16 | ent->node.key.rport;
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
record(void *arg, struct synq_entry *ent, enum synq_event ev)
{
	struct fx *f = arg;

	assert_true(f->nlog < LOG_MAX);
	assert_int_equal(ent->node.kind, FLOW_SYN);
	f->log[f->nlog++] = (struct ev){.id = id_of(ent),
	        .ev = (uint8_t)ev,
	        .nrtx = ent->nrtx,
	        .now = f->now,
	        .sent = synq_sent_ms(&f->q, ent)};
	if (f->hook != NULL)
		f->hook(f, ent, ev);
}

static int
group_setup(void **state)
{
	(void)state;
	test_eal_pool();
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	synq_fini(&f->q);
	if (f->has_ft)
		flow_fini(&f->ft);
	free(f);
	return 0;
}

/* Queue of @p size entries, with a flow table when @p ft; listeners of backlog 1M. */
static void
fx_init(struct fx *f, uint32_t size, uint8_t retries, uint32_t rto_ms, bool ft)
{
	struct siphash_key k = {.k0 = 1, .k1 = 2};
	struct synq_conf c = {.size = size, .retries = retries, .rto_ms = rto_ms, .socket = -1};

	if (ft) {
		assert_int_equal(flow_init(&f->ft, size, 0, &k), 0);
		f->has_ft = true;
		c.flows = &f->ft;
	}
	assert_int_equal(synq_init(&f->q, &c), 0);
	for (unsigned i = 0; i < 4; i++)
		synq_listener_init(&f->l[i], 1000000);
	f->nlog = 0;
}

static struct synq_entry *
add(struct fx *f, unsigned li, uint32_t id, uint64_t now)
{
	struct flow_key k = key_of(id);
	struct synq_entry *ent = synq_alloc(&f->q, &f->l[li], &k, now);

	assert_non_null(ent);
	assert_int_equal(id_of(ent), id);
	return ent;
}

static unsigned
expire(struct fx *f, uint64_t now)
{
	f->now = now;
	return synq_expire(&f->q, now, record, f);
}

static void
check_ev(const struct ev *e, uint32_t id, enum synq_event ev, uint8_t nrtx, uint64_t now)
{
	assert_int_equal(e->id, id);
	assert_int_equal(e->ev, ev);
	assert_int_equal(e->nrtx, nrtx);
	assert_int_equal(e->now, now);
}

static void
test_layout(void **state)
{
	struct fx *f = *state;
	struct synq_entry *ent;

	assert_int_equal(sizeof(struct synq_entry), 64);
	assert_int_equal(offsetof(struct synq_entry, node), 0);
	fx_init(f, 4, SYNQ_DEFAULT_RETRIES, SYNQ_DEFAULT_RTO_MS, true);
	assert_int_equal((uintptr_t)f->q.pool % 64, 0);
	ent = add(f, 0, 7, 5000);
	assert_int_equal(ent->node.kind, FLOW_SYN);
	assert_int_equal(ent->node.aux, 0);
	assert_int_equal(ent->nrtx, 0);
	assert_int_equal(
	        ent->irs | ent->iss | ent->ts_recent | ent->mss | ent->wnd | ent->wscale, 0);
	assert_ptr_equal(ent->lst, &f->l[0]);
	assert_int_equal(synq_sent_ms(&f->q, ent), 5000);
	assert_int_equal(synq_next_due(&f->q), 6000);
}

/*
 * Entries created at base + create[i]; the queue is polled every ms. Each entry must see
 * SYNQ_RESEND at exactly base + create[i] + want[j] for j < nwant - 1 (nrtx j + 1) and
 * SYNQ_EXPIRED at base + create[i] + want[nwant - 1], nothing else; synq_next_due() must
 * be the earliest pending event at every ms.
 */
static void
run_schedule(struct fx *f, uint64_t base, uint8_t retries, uint32_t rto, const uint64_t *create,
        unsigned n, const uint64_t *want, unsigned nwant)
{
	unsigned next_ev[16] = {0};
	unsigned created = 0;
	uint64_t end = base + create[n - 1] + want[nwant - 1] + 5;

	assert_true(n <= 16);
	memset(&f->q, 0, sizeof(f->q));
	fx_init(f, 16, retries, rto, true);
	for (uint64_t t = base; t <= end; t++) {
		uint64_t nd = SYNQ_NEVER;

		expire(f, t);
		while (created < n && base + create[created] == t) {
			add(f, 0, created, t);
			created++;
		}
		for (size_t j = 0; j < f->nlog; j++) {
			const struct ev *e = &f->log[j];
			unsigned k = next_ev[e->id];

			assert_true(k < nwant);
			assert_int_equal(t, base + create[e->id] + want[k]);
			check_ev(e, e->id, k + 1 < nwant ? SYNQ_RESEND : SYNQ_EXPIRED,
			        (uint8_t)(k + 1 < nwant ? k + 1 : k), t);
			/* The last SYN-ACK went out at the previous event (or at creation). */
			assert_int_equal(e->sent,
			        k + 1 < nwant ? t
			                      : base + create[e->id] + (k > 0 ? want[k - 1] : 0));
			next_ev[e->id]++;
		}
		f->nlog = 0;
		for (unsigned i = 0; i < created; i++)
			if (next_ev[i] < nwant && base + create[i] + want[next_ev[i]] < nd)
				nd = base + create[i] + want[next_ev[i]];
		assert_int_equal(synq_next_due(&f->q), nd);
		assert_int_equal(synq_due(&f->q, t), false);
	}
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(next_ev[i], nwant);
	assert_int_equal(synq_len(&f->q), 0);
	assert_int_equal(f->l[0].len, 0);
	assert_int_equal(f->ft.count, 0);
	assert_int_equal(f->q.stats.allocs, n);
	assert_int_equal(f->q.stats.retransmits, (uint64_t)n * (nwant - 1));
	assert_int_equal(f->q.stats.expired, n);
	synq_fini(&f->q);
	flow_fini(&f->ft);
	f->has_ft = false;
}

static void
test_schedule_default(void **state)
{
	static const uint64_t create[] = {0, 250, 999, 1000, 1001, 4321, 31000};
	static const uint64_t want[] = {1000, 3000, 7000, 15000, 31000, 63000};
	static const uint64_t bases[] = {
	        1000, (UINT64_C(1) << 32) - 2500, (UINT64_C(1) << 40) + 17};
	struct fx *f = *state;

	for (unsigned b = 0; b < 3; b++)
		run_schedule(
		        f, bases[b], SYNQ_DEFAULT_RETRIES, SYNQ_DEFAULT_RTO_MS, create, 7, want, 6);
}

static void
test_schedule_configured(void **state)
{
	static const uint64_t create[] = {0, 3, 500};
	static const uint64_t w0[] = {1000};
	static const uint64_t w2[] = {1000, 3000, 7000};
	static const uint64_t w3[] = {200, 600, 1400, 3000};
	uint64_t w15[16];
	struct fx *f = *state;

	run_schedule(f, 77, 0, 1000, create, 3, w0, 1);
	run_schedule(f, 77, 2, 1000, create, 3, w2, 3);
	run_schedule(f, (UINT64_C(1) << 32) - 1000, 3, 200, create, 3, w3, 4);
	/* 15 retries of 1 ms: sends at 2^k - 1, expiry at 2^16 - 1. */
	for (unsigned k = 0; k < 16; k++)
		w15[k] = (UINT64_C(2) << k) - 1;
	assert_int_equal(w15[15], 65535);
	run_schedule(f, 0, 15, 1, create, 3, w15, 16);
}

static void
test_init_limits(void **state)
{
	struct fx *f = *state;
	struct synq_conf c = {.size = 8, .retries = 16, .rto_ms = 1000, .socket = -1};
	struct flow_key k = key_of(1);

	assert_int_equal(synq_init(&f->q, &c), -EINVAL);
	c.retries = 5;
	c.rto_ms = 0;
	assert_int_equal(synq_init(&f->q, &c), -EINVAL);
	c.retries = 1;
	c.rto_ms = UINT32_C(1) << 30;
	assert_int_equal(synq_init(&f->q, &c), -EINVAL);
	c.retries = 15;
	c.rto_ms = UINT32_C(1) << 15; /* 2^30 ms at stage 15: the limit */
	assert_int_equal(synq_init(&f->q, &c), 0);
	synq_fini(&f->q);
	c.rto_ms++;
	assert_int_equal(synq_init(&f->q, &c), -EINVAL);
	c.rto_ms = 1000;
	c.retries = 5;
	c.size = UINT32_MAX - 1;
	assert_int_equal(synq_init(&f->q, &c), -EINVAL);
	/* An empty pool refuses every SYN. */
	c.size = 0;
	assert_int_equal(synq_init(&f->q, &c), 0);
	synq_listener_init(&f->l[0], 10);
	rte_errno = 0;
	assert_null(synq_alloc(&f->q, &f->l[0], &k, 0));
	assert_int_equal(rte_errno, ENOMEM);
	assert_int_equal(f->q.stats.pool_empty, 1);
	assert_int_equal(synq_next_due(&f->q), SYNQ_NEVER);
	assert_int_equal(synq_expire(&f->q, 1000000, record, f), 0);
}

/* Polled late, backwards, and after a long gap: sends are timed from the real send. */
static void
test_late_poll(void **state)
{
	struct fx *f = *state;
	struct synq_entry *ent;

	fx_init(f, 4, 5, 1000, false);
	ent = add(f, 0, 1, 0);
	assert_int_equal(expire(f, 999), 0);
	assert_int_equal(expire(f, 1500), 1);
	check_ev(&f->log[0], 1, SYNQ_RESEND, 1, 1500);
	assert_int_equal(f->log[0].sent, 1500);
	assert_int_equal(synq_next_due(&f->q), 3500);
	/* Backwards: taken as 1500. */
	assert_int_equal(expire(f, 50), 0);
	assert_int_equal(synq_next_due(&f->q), 3500);
	assert_int_equal(expire(f, 3499), 0);
	assert_int_equal(expire(f, 3500), 1);
	check_ev(&f->log[1], 1, SYNQ_RESEND, 2, 3500);
	assert_int_equal(synq_next_due(&f->q), 7500);
	/* Far too late: one stage per call, never two. */
	assert_int_equal(expire(f, 100000), 1);
	check_ev(&f->log[2], 1, SYNQ_RESEND, 3, 100000);
	assert_int_equal(synq_next_due(&f->q), 108000);
	assert_int_equal(synq_sent_ms(&f->q, ent), 100000);
	/* An entry made with a time that went back is timed from the latest time. */
	add(f, 0, 2, 99000);
	assert_int_equal(synq_next_due(&f->q), 101000);
	assert_int_equal(expire(f, 108000), 2);
	check_ev(&f->log[3], 2, SYNQ_RESEND, 1, 108000);
	check_ev(&f->log[4], 1, SYNQ_RESEND, 4, 108000);
	assert_int_equal(synq_next_due(&f->q), 110000);
}

/* Due order across stages in one call, worked by hand (rto 1000, 2 retries). */
static void
test_order_by_hand(void **state)
{
	struct fx *f = *state;

	fx_init(f, 8, 2, 1000, false);
	add(f, 0, 0, 0);   /* a: s0 due 1000 */
	add(f, 0, 1, 100); /* b: s0 due 1100 */
	assert_int_equal(expire(f, 1100), 2);
	check_ev(&f->log[0], 0, SYNQ_RESEND, 1, 1100); /* s1 due 3100 */
	check_ev(&f->log[1], 1, SYNQ_RESEND, 1, 1100); /* s1 due 3100 */
	add(f, 0, 2, 1200);                            /* c: s0 due 2200 */
	add(f, 0, 3, 2150);                            /* d: s0 due 3150 */
	assert_int_equal(synq_next_due(&f->q), 2200);
	f->nlog = 0;
	assert_int_equal(expire(f, 3150), 4);
	check_ev(&f->log[0], 2, SYNQ_RESEND, 1, 3150); /* 2200 -> s1 due 5150 */
	check_ev(&f->log[1], 0, SYNQ_RESEND, 2, 3150); /* 3100 -> s2 due 7150 */
	check_ev(&f->log[2], 1, SYNQ_RESEND, 2, 3150); /* 3100 -> s2 due 7150 */
	check_ev(&f->log[3], 3, SYNQ_RESEND, 1, 3150); /* 3150 -> s1 due 5150 */
	assert_int_equal(synq_next_due(&f->q), 5150);
	/* Equal due in s0 and s1: the lower stage goes first. */
	add(f, 0, 4, 4150); /* e: s0 due 5150 */
	f->nlog = 0;
	assert_int_equal(expire(f, 7150), 5);
	check_ev(&f->log[0], 4, SYNQ_RESEND, 1, 7150);
	check_ev(&f->log[1], 2, SYNQ_RESEND, 2, 7150);
	check_ev(&f->log[2], 3, SYNQ_RESEND, 2, 7150);
	check_ev(&f->log[3], 0, SYNQ_EXPIRED, 2, 7150);
	check_ev(&f->log[4], 1, SYNQ_EXPIRED, 2, 7150);
	assert_int_equal(synq_len(&f->q), 3);
	assert_int_equal(synq_next_due(&f->q), 9150);
}

/* Brute-force model: every live entry with its due, stage and FIFO sequence number. */
struct model {
	bool live;
	uint64_t due;
	unsigned stage;
	uint64_t seq;
	struct synq_entry *ent;
};

static int
cmp_due(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	const struct model *x = &m[*(const uint32_t *)a];
	const struct model *y = &m[*(const uint32_t *)b];

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Many entries, small delays (many ties), random polls and frees, against the model. */
static void
test_order_model(void **state)
{
	enum { N = 2000, RETRIES = 3, RTO = 7 };
	struct fx *f = *state;
	struct model *m = calloc(N, sizeof(*m));
	uint32_t *want = calloc(N, sizeof(*want));
	uint64_t s = 42, seq = 0, now = UINT32_MAX - 3000; /* crosses the wrap */
	uint32_t next_id = 0;
	uint64_t events = 0, frees = 0;

	assert_non_null(m);
	assert_non_null(want);
	fx_init(f, 256, RETRIES, RTO, true);
	while (next_id < N || synq_len(&f->q) > 0) {
		unsigned nwant = 0;
		unsigned adds = (unsigned)(rnd(&s) % 4);

		for (unsigned a = 0; a < adds && next_id < N && f->q.free != NULL; a++) {
			m[next_id] = (struct model){.live = true, .due = now + RTO, .seq = seq++};
			m[next_id].ent = add(f, (unsigned)(rnd(&s) % 4), next_id, now);
			next_id++;
		}
		if (next_id > 0 && rnd(&s) % 2 == 0) {
			/* Among the newest entries, most of them still live. */
			uint32_t id =
			        next_id - 1 - (uint32_t)(rnd(&s) % (next_id < 64 ? next_id : 64));
			if (m[id].live) {
				assert_int_equal(synq_free(&f->q, m[id].ent), 0);
				m[id].live = false;
				frees++;
			}
		}
		now += 1 + rnd(&s) % 30;
		for (uint32_t id = 0; id < next_id; id++)
			if (m[id].live && m[id].due <= now)
				want[nwant++] = id;
		qsort_r(want, nwant, sizeof(*want), cmp_due, m);
		f->nlog = 0;
		assert_int_equal(expire(f, now), nwant);
		for (unsigned j = 0; j < nwant; j++) {
			struct model *x = &m[want[j]];
			assert_int_equal(f->log[j].id, want[j]);
			if (x->stage < RETRIES) {
				x->stage++;
				x->due = now + ((uint64_t)RTO << x->stage);
				x->seq = seq++;
				check_ev(&f->log[j], want[j], SYNQ_RESEND, (uint8_t)x->stage, now);
			} else {
				x->live = false;
				check_ev(&f->log[j], want[j], SYNQ_EXPIRED, RETRIES, now);
			}
			events++;
		}
		uint64_t nd = SYNQ_NEVER;
		for (uint32_t id = 0; id < next_id; id++)
			if (m[id].live && m[id].due < nd)
				nd = m[id].due;
		assert_int_equal(synq_next_due(&f->q), nd);
	}
	assert_int_equal(f->q.stats.allocs, N);
	assert_int_equal(f->q.stats.freed, frees);
	assert_int_equal(f->q.stats.expired + frees, N);
	assert_int_equal(f->q.stats.retransmits + f->q.stats.expired, events);
	print_message(
	        "order model: %" PRIu64 " frees, %" PRIu64 " expired\n", frees, f->q.stats.expired);
	assert_true(frees > 100 && f->q.stats.expired > 100);
	assert_int_equal(f->ft.count, 0);
	free(m);
	free(want);
}

static void
test_backlog_and_pool(void **state)
{
	struct fx *f = *state;
	struct synq_entry *a[3];
	struct flow_key k;
	uint32_t id = 100;

	fx_init(f, 8, 5, 1000, true);
	synq_listener_init(&f->l[0], 3);
	synq_listener_init(&f->l[1], 10);
	synq_listener_init(&f->l[2], 0);
	for (int i = 0; i < 3; i++)
		a[i] = add(f, 0, id++, 10);
	k = key_of(id);
	rte_errno = 0;
	assert_null(synq_alloc(&f->q, &f->l[0], &k, 10));
	assert_int_equal(rte_errno, ENOSPC);
	assert_int_equal(f->l[0].overflows, 1);
	assert_int_equal(f->q.stats.overflows, 1);
	assert_int_equal(f->q.stats.pool_empty, 0);
	assert_null(flow_lookup(&f->ft, &k)); /* nothing half-inserted */
	/* Backlog 0 refuses at once. */
	rte_errno = 0;
	assert_null(synq_alloc(&f->q, &f->l[2], &k, 10));
	assert_int_equal(rte_errno, ENOSPC);
	assert_int_equal(f->l[2].overflows, 1);
	/* Fill the pool from listener 1. */
	for (int i = 0; i < 5; i++)
		add(f, 1, id++, 10);
	assert_int_equal(synq_len(&f->q), 8);
	k = key_of(id);
	rte_errno = 0;
	assert_null(synq_alloc(&f->q, &f->l[1], &k, 10));
	assert_int_equal(rte_errno, ENOMEM);
	assert_int_equal(f->q.stats.pool_empty, 1);
	assert_int_equal(f->l[1].overflows, 0);
	/* Listener 0 at its backlog with the pool empty: the backlog is reported. */
	rte_errno = 0;
	assert_null(synq_alloc(&f->q, &f->l[0], &k, 10));
	assert_int_equal(rte_errno, ENOSPC);
	assert_int_equal(f->q.stats.overflows, 3);
	assert_int_equal(f->q.stats.pool_empty, 1);
	assert_int_equal(f->l[0].len, 3);
	assert_int_equal(f->l[1].len, 5);
	/* One freed: listener 0 takes it, then both refusals again. */
	assert_int_equal(synq_free(&f->q, a[1]), 0);
	assert_int_equal(f->l[0].len, 2);
	add(f, 0, id++, 20);
	k = key_of(id);
	assert_null(synq_alloc(&f->q, &f->l[0], &k, 20));
	assert_int_equal(rte_errno, ENOSPC);
	assert_null(synq_alloc(&f->q, &f->l[1], &k, 20));
	assert_int_equal(rte_errno, ENOMEM);
	assert_int_equal(f->q.stats.overflows, 4);
	assert_int_equal(f->q.stats.pool_empty, 2);
	assert_int_equal(f->q.stats.allocs, 9);
	assert_int_equal(f->ft.count, 8);
	/* A raised backlog takes effect at once. */
	f->l[0].backlog = 4;
	assert_null(synq_alloc(&f->q, &f->l[0], &k, 20));
	assert_int_equal(rte_errno, ENOMEM);
}

/* Free at the head, in the middle and at the tail of a FIFO; bad frees are refused. */
static void
test_free_middle(void **state)
{
	struct fx *f = *state;
	struct synq_entry *e[5];
	struct synq_entry other = {.node.kind = FLOW_SYN};
	struct flow_key k;

	fx_init(f, 8, 5, 1000, true);
	for (uint32_t i = 0; i < 5; i++)
		e[i] = add(f, 0, i, i * 10);
	assert_int_equal(synq_free(&f->q, e[2]), 0);
	k = key_of(2);
	assert_null(flow_lookup(&f->ft, &k));
	k = key_of(3);
	assert_ptr_equal(flow_lookup(&f->ft, &k), &e[3]->node);
	assert_ptr_equal(synq_entry_of(flow_lookup(&f->ft, &k)), e[3]);
	assert_int_equal(synq_free(&f->q, e[2]), -EINVAL); /* double free */
	assert_int_equal(synq_free(&f->q, (struct synq_entry *)((char *)e[3] + 8)), -EINVAL);
	assert_int_equal(synq_free(&f->q, &other), -EINVAL); /* not from the pool */
	assert_int_equal(synq_free(&f->q, f->q.pool + f->q.size), -EINVAL);
	assert_int_equal(synq_len(&f->q), 4);
	assert_int_equal(f->q.stats.freed, 1);
	for (uint64_t t = 0; t <= 1040; t++)
		expire(f, t);
	assert_int_equal(f->nlog, 4);
	check_ev(&f->log[0], 0, SYNQ_RESEND, 1, 1000);
	check_ev(&f->log[1], 1, SYNQ_RESEND, 1, 1010);
	check_ev(&f->log[2], 3, SYNQ_RESEND, 1, 1030);
	check_ev(&f->log[3], 4, SYNQ_RESEND, 1, 1040);
	/* Stage 1: head, then tail, then the middle of what is left. */
	assert_int_equal(synq_next_due(&f->q), 3000);
	assert_int_equal(synq_free(&f->q, e[0]), 0);
	assert_int_equal(synq_next_due(&f->q), 3010);
	assert_int_equal(synq_free(&f->q, e[4]), 0);
	assert_int_equal(synq_next_due(&f->q), 3010);
	e[2] = add(f, 0, 2, 2000); /* the same key again, back in stage 0 */
	assert_int_equal(synq_next_due(&f->q), 3000);
	assert_int_equal(synq_free(&f->q, e[1]), 0);
	f->nlog = 0;
	for (uint64_t t = 1041; t <= 3100; t++)
		expire(f, t);
	assert_int_equal(f->nlog, 2);
	check_ev(&f->log[0], 2, SYNQ_RESEND, 1, 3000);
	check_ev(&f->log[1], 3, SYNQ_RESEND, 2, 3030);
	assert_int_equal(synq_len(&f->q), 2);
	assert_int_equal(f->l[0].len, 2);
	assert_int_equal(f->ft.count, 2);
	assert_int_equal(synq_free(&f->q, e[3]), 0);
	assert_int_equal(synq_free(&f->q, e[2]), 0);
	assert_int_equal(synq_next_due(&f->q), SYNQ_NEVER);
	assert_int_equal(f->ft.count, 0);
	assert_int_equal(f->q.stats.freed, 6);
	assert_int_equal(f->q.stats.allocs, 6);
}

static void
test_next_due(void **state)
{
	struct fx *f = *state;
	struct synq_entry *a, *b;

	fx_init(f, 8, 5, 1000, false);
	assert_int_equal(synq_next_due(&f->q), SYNQ_NEVER);
	assert_false(synq_due(&f->q, UINT64_MAX - 1));
	a = add(f, 0, 1, 0);
	assert_int_equal(synq_next_due(&f->q), 1000);
	assert_false(synq_due(&f->q, 999));
	assert_true(synq_due(&f->q, 1000));
	expire(f, 1000); /* a: s1 due 3000 */
	b = add(f, 0, 2, 2500);
	assert_int_equal(synq_next_due(&f->q), 3000); /* s1's head is earlier than s0's */
	assert_int_equal(synq_free(&f->q, a), 0);
	assert_int_equal(synq_next_due(&f->q), 3500);
	add(f, 0, 3, 2600);
	assert_int_equal(synq_next_due(&f->q), 3500);
	assert_int_equal(synq_free(&f->q, b), 0);
	assert_int_equal(synq_next_due(&f->q), 3600);
	/* Overdue (not yet polled): next_due is in the past. */
	add(f, 0, 4, 10000);
	assert_int_equal(synq_next_due(&f->q), 3600);
	assert_true(synq_due(&f->q, 10000));
}

/* What callbacks may do: free or allocate during SYNQ_RESEND, not free during EXPIRED. */
static void
hook_free(struct fx *f, struct synq_entry *ent, enum synq_event ev)
{
	f->hook_rc = synq_free(&f->q, ent);
	if (ev == SYNQ_RESEND && f->hook_new == NULL)
		f->hook_new = add(f, 1, 99, f->now);
}

static void
test_callbacks(void **state)
{
	struct fx *f = *state;
	struct flow_key k = key_of(1);

	fx_init(f, 8, 1, 1000, true);
	add(f, 0, 1, 0);
	add(f, 0, 2, 0);
	f->hook = hook_free;
	f->hook_rc = 1;
	assert_int_equal(expire(f, 1000), 2); /* entry 99 is not handled in the same call */
	assert_int_equal(f->hook_rc, 0);
	assert_non_null(f->hook_new);
	assert_int_equal(synq_len(&f->q), 1);
	assert_int_equal(f->q.stats.freed, 2);
	assert_null(flow_lookup(&f->ft, &k));
	/* Entry 99 (made by the hook) keeps its own schedule. */
	f->hook = NULL;
	assert_int_equal(expire(f, 2000), 1);
	check_ev(&f->log[2], 99, SYNQ_RESEND, 1, 2000);
	/* Expiry: the callback still finds it in the flow table; it may not free it. */
	f->hook = hook_free;
	k = key_of(99);
	assert_int_equal(expire(f, 4000), 1);
	check_ev(&f->log[3], 99, SYNQ_EXPIRED, 1, 4000);
	assert_int_equal(f->hook_rc, -EBUSY);
	assert_null(flow_lookup(&f->ft, &k));
	assert_int_equal(synq_len(&f->q), 0);
	assert_int_equal(f->l[1].len, 0);
	assert_int_equal(f->q.stats.expired, 1);
	assert_int_equal(f->q.stats.freed, 2);
	assert_int_equal(f->q.stats.allocs, 3);
}

static void
hook_in_table(struct fx *f, struct synq_entry *ent, enum synq_event ev)
{
	struct flow_key k = ent->node.key;

	(void)ev;
	assert_ptr_equal(flow_lookup(&f->ft, &k), &ent->node);
	assert_int_equal(synq_free(&f->q, ent), -EBUSY);
}

static void
test_flush(void **state)
{
	struct fx *f = *state;
	unsigned per[3] = {0};

	fx_init(f, 64, 5, 1000, true);
	for (uint32_t i = 0; i < 60; i++) {
		add(f, i % 3, i, i * 100); /* spread over stages 0..2 */
		per[i % 3]++;
		expire(f, i * 100);
	}
	assert_true(f->q.stats.retransmits > 0);
	f->hook = hook_in_table;
	f->nlog = 0;
	assert_int_equal(synq_flush(&f->q, &f->l[1], record, f), per[1]);
	assert_int_equal(f->nlog, per[1]);
	for (size_t j = 0; j < f->nlog; j++) {
		assert_int_equal(f->log[j].id % 3, 1);
		assert_int_equal(f->log[j].ev, SYNQ_FLUSHED);
	}
	assert_int_equal(f->l[1].len, 0);
	assert_int_equal(f->l[0].len, per[0]);
	assert_int_equal(synq_len(&f->q), per[0] + per[2]);
	assert_int_equal(f->ft.count, per[0] + per[2]);
	assert_int_equal(f->q.stats.flushed, per[1]);
	/* The others keep their schedule; then flush everything. */
	f->hook = NULL;
	f->nlog = 0;
	for (uint64_t t = 5900; t < 70000; t += 50)
		expire(f, t);
	for (size_t j = 0; j < f->nlog; j++)
		assert_int_not_equal(f->log[j].id % 3, 1);
	add(f, 2, 1000, 70000);
	add(f, 0, 1001, 70000);
	assert_int_equal(synq_flush(&f->q, NULL, NULL, NULL), 2);
	assert_int_equal(synq_len(&f->q), 0);
	assert_int_equal(f->ft.count, 0);
	assert_int_equal(synq_next_due(&f->q), SYNQ_NEVER);
	assert_int_equal(f->q.stats.allocs, f->q.stats.expired + f->q.stats.flushed);
}

/* ---- churn ---- */

struct churn {
	struct fx *f;
	uint8_t *live; /* by pool index */
	uint8_t *lidx; /* listener of each live entry */
	uint8_t *nrtx; /* expected nrtx */
	uint64_t *due; /* expected due */
	uint64_t nlive;
	uint64_t resends;
	uint64_t expired;
	uint64_t now;
	uint64_t last_due; /* callbacks of one call come in due order */
};

static void
churn_cb(void *arg, struct synq_entry *ent, enum synq_event ev)
{
	struct churn *c = arg;
	struct synq *q = &c->f->q;
	uint32_t i = (uint32_t)(ent - q->pool);

	assert_true(i < q->size);
	assert_true(c->live[i]);
	assert_int_equal(ent->node.kind, FLOW_SYN);
	assert_true(c->due[i] <= c->now);
	assert_true(c->due[i] >= c->last_due);
	c->last_due = c->due[i];
	assert_ptr_equal(ent->lst, &c->f->l[c->lidx[i]]);
	if (ev == SYNQ_RESEND) {
		assert_int_equal(ent->nrtx, c->nrtx[i] + 1);
		c->nrtx[i]++;
		c->due[i] = c->now + ((uint64_t)q->rto_ms << c->nrtx[i]);
		c->resends++;
	} else {
		assert_int_equal(ev, SYNQ_EXPIRED);
		assert_int_equal(ent->nrtx, q->retries);
		c->live[i] = 0;
		c->nlive--;
		c->expired++;
	}
}

/* Walk every list of the queue and compare with the shadow state. */
static void
churn_check(struct churn *c)
{
	struct fx *f = c->f;
	struct synq *q = &f->q;
	uint64_t nfree = 0, nsched = 0, llen = 0;
	const struct synq_entry *p;

	for (p = q->free; p != NULL; p = p->node.next == FLOW_NIL ? NULL : &q->pool[p->node.next]) {
		uint32_t i = (uint32_t)(p - q->pool);
		assert_true(i < q->size);
		assert_false(c->live[i]);
		assert_int_equal(p->node.kind, 0);
		nfree++;
		assert_true(nfree <= q->size);
	}
	for (unsigned k = 0; k <= q->retries; k++) {
		uint32_t prev = SYNQ_NIL;
		uint64_t last = 0;
		for (uint32_t i = q->stage[k].head; i != SYNQ_NIL; i = q->pool[i].next) {
			p = &q->pool[i];
			assert_true(c->live[i]);
			assert_int_equal(p->nrtx, k);
			assert_int_equal(c->nrtx[i], k);
			assert_int_equal(p->prev, prev);
			assert_int_equal(p->due, (uint32_t)c->due[i]);
			assert_true(c->due[i] >= last);
			assert_true(c->due[i] > c->now || c->now == 0);
			assert_int_equal(p->node.linked, 1);
			last = c->due[i];
			prev = i;
			nsched++;
		}
		assert_int_equal(q->stage[k].tail, prev);
	}
	for (unsigned i = 0; i < 4; i++)
		llen += f->l[i].len;
	assert_int_equal(nsched, c->nlive);
	assert_int_equal(nfree + c->nlive, q->size);
	assert_int_equal(q->len, c->nlive);
	assert_int_equal(llen, c->nlive);
	assert_int_equal(f->ft.count, c->nlive);
	assert_int_equal(
	        q->stats.allocs, q->len + q->stats.freed + q->stats.expired + q->stats.flushed);
	assert_int_equal(q->stats.retransmits, c->resends);
	assert_int_equal(q->stats.expired, c->expired);
}

static void
test_churn_100k(void **state)
{
	enum { SIZE = 100000, OPS = 1000000 };
	struct fx *f = *state;
	struct churn c = {.f = f};
	uint32_t *ids = calloc(SIZE, sizeof(*ids)); /* id of each pool index (key check) */
	uint64_t s = 7, refused_backlog = 0, refused_pool = 0, frees = 0, bad = 0;
	uint32_t next_id = 0;

	c.live = calloc(SIZE, 1);
	c.lidx = calloc(SIZE, 1);
	c.nrtx = calloc(SIZE, 1);
	c.due = calloc(SIZE, sizeof(*c.due));
	assert_non_null(ids);
	assert_non_null(c.live);
	assert_non_null(c.lidx);
	assert_non_null(c.nrtx);
	assert_non_null(c.due);
	fx_init(f, SIZE, 5, 1000, true);
	/* Listener 0 hits its backlog; 1..3 together can fill the pool. */
	synq_listener_init(&f->l[0], 10000);
	for (unsigned i = 1; i < 4; i++)
		synq_listener_init(&f->l[i], 40000);
	c.now = (UINT64_C(1) << 32) - 40000;
	for (unsigned op = 0; op < OPS; op++) {
		uint64_t r = rnd(&s) % 100;

		if (r < 60) {
			unsigned li = (unsigned)(rnd(&s) % 4);
			struct flow_key k = key_of(next_id);
			struct synq_entry *ent = synq_alloc(&f->q, &f->l[li], &k, c.now);
			if (ent == NULL) {
				if (rte_errno == ENOSPC) {
					assert_true(f->l[li].len >= f->l[li].backlog);
					refused_backlog++;
				} else {
					assert_int_equal(rte_errno, ENOMEM);
					assert_int_equal(c.nlive, SIZE);
					refused_pool++;
				}
				continue;
			}
			uint32_t i = (uint32_t)(ent - f->q.pool);
			assert_false(c.live[i]);
			c.live[i] = 1;
			c.lidx[i] = (uint8_t)li;
			c.nrtx[i] = 0;
			c.due[i] = c.now + 1000;
			ids[i] = next_id++;
			c.nlive++;
		} else if (r < 75) {
			uint32_t i = (uint32_t)(rnd(&s) % SIZE);
			int rc = synq_free(&f->q, &f->q.pool[i]);
			if (c.live[i]) {
				assert_int_equal(rc, 0);
				assert_int_equal(ids[i], id_of(&f->q.pool[i]));
				c.live[i] = 0;
				c.nlive--;
				frees++;
			} else {
				assert_int_equal(
				        rc, -EINVAL); /* never allocated, or a double free */
				bad++;
			}
		} else {
			c.now += rnd(&s) % 2;
			c.last_due = 0;
			synq_expire(&f->q, c.now, churn_cb, &c);
			assert_true(synq_next_due(&f->q) > c.now);
		}
		if (op % 100000 == 0)
			churn_check(&c);
	}
	churn_check(&c);
	assert_int_equal(f->q.stats.freed, frees);
	assert_int_equal(f->q.stats.overflows, refused_backlog);
	assert_int_equal(f->q.stats.pool_empty, refused_pool);
	assert_true(next_id > 100000);
	print_message("churn: %u ids, %" PRIu64 " backlog, %" PRIu64 " pool, %" PRIu64
	              " bad, %" PRIu64 " expired, %" PRIu64 " resends\n",
	        next_id, refused_backlog, refused_pool, bad, c.expired, c.resends);
	assert_true(refused_backlog > 0 && refused_pool > 0 && bad > 0);
	assert_true(c.expired > 1000 && c.resends > 10000);
	/* Flush one listener, then everything: the pool is whole again. */
	uint64_t l2 = f->l[2].len;
	assert_int_equal(synq_flush(&f->q, &f->l[2], NULL, NULL), l2);
	assert_int_equal(f->l[2].len, 0);
	assert_int_equal(synq_flush(&f->q, NULL, NULL, NULL), c.nlive - l2);
	memset(c.live, 0, SIZE);
	c.nlive = 0;
	assert_int_equal(
	        f->q.stats.allocs, f->q.stats.freed + f->q.stats.expired + f->q.stats.flushed);
	churn_check(&c);
	free(ids);
	free(c.live);
	free(c.lidx);
	free(c.nrtx);
	free(c.due);
}

/*
 * The IPv6 peer table of the flow table (flow.h): an address is interned once (the same
 * index while it is known), nodes inserted with an IPv6 key reference their peer and
 * removing them gives the reference back; interning a new address recycles the oldest
 * unreferenced entry, never a referenced one, and fails only when all are referenced.
 */
static void
test_peer6_table(void **state)
{
	struct fx *f = *state;
	struct siphash_key k = {.k0 = 3, .k1 = 4};
	struct wire_ip6 a[7];
	struct flow_node n[4];
	uint32_t id[7];
	unsigned i;

	memset(a, 0, sizeof(a));
	memset(n, 0, sizeof(n));
	for (i = 0; i < 7; i++) {
		a[i].b[0] = 0x20;
		a[i].b[1] = 0x01;
		a[i].b[15] = (uint8_t)(i + 1);
	}
	assert_int_equal(flow_init(&f->ft, 16, 4, &k), 0);
	f->has_ft = true;
	flow_set_pool(&f->ft, FLOW_CONN, n, sizeof(n[0])); /* the table links nodes by index */
	for (i = 0; i < 4; i++)
		n[i].kind = FLOW_CONN;
	assert_int_equal(flow_peer6_get(&f->ft, &(struct wire_ip6){{0}}), FLOW_PEER_NONE); /* :: */
	for (i = 0; i < 4; i++) {
		id[i] = flow_peer6_get(&f->ft, &a[i]);
		assert_true(id[i] < 4);
		assert_memory_equal(flow_peer6_ip(&f->ft, id[i])->b, a[i].b, 16);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(flow_peer6_get(&f->ft, &a[i]), id[i]); /* known: same index */
	/* nodes toward a[0] and a[1] (IPv6 keys) */
	for (i = 0; i < 2; i++) {
		n[i].key = (struct flow_key){.laddr = FLOW_L6_GLOBAL,
		        .raddr = id[i],
		        .lport = 80,
		        .rport = (uint16_t)(40000 + i)};
		assert_true(flow_key_is6(&n[i].key));
		flow_insert(&f->ft, &n[i]);
		assert_ptr_equal(flow_lookup(&f->ft, &n[i].key), &n[i]);
	}
	assert_int_equal(f->ft.peers.used, 2);
	/* a new address takes the oldest unreferenced entry: a[2]'s, not a[0] or a[1] */
	id[4] = flow_peer6_get(&f->ft, &a[4]);
	assert_int_equal(id[4], id[2]);
	assert_memory_equal(flow_peer6_ip(&f->ft, id[0])->b, a[0].b, 16);
	assert_memory_equal(flow_peer6_ip(&f->ft, id[1])->b, a[1].b, 16);
	/* reference the other two: nothing left to recycle */
	for (i = 2; i < 4; i++) {
		n[i].key = (struct flow_key){.laddr = FLOW_L6_LINK,
		        .raddr = i == 2 ? id[4] : id[3],
		        .lport = 80,
		        .rport = 1};
		flow_insert(&f->ft, &n[i]);
	}
	assert_int_equal(f->ft.peers.used, 4);
	assert_int_equal(flow_peer6_get(&f->ft, &a[5]), FLOW_PEER_NONE);
	assert_int_equal(flow_peer6_get(&f->ft, &a[0]), id[0]); /* the known still found */
	/* a node goes: its peer can be recycled */
	flow_remove(&f->ft, &n[1]);
	assert_int_equal(f->ft.peers.used, 3);
	id[5] = flow_peer6_get(&f->ft, &a[5]);
	assert_int_equal(id[5], id[1]);
	/* a[5] was never referenced (a segment that made no entry): the next takes it */
	assert_int_equal(flow_peer6_get(&f->ft, &a[6]), id[1]);
	assert_memory_equal(flow_peer6_ip(&f->ft, id[1])->b, a[6].b, 16);
	/* an IPv4 key takes no reference */
	n[1].key = (struct flow_key){.laddr = 0x0a000001, .raddr = 0, .lport = 80, .rport = 2};
	assert_false(flow_key_is6(&n[1].key));
	flow_insert(&f->ft, &n[1]);
	assert_int_equal(f->ft.peers.used, 3);
	for (i = 0; i < 4; i++)
		flow_remove(&f->ft, &n[i]);
	assert_int_equal(f->ft.peers.used, 0);
}

/* flow_ref() finds a node's pool index without dividing: exact for every stride the pools
 * use and for odd and power-of-two strides, up to the largest index a reference holds. */
static void
test_flow_ref_exact(void **state)
{
	static const uint32_t strides[] = {20, 24, 64, 68, 72, 280, 296, 37, 1, 4096, 4100};
	struct flow_table t;
	uint32_t idx[] = {
	        0, 1, 2, 3, 1000, 65535, 65536, 1000003, FLOW_IDX_MASK - 1, FLOW_IDX_MASK};

	(void)state;
	memset(&t, 0, sizeof(t));
	for (size_t s = 0; s < sizeof(strides) / sizeof(strides[0]); s++) {
		/* A pool at 0x1000 (never dereferenced: only the address arithmetic is checked). */
		flow_set_pool(&t, FLOW_TW, (void *)(uintptr_t)0x1000, strides[s]);
		for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
			struct flow_node *n =
			        flow_node_at(&t, (uint32_t)FLOW_TW << FLOW_KIND_S | idx[i]);

			assert_int_equal((char *)n - (char *)(uintptr_t)0x1000,
			        (ptrdiff_t)idx[i] * strides[s]);
			assert_int_equal(flow_ref_of(&t, FLOW_TW, n),
			        (uint32_t)FLOW_TW << FLOW_KIND_S | idx[i]);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_peer6_table, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_schedule_default, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_schedule_configured, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_init_limits, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_late_poll, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_order_by_hand, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_order_model, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_backlog_and_pool, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_free_middle, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_next_due, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_callbacks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_churn_100k, setup, teardown),
	        cmocka_unit_test(test_flow_ref_exact),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
