/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 header (RFC 791):
 *   ver/ihl(1) tos(1) total_len(2) id(2) flags/frag(2) ttl(1) proto(1) csum(2)
 *   src(4) dst(4) [options]
 */
#include "csum.h"
#include "ipv4.h"
#include "bytes.h"

enum wire_err
wire_ipv4_parse(const void *buf, size_t len, struct wire_ipv4_repr *r, bool verify_csum)
{
	const uint8_t *p = buf;
	size_t hlen, tlen;

	if (len < WIRE_IPV4_HLEN)
		return WIRE_ETRUNC;
	if ((p[0] >> 4) != 4)
		return WIRE_EVERSION;
	hlen = (size_t)(p[0] & 0x0f) * 4;
	if (hlen < WIRE_IPV4_HLEN || hlen > len)
		return WIRE_EBADHLEN;
	tlen = ld16(p + 2);
	/* Bytes past total_len are link-layer padding (short frames): allowed. */
	if (tlen < hlen || tlen > len)
		return WIRE_EBADLEN;
	if (verify_csum &&
	        (hlen == WIRE_IPV4_HLEN ? wire_csum_ip4hdr(p)
	                                : wire_csum_fold(wire_csum_add(0, p, hlen))) != 0)
		return WIRE_ECSUM;

	r->hdr_len = (uint8_t)hlen;
	r->tos = p[1];
	r->total_len = (uint16_t)tlen;
	r->id = ld16(p + 4);
	r->frag = ld16(p + 6);
	r->ttl = p[8];
	r->proto = p[9];
	r->src = ld32(p + 12);
	r->dst = ld32(p + 16);
	return WIRE_OK;
}

bool
wire_ipv4_is_fragment(const struct wire_ipv4_repr *r)
{
	return (r->frag & (WIRE_IPV4_MF | WIRE_IPV4_OFFMASK)) != 0;
}

void
wire_ipv4_emit(void *buf, const struct wire_ipv4_repr *r, bool fill_csum)
{
	/* version 4, IHL 5 */
	wire_ipv4_put_words(buf, 0x45000000u | (uint32_t)r->tos << 16 | r->total_len,
	        (uint32_t)r->id << 16 | r->frag, (uint32_t)r->ttl << 24 | (uint32_t)r->proto << 16,
	        r->src, r->dst, fill_csum);
}

bool
wire_ipv4_tcp_tuple(const uint8_t *p, uint32_t len, struct wire_tcp4_tuple *t)
{
	uint32_t ihl;

	if (len < WIRE_IPV4_HLEN)
		return false;
	ihl = (p[0] & 0xfu) * 4u;
	if ((p[0] >> 4) != 4 || ihl < WIRE_IPV4_HLEN || p[9] != WIRE_IPPROTO_TCP ||
	        (ld16(p + 6) & 0x1fff) != 0 || len < ihl + 4)
		return false;
	t->src = ld32(p + 12);
	t->dst = ld32(p + 16);
	t->sport = ld16(p + ihl);
	t->dport = ld16(p + ihl + 2);
	return true;
}
