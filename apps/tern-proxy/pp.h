/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * PROXY protocol headers toward backends (HAProxy's proxy-protocol.txt, versions 1 and 2),
 * TCP over IPv4 only. Pure byte builders: no state, no allocation, no DPDK, so that the
 * layouts are unit-tested against byte fixtures (tests/unit/test_proxy_pp.c).
 *
 * The header is the first bytes the proxy sends on a backend connection, before any byte
 * of the client's: it names the client (source) and the address and port the client
 * connected to (destination).
 */
#ifndef TERN_PROXY_PP_H
#define TERN_PROXY_PP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Which header a backend gets. */
enum pp_version {
	PP_NONE = 0, /**< no header */
	PP_V1,       /**< text: "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" */
	PP_V2,       /**< binary: 12-byte signature, 4-byte head, 12-byte IPv4 (36-byte IPv6)
	                    address block */
	PP_VERSION_MAX
};

/** Longest v1 line the spec allows (TCP6 with the longest addresses), CRLF included. */
#define PP_V1_MAX       107
/** A v2 header for TCP over IPv4: 16-byte head + 12 bytes of addresses and ports. */
#define PP_V2_INET_LEN  28
/** A v2 header for TCP over IPv6: 16-byte head + 36 bytes of addresses and ports. */
#define PP_V2_INET6_LEN 52
/** Room for either header. */
#define PP_HDR_MAX      PP_V1_MAX

/** The two ends of the client's connection, host order. */
struct pp_addrs {
	uint32_t src_ip;   /**< the client (IPv4) */
	uint32_t dst_ip;   /**< the address the client connected to (ours; IPv4) */
	uint16_t src_port; /**< the client's port */
	uint16_t dst_port; /**< the port it connected to (--listen) */
	bool v6;           /**< the client came over IPv6: src6, dst6 instead (TCP6) */
	uint8_t src6[16];  /**< network order */
	uint8_t dst6[16];
};

/**
 * Write the v1 line for @p a into @p buf.
 * @return its length (at most 56 for TCP4, no terminating NUL written), or 0 when @p len is
 *         too small (nothing useful is left in @p buf then).
 */
size_t pp_v1_encode(char *buf, size_t len, const struct pp_addrs *a);

/**
 * Write the v2 header (command PROXY, family AF_INET, transport STREAM, no TLV) for @p a
 * into @p buf.
 * @return PP_V2_INET_LEN, or 0 when @p len is smaller than that (nothing written).
 */
size_t pp_v2_encode(uint8_t *buf, size_t len, const struct pp_addrs *a);

/** A v2 header with no addresses: 16 bytes. */
#define PP_V2_LOCAL_LEN 16

/**
 * The header of a connection the proxy makes on its own behalf (a health check), which names
 * no client: v1 "PROXY UNKNOWN\r\n", v2 command LOCAL (0x20), family UNSPEC, length 0; the
 * backend then takes the connection's own addresses (spec §2.1 and §2.2).
 * @return its length, 0 for PP_NONE or when @p len is too small (nothing written).
 */
size_t pp_encode_local(enum pp_version v, uint8_t *buf, size_t len);

/** Either header: @return its length, 0 for PP_NONE or when @p len is too small. */
size_t pp_encode(enum pp_version v, uint8_t *buf, size_t len, const struct pp_addrs *a);

/** Parse "v1", "v2" or "none". @return 0 and *@p v set, or -1. */
int pp_parse_version(const char *s, enum pp_version *v);

/** "v1", "v2", "none". */
const char *pp_version_name(enum pp_version v);

#endif
