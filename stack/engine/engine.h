/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The per-lcore engine context (internal). Everything an engine owns hangs off this
 * struct; nothing in the stack keeps file-scope mutable state but the telemetry
 * registration (telemetry.c: DPDK 22.11's callbacks take no context).
 */
#ifndef TERN_ENGINE_ENGINE_H
#define TERN_ENGINE_ENGINE_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>

#include <tern/tern.h>

#include "engine/steer.h"
#include "net/arp.h"
#include "net/nd.h"
#include "tcp/tcp.h"
#include "util/timer_wheel.h"
#include "wire/eth.h"

#define TERN_RX_BURST 32
#define TERN_TX_BUF   64

struct tern_engine {
	struct tern_engine_conf conf; /**< copy, defaults filled in */
	uint32_t ip;
	uint32_t netmask;
	uint32_t gateway;
	struct wire_mac mac;
	struct rte_mempool *pool;
	/** Where a fresh mbuf of @c pool starts its data, from the mbuf (engine_alloc()). */
	uint32_t pool_data_off;
	/** @c pool's cache of the lcore that polls (set by each poll; NULL: none) */
	struct rte_mempool_cache *pool_cache;

	uint64_t now_ns; /**< read once per poll (and at API entry points) */
	uint64_t now_ms;
	uint64_t tsc_mult;  /**< default clock: ns = tsc * tsc_mult >> TSC_SHIFT (no division) */
	bool secret_random; /**< conf.secret was 0,0 (random): ephemeral.c starts at random */

	struct twheel wheel;
	struct tern_stats stats;

	uint16_t ntx;
	uint16_t tx_stuck; /**< flushes in a row the PMD took nothing (engine_tx_flush) */
	struct rte_mbuf *tx[TERN_TX_BUF];

	struct arp_table arp;
	struct nd_table nd; /**< IPv6 addresses, DAD, neighbour cache (net/nd.h) */
	struct tcp_engine tcp;
	struct engine_steer steer; /**< several engines on one port (steer.h) */
};

/**
 * Do segments from @p raddr : @p rport to @p laddr : @p lport reach this engine (the
 * steering rule, steer.h)? Always with one engine. Active opens pick only such tuples.
 */
static inline bool
engine_owns(
        const struct tern_engine *e, uint32_t raddr, uint32_t laddr, uint16_t rport, uint16_t lport)
{
	return e->steer.n <= 1 || steer_owner(&e->steer, raddr, laddr, rport, lport) == e->steer.id;
}

/** engine_owns() of flow key @p k, either family (an IPv6 key's addresses looked up). */
static inline bool
engine_owns_key(const struct tern_engine *e, const struct flow_key *k)
{
	struct wire_ip6 l, r;

	if (e->steer.n <= 1)
		return true;
	if (!flow_key_is6(k))
		return engine_owns(e, k->raddr, k->laddr, k->rport, k->lport);
	tcp_key_ip6(e, k, &l, &r);
	return steer_owner6(&e->steer, r.b, l.b, k->rport, k->lport) == e->steer.id;
}

/** This engine's part of the ephemeral port range: first port, count (steer_port_share). */
static inline void
engine_port_share(const struct tern_engine *e, uint16_t *lo, uint32_t *len)
{
	steer_port_share(e, lo, len);
}

/** Is @p ip one of our addresses (conf.ip, or one of conf.src_ips)? */
static inline bool
engine_local_ip(const struct tern_engine *e, uint32_t ip)
{
	uint8_t i;

	if (ip == e->ip)
		return true;
	for (i = 0; i < e->conf.nsrc_ips; i++)
		if (ip == e->conf.src_ips[i])
			return true;
	return false;
}

/** Count a drop and free the mbuf. */
static inline void
tern_drop(struct tern_engine *e, struct rte_mbuf *m, enum tern_drop why)
{
	e->stats.drop[why]++;
	rte_pktmbuf_free(m);
}

/** Bump an event counter. */
static inline void
tern_count(struct tern_engine *e, enum tern_counter c, uint64_t n)
{
	e->stats.ctr[c] += n;
}

/** Refresh e->now_ns / now_ms from the clock. */
void engine_update_clock(struct tern_engine *e);

/** Send everything queued. */
void engine_tx_flush(struct tern_engine *e);

/** Queue a complete frame for transmission (flushed at the end of the poll or when full).
 *  Inline: every segment comes here (the flush stays out of line). */
static inline void
engine_tx(struct tern_engine *e, struct rte_mbuf *m)
{
	if (e->ntx == TERN_TX_BUF) {
		engine_tx_flush(e);
		if (e->ntx == TERN_TX_BUF) {
			tern_drop(e, m, TERN_DROP_TX_FULL);
			return;
		}
	}
	e->tx[e->ntx++] = m;
	if (e->ntx == TERN_TX_BUF)
		engine_tx_flush(e);
}

/*
 * Fetch the mbuf the pool's per-lcore cache hands out next (the cache is a stack: its
 * top): its two header lines, which the allocation resets, and its first data line, where
 * the headers go. An mbuf comes back to the cache from rte_pktmbuf_free(), on this lcore,
 * often after the peer's core or the NIC touched it last; without this, each allocation
 * stalls on those lines (engine_alloc() was 5 % of the client's time in bench_cps, nearly
 * all of it these misses). The cache is the polling lcore's (tern_engine_poll() sets
 * pool_cache); nothing happens without one or when it is empty (the next allocation
 * refills it). Only addresses are read: a stale cache costs a useless prefetch, no more.
 */
static inline void
engine_alloc_prefetch(const struct tern_engine *e)
{
	const struct rte_mempool_cache *c = e->pool_cache;

	if (c != NULL && c->len > 0) {
		const char *n = c->objs[c->len - 1];

		rte_prefetch0(n);
		rte_prefetch0(n + RTE_CACHE_LINE_SIZE);
		rte_prefetch0(n + e->pool_data_off);
	}
}

/** Allocate an mbuf for a packet this engine builds (counts NO_MBUF on failure). Inline:
 *  every segment comes here. */
static inline struct rte_mbuf *
engine_alloc(struct tern_engine *e)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->pool);

	e->tcp.pool_est--; /* keeps the estimate a lower bound (tcp_conn.c, pool_spare) */
	if (m == NULL)
		e->stats.drop[TERN_DROP_NO_MBUF]++;
	engine_alloc_prefetch(e);
	return m;
}

#endif
