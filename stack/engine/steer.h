/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Steering between the engines of one port (steer.c; docs/ARCHITECTURE.md "Steering").
 *
 * One rule, steer_owner(), names the engine that owns a TCP 4-tuple; every engine of the
 * port computes it alike. The NIC (RSS), af_packet's fanout or tap's hash picks the queue,
 * hence the engine, that receives a frame; when that is not the owner, the receiving
 * engine hands the segment over:
 *
 * - at input every TCP segment to one of our addresses (SYN, ACK, data, RST alike: passive
 *   and active flows, SYN queue, cookies, TIME_WAIT) goes through steer_tcp(), which keeps
 *   the segments we own and stashes the others;
 * - after the RX burst, steer_flush() enqueues the stash on the owners' rings, one burst
 *   per owner; the owner drains its ring in its poll (steer_poll()) through eth_input(),
 *   where its segments are not checked again;
 * - active opens choose only (address, port) pairs whose answers the rule gives to the
 *   opening engine (ephemeral.c), so the NIC's RSS, when the rule is the NIC's own, sends
 *   those answers straight to it.
 *
 * ARP replies and requests to us reach one queue only, while every engine keeps its own
 * ARP table; with several engines, each such frame is copied to the others, which learn
 * from it without answering.
 *
 * With one engine none of this runs: a single compare on the TCP and ARP input paths.
 */
#ifndef TERN_ENGINE_STEER_H
#define TERN_ENGINE_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include <tern/tern.h>

#include "util/share.h"
#include "util/toeplitz.h"

struct rte_mbuf;
struct tern_engine;
struct wire_ipv4_repr;

#define STEER_BURST     32  /**< frames stashed per RX burst (= TERN_RX_BURST) */
#define STEER_POLL_MAX  128 /**< frames taken from our ring per poll, at most */
#define STEER_RETA_SOFT 128 /**< RETA size of tern's own rule (no NIC table) */

struct engine_steer {
	unsigned n;                    /**< engines on the port (1: no steering) */
	unsigned id;                   /**< this engine (= its RX queue) */
	struct rte_ring *const *rings; /**< [n], from the configuration */
	enum tern_steer_method method;
	bool in_ring;     /**< processing a frame taken from our ring: ours by the rule */
	bool nic_hash;    /**< rss and the NIC's hash is in the mbuf: the rule's hash */
	uint16_t port_lo; /**< the ephemeral range, in blocks (all but TERN_STEER_RSS) */
	uint16_t port_hi;
	uint16_t nout; /**< frames stashed for other engines in this burst */
	uint16_t out_owner[STEER_BURST];
	struct rte_mbuf *out[STEER_BURST];
	uint16_t reta_size;
	uint16_t reta[TERN_RSS_RETA_MAX];         /**< engine of each entry */
	uint32_t tab[TOEPLITZ_IPV4_TCP_LEN][256]; /**< Toeplitz tables of the rule's key */
};

/** Set up from e->conf (nengines, rings, steer, rss). @return 0 or -EINVAL. */
int steer_init(struct tern_engine *e);

/** Free the frames still waiting in our ring (engines stopped). */
void steer_fini(struct tern_engine *e);

/** Drain our ring: each frame goes through eth_input(). @return frames processed. */
unsigned steer_poll(struct tern_engine *e);

/**
 * A TCP segment to us (@p ip validated, TCP header at @p l4 of @p l4len bytes): when
 * another engine owns its 4-tuple, stash it for that engine (steer_flush()).
 * @return true when @p m was taken.
 */
bool steer_tcp(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip,
        const uint8_t *l4, uint32_t l4len);

/**
 * Hand the stashed segments to their owners: one ring enqueue per owner. A segment the
 * owner's ring cannot take is dropped, counted as steer_ring_full (TCP retransmits).
 */
void steer_flush(struct tern_engine *e);

/** Copy ARP frame @p m (for one of our addresses) to every other engine's ring. */
void steer_arp_share(struct tern_engine *e, const struct rte_mbuf *m);

/**
 * The owner rule: the engine that owns the TCP flow whose segments come from
 * @p raddr : @p rport to @p laddr : @p lport (host order). Valid with n > 1.
 */
static inline unsigned
steer_owner(const struct engine_steer *s, uint32_t raddr, uint32_t laddr, uint16_t rport,
        uint16_t lport)
{
	uint32_t h;

	if (s->method != TERN_STEER_RSS && lport >= s->port_lo && lport <= s->port_hi)
		return share_owner(s->port_lo, s->port_hi, s->n, lport);
	h = toeplitz_ipv4_tcp_tab((const uint32_t(*)[256])s->tab, raddr, laddr, rport, lport);
	return s->reta[h % s->reta_size];
}

#endif
