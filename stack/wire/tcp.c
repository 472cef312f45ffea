/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP header (RFC 9293 §3.1) and options (RFC 9293 §3.2, RFC 7323, RFC 2018):
 *   sport(2) dport(2) seq(4) ack(4) off/rsvd(1) flags(1) win(2) csum(2) urg(2) [options]
 *
 * Options parsed: EOL, NOP, MSS (2,4), WSCALE (3,3), SACK_PERM (4,2), SACK (5,2+8n),
 * TS (8,10). Any other kind is skipped by its length byte.
 *
 * Emitted option layout (each group is a multiple of 4 bytes, so no trailing padding):
 *   MSS                        02 04 mm mm
 *   WSCALE                     01 03 03 ws
 *   SACK_PERM + TS             04 02 08 0a <tsval> <tsecr>
 *   TS alone                   01 01 08 0a <tsval> <tsecr>
 *   SACK_PERM alone            01 01 04 02
 *   SACK (n blocks)            01 01 05 2+8n <left right>*n
 * The option space is 40 bytes; SACK blocks that would not fit are dropped from the end
 * (with TS, at most 3 blocks fit; RFC 2018 §3).
 */
#include <string.h>

#include "csum.h"
#include "ipv4.h"
#include "tcp.h"
#include "bytes.h"

#define TCP_MAX_OPTLEN     (WIRE_TCP_MAXHLEN - WIRE_TCP_HLEN)
#define TCPOLEN_MSS        4
#define TCPOLEN_WSCALE     3
#define TCPOLEN_SACK_PERM  2
#define TCPOLEN_TS         10
#define TCPOLEN_SACK_BASE  2
#define TCPOLEN_SACK_BLOCK 8
/* The first option word of nearly every segment of a connection with timestamps. */
#define TCP_NOP_NOP_TS                                                       \
	((uint32_t)WIRE_TCPOPT_NOP << 24 | (uint32_t)WIRE_TCPOPT_NOP << 16 | \
	        (uint32_t)WIRE_TCPOPT_TS << 8 | TCPOLEN_TS)

/* Check the length of a known option and store its value. @p o points at the kind byte. */
static enum wire_err
parse_opt(const uint8_t *o, uint8_t olen, struct wire_tcp_opts *opts)
{
	unsigned int i, n;

	switch (o[0]) {
	case WIRE_TCPOPT_MSS:
		if (olen != TCPOLEN_MSS)
			return WIRE_EBADOPT;
		opts->mss = ld16(o + 2);
		opts->present |= WIRE_TCPO_MSS;
		break;
	case WIRE_TCPOPT_WSCALE:
		if (olen != TCPOLEN_WSCALE)
			return WIRE_EBADOPT;
		opts->wscale = o[2]; /* raw; the > 14 clamp of RFC 7323 §2.3 is the caller's */
		opts->present |= WIRE_TCPO_WSCALE;
		break;
	case WIRE_TCPOPT_SACK_PERM:
		if (olen != TCPOLEN_SACK_PERM)
			return WIRE_EBADOPT;
		opts->present |= WIRE_TCPO_SACK_PERM;
		break;
	case WIRE_TCPOPT_TS:
		if (olen != TCPOLEN_TS)
			return WIRE_EBADOPT;
		opts->tsval = ld32(o + 2);
		opts->tsecr = ld32(o + 6);
		opts->present |= WIRE_TCPO_TS;
		break;
	case WIRE_TCPOPT_SACK:
		if (olen < TCPOLEN_SACK_BASE + TCPOLEN_SACK_BLOCK ||
		        (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK != 0)
			return WIRE_EBADOPT;
		n = (olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK;
		if (n > WIRE_TCP_MAX_SACK)
			return WIRE_EBADOPT;
		for (i = 0; i < n; i++) {
			const uint8_t *b = o + TCPOLEN_SACK_BASE + i * TCPOLEN_SACK_BLOCK;

			opts->sack[i].left = ld32(b);
			opts->sack[i].right = ld32(b + 4);
		}
		opts->nsack = (uint8_t)n;
		opts->present |= WIRE_TCPO_SACK;
		break;
	default:
		break; /* unknown kind: skipped */
	}
	return WIRE_OK;
}

/*
 * Both ports from the header's first word @p w (host order: source << 16 | destination),
 * in one 32-bit store: a reader that loads both at once (a flow key) is forwarded from it,
 * where two 16-bit stores would make that load wait until they reached the cache.
 */
static inline void
put_ports(struct wire_tcp_repr *r, uint32_t w)
{
	_Static_assert(offsetof(struct wire_tcp_repr, dport) ==
	                       offsetof(struct wire_tcp_repr, sport) + sizeof(r->sport),
	        "the ports are adjacent");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = w >> 16 | w << 16; /* sport at the lower address */
#endif
	memcpy(&r->sport, &w, sizeof(w));
}

enum wire_err
wire_tcp_parse(const void *buf, size_t len, struct wire_tcp_repr *r)
{
	const uint8_t *p = buf;
	size_t hlen, i;
	enum wire_err err;

	if (len < WIRE_TCP_HLEN)
		return WIRE_ETRUNC;
	hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < WIRE_TCP_HLEN || hlen > len)
		return WIRE_EBADHLEN;

	put_ports(r, ld32(p));
	r->seq = ld32(p + 4);
	r->ack = ld32(p + 8);
	r->hdr_len = (uint8_t)hlen;
	r->flags = p[13];
	r->win = ld16(p + 14);
	r->urg = ld16(p + 18);
	memset(&r->opts, 0, sizeof(r->opts));

	/* The layout of nearly every segment of a connection with timestamps, NOP NOP TS
	 * (RFC 7323 Appendix A): read at once, with the result the loop below would give. */
	if (hlen == WIRE_TCP_HLEN + 12 && ld32(p + WIRE_TCP_HLEN) == TCP_NOP_NOP_TS) {
		r->opts.tsval = ld32(p + WIRE_TCP_HLEN + 4);
		r->opts.tsecr = ld32(p + WIRE_TCP_HLEN + 8);
		r->opts.present = WIRE_TCPO_TS;
		return WIRE_OK;
	}
	/* The layouts senders use (this file's, Linux's, the BSDs') are 4-byte words: MSS,
	 * NOP+WSCALE, NOP+NOP+SACK_PERM, and TS behind NOP+NOP or SACK_PERM. Taken a word at a
	 * time while they last; the general loop below goes on from where they stop. Each word
	 * is one the general loop would accept with the same result (every length fits in
	 * the header: i + 4 <= hlen, and i + 12 <= hlen for a timestamp). */
	i = WIRE_TCP_HLEN;
	while (i + 4 <= hlen) {
		uint32_t w = ld32(p + i);

		if ((w >> 16) == (WIRE_TCPOPT_MSS << 8 | TCPOLEN_MSS)) {
			r->opts.mss = (uint16_t)w;
			r->opts.present |= WIRE_TCPO_MSS;
		} else if ((w >> 8) ==
		           (WIRE_TCPOPT_NOP << 16 | WIRE_TCPOPT_WSCALE << 8 | TCPOLEN_WSCALE)) {
			r->opts.wscale = (uint8_t)w;
			r->opts.present |= WIRE_TCPO_WSCALE;
		} else if (w == (WIRE_TCPOPT_NOP << 24 | WIRE_TCPOPT_NOP << 16 |
		                        WIRE_TCPOPT_SACK_PERM << 8 | TCPOLEN_SACK_PERM)) {
			r->opts.present |= WIRE_TCPO_SACK_PERM;
		} else if ((w & 0xffff) == (WIRE_TCPOPT_TS << 8 | TCPOLEN_TS) &&
		           ((w >> 16) == (WIRE_TCPOPT_NOP << 8 | WIRE_TCPOPT_NOP) ||
		                   (w >> 16) == (WIRE_TCPOPT_SACK_PERM << 8 | TCPOLEN_SACK_PERM)) &&
		           i + 12 <= hlen) {
			if ((w >> 16) != (WIRE_TCPOPT_NOP << 8 | WIRE_TCPOPT_NOP))
				r->opts.present |= WIRE_TCPO_SACK_PERM;
			r->opts.tsval = ld32(p + i + 4);
			r->opts.tsecr = ld32(p + i + 8);
			r->opts.present |= WIRE_TCPO_TS;
			i += 8;
		} else {
			break;
		}
		i += 4;
	}
	while (i < hlen) {
		uint8_t kind = p[i], olen;

		if (kind == WIRE_TCPOPT_EOL)
			break;
		if (kind == WIRE_TCPOPT_NOP) {
			i++;
			continue;
		}
		/* Every other kind has a length byte counting kind and length. */
		if (i + 1 >= hlen)
			return WIRE_EBADOPT;
		olen = p[i + 1];
		if (olen < 2 || olen > hlen - i)
			return WIRE_EBADOPT;
		err = parse_opt(p + i, olen, &r->opts);
		if (err != WIRE_OK)
			return err;
		i += olen;
	}
	return WIRE_OK;
}

/* Number of SACK blocks the emitter writes for @p o, given the room left by the others. */
static unsigned int
emit_nsack(const struct wire_tcp_opts *o, size_t others)
{
	unsigned int n;

	if (!(o->present & WIRE_TCPO_SACK))
		return 0;
	n = o->nsack < WIRE_TCP_MAX_SACK ? o->nsack : WIRE_TCP_MAX_SACK;
	while (n > 0 && others + 4 + n * TCPOLEN_SACK_BLOCK > TCP_MAX_OPTLEN)
		n--;
	return n;
}

/* Length of every option except SACK blocks. */
static size_t
opts_len_nosack(const struct wire_tcp_opts *o)
{
	size_t l = 0;

	if (o->present & WIRE_TCPO_MSS)
		l += 4;
	if (o->present & WIRE_TCPO_WSCALE)
		l += 4;
	if (o->present & WIRE_TCPO_TS)
		l += 12; /* SACK_PERM or NOP,NOP, then TS */
	else if (o->present & WIRE_TCPO_SACK_PERM)
		l += 4;
	return l;
}

size_t
wire_tcp_opts_len(const struct wire_tcp_opts *o)
{
	size_t l = opts_len_nosack(o);
	unsigned int n = emit_nsack(o, l);

	if (n > 0)
		l += 4 + n * TCPOLEN_SACK_BLOCK;
	return l;
}

size_t
wire_tcp_emit(void *buf, const struct wire_tcp_repr *r)
{
	const struct wire_tcp_opts *o = &r->opts;
	uint8_t *p = buf;
	uint8_t *q = p + WIRE_TCP_HLEN;
	unsigned int i, n;
	size_t hlen;

	if (o->present & WIRE_TCPO_MSS) {
		q[0] = WIRE_TCPOPT_MSS;
		q[1] = TCPOLEN_MSS;
		st16(q + 2, o->mss);
		q += 4;
	}
	if (o->present & WIRE_TCPO_WSCALE) {
		q[0] = WIRE_TCPOPT_NOP;
		q[1] = WIRE_TCPOPT_WSCALE;
		q[2] = TCPOLEN_WSCALE;
		q[3] = o->wscale;
		q += 4;
	}
	if (o->present & WIRE_TCPO_TS) {
		if (o->present & WIRE_TCPO_SACK_PERM) {
			q[0] = WIRE_TCPOPT_SACK_PERM;
			q[1] = TCPOLEN_SACK_PERM;
		} else {
			q[0] = WIRE_TCPOPT_NOP;
			q[1] = WIRE_TCPOPT_NOP;
		}
		q[2] = WIRE_TCPOPT_TS;
		q[3] = TCPOLEN_TS;
		st32(q + 4, o->tsval);
		st32(q + 8, o->tsecr);
		q += 12;
	} else if (o->present & WIRE_TCPO_SACK_PERM) {
		q[0] = WIRE_TCPOPT_NOP;
		q[1] = WIRE_TCPOPT_NOP;
		q[2] = WIRE_TCPOPT_SACK_PERM;
		q[3] = TCPOLEN_SACK_PERM;
		q += 4;
	}
	n = emit_nsack(o, (size_t)(q - (p + WIRE_TCP_HLEN)));
	if (n > 0) {
		q[0] = WIRE_TCPOPT_NOP;
		q[1] = WIRE_TCPOPT_NOP;
		q[2] = WIRE_TCPOPT_SACK;
		q[3] = (uint8_t)(TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_BLOCK);
		q += 4;
		for (i = 0; i < n; i++) {
			st32(q, o->sack[i].left);
			st32(q + 4, o->sack[i].right);
			q += TCPOLEN_SACK_BLOCK;
		}
	}
	hlen = (size_t)(q - p);

	st16(p, r->sport);
	st16(p + 2, r->dport);
	st32(p + 4, r->seq);
	st32(p + 8, r->ack);
	p[12] = (uint8_t)((hlen / 4) << 4);
	p[13] = r->flags;
	st16(p + 14, r->win);
	st16(p + WIRE_TCP_CSUM_OFF, 0);
	st16(p + 18, r->urg);
	return hlen;
}

uint16_t
wire_tcp_csum(uint32_t src, uint32_t dst, const void *seg, size_t len)
{
	uint32_t sum = wire_csum_pseudo4(src, dst, WIRE_IPPROTO_TCP, (uint16_t)len);

	return wire_csum_fold(wire_csum_add(sum, seg, len));
}
