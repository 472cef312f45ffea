/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: ARP parser (stack/wire/arp.c).
 *
 * Invariants: the verdict follows the documented checks in order (length, then the fixed
 * Ethernet/IPv4 fields and the opcode); a packet that parses re-emits to its first 28 bytes
 * and re-parses to the same repr; a repr built from the input emits, then parses back
 * unchanged when its opcode is valid.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wire/arp.h"

static enum wire_err
ref_verdict(const uint8_t *p, size_t len)
{
	uint16_t op;

	if (len < WIRE_ARP_LEN)
		return WIRE_ETRUNC;
	if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0x00 || p[4] != 6 || p[5] != 4)
		return WIRE_EUNSUP;
	op = (uint16_t)(p[6] << 8 | p[7]);
	if (op != WIRE_ARP_OP_REQUEST && op != WIRE_ARP_OP_REPLY)
		return WIRE_EUNSUP;
	return WIRE_OK;
}

static int
repr_eq(const struct wire_arp_repr *a, const struct wire_arp_repr *b)
{
	return a->op == b->op && a->spa == b->spa && a->tpa == b->tpa &&
	       memcmp(&a->sha, &b->sha, sizeof(a->sha)) == 0 &&
	       memcmp(&a->tha, &b->tha, sizeof(a->tha)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_arp_repr r, r2;
	uint8_t out[WIRE_ARP_LEN];
	enum wire_err err, want = ref_verdict(data, size);

	err = wire_arp_parse(data, size, &r);
	FUZZ_CHECK(err == want, "len %zu: err %d, expected %d", size, err, want);
	if (err == WIRE_OK) {
		wire_arp_emit(out, &r);
		FUZZ_CHECK(memcmp(out, data, WIRE_ARP_LEN) == 0, "emit(parse(x)) != x");
		FUZZ_CHECK(wire_arp_parse(out, sizeof(out), &r2) == WIRE_OK, "re-parse");
		FUZZ_CHECK(repr_eq(&r, &r2), "re-parse differs");
	}

	/* The other direction: a repr from the input bytes. */
	if (size >= 2 + 6 + 4 + 6 + 4) {
		memset(&r, 0, sizeof(r));
		r.op = (uint16_t)(1 + (data[0] & 1));
		memcpy(r.sha.b, data + 2, 6);
		memcpy(&r.spa, data + 8, 4);
		memcpy(r.tha.b, data + 12, 6);
		memcpy(&r.tpa, data + 18, 4);
		wire_arp_emit(out, &r);
		FUZZ_CHECK(wire_arp_parse(out, sizeof(out), &r2) == WIRE_OK, "parse(emit(r))");
		FUZZ_CHECK(repr_eq(&r, &r2), "parse(emit(r)) != r");
	}
	return 0;
}
