/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ARP for Ethernet / IPv4 (RFC 826).
 */
#ifndef TERN_WIRE_ARP_H
#define TERN_WIRE_ARP_H

#include "eth.h"

#define WIRE_ARP_LEN        28
#define WIRE_ARP_OP_REQUEST 1
#define WIRE_ARP_OP_REPLY   2

/** Parsed ARP packet, host order. */
struct wire_arp_repr {
	uint16_t op;
	struct wire_mac sha; /**< sender hardware address */
	uint32_t spa;        /**< sender protocol address */
	struct wire_mac tha; /**< target hardware address */
	uint32_t tpa;        /**< target protocol address */
};

/**
 * Parse an ARP packet (the bytes after the Ethernet header).
 * @return WIRE_OK; WIRE_ETRUNC when @p len < 28; WIRE_EUNSUP when htype != 1, ptype != 0x0800,
 *         hlen != 6, plen != 4, or op is neither request nor reply.
 */
enum wire_err wire_arp_parse(const void *buf, size_t len, struct wire_arp_repr *r);

/** Write the 28-byte ARP packet of @p r at @p buf. */
void wire_arp_emit(void *buf, const struct wire_arp_repr *r);

#endif
