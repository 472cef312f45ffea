/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: ICMPv6 and Neighbour Discovery parsers (stack/wire/icmp6.c).
 *
 * Input: source address (16 bytes), destination address (16 bytes), then the ICMPv6
 * message.
 * Invariants:
 *  - parsing without verification succeeds exactly when the message has its 8-byte
 *    header; with verification, exactly when the pseudo header (RFC 8200 §8.1) and the
 *    message sum to zero by a plain reference sum; the repr holds the header's fields;
 *  - NS / NA parse never reads past the message (ASan); on success the target is not
 *    multicast, and emit(nd) parses back to the same target, flags and link-layer address,
 *    with a checksum that verifies;
 *  - an echo reply emitted over the message verifies.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz_common.h"
#include "wire/icmp6.h"

static uint8_t buf[65536];

static uint16_t
ref_sum6(const struct wire_ip6 *src, const struct wire_ip6 *dst, const uint8_t *m, size_t len)
{
	uint8_t ph[40] = {0};

	memcpy(ph, src->b, 16);
	memcpy(ph + 16, dst->b, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[39] = WIRE_IPPROTO_ICMPV6;
	return fuzz_ref_sum(fuzz_ref_sum(0, ph, sizeof(ph)), m, len);
}

static void
check_nd(const uint8_t *m, size_t len, uint8_t type, const struct wire_ip6 *src,
        const struct wire_ip6 *dst)
{
	struct wire_nd_repr nd, back;
	struct wire_icmp6_repr h;
	size_t n;

	memset(&nd, 0, sizeof(nd));
	if (wire_nd_parse(m, len, type, &nd) != WIRE_OK)
		return;
	FUZZ_CHECK(len >= WIRE_ND_LEN && !wire_ip6_is_multicast(&nd.target), "accepted nd");
	n = wire_nd_emit(buf, type, &nd, src, dst);
	FUZZ_CHECK(n == WIRE_ND_LEN + (nd.has_lla ? WIRE_ND_OPT_LLA_LEN : 0u), "emit len %zu", n);
	FUZZ_CHECK(wire_icmp6_parse(buf, n, src, dst, &h, true) == WIRE_OK && h.type == type,
	        "emitted nd does not verify");
	memset(&back, 0, sizeof(back));
	FUZZ_CHECK(wire_nd_parse(buf, n, type, &back) == WIRE_OK, "reparse");
	FUZZ_CHECK(wire_ip6_eq(&back.target, &nd.target) && back.flags == nd.flags &&
	                   back.has_lla == nd.has_lla &&
	                   (!nd.has_lla || wire_mac_eq(&back.lla, &nd.lla)),
	        "parse(emit(nd)) != nd");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_ip6 src, dst;
	struct wire_icmp6_repr r, rv;
	enum wire_err err, errv;
	const uint8_t *m;
	size_t len;

	if (size < 32 || size - 32 > sizeof(buf))
		return 0;
	memcpy(src.b, data, 16);
	memcpy(dst.b, data + 16, 16);
	m = data + 32;
	len = size - 32;
	err = wire_icmp6_parse(m, len, &src, &dst, &r, false);
	FUZZ_CHECK(err == (len < WIRE_ICMP6_HLEN ? WIRE_ETRUNC : WIRE_OK), "len %zu: err %d", len,
	        err);
	errv = wire_icmp6_parse(m, len, &src, &dst, &rv, true);
	if (err != WIRE_OK) {
		FUZZ_CHECK(errv == WIRE_ETRUNC, "verify on a short message: %d", errv);
		return 0;
	}
	FUZZ_CHECK((errv == WIRE_OK) == fuzz_ones_eq(ref_sum6(&src, &dst, m, len), 0xffff),
	        "checksum verdict %d disagrees with the reference", errv);
	FUZZ_CHECK(r.type == m[0] && r.code == m[1] && r.id == (uint16_t)(m[4] << 8 | m[5]) &&
	                   r.seq == (uint16_t)(m[6] << 8 | m[7]) &&
	                   r.mtu == ((uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 |
	                                    (uint32_t)m[6] << 8 | m[7]),
	        "fields");
	check_nd(m, len, WIRE_ICMP6_NEIGH_SOL, &src, &dst);
	check_nd(m, len, WIRE_ICMP6_NEIGH_ADV, &src, &dst);
	/* The echo reply tern builds over the same bytes verifies. */
	memcpy(buf, m, len);
	r.type = WIRE_ICMP6_ECHO_REPLY;
	wire_icmp6_emit(buf, &r, len, &dst, &src);
	FUZZ_CHECK(fuzz_ones_eq(ref_sum6(&dst, &src, buf, len), 0xffff), "emitted echo reply csum");
	return 0;
}
