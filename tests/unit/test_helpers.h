/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Shared unit-test helpers: a private EAL and mbuf pool, a fake clock, and an in-memory
 * link with frame crafting and decoding helpers (link.c).
 *
 * The link has two ends. Each end gives a struct tern_io to the engine attached to it:
 * rx_burst pops the frames queued toward that end, tx_burst hands the engine's frames to
 * the other end. In capture mode (the scripted-peer mode) the frames an engine sends are
 * kept on its end for the test to pop and inspect instead of being delivered; the test then
 * plays the peer by injecting crafted frames toward the engine. With auto-ARP set on a
 * capturing end, ARP requests for the scripted peer's address are answered by the link at
 * once (and not captured), so that tests about TCP need not script ARP.
 *
 * Every frame that passes through the link is timestamped with the fake clock, in ms.
 */
#ifndef TERN_TEST_HELPERS_H
#define TERN_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tern/tern.h>

#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

struct rte_mbuf;
struct rte_mempool;

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/**
 * Start a private EAL once per process (--no-huge --in-memory --no-pci, a unique
 * file prefix, logs at error level) and return a shared mbuf pool of 8191 mbufs.
 * Aborts the test process with a message if the EAL cannot start.
 */
struct rte_mempool *test_eal_pool(void);

/* ---- fake clock ---- */

/** A clock that only moves when the test moves it. */
struct test_clock {
	uint64_t ns;
};

/** struct tern_clock.now_ns for a struct test_clock (@p arg). */
uint64_t test_clock_now_ns(void *arg);

/* ---- in-memory link ---- */

#define TEST_LINK_QLEN 4096 /**< frames a queue holds; tx_burst takes fewer when full */

/** A FIFO of frames with the fake time each was queued at. */
struct test_frame_q {
	struct rte_mbuf *m[TEST_LINK_QLEN];
	uint64_t t_ms[TEST_LINK_QLEN];
	unsigned head;
	unsigned count;
};

struct test_link;

/** One end of the link. */
struct test_link_end {
	struct test_link *link;
	unsigned idx;
	struct tern_io io;       /**< give this to the engine on this end */
	struct tern_engine *e;   /**< engine attached by test_engine_new(), or NULL */
	struct test_frame_q rxq; /**< frames travelling toward this end */
	struct test_frame_q cap; /**< capture mode: frames sent from this end */
	bool capture;
	uint32_t arp_peer_ip; /**< auto-ARP: answer requests for this address (0 = off) */
	struct wire_mac arp_peer_mac;
	uint64_t arp_answered; /**< requests answered by auto-ARP */
	uint64_t tx_frames;    /**< frames taken from this end's engine (TSO: each segment) */
	uint64_t tso_frames;   /**< TSO frames cut into segments (the link plays the NIC) */
	uint64_t tx_lost;      /**< segments of TSO frames the queue could not hold */
	uint32_t max_frame;    /**< longest frame sent on from this end, bytes */
	bool refuse_tso;       /**< never take a TSO frame (a PMD whose size rules it breaks) */
	uint64_t nic_cycles;   /**< TSC cycles spent doing a NIC's work (gather, csums, TSO) */
	bool nic_rx_csum;      /**< check IPv4/TCP checksums of frames this end receives and set
	                            RTE_MBUF_F_RX_{IP,L4}_CKSUM_GOOD/BAD, as a NIC's RX offload
	                            does (timed into nic_cycles) */
	bool nic_tx_unsummed;  /**< a port whose checksum work is free: frames flagged for TX
	                            checksums only leave as they are, untouched and untimed
	                            (benchmarks' timed rounds whose frames nobody reads) */
};

/** The link: two ends, the pool crafted frames come from, the clock that stamps frames. */
struct test_link {
	struct test_link_end end[2];
	struct rte_mempool *pool;
	struct test_clock *clk;
};

/** Allocate a link (both ends delivering, no capture). Never NULL (aborts on ENOMEM). */
struct test_link *test_link_new(struct rte_mempool *pool, struct test_clock *clk);

/** Destroy the engines still attached, free every queued frame, free the link. */
void test_link_free(struct test_link *l);

/** Capture (keep) the frames sent from end @p end instead of delivering them. */
void test_link_capture(struct test_link *l, unsigned end, bool on);

/**
 * Auto-ARP on capturing end @p end: ARP requests for @p peer_ip sent from that end are
 * answered with @p peer_mac (the reply is queued toward @p end) and not captured.
 * @p peer_ip 0 turns it off.
 */
void test_link_auto_arp(
        struct test_link *l, unsigned end, uint32_t peer_ip, const struct wire_mac *peer_mac);

/** Queue frame @p m toward end @p end (the test plays the other side). Takes @p m. */
void test_link_inject(struct test_link *l, unsigned end, struct rte_mbuf *m);

/** Frames captured from end @p end and not yet popped. */
unsigned test_link_captured(const struct test_link *l, unsigned end);

/** Drop every frame captured from end @p end. @return how many. */
unsigned test_link_flush(struct test_link *l, unsigned end);

/**
 * Poll the attached engines until the link is quiet: a full round in which no engine did
 * anything and nothing waits toward any engine. Fails the test after too many rounds.
 */
void test_link_poll(struct test_link *l);

/** Advance the fake clock by @p ms in 1 ms steps, polling until quiet at every step. */
void test_link_advance(struct test_link *l, uint64_t ms);

/** Current fake time in ms. */
uint64_t test_link_now_ms(const struct test_link *l);

/**
 * Move the fake clock forward by @p ms at once, then poll until quiet: timers that fall
 * due in between fire together at the new time (a long idle period in one step).
 */
void test_link_jump(struct test_link *l, uint64_t ms);

/* ---- engines on the link ---- */

/** An address pair. */
struct test_host {
	uint32_t ip;
	struct wire_mac mac;
};

/**
 * Fill @p c for an engine of address @p h on end @p end: the link's pool, the end's io, the
 * fake clock, small tables (64 connections, 64 TIME_WAIT entries). The caller may adjust
 * it before test_engine_new_conf().
 */
void test_engine_conf(
        struct tern_engine_conf *c, struct test_link *l, unsigned end, const struct test_host *h);

/** Create an engine from @p c and attach it to end @p end. Fails the test on error. */
struct tern_engine *test_engine_new_conf(
        struct test_link *l, unsigned end, const struct tern_engine_conf *c);

/**
 * Since @p before (a copy of @p e's stats taken earlier): drop reason @p why went up by
 * exactly @p n and no other drop reason moved. Fails the running cmocka test otherwise.
 */
void test_drop_only(
        struct tern_engine *e, const struct tern_stats *before, enum tern_drop why, uint64_t n);

/** test_engine_conf() + test_engine_new_conf() with callbacks @p cb and @p app. */
struct tern_engine *test_engine_new(struct test_link *l, unsigned end, const struct test_host *h,
        const struct tern_callbacks *cb, void *app);

/** Destroy the engine on end @p end (if any) and detach it. */
void test_engine_destroy(struct test_link *l, unsigned end);

/* ---- crafting frames ---- */

/** Ethernet header @p eth followed by @p len bytes of @p l3, in one mbuf. */
struct rte_mbuf *test_craft_frame(
        struct rte_mempool *pool, const struct wire_eth_repr *eth, const void *l3, size_t len);

/** ARP packet @p arp from @p arp->sha to Ethernet destination @p dst. */
struct rte_mbuf *test_craft_arp(
        struct rte_mempool *pool, const struct wire_mac *dst, const struct wire_arp_repr *arp);

/**
 * IPv4 packet from @p from to @p to (Ethernet and IP addresses) carrying @p l4len bytes
 * of @p l4. @p ip gives the other header fields (src, dst and total_len are filled in;
 * ttl 0 becomes 64). The header checksum is correct; a test corrupts bytes afterwards.
 */
struct rte_mbuf *test_craft_ipv4(struct rte_mempool *pool, const struct test_host *from,
        const struct test_host *to, const struct wire_ipv4_repr *ip, const void *l4, size_t l4len);

/** TCP segment @p th (ports, seq, ack, flags, window, options) + @p len bytes of payload,
 *  from @p from to @p to, with correct IPv4 and TCP checksums. */
struct rte_mbuf *test_craft_tcp(struct rte_mempool *pool, const struct test_host *from,
        const struct test_host *to, const struct wire_tcp_repr *th, const void *payload,
        size_t len);

/* ---- decoding frames ---- */

/** A frame popped from the link, copied and decoded. */
struct test_pkt {
	uint64_t t_ms; /**< fake time at which the engine sent it */
	uint16_t len;  /**< frame length */
	uint8_t raw[2048];
	struct wire_eth_repr eth;
	bool is_arp; /**< ARP that parses */
	struct wire_arp_repr arp;
	bool is_ip; /**< IPv4 header that parses (checksum aside) */
	bool ip_csum_ok;
	struct wire_ipv4_repr ip;
	bool is_tcp; /**< TCP header that parses (checksum aside) */
	bool tcp_csum_ok;
	struct wire_tcp_repr tcp;
	bool is_icmp; /**< ICMP header that parses (checksum aside) */
	bool icmp_csum_ok;
	struct wire_icmp_repr icmp;
	const uint8_t *payload; /**< TCP payload, or ICMP data after the 8-byte header */
	uint32_t plen;
};

/** Pop the oldest frame captured from end @p end into @p p. @return false when none. */
bool test_link_pop(struct test_link *l, unsigned end, struct test_pkt *p);

/** Decode @p len bytes of frame @p buf into @p p (t_ms left 0). */
void test_pkt_decode(struct test_pkt *p, const void *buf, size_t len);

#endif
