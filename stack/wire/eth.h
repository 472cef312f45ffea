/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet II header.
 */
#ifndef TERN_WIRE_ETH_H
#define TERN_WIRE_ETH_H

#include "wire.h"

#define WIRE_ETH_HLEN       14
#define WIRE_ETH_ALEN       6
#define WIRE_ETHERTYPE_IPV4 0x0800
#define WIRE_ETHERTYPE_ARP  0x0806

/** A MAC address. */
struct wire_mac {
	uint8_t b[WIRE_ETH_ALEN];
};

/** Parsed Ethernet header, host order. */
struct wire_eth_repr {
	struct wire_mac dst;
	struct wire_mac src;
	uint16_t type; /**< ethertype, host order */
};

/**
 * Parse an Ethernet II header.
 * @return WIRE_OK, or WIRE_ETRUNC when @p len < WIRE_ETH_HLEN.
 */
enum wire_err wire_eth_parse(const void *buf, size_t len, struct wire_eth_repr *r);

/** Write the 14-byte header of @p r at @p buf. */
void wire_eth_emit(void *buf, const struct wire_eth_repr *r);

/** True for ff:ff:ff:ff:ff:ff. */
bool wire_mac_is_broadcast(const struct wire_mac *m);
/** True when the group bit (multicast or broadcast) is set. */
bool wire_mac_is_multicast(const struct wire_mac *m);
/** True when both addresses are equal. */
bool wire_mac_eq(const struct wire_mac *a, const struct wire_mac *b);

#endif
