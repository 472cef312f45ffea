/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-gen's raw frames (frame.h). IPv4: RFC 791 header, TCP checksum over the IPv4
 * pseudo header; IPv6: RFC 8200 fixed header, TCP and ICMPv6 checksums over the IPv6
 * pseudo header (§8.1), both computed by DPDK's rte_ip.h helpers, which take the upper
 * layer's protocol from the header (so ICMPv6 too; a zero sum comes out as 0xffff, the
 * same in one's complement).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "frame.h"

#define ICMP6_NA       136
#define ND_OPT_TLLADDR 2
#define NA_FLAG_S      0x40000000u
#define NA_FLAG_O      0x20000000u

static void
tcp_hdr(struct rte_tcp_hdr *th, const struct gen_seg *s, unsigned thlen)
{
	th->src_port = rte_cpu_to_be_16(s->sport);
	th->dst_port = rte_cpu_to_be_16(s->dport);
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)((thlen / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->win);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (s->optlen)
		memcpy(th + 1, s->opt, s->optlen);
}

size_t
gen_frame_tcp(void *buf, size_t room, const uint8_t dmac[6], const uint8_t smac[6],
        const struct gen_seg *s)
{
	unsigned thlen = 20u + s->optlen;
	unsigned iplen = s->v6 ? 40 : 20;
	size_t len = RTE_ETHER_HDR_LEN + iplen + thlen;
	struct rte_ether_hdr *eh = buf;
	struct rte_tcp_hdr *th;

	if (s->optlen % 4 != 0 || s->optlen > 40 || room < len)
		return 0;
	memcpy(&eh->dst_addr, dmac, RTE_ETHER_ADDR_LEN);
	memcpy(&eh->src_addr, smac, RTE_ETHER_ADDR_LEN);
	if (s->v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)thlen);
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = s->ttl;
		memcpy(ip6->src_addr, s->src6, 16);
		memcpy(ip6->dst_addr, s->dst6, 16);
		th = (struct rte_tcp_hdr *)(ip6 + 1);
		tcp_hdr(th, s, thlen);
		th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + thlen));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)rte_rand());
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = s->ttl;
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		ip->src_addr = rte_cpu_to_be_32(s->src);
		ip->dst_addr = rte_cpu_to_be_32(s->dst);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th = (struct rte_tcp_hdr *)(ip + 1);
		tcp_hdr(th, s, thlen);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
	return len;
}

size_t
gen_frame_na(void *buf, size_t room, const uint8_t mac[6], const uint8_t target[16],
        const uint8_t ns_mac[6], const uint8_t ns_src[16])
{
	static const uint8_t unspec[16];
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	struct rte_ether_hdr *eh = buf;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	uint8_t *na = (uint8_t *)(ip6 + 1);
	bool dad = memcmp(ns_src, unspec, 16) == 0;
	uint32_t flags = NA_FLAG_O | (dad ? 0 : NA_FLAG_S);
	uint16_t ck;

	if (room < GEN_NA_LEN)
		return 0;
	memcpy(&eh->dst_addr, dad ? all_nodes_mac : ns_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eh->src_addr, mac, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(32);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, target, 16);
	memcpy(ip6->dst_addr, dad ? all_nodes : ns_src, 16);
	memset(na, 0, 32);
	na[0] = ICMP6_NA;
	flags = rte_cpu_to_be_32(flags);
	memcpy(na + 4, &flags, 4);
	memcpy(na + 8, target, 16);
	na[24] = ND_OPT_TLLADDR;
	na[25] = 1; /* 8 bytes */
	memcpy(na + 26, mac, 6);
	ck = rte_ipv6_udptcp_cksum(ip6, na);
	memcpy(na + 2, &ck, 2);
	return GEN_NA_LEN;
}
