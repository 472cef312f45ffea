/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering micro-benchmark: the cost per received TCP frame of the step that gives every
 * segment to the engine owning its flow (stack/engine/steer.c), by method and engine
 * count, against baselines measured in the same run.
 *
 * Method: 1024 real IPv4/TCP frames in mbufs by default, one RX ring's worth (random peers
 * and ports toward our address, built once, untimed); with far more (--frames 16384: 32 MiB
 * of mbufs) every figure is a cache miss per frame instead. One "receiving" engine (engine 0 of n)
 * runs the steering step on bursts of 32, as tern_engine_poll() does before parsing: steer_rx()
 * (reads each frame's 4-tuple, the owner rule, misdirected ones stashed, then one ring enqueue per
 * owner), and the other engines' single-consumer dequeue of what they were handed. Frames are
 * reused, never freed. What the receiving engine keeps goes on to tcp_input in the real path and is
 * not part of this figure. Time: CLOCK_MONOTONIC around ROUNDS passes over all frames, median of
 * REPS runs.
 *
 * Which frames reach engine 0 depends on the method:
 *  - software (af_packet, tap): the NIC's spreading is unknown to tern, so frames arrive
 *    whatever their owner; share handed over ~ (n-1)/n;
 *  - rss: the NIC hashes with the key and RETA tern reads back, so the frames that reach
 *    queue 0 are the ones engine 0 owns (selected by rte_softrss, DPDK's own Toeplitz,
 *    untimed); share 0, only the rule's cost; "rss, 10% misdirected" puts one frame in ten
 *    from other queues there (a changed RETA, or af_packet's ROLLOVER); "rss, NIC's hash
 *    in the mbuf" as a NIC with RTE_ETH_RX_OFFLOAD_RSS_HASH delivers them (one RETA read);
 *  - rte_flow: answers to active opens (local port in the ephemeral range) reach the
 *    block's queue by rule: two compares and a 32-bit division, share 0 (the same rule
 *    serves the ephemeral ports under software, where they arrive as "software" frames do).
 * Baselines, same frames, same run:
 *  - "read ports": the loop reading each frame's ports (what one engine pays: nothing);
 *  - "ring pass": every frame through one rte_ring enqueue/dequeue in bursts of 32 (the
 *    handoff mechanism alone, for a frame that is always handed over).
 * Ratio = figure / "read ports": what steering costs next to touching the frame at all.
 *
 * usage: bench_steer [--frames N] [--rounds N] [--reps N]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "bench.h"
#include "engine/engine.h"
#include "engine/steer.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define BURST   32
#define MAXENG  8
#define US      0x0a000001u /* 10.0.0.1 */
#define PORT_LO 32768
#define PORT_HI 60999

static unsigned frames = 1024, rounds = 1024, reps = 5;
static struct rte_mempool *pool;
static struct rte_ring *rings[MAXENG];
static volatile uint64_t sink;

struct frame {
	struct rte_mbuf *m;
	struct wire_ipv4_repr ip;
	const uint8_t *l4;
};

static void
eal_up(void)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-bench-steer-%d", (int)getpid());
	char *argv[] = {"bench_steer", "--no-huge", "--no-shconf", "--no-pci", "-m", "512", prefix,
	        "--log-level=*:error", "--no-telemetry", NULL};
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "bench_steer: cannot start the EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	pool = rte_pktmbuf_pool_create(
	        "bench_steer", frames + 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	for (unsigned i = 0; i < MAXENG; i++) {
		char name[32];
		snprintf(name, sizeof(name), "bench_steer_%u", i);
		rings[i] = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SC_DEQ);
	}
	if (pool == NULL || rings[MAXENG - 1] == NULL) {
		fprintf(stderr, "bench_steer: no memory for mbufs or rings\n");
		exit(1);
	}
}

static bool nic_hash; /* engines told the mbufs carry the NIC's hash (rx_rss_hash) */

static struct tern_engine *
engine(unsigned n, unsigned id, enum tern_steer_method m, const struct tern_rss *rss)
{
	struct tern_engine_conf c;
	struct tern_engine *e;

	memset(&c, 0, sizeof(c));
	c.ip = US;
	c.prefix_len = 8;
	c.mac[0] = 2;
	c.pool = pool;
	c.io.rx_burst = bench_no_rx;
	c.io.tx_burst = bench_no_tx;
	c.max_conns = 64;
	c.max_tw = 64;
	c.synq_size = 64;
	c.reass_segs = 64;
	c.nengines = n;
	c.id = id;
	c.rings = rings;
	c.steer = m;
	c.rss = rss;
	c.rx_rss_hash = nic_hash;
	c.port_lo = PORT_LO;
	c.port_hi = PORT_HI;
	e = tern_engine_create(&c);
	if (e == NULL) {
		fprintf(stderr, "bench_steer: engine: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	return e;
}

/* A frame from @p src : @p sport to us : @p dport. */
static void
build(struct frame *f, uint32_t src, uint16_t sport, uint16_t dport)
{
	uint8_t *p;

	f->m = rte_pktmbuf_alloc(pool);
	if (f->m == NULL) {
		fprintf(stderr, "bench_steer: out of mbufs\n");
		exit(1);
	}
	p = (uint8_t *)rte_pktmbuf_append(f->m, 14 + 20 + 20);
	memset(p, 0, 54);
	p[12] = 0x08; /* Ethernet type IPv4 */
	memset(&f->ip, 0, sizeof(f->ip));
	f->ip.src = src;
	f->ip.dst = US;
	f->ip.hdr_len = 20;
	f->ip.total_len = 40;
	f->ip.ttl = 64;
	f->ip.proto = WIRE_IPPROTO_TCP;
	wire_ipv4_emit(p + 14, &f->ip, true);
	f->l4 = p + 34;
	p[34] = (uint8_t)(sport >> 8);
	p[35] = (uint8_t)sport;
	p[36] = (uint8_t)(dport >> 8);
	p[37] = (uint8_t)dport;
	p[46] = 5 << 4;
	p[47] = WIRE_TCP_ACK;
}

/* The NIC's queue for a frame (DPDK's Toeplitz, independent of tern's). */
static unsigned
nic_queue(const struct tern_rss *nic, uint32_t src, uint16_t sport, uint16_t dport)
{
	struct rte_ipv4_tuple t = {.src_addr = src, .dst_addr = US, .sport = sport, .dport = dport};
	uint32_t h = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, nic->key);

	return nic->reta[h % nic->reta_size];
}

enum pick { ANY, NIC_Q0, NIC_Q0_MIS10, EPHEMERAL_BLOCK0 };

/* Fill @p fr with frames engine 0 receives under @p pick. */
static void
make_frames(struct frame *fr, unsigned n, const struct tern_rss *nic, enum pick pick)
{
	uint64_t s = 42;
	unsigned i = 0;
	uint16_t b0_first;
	uint32_t b0_len;

	share_of(PORT_LO, PORT_HI, 0, n, &b0_first, &b0_len);
	while (i < frames) {
		uint64_t r = rnd(&s);
		uint32_t src = 0x0b000000u | (uint32_t)(r & 0xffffff);
		uint16_t sport = (uint16_t)(r >> 24), dport = 80;
		unsigned q;

		if (sport < 1024)
			continue;
		if (pick == EPHEMERAL_BLOCK0) {
			dport = (uint16_t)(b0_first + (r >> 40) % b0_len);
			sport = 443;
		}
		q = nic_queue(nic, src, sport, dport);
		if (pick == NIC_Q0 && q != 0)
			continue;
		if (pick == NIC_Q0_MIS10 && (q != 0) != (i % 10 == 9))
			continue;
		build(&fr[i], src, sport, dport);
		if (nic_hash) { /* what a NIC with RTE_ETH_RX_OFFLOAD_RSS_HASH hands over */
			struct rte_ipv4_tuple t = {
			        .src_addr = src, .dst_addr = US, .sport = sport, .dport = dport};
			fr[i].m->hash.rss =
			        rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, nic->key);
			fr[i].m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		}
		i++;
	}
}

static void
free_frames(struct frame *fr)
{
	for (unsigned i = 0; i < frames; i++)
		rte_pktmbuf_free(fr[i].m);
}

struct result {
	double ns;      /* per frame */
	double share;   /* handed over */
	double per_enq; /* frames per ring enqueue */
};

/* The steering step on every frame, ROUNDS times; median of REPS. */
static struct result
run_steer(struct tern_engine **e, unsigned n, struct frame *fr)
{
	double v[16];
	struct result r;
	uint64_t h0 = e[0]->stats.ctr[TERN_CTR_STEER_HANDOFF];
	uint64_t q0 = e[0]->stats.ctr[TERN_CTR_STEER_ENQUEUES];

	for (unsigned rep = 0; rep < reps; rep++) {
		uint64_t t0 = now_ns(), kept = 0;
		for (unsigned round = 0; round < rounds; round++) {
			for (unsigned b = 0; b < frames; b += BURST) {
				struct rte_mbuf *got[BURST * 2], *burst[BURST];
				for (unsigned i = 0; i < BURST; i++)
					burst[i] = fr[b + i].m;
				kept += steer_rx(e[0], burst, BURST);
				for (unsigned k = 1; k < n; k++)
					rte_ring_sc_dequeue_burst(
					        rings[k], (void **)got, BURST * 2, NULL);
			}
		}
		v[rep] = (double)(now_ns() - t0) / ((double)frames * rounds);
		sink += kept;
	}
	r.ns = bench_median(v, reps);
	{
		uint64_t h = e[0]->stats.ctr[TERN_CTR_STEER_HANDOFF] - h0;
		uint64_t q = e[0]->stats.ctr[TERN_CTR_STEER_ENQUEUES] - q0;
		r.share = (double)h / ((double)frames * rounds * reps);
		r.per_enq = q ? (double)h / (double)q : 0;
	}
	if (e[0]->stats.drop[TERN_DROP_STEER_RING_FULL] != 0) {
		fprintf(stderr, "bench_steer: a ring filled up: the figures are wrong\n");
		exit(1);
	}
	return r;
}

static double
run_read_ports(struct frame *fr)
{
	double v[16];

	for (unsigned rep = 0; rep < reps; rep++) {
		uint64_t t0 = now_ns(), s = 0;
		for (unsigned round = 0; round < rounds; round++)
			for (unsigned i = 0; i < frames; i++)
				s += (uint32_t)(fr[i].l4[0] << 8 | fr[i].l4[1]) ^
				     (uint32_t)(fr[i].l4[2] << 8 | fr[i].l4[3]) ^ fr[i].ip.src;
		sink += s;
		v[rep] = (double)(now_ns() - t0) / ((double)frames * rounds);
	}
	return bench_median(v, reps);
}

static double
run_ring_pass(struct frame *fr)
{
	double v[16];

	for (unsigned rep = 0; rep < reps; rep++) {
		uint64_t t0 = now_ns();
		for (unsigned round = 0; round < rounds; round++) {
			for (unsigned b = 0; b < frames; b += BURST) {
				struct rte_mbuf *ms[BURST];
				for (unsigned i = 0; i < BURST; i++)
					ms[i] = fr[b + i].m;
				rte_ring_mp_enqueue_burst(rings[1], (void **)ms, BURST, NULL);
				sink += rte_ring_sc_dequeue_burst(
				        rings[1], (void **)ms, BURST, NULL);
			}
		}
		v[rep] = (double)(now_ns() - t0) / ((double)frames * rounds);
	}
	return bench_median(v, reps);
}

static double
run_rule(struct tern_engine *e, struct frame *fr)
{
	double v[16];

	for (unsigned rep = 0; rep < reps; rep++) {
		uint64_t t0 = now_ns(), s = 0;
		for (unsigned round = 0; round < rounds; round++)
			for (unsigned i = 0; i < frames; i++)
				s += steer_owner(&e->steer, fr[i].ip.src, US,
				        (uint16_t)(fr[i].l4[0] << 8 | fr[i].l4[1]),
				        (uint16_t)(fr[i].l4[2] << 8 | fr[i].l4[3]));
		sink += s;
		v[rep] = (double)(now_ns() - t0) / ((double)frames * rounds);
	}
	return bench_median(v, reps);
}

static void
row(const char *name, unsigned n, struct result r, double base)
{
	printf("%-34s %2u  %7.1f  %7.1f  %6.1f%%  %7.1f  %5.2fx\n", name, n, r.ns, 1e3 / r.ns,
	        100.0 * r.share, r.per_enq, r.ns / base);
}

static struct tern_rss nic, other; /* the NIC's key and RETA; tern's own */
static struct frame *fr;
static double base_read;

/* One row: n engines under method @p m and rule @p rss, frames as @p pick delivers them
 * to engine 0 (with the NIC's hash in the mbuf when @p with_hash). */
static void
run_case(const char *name, unsigned n, enum tern_steer_method m, const struct tern_rss *rss,
        enum pick pick, bool with_hash)
{
	struct tern_engine *e[MAXENG];

	nic_hash = with_hash;
	for (unsigned i = 0; i < n; i++)
		e[i] = engine(n, i, m, rss);
	make_frames(fr, n, &nic, pick);
	row(name, n, run_steer(e, n, fr), base_read);
	for (unsigned i = 0; i < n; i++)
		tern_engine_destroy(e[i]);
	free_frames(fr);
	nic_hash = false;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"frames", required_argument, NULL, 'f'},
	        {"rounds", required_argument, NULL, 'r'}, {"reps", required_argument, NULL, 'n'},
	        {NULL, 0, NULL, 0}};
	double base_ring;
	uint64_t s = 7;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			frames = (unsigned)bench_parse_u64(argv[0], optarg, "--frames", 1u << 20);
			frames = (frames + BURST - 1) / BURST * BURST;
			break;
		case 'r':
			rounds = (unsigned)bench_parse_u64(argv[0], optarg, "--rounds", 1u << 20);
			break;
		case 'n':
			reps = (unsigned)bench_parse_u64(argv[0], optarg, "--reps", 15);
			break;
		default:
			fprintf(stderr,
			        "usage: bench_steer [--frames N] [--rounds N] [--reps N]\n");
			return 2;
		}
	}
	eal_up();
	fr = calloc(frames, sizeof(*fr));
	if (fr == NULL)
		return 1;
	/* The NIC's key and tern's own (software) key: random, different. */
	for (unsigned i = 0; i < 40; i++) {
		nic.key[i] = (uint8_t)rnd(&s);
		other.key[i] = (uint8_t)rnd(&s);
	}
	nic.key_len = other.key_len = 40;
	nic.reta_size = other.reta_size = 128;

	printf("# bench_steer: %u frames x %u rounds, median of %u; ns and Mframes/s per "
	       "frame received by one engine\n",
	        frames, rounds, reps);
	make_frames(fr, 1, &nic, ANY);
	base_read = run_read_ports(fr);
	base_ring = run_ring_pass(fr);
	printf("%-34s %2s  %7s  %7s  %7s  %7s  %6s\n", "case", "n", "ns", "Mfps", "handoff",
	        "f/enq", "/read");
	printf("%-34s %2s  %7.1f  %7.1f  %7s  %7s  %5.2fx\n", "baseline: read ports", "-",
	        base_read, 1e3 / base_read, "-", "-", 1.0);
	printf("%-34s %2s  %7.1f  %7.1f  %6.1f%%  %7.1f  %5.2fx\n", "baseline: ring pass", "-",
	        base_ring, 1e3 / base_ring, 100.0, (double)BURST, base_ring / base_read);
	for (unsigned n = 2; n <= MAXENG; n *= 2) {
		struct tern_engine *e[MAXENG];
		struct result r;

		for (unsigned i = 0; i < 128; i++)
			nic.reta[i] = other.reta[i] = (uint16_t)(i % n);
		/* software: tern's own key, frames as they come */
		for (unsigned i = 0; i < n; i++)
			e[i] = engine(n, i, TERN_STEER_SOFTWARE, &other);
		{
			struct result rr = {run_rule(e[0], fr), 0, 0};
			row("owner rule alone (Toeplitz)", n, rr, base_read);
		}
		r = run_steer(e, n, fr);
		row("software (af_packet, tap)", n, r, base_read);
		for (unsigned i = 0; i < n; i++)
			tern_engine_destroy(e[i]);
		free_frames(fr);
		/* rss: the NIC's key; frames the NIC puts on queue 0 (some from others) */
		run_case("rss (NIC key and RETA)", n, TERN_STEER_RSS, &nic, NIC_Q0, false);
		run_case("rss, 10% misdirected", n, TERN_STEER_RSS, &nic, NIC_Q0_MIS10, false);
		/* rss with the NIC's hash in each mbuf: one RETA read instead of the hash */
		run_case("rss, NIC's hash in the mbuf", n, TERN_STEER_RSS, &nic, NIC_Q0, true);
		/* rte_flow: answers to engine 0's active opens */
		run_case("rte_flow (active-open answers)", n, TERN_STEER_RTE_FLOW, &other,
		        EPHEMERAL_BLOCK0, false);
		make_frames(fr, n, &nic, ANY);
	}
	free_frames(fr);
	free(fr);
	bench_eal_cleanup();
	return sink == 42 ? 3 : 0;
}
