/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IPv6 input validation and output, ICMPv6 (echo, Packet Too Big, errors counted); ND and
 * DAD are in nd.h.
 */
#ifndef TERN_NET_IPV6_H
#define TERN_NET_IPV6_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "wire/eth.h"
#include "wire/ipv6.h"

struct tern_engine;

/** Headroom an L4 packet needs for the IPv6 and Ethernet headers. */
#define TERN_L2L3_HLEN6 (14 + 40)

/** Hop limit of the packets we originate (ND's own are 255). */
#define TERN_IP6_HOP_LIMIT 64

/**
 * Entry point for a received IPv6 frame (ethertype 0x86DD, the Ethernet destination
 * already checked by eth_input: ours, or one of our multicast groups). Consumes @p m.
 */
void ipv6_input(struct tern_engine *e, struct rte_mbuf *m);

/**
 * Send an upper-layer packet from @p src to @p dst: @p m's data starts at the upper-layer
 * header, with headroom for the IPv6 and Ethernet headers; its checksum must be final.
 * The next hop is resolved by ND (held while it is). Consumes @p m.
 */
void ipv6_output(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, uint8_t proto);

/**
 * As ipv6_output(), but to Ethernet address @p dmac without consulting the neighbour
 * cache: an answer to a frame that came from @p dmac (a SYN-ACK to the SYN's sender, a RST
 * to a segment that matched nothing), so that a flood from spoofed addresses neither fills
 * the cache nor makes us solicit them.
 */
void ipv6_reply(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, uint8_t proto, const struct wire_mac *dmac);

#endif
