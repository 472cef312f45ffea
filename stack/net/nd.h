/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IPv6 Neighbour Discovery for a host (RFC 4861) and duplicate address detection
 * (RFC 4862), per engine; the shape of arp.h, time from the engine's clock (e->now_ms).
 *
 * Addresses: the configured one (conf.ip6) and the link-local one made from the MAC
 * (EUI-64). Both start TENTATIVE: one DAD probe each (NS from ::), and after
 * ND_RETRANS_MS without a claim they become PREFERRED (counted nd_dad_ok); an NA for one,
 * or another node's DAD probe for it, makes it DUPLICATE (nd_dad_failed) and unused.
 * Once the configured address is in use, a configured router (conf.gateway6) is resolved
 * at once, so the first packet off-link does not wait.
 *
 * Neighbour cache (RFC 4861 §7.3.2), one entry per neighbour, in a fixed pool hashed by
 * address:
 *   INCOMPLETE  multicast NS every ND_RETRANS_MS, ND_MAX_MULTICAST_SOLICIT times, packets
 *               held (ND_HOLD_MAX); no answer: held packets dropped (nd_unresolved), gone
 *   REACHABLE   confirmed (solicited NA) less than ND_REACHABLE_MS ago
 *   STALE       learnt unsolicited (an NS's source option, an unsolicited NA) or no longer
 *               confirmed; used as is; sending through it starts DELAY
 *   DELAY       ND_DELAY_FIRST_PROBE_MS for a confirmation, then PROBE
 *   PROBE       unicast NS every ND_RETRANS_MS, ND_MAX_UNICAST_SOLICIT times; no answer:
 *               the entry goes, and the next packet resolves afresh by multicast, which is
 *               how a neighbour that changed its MAC silently is found again
 * An NA with the override flag (or a solicited one) replaces the MAC at once
 * (nd_mac_changed). REACHABLE's expiry is taken lazily, on the next send through it.
 * Reachable time is fixed (not randomised as §6.3.2 suggests) so tests are exact.
 */
#ifndef TERN_NET_ND_H
#define TERN_NET_ND_H

#include <stdint.h>

#include "util/timer_wheel.h"
#include "wire/eth.h"
#include "wire/ipv6.h"

struct rte_mbuf;
struct tern_engine;

#define ND_BUCKETS               256
#define ND_MAX_ENTRIES           1024
#define ND_HOLD_MAX              8
#define ND_RETRANS_MS            1000  /**< RetransTimer (§10) */
#define ND_MAX_MULTICAST_SOLICIT 3     /**< §10 */
#define ND_MAX_UNICAST_SOLICIT   3     /**< §10 */
#define ND_REACHABLE_MS          30000 /**< REACHABLE_TIME (§10) */
#define ND_DELAY_FIRST_PROBE_MS  5000  /**< DELAY_FIRST_PROBE_TIME (§10) */
#define ICMP6_ERR_PER_SEC        100   /**< ICMPv6 errors an engine sends per second */
#define ICMP6_ERR_BURST          10    /**< ...and at once, after a quiet time */

enum nd_state {
	ND_FREE = 0,
	ND_INCOMPLETE,
	ND_REACHABLE,
	ND_STALE,
	ND_DELAY,
	ND_PROBE,
};

/** One of our addresses (RFC 4862 §5.4). Values of enum tern_ip6_state. */
struct nd_addr {
	struct wire_ip6 ip;
	uint8_t state; /**< TERN_IP6_NONE / TENTATIVE / PREFERRED / DUPLICATE */
};

struct nd_entry {
	struct nd_entry *next; /**< hash chain / free list */
	struct wire_ip6 ip;
	struct wire_mac mac;
	uint8_t state;
	uint8_t tries;
	uint16_t nhold;
	uint64_t confirmed_ms; /**< last time reachability was confirmed */
	struct rte_mbuf *hold[ND_HOLD_MAX];
	struct tern_timer timer;
	struct tern_engine *e;
};

/**
 * Packet Too Big hook: @p dst is the destination of the packet that was too big (ours,
 * quoted in the message), @p mtu the path MTU to use (never below 1280), @p inner / @p len
 * the quoted packet from its IPv6 header on. Set by whoever keeps per-destination state
 * (TCP, to lower a connection's MSS, RFC 8201 §5); NULL: only counted.
 */
typedef void nd_ptb_hook(struct tern_engine *e, const struct wire_ip6 *dst, uint32_t mtu,
        const uint8_t *inner, size_t len);

struct nd_table {
	struct nd_addr addr;      /**< conf.ip6 */
	struct nd_addr linklocal; /**< fe80::EUI-64 */
	uint8_t prefix_len;
	bool has_gateway;
	struct wire_ip6 gateway;
	bool dad_sent;
	struct tern_timer dad_timer;
	nd_ptb_hook *ptb_hook;
	uint32_t err_tokens;  /**< ICMPv6 errors we may send now (RFC 4443 §2.4(f)) */
	uint64_t err_fill_ms; /**< when err_tokens was last refilled */

	struct nd_entry *buckets[ND_BUCKETS];
	struct nd_entry *pool;
	struct nd_entry *free;
	uint32_t count;
};

/** Set up addresses and the cache and start DAD (no-op without conf.ip6). @return 0 or -ENOMEM. */
int nd_init(struct tern_engine *e);
/** Free the cache and every held packet. */
void nd_fini(struct tern_engine *e);

/** Is IPv6 on for this engine (conf.ip6 given)? */
static inline bool
nd_enabled(const struct nd_table *t)
{
	return t->addr.state != 0;
}

/** Is @p ip one of our addresses in state @p state (any state when 0)? */
bool nd_is_local(const struct tern_engine *e, const struct wire_ip6 *ip, uint8_t state);

/** Is @p ip a multicast group we listen to (all-nodes, our solicited-node groups)? */
bool nd_is_our_group(const struct tern_engine *e, const struct wire_ip6 *ip);

/** Is @p mac the Ethernet address of one of those groups? */
bool nd_is_our_mcast_mac(const struct tern_engine *e, const struct wire_mac *mac);

/**
 * The source for a packet to @p dst: the link-local address for a link-local or
 * link-scope multicast destination, the configured address otherwise, each only when
 * PREFERRED. @return false when there is none.
 */
bool nd_source(const struct tern_engine *e, const struct wire_ip6 *dst, struct wire_ip6 *src);

/**
 * Next hop for @p dst: itself when on-link (link-local, or inside the configured prefix),
 * the router otherwise. @return false when off-link and there is no router.
 */
bool nd_nexthop(const struct tern_engine *e, const struct wire_ip6 *dst, struct wire_ip6 *nh);

/**
 * Handle a Neighbour Solicitation or Advertisement (@p type) of @p len bytes at @p icmp,
 * checksum already verified, in frame @p m whose IPv6 header is @p ip. Consumes @p m.
 */
void nd_input(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        const uint8_t *icmp, size_t len, uint8_t type);

/**
 * Send a frame whose Ethernet header is written except the destination MAC to IPv6 next
 * hop @p nh: now, or held until resolved; multicast next hops map to their MAC directly.
 * Consumes @p m.
 */
void nd_output(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ip6 *nh);

/**
 * Is @p m an NS or NA for this engine (IPv6 on; to our MAC or one of our groups, not from
 * our MAC; no extension headers, hop limit 255)? Not validated further: for steering,
 * which copies such frames to every engine of the port.
 */
bool nd_frame_is_nd(const struct tern_engine *e, const struct rte_mbuf *m);

/**
 * A copy of an NS or NA another engine of the port received (and answered): validate it
 * and learn from it as nd_input() would (cache entries, DAD conflicts), answer nothing,
 * count nothing; @p m is freed.
 */
void nd_learn_frame(struct tern_engine *e, struct rte_mbuf *m);

/** Look up a usable MAC (tests, tools). @return 0 or -ENOENT. */
int nd_lookup(struct tern_engine *e, const struct wire_ip6 *ip, struct wire_mac *mac);

/** The state of the cache entry for @p ip (ND_FREE when there is none), for tests. */
enum nd_state nd_entry_state(struct tern_engine *e, const struct wire_ip6 *ip);

/** Start resolving @p ip (creates an INCOMPLETE entry, sends an NS); no-op if known. */
void nd_resolve(struct tern_engine *e, const struct wire_ip6 *ip);

#endif
