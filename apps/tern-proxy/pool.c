/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend choice (pool.h): smooth weighted round robin and Maglev, pure functions.
 *
 * Maglev (NSDI 2016, §3.4, "Pseudo-code 1: Populate Maglev hashing lookup table"): with a
 * table of prime size M, backend i prefers the entries offset_i, offset_i + skip_i, ...
 * (mod M), where offset_i = h1(name_i) mod M and skip_i = h2(name_i) mod (M - 1) + 1 (M
 * prime: every skip visits every entry). Backends take turns; at its turn a backend claims
 * the first entry of its list not yet claimed. The table ends nearly balanced (each backend
 * holds M/N entries give or take one), and removing one of N backends moves little more than
 * that backend's own entries: the others keep their earlier claims except where the
 * departed one's turns used to get in their way. Weights give a backend that many turns per
 * round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "pool.h"

int
pool_swrr_pick(int64_t *cur, const uint32_t *weight, unsigned n, uint64_t eligible)
{
	int64_t total = 0;
	int best = -1;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!(eligible & (1ull << i)))
			continue;
		cur[i] += weight[i];
		total += weight[i];
		if (best < 0 || cur[i] > cur[best])
			best = (int)i;
	}
	if (best >= 0)
		cur[best] -= total;
	return best;
}

/* A 64-bit finaliser (Stafford's "mix13" constants of the splitmix64 generator). */
static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

uint64_t
pool_name_key(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then mixed */

	for (; *name != '\0'; name++) {
		h ^= (uint8_t)*name;
		h *= 0x100000001b3ull;
	}
	return mix64(h);
}

void
pool_maglev_build(uint8_t *table, uint32_t *next, const uint64_t *key, const uint32_t *weight,
        unsigned n, uint64_t eligible)
{
	uint32_t offset[POOL_MAX], skip[POOL_MAX];
	uint32_t filled = 0;
	unsigned i, w;

	memset(table, POOL_MAGLEV_NONE, POOL_MAGLEV_M);
	if (n > POOL_MAX)
		n = POOL_MAX;
	if (n < 64)
		eligible &= (1ull << n) - 1;
	if (eligible == 0)
		return;
	for (i = 0; i < n; i++) {
		offset[i] = (uint32_t)(mix64(key[i] ^ 0x6d61676c65763031ull) % POOL_MAGLEV_M);
		skip[i] =
		        (uint32_t)(mix64(key[i] ^ 0x6d61676c65763032ull) % (POOL_MAGLEV_M - 1)) + 1;
		next[i] = 0;
	}
	for (;;) {
		for (i = 0; i < n; i++) {
			if (!(eligible & (1ull << i)))
				continue;
			for (w = 0; w < weight[i]; w++) {
				uint32_t c;

				do {
					c = (uint32_t)((offset[i] + (uint64_t)next[i] * skip[i]) %
					               POOL_MAGLEV_M);
					next[i]++;
				} while (table[c] != POOL_MAGLEV_NONE);
				table[c] = (uint8_t)i;
				if (++filled == POOL_MAGLEV_M)
					return;
			}
		}
	}
}

static uint64_t
ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint64_t
pool_addr_hash(const struct pool_addr *a)
{
	if (a->v6)
		return mix64(mix64(ld64(a->b6) ^ 0x636c69656e743600ull) ^ ld64(a->b6 + 8));
	return mix64((uint64_t)a->v4 ^ 0x636c69656e740000ull);
}

/* The client table's key of @p a: the IPv4 address, or a hash of the IPv6 /64. */
static uint32_t
client_key(const struct pool_addr *a)
{
	return a->v6 ? (uint32_t)mix64(ld64(a->b6) ^ 0x2f3634ull) : a->v4;
}

int
pool_cidr_parse(const char *s, struct pool_cidr *out)
{
	char buf[64], *slash, *end;
	struct in_addr in;
	bool v6 = strchr(s, ':') != NULL;
	unsigned long len = v6 ? 128 : 32, i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	memset(out, 0, sizeof(*out));
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > (v6 ? 128u : 32u))
			return -1;
	}
	out->len = (uint8_t)len;
	if (v6) {
		if (inet_pton(AF_INET6, buf, out->addr.b6) != 1)
			return -1;
		out->addr.v6 = true;
		for (i = 0; i < 16; i++) /* host bits dropped */
			if (len <= i * 8)
				out->addr.b6[i] = 0;
			else if (len < i * 8 + 8)
				out->addr.b6[i] &= (uint8_t)(0xff00u >> (len - i * 8));
		return 0;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	out->addr.v4 = ntohl(in.s_addr);
	if (len < 32)
		out->addr.v4 &= len == 0 ? 0 : ~0u << (32 - len);
	return 0;
}

bool
pool_cidr_match(const struct pool_cidr *c, const struct pool_addr *a)
{
	unsigned i;

	if (a->v6 != c->addr.v6)
		return false;
	if (!a->v6)
		return (a->v4 & (c->len == 0 ? 0 : ~0u << (32 - c->len))) == c->addr.v4;
	for (i = 0; i < 16 && c->len > i * 8; i++) {
		uint8_t m = c->len >= i * 8 + 8 ? 0xff : (uint8_t)(0xff00u >> (c->len - i * 8));

		if ((a->b6[i] & m) != c->addr.b6[i])
			return false;
	}
	return true;
}

/* The slot of @p a with a count, or -1; *free_slot the first free one seen (or -1). */
static int
clients_find(const struct pool_clients *t, uint32_t key, int *free_slot)
{
	uint32_t h = (uint32_t)mix64((uint64_t)key ^ 0x636c69656e740000ull);
	unsigned i;

	*free_slot = -1;
	for (i = 0; i < POOL_CLIENT_PROBE; i++) {
		unsigned k = (h + i) & (POOL_CLIENTS - 1);
		uint64_t w = __atomic_load_n(&t->slot[k], __ATOMIC_ACQUIRE);

		if ((uint32_t)w == 0) {
			if (*free_slot < 0)
				*free_slot = (int)k;
		} else if ((uint32_t)(w >> 32) == key) {
			return (int)k;
		}
	}
	return -1;
}

enum pool_client_verdict
pool_clients_add(struct pool_clients *t, const struct pool_addr *a, uint32_t limit)
{
	for (;;) {
		uint32_t key = client_key(a);
		int free_slot, k = clients_find(t, key, &free_slot);
		uint64_t w, nw;

		if (k < 0) {
			if (free_slot < 0)
				return POOL_CLIENT_FULL;
			if (limit == 0)
				return POOL_CLIENT_LIMIT;
			k = free_slot;
			w = __atomic_load_n(&t->slot[k], __ATOMIC_ACQUIRE);
			if ((uint32_t)w != 0)
				continue; /* taken meanwhile */
			nw = (uint64_t)key << 32 | 1;
		} else {
			w = __atomic_load_n(&t->slot[k], __ATOMIC_ACQUIRE);
			if ((uint32_t)(w >> 32) != key || (uint32_t)w == 0)
				continue; /* freed or taken meanwhile */
			if ((uint32_t)w >= limit)
				return POOL_CLIENT_LIMIT;
			nw = w + 1;
		}
		if (__atomic_compare_exchange_n(
		            &t->slot[k], &w, nw, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return POOL_CLIENT_OK;
	}
}

void
pool_clients_del(struct pool_clients *t, const struct pool_addr *a)
{
	int free_slot, k = clients_find(t, client_key(a), &free_slot);

	if (k >= 0)
		__atomic_fetch_sub(&t->slot[k], 1, __ATOMIC_ACQ_REL);
}

uint32_t
pool_clients_count(const struct pool_clients *t, const struct pool_addr *a)
{
	int free_slot, k = clients_find(t, client_key(a), &free_slot);

	return k < 0 ? 0 : (uint32_t)__atomic_load_n(&t->slot[k], __ATOMIC_ACQUIRE);
}

void
pool_addr_format(const struct pool_addr *a, char *buf, size_t len)
{
	if (a->v6) {
		if (inet_ntop(AF_INET6, a->b6, buf, (socklen_t)len) == NULL && len > 0)
			buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "%u.%u.%u.%u", a->v4 >> 24, (a->v4 >> 16) & 0xff, (a->v4 >> 8) & 0xff,
	        a->v4 & 0xff);
}
