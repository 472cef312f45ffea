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
 * - the engine hands each RX burst to steer_rx() before any protocol code sees it: every
 *   TCP segment (SYN, ACK, data, RST alike: passive and active flows, SYN queue, cookies,
 *   TIME_WAIT) whose 4-tuple another engine owns is stashed, and the stash is enqueued on
 *   the owners' rings at once, one burst per owner; the owner drains its ring in its poll
 *   (steer_poll()) through eth_input(), where its segments are not checked again;
 * - active opens choose only (address, port) pairs whose answers the rule gives to the
 *   opening engine (ephemeral.c asks engine_owns() and engine_port_share(), engine.h), so
 *   the NIC's RSS, when the rule is the NIC's own, sends those answers straight to it.
 *
 * ARP replies and requests to us reach one queue only, while every engine keeps its own
 * ARP table; with several engines, steer_rx() copies each such frame to the others, whose
 * steer_poll() gives it to arp_learn_frame() (learn the sender, no answer).
 *
 * net/ and tcp/ know nothing of this: the engine calls steer_rx() and steer_poll() (and
 * with one engine neither).
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

#define STEER_BURST     32  /**< frames stashed per RX burst (= TERN_RX_BURST) */
#define STEER_POLL_MAX  128 /**< frames taken from our ring per poll, at most */
#define STEER_RETA_SOFT 128 /**< RETA size of tern's own rule (no NIC table) */

struct engine_steer {
	unsigned n;                    /**< engines on the port (1: no steering) */
	unsigned id;                   /**< this engine (= its RX queue) */
	struct rte_ring *const *rings; /**< [n], from the configuration */
	enum tern_steer_method method;
	bool nic_hash;    /**< rss and the NIC's hash is in the mbuf: the rule's hash */
	uint16_t port_lo; /**< the ephemeral range, in blocks (all but TERN_STEER_RSS) */
	uint16_t port_hi;
	uint16_t nout; /**< frames stashed for other engines in this burst */
	uint16_t out_owner[STEER_BURST];
	struct rte_mbuf *out[STEER_BURST];
	uint16_t reta_size;
	uint16_t reta[TERN_RSS_RETA_MAX]; /**< engine of each entry */
	/** Toeplitz tables of the rule's key, for the 36 input bytes of IPv6/TCP (IPv4/TCP
	 *  uses the first 12). */
	uint32_t tab[TOEPLITZ_IPV6_TCP_LEN][256];
};

/** Set up from e->conf (nengines, rings, steer, rss). @return 0 or -EINVAL. */
int steer_init(struct tern_engine *e);

/** Free the frames still waiting in our ring (engines stopped). */
void steer_fini(struct tern_engine *e);

/** Drain our ring: each frame goes through eth_input(). @return frames processed. */
unsigned steer_poll(struct tern_engine *e);

/**
 * The RX burst @p pkts[@p n] from our queue, before eth_input(): TCP segments whose
 * 4-tuple another engine owns go to that engine (one ring enqueue per owner; what a full
 * ring cannot take is dropped, counted as steer_ring_full, and TCP retransmits); ARP
 * frames for our addresses are also copied to every other engine. Frames too short or
 * malformed to classify stay: eth_input() drops them, counted.
 * @return the frames left for this engine, compacted in arrival order in @p pkts.
 */
uint16_t steer_rx(struct tern_engine *e, struct rte_mbuf **pkts, uint16_t n);

/** Port range shares (all methods but rss) of this engine: first port and count. */
void steer_port_share(const struct tern_engine *e, uint16_t *lo, uint32_t *len);

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

/** steer_owner() of an IPv6 4-tuple: @p raddr, @p laddr 16 bytes each, network order; the
 *  hash is Toeplitz over the IPv6/TCP fields (RSS's IPv6 TCP hash type). */
static inline unsigned
steer_owner6(const struct engine_steer *s, const uint8_t *raddr, const uint8_t *laddr,
        uint16_t rport, uint16_t lport)
{
	uint32_t h;

	if (s->method != TERN_STEER_RSS && lport >= s->port_lo && lport <= s->port_hi)
		return share_owner(s->port_lo, s->port_hi, s->n, lport);
	h = toeplitz_ipv6_tcp_tab((const uint32_t(*)[256])s->tab, raddr, laddr, rport, lport);
	return s->reta[h % s->reta_size];
}

#endif
