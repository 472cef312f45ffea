/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The Toeplitz hash of receive side scaling (RSS), as Microsoft's RSS specification
 * defines it ("Verifying the RSS Hash Calculation"): for every bit of the input, most
 * significant bit of the first byte first, when the bit is set the result is XORed with
 * the 32 bits of the key that start at that bit's position. A NIC configured for IPv4/TCP
 * hashes the received packet's source address, destination address, source port and
 * destination port (network order, 12 bytes) and delivers it to queue
 * RETA[hash % RETA size].
 *
 * The hash is linear (an XOR of per-bit key windows), so what each input byte contributes
 * can be tabled once per key: with one 256-entry table per byte position, a hash is one
 * lookup per input byte (toeplitz_tables, toeplitz_ipv4_tcp_tab).
 */
#ifndef TERN_UTIL_TOEPLITZ_H
#define TERN_UTIL_TOEPLITZ_H

#include <stddef.h>
#include <stdint.h>

/** Key bytes needed to hash @p len input bytes (the window of the last bit ends 4 later). */
#define TOEPLITZ_KEY_NEED(len) ((len) + 4)

/** Input bytes of the IPv4/TCP hash: addresses and ports. */
#define TOEPLITZ_IPV4_TCP_LEN 12
/** Input bytes of the IPv6/TCP hash: source and destination address (16 bytes each, as on
 *  the wire), then the ports; a 40-byte key covers it exactly. */
#define TOEPLITZ_IPV6_TCP_LEN 36

/**
 * Toeplitz hash of @p len bytes of @p in under @p key (@p key_len bytes; bits past the key
 * count as zero), bit by bit from the definition: the reference the table-driven
 * toeplitz_ipv4_tcp_tab() is tested against (the stack uses the tables).
 */
uint32_t toeplitz_hash(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len);

/**
 * Per-byte tables of @p key for inputs of @p nbytes: t[i][v] is what byte value v at
 * position i contributes, so hash(in) = XOR over i of t[i][in[i]].
 */
void toeplitz_tables(const uint8_t *key, size_t key_len, size_t nbytes, uint32_t (*t)[256]);

/**
 * The RSS hash of a received IPv4/TCP packet from @p src : @p sport to @p dst : @p dport
 * (host order), from tables made by toeplitz_tables(key, ..., TOEPLITZ_IPV4_TCP_LEN, t).
 */
static inline uint32_t
toeplitz_ipv4_tcp_tab(
        const uint32_t (*t)[256], uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	return t[0][src >> 24] ^ t[1][(src >> 16) & 0xff] ^ t[2][(src >> 8) & 0xff] ^
	       t[3][src & 0xff] ^ t[4][dst >> 24] ^ t[5][(dst >> 16) & 0xff] ^
	       t[6][(dst >> 8) & 0xff] ^ t[7][dst & 0xff] ^ t[8][sport >> 8] ^ t[9][sport & 0xff] ^
	       t[10][dport >> 8] ^ t[11][dport & 0xff];
}

/**
 * The IPv6/TCP hash of (@p src, @p dst, @p sport, @p dport) from tables of the first
 * TOEPLITZ_IPV6_TCP_LEN byte positions: one lookup per input byte.
 * @param src, dst 16 bytes each, network order
 */
static inline uint32_t
toeplitz_ipv6_tcp_tab(const uint32_t (*t)[256], const uint8_t *src, const uint8_t *dst,
        uint16_t sport, uint16_t dport)
{
	uint32_t h =
	        t[32][sport >> 8] ^ t[33][sport & 0xff] ^ t[34][dport >> 8] ^ t[35][dport & 0xff];
	unsigned i;

	for (i = 0; i < 16; i++)
		h ^= t[i][src[i]] ^ t[16 + i][dst[i]];
	return h;
}

#endif
