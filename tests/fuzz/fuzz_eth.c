/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: Ethernet header parser (stack/wire/eth.c).
 *
 * Invariants: a buffer shorter than 14 bytes is WIRE_ETRUNC and anything longer parses;
 * emit(parse(x)) gives back the first 14 bytes of x; the MAC predicates agree with each
 * other (broadcast implies multicast, an address equals itself).
 */
#include <string.h>

#include "fuzz_common.h"
#include "wire/eth.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_eth_repr r, r2;
	uint8_t out[WIRE_ETH_HLEN];
	enum wire_err err;

	memset(&r, 0xa5, sizeof(r));
	err = wire_eth_parse(data, size, &r);
	if (size < WIRE_ETH_HLEN) {
		FUZZ_CHECK(err == WIRE_ETRUNC, "len %zu: err %d", size, err);
		return 0;
	}
	FUZZ_CHECK(err == WIRE_OK, "len %zu: err %d", size, err);
	FUZZ_CHECK(r.type == (uint16_t)(data[12] << 8 | data[13]), "type %#x", r.type);

	wire_eth_emit(out, &r);
	FUZZ_CHECK(memcmp(out, data, WIRE_ETH_HLEN) == 0, "emit(parse(x)) != x");
	FUZZ_CHECK(wire_eth_parse(out, sizeof(out), &r2) == WIRE_OK, "re-parse");
	FUZZ_CHECK(memcmp(&r.dst, &r2.dst, sizeof(r.dst)) == 0 &&
	                   memcmp(&r.src, &r2.src, sizeof(r.src)) == 0 && r.type == r2.type,
	        "re-parse differs");

	FUZZ_CHECK(!wire_mac_is_broadcast(&r.dst) || wire_mac_is_multicast(&r.dst),
	        "broadcast but not multicast");
	FUZZ_CHECK(wire_mac_is_multicast(&r.dst) == ((data[0] & 1) != 0), "group bit");
	FUZZ_CHECK(wire_mac_is_broadcast(&r.dst) ==
	                   (memcmp(data, "\xff\xff\xff\xff\xff\xff", WIRE_ETH_ALEN) == 0),
	        "broadcast");
	FUZZ_CHECK(wire_mac_eq(&r.dst, &r.dst), "a != a");
	FUZZ_CHECK(wire_mac_eq(&r.dst, &r.src) == (memcmp(data, data + 6, WIRE_ETH_ALEN) == 0),
	        "mac_eq");
	return 0;
}
