/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-gen synflood mode: TCP SYNs from spoofed sources, built whole in mbufs and queued
 * on the engine's TX (tern_engine_send_frame), paced by the worker's token bucket.
 *
 * The target's MAC comes from the engine's ARP before the run starts (main.c).
 * Sources: --src (fixed) or --src-range (random in the block, never its first or last
 * address, tern's own address, the target or the subnet's broadcast); source ports
 * random in --sport (default 1024..65535); sequence numbers and IP IDs random. Each SYN
 * carries an MSS option so the target's SYN cookie has one to encode.
 * Checksums are computed in software: the frames are few bytes and every PMD takes them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "gen.h"

#define SYN_TCP_HLEN  24 /* 20 + MSS option */
#define SYN_FRAME_LEN (RTE_ETHER_HDR_LEN + 20 + SYN_TCP_HLEN)
#define SYN_BURST     64

/* A source address from the configured block, never a reserved or real host. */
static uint32_t
pick_src(const struct gen *g, uint64_t r)
{
	uint32_t subnet_bcast =
	        g->a->o.prefix_len >= 31 ? 0 : (g->a->o.ip | (0xffffffffu >> g->a->o.prefix_len));
	unsigned tries;

	if (g->src_mask == 0)
		return g->src_base;
	for (tries = 0; tries < 16; tries++) {
		uint32_t host = (uint32_t)r & g->src_mask;
		uint32_t ip = g->src_base | host;
		r = (r >> 17) | (r << 47);
		if (tries == 8)
			r = rte_rand();
		if (host == 0 || host == g->src_mask || ip == g->a->o.ip || ip == g->dst ||
		        ip == subnet_bcast)
			continue;
		return ip;
	}
	return g->src_base | 1; /* tiny ranges: parse checks one usable address exists */
}

static int
build_syn(struct gen_worker *w, struct rte_mbuf *m)
{
	struct gen *g = w->g;
	uint64_t r1 = rte_rand(), r2 = rte_rand();
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint8_t *opt;
	uint32_t span = (uint32_t)g->sport_hi - g->sport_lo + 1;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, SYN_FRAME_LEN);
	if (eh == NULL)
		return -1;
	memcpy(&eh->dst_addr, w->mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eh->src_addr, g->a->port.mac, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(20 + SYN_TCP_HLEN);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)r2);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	ip->src_addr = rte_cpu_to_be_32(pick_src(g, r1));
	ip->dst_addr = rte_cpu_to_be_32(g->dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = rte_cpu_to_be_16((uint16_t)(g->sport_lo + (uint32_t)(r2 >> 16) % span));
	th->dst_port = rte_cpu_to_be_16(g->dport);
	th->sent_seq = rte_cpu_to_be_32((uint32_t)(r2 >> 32));
	th->recv_ack = 0;
	th->data_off = (SYN_TCP_HLEN / 4) << 4;
	th->tcp_flags = RTE_TCP_SYN_FLAG;
	th->rx_win = rte_cpu_to_be_16(64240);
	th->cksum = 0;
	th->tcp_urp = 0;
	opt = (uint8_t *)(th + 1);
	opt[0] = 2; /* MSS */
	opt[1] = 4;
	opt[2] = 1460 >> 8;
	opt[3] = 1460 & 0xff;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return 0;
}

void
gen_syn_tick(struct gen_worker *w, uint64_t now)
{
	struct gen *g = w->g;
	struct rte_mbuf *m[SYN_BURST];
	unsigned n, i;

	if (!w->opening) {
		gen_worker_finish(w, now);
		return;
	}
	n = gen_pace(w, now, SYN_BURST);
	if (n == 0)
		return;
	if (rte_pktmbuf_alloc_bulk(g->a->port.pool, m, n) != 0) {
		w->c.no_mbuf += n;
		gen_pace_unused(w, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (build_syn(w, m[i]) != 0 || tern_engine_send_frame(w->e, m[i]) != 0) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		w->c.sent++;
	}
	w->c.attempted += n;
}
