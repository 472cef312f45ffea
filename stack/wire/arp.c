/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP packet for Ethernet/IPv4 (RFC 826), 28 bytes:
 *   htype(2) ptype(2) hlen(1) plen(1) op(2) sha(6) spa(4) tha(6) tpa(4)
 */
#include <string.h>

#include "arp.h"
#include "bytes.h"

#define ARP_HTYPE_ETHER 1

enum wire_err
wire_arp_parse(const void *buf, size_t len, struct wire_arp_repr *r)
{
	const uint8_t *p = buf;
	uint16_t op;

	if (len < WIRE_ARP_LEN)
		return WIRE_ETRUNC;
	if (ld16(p) != ARP_HTYPE_ETHER || ld16(p + 2) != WIRE_ETHERTYPE_IPV4 ||
	        p[4] != WIRE_ETH_ALEN || p[5] != 4)
		return WIRE_EUNSUP;
	op = ld16(p + 6);
	if (op != WIRE_ARP_OP_REQUEST && op != WIRE_ARP_OP_REPLY)
		return WIRE_EUNSUP;
	r->op = op;
	memcpy(r->sha.b, p + 8, WIRE_ETH_ALEN);
	r->spa = ld32(p + 14);
	memcpy(r->tha.b, p + 18, WIRE_ETH_ALEN);
	r->tpa = ld32(p + 24);
	return WIRE_OK;
}

void
wire_arp_emit(void *buf, const struct wire_arp_repr *r)
{
	uint8_t *p = buf;

	st16(p, ARP_HTYPE_ETHER);
	st16(p + 2, WIRE_ETHERTYPE_IPV4);
	p[4] = WIRE_ETH_ALEN;
	p[5] = 4;
	st16(p + 6, r->op);
	memcpy(p + 8, r->sha.b, WIRE_ETH_ALEN);
	st32(p + 14, r->spa);
	memcpy(p + 18, r->tha.b, WIRE_ETH_ALEN);
	st32(p + 24, r->tpa);
}
