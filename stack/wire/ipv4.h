/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IPv4 header (RFC 791).
 */
#ifndef TERN_WIRE_IPV4_H
#define TERN_WIRE_IPV4_H

#include <stdbool.h>
#include <stdint.h>

#include "csum.h"
#include "wire.h"

#define WIRE_IPV4_HLEN    20 /**< header without options */
#define WIRE_IPPROTO_ICMP 1
#define WIRE_IPPROTO_TCP  6
#define WIRE_IPPROTO_UDP  17
#define WIRE_IPV4_DF      0x4000
#define WIRE_IPV4_MF      0x2000
#define WIRE_IPV4_OFFMASK 0x1fff

/** Parsed IPv4 header, host order. */
struct wire_ipv4_repr {
	uint32_t src;
	uint32_t dst;
	uint16_t total_len; /**< header + payload, from the header */
	uint16_t id;
	uint16_t frag;   /**< flags and fragment offset, raw */
	uint8_t hdr_len; /**< IHL * 4 */
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
};

/**
 * Parse and validate an IPv4 header.
 * Checks, in order: len >= 20 (WIRE_ETRUNC); version == 4 (WIRE_EVERSION);
 * IHL >= 5 and IHL*4 <= len (WIRE_EBADHLEN); total_len >= IHL*4 and total_len <= len
 * (WIRE_EBADLEN; bytes past total_len are link padding and allowed); when @p verify_csum,
 * the header checksum (WIRE_ECSUM).
 */
enum wire_err wire_ipv4_parse(
        const void *buf, size_t len, struct wire_ipv4_repr *r, bool verify_csum);

/** True if the packet is a fragment (MF set or offset != 0). */
bool wire_ipv4_is_fragment(const struct wire_ipv4_repr *r);

/**
 * Write a 20-byte header (no options; hdr_len is ignored and taken as 20) at @p buf.
 * When @p fill_csum, the header checksum is computed; otherwise it is written as 0
 * (for hardware offload).
 */
void wire_ipv4_emit(void *buf, const struct wire_ipv4_repr *r, bool fill_csum);

/* @p v big-endian at @p p, in one 4-byte store (any alignment). */
static inline void
wire_ipv4_put32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	__builtin_memcpy(p, &v, sizeof(v));
}

/**
 * Store a 20-byte header given as its five 32-bit words in host order (@p w2 with the
 * checksum field 0) at @p buf, big-endian; when @p fill_csum the checksum is summed from
 * the words first (wire_csum_ip4words()), so nothing is read back: a wide read of the
 * narrower stores could not be forwarded from them and would wait until they reached the
 * cache. wire_ipv4_emit() and the TCP fast path write their headers through it.
 */
static inline void
wire_ipv4_put_words(void *buf, uint32_t w0, uint32_t w1, uint32_t w2, uint32_t src, uint32_t dst,
        bool fill_csum)
{
	uint8_t *p = buf;

	if (fill_csum)
		w2 |= wire_csum_ip4words(w0, w1, w2, src, dst);
	wire_ipv4_put32(p, w0);
	wire_ipv4_put32(p + 4, w1);
	wire_ipv4_put32(p + 8, w2);
	wire_ipv4_put32(p + 12, src);
	wire_ipv4_put32(p + 16, dst);
}

/** The ports and addresses of a TCP segment, host order, as its receiver sees them. */
struct wire_tcp4_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
};

/**
 * Read the 4-tuple of the IPv4 packet at @p p (@p len bytes) if it is TCP, unfragmented
 * or a first fragment, with room for the ports; nothing else is checked (steering reads
 * this before validation, which is the receiving engine's).
 * @return true and *@p t filled in, or false.
 */
bool wire_ipv4_tcp_tuple(const uint8_t *p, uint32_t len, struct wire_tcp4_tuple *t);

#endif
