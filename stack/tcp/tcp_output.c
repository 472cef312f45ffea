/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment building and the send side: data within the peer's and the congestion window,
 * the FIN after the queued data, pure ACKs, RSTs for segments that match nothing.
 *
 * Every segment is built in one fresh mbuf (headroom for IPv4 + Ethernet, TCP header and
 * options, payload copied from the send buffer), so it is a single-segment frame that any
 * PMD can send; the checksum is computed in software unless the port offloads it. (The
 * SYN-ACK answering a SYN is built in the SYN's own mbuf when that is direct and
 * unshared.)
 */
#include <string.h>

#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "tcp/tcp.h"
#include "wire/csum.h"

/* @p v at @p p in network order (any alignment). */
static inline void
put_be32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, sizeof(v));
}

/*
 * The IPv4 header of a TCP segment of the 4-tuple @p k, @p total_len bytes with it:
 * version 4, IHL 5, TOS 0; id 0, DF; TTL, TCP; the addresses; the checksum when @p csum
 * (else 0, for the port to fill in), summed from the words (wire_ipv4_put_words()).
 */
static inline void
ipv4_put_hdr(uint8_t *ip, uint32_t total_len, const struct flow_key *k, bool csum)
{
	wire_ipv4_put_words(ip, 0x45000000u | total_len, WIRE_IPV4_DF,
	        (uint32_t)TERN_IP_TTL << 24 | (uint32_t)WIRE_IPPROTO_TCP << 16, k->laddr, k->raddr,
	        csum);
}

/* Payloads at least this long go by reference when the port sends chains (tcp_build()):
 * below it, copying is cheaper than an indirect mbuf. */
#define TCP_ZC_MIN 256

/*
 * The send buffer mbuf holding the byte @p off bytes after snd_una, and that byte's offset
 * in it (*@p moff). A cursor remembers where the last segment ended, so sending from
 * snd_nxt does not walk the buffer from its head for every segment (conn_sb_ack() drops
 * the cursor when it frees or trims its mbuf).
 */
static struct rte_mbuf *
sb_seek(struct tern_conn *c, uint32_t off, uint32_t *moff)
{
	struct tcp_conn_io *io = conn_io(c);
	struct rte_mbuf *m = io->sb_head;
	tern_seq_t mseq = c->snd_una;
	tern_seq_t seq = c->snd_una + off;

	if (io->sb_cur != NULL && seq_leq(io->sb_cur_seq, seq)) {
		m = io->sb_cur;
		mseq = io->sb_cur_seq;
	}
	off = seq - mseq;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		mseq += m->data_len;
		m = m->next;
	}
	io->sb_cur = m;
	io->sb_cur_seq = mseq;
	*moff = off;
	return m;
}

/* Copy @p len bytes of the send buffer, starting @p off bytes after snd_una, to @p dst. */
static void
sb_copy(struct tern_conn *c, uint32_t off, uint8_t *dst, uint32_t len)
{
	struct rte_mbuf *m = sb_seek(c, off, &off);

	while (len > 0 && m != NULL) {
		uint32_t n = m->data_len - off;
		if (n > len)
			n = len;
		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		dst += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

/*
 * Do the send buffer pieces of @p len bytes from @p off all have even lengths (the last
 * one excepted)? With the port computing TCP checksums, a chain is only sent then: some
 * PMDs (net_tap in DPDK 22.11) sum each segment apart, wrong after an odd one.
 */
static bool
sb_even_pieces(struct tern_conn *c, uint32_t off, uint32_t len)
{
	struct rte_mbuf *m = sb_seek(c, off, &off);

	while (m != NULL) {
		uint32_t n = m->data_len - off;
		if (n >= len)
			return true;
		if (n & 1)
			return false;
		len -= n;
		off = 0;
		m = m->next;
	}
	return true;
}

/*
 * Zero-copy payload (conf.tx_multi_seg): chain to header mbuf @p h indirect mbufs over
 * @p len bytes of the send buffer from @p off, each attached to the send buffer mbuf it
 * reads (whose data stays until the NIC is done with it: the attachment holds a
 * reference). *@p sum gets their checksum when it is not NULL. @return 0, or -1 when an
 * mbuf was short (what was chained goes with @p h).
 */
static int
sb_attach(struct tern_engine *e, struct tern_conn *c, struct rte_mbuf *h, uint32_t off,
        uint32_t len, uint32_t *sum)
{
	struct rte_mbuf *m = sb_seek(c, off, &off), *last = h;
	size_t at = h->data_len;

	while (len > 0 && m != NULL) {
		uint32_t n = m->data_len - off;
		struct rte_mbuf *ind = engine_alloc(e);

		if (ind == NULL)
			return -1;
		if (n > len)
			n = len;
		rte_pktmbuf_attach(ind, m);
		ind->data_off = (uint16_t)(m->data_off + off);
		ind->data_len = (uint16_t)n;
		ind->pkt_len = n;
		last->next = ind;
		last = ind;
		h->nb_segs++;
		h->pkt_len += n;
		if (sum != NULL)
			*sum = wire_csum_add_at(*sum, rte_pktmbuf_mtod(ind, const void *), n, at);
		at += n;
		len -= n;
		off = 0;
		m = m->next;
	}
	return len == 0 ? 0 : -1;
}

/*
 * Build one segment on 4-tuple @p k in the empty mbuf @p m. Payload, if any, comes from
 * @p c's send buffer at offset @p sb_off: copied behind the header, or, when the port sends
 * chains and the payload is at least TCP_ZC_MIN bytes, referred to (sb_attach()).
 * @return 0, or -1 (@p m dropped) when it does not fit or an mbuf was short.
 */
void
tcp_key_ip6(const struct tern_engine *e, const struct flow_key *k, struct wire_ip6 *l,
        struct wire_ip6 *r)
{
	*l = k->laddr == FLOW_L6_LINK ? e->nd.linklocal.ip : e->nd.addr.ip;
	*r = *flow_peer6_ip(&e->tcp.flows, k->raddr);
}

/* The pseudo-header sum of a segment of 4-tuple @p k, @p l4len bytes (either family). */
static uint32_t
tcp_pseudo(const struct tern_engine *e, const struct flow_key *k, uint32_t l4len)
{
	struct wire_ip6 l, r;

	if (!flow_key_is6(k))
		return wire_csum_pseudo4(k->laddr, k->raddr, WIRE_IPPROTO_TCP, (uint16_t)l4len);
	tcp_key_ip6(e, k, &l, &r);
	return wire_csum_pseudo6(&l, &r, WIRE_IPPROTO_TCP, l4len);
}

/* Whether the @p len payload bytes at send buffer offset @p sb_off of @p c go by reference
 * (sb_attach()) rather than copied behind the header. */
static inline bool
tcp_payload_zc(const struct tern_engine *e, struct tern_conn *c, uint32_t sb_off, uint32_t len)
{
	return len >= TCP_ZC_MIN && e->conf.tx_multi_seg &&
	       (!e->conf.tx_tcp_csum_offload || sb_even_pieces(c, sb_off, len));
}

/*
 * The rest of a segment whose @p hlen-byte TCP header (checksum field 0) is at @p p in
 * @p m: the payload, copied behind the header (room appended already) or, when @p zc,
 * referred to; TSO, and the checksum or its offload. @return 0, or -1 (@p m dropped).
 */
static int
tcp_fill(struct tern_engine *e, struct rte_mbuf *m, uint8_t *p, const struct flow_key *k,
        struct tern_conn *c, uint32_t sb_off, uint32_t len, size_t hlen, bool zc)
{
	bool sw = !e->conf.tx_tcp_csum_offload;
	/* A TSO frame (send_new() chose it: conf.tx_tso, even pieces): the port cuts it. */
	uint32_t seg = c != NULL ? tcp_seg_room(c) : 0;
	bool tso = zc && c != NULL && len > seg;
	uint32_t sum = 0;

	if (tso && e->conf.tx_tso_l2_in_mtu) {
		/* The port wants each segment's frame within the MTU: 14 bytes less (even). */
		uint32_t l3 = flow_key_is6(k) ? WIRE_IPV6_HLEN : WIRE_IPV4_HLEN;
		uint32_t fit = (e->conf.mtu - WIRE_ETH_HLEN - l3 - (uint32_t)hlen) & ~1u;
		if (fit < seg)
			seg = fit;
	}
	if (zc) {
		if (sb_attach(e, c, m, sb_off, len, sw ? &sum : NULL) != 0) {
			tern_drop(e, m, TERN_DROP_NO_MBUF);
			return -1;
		}
		tern_count(e, TERN_CTR_ZC_TX_SEGS, 1);
	} else if (len > 0) {
		sb_copy(c, sb_off, p + hlen, len);
	}
	if (tso) {
		/* The pseudo-header sum without the length, which differs per segment. */
		uint16_t ph = (uint16_t)~wire_csum_fold(tcp_pseudo(e, k, 0));
		p[WIRE_TCP_CSUM_OFF] = (uint8_t)(ph >> 8);
		p[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)ph;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = (uint16_t)seg;
		tern_count(e, TERN_CTR_TSO_TX_FRAMES, 1);
		tern_count(e, TERN_CTR_TSO_TX_SEGS, (len + seg - 1) / seg);
	} else if (!sw) {
		/* The NIC wants the pseudo-header sum, folded, not complemented. */
		uint16_t ph = (uint16_t)~wire_csum_fold(tcp_pseudo(e, k, (uint32_t)(hlen + len)));
		p[WIRE_TCP_CSUM_OFF] = (uint8_t)(ph >> 8);
		p[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)ph;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	} else if (zc) {
		uint16_t cs;

		sum += tcp_pseudo(e, k, (uint32_t)(hlen + len));
		cs = wire_csum_fold(wire_csum_add_hdr(sum, p, hlen));
		p[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
		p[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	} else {
		uint32_t ph = tcp_pseudo(e, k, (uint32_t)(hlen + len));
		uint16_t cs = wire_csum_fold(len == 0 ? wire_csum_add_hdr(ph, p, hlen)
		                                      : wire_csum_add(ph, p, hlen + len));
		p[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
		p[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
	}
	m->l4_len = (uint8_t)hlen;
	return 0;
}

static int
tcp_build(struct tern_engine *e, struct rte_mbuf *m, const struct flow_key *k,
        const struct wire_tcp_repr *th, struct tern_conn *c, uint32_t sb_off, uint32_t len)
{
	size_t hlen = WIRE_TCP_HLEN + wire_tcp_opts_len(&th->opts);
	bool zc = tcp_payload_zc(e, c, sb_off, len);
	uint8_t *p;

	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(hlen + (zc ? 0 : len)));
	if (p == NULL) {
		tern_drop(e, m, TERN_DROP_NO_MBUF);
		return -1;
	}
	wire_tcp_emit(p, th);
	if (tcp_fill(e, m, p, k, c, sb_off, len, hlen, zc) != 0)
		return -1;
	tern_count(e, TERN_CTR_TCP_SEG_TX, 1);
	if (flow_key_is6(k))
		tern_count(e, TERN_CTR_TCP6_SEG_TX, 1);
	if (th->flags & WIRE_TCP_RST)
		tern_count(e, TERN_CTR_TCP_RST_TX, 1);
	return 0;
}

/* Send segment @p m of 4-tuple @p k down its family's IP layer: through the neighbour
 * cache, or straight to @p dmac (an answer to a frame from there) when given. */
static void
tcp_ip_output(struct tern_engine *e, struct rte_mbuf *m, const struct flow_key *k,
        const struct wire_mac *dmac)
{
	struct wire_ip6 l, r;

	if (!flow_key_is6(k)) {
		if (dmac != NULL)
			ipv4_reply(e, m, k->laddr, k->raddr, WIRE_IPPROTO_TCP, dmac);
		else
			ipv4_output(e, m, k->laddr, k->raddr, WIRE_IPPROTO_TCP);
		return;
	}
	tcp_key_ip6(e, k, &l, &r);
	if (dmac != NULL)
		ipv6_reply(e, m, &l, &r, WIRE_IPPROTO_TCP, dmac);
	else
		ipv6_output(e, m, &l, &r, WIRE_IPPROTO_TCP);
}

/* Build and send one segment in a fresh mbuf. @return 0, or -1 when no mbuf could be had. */
static int
tcp_xmit(struct tern_engine *e, const struct flow_key *k, const struct wire_tcp_repr *th,
        struct tern_conn *c, uint32_t sb_off, uint32_t len)
{
	struct rte_mbuf *m = engine_alloc(e);

	if (m == NULL || tcp_build(e, m, k, th, c, sb_off, len) != 0)
		return -1;
	tcp_ip_output(e, m, k, NULL);
	return 0;
}

static void
th_init(struct wire_tcp_repr *th, const struct flow_key *k, tern_seq_t seq, tern_seq_t ack,
        uint8_t flags, uint16_t win)
{
	memset(th, 0, sizeof(*th));
	th->sport = k->lport;
	th->dport = k->rport;
	th->seq = seq;
	th->ack = ack;
	th->flags = flags;
	th->win = win;
}

uint16_t
tcp_rcv_window(struct tern_conn *c)
{
	uint32_t free = conn_rb_limit(c) > conn_rb_len(c) ? conn_rb_limit(c) - conn_rb_len(c) : 0;
	uint32_t thresh = c->mss < conn_rb_limit(c) / 2 ? c->mss : conn_rb_limit(c) / 2;
	unsigned shift = (c->opt & CONN_O_WSCALE) ? c->rcv_wscale : 0;
	uint32_t max = 65535u << shift;
	uint32_t w;
	tern_seq_t edge;

	if (free > max)
		free = max;
	free &= ~((1u << shift) - 1); /* what the scaled field can say exactly */
	edge = c->rcv_nxt + free;
	/* Never shrink the window; move its right edge only by a useful amount
	 * (receiver-side silly window avoidance, RFC 1122 §4.2.3.3). */
	if (seq_gt(edge, c->rcv_adv) && (edge - c->rcv_adv >= thresh || free == max))
		c->rcv_adv = edge;
	if (seq_lt(c->rcv_adv, c->rcv_nxt))
		c->rcv_adv = c->rcv_nxt;
	/* Rounded up, not down: once rcv_nxt has moved by other than a multiple of 2^shift,
	 * rounding down would put the advertised edge up to 2^shift - 1 bytes left of
	 * rcv_adv (the window shrinks, RFC 9293 §3.8.6). The edge we then advertise becomes
	 * rcv_adv: at most 2^shift - 1 bytes beyond the buffer's free space, which is less
	 * than rb_limit / 65535 (the shift is the smallest that fits rb_limit), as Linux. */
	w = (c->rcv_adv - c->rcv_nxt + (1u << shift) - 1) >> shift;
	if (w > 65535)
		return 65535;
	c->rcv_adv = c->rcv_nxt + (w << shift);
	return (uint16_t)w;
}

/* Window of a SYN or SYN-ACK: never scaled (RFC 7323 §2.2). */
static uint16_t
syn_window(struct tern_conn *c)
{
	uint32_t free = conn_rb_limit(c) > 65535 ? 65535 : conn_rb_limit(c);

	if (seq_lt(c->rcv_adv, c->rcv_nxt + free))
		c->rcv_adv = c->rcv_nxt + free;
	return (uint16_t)(c->rcv_adv - c->rcv_nxt);
}

uint32_t
tcp_seg_room(const struct tern_conn *c)
{
	return c->mss - ((c->opt & CONN_O_TS) ? 12u : 0u); /* NOP, NOP, TS */
}

/* Options of a segment of @p c with @p flags and @p len payload bytes. */
static void
conn_opts(struct tern_conn *c, struct wire_tcp_opts *o, uint8_t flags, uint32_t len)
{
	struct tern_engine *e = conn_e(c);

	o->present = 0;
	if (flags & WIRE_TCP_SYN) {
		/* Our SYN offers what the configuration allows; a SYN-ACK answers the SYN. */
		bool offer = c->state == TERN_TCP_SYN_SENT;

		o->present = WIRE_TCPO_MSS;
		o->mss = tcp_our_mss(&e->tcp, &c->node.key);
		if (offer ? !e->conf.no_wscale : (c->opt & CONN_O_WSCALE) != 0) {
			o->present |= WIRE_TCPO_WSCALE;
			o->wscale = e->tcp.wscale;
		}
		if (offer ? !e->conf.no_sack : (c->opt & CONN_O_SACK) != 0)
			o->present |= WIRE_TCPO_SACK_PERM;
		if (offer ? !e->conf.no_timestamps : (c->opt & CONN_O_TS) != 0) {
			o->present |= WIRE_TCPO_TS;
			o->tsval = tcp_ts_now(c, e->now_ms);
			o->tsecr = offer ? 0 : c->ts_recent;
		}
		return;
	}
	if (c->opt & CONN_O_TS) {
		o->present |= WIRE_TCPO_TS;
		o->tsval = tcp_ts_now(c, e->now_ms);
		o->tsecr = c->ts_recent;
	}
	if ((c->opt & CONN_O_SACK) && (flags & (WIRE_TCP_ACK | WIRE_TCP_RST)) == WIRE_TCP_ACK &&
	        c->ext_id != 0 && (conn_x(c)->reass.head != NULL || (c->opt & CONN_O_DSACK))) {
		const struct tcp_conn_ext *x = conn_x(c);
		unsigned max = (c->opt & CONN_O_TS) ? 3 : 4, n = 0;
		bool dsack = (c->opt & CONN_O_DSACK) != 0;

		if (dsack) {
			/* RFC 2883: the duplicate first, then the usual blocks. */
			o->sack[0].left = x->dsack_l;
			o->sack[0].right = x->dsack_r;
			n = 1;
		}
		if (x->reass.head != NULL)
			n += reass_sack_blocks(&x->reass, o->sack + n, max - n);
		if (n > 0) {
			o->present |= WIRE_TCPO_SACK;
			o->nsack = (uint8_t)n;
			/* A full data segment has no room for them; the next ACK tells. */
			if (len > 0 && len + wire_tcp_opts_len(o) > c->mss)
				o->present &= (uint8_t)~WIRE_TCPO_SACK;
			else if (dsack)
				c->opt &= (uint8_t)~CONN_O_DSACK;
		}
	}
}

/*
 * conn_xmit()'s common case: a segment without SYN or RST and without SACK blocks to
 * send. TCP (with NOP,NOP,TS when timestamps are on) is written whole in 32-bit stores,
 * without a header representation or an option walk; over IPv4 Ethernet and IPv4 too,
 * without the IP layer's emit chain, and the next hop's MAC comes from the ARP cache's
 * memo (arp_resolved(); anything but a usable entry goes through arp_output(), which
 * holds, asks or ages as for any frame); over IPv6 ipv6_output() adds the rest (ND's
 * states stay its own). The bytes are those of tcp_build() + ipv4_output() /
 * ipv6_output() (the unit tests' byte fixtures and the conformance suite read them).
 * @return as tcp_xmit().
 */
static int
conn_xmit_fast(struct tern_conn *c, tern_seq_t seq, uint32_t len, uint8_t flags, uint16_t win)
{
	struct tern_engine *e = conn_e(c);
	const struct flow_key *k = &c->node.key;
	bool ts = (c->opt & CONN_O_TS) != 0;
	uint32_t hlen = WIRE_TCP_HLEN + (ts ? 12u : 0u), nh;
	struct rte_mbuf *m = engine_alloc(e);
	const struct wire_mac *dmac;
	uint8_t *p, *ip, *tcp;
	bool zc;

	if (m == NULL)
		return -1;
	zc = tcp_payload_zc(e, c, seq - c->snd_una, len);
	tcp = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(hlen + (zc ? 0 : len)));
	if (tcp == NULL) {
		tern_drop(e, m, TERN_DROP_NO_MBUF);
		return -1;
	}
	put_be32(tcp, (uint32_t)k->lport << 16 | k->rport);
	put_be32(tcp + 4, seq);
	put_be32(tcp + 8, (flags & WIRE_TCP_ACK) ? c->rcv_nxt : 0);
	put_be32(tcp + 12, (hlen / 4) << 28 | (uint32_t)flags << 16 | win);
	put_be32(tcp + 16, 0);
	if (ts) {
		put_be32(tcp + 20, (uint32_t)WIRE_TCPOPT_NOP << 24 |
		                           (uint32_t)WIRE_TCPOPT_NOP << 16 |
		                           (uint32_t)WIRE_TCPOPT_TS << 8 | 10u);
		put_be32(tcp + 24, tcp_ts_now(c, e->now_ms));
		put_be32(tcp + 28, c->ts_recent);
	}
	if (tcp_fill(e, m, tcp, k, c, seq - c->snd_una, len, hlen, zc) != 0)
		return -1;
	tern_count(e, TERN_CTR_TCP_SEG_TX, 1);
	if (flow_key_is6(k)) {
		struct wire_ip6 l, r;

		tern_count(e, TERN_CTR_TCP6_SEG_TX, 1);
		tcp_key_ip6(e, k, &l, &r);
		ipv6_output(e, m, &l, &r, WIRE_IPPROTO_TCP);
		return 0;
	}
	/* From here on as ipv4_output(): a frame that cannot go is dropped, not retried. */
	nh = ipv4_nexthop(e, k->raddr);
	if (nh == 0) {
		tern_drop(e, m, TERN_DROP_NO_ROUTE);
		return 0;
	}
	p = (uint8_t *)rte_pktmbuf_prepend(m, TERN_L2L3_HLEN);
	if (p == NULL) {
		tern_drop(e, m, TERN_DROP_NO_MBUF);
		return 0;
	}
	ip = p + WIRE_ETH_HLEN;
	ipv4_put_hdr(ip, WIRE_IPV4_HLEN + hlen + len, k, !e->conf.tx_ip_csum_offload);
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (e->conf.tx_ip_csum_offload)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	m->l2_len = WIRE_ETH_HLEN;
	m->l3_len = WIRE_IPV4_HLEN;
	memcpy(p + WIRE_ETH_ALEN, &e->mac, WIRE_ETH_ALEN);
	p[12] = (uint8_t)(WIRE_ETHERTYPE_IPV4 >> 8);
	p[13] = (uint8_t)WIRE_ETHERTYPE_IPV4;
	dmac = arp_resolved(e, nh);
	if (dmac == NULL) {
		arp_output(e, m, nh); /* the destination MAC once resolved */
		return 0;
	}
	memcpy(p, dmac, WIRE_ETH_ALEN);
	engine_tx(e, m);
	return 0;
}

/* One segment of a connection. */
static int
conn_xmit(struct tern_conn *c, tern_seq_t seq, uint32_t len, uint8_t flags)
{
	struct tern_engine *e = conn_e(c);
	struct wire_tcp_repr th;
	uint16_t win = (flags & WIRE_TCP_SYN) ? syn_window(c) : tcp_rcv_window(c);
	int rc;

	if (!(flags & (WIRE_TCP_SYN | WIRE_TCP_RST)) &&
	        !((c->opt & CONN_O_SACK) && c->ext_id != 0)) {
		rc = conn_xmit_fast(c, seq, len, flags, win);
	} else {
		th_init(&th, &c->node.key, seq, (flags & WIRE_TCP_ACK) ? c->rcv_nxt : 0, flags,
		        win);
		conn_opts(c, &th.opts, flags, len);
		rc = tcp_xmit(e, &c->node.key, &th, c, seq - c->snd_una, len);
	}
	if (rc != 0) {
		/* No mbuf (counted): an ACK we owe stays owed, and the delayed-ACK timer
		 * tries again in TCP_ACK_RETRY_MS, once the pool has had time to refill. */
		if ((flags & (WIRE_TCP_ACK | WIRE_TCP_RST)) == WIRE_TCP_ACK &&
		        !conn_timer_armed(c, CONN_T_DELACK) && !(c->flags & CONN_F_DELACK_ARM)) {
			c->flags |= CONN_F_DELACK;
			conn_timer_arm(c, CONN_T_DELACK, e->now_ms + TCP_ACK_RETRY_MS);
			tern_count(e, TERN_CTR_TCP_ACK_DEFERRED, 1);
		}
		return -1;
	}
	if (seq_lt(seq, c->snd_max) && (len > 0 || (flags & (WIRE_TCP_SYN | WIRE_TCP_FIN))))
		tern_count(e, TERN_CTR_TCP_RETRANS, 1);
	else if (len > 0)
		tern_count(e, TERN_CTR_TCP_DATA_TX, len);
	if (flags & WIRE_TCP_ACK) {
		/* Every ACK we send settles what was owed. */
		c->last_ack_sent = c->rcv_nxt;
		c->flags &= (uint32_t) ~(CONN_F_ACK_NOW | CONN_F_DELACK | CONN_F_DELACK_ARM);
		conn_timer_stop(c, CONN_T_DELACK);
	}
	return 0;
}

/*
 * The head segment goes out again: remember what had been sent by then. Should the peer
 * later SACK data sent after this while snd_una stays put, this copy was lost too.
 */
static void
watch_head(struct tern_conn *c)
{
	struct tcp_conn_ext *x = conn_ext_get(c);

	if (x == NULL)
		return; /* no extension: the timeout finds the loss */
	c->flags |= CONN_F_RXT_WATCH;
	x->rxt_head = c->snd_una;
	x->rxt_mark = c->snd_max;
}

uint32_t
tcp_resend(struct tern_conn *c, tern_seq_t seq, uint32_t len)
{
	tern_seq_t data_end = c->snd_una + conn_sb_len(c);
	uint8_t fl = WIRE_TCP_ACK;
	uint32_t room = tcp_seg_room(c);
	bool fin = (c->flags & CONN_F_FIN_SENT) != 0;
	/* Only what was sent before: never new bytes beyond snd_max (or the window). */
	tern_seq_t sent_end = fin ? conn_snd_fin(c) : c->snd_max;

	if (seq_lt(seq, c->snd_una))
		return 0;
	if (seq_geq(seq, data_end)) {
		if (!fin || seq != conn_snd_fin(c))
			return 0;
		len = 0;
	} else {
		if (seq_geq(seq, sent_end))
			return 0;
		if (len > data_end - seq)
			len = data_end - seq;
		if (len > sent_end - seq)
			len = sent_end - seq;
		if (len > room)
			len = room;
	}
	if (seq + len == data_end) {
		if (len > 0)
			fl |= WIRE_TCP_PSH;
		if (fin)
			fl |= WIRE_TCP_FIN;
	}
	if (len == 0 && !(fl & WIRE_TCP_FIN))
		return 0;
	if (conn_xmit(c, seq, len, fl) != 0)
		return 0;
	if (seq == c->snd_una && (c->opt & CONN_O_SACK))
		watch_head(c);
	return len + !!(fl & WIRE_TCP_FIN);
}

uint32_t
tcp_retransmit(struct tern_conn *c, tern_seq_t seq, uint32_t len)
{
	uint32_t n = tcp_resend(c, seq, len);

	if (n > 0)
		tern_count(conn_e(c), TERN_CTR_TCP_FAST_RETRANS, 1);
	return n;
}

/*
 * Nagle (RFC 1122 §4.2.3.4) in Minshall's form: a short segment of @p len bytes waits while
 * an earlier short segment is unacknowledged (snd_sml in (snd_una, snd_max]).
 */
static bool
nagle_holds(const struct tern_conn *c, uint32_t len)
{
	return len < tcp_seg_room(c) && !(c->opt & CONN_O_NODELAY) &&
	       seq_gt(c->snd_sml, c->snd_una) && seq_leq(c->snd_sml, c->snd_max);
}

bool
tcp_can_send_new(const struct tern_conn *c)
{
	tern_seq_t data_end = c->snd_una + conn_sb_len(c);
	uint32_t room = tcp_seg_room(c);
	uint32_t wnd = c->snd_wnd < c->cc.cwnd ? c->snd_wnd : c->cc.cwnd;
	uint32_t unsent;

	if (!seq_lt(c->snd_max, data_end))
		return false;
	unsent = data_end - c->snd_max;
	if (seq_geq(c->snd_max, c->snd_una + c->snd_wnd))
		return false;
	if (c->snd_max - c->snd_una + (unsent < room ? unsent : room) > wnd)
		return false;
	if (nagle_holds(c, unsent))
		return false;
	return true;
}

/*
 * Send the next new segment from snd_nxt if the windows, sender SWS avoidance and Nagle
 * allow. @return 1 sent, 0 nothing allowed now, -1 no mbuf.
 */
/*
 * TSO (conf.tx_tso): how much of the @p len unsent bytes at snd_nxt one frame may carry,
 * in whole segments, within the window ending at @p win_end: at least two segments and at
 * most TCP_TSO_SEGS, else 0 (send one segment). New data only (after a timeout snd_nxt
 * goes back: segment by segment); never the FIN (@p fin_at_end: it would follow the
 * last byte), and only over send-buffer pieces of even length with an even segment size
 * (sb_even_pieces(): net_tap sums each piece of a chain apart). Over IPv6 too, except on
 * net_tap (conf.tx_tso_l2_in_mtu marks it), whose TSO is DPDK's rte_gso, which cuts
 * TCP/IPv4 only: IPv6 segments go one by one there.
 */
static uint32_t
tso_len(struct tern_conn *c, uint32_t len, tern_seq_t win_end, bool fin_at_end)
{
	uint32_t room = tcp_seg_room(c), n = len;

	if (!conn_e(c)->conf.tx_tso || seq_lt(c->snd_nxt, c->snd_max) ||
	        !seq_lt(c->snd_nxt, win_end))
		return 0;
	if (conn_e(c)->conf.tx_tso_l2_in_mtu && flow_key_is6(&c->node.key))
		return 0; /* net_tap: no TCP/IPv6 segmentation in rte_gso (DPDK 22.11) */
	if (n > win_end - c->snd_nxt)
		n = win_end - c->snd_nxt;
	if (n > room * TCP_TSO_SEGS)
		n = room * TCP_TSO_SEGS;
	if (n == len && fin_at_end)
		n--; /* the FIN goes with the last segment, outside the frame */
	n -= n % room;
	/* Even segment size too: cut at odd offsets, even pieces would not stay even. */
	if (n < 2 * room || (room & 1) || !sb_even_pieces(c, c->snd_nxt - c->snd_una, n))
		return 0;
	return n;
}

static int
send_new(struct tern_conn *c, tern_seq_t win_end)
{
	struct tern_engine *e = conn_e(c);
	tern_seq_t data_end = c->snd_una + conn_sb_len(c);
	uint32_t room = tcp_seg_room(c);
	uint32_t len = data_end - c->snd_nxt;
	uint8_t fl = WIRE_TCP_ACK;
	bool fin_next = (c->flags & (CONN_F_FIN_QUEUED | CONN_F_FIN_SENT)) == CONN_F_FIN_QUEUED;

	if (c->ext_id != 0 && conn_x(c)->scb.n != 0 && seq_lt(c->snd_nxt, c->snd_max)) {
		/* Going back after a timeout: what the peer SACKed need not go again. */
		const struct sack_board *b = &conn_x(c)->scb;
		unsigned i;
		for (i = 0; i < b->n; i++) {
			const struct sack_range *r = &b->r[i];
			if (seq_leq(r->right, c->snd_nxt))
				continue;
			if (seq_leq(r->left, c->snd_nxt)) {
				c->snd_nxt = r->right;
				continue;
			}
			if (r->left - c->snd_nxt < len)
				len = r->left - c->snd_nxt; /* stop at the next SACKed range */
			break;
		}
		if (seq_gt(c->snd_nxt, data_end)) {
			/* The FIN was SACKed too: it stays sent (snd_fin is snd_max - 1). */
			c->flags |= CONN_F_FIN_SENT;
			return 0;
		}
		if (!seq_lt(c->snd_nxt, data_end))
			return 0;
		if (len > data_end - c->snd_nxt)
			len = data_end - c->snd_nxt;
	}
	if (!seq_lt(c->snd_nxt, data_end))
		return 0;
	if (len > room) {
		uint32_t tso = tso_len(c, len, win_end, fin_next && c->snd_nxt + len == data_end);
		len = tso != 0 ? tso : room;
	}
	if (seq_gt(c->snd_nxt + len, win_end)) {
		if (seq_geq(c->snd_nxt, win_end))
			return 0;
		len = win_end - c->snd_nxt;
		/* Sender silly window avoidance (RFC 9293 §3.8.6.2.1): no small
		 * segment while data is in flight and more is waiting. */
		if (len < room && c->snd_nxt != c->snd_una)
			return 0;
	}
	if (c->snd_nxt + len == data_end) {
		fl |= WIRE_TCP_PSH;
		if (fin_next)
			fl |= WIRE_TCP_FIN;
	}
	/* Nagle never holds back a FIN, nor anything sent again (after a timeout snd_nxt is
	 * below snd_max). */
	if (!(fl & WIRE_TCP_FIN) && seq_geq(c->snd_nxt, c->snd_max) && nagle_holds(c, len))
		return 0;
	if (!(c->flags & CONN_F_RTT_TIMING) && !(c->opt & CONN_O_TS) &&
	        seq_geq(c->snd_nxt, c->snd_max)) {
		c->flags |= CONN_F_RTT_TIMING;
		c->rtt_seq = c->snd_nxt;
		c->rtt_start_us = (uint32_t)(e->now_ns / 1000);
	}
	if (c->snd_una == c->snd_max)
		c->progress_ms = (uint32_t)e->now_ms; /* data becomes outstanding (user timeout) */
	if (conn_xmit(c, c->snd_nxt, len, fl) != 0)
		return -1;
	if (c->snd_nxt == c->snd_una && seq_lt(c->snd_nxt, c->snd_max) && (c->opt & CONN_O_SACK))
		watch_head(c); /* going back after a timeout */
	c->snd_nxt += len;
	if (len < room)
		c->snd_sml = c->snd_nxt;
	if (fl & WIRE_TCP_FIN) {
		c->flags |= CONN_F_FIN_SENT;
		c->snd_nxt++;
	}
	c->snd_max = seq_max(c->snd_max, c->snd_nxt);
	return 1;
}

/* RFC 6675 §5 step (C): in SACK recovery, send while pipe leaves a segment of cwnd. */
static int
sack_recovery_output(struct tern_conn *c, tern_seq_t win_end)
{
	uint32_t room = tcp_seg_room(c);
	struct sack_board *b = &conn_x(c)->scb; /* held from enter_recovery() on */
	int sent = 0;

	for (;;) {
		uint32_t pipe = sack_pipe(b, c->snd_una, c->snd_max, c->cc.mss);
		tern_seq_t seq;
		uint32_t len, n;

		if (pipe + room > c->cc.cwnd)
			break;
		if (seq_lt(b->high_rxt, c->snd_una))
			b->high_rxt = c->snd_una;
		if (sack_next_seg(b, c->snd_una, c->snd_max, room, false, &seq, &len)) {
			n = tcp_retransmit(c, seq, len); /* rule 1: a lost segment */
		} else {
			int r = send_new(c, win_end); /* rule 2: new data */
			if (r > 0) {
				sent++;
				continue;
			}
			if (r < 0 ||
			        !sack_next_seg(b, c->snd_una, c->snd_max, room, true, &seq, &len))
				break;
			n = tcp_retransmit(c, seq, len); /* rule 3 */
		}
		if (n == 0)
			break;
		if (seq_gt(seq + n, b->high_rxt))
			b->high_rxt = seq + n;
		sent++;
	}
	return sent;
}

void
tcp_output(struct tern_conn *c)
{
	tern_seq_t data_end, win_end;
	uint32_t wnd;
	int sent = 0, r;

	if (c->flags & CONN_F_DEAD)
		return;
	switch (c->state) {
	case TERN_TCP_SYN_SENT:
	case TERN_TCP_SYN_RCVD:
		if (c->flags & CONN_F_NEEDS_SYN) {
			uint8_t fl = WIRE_TCP_SYN;
			if (c->state == TERN_TCP_SYN_RCVD)
				fl |= WIRE_TCP_ACK;
			c->flags &= (uint32_t)~CONN_F_NEEDS_SYN;
			if (c->nrtx == 0) {
				/* Time the handshake (Karn: never a retransmitted SYN). */
				c->flags |= CONN_F_RTT_TIMING;
				c->rtt_seq = c->iss;
				c->rtt_start_us = (uint32_t)(conn_e(c)->now_ns / 1000);
			}
			conn_xmit(c, c->iss, 0, fl);
			c->snd_nxt = c->iss + 1;
			c->snd_max = seq_max(c->snd_max, c->snd_nxt);
			if (!conn_timer_armed(c, CONN_T_RTX))
				tcp_arm_rtx(c);
		} else if (c->flags & CONN_F_ACK_NOW && c->state == TERN_TCP_SYN_RCVD) {
			conn_xmit(c, c->snd_nxt, 0, WIRE_TCP_ACK);
		}
		c->flags &= (uint32_t)~CONN_F_ACK_NOW;
		return;
	case TERN_TCP_ESTABLISHED:
	case TERN_TCP_CLOSE_WAIT:
	case TERN_TCP_FIN_WAIT_1:
	case TERN_TCP_FIN_WAIT_2:
	case TERN_TCP_CLOSING:
	case TERN_TCP_LAST_ACK:
	case TERN_TCP_TIME_WAIT:
		break;
	default:
		return;
	}

	data_end = c->snd_una + conn_sb_len(c);
	if ((c->flags & CONN_F_RECOVERY) && (c->opt & CONN_O_SACK) && c->ext_id != 0) {
		sent = sack_recovery_output(c, c->snd_una + c->snd_wnd);
	} else {
		uint32_t cwnd;

		/* New data after nothing was sent for longer than the RTO (snd_una last moved,
		 * or data last became outstanding, before that): cwnd restarts from the
		 * initial window (RFC 5681 §4.1). (Not before the first data: cwnd is the
		 * initial window then.) */
		if (c->snd_una == c->snd_max && seq_lt(c->snd_nxt, data_end) &&
		        c->snd_max != c->iss + 1 &&
		        tcp_ms_since(conn_e(c)->now_ms, c->progress_ms) > c->rto_ms)
			tcp_cc_restart(&c->cc);
		cwnd = c->cc.cwnd;
		/* Limited transmit (RFC 3042): each of the first two duplicate ACKs lets one
		 * new segment beyond cwnd go, so that a small window still yields the
		 * duplicates fast retransmit needs. */
		if (!(c->flags & CONN_F_RECOVERY) && c->dupacks > 0)
			cwnd += (c->dupacks < 2 ? c->dupacks : 2u) * c->cc.mss;
		wnd = c->snd_wnd < cwnd ? c->snd_wnd : cwnd;
		win_end = c->snd_una + wnd;
		while ((r = send_new(c, win_end)) > 0)
			sent++;
	}
	if ((c->flags & (CONN_F_FIN_QUEUED | CONN_F_FIN_SENT)) == CONN_F_FIN_QUEUED &&
	        c->snd_nxt == data_end) {
		if (conn_xmit(c, c->snd_nxt, 0, WIRE_TCP_FIN | WIRE_TCP_ACK) == 0) {
			c->flags |= CONN_F_FIN_SENT;
			c->snd_nxt++;
			c->snd_max = seq_max(c->snd_max, c->snd_nxt);
			sent++;
		}
	}
	if (c->flags & CONN_F_ACK_NOW)
		conn_xmit(c, c->snd_nxt, 0, WIRE_TCP_ACK);

	if (c->snd_una != c->snd_max) {
		if (!conn_timer_armed(c, CONN_T_RTX) || (c->flags & CONN_F_PERSIST)) {
			tcp_persist_end(c);
			tcp_arm_rtx(c);
		}
	} else if (seq_lt(c->snd_nxt, data_end) && c->snd_wnd == 0) {
		/* Peer's window is shut with data waiting: probe it (persist). */
		if (!conn_timer_armed(c, CONN_T_RTX)) {
			c->flags |= CONN_F_PERSIST;
			tcp_arm_rtx(c);
		}
	} else {
		tcp_cancel_rtx(c);
	}
	(void)sent;
	conn_ext_trim(c);
}

void
tcp_send_ack_now(struct tern_conn *c, tern_seq_t seq)
{
	conn_xmit(c, seq, 0, WIRE_TCP_ACK);
}

void
tcp_send_rst(struct tern_conn *c)
{
	conn_xmit(c, c->snd_nxt, 0, WIRE_TCP_RST | WIRE_TCP_ACK);
}

void
tw_send_ack(struct tern_engine *e, const struct tcp_tw *tw)
{
	tcp_send_bare_ts(e, &tw->node.key, tw->snd_nxt, tw->rcv_nxt, 0,
	        (tw->node.aux & TW_F_TS) != 0, (uint32_t)e->now_ms + tw->ts_offset, tw->ts_recent);
}

void
tcp_send_bare_ts(struct tern_engine *e, const struct flow_key *k, tern_seq_t seq, tern_seq_t ack,
        uint16_t win, bool ts, uint32_t tsval, uint32_t tsecr)
{
	struct wire_tcp_repr th;

	th_init(&th, k, seq, ack, WIRE_TCP_ACK, win);
	if (ts) {
		th.opts.present = WIRE_TCPO_TS;
		th.opts.tsval = tsval;
		th.opts.tsecr = tsecr;
	}
	tcp_xmit(e, k, &th, NULL, 0, 0);
}

void
tcp_send_rst_reply(struct tern_engine *e, const struct tcp_seg *s)
{
	struct flow_key k = tcp_seg_key(s);
	struct wire_tcp_repr th;
	struct wire_mac dmac;
	struct rte_mbuf *m;

	if (s->th.flags & WIRE_TCP_RST)
		return; /* never answer a RST */
	if (s->th.flags & WIRE_TCP_ACK) {
		th_init(&th, &k, s->th.ack, 0, WIRE_TCP_RST, 0);
	} else {
		uint32_t seglen =
		        s->len + !!(s->th.flags & WIRE_TCP_SYN) + !!(s->th.flags & WIRE_TCP_FIN);
		th_init(&th, &k, 0, s->th.seq + seglen, WIRE_TCP_RST | WIRE_TCP_ACK, 0);
	}
	/* Back to the frame's sender, like a SYN-ACK: a flood of forged segments (ACKs to a
	 * listener, anything to a closed port) makes no ARP traffic and no ARP entries. */
	eth_frame_src(s->m, &dmac);
	m = engine_alloc(e);
	if (m != NULL && tcp_build(e, m, &k, &th, NULL, 0, 0) == 0)
		tcp_ip_output(e, m, &k, &dmac);
}

/* Bytes of the options of SYN-ACK @p sa (synack_tcp()'s layout). */
static inline uint32_t
synack_optlen(const struct tcp_synack *sa)
{
	return 4 + ((sa->opt & SYNQ_F_WSCALE) ? 4 : 0) +
	       ((sa->opt & SYNQ_F_TS)            ? 12
	               : (sa->opt & SYNQ_F_SACK) ? 4
	                                         : 0);
}

/*
 * The TCP header of SYN-ACK @p sa for 4-tuple @p k at @p tcp, @p hlen bytes with its
 * options, checksum field 0, in 32-bit stores. The option layout is wire_tcp_emit()'s
 * (MSS; NOP,WSCALE; SACK_PERM,TS or NOP,NOP,TS; NOP,NOP,SACK_PERM), so the bytes are those
 * tcp_build() would write (bench_synflood's check rounds and the conformance suite compare
 * them field by field).
 */
static inline void
synack_tcp(const struct tern_engine *e, uint8_t *tcp, const struct flow_key *k,
        const struct tcp_synack *sa, uint16_t win, uint32_t hlen)
{
	uint8_t *o = tcp + WIRE_TCP_HLEN;

	put_be32(tcp, (uint32_t)k->lport << 16 | k->rport);
	put_be32(tcp + 4, sa->iss);
	put_be32(tcp + 8, sa->irs + 1);
	put_be32(tcp + 12, (hlen / 4) << 28 | (uint32_t)(WIRE_TCP_SYN | WIRE_TCP_ACK) << 16 | win);
	put_be32(tcp + 16, 0);
	put_be32(o, (uint32_t)WIRE_TCPOPT_MSS << 24 | 4u << 16 | tcp_our_mss(&e->tcp, k));
	o += 4;
	if (sa->opt & SYNQ_F_WSCALE) {
		put_be32(o, (uint32_t)WIRE_TCPOPT_NOP << 24 | (uint32_t)WIRE_TCPOPT_WSCALE << 16 |
		                    3u << 8 | e->tcp.wscale);
		o += 4;
	}
	if (sa->opt & SYNQ_F_TS) {
		put_be32(o,
		        ((sa->opt & SYNQ_F_SACK) ? (uint32_t)WIRE_TCPOPT_SACK_PERM << 24 | 2u << 16
		                                 : (uint32_t)WIRE_TCPOPT_NOP << 24 |
		                                           (uint32_t)WIRE_TCPOPT_NOP << 16) |
		                (uint32_t)WIRE_TCPOPT_TS << 8 | 10u);
		put_be32(o + 4, sa->tsval);
		put_be32(o + 8, sa->tsecr);
	} else if (sa->opt & SYNQ_F_SACK) {
		put_be32(o, (uint32_t)WIRE_TCPOPT_NOP << 24 | (uint32_t)WIRE_TCPOPT_NOP << 16 |
		                    (uint32_t)WIRE_TCPOPT_SACK_PERM << 8 | 2u);
	}
}

/* The TCP checksum of the @p hlen-byte SYN-ACK at @p tcp from its pseudo-header sum @p ph:
 * in the header, or the NIC's job (flagged in @p fl). */
static inline void
synack_csum(const struct tern_engine *e, uint8_t *tcp, uint32_t hlen, uint32_t ph, uint64_t *fl)
{
	uint16_t cs;

	if (e->conf.tx_tcp_csum_offload) {
		/* The NIC wants the pseudo-header sum, folded, not complemented. */
		cs = (uint16_t)~wire_csum_fold(ph);
		*fl |= RTE_MBUF_F_TX_TCP_CKSUM;
	} else {
		cs = wire_csum_fold(wire_csum_add_hdr(ph, tcp, hlen));
	}
	tcp[WIRE_TCP_CSUM_OFF] = (uint8_t)(cs >> 8);
	tcp[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)cs;
}

/* Ethernet header at @p p: to @p dmac, from us, of @p type. */
static inline void
synack_eth(const struct tern_engine *e, uint8_t *p, const struct wire_mac *dmac, uint16_t type)
{
	memcpy(p, dmac, WIRE_ETH_ALEN);
	memcpy(p + WIRE_ETH_ALEN, &e->mac, WIRE_ETH_ALEN);
	p[12] = (uint8_t)(type >> 8);
	p[13] = (uint8_t)type;
}

/*
 * SYN-ACK @p sa for 4-tuple @p k in @p m (empty, one segment) to @p dmac, written whole from the
 * front: Ethernet, IPv4 or IPv6, TCP and its options in one append, without a header
 * representation, tcp_build()'s cases for data, chains and TSO, or a prepend. The bytes are
 * those of tcp_build() + ipv4_reply() / ipv6_reply().
 */
static void
synack_xmit(struct tern_engine *e, struct rte_mbuf *m, const struct flow_key *k,
        const struct tcp_synack *sa, uint16_t win, const struct wire_mac *dmac)
{
	uint32_t hlen = WIRE_TCP_HLEN + synack_optlen(sa);
	bool v6 = flow_key_is6(k);
	uint32_t l3 = v6 ? WIRE_IPV6_HLEN : WIRE_IPV4_HLEN;
	uint16_t len = (uint16_t)(WIRE_ETH_HLEN + l3 + hlen);
	uint8_t *p, *ip, *tcp;
	uint32_t ph;
	uint64_t fl;

	/* @p m is empty and one segment (reset or fresh): its data starts at the headroom. */
	if (len > rte_pktmbuf_tailroom(m)) {
		tern_drop(e, m, TERN_DROP_NO_MBUF);
		return;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	m->data_len = len;
	m->pkt_len = len;
	ip = p + WIRE_ETH_HLEN;
	tcp = ip + l3;
	synack_tcp(e, tcp, k, sa, win, hlen);
	if (!v6) {
		synack_eth(e, p, dmac, WIRE_ETHERTYPE_IPV4);
		ipv4_put_hdr(ip, WIRE_IPV4_HLEN + hlen, k, !e->conf.tx_ip_csum_offload);
		fl = RTE_MBUF_F_TX_IPV4;
		if (e->conf.tx_ip_csum_offload)
			fl |= RTE_MBUF_F_TX_IP_CKSUM;
		ph = wire_csum_pseudo4(k->laddr, k->raddr, WIRE_IPPROTO_TCP, (uint16_t)hlen);
	} else {
		struct wire_ip6 l, r;

		tcp_key_ip6(e, k, &l, &r);
		synack_eth(e, p, dmac, WIRE_ETHERTYPE_IPV6);
		/* version 6, traffic class 0, flow label 0; payload length, TCP, hop limit */
		put_be32(ip, 6u << 28);
		put_be32(ip + 4, hlen << 16 | (uint32_t)WIRE_IPPROTO_TCP << 8 | TERN_IP6_HOP_LIMIT);
		memcpy(ip + 8, l.b, 16);
		memcpy(ip + 24, r.b, 16);
		fl = RTE_MBUF_F_TX_IPV6;
		ph = wire_csum_pseudo6(&l, &r, WIRE_IPPROTO_TCP, hlen);
		tern_count(e, TERN_CTR_TCP6_SEG_TX, 1);
	}
	synack_csum(e, tcp, hlen, ph, &fl);
	m->ol_flags |= fl;
	m->l2_len = WIRE_ETH_HLEN;
	m->l3_len = l3;
	m->l4_len = (uint8_t)hlen;
	tern_count(e, TERN_CTR_TCP_SEG_TX, 1);
	engine_tx(e, m);
}

void
tcp_send_synack(struct tern_engine *e, const struct flow_key *k, const struct tcp_synack *sa,
        struct rte_mbuf *reuse)
{
	struct wire_tcp_repr th;
	struct wire_mac dmac;
	struct rte_mbuf *m;
	uint32_t win = e->conf.rcvbuf > 65535 ? 65535 : e->conf.rcvbuf;

	if (reuse != NULL) {
		/* Answer in the SYN's own mbuf, to the Ethernet address it came from: no
		 * allocation and no ARP on the flood path. */
		eth_frame_src(reuse, &dmac);
		if (reuse->nb_segs == 1 && RTE_MBUF_DIRECT(reuse) &&
		        rte_mbuf_refcnt_read(reuse) == 1) {
			rte_pktmbuf_reset(reuse);
			m = reuse;
		} else {
			rte_pktmbuf_free(reuse);
			m = engine_alloc(e);
			if (m == NULL)
				return;
		}
		synack_xmit(e, m, k, sa, (uint16_t)win, &dmac);
		return;
	}
	th_init(&th, k, sa->iss, sa->irs + 1, WIRE_TCP_SYN | WIRE_TCP_ACK, (uint16_t)win);
	th.opts.present = WIRE_TCPO_MSS;
	th.opts.mss = tcp_our_mss(&e->tcp, k);
	if (sa->opt & SYNQ_F_WSCALE) {
		th.opts.present |= WIRE_TCPO_WSCALE;
		th.opts.wscale = e->tcp.wscale;
	}
	if (sa->opt & SYNQ_F_SACK)
		th.opts.present |= WIRE_TCPO_SACK_PERM;
	if (sa->opt & SYNQ_F_TS) {
		th.opts.present |= WIRE_TCPO_TS;
		th.opts.tsval = sa->tsval;
		th.opts.tsecr = sa->tsecr;
	}
	tcp_xmit(e, k, &th, NULL, 0, 0);
}
