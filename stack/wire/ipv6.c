/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 (RFC 8200):
 *   ver(4) tclass(8) flow(20) | payload_len(2) next_hdr(1) hop_limit(1) | src(16) dst(16)
 * Extension headers other than Fragment: next_hdr(1) hdr_ext_len(1, in 8-octet units not
 * counting the first 8) then data; Hop-by-Hop and Destination Options carry TLV options
 * (type(1) len(1) data), Pad1 being the one option of a single byte. Fragment: next_hdr(1)
 * reserved(1) offset(13 bits) res(2 bits) M(1 bit) identification(4), 8 bytes.
 */
#include "ipv6.h"
#include "bytes.h"

#define OPT_PAD1 0
#define OPT_PADN 1

enum wire_err
wire_ipv6_parse(const void *buf, size_t len, struct wire_ipv6_repr *r)
{
	const uint8_t *p = buf;
	uint32_t w0;

	if (len < WIRE_IPV6_HLEN)
		return WIRE_ETRUNC;
	w0 = ld32(p);
	if ((w0 >> 28) != 6)
		return WIRE_EVERSION;
	r->payload_len = ld16(p + 4);
	if ((size_t)WIRE_IPV6_HLEN + r->payload_len > len)
		return WIRE_EBADLEN;
	r->tclass = (uint8_t)(w0 >> 20);
	r->flow = w0 & 0xfffffu;
	r->next_hdr = p[6];
	r->hop_limit = p[7];
	memcpy(r->src.b, p + 8, 16);
	memcpy(r->dst.b, p + 24, 16);
	return WIRE_OK;
}

void
wire_ipv6_emit(void *buf, const struct wire_ipv6_repr *r)
{
	uint8_t *p = buf;

	st32(p, 6u << 28 | (uint32_t)r->tclass << 20 | (r->flow & 0xfffffu));
	st16(p + 4, r->payload_len);
	p[6] = r->next_hdr;
	p[7] = r->hop_limit;
	memcpy(p + 8, r->src.b, 16);
	memcpy(p + 24, r->dst.b, 16);
}

/*
 * The TLV options of a Hop-by-Hop or Destination Options header of @p hlen bytes at @p h
 * (RFC 8200 §4.2). The two high bits of an unknown option's type say what to do: 00 skip
 * it, anything else discard the packet (the ICMP error 10 and 11 ask for is not sent).
 */
static enum wire_ext_err
ext_options(const uint8_t *h, size_t hlen, size_t base, uint16_t *err_off)
{
	size_t i = 2;

	while (i < hlen) {
		uint8_t type = h[i];

		if (type == OPT_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > hlen || i + 2 + h[i + 1] > hlen) {
			*err_off = (uint16_t)(base + i);
			return WIRE_EXT_OPT_LEN;
		}
		if (type != OPT_PADN && (type >> 6) != 0) {
			*err_off = (uint16_t)(base + i);
			return WIRE_EXT_OPT;
		}
		i += 2u + h[i + 1];
	}
	return WIRE_EXT_OK;
}

enum wire_ext_err
wire_ipv6_ext_walk(const uint8_t *payload, size_t len, uint8_t next_hdr, struct wire_ipv6_ext *x)
{
	size_t off = 0, hlen;
	enum wire_ext_err err;
	const uint8_t *h;

	x->nexts = 0;
	x->atomic_frag = false;
	x->err_off = 0;
	for (;;) {
		switch (next_hdr) {
		case WIRE_IPPROTO_HOPOPTS:
		case WIRE_IPPROTO_DSTOPTS:
		case WIRE_IPPROTO_ROUTING:
		case WIRE_IPPROTO_FRAGMENT:
			break;
		case WIRE_IPPROTO_NONE:
			x->err_off = (uint16_t)off;
			return WIRE_EXT_NONE;
		default:
			x->l4_off = (uint16_t)off;
			x->proto = next_hdr;
			return WIRE_EXT_OK;
		}
		x->err_off = (uint16_t)off;
		if (x->nexts == WIRE_IPV6_EXT_MAX)
			return WIRE_EXT_CHAIN;
		if (next_hdr == WIRE_IPPROTO_HOPOPTS && off != 0)
			return WIRE_EXT_HBH_ORDER;
		if (len - off < 8) /* every extension header is at least 8 bytes */
			return WIRE_EXT_TRUNC;
		h = payload + off;
		hlen = next_hdr == WIRE_IPPROTO_FRAGMENT ? 8 : ((size_t)h[1] + 1) * 8;
		if (hlen > len - off)
			return WIRE_EXT_TRUNC;
		switch (next_hdr) {
		case WIRE_IPPROTO_HOPOPTS:
		case WIRE_IPPROTO_DSTOPTS:
			err = ext_options(h, hlen, off, &x->err_off);
			if (err != WIRE_EXT_OK)
				return err;
			break;
		case WIRE_IPPROTO_ROUTING:
			/* type(1) segments_left(1): we are the final destination only if none is
			 * left; otherwise we would have to forward, and we know no type. */
			if (h[3] != 0) {
				x->err_off = (uint16_t)(off + 2); /* Routing Type (§4.4) */
				return WIRE_EXT_ROUTING;
			}
			break;
		case WIRE_IPPROTO_FRAGMENT:
			/* Offset 0 and M clear: an atomic fragment, the whole packet (RFC 6946). */
			if ((ld16(h + 2) & 0xfff9u) != 0)
				return WIRE_EXT_FRAG;
			x->atomic_frag = true;
			break;
		}
		next_hdr = h[0];
		off += hlen;
		x->nexts++;
	}
}

const char *
wire_ext_strerror(enum wire_ext_err e)
{
	static const char *const names[WIRE_EXT_MAX] = {
	        [WIRE_EXT_OK] = "ok",
	        [WIRE_EXT_TRUNC] = "truncated",
	        [WIRE_EXT_CHAIN] = "chain-too-long",
	        [WIRE_EXT_HBH_ORDER] = "hop-by-hop-not-first",
	        [WIRE_EXT_OPT] = "unknown-option",
	        [WIRE_EXT_OPT_LEN] = "option-length",
	        [WIRE_EXT_ROUTING] = "routing-segments-left",
	        [WIRE_EXT_FRAG] = "fragment",
	        [WIRE_EXT_NONE] = "no-next-header",
	};

	return (unsigned)e < WIRE_EXT_MAX ? names[e] : "unknown";
}

bool
wire_ip6_is_loopback(const struct wire_ip6 *a)
{
	static const struct wire_ip6 lo = {{[15] = 1}};

	return wire_ip6_eq(a, &lo);
}

bool
wire_ip6_prefix_eq(const struct wire_ip6 *a, const struct wire_ip6 *b, unsigned plen)
{
	unsigned n = plen / 8, rest = plen % 8;

	if (plen > 128)
		return false;
	if (memcmp(a->b, b->b, n) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a->b[n] ^ b->b[n]) & (uint8_t)(0xff00u >> rest)) == 0;
}

void
wire_ip6_solicited_node(const struct wire_ip6 *a, struct wire_ip6 *out)
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	memcpy(out->b, pfx, sizeof(pfx));
	memcpy(out->b + 13, a->b + 13, 3);
}

void
wire_ip6_all_nodes(struct wire_ip6 *out)
{
	memset(out, 0, sizeof(*out));
	out->b[0] = 0xff;
	out->b[1] = 0x02;
	out->b[15] = 0x01;
}

void
wire_ip6_mcast_mac(const struct wire_ip6 *a, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, a->b + 12, 4);
}

void
wire_ip6_linklocal_from_mac(const uint8_t mac[6], struct wire_ip6 *out)
{
	memset(out, 0, sizeof(*out));
	out->b[0] = 0xfe;
	out->b[1] = 0x80;
	out->b[8] = mac[0] ^ 0x02;
	out->b[9] = mac[1];
	out->b[10] = mac[2];
	out->b[11] = 0xff;
	out->b[12] = 0xfe;
	out->b[13] = mac[3];
	out->b[14] = mac[4];
	out->b[15] = mac[5];
}
