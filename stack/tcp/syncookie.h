/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SYN cookies (RFC 4987 §3.6): a listener under a SYN flood answers a SYN with a SYN-ACK
 * whose ISN encodes, under a keyed MAC, what it needs to know later, and keeps no state;
 * the connection is created when an ACK comes back carrying a valid cookie.
 *
 * Pure functions over a small per-engine struct syncookie_ctx: no allocation, no per-SYN
 * state, time is an argument. The design, the bit layouts and the odds are described at
 * the top of syncookie.c.
 *
 * Use by the listen path:
 *  - once per poll (or at least once per SYNCOOKIE_PERIOD_MS): syncookie_rotate();
 *  - SYN while the half-open queue is full: fill struct syncookie_opts with what the
 *    connection will use (the peer's options masked by our configuration), send a SYN-ACK
 *    with ISN = syncookie_make() and, when o.ts, TSval = syncookie_tsval() (TSecr = the
 *    SYN's TSval). Our own options in that SYN-ACK (MSS, window shift) must be functions of
 *    the configuration only, so that the ACK can rebuild them;
 *  - ACK (no SYN, RST or FIN) that matches no connection on a listening port, shortly after
 *    cookies were sent: syncookie_check(); on SYNCOOKIE_OK create the connection with
 *    iss = ack - 1, irs = seq - 1 and the options of struct syncookie_result, then process
 *    the segment (it may carry data) as in ESTABLISHED.
 */
#ifndef TERN_TCP_SYNCOOKIE_H
#define TERN_TCP_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/siphash.h"

/** The cookie counter advances every 2^SYNCOOKIE_PERIOD_SHIFT ms (65.536 s). */
#define SYNCOOKIE_PERIOD_SHIFT 16
#define SYNCOOKIE_PERIOD_MS    (UINT64_C(1) << SYNCOOKIE_PERIOD_SHIFT)
/** Number of MSS classes a cookie can carry (3 bits). */
#define SYNCOOKIE_MSS_CLASSES  8
/** Window shift value meaning "no window scale option". */
#define SYNCOOKIE_WSCALE_NONE  0xff
/** Bits of our TSval that carry the SYN's options when it had timestamps. */
#define SYNCOOKIE_TS_OPT_BITS  6
#define SYNCOOKIE_TS_OPT_MASK  ((1u << SYNCOOKIE_TS_OPT_BITS) - 1)

/** The connection's 4-tuple, from our side (same fields as struct flow_key). */
struct syncookie_tuple {
	uint32_t laddr; /**< our address (the listener's); unused over IPv6 */
	uint32_t raddr; /**< the peer's address; unused over IPv6 */
	uint16_t lport; /**< our port */
	uint16_t rport; /**< the peer's port */
	/** Over IPv6: our address, then the peer's, 16 bytes each, network order (the MAC
	 *  covers both whole, and the MSS classes are IPv6's); NULL over IPv4. */
	const uint8_t *ip6;
};

/**
 * What the SYN asked for and the connection will use: the peer's options already masked
 * by our configuration (no_sack, no_wscale, no_timestamps, ECN support).
 */
struct syncookie_opts {
	uint16_t mss;   /**< the peer's MSS option, 536 when the SYN had none */
	uint8_t wscale; /**< the peer's shift (above 14 counts as 14), or SYNCOOKIE_WSCALE_NONE */
	bool sack;      /**< SACK-permitted will be used */
	bool ecn;       /**< ECN will be used (ECN-setup SYN, and we answer with ECE) */
	bool ts;        /**< the SYN had timestamps and we answer with TSopt */
};

/** What a valid cookie ACK gives back. */
struct syncookie_result {
	uint16_t mss;   /**< the MSS class: the largest class <= the SYN's MSS (64 at least) */
	uint8_t wscale; /**< the peer's shift 0..14, or SYNCOOKIE_WSCALE_NONE */
	bool sack;      /**< SACK in use */
	bool ecn;       /**< ECN in use */
	bool ts;        /**< timestamps in use (the SYN had them and the ACK echoed our TSval) */
};

/** Outcome of syncookie_check(): one drop reason per failure. */
enum syncookie_verdict {
	SYNCOOKIE_OK = 0, /**< valid: create the connection */
	/** The cookie's counter field is neither the current nor the previous counter: minted
	 *  more than one period ago (expired) or from the future; rejected without hashing. */
	SYNCOOKIE_STALE,
	/** The cookie says the SYN had timestamps and the ACK carries none (RFC 7323 §3.2
	 *  requires them): the options cannot be recovered. */
	SYNCOOKIE_NO_TS,
	/** MAC mismatch: forged, another 4-tuple or peer ISN, TSecr not echoing our TSval, or a
	 *  counter field that wrapped (4 periods old or more). */
	SYNCOOKIE_BAD,
};

/**
 * Per-engine cookie state: a master secret and a cache of the MAC keys of the current and
 * previous counters. The MAC key of counter x is derived from the master secret and x, so
 * it changes every period ("rotation"); slot x & 1 holds it once syncookie_rotate() ran.
 */
struct syncookie_ctx {
	struct siphash_key master; /**< only feeds the key derivation */
	struct siphash_key key[2]; /**< key[x & 1]: MAC key of counter key_ctr[x & 1] */
	uint64_t key_ctr[2];       /**< counter of each slot, UINT64_MAX when empty */
};

/**
 * Set up @p ctx from a 128-bit secret (random, e.g. the engine's secret). Engines set up
 * with the same secret (and not reseeded differently) accept each other's cookies.
 */
void syncookie_init(struct syncookie_ctx *ctx, const uint64_t secret[2]);

/**
 * Bring the key cache to the counter of @p now_ms: derive the MAC keys of the current and
 * previous counters when the slots hold older ones. Cheap when nothing changed; call it
 * once per poll. Never moves backwards. Without it make/check still work, deriving keys on
 * the fly (two more SipHash per key).
 */
void syncookie_rotate(struct syncookie_ctx *ctx, uint64_t now_ms);

/**
 * Mix 128 bits of fresh entropy into the master secret. Keys of the current and previous
 * counters are derived (if not yet) and kept, so cookies already sent stay valid; keys of
 * later counters come from the new master. Engines that must accept each other's cookies
 * must reseed with the same values at the same counter. (The engine never reseeds: its
 * master comes from its secret at start. Tests exercise this for embedders.)
 */
void syncookie_reseed(struct syncookie_ctx *ctx, const uint64_t fresh[2], uint64_t now_ms);

/** The MSS class of @p peer_mss (IPv6 classes when @p v6): the largest class <= @p peer_mss, the
 * smallest class (64) when there is none. (What syncookie_make() encodes; exposed for tests.) */
uint16_t syncookie_mss_class(uint16_t peer_mss, bool v6);

/**
 * The cookie: the ISN of our SYN-ACK to a SYN from @p t whose sequence number is
 * @p peer_isn and whose options are @p o, at time @p now_ms.
 * @param[out] mss_out if not NULL, the MSS class encoded (what syncookie_check() returns)
 * @return the ISN to send
 */
uint32_t syncookie_make(const struct syncookie_ctx *ctx, const struct syncookie_tuple *t,
        uint32_t peer_isn, const struct syncookie_opts *o, uint64_t now_ms, uint16_t *mss_out);

/**
 * TSval for the cookie SYN-ACK: @p ts_clock (the timestamp clock for this peer) with its
 * low SYNCOOKIE_TS_OPT_BITS bits replaced by the options of @p o. The result is the
 * largest value <= @p ts_clock (mod 2^32) that has those low bits, so it lies in
 * (ts_clock - 64, ts_clock], never goes backwards as the clock advances, and the
 * connection's later TSvals (read from the same clock) are never below it.
 * @return the TSval; @p ts_clock itself when @p o->ts is false
 */
uint32_t syncookie_tsval(uint32_t ts_clock, const struct syncookie_opts *o);

/**
 * Validate the ACK completing a cookie handshake: @p ack - 1 must be a cookie minted for
 * @p t, peer ISN @p seq - 1 and the options it encodes, under the current or the previous
 * counter of @p now_ms. When the cookie says the SYN had timestamps, the options come from
 * the low bits of @p tsecr (authenticated by the MAC); otherwise a TSopt in the ACK is
 * ignored (RFC 7323 §3.2) and no option is in use.
 * @param has_ts the ACK carries TSopt
 * @param tsecr its TSecr (ignored when @p has_ts is false)
 * @param[out] out the connection's MSS and options; written only on SYNCOOKIE_OK
 * @return SYNCOOKIE_OK, or the reason for the rejection
 */
enum syncookie_verdict syncookie_check(const struct syncookie_ctx *ctx,
        const struct syncookie_tuple *t, uint32_t ack, uint32_t seq, bool has_ts, uint32_t tsecr,
        uint64_t now_ms, struct syncookie_result *out);

#endif
