/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Toeplitz hash (RSS) from its definition, and per-byte tables. See toeplitz.h.
 */
#include "util/toeplitz.h"

/* The 32 key bits that start at bit @p bit (0 = most significant bit of key[0]). */
static uint32_t
key_window(const uint8_t *key, size_t key_len, size_t bit)
{
	size_t byte = bit / 8, i;
	unsigned shift = (unsigned)(bit % 8);
	uint64_t w = 0;

	/* Five bytes hold any 32-bit window; bytes past the key read as zero. */
	for (i = 0; i < 5; i++)
		w = w << 8 | (byte + i < key_len ? key[byte + i] : 0);
	return (uint32_t)(w >> (8 - shift));
}

uint32_t
toeplitz_hash(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len)
{
	uint32_t h = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++)
		for (b = 7; b >= 0; b--)
			if (in[i] >> b & 1)
				h ^= key_window(key, key_len, i * 8 + (size_t)(7 - b));
	return h;
}

void
toeplitz_tables(const uint8_t *key, size_t key_len, size_t nbytes, uint32_t (*t)[256])
{
	uint32_t w[8];
	size_t i;
	unsigned v, b;

	for (i = 0; i < nbytes; i++) {
		for (b = 0; b < 8; b++) /* w[b]: the window of the byte's bit (7 - b) */
			w[b] = key_window(key, key_len, i * 8 + (7 - b));
		for (v = 0; v < 256; v++) {
			uint32_t h = 0;
			for (b = 0; b < 8; b++)
				if (v >> b & 1)
					h ^= w[b];
			t[i][v] = h;
		}
	}
}
