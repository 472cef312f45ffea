/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internet checksum (RFC 1071) helpers.
 */
#ifndef TERN_WIRE_CSUM_H
#define TERN_WIRE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/**
 * Add @p len bytes at @p buf to the running 32-bit one's complement sum @p sum.
 * Bytes are summed as big-endian 16-bit words; an odd trailing byte is padded with zero.
 * @return the new (unfolded) sum.
 */
uint32_t wire_csum_add(uint32_t sum, const void *buf, size_t len);

/**
 * wire_csum_add() for a piece that starts @p at bytes into the summed data (pieces of one
 * segment summed apart, e.g. an mbuf chain): an odd @p at swaps the piece's bytes.
 */
uint32_t wire_csum_add_at(uint32_t sum, const void *buf, size_t len, size_t at);

/** Fold a 32-bit sum to 16 bits and complement it. @return checksum in host order. */
static inline uint16_t
wire_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/** A 64-bit one's complement sum folded to 16 bits (not complemented, byte order as
 *  summed). */
static inline uint32_t
wire_csum_fold16(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint32_t)s;
}

/** A sum of native-order 32-bit words (below 2^64) folded to 16 bits, in network byte
 *  order's value (the ones' complement sum of the words as big-endian 16-bit words). */
static inline uint16_t
wire_csum_fold64(uint64_t s)
{
	uint32_t f = wire_csum_fold16(s);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = ((f & 0xffu) << 8) | (f >> 8);
#endif
	return (uint16_t)f;
}

/**
 * wire_csum_fold(wire_csum_add(0, @p buf, 20)), inline: an IPv4 header without options,
 * summed as five native-order 32-bit words (no carry out of 64 bits; byte order does not
 * matter to the one's complement sum, RFC 1071 §2(B): the folded sum is swapped back).
 * @return checksum in host order (0 when a received header's checksum is right).
 */
static inline uint16_t
wire_csum_ip4hdr(const void *buf)
{
	const uint8_t *p = buf;
	uint32_t w[5];
	uint64_t s;

	__builtin_memcpy(w, p, sizeof(w));
	s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	return (uint16_t)~wire_csum_fold64(s);
}

/**
 * The checksum of a 20-byte IPv4 header (no options) from its five 32-bit words as host
 * order values (checksum field 0), before they are stored: what wire_csum_ip4hdr() reads
 * back from memory. Built from registers, it does not wait for the header's stores
 * (a wide load over several narrower stores cannot be forwarded from them and waits until
 * they reach the cache, which for a fresh frame can be a miss).
 * @return checksum in host order
 */
static inline uint16_t
wire_csum_ip4words(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3, uint32_t w4)
{
	return (uint16_t)~wire_csum_fold16((uint64_t)w0 + w1 + w2 + w3 + w4);
}

/** Longest buffer wire_csum_add_hdr() takes: a TCP header with all its options. */
#define WIRE_CSUM_HDR_MAX 60

/* The native-order 32-bit word @p i of @p p (any alignment). */
static inline uint32_t
wire_csum_word(const uint8_t *p, unsigned i)
{
	uint32_t w;

	__builtin_memcpy(&w, p + 4 * i, sizeof(w));
	return w;
}

/**
 * wire_csum_add(@p sum, @p buf, @p len), inline, for a header: @p len a multiple of 4 and at
 * most WIRE_CSUM_HDR_MAX (a TCP header, a segment without payload). Native-order 32-bit
 * words summed in 64 bits (15 of them cannot carry out), entered by the word count as a
 * switch (a load and an add a word, no loop), folded and swapped as wire_csum_ip4hdr()
 * does: no call, no carry counting, no tail, where the general loop pays its set-up and
 * fold for a few words.
 * @return the new (unfolded) sum, the same value wire_csum_add() returns.
 */
static inline uint32_t
wire_csum_add_hdr(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s = 0;

	switch (len >> 2) {
	case 15:
		s += wire_csum_word(p, 14);
		__attribute__((fallthrough));
	case 14:
		s += wire_csum_word(p, 13);
		__attribute__((fallthrough));
	case 13:
		s += wire_csum_word(p, 12);
		__attribute__((fallthrough));
	case 12:
		s += wire_csum_word(p, 11);
		__attribute__((fallthrough));
	case 11:
		s += wire_csum_word(p, 10);
		__attribute__((fallthrough));
	case 10:
		s += wire_csum_word(p, 9);
		__attribute__((fallthrough));
	case 9:
		s += wire_csum_word(p, 8);
		__attribute__((fallthrough));
	case 8:
		s += wire_csum_word(p, 7);
		__attribute__((fallthrough));
	case 7:
		s += wire_csum_word(p, 6);
		__attribute__((fallthrough));
	case 6:
		s += wire_csum_word(p, 5);
		__attribute__((fallthrough));
	case 5:
		s += wire_csum_word(p, 4);
		__attribute__((fallthrough));
	case 4:
		s += wire_csum_word(p, 3);
		__attribute__((fallthrough));
	case 3:
		s += wire_csum_word(p, 2);
		__attribute__((fallthrough));
	case 2:
		s += wire_csum_word(p, 1);
		__attribute__((fallthrough));
	case 1:
		s += wire_csum_word(p, 0);
		__attribute__((fallthrough));
	default:
		break;
	}
	s = wire_csum_fold64(s);
	s += sum;
	return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

/**
 * Sum of the IPv4 pseudo header (RFC 9293 §3.1) for an L4 segment.
 * @param src, dst addresses in host order
 * @param proto IP protocol number
 * @param l4len length of the L4 header + payload
 * @return unfolded sum, to be continued with wire_csum_add() over the segment.
 */
static inline uint32_t
wire_csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4len)
{
	/* Source, destination, zero + protocol, L4 length: six 16-bit words. */
	return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto + l4len;
}

struct wire_ip6;

/**
 * Sum of the IPv6 pseudo header (RFC 8200 §8.1) for an upper-layer packet: source,
 * destination (the final destination), 32-bit upper-layer length, 24 zero bits, Next Header.
 * @param src, dst addresses (network order, as on the wire)
 * @param proto upper-layer protocol (6 for TCP, 58 for ICMPv6), not an extension header's
 * @param l4len length of the upper-layer header + payload
 * @return unfolded sum, to be continued with wire_csum_add() over the segment.
 */
uint32_t wire_csum_pseudo6(
        const struct wire_ip6 *src, const struct wire_ip6 *dst, uint8_t proto, uint32_t l4len);

#endif
