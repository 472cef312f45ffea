/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for apps/tern-proxy/pp.c: the PROXY protocol headers tern-proxy sends to its
 * backends, byte for byte against fixtures, and their refusals of short buffers.
 *
 * v2 fixtures were generated in python3 from the layout of HAProxy's proxy-protocol.txt
 * section 2.2, independently of pp.c:
 *   b'\r\n\r\n\x00\r\nQUIT\n' + bytes([0x21, 0x11]) +
 *   struct.pack('!H4s4sHH', 12, inet_aton(SRC), inet_aton(DST), SPORT, DPORT)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pp.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* SRC 198.18.0.2:40000, DST 198.18.0.1:8000 (the lab's client and tern) */
static const struct pp_addrs lab = {.src_ip = IP4(198, 18, 0, 2),
        .dst_ip = IP4(198, 18, 0, 1),
        .src_port = 40000,
        .dst_port = 8000};
/* clang-format off */
static const uint8_t v2_lab[PP_V2_INET_LEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, /* signature */
	0x21, 0x11, 0x00, 0x0c,                                                 /* v2 PROXY, TCP4, 12 */
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,                         /* src, dst */
	0x9c, 0x40, 0x1f, 0x40};                                                /* 40000, 8000 */
/* clang-format on */

/* SRC 255.255.255.255:65535, DST 0.0.0.0:1: every byte of the address block at an extreme */
static const struct pp_addrs extreme = {
        .src_ip = IP4(255, 255, 255, 255), .dst_ip = 0, .src_port = 65535, .dst_port = 1};
/* clang-format off */
static const uint8_t v2_extreme[PP_V2_INET_LEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
	0x21, 0x11, 0x00, 0x0c,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x01};
/* clang-format on */

static void
test_v2_layout(void **state)
{
	uint8_t buf[64];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(pp_v2_encode(buf, sizeof(buf), &lab), PP_V2_INET_LEN);
	assert_memory_equal(buf, v2_lab, sizeof(v2_lab));
	assert_int_equal(buf[PP_V2_INET_LEN], 0xaa); /* nothing past the header */

	assert_int_equal(pp_v2_encode(buf, PP_V2_INET_LEN, &extreme), PP_V2_INET_LEN);
	assert_memory_equal(buf, v2_extreme, sizeof(v2_extreme));

	assert_int_equal(pp_encode(PP_V2, buf, sizeof(buf), &lab), PP_V2_INET_LEN);
	assert_memory_equal(buf, v2_lab, sizeof(v2_lab));
}

static void
test_v2_short_buffer(void **state)
{
	uint8_t buf[PP_V2_INET_LEN];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(pp_v2_encode(buf, PP_V2_INET_LEN - 1, &lab), 0);
	assert_int_equal(pp_v2_encode(buf, 0, &lab), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xaa); /* nothing written */
}

static void
test_v1_line(void **state)
{
	static const char want[] = "PROXY TCP4 198.18.0.2 198.18.0.1 40000 8000\r\n";
	static const char want_ext[] = "PROXY TCP4 255.255.255.255 0.0.0.0 65535 1\r\n";
	char buf[PP_HDR_MAX];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(pp_v1_encode(buf, sizeof(buf), &lab), sizeof(want) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	assert_int_equal(buf[sizeof(want) - 1], 'x'); /* no NUL written */

	assert_int_equal(pp_v1_encode(buf, sizeof(buf), &extreme), sizeof(want_ext) - 1);
	assert_memory_equal(buf, want_ext, sizeof(want_ext) - 1);

	assert_int_equal(pp_encode(PP_V1, (uint8_t *)buf, sizeof(buf), &lab), sizeof(want) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
}

/* The longest TCP4 line (56 bytes) fits exactly in 56 bytes and not in 55. */
static void
test_v1_longest(void **state)
{
	static const char want[] = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
	const struct pp_addrs a = {
	        .src_ip = ~0u, .dst_ip = ~0u, .src_port = 65535, .dst_port = 65535};
	char buf[56];

	(void)state;
	assert_int_equal(sizeof(want) - 1, 56);
	assert_int_equal(pp_v1_encode(buf, 56, &a), 56);
	assert_memory_equal(buf, want, 56);
	assert_int_equal(pp_v1_encode(buf, 55, &a), 0);
	assert_int_equal(pp_v1_encode(buf, 0, &a), 0);
}

/* IPv6 clients (proxy-protocol.txt 2.1 "TCP6", 2.2 family 0x2 = AF_INET6, 36 address
 * bytes): SRC [2001:2::2]:40000, DST [2001:2::1]:8000; the longest TCP6 line, 104 bytes,
 * fits PP_V1_MAX. */
static void
test_ipv6(void **state)
{
	struct pp_addrs a = {.src_port = 40000, .dst_port = 8000, .v6 = true};
	static const char want1[] = "PROXY TCP6 2001:2::2 2001:2::1 40000 8000\r\n";
	static const char longest[] = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	                              "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	/* clang-format off */
	static const uint8_t want2[PP_V2_INET6_LEN] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
		0x21, 0x21, 0x00, 0x24,                         /* v2 PROXY, TCP6, 36 */
		0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* src */
		0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* dst */
		0x9c, 0x40, 0x1f, 0x40};                        /* 40000, 8000 */
	/* clang-format on */
	uint8_t buf[PP_HDR_MAX + 8];

	(void)state;
	memcpy(a.src6, (uint8_t[16]){0x20, 0x01, 0x00, 0x02, [15] = 2}, 16);
	memcpy(a.dst6, (uint8_t[16]){0x20, 0x01, 0x00, 0x02, [15] = 1}, 16);
	assert_int_equal(pp_v1_encode((char *)buf, sizeof(buf), &a), sizeof(want1) - 1);
	assert_memory_equal(buf, want1, sizeof(want1) - 1);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(pp_encode(PP_V2, buf, sizeof(buf), &a), PP_V2_INET6_LEN);
	assert_memory_equal(buf, want2, sizeof(want2));
	assert_int_equal(buf[PP_V2_INET6_LEN], 0xaa);
	assert_int_equal(pp_v2_encode(buf, PP_V2_INET6_LEN - 1, &a), 0);
	memset(a.src6, 0xff, 16);
	memset(a.dst6, 0xff, 16);
	a.src_port = a.dst_port = 65535;
	assert_int_equal(sizeof(longest) - 1, 104);
	assert_int_equal(pp_v1_encode((char *)buf, PP_HDR_MAX, &a), 104);
	assert_memory_equal(buf, longest, 104);
	assert_int_equal(pp_v1_encode((char *)buf, 103, &a), 0);
}

static void
test_versions(void **state)
{
	enum pp_version v = PP_V2;
	uint8_t buf[PP_HDR_MAX];

	(void)state;
	assert_int_equal(pp_encode(PP_NONE, buf, sizeof(buf), &lab), 0);
	assert_int_equal(pp_parse_version("v1", &v), 0);
	assert_int_equal(v, PP_V1);
	assert_int_equal(pp_parse_version("v2", &v), 0);
	assert_int_equal(v, PP_V2);
	assert_int_equal(pp_parse_version("none", &v), 0);
	assert_int_equal(v, PP_NONE);
	assert_int_equal(pp_parse_version("V2", &v), -1);
	assert_int_equal(pp_parse_version("v3", &v), -1);
	assert_int_equal(pp_parse_version("", &v), -1);
	assert_string_equal(pp_version_name(PP_V1), "v1");
	assert_string_equal(pp_version_name(PP_V2), "v2");
	assert_string_equal(pp_version_name(PP_NONE), "none");
}

/* The LOCAL headers of health checks: fixtures from the spec's text (v1 §2.1: "PROXY
 * UNKNOWN\r\n"; v2 §2.2: the signature, 0x20 = version 2 / LOCAL, 0x00 = UNSPEC, length 0). */
static void
test_local(void **state)
{
	static const uint8_t v2[PP_V2_LOCAL_LEN] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
	        0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0x00, 0x00};
	uint8_t buf[64];

	(void)state;
	assert_int_equal(pp_encode_local(PP_V1, buf, sizeof(buf)), 15);
	assert_memory_equal(buf, "PROXY UNKNOWN\r\n", 15);
	assert_int_equal(pp_encode_local(PP_V2, buf, sizeof(buf)), PP_V2_LOCAL_LEN);
	assert_memory_equal(buf, v2, sizeof(v2));
	assert_int_equal(pp_encode_local(PP_NONE, buf, sizeof(buf)), 0);
	assert_int_equal(pp_encode_local(PP_V1, buf, 14), 0);
	assert_int_equal(pp_encode_local(PP_V2, buf, 15), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_v2_layout),
	        cmocka_unit_test(test_v2_short_buffer),
	        cmocka_unit_test(test_v1_line),
	        cmocka_unit_test(test_v1_longest),
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_local),
	        cmocka_unit_test(test_ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
