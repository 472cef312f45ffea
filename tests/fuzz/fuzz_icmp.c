/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: ICMP parser and emitter (stack/wire/icmp.c) and the checksum code
 * (stack/wire/csum.c) it uses.
 *
 * Invariants:
 *  - shorter than 8 bytes is WIRE_ETRUNC; otherwise the message parses without
 *    verification, and with verification exactly when the reference sum says so;
 *  - emit(parse(x)) rewrites the same bytes except the checksum, which then verifies;
 *  - wire_csum_add() agrees with a plain RFC 1071 sum for any length and start value, and
 *    summing in two pieces split at an even offset gives the same result;
 *  - wire_csum_pseudo4() equals the sum of the 12-byte pseudo header.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wire/csum.h"
#include "wire/icmp.h"

static uint8_t buf[65536];

static uint32_t
ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
check_csum(const uint8_t *data, size_t size)
{
	uint32_t start = size >= 4 ? ld32(data) : 0;
	size_t split;
	uint16_t ref;

	ref = fuzz_ref_sum(0, data, size);
	FUZZ_CHECK(fuzz_ones_eq((uint16_t)~wire_csum_fold(wire_csum_add(0, data, size)), ref),
	        "csum over %zu bytes", size);
	/* A running sum carried in (any 32-bit value) adds as one's complement. */
	ref = fuzz_ref_sum(0, data, size);
	{
		uint64_t s = (uint64_t)ref + (start >> 16) + (start & 0xffff);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		FUZZ_CHECK(fuzz_ones_eq((uint16_t)~wire_csum_fold(wire_csum_add(start, data, size)),
		                   (uint16_t)s),
		        "csum with start %#x over %zu bytes", start, size);
	}
	/* Incremental: split at an even offset picked by the input. */
	if (size >= 2) {
		split = (size_t)(data[size - 1] % (size / 2 + 1)) * 2;
		uint32_t part = wire_csum_add(0, data, split);
		FUZZ_CHECK(fuzz_ones_eq((uint16_t)~wire_csum_fold(
		                                wire_csum_add(part, data + split, size - split)),
		                   fuzz_ref_sum(0, data, size)),
		        "split at %zu of %zu", split, size);
	}
	if (size >= 12) {
		uint8_t ph[12];
		uint32_t src = ld32(data), dst = ld32(data + 4);
		uint16_t l4len = (uint16_t)(data[8] << 8 | data[9]);

		memcpy(ph, data, 8);
		ph[8] = 0;
		ph[9] = data[10];
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		FUZZ_CHECK(fuzz_ones_eq((uint16_t)~wire_csum_fold(
		                                wire_csum_pseudo4(src, dst, data[10], l4len)),
		                   fuzz_ref_sum(0, ph, sizeof(ph))),
		        "pseudo header");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_icmp_repr r, r2;
	enum wire_err err, errv;
	int sum_ok;

	check_csum(data, size);

	err = wire_icmp_parse(data, size, &r, false);
	errv = wire_icmp_parse(data, size, &r2, true);
	if (size < WIRE_ICMP_HLEN) {
		FUZZ_CHECK(err == WIRE_ETRUNC && errv == WIRE_ETRUNC, "len %zu: %d %d", size, err,
		        errv);
		return 0;
	}
	FUZZ_CHECK(err == WIRE_OK, "len %zu: err %d", size, err);
	sum_ok = fuzz_ref_sum(0, data, size) == 0xffff;
	FUZZ_CHECK(
	        errv == (sum_ok ? WIRE_OK : WIRE_ECSUM), "verify: err %d, sum ok %d", errv, sum_ok);
	FUZZ_CHECK(r.type == data[0] && r.code == data[1] &&
	                   r.id == (uint16_t)(data[4] << 8 | data[5]) &&
	                   r.seq == (uint16_t)(data[6] << 8 | data[7]),
	        "fields");

	memcpy(buf, data, size);
	buf[2] ^= 0x5a; /* the emitter must not read the old checksum */
	wire_icmp_emit(buf, &r, size - WIRE_ICMP_HLEN);
	FUZZ_CHECK(memcmp(buf, data, 2) == 0 && memcmp(buf + 4, data + 4, size - 4) == 0,
	        "emit changed more than the checksum");
	FUZZ_CHECK(wire_icmp_parse(buf, size, &r2, true) == WIRE_OK, "emitted checksum");
	FUZZ_CHECK(r2.type == r.type && r2.code == r.code && r2.id == r.id && r2.seq == r.seq,
	        "re-parse differs");
	if (sum_ok)
		FUZZ_CHECK(fuzz_ones_eq((uint16_t)(buf[2] << 8 | buf[3]),
		                   (uint16_t)(data[2] << 8 | data[3])),
		        "a valid checksum was recomputed differently");
	return 0;
}
