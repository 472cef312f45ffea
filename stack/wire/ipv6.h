/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IPv6 header and extension header chain (RFC 8200), IPv6 addresses.
 *
 * wire_ipv6_parse() checks the fixed header; wire_ipv6_ext_walk() then follows the chain of
 * extension headers to the upper-layer header, applying RFC 8200's rules for a host: padding
 * and unknown options whose type says "skip" are skipped (§4.2), every other unknown option
 * drops the packet, as does a Hop-by-Hop header anywhere but first (§4.1), a Routing header
 * with segments left (§4.4: tern routes nothing and knows no routing type), a fragment that
 * is not atomic (§4.5; tern does not reassemble), a chain longer than WIRE_IPV6_EXT_MAX
 * headers, and any header that runs past the payload. Each outcome is its own enum value so
 * that the engine counts it under its own drop reason.
 */
#ifndef TERN_WIRE_IPV6_H
#define TERN_WIRE_IPV6_H

#include <string.h>

#include "wire.h"

#define WIRE_IPV6_HLEN      40   /**< fixed header */
#define WIRE_IPV6_MIN_MTU   1280 /**< RFC 8200 §5: every link carries this much */
#define WIRE_ETHERTYPE_IPV6 0x86dd

/* Next Header values (IANA "Assigned Internet Protocol Numbers"). */
#define WIRE_IPPROTO_HOPOPTS  0
#define WIRE_IPPROTO_ROUTING  43
#define WIRE_IPPROTO_FRAGMENT 44
#define WIRE_IPPROTO_ESP      50
#define WIRE_IPPROTO_AH       51
#define WIRE_IPPROTO_ICMPV6   58
#define WIRE_IPPROTO_NONE     59
#define WIRE_IPPROTO_DSTOPTS  60

/** Extension headers walked before giving up (RFC 8200 sets no limit; a host needs few). */
#define WIRE_IPV6_EXT_MAX 8

/** An IPv6 address, network order (as on the wire). */
struct wire_ip6 {
	uint8_t b[16];
};

/** Parsed fixed IPv6 header; addresses in network order, the rest host order. */
struct wire_ipv6_repr {
	struct wire_ip6 src;
	struct wire_ip6 dst;
	uint32_t flow;        /**< flow label, 20 bits */
	uint16_t payload_len; /**< bytes after the fixed header, from the header */
	uint8_t tclass;       /**< traffic class */
	uint8_t next_hdr;
	uint8_t hop_limit;
};

/**
 * Parse an IPv6 fixed header. Checks, in order: len >= 40 (WIRE_ETRUNC); version == 6
 * (WIRE_EVERSION); 40 + payload_len <= len (WIRE_EBADLEN; bytes beyond are link padding,
 * allowed). A payload length of 0 (a jumbogram, RFC 2675, or an empty packet) parses; the
 * extension walk finds what it lacks.
 */
enum wire_err wire_ipv6_parse(const void *buf, size_t len, struct wire_ipv6_repr *r);

/** Write the 40-byte fixed header of @p r at @p buf. */
void wire_ipv6_emit(void *buf, const struct wire_ipv6_repr *r);

/** Outcome of walking an extension header chain; every value but OK is a drop. */
enum wire_ext_err {
	WIRE_EXT_OK = 0,
	WIRE_EXT_TRUNC,     /**< an extension header runs past the payload */
	WIRE_EXT_CHAIN,     /**< more than WIRE_IPV6_EXT_MAX extension headers */
	WIRE_EXT_HBH_ORDER, /**< Hop-by-Hop Options not right after the fixed header */
	WIRE_EXT_OPT,       /**< an unknown option whose type says discard (§4.2: 01, 10, 11) */
	WIRE_EXT_OPT_LEN,   /**< an option runs past its header */
	WIRE_EXT_ROUTING,   /**< a Routing header with segments left (we are its end) */
	WIRE_EXT_FRAG,      /**< a fragment that is not atomic (no reassembly) */
	WIRE_EXT_NONE,      /**< Next Header 59: nothing follows */
	WIRE_EXT_MAX
};

/** Where an extension walk ended. */
struct wire_ipv6_ext {
	uint16_t l4_off;  /**< offset of the upper-layer header from the start of the payload */
	uint8_t proto;    /**< its protocol (Next Header of the last extension) */
	uint8_t nexts;    /**< extension headers skipped */
	bool atomic_frag; /**< an atomic fragment header (RFC 6946) was skipped */
	uint16_t err_off; /**< on an error: offset of the offending byte in the payload (the
	                   *   pointer an ICMPv6 Parameter Problem would carry, minus 40) */
};

/**
 * Walk the extension headers of a payload of @p len bytes at @p payload whose first Next
 * Header is @p next_hdr, to the first header that is not an extension header (Hop-by-Hop,
 * Routing, Fragment, Destination Options). Every other value ends the walk as the
 * upper-layer protocol (TCP, ICMPv6, or something the caller drops), except 59 (No Next
 * Header, WIRE_EXT_NONE). @return WIRE_EXT_OK with @p x filled, or why the packet goes.
 */
enum wire_ext_err wire_ipv6_ext_walk(
        const uint8_t *payload, size_t len, uint8_t next_hdr, struct wire_ipv6_ext *x);

/** Printable name of an extension walk outcome, for tests and tools. */
const char *wire_ext_strerror(enum wire_ext_err e);

/** True when both addresses are equal. */
static inline bool
wire_ip6_eq(const struct wire_ip6 *a, const struct wire_ip6 *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/** :: */
static inline bool
wire_ip6_is_unspec(const struct wire_ip6 *a)
{
	static const struct wire_ip6 zero;

	return wire_ip6_eq(a, &zero);
}

/** ff00::/8 */
static inline bool
wire_ip6_is_multicast(const struct wire_ip6 *a)
{
	return a->b[0] == 0xff;
}

/** fe80::/10 */
static inline bool
wire_ip6_is_linklocal(const struct wire_ip6 *a)
{
	return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

/** ::1 */
bool wire_ip6_is_loopback(const struct wire_ip6 *a);

/** True when the first @p plen bits of @p a and @p b are equal (0 <= plen <= 128). */
bool wire_ip6_prefix_eq(const struct wire_ip6 *a, const struct wire_ip6 *b, unsigned plen);

/** The solicited-node multicast address of @p a (RFC 4291 §2.7.1): ff02::1:ffXX:XXXX. */
void wire_ip6_solicited_node(const struct wire_ip6 *a, struct wire_ip6 *out);

/** ff02::1, all nodes on the link. */
void wire_ip6_all_nodes(struct wire_ip6 *out);

/** The Ethernet multicast address of IPv6 multicast @p a (RFC 2464 §7): 33:33 + low 32 bits. */
void wire_ip6_mcast_mac(const struct wire_ip6 *a, uint8_t mac[6]);

/**
 * The link-local address fe80::/64 whose interface identifier is the modified EUI-64 of
 * @p mac (RFC 4291 appendix A, RFC 2464 §4): the universal/local bit flipped, ff:fe inserted.
 */
void wire_ip6_linklocal_from_mac(const uint8_t mac[6], struct wire_ip6 *out);

#endif
