/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Steering between the engines of one port (steer.c; docs/ARCHITECTURE.md "Steering").
 *
 * The NIC (RSS) or af_packet's fanout picks the RX queue, hence the engine, of every
 * frame. A passive flow simply lives where its SYN arrived. An active open lives on the
 * engine that called tern_connect(), so its answers must reach that engine:
 *
 * - RSS predictable (Toeplitz, known key and RETA): the engine picks only local ports
 *   whose answers hash to its own queue (ephemeral.c), and nothing is ever misdirected.
 * - Not predictable (af_packet, tap, virtio-user without RSS): each engine owns an equal
 *   slice of the ephemeral range; a TCP segment whose local port is another engine's
 *   (and that matches nothing here) is handed to that engine over its rte_ring, which it
 *   drains in its poll as if the frame had arrived on its own queue.
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

#include "util/toeplitz.h"

struct rte_mbuf;
struct tern_engine;
struct wire_ipv4_repr;

#define STEER_BURST 32 /**< frames taken from the ring per poll */

struct engine_steer {
	unsigned n;                    /**< engines on the port (1: no steering) */
	unsigned id;                   /**< this engine (= its RX queue) */
	struct rte_ring *const *rings; /**< [n], from the configuration */
	bool in_ring;                  /**< processing a frame taken from our ring */
	bool rss;                      /**< the RSS below is predictable: no TCP handoff */
	uint16_t reta_size;
	uint16_t reta[TERN_RSS_RETA_MAX];
	uint32_t tab[TOEPLITZ_IPV4_TCP_LEN][256]; /**< Toeplitz tables of the port's key */
};

/** Set up from e->conf (nengines, rings, rss). @return 0 or -EINVAL. */
int steer_init(struct tern_engine *e);

/** Free the frames still waiting in our ring (engines stopped). */
void steer_fini(struct tern_engine *e);

/** Drain our ring: each frame goes through eth_input(). @return frames processed. */
unsigned steer_poll(struct tern_engine *e);

/**
 * A TCP segment to us (@p ip validated, TCP header at @p l4 of @p l4len bytes): hand it to
 * the engine that owns it when that is not this one. @return true when @p m was taken
 * (handed over, or dropped because that engine's ring was full).
 */
bool steer_tcp(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip,
        const uint8_t *l4, uint32_t l4len);

/** Copy ARP frame @p m (for one of our addresses) to every other engine's ring. */
void steer_arp_share(struct tern_engine *e, const struct rte_mbuf *m);

/**
 * The RX queue the NIC gives a packet from @p raddr : @p rport to @p laddr : @p lport
 * (an answer to our active open). Only with s->rss.
 */
static inline unsigned
steer_rss_queue(const struct engine_steer *s, uint32_t raddr, uint32_t laddr, uint16_t rport,
        uint16_t lport)
{
	uint32_t h =
	        toeplitz_ipv4_tcp_tab((const uint32_t(*)[256])s->tab, raddr, laddr, rport, lport);

	return s->reta[h % s->reta_size];
}

#endif
