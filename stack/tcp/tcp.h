/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP internals shared by the files of stack/tcp/ (and read by stack/api/, the public
 * wrapper, and stack/engine/).
 *
 * One concern per file: flow.c (4-tuple table), isn.c (RFC 6528), tcp_input.c (RFC 9293
 * §3.10.7 SEGMENT ARRIVES), tcp_output.c (segment building, send / ACK / RST),
 * tcp_timer.c (retransmission, persist, delayed ACK, keepalive, FIN_WAIT_2 and user
 * timeouts), timewait.c (compact TIME_WAIT entries), tcp_listen.c (passive opens, SYN
 * queue, cookies), tcp_conn.c (the connection block life cycle, events, send and receive
 * buffers), tcp_user.c (the user calls: open, close, abort, options).
 */
#ifndef TERN_TCP_TCP_H
#define TERN_TCP_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <tern/tern.h>

#include "tcp/cc.h"
#include "tcp/ephemeral.h"
#include "tcp/flow.h"
#include "tcp/reass.h"
#include "tcp/sack.h"
#include "tcp/syncookie.h"
#include "tcp/synq.h"
#include "tcp/xpool.h"
#include "util/list.h"
#include "util/seq.h"
#include "util/siphash.h"
#include "util/timer_wheel.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

struct rte_mbuf;
struct tern_engine;

/* ---- connection block ---- */

/* tern_conn.events: what the application is to be told. */
#define TCP_ACK_RETRY_MS  10 /**< an ACK not sent for want of an mbuf is tried again after */
#define CONN_EV_ACCEPTED  0x01
#define CONN_EV_CONNECTED 0x02
#define CONN_EV_READABLE  0x04
#define CONN_EV_WRITABLE  0x08
#define CONN_EV_CLOSED    0x10

/* tern_conn.flags */
#define CONN_F_PASSIVE    0x0001   /**< created by a listener */
#define CONN_F_APP_KNOWS  0x0002   /**< accepted/connected delivered, or connect() returned it */
#define CONN_F_FIN_QUEUED 0x0004   /**< shutdown/close: FIN goes after the queued data */
#define CONN_F_FIN_SENT   0x0008   /**< FIN is in flight (snd_fin is its sequence number) */
#define CONN_F_FIN_RCVD   0x0010   /**< the peer's FIN was received */
#define CONN_F_ACK_NOW    0x0020   /**< send an ACK at the next output */
#define CONN_F_APP_CLOSED 0x0040   /**< tern_conn_close(): discard further data */
#define CONN_F_WANT_WRITE 0x0080   /**< send() fell short: tell when space frees */
#define CONN_F_RTT_TIMING 0x0100   /**< rtt_seq is being timed */
#define CONN_F_DEAD       0x0200   /**< gone from the flow table; waits for the closed event */
#define CONN_F_PERSIST    0x0400   /**< rtx timer is a zero-window probe timer */
#define CONN_F_NEEDS_SYN  0x0800   /**< (re)send SYN or SYN-ACK at next output */
#define CONN_F_RECOVERY   0x1000   /**< in fast recovery (RFC 6675 / RFC 6582) */
#define CONN_F_RXT_WATCH  0x2000   /**< the head segment was resent: watch for its loss */
#define CONN_F_DELACK     0x4000   /**< an ACK is owed (delayed ACK timer armed) */
#define CONN_F_KA_PROBE   0x8000   /**< idle timer: keepalive probes are running */
#define CONN_F_ACCQ       0x10000  /**< counted in its listener's accept queue */
#define CONN_F_ON_EV      0x20000  /**< on tcp_engine.events, or its listener's accq */
#define CONN_F_ON_OUT     0x40000  /**< its bit is set in tcp_engine.output */
#define CONN_F_ON_WAIT    0x80000  /**< its bit is set in tcp_engine.nobufs */
#define CONN_F_IN_ACCQ    0x100000 /**< with CONN_F_ON_EV: on accq, not on events */
#define CONN_F_DELACK_ARM 0x200000 /**< DELACK timer to arm after the output (tcp_delack_arm) */

/* tern_conn.opt: negotiated options and per-connection switches */
#define CONN_O_WSCALE    0x01 /**< window scaling in use (both SYNs carried it) */
#define CONN_O_TS        0x02 /**< timestamps in use */
#define CONN_O_SACK      0x04 /**< SACK in use */
#define CONN_O_NODELAY   0x08 /**< Nagle off */
#define CONN_O_KEEPALIVE 0x10 /**< keepalive on */
#define CONN_O_TS_VALID  0x20 /**< ts_recent holds a value */
#define CONN_O_DSACK     0x40 /**< a D-SACK block (dsack_l, dsack_r) waits for our next ACK */

/*
 * What a connection needs only while it recovers from loss or receives out of order: the
 * SACK scoreboard, the undo state of a recovery, the reassembly queue and a D-SACK to
 * report. Most connections (idle ones, short requests, clean paths) never need it, so it
 * lives apart from the block, in a per-engine pool (conf.conn_ext entries): conn_ext_get()
 * takes one when the first SACK block, loss, duplicate or out-of-order segment arrives,
 * conn_ext_trim() gives it back when all of it is empty again. When the pool is empty the
 * connection goes on without (counted as tcp_ext_nomem): the sender ignores SACK blocks
 * and recovers the NewReno way, the receiver drops the out-of-order segment and ACKs.
 */
struct tcp_conn_ext {
	struct sack_board scb;  /**< what the peer SACKed (sender side) */
	uint8_t undo_ok;        /**< the current recovery can still be found spurious */
	uint32_t rxt_tsval;     /**< TSval of the recovery's first retransmission */
	tern_seq_t rxt_head;    /**< with CONN_F_RXT_WATCH: snd_una when the head was resent */
	tern_seq_t rxt_mark;    /**< ... and snd_max then: SACKs above it came from later sends */
	struct tcp_cc undo_cc;  /**< cc before the current recovery (Eifel undo, RFC 3522) */
	struct tcp_reass reass; /**< out-of-order segments */
	tern_seq_t dsack_l;     /**< duplicate bytes received, to report (RFC 2883) */
	tern_seq_t dsack_r;
};

/*
 * A connection's send and receive buffers: held only while either holds a byte (issue
 * 12: compact connections). tcp_conn.c's io_get() takes one from the engine's pool (grown on
 * demand, one per connection at most) when data is queued or received in order;
 * io_trim() gives it back when both buffers are empty again, so an idle connection
 * holds none. conn_sb_len() and conn_rb_len() read 0 without one.
 */
struct tcp_conn_io {
	/* send buffer: data from snd_una (after the SYN) onwards, in data-only mbufs; its
	 * capacity is the engine's (conn_sb_limit()) */
	struct rte_mbuf *sb_head;
	struct rte_mbuf *sb_tail;
	struct rte_mbuf *sb_cur; /**< copy cursor: an mbuf of the send buffer, or NULL */
	tern_seq_t sb_cur_seq;   /**< sequence number of sb_cur's first byte */
	uint32_t sb_len;         /**< bytes queued (sent-unacked + unsent) */
	/* receive buffer: in-order payload not yet read (capacity: conn_rb_limit()) */
	struct rte_mbuf *rb_head;
	struct rte_mbuf *rb_tail;
	uint32_t rb_len;
} __attribute__((aligned(64)));

/*
 * A connection's timers (tcp_timer.c). They share one entry on the engine's wheel, armed
 * for the earliest: a block holds one struct tern_timer instead of three.
 */
/*
 * The engine's lists of connections (events, and a listener's accept queue) link blocks by
 * their index in the engine's pool: 8 bytes a link instead of 16. Doubly linked, FIFO;
 * whether a block is on a list is a flag (CONN_F_ON_EV), so a block that goes away is
 * taken off in O(1). Where the order does not matter the engine keeps a bit per block
 * instead of a link: the connections to run tcp_output() on (struct conn_set, taken in
 * pool order) and the rare wait for mbufs (tcp_engine.nobufs).
 */
#define CONN_NIL UINT32_MAX /**< no block: the end of a list */

enum conn_lk {
	CONN_LK_EV, /**< events to deliver (tcp_engine.events, tcp_listener.accq) */
	CONN_LK_N,
};

/** A block's place on one list: pool indices of its neighbours (CONN_NIL at the ends). */
struct conn_link {
	uint32_t next;
	uint32_t prev;
};

/** A list of blocks: pool indices of the first and the last (CONN_NIL when empty). */
struct conn_list {
	uint32_t head;
	uint32_t tail;
};

/**
 * A set of blocks, one bit per pool index, on three levels so that finding the lowest
 * member costs three word scans however large the pool: bit i of w[] is block i, bit j of
 * mid[] says w[j] is not zero, bit k of top[] says mid[k] is not zero.
 */
struct conn_set {
	uint64_t *w;
	uint64_t *mid;
	uint64_t *top;
	uint32_t ntop; /**< words of top[] */
};

enum conn_timer {
	CONN_T_RTX,    /**< retransmission, or zero-window probe (CONN_F_PERSIST) */
	CONN_T_DELACK, /**< delayed ACK (CONN_F_DELACK) */
	CONN_T_IDLE,   /**< keepalive, or the FIN_WAIT_2 timeout */
	CONN_T_N,
};

struct tern_conn {
	struct flow_node node; /**< 20 bytes, must be first */
	uint32_t flags;        /**< CONN_F_* */
	uint8_t state;         /**< enum tern_tcp_state */
	uint8_t events;        /**< CONN_EV_* pending */
	uint8_t close_reason;
	uint8_t nrtx;       /**< consecutive retransmissions of the oldest segment */
	uint16_t mss;       /**< send MSS: payload bytes per segment before options (RFC 6691) */
	uint16_t rcv_mss;   /**< largest segment received (delayed ACK "full-sized") */
	uint8_t opt;        /**< CONN_O_* */
	uint8_t snd_wscale; /**< peer's window shift: applied to windows we receive */
	uint8_t rcv_wscale; /**< our window shift: applied to windows we send */
	uint8_t dupacks;    /**< duplicate ACKs in a row */
	uint8_t dupthresh;  /**< duplicate ACKs that start recovery (grows on reordering) */
	uint8_t timers;     /**< bit (1 << CONN_T_*) set: that timer is armed */
	uint8_t ka_probes;  /**< keepalive probes sent without an answer */
	uint8_t ka_id;      /**< keepalive / user-timeout settings: index in tcp_engine.ka */
	uint8_t wait_ev;    /**< CONN_EV_* to deliver when mbufs come back (CONN_F_ON_WAIT) */
	uint8_t cc_id;      /**< congestion control: index in tcp_cc_table (conn_cc()) */
	uint8_t eid;        /**< its engine: index in tcp_engines (conn_e()) */

	/* send sequence space (RFC 9293 §3.3.1) */
	tern_seq_t iss;
	tern_seq_t snd_una;
	tern_seq_t snd_nxt;
	tern_seq_t snd_max; /**< highest sequence sent + 1 */
	tern_seq_t snd_wl1;
	tern_seq_t snd_wl2;
	uint32_t snd_wnd;     /**< peer's window, scaled */
	uint32_t max_snd_wnd; /**< largest window the peer advertised (RFC 5961 §5) */
	tern_seq_t recover;   /**< RFC 6582 "recover": snd_max when recovery or RTO began */
	tern_seq_t snd_sml;   /**< end of the last short segment sent (Nagle, Minshall) */

	/* receive sequence space */
	tern_seq_t rcv_nxt;       /**< (the peer's ISN is rcv_nxt - 1 until data arrives) */
	tern_seq_t rcv_adv;       /**< right edge of the window we advertised */
	tern_seq_t last_ack_sent; /**< ACK field of the last segment we sent (RFC 7323 §4.3) */

	/* timestamps (RFC 7323) */
	uint32_t ts_offset;   /**< added to engine ms to make our TSval */
	uint32_t ts_recent;   /**< TS.Recent */
	uint32_t ts_recent_s; /**< engine seconds, low 32 bits, when ts_recent was set (24 days) */
	/** last rate-limited out-of-window / PAWS ACK, engine ms (low 32 bits, tcp_ms_since());
	 *  0: none */
	uint32_t oow_ack_ms;
	tern_seq_t rtt_seq; /**< the segment being timed (RTT, with CONN_F_RTT_TIMING) */

	/** Loss recovery and out-of-order state, held only while needed (conn_ext_get()):
	 *  its id in the engine's ext_pool, 0 for none (conn_x()). */
	uint32_t ext_id;
	/** Send and receive buffers, held only while either holds data (tcp_conn.c): the
	 *  id in the engine's io_pool, 0 for none (conn_io()). */
	uint32_t io_id;

	struct tcp_cc cc; /**< cwnd, ssthresh and the algorithm's state */

	/* RTT / RTO (RFC 6298) */
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint32_t rto_ms;
	uint32_t rtt_start_us; /**< engine microseconds, low 32 bits, when rtt_seq was sent */

	/* Stamps in engine milliseconds, low 32 bits (tcp_ms_since()): the intervals they
	 * measure stay far below the 49 days at which they would wrap. */
	uint32_t last_rx_ms;    /**< the last segment accepted (keepalive) */
	uint32_t progress_ms;   /**< snd_una last moved, or data became outstanding */
	uint32_t due[CONN_T_N]; /**< engine ms (low 32 bits) at which each armed timer expires */

	struct tern_timer timer;        /**< one wheel entry: the earliest of the armed due[] */
	struct conn_link lk[CONN_LK_N]; /**< on the events list (or an accq): CONN_F_ON_EV */
	void *udata;
};

/**
 * Longest delay a connection timer is armed for (tern_conn.due[] are 32-bit stamps read
 * as signed distances from now): 2^31 - 1 ms, 24.8 days. The keepalive and FIN_WAIT_2
 * settings are refused above it.
 */
#define TCP_TIMER_MAX_MS INT32_MAX

/* The extension of @p c (struct tcp_conn_ext), NULL when it holds none. For files that
 * include engine.h. */
#define conn_x(c)                                                                                  \
	((c)->ext_id != 0 ? (struct tcp_conn_ext *)xpool_at(&conn_e(c)->tcp.ext_pool, (c)->ext_id) \
	                  : NULL)

/* The buffers of @p c (struct tcp_conn_io), which must hold one (io_id not 0); and the
 * bytes in each buffer, 0 without one. For files that include engine.h. */
#define conn_io(c)     ((struct tcp_conn_io *)xpool_at(&conn_e(c)->tcp.io_pool, (c)->io_id))
#define conn_sb_len(c) ((c)->io_id != 0 ? conn_io(c)->sb_len : 0u)
#define conn_rb_len(c) ((c)->io_id != 0 ? conn_io(c)->rb_len : 0u)

/* The keepalive and user-timeout settings of @p c (struct tcp_ka). For files that include
 * engine.h. */
#define conn_ka(c) (&conn_e(c)->tcp.ka[(c)->ka_id])

/* The send and receive buffer capacities, the same for every connection of an engine
 * (conf.sndbuf, conf.rcvbuf: not kept in the block). For files that include engine.h. */
#define conn_sb_limit(c) (conn_e(c)->conf.sndbuf)
#define conn_rb_limit(c) (conn_e(c)->conf.rcvbuf)

/**
 * The engines of the process, by the one-byte index a connection block keeps instead of a
 * pointer (tern_conn.eid): taken at tcp_init(), given back at tcp_fini().
 */
#define TCP_MAX_ENGINES 256
extern struct tern_engine *tcp_engines[TCP_MAX_ENGINES];

/** The engine of connection @p c. */
static inline struct tern_engine *
conn_e(const struct tern_conn *c)
{
	return tcp_engines[c->eid];
}

/** Sequence number of our FIN, with CONN_F_FIN_SENT: nothing is ever sent beyond it, so
 *  it is snd_max - 1. */
static inline tern_seq_t
conn_snd_fin(const struct tern_conn *c)
{
	return c->snd_max - 1;
}

/** In-order bytes received since our last ACK (the peer's FIN not counted). */
static inline uint32_t
conn_rcv_unacked(const struct tern_conn *c)
{
	uint32_t d = c->rcv_nxt - c->last_ack_sent;

	return d > 0 && (c->flags & CONN_F_FIN_RCVD) ? d - 1 : d;
}

/** The congestion control algorithm of connection @p c. */
static inline const struct tcp_cc_ops *
conn_cc(const struct tern_conn *c)
{
	return tcp_cc_table[c->cc_id];
}

/** Milliseconds from the 32-bit stamp @p stamp (tern_conn's *_ms stamps) to @p now_ms. */
static inline uint32_t
tcp_ms_since(uint64_t now_ms, uint32_t stamp)
{
	return (uint32_t)now_ms - stamp;
}

/** The engine ms (64-bit) of 32-bit stamp @p stamp, taken at most 49 days before @p now_ms. */
static inline uint64_t
tcp_ms_at(uint64_t now_ms, uint32_t stamp)
{
	return now_ms - tcp_ms_since(now_ms, stamp);
}

/** Engine seconds, low 32 bits, of engine ms @p now_ms (tern_conn.ts_recent_s). */
static inline uint32_t
tcp_secs(uint64_t now_ms)
{
	return (uint32_t)(now_ms / 1000);
}

/* ---- TIME_WAIT (timewait.c) ---- */

/**
 * Compact TIME_WAIT entry (target: one cache line). The full connection block is freed
 * when a connection enters TIME_WAIT; this keeps what is needed to answer segments.
 */
struct tcp_tw {
	struct flow_node node; /**< 20 bytes, must be first */
	tern_seq_t snd_nxt;    /**< our next sequence number (after our FIN) */
	tern_seq_t rcv_nxt;    /**< after the peer's FIN */
	uint32_t hash;         /**< flow_hash() of the key: tw_remove() needs no SipHash */
	uint64_t expire_ms;
	struct tern_list fifo; /**< by expiry; the head is the oldest */
	uint32_t ts_recent;    /**< the connection's TS.Recent (with TW_F_TS) */
	uint32_t ts_offset;    /**< the connection's timestamp offset */
};

#define TW_F_TS 0x01 /**< the connection used timestamps: our ACKs carry them */

/** Verdict of the TIME_WAIT handler; the caller acts on it. */
enum tcp_tw_verdict {
	TW_DROP,       /**< discard the segment silently */
	TW_ACK,        /**< answer with <SEQ=snd_nxt><ACK=rcv_nxt><CTL=ACK> */
	TW_KILL,       /**< remove the entry (RST accepted), no answer */
	TW_REOPEN,     /**< a SYN for a new incarnation (RFC 6191): remove, hand to the listener */
	TW_CHALLENGE,  /**< a SYN not acceptable as a new incarnation: rate-limited ACK */
	TW_IGNORE_RST, /**< RFC 1337 option: a RST that would have removed the entry */
};

/** Gap between the old incarnation's snd_nxt and the new ISN when the ISN clock is not
 *  already beyond it. */
#define TW_ISN_GAP 65536u

/* ---- keepalive and user-timeout settings ---- */

/**
 * One set of keepalive and user-timeout settings. Connections do not hold their own: they
 * name one of the engine's TCP_KA_N sets by a one-byte index (tern_conn.ka_id). Set 0 is
 * the engine's configuration, which every connection starts with; tern_conn_setopt()
 * moves a connection to the set with its new values, interned in a free slot if no
 * connection uses those yet (-ENOSPC when TCP_KA_N - 1 other sets are all in use).
 */
struct tcp_ka {
	uint32_t idle_ms;         /**< keepidle */
	uint32_t intvl_ms;        /**< keepintvl */
	uint32_t user_timeout_ms; /**< 0: off */
	uint32_t ref;             /**< connections naming it (not counted for set 0) */
	uint8_t cnt;              /**< keepcnt */
};

#define TCP_KA_N 256

/* ---- listeners ---- */

struct tcp_listener {
	uint8_t paused;            /**< tern_listen_pause(): completed handshakes wait on accq */
	tern_syn_filter_fn filter; /**< tern_listen_filter(), or NULL */
	void *filter_arg;
	struct synq_listener sq; /**< half-open entries; sq.backlog also bounds the accept queue */
	uint32_t accq_len;     /**< accept queue: completed, accepted callback not delivered yet */
	struct conn_list accq; /**< connections held while paused (link CONN_LK_EV, IN_ACCQ) */
};

/* ---- per-engine TCP state ---- */

#define TCP_TSO_SEGS 16 /**< full segments in one TSO frame at most (conf.tx_tso) */
#define TCP_RX_BATCH 32 /**< frames tcp_rx_prepare() looks at ahead (= TERN_RX_BURST) */

struct tcp_engine {
	struct flow_table flows;
	struct tcp_listener **listeners; /**< indexed by port */
	uint32_t nlisteners;

	struct tern_conn *conn_pool;
	struct tern_conn *conn_free; /**< free list through node.next */
	struct xpool ext_pool;       /**< extensions (struct tcp_conn_ext), up to conf.conn_ext */
	struct xpool io_pool;        /**< buffers (struct tcp_conn_io), up to conf.max_conns */
	struct tcp_ka ka[TCP_KA_N];  /**< keepalive / user-timeout settings (tern_conn.ka_id) */

	struct tcp_tw *tw_pool;
	struct tcp_tw *tw_free; /**< free list through node.next */
	uint32_t ntw;
	struct tern_list tw_fifo;
	struct tern_timer tw_timer; /**< armed for the oldest entry's expiry */

	/** Batched RX (tcp_rx_prepare()): the flow hash of each frame of the burst being
	 *  processed, so that tcp_input() does not compute it again. */
	const struct rte_mbuf *rx_m[TCP_RX_BATCH];
	uint32_t rx_hash[TCP_RX_BATCH];
	/** The TCP length of a frame ipv4_tcp_fast() passed (tcp_rx_input() takes it); 0 for
	 *  one that takes the general path (eth_input()). */
	uint16_t rx_l4len[TCP_RX_BATCH];
	uint16_t rx_n;   /**< frames prepared */
	uint16_t rx_cur; /**< the next one tcp_input() may meet */
	/** RX continuation (tcp_rx_input()): the connection into which the frame just
	 *  processed delivered in-order data by header prediction, and that frame's flow
	 *  hash; NULL once any other frame or work came between. */
	struct tern_conn *rx_cont;
	uint32_t rx_cont_hash;

	struct conn_list events; /**< connections with events to deliver */
	struct conn_set output;  /**< connections to run tcp_output() on (CONN_F_ON_OUT) */
	/** Connections that found the mbuf pool empty (send -ENOBUFS): they get their
	 *  wait_ev events once enough mbufs are free again (conn_run_pending). A rare state:
	 *  one bit per pool block (CONN_F_ON_WAIT), woken in pool order, instead of a link. */
	uint64_t *nobufs;
	uint32_t nobufs_n;        /**< bits set */
	uint64_t nobufs_check_ms; /**< engine ms of the last look at the pool for them */
	uint64_t pool_check_ms;   /**< engine ms of the last count of free mbufs */
	int64_t pool_est; /**< free then, less the frames received and the mbufs engine_alloc() took
	                     since */
	bool pool_low;    /**< the last count was below the reserve */

	uint32_t state_count[TERN_TCP_STATE_MAX];
	struct siphash_key isn_key;
	/** ns from the engine clock to the restart-stable clock (conf.wall), for ISNs */
	uint64_t isn_base_ns;
	/** ms from the engine clock to the restart-stable clock, in every timestamp offset */
	uint32_t ts_base_ms;
	uint16_t mss;              /**< our MSS over IPv4 (MTU - 40) */
	uint16_t mss6;             /**< our MSS over IPv6 (MTU - 60) */
	struct tcp_ephemeral eph;  /**< local address and port choice of active opens */
	uint32_t tw_ms;            /**< 2 * MSL */
	uint8_t wscale;            /**< the window shift we offer */
	uint8_t cc_id;             /**< congestion control of new connections (tcp_cc_table) */
	uint8_t eid;               /**< this engine's index in tcp_engines */
	bool has_eid;              /**< it holds one (tcp_init() got that far) */
	struct siphash_key ts_key; /**< per-destination timestamp offsets */
	/** The last IPv4 destination's offset hash (tcp_ts_offset_memo): connections to one
	 *  peer share it, and it is a pure function of the addresses (ts_key is fixed). */
	uint32_t ts_memo_laddr, ts_memo_raddr, ts_memo_hash;
	/** A connection's wheel entry as twheel_timer_init() leaves it (conn_timer_fn): copied
	 *  by conn_alloc(), which so skips the search of the callback's index (issue 12). */
	struct tern_timer conn_timer0;
	/** Connections whose wheel entry is left pending with no timer armed (conn_timer_stop());
	 *  the gauge of pending timers leaves them out. */
	uint32_t timers_stale;
	struct reass_pool reass;
	uint64_t chack_sec;   /**< second of the challenge ACK budget */
	uint32_t chack_count; /**< challenge ACKs sent in that second */
	uint32_t accq_total;  /**< accept queue lengths of all listeners */

	struct synq synq;             /**< half-open passive connections (synq.c) */
	struct tern_timer synq_timer; /**< armed for synq_next_due() */
	struct syncookie_ctx cookies; /**< SYN cookie keys (syncookie.c) */
	uint64_t cookie_until_ms;     /**< ACKs to listeners are checked as cookies until then */
};

/* ---- lists of connections by pool index (struct conn_list) ---- */

static inline void
conn_list_init(struct conn_list *l)
{
	l->head = CONN_NIL;
	l->tail = CONN_NIL;
}

static inline bool
conn_list_empty(const struct conn_list *l)
{
	return l->head == CONN_NIL;
}

/** Append @p c, on no list of kind @p k (its CONN_F_ON_* flag is the caller's). */
static inline void
conn_list_add_tail(struct tcp_engine *tcp, struct conn_list *l, struct tern_conn *c, unsigned k)
{
	uint32_t i = (uint32_t)(c - tcp->conn_pool);

	c->lk[k].next = CONN_NIL;
	c->lk[k].prev = l->tail;
	if (l->tail == CONN_NIL)
		l->head = i;
	else
		tcp->conn_pool[l->tail].lk[k].next = i;
	l->tail = i;
}

/** Unlink @p c from @p l, the list of kind @p k it is on. */
static inline void
conn_list_del(struct tcp_engine *tcp, struct conn_list *l, struct tern_conn *c, unsigned k)
{
	struct conn_link *n = &c->lk[k];

	if (n->prev == CONN_NIL)
		l->head = n->next;
	else
		tcp->conn_pool[n->prev].lk[k].next = n->next;
	if (n->next == CONN_NIL)
		l->tail = n->prev;
	else
		tcp->conn_pool[n->next].lk[k].prev = n->prev;
	n->next = CONN_NIL;
	n->prev = CONN_NIL;
}

/** Add block @p i to @p s (not in it). */
static inline void
conn_set_add(struct conn_set *s, uint32_t i)
{
	s->w[i / 64] |= UINT64_C(1) << (i % 64);
	s->mid[i / 4096] |= UINT64_C(1) << (i / 64 % 64);
	s->top[i / 262144] |= UINT64_C(1) << (i / 4096 % 64);
}

/** Take block @p i (a member) out of @p s. */
static inline void
conn_set_del(struct conn_set *s, uint32_t i)
{
	s->w[i / 64] &= ~(UINT64_C(1) << (i % 64));
	if (s->w[i / 64] != 0)
		return;
	s->mid[i / 4096] &= ~(UINT64_C(1) << (i / 64 % 64));
	if (s->mid[i / 4096] != 0)
		return;
	s->top[i / 262144] &= ~(UINT64_C(1) << (i / 4096 % 64));
}

/** Take the lowest member out of @p s: its index, or CONN_NIL when @p s is empty. */
static inline uint32_t
conn_set_pop(struct conn_set *s)
{
	uint32_t t, m, i;

	for (t = 0; t < s->ntop; t++)
		if (s->top[t] != 0)
			break;
	if (t == s->ntop)
		return CONN_NIL;
	m = t * 64 + (uint32_t)__builtin_ctzll(s->top[t]);
	i = m * 64 + (uint32_t)__builtin_ctzll(s->mid[m]);
	i = i * 64 + (uint32_t)__builtin_ctzll(s->w[i]);
	conn_set_del(s, i);
	return i;
}

/** Take the first block off @p l (kind @p k), or NULL when it is empty. */
static inline struct tern_conn *
conn_list_pop(struct tcp_engine *tcp, struct conn_list *l, unsigned k)
{
	struct tern_conn *c;

	if (l->head == CONN_NIL)
		return NULL;
	c = &tcp->conn_pool[l->head];
	conn_list_del(tcp, l, c, k);
	return c;
}

#define TCP_MIN_MSS      64   /**< floor of any send MSS */
#define TCP_DEFAULT_MSS  536  /**< RFC 9293 §3.7.1: MSS when the peer sends no option */
#define TCP_DEFAULT_MSS6 1220 /**< the same over IPv6 (1280 - 60; MUST-15) */
#define TCP_MAX_WSCALE   14   /**< RFC 7323 §2.3 */

/** Our MSS on the family of 4-tuple @p k. */
static inline uint16_t
tcp_our_mss(const struct tcp_engine *tcp, const struct flow_key *k)
{
	return flow_key_is6(k) ? tcp->mss6 : tcp->mss;
}

/** The send MSS assumed when the peer's SYN has no MSS option: 536 over IPv4, 1220 over
 *  IPv6 (RFC 9293 §3.7.1). */
static inline uint16_t
tcp_default_mss(const struct flow_key *k)
{
	return flow_key_is6(k) ? TCP_DEFAULT_MSS6 : TCP_DEFAULT_MSS;
}

/** Send MSS for a peer that announced @p mss (0: no option) on 4-tuple @p k: clamped to
 *  ours and the floor. */
static inline uint16_t
tcp_peer_mss(const struct tcp_engine *tcp, const struct flow_key *k, uint16_t mss)
{
	uint16_t ours = tcp_our_mss(tcp, k);

	if (mss == 0)
		mss = tcp_default_mss(k);
	if (mss > ours)
		mss = ours;
	return mss < TCP_MIN_MSS ? TCP_MIN_MSS : mss;
}

/** The keyed part of an IPv4 peer's timestamp offset: SipHash-2-4 of the two addresses and
 *  a label, 12 bytes, which take two compressions (a 16-byte input takes three). */
static inline uint32_t
ts_offset4(const struct tcp_engine *tcp, uint32_t laddr, uint32_t raddr)
{
	return (uint32_t)siphash24_3u32(&tcp->ts_key, laddr, raddr, 0x7323);
}

/**
 * Timestamp offset of the peer of 4-tuple @p k: one clock per destination (RFC 7323 §5.4),
 * keyed (conf.clock_key) and on the restart-stable time base, so TSval = engine ms + offset
 * = restart-stable ms + F(key, addresses) continues across a restart with the same key;
 * over IPv6, of the peer's address itself (its peer table index is reused).
 */
static inline uint32_t
tcp_ts_offset(const struct tcp_engine *tcp, const struct flow_key *k)
{
	if (flow_key_is6(k)) {
		struct {
			uint32_t l;
			struct wire_ip6 r;
		} in = {k->laddr, *flow_peer6_ip(&tcp->flows, k->raddr)};
		return (uint32_t)siphash24(&tcp->ts_key, &in, sizeof(in)) + tcp->ts_base_ms;
	}
	return ts_offset4(tcp, k->laddr, k->raddr) + tcp->ts_base_ms;
}

/** tcp_ts_offset() through the engine's one-destination memo (a new connection block). */
static inline uint32_t
tcp_ts_offset_memo(struct tcp_engine *tcp, const struct flow_key *k)
{
	if (flow_key_is6(k))
		return tcp_ts_offset(tcp, k);
	if (k->laddr != tcp->ts_memo_laddr || k->raddr != tcp->ts_memo_raddr) {
		tcp->ts_memo_laddr = k->laddr;
		tcp->ts_memo_raddr = k->raddr;
		tcp->ts_memo_hash = ts_offset4(tcp, k->laddr, k->raddr);
	}
	return tcp->ts_memo_hash + tcp->ts_base_ms;
}

/**
 * What a handshake settles (RFC 7323 window scaling and timestamps, RFC 2018 SACK, the MSS):
 * an option is in use when the peer's SYN or SYN-ACK carried it and our configuration
 * allows it. Passively we answer only what the SYN offered; actively we offered every
 * option our configuration allows, so what the SYN-ACK carries decides. Decided in one
 * place (tcp_syn_negotiate) for SYNs, SYN-ACKs, SYN queue entries and cookies, and applied
 * to a connection in one place (tcp_conn_take_syn).
 */
struct tcp_syn_opts {
	uint8_t flags;  /**< SYNQ_F_WSCALE | SYNQ_F_SACK | SYNQ_F_TS */
	uint8_t wscale; /**< the peer's shift, at most TCP_MAX_WSCALE (with SYNQ_F_WSCALE) */
	uint16_t mss;   /**< the peer's MSS option, 0 when absent */
	uint32_t tsval; /**< the peer's TSval, our TS.Recent (with SYNQ_F_TS) */
};

/** Negotiate from the options @p o of the peer's SYN or SYN-ACK. */
void tcp_syn_negotiate(
        const struct tern_engine *e, const struct wire_tcp_opts *o, struct tcp_syn_opts *n);

/** Put the options @p n in force on @p c (scaling, timestamps, SACK, MSS, initial cwnd). */
void tcp_conn_take_syn(struct tern_conn *c, const struct tcp_syn_opts *n);

/** Parsed segment handed through the input path. */
struct tcp_seg {
	struct wire_tcp_repr th;
	uint32_t laddr; /**< as struct flow_key: IPv4 address, or FLOW_L6_GLOBAL / FLOW_L6_LINK */
	uint32_t raddr; /**< IPv4 address, or the peer table index (flow_peer6_get()) */
	uint32_t len;   /**< payload bytes */
	uint16_t data_off; /**< offset of the payload in the mbuf */
	uint32_t hash;     /**< flow_hash() of its 4-tuple, once tcp_input_seg() has it */
	struct rte_mbuf *m;
	bool tw_reopen;        /**< a SYN that reopens a 4-tuple whose TIME_WAIT it ended */
	tern_seq_t tw_snd_nxt; /**< with tw_reopen: the old incarnation's snd_nxt */
};

/*
 * Set @p s's addresses in one 64-bit store, for the same reason as the ports
 * (wire_tcp_parse()): tcp_seg_key() reads both at once.
 */
static inline void
tcp_seg_put_addrs(struct tcp_seg *s, uint32_t laddr, uint32_t raddr)
{
	uint64_t w;

	_Static_assert(offsetof(struct tcp_seg, raddr) ==
	                       offsetof(struct tcp_seg, laddr) + sizeof(s->laddr),
	        "the addresses are adjacent");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = (uint64_t)raddr << 32 | laddr;
#else
	w = (uint64_t)laddr << 32 | raddr;
#endif
	memcpy(&s->laddr, &w, sizeof(w));
}

/** The 4-tuple of segment @p s, from our side. */
static inline struct flow_key
tcp_seg_key(const struct tcp_seg *s)
{
	struct flow_key k = {
	        .laddr = s->laddr, .raddr = s->raddr, .lport = s->th.dport, .rport = s->th.sport};
	return k;
}

/* tcp.c / engine setup */
int tcp_init(struct tern_engine *e);
void tcp_fini(struct tern_engine *e);
/** tern_engine_abort_all()'s TCP part: tcp_abort() on every live connection, then the
 *  pending closed callbacks. @return connections aborted. */
unsigned tcp_abort_all(struct tern_engine *e);

/* tcp_input.c */
/**
 * Batched RX, before the burst @p pkts[@p n] is processed: read each TCP segment's
 * 4-tuple, compute its flow hash and prefetch its bucket, then the buckets' first nodes,
 * so that tcp_input() finds them in cache and with the hash known. Frames that are not
 * TCP (or too short) are skipped; tcp_input() then hashes as usual.
 */
void tcp_rx_prepare(struct tern_engine *e, struct rte_mbuf *const *pkts, uint16_t n);
/** The prepared burst is processed: forget its hashes (an mbuf freed during it may come
 *  back, as another frame, before the next tcp_rx_prepare()). */
void tcp_rx_done(struct tern_engine *e);
void tcp_input(
        struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv4_repr *ip, uint16_t l4off);
/**
 * Batched RX: frame @p m of the burst tcp_rx_prepare() saw, in order. When ipv4_tcp_fast()
 * passed it there, its segment goes to TCP input at once (the Ethernet and IPv4 checks
 * are made: no eth_input(), ipv4_input() or second parse). @return false when it did not
 * (another shape, or not TCP): eth_input() is to take @p m. Only while frames of the burst
 * are left in its slots (tcp_engine.rx_cur < rx_n), which the caller checks.
 */
bool tcp_rx_input(struct tern_engine *e, struct rte_mbuf *m);
/** TCP over IPv6: segment at @p l4off of @p m (after the extension headers), @p l4len
 *  bytes, whose IPv6 header (validated, to one of our addresses) is @p ip. */
void tcp_input6(struct tern_engine *e, struct rte_mbuf *m, const struct wire_ipv6_repr *ip,
        uint16_t l4off, uint32_t l4len);
/**
 * RFC 8201 (nd_table.ptb_hook): a Packet Too Big for a packet of ours to @p dst, with path
 * MTU @p mtu (1280 at least), quoting @p inner (@p len bytes, from its IPv6 header): the
 * connection it names sends segments of at most mtu - 60 bytes from now on.
 */
void tcp_ptb6(struct tern_engine *e, const struct wire_ip6 *dst, uint32_t mtu, const uint8_t *inner,
        size_t len);
/** Our address and the peer's of IPv6 4-tuple @p k. */
void tcp_key_ip6(const struct tern_engine *e, const struct flow_key *k, struct wire_ip6 *l,
        struct wire_ip6 *r);

/* tcp_listen.c: passive opens (LISTEN, half-open SYN_RCVD, SYN cookies) */
int tcp_listen_init(struct tern_engine *e);
void tcp_listen_fini(struct tern_engine *e);
/** Remove listener @p l's half-open entries (tern_unlisten). */
void tcp_listen_flush(struct tern_engine *e, struct tcp_listener *l);
/** Once per poll: bring the SYN cookie keys to the current period. */
void tcp_listen_poll(struct tern_engine *e);
/**
 * Segment @p s to listener @p l with no flow table entry (RFC 9293 §3.10.7.2). A SYN gets
 * a SYN queue entry or a SYN cookie; an ACK may complete a cookie handshake.
 * @return a new connection in SYN_RCVD, for tcp_input() to process @p s on (it holds
 * the final ACK and maybe data), or NULL when @p s was consumed.
 */
struct tern_conn *tcp_listen_input(
        struct tern_engine *e, struct tcp_listener *l, struct tcp_seg *s);
/** Segment @p s to half-open entry @p ent; as tcp_listen_input(). */
struct tern_conn *tcp_synq_input(struct tern_engine *e, struct synq_entry *ent, struct tcp_seg *s);
/**
 * Take one challenge ACK from the engine's per-second budget (RFC 5961 §7).
 * @return false (counted as limited) when it is spent.
 */
bool tcp_challenge_budget(struct tern_engine *e);

/* tcp_output.c */
/** Send what the windows allow, the FIN, and a pending ACK. */
void tcp_output(struct tern_conn *c);
/**
 * Send a pure ACK now, with sequence number @p seq and our real window: immediate
 * duplicate ACKs (RFC 5681 §4.2) and zero-window probes (seq = snd_una - 1).
 */
void tcp_send_ack_now(struct tern_conn *c, tern_seq_t seq);
/** Send <SEQ=snd_nxt><ACK=rcv_nxt><CTL=RST,ACK> on connection @p c (with its options). */
void tcp_send_rst(struct tern_conn *c);
/** Send the ACK of a TIME_WAIT entry (with a timestamp if the connection had them). */
void tw_send_ack(struct tern_engine *e, const struct tcp_tw *tw);
/**
 * Send a bare ACK with window @p win (unscaled) and a timestamp option (@p tsval, @p tsecr)
 * when @p ts, on a 4-tuple with no connection block.
 */
void tcp_send_bare_ts(struct tern_engine *e, const struct flow_key *k, tern_seq_t seq,
        tern_seq_t ack, uint16_t win, bool ts, uint32_t tsval, uint32_t tsecr);
/** Send a RST answering segment @p s that matched no connection (RFC 9293 §3.10.7.1). */
void tcp_send_rst_reply(struct tern_engine *e, const struct tcp_seg *s);
/** A SYN-ACK sent without a connection block (SYN queue entry or SYN cookie). */
struct tcp_synack {
	tern_seq_t iss; /**< our ISN (or the cookie) */
	tern_seq_t irs; /**< the peer's ISN: we acknowledge irs + 1 */
	uint8_t opt;    /**< SYNQ_F_*: window scale, SACK-permitted, timestamps */
	uint32_t tsval; /**< with SYNQ_F_TS */
	uint32_t tsecr;
};
/**
 * Send a SYN-ACK. Our options: MSS and window shift from the configuration, and only
 * those the peer's SYN offered (@p sa->opt). With @p reuse (the received SYN, consumed)
 * it is built in that mbuf and sent straight back to the frame's source MAC; without, in
 * a fresh mbuf through the ARP cache.
 */
void tcp_send_synack(struct tern_engine *e, const struct flow_key *k, const struct tcp_synack *sa,
        struct rte_mbuf *reuse);
/** Window we advertise now (updates rcv_adv). */
uint16_t tcp_rcv_window(struct tern_conn *c);

/**
 * Send a challenge ACK (RFC 5961) unless the engine's per-second budget is spent.
 * @return true when sent.
 */
bool tcp_challenge_ack(struct tern_conn *c);
/** Our TSval now for connection @p c. */
static inline uint32_t
tcp_ts_now(const struct tern_conn *c, uint64_t now_ms)
{
	return (uint32_t)now_ms + c->ts_offset;
}
/**
 * Send up to @p len bytes from @p seq again (at most one segment, never beyond what was
 * sent before: snd_max, or our FIN). @return sequence space sent (0: nothing).
 */
uint32_t tcp_resend(struct tern_conn *c, tern_seq_t seq, uint32_t len);
/** tcp_resend() in fast recovery (counted as tcp_fast_retrans). */
uint32_t tcp_retransmit(struct tern_conn *c, tern_seq_t seq, uint32_t len);
/** Could a new segment go out now (unsent data, windows, Nagle)? */
bool tcp_can_send_new(const struct tern_conn *c);
/** Payload bytes a data segment can carry now (mss minus the options it will carry). */
uint32_t tcp_seg_room(const struct tern_conn *c);

/* tcp_timer.c */
/** The wheel callback of tern_conn.timer: runs each due timer (rtx, delayed ACK, idle). */
void conn_timer_fn(struct tern_timer *t, void *ctx);
/** Arm (or move) timer @p k of @p c to expire at engine ms @p when. */
void conn_timer_arm(struct tern_conn *c, enum conn_timer k, uint64_t when);
/** Disarm timer @p k (the wheel entry follows the earliest still armed, if any). */
void conn_timer_stop(struct tern_conn *c, enum conn_timer k);
static inline bool
conn_timer_armed(const struct tern_conn *c, enum conn_timer k)
{
	return (c->timers & (1u << k)) != 0;
}
/** (Re)arm the retransmission timer with the current RTO. */
void tcp_arm_rtx(struct tern_conn *c);
void tcp_cancel_rtx(struct tern_conn *c);
/** Take an RTT sample (RFC 6298 §2). */
void tcp_rtt_sample(struct tern_conn *c, uint32_t rtt_us);
/** The handshake ends after our SYN or SYN-ACK was retransmitted (no RTT sample): the RTO
 * for data starts at 3 s (RFC 6298 §5 (5.7)) when the initial RTO is below that. */
void tcp_rto_syn_fallback(struct tern_conn *c);
/** Persist ends (data goes, or nothing waits): the RTO is computed again from SRTT, without
 * the probes' doubling. */
void tcp_persist_end(struct tern_conn *c);
/** Owe an ACK: at once after 2 full segments (or no_delack), else by the delayed ACK timer. */
void tcp_ack_later(struct tern_conn *c);
/** After @p c's output pass (conn_run_pending): arm the delayed ACK timer tcp_ack_later()
 *  left to it, at the deadline it set, unless an ACK went meanwhile. */
void tcp_delack_arm(struct tern_conn *c);
/** (Re)arm the idle timer for keepalive or the FIN_WAIT_2 timeout, as the state wants. */
void tcp_idle_arm(struct tern_conn *c);

/* timewait.c */
int tw_init(struct tern_engine *e, uint32_t max);
void tw_fini(struct tern_engine *e);
/** Replace connection @p c (which is freed by the caller) with a TIME_WAIT entry. */
void tw_enter(struct tern_engine *e, struct tern_conn *c);
/** Decide what to do with segment @p s for entry @p tw (restarts 2MSL on a FIN). */
enum tcp_tw_verdict tw_input(struct tern_engine *e, struct tcp_tw *tw, const struct tcp_seg *s);
/** Remove an entry. */
void tw_remove(struct tern_engine *e, struct tcp_tw *tw);
/**
 * Active open (tern_connect) on a 4-tuple held in TIME_WAIT: when the reuse policy allows
 * it (tw_reuse on, the old connection used timestamps, the entry is older than
 * tw_reuse_ms), remove @p tw and return true with *iss set to the initial sequence number
 * the new connection must use (beyond the old incarnation's snd_nxt). Timestamps continue
 * by themselves: the offset is per destination. @return false to leave the entry alone.
 */
bool tw_reuse_active(struct tern_engine *e, struct tcp_tw *tw, tern_seq_t *iss);
/** ISN of a new incarnation of @p k: the ISN clock's (RFC 6528) when already beyond the
 *  old incarnation's snd_nxt, else old_snd_nxt + TW_ISN_GAP (RFC 6191 §2, RFC 1122). */
tern_seq_t tw_next_iss(struct tern_engine *e, const struct flow_key *k, tern_seq_t old_snd_nxt);

/* isn.c */
tern_seq_t tcp_isn(struct tern_engine *e, const struct flow_key *k);
/** Set the offsets from the engine clock to restart-stable time (conf.wall), once, at
 *  tcp_init() (isn.c). */
void tcp_clock_base(struct tern_engine *e);

/* tcp_conn.c: life cycle */
struct tern_conn *conn_alloc(struct tern_engine *e, const struct flow_key *k);
/**
 * Frame @p m (Ethernet, IPv4, TCP: one of ours) could not leave: its next hop never
 * answered ARP. An active open in SYN_SENT it belongs to ends with TERN_CLOSE_NO_ROUTE
 * (counted tcp_connect_fail); other connections go on retransmitting (a soft error,
 * RFC 1122 §4.2.3.9). @p m is not consumed.
 */
void tcp_no_route(struct tern_engine *e, const struct rte_mbuf *m);
void conn_set_state(struct tern_conn *c, enum tern_tcp_state s);
/**
 * The connection's extension (struct tcp_conn_ext), taken from the engine's pool when it
 * has none: zeroed, HighRxt at snd_una.
 * @return the extension, or NULL when the pool is empty (counted tcp_ext_nomem)
 */
struct tcp_conn_ext *conn_ext_get(struct tern_conn *c);
/**
 * Give the extension back when nothing in it matters any more: no SACKed ranges, no
 * recovery or lost-retransmission watch, HighRxt not above snd_una, nothing queued out of
 * order, no D-SACK to report. Called where a segment, an output run or a timer is done with
 * the connection (never while a pointer to the extension is held).
 */
void conn_ext_trim(struct tern_conn *c);
/**
 * Is the mbuf pool down to its reserve (the last 1/16 of it, 32..1024 mbufs, which
 * application sends never take either)? Data segments are then dropped instead of
 * buffered (tcp_rcv_pool_low): the NIC must keep mbufs to receive with, or even the ACKs
 * and RSTs that would free buffers stop arriving. Free mbufs are counted once per ms, and
 * for every RX burst while the count, less the frames received since, is within twice the
 * reserve (tcp_pool_rx()): a burst cannot take the pool from comfortable to dry unseen.
 */
bool tcp_pool_low(struct tern_engine *e);
/** @p n frames were received (each took a fresh mbuf for the NIC's ring). */
void tcp_pool_rx(struct tern_engine *e, unsigned n);
/** Queue application events. */
void conn_event(struct tern_conn *c, uint8_t ev);
/** Put @p c on the engine's events list, unless it is on it (or on an accept queue). */
void conn_ev_link(struct tern_conn *c);
/** Ask for tcp_output() at the end of this engine iteration. */
void conn_want_output(struct tern_conn *c);
/**
 * End the connection: off the flow table and timers, buffers freed; the application gets
 * the closed event with @p why if it knows the connection, else the block is freed now.
 */
void conn_terminate(struct tern_conn *c, enum tern_close_reason why);
/**
 * The close sequence completed normally (LAST_ACK acknowledged, or after the TIME_WAIT
 * entry took over): closed event NORMAL, or, when unread data remains and the application
 * has not closed, keep the block off the flow table until tern_conn_close().
 */
void conn_finish(struct tern_conn *c);
/** The connection leaves its listener's accept queue (accepted delivered, or gone). */
void conn_accq_leave(struct tern_conn *c);
/** Enter TIME_WAIT: compact entry replaces the block (closed event, NORMAL). */
void conn_time_wait(struct tern_conn *c);
/** Deliver events and run output until nothing is pending. */
void conn_run_pending(struct tern_engine *e);
/** Free acknowledged bytes from the send buffer (the buffers go back when both are
 *  empty). */
void conn_sb_ack(struct tern_conn *c, uint32_t bytes);
/**
 * Lend @p c (which holds none) its buffers (struct tcp_conn_io): both empty.
 * @return them, or NULL when the engine's heap has no room to grow the pool
 */
struct tcp_conn_io *conn_io_new(struct tern_conn *c);

/** Free the unread receive buffer. */
void conn_rb_discard(struct tern_conn *c);

/* tcp_conn.c: SEND and RECEIVE (RFC 9293 §3.10.2, §3.10.3) over the buffers; the
 * tern_conn_* calls of the same names wrap these. */
ssize_t tcp_send(struct tern_conn *c, const void *buf, size_t len);
int tcp_send_mbuf(struct tern_conn *c, struct rte_mbuf *m);
ssize_t tcp_receive(struct tern_conn *c, void *buf, size_t len);
ssize_t tcp_receive_mbuf(struct tern_conn *c, size_t max, struct rte_mbuf **out);

/* tcp_user.c: OPEN, CLOSE, ABORT and options (RFC 9293 §3.10.1, 3.10.4, 3.10.5);
 * results are 0 or -errno as for the tern_* calls they implement. */
int tcp_listen_open(struct tern_engine *e, uint16_t port, uint32_t backlog);
int tcp_listen_pause(struct tern_engine *e, uint16_t port, bool pause);
int tcp_listen_close(struct tern_engine *e, uint16_t port);
int tcp_listen_set_filter(struct tern_engine *e, uint16_t port, tern_syn_filter_fn fn, void *arg);
/** Active open: a block in SYN_SENT in *@p out, its SYN sent by the next output pass. */
int tcp_connect(struct tern_engine *e, uint32_t dst, uint16_t dport, uint16_t local_port,
        void *udata, struct tern_conn **out);
/** Active open to IPv6 @p dst (network order); as tcp_connect(). */
int tcp_connect6(struct tern_engine *e, const struct wire_ip6 *dst, uint16_t dport,
        uint16_t local_port, void *udata, struct tern_conn **out);
int tcp_shutdown(struct tern_conn *c);
int tcp_close(struct tern_conn *c);
void tcp_abort(struct tern_conn *c);
int tcp_setopt(struct tern_conn *c, enum tern_conn_opt opt, uint32_t val);
int tcp_getopt(const struct tern_conn *c, enum tern_conn_opt opt, uint32_t *val);

#endif
