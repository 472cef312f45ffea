/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the connection API a proxy needs: zero-copy receive
 * (tern_conn_recv_mbuf), zero-copy send (tern_conn_send_mbuf) with received mbufs and
 * application-built chains (headroom, zero-length and indirect segments), the send
 * buffer's all-or-nothing limit, half-close through the zero-copy calls, and recovery from
 * an empty mbuf pool (-ENOBUFS, then a writable callback once mbufs come back).
 *
 * Two engines talk over the in-memory link (tests/unit/link.c) on a fake clock; every byte
 * is checked against a position-dependent pattern, in pieces of pseudo-random sizes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_helpers.h"

#define SPORT 5001

static const struct test_host host_a = {IP4(10, 0, 0, 1), {{0x02, 0, 0, 0, 0, 0x01}}};
static const struct test_host host_b = {IP4(10, 0, 0, 2), {{0x02, 0, 0, 0, 0, 0x02}}};

/* What a side does with its data. */
enum mode {
	M_COPY,       /* send with tern_conn_send, read with tern_conn_recv */
	M_RECV_MBUF,  /* send with tern_conn_send, read with tern_conn_recv_mbuf */
	M_ECHO_MBUF,  /* echo: recv_mbuf what the send space takes, send_mbuf it back */
	M_SEND_CHAIN, /* send application-built chains with send_mbuf, read with recv */
};

struct side {
	struct tern_engine *e;
	struct tern_conn *c;
	struct rte_mempool *pool; /* for built chains */
	enum mode mode;
	uint8_t salt;    /* pattern of what this side sends */
	uint8_t rx_salt; /* pattern of what it expects */
	uint64_t total;  /* bytes to send (not for echo) */
	uint64_t tx, rx; /* sent (accepted), received and checked */
	unsigned step;   /* varies piece sizes */
	unsigned mismatches, bad_chains, chains, multi_seg_chains;
	unsigned eagain, enobufs, writable;
	bool shut_when_done; /* shutdown() once total is sent */
	bool shut;
	bool eof, closed, hold_reads;
	bool abort_on_open; /* tern_conn_abort() in the accepted / connected callback */
	enum tern_close_reason why;
	struct rte_mbuf *pending; /* echo: chain the send buffer refused */
};

struct fx {
	struct rte_mempool *pool;
	unsigned free0;
	struct test_clock clk;
	struct test_link *l;
	struct side a, b;
};

static void
pattern(uint8_t *buf, size_t len, uint64_t off, uint8_t salt)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t x = off + i;
		buf[i] = (uint8_t)(x ^ (x >> 8) ^ (x >> 16) ^ salt);
	}
}

static uint32_t
piece(struct side *s, uint32_t max)
{
	return 1 + (uint32_t)((s->step++ * 2654435761u) >> 7) % max;
}

/* Check received bytes @p p against the expected pattern at s->rx. */
static void
check_bytes(struct side *s, const uint8_t *p, size_t n)
{
	uint8_t want[4096];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(want) ? n - done : sizeof(want);
		pattern(want, k, s->rx + done, s->rx_salt);
		if (memcmp(p + done, want, k) != 0)
			s->mismatches++;
		done += k;
	}
	s->rx += n;
}

/* A chain from recv_mbuf must be well formed; check it and its bytes. */
static void
check_chain(struct side *s, const struct rte_mbuf *m, ssize_t n)
{
	const struct rte_mbuf *seg;
	uint32_t segs = 0, len = 0;

	s->chains++;
	for (seg = m; seg != NULL; seg = seg->next) {
		if (seg->data_len == 0)
			s->bad_chains++;
		segs++;
		len += seg->data_len;
		check_bytes(s, rte_pktmbuf_mtod(seg, const uint8_t *), seg->data_len);
	}
	if (segs != m->nb_segs || len != m->pkt_len || len != (uint32_t)n)
		s->bad_chains++;
	if (segs > 1)
		s->multi_seg_chains++;
}

static void side_pump(struct side *s);

/* Build a chain of @p len pattern bytes at offset s->tx: random headroom, some zero-length
 * segments, some indirect clones. */
static struct rte_mbuf *
build_chain(struct side *s, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t done = 0;
	uint16_t nseg = 0;

	while (done < len || nseg == 0) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool), *seg;
		uint32_t k = piece(s, 1500);
		uint16_t off = (uint16_t)(piece(s, 256) - 1);

		assert_non_null(m);
		if (k > len - done)
			k = len - done;
		if (piece(s, 7) == 1)
			k = 0; /* a zero-length segment now and then */
		m->data_off = off;
		pattern((uint8_t *)rte_pktmbuf_append(m, (uint16_t)k), k, s->tx + done, s->salt);
		seg = m;
		if (k > 0 && piece(s, 5) == 1) {
			/* An indirect clone carries the bytes; the original goes away. */
			seg = rte_pktmbuf_clone(m, s->pool);
			assert_non_null(seg);
			rte_pktmbuf_free(m);
		}
		if (tail != NULL)
			tail->next = seg;
		else
			head = seg;
		tail = seg;
		done += k;
		nseg++;
	}
	head->nb_segs = nseg;
	head->pkt_len = len;
	return head;
}

static void
side_send(struct side *s)
{
	uint8_t buf[7000];

	while (s->tx < s->total) {
		uint32_t n = piece(s, sizeof(buf));
		ssize_t r;

		if (n > s->total - s->tx)
			n = (uint32_t)(s->total - s->tx);
		if (s->mode == M_SEND_CHAIN) {
			struct rte_mbuf *m = build_chain(s, n);
			int rc = tern_conn_send_mbuf(s->c, m);
			if (rc == -EAGAIN) {
				s->eagain++;
				rte_pktmbuf_free(m);
				return;
			}
			assert_int_equal(rc, 0);
			s->tx += n;
			continue;
		}
		pattern(buf, n, s->tx, s->salt);
		r = tern_conn_send(s->c, buf, n);
		if (r == -ENOBUFS) {
			s->enobufs++;
			return;
		}
		assert_true(r >= 0);
		s->tx += (uint64_t)r;
		if ((uint32_t)r < n)
			return; /* the buffer is full: writable follows */
	}
	if (s->shut_when_done && !s->shut) {
		assert_int_equal(tern_conn_shutdown(s->c), 0);
		s->shut = true;
	}
}

static void
side_read(struct side *s)
{
	uint8_t buf[5000];
	struct rte_mbuf *m;
	ssize_t r;

	if (s->hold_reads)
		return;
	for (;;) {
		if (s->mode == M_RECV_MBUF) {
			r = tern_conn_recv_mbuf(s->c, piece(s, 20000), &m);
			if (r > 0) {
				check_chain(s, m, r);
				rte_pktmbuf_free(m);
			}
		} else {
			r = tern_conn_recv(s->c, buf, piece(s, sizeof(buf)));
			if (r > 0)
				check_bytes(s, buf, (size_t)r);
		}
		if (r <= 0)
			break;
	}
	if (r == 0) {
		s->eof = true;
		/* Both directions done: close (the block may be waiting for it). */
		if (s->shut)
			tern_conn_close(s->c);
	}
}

/* Echo with the zero-copy calls: read no more than the send space, so nothing is refused. */
static void
side_echo(struct side *s)
{
	for (;;) {
		size_t space;
		struct rte_mbuf *m;
		ssize_t r;
		int rc;

		if (s->pending != NULL) {
			rc = tern_conn_send_mbuf(s->c, s->pending);
			if (rc == -EAGAIN) {
				s->eagain++;
				return;
			}
			assert_int_equal(rc, 0);
			s->pending = NULL;
		}
		space = tern_conn_send_space(s->c);
		if (space == 0)
			return;
		r = tern_conn_recv_mbuf(s->c, space, &m);
		if (r == -EAGAIN)
			return;
		if (r == 0) {
			s->eof = true;
			if (!s->shut) {
				assert_int_equal(tern_conn_shutdown(s->c), 0);
				s->shut = true;
			}
			tern_conn_close(s->c);
			return;
		}
		assert_true(r > 0);
		check_chain(s, m, r); /* the echo side checks what it got, too */
		s->tx += (uint64_t)r;
		rc = tern_conn_send_mbuf(s->c, m);
		assert_int_equal(rc, 0);
	}
}

static void
side_pump(struct side *s)
{
	if (s->c == NULL)
		return;
	if (s->mode == M_ECHO_MBUF) {
		side_echo(s);
		return;
	}
	side_send(s);
	side_read(s);
}

static void
cb_open(struct tern_conn *c, void *app)
{
	struct side *s = app;

	s->c = c;
	if (s->abort_on_open) {
		tern_conn_abort(c);
		return;
	}
	side_pump(s);
}

static void
cb_readable(struct tern_conn *c, void *app)
{
	struct side *s = app;

	assert_ptr_equal(c, s->c);
	side_pump(s);
}

static void
cb_writable(struct tern_conn *c, void *app)
{
	struct side *s = app;

	assert_ptr_equal(c, s->c);
	s->writable++;
	side_pump(s);
}

static void
cb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct side *s = app;

	assert_ptr_equal(c, s->c);
	s->closed = true;
	s->why = why;
	s->c = NULL;
	if (s->pending != NULL) {
		rte_pktmbuf_free(s->pending);
		s->pending = NULL;
	}
}

static const struct tern_callbacks cbs = {
        .accepted = cb_open,
        .connected = cb_open,
        .readable = cb_readable,
        .writable = cb_writable,
        .closed = cb_closed,
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = test_eal_pool();
	f->free0 = rte_mempool_avail_count(f->pool);
	f->clk.ns = 1000ull * 1000000000ull;
	f->l = test_link_new(f->pool, &f->clk);
	f->a.pool = f->b.pool = f->pool;
	f->a.salt = f->b.rx_salt = 0x11;
	f->b.salt = f->a.rx_salt = 0x11; /* an echo sends back what it got */
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	test_link_free(f->l);
	assert_int_equal(rte_mempool_avail_count(f->pool), f->free0); /* no mbuf leaked */
	free(f);
	return 0;
}

/* Engines on both ends (B listens on SPORT), A connects. @p pa: A's pool (NULL: shared). */
static struct tern_conn *
start(struct fx *f, struct rte_mempool *pa, uint32_t a_sndbuf, uint32_t b_rcvbuf)
{
	struct tern_conn *c;
	struct tern_engine_conf ca, cb;

	test_engine_conf(&ca, f->l, 0, &host_a);
	ca.cb = &cbs;
	ca.app = &f->a;
	ca.msl_ms = 1000;
	if (pa != NULL)
		ca.pool = pa;
	if (a_sndbuf)
		ca.sndbuf = a_sndbuf;
	test_engine_conf(&cb, f->l, 1, &host_b);
	cb.cb = &cbs;
	cb.app = &f->b;
	cb.msl_ms = 1000;
	cb.secret[0] ^= 1;
	if (b_rcvbuf)
		cb.rcvbuf = b_rcvbuf;
	f->a.e = test_engine_new_conf(f->l, 0, &ca);
	f->b.e = test_engine_new_conf(f->l, 1, &cb);
	assert_int_equal(tern_listen(f->b.e, SPORT, 0), 0);
	c = tern_connect(f->a.e, host_b.ip, SPORT, 0, NULL);
	assert_non_null(c);
	return c;
}

static void
run_until(struct fx *f, bool (*done)(struct fx *), unsigned max_ms)
{
	unsigned ms;

	for (ms = 0; ms < max_ms && !done(f); ms++)
		test_link_advance(f->l, 1);
	assert_true(done(f));
}

static bool
both_closed(struct fx *f)
{
	return f->a.closed && f->b.closed;
}

static uint64_t
ctr(const struct side *s, enum tern_counter c)
{
	return tern_engine_stats(s->e)->ctr[c];
}

static bool
b_got_data(struct fx *f)
{
	return f->b.rx >= 100000;
}

static bool
a_closed(struct fx *f)
{
	return f->a.closed;
}

/*
 * tern_engine_abort_all() (an app stopping at once): B, in the middle of a transfer,
 * aborts everything: its closed callback says ABORTED at once, the RST is sent in the same
 * call (not at a later poll), and A learns of it (closed with RESET). A second call finds
 * nothing.
 */
static void
test_abort_all(void **state)
{
	struct fx *f = *state;
	struct tern_gauges g;
	uint64_t rst;

	f->a.mode = M_COPY;
	f->a.total = 64u << 20; /* more than the test lets through */
	f->b.mode = M_COPY;
	start(f, NULL, 0, 0);
	run_until(f, b_got_data, 20000);
	rst = ctr(&f->b, TERN_CTR_TCP_RST_TX);
	assert_int_equal(tern_engine_abort_all(f->b.e), 1);
	assert_true(f->b.closed);
	assert_int_equal(f->b.why, TERN_CLOSE_ABORTED);
	assert_int_equal(ctr(&f->b, TERN_CTR_TCP_RST_TX), rst + 1);
	tern_engine_gauges(f->b.e, &g);
	assert_int_equal(g.established, 0);
	assert_int_equal(tern_engine_abort_all(f->b.e), 0);
	run_until(f, a_closed, 1000);
	assert_int_equal(f->a.why, TERN_CLOSE_RESET);
}

/*
 * An abort from the connected callback (tern-gen --close rst): the handshake's ACK, owed
 * since the SYN-ACK, leaves before the RST, so B completes the handshake A's app was told
 * about (a passive open) and then takes the RST. (Without the ACK, B only saw its
 * half-open entry reset: no passive open.) Both arrive in one burst, so B's app never
 * hears of the connection.
 */
static void
test_abort_on_connected(void **state)
{
	struct fx *f = *state;
	struct tern_gauges g;

	f->a.abort_on_open = true;
	start(f, NULL, 0, 0);
	run_until(f, a_closed, 1000);
	test_link_advance(f->l, 10);
	assert_int_equal(f->a.why, TERN_CLOSE_ABORTED);
	assert_int_equal(ctr(&f->a, TERN_CTR_TCP_RST_TX), 1);
	assert_int_equal(ctr(&f->b, TERN_CTR_TCP_PASSIVE_OPEN), 1);
	assert_int_equal(ctr(&f->b, TERN_CTR_TCP_RST_RX), 1);
	tern_engine_gauges(f->b.e, &g);
	assert_int_equal(g.established + g.syn_rcvd, 0);
}

/* recv_mbuf: 2 MB in pieces of random sizes, read as chains of random maximum lengths. */
static void
test_recv_mbuf(void **state)
{
	struct fx *f = *state;

	f->a.mode = M_COPY;
	f->a.total = 2u << 20;
	f->a.shut_when_done = true;
	f->b.mode = M_RECV_MBUF;
	f->b.shut_when_done = true; /* B sends nothing: shuts down at once */
	start(f, NULL, 0, 0);
	run_until(f, both_closed, 60000);
	assert_int_equal(f->b.rx, 2u << 20);
	assert_int_equal(f->b.mismatches, 0);
	assert_int_equal(f->b.bad_chains, 0);
	assert_true(f->b.eof);
	assert_true(f->b.multi_seg_chains > 0);             /* whole mbufs were handed over */
	assert_true(ctr(&f->b, TERN_CTR_ZC_RX_COPIED) > 0); /* and some were cut */
	assert_int_equal(f->a.why, TERN_CLOSE_NORMAL);
	assert_int_equal(f->b.why, TERN_CLOSE_NORMAL);
}

/*
 * Zero-copy echo: B hands every received chain back with send_mbuf (received mbufs with
 * headroom, into its send buffer). A half-closes after 3 MB; B still echoes what was in
 * flight after A's FIN, then half-closes on EOF; A checks every byte of the echo.
 */
static void
test_echo_mbuf_half_close(void **state)
{
	struct fx *f = *state;
	const uint64_t total = 3u << 20;

	f->a.mode = M_COPY;
	f->a.total = total;
	f->a.shut_when_done = true;
	f->b.mode = M_ECHO_MBUF;
	f->b.rx_salt = f->a.salt;
	start(f, NULL, 0, 0);
	run_until(f, both_closed, 120000);
	assert_int_equal(f->b.rx, total);
	assert_int_equal(f->b.tx, total);
	assert_int_equal(f->a.rx, total);
	assert_int_equal(f->a.mismatches, 0);
	assert_int_equal(f->b.mismatches, 0);
	assert_int_equal(f->b.bad_chains, 0);
	assert_int_equal(f->b.eagain, 0); /* reading no more than the space never overfills */
	assert_true(f->a.eof);
	assert_true(f->b.eof);
	assert_int_equal(f->a.why, TERN_CLOSE_NORMAL);
	assert_int_equal(f->b.why, TERN_CLOSE_NORMAL);
	assert_int_equal(ctr(&f->b, TERN_CTR_TCP_DATA_TX), total);
}

/* Application-built chains (headroom, zero-length segments, indirect clones) with
 * send_mbuf into a small send buffer: all-or-nothing refusals, writable resumes. */
static void
test_send_chains(void **state)
{
	struct fx *f = *state;
	const uint64_t total = 2u << 20;

	f->a.mode = M_SEND_CHAIN;
	f->a.total = total;
	f->a.shut_when_done = true;
	f->b.mode = M_COPY;
	f->b.rx_salt = f->a.salt;
	f->b.shut_when_done = true;
	start(f, NULL, 16384, 0);
	run_until(f, both_closed, 120000);
	assert_int_equal(f->a.tx, total);
	assert_int_equal(f->b.rx, total);
	assert_int_equal(f->b.mismatches, 0);
	assert_true(f->a.eagain > 0);   /* the 16 KB buffer refused chains */
	assert_true(f->a.writable > 0); /* and writable resumed */
	assert_true(ctr(&f->a, TERN_CTR_ZC_TX_COPIED) > 0);
	assert_int_equal(f->b.why, TERN_CLOSE_NORMAL);
}

static bool
a_connected(struct fx *f)
{
	return f->a.c != NULL && f->b.c != NULL;
}

/* send_mbuf's refusals leave the chain with the caller. */
static void
test_send_mbuf_errors(void **state)
{
	struct fx *f = *state;
	struct tern_conn *c;
	struct rte_mbuf *m, *m2;
	unsigned free_before;
	unsigned ms;

	f->a.mode = f->b.mode = M_COPY;
	f->b.hold_reads = true;
	c = start(f, NULL, 8192, 4096);
	/* Before the handshake completes. */
	m = rte_pktmbuf_alloc(f->pool);
	assert_non_null(m);
	memset(rte_pktmbuf_append(m, 1000), 'x', 1000);
	assert_int_equal(tern_conn_send_mbuf(c, m), -ENOTCONN);
	run_until(f, a_connected, 1000);
	assert_ptr_equal(c, f->a.c);

	assert_int_equal(tern_conn_send_mbuf(c, NULL), -EINVAL);
	m->nb_segs = 2; /* disagrees with the chain */
	assert_int_equal(tern_conn_send_mbuf(c, m), -EINVAL);
	m->nb_segs = 1;
	m->pkt_len = 999;
	assert_int_equal(tern_conn_send_mbuf(c, m), -EINVAL);
	m->pkt_len = 1000;

	/* Longer than the whole send buffer. */
	m2 = rte_pktmbuf_alloc(f->pool);
	assert_non_null(m2);
	memset(rte_pktmbuf_append(m2, 2000), 'y', 2000);
	{
		struct rte_mbuf *segs[5];
		unsigned i;
		for (i = 0; i < 5; i++) {
			segs[i] = rte_pktmbuf_alloc(f->pool);
			memset(rte_pktmbuf_append(segs[i], 1500), 'z', 1500);
			assert_int_equal(rte_pktmbuf_chain(m2, segs[i]), 0);
		}
	}
	assert_int_equal(rte_pktmbuf_pkt_len(m2), 9500);
	assert_int_equal(tern_conn_send_mbuf(c, m2), -EMSGSIZE);

	/* Fill: B does not read, its 4 KB window closes, A's 8 KB buffer fills. */
	for (ms = 0; ms < 2000; ms++) {
		int rc = tern_conn_send_mbuf(c, m);
		if (rc == -EAGAIN)
			break;
		assert_int_equal(rc, 0);
		m = rte_pktmbuf_alloc(f->pool);
		memset(rte_pktmbuf_append(m, 1000), 'x', 1000);
		test_link_advance(f->l, 1);
	}
	assert_int_equal(tern_conn_send_mbuf(c, m), -EAGAIN);
	assert_true(tern_conn_send_space(c) < 1000);
	free_before = rte_mempool_avail_count(f->pool);
	assert_int_equal(tern_conn_send_mbuf(c, m), -EAGAIN);
	assert_int_equal(rte_mempool_avail_count(f->pool), free_before); /* m not freed */
	f->a.writable = 0;
	/* B reads: A's buffer drains, writable follows. */
	f->b.hold_reads = false;
	side_read(&f->b);
	for (ms = 0; ms < 2000 && (f->a.writable == 0 || tern_conn_send_space(c) < 1000); ms++)
		test_link_advance(f->l, 1);
	assert_true(f->a.writable > 0);
	assert_int_equal(tern_conn_send_mbuf(c, m), 0);

	/* After shutdown. */
	assert_int_equal(tern_conn_shutdown(c), 0);
	assert_int_equal(tern_conn_send_mbuf(c, m2), -EPIPE);
	rte_pktmbuf_free(m2);
	tern_conn_abort(c);
	tern_conn_abort(f->b.c);
	test_link_advance(f->l, 10);
	assert_true(f->a.closed);
	assert_true(f->b.closed);
}

/*
 * -ENOBUFS recovery. Engine A has its own pool of 1024 mbufs. Connection X fills it: B
 * holds X's data unread, A's send buffer (8 MB) takes the pool down to the reserve the
 * engine keeps for itself. A second
 * connection Y, with nothing in flight, then finds the pool empty (-ENOBUFS): no ACK will
 * ever come for it, so only the engine's wait list can wake it. B starts reading X; the
 * pool refills; Y must get its writable callback and complete its transfer byte-exact.
 */
struct nb {
	struct side x, y;
	struct side bx, by;
	struct fx *f;
};

static struct nb *nb_ctx;

static struct side *
nb_side(struct tern_conn *c, bool a_side)
{
	struct nb *n = nb_ctx;
	struct side *s1 = a_side ? &n->x : &n->bx, *s2 = a_side ? &n->y : &n->by;

	if (s1->c == c)
		return s1;
	if (s2->c == c)
		return s2;
	return NULL;
}

static void
nb_open_a(struct tern_conn *c, void *app)
{
	struct side *s = tern_conn_udata(c);

	(void)app;
	s->c = c;
	side_pump(s);
}

static void
nb_open_b(struct tern_conn *c, void *app)
{
	struct nb *n = nb_ctx;
	struct tern_tuple t;
	struct side *s;

	(void)app;
	tern_conn_tuple(c, &t);
	/* X connects first from the lower port. */
	s = n->bx.c == NULL ? &n->bx : &n->by;
	s->c = c;
	tern_conn_set_udata(c, s);
	side_pump(s);
}

static void
nb_event(struct tern_conn *c, void *app)
{
	struct side *s = tern_conn_udata(c);

	(void)app;
	if (s != NULL && s->c == c)
		side_pump(s);
}

static void
nb_writable(struct tern_conn *c, void *app)
{
	struct side *s = tern_conn_udata(c);

	(void)app;
	s->writable++;
	side_pump(s);
}

static void
nb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct side *s = tern_conn_udata(c);

	(void)app;
	(void)nb_side;
	s->closed = true;
	s->why = why;
	s->c = NULL;
}

static bool
nb_all_closed(struct fx *f)
{
	(void)f;
	return nb_ctx->x.closed && nb_ctx->y.closed && nb_ctx->bx.closed && nb_ctx->by.closed;
}

static void
test_enobufs_recovery(void **state)
{
	struct fx *f = *state;
	static const struct tern_callbacks cba = {.connected = nb_open_a,
	        .readable = nb_event,
	        .writable = nb_writable,
	        .closed = nb_closed};
	static const struct tern_callbacks cbb = {.accepted = nb_open_b,
	        .readable = nb_event,
	        .writable = nb_writable,
	        .closed = nb_closed};
	struct tern_engine_conf ca, cb;
	struct rte_mempool *small;
	struct nb *n = calloc(1, sizeof(*n));
	const uint64_t total = 4u << 20;
	unsigned ms;

	assert_non_null(n);
	nb_ctx = n;
	small = rte_pktmbuf_pool_create(
	        "conn_small", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(small);
	n->x.mode = n->y.mode = M_COPY;
	n->x.total = n->y.total = total;
	n->x.salt = n->bx.rx_salt = 0x21;
	n->y.salt = n->by.rx_salt = 0x42;
	n->x.shut_when_done = true;
	n->bx.mode = n->by.mode = M_COPY;
	n->bx.shut_when_done = n->by.shut_when_done = true;
	n->bx.hold_reads = true; /* X's data piles up in B */
	n->y.total = 0;          /* Y starts sending later */

	test_engine_conf(&ca, f->l, 0, &host_a);
	ca.cb = &cba;
	ca.pool = small;
	ca.sndbuf = 8u << 20; /* the pool, not the buffer, is the limit */
	ca.msl_ms = 1000;
	test_engine_conf(&cb, f->l, 1, &host_b);
	cb.cb = &cbb;
	/* B's buffer holds A's mbufs on this link (a NIC would copy): keep it small. */
	cb.rcvbuf = 128u << 10;
	cb.msl_ms = 1000;
	cb.secret[0] ^= 1;
	n->x.e = test_engine_new_conf(f->l, 0, &ca);
	n->bx.e = n->by.e = test_engine_new_conf(f->l, 1, &cb);
	n->y.e = n->x.e;
	assert_int_equal(tern_listen(n->bx.e, SPORT, 0), 0);
	assert_non_null(tern_connect(n->x.e, host_b.ip, SPORT, 0, &n->x));
	for (ms = 0; ms < 3000 && n->x.enobufs == 0; ms++)
		test_link_advance(f->l, 1);
	/* X stalls on the pool: its data fills B's buffer and A's send buffer. */
	assert_true(n->x.tx < total);
	assert_true(rte_mempool_avail_count(small) < 128);
	assert_true(n->bx.c != NULL);

	/* Y, nothing in flight, finds the pool low. */
	assert_non_null(tern_connect(n->x.e, host_b.ip, SPORT, 0, &n->y));
	for (ms = 0; ms < 3000 && n->y.c == NULL; ms++)
		test_link_advance(f->l, 1);

	assert_non_null(n->y.c);
	n->y.total = total;
	n->y.shut_when_done = true;
	n->y.writable = 0;
	side_pump(&n->y);
	assert_true(n->y.enobufs > 0);
	assert_int_equal(n->y.tx, 0);
	test_link_advance(f->l, 200);
	assert_int_equal(n->y.writable, 0); /* nothing frees mbufs yet */
	assert_true(tern_engine_stats(n->x.e)->ctr[TERN_CTR_NOBUFS_WAIT] > 0);

	/* B reads X: mbufs come back, Y is woken and both transfers complete. */
	n->bx.hold_reads = false;
	side_read(&n->bx);
	for (ms = 0; ms < 200000 && !nb_all_closed(f); ms++)
		test_link_advance(f->l, 1);
	assert_true(n->y.writable > 0);
	assert_true(tern_engine_stats(n->x.e)->ctr[TERN_CTR_NOBUFS_WAKEUP] > 0);
	assert_true(nb_all_closed(f));
	assert_int_equal(n->bx.rx, total);
	assert_int_equal(n->by.rx, total);
	assert_int_equal(n->bx.mismatches, 0);
	assert_int_equal(n->by.mismatches, 0);
	assert_int_equal(n->x.why, TERN_CLOSE_NORMAL);
	assert_int_equal(n->y.why, TERN_CLOSE_NORMAL);

	test_engine_destroy(f->l, 0);
	test_engine_destroy(f->l, 1);
	assert_int_equal(rte_mempool_avail_count(small), 1024);
	rte_mempool_free(small);
	free(n);
	nb_ctx = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_recv_mbuf, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_abort_all, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_abort_on_connected, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_echo_mbuf_half_close, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_send_chains, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_send_mbuf_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_enobufs_recovery, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
