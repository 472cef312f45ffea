/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookie micro-benchmark: ns per operation of the listen path's cookie calls.
 *
 * Method: N = 2^20 operations per run over N different 4-tuples and peer ISNs (prepared
 * beforehand, not timed), median of REPS runs, CLOCK_MONOTONIC around the whole loop.
 *  - make: syncookie_make() with timestamps and options (the common SYN);
 *  - make (cold cache): the same on a context never rotated (keys derived on the fly);
 *  - check valid: syncookie_check() of the N cookies made above (one SipHash each);
 *  - check forged: random ack values, as in an ACK flood (half are rejected on the
 *    counter field without hashing);
 *  - tsval: syncookie_tsval();
 *  - rotate: syncookie_rotate() within a period (the per-poll cost).
 * Results are summed into a volatile sink so the compiler cannot drop the calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "tcp/syncookie.h"

#define N    (1u << 20)
#define REPS 5
#define NOW  (UINT64_C(1000) * SYNCOOKIE_PERIOD_MS + 4321)

struct bench {
	struct syncookie_ctx ctx, cold;
	struct syncookie_tuple *t;
	uint32_t *isn;
	uint32_t *cookie;
	uint32_t *junk;
	struct syncookie_opts o;
};

static volatile uint64_t sink;

/* The median of the REPS runs of one figure. */
static double
median(double *v)
{
	return bench_median(v, REPS);
}

static double
run_make(struct bench *b, const struct syncookie_ctx *ctx)
{
	uint64_t t0 = now_ns(), s = 0;

	for (uint32_t i = 0; i < N; i++)
		s += b->cookie[i] = syncookie_make(ctx, &b->t[i], b->isn[i], &b->o, NOW, NULL);
	sink += s;
	return (double)(now_ns() - t0) / N;
}

static double
run_check(struct bench *b, const uint32_t *acks_minus_1, unsigned *ok)
{
	uint32_t tsecr = syncookie_tsval(123456789, &b->o);
	struct syncookie_result r;
	uint64_t t0 = now_ns();
	unsigned n = 0;

	for (uint32_t i = 0; i < N; i++)
		n += syncookie_check(&b->ctx, &b->t[i], acks_minus_1[i] + 1, b->isn[i] + 1, true,
		             tsecr, NOW + 1000, &r) == SYNCOOKIE_OK;
	*ok = n;
	return (double)(now_ns() - t0) / N;
}

static double
run_tsval(struct bench *b)
{
	uint64_t t0 = now_ns(), s = 0;

	for (uint32_t i = 0; i < N; i++)
		s += syncookie_tsval(b->isn[i], &b->o);
	sink += s;
	return (double)(now_ns() - t0) / N;
}

static double
run_rotate(struct bench *b)
{
	uint64_t t0 = now_ns();

	for (uint32_t i = 0; i < N; i++)
		syncookie_rotate(&b->ctx, NOW + (i & 1023));
	sink += b->ctx.key[0].k0;
	return (double)(now_ns() - t0) / N;
}

int
main(void)
{
	static const uint64_t secret[2] = {
	        UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344)};
	double mk[REPS], mc[REPS], cv[REPS], cf[REPS], tv[REPS], ro[REPS];
	unsigned ok_valid = 0, ok_forged = 0;
	uint64_t seed = 2024;
	struct bench *b;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return 1;
	b->t = calloc(N, sizeof(*b->t));
	b->isn = calloc(N, sizeof(*b->isn));
	b->cookie = calloc(N, sizeof(*b->cookie));
	b->junk = calloc(N, sizeof(*b->junk));
	if (!b->t || !b->isn || !b->cookie || !b->junk)
		return 1;
	for (uint32_t i = 0; i < N; i++) {
		uint64_t v = rnd(&seed);

		b->t[i] = (struct syncookie_tuple){.laddr = 0xc0a80001,
		        .raddr = (uint32_t)v,
		        .lport = 80,
		        .rport = (uint16_t)(v >> 32)};
		b->isn[i] = (uint32_t)rnd(&seed);
		b->junk[i] = (uint32_t)rnd(&seed);
	}
	b->o = (struct syncookie_opts){.mss = 1460, .wscale = 7, .sack = true, .ts = true};
	syncookie_init(&b->ctx, secret);
	syncookie_rotate(&b->ctx, NOW);
	syncookie_init(&b->cold, secret);

	for (int r = 0; r < REPS; r++) {
		mc[r] = run_make(b, &b->cold);
		mk[r] = run_make(b, &b->ctx);
		cv[r] = run_check(b, b->cookie, &ok_valid);
		cf[r] = run_check(b, b->junk, &ok_forged);
		tv[r] = run_tsval(b);
		ro[r] = run_rotate(b);
	}
	if (ok_valid != N) {
		fprintf(stderr, "bench: %u of %u valid cookies accepted\n", ok_valid, N);
		return 1;
	}
	printf("syncookie: median of %d runs of %u operations\n", REPS, N);
	printf("%-36s %10s\n", "operation", "ns/op");
	printf("%-36s %10.1f\n", "make (cached keys)", median(mk));
	printf("%-36s %10.1f\n", "make (cold: keys derived each call)", median(mc));
	printf("%-36s %10.1f\n", "check, valid cookie", median(cv));
	printf("%-36s %10.1f\n", "check, random ack (forged)", median(cf));
	printf("%-36s %10.1f\n", "tsval", median(tv));
	printf("%-36s %10.1f\n", "rotate (nothing to do)", median(ro));
	printf("forged acks accepted: %u of %u\n", ok_forged, N);

	free(b->junk);
	free(b->cookie);
	free(b->isn);
	free(b->t);
	free(b);
	return 0;
}
