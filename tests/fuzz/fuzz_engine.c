/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: a whole tern engine (Ethernet, ARP, IPv4, ICMP, TCP state machine,
 * timers, the connection API) driven by a scripted peer, an application and a fake clock,
 * all chosen by the fuzzer input.
 *
 * The engine runs on a capturing I/O seam: frames the harness injects wait in an RX queue;
 * every frame the engine sends is checked, used to learn the engine's sequence numbers, and
 * freed (ARP requests for the peer are answered at once). The EAL starts once, without
 * hugepages; each input gets a fresh engine (8 connection blocks, 4 TIME_WAIT entries),
 * which is destroyed at the end, after which every mbuf must be back in its pool and the
 * DPDK heap must hold what it held before (anything else aborts as a leak).
 *
 * The peer has four 4-tuples ("slots"), all from 10.0.0.2 to 10.0.0.1: slots 0-2 from ports
 * 40000-40002 to the listener on port 80, slot 3 the engine's active opens to port 5000.
 * With header byte 11 bit 7 the whole input runs over IPv6 instead: 2001:db8::2 to
 * 2001:db8::1 (the engine's conf.ip6, DAD let pass before the prelude), ND answered as ARP,
 * RAW frames wrapped in IPv6; every check below applies the same.
 * Sequence and acknowledgement numbers are encoded relative to what the harness knows of
 * the live exchange, so that short inputs reach deep states. docs/FUZZING.md describes the
 * input format; in short:
 *
 *   header (12 bytes, zero padded): engine switches, buffer sizes, MTU, the options of the
 *     peer's SYNs, the peer's ISS, its window, the application's behaviour;
 *   prelude: listen on 80, slot 0 sends a SYN, reads the SYN-ACK, sends the ACK (unless the
 *     header says to stop in SYN_RCVD);
 *   then operations until the input ends, each an opcode byte (low 3 bits = kind) and its
 *   arguments: SEG (a TCP segment on a slot: flags, seq/ack relative to the live numbers,
 *   payload, SACK blocks, timestamp tweaks, window, raw options, bad checksum), TIME
 *   (advance the fake clock in steps: ms to days, timers fire), APP (send, recv, shutdown,
 *   close, abort, setopt, connect, listen/unlisten), RAW (a frame from the input, raw or
 *   wrapped in valid Ethernet / IPv4 / TCP headers), BATCH (queue several segments before
 *   the engine polls).
 *
 * Invariants checked beyond the sanitizers (each failure aborts with a message; protocol
 * checks carry a name that FUZZ_ALLOW can switch off while a known bug is open):
 *  - every frame the engine sends is one segment, from our MAC and address, with correct
 *    IPv4 and TCP checksums, a TCP header that parses, and fits the MTU the engine
 *    announced (MSS + 40);
 *  - payload the engine sends is exactly what the application wrote at that stream
 *    offset, and nothing beyond it (1-byte probes excepted);
 *  - the engine never acknowledges a sequence number the peer has not sent (walking the
 *    peer's segments from one of its SYNs);
 *  - bytes the application reads are exactly the peer's bytes, in order, none after EOF,
 *    and recv() returns min(asked, tern_conn_readable());
 *  - SACK blocks lie above the ACK and cover bytes the peer sent; no data goes beyond the
 *    furthest acceptable ACK plus the largest window the peer offered;
 *  - the right edge of the advertised window never moves left (beyond the rounding of
 *    window scaling), the ACK never moves back, and segments of a timestamp connection
 *    carry timestamps; a retransmission timeout that fires sends something;
 *  - callbacks name live connections only; closed comes exactly once per connection the
 *    application knew; accepted 4-tuples are the listener's;
 *  - after tern_engine_destroy(): no mbuf and no DPDK heap allocation is left.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <tern/tern.h>

#include "fuzz_common.h"
#include "util/seq.h"
#include "wire/arp.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "net/nd.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define US_IP       IP4(10, 0, 0, 1)
#define PEER_IP     IP4(10, 0, 0, 2)
#define LPORT       80
#define PPORT0      40000
#define APORT       5000 /* the peer's port for the engine's active opens */
#define NSLOT       4
#define ACTIVE      3
#define NTRK        8 /* = max_conns: one tracker per connection block */
#define RXQ_LEN     1024
#define NIV         256 /* peer intervals remembered per slot */
#define NSYN        16  /* peer SYNs remembered per slot */
#define FRAME_MAX   2048
#define POLL_ROUNDS 64
#define HDR_LEN     12
#define START_NS    (1000ull * 1000000000ull)

static const struct wire_mac us_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct wire_mac peer_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
/* Over IPv6 (header byte 11 bit 7): 2001:db8::2 to 2001:db8::1. */
static const struct wire_ip6 us6 = {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x01}};
static const struct wire_ip6 peer6 = {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x02}};
static const struct wire_ip6 other6 = {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x99}};

/* ---- byte patterns: content is a function of the sequence number / stream offset ---- */

/* The peer's byte at sequence number @p q. */
static inline uint8_t
peer_byte(uint32_t q)
{
	return (uint8_t)(((q * 0x9e3779b1u) >> 24) ^ q);
}

/* The application's byte at stream offset @p k. */
static inline uint8_t
app_byte(uint64_t k)
{
	return (uint8_t)((((uint32_t)k * 0x85ebca6bu) >> 24) ^ (k >> 3));
}

/* ---- harness state ---- */

/* What the harness knows of one connection the application holds. */
struct trk {
	struct tern_conn *c;
	bool live;
	int slot;
	bool known;    /* accepted/connected delivered (or connect() returned it) */
	bool rx_check; /* irs known: check read bytes */
	uint32_t rx_seq;
	bool tx_check; /* iss known: check sent bytes */
	uint32_t iss;
	uint64_t tx_off; /* bytes the application has queued */
	bool eof;
	bool ts;         /* timestamps negotiated */
	uint8_t ws;      /* the engine's window shift in use */
	bool edge_check; /* window scaling known: check the right edge */
	bool edge_ok;
	uint32_t edge; /* right edge of the last window advertised */
	bool ack_ok;
	uint32_t ack; /* the engine's last ACK field: never moves back */
	/* t->ack came from a segment inspected while segments built before the connection was
	 * reported could still be unseen (F.tx_drained < tx_before): frames held for ARP / ND
	 * leave after segments built later (RSTs and SYN-ACKs go straight to the sender's
	 * MAC), so an earlier incarnation's ACK can come after tx_before segments were seen.
	 * Held frames keep their order with later ones of the connections (one FIFO), so the
	 * earlier incarnation's come first: a baseline that may be theirs is replaced when the
	 * ACK goes below it, instead of failing. */
	bool ack_maybe_old;
	/* Accepted before its SYN-ACK was inspected (a batch): until that SYN-ACK, the slot's
	 * frames are an earlier incarnation's, which may have had the same ISS (RFC 6528's
	 * clock stands still within a poll), so the ISS cannot tell them apart. */
	bool ack_wait;
	/* TCP segments the engine had built (TERN_CTR_TCP_SEG_TX) when the connection was
	 * reported: those still in its TX batch or held for ARP / ND are an earlier
	 * incarnation's on this tuple (or the handshake's), never this connection's data or
	 * ACKs as the application knows them. A SYN cookie makes the ISS a function of the
	 * tuple, the peer's ISN, its options and the time, so a replayed cookie ACK re-creates a
	 * reset connection with the very same ISS, and only the order of frames tells the two
	 * incarnations apart. */
	uint64_t tx_before;
	/* A SYN-ACK built on the tuple after the connection was reported (not its own, see
	 * ack_wait): the engine started a new incarnation, so this connection's protocol has
	 * ended (a block kept off the flow table for unread data after LAST_ACK was
	 * acknowledged, docs/ARCHITECTURE.md), and the tuple's frames are no longer its own. */
	bool gone;
};

/* One 4-tuple of the peer. */
struct slot {
	uint16_t pport;
	uint16_t lport; /* the engine's port (80, or learnt from an active SYN) */
	/* peer side */
	uint32_t nxt;      /* next in-order sequence number */
	uint32_t last_ack; /* ACK field of the last segment we sent */
	uint32_t ts_adj;   /* forward jumps of the peer's timestamp clock */
	uint16_t max_mss;
	uint8_t offered; /* WIRE_TCPO_* any of our SYNs carried */
	bool tainted;    /* RAW segments or raw SYN options: option checks are off */
	/* learnt from the engine */
	bool seen;
	uint32_t snd_max; /* highest sequence number the engine sent, + 1 */
	uint32_t ack;     /* last ACK field */
	uint32_t tsval;   /* last TSval */
	bool iss_fresh, irs_fresh;
	uint32_t iss, irs;
	bool syn_ts, syn_sack; /* the engine's SYN / SYN-ACK carried them */
	/* ISSs of the engine's recent SYNs and SYN-ACKs on this tuple (a ring): with SYN
	 * cookies, the ACK of an earlier SYN-ACK can still create the connection */
	uint32_t iss_ring[8];
	unsigned n_iss;
	unsigned n_synack; /* SYN-ACKs with a new ISS since the last accepted connection */
	/* ISSs of the kept SYN-ACKs that the peer's ACKs (no SYN, no RST) acknowledged since
	 * the last accepted connection: a cookie stays valid after its connection is gone,
	 * so an ACK of an older one can re-create that connection instead of completing the
	 * latest SYN-ACK (ncack > 4: more than kept) */
	unsigned ncack;
	uint32_t cack[4];
	uint16_t syn_win; /* window of the peer's last SYN */
	/* RFC 9293 §3.10.7.4: SND.UNA follows every acceptable ACK but SND.WND only segments
	 * that pass the SND.WL1/WL2 test, so the engine's right edge can reach the furthest ACK
	 * plus the largest window: that is the bound checked. */
	bool pedge_ok;
	uint32_t pmax_ack; /* furthest acceptable ACK the peer sent */
	uint32_t pmax_win; /* largest window it advertised, scaled */
	/* Largest window (scaled) of the peer's ACKs of our SYN sent while the edge waited
	 * for our SYN-ACK: in a simultaneous open whose SYN and ACK come in one batch, the
	 * engine takes such an ACK's window before the harness sees the SYN-ACK. */
	uint32_t syn_ack_win;
	/* ACKs beyond what the engine had sent when injected: acceptable once it sends more
	 * before it reads them (batches) */
	unsigned npack;
	uint32_t pack[16];
	int syn_ws;       /* its window shift, -1 when absent */
	uint16_t adv_mss; /* MSS the engine announced, 0 = none seen */
	/* the peer's segments, for the "never ACK what was not sent" check */
	bool cov_ok;
	unsigned niv, nsyn;
	uint64_t iv_lo[NIV], iv_hi[NIV]; /* sorted, disjoint, not adjacent; linear offsets */
	uint32_t syn[NSYN];
	uint32_t checked_ack;
	bool checked;
	/* active open: SYNs injected while the connection was in SYN_SENT */
	unsigned npend;
	uint32_t pend[4];
	bool pend_ts[4];
	struct trk *cur; /* the newest connection on this tuple */
};

struct fz {
	bool trace;               /* FUZZ_TRACE=1: print every segment (triage, seed checks) */
	const char *allow;        /* FUZZ_ALLOW=name,...: protocol checks to skip (known bugs) */
	struct rte_mempool *pool; /* frames the harness builds; default engine pool */
	struct rte_mempool *tiny_pool; /* an engine pool of 63 mbufs (exhaustion paths) */
	uint64_t now_ns;
	uint16_t active_lport; /* local port of the latest tern_connect() (0: none yet) */
	struct tern_engine *e;
	/* input */
	const uint8_t *in;
	size_t in_len, in_pos;
	/* configuration from the header */
	uint8_t h[HDR_LEN];
	bool lossy_tx;
	bool v6;         /* the peer speaks IPv6 (header byte 11 bit 7) */
	bool no_arp;     /* do not answer the engine's ARP requests */
	bool rx_offload; /* injected TCP frames carry the NIC's checksum verdict */
	bool tx_offload; /* the "NIC" computes IPv4 and TCP checksums */
	bool split_rx;   /* injected frames come in two chained mbufs */
	bool cookies;    /* the engine may answer SYNs with SYN cookies */
	bool batch;
	bool listening;
	uint32_t piss;
	uint16_t peer_win;
	uint8_t syn_opts; /* h[2] */
	uint8_t syn_ws;
	uint16_t syn_mss;
	uint8_t app_mode;
	/* I/O */
	struct rte_mbuf *rxq[RXQ_LEN];
	unsigned rx_head, rx_count;
	uint64_t tcp_seen; /* TCP segments the engine sent that the harness inspected */
	/* F.tcp_seen at the latest inspection, before the current one, that left no segment
	 * the engine had built unseen (all of 1..tx_drained built were inspected or lost) */
	uint64_t tx_drained, tx_drained_next;
	/* peer and application */
	struct slot slot[NSLOT];
	struct trk trk[NTRK];
	unsigned n_known, n_closed;
	uint8_t buf[65536 + 16];
};

static struct fz F;

/* Is protocol check @p name switched off by FUZZ_ALLOW (while a known bug is open)? */
static bool
allowed(const char *name)
{
	const char *p = F.allow;
	size_t n = strlen(name);

	while (p != NULL && (p = strstr(p, name)) != NULL) {
		if ((p == F.allow || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

/* A protocol invariant, named so that FUZZ_ALLOW can switch it off while a bug is open. */
#define PROTO_CHECK(name, cond, ...) FUZZ_CHECK((cond) || allowed(name), "[" name "] " __VA_ARGS__)

/*
 * May the engine take @p ack, given it sent up to @p sent? At most @p sent, and at most the
 * largest window (2^30) below it: older ACKs are dropped (RFC 5961 §5.2), and one 2^31 away
 * would pass a plain modular compare either way.
 */
static bool
ack_at_most(uint32_t ack, uint32_t sent)
{
	return seq_leq(ack, sent) && sent - ack <= (1u << 30);
}

static void
trace_tcp(const char *dir, int slot, const struct wire_tcp_repr *th, uint32_t plen)
{
	static const char names[] = "FSRPAUEC";
	char fl[9];
	unsigned i, n = 0;

	for (i = 0; i < 8; i++)
		if (th->flags & (1u << i))
			fl[n++] = names[i];
	fl[n] = 0;
	fprintf(stderr, "%8llu ms %s slot %d [%s] seq %#x ack %#x win %u len %u%s%s%s\n",
	        (unsigned long long)((F.now_ns - START_NS) / 1000000), dir, slot, fl, th->seq,
	        th->ack, th->win, plen, th->opts.present & WIRE_TCPO_TS ? " ts" : "",
	        th->opts.present & WIRE_TCPO_SACK ? " sack" : "",
	        th->opts.present & WIRE_TCPO_WSCALE ? " ws" : "");
}

/* ---- input reading ---- */

static bool
in_more(void)
{
	return F.in_pos < F.in_len;
}

static uint8_t
in_u8(void)
{
	return F.in_pos < F.in_len ? F.in[F.in_pos++] : 0;
}

static uint16_t
in_u16(void)
{
	uint16_t v = (uint16_t)(in_u8() << 8);

	return (uint16_t)(v | in_u8());
}

static uint32_t
in_u32(void)
{
	uint32_t v = (uint32_t)in_u16() << 16;

	return v | in_u16();
}

/* ---- I/O seam ---- */

static uint64_t
fz_clock(void *arg)
{
	(void)arg;
	return F.now_ns;
}

static uint64_t
now_ms(void)
{
	return (F.now_ns - START_NS) / 1000000;
}

static void
rxq_push(struct rte_mbuf *m)
{
	if (F.rx_count == RXQ_LEN) {
		rte_pktmbuf_free(m);
		return;
	}
	F.rxq[(F.rx_head + F.rx_count) % RXQ_LEN] = m;
	F.rx_count++;
}

static uint16_t
fz_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	(void)arg;
	for (i = 0; i < n && F.rx_count > 0; i++) {
		pkts[i] = F.rxq[F.rx_head];
		F.rx_head = (F.rx_head + 1) % RXQ_LEN;
		F.rx_count--;
	}
	return i;
}

/* Queue a frame of @p len bytes toward the engine, with RX offload flags @p ol. */
static void
inject_ol(const uint8_t *frame, size_t len, uint64_t ol)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(F.pool), *m2;
	size_t first = F.split_rx && len > 1 ? len / 2 : len;
	uint8_t *p;

	if (m == NULL)
		return;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)first);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, frame, first);
	if (first < len) {
		m2 = rte_pktmbuf_alloc(F.pool);
		p = m2 != NULL ? (uint8_t *)rte_pktmbuf_append(m2, (uint16_t)(len - first)) : NULL;
		if (p == NULL || rte_pktmbuf_chain(m, m2) != 0) {
			rte_pktmbuf_free(m2);
			rte_pktmbuf_free(m);
			return;
		}
		memcpy(p, frame + first, len - first);
	}
	m->ol_flags = ol;
	rxq_push(m);
}

static void
inject(const uint8_t *frame, size_t len)
{
	inject_ol(frame, len, 0);
}

static void inspect(struct rte_mbuf *m);

/* TCP checksum of @p len bytes at @p seg over IPv6 @p src -> @p dst (0 when right; the value
 * to store when the field is zero), as wire_tcp_csum() over IPv4. */
static uint16_t
tcp6_csum(const struct wire_ip6 *src, const struct wire_ip6 *dst, const void *seg, size_t len)
{
	return wire_csum_fold(wire_csum_add(
	        wire_csum_pseudo6(src, dst, WIRE_IPPROTO_TCP, (uint32_t)len), seg, len));
}

/* The checksum of a segment from the peer to us, over the run's family. */
static uint16_t
peer_csum(const void *seg, size_t len)
{
	return F.v6 ? tcp6_csum(&peer6, &us6, seg, len) : wire_tcp_csum(PEER_IP, US_IP, seg, len);
}

/* Checksum offload of an IPv6 frame: no IP checksum; the TCP field holds the pseudo-header
 * sum (folded, not complemented). */
static void
nic_csum6(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = p + m->l2_len, *tcp = ip + m->l3_len;
	struct wire_ipv6_repr h;
	uint16_t cs;

	FUZZ_CHECK(m->l2_len == WIRE_ETH_HLEN && m->l3_len == WIRE_IPV6_HLEN &&
	                   !(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_IPV4)) &&
	                   m->l2_len + m->l3_len + WIRE_TCP_HLEN <= rte_pktmbuf_data_len(m),
	        "offload over IPv6: l2_len %u l3_len %u flags %#llx", m->l2_len, m->l3_len,
	        (unsigned long long)m->ol_flags);
	FUZZ_CHECK(wire_ipv6_parse(ip, rte_pktmbuf_data_len(m) - m->l2_len, &h) == WIRE_OK &&
	                   h.next_hdr == WIRE_IPPROTO_TCP && h.payload_len >= WIRE_TCP_HLEN,
	        "offload: not IPv6/TCP");
	cs = (uint16_t)~wire_csum_fold(
	        wire_csum_pseudo6(&h.src, &h.dst, WIRE_IPPROTO_TCP, h.payload_len));
	FUZZ_CHECK(tcp[WIRE_TCP_CSUM_OFF] == (uint8_t)(cs >> 8) &&
	                   tcp[WIRE_TCP_CSUM_OFF + 1] == (uint8_t)cs,
	        "offload: TCP checksum field is not the IPv6 pseudo-header sum");
	tcp[WIRE_TCP_CSUM_OFF] = tcp[WIRE_TCP_CSUM_OFF + 1] = 0;
	cs = tcp6_csum(&h.src, &h.dst, tcp, h.payload_len);
	tcp[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
	tcp[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
}

/* Checksum offload as a NIC does it: check what the engine prepared, then fill in. */
static void
nic_csum(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = p + m->l2_len, *tcp = ip + m->l3_len;
	uint32_t src, dst;
	uint16_t tlen, cs;

	if (!(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM)))
		return;
	FUZZ_CHECK(F.tx_offload, "offload flags on a port without offloads");
	if (m->ol_flags & RTE_MBUF_F_TX_IPV6) {
		nic_csum6(m);
		return;
	}
	FUZZ_CHECK(m->l2_len == WIRE_ETH_HLEN && m->l3_len >= WIRE_IPV4_HLEN &&
	                   (m->ol_flags & RTE_MBUF_F_TX_IPV4) &&
	                   m->l2_len + m->l3_len <= rte_pktmbuf_data_len(m),
	        "offload: l2_len %u l3_len %u flags %#llx", m->l2_len, m->l3_len,
	        (unsigned long long)m->ol_flags);
	tlen = (uint16_t)(ip[2] << 8 | ip[3]);
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		FUZZ_CHECK(ip[10] == 0 && ip[11] == 0, "offload: IPv4 checksum field not zero");
		cs = wire_csum_fold(wire_csum_add(0, ip, m->l3_len));
		ip[10] = (uint8_t)(cs >> 8);
		ip[11] = (uint8_t)cs;
	}
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM) {
		FUZZ_CHECK(tlen >= m->l3_len + WIRE_TCP_HLEN &&
		                   m->l2_len + tlen <= rte_pktmbuf_data_len(m),
		        "offload: TCP length");
		src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 |
		      ip[15];
		dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 |
		      ip[19];
		/* The engine leaves the pseudo-header sum, folded, not complemented. */
		cs = (uint16_t)~wire_csum_fold(wire_csum_pseudo4(
		        src, dst, WIRE_IPPROTO_TCP, (uint16_t)(tlen - m->l3_len)));
		FUZZ_CHECK(tcp[WIRE_TCP_CSUM_OFF] == (uint8_t)(cs >> 8) &&
		                   tcp[WIRE_TCP_CSUM_OFF + 1] == (uint8_t)cs,
		        "offload: TCP checksum field is not the pseudo-header sum");
		tcp[WIRE_TCP_CSUM_OFF] = tcp[WIRE_TCP_CSUM_OFF + 1] = 0;
		cs = wire_tcp_csum(src, dst, tcp, tlen - m->l3_len);
		tcp[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
		tcp[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	}
}

static uint16_t
fz_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	(void)arg;
	/* A "full queue" takes one frame per call; the engine retries, then drops. */
	if (F.lossy_tx && n > 1)
		n = 1;
	for (i = 0; i < n; i++) {
		nic_csum(pkts[i]);
		inspect(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

/* ---- the peer's segments: interval set over linear offsets ---- */

/* Offsets are linear in [0, 2^32) around the slot's ISS, which sits at 2^31. */
static uint64_t
lin(uint32_t seq)
{
	return (uint64_t)(uint32_t)(seq - F.piss + 0x80000000u);
}

static void
iv_add1(struct slot *s, uint64_t lo, uint64_t hi)
{
	unsigned i, j, k;

	if (!s->cov_ok || lo >= hi)
		return;
	/* first interval that ends at or after lo (adjacent ones merge) */
	for (i = 0; i < s->niv && s->iv_hi[i] < lo; i++)
		;
	/* intervals i..j-1 touch [lo, hi] */
	for (j = i; j < s->niv && s->iv_lo[j] <= hi; j++)
		;
	if (j > i) {
		if (s->iv_lo[i] < lo)
			lo = s->iv_lo[i];
		if (s->iv_hi[j - 1] > hi)
			hi = s->iv_hi[j - 1];
		/* replace i..j-1 by one */
		for (k = j; k < s->niv; k++) {
			s->iv_lo[i + 1 + k - j] = s->iv_lo[k];
			s->iv_hi[i + 1 + k - j] = s->iv_hi[k];
		}
		s->niv -= j - i - 1;
	} else {
		if (s->niv == NIV) {
			s->cov_ok = false;
			return;
		}
		for (k = s->niv; k > i; k--) {
			s->iv_lo[k] = s->iv_lo[k - 1];
			s->iv_hi[k] = s->iv_hi[k - 1];
		}
		s->niv++;
	}
	s->iv_lo[i] = lo;
	s->iv_hi[i] = hi;
}

/* The peer sent sequence numbers [seq, seq + len). */
static void
iv_add(struct slot *s, uint32_t seq, uint32_t len)
{
	uint64_t lo = lin(seq), hi = lo + len;

	if (len == 0)
		return;
	if (hi > (1ull << 32)) {
		iv_add1(s, lo, 1ull << 32);
		iv_add1(s, 0, hi - (1ull << 32));
	} else {
		iv_add1(s, lo, hi);
	}
}

/* End of the contiguous run of sent sequence space that starts at @p x (linear). */
static uint64_t
iv_reach(const struct slot *s, uint64_t x)
{
	unsigned i;
	bool wrapped = false;

	for (;;) {
		for (i = 0; i < s->niv; i++)
			if (s->iv_lo[i] <= x && x <= s->iv_hi[i])
				break;
		if (i == s->niv)
			return x;
		x = s->iv_hi[i];
		if (x == (1ull << 32) && !wrapped && s->niv > 0 && s->iv_lo[0] == 0) {
			wrapped = true;
			x = 0;
			continue;
		}
		return wrapped ? x + (1ull << 32) : x;
	}
}

/* The engine acknowledged @p ack on slot @p s: it must have been reachable from a SYN. */
static void
check_ack(struct slot *s, uint32_t ack)
{
	unsigned i;

	if (!s->cov_ok || s->nsyn > NSYN || (s->checked && s->checked_ack == ack))
		return;
	for (i = 0; i < s->nsyn; i++) {
		uint64_t from = lin(s->syn[i] + 1), to = iv_reach(s, from), a = lin(ack);

		if (a < from)
			a += 1ull << 32;
		if (a <= to)
			break;
	}
	PROTO_CHECK("ack-unsent", i < s->nsyn || s->nsyn == 0,
	        "slot %d: the engine acknowledged %#x, which the peer never sent (%u SYNs, %u "
	        "intervals)",
	        (int)(s - F.slot), ack, s->nsyn, s->niv);
	s->checked = true;
	s->checked_ack = ack;
}

/*
 * A new incarnation on slot @p s, whose SYN or SYN-ACK ends at @p end: of the ACKs parked
 * before it (s->pack), only those within 2^24 above @p end (as send_seg() parks them) can be
 * its own, sent in a batch after its SYN. The others were parked for an earlier
 * incarnation's sequence space, whose edge is gone: the engine took or dropped them then,
 * and taking them now, against what the earlier incarnation sent, would give the new one
 * an edge that is not its own.
 */
static void
pack_new_incarnation(struct slot *s, uint32_t end)
{
	unsigned i;

	for (i = 0; i < s->npack; i++)
		if (!seq_lt(end, s->pack[i]) || s->pack[i] - end > (1u << 24))
			s->pack[i--] = s->pack[--s->npack];
}

/* ---- frames the engine sends ---- */

static struct slot *
slot_of(uint16_t sport, uint16_t dport)
{
	if (sport == LPORT && dport >= PPORT0 && dport < PPORT0 + ACTIVE)
		return &F.slot[dport - PPORT0];
	if (dport == APORT)
		return &F.slot[ACTIVE];
	return NULL;
}

static bool
synchronized(enum tern_tcp_state st)
{
	return st == TERN_TCP_ESTABLISHED || st == TERN_TCP_FIN_WAIT_1 ||
	       st == TERN_TCP_FIN_WAIT_2 || st == TERN_TCP_CLOSING || st == TERN_TCP_CLOSE_WAIT ||
	       st == TERN_TCP_LAST_ACK;
}

/*
 * A TCP segment the engine sent (checksum already verified by the caller), in an IP packet
 * of @p ip_len bytes, to the peer's address of the run's family when @p to_peer.
 */
static void
inspect_tcp(const uint8_t *l4, size_t l4len, bool to_peer, uint32_t ip_len)
{
	struct wire_tcp_repr th;
	struct slot *s;
	struct trk *t;
	const uint8_t *pl;
	uint32_t plen, end, i;
	enum wire_err err;

	err = wire_tcp_parse(l4, l4len, &th);
	FUZZ_CHECK(err == WIRE_OK, "the engine sent a TCP header that does not parse (%d)", err);
	FUZZ_CHECK(th.sport != 0 && th.dport != 0, "port 0");
	pl = l4 + th.hdr_len;
	plen = (uint32_t)(l4len - th.hdr_len);
	F.tx_drained = F.tx_drained_next;
	F.tcp_seen++;
	if (F.tcp_seen == tern_engine_stats(F.e)->ctr[TERN_CTR_TCP_SEG_TX])
		F.tx_drained_next = F.tcp_seen;
	/* The harness's order of incarnations (trk.tx_before) relies on it. */
	FUZZ_CHECK(F.tcp_seen <= tern_engine_stats(F.e)->ctr[TERN_CTR_TCP_SEG_TX],
	        "%llu TCP segments sent, %llu counted", (unsigned long long)F.tcp_seen,
	        (unsigned long long)tern_engine_stats(F.e)->ctr[TERN_CTR_TCP_SEG_TX]);
	s = slot_of(th.sport, th.dport);
	if (F.trace)
		trace_tcp("tern ->", s != NULL ? (int)(s - F.slot) : -1, &th, plen);
	if (s == NULL || !to_peer)
		return; /* e.g. a RST answering a RAW frame */
	/* A frame of an earlier active connection from another local port (held for ARP
	 * until after that connection ended): it describes neither the current one nor
	 * the slot's state. The engine picks ports; the harness knows the current one. */
	if (s - F.slot == ACTIVE && F.active_lport != 0 && th.sport != F.active_lport)
		return;
	if (th.flags & WIRE_TCP_SYN) {
		FUZZ_CHECK(!(th.flags & (WIRE_TCP_RST | WIRE_TCP_FIN)), "SYN with RST/FIN %#x",
		        th.flags);
		if (s - F.slot == ACTIVE && !(th.flags & WIRE_TCP_ACK)) {
			/* a new active open: the window edge learnt for an earlier
			 * connection on this slot no longer applies */
			if (s->iss != th.seq)
				s->pedge_ok = false;
			s->lport = th.sport;
			/* the SYN of the active open (it may wait for ARP) */
			t = s->cur;
			if (t != NULL && t->live && !t->known && !s->tainted) {
				t->tx_check = true;
				t->iss = th.seq;
			}
		}
		/* The SYN-ACK that started the incarnation of a connection accepted before it
		 * was inspected: the connection's own ACKs start here. */
		t = s->cur;
		if ((th.flags & WIRE_TCP_ACK) && s - F.slot != ACTIVE && t != NULL && t->live) {
			if (t->ack_wait) {
				t->ack_wait = false;
				t->ack_ok = false;
			} else if (F.tcp_seen > t->tx_before) {
				/* straight to the SYN's MAC: seen no later than built (trk) */
				t->gone = true;
			}
		}
		if (th.flags & WIRE_TCP_ACK) {
			/* the peer's SYN gave the first window, unscaled */
			if (!s->pedge_ok || s->iss != th.seq) {
				s->pmax_ack = th.seq + 1;
				s->pmax_win = 0;
				pack_new_incarnation(s, th.seq + 1);
				/* a simultaneous open (our SYN's ISN): ACKs of it already sent */
				if (s->iss == th.seq)
					s->pmax_win = s->syn_ack_win;
			}
			if (s->syn_win > s->pmax_win)
				s->pmax_win = s->syn_win;
			s->pedge_ok = true;
			s->irs = th.ack - 1;
			s->irs_fresh = true;
		} else if (s->iss != th.seq) {
			s->pedge_ok = false; /* a new active open: wait for the SYN-ACK */
			s->syn_ack_win = 0;
			pack_new_incarnation(s, th.seq + 1);
		}
		if (s->n_iss == 0 || s->iss_ring[(s->n_iss - 1) % 8] != th.seq) {
			s->iss_ring[s->n_iss++ % 8] = th.seq;
			if (th.flags & WIRE_TCP_ACK)
				s->n_synack++;
		}
		s->iss = th.seq;
		s->iss_fresh = true;
		s->syn_ts = (th.opts.present & WIRE_TCPO_TS) != 0;
		s->syn_sack = (th.opts.present & WIRE_TCPO_SACK_PERM) != 0;
		s->syn_ws = (th.opts.present & WIRE_TCPO_WSCALE) ? th.opts.wscale : -1;
		if (th.opts.present & WIRE_TCPO_MSS)
			s->adv_mss = th.opts.mss;
		/* A SYN-ACK carries no more than what the peer's SYNs offered. */
		if ((th.flags & WIRE_TCP_ACK) && !s->tainted) {
			PROTO_CHECK("syn-options", !s->syn_ts || (s->offered & WIRE_TCPO_TS),
			        "SYN-ACK: timestamps the peer did not offer");
			PROTO_CHECK("syn-options",
			        !s->syn_sack || (s->offered & WIRE_TCPO_SACK_PERM),
			        "SYN-ACK: SACK-permitted the peer did not offer");
			PROTO_CHECK("syn-options", s->syn_ws < 0 || (s->offered & WIRE_TCPO_WSCALE),
			        "SYN-ACK: window scale the peer did not offer");
		}
	}
	/* The MSS announced is the MTU less 40 bytes of headers over IPv4, 60 over IPv6. */
	if (s->adv_mss != 0)
		PROTO_CHECK("mtu", ip_len <= s->adv_mss + (F.v6 ? 60u : 40u),
		        "IP packet of %u bytes, beyond the MTU announced (MSS %u)", ip_len,
		        s->adv_mss);
	PROTO_CHECK("mss", s->tainted || plen <= (s->max_mss > 64 ? s->max_mss : 64u),
	        "segment of %u bytes, peer MSS at most %u", plen, s->max_mss);

	/* A segment of another incarnation than the latest SYN / SYN-ACK's: the ISS it lies
	 * closest above is not s->iss (a cookie ACK of an earlier SYN-ACK made the connection,
	 * or frames held for ARP). The slot's learnt state no longer describes it: stop
	 * checking the slot and its tracked connection. */
	if (!(th.flags & (WIRE_TCP_SYN | WIRE_TCP_RST)) && s->n_iss > 1) {
		uint32_t best = s->iss, bd = th.seq - s->iss;

		for (i = 0; i < (s->n_iss < 8 ? s->n_iss : 8); i++) {
			if (th.seq - s->iss_ring[i] < bd) {
				bd = th.seq - s->iss_ring[i];
				best = s->iss_ring[i];
			}
		}
		/* far above every ISS kept: an incarnation older than the ring */
		if (best != s->iss || bd >= (1u << 28)) {
			s->tainted = true;
			s->pedge_ok = false;
			s->iss = best;
			if (s->cur != NULL) {
				s->cur->tx_check = s->cur->edge_check = s->cur->ts = false;
				s->cur->ack_ok = false;
			}
		}
	}
	end = th.seq + plen + !!(th.flags & WIRE_TCP_SYN) + !!(th.flags & WIRE_TCP_FIN);
	/* Queued ACKs the engine could accept by now, given what it sent before this one:
	 * everything below this segment's start, too (with a lossy TX queue the harness
	 * does not see every segment the engine sent). */
	for (i = 0; i < s->npack; i++) {
		uint32_t sent = s->snd_max;

		if (!(th.flags & (WIRE_TCP_SYN | WIRE_TCP_RST)) && s->seen && seq_gt(th.seq, sent))
			sent = th.seq;
		if (s->pedge_ok && s->seen && ack_at_most(s->pack[i], sent)) {
			if (seq_lt(s->pmax_ack, s->pack[i]))
				s->pmax_ack = s->pack[i];
			s->pack[i--] = s->pack[--s->npack];
		}
	}
	if (!(th.flags & WIRE_TCP_RST)) {
		if (!s->seen || seq_lt(s->snd_max, end))
			s->snd_max = end;
		s->seen = true;
	}
	if (th.opts.present & WIRE_TCPO_TS)
		s->tsval = th.opts.tsval;
	if ((th.flags & WIRE_TCP_ACK) && !(th.flags & WIRE_TCP_RST)) {
		s->ack = th.ack;
		if (!s->tainted)
			check_ack(s, th.ack);
	}
	if ((th.opts.present & WIRE_TCPO_SACK) && !(th.flags & WIRE_TCP_RST) && !s->tainted) {
		for (i = 0; i < th.opts.nsack; i++) {
			uint32_t l = th.opts.sack[i].left, r = th.opts.sack[i].right;
			uint64_t from = lin(l), to, a = lin(r);

			/* Above the ACK, except a D-SACK first block (RFC 2883): below the ACK,
			 * or inside the second block. */
			bool dsack =
			        i == 0 && seq_lt(l, r) &&
			        (seq_leq(r, th.ack) ||
			                (th.opts.nsack > 1 && seq_leq(th.opts.sack[1].left, l) &&
			                        seq_leq(r, th.opts.sack[1].right)));

			PROTO_CHECK("sack-block", dsack || (seq_lt(th.ack, l) && seq_lt(l, r)),
			        "SACK block %u [%#x, %#x) with ACK %#x", i, l, r, th.ack);
			if (!s->cov_ok)
				continue;
			to = iv_reach(s, from);
			if (a < from)
				a += 1ull << 32;
			PROTO_CHECK("sack-block", a <= to,
			        "SACK block [%#x, %#x): the peer never sent all of it", l, r);
		}
	}
	if (plen > 1 && !(th.flags & WIRE_TCP_RST) && !s->tainted && s->pedge_ok)
		PROTO_CHECK("beyond-window", seq_leq(th.seq + plen, s->pmax_ack + s->pmax_win),
		        "data up to %#x, beyond the furthest ACK %#x + the largest window %u",
		        th.seq + plen, s->pmax_ack, s->pmax_win);

	/* Checks on the application's connection on this tuple. */
	t = s->cur;
	if (t == NULL || !t->live || th.sport != s->lport || (th.flags & WIRE_TCP_SYN))
		return;
	/* Built before the connection was reported: an earlier incarnation's (above). */
	if (F.tcp_seen <= t->tx_before || t->gone)
		return;
	/* A frame of an earlier connection on this tuple, held for ARP while a SYN cookie's
	 * SYN-ACK (sent straight to the SYN's MAC) created this one, may leave after it:
	 * s->iss is the ISS of tern's latest SYN or SYN-ACK on the tuple. */
	if (seq_lt(th.seq, s->iss) || seq_gt(th.seq, s->iss + 2 + (uint32_t)t->tx_off))
		return;
	/* Inspected while a segment built before the report may still be unseen (as for
	 * ack_maybe_old): the frame may be an earlier incarnation's, held for ARP / ND while
	 * segments built later overtook it, with bytes beyond this connection's stream (or,
	 * with another ISS, at other offsets). No stream check for it. */
	if (t->tx_check && plen > 1 && F.tx_drained >= t->tx_before) {
		for (i = 0; i < plen; i++) {
			uint32_t off = th.seq + i - (t->iss + 1);

			PROTO_CHECK("tx-data", (int32_t)off >= 0 && off < t->tx_off,
			        "the engine sent byte %u of a stream of %llu", off,
			        (unsigned long long)t->tx_off);
			PROTO_CHECK("tx-data", pl[i] == app_byte(off),
			        "byte %u of the stream is %#x, not %#x", off, pl[i], app_byte(off));
		}
	}
	if ((th.flags & WIRE_TCP_RST) || !synchronized(tern_conn_state(t->c)))
		return;
	if (t->ts)
		PROTO_CHECK("ts-missing", th.opts.present & WIRE_TCPO_TS,
		        "segment without timestamps on a timestamp connection (flags %#x)",
		        th.flags);
	if ((th.flags & WIRE_TCP_ACK) && !t->ack_wait) {
		if (t->ack_ok && t->ack_maybe_old && seq_lt(th.ack, t->ack)) {
			/* the baseline may be an earlier incarnation's held frame (trk) */
			t->ack_ok = false;
			t->edge_ok = false;
		}
		PROTO_CHECK("ack-backwards", !t->ack_ok || seq_leq(t->ack, th.ack),
		        "the engine's ACK moved back: %#x -> %#x", t->ack, th.ack);
		t->ack = th.ack;
		t->ack_ok = true;
		t->ack_maybe_old = F.tx_drained < t->tx_before;
	}
	if ((th.flags & WIRE_TCP_ACK) && t->edge_check) {
		uint32_t edge = th.ack + ((uint32_t)th.win << t->ws);

		if (t->edge_ok)
			PROTO_CHECK("window-shrink", seq_leq(t->edge, edge + ((1u << t->ws) - 1)),
			        "window right edge moved left: %#x -> %#x (ack %#x win %u << %u)",
			        t->edge, edge, th.ack, th.win, t->ws);
		if (!t->edge_ok || seq_lt(t->edge, edge))
			t->edge = edge;
		t->edge_ok = true;
	}
}

static void
answer_arp(const struct wire_arp_repr *req)
{
	struct wire_eth_repr eth = {.dst = req->sha, .src = peer_mac, .type = WIRE_ETHERTYPE_ARP};
	struct wire_arp_repr rep = {.op = WIRE_ARP_OP_REPLY,
	        .sha = peer_mac,
	        .spa = PEER_IP,
	        .tha = req->sha,
	        .tpa = req->spa};
	uint8_t f[WIRE_ETH_HLEN + WIRE_ARP_LEN];

	wire_eth_emit(f, &eth);
	wire_arp_emit(f + WIRE_ETH_HLEN, &rep);
	inject(f, sizeof(f));
}

/* Answer the engine's NS for the peer's address with a solicited NA (as the ARP reply). */
static void
answer_ns(const struct wire_ipv6_repr *ns_ip)
{
	struct wire_eth_repr eth = {.dst = us_mac, .src = peer_mac, .type = WIRE_ETHERTYPE_IPV6};
	struct wire_ipv6_repr ip;
	struct wire_nd_repr na;
	uint8_t f[WIRE_ETH_HLEN + WIRE_IPV6_HLEN + WIRE_ND_LEN + WIRE_ND_OPT_LLA_LEN];
	size_t n;

	memset(&ip, 0, sizeof(ip));
	memset(&na, 0, sizeof(na));
	na.target = peer6;
	na.flags = WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE;
	na.has_lla = true;
	na.lla = peer_mac;
	n = wire_nd_emit(
	        f + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, WIRE_ICMP6_NEIGH_ADV, &na, &peer6, &ns_ip->src);
	ip.src = peer6;
	ip.dst = ns_ip->src;
	ip.next_hdr = WIRE_IPPROTO_ICMPV6;
	ip.hop_limit = WIRE_ND_HOP_LIMIT;
	ip.payload_len = (uint16_t)n;
	wire_ipv6_emit(f + WIRE_ETH_HLEN, &ip);
	wire_eth_emit(f, &eth);
	inject(f, WIRE_ETH_HLEN + WIRE_IPV6_HLEN + n);
}

/* An IPv6 frame the engine sent: ND (DAD probes, NS for the peer: answered), ICMPv6 errors
 * and echo replies, TCP (the same checks as over IPv4). */
static void
inspect6(const uint8_t *p, size_t len, const struct wire_eth_repr *eth)
{
	const uint8_t *l4 = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;
	struct wire_ipv6_repr ip;
	struct wire_icmp6_repr icmp;
	struct wire_nd_repr nd;
	struct wire_ip6 ll;
	enum wire_err err;

	FUZZ_CHECK(F.v6, "an IPv6 frame from an engine without IPv6");
	err = wire_ipv6_parse(p + WIRE_ETH_HLEN, len - WIRE_ETH_HLEN, &ip);
	FUZZ_CHECK(err == WIRE_OK, "the engine sent a bad IPv6 header (%d)", err);
	FUZZ_CHECK(len == WIRE_ETH_HLEN + WIRE_IPV6_HLEN + (size_t)ip.payload_len,
	        "frame of %zu bytes for an IPv6 payload of %u", len, ip.payload_len);
	wire_ip6_linklocal_from_mac(us_mac.b, &ll);
	FUZZ_CHECK(wire_mac_is_multicast(&eth->dst) == wire_ip6_is_multicast(&ip.dst),
	        "group MAC and IPv6 destination disagree");
	if (ip.next_hdr == WIRE_IPPROTO_ICMPV6) {
		err = wire_icmp6_parse(l4, ip.payload_len, &ip.src, &ip.dst, &icmp, true);
		FUZZ_CHECK(err == WIRE_OK, "bad ICMPv6 (%d)", err);
		if (icmp.type != WIRE_ICMP6_NEIGH_SOL && icmp.type != WIRE_ICMP6_NEIGH_ADV) {
			FUZZ_CHECK(wire_ip6_eq(&ip.src, &us6) || wire_ip6_eq(&ip.src, &ll),
			        "ICMPv6 %u not from our address", icmp.type);
			FUZZ_CHECK(ip.payload_len <= WIRE_IPV6_MIN_MTU - WIRE_IPV6_HLEN ||
			                   icmp.type == WIRE_ICMP6_ECHO_REPLY,
			        "ICMPv6 error beyond 1280 bytes");
			return;
		}
		FUZZ_CHECK(ip.hop_limit == WIRE_ND_HOP_LIMIT, "ND hop limit %u", ip.hop_limit);
		err = wire_nd_parse(l4, ip.payload_len, icmp.type, &nd);
		FUZZ_CHECK(err == WIRE_OK, "bad NS / NA (%d)", err);
		FUZZ_CHECK(
		        wire_ip6_eq(&ip.src, &us6) || wire_ip6_eq(&ip.src, &ll) ||
		                (wire_ip6_is_unspec(&ip.src) && icmp.type == WIRE_ICMP6_NEIGH_SOL),
		        "ND not from our address");
		if (F.trace)
			fprintf(stderr, "%8llu ms tern -> %s for %02x%02x..%02x\n",
			        (unsigned long long)now_ms(),
			        icmp.type == WIRE_ICMP6_NEIGH_SOL ? "NS" : "NA", nd.target.b[0],
			        nd.target.b[1], nd.target.b[15]);
		if (icmp.type == WIRE_ICMP6_NEIGH_SOL && !wire_ip6_is_unspec(&ip.src) &&
		        wire_ip6_eq(&nd.target, &peer6) && !F.no_arp)
			answer_ns(&ip);
		return;
	}
	FUZZ_CHECK(ip.next_hdr == WIRE_IPPROTO_TCP, "IPv6 next header %u", ip.next_hdr);
	FUZZ_CHECK(wire_ip6_eq(&ip.src, &us6) || wire_ip6_eq(&ip.src, &ll),
	        "TCP from an IPv6 source not ours");
	FUZZ_CHECK(ip.hop_limit == 64, "TCP with hop limit %u", ip.hop_limit);
	FUZZ_CHECK(!wire_ip6_is_multicast(&ip.dst), "TCP to a group");
	FUZZ_CHECK(ip.payload_len >= WIRE_TCP_HLEN &&
	                   tcp6_csum(&ip.src, &ip.dst, l4, ip.payload_len) == 0,
	        "bad TCP checksum over IPv6");
	inspect_tcp(l4, ip.payload_len, wire_ip6_eq(&ip.dst, &peer6),
	        WIRE_IPV6_HLEN + (uint32_t)ip.payload_len);
}

static void
inspect(struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct wire_eth_repr eth;
	struct wire_ipv4_repr ip;
	struct wire_arp_repr arp;
	struct wire_icmp_repr icmp;
	enum wire_err err;

	FUZZ_CHECK(m->nb_segs == 1 && rte_pktmbuf_pkt_len(m) == len, "multi-segment frame");
	FUZZ_CHECK(wire_eth_parse(p, len, &eth) == WIRE_OK, "runt frame of %zu bytes", len);
	FUZZ_CHECK(wire_mac_eq(&eth.src, &us_mac), "source MAC is not ours");
	if (eth.type == WIRE_ETHERTYPE_ARP) {
		FUZZ_CHECK(wire_arp_parse(p + WIRE_ETH_HLEN, len - WIRE_ETH_HLEN, &arp) == WIRE_OK,
		        "bad ARP");
		if (F.trace)
			fprintf(stderr, "%8llu ms tern -> ARP op %u for %#x\n",
			        (unsigned long long)now_ms(), arp.op, arp.tpa);
		FUZZ_CHECK(arp.spa == US_IP && wire_mac_eq(&arp.sha, &us_mac), "ARP not from us");
		if (arp.op == WIRE_ARP_OP_REQUEST && arp.tpa == PEER_IP && !F.no_arp)
			answer_arp(&arp);
		return;
	}
	if (eth.type == WIRE_ETHERTYPE_IPV6) {
		inspect6(p, len, &eth);
		return;
	}
	FUZZ_CHECK(eth.type == WIRE_ETHERTYPE_IPV4, "ethertype %#x", eth.type);
	err = wire_ipv4_parse(p + WIRE_ETH_HLEN, len - WIRE_ETH_HLEN, &ip, true);
	FUZZ_CHECK(err == WIRE_OK, "the engine sent a bad IPv4 header (%d)", err);
	FUZZ_CHECK(ip.src == US_IP, "IPv4 source %#x", ip.src);
	FUZZ_CHECK(!wire_ipv4_is_fragment(&ip), "fragment");
	FUZZ_CHECK(len == WIRE_ETH_HLEN + ip.total_len || (len == 60 && ip.total_len < 46),
	        "frame of %zu bytes for an IP packet of %u", len, ip.total_len);
	if (ip.proto == WIRE_IPPROTO_ICMP) {
		err = wire_icmp_parse(
		        p + WIRE_ETH_HLEN + ip.hdr_len, ip.total_len - ip.hdr_len, &icmp, true);
		FUZZ_CHECK(err == WIRE_OK, "bad ICMP (%d)", err);
		return;
	}
	FUZZ_CHECK(ip.proto == WIRE_IPPROTO_TCP, "IP protocol %u", ip.proto);
	FUZZ_CHECK(wire_tcp_csum(ip.src, ip.dst, p + WIRE_ETH_HLEN + ip.hdr_len,
	                   ip.total_len - ip.hdr_len) == 0,
	        "bad TCP checksum");
	inspect_tcp(p + WIRE_ETH_HLEN + ip.hdr_len, ip.total_len - ip.hdr_len,
	        !F.v6 && ip.dst == PEER_IP, ip.total_len);
}

/* ---- the engine loop ---- */

/*
 * One engine poll. A retransmission timeout that fires must put a segment on the wire (or
 * fail for want of an mbuf): RFC 6298 §5.4, and RFC 9293 §3.8.6.1 even into a zero window.
 */
static unsigned
poll_once(void)
{
	const struct tern_stats *st = tern_engine_stats(F.e);
	uint64_t rto = st->ctr[TERN_CTR_TCP_RTO], tx = st->ctr[TERN_CTR_TCP_SEG_TX];
	uint64_t nombuf = st->drop[TERN_DROP_NO_MBUF];
	unsigned n = tern_engine_poll(F.e);

	PROTO_CHECK("rto-silent",
	        st->ctr[TERN_CTR_TCP_RTO] == rto || st->ctr[TERN_CTR_TCP_SEG_TX] != tx ||
	                st->drop[TERN_DROP_NO_MBUF] != nombuf,
	        "%llu retransmission timeouts fired and nothing was sent",
	        (unsigned long long)(st->ctr[TERN_CTR_TCP_RTO] - rto));
	return n;
}

static void
poll_quiet(void)
{
	unsigned i, j;

	for (i = 0; i < POLL_ROUNDS; i++)
		if (poll_once() == 0 && F.rx_count == 0)
			break;
	/* An active open that left SYN_SENT no longer needs its candidate SYNs. */
	for (j = 0; j < NSLOT; j++) {
		struct trk *t = F.slot[j].cur;

		if (t == NULL || !t->live || tern_conn_state(t->c) != TERN_TCP_SYN_SENT)
			F.slot[j].npend = 0;
	}
}

/* ---- application ---- */

static struct trk *
trk_new(struct tern_conn *c, int slot)
{
	unsigned i;

	for (i = 0; i < NTRK; i++)
		if (!F.trk[i].live)
			break;
	FUZZ_CHECK(i < NTRK, "more than %d connections the application holds", NTRK);
	memset(&F.trk[i], 0, sizeof(F.trk[i]));
	F.trk[i].c = c;
	F.trk[i].live = true;
	F.trk[i].slot = slot;
	return &F.trk[i];
}

static void
do_recv(struct trk *t, size_t want)
{
	size_t before = tern_conn_readable(t->c);
	ssize_t r;
	ssize_t i;

	if (want > sizeof(F.buf))
		want = sizeof(F.buf);
	r = tern_conn_recv(t->c, F.buf, want);
	if (r < 0) {
		PROTO_CHECK("rx-data", r == -EAGAIN && before == 0, "recv: %zd with %zu readable",
		        r, before);
		return;
	}
	PROTO_CHECK("rx-data", (size_t)r == (want < before ? want : before),
	        "recv(%zu) returned %zd with %zu readable", want, r, before);
	if (r == 0) {
		if (want > 0 && before == 0)
			t->eof = true;
		return;
	}
	PROTO_CHECK("rx-data", !t->eof, "%zd bytes read after EOF", r);
	if (t->rx_check) {
		for (i = 0; i < r; i++)
			PROTO_CHECK("rx-data", F.buf[i] == peer_byte(t->rx_seq + (uint32_t)i),
			        "read byte at seq %#x is %#x, the peer sent %#x",
			        t->rx_seq + (uint32_t)i, F.buf[i],
			        peer_byte(t->rx_seq + (uint32_t)i));
		t->rx_seq += (uint32_t)r;
	}
}

static void
do_send(struct trk *t, size_t n)
{
	ssize_t r;
	size_t i;

	if (n > sizeof(F.buf))
		n = sizeof(F.buf);
	for (i = 0; i < n; i++)
		F.buf[i] = app_byte(t->tx_off + i);
	r = tern_conn_send(t->c, F.buf, n);
	FUZZ_CHECK(r <= (ssize_t)n && (r >= 0 || r == -ENOTCONN || r == -EPIPE || r == -ENOBUFS),
	        "send(%zu) returned %zd", n, r);
	if (r > 0)
		t->tx_off += (uint64_t)r;
}

static struct trk *
trk_of(struct tern_conn *c)
{
	struct trk *t = tern_conn_udata(c);

	FUZZ_CHECK(t != NULL && t >= F.trk && t < F.trk + NTRK && t->live,
	        "callback for a connection the application does not hold");
	if (t->c == NULL) /* from inside tern_connect() */
		t->c = c;
	FUZZ_CHECK(t->c == c, "callback for a connection the application does not hold");
	return t;
}

static void
cb_accepted(struct tern_conn *c, void *app)
{
	struct tern_tuple tu;
	struct tern_addr la, ra;
	struct slot *s;
	struct trk *t;
	unsigned i;

	(void)app;
	tern_conn_tuple(c, &tu);
	tern_conn_local(c, &la, NULL);
	tern_conn_peer(c, &ra, NULL);
	if (F.v6)
		FUZZ_CHECK(la.family == TERN_AF_INET6 && ra.family == TERN_AF_INET6 &&
		                   memcmp(la.v6, us6.b, 16) == 0 &&
		                   memcmp(ra.v6, peer6.b, 16) == 0 && tu.lport == LPORT,
		        "accepted an IPv6 connection not between the peer and us (family %u/%u)",
		        la.family, ra.family);
	else
		FUZZ_CHECK(tu.laddr == US_IP && tu.raddr == PEER_IP && tu.lport == LPORT &&
		                   la.family == TERN_AF_INET && ra.family == TERN_AF_INET,
		        "accepted %#x:%u <- %#x:%u", tu.laddr, tu.lport, tu.raddr, tu.rport);
	s = slot_of(tu.lport, tu.rport);
	FUZZ_CHECK(s != NULL && s - F.slot < ACTIVE, "accepted from port %u", tu.rport);
	t = trk_new(c, (int)(s - F.slot));
	if (F.trace)
		fprintf(stderr, "%8llu ms app: accepted on slot %d\n", (unsigned long long)now_ms(),
		        (int)(s - F.slot));
	/* No SYN-ACK since the peer's latest SYN: this incarnation's is still to be inspected
	 * (a batch), and the frames before it on this tuple are an earlier incarnation's. */
	t->ack_wait = !s->irs_fresh;
	t->tx_before = tern_engine_stats(F.e)->ctr[TERN_CTR_TCP_SEG_TX];
	t->known = true;
	F.n_known++;
	tern_conn_set_udata(c, t);
	s->cur = t;
	if (s->tainted)
		goto app;
	if (s->irs_fresh) {
		t->rx_check = true;
		t->rx_seq = s->irs + 1;
	}
	if (s->iss_fresh) {
		t->tx_check = true;
		t->iss = s->iss;
	}
	/* The SYN-ACK carries an option only when the SYN offered it: both sides have it. */
	/* Only from a SYN-ACK seen after the peer's latest SYN: in a batch, the handshake of a
	 * new incarnation can complete before its SYN-ACK is inspected (s->syn_ts would still
	 * be the previous one's). */
	t->ts = s->iss_fresh && s->syn_ts;
	t->ws = s->syn_ws >= 0 ? (uint8_t)(s->syn_ws > 14 ? 14 : s->syn_ws) : 0;
	t->edge_check = s->iss_fresh;
	if (F.cookies && s->n_synack > 1) {
		/* Several cookie SYN-ACKs were out: the ACK of any of them (stateless, even of
		 * a SYN the peer since reset) may have made this connection. Which one is not
		 * known here: no per-connection checks. */
		t->rx_check = t->tx_check = t->edge_check = t->ts = false;
	}
	for (i = 0; F.cookies && i < s->ncack; i++) {
		/* The peer acknowledged an older cookie than the latest SYN-ACK's (one that
		 * made an earlier connection, replayed): that ACK may have made this one. */
		if (i >= 4 || s->cack[i] != s->iss) {
			t->rx_check = t->tx_check = t->edge_check = t->ts = false;
			break;
		}
	}
app:
	s->n_synack = 0;
	s->ncack = 0;
	if (F.app_mode & 0x10)
		tern_conn_setopt(c, TERN_OPT_NODELAY, 1);
	if (F.app_mode & 0x08)
		do_send(t, 3000);
}

static void
cb_connected(struct tern_conn *c, void *app)
{
	struct slot *s = &F.slot[ACTIVE];
	struct trk *t = trk_of(c);

	(void)app;
	FUZZ_CHECK(t->slot == ACTIVE && !t->known, "connected twice or on a passive slot");
	{
		struct tern_addr ra;

		tern_conn_peer(c, &ra, NULL);
		FUZZ_CHECK(ra.family == (F.v6 ? TERN_AF_INET6 : TERN_AF_INET),
		        "connected over family %u", ra.family);
	}
	t->known = true;
	F.n_known++;
	if (s->tainted)
		goto app;
	if (s->irs_fresh) { /* simultaneous open: the engine's SYN-ACK said it */
		t->rx_check = true;
		t->rx_seq = s->irs + 1;
		t->ts = s->syn_ts;
		t->edge_check = true;
	} else if (s->npend == 1) { /* the one SYN-ACK injected while in SYN_SENT */
		t->rx_check = true;
		t->rx_seq = s->pend[0] + 1;
		t->ts = s->syn_ts && s->pend_ts[0];
		t->edge_check = true;
	}
	/* Our SYN-ACKs always carry the header's window scale option when it is on. */
	t->ws = (s->syn_ws >= 0 && (s->offered & WIRE_TCPO_WSCALE)) ? (uint8_t)s->syn_ws : 0;
app:
	if (F.app_mode & 0x08)
		do_send(t, 3000);
}

static void
cb_readable(struct tern_conn *c, void *app)
{
	struct trk *t = trk_of(c);
	unsigned i;

	(void)app;
	FUZZ_CHECK(t->known, "readable before accepted/connected");
	if (!(F.app_mode & 0x01))
		return;
	for (i = 0; i < 64 && tern_conn_readable(c) > 0; i++) {
		size_t n = tern_conn_readable(c);

		do_recv(t, n);
		if (F.app_mode & 0x02)
			do_send(t, n);
	}
	if (F.app_mode & 0x04) {
		do_recv(t, 1);
		if (t->eof)
			tern_conn_close(c); /* may deliver closed: t is not used after this */
	}
}

static void
cb_writable(struct tern_conn *c, void *app)
{
	struct trk *t = trk_of(c);

	(void)app;
	FUZZ_CHECK(t->known, "writable before accepted/connected");
}

static void
cb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct trk *t = trk_of(c);
	struct slot *s = &F.slot[t->slot];

	(void)app;
	FUZZ_CHECK(why <= TERN_CLOSE_FIN_TIMEOUT, "close reason %d", why);
	F.n_closed++;
	if (F.trace)
		fprintf(stderr, "%8llu ms app: closed on slot %d (reason %d)\n",
		        (unsigned long long)now_ms(), t->slot, (int)why);
	if (!t->known)
		F.n_known++; /* a failed connect: closed without connected */
	t->live = false;
	t->c = NULL;
	if (s->cur == t)
		s->cur = NULL;
}

static const struct tern_callbacks callbacks = {
        .accepted = cb_accepted,
        .connected = cb_connected,
        .readable = cb_readable,
        .writable = cb_writable,
        .closed = cb_closed,
};

/* ---- crafting the peer's segments ---- */

struct seg {
	int slot;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win, urg;
	bool ts;
	uint32_t tsval, tsecr;
	unsigned nsack;
	struct wire_sack_block sack[WIRE_TCP_MAX_SACK];
	const uint8_t *rawopt;
	size_t rawopt_len;
	uint32_t plen;
	bool bad_csum;
};

/* The peer's window shift when window scaling is in use (RFC 7323 §2.3: at most 14). */
static unsigned
peer_shift(void)
{
	return F.syn_ws > 14 ? 14 : F.syn_ws;
}

static void
send_seg(const struct seg *g)
{
	struct slot *s = &F.slot[g->slot];
	uint8_t f[FRAME_MAX];
	size_t l3len = F.v6 ? WIRE_IPV6_HLEN : WIRE_IPV4_HLEN;
	uint8_t *ipp = f + WIRE_ETH_HLEN, *tcp = ipp + l3len;
	struct wire_eth_repr eth = {.dst = us_mac,
	        .src = peer_mac,
	        .type = F.v6 ? WIRE_ETHERTYPE_IPV6 : WIRE_ETHERTYPE_IPV4};
	struct wire_ipv4_repr ip = {.src = PEER_IP,
	        .dst = US_IP,
	        .ttl = 64,
	        .proto = WIRE_IPPROTO_TCP,
	        .frag = WIRE_IPV4_DF};
	struct wire_tcp_repr th;
	uint32_t data_seq, i, plen = g->plen, seglen;
	size_t hlen, room;
	uint64_t ol = 0;
	uint16_t cs;

	memset(&th, 0, sizeof(th));
	th.sport = s->pport;
	th.dport = s->lport;
	th.seq = g->seq;
	th.ack = g->ack;
	th.flags = g->flags;
	th.win = g->win;
	th.urg = g->urg;
	if (g->flags & WIRE_TCP_SYN) {
		if (F.syn_opts & 0x01) {
			th.opts.present |= WIRE_TCPO_MSS;
			th.opts.mss = F.syn_mss;
		}
		if (F.syn_opts & 0x02) {
			th.opts.present |= WIRE_TCPO_WSCALE;
			th.opts.wscale = F.syn_ws;
		}
		if (F.syn_opts & 0x04)
			th.opts.present |= WIRE_TCPO_SACK_PERM;
		if (g->ts)
			th.opts.present |= WIRE_TCPO_TS;
		s->offered |= th.opts.present;
		if (g->rawopt_len > 0)
			s->tainted = true;
	}
	if (g->ts) {
		th.opts.present |= WIRE_TCPO_TS;
		th.opts.tsval = g->tsval;
		th.opts.tsecr = g->tsecr;
	}
	if (g->nsack > 0) {
		th.opts.present |= WIRE_TCPO_SACK;
		th.opts.nsack = (uint8_t)g->nsack;
		memcpy(th.opts.sack, g->sack, sizeof(g->sack));
	}
	hlen = wire_tcp_emit(tcp, &th);
	if (F.trace)
		trace_tcp("-> tern", g->slot, &th, plen);
	if (g->rawopt_len > 0) {
		size_t n = g->rawopt_len;

		if (n > WIRE_TCP_MAXHLEN - hlen)
			n = WIRE_TCP_MAXHLEN - hlen;
		memcpy(tcp + hlen, g->rawopt, n);
		hlen += n;
		while (hlen % 4 != 0)
			tcp[hlen++] = WIRE_TCPOPT_EOL;
		tcp[12] = (uint8_t)((hlen / 4) << 4);
	}
	room = sizeof(f) - WIRE_ETH_HLEN - l3len - hlen;
	if (plen > room)
		plen = (uint32_t)room;
	data_seq = g->seq + !!(g->flags & WIRE_TCP_SYN);
	for (i = 0; i < plen; i++)
		tcp[hlen + i] = peer_byte(data_seq + i);
	cs = peer_csum(tcp, hlen + plen);
	if (g->bad_csum)
		cs ^= 0x0100;
	tcp[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
	tcp[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	if (F.v6) {
		struct wire_ipv6_repr ip6;

		memset(&ip6, 0, sizeof(ip6));
		ip6.src = peer6;
		ip6.dst = us6;
		ip6.next_hdr = WIRE_IPPROTO_TCP;
		ip6.hop_limit = 64;
		ip6.payload_len = (uint16_t)(hlen + plen);
		wire_ipv6_emit(ipp, &ip6);
	} else {
		ip.total_len = (uint16_t)(WIRE_IPV4_HLEN + hlen + plen);
		wire_ipv4_emit(ipp, &ip, true);
	}
	wire_eth_emit(f, &eth);
	if (F.rx_offload)
		ol = (F.v6 ? 0 : RTE_MBUF_F_RX_IP_CKSUM_GOOD) |
		     (g->bad_csum ? RTE_MBUF_F_RX_L4_CKSUM_BAD : RTE_MBUF_F_RX_L4_CKSUM_GOOD);

	/* An ACK of one of the engine's kept SYN-ACKs, which may complete a cookie. */
	if (F.cookies && g->slot != ACTIVE && !g->bad_csum &&
	        (g->flags & (WIRE_TCP_ACK | WIRE_TCP_SYN | WIRE_TCP_RST)) == WIRE_TCP_ACK) {
		unsigned r, j;

		for (r = 0; r < (s->n_iss < 8 ? s->n_iss : 8); r++) {
			if (s->iss_ring[r] != g->ack - 1)
				continue;
			for (j = 0; j < s->ncack && j < 4; j++)
				if (s->cack[j] == g->ack - 1)
					break;
			if (j == s->ncack) {
				if (s->ncack < 4)
					s->cack[s->ncack] = g->ack - 1;
				s->ncack++;
			}
			break;
		}
	}
	/* What the peer now knows it sent. */
	if (!g->bad_csum && !(g->flags & WIRE_TCP_RST)) {
		seglen = plen + !!(g->flags & WIRE_TCP_SYN) + !!(g->flags & WIRE_TCP_FIN);
		if (g->flags & WIRE_TCP_SYN) {
			if (s->nsyn < NSYN)
				s->syn[s->nsyn] = g->seq;
			s->nsyn++;
			s->checked = false;
			if (!(g->flags & WIRE_TCP_ACK)) {
				/* A possible new connection: what was learnt may be stale. */
				s->iss_fresh = false;
				s->irs_fresh = false;
			}
			s->nxt = g->seq + seglen;
		} else if (seq_leq(g->seq, s->nxt) && seq_lt(s->nxt, g->seq + seglen)) {
			s->nxt = g->seq + seglen;
		}
		iv_add(s, data_seq, plen + !!(g->flags & WIRE_TCP_FIN));
		if ((g->flags & WIRE_TCP_SYN) && (F.syn_opts & 0x01) && F.syn_mss > s->max_mss)
			s->max_mss = F.syn_mss;
		if (g->slot == ACTIVE && (g->flags & WIRE_TCP_SYN) && s->cur != NULL &&
		        s->cur->live && tern_conn_state(s->cur->c) == TERN_TCP_SYN_SENT &&
		        s->npend < 4) {
			s->pend_ts[s->npend] = g->ts;
			s->pend[s->npend++] = g->seq;
		}
	}
	if (g->flags & WIRE_TCP_ACK)
		s->last_ack = g->ack;
	if ((g->flags & (WIRE_TCP_SYN | WIRE_TCP_ACK)) == WIRE_TCP_SYN && !g->bad_csum)
		s->syn_win = g->win;
	/* The furthest ACK and largest window, from ACKs the engine may accept. */
	if ((g->flags & (WIRE_TCP_ACK | WIRE_TCP_RST)) == WIRE_TCP_ACK && !g->bad_csum && s->seen &&
	        !seq_leq(g->ack, s->snd_max) && seq_leq(g->ack, s->snd_max + (1u << 24))) {
		if (s->npack == 16)
			s->pack[0] = s->pack[--s->npack];
		s->pack[s->npack++] = g->ack;
	}
	if ((g->flags & (WIRE_TCP_ACK | WIRE_TCP_RST)) == WIRE_TCP_ACK && !g->bad_csum && s->seen) {
		bool scaled = !(g->flags & WIRE_TCP_SYN) && s->syn_ws >= 0 &&
		              (s->offered & WIRE_TCPO_WSCALE);
		uint32_t win = (uint32_t)g->win << (scaled ? peer_shift() : 0);

		/* A SYN-ACK the engine can accept (it acknowledges our SYN) starts the
		 * edge afresh; a bogus one before it must not leave a stale edge. */
		bool synack_ok = s->cur != NULL && s->cur->live && g->ack == s->cur->iss + 1 &&
		                 tern_conn_state(s->cur->c) == TERN_TCP_SYN_SENT;

		if ((g->flags & WIRE_TCP_SYN) && g->slot == ACTIVE && (!s->pedge_ok || synack_ok)) {
			/* Several SYN-ACKs in one batch (the state is SYN_SENT for all of
			 * them): a later one must not shrink what an ACK between them offered
			 * (the engine takes the first, and that ACK's scaled window). */
			if (!(s->pedge_ok && s->pmax_ack == g->ack && s->pmax_win > win))
				s->pmax_win = win;
			s->pmax_ack = g->ack;
			s->pedge_ok = true;
		} else if (s->pedge_ok) {
			if (ack_at_most(g->ack, s->snd_max) && seq_lt(s->pmax_ack, g->ack))
				s->pmax_ack = g->ack;
			if (win > s->pmax_win)
				s->pmax_win = win;
		} else if (!(g->flags & WIRE_TCP_SYN) && g->ack == s->iss + 1 &&
		           win > s->syn_ack_win) {
			s->syn_ack_win = win; /* see syn_ack_win */
		}
	}
	inject_ol(f, WIRE_ETH_HLEN + l3len + hlen + plen, ol);
}

/* The peer's timestamp clock for slot @p s. */
static uint32_t
peer_ts(const struct slot *s)
{
	return (uint32_t)now_ms() + 0x1000u + (uint32_t)(s - F.slot) * 0x01000000u + s->ts_adj;
}

static const uint8_t flag_presets[8] = {WIRE_TCP_ACK, WIRE_TCP_ACK | WIRE_TCP_PSH,
        WIRE_TCP_ACK | WIRE_TCP_FIN, WIRE_TCP_RST, WIRE_TCP_RST | WIRE_TCP_ACK, WIRE_TCP_SYN,
        WIRE_TCP_SYN | WIRE_TCP_ACK, 0};

/* Payload length from one byte: fine steps for small sizes, coarse up to ~1900. */
static uint32_t
plen_of(uint8_t b)
{
	return b < 128 ? b : 128u + (uint32_t)(b - 128) * 14u;
}

/* SEG: opcode bits 3-4 slot, 5-7 flag preset (7 = a raw flags byte follows). */
static void
op_seg(uint8_t o)
{
	struct seg g;
	struct slot *s;
	uint8_t preset = o >> 5, c;
	static uint8_t rawopt[40];

	memset(&g, 0, sizeof(g));
	g.slot = (o >> 3) & 3;
	s = &F.slot[g.slot];
	g.flags = preset == 7 ? in_u8() : flag_presets[preset];
	c = in_u8();
	switch (c & 3) {
	case 0:
		g.seq = s->nxt;
		break;
	case 1:
		g.seq = s->seen ? s->ack : s->nxt;
		break;
	case 2:
		g.seq = s->nxt + (uint32_t)(int32_t)(int16_t)in_u16();
		break;
	default:
		g.seq = s->nxt + in_u32();
		break;
	}
	switch ((c >> 2) & 3) {
	case 0:
		g.ack = s->snd_max;
		break;
	case 1:
		g.ack = s->last_ack;
		break;
	case 2:
		g.ack = s->snd_max + (uint32_t)(int32_t)(int16_t)in_u16();
		break;
	default:
		g.ack = s->snd_max + in_u32();
		break;
	}
	if (c & 0x10)
		g.plen = plen_of(in_u8());
	else if (preset == 1)
		g.plen = 100;
	if (c & 0x20) {
		unsigned i;

		g.nsack = 1 + (in_u8() & 3);
		for (i = 0; i < g.nsack; i++) {
			g.sack[i].left = g.ack + (uint32_t)(int32_t)(int16_t)in_u16();
			g.sack[i].right = g.sack[i].left + in_u16();
		}
	}
	/* Timestamps: on when negotiated (or on a SYN that offers them), tweaked on demand. */
	g.ts = (F.syn_opts & 0x08) && ((g.flags & WIRE_TCP_SYN) || s->syn_ts);
	g.tsval = peer_ts(s);
	g.tsecr = (g.flags & WIRE_TCP_SYN) && !(g.flags & WIRE_TCP_ACK) ? 0 : s->tsval;
	if (c & 0x40) {
		uint8_t d = in_u8();
		uint32_t mag = ((d >> 2) & 15) + 1;

		switch (d & 3) {
		case 0:
			g.ts = !g.ts;
			break;
		case 1:
			g.tsval -= mag; /* older than TS.Recent: PAWS */
			break;
		case 2:
			s->ts_adj += mag << 16; /* the peer's clock jumps forward */
			g.tsval += mag << 16;
			break;
		default:
			g.tsval -= 0x80000000u - mag; /* half the space away */
			break;
		}
		if (d & 0x40)
			g.tsecr = 0;
		if (d & 0x80)
			g.tsecr += 0x10000u;
	}
	g.win = F.peer_win;
	if (c & 0x80) {
		uint8_t x;

		g.win = in_u16();
		x = in_u8();
		g.bad_csum = x & 1;
		if (x & 2) {
			size_t n = in_u8() % (sizeof(rawopt) + 1), i;

			for (i = 0; i < n; i++)
				rawopt[i] = in_u8();
			g.rawopt = rawopt;
			g.rawopt_len = n;
		}
		if (x & 4) {
			g.flags |= WIRE_TCP_URG;
			g.urg = in_u16();
		}
	}
	send_seg(&g);
}

/* TIME: opcode bits 3-7 = steps - 1; one byte gives the step (1 ms .. 25 days). */
static void
op_time(uint8_t o)
{
	unsigned steps = (o >> 3) + 1u, i;
	uint8_t t = in_u8();
	uint64_t ms;

	if (t < 100)
		ms = t;
	else if (t < 200)
		ms = (uint64_t)(t - 99) * 20;
	else if (t < 250)
		ms = (uint64_t)(t - 199) * 1000;
	else if (t < 255)
		ms = (uint64_t)(t - 249) * 1800 * 1000; /* half hours: keepalive */
	else
		ms = 25ull * 24 * 3600 * 1000; /* past the 24-day PAWS limit */
	for (i = 0; i < steps; i++) {
		F.now_ns += ms * 1000000;
		poll_quiet();
	}
}

/* APP: opcode bits 3-5 = connection; one byte action (low 3 bits) and arguments. */
static void
op_app(uint8_t o)
{
	struct trk *t = &F.trk[(o >> 3) & 7];
	uint8_t a = in_u8(), m;
	uint32_t prev_iss;
	bool prev_seen;
	struct tern_conn *c;
	uint32_t v, w;
	int rc, rc2;

	switch (a & 7) {
	case 6: /* connect (slot 3) */
		if (F.slot[ACTIVE].cur != NULL && F.slot[ACTIVE].cur->live)
			return;
		for (t = F.trk; t < F.trk + NTRK && t->live; t++)
			;
		if (t == F.trk + NTRK)
			return; /* as many connections as blocks: connect() could not succeed */
		t = trk_new(NULL, ACTIVE);
		if (F.v6) {
			struct tern_addr da = {.family = TERN_AF_INET6};

			memcpy(da.v6, peer6.b, 16);
			c = tern_connect_addr(F.e, &da, APORT, 0, t);
		} else {
			c = tern_connect(F.e, PEER_IP, APORT, 0, t);
		}
		if (c == NULL) {
			t->live = false;
			return;
		}
		t->c = c;
		{
			struct tern_tuple tu;

			tern_conn_tuple(c, &tu);
			F.active_lport = tu.lport;
			F.slot[ACTIVE].lport = tu.lport;
		}
		prev_iss = F.slot[ACTIVE].iss;
		prev_seen = F.slot[ACTIVE].n_iss > 0;
		F.slot[ACTIVE].cur = t;
		F.slot[ACTIVE].iss_fresh = F.slot[ACTIVE].irs_fresh = false;
		F.slot[ACTIVE].npend = 0;
		poll_quiet(); /* its SYN tells the ISS and the port (inspect_tcp) */
		/* The same ISS as the previous connection on this tuple (chosen within the same
		 * clock tick): frames of that one still held for ARP are indistinguishable from
		 * this one's. No stream check then. */
		if (prev_seen && F.slot[ACTIVE].iss == prev_iss)
			t->tx_check = false;
		return;
	case 7: /* listen / unlisten */
		if (F.listening) {
			rc = tern_unlisten(F.e, LPORT);
			FUZZ_CHECK(rc == 0, "unlisten: %d", rc);
		} else {
			rc = tern_listen(F.e, LPORT, (uint32_t)(a >> 3) & 3);
			FUZZ_CHECK(rc == 0, "listen: %d", rc);
		}
		F.listening = !F.listening;
		return;
	default:
		break;
	}
	m = in_u8();
	if (!t->live || t->c == NULL)
		return;
	c = t->c;
	switch (a & 7) {
	case 0:
		do_send(t, (size_t)(m + 1) * (m + 1));
		break;
	case 1:
		do_recv(t, (size_t)(m + 1) * (m + 1));
		break;
	case 2:
		rc = tern_conn_shutdown(c);
		FUZZ_CHECK(rc == 0 || rc == -ENOTCONN, "shutdown: %d", rc);
		break;
	case 3:
		rc = tern_conn_close(c); /* t may be gone after this */
		FUZZ_CHECK(rc == 0, "close: %d", rc);
		break;
	case 4:
		tern_conn_abort(c);
		break;
	default:
		w = (uint32_t)in_u8() * 997u;
		w = m & 0x80 ? w : (w & 1);
		rc = tern_conn_setopt(c, (enum tern_conn_opt)(m % 7), w);
		/* -ENOSPC: the engine's keepalive / user-timeout sets are all in use */
		FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOSPC, "setopt: %d", rc);
		rc2 = tern_conn_getopt(c, (enum tern_conn_opt)(m % 7), &v);
		FUZZ_CHECK(rc2 == 0 || rc2 == -EINVAL, "getopt: %d", rc2);
		FUZZ_CHECK(rc != 0 || rc2 != 0 || v == w, "setopt %u: %u, getopt: %u", m % 7, w, v);
		(void)tern_conn_send_space(c);
		break;
	}
	poll_quiet();
}

/*
 * RAW: opcode bits 3-4 = wrapping: 0 none, 1 Ethernet (a byte: bit 0 ARP, else IPv4),
 * 2 Ethernet + IPv4 (a protocol byte and a byte of IPv4 oddities), 3 Ethernet + IPv4 + the
 * bytes as a TCP header on slot bits 5-6 (ports and checksum fixed). Then a length byte and
 * that many bytes.
 */
/* RAW's bytes as a TCP header on slot @p s: its ports, and a zero checksum field to sum over. */
static void
raw_tcp_ports(uint8_t *q, const struct slot *s)
{
	q[0] = (uint8_t)(s->pport >> 8);
	q[1] = (uint8_t)s->pport;
	q[2] = (uint8_t)(s->lport >> 8);
	q[3] = (uint8_t)s->lport;
	q[WIRE_TCP_CSUM_OFF] = q[WIRE_TCP_CSUM_OFF + 1] = 0;
}

/* ... then its checksum @p cs; the slot's sequence space is no longer the harness's. */
static void
raw_tcp_csum(uint8_t *q, struct slot *s, uint16_t cs)
{
	q[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
	q[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	s->cov_ok = false; /* sequence space the harness did not track */
	s->tainted = true;
}

/*
 * RAW over IPv6: as op_raw(), with IPv6 for IPv4: wrapping 1 Ethernet (a byte: bit 0 ARP,
 * else IPv6), 2 Ethernet + IPv6 (a next-header byte and a byte of oddities: bit 0 not our
 * address, 1 source ours (or ff02::1 with bit 7), 2 a fragment header (offset 0, more
 * fragments), 3 hop limit 0, 4 a payload length one too long, 5 an 8-byte hop-by-hop
 * header, 6 broadcast MAC), 3 Ethernet + IPv6 + the bytes as a TCP header on slot bits 5-6.
 */
static void
op_raw6(uint8_t o)
{
	uint8_t f[FRAME_MAX], *q = f, odd = 0, nh = 0, *ext;
	unsigned wrap = (o >> 3) & 3, n, i, l3 = WIRE_IPV6_HLEN;
	struct wire_eth_repr eth = {.dst = us_mac, .src = peer_mac, .type = WIRE_ETHERTYPE_IPV6};
	struct wire_ipv6_repr ip;
	struct slot *s = &F.slot[(o >> 5) & 3];
	uint16_t cs;

	memset(&ip, 0, sizeof(ip));
	ip.src = peer6;
	ip.dst = us6;
	ip.hop_limit = 64;
	if (wrap == 1 && (in_u8() & 1))
		eth.type = WIRE_ETHERTYPE_ARP;
	if (wrap == 2) {
		nh = in_u8();
		odd = in_u8();
	}
	if (wrap == 3)
		nh = WIRE_IPPROTO_TCP;
	n = in_u8();
	if (wrap >= 1) {
		if (odd & 0x40)
			memset(eth.dst.b, 0xff, sizeof(eth.dst.b)); /* broadcast */
		wire_eth_emit(q, &eth);
		q += WIRE_ETH_HLEN;
	}
	if (wrap >= 2) {
		if (odd & 0x01)
			ip.dst = other6; /* not us */
		if (odd & 0x02) {
			if (odd & 0x80)
				wire_ip6_all_nodes(&ip.src);
			else
				ip.src = us6; /* a source to refuse */
		}
		if (odd & 0x08)
			ip.hop_limit = 0;
		/* extension headers: hop-by-hop first (RFC 8200 §4.1), then a fragment */
		ext = q + WIRE_IPV6_HLEN;
		ip.next_hdr = nh;
		if (odd & 0x04) {
			memset(ext, 0, 8);
			ext[0] = ip.next_hdr;
			ext[3] = 1; /* offset 0, M */
			ext[7] = 0x2a;
			ip.next_hdr = 44;
			ext += 8;
			l3 += 8;
		}
		if (odd & 0x20) {
			/* shift a fragment header up: hop-by-hop must come first */
			if (odd & 0x04)
				memmove(q + WIRE_IPV6_HLEN + 8, q + WIRE_IPV6_HLEN, 8);
			ext = q + WIRE_IPV6_HLEN;
			memset(ext, 0, 8);
			ext[0] = ip.next_hdr;
			ext[2] = 1; /* PadN of 4 bytes */
			ext[3] = 4;
			ip.next_hdr = 0;
			l3 += 8;
		}
		q += l3;
	}
	for (i = 0; i < n; i++)
		q[i] = in_u8();
	if (wrap == 3 && n >= WIRE_TCP_HLEN) {
		raw_tcp_ports(q, s);
		raw_tcp_csum(q, s, tcp6_csum(&ip.src, &ip.dst, q, n));
	}
	if (wrap == 2 && nh == WIRE_IPPROTO_TCP) {
		if (n >= WIRE_TCP_HLEN && !(odd & 0x10)) {
			/* a right checksum, so that it gets past it */
			q[WIRE_TCP_CSUM_OFF] = q[WIRE_TCP_CSUM_OFF + 1] = 0;
			cs = tcp6_csum(&ip.src, &ip.dst, q, n);
			q[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
			q[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
		}
		for (i = 0; i < NSLOT; i++) {
			F.slot[i].tainted = true;
			F.slot[i].cov_ok = false;
		}
	}
	if (wrap >= 2) {
		ip.payload_len = (uint16_t)(l3 - WIRE_IPV6_HLEN + n + !!(odd & 0x10));
		wire_ipv6_emit(f + WIRE_ETH_HLEN, &ip);
	}
	inject(f, (size_t)(q - f) + n);
	if (!F.batch)
		poll_quiet();
}

static void
op_raw(uint8_t o)
{
	uint8_t f[FRAME_MAX], *q = f, odd = 0;
	unsigned wrap = (o >> 3) & 3, n, i, ihl = WIRE_IPV4_HLEN;
	struct wire_eth_repr eth = {.dst = us_mac, .src = peer_mac, .type = WIRE_ETHERTYPE_IPV4};
	struct wire_ipv4_repr ip = {.src = PEER_IP, .dst = US_IP, .ttl = 64};
	struct slot *s = &F.slot[(o >> 5) & 3];
	uint16_t cs;

	if (F.v6) {
		op_raw6(o);
		return;
	}
	if (wrap == 1 && (in_u8() & 1))
		eth.type = WIRE_ETHERTYPE_ARP;
	if (wrap == 2) {
		ip.proto = in_u8();
		odd = in_u8();
	}
	if (wrap == 3)
		ip.proto = WIRE_IPPROTO_TCP;
	n = in_u8();
	if (wrap >= 1) {
		if (odd & 0x40)
			memset(eth.dst.b, 0xff, sizeof(eth.dst.b)); /* broadcast */
		wire_eth_emit(q, &eth);
		q += WIRE_ETH_HLEN;
	}
	if (wrap >= 2) {
		if (odd & 0x01)
			ip.dst = IP4(10, 0, 0, 99); /* not us */
		if (odd & 0x02)
			ip.src = odd & 0x80 ? IP4(224, 0, 0, 1) : US_IP; /* a source to refuse */
		if (odd & 0x04)
			ip.frag = WIRE_IPV4_MF;
		if (odd & 0x08)
			ip.ttl = 0;
		if (odd & 0x20)
			ihl += 4; /* one option word: NOP NOP NOP EOL */
		q += ihl;
	}
	for (i = 0; i < n; i++)
		q[i] = in_u8();
	if (wrap == 3 && n >= WIRE_TCP_HLEN) {
		raw_tcp_ports(q, s);
		raw_tcp_csum(q, s, wire_tcp_csum(PEER_IP, US_IP, q, n));
	}
	if (wrap == 2 && ip.proto == WIRE_IPPROTO_TCP) {
		for (i = 0; i < NSLOT; i++) {
			F.slot[i].tainted = true;
			F.slot[i].cov_ok = false;
		}
	}
	if (wrap >= 2) {
		uint8_t *h = f + WIRE_ETH_HLEN;

		ip.total_len = (uint16_t)(ihl + n);
		wire_ipv4_emit(h, &ip, false);
		if (ihl > WIRE_IPV4_HLEN) {
			h[0] = (uint8_t)(0x40 | ihl / 4);
			memcpy(h + WIRE_IPV4_HLEN, "\x01\x01\x01\x00", 4);
		}
		cs = wire_csum_fold(wire_csum_add(0, h, ihl));
		if (odd & 0x10)
			cs ^= 1;
		h[10] = (uint8_t)(cs >> 8);
		h[11] = (uint8_t)cs;
	}
	inject(f, (size_t)(q - f) + n);
	if (!F.batch)
		poll_quiet();
}

/* ---- one input ---- */

static void
trace_stats(void)
{
	const struct tern_stats *st = tern_engine_stats(F.e);
	unsigned i;

	for (i = 0; i < TERN_CTR_MAX; i++)
		if (st->ctr[i] != 0)
			fprintf(stderr, "  %s %llu\n", tern_counter_name((enum tern_counter)i),
			        (unsigned long long)st->ctr[i]);
	for (i = 0; i < TERN_DROP_MAX; i++)
		if (st->drop[i] != 0)
			fprintf(stderr, "  drop %s %llu\n", tern_drop_name((enum tern_drop)i),
			        (unsigned long long)st->drop[i]);
}

static const uint32_t rcvbufs[4] = {65535, 4096, 1u << 20, 600};
static const uint32_t sndbufs[4] = {262144, 4096, 1u << 20, 1000};
static const uint16_t mtus[4] = {1500, 576, 9000, 1280};
static const uint8_t wscales[8] = {0, 1, 7, 8, 9, 14, 15, 255};

static void
run_prelude(void)
{
	struct slot *s = &F.slot[0];
	struct seg g;

	memset(&g, 0, sizeof(g));
	g.slot = 0;
	g.flags = WIRE_TCP_SYN;
	g.seq = F.piss;
	g.win = F.peer_win;
	g.ts = (F.syn_opts & 0x08) != 0;
	g.tsval = peer_ts(s);
	send_seg(&g);
	poll_quiet();
	if (F.syn_opts & 0x10)
		return; /* stay in SYN_RCVD */
	memset(&g, 0, sizeof(g));
	g.slot = 0;
	g.flags = WIRE_TCP_ACK;
	g.seq = s->nxt;
	g.ack = s->snd_max;
	g.win = F.peer_win;
	g.ts = (F.syn_opts & 0x08) && s->syn_ts;
	g.tsval = peer_ts(s);
	g.tsecr = s->tsval;
	send_seg(&g);
	poll_quiet();
}

static void
heap_stats(uint64_t *count, uint64_t *bytes)
{
	struct rte_malloc_socket_stats st;
	unsigned i;

	*count = *bytes = 0;
	for (i = 0; i < rte_socket_count(); i++) {
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) != 0)
			continue;
		*count += st.alloc_count;
		*bytes += st.heap_allocsz_bytes;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tern_engine_conf conf;
	unsigned pool_base = rte_mempool_avail_count(F.pool);
	unsigned tiny_base = rte_mempool_avail_count(F.tiny_pool);
	uint64_t heap_n0, heap_b0, heap_n1, heap_b1;
	unsigned i;
	int rc;

	heap_stats(&heap_n0, &heap_b0);
	F.now_ns = START_NS;
	F.active_lport = 0;
	F.in = data;
	F.in_len = size;
	F.in_pos = 0;
	F.rx_head = F.rx_count = 0;
	F.tcp_seen = 0;
	F.tx_drained = F.tx_drained_next = 0;
	F.batch = false;
	F.n_known = F.n_closed = 0;
	memset(F.slot, 0, sizeof(F.slot));
	memset(F.trk, 0, sizeof(F.trk));
	for (i = 0; i < HDR_LEN; i++)
		F.h[i] = in_u8();

	memset(&conf, 0, sizeof(conf));
	conf.ip = US_IP;
	memcpy(conf.mac, us_mac.b, sizeof(conf.mac));
	conf.pool = (F.h[0] & 0x80) ? F.tiny_pool : F.pool;
	conf.io.rx_burst = fz_rx;
	conf.io.tx_burst = fz_tx;
	conf.clock.now_ns = fz_clock;
	conf.cb = &callbacks;
	conf.max_conns = NTRK;
	conf.max_tw = 4;
	conf.msl_ms = 1000;
	conf.secret[0] = 0x66757a7a;
	conf.secret[1] = 0x7465726e;
	conf.no_sack = F.h[0] & 0x01;
	conf.no_timestamps = F.h[0] & 0x02;
	conf.no_wscale = F.h[0] & 0x04;
	conf.nodelay = F.h[0] & 0x08;
	conf.no_delack = F.h[0] & 0x10;
	if (F.h[0] & 0x20) {
		conf.keepalive = true;
		conf.keepidle_ms = 1000;
		conf.keepintvl_ms = 500;
		conf.keepcnt = 3;
	}
	conf.cc = (F.h[0] & 0x40) ? "newreno" : "cubic";
	conf.reass_segs = 64;
	conf.rcvbuf = rcvbufs[F.h[1] & 3];
	conf.sndbuf = sndbufs[(F.h[1] >> 2) & 3];
	F.v6 = F.h[11] & 0x80;
	conf.mtu = mtus[(F.h[1] >> 4) & 3];
	if (F.v6) {
		memcpy(conf.ip6, us6.b, 16);
		if (conf.mtu < WIRE_IPV6_MIN_MTU)
			conf.mtu = 1300; /* IPv6 needs 1280 at least */
	}
	F.lossy_tx = F.h[1] & 0x40;
	if (F.h[1] & 0x80) {
		conf.user_timeout_ms = 3000;
		conf.fin_timeout_ms = 2000;
		conf.reass_segs = 8;
	}
	F.syn_opts = F.h[2];
	F.syn_ws = wscales[F.h[2] >> 5];
	F.syn_mss = F.h[3] == 255 ? 65535 : (uint16_t)(F.h[3] * 8);
	F.piss = (uint32_t)F.h[4] << 24 | (uint32_t)F.h[5] << 16 | (uint32_t)F.h[6] << 8 | F.h[7];
	F.peer_win = (uint16_t)(F.h[8] << 8 | F.h[9]);
	F.app_mode = F.h[10];
	F.no_arp = F.h[11] & 0x01;
	F.rx_offload = F.h[11] & 0x02;
	F.tx_offload = F.h[11] & 0x04;
	F.split_rx = F.h[11] & 0x08;
	/* SYN queue and cookies: bits 4-5 auto / always / off / auto; bit 6 a queue of one
	 * entry (the second half-open connection gets a cookie, or nothing) */
	conf.syncookies = (F.h[11] >> 4) & 3;
	if (conf.syncookies > TERN_SYNCOOKIES_OFF)
		conf.syncookies = TERN_SYNCOOKIES_AUTO;
	F.cookies = conf.syncookies != TERN_SYNCOOKIES_OFF;
	conf.synq_size = (F.h[11] & 0x40) ? 1 : 16;
	conf.rx_csum_offload = F.rx_offload;
	conf.tx_ip_csum_offload = conf.tx_tcp_csum_offload = F.tx_offload;

	for (i = 0; i < NSLOT; i++) {
		struct slot *s = &F.slot[i];

		s->pport = i == ACTIVE ? APORT : (uint16_t)(PPORT0 + i);
		s->lport = i == ACTIVE ? 32768 : LPORT;
		s->nxt = F.piss + i * 0x10000000u;
		/* What the engine may assume of a peer whose SYN has no MSS option (RFC 9293
		 * §3.7.1): 536 over IPv4, 1220 over IPv6. */
		s->max_mss = F.v6 ? 1220 : 536;
		s->syn_ws = -1;
		s->cov_ok = true;
	}

	F.e = tern_engine_create(&conf);
	FUZZ_CHECK(F.e != NULL, "tern_engine_create: %s", rte_strerror(rte_errno));
	if (F.v6) {
		/* DAD on our addresses first: they take no segments while tentative */
		poll_quiet();
		F.now_ns += (ND_RETRANS_MS + 1) * 1000000ull;
		poll_quiet();
		FUZZ_CHECK(tern_engine_ip6_state(F.e) == TERN_IP6_PREFERRED,
		        "our IPv6 address is not preferred after DAD (%d)",
		        tern_engine_ip6_state(F.e));
	}
	rc = tern_listen(F.e, LPORT, 2);
	FUZZ_CHECK(rc == 0, "listen: %d", rc);
	F.listening = true;
	run_prelude();

	while (in_more()) {
		uint8_t o = in_u8();

		switch (o & 7) {
		case 3:
			op_time(o);
			break;
		case 4:
			op_app(o);
			break;
		case 5:
			op_raw(o);
			break;
		case 7:
			F.batch = !F.batch;
			if (!F.batch)
				poll_quiet();
			break;
		default:
			op_seg(o);
			if (!F.batch)
				poll_quiet();
			break;
		}
	}
	poll_quiet();

	if (F.trace)
		trace_stats();
	tern_engine_destroy(F.e);
	F.e = NULL;
	while (F.rx_count > 0) {
		rte_pktmbuf_free(F.rxq[F.rx_head]);
		F.rx_head = (F.rx_head + 1) % RXQ_LEN;
		F.rx_count--;
	}
	FUZZ_CHECK(F.n_closed == F.n_known,
	        "%u connections known to the application, %u closed callbacks", F.n_known,
	        F.n_closed);
	for (i = 0; i < NTRK; i++)
		FUZZ_CHECK(!F.trk[i].live, "connection %u never got its closed callback", i);
	FUZZ_CHECK(rte_mempool_avail_count(F.pool) == pool_base,
	        "mbuf leak: %u mbufs missing from the pool after tern_engine_destroy",
	        pool_base - rte_mempool_avail_count(F.pool));
	FUZZ_CHECK(rte_mempool_avail_count(F.tiny_pool) == tiny_base,
	        "mbuf leak: %u mbufs missing from the small pool after tern_engine_destroy",
	        tiny_base - rte_mempool_avail_count(F.tiny_pool));
	heap_stats(&heap_n1, &heap_b1);
	FUZZ_CHECK(heap_n1 == heap_n0 && heap_b1 == heap_b0,
	        "DPDK heap leak: %lld allocations, %lld bytes left after tern_engine_destroy",
	        (long long)(heap_n1 - heap_n0), (long long)(heap_b1 - heap_b0));
	return 0;
}

/* ---- process set-up ---- */

static void
eal_teardown(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_mempool_free(F.pool);
	rte_mempool_free(F.tiny_pool);
	rte_eal_cleanup();
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	cpu_set_t cpus;

	(void)argc;
	(void)argv;
	/* rte_eal_init() pins this thread to one core; give the fuzzer back all of them. */
	CPU_ZERO(&cpus);
	sched_getaffinity(0, sizeof(cpus), &cpus);
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-fuzz-%d", (int)getpid());
	char *eal_argv[] = {"fuzz_engine", "--no-huge", "--no-shconf", "--no-pci", "-m", "256",
	        prefix, "--log-level=*:error", "--no-telemetry", "-l", "0", NULL};
	int eal_argc = (int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1;

	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "fuzz_engine: cannot start the EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	F.pool = rte_pktmbuf_pool_create(
	        "fuzz_pool", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	F.trace = getenv("FUZZ_TRACE") != NULL;
	F.allow = getenv("FUZZ_ALLOW");
	F.tiny_pool = rte_pktmbuf_pool_create(
	        "fuzz_tiny", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (F.pool == NULL || F.tiny_pool == NULL) {
		fprintf(stderr, "fuzz_engine: cannot create the mbuf pools: %s\n",
		        rte_strerror(rte_errno));
		exit(1);
	}
	atexit(eal_teardown);
	return 0;
}
