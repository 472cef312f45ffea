/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet dispatch (IPv6 goes to ipv6.c), IPv4 input validation, ICMP echo, IPv4 output.
 *
 * Input validates in the order of RFC 1122 §3.2.1: version, header length, total length,
 * checksum, then addresses; each failure is its own counted drop. Fragments are dropped
 * and counted (no reassembly: tern advertises an MSS that fits the MTU, and sets DF).
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/nd.h"
#include "tcp/tcp.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/bytes.h"
#include "wire/tcp.h"

static const enum tern_drop ip_err_drop[] = {
        [WIRE_ETRUNC] = TERN_DROP_IP_TRUNC,
        [WIRE_EBADLEN] = TERN_DROP_IP_LEN,
        [WIRE_EVERSION] = TERN_DROP_IP_VERSION,
        [WIRE_EBADHLEN] = TERN_DROP_IP_HLEN,
        [WIRE_ECSUM] = TERN_DROP_IP_CSUM,
        [WIRE_EBADOPT] = TERN_DROP_IP_HLEN,
        [WIRE_EUNSUP] = TERN_DROP_IP_VERSION,
};

uint32_t
ipv4_nexthop(const struct tern_engine *e, uint32_t dst)
{
	if ((dst & e->netmask) == (e->ip & e->netmask))
		return dst;
	return e->gateway;
}

static inline bool
ipv4_src_bad(const struct tern_engine *e, uint32_t src)
{
	uint32_t bcast = (e->ip & e->netmask) | ~e->netmask;

	return src == 0 || src == 0xffffffffu || (src >> 28) == 0xe || engine_local_ip(e, src) ||
	       (e->netmask != 0xffffffffu && src == bcast) || (src >> 24) == 127;
}

/* Echo request -> reply, in place. */
static void
icmp_input(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = ip->total_len - ip->hdr_len;
	struct wire_icmp_repr icmp;
	struct wire_ipv4_repr rip;
	struct wire_eth_repr eth;
	enum wire_err err;

	err = wire_icmp_parse(p + WIRE_ETH_HLEN + ip->hdr_len, len, &icmp, true);
	if (err != WIRE_OK) {
		tern_drop(e, m, TERN_DROP_ICMP_BAD);
		return;
	}
	if (icmp.type != WIRE_ICMP_ECHO_REQUEST || icmp.code != 0) {
		tern_drop(e, m, TERN_DROP_ICMP_TYPE);
		return;
	}
	/* Rebuild as Ethernet + 20-byte IPv4 (options dropped) + ICMP reply. */
	if (ip->hdr_len != WIRE_IPV4_HLEN) {
		memmove(p + WIRE_ETH_HLEN + WIRE_IPV4_HLEN, p + WIRE_ETH_HLEN + ip->hdr_len, len);
	}
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (WIRE_ETH_HLEN + WIRE_IPV4_HLEN + len));
	icmp.type = WIRE_ICMP_ECHO_REPLY;
	wire_icmp_emit(p + WIRE_ETH_HLEN + WIRE_IPV4_HLEN, &icmp, len - WIRE_ICMP_HLEN);
	memset(&rip, 0, sizeof(rip));
	rip.src = ip->dst; /* the address that was pinged */
	rip.dst = ip->src;
	rip.total_len = (uint16_t)(WIRE_IPV4_HLEN + len);
	rip.ttl = TERN_IP_TTL;
	rip.proto = WIRE_IPPROTO_ICMP;
	rip.tos = ip->tos;
	wire_ipv4_emit(p + WIRE_ETH_HLEN, &rip, true);
	memset(&eth, 0, sizeof(eth));
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_IPV4;
	wire_eth_emit(p, &eth);
	m->ol_flags = 0;
	tern_count(e, TERN_CTR_ICMP_ECHO, 1);
	uint32_t nh = ipv4_nexthop(e, ip->src);
	if (nh == 0) {
		tern_drop(e, m, TERN_DROP_NO_ROUTE);
		return;
	}
	arp_output(e, m, nh);
}

/* The checks here and in eth_input() are made once more, for TCP frames of the common
 * shape, by ipv4_tcp_fast() (batched RX): keep the two in step. */
static void
ipv4_input(struct tern_engine *e, struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct wire_ipv4_repr ip;
	enum wire_err err;
	bool verify;

	/* Trust the NIC's verdict when it gives one. */
	verify = true;
	if (e->conf.rx_csum_offload) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
		if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD) {
			tern_drop(e, m, TERN_DROP_IP_CSUM);
			return;
		}
		verify = f != RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	}
	err = wire_ipv4_parse(
	        p + WIRE_ETH_HLEN, rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, &ip, verify);
	if (err != WIRE_OK) {
		tern_drop(e, m, ip_err_drop[err]);
		return;
	}
	if (!engine_local_ip(e, ip.dst)) {
		tern_drop(e, m, TERN_DROP_IP_NOT_US);
		return;
	}
	if (ipv4_src_bad(e, ip.src)) {
		tern_drop(e, m, TERN_DROP_IP_SRC_BAD);
		return;
	}
	if (wire_ipv4_is_fragment(&ip)) {
		tern_drop(e, m, TERN_DROP_IP_FRAG);
		return;
	}
	if (ip.ttl == 0) {
		tern_drop(e, m, TERN_DROP_IP_TTL);
		return;
	}
	switch (ip.proto) {
	case WIRE_IPPROTO_TCP:
		tcp_input(e, m, &ip, WIRE_ETH_HLEN + ip.hdr_len);
		return;
	case WIRE_IPPROTO_ICMP:
		icmp_input(e, m, &ip);
		return;
	default:
		tern_drop(e, m, TERN_DROP_IP_PROTO);
		return;
	}
}

bool
ipv4_tcp_fast(const struct tern_engine *e, const struct rte_mbuf *m, struct wire_tcp4_tuple *t,
        uint16_t *l4len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *), *ip = p + WIRE_ETH_HLEN;
	uint32_t len = rte_pktmbuf_data_len(m), tlen;
	uint64_t f;

	/* eth_input(): one segment, to our MAC, IPv4. A MAC of ours with the group bit (the
	 * broadcast one is refused there) takes the general path. */
	if (len < WIRE_ETH_HLEN + WIRE_IPV4_HLEN + WIRE_TCP_HLEN ||
	        p[12] != (uint8_t)(WIRE_ETHERTYPE_IPV4 >> 8) ||
	        p[13] != (uint8_t)WIRE_ETHERTYPE_IPV4 || len != rte_pktmbuf_pkt_len(m) ||
	        memcmp(p, &e->mac, WIRE_ETH_ALEN) != 0 || (p[0] & 1) != 0)
		return false;
	/* wire_ipv4_parse(): version 4, IHL 5 (options: the general path), the total length
	 * (here with a whole TCP header) within the frame, the checksum unless the NIC
	 * verified it; a BAD verdict is the general path's drop. */
	tlen = ld16(ip + 2);
	if (ip[0] != 0x45 || tlen < WIRE_IPV4_HLEN + WIRE_TCP_HLEN || tlen > len - WIRE_ETH_HLEN)
		return false;
	f = e->conf.rx_csum_offload ? m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK : 0;
	if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	        (f != RTE_MBUF_F_RX_IP_CKSUM_GOOD && wire_csum_ip4hdr(ip) != 0))
		return false;
	/* ipv4_input(): to us, a good source, not a fragment, TTL, TCP. */
	t->src = ld32(ip + 12);
	t->dst = ld32(ip + 16);
	if (!engine_local_ip(e, t->dst) || ipv4_src_bad(e, t->src) ||
	        (ld16(ip + 6) & (WIRE_IPV4_MF | WIRE_IPV4_OFFMASK)) != 0 || ip[8] == 0 ||
	        ip[9] != WIRE_IPPROTO_TCP)
		return false;
	t->sport = ld16(ip + WIRE_IPV4_HLEN);
	t->dport = ld16(ip + WIRE_IPV4_HLEN + 2);
	*l4len = (uint16_t)(tlen - WIRE_IPV4_HLEN);
	return true;
}

void
eth_input(struct tern_engine *e, struct rte_mbuf *m)
{
	struct wire_eth_repr eth;
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) != rte_pktmbuf_pkt_len(m) && rte_pktmbuf_linearize(m) != 0) {
		tern_drop(e, m, TERN_DROP_ETH_TRUNC);
		return;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	/* The common case first: IPv4 to our (unicast) address; the same verdict as below. */
	if (rte_pktmbuf_data_len(m) >= WIRE_ETH_HLEN && memcmp(p, &e->mac, WIRE_ETH_ALEN) == 0 &&
	        p[12] == (uint8_t)(WIRE_ETHERTYPE_IPV4 >> 8) &&
	        p[13] == (uint8_t)WIRE_ETHERTYPE_IPV4 && !wire_mac_is_broadcast(&e->mac)) {
		ipv4_input(e, m);
		return;
	}
	if (wire_eth_parse(p, rte_pktmbuf_data_len(m), &eth) != WIRE_OK) {
		tern_drop(e, m, TERN_DROP_ETH_TRUNC);
		return;
	}
	if (!wire_mac_eq(&eth.dst, &e->mac) && !wire_mac_is_broadcast(&eth.dst)) {
		if (eth.type == WIRE_ETHERTYPE_IPV6 && nd_is_our_mcast_mac(e, &eth.dst)) {
			ipv6_input(e, m); /* ND to our solicited-node groups, all-nodes */
			return;
		}
		tern_drop(e, m,
		        wire_mac_is_multicast(&eth.dst) ? TERN_DROP_ETH_TYPE
		                                        : TERN_DROP_ETH_NOT_US);
		return;
	}
	switch (eth.type) {
	case WIRE_ETHERTYPE_IPV4:
		if (wire_mac_is_broadcast(&eth.dst)) {
			tern_drop(e, m, TERN_DROP_ETH_NOT_US);
			return;
		}
		ipv4_input(e, m);
		return;
	case WIRE_ETHERTYPE_ARP:
		arp_input(e, m);
		return;
	case WIRE_ETHERTYPE_IPV6:
		if (!nd_enabled(&e->nd) || wire_mac_is_broadcast(&eth.dst))
			break;
		ipv6_input(e, m);
		return;
	default:
		break;
	}
	tern_drop(e, m, TERN_DROP_ETH_TYPE);
}

void
ipv4_write_hdrs(struct tern_engine *e, struct rte_mbuf *m, uint8_t *p, uint32_t src, uint32_t dst,
        uint8_t proto, uint16_t l4len, const struct wire_mac *dmac)
{
	struct wire_ipv4_repr ip;
	struct wire_eth_repr eth;

	memset(&ip, 0, sizeof(ip));
	ip.src = src;
	ip.dst = dst;
	ip.total_len = (uint16_t)(WIRE_IPV4_HLEN + l4len);
	ip.frag = WIRE_IPV4_DF;
	ip.ttl = TERN_IP_TTL;
	ip.proto = proto;
	wire_ipv4_emit(p + WIRE_ETH_HLEN, &ip, !e->conf.tx_ip_csum_offload);
	m->l2_len = WIRE_ETH_HLEN;
	m->l3_len = WIRE_IPV4_HLEN;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (e->conf.tx_ip_csum_offload)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	memset(&eth, 0, sizeof(eth));
	if (dmac != NULL)
		eth.dst = *dmac;
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_IPV4;
	wire_eth_emit(p, &eth);
}

/* Prepend Ethernet (source and type only) and IPv4 headers to the L4 packet @p m. */
static int
ipv4_prepend(struct tern_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst, uint8_t proto)
{
	uint16_t l4len = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t *p;

	p = (uint8_t *)rte_pktmbuf_prepend(m, TERN_L2L3_HLEN);
	if (p == NULL) {
		tern_drop(e, m, TERN_DROP_NO_MBUF);
		return -1;
	}
	ipv4_write_hdrs(e, m, p, src, dst, proto, l4len, NULL);
	return 0;
}

void
ipv4_output(struct tern_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst, uint8_t proto)
{
	uint32_t nh = ipv4_nexthop(e, dst);

	if (nh == 0) {
		tern_drop(e, m, TERN_DROP_NO_ROUTE);
		return;
	}
	if (ipv4_prepend(e, m, src, dst, proto) == 0)
		arp_output(e, m, nh);
}

void
ipv4_reply(struct tern_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst, uint8_t proto,
        const struct wire_mac *dmac)
{
	if (ipv4_prepend(e, m, src, dst, proto) != 0)
		return;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), dmac, WIRE_ETH_ALEN);
	engine_tx(e, m);
}
