/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "eth.h"

enum wire_err
wire_eth_parse(const void *buf, size_t len, struct wire_eth_repr *r)
{
	const uint8_t *p = buf;

	if (len < WIRE_ETH_HLEN)
		return WIRE_ETRUNC;
	memcpy(r->dst.b, p, WIRE_ETH_ALEN);
	memcpy(r->src.b, p + 6, WIRE_ETH_ALEN);
	r->type = (uint16_t)(p[12] << 8 | p[13]);
	return WIRE_OK;
}

void
wire_eth_emit(void *buf, const struct wire_eth_repr *r)
{
	uint8_t *p = buf;

	memcpy(p, r->dst.b, WIRE_ETH_ALEN);
	memcpy(p + 6, r->src.b, WIRE_ETH_ALEN);
	p[12] = (uint8_t)(r->type >> 8);
	p[13] = (uint8_t)r->type;
}

bool
wire_mac_is_broadcast(const struct wire_mac *m)
{
	return (m->b[0] & m->b[1] & m->b[2] & m->b[3] & m->b[4] & m->b[5]) == 0xff;
}

bool
wire_mac_is_multicast(const struct wire_mac *m)
{
	return (m->b[0] & 0x01) != 0;
}

bool
wire_mac_eq(const struct wire_mac *a, const struct wire_mac *b)
{
	return memcmp(a->b, b->b, WIRE_ETH_ALEN) == 0;
}
