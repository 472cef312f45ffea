/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: IPv6 header parser and extension header walk (stack/wire/ipv6.c).
 *
 * Invariants:
 *  - the header verdict is the documented one, in its order (length, version, payload
 *    length); on success the repr holds the header's fields and emit(r) gives the same 40
 *    bytes back;
 *  - the walk over the payload never reads past it (ASan), and on success: the upper
 *    layer lies inside the payload, at most WIRE_IPV6_EXT_MAX headers were skipped, its
 *    protocol is not an extension header nor 59; on an error the offending offset is
 *    inside the payload (or at its end);
 *  - prefix property: when the walk reaches the upper layer at offset k, walking the first
 *    k bytes gives the same result, and every shorter cut gives WIRE_EXT_TRUNC (a chain is
 *    judged by its headers only, and a cut one is always "truncated").
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz_common.h"
#include "wire/ipv6.h"

static enum wire_err
ref_verdict(const uint8_t *p, size_t len)
{
	if (len < 40)
		return WIRE_ETRUNC;
	if ((p[0] >> 4) != 6)
		return WIRE_EVERSION;
	if (40u + (size_t)(p[4] << 8 | p[5]) > len)
		return WIRE_EBADLEN;
	return WIRE_OK;
}

static bool
is_ext(uint8_t nh)
{
	return nh == WIRE_IPPROTO_HOPOPTS || nh == WIRE_IPPROTO_ROUTING ||
	       nh == WIRE_IPPROTO_FRAGMENT || nh == WIRE_IPPROTO_DSTOPTS;
}

static void
check_walk(const uint8_t *pl, size_t len, uint8_t nh)
{
	struct wire_ipv6_ext x, y;
	enum wire_ext_err err, err2;
	size_t n;

	err = wire_ipv6_ext_walk(pl, len, nh, &x);
	FUZZ_CHECK((unsigned)err < WIRE_EXT_MAX, "verdict %d", err);
	err2 = wire_ipv6_ext_walk(pl, len, nh, &y);
	FUZZ_CHECK(err2 == err, "walk not deterministic");
	if (err != WIRE_EXT_OK) {
		FUZZ_CHECK(x.err_off <= len, "err %d at %u of %zu", err, x.err_off, len);
		return;
	}
	FUZZ_CHECK(x.l4_off <= len, "l4 at %u of %zu", x.l4_off, len);
	FUZZ_CHECK(x.nexts <= WIRE_IPV6_EXT_MAX, "%u headers", x.nexts);
	FUZZ_CHECK(!is_ext(x.proto) && x.proto != WIRE_IPPROTO_NONE, "proto %u", x.proto);
	FUZZ_CHECK((x.nexts == 0) == (x.l4_off == 0) && x.l4_off % 8 == 0, "offsets");
	err2 = wire_ipv6_ext_walk(pl, x.l4_off, nh, &y);
	FUZZ_CHECK(err2 == WIRE_EXT_OK && y.l4_off == x.l4_off && y.proto == x.proto,
	        "the chain alone walks differently");
	for (n = 0; n < x.l4_off; n++)
		FUZZ_CHECK(wire_ipv6_ext_walk(pl, n, nh, &y) == WIRE_EXT_TRUNC,
		        "cut at %zu of %u not truncated", n, x.l4_off);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_ipv6_repr r;
	enum wire_err err, want;
	uint8_t hdr[WIRE_IPV6_HLEN];

	memset(&r, 0, sizeof(r));
	err = wire_ipv6_parse(data, size, &r);
	want = ref_verdict(data, size);
	FUZZ_CHECK(err == want, "len %zu: err %d, expected %d", size, err, want);
	if (size >= 1)
		check_walk(data + 1, size - 1, data[0]); /* any bytes as a chain, too */
	if (err != WIRE_OK)
		return 0;
	FUZZ_CHECK(r.next_hdr == data[6] && r.hop_limit == data[7] &&
	                   r.payload_len == (uint16_t)(data[4] << 8 | data[5]) &&
	                   memcmp(r.src.b, data + 8, 16) == 0 &&
	                   memcmp(r.dst.b, data + 24, 16) == 0,
	        "fields");
	wire_ipv6_emit(hdr, &r);
	FUZZ_CHECK(memcmp(hdr, data, WIRE_IPV6_HLEN) == 0, "emit(parse(h)) != h");
	check_walk(data + WIRE_IPV6_HLEN, r.payload_len, r.next_hdr);
	return 0;
}
