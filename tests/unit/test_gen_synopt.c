/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for apps/tern-gen/synopt.c: the SYN options of the client stacks tern-gen's
 * realistic SYN flood mimics, read back by tern's own TCP parser (stack/wire/tcp.c), and
 * the timestamp option finder of tern-gen's verdict.
 *
 * Expected values are those of each stack's SYN as the profile's comment states them;
 * the TSval's low six bits must be what a cookie target encodes for those options
 * (wscale, 15 = none; SACK bit 4: docs/SYNFLOOD.md), since the verdict's TS test relies
 * on it. The timestamp fixtures are hand-made option lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "synopt.h"
#include "wire/tcp.h"
#include "wire/wire.h"

struct want {
	uint16_t mss;
	int wscale; /* -1 = none */
	bool sack;
	bool ts;
};

static const struct want wants[GEN_OS_MAX] = {
        [GEN_OS_LINUX] = {.mss = 1460, .wscale = 7, .sack = true, .ts = true},
        [GEN_OS_WINDOWS] = {.mss = 1460, .wscale = 8, .sack = true, .ts = false},
        [GEN_OS_MOBILE] = {.mss = 1400, .wscale = 6, .sack = true, .ts = true},
};

/* A SYN header with @p os's options, parsed by the stack. */
static void
parse_syn(enum gen_os os, uint32_t tsval, struct wire_tcp_repr *r)
{
	uint8_t seg[20 + GEN_SYNOPT_MAX] = {0};
	unsigned n = gen_syn_options(os, tsval, seg + 20);

	assert_int_equal(n % 4, 0);
	assert_true(n <= GEN_SYNOPT_MAX);
	seg[12] = (uint8_t)(((20 + n) / 4) << 4);
	seg[13] = WIRE_TCP_SYN;
	assert_int_equal(wire_tcp_parse(seg, 20 + n, r), WIRE_OK);
}

static void
test_profiles(void **state)
{
	unsigned os;

	(void)state;
	for (os = 0; os < GEN_OS_MAX; os++) {
		const struct gen_syn_profile *p = gen_syn_profile(os);
		const struct want *w = &wants[os];
		struct wire_tcp_repr r;
		uint8_t bits;

		parse_syn(os, 0x12345678, &r);
		assert_true(r.opts.present & WIRE_TCPO_MSS);
		assert_int_equal(r.opts.mss, w->mss);
		assert_int_equal(!!(r.opts.present & WIRE_TCPO_WSCALE), w->wscale >= 0);
		if (w->wscale >= 0)
			assert_int_equal(r.opts.wscale, w->wscale);
		assert_int_equal(!!(r.opts.present & WIRE_TCPO_SACK_PERM), w->sack);
		assert_int_equal(!!(r.opts.present & WIRE_TCPO_TS), w->ts);
		assert_int_equal(p->ts_off >= 0, w->ts);
		if (!w->ts) {
			assert_int_equal(p->ts_bits, 0xff);
			continue;
		}
		/* What a cookie target keeps in its TSval's low bits for these options. */
		bits = (uint8_t)((w->wscale >= 0 ? w->wscale : 15) | (w->sack ? 1 << 4 : 0));
		assert_int_equal(p->ts_bits, bits);
		assert_int_equal(r.opts.tsval, (0x12345678u & ~0x3fu) | bits);
		assert_int_equal(r.opts.tsecr, 0);
	}
	assert_string_equal(gen_syn_profile(GEN_OS_LINUX)->name, "linux");
	assert_string_equal(gen_syn_profile(GEN_OS_WINDOWS)->name, "windows");
	assert_string_equal(gen_syn_profile(GEN_OS_MOBILE)->name, "mobile");
	assert_int_equal(gen_syn_profile(GEN_OS_LINUX)->ttl, 64);
	assert_int_equal(gen_syn_profile(GEN_OS_WINDOWS)->ttl, 128);
}

/* gen_tcp_ts reads back what each profile wrote. */
static void
test_ts_roundtrip(void **state)
{
	uint8_t opt[GEN_SYNOPT_MAX];
	uint32_t val = 0, ecr = 1;
	unsigned os, n;

	(void)state;
	for (os = 0; os < GEN_OS_MAX; os++) {
		n = gen_syn_options(os, 0xdeadbeef, opt);
		if (gen_syn_profile(os)->ts_off < 0) {
			assert_false(gen_tcp_ts(opt, n, &val, &ecr));
			continue;
		}
		assert_true(gen_tcp_ts(opt, n, &val, &ecr));
		assert_int_equal(val, (0xdeadbeefu & ~0x3fu) | gen_syn_profile(os)->ts_bits);
		assert_int_equal(ecr, 0);
	}
}

static void
test_ts_find(void **state)
{
	/* NOP, NOP, TS (a SYN-ACK's usual layout after MSS) */
	static const uint8_t nop_ts[] = {2, 4, 5, 0xb4, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
	/* EOL before the TS: the list ends there */
	static const uint8_t eol_ts[] = {0, 0, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
	/* TS cut short by the header's end */
	static const uint8_t cut_ts[] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6};
	/* an option whose length runs past the end */
	static const uint8_t long_opt[] = {2, 40, 5, 0xb4, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
	/* a length below 2 */
	static const uint8_t zero_len[] = {3, 0, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
	/* TS with a wrong length is not a TS */
	static const uint8_t bad_ts[] = {8, 6, 1, 2, 3, 4, 1, 1};
	uint32_t val = 0, ecr = 0;

	(void)state;
	assert_true(gen_tcp_ts(nop_ts, sizeof(nop_ts), &val, &ecr));
	assert_int_equal(val, 0x01020304);
	assert_int_equal(ecr, 0x05060708);
	assert_false(gen_tcp_ts(eol_ts, sizeof(eol_ts), &val, &ecr));
	assert_false(gen_tcp_ts(cut_ts, sizeof(cut_ts), &val, &ecr));
	assert_false(gen_tcp_ts(long_opt, sizeof(long_opt), &val, &ecr));
	assert_false(gen_tcp_ts(zero_len, sizeof(zero_len), &val, &ecr));
	assert_false(gen_tcp_ts(bad_ts, sizeof(bad_ts), &val, &ecr));
	assert_false(gen_tcp_ts(nop_ts, 0, &val, &ecr));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_profiles),
	        cmocka_unit_test(test_ts_roundtrip),
	        cmocka_unit_test(test_ts_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
