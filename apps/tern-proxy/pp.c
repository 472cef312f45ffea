/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PROXY protocol header builders (see pp.h). Layouts from HAProxy's proxy-protocol.txt:
 *
 * v1 (section 2.1): one ASCII line, fields separated by one space, ended by CRLF:
 *   "PROXY" SP "TCP4" SP src-ip SP dst-ip SP src-port SP dst-port CRLF
 * addresses in dotted decimal, ports in decimal, no leading zeros; for an IPv6 client
 * "TCP6" and the addresses in inet_ntop's text form.
 *
 * v2 (section 2.2), all multi-byte fields in network order:
 *   bytes 0..11  signature \r\n\r\n\0\r\nQUIT\n
 *   byte  12     version (high nibble, 2) | command (low nibble, 1 = PROXY)
 *   byte  13     family (high nibble, 1 = AF_INET) | transport (low nibble, 1 = STREAM)
 *   bytes 14..15 length of what follows: 12 for AF_INET without TLVs
 *   bytes 16..27 src addr (4), dst addr (4), src port (2), dst port (2)
 * or, for an IPv6 client, family 2 (AF_INET6), length 36 and bytes 16..51: src addr (16),
 * dst addr (16), src port (2), dst port (2).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pp.h"

static const uint8_t pp_v2_sig[12] = {
        0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

#define PP_V2_VER_CMD_PROXY 0x21 /* version 2, command PROXY */
#define PP_V2_TCP4          0x11 /* AF_INET, STREAM */
#define PP_V2_TCP6          0x21 /* AF_INET6, STREAM */
#define PP_V2_INET_ADDRS    12
#define PP_V2_INET6_ADDRS   36

size_t
pp_v1_encode(char *buf, size_t len, const struct pp_addrs *a)
{
	char line[PP_V1_MAX + 1]; /* snprintf's NUL is not part of the header */
	char s6[INET6_ADDRSTRLEN], d6[INET6_ADDRSTRLEN];
	int n;

	if (a->v6) {
		if (inet_ntop(AF_INET6, a->src6, s6, sizeof(s6)) == NULL ||
		        inet_ntop(AF_INET6, a->dst6, d6, sizeof(d6)) == NULL)
			return 0;
		n = snprintf(line, sizeof(line), "PROXY TCP6 %s %s %u %u\r\n", s6, d6, a->src_port,
		        a->dst_port);
		if (n < 0 || (size_t)n >= sizeof(line) || (size_t)n > len)
			return 0;
		memcpy(buf, line, (size_t)n);
		return (size_t)n;
	}
	n = snprintf(line, sizeof(line), "PROXY TCP4 %u.%u.%u.%u %u.%u.%u.%u %u %u\r\n",
	        a->src_ip >> 24, (a->src_ip >> 16) & 0xff, (a->src_ip >> 8) & 0xff,
	        a->src_ip & 0xff, a->dst_ip >> 24, (a->dst_ip >> 16) & 0xff,
	        (a->dst_ip >> 8) & 0xff, a->dst_ip & 0xff, a->src_port, a->dst_port);
	if (n < 0 || (size_t)n >= sizeof(line) || (size_t)n > len)
		return 0;
	memcpy(buf, line, (size_t)n);
	return (size_t)n;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t
pp_v2_encode(uint8_t *buf, size_t len, const struct pp_addrs *a)
{
	if (a->v6) {
		if (len < PP_V2_INET6_LEN)
			return 0;
		memcpy(buf, pp_v2_sig, sizeof(pp_v2_sig));
		buf[12] = PP_V2_VER_CMD_PROXY;
		buf[13] = PP_V2_TCP6;
		put_be16(buf + 14, PP_V2_INET6_ADDRS);
		memcpy(buf + 16, a->src6, 16);
		memcpy(buf + 32, a->dst6, 16);
		put_be16(buf + 48, a->src_port);
		put_be16(buf + 50, a->dst_port);
		return PP_V2_INET6_LEN;
	}
	if (len < PP_V2_INET_LEN)
		return 0;
	memcpy(buf, pp_v2_sig, sizeof(pp_v2_sig));
	buf[12] = PP_V2_VER_CMD_PROXY;
	buf[13] = PP_V2_TCP4;
	put_be16(buf + 14, PP_V2_INET_ADDRS);
	put_be32(buf + 16, a->src_ip);
	put_be32(buf + 20, a->dst_ip);
	put_be16(buf + 24, a->src_port);
	put_be16(buf + 26, a->dst_port);
	return PP_V2_INET_LEN;
}

size_t
pp_encode(enum pp_version v, uint8_t *buf, size_t len, const struct pp_addrs *a)
{
	switch (v) {
	case PP_V1:
		return pp_v1_encode((char *)buf, len, a);
	case PP_V2:
		return pp_v2_encode(buf, len, a);
	default:
		return 0;
	}
}

size_t
pp_encode_local(enum pp_version v, uint8_t *buf, size_t len)
{
	static const char v1[] = "PROXY UNKNOWN\r\n";

	if (v == PP_V1) {
		if (len < sizeof(v1) - 1)
			return 0;
		memcpy(buf, v1, sizeof(v1) - 1);
		return sizeof(v1) - 1;
	}
	if (v != PP_V2 || len < PP_V2_LOCAL_LEN)
		return 0;
	memcpy(buf, pp_v2_sig, sizeof(pp_v2_sig));
	buf[12] = 0x20; /* version 2, LOCAL */
	buf[13] = 0x00; /* UNSPEC, UNSPEC */
	buf[14] = 0;
	buf[15] = 0;
	return PP_V2_LOCAL_LEN;
}

static const char *const pp_names[PP_VERSION_MAX] = {
        [PP_NONE] = "none", [PP_V1] = "v1", [PP_V2] = "v2"};
_Static_assert(sizeof(pp_names) / sizeof(pp_names[0]) == PP_VERSION_MAX, "a name per version");

int
pp_parse_version(const char *s, enum pp_version *v)
{
	unsigned i;

	for (i = 0; i < PP_VERSION_MAX; i++) {
		if (strcmp(s, pp_names[i]) == 0) {
			*v = (enum pp_version)i;
			return 0;
		}
	}
	return -1;
}

const char *
pp_version_name(enum pp_version v)
{
	return (unsigned)v < PP_VERSION_MAX ? pp_names[v] : "?";
}
