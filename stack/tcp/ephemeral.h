/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ephemeral (local address, port) choice for tern_connect() (ephemeral.c).
 *
 * An engine opens only from 4-tuples it owns by the steering rule (engine_owns()), so no
 * 4-tuple can be used, or held in TIME_WAIT, by two engines:
 * - software and rte_flow: the engine's own equal block of [port_lo, port_hi]
 *   (share_of()), every port of which it owns;
 * - rss: the whole range, skipping candidates whose 4-tuple toward the destination the
 *   NIC's hash gives to another engine (a different set for every engine).
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
#include "util/share.h"

struct flow_key;
struct tcp_tw;
struct tern_engine;

/** Reuse policy for an active open onto a TIME_WAIT 4-tuple (tw_reuse_active()). */
typedef bool (*tcp_tw_reuse_fn)(struct tern_engine *e, struct tcp_tw *tw, tern_seq_t *iss);

struct tcp_ephemeral {
	uint16_t share_lo;  /**< first port of this engine's share */
	uint32_t share_len; /**< ports in the share (under rss: the whole range) */
	uint32_t nsrc;      /**< local addresses: src[0] = conf.ip, then conf.src_ips */
	uint32_t src[1 + TERN_MAX_SRC_IPS];
	uint32_t total;           /**< candidates: share_len * nsrc */
	uint32_t cursor;          /**< next candidate, < total */
	tcp_tw_reuse_fn tw_reuse; /**< tw_reuse_active (tests may put a fake policy here) */
};

/** Set up from e->conf and the engine's port share. @return 0 or -EINVAL (empty share). */
int ephemeral_init(struct tern_engine *e);

/**
 * Choose the local address and port of @p k (raddr and rport set) for a new active open;
 * an IPv6 key (laddr already FLOW_L6_GLOBAL or FLOW_L6_LINK) keeps its one local address
 * and gets a port.
 * @return 0 with k->laddr / k->lport set; *iss_set tells whether a TIME_WAIT entry was
 *         reused (removed), whose policy gave *iss for the new connection; or
 *         -EADDRNOTAVAIL when every candidate of the share is busy toward k's destination.
 */
int ephemeral_pick(struct tern_engine *e, struct flow_key *k, tern_seq_t *iss, bool *iss_set);

/**
 * May this engine open on 4-tuple @p k (an explicit tern_connect() port)? With several
 * engines the answers must reach it.
 */
bool ephemeral_port_ours(const struct tern_engine *e, const struct flow_key *k);

#endif
