/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern wire layer: pure parse/emit of Ethernet, ARP, IPv4, ICMP, IPv6 (+ extension
 * headers), ICMPv6 / Neighbour Discovery and TCP headers.
 *
 * No state, no allocation. Each parser does its length checks up front and fills a
 * "repr" (host byte order) that later code reads without further checks. Each emitter
 * writes a header from a repr into a buffer the caller sized. Parse(emit(x)) == x is
 * the round-trip property the unit tests check.
 */
#ifndef TERN_WIRE_H
#define TERN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Why a parser rejected a buffer. Every value maps to a drop counter in the engine. */
enum wire_err {
	WIRE_OK = 0,
	WIRE_ETRUNC = 1,   /**< buffer shorter than the fixed header */
	WIRE_EBADLEN = 2,  /**< a length field disagrees with the buffer (too long / too short) */
	WIRE_EVERSION = 3, /**< IPv4 version field is not 4 */
	WIRE_EBADHLEN = 4, /**< IPv4 IHL < 5, or TCP data offset < 5, or header past the end */
	WIRE_ECSUM = 5,    /**< checksum does not verify */
	WIRE_EBADOPT = 6,  /**< malformed TCP option (length 0/1, or runs past the header) */
	WIRE_EUNSUP = 7,   /**< well-formed but not supported (e.g. ARP for non-Ethernet/IPv4) */
};

/** Printable name of a wire_err ("truncated", "bad-length", ...), for tests and tools. */
const char *wire_strerror(enum wire_err e);

#endif
