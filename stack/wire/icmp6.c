/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 (RFC 4443 §2.1): type(1) code(1) csum(2) word(4) then the body; the checksum covers
 * the IPv6 pseudo header (RFC 8200 §8.1) and the whole message.
 * NS / NA (RFC 4861 §4.3, §4.4): the word is reserved (NA: R S O flags in its first byte),
 * then target(16), then options: type(1) len(1, 8-octet units) data.
 */
#include "bytes.h"
#include "csum.h"
#include "icmp6.h"

#define ICMP6_CSUM_OFF 2

enum wire_err
wire_icmp6_parse(const void *buf, size_t len, const struct wire_ip6 *src,
        const struct wire_ip6 *dst, struct wire_icmp6_repr *r, bool verify_csum)
{
	const uint8_t *p = buf;

	if (len < WIRE_ICMP6_HLEN)
		return WIRE_ETRUNC;
	if (verify_csum && wire_csum_fold(wire_csum_add(
	                           wire_csum_pseudo6(src, dst, WIRE_IPPROTO_ICMPV6, (uint32_t)len),
	                           p, len)) != 0)
		return WIRE_ECSUM;
	r->type = p[0];
	r->code = p[1];
	r->id = ld16(p + 4);
	r->seq = ld16(p + 6);
	r->mtu = ld32(p + 4);
	return WIRE_OK;
}

void
wire_icmp6_emit(void *buf, const struct wire_icmp6_repr *r, size_t len, const struct wire_ip6 *src,
        const struct wire_ip6 *dst)
{
	uint8_t *p = buf;

	p[0] = r->type;
	p[1] = r->code;
	st16(p + ICMP6_CSUM_OFF, 0);
	if (r->type == WIRE_ICMP6_ECHO_REQUEST || r->type == WIRE_ICMP6_ECHO_REPLY) {
		st16(p + 4, r->id);
		st16(p + 6, r->seq);
	} else {
		st32(p + 4, r->mtu);
	}
	st16(p + ICMP6_CSUM_OFF,
	        wire_csum_fold(wire_csum_add(
	                wire_csum_pseudo6(src, dst, WIRE_IPPROTO_ICMPV6, (uint32_t)len), p, len)));
}

enum wire_err
wire_nd_parse(const void *buf, size_t len, uint8_t type, struct wire_nd_repr *r)
{
	const uint8_t *p = buf;
	uint8_t want = type == WIRE_ICMP6_NEIGH_SOL ? WIRE_ND_OPT_SLLA : WIRE_ND_OPT_TLLA;
	size_t off, olen;

	if (len < WIRE_ND_LEN)
		return WIRE_ETRUNC;
	r->flags = type == WIRE_ICMP6_NEIGH_ADV ? p[4] & 0xe0 : 0;
	memcpy(r->target.b, p + 8, 16);
	r->has_lla = false;
	for (off = WIRE_ND_LEN; off < len; off += olen) {
		if (len - off < 2 || p[off + 1] == 0)
			return WIRE_EBADOPT;
		olen = (size_t)p[off + 1] * 8;
		if (olen > len - off)
			return WIRE_EBADOPT;
		if (p[off] == want && olen == WIRE_ND_OPT_LLA_LEN) {
			r->has_lla = true;
			memcpy(r->lla.b, p + off + 2, WIRE_ETH_ALEN);
		}
	}
	if (wire_ip6_is_multicast(&r->target))
		return WIRE_EUNSUP;
	return WIRE_OK;
}

size_t
wire_nd_emit(void *buf, uint8_t type, const struct wire_nd_repr *r, const struct wire_ip6 *src,
        const struct wire_ip6 *dst)
{
	struct wire_icmp6_repr h = {.type = type};
	uint8_t *p = buf;
	size_t len = WIRE_ND_LEN;

	memset(p + 4, 0, 4);
	memcpy(p + 8, r->target.b, 16);
	if (r->has_lla) {
		p[len] = type == WIRE_ICMP6_NEIGH_SOL ? WIRE_ND_OPT_SLLA : WIRE_ND_OPT_TLLA;
		p[len + 1] = 1;
		memcpy(p + len + 2, r->lla.b, WIRE_ETH_ALEN);
		len += WIRE_ND_OPT_LLA_LEN;
	}
	if (type == WIRE_ICMP6_NEIGH_ADV)
		h.mtu = (uint32_t)r->flags << 24;
	wire_icmp6_emit(p, &h, len, src, dst);
	return len;
}
