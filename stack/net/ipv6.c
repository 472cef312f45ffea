/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 input and output, ICMPv6.
 *
 * Input checks in order: fixed header (version, payload length), our own frames looped
 * back, source (never multicast, loopback or ours once preferred; unspecified only for a DAD
 * probe), destination (our preferred addresses, or a group we listen to: all-nodes and our
 * solicited-node groups; our tentative addresses are dropped until DAD is over), then the
 * extension header chain (wire_ipv6_ext_walk, RFC 8200 rules), then the upper layer. Each
 * failure is its own counted drop. Fragments are dropped and counted (no reassembly), as
 * for IPv4; atomic fragments (RFC 6946) are taken whole.
 *
 * ICMPv6 (RFC 4443): echo requests are answered in place (extension headers dropped from
 * the reply); Packet Too Big gives an MTU hint, never below the IPv6 minimum of 1280
 * (RFC 8201 §4), to the hook in nd.h (tcp_ptb6: the connection's MSS); the other errors
 * are counted (TCP is not told of them, as over IPv4); NS and NA go to nd.c. TCP goes to
 * tcp_input6().
 *
 * Errors sent: Parameter Problem where RFC 8200 asks for one (an unknown option whose
 * type's high bits are 10, or 11 to a unicast destination, code 2; a Routing header with
 * segments left, code 0, to a unicast destination), rate-limited per engine (RFC 4443
 * §2.4(f): ICMP6_ERR_PER_SEC, bursts of ICMP6_ERR_BURST), quoting as much of the packet as
 * fits in 1280 bytes. Nothing else: no Destination Unreachable for TCP or other protocols
 * (as for IPv4), no Time Exceeded (no reassembly).
 */
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/nd.h"
#include "tcp/tcp.h"
#include "wire/eth.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

static const enum tern_drop ext_err_drop[WIRE_EXT_MAX] = {
        [WIRE_EXT_TRUNC] = TERN_DROP_IP6_EXT_TRUNC,
        [WIRE_EXT_CHAIN] = TERN_DROP_IP6_EXT_CHAIN,
        [WIRE_EXT_HBH_ORDER] = TERN_DROP_IP6_EXT_ORDER,
        [WIRE_EXT_OPT] = TERN_DROP_IP6_EXT_OPT,
        [WIRE_EXT_OPT_LEN] = TERN_DROP_IP6_EXT_OPT_LEN,
        [WIRE_EXT_ROUTING] = TERN_DROP_IP6_ROUTING,
        [WIRE_EXT_FRAG] = TERN_DROP_IP6_FRAG,
        [WIRE_EXT_NONE] = TERN_DROP_IP6_NO_NEXT,
};

/* Echo request -> reply, in place: Ethernet + 40-byte IPv6 + ICMPv6. */
static void
icmp6_echo(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        struct wire_icmp6_repr *icmp, size_t l4_off, size_t len)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *l3 = p + WIRE_ETH_HLEN;
	struct wire_ipv6_repr rip;
	struct wire_eth_repr eth;
	struct wire_ip6 nh;

	memset(&rip, 0, sizeof(rip));
	rip.dst = ip->src;
	if (wire_ip6_is_multicast(&ip->dst)) {
		if (!nd_source(e, &ip->src, &rip.src)) {
			tern_drop(e, m, TERN_DROP_NO_ROUTE6);
			return;
		}
	} else {
		rip.src = ip->dst; /* the address that was pinged */
	}
	if (!nd_nexthop(e, &ip->src, &nh)) {
		tern_drop(e, m, TERN_DROP_NO_ROUTE6);
		return;
	}
	if (l4_off != 0)
		memmove(l3 + WIRE_IPV6_HLEN, l3 + WIRE_IPV6_HLEN + l4_off, len);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (WIRE_ETH_HLEN + WIRE_IPV6_HLEN + len));
	icmp->type = WIRE_ICMP6_ECHO_REPLY;
	icmp->code = 0;
	wire_icmp6_emit(l3 + WIRE_IPV6_HLEN, icmp, len, &rip.src, &rip.dst);
	rip.tclass = ip->tclass;
	rip.payload_len = (uint16_t)len;
	rip.next_hdr = WIRE_IPPROTO_ICMPV6;
	rip.hop_limit = TERN_IP6_HOP_LIMIT;
	wire_ipv6_emit(l3, &rip);
	memset(&eth, 0, sizeof(eth));
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_IPV6;
	wire_eth_emit(p, &eth);
	m->ol_flags = 0;
	tern_count(e, TERN_CTR_ICMP6_ECHO, 1);
	nd_output(e, m, &nh);
}

/*
 * Packet Too Big (RFC 4443 §3.2, RFC 8201 §4): the quoted packet must be one of ours with
 * its IPv6 header whole; the MTU hint is never below 1280 nor above our own link's MTU.
 */
static void
icmp6_ptb(struct tern_engine *e, struct rte_mbuf *m, const uint8_t *body, size_t len, uint32_t mtu)
{
	struct wire_ipv6_repr in;

	if (len < WIRE_IPV6_HLEN || (body[0] >> 4) != 6) {
		tern_drop(e, m, TERN_DROP_ICMP6_PTB_BAD);
		return;
	}
	/* The quote is cut to fit the error message: the length field may exceed it. */
	memset(&in, 0, sizeof(in));
	memcpy(in.src.b, body + 8, 16);
	memcpy(in.dst.b, body + 24, 16);
	if (!nd_is_local(e, &in.src, TERN_IP6_PREFERRED)) {
		tern_drop(e, m, TERN_DROP_ICMP6_PTB_BAD);
		return;
	}
	if (mtu < WIRE_IPV6_MIN_MTU)
		mtu = WIRE_IPV6_MIN_MTU;
	if (mtu > e->conf.mtu)
		mtu = e->conf.mtu;
	tern_count(e, TERN_CTR_ICMP6_PTB, 1);
	if (e->nd.ptb_hook != NULL)
		e->nd.ptb_hook(e, &in.dst, mtu, body, len);
	rte_pktmbuf_free(m);
}

static void
icmp6_input(
        struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip, size_t l4_off)
{
	uint8_t *icmp =
	        rte_pktmbuf_mtod_offset(m, uint8_t *, WIRE_ETH_HLEN + WIRE_IPV6_HLEN + l4_off);
	size_t len = ip->payload_len - l4_off;
	struct wire_icmp6_repr r;

	if (wire_icmp6_parse(icmp, len, &ip->src, &ip->dst, &r, true) != WIRE_OK) {
		tern_drop(e, m, TERN_DROP_ICMP6_BAD);
		return;
	}
	switch (r.type) {
	case WIRE_ICMP6_ECHO_REQUEST:
		icmp6_echo(e, m, ip, &r, l4_off, len);
		return;
	case WIRE_ICMP6_NEIGH_SOL:
	case WIRE_ICMP6_NEIGH_ADV:
		nd_input(e, m, ip, icmp, len, r.type);
		return;
	case WIRE_ICMP6_PKT_TOO_BIG:
		icmp6_ptb(e, m, icmp + WIRE_ICMP6_HLEN, len - WIRE_ICMP6_HLEN, r.mtu);
		return;
	default:
		break;
	}
	if (r.type < 128) {
		/* An error (§2.1: types 0..127), known or not: counted, nothing above to tell. */
		tern_count(e, TERN_CTR_ICMP6_ERROR_RX, 1);
		rte_pktmbuf_free(m);
		return;
	}
	tern_drop(e, m, TERN_DROP_ICMP6_TYPE);
}

/* RFC 4443 §2.4(f): may an error go now? A token bucket, refilled with the clock. */
static bool
icmp6_err_allowed(struct tern_engine *e)
{
	struct nd_table *t = &e->nd;
	uint64_t add = (e->now_ms - t->err_fill_ms) * ICMP6_ERR_PER_SEC / 1000;

	if (add > 0) {
		/* Whole tokens only; the time of a part token is kept for the next one. */
		t->err_fill_ms += add * 1000 / ICMP6_ERR_PER_SEC;
		if (t->err_tokens + add >= ICMP6_ERR_BURST) {
			t->err_tokens = ICMP6_ERR_BURST;
			t->err_fill_ms = e->now_ms;
		} else {
			t->err_tokens += (uint32_t)add;
		}
	}
	if (t->err_tokens == 0) {
		tern_count(e, TERN_CTR_ICMP6_ERROR_LIMITED, 1);
		return false;
	}
	t->err_tokens--;
	return true;
}

/*
 * Parameter Problem (RFC 4443 §3.4) about the packet in @p m (not consumed: the caller
 * drops it) whose header is @p ip: @p code, @p pointer from the start of its IPv6 header.
 */
static void
icmp6_param_problem(struct tern_engine *e, const struct rte_mbuf *m,
        const struct wire_ipv6_repr *ip, uint8_t code, uint32_t pointer)
{
	const size_t max_quote = WIRE_IPV6_MIN_MTU - WIRE_IPV6_HLEN - WIRE_ICMP6_HLEN;
	struct wire_icmp6_repr r = {.type = WIRE_ICMP6_PARAM_PROB, .code = code, .mtu = pointer};
	size_t quote = RTE_MIN((size_t)WIRE_IPV6_HLEN + ip->payload_len, max_quote);
	struct wire_ipv6_repr rip;
	struct wire_eth_repr eth;
	struct wire_ip6 nh;
	struct rte_mbuf *n;
	uint8_t *p;

	memset(&rip, 0, sizeof(rip));
	if (wire_ip6_is_multicast(&ip->dst)) {
		if (!nd_source(e, &ip->src, &rip.src))
			return;
	} else {
		rip.src = ip->dst;
	}
	if (!nd_nexthop(e, &ip->src, &nh) || !icmp6_err_allowed(e))
		return;
	n = engine_alloc(e);
	if (n == NULL)
		return;
	p = (uint8_t *)rte_pktmbuf_append(
	        n, (uint16_t)(WIRE_ETH_HLEN + WIRE_IPV6_HLEN + WIRE_ICMP6_HLEN + quote));
	if (p == NULL) {
		tern_drop(e, n, TERN_DROP_NO_MBUF);
		return;
	}
	memcpy(p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN + WIRE_ICMP6_HLEN,
	        rte_pktmbuf_mtod_offset(m, const uint8_t *, WIRE_ETH_HLEN), quote);
	rip.dst = ip->src;
	wire_icmp6_emit(p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, &r, WIRE_ICMP6_HLEN + quote, &rip.src,
	        &rip.dst);
	rip.payload_len = (uint16_t)(WIRE_ICMP6_HLEN + quote);
	rip.next_hdr = WIRE_IPPROTO_ICMPV6;
	rip.hop_limit = TERN_IP6_HOP_LIMIT;
	wire_ipv6_emit(p + WIRE_ETH_HLEN, &rip);
	memset(&eth, 0, sizeof(eth));
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_IPV6;
	wire_eth_emit(p, &eth);
	tern_count(e, TERN_CTR_ICMP6_ERROR_TX, 1);
	nd_output(e, n, &nh);
}

/* After a failed extension walk: the Parameter Problem RFC 8200 asks for, if any. */
static void
ipv6_ext_error(struct tern_engine *e, const struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        enum wire_ext_err xerr, const struct wire_ipv6_ext *x)
{
	const uint8_t *pl =
	        rte_pktmbuf_mtod_offset(m, const uint8_t *, WIRE_ETH_HLEN + WIRE_IPV6_HLEN);
	bool mcast = wire_ip6_is_multicast(&ip->dst);
	uint8_t action;

	switch (xerr) {
	case WIRE_EXT_OPT: /* §4.2: 10 always, 11 unless to a multicast address */
		action = pl[x->err_off] >> 6;
		if (action == 2 || (action == 3 && !mcast))
			icmp6_param_problem(e, m, ip, 2, WIRE_IPV6_HLEN + x->err_off);
		break;
	case WIRE_EXT_ROUTING: /* §4.4; never about a multicast packet (RFC 4443 §2.4(e)) */
		if (!mcast)
			icmp6_param_problem(e, m, ip, 0, WIRE_IPV6_HLEN + x->err_off);
		break;
	default:
		break;
	}
}

/* Source checks (RFC 4291 §2.5.2, §2.7; RFC 8200 §3 by reference to them). */
static bool
ipv6_src_bad(const struct tern_engine *e, const struct wire_ipv6_repr *ip)
{
	if (wire_ip6_is_unspec(&ip->src))
		/* only a DAD probe: ICMPv6 to a group; nd_input checks the rest */
		return ip->next_hdr != WIRE_IPPROTO_ICMPV6 || !wire_ip6_is_multicast(&ip->dst);
	return wire_ip6_is_multicast(&ip->src) || wire_ip6_is_loopback(&ip->src) ||
	       nd_is_local(e, &ip->src, TERN_IP6_PREFERRED); /* tentative: another node's */
}

void
ipv6_input(struct tern_engine *e, struct rte_mbuf *m)
{
	static const enum tern_drop parse_drop[] = {
	        [WIRE_ETRUNC] = TERN_DROP_IP6_TRUNC,
	        [WIRE_EVERSION] = TERN_DROP_IP6_VERSION,
	        [WIRE_EBADLEN] = TERN_DROP_IP6_LEN,
	};
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct wire_ipv6_repr ip;
	struct wire_ipv6_ext x;
	struct wire_mac smac;
	enum wire_ext_err xerr;
	enum wire_err err;

	err = wire_ipv6_parse(p + WIRE_ETH_HLEN, rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, &ip);
	if (err != WIRE_OK) {
		tern_drop(e, m, parse_drop[err]);
		return;
	}
	eth_frame_src(m, &smac);
	if (wire_mac_eq(&smac, &e->mac)) {
		tern_drop(e, m, TERN_DROP_IP6_LOOPED);
		return;
	}
	if (ipv6_src_bad(e, &ip)) {
		tern_drop(e, m, TERN_DROP_IP6_SRC_BAD);
		return;
	}
	if (wire_ip6_is_multicast(&ip.dst)) {
		if (!nd_is_our_group(e, &ip.dst)) {
			tern_drop(e, m, TERN_DROP_IP6_NOT_US);
			return;
		}
	} else if (!nd_is_local(e, &ip.dst, TERN_IP6_PREFERRED)) {
		tern_drop(e, m,
		        nd_is_local(e, &ip.dst, 0) ? TERN_DROP_IP6_TENTATIVE
		                                   : TERN_DROP_IP6_NOT_US);
		return;
	}
	xerr = wire_ipv6_ext_walk(
	        p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, ip.payload_len, ip.next_hdr, &x);
	if (xerr != WIRE_EXT_OK) {
		ipv6_ext_error(e, m, &ip, xerr, &x);
		tern_drop(e, m, ext_err_drop[xerr]);
		return;
	}
	if (x.proto == WIRE_IPPROTO_ICMPV6) {
		icmp6_input(e, m, &ip, x.l4_off);
		return;
	}
	if (x.proto == WIRE_IPPROTO_TCP) {
		tcp_input6(e, m, &ip, (uint16_t)(WIRE_ETH_HLEN + WIRE_IPV6_HLEN + x.l4_off),
		        ip.payload_len - (uint32_t)x.l4_off);
		return;
	}
	tern_drop(e, m, TERN_DROP_IP6_PROTO);
}

/* Put the Ethernet and IPv6 headers in front of @p m (the upper layer). @return false
 * when there is no headroom (@p m dropped). */
static bool
ipv6_prepend(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, uint8_t proto)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct wire_ipv6_repr ip;
	struct wire_eth_repr eth;
	uint8_t *p;

	p = (uint8_t *)rte_pktmbuf_prepend(m, TERN_L2L3_HLEN6);
	if (p == NULL) {
		tern_drop(e, m, TERN_DROP_NO_MBUF);
		return false;
	}
	memset(&ip, 0, sizeof(ip));
	ip.src = *src;
	ip.dst = *dst;
	ip.payload_len = (uint16_t)len;
	ip.next_hdr = proto;
	ip.hop_limit = TERN_IP6_HOP_LIMIT;
	wire_ipv6_emit(p + WIRE_ETH_HLEN, &ip);
	m->l2_len = WIRE_ETH_HLEN;
	m->l3_len = WIRE_IPV6_HLEN;
	m->ol_flags |= RTE_MBUF_F_TX_IPV6;
	memset(&eth, 0, sizeof(eth));
	eth.src = e->mac;
	eth.type = WIRE_ETHERTYPE_IPV6;
	wire_eth_emit(p, &eth);
	return true;
}

void
ipv6_output(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, uint8_t proto)
{
	struct wire_ip6 nh;

	if (!nd_nexthop(e, dst, &nh)) {
		tern_drop(e, m, TERN_DROP_NO_ROUTE6);
		return;
	}
	if (ipv6_prepend(e, m, src, dst, proto))
		nd_output(e, m, &nh);
}

void
ipv6_reply(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, uint8_t proto, const struct wire_mac *dmac)
{
	if (!ipv6_prepend(e, m, src, dst, proto))
		return;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), dmac, WIRE_ETH_ALEN);
	engine_tx(e, m);
}
