/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for apps/tern-gen/frame.c: tern-gen's raw frames read back by the stack's
 * own parsers (stack/wire): a realistic SYN over IPv6 and over IPv4 (headers, options,
 * checksums over the right pseudo header), the option-length guard, and the Neighbour
 * Advertisement of --proxy-arp over IPv6 (solicited, and on all-nodes for a DAD probe).
 * Fixtures: RFC 3849 documentation addresses, MACs made up for the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "synopt.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/wire.h"

static const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, [8] = 0x12, [14] = 0x80, [15] = 0x07};
static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static void
test_syn6(void **state)
{
	uint8_t opt[GEN_SYNOPT_MAX], buf[GEN_FRAME_MAX];
	struct gen_seg s = {
	        .v6 = true,
	        .sport = 40000,
	        .dport = 9000,
	        .seq = 0x01020304,
	        .flags = WIRE_TCP_SYN,
	        .win = 64240,
	        .ttl = 64,
	        .opt = opt,
	};
	struct wire_ipv6_repr ip;
	struct wire_tcp_repr t;
	size_t len;

	(void)state;
	memcpy(s.src6, src6, 16);
	memcpy(s.dst6, dst6, 16);
	s.optlen = (uint8_t)gen_syn_options(GEN_OS_LINUX, 0x11223344, opt);
	len = gen_frame_tcp(buf, sizeof(buf), dmac, smac, &s);
	assert_int_equal(len, 14 + 40 + 20 + s.optlen);
	assert_memory_equal(buf, dmac, 6);
	assert_memory_equal(buf + 6, smac, 6);
	assert_int_equal(buf[12] << 8 | buf[13], 0x86dd);
	assert_int_equal(wire_ipv6_parse(buf + 14, len - 14, &ip), WIRE_OK);
	assert_int_equal(ip.next_hdr, 6);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(ip.flow, 0);
	assert_int_equal(ip.payload_len, 20 + s.optlen);
	assert_memory_equal(ip.src.b, src6, 16);
	assert_memory_equal(ip.dst.b, dst6, 16);
	assert_int_equal(wire_tcp_parse(buf + 54, ip.payload_len, &t), WIRE_OK);
	assert_int_equal(t.sport, 40000);
	assert_int_equal(t.dport, 9000);
	assert_int_equal(t.seq, 0x01020304);
	assert_int_equal(t.flags, WIRE_TCP_SYN);
	assert_int_equal(t.win, 64240);
	assert_int_equal(t.opts.mss, 1460);
	assert_int_equal(t.opts.wscale, 7);
	/* the checksum covers the IPv6 pseudo header: the whole sum folds to 0 */
	assert_int_equal(
	        wire_csum_fold(wire_csum_add(wire_csum_pseudo6(&ip.src, &ip.dst, 6, ip.payload_len),
	                buf + 54, ip.payload_len)),
	        0);
	/* ...and not an IPv4 one */
	assert_int_not_equal(
	        wire_csum_fold(wire_csum_add(
	                wire_csum_pseudo4(1, 2, 6, ip.payload_len), buf + 54, ip.payload_len)),
	        0);
}

static void
test_syn4(void **state)
{
	static const uint8_t mss[4] = {2, 4, 0x05, 0xb4};
	uint8_t buf[GEN_FRAME_MAX];
	struct gen_seg s = {
	        .src = 0xc6120081, /* 198.18.0.129 */
	        .dst = 0xc6120002,
	        .sport = 1024,
	        .dport = 80,
	        .seq = 7,
	        .flags = WIRE_TCP_SYN,
	        .win = 64240,
	        .ttl = 64,
	        .opt = mss,
	        .optlen = 4,
	};
	struct wire_ipv4_repr ip;
	struct wire_tcp_repr t;
	size_t len;

	(void)state;
	len = gen_frame_tcp(buf, sizeof(buf), dmac, smac, &s);
	assert_int_equal(len, 14 + 20 + 24);
	assert_int_equal(buf[12] << 8 | buf[13], 0x0800);
	assert_int_equal(wire_ipv4_parse(buf + 14, len - 14, &ip, true), WIRE_OK);
	assert_int_equal(ip.src, 0xc6120081);
	assert_int_equal(wire_tcp_parse(buf + 34, 24, &t), WIRE_OK);
	assert_int_equal(t.opts.mss, 1460);
	assert_int_equal(wire_tcp_csum(0xc6120081, 0xc6120002, buf + 34, 24), 0);
}

static void
test_bad(void **state)
{
	static const uint8_t opt[3] = {1, 1, 1};
	uint8_t buf[GEN_FRAME_MAX];
	struct gen_seg s = {.v6 = true, .opt = opt, .optlen = 3};

	(void)state;
	assert_int_equal(gen_frame_tcp(buf, sizeof(buf), dmac, smac, &s), 0); /* not 4n */
	s.optlen = 0;
	assert_int_equal(gen_frame_tcp(buf, 14 + 40 + 19, dmac, smac, &s), 0); /* no room */
	assert_int_equal(gen_frame_tcp(buf, 14 + 40 + 20, dmac, smac, &s), 14 + 40 + 20);
	assert_int_equal(gen_frame_na(buf, GEN_NA_LEN - 1, smac, src6, dmac, dst6), 0);
}

/* An NA parsed by the stack's ICMPv6 and ND parsers (checksum verified). */
static void
parse_na(const uint8_t *buf, struct wire_ipv6_repr *ip, struct wire_nd_repr *nd)
{
	struct wire_icmp6_repr ic;

	assert_int_equal(wire_ipv6_parse(buf + 14, GEN_NA_LEN - 14, ip), WIRE_OK);
	assert_int_equal(ip->next_hdr, 58);
	assert_int_equal(ip->hop_limit, 255);
	assert_int_equal(ip->payload_len, 32);
	assert_int_equal(wire_icmp6_parse(buf + 54, 32, &ip->src, &ip->dst, &ic, true), WIRE_OK);
	assert_int_equal(ic.type, WIRE_ICMP6_NEIGH_ADV);
	assert_int_equal(ic.code, 0);
	assert_int_equal(wire_nd_parse(buf + 54, 32, WIRE_ICMP6_NEIGH_ADV, nd), WIRE_OK);
}

static void
test_na(void **state)
{
	static const uint8_t unspec[16];
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	uint8_t buf[GEN_NA_LEN];
	struct wire_ipv6_repr ip;
	struct wire_nd_repr nd;

	(void)state;
	/* target src6 (an attack source) answered to the target host dst6 at dmac */
	assert_int_equal(gen_frame_na(buf, sizeof(buf), smac, src6, dmac, dst6), GEN_NA_LEN);
	assert_memory_equal(buf, dmac, 6);
	assert_memory_equal(buf + 6, smac, 6);
	parse_na(buf, &ip, &nd);
	assert_memory_equal(ip.src.b, src6, 16);
	assert_memory_equal(ip.dst.b, dst6, 16);
	assert_memory_equal(nd.target.b, src6, 16);
	assert_int_equal(nd.flags, WIRE_NA_SOLICITED | WIRE_NA_OVERRIDE);
	assert_true(nd.has_lla);
	assert_memory_equal(nd.lla.b, smac, 6);

	/* a DAD probe (from ::): on all-nodes, not solicited (RFC 4861 §7.2.4) */
	assert_int_equal(gen_frame_na(buf, sizeof(buf), smac, src6, dmac, unspec), GEN_NA_LEN);
	assert_int_equal(buf[0], 0x33);
	assert_int_equal(buf[5], 0x01);
	parse_na(buf, &ip, &nd);
	assert_memory_equal(ip.dst.b, all_nodes, 16);
	assert_int_equal(nd.flags, WIRE_NA_OVERRIDE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_syn6),
	        cmocka_unit_test(test_syn4),
	        cmocka_unit_test(test_bad),
	        cmocka_unit_test(test_na),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
