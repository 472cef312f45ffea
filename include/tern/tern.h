/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern public API: per-core engines and the event-driven connection API.
 *
 * One engine runs on one lcore and owns everything it touches (queues, flow table,
 * timers, counters). Nothing here is thread-safe across engines: every call on an engine
 * or on one of its connections must come from the lcore that polls that engine, normally
 * from inside one of its callbacks.
 *
 * Errors follow DPDK: functions returning a pointer return NULL and set rte_errno;
 * functions returning int return 0 or a negative errno value.
 */
#ifndef TERN_TERN_H
#define TERN_TERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <tern/stats.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct tern_engine;
struct tern_conn;

/** Packet I/O seam: a port queue pair in production, an in-memory link in tests. */
struct tern_io {
	/** Receive up to @p n packets; @return number received. */
	uint16_t (*rx_burst)(void *arg, struct rte_mbuf **pkts, uint16_t n);
	/** Send up to @p n packets; @return number taken (the rest stay with the caller). */
	uint16_t (*tx_burst)(void *arg, struct rte_mbuf **pkts, uint16_t n);
	void *arg;
};

/** Clock seam: monotonic nanoseconds. TSC in production, a fake clock in tests. */
struct tern_clock {
	uint64_t (*now_ns)(void *arg);
	void *arg;
};

/** TCP connection states (RFC 9293 §3.3.2). */
enum tern_tcp_state {
	TERN_TCP_CLOSED = 0,
	TERN_TCP_LISTEN,
	TERN_TCP_SYN_SENT,
	TERN_TCP_SYN_RCVD,
	TERN_TCP_ESTABLISHED,
	TERN_TCP_FIN_WAIT_1,
	TERN_TCP_FIN_WAIT_2,
	TERN_TCP_CLOSING,
	TERN_TCP_TIME_WAIT,
	TERN_TCP_CLOSE_WAIT,
	TERN_TCP_LAST_ACK,
	TERN_TCP_STATE_MAX
};

/** Why a connection ended (argument of the closed callback). */
enum tern_close_reason {
	TERN_CLOSE_NORMAL = 0,   /**< both FINs exchanged and acknowledged (or entered TIME_WAIT) */
	TERN_CLOSE_RESET,        /**< the peer sent a RST */
	TERN_CLOSE_REFUSED,      /**< connect(): the peer answered the SYN with a RST */
	TERN_CLOSE_TIMEOUT,      /**< retransmissions exhausted */
	TERN_CLOSE_ABORTED,      /**< tern_conn_abort() by the application */
	TERN_CLOSE_NO_ROUTE,     /**< connect(): the next hop never answered ARP (about 3 s) */
	TERN_CLOSE_ENGINE,       /**< engine destroyed with the connection open */
	TERN_CLOSE_USER_TIMEOUT, /**< data stayed unacknowledged past the user timeout */
	TERN_CLOSE_KEEPALIVE,    /**< keepalive probes went unanswered */
	TERN_CLOSE_FIN_TIMEOUT,  /**< FIN_WAIT_2 lasted longer than fin_timeout_ms */
	TERN_CLOSE_MAX           /**< number of reasons: size per-reason arrays by it */
};

/**
 * Application callbacks. Each is optional (NULL = ignore). They run on the engine's lcore,
 * inside tern_engine_poll(). Connection calls are allowed from any callback.
 */
struct tern_callbacks {
	/** A passive connection on a listener completed its handshake. */
	void (*accepted)(struct tern_conn *c, void *app);
	/** An active connection (tern_connect()) completed its handshake. */
	void (*connected)(struct tern_conn *c, void *app);
	/** Data arrived, or the peer closed its side (tern_conn_recv() then returns 0). */
	void (*readable)(struct tern_conn *c, void *app);
	/**
	 * Send space became available after a tern_conn_send() that accepted less than
	 * asked or left the send buffer full, or a tern_conn_send_mbuf() that was refused
	 * (-EAGAIN) or filled the buffer; or mbufs came back after a send failed with
	 * -ENOBUFS. Every such refusal is followed by this callback (or by closed), so an
	 * application that stops sending on a refusal and resumes here never stalls.
	 */
	void (*writable)(struct tern_conn *c, void *app);
	/**
	 * The connection is gone for the application. Called exactly once per connection
	 * that was accepted or connected (or whose connect failed); the handle is invalid
	 * after this returns.
	 */
	void (*closed)(struct tern_conn *c, enum tern_close_reason why, void *app);
};

/**
 * When a listener answers a SYN with a SYN cookie (RFC 4987 §3.6) instead of keeping a
 * half-open entry in the engine's SYN queue.
 */
enum tern_syncookies {
	TERN_SYNCOOKIES_AUTO = 0, /**< when the SYN queue is full (listener backlog or pool) */
	TERN_SYNCOOKIES_ALWAYS,   /**< for every SYN: no half-open state at all */
	TERN_SYNCOOKIES_OFF,      /**< never: a SYN beyond the queue is dropped */
};

/** Extra local addresses an engine may use for active opens (tern_engine_conf.src_ips). */
#define TERN_MAX_SRC_IPS 8

#define TERN_PORT_LO_DEFAULT 32768 /**< first ephemeral port unless configured */
#define TERN_PORT_HI_DEFAULT 60999 /**< last ephemeral port unless configured */

#define TERN_RSS_KEY_MAX  64  /**< longest RSS key tern_rss holds */
#define TERN_RSS_RETA_MAX 512 /**< largest redirection table tern_rss holds */

/**
 * How the engines of one port agree on the owner of every TCP flow (docs/ARCHITECTURE.md
 * "Steering between engines"). With TERN_STEER_RSS the owner is
 *   reta[Toeplitz(key, peer address, our address, peer port, our port) % reta_size]
 * (engine i polls queue i), the NIC's own spreading. Otherwise a local port inside the
 * ephemeral range belongs to the engine whose equal block of the range holds it (active
 * opens), and any other 4-tuple is owned by that hash under tern's own key and RETA.
 * Segments that reach another engine's queue are handed to the owner over its ring.
 */
enum tern_steer_method {
	TERN_STEER_SINGLE = 0, /**< one engine: nothing to steer */
	TERN_STEER_RSS,        /**< key and RETA are the NIC's own: misdirected frames are rare */
	TERN_STEER_RTE_FLOW,   /**< rte_flow rules pin each engine's ephemeral block to its
	                            queue; passive flows handed over as with software */
	TERN_STEER_SOFTWARE,   /**< the port's spreading is unknown (af_packet, tap, one queue):
	                            misdirected frames handed over */
};

/** "single", "rss", "rte_flow" or "software". */
const char *tern_steer_method_name(enum tern_steer_method m);

/**
 * A port's receive side scaling: Toeplitz over the IPv4 source and destination addresses
 * and TCP ports of each received packet (RTE_ETH_RSS_NONFRAG_IPV4_TCP) with this key,
 * queue = reta[hash % reta_size]. Engine i polls queue i. With TERN_STEER_RSS it is what
 * the NIC does; otherwise it is tern's own rule, which the NIC does not follow.
 */
struct tern_rss {
	uint8_t key[TERN_RSS_KEY_MAX];
	uint8_t key_len;                  /**< at least 16 */
	uint16_t reta_size;               /**< entries in reta, 1..TERN_RSS_RETA_MAX */
	uint16_t reta[TERN_RSS_RETA_MAX]; /**< queue of each redirection table entry */
};

/** Engine configuration. Zero-initialise, then set what you need; zeros take defaults. */
struct tern_engine_conf {
	uint32_t ip;              /**< our IPv4 address, host order (required) */
	uint8_t prefix_len;       /**< on-link prefix length (default 24) */
	uint32_t gateway;         /**< default gateway, host order; 0 = none (on-link only) */
	uint8_t mac[6];           /**< our MAC (required) */
	struct rte_mempool *pool; /**< mbufs for packets this engine builds (required) */
	struct tern_io io;        /**< packet I/O (required) */
	struct tern_clock clock;  /**< clock (default: TSC) */
	const struct tern_callbacks *cb; /**< application callbacks */
	void *app;                       /**< passed to every callback */

	/* max_conns, max_tw and synq_size: at most 2^30 - 1 each, 2^31 together (EINVAL) */
	uint32_t max_conns;       /**< connection blocks (default 65536) */
	uint32_t max_tw;          /**< TIME_WAIT entries, oldest recycled beyond (default 262144) */
	uint32_t msl_ms;          /**< MSL; TIME_WAIT lasts 2*MSL (default 30000) */
	uint16_t mtu;             /**< IP MTU (default 1500); MSS = mtu - 40 */
	uint32_t rcvbuf;          /**< receive buffer per connection, bytes (default 262144) */
	uint32_t sndbuf;          /**< send buffer per connection, bytes (default 262144) */
	uint32_t rto_min_ms;      /**< minimum RTO (default 200) */
	uint32_t rto_init_ms;     /**< initial RTO (default 1000, RFC 6298) */
	uint8_t syn_retries;      /**< SYN / SYN-ACK retransmissions before giving up (default 5) */
	uint8_t data_retries;     /**< data / FIN retransmissions before giving up (default 10) */
	uint16_t port_lo;         /**< first ephemeral port (default 32768) */
	uint16_t port_hi;         /**< last ephemeral port (default 60999) */
	bool tx_ip_csum_offload;  /**< the port computes IPv4 header checksums */
	bool tx_tcp_csum_offload; /**< the port computes TCP checksums */
	bool rx_csum_offload;     /**< trust RTE_MBUF_F_RX_*_CKSUM_GOOD flags */
	/** The port sends mbuf chains (RTE_ETH_TX_OFFLOAD_MULTI_SEGS): data segments of 256
	 *  bytes or more then refer to the send buffer's bytes (a header mbuf chained to
	 *  indirect mbufs) instead of copying them. */
	bool tx_multi_seg;
	/**
	 * The port segments TCP (RTE_ETH_TX_OFFLOAD_TCP_TSO): new bulk data leaves as frames
	 * of up to TCP_TSO_SEGS full segments that the NIC cuts at the MSS. Needs
	 * tx_multi_seg and both checksum offloads; the engine turns it off without them.
	 */
	bool tx_tso;
	/** The port's TSO limits each segment *frame*, Ethernet header included, to the MTU
	 *  (net_tap in DPDK 22.11 refuses a frame whose tso_segsz + headers exceed it): TSO
	 *  segments then carry 14 bytes less than the MSS. It also marks net_tap's software
	 *  TSO (rte_gso), which cuts TCP/IPv4 only: TCP over IPv6 goes without TSO there. */
	bool tx_tso_l2_in_mtu;
	/** With TERN_STEER_RSS: the port delivers the NIC's RSS hash in mbuf hash.rss
	 *  (RTE_MBUF_F_RX_RSS_HASH), which is the owner rule's hash: use it, not our own. */
	bool rx_rss_hash;
	/** Key for ISNs and the flow hash (0,0 = random). A random secret also starts the
	 *  ephemeral port cursor at a random place; a given one starts it at the first port of
	 *  the engine's share (reproducible tests). */
	uint64_t secret[2];
	/**
	 * Key of the ISN function (RFC 6528) and of the per-destination timestamp offsets
	 * (0,0 = derived from @p secret). Give the same key to the next process (apps:
	 * --key-file, kept on disk) and, with @p wall, its sequence numbers and timestamps
	 * continue those of this one for every 4-tuple: a peer still holding TIME_WAIT for
	 * our previous process's tuples takes the new SYNs (docs/TCP.md "Restarts").
	 */
	uint64_t clock_key[2];
	/**
	 * Restart-stable time for the ISN and timestamp clocks: nanoseconds that keep
	 * increasing across process restarts. Read once, by tern_engine_create(); from then on
	 * the engine's own @p clock advances it. Default: CLOCK_REALTIME when @p clock is the
	 * default (TSC), else @p clock itself (tests stay on their fake time).
	 */
	struct tern_clock wall;
	unsigned id; /**< engine index, 0..nengines-1; also for logs and telemetry */

	/*
	 * Several engines on one port (docs/ARCHITECTURE.md "Steering"). Zero = one engine.
	 * Every engine computes the owner of each TCP 4-tuple by the same rule (@p steer,
	 * @p rss); a segment received by another engine is handed to its owner through
	 * @p rings, and an engine opens only from (address, port) pairs it owns. So every
	 * segment of a flow is processed by one engine, and no 4-tuple is ever used (or held
	 * in TIME_WAIT) by two engines.
	 */
	unsigned nengines; /**< engines sharing the port and address (default 1) */
	/** [nengines]: rings[i] carries frames to engine i (multi-producer, single-consumer;
	 *  the application creates them and keeps them until the engines are destroyed).
	 *  Required when nengines > 1. */
	struct rte_ring *const *rings;
	/** How the owner is chosen (default: TERN_STEER_SOFTWARE with several engines). */
	enum tern_steer_method steer;
	/** Key and RETA of the owner rule, identical for every engine of the port (copied at
	 *  create): the NIC's with TERN_STEER_RSS. NULL with several engines: a built-in key
	 *  (Microsoft's RSS verification key) and a round-robin RETA. */
	const struct tern_rss *rss;
	/** Extra local IPv4 addresses (host order) for active opens, besides @p ip: the engine
	 *  answers ARP for them and accepts IPv4 to them. */
	uint32_t src_ips[TERN_MAX_SRC_IPS];
	uint8_t nsrc_ips; /**< entries used in src_ips */

	/* TCP behaviour (RFC 7323, RFC 2018, RFC 5681, RFC 1122). Zero = default. */
	const char *cc;     /**< congestion control: "cubic" (default) or "newreno" */
	bool no_wscale;     /**< do not offer window scaling (RFC 7323 §2) */
	bool no_timestamps; /**< do not offer timestamps (RFC 7323 §3) */
	bool no_sack;       /**< do not offer SACK (RFC 2018) */
	bool nodelay;       /**< new connections start with Nagle off */
	uint32_t delack_ms; /**< delayed ACK timeout (default 40, max 500); see no_delack */
	bool no_delack;     /**< acknowledge every segment at once */
	uint32_t
	        fin_timeout_ms; /**< FIN_WAIT_2 timeout after close() (default 60000, max 2^31-1) */
	uint32_t user_timeout_ms; /**< RFC 9293 user timeout for unacknowledged data (0 = off) */
	bool keepalive;           /**< keepalive on for new connections (default off) */
	uint32_t keepidle_ms; /**< idle time before the first probe (default 7200000, max 2^31-1) */
	uint32_t keepintvl_ms; /**< time between probes (default 75000, max 2^31-1) */
	uint8_t keepcnt;       /**< unanswered probes before the connection ends (default 9) */
	uint32_t challenge_ack_limit; /**< challenge ACKs per second per engine (default 1000) */
	uint32_t reass_segs; /**< out-of-order segments the engine may hold (default 65536) */
	/**
	 * Connections that may be in loss recovery or hold out-of-order data at once: each
	 * such connection borrows an extension block (SACK scoreboard, undo state, reassembly
	 * queue) from a pool of at most this many (default max_conns / 8, at least 64),
	 * taken from the heap as they are first needed. Beyond it (or when the heap is full)
	 * a connection recovers without SACK and drops out-of-order segments (tcp_ext_nomem).
	 */
	uint32_t conn_ext;
	bool abort_on_overflow; /**< accept queue full: RST the final ACK (default: drop it) */
	enum tern_syncookies syncookies; /**< SYN cookies: auto (default), always or off */
	uint32_t synq_size; /**< half-open connections the engine holds (default 65536) */

	/* TIME_WAIT (docs/TCP.md "TIME_WAIT and reuse"). */
	/**
	 * Strict TIME_WAIT: no new incarnation of a 4-tuple before its 2*MSL are over. By
	 * default (false) a SYN may reopen a tuple in TIME_WAIT when its timestamp (or,
	 * without timestamps, its sequence number) is newer (RFC 6191), and tern_connect()
	 * may reuse a tuple held in TIME_WAIT for longer than tw_reuse_ms when the old
	 * connection used timestamps. The new incarnation's ISN is beyond the old snd_nxt.
	 */
	bool no_tw_reuse;
	uint32_t tw_reuse_ms; /**< age before tern_connect() may reuse a TIME_WAIT tuple (default
	                         1000) */
	bool rfc1337;         /**< ignore RSTs in TIME_WAIT (RFC 1337 "TIME-WAIT assassination") */

	/* IPv6 (docs/ARCHITECTURE.md "IPv6 and Neighbour Discovery"). All zero: IPv4 only. */
	/** Our IPv6 address, network order; with it the engine also takes the link-local
	 *  address made from its MAC (EUI-64), runs DAD on both (RFC 4862), answers ND and
	 *  ICMPv6 echo. The port must pass the solicited-node and all-nodes multicast MACs
	 *  (tern_ip6_mcast_macs()). */
	uint8_t ip6[16];
	uint8_t prefix6_len;  /**< on-link prefix of ip6, 1..128 (default 64) */
	uint8_t gateway6[16]; /**< IPv6 default router, network order; all zero = none */
};

/** Most multicast MACs an IPv6 engine listens to (tern_ip6_mcast_macs()). */
#define TERN_IP6_MCAST_MACS 3

/**
 * The Ethernet multicast addresses an engine with IPv6 address @p ip6 on a port with MAC
 * @p mac receives (RFC 2464 §7): all-nodes and the solicited-node groups of @p ip6 and of
 * the link-local address, for rte_eth_dev_set_mc_addr_list().
 * @return how many were written to @p out (at most TERN_IP6_MCAST_MACS; duplicates left out).
 */
unsigned tern_ip6_mcast_macs(
        const uint8_t ip6[16], const uint8_t mac[6], uint8_t out[TERN_IP6_MCAST_MACS][6]);

/** State of an engine's IPv6 address (RFC 4862). */
enum tern_ip6_state {
	TERN_IP6_NONE = 0,  /**< no IPv6 configured */
	TERN_IP6_TENTATIVE, /**< DAD running */
	TERN_IP6_PREFERRED, /**< in use */
	TERN_IP6_DUPLICATE, /**< DAD found another node with it: not used */
};

/** State of the configured IPv6 address (conf.ip6) of @p e. */
enum tern_ip6_state tern_engine_ip6_state(const struct tern_engine *e);

/**
 * Create an engine. Allocates its tables on the caller's NUMA socket. A process holds at
 * most 256 engines at a time (a connection block names its engine in one byte).
 * @return the engine, or NULL with rte_errno = EINVAL (bad configuration), ENOMEM, or
 *   ENOSPC (256 engines exist).
 */
struct tern_engine *tern_engine_create(const struct tern_engine_conf *conf);

/**
 * Destroy an engine: every open connection is dropped (closed callback with
 * TERN_CLOSE_ENGINE) and all memory and held mbufs are released. NULL is a no-op.
 */
void tern_engine_destroy(struct tern_engine *e);

/**
 * Abort every connection of @p e as tern_conn_abort() would (a RST to each synchronized
 * peer, the closed callback with TERN_CLOSE_ABORTED) and send the RSTs now. For an
 * application that stops at once: its peers learn that the connections are gone instead of
 * waiting on a host that no longer answers. Half-open SYN queue entries and TIME_WAIT are
 * left (nothing waits on them). Call on the engine's lcore, outside its callbacks.
 * @return the number of connections aborted.
 */
unsigned tern_engine_abort_all(struct tern_engine *e);

/**
 * One iteration of the engine loop: RX burst, input, timers, TX flush.
 * @return number of packets received and timers fired (0 = idle).
 */
unsigned tern_engine_poll(struct tern_engine *e);

/**
 * How long the engine can wait before its next timer is due, for a caller that wants to
 * sleep while idle (the apps' --poll-mode backoff): microseconds from the engine's last
 * clock reading (its last poll) until the earliest tick at which a timer can fire,
 * rounded up. Never later than the timer: for a timer beyond the current 64 ms of the
 * wheel it is the moment the wheel re-files it, earlier.
 * @return 0 when a timer is due now (poll again), UINT64_MAX when no timer is armed.
 */
uint64_t tern_engine_next_timer_us(const struct tern_engine *e);

/** Current engine time in milliseconds (the clock the timers use). */
uint64_t tern_engine_now_ms(const struct tern_engine *e);

/** The engine's counters (owned by the engine; safe to read from other threads). */
const struct tern_stats *tern_engine_stats(const struct tern_engine *e);

/** Fill @p g with the engine's gauges. Call from the engine's lcore, or accept races. */
void tern_engine_gauges(const struct tern_engine *e, struct tern_gauges *g);

/** Engine index given in the configuration. */
unsigned tern_engine_id(const struct tern_engine *e);

/** How this engine and its siblings agree on the owner of a flow (tern_engine_conf.steer). */
enum tern_steer_method tern_engine_steer_method(const struct tern_engine *e);

/**
 * Queue a complete Ethernet frame, built by the application, for transmission on the
 * engine's queue (raw traffic such as a load generator's; the stack does not look at it).
 * It leaves with the engine's TX batch, at the latest at the end of the next
 * tern_engine_poll(), and counts in tx_pkts / tx_bytes. Checksums must be final: no
 * offload flag is honoured beyond what the caller sets in @p m.
 * @return 0 (the engine owns @p m), or -EINVAL when @p m is NULL or shorter than an
 *         Ethernet header (the caller keeps it).
 */
int tern_engine_send_frame(struct tern_engine *e, struct rte_mbuf *m);

/**
 * The Ethernet address of the next hop towards @p ip (host order): @p ip itself when
 * on-link, else the gateway.
 * @return 0 with @p mac filled when the ARP cache has it; -EAGAIN when it does not, after
 *         broadcasting one ARP request (the reply fills the cache: call again later, no
 *         more often than every few hundred milliseconds); -ENETUNREACH when @p ip is
 *         off-link and there is no gateway; -ENOBUFS when no mbuf was free for the request.
 */
int tern_engine_resolve(struct tern_engine *e, uint32_t ip, uint8_t mac[6]);

/** tern_addr.family: IPv4. */
#define TERN_AF_INET  4
/** tern_addr.family: IPv6. */
#define TERN_AF_INET6 6

/** An address of either family. */
struct tern_addr {
	uint8_t family; /**< TERN_AF_INET or TERN_AF_INET6 */
	union {
		uint32_t v4;    /**< IPv4, host order */
		uint8_t v6[16]; /**< IPv6, network order */
	};
};

/**
 * tern_engine_resolve() for an address of either family: over IPv6 the next hop (@p ip
 * itself when on-link, else the gateway) is resolved by Neighbour Discovery, one
 * Neighbour Solicitation per call while unknown.
 * @return 0 with @p mac filled; -EAGAIN (asked: call again later); -ENETUNREACH when
 *         off-link without a gateway, or IPv6 and the engine has no IPv6 address;
 *         -ENOBUFS (IPv4: no mbuf for the request); -EINVAL for an unknown family.
 */
int tern_engine_resolve_addr(struct tern_engine *e, const struct tern_addr *ip, uint8_t mac[6]);

/**
 * Listen on TCP @p port of the engine's addresses: its IPv4 address (and conf.src_ips)
 * and, with conf.ip6, its IPv6 address and link-local address. One listener takes both
 * families; tern_conn_peer() tells which a connection came over.
 * @param backlog half-open connections (SYN_RCVD) the listener may have at once, and
 *        completed ones waiting to be accepted (default 1024 when 0)
 * @return 0; -EADDRINUSE when already listening; -EINVAL for port 0; -ENOMEM.
 */
int tern_listen(struct tern_engine *e, uint16_t port, uint32_t backlog);

/**
 * Pause (or resume) accepting on @p port. While paused, connections that complete their
 * handshake wait in the listener's accept queue without an accepted callback (data they
 * receive is buffered); the queue holds up to the listen backlog, beyond which the
 * engine's overflow policy applies (conf.abort_on_overflow). Resuming delivers the
 * queued connections. @return 0 or -ENOENT.
 */
int tern_listen_pause(struct tern_engine *e, uint16_t port, bool pause);

/** Stop listening on @p port. @return 0 or -ENOENT. Established connections stay. */
int tern_unlisten(struct tern_engine *e, uint16_t port);

/** A SYN as a listener's filter sees it (tern_listen_filter()). */
struct tern_syn_info {
	struct tern_addr raddr; /**< the peer's address (IPv4 or IPv6) */
	struct tern_addr laddr; /**< ours, of the same family */
	uint16_t rport;         /**< the peer's port (host order) */
	uint16_t lport;         /**< the listener's port */
};

/**
 * A listener's SYN filter (tern_listen_filter()): called on the engine's lcore for every SYN
 * that would open a connection on the listener, over either family, before a SYN queue
 * entry, a SYN cookie or a connection block is spent, with the SYN's addresses and ports.
 * @return true to go on with the handshake; false to refuse it: the SYN is answered with a
 *         RST and counted as the drop tcp_syn_filtered.
 */
typedef bool (*tern_syn_filter_fn)(
        struct tern_engine *e, const struct tern_syn_info *syn, void *arg);

/**
 * Set (or, with @p fn NULL, remove) the SYN filter of the listener on @p port; @p arg is
 * passed to it. A SYN that reopens a 4-tuple in TIME_WAIT is filtered too; the final ACK of a
 * SYN-cookie handshake is not (its SYN was). @return 0 or -ENOENT.
 */
int tern_listen_filter(struct tern_engine *e, uint16_t port, tern_syn_filter_fn fn, void *arg);

/**
 * Open a connection to IPv4 @p dst : @p dport (host order; tern_connect_addr() takes
 * either family). The handshake runs in the background; the connected or closed callback
 * tells the outcome.
 *
 * With @p local_port 0 the engine picks the local address (its own, or one of
 * conf.src_ips) and an ephemeral port from its share of [port_lo, port_hi]: a rotating
 * cursor offers the pair used longest ago; a pair busy toward this destination (a
 * connection, a half-open entry, a listener on the port, or a TIME_WAIT entry the reuse
 * policy keeps) is skipped. A 4-tuple is busy only toward its own destination, so the
 * same port serves many destinations at once.
 * @param local_port 0 to pick an ephemeral port; else the port to use from the engine's
 *        own address (with several engines, it must be one this engine owns: in its share
 *        when it lies in [port_lo, port_hi])
 * @return the connection, or NULL with rte_errno = EADDRNOTAVAIL (every address and
 *         port of the engine's share is busy toward @p dst : @p dport), ENOMEM
 *         (connection table full), EINVAL (bad arguments, or @p local_port another
 *         engine's), EADDRINUSE (local_port busy), ENETUNREACH (off-link and no gateway).
 */
struct tern_conn *tern_connect(
        struct tern_engine *e, uint32_t dst, uint16_t dport, uint16_t local_port, void *udata);

/**
 * tern_connect() to an address of either family. Over IPv6 the source is the engine's
 * IPv6 address (its link-local one toward a link-local @p dst), which must have passed
 * DAD; the engine must have conf.ip6.
 * @return the connection, or NULL with rte_errno as tern_connect() (EINVAL also for an
 *         IPv6 @p dst on an engine without IPv6, or a multicast, loopback or own
 *         address; ENETUNREACH also while our IPv6 address is tentative).
 */
struct tern_conn *tern_connect_addr(struct tern_engine *e, const struct tern_addr *dst,
        uint16_t dport, uint16_t local_port, void *udata);

/**
 * Queue up to @p len bytes for sending (copied into the engine's mbufs).
 *
 * The engine never lets application data take the last mbufs of its pool (1/16 of it,
 * 32..1024): those stay for building segments and ACKs and for receiving, so that data
 * already queued can still leave and be acknowledged. When the pool is that low the call
 * takes what fits in the mbufs it already has and stops.
 * @return bytes accepted (possibly fewer than @p len when the send buffer is full or the
 *         pool is low; the writable callback follows when space or mbufs come back),
 *         -ENOTCONN before the handshake, -EPIPE after tern_conn_shutdown()/close,
 *         -ENOBUFS when nothing could be queued for want of mbufs (the writable callback
 *         follows once the pool has refilled to twice the reserve), -ENOMEM when the
 *         connection holds no buffers (an idle one holds none) and the engine's heap
 *         has no room to give it any (no callback follows: nothing will free the heap).
 */
ssize_t tern_conn_send(struct tern_conn *c, const void *buf, size_t len);

/**
 * Zero-copy send: hand the mbuf chain @p m (pkt_len bytes, nb_segs segments linked by
 * ->next) to the engine, which appends its segments to the send buffer as they are.
 * All or nothing: either the whole chain is taken or none of it.
 *
 * Any mbufs work: received ones (tern_conn_recv_mbuf(), with headroom and any data_off),
 * mbufs of other pools, indirect clones and external buffers; each segment keeps its own
 * buffer until its bytes are acknowledged. Segments of at most 512 bytes are copied into
 * the tail of the send buffer when that mbuf is direct, unshared and has room (and then
 * freed), so that a stream of small segments does not pin one mbuf each (counter
 * zc_tx_copied). The engine may change the segments' metadata (next, nb_segs, pkt_len,
 * data_off, data_len); it writes only into the tailroom of direct mbufs with refcnt 1.
 * Segment building still copies the payload into each outgoing frame (one copy, as with
 * tern_conn_send(); the application's own copy is what this saves).
 *
 * @return 0: the engine owns @p m (zero-length chains are simply freed).
 *         -EAGAIN: the chain does not fit in the send space now; the caller keeps @p m and
 *         the writable callback follows when acknowledgements free space.
 *         -EMSGSIZE: the chain is longer than the whole send buffer (never fits).
 *         -EINVAL: @p m is NULL, or nb_segs / pkt_len disagree with the chain.
 *         -ENOTCONN before the handshake, -EPIPE after tern_conn_shutdown()/close,
 *         -ENOMEM as for tern_conn_send(); the caller keeps @p m in every error case.
 */
int tern_conn_send_mbuf(struct tern_conn *c, struct rte_mbuf *m);

/**
 * Copy up to @p len received bytes into @p buf and open the window accordingly.
 * @return bytes copied; 0 when the peer has closed and everything was read (EOF);
 *         -EAGAIN when nothing is buffered yet.
 */
ssize_t tern_conn_recv(struct tern_conn *c, void *buf, size_t len);

/**
 * Zero-copy receive: take up to @p max received bytes as an mbuf chain that the caller
 * then owns (free it with rte_pktmbuf_free(), or pass it to tern_conn_send_mbuf()), and
 * open the window as tern_conn_recv() does.
 *
 * The chain is well formed: *@p out has nb_segs and pkt_len set, every segment is one
 * received payload (headers stripped: data_off points at the payload, so it has headroom)
 * and the chain ends with next = NULL. Whole received mbufs are handed over; when @p max
 * ends inside one, its first bytes are copied into a fresh mbuf of the engine's pool
 * (counter zc_rx_copied), so ask for at least the bytes readable (tern_conn_readable())
 * or the send space to avoid any copy.
 * @return bytes taken (> 0, *@p out set); 0 at EOF (the peer closed and everything was
 *         read; *@p out NULL); -EAGAIN when nothing is buffered yet; -EINVAL for
 *         @p max 0; -ENOBUFS when @p max cut the first mbuf and no mbuf was free for the
 *         copy (the readable callback follows once mbufs are back).
 */
ssize_t tern_conn_recv_mbuf(struct tern_conn *c, size_t max, struct rte_mbuf **out);

/** Bytes buffered for reading. */
size_t tern_conn_readable(const struct tern_conn *c);

/** Bytes the send buffer can still take. */
size_t tern_conn_send_space(const struct tern_conn *c);

/**
 * Half close: send FIN after the queued data. Reading still works.
 * @return 0, or -ENOTCONN if the connection is not synchronized yet.
 */
int tern_conn_shutdown(struct tern_conn *c);

/**
 * Close: FIN after the queued data (graceful). The closed callback follows from the engine
 * loop, never from inside this call, and the handle stays valid until then. Closing with
 * unread data, or data arriving afterwards, resets the connection (RST: nobody will read
 * it, RFC 2525 §2.17; closed reason TERN_CLOSE_ABORTED).
 * @return 0.
 */
int tern_conn_close(struct tern_conn *c);

/** Abort: send RST and drop the connection; the closed callback (TERN_CLOSE_ABORTED)
 *  follows from the engine loop, and the handle stays valid until then. */
void tern_conn_abort(struct tern_conn *c);

/** Per-connection options (tern_conn_setopt()). */
enum tern_conn_opt {
	TERN_OPT_NODELAY,         /**< 1: Nagle off (send small segments at once); 0: on */
	TERN_OPT_KEEPALIVE,       /**< 1: keepalive on; 0: off */
	TERN_OPT_KEEPIDLE_MS,     /**< idle time before the first keepalive probe (1..2^31-1) */
	TERN_OPT_KEEPINTVL_MS,    /**< time between keepalive probes (1..2^31-1) */
	TERN_OPT_KEEPCNT,         /**< unanswered probes before the connection ends */
	TERN_OPT_USER_TIMEOUT_MS, /**< user timeout; 0 = off */
};

/**
 * Set a per-connection option.
 * @return 0; -EINVAL for an unknown option or a value out of range; -ENOSPC for a
 *   keepalive or user-timeout value when the engine's 255 sets of these settings that
 *   differ from its configuration are all in use by other connections (connections share
 *   a set with equal values; the connection keeps its values).
 */
int tern_conn_setopt(struct tern_conn *c, enum tern_conn_opt opt, uint32_t val);

/** Read a per-connection option. @return 0 or -EINVAL. */
int tern_conn_getopt(const struct tern_conn *c, enum tern_conn_opt opt, uint32_t *val);

/** Application pointer of a connection. */
void *tern_conn_udata(const struct tern_conn *c);
/** Set the application pointer of a connection. */
void tern_conn_set_udata(struct tern_conn *c, void *udata);
/** TCP state of a connection. */
enum tern_tcp_state tern_conn_state(const struct tern_conn *c);
/** Engine of a connection. */
struct tern_engine *tern_conn_engine(const struct tern_conn *c);

/** The 4-tuple of a connection, host order. */
struct tern_tuple {
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;
};

/** Fill @p t with the connection's addresses (IPv4 only: both addresses 0 for an IPv6
 *  connection, whose ports are filled in; see tern_conn_peer()). */
void tern_conn_tuple(const struct tern_conn *c, struct tern_tuple *t);

/** The peer's address (family-tagged) and, when @p port is not NULL, port of @p c. */
void tern_conn_peer(const struct tern_conn *c, struct tern_addr *a, uint16_t *port);

/** Our address (family-tagged) and, when @p port is not NULL, port of @p c. */
void tern_conn_local(const struct tern_conn *c, struct tern_addr *a, uint16_t *port);

/** Is @p name a congestion control algorithm this build has ("cubic", "newreno")? */
bool tern_cc_supported(const char *name);
/** Names of the congestion control algorithms, comma separated, for help texts. */
const char *tern_cc_names(void);

/** Printable name of a TCP state ("ESTABLISHED"). */
const char *tern_tcp_state_name(enum tern_tcp_state s);
/** Printable name of a close reason ("reset"). */
const char *tern_close_reason_name(enum tern_close_reason r);

#ifdef __cplusplus
}
#endif

#endif
