/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: IPv4 header parser (stack/wire/ipv4.c).
 *
 * Invariants:
 *  - the verdict is the one the documented checks give, in their order (length, version,
 *    IHL, total length, checksum);
 *  - on success: 20 <= hdr_len <= 60, hdr_len <= total_len <= len, and the repr holds the
 *    header's fields;
 *  - parsing with checksum verification succeeds exactly when parsing without it does and
 *    the header sums to zero (checked against a plain reference sum), with the same repr;
 *  - emit(r) of a parsed header (options dropped) verifies and parses back to r with
 *    hdr_len 20; wire_ipv4_is_fragment agrees with MF / offset.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz_common.h"
#include "wire/csum.h"
#include "wire/ipv4.h"

static uint8_t buf[65536];

static enum wire_err
ref_verdict(const uint8_t *p, size_t len, int verify)
{
	size_t hlen, tlen;

	if (len < 20)
		return WIRE_ETRUNC;
	if ((p[0] >> 4) != 4)
		return WIRE_EVERSION;
	hlen = (size_t)(p[0] & 15) * 4;
	if (hlen < 20 || hlen > len)
		return WIRE_EBADHLEN;
	tlen = (size_t)(p[2] << 8 | p[3]);
	if (tlen < hlen || tlen > len)
		return WIRE_EBADLEN;
	if (verify && fuzz_ref_sum(0, p, hlen) != 0xffff)
		return WIRE_ECSUM;
	return WIRE_OK;
}

static int
repr_eq(const struct wire_ipv4_repr *a, const struct wire_ipv4_repr *b)
{
	return a->src == b->src && a->dst == b->dst && a->total_len == b->total_len &&
	       a->id == b->id && a->frag == b->frag && a->hdr_len == b->hdr_len &&
	       a->tos == b->tos && a->ttl == b->ttl && a->proto == b->proto;
}

/* emit(r) then parse: same fields, 20-byte header, checksum right. */
static void
check_emit(const struct wire_ipv4_repr *r)
{
	struct wire_ipv4_repr want = *r, got;
	size_t len;

	want.hdr_len = WIRE_IPV4_HLEN;
	if (want.total_len < WIRE_IPV4_HLEN)
		want.total_len = WIRE_IPV4_HLEN;
	len = want.total_len;
	memset(buf, 0, len);
	wire_ipv4_emit(buf, &want, true);
	FUZZ_CHECK(wire_ipv4_parse(buf, len, &got, true) == WIRE_OK, "parse(emit(r))");
	FUZZ_CHECK(repr_eq(&want, &got), "parse(emit(r)) != r");
	FUZZ_CHECK(fuzz_ones_eq(fuzz_ref_sum(0, buf, WIRE_IPV4_HLEN), 0xffff), "emitted csum");
	wire_ipv4_emit(buf, &want, false);
	FUZZ_CHECK(buf[10] == 0 && buf[11] == 0, "offload emit wrote a checksum");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_ipv4_repr r, rv;
	enum wire_err err, errv, want;

	memset(&r, 0, sizeof(r));
	memset(&rv, 0, sizeof(rv));
	err = wire_ipv4_parse(data, size, &r, false);
	want = ref_verdict(data, size, 0);
	FUZZ_CHECK(err == want, "len %zu: err %d, expected %d", size, err, want);
	errv = wire_ipv4_parse(data, size, &rv, true);
	want = ref_verdict(data, size, 1);
	FUZZ_CHECK(errv == want, "len %zu (verify): err %d, expected %d", size, errv, want);
	/* 16-bit fold of the optimised sum against the reference, at every length. */
	FUZZ_CHECK(fuzz_ones_eq((uint16_t)~wire_csum_fold(wire_csum_add(0, data, size)),
	                   fuzz_ref_sum(0, data, size)),
	        "wire_csum_add disagrees with the reference over %zu bytes", size);

	/* The steering peek (no validation): memory-safe on anything, and where the parser
	 * accepts an unfragmented TCP packet with room for the ports, the same addresses. */
	{
		struct wire_tcp4_tuple tu;
		bool got = wire_ipv4_tcp_tuple(data, (uint32_t)size, &tu);

		if (err == WIRE_OK && r.proto == WIRE_IPPROTO_TCP && (r.frag & 0x1fff) == 0 &&
		        r.total_len >= r.hdr_len + 4u)
			FUZZ_CHECK(got && tu.src == r.src && tu.dst == r.dst &&
			                   tu.sport == (uint16_t)(data[r.hdr_len] << 8 |
			                                          data[r.hdr_len + 1]),
			        "tcp tuple disagrees with the parser");
	}
	if (err != WIRE_OK)
		return 0;
	FUZZ_CHECK(
	        r.hdr_len >= 20 && r.hdr_len <= 60 && r.hdr_len % 4 == 0, "hdr_len %u", r.hdr_len);
	FUZZ_CHECK(r.hdr_len <= r.total_len && r.total_len <= size, "hdr %u total %u len %zu",
	        r.hdr_len, r.total_len, size);
	FUZZ_CHECK(r.proto == data[9] && r.ttl == data[8] && r.tos == data[1], "fields");
	FUZZ_CHECK(r.frag == (uint16_t)(data[6] << 8 | data[7]), "frag");
	FUZZ_CHECK(wire_ipv4_is_fragment(&r) == ((r.frag & 0x3fff) != 0), "is_fragment");
	if (errv == WIRE_OK)
		FUZZ_CHECK(repr_eq(&r, &rv), "verify changed the repr");
	check_emit(&r);
	return 0;
}
