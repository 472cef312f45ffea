/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ICMPv6 (RFC 4443) and the Neighbour Discovery messages tern uses (RFC 4861 §4.3, §4.4):
 * parse with the pseudo-header checksum, emit echo replies, Neighbour Solicitations and
 * Neighbour Advertisements.
 */
#ifndef TERN_WIRE_ICMP6_H
#define TERN_WIRE_ICMP6_H

#include "eth.h"
#include "ipv6.h"

#define WIRE_ICMP6_HLEN 8 /**< type, code, checksum and the 4-byte type-specific word */

#define WIRE_ICMP6_DEST_UNREACH 1
#define WIRE_ICMP6_PKT_TOO_BIG  2
#define WIRE_ICMP6_TIME_EXCEED  3
#define WIRE_ICMP6_PARAM_PROB   4
#define WIRE_ICMP6_ECHO_REQUEST 128
#define WIRE_ICMP6_ECHO_REPLY   129
#define WIRE_ICMP6_ROUTER_SOL   133
#define WIRE_ICMP6_ROUTER_ADV   134
#define WIRE_ICMP6_NEIGH_SOL    135
#define WIRE_ICMP6_NEIGH_ADV    136
#define WIRE_ICMP6_REDIRECT     137

#define WIRE_ND_HOP_LIMIT   255 /**< ND messages are sent, and must arrive, with 255 */
#define WIRE_ND_LEN         24  /**< NS / NA without options: header + reserved/flags + target */
#define WIRE_ND_OPT_SLLA    1   /**< source link-layer address option */
#define WIRE_ND_OPT_TLLA    2   /**< target link-layer address option */
#define WIRE_ND_OPT_LLA_LEN 8   /**< an Ethernet link-layer address option */

#define WIRE_NA_ROUTER    0x80 /**< NA flags (first byte of the reserved word) */
#define WIRE_NA_SOLICITED 0x40
#define WIRE_NA_OVERRIDE  0x20

/** Parsed ICMPv6 message header, host order. */
struct wire_icmp6_repr {
	uint8_t type;
	uint8_t code;
	uint16_t id;  /**< echo */
	uint16_t seq; /**< echo */
	uint32_t mtu; /**< Packet Too Big; the whole 4-byte word for other types */
};

/**
 * Parse an ICMPv6 message of @p len bytes sent from @p src to @p dst.
 * @return WIRE_OK, WIRE_ETRUNC (len < 8) or, when @p verify_csum, WIRE_ECSUM (the checksum
 *         covers the pseudo header and all @p len bytes).
 */
enum wire_err wire_icmp6_parse(const void *buf, size_t len, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, struct wire_icmp6_repr *r, bool verify_csum);

/**
 * Write the 8-byte header of @p r at @p buf (the 4-byte word from id/seq for echo, from mtu
 * otherwise) and compute the checksum over the pseudo header and the @p len bytes of the
 * message (header included) already in the buffer.
 */
void wire_icmp6_emit(void *buf, const struct wire_icmp6_repr *r, size_t len,
        const struct wire_ip6 *src, const struct wire_ip6 *dst);

/** Parsed Neighbour Solicitation or Advertisement. */
struct wire_nd_repr {
	struct wire_ip6 target;
	uint8_t flags;       /**< NA: WIRE_NA_* */
	bool has_lla;        /**< an SLLA (NS) or TLLA (NA) option was present */
	struct wire_mac lla; /**< its address */
};

/**
 * Parse the body of an NS or NA (@p type) of @p len bytes, ICMPv6 header included, whose
 * header wire_icmp6_parse() took. Checks (RFC 4861 §7.1.1, §7.1.2): len >= 24
 * (WIRE_ETRUNC); each option's length non-zero and inside the message (WIRE_EBADOPT); the
 * target not multicast (WIRE_EUNSUP). A link-layer address option of the other kind is
 * ignored, one of another length than Ethernet's is ignored.
 */
enum wire_err wire_nd_parse(const void *buf, size_t len, uint8_t type, struct wire_nd_repr *r);

/**
 * Write an NS (@p type WIRE_ICMP6_NEIGH_SOL) or NA (WIRE_ICMP6_NEIGH_ADV, flags from
 * @p r) at @p buf, with a link-layer address option when r->has_lla, checksum computed
 * for @p src -> @p dst. @return its length (24 or 32 bytes).
 */
size_t wire_nd_emit(void *buf, uint8_t type, const struct wire_nd_repr *r,
        const struct wire_ip6 *src, const struct wire_ip6 *dst);

#endif
