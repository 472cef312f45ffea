/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: TCP header and options parser / emitter (stack/wire/tcp.c).
 *
 * Invariants, wire bytes -> repr:
 *  - the verdict is the one the documented checks give (length, data offset, each
 *    option's kind and length, the lengths of known options), computed here by an
 *    independent walk of the option list;
 *  - on success: 20 <= hdr_len <= min(60, len), a multiple of 4; nsack <= 4 and the SACK
 *    bit is set exactly when there are blocks; the fixed fields are the header's;
 *  - parsing only the header (len = hdr_len) gives the same repr: payload bytes never
 *    change the verdict;
 *  - emit(parse(x)) re-parses to the same repr, except that SACK blocks that do not fit
 *    next to the other options are dropped from the end (documented), and its length is
 *    20 + wire_tcp_opts_len(); emitting that repr again gives the same bytes.
 * repr -> wire bytes: a repr built from the input (any option set, up to 4 SACK blocks)
 * emits, stays within 60 bytes, and parses back to itself (modulo the same SACK rule).
 * The checksum helper agrees with a reference sum over the pseudo header and segment.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wire/csum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define MAX_OPT 40

static enum wire_err
ref_verdict(const uint8_t *p, size_t len)
{
	size_t hlen, i;

	if (len < 20)
		return WIRE_ETRUNC;
	hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < 20 || hlen > len)
		return WIRE_EBADHLEN;
	for (i = 20; i < hlen;) {
		uint8_t kind = p[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 2 > hlen)
			return WIRE_EBADOPT;
		olen = p[i + 1];
		if (olen < 2 || i + olen > hlen)
			return WIRE_EBADOPT;
		switch (kind) {
		case 2:
			if (olen != 4)
				return WIRE_EBADOPT;
			break;
		case 3:
			if (olen != 3)
				return WIRE_EBADOPT;
			break;
		case 4:
			if (olen != 2)
				return WIRE_EBADOPT;
			break;
		case 8:
			if (olen != 10)
				return WIRE_EBADOPT;
			break;
		case 5:
			if (olen != 10 && olen != 18 && olen != 26 && olen != 34)
				return WIRE_EBADOPT;
			break;
		default:
			break;
		}
		i += olen;
	}
	return WIRE_OK;
}

/* Bytes the options other than SACK blocks take in the emitter's layout. */
static size_t
nosack_len(const struct wire_tcp_opts *o)
{
	size_t l = 0;

	if (o->present & WIRE_TCPO_MSS)
		l += 4;
	if (o->present & WIRE_TCPO_WSCALE)
		l += 4;
	if (o->present & WIRE_TCPO_TS)
		l += 12;
	else if (o->present & WIRE_TCPO_SACK_PERM)
		l += 4;
	return l;
}

/* What a parse of emit(@p in) must give: SACK blocks trimmed to what fits. */
static void
expected_after_emit(const struct wire_tcp_opts *in, struct wire_tcp_opts *out)
{
	unsigned n = 0, fit;

	memset(out, 0, sizeof(*out));
	out->present = in->present & (uint8_t)~WIRE_TCPO_SACK;
	if (in->present & WIRE_TCPO_MSS)
		out->mss = in->mss;
	if (in->present & WIRE_TCPO_WSCALE)
		out->wscale = in->wscale;
	if (in->present & WIRE_TCPO_TS) {
		out->tsval = in->tsval;
		out->tsecr = in->tsecr;
	}
	if (in->present & WIRE_TCPO_SACK) {
		fit = (unsigned)((MAX_OPT - nosack_len(in) - 4) / 8);
		n = in->nsack < WIRE_TCP_MAX_SACK ? in->nsack : WIRE_TCP_MAX_SACK;
		if (n > fit)
			n = fit;
	}
	if (n > 0) {
		out->present |= WIRE_TCPO_SACK;
		out->nsack = (uint8_t)n;
		memcpy(out->sack, in->sack, n * sizeof(in->sack[0]));
	}
}

static int
opts_eq(const struct wire_tcp_opts *a, const struct wire_tcp_opts *b)
{
	unsigned i;

	if (a->present != b->present)
		return 0;
	if ((a->present & WIRE_TCPO_MSS) && a->mss != b->mss)
		return 0;
	if ((a->present & WIRE_TCPO_WSCALE) && a->wscale != b->wscale)
		return 0;
	if ((a->present & WIRE_TCPO_TS) && (a->tsval != b->tsval || a->tsecr != b->tsecr))
		return 0;
	if (a->present & WIRE_TCPO_SACK) {
		if (a->nsack != b->nsack)
			return 0;
		for (i = 0; i < a->nsack; i++)
			if (a->sack[i].left != b->sack[i].left ||
			        a->sack[i].right != b->sack[i].right)
				return 0;
	}
	return 1;
}

static int
hdr_eq(const struct wire_tcp_repr *a, const struct wire_tcp_repr *b)
{
	return a->sport == b->sport && a->dport == b->dport && a->seq == b->seq &&
	       a->ack == b->ack && a->flags == b->flags && a->win == b->win && a->urg == b->urg;
}

/* emit(@p r), parse it back, compare; emit again, same bytes. */
static void
check_roundtrip(const struct wire_tcp_repr *r)
{
	static uint8_t out1[WIRE_TCP_MAXHLEN + 8], out2[WIRE_TCP_MAXHLEN + 8];
	struct wire_tcp_repr p1, p2;
	struct wire_tcp_opts want;
	size_t h1, h2;

	memset(out1, 0xee, sizeof(out1));
	h1 = wire_tcp_emit(out1, r);
	FUZZ_CHECK(h1 >= 20 && h1 <= WIRE_TCP_MAXHLEN && h1 % 4 == 0, "emit length %zu", h1);
	FUZZ_CHECK(h1 == 20 + wire_tcp_opts_len(&r->opts), "emit %zu != 20 + opts_len %zu", h1,
	        wire_tcp_opts_len(&r->opts));
	FUZZ_CHECK(out1[h1] == 0xee, "emit wrote past its length");
	FUZZ_CHECK(out1[16] == 0 && out1[17] == 0, "checksum field not zero");
	FUZZ_CHECK(wire_tcp_parse(out1, h1, &p1) == WIRE_OK, "parse(emit(r)) failed");
	FUZZ_CHECK(p1.hdr_len == h1, "hdr_len %u, emitted %zu", p1.hdr_len, h1);
	FUZZ_CHECK(hdr_eq(r, &p1), "header fields changed");
	expected_after_emit(&r->opts, &want);
	FUZZ_CHECK(opts_eq(&want, &p1.opts), "options changed: present %#x -> %#x, nsack %u -> %u",
	        r->opts.present, p1.opts.present, r->opts.nsack, p1.opts.nsack);
	h2 = wire_tcp_emit(out2, &p1);
	FUZZ_CHECK(h2 == h1 && memcmp(out1, out2, h1) == 0, "emit not idempotent");
	FUZZ_CHECK(wire_tcp_parse(out2, h2, &p2) == WIRE_OK && opts_eq(&p1.opts, &p2.opts),
	        "second round trip");
}

static uint32_t
ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A repr from raw input bytes, every option combination reachable. */
static void
repr_from_bytes(const uint8_t *d, size_t n, struct wire_tcp_repr *r)
{
	uint8_t tmp[64] = {0};
	unsigned i;

	memcpy(tmp, d, n < sizeof(tmp) ? n : sizeof(tmp));
	memset(r, 0, sizeof(*r));
	r->sport = (uint16_t)(tmp[0] << 8 | tmp[1]);
	r->dport = (uint16_t)(tmp[2] << 8 | tmp[3]);
	r->seq = ld32(tmp + 4);
	r->ack = ld32(tmp + 8);
	r->flags = tmp[12];
	r->win = (uint16_t)(tmp[13] << 8 | tmp[14]);
	r->urg = (uint16_t)(tmp[15] << 8 | tmp[16]);
	r->opts.present = tmp[17] & 0x1f;
	r->opts.mss = (uint16_t)(tmp[18] << 8 | tmp[19]);
	r->opts.wscale = tmp[20];
	r->opts.tsval = ld32(tmp + 21);
	r->opts.tsecr = ld32(tmp + 25);
	/* 0..7 blocks: the emitter must cope with a SACK bit and no blocks, and clamp > 4. */
	r->opts.nsack = (r->opts.present & WIRE_TCPO_SACK) ? (uint8_t)(tmp[29] & 7) : 0;
	for (i = 0; i < WIRE_TCP_MAX_SACK; i++) {
		r->opts.sack[i].left = ld32(tmp + 30 + 8 * (i % 4)) ^ i;
		r->opts.sack[i].right = r->opts.sack[i].left + tmp[31 + i];
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_tcp_repr r, rh;
	enum wire_err err, want;

	if (size >= 8) {
		uint32_t src = ld32(data), dst = ld32(data + 4);
		size_t n = size - 8 > 65535 ? 65535 : size - 8;
		uint8_t ph[12] = {data[0], data[1], data[2], data[3], data[4], data[5], data[6],
		        data[7], 0, WIRE_IPPROTO_TCP, (uint8_t)(n >> 8), (uint8_t)n};
		uint16_t ref = (uint16_t)~fuzz_ref_sum(fuzz_ref_sum(0, ph, 12), data + 8, n);

		FUZZ_CHECK(fuzz_ones_eq(wire_tcp_csum(src, dst, data + 8, n), ref), "tcp csum");
	}

	memset(&r, 0, sizeof(r));
	err = wire_tcp_parse(data, size, &r);
	want = ref_verdict(data, size);
	FUZZ_CHECK(err == want, "len %zu: err %d, expected %d", size, err, want);
	if (err == WIRE_OK) {
		FUZZ_CHECK(r.hdr_len >= 20 && r.hdr_len <= WIRE_TCP_MAXHLEN && r.hdr_len <= size &&
		                   r.hdr_len % 4 == 0,
		        "hdr_len %u, len %zu", r.hdr_len, size);
		FUZZ_CHECK(r.opts.nsack <= WIRE_TCP_MAX_SACK, "nsack %u", r.opts.nsack);
		FUZZ_CHECK(((r.opts.present & WIRE_TCPO_SACK) != 0) == (r.opts.nsack > 0),
		        "SACK bit %#x with %u blocks", r.opts.present, r.opts.nsack);
		FUZZ_CHECK((r.opts.present & ~0x1f) == 0, "present %#x", r.opts.present);
		FUZZ_CHECK(
		        r.flags == data[13] && r.seq == ld32(data + 4) && r.ack == ld32(data + 8),
		        "fixed fields");
		FUZZ_CHECK(wire_tcp_parse(data, r.hdr_len, &rh) == WIRE_OK, "header-only parse");
		FUZZ_CHECK(hdr_eq(&r, &rh) && rh.hdr_len == r.hdr_len && opts_eq(&r.opts, &rh.opts),
		        "payload changed the repr");
		check_roundtrip(&r);
	}

	repr_from_bytes(data, size, &r);
	check_roundtrip(&r);
	return 0;
}
