/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-memory link between engines, fake clock, and frame crafting / decoding helpers for the
 * ARP and TCP unit tests. See test_helpers.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "test_helpers.h"
#include "wire/csum.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"

#define POLL_ROUNDS_MAX 100000

uint64_t
test_clock_now_ns(void *arg)
{
	const struct test_clock *c = arg;

	return c->ns;
}

/* ---- frame queues ---- */

static bool
q_push(struct test_frame_q *q, struct rte_mbuf *m, uint64_t t_ms)
{
	unsigned i;

	if (q->count == TEST_LINK_QLEN)
		return false;
	i = (q->head + q->count) % TEST_LINK_QLEN;
	q->m[i] = m;
	q->t_ms[i] = t_ms;
	q->count++;
	return true;
}

static struct rte_mbuf *
q_pop(struct test_frame_q *q, uint64_t *t_ms)
{
	struct rte_mbuf *m;

	if (q->count == 0)
		return NULL;
	m = q->m[q->head];
	if (t_ms != NULL)
		*t_ms = q->t_ms[q->head];
	q->head = (q->head + 1) % TEST_LINK_QLEN;
	q->count--;
	return m;
}

static unsigned
q_flush(struct test_frame_q *q)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while ((m = q_pop(q, NULL)) != NULL) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

uint64_t
test_link_now_ms(const struct test_link *l)
{
	return l->clk->ns / 1000000;
}

/* ---- the io seam ---- */

/* Auto-ARP: answer a request for the scripted peer. @return true when @p m was one. */
static bool
auto_arp(struct test_link_end *end, struct rte_mbuf *m)
{
	struct test_link *l = end->link;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct wire_eth_repr eth;
	struct wire_arp_repr req, rep;
	struct rte_mbuf *r;

	if (end->arp_peer_ip == 0 || rte_pktmbuf_data_len(m) < WIRE_ETH_HLEN + WIRE_ARP_LEN)
		return false;
	if (wire_eth_parse(p, rte_pktmbuf_data_len(m), &eth) != WIRE_OK ||
	        eth.type != WIRE_ETHERTYPE_ARP)
		return false;
	if (wire_arp_parse(p + WIRE_ETH_HLEN, rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, &req) !=
	                WIRE_OK ||
	        req.op != WIRE_ARP_OP_REQUEST || req.tpa != end->arp_peer_ip)
		return false;
	rep.op = WIRE_ARP_OP_REPLY;
	rep.sha = end->arp_peer_mac;
	rep.spa = end->arp_peer_ip;
	rep.tha = req.sha;
	rep.tpa = req.spa;
	r = test_craft_arp(l->pool, &req.sha, &rep);
	if (!q_push(&end->rxq, r, test_link_now_ms(l)))
		rte_pktmbuf_free(r);
	end->arp_answered++;
	rte_pktmbuf_free(m);
	return true;
}

static void nic_rx_csums(struct rte_mbuf *m);

static uint16_t
link_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct test_link_end *end = arg;
	uint64_t t0 = 0;
	uint16_t i;

	if (end->nic_rx_csum)
		t0 = rte_rdtsc();
	for (i = 0; i < n; i++) {
		pkts[i] = q_pop(&end->rxq, NULL);
		if (pkts[i] == NULL)
			break;
		if (end->nic_rx_csum)
			nic_rx_csums(pkts[i]);
	}
	if (end->nic_rx_csum)
		end->nic_cycles += rte_rdtsc() - t0;
	return i;
}

static uint16_t
be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The checksums a NIC fills in for an IPv4 or IPv6 frame (headers at @p l2 and @p l2 +
 * @p l3). */
static void
nic_csums(uint8_t *p, uint16_t l2, uint16_t l3, uint32_t l4len, uint64_t f)
{
	uint8_t *ip = p + l2, *tcp = ip + l3;

	if ((ip[0] >> 4) == 6) { /* no header checksum; the pseudo header's addresses */
		if ((f & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM ||
		        (f & RTE_MBUF_F_TX_TCP_SEG)) {
			struct wire_ip6 src, dst;

			memcpy(src.b, ip + 8, 16);
			memcpy(dst.b, ip + 24, 16);
			put_be16(tcp + WIRE_TCP_CSUM_OFF, 0);
			put_be16(tcp + WIRE_TCP_CSUM_OFF,
			        wire_csum_fold(wire_csum_add(
			                wire_csum_pseudo6(&src, &dst, WIRE_IPPROTO_TCP, l4len), tcp,
			                l4len)));
		}
		return;
	}
	if (f & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG)) {
		put_be16(ip + 10, 0);
		put_be16(ip + 10, wire_csum_fold(wire_csum_add(0, ip, l3)));
	}
	if ((f & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM || (f & RTE_MBUF_F_TX_TCP_SEG)) {
		uint32_t src = (uint32_t)be16_at(ip + 12) << 16 | be16_at(ip + 14);
		uint32_t dst = (uint32_t)be16_at(ip + 16) << 16 | be16_at(ip + 18);

		put_be16(tcp + WIRE_TCP_CSUM_OFF, 0);
		put_be16(tcp + WIRE_TCP_CSUM_OFF, wire_tcp_csum(src, dst, tcp, l4len));
	}
}

/*
 * What a NIC's RX checksum offload tells about an untagged IPv4 TCP frame: IP and L4
 * checksums GOOD or BAD in ol_flags (UNKNOWN for anything else). Other frames: no flags.
 */
static void
nic_rx_csums(struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *), *ip = p + 14, *tcp;
	uint32_t len = rte_pktmbuf_data_len(m), ihl, tot, src, dst;

	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	if (m->nb_segs != 1 || len < 14 + 20 || be16_at(p + 12) != 0x0800 || (ip[0] >> 4) != 4)
		return;
	ihl = (ip[0] & 0xfu) * 4u;
	tot = be16_at(ip + 2);
	if (ihl < 20 || tot < ihl || 14 + tot > len)
		return;
	m->ol_flags |= wire_csum_fold(wire_csum_add(0, ip, ihl)) == 0 ? RTE_MBUF_F_RX_IP_CKSUM_GOOD
	                                                              : RTE_MBUF_F_RX_IP_CKSUM_BAD;
	if (ip[9] != 6 || (be16_at(ip + 6) & 0x3fff) != 0 || tot < ihl + 20)
		return;
	tcp = ip + ihl;
	src = (uint32_t)be16_at(ip + 12) << 16 | be16_at(ip + 14);
	dst = (uint32_t)be16_at(ip + 16) << 16 | be16_at(ip + 18);
	m->ol_flags |= wire_tcp_csum(src, dst, tcp, tot - ihl) == 0 ? RTE_MBUF_F_RX_L4_CKSUM_GOOD
	                                                            : RTE_MBUF_F_RX_L4_CKSUM_BAD;
}

/*
 * What a NIC does with a (linearized) frame's TX offload flags: IPv4 and TCP checksums,
 * and TSO (RTE_MBUF_F_TX_TCP_SEG: cut the payload into tso_segsz pieces, each with a copy
 * of the headers: IP length and ID, TCP sequence number, FIN and PSH on the last one
 * only, checksums). The frames to send go to @p out. @return how many (0: no mbuf).
 */
static unsigned
nic_offloads(struct test_link_end *end, struct rte_mbuf *m, struct rte_mbuf **out, unsigned max)
{
	uint64_t f = m->ol_flags;
	uint16_t l2 = m->l2_len, l3 = m->l3_len, l4 = m->l4_len, hlen = (uint16_t)(l2 + l3 + l4);
	uint8_t hdr[256];
	const uint8_t *p;
	uint32_t plen, off, seq;
	unsigned n = 0;

	if (!(f & RTE_MBUF_F_TX_TCP_SEG)) {
		/* linearized by the caller */
		nic_csums(rte_pktmbuf_mtod(m, uint8_t *), l2, l3, rte_pktmbuf_pkt_len(m) - l2 - l3,
		        f);
		m->ol_flags = 0;
		out[0] = m;
		return 1;
	}
	/* A TSO frame is a chain longer than one mbuf: read it where it lies. */
	end->tso_frames++;
	p = rte_pktmbuf_read(m, 0, hlen, hdr);
	plen = rte_pktmbuf_pkt_len(m) - hlen;
	seq = (uint32_t)be16_at(p + l2 + l3 + 4) << 16 | be16_at(p + l2 + l3 + 6);
	for (off = 0; off < plen && n < max; off += m->tso_segsz) {
		uint32_t len = plen - off < m->tso_segsz ? plen - off : m->tso_segsz;
		struct rte_mbuf *s = rte_pktmbuf_alloc(end->link->pool);
		const void *src;
		uint8_t *q, *ip, *tcp;

		if (s == NULL ||
		        (q = (uint8_t *)rte_pktmbuf_append(s, (uint16_t)(hlen + len))) == NULL)
			break;
		memcpy(q, p, hlen);
		src = rte_pktmbuf_read(m, hlen + off, len, q + hlen);
		if (src != NULL && src != q + hlen)
			memcpy(q + hlen, src, len);
		ip = q + l2;
		tcp = ip + l3;
		if ((ip[0] >> 4) == 6) {
			put_be16(ip + 4, (uint16_t)(l4 + len)); /* payload length; no ID */
		} else {
			put_be16(ip + 2, (uint16_t)(l3 + l4 + len));
			put_be16(ip + 4, (uint16_t)(be16_at(ip + 4) + n));
		}
		put_be16(tcp + 4, (uint16_t)((seq + off) >> 16));
		put_be16(tcp + 6, (uint16_t)(seq + off));
		if (off + len < plen)
			tcp[13] &= (uint8_t) ~(WIRE_TCP_FIN | WIRE_TCP_PSH);
		nic_csums(q, l2, l3, (uint32_t)l4 + len, f);
		out[n++] = s;
	}
	if (off < plen) { /* out of mbufs: the frame is lost, as on a NIC that drops it */
		while (n > 0)
			rte_pktmbuf_free(out[--n]);
	}
	rte_pktmbuf_free(m);
	return n;
}

/* Queue frame @p m from @p end (to the capture or the other end). @return false: full. */
static bool
link_push(struct test_link_end *end, struct rte_mbuf *m, uint64_t now)
{
	struct test_link_end *other = &end->link->end[end->idx ^ 1];
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (end->capture ? !q_push(&end->cap, m, now) : !q_push(&other->rxq, m, now))
		return false;
	if (len > end->max_frame)
		end->max_frame = len;
	end->tx_frames++;
	return true;
}

/* TX offload flags that ask the link for a NIC's work. */
#define NIC_WORK (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)

static uint16_t
link_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct test_link_end *end = arg;
	uint64_t now = test_link_now_ms(end->link);
	uint16_t i;

	for (i = 0; i < n; i++) {
		/* A chain (tx_multi_seg) leaves as one frame, as a NIC's DMA gathers it: its
		 * references to the sender's buffers are released here. */
		struct rte_mbuf *seg[64];
		unsigned k, nseg;
		uint64_t t0;

		if (pkts[i]->nb_segs == 1 && end->nic_tx_unsummed &&
		        !(pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
			pkts[i]->ol_flags = 0;
		if (pkts[i]->nb_segs == 1 && !(pkts[i]->ol_flags & NIC_WORK)) {
			/* A plain frame: no NIC work to do or to time (the benchmarks' baselines
			 * go through here and must not pay for the rest). */
			if (end->capture && auto_arp(end, pkts[i])) {
				end->tx_frames++;
				continue;
			}
			if (!link_push(end, pkts[i], now))
				break; /* not taken: the engine counts tx_full */
			continue;
		}
		t0 = rte_rdtsc();
		if ((pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && end->refuse_tso)
			break;
		if (pkts[i]->nb_segs > 1 && !(pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG) &&
		        rte_pktmbuf_linearize(pkts[i]) != 0)
			break;
		end->nic_cycles += rte_rdtsc() - t0;
		if (end->capture && auto_arp(end, pkts[i])) {
			end->tx_frames++;
			continue;
		}
		if (!(pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG)) {
			t0 = rte_rdtsc();
			nic_offloads(end, pkts[i], seg, 1);
			end->nic_cycles += rte_rdtsc() - t0;
			if (!link_push(end, pkts[i], now))
				break; /* not taken: the engine counts tx_full */
			continue;
		}
		/* A TSO frame is taken whole; a segment the queue cannot hold is lost. */
		t0 = rte_rdtsc();
		nseg = nic_offloads(end, pkts[i], seg, 64);
		end->nic_cycles += rte_rdtsc() - t0;
		for (k = 0; k < nseg; k++) {
			if (!link_push(end, seg[k], now)) {
				rte_pktmbuf_free(seg[k]);
				end->tx_lost++;
			}
		}
	}
	return i;
}

struct test_link *
test_link_new(struct rte_mempool *pool, struct test_clock *clk)
{
	struct test_link *l = calloc(1, sizeof(*l));
	unsigned i;

	if (l == NULL) {
		fprintf(stderr, "unit: out of memory\n");
		abort();
	}
	l->pool = pool;
	l->clk = clk;
	for (i = 0; i < 2; i++) {
		l->end[i].link = l;
		l->end[i].idx = i;
		l->end[i].io.rx_burst = link_rx;
		l->end[i].io.tx_burst = link_tx;
		l->end[i].io.arg = &l->end[i];
	}
	return l;
}

void
test_link_free(struct test_link *l)
{
	unsigned i;

	if (l == NULL)
		return;
	for (i = 0; i < 2; i++)
		test_engine_destroy(l, i);
	for (i = 0; i < 2; i++) {
		q_flush(&l->end[i].rxq);
		q_flush(&l->end[i].cap);
	}
	free(l);
}

void
test_link_capture(struct test_link *l, unsigned end, bool on)
{
	l->end[end].capture = on;
}

void
test_link_auto_arp(
        struct test_link *l, unsigned end, uint32_t peer_ip, const struct wire_mac *peer_mac)
{
	l->end[end].arp_peer_ip = peer_ip;
	if (peer_mac != NULL)
		l->end[end].arp_peer_mac = *peer_mac;
}

void
test_link_inject(struct test_link *l, unsigned end, struct rte_mbuf *m)
{
	assert_non_null(m);
	if (!q_push(&l->end[end].rxq, m, test_link_now_ms(l))) {
		rte_pktmbuf_free(m);
		fail_msg("link: queue toward end %u is full", end);
	}
}

unsigned
test_link_captured(const struct test_link *l, unsigned end)
{
	return l->end[end].cap.count;
}

unsigned
test_link_flush(struct test_link *l, unsigned end)
{
	return q_flush(&l->end[end].cap);
}

void
test_link_poll(struct test_link *l)
{
	unsigned rounds;

	for (rounds = 0; rounds < POLL_ROUNDS_MAX; rounds++) {
		unsigned work = 0, i;

		for (i = 0; i < 2; i++)
			if (l->end[i].e != NULL)
				work += tern_engine_poll(l->end[i].e);
		for (i = 0; i < 2; i++)
			if (l->end[i].e != NULL)
				work += l->end[i].rxq.count;
		if (work == 0)
			return;
	}
	fail_msg("link: engines still busy after %d polling rounds", POLL_ROUNDS_MAX);
}

void
test_link_advance(struct test_link *l, uint64_t ms)
{
	uint64_t i;

	for (i = 0; i < ms; i++) {
		l->clk->ns += 1000000;
		test_link_poll(l);
	}
}

void
test_link_jump(struct test_link *l, uint64_t ms)
{
	l->clk->ns += ms * 1000000;
	test_link_poll(l);
}

/* ---- engines ---- */

void
test_engine_conf(
        struct tern_engine_conf *c, struct test_link *l, unsigned end, const struct test_host *h)
{
	memset(c, 0, sizeof(*c));
	c->ip = h->ip;
	memcpy(c->mac, h->mac.b, sizeof(c->mac));
	c->pool = l->pool;
	c->io = l->end[end].io;
	c->clock.now_ns = test_clock_now_ns;
	c->clock.arg = l->clk;
	c->max_conns = 64;
	c->max_tw = 64;
	c->secret[0] = 0x7465726e;
	c->secret[1] = 0x756e6974;
	c->id = end;
}

struct tern_engine *
test_engine_new_conf(struct test_link *l, unsigned end, const struct tern_engine_conf *c)
{
	struct tern_engine *e;

	assert_null(l->end[end].e);
	e = tern_engine_create(c);
	if (e == NULL)
		fail_msg("tern_engine_create: %s", rte_strerror(rte_errno));
	l->end[end].e = e;
	return e;
}

struct tern_engine *
test_engine_new(struct test_link *l, unsigned end, const struct test_host *h,
        const struct tern_callbacks *cb, void *app)
{
	struct tern_engine_conf c;

	test_engine_conf(&c, l, end, h);
	c.cb = cb;
	c.app = app;
	return test_engine_new_conf(l, end, &c);
}

void
test_engine_destroy(struct test_link *l, unsigned end)
{
	struct tern_engine *e = l->end[end].e;

	l->end[end].e = NULL;
	tern_engine_destroy(e);
}

/* ---- crafting ---- */

struct rte_mbuf *
test_craft_frame(
        struct rte_mempool *pool, const struct wire_eth_repr *eth, const void *l3, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(WIRE_ETH_HLEN + len));
	assert_non_null(p);
	wire_eth_emit(p, eth);
	if (len > 0)
		memcpy(p + WIRE_ETH_HLEN, l3, len);
	return m;
}

struct rte_mbuf *
test_craft_arp(
        struct rte_mempool *pool, const struct wire_mac *dst, const struct wire_arp_repr *arp)
{
	struct wire_eth_repr eth = {.dst = *dst, .src = arp->sha, .type = WIRE_ETHERTYPE_ARP};
	uint8_t buf[WIRE_ARP_LEN];

	wire_arp_emit(buf, arp);
	return test_craft_frame(pool, &eth, buf, sizeof(buf));
}

struct rte_mbuf *
test_craft_ipv4(struct rte_mempool *pool, const struct test_host *from, const struct test_host *to,
        const struct wire_ipv4_repr *ip, const void *l4, size_t l4len)
{
	struct wire_eth_repr eth = {.dst = to->mac, .src = from->mac, .type = WIRE_ETHERTYPE_IPV4};
	struct wire_ipv4_repr r = *ip;
	uint8_t buf[2048];

	assert_true(l4len <= sizeof(buf) - WIRE_IPV4_HLEN);
	r.src = from->ip;
	r.dst = to->ip;
	r.total_len = (uint16_t)(WIRE_IPV4_HLEN + l4len);
	if (r.ttl == 0)
		r.ttl = 64;
	wire_ipv4_emit(buf, &r, true);
	if (l4len > 0)
		memcpy(buf + WIRE_IPV4_HLEN, l4, l4len);
	return test_craft_frame(pool, &eth, buf, WIRE_IPV4_HLEN + l4len);
}

struct rte_mbuf *
test_craft_tcp(struct rte_mempool *pool, const struct test_host *from, const struct test_host *to,
        const struct wire_tcp_repr *th, const void *payload, size_t len)
{
	struct wire_ipv4_repr ip = {.proto = WIRE_IPPROTO_TCP, .frag = WIRE_IPV4_DF};
	uint8_t buf[2048];
	size_t hlen;
	uint16_t cs;

	assert_true(len <= sizeof(buf) - WIRE_TCP_MAXHLEN - WIRE_IPV4_HLEN);
	hlen = wire_tcp_emit(buf, th);
	if (len > 0)
		memcpy(buf + hlen, payload, len);
	cs = wire_tcp_csum(from->ip, to->ip, buf, hlen + len);
	buf[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
	buf[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	return test_craft_ipv4(pool, from, to, &ip, buf, hlen + len);
}

/* ---- decoding ---- */

void
test_pkt_decode(struct test_pkt *p, const void *buf, size_t len)
{
	struct wire_ipv4_repr tmp_ip;
	struct wire_icmp_repr tmp_icmp;
	const uint8_t *l3, *l4;
	size_t l3len, l4len;

	memset(p, 0, sizeof(*p));
	if (len > sizeof(p->raw))
		len = sizeof(p->raw);
	memcpy(p->raw, buf, len);
	p->len = (uint16_t)len;
	if (wire_eth_parse(p->raw, len, &p->eth) != WIRE_OK)
		return;
	l3 = p->raw + WIRE_ETH_HLEN;
	l3len = len - WIRE_ETH_HLEN;
	if (p->eth.type == WIRE_ETHERTYPE_ARP) {
		p->is_arp = wire_arp_parse(l3, l3len, &p->arp) == WIRE_OK;
		return;
	}
	if (p->eth.type != WIRE_ETHERTYPE_IPV4)
		return;
	if (wire_ipv4_parse(l3, l3len, &p->ip, false) != WIRE_OK)
		return;
	p->is_ip = true;
	p->ip_csum_ok = wire_ipv4_parse(l3, l3len, &tmp_ip, true) == WIRE_OK;
	l4 = l3 + p->ip.hdr_len;
	l4len = p->ip.total_len - p->ip.hdr_len;
	if (p->ip.proto == WIRE_IPPROTO_TCP) {
		if (wire_tcp_parse(l4, l4len, &p->tcp) != WIRE_OK)
			return;
		p->is_tcp = true;
		p->tcp_csum_ok = wire_tcp_csum(p->ip.src, p->ip.dst, l4, l4len) == 0;
		p->payload = l4 + p->tcp.hdr_len;
		p->plen = (uint32_t)(l4len - p->tcp.hdr_len);
	} else if (p->ip.proto == WIRE_IPPROTO_ICMP) {
		if (wire_icmp_parse(l4, l4len, &p->icmp, false) != WIRE_OK)
			return;
		p->is_icmp = true;
		p->icmp_csum_ok = wire_icmp_parse(l4, l4len, &tmp_icmp, true) == WIRE_OK;
		p->payload = l4 + WIRE_ICMP_HLEN;
		p->plen = (uint32_t)(l4len - WIRE_ICMP_HLEN);
	}
}

bool
test_link_pop(struct test_link *l, unsigned end, struct test_pkt *p)
{
	uint64_t t_ms;
	struct rte_mbuf *m = q_pop(&l->end[end].cap, &t_ms);

	if (m == NULL)
		return false;
	assert_int_equal(rte_pktmbuf_pkt_len(m), rte_pktmbuf_data_len(m));
	test_pkt_decode(p, rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m));
	p->t_ms = t_ms;
	rte_pktmbuf_free(m);
	return true;
}

void
test_drop_only(
        struct tern_engine *e, const struct tern_stats *before, enum tern_drop why, uint64_t n)
{
	const struct tern_stats *s = tern_engine_stats(e);
	int d;

	for (d = 0; d < TERN_DROP_MAX; d++) {
		uint64_t delta = s->drop[d] - before->drop[d];
		if (d == (int)why && delta != n)
			fail_msg("drop %s: +%lu, expected +%lu", tern_drop_name(d),
			        (unsigned long)delta, (unsigned long)n);
		if (d != (int)why && delta != 0)
			fail_msg("unexpected drop %s: +%lu", tern_drop_name(d),
			        (unsigned long)delta);
	}
}
