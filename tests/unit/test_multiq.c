/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several engines on one simulated multi-queue port (issue 10; stack/engine/steer.c,
 * stack/tcp/ephemeral.c, docs/ARCHITECTURE.md "Steering between engines").
 *
 * The "port" lives in memory. On one side N tern engines (N = 2, 4, 8), engine i polling
 * queue i; on the other side one tern engine with one queue plays the remote host (clients
 * and servers). Frames from that peer to the port are spread over the queues as a NIC does:
 * Toeplitz over (source address, destination address, source port, destination port) with
 * the NIC's key, then the NIC's RETA (DPDK's rte_softrss, not tern's own Toeplitz code); ARP
 * goes to queue 0. Frames from the engines all go to the peer.
 *
 * Two configurations of the engines' owner rule:
 * - rss: the engines are given the NIC's own key and RETA (TERN_STEER_RSS). Every segment
 *   reaches its owner directly: no handoff at all;
 * - software: the NIC spreads with another key and RETA than tern's (TERN_STEER_SOFTWARE,
 *   tern's rule a random key, or the built-in one): most segments reach another engine and
 *   are handed to their owner over its ring.
 * Knobs: a fraction of the peer's TCP frames misdirected to a random other queue (as
 * af_packet's ROLLOVER does when a ring is full), and the NIC's RETA changed in the middle of
 * a run (tern's rule does not change: only the handoffs rise).
 *
 * Workloads, every byte checked against a pattern keyed by the client's port:
 * - passive: the peer opens connections to an echo listener on every engine, sends bulk
 *   data, half-closes, and checks the echo;
 * - active: the engines open connections to an echo listener on the peer, likewise;
 * - proxy: the peer's clients connect to the engines, each of which opens a backend
 *   connection to the peer from the same engine and relays both ways;
 * - churn: thousands of short connections both ways, client-first and server-first closes,
 *   over small port ranges, so that TIME_WAIT and the reuse of its 4-tuples (RFC 6191, and
 *   tern_connect() over a TIME_WAIT entry) happen on the engine owning the tuple.
 *
 * Checked: no RST on the wire either way while either end of its 4-tuple is open, and none
 * at all without misdirection or a RETA change (with them, reordering can make a duplicate
 * arrive after both ends closed, and its answer end in a RST: mq_check_rsts()); every
 * connection ends normally with its bytes intact; each connection lives on the engine the
 * rule names, and every TCP segment an engine sends belongs to one of its own tuples; the
 * steering counters equal what the simulated NIC did (each misdirected segment handed over
 * once, one ring enqueue per owner per RX burst); error drops all zero (PAWS too, without
 * reordering); every mbuf pool back at its baseline.
 *
 * MULTIQ_SEED=n varies keys, RETAs, misdirection and sizes; MULTIQ_TRACE=port prints every
 * frame of that local port (queue, flags, sequence numbers).
 *
 * Everything runs in one thread on a fake clock: every fake millisecond the peer and the
 * engines are polled in turn until the wire is quiet (at most MQ_ROUNDS_PER_MS rounds).
 * The test has its own EAL (more memory than eal_fixture.c's: one mbuf pool per engine).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "test_helpers.h"

#define MQ_MAXQ          8
#define MQ_PEER          MQ_MAXQ /* index of the peer in per-end arrays */
#define MQ_RETA          128
#define MQ_RING          4096
#define MQ_ROUNDS_PER_MS 64

#define US_IP   IP4(10, 0, 0, 1)
#define PEER_IP IP4(10, 0, 0, 2)
static const uint8_t us_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

/* Listening ports. */
#define PORT_ECHO    7  /* echo; the client closes first */
#define PORT_ECHO_SF 8  /* echo of CHURN_REQ bytes; the server closes first */
#define PORT_PROXY   9  /* the engines' proxy */
#define PORT_BACKEND 80 /* the peer's echo behind the proxy */

#define CHURN_REQ 1000 /* bytes of a server-first exchange */

/* tern's built-in rule key (Microsoft's RSS verification key), for rss = NULL. */
static const uint8_t builtin_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
        0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77,
        0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* ---- the byte pattern: T[(offset + salt) mod PAT_L], T random ---- */

#define PAT_L 65521u /* prime */
static uint8_t pat[2 * PAT_L];

static void
pat_init(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned i;

	for (i = 0; i < PAT_L; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pat[i] = pat[i + PAT_L] = (uint8_t)(x >> 24);
	}
}

static uint32_t
salt_of(uint16_t client_port)
{
	return (uint32_t)client_port * 2654435761u % PAT_L;
}

static void
pat_fill(uint8_t *buf, size_t len, uint64_t off, uint32_t salt)
{
	while (len > 0) {
		size_t pos = (size_t)((off + salt) % PAT_L), k = len < PAT_L ? len : PAT_L;
		memcpy(buf, pat + pos, k);
		buf += k;
		off += k;
		len -= k;
	}
}

static bool
pat_ok(const uint8_t *buf, size_t len, uint64_t off, uint32_t salt)
{
	while (len > 0) {
		size_t pos = (size_t)((off + salt) % PAT_L), k = len < PAT_L ? len : PAT_L;
		if (memcmp(buf, pat + pos, k) != 0)
			return false;
		buf += k;
		off += k;
		len -= k;
	}
	return true;
}

/* ---- a tiny deterministic generator ---- */

static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- run parameters ---- */

enum workload { WL_PASSIVE, WL_ACTIVE, WL_PROXY, WL_CHURN };

#define MQ_PORT_LO 40000 /* the engines' ephemeral range */
#define MQ_PORT_HI 40239

struct mq_params {
	const char *name;
	enum workload wl;
	unsigned n;       /* engines = queues */
	bool rss;         /* TERN_STEER_RSS with the NIC's key and RETA; else software */
	bool builtin;     /* software: tern's built-in key (rss = NULL) */
	double misdirect; /* fraction of the peer's TCP frames sent to a random other queue */
	bool reta_change; /* the NIC's RETA changes halfway */
	unsigned conns;   /* bulk: connections */
	uint32_t bytes;   /* bulk: bytes each client sends (and gets back) */
	unsigned churn;   /* churn: connections in all */
	unsigned conc;    /* churn: at most this many clients at once */
	uint64_t seed;
};

/* ---- the simulated wire ---- */

struct fifo {
	struct rte_mbuf **m;
	unsigned cap, head, count;
};

static void
fifo_push(struct fifo *q, struct rte_mbuf *m)
{
	if (q->count == q->cap) {
		unsigned cap = q->cap ? q->cap * 2 : 1024, i;
		struct rte_mbuf **n = malloc(sizeof(*n) * cap);
		assert_non_null(n);
		for (i = 0; i < q->count; i++)
			n[i] = q->m[(q->head + i) % q->cap];
		free(q->m);
		q->m = n;
		q->cap = cap;
		q->head = 0;
	}
	q->m[(q->head + q->count) % q->cap] = m;
	q->count++;
}

static struct rte_mbuf *
fifo_pop(struct fifo *q)
{
	struct rte_mbuf *m;

	if (q->count == 0)
		return NULL;
	m = q->m[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return m;
}

static void
fifo_free(struct fifo *q)
{
	struct rte_mbuf *m;

	while ((m = fifo_pop(q)) != NULL)
		rte_pktmbuf_free(m);
	free(q->m);
	memset(q, 0, sizeof(*q));
}

/* What the wire needs of a frame. */
struct fr {
	bool arp, tcp;
	uint32_t src, dst; /* IPv4, or ARP sender / target */
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack, plen;
};

static void
fr_parse(const struct rte_mbuf *m, struct fr *f)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), ihl;

	memset(f, 0, sizeof(*f));
	if (len < 14)
		return;
	if (p[12] == 0x08 && p[13] == 0x06 && len >= 14 + 28) {
		f->arp = true;
		f->src = (uint32_t)p[28] << 24 | (uint32_t)p[29] << 16 | (uint32_t)p[30] << 8 |
		         p[31];
		f->dst = (uint32_t)p[38] << 24 | (uint32_t)p[39] << 16 | (uint32_t)p[40] << 8 |
		         p[41];
		return;
	}
	if (p[12] != 0x08 || p[13] != 0x00 || len < 14 + 20)
		return;
	ihl = (uint32_t)(p[14] & 0xf) * 4;
	if (p[14 + 9] != 6 || len < 14 + ihl + 20)
		return;
	f->tcp = true;
	f->src = (uint32_t)p[26] << 24 | (uint32_t)p[27] << 16 | (uint32_t)p[28] << 8 | p[29];
	f->dst = (uint32_t)p[30] << 24 | (uint32_t)p[31] << 16 | (uint32_t)p[32] << 8 | p[33];
	f->plen = ((uint32_t)p[16] << 8 | p[17]) - ihl;
	p += 14 + ihl;
	f->plen -= (uint32_t)(p[12] >> 4) * 4;
	f->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	f->ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	f->sport = (uint16_t)(p[0] << 8 | p[1]);
	f->dport = (uint16_t)(p[2] << 8 | p[3]);
	f->flags = p[13];
}

/* ---- the test's state ---- */

enum role { R_CLIENT, R_SERVER, R_FRONT, R_BACK };

struct flow {
	struct flow *prev, *next; /* live or dead list */
	struct tern_conn *c;
	struct flow *mate; /* proxy: the other connection of the pair */
	unsigned side;     /* engine index, or MQ_PEER */
	uint16_t lport, rport;
	enum role role;
	uint32_t salt;
	uint64_t total; /* client: bytes to send; server-first server: bytes to echo */
	uint64_t tx, rx, relayed;
	bool verify, server_first, up, shut, eof, close_called;
	unsigned bad_bytes;
	uint32_t blen, boff; /* buf[boff, blen): read, not yet sent */
	uint8_t buf[16384];
};

struct mq;

struct mq_end {
	struct mq *mq;
	unsigned idx; /* engine index, or MQ_PEER */
};

struct mq {
	const struct mq_params *p;
	unsigned n;
	uint64_t rng;
	struct test_clock clk;
	struct rte_mempool *pool[MQ_MAXQ + 1];
	unsigned pool_base[MQ_MAXQ + 1];
	struct tern_engine *e[MQ_MAXQ + 1];
	struct rte_ring *rings[MQ_MAXQ];
	struct mq_end end[MQ_MAXQ + 1];
	struct fifo q[MQ_MAXQ + 1]; /* toward engine i; [MQ_PEER]: toward the peer */

	/* the NIC */
	uint8_t nic_key[40];
	uint16_t nic_reta[MQ_RETA];
	bool reta_changed;
	uint64_t handoff_before_change;
	/* tern's rule, as the engines were given it */
	struct tern_rss rss;
	const uint8_t *rule_key;
	const uint16_t *rule_reta;
	unsigned rule_size;

	/* what the wire saw */
	uint64_t rst_to_us, rst_from_us, late_rst_to_us, late_rst_from_us, frames_to_us,
	        misdirected, not_owner_tx;
	uint64_t q_frames[MQ_MAXQ];
	uint64_t arp_rx[MQ_MAXQ];        /* ARP frames to us taken by engine i from its queue */
	uint64_t exp_handoff[MQ_MAXQ];   /* TCP segments engine i got for another owner */
	uint64_t exp_enq[MQ_MAXQ];       /* sum over bursts of the other owners in the burst */
	uint64_t bursts_misdir[MQ_MAXQ]; /* RX bursts with a segment for another owner */

	/* the applications */
	struct flow live, dead;
	unsigned nlive_clients;
	unsigned launched, clients_ok, servers_ok, fronts_ok, backs_ok, bad_close, bad_owner;
	unsigned bad_nic_q, eaddrnotavail;
	uint64_t bytes_back; /* bytes clients got back, for the halfway mark */
	uint64_t rounds;
};

/* Queue of the owner of the flow whose segments come from @p src : @p sport to @p dst :
 * @p dport, by Toeplitz(key) and @p reta (rte_softrss: DPDK's code, not tern's). */
static unsigned
toeplitz_q(const uint8_t *key, const uint16_t *reta, unsigned size, uint32_t src, uint32_t dst,
        uint16_t sport, uint16_t dport)
{
	uint32_t in[3] = {src, dst, (uint32_t)sport << 16 | dport};

	return reta[rte_softrss(in, 3, key) % size];
}

/* The owner rule, written here independently of steer.h: with the NIC's own RSS its hash;
 * otherwise our ephemeral range (the churn's small one, or the default) in n equal blocks, block i
 * from lo + floor(range * i / n), and the hash of tern's key for every other local port. */
static unsigned
rule_owner(const struct mq *m, uint32_t raddr, uint32_t laddr, uint16_t rport, uint16_t lport)
{
	unsigned lo = m->p->wl == WL_CHURN ? MQ_PORT_LO : TERN_PORT_LO_DEFAULT;
	unsigned hi = m->p->wl == WL_CHURN ? MQ_PORT_HI : TERN_PORT_HI_DEFAULT;

	if (!m->p->rss && lport >= lo && lport <= hi) {
		unsigned i = m->n - 1;
		while (lport < lo + (hi - lo + 1) * i / m->n)
			i--;
		return i;
	}
	return toeplitz_q(m->rule_key, m->rule_reta, m->rule_size, raddr, laddr, rport, lport);
}

static unsigned
nic_q(const struct mq *m, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	return toeplitz_q(m->nic_key, m->nic_reta, MQ_RETA, src, dst, sport, dport);
}

static unsigned trace_port; /* MULTIQ_TRACE=port: print the frames of that local port */

static void
trace(const struct mq *m, const char *what, unsigned q, const struct fr *f)
{
	uint16_t lport = f->src == US_IP ? f->sport : f->dport;

	if (trace_port == 0 || lport != trace_port)
		return;
	print_message("  %lu.%03lu %-8s q%u %s:%u>%s:%u [%s%s%s%s%s] seq %u ack %u len %u\n",
	        (unsigned long)(m->clk.ns / 1000000 - 1000000), (unsigned long)(m->rounds % 1000),
	        what, q, f->src == US_IP ? "us" : "peer", f->sport, f->dst == US_IP ? "us" : "peer",
	        f->dport, f->flags & WIRE_TCP_SYN ? "S" : "", f->flags & WIRE_TCP_FIN ? "F" : "",
	        f->flags & WIRE_TCP_RST ? "R" : "", f->flags & WIRE_TCP_PSH ? "P" : "",
	        f->flags & WIRE_TCP_ACK ? "." : "", f->seq, f->ack, f->plen);
}

/* Is a connection of either end of this segment's 4-tuple still open (for its application:
 * a TIME_WAIT entry does not count)? */
static bool
tuple_live(const struct mq *m, const struct fr *f)
{
	uint16_t us_port = f->src == US_IP ? f->sport : f->dport;
	uint16_t peer_port = f->src == US_IP ? f->dport : f->sport;
	const struct flow *x;

	for (x = m->live.next; x != &m->live; x = x->next) {
		if (x->side == MQ_PEER ? x->lport == peer_port && x->rport == us_port
		                       : x->lport == us_port && x->rport == peer_port)
			return true;
	}
	return false;
}

static void
rst_seen(struct mq *m, const struct fr *f, uint64_t *ctr)
{
	if (!tuple_live(m, f)) {
		/* Both ends done with the tuple: the answer to a late duplicate (see
		 * mq_check_rsts()). */
		if (f->src == US_IP)
			m->late_rst_from_us++;
		else
			m->late_rst_to_us++;
		return;
	}
	if (m->rst_to_us + m->rst_from_us < 8)
		print_message("multiq: RST %s:%u -> %s:%u flags 0x%02x at %lu ms (owner %u)\n",
		        f->src == US_IP ? "us" : "peer", f->sport, f->dst == US_IP ? "us" : "peer",
		        f->dport, f->flags, (unsigned long)(m->clk.ns / 1000000 - 1000000),
		        f->src == US_IP ? rule_owner(m, f->dst, f->src, f->dport, f->sport)
		                        : rule_owner(m, f->src, f->dst, f->sport, f->dport));
	(*ctr)++;
}

/* ---- the io seam ---- */

static uint16_t
mq_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct mq_end *end = arg;
	struct mq *m = end->mq;
	unsigned i = end->idx, owners = 0;
	uint16_t k;

	for (k = 0; k < n; k++) {
		struct fr f;
		pkts[k] = fifo_pop(&m->q[i]);
		if (pkts[k] == NULL)
			break;
		fr_parse(pkts[k], &f);
		if (i == MQ_PEER) {
			if (f.tcp)
				trace(m, "peer-rx", 0, &f);
			continue;
		}
		if (f.arp && f.dst == US_IP) {
			m->arp_rx[i]++;
		} else if (f.tcp && f.dst == US_IP) {
			unsigned o = rule_owner(m, f.src, f.dst, f.sport, f.dport);
			trace(m, "rx", i, &f);
			if (o != i) {
				m->exp_handoff[i]++;
				owners |= 1u << o;
			}
		}
	}
	if (owners != 0) {
		m->bursts_misdir[i]++;
		m->exp_enq[i] += (unsigned)__builtin_popcount(owners);
	}
	return k;
}

/* Frames from the peer: to the queue the NIC's RSS picks (ARP: queue 0), sometimes (ARP
 * too) to a random other one. */
static void
nic_dispatch(struct mq *m, struct rte_mbuf *pkt)
{
	struct fr f;
	unsigned q = 0;

	fr_parse(pkt, &f);
	m->frames_to_us++;
	if (f.tcp) {
		if (f.flags & WIRE_TCP_RST)
			rst_seen(m, &f, &m->rst_to_us);
		q = nic_q(m, f.src, f.dst, f.sport, f.dport);
	}
	if (m->p->misdirect > 0 &&
	        (double)(rng_next(&m->rng) % 1000000) < m->p->misdirect * 1000000) {
		q = (q + 1 + (unsigned)(rng_next(&m->rng) % (m->n - 1))) % m->n;
		m->misdirected++;
	}
	m->q_frames[q]++;
	if (f.tcp)
		trace(m, "nic->", q, &f);
	fifo_push(&m->q[q], pkt);
}

static uint16_t
mq_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct mq_end *end = arg;
	struct mq *m = end->mq;
	uint16_t k;

	for (k = 0; k < n; k++) {
		struct fr f;
		if (end->idx == MQ_PEER) {
			nic_dispatch(m, pkts[k]);
			continue;
		}
		fr_parse(pkts[k], &f);
		if (f.tcp) {
			trace(m, "tx", end->idx, &f);
			if (f.flags & WIRE_TCP_RST)
				rst_seen(m, &f, &m->rst_from_us);
			/* every segment an engine sends belongs to a tuple it owns */
			if (rule_owner(m, f.dst, f.src, f.dport, f.sport) != end->idx)
				m->not_owner_tx++;
		}
		fifo_push(&m->q[MQ_PEER], pkts[k]);
	}
	return n;
}

/* ---- flows ---- */

static void
list_init(struct flow *h)
{
	h->prev = h->next = h;
}

static void
list_del(struct flow *f)
{
	f->prev->next = f->next;
	f->next->prev = f->prev;
}

static void
list_add(struct flow *h, struct flow *f)
{
	f->next = h;
	f->prev = h->prev;
	h->prev->next = f;
	h->prev = f;
}

static struct flow *
flow_new(struct mq *m, unsigned side, enum role role)
{
	struct flow *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->side = side;
	f->role = role;
	list_add(&m->live, f);
	if (role == R_CLIENT)
		m->nlive_clients++;
	return f;
}

static struct mq *the_mq; /* the callbacks' context is the engine end; flows need the run */

static void
flow_close(struct flow *f)
{
	if (f->close_called || f->c == NULL)
		return;
	f->close_called = true;
	tern_conn_close(f->c); /* closed may run inside: f must not be used after */
}

/* Does the connection of a new flow sit on the engine the rule names? */
static void
check_owner(struct mq *m, unsigned side, const struct tern_conn *c)
{
	struct tern_tuple t;

	if (side == MQ_PEER)
		return;
	tern_conn_tuple(c, &t);
	if (rule_owner(m, t.raddr, t.laddr, t.rport, t.lport) != side)
		m->bad_owner++;
	/* with the NIC's own rule its RSS sends the flow straight to its engine */
	if (m->p->rss && !m->reta_changed && nic_q(m, t.raddr, t.laddr, t.rport, t.lport) != side)
		m->bad_nic_q++;
}

/* Client: send the pattern, half-close when done (unless the server closes first), check
 * the echo, close on EOF. */
static void
client_pump(struct flow *f)
{
	uint8_t buf[16384];
	ssize_t r;

	while (f->tx < f->total) {
		uint32_t k =
		        (uint32_t)(f->total - f->tx < sizeof(buf) ? f->total - f->tx : sizeof(buf));
		pat_fill(buf, k, f->tx, f->salt);
		r = tern_conn_send(f->c, buf, k);
		if (r == -ENOBUFS)
			break;
		assert_true(r >= 0);
		f->tx += (uint64_t)r;
		if ((uint32_t)r < k)
			break; /* writable follows */
	}
	if (f->tx == f->total && !f->server_first && !f->shut) {
		assert_int_equal(tern_conn_shutdown(f->c), 0);
		f->shut = true;
	}
	for (;;) {
		r = tern_conn_recv(f->c, buf, sizeof(buf));
		if (r <= 0)
			break;
		if (!pat_ok(buf, (size_t)r, f->rx, f->salt))
			f->bad_bytes++;
		f->rx += (uint64_t)r;
		the_mq->bytes_back += (uint64_t)r;
	}
	if (r == 0) {
		f->eof = true;
		flow_close(f);
	}
}

/* Echo server: what it reads goes back; closes on EOF once all is echoed, or (server
 * first) once its total is echoed. */
static void
server_pump(struct flow *f)
{
	for (;;) {
		ssize_t r;
		if (f->boff < f->blen) {
			r = tern_conn_send(f->c, f->buf + f->boff, f->blen - f->boff);
			if (r == -ENOBUFS)
				return;
			assert_true(r >= 0);
			f->boff += (uint32_t)r;
			f->tx += (uint64_t)r;
			if (f->boff < f->blen)
				return; /* writable follows */
		}
		f->boff = f->blen = 0;
		if (f->eof)
			break;
		r = tern_conn_recv(f->c, f->buf, sizeof(f->buf));
		if (r == -EAGAIN)
			break;
		if (r == 0) {
			f->eof = true;
			break;
		}
		assert_true(r > 0);
		if (f->verify && !pat_ok(f->buf, (size_t)r, f->rx, f->salt))
			f->bad_bytes++;
		f->rx += (uint64_t)r;
		f->blen = (uint32_t)r;
	}
	if (f->boff == f->blen && (f->eof || (f->server_first && f->tx == f->total)))
		flow_close(f);
}

/* Proxy: move what @p x received to its mate; pass the half-close on; close the pair once
 * both directions are done. */
static void
relay(struct flow *x)
{
	struct flow *y = x->mate;

	if (x->c == NULL || x->close_called)
		return;
	for (;;) {
		ssize_t r;
		if (x->boff < x->blen) {
			if (y == NULL || !y->up)
				return; /* the backend is not connected yet */
			r = tern_conn_send(y->c, x->buf + x->boff, x->blen - x->boff);
			if (r == -ENOBUFS)
				return;
			assert_true(r >= 0);
			x->boff += (uint32_t)r;
			x->relayed += (uint64_t)r;
			if (x->boff < x->blen)
				return; /* y's writable calls us again */
		}
		x->boff = x->blen = 0;
		if (x->eof)
			break;
		if (y == NULL || !y->up)
			return; /* hold the data in x's window until the backend is up */
		r = tern_conn_recv(x->c, x->buf, sizeof(x->buf));
		if (r == -EAGAIN)
			return;
		if (r == 0) {
			x->eof = true;
			break;
		}
		assert_true(r > 0);
		if (!pat_ok(x->buf, (size_t)r, x->rx, x->salt))
			x->bad_bytes++;
		x->rx += (uint64_t)r;
		x->blen = (uint32_t)r;
	}
	assert_non_null(y);
	if (!y->shut) {
		assert_int_equal(tern_conn_shutdown(y->c), 0);
		y->shut = true;
	}
	if (x->eof && y->eof && x->shut && y->shut && y->boff == y->blen) {
		flow_close(y); /* may free nothing: flows are reclaimed between rounds */
		flow_close(x);
	}
}

static void
pump(struct flow *f)
{
	if (f->c == NULL || f->close_called)
		return;
	switch (f->role) {
	case R_CLIENT:
		client_pump(f);
		break;
	case R_SERVER:
		server_pump(f);
		break;
	case R_FRONT:
	case R_BACK:
		relay(f);
		break;
	}
}

static struct flow *
client_open(struct mq *m, unsigned side, uint16_t dport, uint64_t total)
{
	struct flow *f = flow_new(m, side, R_CLIENT);
	uint32_t dst = side == MQ_PEER ? US_IP : PEER_IP;
	struct tern_tuple t;

	f->c = tern_connect(m->e[side], dst, dport, 0, f);
	if (f->c == NULL) {
		assert_int_equal(rte_errno, EADDRNOTAVAIL);
		list_del(f);
		m->nlive_clients--;
		free(f);
		m->eaddrnotavail++;
		return NULL;
	}
	tern_conn_tuple(f->c, &t);
	f->lport = t.lport;
	f->rport = t.rport;
	f->salt = salt_of(t.lport);
	f->total = total;
	f->server_first = dport == PORT_ECHO_SF;
	m->launched++;
	return f;
}

static void
cb_accepted(struct tern_conn *c, void *app)
{
	struct mq_end *end = app;
	struct mq *m = end->mq;
	struct tern_tuple t;
	struct flow *f;

	tern_conn_tuple(c, &t);
	check_owner(m, end->idx, c);
	f = flow_new(m, end->idx, t.lport == PORT_PROXY ? R_FRONT : R_SERVER);
	f->c = c;
	f->up = true;
	f->lport = t.lport;
	f->rport = t.rport;
	f->salt = salt_of(t.rport);
	f->verify = t.lport != PORT_BACKEND; /* behind the proxy the client's port is unknown */
	if (t.lport == PORT_ECHO_SF) {
		f->server_first = true;
		f->total = CHURN_REQ;
	}
	tern_conn_set_udata(c, f);
	if (f->role == R_FRONT) {
		struct flow *b = flow_new(m, end->idx, R_BACK);
		b->salt = f->salt; /* the echo of the client's bytes comes back */
		b->mate = f;
		f->mate = b;
		b->c = tern_connect(m->e[end->idx], PEER_IP, PORT_BACKEND, 0, b);
		assert_non_null(b->c);
		tern_conn_tuple(b->c, &t);
		b->lport = t.lport;
		b->rport = t.rport;
	}
	pump(f);
}

static void
cb_connected(struct tern_conn *c, void *app)
{
	struct mq_end *end = app;
	struct flow *f = tern_conn_udata(c);

	assert_ptr_equal(f->c, c);
	check_owner(end->mq, end->idx, c);
	f->up = true;
	if (f->role == R_BACK) {
		if (f->mate != NULL)
			relay(f->mate); /* what the client sent meanwhile */
		return;
	}
	pump(f);
}

static void
cb_readable(struct tern_conn *c, void *app)
{
	struct flow *f = tern_conn_udata(c);

	(void)app;
	if (f != NULL)
		pump(f);
}

static void
cb_writable(struct tern_conn *c, void *app)
{
	struct flow *f = tern_conn_udata(c);

	(void)app;
	if (f == NULL)
		return;
	if (f->role == R_FRONT || f->role == R_BACK) {
		if (f->mate != NULL)
			relay(f->mate); /* the data sent on f comes from its mate */
		return;
	}
	pump(f);
}

static void
cb_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct mq_end *end = app;
	struct mq *m = end->mq;
	struct flow *f = tern_conn_udata(c);
	bool ok;

	assert_non_null(f);
	if (why != TERN_CLOSE_NORMAL) {
		m->bad_close++;
		print_message("multiq: %s connection on %s closed: %s (tx %lu rx %lu)\n",
		        f->role == R_CLIENT   ? "client"
		        : f->role == R_SERVER ? "server"
		        : f->role == R_FRONT  ? "proxy front"
		                              : "proxy back",
		        end->idx == MQ_PEER ? "the peer" : "an engine", tern_close_reason_name(why),
		        (unsigned long)f->tx, (unsigned long)f->rx);
	}
	ok = why == TERN_CLOSE_NORMAL && f->bad_bytes == 0 && f->boff == f->blen;
	switch (f->role) {
	case R_CLIENT:
		if (ok && f->eof && f->tx == f->total && f->rx == f->total)
			m->clients_ok++;
		m->nlive_clients--;
		break;
	case R_SERVER:
		if (ok && f->tx == f->rx && (f->eof || (f->server_first && f->rx == f->total)))
			m->servers_ok++;
		break;
	case R_FRONT:
	case R_BACK:
		if (ok && f->eof && f->rx == f->relayed) {
			if (f->role == R_FRONT)
				m->fronts_ok++;
			else
				m->backs_ok++;
		}
		if (f->mate != NULL)
			f->mate->mate = NULL;
		break;
	}
	f->c = NULL;
	list_del(f);
	list_add(&m->dead, f); /* freed between rounds, never under a caller's feet */
}

static const struct tern_callbacks mq_cbs = {
        .accepted = cb_accepted,
        .connected = cb_connected,
        .readable = cb_readable,
        .writable = cb_writable,
        .closed = cb_closed,
};

/* ---- set-up ---- */

static void
mq_eal_teardown(void)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

static void
mq_eal(void)
{
	static bool up;
	char prefix[64];

	if (up)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-multiq-%d", (int)getpid());
	char *argv[] = {"unit", "--no-huge", "--no-shconf", "--no-pci", "-m", "512", prefix,
	        "--log-level=*:error", "--no-telemetry", NULL};
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "multiq: cannot start the EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	atexit(mq_eal_teardown);
	if (getenv("MULTIQ_TRACE") != NULL)
		trace_port = (unsigned)atoi(getenv("MULTIQ_TRACE"));
	pat_init();
	up = true;
}

static void
random_key(struct mq *m, uint8_t *key)
{
	unsigned i;

	for (i = 0; i < 40; i++)
		key[i] = (uint8_t)rng_next(&m->rng);
}

static void
random_reta(struct mq *m, uint16_t *reta)
{
	unsigned i;

	/* every queue named, in a random order */
	for (i = 0; i < MQ_RETA; i++)
		reta[i] = (uint16_t)(i % m->n);
	for (i = MQ_RETA - 1; i > 0; i--) {
		unsigned j = (unsigned)(rng_next(&m->rng) % (i + 1));
		uint16_t t = reta[i];
		reta[i] = reta[j];
		reta[j] = t;
	}
}

static struct mq *
mq_new(const struct mq_params *p)
{
	static unsigned seq;
	struct mq *m = calloc(1, sizeof(*m));
	struct tern_engine_conf c;
	unsigned i;

	assert_non_null(m);
	assert_true(p->n >= 2 && p->n <= MQ_MAXQ);
	mq_eal();
	the_mq = m;
	m->p = p;
	m->n = p->n;
	m->rng = p->seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (m->rng == 0)
		m->rng = 1;
	m->clk.ns = 1000ull * 1000000000ull;
	list_init(&m->live);
	list_init(&m->dead);

	/* the NIC's RSS, and the engines' rule */
	random_key(m, m->nic_key);
	random_reta(m, m->nic_reta);
	if (p->rss) {
		memcpy(m->rss.key, m->nic_key, sizeof(m->nic_key));
		memcpy(m->rss.reta, m->nic_reta, sizeof(m->nic_reta));
	} else {
		random_key(m, m->rss.key);
		random_reta(m, m->rss.reta);
	}
	m->rss.key_len = 40;
	m->rss.reta_size = MQ_RETA;
	if (!p->rss && p->builtin) {
		static uint16_t rr[MQ_MAXQ + 1][MQ_RETA];
		for (i = 0; i < MQ_RETA; i++)
			rr[m->n][i] = (uint16_t)(i % m->n);
		m->rule_key = builtin_key;
		m->rule_reta = rr[m->n];
	} else {
		m->rule_key = m->rss.key;
		m->rule_reta = m->rss.reta;
	}
	m->rule_size = MQ_RETA;

	for (i = 0; i <= MQ_MAXQ; i++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		bool peer = i == MQ_PEER;
		if (!peer && i >= m->n)
			continue;
		snprintf(name, sizeof(name), "mq%u_%u", seq, i);
		m->pool[i] = rte_pktmbuf_pool_create(name, peer ? 32767 : 32768 / m->n - 1, 0, 0,
		        RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		assert_non_null(m->pool[i]);
		m->pool_base[i] = rte_mempool_avail_count(m->pool[i]);
		m->end[i].mq = m;
		m->end[i].idx = i;
		if (!peer) {
			snprintf(name, sizeof(name), "mq%u_r%u", seq, i);
			m->rings[i] = rte_ring_create(name, MQ_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
			assert_non_null(m->rings[i]);
		}
	}
	seq++;

	for (i = 0; i <= MQ_MAXQ; i++) {
		bool peer = i == MQ_PEER;
		if (!peer && i >= m->n)
			continue;
		memset(&c, 0, sizeof(c));
		c.ip = peer ? PEER_IP : US_IP;
		memcpy(c.mac, peer ? peer_mac : us_mac, 6);
		c.pool = m->pool[i];
		c.io.rx_burst = mq_rx;
		c.io.tx_burst = mq_tx;
		c.io.arg = &m->end[i];
		c.clock.now_ns = test_clock_now_ns;
		c.clock.arg = &m->clk;
		c.cb = &mq_cbs;
		c.app = &m->end[i];
		c.max_conns = 4096;
		c.max_tw = 16384;
		c.msl_ms = 1000;
		c.rcvbuf = 65536;
		c.sndbuf = 65536;
		c.reass_segs = 8192;
		c.synq_size = 2048;
		c.tw_reuse_ms = 20;
		c.secret[0] = 0x7465726e00 + i;
		c.secret[1] = p->seed + 1;
		if (p->wl == WL_CHURN) {
			/* small ranges: 4-tuples come back, some still in TIME_WAIT */
			c.port_lo = peer ? 50000 : MQ_PORT_LO;
			c.port_hi = peer ? 50159 : MQ_PORT_HI;
		}
		if (!peer) {
			c.id = i;
			c.nengines = m->n;
			c.rings = m->rings;
			c.steer = p->rss ? TERN_STEER_RSS : TERN_STEER_SOFTWARE;
			c.rss = p->rss || !p->builtin ? &m->rss : NULL;
		}
		m->e[i] = tern_engine_create(&c);
		if (m->e[i] == NULL)
			fail_msg("tern_engine_create: %s", rte_strerror(rte_errno));
		if (!peer)
			assert_int_equal(tern_engine_steer_method(m->e[i]),
			        p->rss ? TERN_STEER_RSS : TERN_STEER_SOFTWARE);
	}
	/* the engines serve echo (both close orders) and the proxy; the peer echo too */
	for (i = 0; i < m->n; i++) {
		assert_int_equal(tern_listen(m->e[i], PORT_ECHO, 1024), 0);
		assert_int_equal(tern_listen(m->e[i], PORT_ECHO_SF, 1024), 0);
		assert_int_equal(tern_listen(m->e[i], PORT_PROXY, 1024), 0);
	}
	assert_int_equal(tern_listen(m->e[MQ_PEER], PORT_ECHO, 1024), 0);
	assert_int_equal(tern_listen(m->e[MQ_PEER], PORT_ECHO_SF, 1024), 0);
	assert_int_equal(tern_listen(m->e[MQ_PEER], PORT_BACKEND, 1024), 0);
	return m;
}

static void
reclaim(struct mq *m)
{
	while (m->dead.next != &m->dead) {
		struct flow *f = m->dead.next;
		list_del(f);
		free(f);
	}
}

static bool
wire_busy(const struct mq *m)
{
	unsigned i;

	for (i = 0; i <= MQ_MAXQ; i++)
		if (m->q[i].count > 0)
			return true;
	for (i = 0; i < m->n; i++)
		if (rte_ring_count(m->rings[i]) > 0)
			return true;
	return false;
}

/* Poll the peer and the engines in turn until the wire is quiet (or the round budget of
 * this millisecond is spent). */
static void
mq_poll(struct mq *m)
{
	unsigned r, i;

	for (r = 0; r < MQ_ROUNDS_PER_MS; r++) {
		unsigned work = tern_engine_poll(m->e[MQ_PEER]);
		for (i = 0; i < m->n; i++)
			work += tern_engine_poll(m->e[i]);
		m->rounds++;
		reclaim(m);
		if (work == 0 && !wire_busy(m))
			break;
	}
}

static uint64_t
sum_ctr(const struct mq *m, enum tern_counter c)
{
	uint64_t s = 0;
	unsigned i;

	for (i = 0; i < m->n; i++)
		s += tern_engine_stats(m->e[i])->ctr[c];
	return s;
}

/* The NIC's RETA changes (a rebalancing): another random table. */
static void
reta_change(struct mq *m)
{
	uint16_t old[MQ_RETA];
	unsigned moved = 0, i;

	memcpy(old, m->nic_reta, sizeof(old));
	random_reta(m, m->nic_reta);
	for (i = 0; i < MQ_RETA; i++)
		moved += old[i] != m->nic_reta[i];
	assert_true(moved > 0);
	m->reta_changed = true;
	m->handoff_before_change = sum_ctr(m, TERN_CTR_STEER_HANDOFF);
}

/* Destroy the engines, free the wire, the rings and the pools (@p check: every mbuf back). */
static void
mq_free(struct mq *m, bool check)
{
	unsigned i;

	for (i = 0; i <= MQ_MAXQ; i++) {
		tern_engine_destroy(m->e[i]);
		m->e[i] = NULL;
		fifo_free(&m->q[i]);
	}
	for (i = 0; i <= MQ_MAXQ; i++) {
		if (m->pool[i] == NULL)
			continue;
		if (check)
			assert_int_equal(rte_mempool_avail_count(m->pool[i]), m->pool_base[i]);
		rte_mempool_free(m->pool[i]);
		m->pool[i] = NULL;
	}
	for (i = 0; i < m->n; i++)
		rte_ring_free(m->rings[i]);
	reclaim(m);
	while (m->live.next != &m->live) {
		struct flow *f = m->live.next;
		list_del(f);
		free(f);
	}
	free(m);
	the_mq = NULL;
}

/* After a failed run: free what it left. */
static int
teardown(void **state)
{
	(void)state;
	if (the_mq != NULL)
		mq_free(the_mq, false);
	return 0;
}

static void
dump(struct mq *m)
{
	unsigned i, k;
	struct flow *f;

	for (i = 0; i <= MQ_MAXQ; i++) {
		const struct tern_stats *s;
		if (m->e[i] == NULL)
			continue;
		s = tern_engine_stats(m->e[i]);
		print_message("  %s %u:", i == MQ_PEER ? "peer" : "engine", i);
		for (k = 0; k < TERN_DROP_MAX; k++)
			if (s->drop[k])
				print_message(
				        " %s=%lu", tern_drop_name(k), (unsigned long)s->drop[k]);
		print_message(" rst_tx=%lu rto=%lu retrans=%lu\n",
		        (unsigned long)s->ctr[TERN_CTR_TCP_RST_TX],
		        (unsigned long)s->ctr[TERN_CTR_TCP_RTO],
		        (unsigned long)s->ctr[TERN_CTR_TCP_RETRANS]);
	}
	k = 0;
	for (f = m->live.next; f != &m->live && k < 10; f = f->next, k++)
		print_message(
		        "  live: role %d side %u state %s tx %lu rx %lu total %lu eof %d shut "
		        "%d up %d\n",
		        f->role, f->side, f->c ? tern_tcp_state_name(tern_conn_state(f->c)) : "-",
		        (unsigned long)f->tx, (unsigned long)f->rx, (unsigned long)f->total, f->eof,
		        f->shut, f->up);
}

/* ---- one run ---- */

static uint64_t
drops(const struct tern_engine *e, enum tern_drop d)
{
	return tern_engine_stats(e)->drop[d];
}

/*
 * RSTs. None may touch a connection still open at either end (rst_seen()). Without a
 * source of reordering there is none at all. With one (misdirected frames overtaken on
 * the direct path while they go through a ring; a RETA change) a duplicate can still
 * arrive after both ends are done: e.g. the peer's spurious fast retransmission reaches
 * our TIME_WAIT entry, which ACKs it (RFC 9293), and the peer, whose LAST_ACK has ended,
 * answers that ACK to its listener with a RST (as Linux does). Each such RST must be one
 * of those answers, counted by its sender as a segment to no connection or a bad segment
 * to a listener.
 */
static void
mq_check_rsts(struct mq *m)
{
	const struct mq_params *p = m->p;
	const struct tern_engine *peer = m->e[MQ_PEER];
	uint64_t answered = 0, unanswered = 0, rst_tx = 0, rst_rx = 0;
	unsigned i;

	assert_int_equal(m->rst_to_us, 0);
	assert_int_equal(m->rst_from_us, 0);
	if (p->misdirect == 0 && !p->reta_change) {
		assert_int_equal(m->late_rst_to_us, 0);
		assert_int_equal(m->late_rst_from_us, 0);
	}
	for (i = 0; i < m->n; i++) {
		answered += drops(m->e[i], TERN_DROP_TCP_NO_LISTENER_RST) +
		            drops(m->e[i], TERN_DROP_TCP_LISTEN_BAD);
		unanswered += drops(m->e[i], TERN_DROP_TCP_NO_LISTENER);
		rst_tx += tern_engine_stats(m->e[i])->ctr[TERN_CTR_TCP_RST_TX];
		rst_rx += tern_engine_stats(m->e[i])->ctr[TERN_CTR_TCP_RST_RX];
	}
	/* our RSTs: each answered a late segment to no connection or to a listener, where
	 * the peer's late RSTs also end up (unanswered) */
	assert_int_equal(rst_tx, m->late_rst_from_us);
	assert_true(answered >= m->late_rst_from_us);
	assert_true(answered + unanswered + rst_rx <= m->late_rst_from_us + m->late_rst_to_us);
	/* the peer's likewise */
	answered =
	        drops(peer, TERN_DROP_TCP_NO_LISTENER_RST) + drops(peer, TERN_DROP_TCP_LISTEN_BAD);
	unanswered = drops(peer, TERN_DROP_TCP_NO_LISTENER);
	rst_rx = tern_engine_stats(peer)->ctr[TERN_CTR_TCP_RST_RX];
	assert_int_equal(tern_engine_stats(peer)->ctr[TERN_CTR_TCP_RST_TX], m->late_rst_to_us);
	assert_true(answered >= m->late_rst_to_us);
	assert_true(answered + unanswered + rst_rx <= m->late_rst_to_us + m->late_rst_from_us);
}

/* Resolve both ways first (the replies to the engines reach queue 0 and are shared), so
 * that a burst of first SYNs does not overflow an ARP hold queue. */
static void
prime_arp(struct mq *m)
{
	uint8_t mac[6];
	unsigned i, ms;

	for (ms = 0; ms < 10; ms++) {
		unsigned missing = tern_engine_resolve(m->e[MQ_PEER], US_IP, mac) != 0;
		for (i = 0; i < m->n; i++)
			missing += tern_engine_resolve(m->e[i], PEER_IP, mac) != 0;
		if (missing == 0)
			return;
		mq_poll(m);
		m->clk.ns += 1000000;
	}
	fail_msg("ARP did not resolve");
}

static void
launch_bulk(struct mq *m)
{
	const struct mq_params *p = m->p;
	unsigned k;

	for (k = 0; k < p->conns; k++) {
		unsigned side = p->wl == WL_ACTIVE ? k % m->n : MQ_PEER;
		uint16_t port = p->wl == WL_PROXY ? PORT_PROXY : PORT_ECHO;
		/* sizes vary a little around the nominal one */
		uint64_t total = p->bytes - (uint64_t)(rng_next(&m->rng) % (p->bytes / 4));
		assert_non_null(client_open(m, side, port, total));
	}
}

/* Churn: keep up to conc clients open; odd ones from the engines, even ones from the
 * peer; every other pair closes server first. */
static void
launch_churn(struct mq *m)
{
	const struct mq_params *p = m->p;

	while (m->nlive_clients < p->conc && m->launched < p->churn) {
		unsigned k = m->launched;
		unsigned side = k % 2 ? (k / 2) % m->n : MQ_PEER;
		uint16_t port = (k / 2) % 2 ? PORT_ECHO_SF : PORT_ECHO;
		uint64_t total = port == PORT_ECHO_SF ? CHURN_REQ : 1 + rng_next(&m->rng) % 3000;
		if (client_open(m, side, port, total) == NULL)
			break; /* every tuple of that engine busy: again next millisecond */
	}
}

static bool
run_done(const struct mq *m)
{
	const struct mq_params *p = m->p;
	unsigned want = p->wl == WL_CHURN ? p->churn : p->conns;

	return m->launched == want && m->live.next == &m->live;
}

static void
mq_run(const struct mq_params *p)
{
	struct mq *m = mq_new(p);
	unsigned want = p->wl == WL_CHURN ? p->churn : p->conns;
	uint64_t handoff, enq_tcp = 0, bursts = 0, exp_handoff = 0, tw_reuse, ms, paws = 0;
	bool reorder;
	struct timespec t0, t1;
	unsigned i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	prime_arp(m);
	if (p->wl != WL_CHURN)
		launch_bulk(m);
	for (ms = 0; ms < 600000 && !run_done(m); ms++) {
		if (p->wl == WL_CHURN)
			launch_churn(m);
		mq_poll(m);
		if (p->reta_change && !m->reta_changed &&
		        (p->wl == WL_CHURN ? m->clients_ok >= want / 2
		                           : m->bytes_back >= (uint64_t)want * p->bytes * 3 / 8))
			reta_change(m);
		m->clk.ns += 1000000;
	}
	if (!run_done(m)) {
		print_message("multiq %s: not done after %lu ms: launched %u, clients ok %u\n",
		        p->name, (unsigned long)ms, m->launched, m->clients_ok);
		dump(m);
	}
	assert_true(run_done(m));
	/* the last ACKs, TIME_WAIT expiry (2*MSL) */
	for (i = 0; i < 2100; i++) {
		mq_poll(m);
		m->clk.ns += 1000000;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	handoff = sum_ctr(m, TERN_CTR_STEER_HANDOFF);
	tw_reuse = sum_ctr(m, TERN_CTR_TCP_TW_REUSE_PASSIVE) +
	           sum_ctr(m, TERN_CTR_TCP_TW_REUSE_ACTIVE) +
	           tern_engine_stats(m->e[MQ_PEER])->ctr[TERN_CTR_TCP_TW_REUSE_PASSIVE] +
	           tern_engine_stats(m->e[MQ_PEER])->ctr[TERN_CTR_TCP_TW_REUSE_ACTIVE];
	for (i = 0; i <= MQ_MAXQ; i++)
		if (m->e[i] != NULL)
			paws += drops(m->e[i], TERN_DROP_TCP_PAWS);
	for (i = 0; i < m->n; i++) {
		enq_tcp += m->exp_enq[i];
		bursts += m->bursts_misdir[i];
		exp_handoff += m->exp_handoff[i];
	}
	print_message("multiq %-26s %4u conns, %lu frames to the port (%lu misdirected), "
	              "handoff %lu in %lu enqueues (%lu bursts), tw reuse %lu, late RSTs %lu/%lu, "
	              "PAWS %lu, %lu fake ms, %lu rounds, %.2f s\n",
	        p->name, want, (unsigned long)m->frames_to_us, (unsigned long)m->misdirected,
	        (unsigned long)handoff, (unsigned long)enq_tcp, (unsigned long)bursts,
	        (unsigned long)tw_reuse, (unsigned long)m->late_rst_to_us,
	        (unsigned long)m->late_rst_from_us, (unsigned long)paws, (unsigned long)ms,
	        (unsigned long)m->rounds,
	        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	if (m->bad_close || m->rst_to_us || m->rst_from_us || m->not_owner_tx)
		dump(m);
	/* every connection ended as expected, every byte came back */
	assert_int_equal(m->bad_close, 0);
	assert_int_equal(m->clients_ok, want);
	if (p->wl == WL_PROXY) {
		assert_int_equal(m->fronts_ok, want);
		assert_int_equal(m->backs_ok, want);
	}
	assert_int_equal(m->servers_ok, want);
	/* nothing was reset, each flow lived on its owner and only its owner spoke for it */
	reorder = p->misdirect > 0 || p->reta_change;
	mq_check_rsts(m);
	assert_int_equal(m->bad_owner, 0);
	assert_int_equal(m->bad_nic_q, 0);
	assert_int_equal(m->not_owner_tx, 0);
	for (i = 0; i <= MQ_MAXQ; i++) {
		const struct tern_stats *s;
		if (m->e[i] == NULL)
			continue;
		s = tern_engine_stats(m->e[i]);
		assert_int_equal(s->ctr[TERN_CTR_TCP_CONNECT_FAIL], 0);
		assert_int_equal(s->ctr[TERN_CTR_TCP_TIMEOUT], 0);
		/* PAWS (RFC 7323 R1) drops only what reordering made old: an ACK overtaken
		 * through a ring by the peer's next segment, say */
		if (!reorder)
			assert_int_equal(s->drop[TERN_DROP_TCP_PAWS], 0);
		assert_int_equal(s->drop[TERN_DROP_TCP_SYN_SENT_BAD], 0);
		assert_int_equal(s->drop[TERN_DROP_TCP_COOKIE_BAD], 0);
		assert_int_equal(s->drop[TERN_DROP_TCP_CONN_TABLE_FULL], 0);
		assert_int_equal(s->drop[TERN_DROP_TCP_TW_SYN], 0);
		assert_int_equal(s->drop[TERN_DROP_TCP_CLOSED_DATA], 0);
		assert_int_equal(s->drop[TERN_DROP_STEER_RING_FULL], 0);
		assert_int_equal(s->drop[TERN_DROP_NO_MBUF], 0);
		assert_int_equal(s->drop[TERN_DROP_TX_FULL], 0);
		assert_int_equal(s->drop[TERN_DROP_ARP_HOLD_FULL], 0);
		assert_int_equal(s->drop[TERN_DROP_IP_NOT_US], 0);
	}
	/* the steering counters are what the NIC did: each segment that reached a non-owner
	 * handed over once; one ring enqueue per owner per RX burst, plus one per other
	 * engine for each ARP frame shared */
	assert_int_equal(handoff, exp_handoff);
	for (i = 0; i < m->n; i++) {
		const struct tern_stats *s = tern_engine_stats(m->e[i]);
		assert_int_equal(s->ctr[TERN_CTR_STEER_HANDOFF], m->exp_handoff[i]);
		assert_int_equal(s->ctr[TERN_CTR_STEER_ARP_SHARED], (m->n - 1) * m->arp_rx[i]);
		assert_int_equal(
		        s->ctr[TERN_CTR_STEER_ENQUEUES], m->exp_enq[i] + (m->n - 1) * m->arp_rx[i]);
		assert_true(m->exp_enq[i] <= m->bursts_misdir[i] * (m->n - 1));
	}
	assert_int_equal(sum_ctr(m, TERN_CTR_STEER_RECEIVED),
	        handoff + sum_ctr(m, TERN_CTR_STEER_ARP_SHARED));
	if (p->rss && p->misdirect == 0) {
		/* the NIC's own rule: none until the NIC changes its RETA, whereas tern's rule
		 * stays: then handoffs */
		if (p->reta_change) {
			assert_true(m->reta_changed);
			assert_int_equal(m->handoff_before_change, 0);
			assert_true(handoff > 0);
		} else {
			assert_int_equal(handoff, 0);
		}
	} else {
		assert_true(handoff > 0);
		assert_true(enq_tcp <= handoff);
		if (!p->rss && p->wl != WL_CHURN)
			assert_true(enq_tcp < handoff); /* bulk: segments batched per burst */
	}
	if (p->wl == WL_CHURN)
		assert_true(tw_reuse > 0);
	/* every mbuf came back: nothing on the wire, in a ring or held by an engine */
	assert_false(wire_busy(m));
	for (i = 0; i <= MQ_MAXQ; i++)
		if (m->pool[i] != NULL)
			assert_int_equal(rte_mempool_avail_count(m->pool[i]), m->pool_base[i]);

	mq_free(m, true);
}

static void
test_run(void **state)
{
	mq_run(*state);
}

/* name, workload, engines, rss, built-in key, misdirected fraction, RETA change, bulk
 * connections, bytes per client (bulk), connections (churn) */
#define RUN(nm, w, nq, r, b, mis, rc, c, by, ch)                                        \
	{                                                                               \
		.name = nm, .wl = w, .n = nq, .rss = r, .builtin = b, .misdirect = mis, \
		.reta_change = rc, .conns = c, .bytes = by, .churn = ch, .conc = 64     \
	}
/* Per workload: the NIC's rule on 2, 4 and 8 queues; the RETA changed halfway; 10%
 * misdirected; tern's built-in key with 5% misdirected; a random key of tern's own; and
 * everything at once on 8 queues. */
#define MATRIX(w, wn, c2, c4, c8, by, ch)                                                 \
	RUN(wn " rss n2", w, 2, true, false, 0, false, c2, 2 * (by), ch),                 \
	        RUN(wn " rss n4", w, 4, true, false, 0, false, c4, by, ch),               \
	        RUN(wn " rss n8", w, 8, true, false, 0, false, c8, by, ch),               \
	        RUN(wn " rss n4 reta", w, 4, true, false, 0, true, c4, by, ch),           \
	        RUN(wn " rss n8 mis", w, 8, true, false, 0.1, false, c8, by, ch),         \
	        RUN(wn " sw-builtin n2 mis", w, 2, false, true, 0.05, false, c2, by, ch), \
	        RUN(wn " sw n4", w, 4, false, false, 0, false, c4, by, ch),               \
	        RUN(wn " sw n8 mis+reta", w, 8, false, false, 0.1, true, c8, by, ch)

static struct mq_params runs[] = {
        MATRIX(WL_PASSIVE, "passive", 64, 128, 200, 256 << 10, 0),
        MATRIX(WL_ACTIVE, "active", 64, 128, 200, 256 << 10, 0),
        MATRIX(WL_PROXY, "proxy", 64, 96, 128, 128 << 10, 0),
        MATRIX(WL_CHURN, "churn", 0, 0, 0, 0, 5000),
};

int
main(void)
{
	struct CMUnitTest tests[sizeof(runs) / sizeof(runs[0])];
	unsigned i;

	uint64_t seed =
	        getenv("MULTIQ_SEED") != NULL ? strtoull(getenv("MULTIQ_SEED"), NULL, 0) : 0;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		runs[i].seed = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
		struct CMUnitTest t = cmocka_unit_test_prestate_setup_teardown(
		        test_run, NULL, teardown, (void *)&runs[i]);
		t.name = runs[i].name;
		tests[i] = t;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
