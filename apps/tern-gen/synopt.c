/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SYN of each client stack (the usual defaults of current releases, from their
 * documentation and what they put on the wire), and the timestamp option of a segment.
 */
#include <string.h>

#include "synopt.h"

#define OPT_EOL   0
#define OPT_NOP   1
#define OPT_MSS   2
#define OPT_WS    3
#define OPT_SACKP 4
#define OPT_TS    8

static const struct gen_syn_profile profiles[GEN_OS_MAX] = {
        /* Linux: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 */
        [GEN_OS_LINUX] = {.name = "linux",
                .opt = {OPT_MSS, 4, 0x05, 0xb4, OPT_SACKP, 2, OPT_TS, 10, 0, 0, 0, 0, 0, 0, 0, 0,
                        OPT_NOP, OPT_WS, 3, 7},
                .optlen = 20,
                .ts_off = 8,
                .win = 64240,
                .ttl = 64,
                .ts_bits = 7 | 1 << 4},
        /* Windows: MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted; no timestamps */
        [GEN_OS_WINDOWS] = {.name = "windows",
                .opt = {OPT_MSS, 4, 0x05, 0xb4, OPT_NOP, OPT_WS, 3, 8, OPT_NOP, OPT_NOP, OPT_SACKP,
                        2},
                .optlen = 12,
                .ts_off = -1,
                .win = 64240,
                .ttl = 128,
                .ts_bits = 0xff},
        /* Mobile (iOS-like on a cellular path): MSS 1400, NOP, window scale 6, NOP, NOP,
         * timestamps, SACK permitted, EOL, EOL */
        [GEN_OS_MOBILE] = {.name = "mobile",
                .opt = {OPT_MSS, 4, 0x05, 0x78, OPT_NOP, OPT_WS, 3, 6, OPT_NOP, OPT_NOP, OPT_TS, 10,
                        0, 0, 0, 0, 0, 0, 0, 0, OPT_SACKP, 2, OPT_EOL, OPT_EOL},
                .optlen = 24,
                .ts_off = 12,
                .win = 65535,
                .ttl = 64,
                .ts_bits = 6 | 1 << 4},
};

const struct gen_syn_profile *
gen_syn_profile(enum gen_os os)
{
	return &profiles[(unsigned)os < GEN_OS_MAX ? os : GEN_OS_LINUX];
}

unsigned
gen_syn_options(enum gen_os os, uint32_t tsval, uint8_t *buf)
{
	const struct gen_syn_profile *p = gen_syn_profile(os);

	memcpy(buf, p->opt, p->optlen);
	if (p->ts_off >= 0) {
		tsval = (tsval & ~0x3fu) | p->ts_bits;
		buf[p->ts_off] = (uint8_t)(tsval >> 24);
		buf[p->ts_off + 1] = (uint8_t)(tsval >> 16);
		buf[p->ts_off + 2] = (uint8_t)(tsval >> 8);
		buf[p->ts_off + 3] = (uint8_t)tsval;
		memset(&buf[p->ts_off + 4], 0, 4);
	}
	return p->optlen;
}

static uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool
gen_tcp_ts(const uint8_t *opt, unsigned len, uint32_t *val, uint32_t *ecr)
{
	unsigned i = 0;

	while (i < len) {
		if (opt[i] == OPT_EOL)
			break;
		if (opt[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == OPT_TS && opt[i + 1] == 10) {
			*val = be32(&opt[i + 2]);
			*ecr = be32(&opt[i + 6]);
			return true;
		}
		i += opt[i + 1];
	}
	return false;
}
