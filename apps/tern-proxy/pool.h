/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern-proxy's backend choice, as pure functions over arrays (no engine, no DPDK), so that
 * tests/unit/test_proxy_pool.c runs them alone:
 *   - smooth weighted round robin (pool_swrr_pick),
 *   - Maglev consistent hashing (pool_maglev_build, pool_maglev_lookup), after Eisenbud et
 *     al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016, §3.4,
 *   - client addresses: the one place that knows their type (pool_addr_*), hashing and
 *     CIDR matching, so that IPv6 slots in here.
 * Backends are indexed 0..n-1 (at most POOL_MAX); a 64-bit mask says which are eligible.
 */
#ifndef TERN_PROXY_POOL_H
#define TERN_PROXY_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most backends in a pool (one bit each in an eligibility mask). */
#define POOL_MAX         64
/** Largest backend weight. */
#define POOL_WEIGHT_MAX  100
/** Maglev lookup table size: a prime well above 100 x POOL_MAX (the paper's advice). */
#define POOL_MAGLEV_M    65537
/** A Maglev table entry with no backend (nothing eligible). */
#define POOL_MAGLEV_NONE 0xff

/**
 * Smooth weighted round robin: every eligible backend i gains weight[i] in @p cur, the
 * highest wins (the lowest index on a tie) and loses the sum of the eligible weights. Over
 * any run of W = sum(weights) picks each backend is chosen weight[i] times, spread out
 * rather than in bursts; equal weights give plain round robin from index 0.
 * @param cur running state, n entries, zero at start (kept by the caller)
 * @return the backend chosen, or -1 when none is eligible.
 */
int pool_swrr_pick(int64_t *cur, const uint32_t *weight, unsigned n, uint64_t eligible);

/**
 * Fill a Maglev lookup table of POOL_MAGLEV_M entries: backend i's preference list is the
 * permutation (offset_i + j * skip_i) mod M, offset and skip from two hashes of @p key[i]
 * (a stable name of the backend, so the table does not depend on the order of the list);
 * backends take turns claiming their next free preferred entry, weight[i] turns per round.
 * Ineligible backends take no turns; with none eligible every entry is POOL_MAGLEV_NONE.
 * @param next scratch of n entries
 */
void pool_maglev_build(uint8_t *table, uint32_t *next, const uint64_t *key, const uint32_t *weight,
        unsigned n, uint64_t eligible);

/** The table entry for client hash @p h. */
static inline uint8_t
pool_maglev_lookup(const uint8_t *table, uint64_t h)
{
	return table[h % POOL_MAGLEV_M];
}

/** A 64-bit hash of a string (the backend's "IP:PORT"), for pool_maglev_build's keys. */
uint64_t pool_name_key(const char *name);

/* ---- addresses ---- */

/** A client's or a rule's address: IPv4 in host order today. */
struct pool_addr {
	bool v6;        /**< IPv6 (b6), else IPv4 (v4) */
	uint32_t v4;    /**< IPv4, host order */
	uint8_t b6[16]; /**< IPv6, network order */
};

/** A CIDR rule: address and prefix length. */
struct pool_cidr {
	struct pool_addr addr;
	uint8_t len;
};

/** The client hash Maglev looks up (the address only: every port of a client maps alike). */
uint64_t pool_addr_hash(const struct pool_addr *a);

/** Parse "A.B.C.D" or "A.B.C.D/LEN" (a bare address is /32), or "X:X::X" or "X:X::X/LEN"
 *  (a bare address is /128). @return 0 or -1. */
int pool_cidr_parse(const char *s, struct pool_cidr *out);

/** True when @p a is inside @p c (never across families). */
bool pool_cidr_match(const struct pool_cidr *c, const struct pool_addr *a);

/** "A.B.C.D" or the IPv6 text form into @p buf (at least 46 bytes for IPv6). */
void pool_addr_format(const struct pool_addr *a, char *buf, size_t len);

/* ---- connections per client address, shared by the engines ---- */

/** Slots of the client table (a power of two). */
#define POOL_CLIENTS      65536
/** Slots looked at for one address, from its hash on. */
#define POOL_CLIENT_PROBE 64

/**
 * Open connections per client address, counted by every engine at once: open addressing,
 * each slot one 64-bit word (key << 32 | count) changed by compare-and-swap only, so no
 * lock; a slot whose count is 0 is free for any key. Zeroed memory is an empty table.
 * The key of an IPv4 client is its address; an IPv6 client is counted per /64 (one host
 * may use any address of its prefix), keyed by a 32-bit hash of the prefix: two prefixes
 * (or a prefix and an IPv4 address) that collide share a count (about one pair in 2^32).
 */
struct pool_clients {
	uint64_t slot[POOL_CLIENTS];
};

enum pool_client_verdict {
	POOL_CLIENT_OK,    /**< counted: pool_clients_del() it later */
	POOL_CLIENT_LIMIT, /**< the address has @p limit connections already: not counted */
	POOL_CLIENT_FULL,  /**< no slot free near its hash: not counted (and not limited) */
};

/** Count one more connection of @p a unless it has @p limit already. */
enum pool_client_verdict pool_clients_add(
        struct pool_clients *t, const struct pool_addr *a, uint32_t limit);

/** One connection of @p a (counted by pool_clients_add) is gone. */
void pool_clients_del(struct pool_clients *t, const struct pool_addr *a);

/** Connections of @p a now. */
uint32_t pool_clients_count(const struct pool_clients *t, const struct pool_addr *a);

#endif
