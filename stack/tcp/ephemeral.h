/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ephemeral (local address, port) choice for tern_connect() (ephemeral.c).
 *
 * Each engine of a port takes a disjoint share of the configured range [port_lo, port_hi]
 * so that no 4-tuple can be used, or held in TIME_WAIT, by two engines:
 * - without predictable RSS: an equal slice of the range (share_of());
 * - with predictable RSS: the whole range, but only the ports whose answer the NIC hashes
 *   to this engine's queue, which is a different set for every engine.
 * Candidates are the pairs (address, port) of the share, addresses varying fastest; a
 * cursor walks them round robin, so the candidate it offers is the one handed out longest
 * ago. A candidate is taken unless its 4-tuple toward the destination is in use: the key
 * is the full 4-tuple, so a port busy toward one destination is free toward another.
 */
#ifndef TERN_TCP_EPHEMERAL_H
#define TERN_TCP_EPHEMERAL_H

#include <stdbool.h>
#include <stdint.h>

#include <tern/tern.h>

#include "util/seq.h"

struct flow_key;
struct tcp_tw;
struct tern_engine;

/** Reuse policy for an active open onto a TIME_WAIT 4-tuple (tw_reuse_active()). */
typedef bool (*tcp_tw_reuse_fn)(struct tern_engine *e, struct tcp_tw *tw, tern_seq_t *iss);

struct tcp_ephemeral {
	uint16_t share_lo;  /**< first port of this engine's share */
	uint32_t share_len; /**< ports in the share (with RSS: the whole range) */
	uint32_t nsrc;      /**< local addresses: src[0] = conf.ip, then conf.src_ips */
	uint32_t src[1 + TERN_MAX_SRC_IPS];
	uint32_t total;           /**< candidates: share_len * nsrc */
	uint32_t cursor;          /**< next candidate, < total */
	tcp_tw_reuse_fn tw_reuse; /**< tw_reuse_active (tests may put a fake policy here) */
};

/** Slice @p i of @p n of the range [lo, hi]: first port and length (may be 0 when n > range). */
static inline void
share_of(uint16_t lo, uint16_t hi, unsigned i, unsigned n, uint16_t *first, uint32_t *len)
{
	uint32_t range = (uint32_t)hi - lo + 1;
	uint32_t a = (uint32_t)((uint64_t)range * i / n);
	uint32_t b = (uint32_t)((uint64_t)range * (i + 1) / n);

	*first = (uint16_t)(lo + a);
	*len = b - a;
}

/** Which slice of share_of() holds @p port: 0..n-1, or n when outside [lo, hi]. */
static inline unsigned
share_owner(uint16_t lo, uint16_t hi, unsigned n, uint16_t port)
{
	uint32_t range = (uint32_t)hi - lo + 1;

	if (port < lo || port > hi)
		return n;
	/* slice i starts at floor(range * i / n): the largest i whose start is <= port */
	return (unsigned)(((uint64_t)n * (uint32_t)(port - lo + 1) - 1) / range);
}

/** Set up from e->conf and e->steer. @return 0 or -EINVAL (empty share). */
int ephemeral_init(struct tern_engine *e);

/**
 * Choose the local address and port of @p k (raddr and rport set) for a new active open.
 * @return 0 with k->laddr / k->lport set; *iss_set tells whether a TIME_WAIT entry was
 *         reused (removed), whose policy gave *iss for the new connection; or
 *         -EADDRNOTAVAIL when every candidate of the share is busy toward k's destination.
 */
int ephemeral_pick(struct tern_engine *e, struct flow_key *k, tern_seq_t *iss, bool *iss_set);

/**
 * May this engine open from its own address and @p port toward @p dst : @p dport (an
 * explicit tern_connect() port)? With several engines the answers must reach it.
 */
bool ephemeral_port_ours(const struct tern_engine *e, uint32_t dst, uint16_t dport, uint16_t port);

#endif
