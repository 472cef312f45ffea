/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ICMP for IPv4 (RFC 792): echo request / reply.
 */
#ifndef TERN_WIRE_ICMP_H
#define TERN_WIRE_ICMP_H

#include "wire.h"

#define WIRE_ICMP_HLEN         8
#define WIRE_ICMP_ECHO_REPLY   0
#define WIRE_ICMP_DEST_UNREACH 3
#define WIRE_ICMP_ECHO_REQUEST 8

/** Parsed ICMP message, host order. id/seq are meaningful for echo messages. */
struct wire_icmp_repr {
	uint8_t type;
	uint8_t code;
	uint16_t id;
	uint16_t seq;
};

/**
 * Parse an ICMP message of @p len bytes (header + data).
 * @return WIRE_OK, WIRE_ETRUNC (len < 8) or, when @p verify_csum, WIRE_ECSUM (the checksum
 *         covers all @p len bytes).
 */
enum wire_err wire_icmp_parse(
        const void *buf, size_t len, struct wire_icmp_repr *r, bool verify_csum);

/**
 * Write the 8-byte header of @p r at @p buf and compute the checksum over the header and the
 * @p data_len bytes that already follow it in the buffer.
 */
void wire_icmp_emit(void *buf, const struct wire_icmp_repr *r, size_t data_len);

#endif
