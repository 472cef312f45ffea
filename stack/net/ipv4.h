/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet dispatch, IPv4 input validation and output, ICMP echo.
 */
#ifndef TERN_NET_IPV4_H
#define TERN_NET_IPV4_H

#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "wire/eth.h"
#include "wire/ipv4.h"

struct tern_engine;

/** Headroom an L4 packet needs for the IPv4 and Ethernet headers. */
#define TERN_L2L3_HLEN (14 + 20)

/** TTL of the IPv4 packets we send. */
#define TERN_IP_TTL 64

/** Entry point for a received frame. Consumes @p m. */
void eth_input(struct tern_engine *e, struct rte_mbuf *m);

/**
 * Send an L4 packet from our address @p src (e->ip, or one of conf.src_ips) to @p dst:
 * @p m's data starts at the L4 header, with headroom for the IPv4 and Ethernet headers.
 * The L4 checksum must already be final, or (TCP with tx offload) hold the pseudo-header
 * sum with RTE_MBUF_F_TX_TCP_CKSUM set. Consumes @p m.
 */
void ipv4_output(
        struct tern_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst, uint8_t proto);
/** The source MAC of received frame @p m (its data starts at the Ethernet header). */
static inline void
eth_frame_src(const struct rte_mbuf *m, struct wire_mac *mac)
{
	memcpy(mac, rte_pktmbuf_mtod_offset(m, const uint8_t *, WIRE_ETH_ALEN), sizeof(*mac));
}

/**
 * As ipv4_output(), but to Ethernet address @p dmac without consulting the ARP cache: an
 * answer to a frame that came from @p dmac (a SYN-ACK to the SYN's sender, a RST to a
 * segment that matched nothing), so that a
 * flood from spoofed addresses neither fills the ARP cache nor makes us ARP for them.
 */
void ipv4_reply(struct tern_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst,
        uint8_t proto, const struct wire_mac *dmac);

/**
 * Write the Ethernet header (to @p dmac, or a zero destination for the ARP step to fill
 * when NULL; from us; IPv4) and the IPv4 header (@p src to @p dst, protocol @p proto,
 * @p l4len bytes of L4 after it; no options, DF, TTL 64, the header checksum or the port's
 * offload) at @p p (TERN_L2L3_HLEN bytes, @p m's data), and set @p m's TX metadata for
 * them (l2_len, l3_len, offload flags). For a frame written whole from the front (the
 * SYN-ACK, tcp_send_synack()) and for ipv4_output() / ipv4_reply().
 */
void ipv4_write_hdrs(struct tern_engine *e, struct rte_mbuf *m, uint8_t *p, uint32_t src,
        uint32_t dst, uint8_t proto, uint16_t l4len, const struct wire_mac *dmac);

/** Next hop for @p dst: itself when on-link, the gateway otherwise, 0 when unroutable. */
uint32_t ipv4_nexthop(const struct tern_engine *e, uint32_t dst);

/**
 * Whether eth_input() would take frame @p m through ipv4_input() to tcp_input() without a
 * drop, in the common shape only, every check made once: one segment; to our MAC, IPv4;
 * a header without options whose checksum is right (or the NIC says so), total length
 * within the frame with a whole TCP header in it; to one of our addresses from an
 * acceptable source; not a fragment, TTL not 0, TCP. For batched RX (tcp_rx_prepare()):
 * such a frame goes to TCP input at once (tcp_rx_input()). None of these checks counts
 * anything on success, so nothing the general path would count is skipped; a frame that
 * fails any (or has another shape) takes the general path, which drops it with its
 * reason or takes it.
 * @return true with the 4-tuple in @p t and the TCP length (header and payload) in
 * @p l4len; the TCP header is at WIRE_ETH_HLEN + WIRE_IPV4_HLEN.
 */
bool ipv4_tcp_fast(const struct tern_engine *e, const struct rte_mbuf *m, struct wire_tcp4_tuple *t,
        uint16_t *l4len);

/**
 * The 4-tuple of frame @p m (untagged Ethernet, IPv4, TCP with room for the ports), read
 * without validation (wire_ipv4_tcp_tuple()): for steering, batched RX and frames of ours
 * held for ARP. @return false when @p m is not such a frame.
 */
static inline bool
ipv4_frame_tuple(const struct rte_mbuf *m, struct wire_tcp4_tuple *t)
{
	return rte_pktmbuf_data_len(m) >= WIRE_ETH_HLEN &&
	       wire_ipv4_tcp_tuple(rte_pktmbuf_mtod(m, const uint8_t *) + WIRE_ETH_HLEN,
	               rte_pktmbuf_data_len(m) - WIRE_ETH_HLEN, t);
}

#endif
