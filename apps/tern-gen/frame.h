/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern-gen's raw frames, written whole into a buffer: a TCP segment over IPv4 or IPv6
 * from a spoofed source (the attack streams), and the Neighbour Advertisement that
 * --proxy-arp sends for an IPv6 attack source. Pure functions, no mbufs: unit-tested
 * against the stack's parsers (tests/unit/test_gen_frame.c).
 */
#ifndef TERN_GEN_FRAME_H
#define TERN_GEN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Ethernet + IPv6 + TCP with 40 bytes of options: the longest frame written. */
#define GEN_FRAME_MAX (14 + 40 + 60)
/** Ethernet + IPv6 + NA with a target link-layer address option. */
#define GEN_NA_LEN    (14 + 40 + 32)

/** What one TCP frame carries. Addresses: IPv4 host order, IPv6 network order. */
struct gen_seg {
	bool v6;
	uint32_t src, dst;
	uint8_t src6[16], dst6[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint8_t ttl; /**< IPv4 TTL, or IPv6 hop limit */
	const uint8_t *opt;
	uint8_t optlen; /**< a multiple of 4, at most 40 */
};

/**
 * Write @p s as an Ethernet frame from @p smac to @p dmac: IPv4 (random ID, DF) or IPv6
 * (no flow label, no extension header), TCP, checksums final.
 * @return the frame's length, or 0 when @p room is too small or the options are bad.
 */
size_t gen_frame_tcp(void *buf, size_t room, const uint8_t dmac[6], const uint8_t smac[6],
        const struct gen_seg *s);

/**
 * A Neighbour Advertisement (RFC 4861 §4.4, solicited and override) saying that
 * @p target is at @p mac, in answer to a Neighbour Solicitation from @p ns_src (IPv6,
 * network order) at Ethernet @p ns_mac; an unspecified @p ns_src (DAD) gets it on
 * all-nodes, not solicited (§7.2.4). Hop limit 255, checksum final.
 * @return GEN_NA_LEN, or 0 when @p room is too small.
 */
size_t gen_frame_na(void *buf, size_t room, const uint8_t mac[6], const uint8_t target[16],
        const uint8_t ns_mac[6], const uint8_t ns_src[16]);

#endif
