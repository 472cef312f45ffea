/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine-only bulk TCP benchmark: two tern engines (client and server) joined by the
 * in-memory link of the unit tests (tests/unit/link.c), in one thread, on the real TSC
 * clock. No kernel, no NIC: what is measured is the stack itself (input, output, ACKs,
 * send and receive buffers, timers) plus the link's queue hand-off.
 *
 * Method:
 *  - one-way: the client sends BYTES (default 1 GiB) from a pattern buffer through
 *    tern_conn_send() as fast as the send buffer takes it, then half-closes; the server
 *    tern_conn_recv()s into a 64 KiB buffer and discards. Timed from the client's
 *    connected callback to the server holding the last byte.
 *  - echo: the server echoes (tern-echo's loop: receive only what the send buffer can
 *    take), the client reads the echo back. ECHO_BYTES (default 256 MiB) each way; timed
 *    until the client holds the last echoed byte.
 *  - baselines, in the same run and process: the same payload bytes cut into segments of
 *    the size tern used, (a) "mbuf+link": per segment allocate an mbuf from the same pool,
 *    write a 54-byte header area, copy the payload in, pass bursts of 32 through the same
 *    link (tx_burst on one end, rx_burst on the other), copy the payload out, free;
 *    (b) "copy": the two memcpy calls alone. Both are the floor any stack on this link
 *    pays for moving the bytes (one copy in from the application, one copy out to it).
 * Each figure is the median of REPS runs; the implementations alternate within a run.
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID): on a shared machine, time
 * given to other jobs is not counted.
 * Before timing, a 16 MiB transfer checks the bytes the server receives against the
 * pattern (one-way) and the echo the client receives (echo).
 *
 * --offload: the engines use what a NIC with offloads gives (zero-copy chains, IPv4/TCP
 * checksums on TX, TSO, checksum verdicts on RX); the link does the NIC's part in software
 * (gathers chains, fills in and checks the checksums, cuts TSO frames) and that work is
 * timed with the stack's, so the figure errs against tern (nic_cycles, reported apart). Segments
 * are then counted as they leave the link (TSO frames cut).
 *
 * --v6: the same run measures everything again over IPv6 (engines 2001:db8::1 and ::2,
 * the peer resolved by ND, MSS 1440) and prints the IPv6 rows beside the IPv4 ones, each
 * against its own baselines (segments of the size tern cut over that family, a 74-byte
 * header area for IPv6). Both families' engines then run on bench_clock_ns() (bench.h: the
 * TSC, as the default clock, plus a skew that skips DAD's second).
 *
 * usage: bench_tcp_bulk [--bytes N] [--echo-bytes N] [--reps N] [--rcvbuf N] [--sndbuf N]
 *                       [--offload] [--v6]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <tern/tern.h>

#include "bench.h"
#include "../unit/test_helpers.h"

#define PORT        5001
#define PAT_LEN     ((1u << 20) + 4093) /* not a power of two: offsets do not alias */
#define CHUNK       65536u
#define REPS        5
#define DEADLINE_S  120
#define HDR_ROOM    54 /* Ethernet + IPv4 + TCP without options */
#define HDR_ROOM6   74 /* Ethernet + IPv6 + TCP without options */
#define CHECK_BYTES (16u << 20)

enum mode { ONE_WAY, ECHO };

struct bulk {
	enum mode mode;
	uint64_t total;
	bool verify;
	const uint8_t *pat; /* PAT_LEN + CHUNK bytes: any offset has CHUNK contiguous */
	struct tern_conn *cc, *sc;
	uint64_t sent, srv_rcvd, srv_sent, cli_rcvd;
	bool shut, cli_closed, srv_closed;
	uint64_t mismatch; /* 1 + offset of the first wrong byte, 0 = none */
	uint64_t t0, t1;   /* ns */
	uint8_t buf[CHUNK];
};

/* CPU time of this thread: on a shared VM, time given to other jobs is not counted. */
static uint64_t
thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
check(struct bulk *b, uint64_t off, const uint8_t *p, size_t n)
{
	size_t i;

	if (!b->verify || b->mismatch)
		return;
	if (memcmp(p, b->pat + off % PAT_LEN, n) == 0)
		return;
	for (i = 0; i < n && p[i] == b->pat[(off + i) % PAT_LEN]; i++)
		;
	b->mismatch = off + i + 1;
}

static void
done(struct bulk *b)
{
	if (b->t1 == 0)
		b->t1 = thread_ns();
}

/* ---- client ---- */

static void
cli_pump(struct bulk *b)
{
	while (b->sent < b->total) {
		size_t space = tern_conn_send_space(b->cc), n;
		ssize_t s;

		if (space == 0)
			return;
		n = b->total - b->sent < space ? b->total - b->sent : space;
		n = n < CHUNK ? n : CHUNK;
		s = tern_conn_send(b->cc, b->pat + b->sent % PAT_LEN, n);
		if (s <= 0)
			return;
		b->sent += (uint64_t)s;
	}
	if (!b->shut) {
		tern_conn_shutdown(b->cc);
		b->shut = true;
	}
}

static void
cli_connected(struct tern_conn *c, void *app)
{
	struct bulk *b = app;

	b->cc = c;
	b->t0 = thread_ns();
	cli_pump(b);
}

static void
cli_writable(struct tern_conn *c, void *app)
{
	(void)c;
	cli_pump(app);
}

static void
cli_readable(struct tern_conn *c, void *app)
{
	struct bulk *b = app;
	ssize_t n;

	while ((n = tern_conn_recv(c, b->buf, sizeof(b->buf))) > 0) {
		check(b, b->cli_rcvd, b->buf, (size_t)n);
		b->cli_rcvd += (uint64_t)n;
		if (b->mode == ECHO && b->cli_rcvd == b->total)
			done(b);
	}
	if (n == 0)
		tern_conn_close(c);
}

static void
cli_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct bulk *b = app;

	(void)c;
	if (why != TERN_CLOSE_NORMAL)
		fprintf(stderr, "bench_tcp_bulk: client connection ended: %s\n",
		        tern_close_reason_name(why));
	b->cc = NULL;
	b->cli_closed = true;
}

/* ---- server ---- */

static void
srv_pump(struct tern_conn *c, struct bulk *b)
{
	for (;;) {
		size_t want = sizeof(b->buf);
		ssize_t n;

		if (b->mode == ECHO) {
			size_t space = tern_conn_send_space(c);
			if (space == 0)
				return; /* writable resumes */
			want = space < want ? space : want;
		}
		n = tern_conn_recv(c, b->buf, want);
		if (n == -EAGAIN)
			return;
		if (n == 0) {
			tern_conn_close(c);
			return;
		}
		if (n < 0)
			return;
		if (b->mode == ONE_WAY) {
			check(b, b->srv_rcvd, b->buf, (size_t)n);
			b->srv_rcvd += (uint64_t)n;
			if (b->srv_rcvd == b->total)
				done(b);
			continue;
		}
		b->srv_rcvd += (uint64_t)n;
		if (tern_conn_send(c, b->buf, (size_t)n) != n) {
			fprintf(stderr, "bench_tcp_bulk: echo send short, aborting\n");
			tern_conn_abort(c);
			return;
		}
		b->srv_sent += (uint64_t)n;
	}
}

static void
srv_accepted(struct tern_conn *c, void *app)
{
	((struct bulk *)app)->sc = c;
}

static void
srv_readable(struct tern_conn *c, void *app)
{
	srv_pump(c, app);
}

static void
srv_writable(struct tern_conn *c, void *app)
{
	srv_pump(c, app);
}

static void
srv_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct bulk *b = app;

	(void)c;
	if (why != TERN_CLOSE_NORMAL)
		fprintf(stderr, "bench_tcp_bulk: server connection ended: %s\n",
		        tern_close_reason_name(why));
	b->sc = NULL;
	b->srv_closed = true;
}

static const struct tern_callbacks cli_cb = {.connected = cli_connected,
        .readable = cli_readable,
        .writable = cli_writable,
        .closed = cli_closed};
static const struct tern_callbacks srv_cb = {.accepted = srv_accepted,
        .readable = srv_readable,
        .writable = srv_writable,
        .closed = srv_closed};

/* ---- one tern run ---- */

struct opts {
	uint64_t bytes, echo_bytes;
	unsigned reps;
	uint32_t rcvbuf, sndbuf;
	bool offload;
	bool v6; /* IPv6 rows too */
};

static bool fam6;                         /* the rows being measured are IPv6's */
static unsigned hdr_room = HDR_ROOM;      /* header area of the mbuf+link baseline */
static double seg_ns[2][2], base_x[2][2]; /* [family][mode]: ns per data segment, vs link */
static const uint8_t ip6_c[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ip6_s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

struct result {
	double secs;
	double nic_secs;    /* of them, the link doing a NIC's work (gather, checksums, TSO) */
	uint64_t data_segs; /* segments the data sender sent */
	uint64_t acks;      /* segments the data receiver sent (one-way: pure ACKs) */
	uint64_t retrans, drops;
	uint64_t rx_segs, predicted; /* segments both engines received; of them, predicted */
	uint64_t continued;          /* of those, taken as the burst's previous frame's sequel */
	bool ok;
};

static const struct test_host host_c = {IP4(198, 18, 1, 1), {{0x02, 0, 0, 0, 1, 1}}};
static const struct test_host host_s = {IP4(198, 18, 1, 2), {{0x02, 0, 0, 0, 1, 2}}};

static uint64_t
drops_of(const struct tern_stats *s)
{
	uint64_t d = 0;
	unsigned k;

	for (k = 0; k < TERN_DROP_MAX; k++)
		d += s->drop[k];
	return d;
}

static struct result
tern_run(struct rte_mempool *pool, const struct opts *o, enum mode mode, uint64_t total,
        bool verify, const uint8_t *pat)
{
	static struct test_clock unused_clock;
	struct result r = {0};
	struct bulk *b = calloc(1, sizeof(*b));
	struct test_link *l = test_link_new(pool, &unused_clock);
	struct tern_engine_conf cc, sc;
	struct tern_engine *ec, *es;
	const struct tern_stats *stc, *sts;
	uint64_t deadline;

	if (b == NULL) {
		fprintf(stderr, "bench_tcp_bulk: out of memory\n");
		exit(1);
	}
	b->mode = mode;
	b->total = total;
	b->verify = verify;
	b->pat = pat;
	test_engine_conf(&cc, l, 0, &host_c);
	test_engine_conf(&sc, l, 1, &host_s);
	/* Real time: the TSC clock the apps use (the link's fake clock only stamps frames). */
	memset(&cc.clock, 0, sizeof(cc.clock));
	memset(&sc.clock, 0, sizeof(sc.clock));
	cc.cb = &cli_cb;
	sc.cb = &srv_cb;
	cc.app = sc.app = b;
	if (o->v6) {
		cc.clock.now_ns = sc.clock.now_ns = bench_clock_ns;
	}
	if (fam6) {
		memcpy(cc.ip6, ip6_c, 16);
		memcpy(sc.ip6, ip6_s, 16);
	}
	cc.rcvbuf = sc.rcvbuf = o->rcvbuf;
	cc.sndbuf = sc.sndbuf = o->sndbuf;
	if (o->offload) {
		cc.tx_multi_seg = sc.tx_multi_seg = true;
		cc.tx_ip_csum_offload = sc.tx_ip_csum_offload = true;
		cc.tx_tcp_csum_offload = sc.tx_tcp_csum_offload = true;
		cc.tx_tso = sc.tx_tso = true;
		cc.rx_csum_offload = sc.rx_csum_offload = true;
		l->end[0].nic_rx_csum = l->end[1].nic_rx_csum = true;
	}
	ec = test_engine_new_conf(l, 0, &cc);
	es = test_engine_new_conf(l, 1, &sc);
	if (fam6) {
		/* DAD on both (untimed): probes out, the clock past ND_RETRANS_MS */
		struct tern_addr a = {.family = TERN_AF_INET6};
		unsigned i;

		for (i = 0; i < 4; i++) {
			tern_engine_poll(ec);
			tern_engine_poll(es);
		}
		bench_clock_skip(1100);
		for (i = 0; i < 4; i++) {
			tern_engine_poll(ec);
			tern_engine_poll(es);
		}
		if (tern_engine_ip6_state(ec) != TERN_IP6_PREFERRED ||
		        tern_engine_ip6_state(es) != TERN_IP6_PREFERRED) {
			fprintf(stderr, "bench_tcp_bulk: IPv6 addresses not preferred after DAD\n");
			exit(1);
		}
		memcpy(a.v6, ip6_s, 16);
		if (tern_listen(es, PORT, 0) != 0 ||
		        tern_connect_addr(ec, &a, PORT, 0, NULL) == NULL) {
			fprintf(stderr, "bench_tcp_bulk: listen/connect over IPv6 failed\n");
			exit(1);
		}
	} else if (tern_listen(es, PORT, 0) != 0 ||
	           tern_connect(ec, host_s.ip, PORT, 0, NULL) == NULL) {
		fprintf(stderr, "bench_tcp_bulk: listen/connect failed\n");
		exit(1);
	}
	deadline = thread_ns() + (uint64_t)DEADLINE_S * 1000000000u; /* CPU seconds */
	while (!(b->cli_closed && b->srv_closed)) {
		unsigned i;

		for (i = 0; i < 64; i++) {
			tern_engine_poll(ec);
			tern_engine_poll(es);
		}
		if (thread_ns() > deadline) {
			fprintf(stderr,
			        "bench_tcp_bulk: no end after %ds: sent %" PRIu64
			        " server got %" PRIu64 " client got %" PRIu64 "\n",
			        DEADLINE_S, b->sent, b->srv_rcvd, b->cli_rcvd);
			break;
		}
	}
	stc = tern_engine_stats(ec);
	sts = tern_engine_stats(es);
	r.ok = b->t1 != 0 && b->mismatch == 0 && b->cli_closed && b->srv_closed;
	/* the family asked for carried the transfer */
	if (r.ok && fam6 != (stc->ctr[TERN_CTR_TCP6_SEG_TX] > 0)) {
		fprintf(stderr, "bench_tcp_bulk: the transfer was not over IPv%d\n", fam6 ? 6 : 4);
		r.ok = false;
	}
	if (b->mismatch)
		fprintf(stderr, "bench_tcp_bulk: data mismatch at offset %" PRIu64 "\n",
		        b->mismatch - 1);
	r.secs = (double)(b->t1 - b->t0) / 1e9;
	r.nic_secs =
	        (double)(l->end[0].nic_cycles + l->end[1].nic_cycles) / (double)rte_get_tsc_hz();
	/* TSO frames count as the segments the port cut them into */
	r.data_segs = stc->ctr[TERN_CTR_TCP_SEG_TX] - stc->ctr[TERN_CTR_TSO_TX_FRAMES] +
	              stc->ctr[TERN_CTR_TSO_TX_SEGS];
	r.acks = sts->ctr[TERN_CTR_TCP_SEG_TX];
	r.retrans = stc->ctr[TERN_CTR_TCP_RETRANS] + sts->ctr[TERN_CTR_TCP_RETRANS];
	r.drops = drops_of(stc) + drops_of(sts);
	if (verify && r.drops > 0) { /* say what they were (once per mode: the check run) */
		unsigned k;

		printf("  %s check transfer's drops:", fam6 ? "IPv6" : "IPv4");
		for (k = 0; k < TERN_DROP_MAX; k++)
			if (stc->drop[k] + sts->drop[k] != 0)
				printf(" %s %" PRIu64, tern_drop_name((enum tern_drop)k),
				        stc->drop[k] + sts->drop[k]);
		printf("\n");
	}
	r.rx_segs = stc->ctr[TERN_CTR_TCP_SEG_RX] + sts->ctr[TERN_CTR_TCP_SEG_RX];
	r.predicted = stc->ctr[TERN_CTR_TCP_PREDICTED] + sts->ctr[TERN_CTR_TCP_PREDICTED];
	r.continued = stc->ctr[TERN_CTR_TCP_RX_CONTINUED] + sts->ctr[TERN_CTR_TCP_RX_CONTINUED];
	test_link_free(l);
	free(b);
	return r;
}

/* ---- baselines ---- */

static volatile uint8_t sink; /* keeps the copies observable */

/* Out of line, so that callgrind counts it apart (its instructions per segment beside
 * tern_run()'s). */
__attribute__((noinline)) static double
baseline_link(
        struct rte_mempool *pool, uint64_t total, unsigned seg, const uint8_t *pat, uint8_t *out)
{
	static struct test_clock unused_clock;
	struct test_link *l = test_link_new(pool, &unused_clock);
	struct tern_io *tx = &l->end[0].io, *rx = &l->end[1].io;
	struct rte_mbuf *pk[32];
	uint64_t off = 0, t0;
	double secs;

	t0 = thread_ns();
	while (off < total) {
		uint16_t n = 0, got, i, sent;

		while (n < 32 && off < total) {
			unsigned len = total - off < seg ? (unsigned)(total - off) : seg;
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			uint8_t *p;

			if (m == NULL) {
				fprintf(stderr, "bench_tcp_bulk: pool empty\n");
				exit(1);
			}
			p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(hdr_room + len));
			memset(p, 0, hdr_room);
			memcpy(p + hdr_room, pat + off % PAT_LEN, len);
			pk[n++] = m;
			off += len;
		}
		sent = tx->tx_burst(tx->arg, pk, n);
		for (i = sent; i < n; i++)
			rte_pktmbuf_free(pk[i]);
		while ((got = rx->rx_burst(rx->arg, pk, 32)) > 0) {
			for (i = 0; i < got; i++) {
				uint16_t len = (uint16_t)(rte_pktmbuf_data_len(pk[i]) - hdr_room);
				memcpy(out, rte_pktmbuf_mtod_offset(pk[i], uint8_t *, hdr_room),
				        len);
				sink ^= out[len - 1];
				rte_pktmbuf_free(pk[i]);
			}
		}
	}
	secs = (double)(thread_ns() - t0) / 1e9;
	test_link_free(l);
	return secs;
}

static double
baseline_copy(uint64_t total, unsigned seg, const uint8_t *pat, uint8_t *mid, uint8_t *out)
{
	uint64_t off = 0, t0 = thread_ns();

	while (off < total) {
		unsigned len = total - off < seg ? (unsigned)(total - off) : seg;

		memcpy(mid, pat + off % PAT_LEN, len);
		__asm__ volatile("" ::"r"(mid) : "memory");
		memcpy(out, mid, len);
		sink ^= out[len - 1];
		off += len;
	}
	return (double)(thread_ns() - t0) / 1e9;
}

/* ---- reporting ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
gbps(uint64_t bytes, double secs)
{
	return (double)bytes * 8 / secs / 1e9;
}

/* One mode: a check transfer, then REPS rounds of tern, mbuf+link, copy. @p seg: payload
 * bytes per data segment; measured in the one-way mode (0 on entry), reused for echo. */
static int
bench_mode(struct rte_mempool *pool, const struct opts *o, enum mode mode, const uint8_t *pat,
        unsigned *seg)
{
	uint64_t total = mode == ONE_WAY ? o->bytes : o->echo_bytes;
	uint64_t moved = mode == ECHO ? 2 * total : total; /* echo moves the bytes twice */
	const char *name = mode == ONE_WAY ? (fam6 ? "IPv6 one-way" : "one-way")
	                                   : (fam6 ? "IPv6 echo" : "echo");
	double t_tern[64], t_nic[64], t_link[64], t_copy[64], tt, tn, tl, tc;
	struct result r = {0};
	unsigned i;
	uint8_t *mid = malloc(CHUNK), *out = malloc(CHUNK);

	if (mid == NULL || out == NULL)
		return 1;
	if (!tern_run(pool, o, mode, total < CHECK_BYTES ? total : CHECK_BYTES, true, pat).ok) {
		fprintf(stderr, "bench_tcp_bulk: %s: check transfer failed\n", name);
		return 1;
	}
	for (i = 0; i < o->reps; i++) {
		r = tern_run(pool, o, mode, total, false, pat);
		if (!r.ok) {
			fprintf(stderr, "bench_tcp_bulk: %s: run %u failed\n", name, i);
			return 1;
		}
		t_tern[i] = r.secs;
		t_nic[i] = r.secs - r.nic_secs;
		if (*seg == 0) {
			/* Payload per segment as tern cut it: the client's segments less SYN,
			 * handshake ACK and FIN. */
			*seg = (unsigned)((total + (r.data_segs - 3) / 2) / (r.data_segs - 3));
			if (*seg < 64 || *seg > 9000)
				*seg = 1460;
		}
		t_link[i] = baseline_link(pool, moved, *seg, pat, out);
		t_copy[i] = baseline_copy(moved, *seg, pat, mid, out);
	}
	tt = median(t_tern, o->reps);
	tn = median(t_nic, o->reps);
	tl = median(t_link, o->reps);
	tc = median(t_copy, o->reps);
	seg_ns[fam6][mode] = tt * 1e9 / ((double)moved / *seg);
	base_x[fam6][mode] = tt / tl;
	printf("%s, %.0f MiB%s (payload %.0f MiB), segment payload %u bytes, median of %u:\n", name,
	        (double)total / (1 << 20), mode == ECHO ? " each way" : "",
	        (double)moved / (1 << 20), *seg, o->reps);
	printf("  tern               %6.2f Gbit/s  %7.1f ns/data segment  (client sent %" PRIu64
	       " segments, server %" PRIu64 "; retrans %" PRIu64 ", drops %" PRIu64 ")\n",
	        gbps(moved, tt), tt * 1e9 / ((double)moved / *seg), r.data_segs, r.acks, r.retrans,
	        r.drops);
	if (o->offload)
		printf("  tern less the NIC's part %7.1f ns/data segment  tern/baseline time "
		       "%5.2fx "
		       "(the link's gather, checksums and TSO cuts taken out)\n",
		        tn * 1e9 / ((double)moved / *seg), tn / tl);
	printf("  header prediction took %.1f%% of the %" PRIu64 " segments received (%.1f%% "
	       "as the sequel of the burst's previous frame)\n",
	        r.rx_segs ? 100.0 * (double)r.predicted / (double)r.rx_segs : 0.0, r.rx_segs,
	        r.rx_segs ? 100.0 * (double)r.continued / (double)r.rx_segs : 0.0);
	printf("  baseline mbuf+link %6.2f Gbit/s  %7.1f ns/data segment  tern/baseline time "
	       "%5.2fx\n",
	        gbps(moved, tl), tl * 1e9 / ((double)moved / *seg), tt / tl);
	printf("  baseline copy      %6.2f Gbit/s  %7.1f ns/data segment  tern/baseline time "
	       "%5.2fx\n",
	        gbps(moved, tc), tc * 1e9 / ((double)moved / *seg), tt / tc);
	free(mid);
	free(out);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {{"bytes", required_argument, 0, 'b'},
	        {"echo-bytes", required_argument, 0, 'e'}, {"reps", required_argument, 0, 'r'},
	        {"rcvbuf", required_argument, 0, 'R'}, {"sndbuf", required_argument, 0, 'S'},
	        {"offload", no_argument, 0, 'O'}, {"v6", no_argument, 0, '6'}, {0, 0, 0, 0}};
	struct opts o = {.bytes = 1ull << 30, .echo_bytes = 256ull << 20, .reps = REPS};
	char prefix[64];
	struct rte_mempool *pool;
	uint8_t *pat;
	unsigned i, seg = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'b':
			o.bytes = bench_parse_u64("bench_tcp_bulk", optarg, "--bytes", UINT64_MAX);
			break;
		case 'e':
			o.echo_bytes = bench_parse_u64(
			        "bench_tcp_bulk", optarg, "--echo-bytes", UINT64_MAX);
			break;
		case 'r':
			o.reps = (unsigned)bench_parse_u64(
			        "bench_tcp_bulk", optarg, "--reps", UINT64_MAX);
			break;
		case 'R':
			o.rcvbuf = (uint32_t)bench_parse_u64(
			        "bench_tcp_bulk", optarg, "--rcvbuf", UINT64_MAX);
			break;
		case 'S':
			o.sndbuf = (uint32_t)bench_parse_u64(
			        "bench_tcp_bulk", optarg, "--sndbuf", UINT64_MAX);
			break;
		case 'O':
			o.offload = true;
			break;
		case '6':
			o.v6 = true;
			break;
		default:
			fprintf(stderr,
			        "usage: bench_tcp_bulk [--bytes N] [--echo-bytes N] [--reps N] "
			        "[--rcvbuf N] [--sndbuf N] [--offload] [--v6]\n");
			return 2;
		}
	}
	if (o.reps > 64)
		o.reps = 64;
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench-bulk-%d", (int)getpid());
	char *eal[] = {argv[0], "--no-huge", "--no-shconf", "--no-pci", "-m", "512", prefix,
	        "--log-level=*:error", "--no-telemetry", NULL};
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "bench_tcp_bulk: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* The ports' pool shape: per-lcore cache of 256 (stack/port/port.c). */
	pool = rte_pktmbuf_pool_create(
	        "bench_bulk", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	pat = malloc(PAT_LEN + CHUNK);
	if (pool == NULL || pat == NULL) {
		fprintf(stderr, "bench_tcp_bulk: no memory\n");
		return 1;
	}
	{
		uint64_t s = 0x7465726e62756c6bull;
		for (i = 0; i < PAT_LEN + CHUNK; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			pat[i] = (uint8_t)(s >> 56);
		}
		memcpy(pat + PAT_LEN, pat, CHUNK); /* offsets wrap seamlessly */
	}
	printf("engine-only bulk TCP over the in-memory link (tests/unit/link.c), one thread, "
	       "rcvbuf %s, sndbuf %s, offloads %s\n",
	        o.rcvbuf ? "set" : "default", o.sndbuf ? "set" : "default",
	        o.offload ? "on (chains, checksums, TSO; the link does the NIC's part)" : "off");
	rc = bench_mode(pool, &o, ONE_WAY, pat, &seg);
	if (rc == 0)
		rc = bench_mode(pool, &o, ECHO, pat, &seg);
	if (rc == 0 && o.v6) {
		unsigned seg4 = seg;

		fam6 = true;
		hdr_room = HDR_ROOM6;
		seg = 0;
		rc = bench_mode(pool, &o, ONE_WAY, pat, &seg);
		if (rc == 0)
			rc = bench_mode(pool, &o, ECHO, pat, &seg);
		if (rc == 0) {
			printf("IPv6 beside IPv4 (segment payload %u vs %u bytes):\n", seg, seg4);
			printf("  one-way  %7.1f vs %7.1f ns/data segment (v6/v4 %.2fx); "
			       "tern/baseline %.2fx vs %.2fx\n",
			        seg_ns[1][ONE_WAY], seg_ns[0][ONE_WAY],
			        seg_ns[1][ONE_WAY] / seg_ns[0][ONE_WAY], base_x[1][ONE_WAY],
			        base_x[0][ONE_WAY]);
			printf("  echo     %7.1f vs %7.1f ns/data segment (v6/v4 %.2fx); "
			       "tern/baseline %.2fx vs %.2fx\n",
			        seg_ns[1][ECHO], seg_ns[0][ECHO], seg_ns[1][ECHO] / seg_ns[0][ECHO],
			        base_x[1][ECHO], base_x[0][ECHO]);
		}
	}
	free(pat);
	rte_mempool_free(pool);
	/* Leave no runtime directory behind (the EAL keeps an empty one). */
	bench_eal_cleanup();
	return rc;
}
