/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP header and options (RFC 9293, RFC 7323, RFC 2018).
 */
#ifndef TERN_WIRE_TCP_H
#define TERN_WIRE_TCP_H

#include "wire.h"

#define WIRE_TCP_HLEN    20 /**< header without options */
#define WIRE_TCP_MAXHLEN 60 /**< data offset 15 */

#define WIRE_TCP_FIN 0x01
#define WIRE_TCP_SYN 0x02
#define WIRE_TCP_RST 0x04
#define WIRE_TCP_PSH 0x08
#define WIRE_TCP_ACK 0x10
#define WIRE_TCP_URG 0x20
#define WIRE_TCP_ECE 0x40
#define WIRE_TCP_CWR 0x80

/* Option kinds */
#define WIRE_TCPOPT_EOL       0
#define WIRE_TCPOPT_NOP       1
#define WIRE_TCPOPT_MSS       2
#define WIRE_TCPOPT_WSCALE    3
#define WIRE_TCPOPT_SACK_PERM 4
#define WIRE_TCPOPT_SACK      5
#define WIRE_TCPOPT_TS        8

/* Bits of wire_tcp_opts.present */
#define WIRE_TCPO_MSS       (1u << 0)
#define WIRE_TCPO_WSCALE    (1u << 1)
#define WIRE_TCPO_SACK_PERM (1u << 2)
#define WIRE_TCPO_TS        (1u << 3)
#define WIRE_TCPO_SACK      (1u << 4)

#define WIRE_TCP_MAX_SACK 4

/** A SACK block [left, right). */
struct wire_sack_block {
	uint32_t left;
	uint32_t right;
};

/** TCP options we understand. Unknown options are skipped by the parser. */
struct wire_tcp_opts {
	uint8_t present; /**< WIRE_TCPO_* bits */
	uint8_t wscale;
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t nsack;
	struct wire_sack_block sack[WIRE_TCP_MAX_SACK];
};

/** Parsed TCP header, host order. */
struct wire_tcp_repr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t hdr_len; /**< data offset * 4 */
	uint8_t flags;   /**< WIRE_TCP_* (the 8 low flag bits) */
	uint16_t win;
	uint16_t urg;
	struct wire_tcp_opts opts;
};

/**
 * Parse a TCP header and its options. @p len is the L4 length (header + payload).
 * Checks: len >= 20 (WIRE_ETRUNC); data offset >= 5 and offset*4 <= len (WIRE_EBADHLEN);
 * each option: kind EOL ends the list, NOP is one byte, any other kind needs a length byte
 * >= 2 inside the header (WIRE_EBADOPT). Known options with a wrong length (MSS != 4,
 * WSCALE != 3, SACK_PERM != 2, TS != 10, SACK not 2+8n with 1 <= n <= 4) are WIRE_EBADOPT.
 * Checksums are not verified here (see wire_tcp_csum()).
 */
enum wire_err wire_tcp_parse(const void *buf, size_t len, struct wire_tcp_repr *r);

/**
 * Bytes that the options in @p o take on the wire, padded with NOPs to a multiple of 4.
 * Layout used by wire_tcp_emit(): MSS; NOP,WSCALE; SACK_PERM+TS as NOP,NOP,TS when TS
 * without SACK_PERM, SACK_PERM,TS when both; NOP,NOP,SACK_PERM alone; NOP,NOP,SACK blocks.
 */
size_t wire_tcp_opts_len(const struct wire_tcp_opts *o);

/**
 * Write the TCP header and the options of @p r at @p buf. The data offset is computed from
 * the options (r->hdr_len is ignored); the checksum field is written as 0.
 * @return header length in bytes (20 + wire_tcp_opts_len()).
 */
size_t wire_tcp_emit(void *buf, const struct wire_tcp_repr *r);

/**
 * Full TCP checksum over the IPv4 pseudo header and @p len contiguous bytes of segment
 * (header + payload) at @p seg. With the checksum field in place, a correct segment
 * yields 0; with the field zeroed, the result is the value to store (host order).
 */
uint16_t wire_tcp_csum(uint32_t src, uint32_t dst, const void *seg, size_t len);

/** Offset of the checksum field inside the TCP header. */
#define WIRE_TCP_CSUM_OFF 16

#endif
