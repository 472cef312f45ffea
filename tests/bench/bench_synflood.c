/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine-only SYN flood benchmark: one tern engine on the in-memory link of the unit tests
 * (tests/unit/link.c), one thread, the real TSC clock. The other end of the link plays the
 * flooder: it queues pre-built frames toward the engine in bursts of 32, the engine polls
 * once, and whatever the engine sent back is drained and freed. No kernel, no NIC: what is
 * measured is the passive-open path of stack/tcp/tcp_listen.c (parse, checksum, flow
 * lookup, SYN queue or SYN cookie, SYN-ACK built in the SYN's own mbuf) plus the link's
 * queue hand-off and one engine poll per burst.
 *
 * Cases (times are per frame sent to the engine):
 *  - cookie: conf.syncookies = ALWAYS; every SYN gets a cookie SYN-ACK, no state.
 *  - synq: AUTO, listener backlog = synq_size = SYNS, starting empty: every SYN takes a SYN
 *    queue entry (the state path); a fresh engine for every round.
 *  - auto, backlog full: AUTO with the listener's backlog (default 1024, tern-echo's) already
 *    filled by untimed SYNs: each SYN tries the queue, is refused, gets a cookie.
 *  - auto, pool full: the same with the engine's SYN queue (synq_size) as the limit.
 *  - cookie ACK: the final ACK of cookie handshakes (SYN and SYN-ACK exchanged untimed, the
 *    ACK built from the captured SYN-ACK): cookie check, connection block, SYN_RCVD ->
 *    ESTABLISHED, the accepted callback (which keeps the connection).
 *  - bogus ACK, random: ACKs from random 4-tuples with random acknowledgment numbers while
 *    cookies are out (an ACK flood): about half fail on the cookie's counter field without
 *    hashing, the rest on the MAC; each draws a RST (RFC 9293).
 *  - bogus ACK, MAC: ACKs of real cookie handshakes with a wrong sequence number: the
 *    counter field is right, the MAC is computed and fails; a RST each.
 *  - baseline "mbuf+link reflect", the same frames through the same link: the responder's
 *    end rx_bursts the frame, swaps MAC, IP addresses and ports in place (the checksums stay
 *    valid: the sums are commutative) and tx_bursts it back; the flooder's end drains and
 *    frees. The least any responder pays per frame on this link. Ratio = tern / baseline.
 * SYNs: SYNS distinct 4-tuples (sources in 10.0.0.0/10, off-link behind the engine's gateway;
 * random ports and ISNs), options in four equal shares: MSS+SACK+TS+WS (Linux), MSS+WS+SACK,
 * MSS only (tern-gen), none (hping3). Before timing, one round of each SYN case checks every
 * SYN-ACK (IPv4 and TCP checksums, SYN|ACK, ack = seq + 1, addresses, ports, MAC, TSecr)
 * and that every SYN got one; the ACK cases check the connection and RST counts.
 * Time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) summed over the timed bursts of
 * ROUNDS rounds (frames are rebuilt, untimed, for every round); each figure is the median of
 * REPS runs, tern and baseline alternating within a run. Cycles = ns x rte_get_tsc_hz().
 *
 * --offload: the engine runs as on a port with checksum offloads (RX verdicts trusted, TX
 * sums left to the port). In the check round the link does the NIC's part in software and
 * every answer's checksums are verified; in timed rounds the NIC's work is free, as on
 * hardware (frames carry the RX verdict, answers leave unsummed). The baseline sums
 * nothing either way.
 *
 * --v6: the same run also measures over IPv6: cookie SYN -> SYN-ACK, SYN queue entry and
 * cookie ACK -> connection, against the reflect baseline over IPv6 frames (addresses of 16
 * bytes swapped). The engine has 2001:db8::c612:102/64 (DAD passed on bench_clock_ns(),
 * bench.h, which every engine of such a run uses); the SYNs come from the same spec
 * table, sources 2001:db8::<the IPv4 source's 32 bits> on the link. Their check round checks
 * every SYN-ACK over IPv6 (TCP checksum over the IPv6 pseudo header, hop limit, addresses,
 * ports, MACs, ack, TSecr).
 *
 * --only LIST: only these cases (comma-separated short names, case_short[] below; the
 * baseline of the family always runs), e.g. for a profile of one case:
 *   valgrind --tool=callgrind --toggle-collect=timed_part bench_synflood --only cookie \
 *       --syns 4096 --rounds 1 --reps 1
 * then callgrind's total / frames = instructions per frame of that case (and of its baseline).
 *
 * usage: bench_synflood [--syns N] [--rounds N] [--reps N] [--backlog N] [--offload] [--v6]
 *                       [--only LIST]
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

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <tern/tern.h>

#include "../unit/test_helpers.h"
#include "bench.h"
#include "wire/csum.h"
#include "wire/ipv6.h"

#define PORT       80
#define BURST      32
#define REPS       5
#define MAX_REPS   64
#define SRC_BITS   22 /* sources: 10.0.0.0/10 */
#define SRC_BASE   IP4(10, 0, 0, 0)
#define SRC_MUL    0x9e3779b1u /* odd: i -> i * SRC_MUL mod 2^22 is a bijection */
#define FRAME_ROOM 256         /* data room of the frame pool beyond the headroom */
#define DEF_CONNS  65536u      /* engine defaults (include/tern/tern.h) */
#define DEF_TW     262144u
#define DEF_SYNQ   65536u

enum syn_kind { K_LINUX, K_NOTS, K_MSS, K_NONE, K_COUNT };

struct syn_spec {
	uint32_t ip;
	uint16_t sport;
	uint8_t kind;
	uint32_t seq;
	uint32_t tsval;
};

struct opts {
	unsigned syns, rounds, reps, backlog;
	bool offload;
	bool v6;       /* the IPv6 cases too */
	uint32_t only; /* --only: bit c set = run case c (0 = all) */
};

struct bench {
	struct opts o;
	struct rte_mempool *frames; /* SYN / ACK frames the flooder sends (small mbufs) */
	struct rte_mempool *pool;   /* the engine's own pool, shaped like the ports' */
	struct syn_spec *spec;      /* o.syns */
	uint32_t *cookie;           /* per spec: the SYN-ACK's ISN, for the ACK cases */
	uint32_t *synack_tsval;     /* per spec: the SYN-ACK's TSval */
	struct rte_mbuf **f;        /* o.syns frames being sent */
	unsigned nspec;             /* specs: o.syns + o.backlog (the fill cases use more) */
	uint64_t accepted;          /* accepted callbacks */
	uint32_t src_inv;           /* inverse of SRC_MUL mod 2^32 */
	bool fam6;                  /* the case being run is over IPv6 */
};

static const struct test_host host_e = {IP4(198, 18, 1, 2), {{0x02, 0, 0, 0, 1, 2}}};
static const struct wire_mac peer_mac = {{0x02, 0, 0, 0, 1, 1}};
#define GATEWAY IP4(198, 18, 1, 254)
static void die(const char *what);

/* IPv6: ours, and the prefix of the sources (the low 32 bits are the IPv4 source's). */
static const struct wire_ip6 us6 = {{0x20, 0x01, 0x0d, 0xb8, [12] = 0xc6, 0x12, 0x01, 0x02}};

static struct wire_ip6
spec_ip6(uint32_t ip)
{
	struct wire_ip6 a = {{0x20, 0x01, 0x0d, 0xb8}};

	a.b[12] = (uint8_t)(ip >> 24);
	a.b[13] = (uint8_t)(ip >> 16);
	a.b[14] = (uint8_t)(ip >> 8);
	a.b[15] = (uint8_t)ip;
	return a;
}

/* An Ethernet + IPv6 + TCP frame from @p src (MAC @p smac) to us, checksums right. */
static struct rte_mbuf *
craft_tcp6(struct rte_mempool *pool, const struct wire_ip6 *src, const struct wire_mac *smac,
        const struct wire_tcp_repr *th)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct wire_eth_repr eth = {.dst = host_e.mac, .src = *smac, .type = WIRE_ETHERTYPE_IPV6};
	struct wire_ipv6_repr ip;
	uint8_t *p, *tcp;
	size_t hl;
	uint16_t cs;

	if (m == NULL)
		die("frame pool empty");
	p = (uint8_t *)rte_pktmbuf_append(m, WIRE_ETH_HLEN + WIRE_IPV6_HLEN + WIRE_TCP_MAXHLEN);
	if (p == NULL)
		die("frame too long");
	tcp = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;
	hl = wire_tcp_emit(tcp, th);
	memset(&ip, 0, sizeof(ip));
	ip.src = *src;
	ip.dst = us6;
	ip.next_hdr = WIRE_IPPROTO_TCP;
	ip.hop_limit = 64;
	ip.payload_len = (uint16_t)hl;
	wire_ipv6_emit(p + WIRE_ETH_HLEN, &ip);
	wire_eth_emit(p, &eth);
	tcp[WIRE_TCP_CSUM_OFF] = tcp[WIRE_TCP_CSUM_OFF + 1] = 0;
	cs = wire_csum_fold(wire_csum_add(
	        wire_csum_pseudo6(src, &us6, WIRE_IPPROTO_TCP, (uint32_t)hl), tcp, hl));
	tcp[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
	tcp[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	rte_pktmbuf_trim(m, (uint16_t)(WIRE_TCP_MAXHLEN - hl));
	return m;
}

/* CPU time of this thread: on a shared VM, time given to other jobs is not counted. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_synflood: %s\n", what);
	exit(1);
}

/* ---- frames ---- */

static uint32_t
spec_ip(unsigned i)
{
	return SRC_BASE | ((i * SRC_MUL) & ((1u << SRC_BITS) - 1));
}

/* Index of the spec whose source is @p ip (the inverse of spec_ip), or UINT32_MAX. */
static uint32_t
spec_index(const struct bench *b, uint32_t ip)
{
	uint32_t i;

	if ((ip & ~((1u << SRC_BITS) - 1)) != SRC_BASE)
		return UINT32_MAX;
	i = ((ip - SRC_BASE) * b->src_inv) & ((1u << SRC_BITS) - 1);
	return i < b->nspec ? i : UINT32_MAX;
}

static void
make_specs(struct bench *b)
{
	uint64_t seed = 0x73796e666c6f6f64ull;
	uint32_t inv = SRC_MUL;
	unsigned i;

	for (i = 0; i < 5; i++)
		inv *= 2 - SRC_MUL * inv; /* Newton: inverse of an odd number mod 2^32 */
	b->src_inv = inv;
	for (i = 0; i < b->nspec; i++) {
		uint64_t r = rnd(&seed);

		b->spec[i].ip = spec_ip(i);
		b->spec[i].sport = (uint16_t)(1024 + (r % 64512));
		b->spec[i].seq = (uint32_t)(r >> 32);
		b->spec[i].tsval = (uint32_t)rnd(&seed);
		b->spec[i].kind = (uint8_t)(i % K_COUNT);
	}
}

static struct test_host
spec_host(const struct syn_spec *s)
{
	struct test_host h = {s->ip, peer_mac};

	return h;
}

static struct rte_mbuf *
craft_syn(const struct bench *b, const struct syn_spec *s)
{
	struct wire_tcp_repr th = {.sport = s->sport,
	        .dport = PORT,
	        .seq = s->seq,
	        .flags = WIRE_TCP_SYN,
	        .win = s->kind == K_LINUX ? 64240 : 65535};
	struct test_host from = spec_host(s);

	switch (s->kind) {
	case K_LINUX:
		th.opts.present =
		        WIRE_TCPO_MSS | WIRE_TCPO_SACK_PERM | WIRE_TCPO_TS | WIRE_TCPO_WSCALE;
		th.opts.wscale = 7;
		th.opts.tsval = s->tsval;
		break;
	case K_NOTS:
		th.opts.present = WIRE_TCPO_MSS | WIRE_TCPO_WSCALE | WIRE_TCPO_SACK_PERM;
		th.opts.wscale = 8;
		break;
	case K_MSS:
		th.opts.present = WIRE_TCPO_MSS;
		break;
	default:
		break;
	}
	th.opts.mss = 1460;
	if (b->fam6) {
		struct wire_ip6 src = spec_ip6(s->ip);

		th.opts.mss = 1440;
		return craft_tcp6(b->frames, &src, &peer_mac, &th);
	}
	return test_craft_tcp(b->frames, &from, &host_e, &th, NULL, 0);
}

static void
build_syns(struct bench *b, unsigned from, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		b->f[i] = craft_syn(b, &b->spec[from + i]);
}

/* The final ACK of spec @p i's handshake (cookie from its SYN-ACK); @p seq_off != 0 makes
 * it a forgery with the right counter field and a wrong MAC input. */
static struct rte_mbuf *
craft_ack(const struct bench *b, unsigned i, uint32_t seq_off)
{
	const struct syn_spec *s = &b->spec[i];
	struct wire_tcp_repr th = {.sport = s->sport,
	        .dport = PORT,
	        .seq = s->seq + 1 + seq_off,
	        .ack = b->cookie[i] + 1,
	        .flags = WIRE_TCP_ACK,
	        .win = 502};
	struct test_host from = spec_host(s);

	if (s->kind == K_LINUX) {
		th.opts.present = WIRE_TCPO_TS;
		th.opts.tsval = s->tsval + 1;
		th.opts.tsecr = b->synack_tsval[i];
	}
	if (b->fam6) {
		struct wire_ip6 src = spec_ip6(s->ip);

		return craft_tcp6(b->frames, &src, &peer_mac, &th);
	}
	return test_craft_tcp(b->frames, &from, &host_e, &th, NULL, 0);
}

/* An ACK from a random 4-tuple with a random acknowledgment number (an ACK flood). */
static struct rte_mbuf *
craft_junk_ack(const struct bench *b, uint64_t *seed)
{
	uint64_t r = rnd(seed);
	struct test_host from = {SRC_BASE | ((uint32_t)r & ((1u << SRC_BITS) - 1)), peer_mac};
	struct wire_tcp_repr th = {.sport = (uint16_t)(1024 + ((r >> 24) % 64512)),
	        .dport = PORT,
	        .seq = (uint32_t)rnd(seed),
	        .ack = (uint32_t)(r >> 32),
	        .flags = WIRE_TCP_ACK,
	        .win = 502};

	return test_craft_tcp(b->frames, &from, &host_e, &th, NULL, 0);
}

/* ---- engines ---- */

static void
on_accepted(struct tern_conn *c, void *app)
{
	(void)c;
	((struct bench *)app)->accepted++; /* the connection stays until the engine goes */
}

static const struct tern_callbacks cbs = {.accepted = on_accepted};

/* An engine on end 0 listening on PORT; table sizes 0 take the engine defaults (those of
 * tern-echo: 65536 connections, 262144 TIME_WAIT entries, 65536 SYN queue entries). */
static struct tern_engine *
engine_new(struct bench *b, struct test_link *l, enum tern_syncookies mode, uint32_t synq_size,
        uint32_t max_conns, uint32_t max_tw, uint32_t backlog)
{
	const struct wire_arp_repr gw = {.op = WIRE_ARP_OP_REPLY,
	        .sha = peer_mac,
	        .spa = GATEWAY,
	        .tha = host_e.mac,
	        .tpa = host_e.ip};
	struct tern_engine_conf c;
	struct tern_engine *e;

	test_engine_conf(&c, l, 0, &host_e);
	memset(&c.clock, 0, sizeof(c.clock)); /* real time: the TSC clock the apps use */
	c.pool = b->pool;
	c.gateway = GATEWAY;
	c.cb = &cbs;
	c.app = b;
	c.syncookies = mode;
	c.synq_size = synq_size;
	c.max_conns = max_conns;
	c.max_tw = max_tw;
	if (b->o.v6)
		c.clock.now_ns = bench_clock_ns; /* both families: DAD skipped by a clock jump */
	if (b->fam6)
		memcpy(c.ip6, us6.b, 16);
	if (b->o.offload) {
		/* A port with checksum offloads: the engine takes the RX verdicts and leaves
		 * the TX sums to the port; the link plays the NIC (its work is not counted). */
		c.rx_csum_offload = c.tx_ip_csum_offload = c.tx_tcp_csum_offload = true;
		l->end[0].nic_rx_csum = true;
	}
	e = test_engine_new_conf(l, 0, &c);
	if (b->fam6) {
		/* DAD (untimed): the probes out, the clock past ND_RETRANS_MS, probes dropped */
		struct tern_io *peer = &l->end[1].io;
		struct rte_mbuf *out[BURST];
		uint16_t got;

		tern_engine_poll(e);
		bench_clock_skip(1100);
		tern_engine_poll(e);
		tern_engine_poll(e);
		if (tern_engine_ip6_state(e) != TERN_IP6_PREFERRED)
			die("IPv6 address not preferred after DAD");
		while ((got = peer->rx_burst(peer->arg, out, BURST)) > 0)
			rte_pktmbuf_free_bulk(out, got);
	}
	if (tern_listen(e, PORT, backlog) != 0)
		die("tern_listen failed");
	/* The gateway (the flooder's end) is known, as on a live port: RSTs to off-link
	 * sources go through the ARP cache (SYN-ACKs go to the SYN's source MAC). */
	test_link_inject(l, 0, test_craft_arp(b->frames, &host_e.mac, &gw));
	tern_engine_poll(e);
	return e;
}

/*
 * Send @p n frames of b->f toward the engine in bursts of BURST, one poll per burst, and
 * drain what comes back. With @p keep, returned frames are stored there (up to @p keep_max)
 * instead of being freed. @return frames that came back.
 */
static uint64_t
pump(struct bench *b, struct test_link *l, struct tern_engine *e, unsigned n,
        struct rte_mbuf **keep, unsigned keep_max)
{
	struct tern_io *peer = &l->end[1].io;
	struct rte_mbuf *out[BURST];
	uint64_t back = 0;
	unsigned i;

	for (i = 0; i < n; i += BURST) {
		uint16_t k = (uint16_t)(n - i < BURST ? n - i : BURST), got, j;

		if (peer->tx_burst(peer->arg, b->f + i, k) != k)
			die("link queue full");
		tern_engine_poll(e);
		while ((got = peer->rx_burst(peer->arg, out, BURST)) > 0) {
			if (keep == NULL) {
				rte_pktmbuf_free_bulk(out, got);
			} else {
				for (j = 0; j < got; j++) {
					if (back + j < keep_max)
						keep[back + j] = out[j];
					else
						rte_pktmbuf_free(out[j]);
				}
			}
			back += got;
		}
	}
	return back;
}

/*
 * The timed part of a round, out of line so that a profile can be confined to it:
 * valgrind --tool=callgrind --toggle-collect=timed_part counts only what the figures time.
 */
static uint64_t reflect(struct bench *b, struct test_link *l, unsigned n);

static __attribute__((noinline)) uint64_t
timed_part(struct bench *b, struct test_link *l, struct tern_engine *e, unsigned n,
        struct rte_mbuf **keep)
{
	if (e == NULL)
		return reflect(b, l, n);
	return pump(b, l, e, n, keep, keep ? n : 0);
}

/* The baseline: the responder's end reflects every frame (swap MACs, addresses, ports). */
static uint64_t
reflect(struct bench *b, struct test_link *l, unsigned n)
{
	struct tern_io *peer = &l->end[1].io, *me = &l->end[0].io;
	struct rte_mbuf *pk[BURST], *out[BURST];
	uint64_t back = 0;
	unsigned i;

	for (i = 0; i < n; i += BURST) {
		uint16_t k = (uint16_t)(n - i < BURST ? n - i : BURST), got, j, sent;

		if (peer->tx_burst(peer->arg, b->f + i, k) != k)
			die("link queue full");
		got = me->rx_burst(me->arg, pk, BURST);
		for (j = 0; j < got; j++) {
			uint8_t *p = rte_pktmbuf_mtod(pk[j], uint8_t *), t[6];
			uint8_t *ip = p + WIRE_ETH_HLEN, *th;
			uint32_t a;
			uint16_t port;

			memcpy(t, p, 6);
			memcpy(p, p + 6, 6);
			memcpy(p + 6, t, 6);
			if (b->fam6) { /* IPv6: 16-byte addresses, a fixed 40-byte header */
				uint8_t a6[16];

				th = ip + WIRE_IPV6_HLEN;
				memcpy(a6, ip + 8, 16);
				memcpy(ip + 8, ip + 24, 16);
				memcpy(ip + 24, a6, 16);
			} else {
				th = ip + ((ip[0] & 0xf) << 2);
				memcpy(&a, ip + 12, 4);
				memcpy(ip + 12, ip + 16, 4);
				memcpy(ip + 16, &a, 4);
			}
			memcpy(&port, th, 2);
			memcpy(th, th + 2, 2);
			memcpy(th + 2, &port, 2);
		}
		sent = me->tx_burst(me->arg, pk, got);
		if (sent != got)
			die("link queue full");
		while ((got = peer->rx_burst(peer->arg, out, BURST)) > 0) {
			rte_pktmbuf_free_bulk(out, got);
			back += got;
		}
	}
	return back;
}

/* ---- checks ---- */

/*
 * Decode an IPv6 answer into the IPv4-shaped fields check_synacks() reads: ip_csum_ok =
 * hop limit 64, no extension header, the payload exactly the frame's; ip.src = host_e.ip
 * when the source is us6; ip.dst = the low 32 bits of a destination in the sources' prefix
 * (else 0); tcp_csum_ok over the IPv6 pseudo header.
 */
static void
decode6(struct test_pkt *p, const uint8_t *f, size_t len)
{
	struct wire_ipv6_repr ip;
	const uint8_t *tcp = f + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;
	struct wire_ip6 pre = spec_ip6(0);

	p->is_tcp = p->ip_csum_ok = p->tcp_csum_ok = false;
	if (wire_eth_parse(f, len, &p->eth) != WIRE_OK || p->eth.type != WIRE_ETHERTYPE_IPV6 ||
	        wire_ipv6_parse(f + WIRE_ETH_HLEN, len - WIRE_ETH_HLEN, &ip) != WIRE_OK ||
	        ip.next_hdr != WIRE_IPPROTO_TCP)
		return;
	p->ip_csum_ok = ip.hop_limit == 64 &&
	                len == WIRE_ETH_HLEN + WIRE_IPV6_HLEN + (size_t)ip.payload_len;
	p->ip.src = wire_ip6_eq(&ip.src, &us6) ? host_e.ip : 0;
	p->ip.dst = memcmp(ip.dst.b, pre.b, 12) == 0
	                    ? (uint32_t)ip.dst.b[12] << 24 | (uint32_t)ip.dst.b[13] << 16 |
	                              (uint32_t)ip.dst.b[14] << 8 | ip.dst.b[15]
	                    : 0;
	p->is_tcp = wire_tcp_parse(tcp, ip.payload_len, &p->tcp) == WIRE_OK;
	p->tcp_csum_ok = wire_csum_fold(wire_csum_add(wire_csum_pseudo6(&ip.src, &ip.dst,
	                                                      WIRE_IPPROTO_TCP, ip.payload_len),
	                         tcp, ip.payload_len)) == 0;
}

/*
 * Check the SYN-ACKs in @p m (@p n of them) answering specs [from, from + count): each
 * valid and matching its SYN, each SYN answered once. Records cookie and TSval per spec.
 * @return the number of problems (0 = all good), printing the first few.
 */
static unsigned
check_synacks(struct bench *b, struct rte_mbuf **m, uint64_t n, unsigned from, unsigned count,
        bool cookie, const char *what)
{
	uint8_t *seen = calloc(count, 1);
	unsigned bad = 0, i;
	struct test_pkt *p = malloc(sizeof(*p));

	if (seen == NULL || p == NULL)
		die("out of memory");
#define BAD(...)                                                       \
	do {                                                           \
		if (bad++ < 5) {                                       \
			fprintf(stderr, "bench_synflood: %s: ", what); \
			fprintf(stderr, __VA_ARGS__);                  \
			fputc('\n', stderr);                           \
		}                                                      \
	} while (0)
	for (i = 0; i < n; i++) {
		uint32_t k;
		const struct syn_spec *s;
		bool ts;

		if (b->fam6)
			decode6(p, rte_pktmbuf_mtod(m[i], const uint8_t *),
			        rte_pktmbuf_data_len(m[i]));
		else
			test_pkt_decode(p, rte_pktmbuf_mtod(m[i], const void *),
			        rte_pktmbuf_data_len(m[i]));
		rte_pktmbuf_free(m[i]);
		if (!p->is_tcp || !p->ip_csum_ok || !p->tcp_csum_ok) {
			BAD("frame %u: not TCP or bad checksum (ip %d tcp %d)", i, p->ip_csum_ok,
			        p->tcp_csum_ok);
			continue;
		}
		k = spec_index(b, p->ip.dst);
		if (k == UINT32_MAX || k < from || k >= from + count) {
			BAD("frame %u: to %08x, no SYN from there", i, p->ip.dst);
			continue;
		}
		s = &b->spec[k];
		ts = s->kind == K_LINUX;
		if (p->tcp.flags != (WIRE_TCP_SYN | WIRE_TCP_ACK) || p->tcp.ack != s->seq + 1 ||
		        p->tcp.dport != s->sport || p->tcp.sport != PORT ||
		        p->ip.src != host_e.ip ||
		        memcmp(&p->eth.dst, &peer_mac, sizeof(peer_mac)) != 0 ||
		        memcmp(&p->eth.src, &host_e.mac, sizeof(peer_mac)) != 0) {
			BAD("SYN %u: wrong SYN-ACK (flags %#x ack %u want %u, ports %u->%u)", k,
			        p->tcp.flags, p->tcp.ack, s->seq + 1, p->tcp.sport, p->tcp.dport);
			continue;
		}
		if (ts != ((p->tcp.opts.present & WIRE_TCPO_TS) != 0) ||
		        (ts && p->tcp.opts.tsecr != s->tsval)) {
			BAD("SYN %u: timestamps wrong in the SYN-ACK", k);
			continue;
		}
		if (cookie && !ts &&
		        (p->tcp.opts.present & (WIRE_TCPO_WSCALE | WIRE_TCPO_SACK_PERM))) {
			BAD("SYN %u: cookie SYN-ACK without TS offers WS/SACK", k);
			continue;
		}
		if (seen[k - from]++) {
			BAD("SYN %u: answered twice", k);
			continue;
		}
		b->cookie[k] = p->tcp.seq;
		b->synack_tsval[k] = p->tcp.opts.tsval;
	}
	for (i = 0; i < count; i++)
		if (!seen[i])
			BAD("SYN %u: no SYN-ACK", from + i);
#undef BAD
	free(seen);
	free(p);
	return bad;
}

/* ---- cases ---- */

enum bcase {
	C_COOKIE,
	C_COOKIE_SMALL,
	C_SYNQ,
	C_AUTO_BACKLOG,
	C_AUTO_POOL,
	C_ACK_OK,
	C_ACK_RANDOM,
	C_ACK_MAC,
	C_BASELINE,
	/* over IPv6 (--v6): each repeats an IPv4 case above (base_case()) */
	C6_COOKIE,
	C6_SYNQ,
	C6_ACK_OK,
	C6_BASELINE,
	C_MAX
};

/* The IPv4 case an IPv6 case repeats. */
static enum bcase
base_case(enum bcase c)
{
	static const enum bcase base[] = {C_COOKIE, C_SYNQ, C_ACK_OK, C_BASELINE};

	return c >= C6_COOKIE ? base[c - C6_COOKIE] : c;
}

static const char *const case_name[C_MAX] = {
        [C_COOKIE] = "SYN, cookies=always",
        [C_COOKIE_SMALL] = "SYN, cookies=always, tiny tables",
        [C_SYNQ] = "SYN, auto, SYN queue entry",
        [C_AUTO_BACKLOG] = "SYN, auto, backlog full->cookie",
        [C_AUTO_POOL] = "SYN, auto, synq pool full->cookie",
        [C_ACK_OK] = "cookie ACK -> connection",
        [C_ACK_RANDOM] = "bogus ACK, random (-> RST)",
        [C_ACK_MAC] = "bogus ACK, MAC fails (-> RST)",
        [C_BASELINE] = "baseline mbuf+link reflect",
        [C6_COOKIE] = "IPv6 SYN, cookies=always",
        [C6_SYNQ] = "IPv6 SYN, auto, SYN queue entry",
        [C6_ACK_OK] = "IPv6 cookie ACK -> connection",
        [C6_BASELINE] = "IPv6 baseline mbuf+link reflect",
};

/* Names for --only. */
static const char *const case_short[C_MAX] = {
        [C_COOKIE] = "cookie",
        [C_COOKIE_SMALL] = "small",
        [C_SYNQ] = "synq",
        [C_AUTO_BACKLOG] = "backlog",
        [C_AUTO_POOL] = "pool",
        [C_ACK_OK] = "ack",
        [C_ACK_RANDOM] = "random",
        [C_ACK_MAC] = "mac",
        [C_BASELINE] = "base",
        [C6_COOKIE] = "cookie6",
        [C6_SYNQ] = "synq6",
        [C6_ACK_OK] = "ack6",
        [C6_BASELINE] = "base6",
};

/* --only's list as a bit set over the cases (the baselines added); 0 when a name is unknown. */
static uint32_t
parse_only(const char *list)
{
	char buf[256], *save = NULL, *tok;
	uint32_t set = (1u << C_BASELINE) | (1u << C6_BASELINE);
	unsigned c;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < C_MAX && strcmp(tok, case_short[c]) != 0; c++)
			;
		if (c == C_MAX) {
			fprintf(stderr, "bench_synflood: unknown case '%s'\n", tok);
			return 0;
		}
		set |= 1u << c;
	}
	return set;
}

/* Whether case @p c runs (--only). */
static bool
want(const struct bench *b, unsigned c)
{
	return b->o.only == 0 || ((b->o.only >> c) & 1) != 0;
}

struct outcome {
	double secs;     /* timed CPU seconds */
	uint64_t frames; /* frames sent to the engine in the timed part */
	uint64_t back;   /* frames that came back */
	struct tern_stats st;
	uint64_t accepted, synq_len;
};

/* Prefill: SYNs of specs [0, k) sent untimed (queue entries or cookies), answers dropped. */
static void
prefill(struct bench *b, struct test_link *l, struct tern_engine *e, unsigned k)
{
	build_syns(b, 0, k);
	pump(b, l, e, k, NULL, 0);
}

/*
 * One round of case @p c over b->o.syns frames (the "fill" cases use the specs after the
 * prefill). @p check: verify the answers (before the timed runs). Adds to @p out.
 */
static int run_round4(struct bench *b, enum bcase c, bool check, struct outcome *out);

static int
run_round(struct bench *b, enum bcase c, bool check, struct outcome *out)
{
	int rc;

	b->fam6 = c >= C6_COOKIE;
	rc = run_round4(b, base_case(c), check, out);
	b->fam6 = false;
	return rc;
}

static int
run_round4(struct bench *b, enum bcase c, bool check, struct outcome *out)
{
	static struct test_clock unused_clock;
	struct test_link *l = test_link_new(b->frames, &unused_clock);
	unsigned n = b->o.syns, fill = 0, problems = 0, i;
	struct tern_engine *e = NULL;
	struct rte_mbuf **keep = NULL;
	uint64_t t0, back, seed = 0x61636b73ull + (uint64_t)out->frames;
	struct tern_gauges g;

	b->accepted = 0;
	switch (c) {
	case C_COOKIE:
		e = engine_new(b, l, TERN_SYNCOOKIES_ALWAYS, 0, 0, 0, 0);
		break;
	case C_COOKIE_SMALL:
		e = engine_new(b, l, TERN_SYNCOOKIES_ALWAYS, 64, 64, 64, 0);
		break;
	case C_SYNQ:
		e = engine_new(b, l, TERN_SYNCOOKIES_AUTO, n > DEF_SYNQ ? n : 0, 0, 0, n);
		break;
	case C_AUTO_BACKLOG:
		/* The listener's backlog is the limit (tern-echo: 1024); the specs after the
		 * prefill are the timed SYNs. */
		fill = b->o.backlog;
		e = engine_new(b, l, TERN_SYNCOOKIES_AUTO, 0, 0, 0, b->o.backlog);
		break;
	case C_AUTO_POOL:
		/* The engine's SYN queue is the limit; the TIME_WAIT table is grown by what the
		 * queue lost so that the flow table has the default size. */
		fill = b->o.backlog;
		e = engine_new(b, l, TERN_SYNCOOKIES_AUTO, b->o.backlog, 0,
		        DEF_TW + DEF_SYNQ - b->o.backlog, 1u << 24);
		break;
	case C_ACK_OK:
	case C_ACK_MAC:
		e = engine_new(b, l, TERN_SYNCOOKIES_ALWAYS, 0, n > DEF_CONNS ? n : 0, 0, n + 1);
		break;
	case C_ACK_RANDOM:
		e = engine_new(b, l, TERN_SYNCOOKIES_ALWAYS, 0, 0, 0, 0);
		break;
	case C_BASELINE:
		break;
	default:
		return 1;
	}
	if (fill) {
		/* Specs [0, fill) fill the queue, [fill, fill + n) are timed: n + fill specs. */
		prefill(b, l, e, fill);
		tern_engine_gauges(e, &g);
		if (g.syn_queue != fill) {
			fprintf(stderr, "bench_synflood: %s: prefill left %u entries, want %u\n",
			        case_name[c], g.syn_queue, fill);
			problems++;
		}
	}
	/* Frames for the timed part (untimed). */
	switch (c) {
	case C_ACK_OK:
	case C_ACK_MAC: {
		/* The handshakes' first two steps, then ACKs built from the SYN-ACKs. */
		struct rte_mbuf **synacks = malloc(sizeof(*synacks) * n);

		if (synacks == NULL)
			die("out of memory");
		build_syns(b, 0, n);
		back = pump(b, l, e, n, synacks, n);
		problems += check_synacks(b, synacks, back, 0, n, true, case_name[c]);
		free(synacks);
		for (i = 0; i < n; i++)
			b->f[i] = craft_ack(b, i, c == C_ACK_MAC ? 1000 : 0);
		break;
	}
	case C_ACK_RANDOM:
		build_syns(b, 0, 1); /* cookies are out: ACKs to the listener are checked */
		pump(b, l, e, 1, NULL, 0);
		for (i = 0; i < n; i++)
			b->f[i] = craft_junk_ack(b, &seed);
		break;
	default:
		build_syns(b, fill, n);
		break;
	}
	/* The SYN cases keep their answers for checking on the check round. */
	if (check && c <= C_AUTO_POOL) {
		keep = malloc(sizeof(*keep) * n);
		if (keep == NULL)
			die("out of memory");
	}

	if (b->o.offload && !check && c != C_BASELINE) {
		/* Timed rounds: the NIC's checksum work costs the host nothing. The frames
		 * were built right and carry the RX verdict; the answers are not read. (The
		 * check round has the link do all of it, and every answer is verified.) */
		l->end[0].nic_rx_csum = false;
		l->end[0].nic_tx_unsummed = true;
		for (i = 0; i < n; i++)
			b->f[i]->ol_flags |=
			        RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	t0 = cpu_ns();
	if (check)
		back = c == C_BASELINE ? reflect(b, l, n) : pump(b, l, e, n, keep, keep ? n : 0);
	else
		back = timed_part(b, l, e, n, keep);
	out->secs += (double)(cpu_ns() - t0) / 1e9;
	out->frames += n;
	out->back += back;

	if (keep != NULL) {
		problems += check_synacks(b, keep, back, fill, n, c != C_SYNQ, case_name[c]);
		free(keep);
	}
	if (e != NULL) {
		const struct tern_stats *st = tern_engine_stats(e);
		unsigned k;

		for (k = 0; k < TERN_CTR_MAX; k++)
			out->st.ctr[k] += st->ctr[k];
		for (k = 0; k < TERN_DROP_MAX; k++)
			out->st.drop[k] += st->drop[k];
		tern_engine_gauges(e, &g);
		out->synq_len += g.syn_queue;
		out->accepted += b->accepted;
	}
	test_link_free(l); /* destroys the engine: untimed */
	return problems ? 1 : 0;
}

/* Consistency of one case's counters over its rounds. @return 0 when as expected. */
static int
check_counts(struct bench *b, enum bcase c6, const struct outcome *r)
{
	enum bcase c = base_case(c6);
	uint64_t f = r->frames, ck = r->st.ctr[TERN_CTR_TCP_SYNCOOKIE_SENT];
	uint64_t rounds = f / b->o.syns, fill = b->o.backlog;
	bool ok = true;

	switch (c) {
	case C_COOKIE:
	case C_COOKIE_SMALL:
		ok = r->back == f && ck == f;
		break;
	case C_SYNQ:
		ok = r->back == f && ck == 0 && r->synq_len == f;
		break;
	case C_AUTO_BACKLOG:
	case C_AUTO_POOL:
		/* the prefill SYNs got entries and SYN-ACKs too (not timed) */
		ok = r->back == f && ck == f && r->synq_len == rounds * fill;
		break;
	case C_ACK_OK:
		ok = r->accepted == f && r->st.ctr[TERN_CTR_TCP_SYNCOOKIE_OK] == f && r->back == 0;
		break;
	case C_ACK_RANDOM:
	case C_ACK_MAC:
		ok = r->back == f && r->st.ctr[TERN_CTR_TCP_SYNCOOKIE_FAILED] == f &&
		     r->accepted == 0;
		break;
	default:
		ok = r->back == f;
		break;
	}
	if (!ok)
		fprintf(stderr,
		        "bench_synflood: %s: counts off: frames %" PRIu64 " back %" PRIu64
		        " cookies %" PRIu64 " cookie_ok %" PRIu64 " accepted %" PRIu64
		        " synq %" PRIu64 "\n",
		        case_name[c6], f, r->back, ck, r->st.ctr[TERN_CTR_TCP_SYNCOOKIE_OK],
		        r->accepted, r->synq_len);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {{"syns", required_argument, 0, 's'},
	        {"rounds", required_argument, 0, 'r'}, {"reps", required_argument, 0, 'R'},
	        {"backlog", required_argument, 0, 'b'}, {"offload", no_argument, 0, 'O'},
	        {"v6", no_argument, 0, '6'}, {"only", required_argument, 0, 'o'}, {0, 0, 0, 0}};
	struct bench *b = calloc(1, sizeof(*b));
	double t[C_MAX][MAX_REPS];
	struct outcome last[C_MAX];
	char prefix[64];
	double hz, base_ns;
	unsigned rep, c, nspec, k, ncase;
	int opt, rc = 0;

	if (b == NULL)
		die("out of memory");
	b->o = (struct opts){.syns = 65536, .rounds = 8, .reps = REPS, .backlog = 1024};
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
			b->o.syns = (unsigned)bench_parse_u64(
			        "bench_synflood", optarg, "--syns", 1u << 20);
			break;
		case 'r':
			b->o.rounds = (unsigned)bench_parse_u64(
			        "bench_synflood", optarg, "--rounds", 1u << 20);
			break;
		case 'R':
			b->o.reps = (unsigned)bench_parse_u64(
			        "bench_synflood", optarg, "--reps", 1u << 20);
			break;
		case 'b':
			b->o.backlog = (unsigned)bench_parse_u64(
			        "bench_synflood", optarg, "--backlog", 1u << 20);
			break;
		case 'O':
			b->o.offload = true;
			break;
		case '6':
			b->o.v6 = true;
			break;
		case 'o':
			b->o.only = parse_only(optarg);
			if (b->o.only == 0)
				return 2;
			break;
		default:
			fprintf(stderr, "usage: bench_synflood [--syns N] [--rounds N] [--reps N] "
			                "[--backlog N] [--offload] [--v6] [--only LIST]\n");
			return 2;
		}
	}
	if (b->o.reps > MAX_REPS)
		b->o.reps = MAX_REPS;
	if ((b->o.only >> C6_COOKIE) & ~(1u << (C6_BASELINE - C6_COOKIE)))
		b->o.v6 = true; /* an IPv6 case was asked for */
	ncase = b->o.v6 ? C_MAX : C6_COOKIE;
	b->o.syns = (b->o.syns + BURST - 1) / BURST * BURST;
	if (b->o.backlog > b->o.syns) {
		fprintf(stderr, "bench_synflood: --backlog must not exceed --syns\n");
		return 2;
	}
	nspec = b->o.syns + b->o.backlog;
	if (nspec > (1u << SRC_BITS))
		die("--syns + --backlog too large");

	snprintf(prefix, sizeof(prefix), "--file-prefix=bench-synflood-%d", (int)getpid());
	char *eal[] = {argv[0], "--no-huge", "--no-shconf", "--no-pci", "-m", "1024", prefix,
	        "--log-level=*:error", "--no-telemetry", NULL};
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "bench_synflood: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	hz = (double)rte_get_tsc_hz();
	/* The ports' pool shape for the engine (cache 256); small mbufs for the frames. */
	b->pool = rte_pktmbuf_pool_create(
	        "bench_sf", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	b->frames = rte_pktmbuf_pool_create("bench_sf_frames", 2 * b->o.syns + 8192, 256, 0,
	        RTE_PKTMBUF_HEADROOM + FRAME_ROOM, SOCKET_ID_ANY);
	b->nspec = nspec;
	b->spec = calloc(nspec, sizeof(*b->spec));
	b->cookie = calloc(nspec, sizeof(*b->cookie));
	b->synack_tsval = calloc(nspec, sizeof(*b->synack_tsval));
	b->f = calloc(b->o.syns, sizeof(*b->f));
	if (b->pool == NULL || b->frames == NULL || !b->spec || !b->cookie || !b->synack_tsval ||
	        !b->f)
		die("no memory (pools or tables)");
	make_specs(b);

	printf("engine-only SYN flood over the in-memory link (tests/unit/link.c), one thread, "
	       "TSC %.3f GHz\n",
	        hz / 1e9);
	printf("%u SYNs per round (4-tuples distinct; options 1/4 each: MSS+SACK+TS+WS, "
	       "MSS+WS+SACK, MSS, none), %u rounds per figure, median of %u, bursts of %d, "
	       "backlog/pool limit for the full-queue cases %u\n",
	        b->o.syns, b->o.rounds, b->o.reps, BURST, b->o.backlog);
	printf("checksum offloads %s\n",
	        b->o.offload ? "on (checked with the link playing the NIC; in timed rounds the "
	                       "NIC's work is free, as on hardware)"
	                     : "off (the engine sums every frame in software)");

	/* Checks: one round of every case with the answers verified. */
	for (c = 0; c < ncase; c++) {
		struct outcome o = {0};

		if (!want(b, c))
			continue;
		if (run_round(b, (enum bcase)c, true, &o) != 0 || check_counts(b, c, &o) != 0) {
			fprintf(stderr, "bench_synflood: check of '%s' failed\n", case_name[c]);
			rc = 1;
		}
	}
	if (rc != 0)
		return rc;
	printf("checks: every SYN answered by one valid SYN-ACK (checksums, SYN|ACK, ack = seq+1, "
	       "addresses, TSecr) in every SYN case; every cookie ACK made a connection; every "
	       "bogus ACK drew a RST\n");

	memset(last, 0, sizeof(last));
	for (rep = 0; rep < b->o.reps; rep++) {
		for (c = 0; c < ncase; c++) {
			struct outcome o = {0};
			unsigned r;

			if (!want(b, c))
				continue;
			for (r = 0; r < b->o.rounds; r++)
				if (run_round(b, (enum bcase)c, false, &o) != 0)
					return 1;
			if (check_counts(b, c, &o) != 0)
				return 1;
			t[c][rep] = o.secs * 1e9 / (double)o.frames; /* ns per frame */
			last[c] = o;
		}
	}
	{
		double med[C_MAX];

		for (c = 0; c < ncase; c++)
			med[c] = want(b, c) ? bench_median(t[c], b->o.reps) : 0;
		base_ns = med[C_BASELINE];
		printf("%-36s %8s %9s %9s %12s\n", "case", "Mpps", "ns/frame", "cycles",
		        "tern/base");
		for (c = 0; c < ncase; c++) {
			if (!want(b, c))
				continue;
			printf("%-36s %8.2f %9.1f %9.0f", case_name[c], 1e3 / med[c], med[c],
			        med[c] * hz / 1e9);
			if (c == C_BASELINE || c == C6_BASELINE)
				printf(" %12s\n", "1.00x");
			else
				printf(" %11.2fx\n",
				        med[c] / (c >= C6_COOKIE ? med[C6_BASELINE] : base_ns));
		}
		if (b->o.v6) {
			printf("IPv6 / IPv4, same run (ns/frame):");
			for (c = C6_COOKIE; c < C_MAX; c++)
				if (want(b, c) && want(b, base_case((enum bcase)c)))
					printf("%s %s %.2fx", c > C6_COOKIE ? ";" : "",
					        case_name[base_case((enum bcase)c)],
					        med[c] / med[base_case((enum bcase)c)]);
			printf("\n");
		}
		/* bench_median() sorted each row: [0] is the minimum, [reps - 1] the maximum. */
		printf("range over the %u runs (ns/frame):", b->o.reps);
		for (c = 0; c < ncase; c++)
			if (want(b, c))
				printf(" %s%.0f-%.0f", c ? ", " : "", t[c][0], t[c][b->o.reps - 1]);
		printf("\n");
	}
	/* Counters of the last run, per frame. */
	{
		const struct outcome *r = &last[C_ACK_RANDOM];

		printf("bogus random ACKs (last run): cookie_stale %" PRIu64 " (rejected on the "
		       "counter field), cookie_no_ts %" PRIu64 " (ACK without TS, cookie says TS), "
		       "cookie_bad %" PRIu64 " (MAC computed), RSTs %" PRIu64 "\n",
		        r->st.drop[TERN_DROP_TCP_COOKIE_STALE],
		        r->st.drop[TERN_DROP_TCP_COOKIE_NO_TS],
		        r->st.drop[TERN_DROP_TCP_COOKIE_BAD], r->st.ctr[TERN_CTR_TCP_RST_TX]);
		k = 0;
		for (c = 0; c < TERN_DROP_MAX; c++)
			k += last[C_COOKIE].st.drop[c] != 0;
		printf("cookies=always (last run): %" PRIu64 " SYN-ACKs, %" PRIu64 " cookies, %u "
		       "drop reasons non-zero\n",
		        last[C_COOKIE].back, last[C_COOKIE].st.ctr[TERN_CTR_TCP_SYNCOOKIE_SENT], k);
	}
	rte_mempool_free(b->frames);
	rte_mempool_free(b->pool);
	free(b->spec);
	free(b->cookie);
	free(b->synack_tsval);
	free(b->f);
	free(b);
	bench_eal_cleanup();
	return rc;
}
