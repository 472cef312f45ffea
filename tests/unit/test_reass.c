/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the out-of-order reassembly queue (stack/tcp/reass.c): overlap trimming
 * (first arrival wins), popping, FIN, caps, SACK block order (RFC 2018 §4), sequence
 * wraparound, mbuf chains and shared mbufs.
 *
 * Payload byte x of every segment is pat(x, salt): a function of its sequence number and
 * of a per-transmission salt, so popped bytes show which arrival they came from. The test
 * keeps a byte-by-byte model of what the queue must hold (first arrival wins), independent
 * of the queue's range logic, and checks popped bytes against it. Every test ends with
 * the node pool empty and the mbuf pool back at its starting count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp/reass.h"
#include "test_helpers.h"

#define MODEL_SIZE 65536u
#define NODES      64u
#define NOCAP      UINT32_MAX

struct fx {
	struct rte_mempool *mp;
	unsigned avail0;
	struct reass_pool p;
	struct tcp_reass q;
	tern_seq_t base; /* sequence number of model index 0 */
	uint8_t have[MODEL_SIZE];
	uint8_t byte[MODEL_SIZE];
};

static uint8_t
pat(uint32_t x, uint8_t salt)
{
	return (uint8_t)((x * 2654435761u) >> 24) ^ salt;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->mp = test_eal_pool();
	f->avail0 = rte_mempool_avail_count(f->mp);
	if (reass_pool_init(&f->p, NODES, SOCKET_ID_ANY) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	reass_purge(&f->q, &f->p);
	assert_int_equal(f->p.used, 0);
	reass_pool_fini(&f->p);
	assert_int_equal(rte_mempool_avail_count(f->mp), f->avail0);
	free(f);
	return 0;
}

/* Single-segment mbuf with payload [seq, seq + len) of @p salt, then @p pad junk bytes. */
static struct rte_mbuf *
mk_pad(struct fx *f, tern_seq_t seq, uint32_t len, uint8_t salt, uint32_t pad)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->mp);
	uint8_t *d;
	uint32_t i;

	assert_non_null(m);
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len + pad));
	assert_non_null(d);
	for (i = 0; i < len; i++)
		d[i] = pat(seq + i, salt);
	memset(d + len, 0xee, pad);
	return m;
}

static struct rte_mbuf *
mk(struct fx *f, tern_seq_t seq, uint32_t len, uint8_t salt)
{
	return mk_pad(f, seq, len, salt, 0);
}

/* The same payload as a chain of @p nsegs segments (the last takes the remainder). */
static struct rte_mbuf *
mk_chain(struct fx *f, tern_seq_t seq, uint32_t len, uint8_t salt, unsigned nsegs)
{
	uint32_t per = len / nsegs, done = 0;
	struct rte_mbuf *head = NULL;
	unsigned i;

	for (i = 0; i < nsegs; i++) {
		uint32_t n = i + 1 == nsegs ? len - done : per;
		struct rte_mbuf *m = mk(f, seq + done, n, salt);

		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
		done += n;
	}
	return head;
}

/* Model index of @p seq: a ring, so long runs can forget what was delivered. */
static uint32_t
midx(const struct fx *f, tern_seq_t seq)
{
	return (seq - f->base) & (MODEL_SIZE - 1);
}

/* Record [seq, seq + len) of @p salt in the model, first arrival wins. */
static void
model_add(struct fx *f, tern_seq_t seq, uint32_t len, uint8_t salt)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		uint32_t idx = midx(f, seq + i);

		if (!f->have[idx]) {
			f->have[idx] = 1;
			f->byte[idx] = pat(seq + i, salt);
		}
	}
}

/* Insert @p m; on REASS_QUEUED record [seq, seq + len) in the model (if @p model). */
static enum reass_result
ins_m(struct fx *f, tern_seq_t seq, uint32_t len, struct rte_mbuf *m, uint8_t salt, bool fin,
        uint32_t max_segs, bool model)
{
	enum reass_result r = reass_insert(&f->q, &f->p, seq, len, m, fin, max_segs);

	if (r == REASS_QUEUED && model) {
		uint32_t keep = len;

		if (f->q.has_fin && seq_gt(seq + len, f->q.fin_seq))
			keep = seq_gt(f->q.fin_seq, seq) ? f->q.fin_seq - seq : 0;
		model_add(f, seq, keep, salt);
	}
	return r;
}

static enum reass_result
ins(struct fx *f, tern_seq_t seq, uint32_t len, uint8_t salt)
{
	return ins_m(f, seq, len, mk(f, seq, len, salt), salt, false, NOCAP, true);
}

static enum reass_result
ins_fin(struct fx *f, tern_seq_t seq, uint32_t len, uint8_t salt)
{
	struct rte_mbuf *m = len > 0 ? mk(f, seq, len, salt) : NULL;

	return ins_m(f, seq, len, m, salt, true, NOCAP, true);
}

/* True when the bytes of @p m are exactly the model's [seq, seq + len) and m is sane. */
static bool
bytes_ok(struct fx *f, const struct rte_mbuf *m, tern_seq_t seq, uint32_t len)
{
	const struct rte_mbuf *s;
	uint32_t sum = 0, i;
	unsigned nb = 0;
	uint8_t buf[4096];
	const uint8_t *d;

	if (rte_pktmbuf_pkt_len(m) != len) {
		print_message("pkt_len %u, want %u\n", rte_pktmbuf_pkt_len(m), len);
		return false;
	}
	for (s = m; s != NULL; s = s->next) {
		sum += s->data_len;
		nb++;
	}
	if (sum != len || nb != m->nb_segs) {
		print_message("chain: %u bytes in %u segs, header says %u in %u\n", sum, nb, len,
		        m->nb_segs);
		return false;
	}
	assert_true(len <= sizeof(buf));
	d = rte_pktmbuf_read(m, 0, len, buf);
	for (i = 0; i < len; i++) {
		uint32_t idx = midx(f, seq + i);

		if (!f->have[idx] || d[i] != f->byte[idx]) {
			print_message("byte at seq %u: got %#x, want %#x (have %d)\n", seq + i,
			        d[i], f->byte[idx], f->have[idx]);
			return false;
		}
	}
	return true;
}

/* Pop at @p rcv_nxt and check length, FIN and bytes; frees what was popped. */
static bool
pop_is(struct fx *f, tern_seq_t rcv_nxt, uint32_t want_len, bool want_fin)
{
	uint32_t len = 12345;
	bool fin = !want_fin;
	struct rte_mbuf *m = reass_pop(&f->q, &f->p, rcv_nxt, &len, &fin);
	bool ok = true;

	if (len != want_len || fin != want_fin || (m != NULL) != (want_len > 0)) {
		print_message("pop(%u): len %u fin %d m %p, want len %u fin %d\n", rcv_nxt, len,
		        fin, (void *)m, want_len, want_fin);
		ok = false;
	}
	if (ok && m != NULL)
		ok = bytes_ok(f, m, rcv_nxt, len);
	rte_pktmbuf_free(m);
	return ok;
}

/* Pop everything that continues the stream at *rcv_nxt; @return bytes popped. */
static uint32_t
pop_all(struct fx *f, tern_seq_t *rcv_nxt, bool *fin_out)
{
	uint32_t total = 0, len;
	struct rte_mbuf *m;
	bool fin = false;

	while ((m = reass_pop(&f->q, &f->p, *rcv_nxt, &len, &fin)) != NULL) {
		assert_true(len > 0);
		assert_true(bytes_ok(f, m, *rcv_nxt, len));
		rte_pktmbuf_free(m);
		*rcv_nxt += len;
		total += len;
		if (fin)
			break;
	}
	if (fin_out != NULL)
		*fin_out = fin;
	return total;
}

/* True when the queue's entries are exactly @p want (seq, len pairs). */
static bool
segs_are(struct fx *f, const uint32_t (*want)[2], unsigned n)
{
	const struct reass_seg *s = f->q.head;
	uint32_t bytes = 0;
	unsigned i;

	for (i = 0; i < n; i++, s = s->next) {
		if (s == NULL || s->seq != want[i][0] || s->len != want[i][1] ||
		        rte_pktmbuf_pkt_len(s->m) != s->len) {
			print_message("entry %u: ", i);
			if (s == NULL)
				print_message("missing\n");
			else
				print_message("[%u +%u] (pkt_len %u), want [%u +%u]\n", s->seq,
				        s->len, rte_pktmbuf_pkt_len(s->m), want[i][0], want[i][1]);
			return false;
		}
		bytes += s->len;
	}
	if (s != NULL || f->q.nsegs != n || f->q.bytes != bytes) {
		print_message("extra entries or counts: nsegs %u bytes %u, want %u %u\n",
		        f->q.nsegs, f->q.bytes, n, bytes);
		return false;
	}
	return true;
}

#define PAIRS(...)  ((const uint32_t[][2]){__VA_ARGS__})
#define NPAIRS(...) (sizeof(PAIRS(__VA_ARGS__)) / sizeof(uint32_t[2]))
#define SEGS(...)   assert_true(segs_are(f, PAIRS(__VA_ARGS__), NPAIRS(__VA_ARGS__)))
#define NO_SEGS()   assert_true(segs_are(f, NULL, 0))

/* True when reass_sack_blocks(max) gives exactly @p want ([left, right) pairs). */
static bool
sack_is(struct fx *f, unsigned max, const uint32_t (*want)[2], unsigned n)
{
	struct wire_sack_block b[WIRE_TCP_MAX_SACK + 1];
	unsigned got, i;

	memset(b, 0xab, sizeof(b));
	got = reass_sack_blocks(&f->q, b, max);
	if (got == n) {
		for (i = 0; i < n; i++)
			if (b[i].left != want[i][0] || b[i].right != want[i][1])
				break;
		if (i == n && b[n].left == 0xabababab) /* nothing written past the count */
			return true;
	}
	print_message("sack(max %u):", max);
	for (i = 0; i < got; i++)
		print_message(" [%u,%u)", b[i].left, b[i].right);
	print_message("; want:");
	for (i = 0; i < n; i++)
		print_message(" [%u,%u)", want[i][0], want[i][1]);
	print_message("\n");
	return false;
}

#define SACK(max, ...) assert_true(sack_is(f, max, PAIRS(__VA_ARGS__), NPAIRS(__VA_ARGS__)))
#define NO_SACK(max)   assert_true(sack_is(f, max, NULL, 0))

/* ---- tests ---- */

static void
test_pool(void **state)
{
	struct fx *f = *state;
	struct reass_pool p0;
	struct tcp_reass q = {0};

	assert_int_equal(f->p.size, NODES);
	assert_int_equal(f->p.used, 0);
	assert_non_null(f->p.free);

	/* A pool of 0 nodes is valid: everything is refused. */
	assert_int_equal(reass_pool_init(&p0, 0, SOCKET_ID_ANY), 0);
	assert_int_equal(
	        reass_insert(&q, &p0, 100, 10, mk(f, 100, 10, 0), false, NOCAP), REASS_NOMEM);
	assert_null(q.head);
	assert_int_equal(q.nsegs, 0);
	reass_pool_fini(&p0);
}

static void
test_in_order_pop(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1300, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1200, 100, 2), REASS_QUEUED);
	assert_int_equal(ins(f, 1100, 100, 3), REASS_QUEUED);
	SEGS({1100, 100}, {1200, 100}, {1300, 100});
	SACK(4, {1100, 1400});

	/* rcv_nxt 1000: nothing continues the stream. */
	assert_true(pop_is(f, 1000, 0, false));
	SEGS({1100, 100}, {1200, 100}, {1300, 100});
	assert_true(pop_is(f, 1099, 0, false));

	/* The caller got [1000, 1100) in order. */
	assert_true(pop_is(f, 1100, 100, false));
	SACK(4, {1200, 1400});
	assert_true(pop_is(f, 1200, 100, false));
	assert_true(pop_is(f, 1300, 100, false));
	assert_true(pop_is(f, 1400, 0, false));
	NO_SEGS();
	NO_SACK(4);
	assert_int_equal(f->p.used, 0);
}

static void
test_overlap_new_inside_old(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1100, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1120, 30, 2), REASS_DUP);
	assert_int_equal(ins(f, 1100, 1, 2), REASS_DUP);
	assert_int_equal(ins(f, 1199, 1, 2), REASS_DUP);
	SEGS({1100, 100});
	assert_true(pop_is(f, 1100, 100, false));
}

static void
test_overlap_exact_duplicate(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1100, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1200, 50, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1100, 100, 2), REASS_DUP);
	/* Spanning two adjacent entries, every byte queued. */
	assert_int_equal(ins(f, 1150, 100, 2), REASS_DUP);
	assert_int_equal(ins(f, 1100, 150, 2), REASS_DUP);
	SEGS({1100, 100}, {1200, 50});
	assert_int_equal(f->p.used, 2);
	assert_true(pop_is(f, 1100, 100, false));
	assert_true(pop_is(f, 1200, 50, false));
}

static void
test_overlap_old_inside_new(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1140, 20, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1100, 100, 2), REASS_QUEUED);
	/* One entry: the old bytes copied over the newcomer's. */
	SEGS({1100, 100});
	assert_int_equal(f->p.used, 1);
	SACK(4, {1100, 1200});
	assert_true(pop_is(f, 1100, 100, false));
}

static void
test_overlap_partial_left(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	/* The newcomer starts inside an entry: its front is cut. */
	assert_int_equal(ins(f, 1100, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1150, 100, 2), REASS_QUEUED);
	SEGS({1100, 100}, {1200, 50});
	assert_int_equal(f->q.bytes, 150);
	SACK(4, {1100, 1250});
	assert_true(pop_is(f, 1100, 100, false));
	assert_true(pop_is(f, 1200, 50, false));
}

static void
test_overlap_partial_right(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	/* The newcomer ends inside an entry: its tail is cut. */
	assert_int_equal(ins(f, 1200, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1150, 100, 2), REASS_QUEUED);
	SEGS({1150, 50}, {1200, 100});
	/* Both ends inside entries, with a gap between. */
	assert_int_equal(ins(f, 1400, 100, 3), REASS_QUEUED);
	assert_int_equal(ins(f, 1250, 200, 4), REASS_QUEUED);
	SEGS({1150, 50}, {1200, 100}, {1300, 100}, {1400, 100});
	SACK(4, {1150, 1500});
	assert_true(pop_is(f, 1150, 50, false));
	assert_true(pop_is(f, 1200, 100, false));
	assert_true(pop_is(f, 1300, 100, false));
	assert_true(pop_is(f, 1400, 100, false));
}

static void
test_overlap_spanning(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1100, 10, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1120, 10, 2), REASS_QUEUED);
	assert_int_equal(ins(f, 1140, 10, 3), REASS_QUEUED);
	assert_int_equal(ins(f, 1160, 10, 4), REASS_QUEUED);
	assert_int_equal(ins(f, 1300, 10, 5), REASS_QUEUED);

	/* Starts inside [1100,1110), ends inside [1160,1170): cut to [1110,1160), which
	 * absorbs [1120,1130) and [1140,1150). */
	assert_int_equal(ins(f, 1105, 60, 6), REASS_QUEUED);
	SEGS({1100, 10}, {1110, 50}, {1160, 10}, {1300, 10});
	assert_int_equal(f->p.used, 4);
	SACK(4, {1100, 1170}, {1300, 1310});

	/* Covers everything, gaps on both sides: one entry [1090, 1320). */
	assert_int_equal(ins(f, 1090, 230, 7), REASS_QUEUED);
	SEGS({1090, 230});
	assert_int_equal(f->p.used, 1);
	assert_int_equal(f->q.bytes, 230);
	SACK(4, {1090, 1320});
	assert_true(pop_is(f, 1090, 230, false));
}

static void
test_spanning_at_cap_and_pool_empty(void **state)
{
	struct fx *f = *state;

	/* Absorbing entries needs no new node: it works at the cap and with no free node. */
	reass_pool_fini(&f->p);
	assert_int_equal(reass_pool_init(&f->p, 2, SOCKET_ID_ANY), 0);
	f->base = 1000;
	assert_int_equal(ins_m(f, 1100, 10, mk(f, 1100, 10, 1), 1, false, 2, true), REASS_QUEUED);
	assert_int_equal(ins_m(f, 1200, 10, mk(f, 1200, 10, 2), 2, false, 2, true), REASS_QUEUED);
	assert_null(f->p.free);
	assert_int_equal(ins_m(f, 1300, 10, mk(f, 1300, 10, 3), 3, false, 2, true), REASS_NOMEM);
	assert_int_equal(ins_m(f, 1050, 200, mk(f, 1050, 200, 4), 4, false, 2, true), REASS_QUEUED);
	SEGS({1050, 200});
	assert_int_equal(f->p.used, 1);
	assert_true(pop_is(f, 1050, 200, false));
}

static void
test_payload_pattern(void **state)
{
	struct fx *f = *state;
	tern_seq_t rcv = 5000;
	bool fin;

	/* Small pieces of several salts, overlapping every which way, popped byte-exact. */
	f->base = 5000;
	assert_int_equal(ins(f, 5010, 7, 0x11), REASS_QUEUED);
	assert_int_equal(ins(f, 5030, 13, 0x22), REASS_QUEUED);
	assert_int_equal(ins(f, 5005, 30, 0x33), REASS_QUEUED);
	assert_int_equal(ins(f, 5040, 40, 0x44), REASS_QUEUED);
	assert_int_equal(ins(f, 5001, 100, 0x55), REASS_QUEUED);
	assert_int_equal(ins(f, 5001, 100, 0x66), REASS_DUP);
	SACK(4, {5001, 5101});
	rcv = 5001;
	assert_int_equal(pop_all(f, &rcv, &fin), 100);
	assert_false(fin);
	assert_int_equal(rcv, 5101);
	NO_SEGS();
	/* The model is not the queue: prove the pattern tells salts apart. */
	assert_int_not_equal(pat(5010, 0x11), pat(5010, 0x55));
	assert_int_equal(f->byte[10], pat(5010, 0x11));
	assert_int_equal(f->byte[5], pat(5005, 0x33));
	assert_int_equal(f->byte[1], pat(5001, 0x55));
}

static void
test_padding_cut(void **state)
{
	struct fx *f = *state;

	/* Bytes after len (Ethernet padding) are not payload. */
	f->base = 1000;
	assert_int_equal(
	        ins_m(f, 1100, 6, mk_pad(f, 1100, 6, 1, 40), 1, false, NOCAP, true), REASS_QUEUED);
	SEGS({1100, 6});
	assert_true(pop_is(f, 1100, 6, false));
}

static void
test_wraparound(void **state)
{
	struct fx *f = *state;
	tern_seq_t rcv;

	f->base = 0xffffff00u;
	assert_int_equal(ins(f, 0xffffffc0u, 0x80, 1), REASS_QUEUED); /* [-64, 64) */
	assert_int_equal(ins(f, 0x100, 0x40, 2), REASS_QUEUED);
	assert_int_equal(ins(f, 0xffffff80u, 0x20, 3), REASS_QUEUED);
	SEGS({0xffffff80u, 0x20}, {0xffffffc0u, 0x80}, {0x100, 0x40});
	SACK(4, {0xffffff80u, 0xffffffa0u}, {0x100, 0x140}, {0xffffffc0u, 0x40});

	/* Across the wrap: cut at the left, absorbs [-64, 64). */
	assert_int_equal(ins(f, 0xffffff90u, 0x100, 4), REASS_QUEUED);
	SEGS({0xffffff80u, 0x20}, {0xffffffa0u, 0xf0}, {0x100, 0x40});
	SACK(4, {0xffffff80u, 0x90}, {0x100, 0x140});

	/* rcv_nxt wrapped: the caller got [-0x50, 0x10) in order. */
	rcv = 0x10;
	assert_true(pop_is(f, rcv, 0x80, false));
	rcv += 0x80;
	assert_true(pop_is(f, rcv, 0, false));
	SACK(4, {0x100, 0x140});
	assert_int_equal(ins(f, 0x90, 0x70, 5), REASS_QUEUED);
	assert_int_equal(pop_all(f, &rcv, NULL), 0xb0);
	assert_int_equal(rcv, 0x140);
	NO_SEGS();
}

static void
test_max_segs(void **state)
{
	struct fx *f = *state;
	struct reass_seg *head;

	f->base = 1000;
	assert_int_equal(ins_m(f, 1100, 10, mk(f, 1100, 10, 1), 1, false, 3, true), REASS_QUEUED);
	assert_int_equal(ins_m(f, 1200, 10, mk(f, 1200, 10, 1), 1, false, 3, true), REASS_QUEUED);
	assert_int_equal(ins_m(f, 1300, 10, mk(f, 1300, 10, 1), 1, false, 3, true), REASS_QUEUED);
	head = f->q.head;

	/* A fourth entry is refused, the queue unchanged, FIN not recorded. */
	assert_int_equal(ins_m(f, 1400, 10, mk(f, 1400, 10, 2), 2, true, 3, true), REASS_NOMEM);
	assert_int_equal(ins_m(f, 1150, 10, mk(f, 1150, 10, 2), 2, false, 3, true), REASS_NOMEM);
	assert_int_equal(ins_m(f, 1105, 10, mk(f, 1105, 10, 2), 2, false, 3, true), REASS_NOMEM);
	assert_int_equal(f->q.has_fin, 0);
	assert_ptr_equal(f->q.head, head);
	SEGS({1100, 10}, {1200, 10}, {1300, 10});
	SACK(4, {1300, 1310}, {1200, 1210}, {1100, 1110});
	assert_int_equal(f->p.used, 3);

	/* Duplicates still say DUP at the cap. */
	assert_int_equal(ins_m(f, 1200, 10, mk(f, 1200, 10, 2), 2, false, 3, true), REASS_DUP);
	/* A lower cap than the queue holds: only new entries are refused. */
	assert_int_equal(ins_m(f, 1500, 10, mk(f, 1500, 10, 2), 2, false, 1, true), REASS_NOMEM);
	SEGS({1100, 10}, {1200, 10}, {1300, 10});

	/* Popping makes room. */
	assert_true(pop_is(f, 1100, 10, false));
	assert_int_equal(ins_m(f, 1400, 10, mk(f, 1400, 10, 3), 3, false, 3, true), REASS_QUEUED);
	SEGS({1200, 10}, {1300, 10}, {1400, 10});
}

static void
test_pool_exhaustion(void **state)
{
	struct fx *f = *state;
	struct tcp_reass q2 = {0};
	uint32_t len;
	bool fin;
	struct rte_mbuf *m;

	reass_pool_fini(&f->p);
	assert_int_equal(reass_pool_init(&f->p, 3, SOCKET_ID_ANY), 0);
	f->base = 1000;
	assert_int_equal(ins(f, 1100, 10, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1200, 10, 1), REASS_QUEUED);
	assert_int_equal(
	        reass_insert(&q2, &f->p, 5100, 10, mk(f, 5100, 10, 1), false, NOCAP), REASS_QUEUED);
	assert_int_equal(f->p.used, 3);

	/* Another connection's queue has the last node: both are refused. */
	assert_int_equal(ins(f, 1300, 10, 2), REASS_NOMEM);
	assert_int_equal(
	        reass_insert(&q2, &f->p, 5200, 10, mk(f, 5200, 10, 1), false, NOCAP), REASS_NOMEM);
	SEGS({1100, 10}, {1200, 10});
	assert_int_equal(q2.nsegs, 1);

	/* q2 delivers its entry: the node comes back for anyone. */
	m = reass_pop(&q2, &f->p, 5100, &len, &fin);
	assert_non_null(m);
	assert_int_equal(len, 10);
	rte_pktmbuf_free(m);
	assert_int_equal(f->p.used, 2);
	assert_int_equal(ins(f, 1300, 10, 3), REASS_QUEUED);
	assert_int_equal(f->p.used, 3);
	assert_int_equal(
	        reass_insert(&q2, &f->p, 5200, 10, mk(f, 5200, 10, 1), false, NOCAP), REASS_NOMEM);
	reass_purge(&q2, &f->p);
	assert_int_equal(f->p.used, 3);
	reass_purge(&f->q, &f->p);
	assert_int_equal(f->p.used, 0);
	NO_SEGS();
}

static void
test_fin_out_of_order_then_fill(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins_fin(f, 1100, 100, 1), REASS_QUEUED);
	assert_int_equal(f->q.has_fin, 1);
	assert_int_equal(f->q.fin_seq, 1200);
	assert_int_equal(ins(f, 1050, 50, 2), REASS_QUEUED);
	assert_true(pop_is(f, 1000, 0, false));
	assert_true(pop_is(f, 1049, 0, false));
	assert_int_equal(f->q.has_fin, 1);
	/* The caller got [1000, 1050) in order. */
	assert_true(pop_is(f, 1050, 50, false));
	assert_true(pop_is(f, 1100, 100, true));
	assert_int_equal(f->q.has_fin, 0);
	/* The caller took the FIN: rcv_nxt 1201. Reported once. */
	assert_true(pop_is(f, 1201, 0, false));
	assert_true(pop_is(f, 1200, 0, false));
	NO_SEGS();
}

static void
test_fin_rules(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	/* Bytes beyond a known FIN are discarded. */
	assert_int_equal(ins_fin(f, 1100, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1200, 100, 2), REASS_DUP);
	assert_int_equal(ins(f, 1150, 100, 2), REASS_DUP);
	assert_int_equal(ins(f, 1050, 200, 3), REASS_QUEUED);
	SEGS({1050, 150});
	assert_int_equal(f->q.bytes, 150);
	/* A second FIN elsewhere is ignored (first wins), the same one is a duplicate. */
	assert_int_equal(ins_fin(f, 1050, 50, 4), REASS_DUP);
	assert_int_equal(ins_fin(f, 1190, 10, 4), REASS_DUP);
	assert_int_equal(f->q.fin_seq, 1200);
	assert_true(pop_is(f, 1050, 150, true));
	NO_SEGS();

	/* A FIN with queued data beyond it is ignored; its bytes are queued. */
	f->base = 2000;
	memset(f->have, 0, sizeof(f->have));
	assert_int_equal(ins(f, 2300, 100, 1), REASS_QUEUED);
	assert_int_equal(ins_fin(f, 2100, 100, 2), REASS_QUEUED);
	assert_int_equal(f->q.has_fin, 0);
	SEGS({2100, 100}, {2300, 100});
	/* A retransmission of queued bytes that now carries the FIN: a new FIN. */
	assert_int_equal(ins_fin(f, 2300, 100, 3), REASS_QUEUED);
	assert_int_equal(f->q.has_fin, 1);
	assert_int_equal(f->q.fin_seq, 2400);
	SEGS({2100, 100}, {2300, 100});
	reass_purge(&f->q, &f->p);
	assert_int_equal(f->q.has_fin, 0);
}

static void
test_bare_fin(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	/* A bare FIN beyond rcv_nxt, then the data before it arrives in order. */
	assert_int_equal(ins_fin(f, 1100, 0, 0), REASS_QUEUED);
	assert_int_equal(f->q.fin_seq, 1100);
	assert_int_equal(ins_fin(f, 1100, 0, 0), REASS_DUP);
	NO_SEGS();
	NO_SACK(4);
	assert_true(pop_is(f, 1050, 0, false));
	assert_true(pop_is(f, 1100, 0, true));
	assert_true(pop_is(f, 1100, 0, false));

	/* A bare FIN right after queued data: reported with that data. */
	assert_int_equal(ins(f, 1200, 50, 1), REASS_QUEUED);
	assert_int_equal(ins_fin(f, 1250, 0, 0), REASS_QUEUED);
	assert_true(pop_is(f, 1200, 50, true));

	/* An empty segment without FIN is nothing. */
	assert_int_equal(reass_insert(&f->q, &f->p, 1300, 0, NULL, false, NOCAP), REASS_DUP);
	NO_SEGS();
	assert_int_equal(f->q.has_fin, 0);
}

static void
test_pop_trims(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1150, 30, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1200, 100, 2), REASS_QUEUED);
	assert_int_equal(ins(f, 1400, 100, 3), REASS_QUEUED);
	SACK(4, {1400, 1500}, {1200, 1300}, {1150, 1180});

	/* An in-order segment took rcv_nxt to 1250: [1150,1180) is dropped, [1200,1300)
	 * trimmed to its last 50 bytes. */
	assert_true(pop_is(f, 1250, 50, false));
	SEGS({1400, 100});
	SACK(4, {1400, 1500});
	assert_true(pop_is(f, 1300, 0, false));

	/* rcv_nxt one byte short of an entry's end: that last byte is returned. */
	assert_true(pop_is(f, 1499, 1, false));
	NO_SEGS();
	NO_SACK(4);

	/* Entries wholly below rcv_nxt, nothing continuing: all freed, NULL returned. */
	assert_int_equal(ins(f, 1600, 10, 4), REASS_QUEUED);
	assert_int_equal(ins(f, 1620, 10, 4), REASS_QUEUED);
	assert_int_equal(ins(f, 1700, 10, 4), REASS_QUEUED);
	assert_true(pop_is(f, 1650, 0, false));
	SEGS({1700, 10});
	SACK(4, {1700, 1710});
	assert_int_equal(f->p.used, 1);
}

static void
test_sack_order(void **state)
{
	struct fx *f = *state;
	tern_seq_t rcv = 1000;

	f->base = 1000;
	assert_int_equal(ins(f, 1100, 100, 1), REASS_QUEUED);
	SACK(4, {1100, 1200});
	assert_int_equal(ins(f, 1300, 100, 1), REASS_QUEUED);
	SACK(4, {1300, 1400}, {1100, 1200});
	assert_int_equal(ins(f, 1500, 100, 1), REASS_QUEUED);
	SACK(4, {1500, 1600}, {1300, 1400}, {1100, 1200});
	assert_int_equal(ins(f, 1700, 100, 1), REASS_QUEUED);
	SACK(4, {1700, 1800}, {1500, 1600}, {1300, 1400}, {1100, 1200});
	SACK(3, {1700, 1800}, {1500, 1600}, {1300, 1400});
	SACK(1, {1700, 1800});
	NO_SACK(0);

	/* A fifth block: the oldest falls off. */
	assert_int_equal(ins(f, 1900, 100, 1), REASS_QUEUED);
	SACK(4, {1900, 2000}, {1700, 1800}, {1500, 1600}, {1300, 1400});

	/* An older block grows at its right edge: it comes first. */
	assert_int_equal(ins(f, 1400, 50, 1), REASS_QUEUED);
	SACK(4, {1300, 1450}, {1900, 2000}, {1700, 1800}, {1500, 1600});

	/* Filling the hole [1200,1300) joins [1100,1200) (forgotten) and [1300,1450). */
	assert_int_equal(ins(f, 1200, 100, 1), REASS_QUEUED);
	SACK(4, {1100, 1450}, {1900, 2000}, {1700, 1800}, {1500, 1600});

	/* A duplicate is the segment that triggered the ACK: its block comes first. */
	assert_int_equal(ins(f, 1550, 50, 2), REASS_DUP);
	SACK(4, {1500, 1600}, {1100, 1450}, {1900, 2000}, {1700, 1800});

	assert_int_equal(ins(f, 2100, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 2300, 100, 1), REASS_QUEUED);
	SACK(4, {2300, 2400}, {2100, 2200}, {1500, 1600}, {1100, 1450});

	/* The caller got [1000,1100) in order and pops [1100,1450): never reported again.
	 * Room is left, so blocks no longer among the recent ones come back, lowest first. */
	rcv = 1100;
	assert_int_equal(pop_all(f, &rcv, NULL), 350);
	assert_int_equal(rcv, 1450);
	SACK(4, {2300, 2400}, {2100, 2200}, {1500, 1600}, {1700, 1800});
	SACK(3, {2300, 2400}, {2100, 2200}, {1500, 1600});

	rcv = 1500;
	assert_int_equal(pop_all(f, &rcv, NULL), 100);
	SACK(4, {2300, 2400}, {2100, 2200}, {1700, 1800}, {1900, 2000});

	/* Joining two blocks nobody remembers, then two remembered ones. */
	assert_int_equal(ins(f, 1800, 100, 3), REASS_QUEUED);
	SACK(4, {1700, 2000}, {2300, 2400}, {2100, 2200});
	assert_int_equal(ins(f, 2200, 100, 3), REASS_QUEUED);
	SACK(4, {2100, 2400}, {1700, 2000});
	SACK(1, {2100, 2400});
	assert_int_equal(f->q.nrecent, 2);

	/* A segment overlapping one block and reaching the next: one block. */
	assert_int_equal(ins(f, 1950, 100, 4), REASS_QUEUED);
	SACK(4, {1700, 2050}, {2100, 2400});
	assert_int_equal(ins(f, 2000, 150, 4), REASS_QUEUED);
	SACK(4, {1700, 2400});
	rcv = 1600;
	assert_int_equal(pop_all(f, &rcv, NULL), 0);
	rcv = 1700;
	assert_int_equal(pop_all(f, &rcv, NULL), 700);
	NO_SACK(4);
	NO_SEGS();
}

/* The newcomer, the entries it absorbs and the ones it is cut against are chains. */
static void
test_chains(void **state)
{
	struct fx *f = *state;
	tern_seq_t rcv;

	f->base = 1000;
	assert_int_equal(ins_m(f, 1050, 70, mk_chain(f, 1050, 70, 1, 3), 1, false, NOCAP, true),
	        REASS_QUEUED);
	assert_int_equal(ins_m(f, 1150, 10, mk_chain(f, 1150, 10, 2, 2), 2, false, NOCAP, true),
	        REASS_QUEUED);
	assert_int_equal(ins(f, 1250, 10, 3), REASS_QUEUED);
	assert_int_equal(ins_m(f, 1390, 100, mk_chain(f, 1390, 100, 4, 4), 4, false, NOCAP, true),
	        REASS_QUEUED);
	/* [1100, 1400) in 5 segments: cut to [1120, 1390), absorbing two entries. */
	assert_int_equal(ins_m(f, 1100, 300, mk_chain(f, 1100, 300, 5, 5), 5, false, NOCAP, true),
	        REASS_QUEUED);
	SEGS({1050, 70}, {1120, 270}, {1390, 100});
	assert_int_equal(f->q.head->next->m->nb_segs, 5);
	assert_int_equal(f->q.head->next->m->data_len, 40); /* 60-byte segment less 20 */
	SACK(4, {1050, 1490});

	/* Popping in the middle of a chain: the first segments go. */
	rcv = 1390 + 35;
	assert_true(pop_is(f, rcv, 65, false));
	NO_SEGS();
}

/* A newcomer whose data must not be written (shared) keeps only its first gap. */
static void
test_shared_newcomer(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *orig, *clone;
	tern_seq_t rcv;
	uint32_t i;

	f->base = 1000;
	assert_int_equal(ins(f, 1120, 10, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1140, 10, 1), REASS_QUEUED);

	/* An indirect clone: its buffer belongs to orig. */
	orig = mk(f, 1100, 60, 2);
	clone = rte_pktmbuf_clone(orig, f->mp);
	assert_non_null(clone);
	assert_int_equal(ins_m(f, 1100, 60, clone, 2, false, NOCAP, false), REASS_QUEUED);
	model_add(f, 1100, 20, 2);
	SEGS({1100, 20}, {1120, 10}, {1140, 10});
	for (i = 0; i < 60; i++)
		assert_int_equal(rte_pktmbuf_mtod(orig, uint8_t *)[i], pat(1100 + i, 2));

	/* A second reference to a direct mbuf: the next gap, [1130, 1140). */
	rte_mbuf_refcnt_update(orig, 1);
	assert_int_equal(ins_m(f, 1100, 60, orig, 2, false, NOCAP, false), REASS_QUEUED);
	model_add(f, 1130, 10, 2);
	SEGS({1100, 20}, {1120, 10}, {1130, 10}, {1140, 10});
	rte_pktmbuf_free(orig);

	/* Writable again: it absorbs all five entries and fills [1150, 1160). */
	assert_int_equal(ins(f, 1100, 60, 3), REASS_QUEUED);
	SEGS({1100, 60});
	SACK(4, {1100, 1160});
	rcv = 1100;
	assert_int_equal(pop_all(f, &rcv, NULL), 60);
}

static void
test_purge(void **state)
{
	struct fx *f = *state;

	f->base = 1000;
	assert_int_equal(ins(f, 1100, 100, 1), REASS_QUEUED);
	assert_int_equal(ins(f, 1300, 100, 1), REASS_QUEUED);
	assert_int_equal(ins_m(f, 1500, 100, mk_chain(f, 1500, 100, 1, 3), 1, true, NOCAP, true),
	        REASS_QUEUED);
	assert_int_equal(f->p.used, 3);
	assert_true(rte_mempool_avail_count(f->mp) < f->avail0);
	reass_purge(&f->q, &f->p);
	assert_null(f->q.head);
	assert_int_equal(f->q.nsegs, 0);
	assert_int_equal(f->q.bytes, 0);
	assert_int_equal(f->q.has_fin, 0);
	assert_int_equal(f->q.nrecent, 0);
	NO_SACK(4);
	assert_int_equal(f->p.used, 0);
	assert_int_equal(rte_mempool_avail_count(f->mp), f->avail0);
	/* Usable again. */
	assert_int_equal(ins(f, 1100, 10, 2), REASS_QUEUED);
	SEGS({1100, 10});
}

/* ---- randomised, against the byte model ---- */

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

#define SPAN 4096u /* the random segments lie within rcv_nxt + SPAN */

/* Forget [from, to) in the model (delivered). */
static void
model_forget(struct fx *f, tern_seq_t from, tern_seq_t to)
{
	for (; from != to; from++)
		f->have[midx(f, from)] = 0;
}

static bool
has(const struct fx *f, tern_seq_t seq)
{
	return f->have[midx(f, seq)];
}

/* The queue, its SACK blocks and the model agree, at rcv_nxt @p rcv. When @p last_queued,
 * the first block holds @p last (the segment just inserted). */
static void
check_against_model(struct fx *f, tern_seq_t rcv, tern_seq_t last, bool last_queued)
{
	struct wire_sack_block b[WIRE_TCP_MAX_SACK];
	uint32_t bytes = 0, nranges = 0, i;
	unsigned n, j, k;
	tern_seq_t x;

	assert_false(has(f, rcv));
	for (i = 1; i < SPAN; i++) {
		bytes += has(f, rcv + i);
		if (has(f, rcv + i) && !has(f, rcv + i - 1))
			nranges++;
	}
	assert_false(has(f, rcv + SPAN));
	assert_int_equal(f->q.bytes, bytes);
	assert_int_equal(f->p.used, f->q.nsegs);

	n = reass_sack_blocks(&f->q, b, WIRE_TCP_MAX_SACK);
	assert_int_equal(n, nranges < WIRE_TCP_MAX_SACK ? nranges : WIRE_TCP_MAX_SACK);
	for (j = 0; j < n; j++) {
		/* a maximal queued range above rcv_nxt, reported once */
		assert_true(seq_gt(b[j].left, rcv) && seq_lt(b[j].left, b[j].right));
		assert_true(seq_lt(b[j].right, rcv + SPAN));
		assert_false(has(f, b[j].left - 1));
		assert_false(has(f, b[j].right));
		for (x = b[j].left; x != b[j].right; x++)
			assert_true(has(f, x));
		for (k = 0; k < j; k++)
			assert_int_not_equal(b[k].left, b[j].left);
	}
	if (last_queued)
		assert_true(n > 0 && seq_in(last, b[0].left, b[0].right));
}

static void
run_random(struct fx *f, uint32_t seed, tern_seq_t base, uint32_t max_segs, unsigned rounds)
{
	tern_seq_t rcv = base, from;
	uint32_t s = seed, moved = 0;
	unsigned i, nomem = 0, dup = 0, queued = 0;

	f->base = base;
	for (i = 0; i < rounds; i++) {
		uint32_t r = rnd(&s);
		uint32_t off = 1 + rnd(&s) % 3000, len = 1 + rnd(&s) % 400;
		tern_seq_t seq = rcv + off;
		uint8_t salt = (uint8_t)rnd(&s);
		struct rte_mbuf *m;
		enum reass_result res;

		m = r % 5 == 0 ? mk_chain(f, seq, len, salt, 1 + r / 5 % 3) : mk(f, seq, len, salt);
		res = ins_m(f, seq, len, m, salt, false, max_segs, true);
		nomem += res == REASS_NOMEM;
		dup += res == REASS_DUP;
		queued += res == REASS_QUEUED;
		assert_true(f->q.nsegs <= max_segs);
		check_against_model(f, rcv, seq, res != REASS_NOMEM);

		if (r % 7 == 0) {
			/* in-order data moves rcv_nxt on, maybe into queued bytes */
			from = rcv;
			rcv += 1 + rnd(&s) % 300;
			pop_all(f, &rcv, NULL);
			model_forget(f, from, rcv);
			moved += rcv - from;
			check_against_model(f, rcv, 0, false);
		}
	}
	/* The run went through every case and far enough to wrap the model's ring. */
	assert_true(queued > rounds / 4 && dup > 0);
	assert_true(moved > MODEL_SIZE);
	if (max_segs < 16)
		assert_true(nomem > 0);
	/* The rest pops byte-exact, hole after hole. */
	while (f->q.head != NULL) {
		rcv = f->q.head->seq;
		pop_all(f, &rcv, NULL);
	}
	NO_SEGS();
	NO_SACK(4);
}

static void
test_random(void **state)
{
	struct fx *f = *state;

	run_random(f, 0x12345678u, 1000, NODES, 5000);
}

static void
test_random_wrap_capped(void **state)
{
	struct fx *f = *state;

	run_random(f, 0x9e3779b9u, 0xfffff000u, 8, 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_in_order_pop, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overlap_new_inside_old, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overlap_exact_duplicate, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overlap_old_inside_new, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overlap_partial_left, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overlap_partial_right, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_overlap_spanning, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_spanning_at_cap_and_pool_empty, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_payload_pattern, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_padding_cut, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_max_segs, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_pool_exhaustion, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fin_out_of_order_then_fill, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fin_rules, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bare_fin, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_pop_trims, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_sack_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_chains, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_shared_newcomer, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_random_wrap_capped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
