/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Shared helpers of the libFuzzer targets: invariant checks that abort (so that libFuzzer
 * saves the input as a crash) and a plain RFC 1071 reference checksum to compare the
 * optimised one against.
 */
#ifndef TERN_FUZZ_COMMON_H
#define TERN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/** libFuzzer's entry points (no header ships with clang). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/** Abort with a message when invariant @p cond does not hold. */
#define FUZZ_CHECK(cond, ...)                                                             \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ", __FILE__, \
			        __LINE__, #cond);                                         \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

/** One's complement sum of @p len bytes as big-endian 16-bit words, 16 bits at a time
 *  (RFC 1071 §4.1, the slow obvious way), folded but not complemented. */
static inline uint16_t
fuzz_ref_sum(uint32_t start, const uint8_t *p, size_t len)
{
	uint64_t s = start;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/** Equal as one's complement numbers (0x0000 and 0xffff are both zero). */
static inline int
fuzz_ones_eq(uint16_t a, uint16_t b)
{
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

#endif
