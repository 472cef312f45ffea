/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792): type(1) code(1) csum(2) then, for echo, id(2) seq(2), then data.
 * The checksum covers the whole message.
 */
#include "csum.h"
#include "icmp.h"
#include "bytes.h"

#define ICMP_CSUM_OFF 2

enum wire_err
wire_icmp_parse(const void *buf, size_t len, struct wire_icmp_repr *r, bool verify_csum)
{
	const uint8_t *p = buf;

	if (len < WIRE_ICMP_HLEN)
		return WIRE_ETRUNC;
	if (verify_csum && wire_csum_fold(wire_csum_add(0, p, len)) != 0)
		return WIRE_ECSUM;
	r->type = p[0];
	r->code = p[1];
	r->id = ld16(p + 4);
	r->seq = ld16(p + 6);
	return WIRE_OK;
}

void
wire_icmp_emit(void *buf, const struct wire_icmp_repr *r, size_t data_len)
{
	uint8_t *p = buf;

	p[0] = r->type;
	p[1] = r->code;
	st16(p + ICMP_CSUM_OFF, 0);
	st16(p + 4, r->id);
	st16(p + 6, r->seq);
	st16(p + ICMP_CSUM_OFF, wire_csum_fold(wire_csum_add(0, p, WIRE_ICMP_HLEN + data_len)));
}
