/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Pluggable congestion control: one file per algorithm (cc_newreno.c, cc_cubic.c).
 *
 * The algorithm owns cwnd and ssthresh of a struct tcp_cc embedded in each connection.
 * Loss recovery (fast retransmit, RFC 6675 / RFC 6582) lives in the connection code: it
 * calls on_loss() once when it enters recovery, on_recovery_end() when recovery ends with
 * a full ACK, on_rto() when the retransmission timer fires, and on_ack() for every ACK that
 * acknowledges new data outside recovery. Units are bytes and microseconds.
 */
#ifndef TERN_TCP_CC_H
#define TERN_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

/** Congestion state of one connection. */
struct tcp_cc {
	uint32_t cwnd;     /**< congestion window, bytes */
	uint32_t ssthresh; /**< slow start threshold, bytes */
	uint32_t mss;      /**< sender MSS, bytes */
	uint32_t acked;    /**< bytes acknowledged toward the next cwnd step (byte counting) */
	uint32_t priv[8];  /**< algorithm state */
};

struct tcp_cc_ops {
	const char *name; /**< "newreno", "cubic" */
	/** A connection starts: cwnd = IW (RFC 6928: min(10*mss, max(2*mss, 14600))). */
	void (*init)(struct tcp_cc *cc, uint32_t mss, uint64_t now_us);
	/**
	 * @p acked new bytes were acknowledged outside recovery. @p flight: bytes in flight
	 * before this ACK; @p srtt_us: smoothed RTT (0 = no sample yet).
	 */
	void (*on_ack)(struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint32_t srtt_us,
	        uint64_t now_us);
	/** Loss detected by duplicate ACKs or SACK: set ssthresh, and cwnd = ssthresh. */
	void (*on_loss)(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
	/** Recovery ended with a full ACK (cwnd usually becomes ssthresh). */
	void (*on_recovery_end)(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
	/** The retransmission timer fired: ssthresh from @p flight, cwnd = 1 mss (RFC 5681). */
	void (*on_rto)(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/** Every algorithm, indexed by the one-byte id a connection keeps (tern_conn.cc_id). */
extern const struct tcp_cc_ops *const tcp_cc_table[];
#define TCP_CC_N 2 /**< entries of tcp_cc_table */

/** The algorithm called @p name, or NULL. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);

/** The index of @p ops in tcp_cc_table (it must be there). */
uint8_t tcp_cc_id(const struct tcp_cc_ops *ops);

/** Comma-separated names of every algorithm, for help texts ("newreno, cubic"). */
const char *tcp_cc_names(void);

/*
 * Helpers shared by the algorithms (cc.c).
 */

/**
 * Data goes out after an idle time longer than the RTO (RFC 5681 §4.1): cwnd restarts from
 * no more than the initial window; ssthresh keeps 3/4 of the old cwnd (RFC 2861, as Linux's
 * tcp_cwnd_restart), so slow start climbs back. Shared by every algorithm.
 */
void tcp_cc_restart(struct tcp_cc *cc);

/** "Infinite" initial ssthresh (RFC 5681 §3.1: arbitrarily high); also the cwnd ceiling. */
#define TCP_CC_SSTHRESH_INF UINT32_C(0x7fffffff)
/** Largest cwnd any algorithm sets: keeps cwnd + a few segments within uint32_t. */
#define TCP_CC_CWND_MAX     TCP_CC_SSTHRESH_INF
/** RFC 3465 limit L: slow start grows cwnd by at most L * mss per ACK. */
#define TCP_CC_ABC_L        2

/** Initial window of RFC 6928, bytes: min(10*mss, max(2*mss, 14600)). */
uint32_t tcp_cc_initial_window(uint32_t mss);

/**
 * True when the sender uses enough of cwnd for an ACK to grow it: @p flight (bytes in
 * flight before the ACK) is at least cwnd/2, in the spirit of RFC 7661 (a window that is
 * less than half used is not validated and must not grow).
 */
bool tcp_cc_cwnd_limited(const struct tcp_cc *cc, uint32_t flight);

/**
 * Slow start with appropriate byte counting (RFC 5681 §3.1, RFC 3465 §2.2, L = 2): cwnd
 * grows by min(@p acked, L*mss), and not beyond ssthresh.
 * @return the bytes of @p acked left over once cwnd reached ssthresh (0 if none), which
 *   the caller counts toward congestion avoidance.
 */
uint32_t tcp_cc_slow_start(struct tcp_cc *cc, uint32_t acked);

/**
 * End of recovery with a full ACK, RFC 6582 §3.2 step 3 option (1):
 * cwnd = min(ssthresh, max(@p flight, mss) + mss), with @p flight the bytes still
 * outstanding. This deflates the window without allowing a burst when little is in
 * flight; slow start then takes cwnd back to ssthresh within about one RTT.
 */
void tcp_cc_recovery_end(struct tcp_cc *cc, uint32_t flight);

/** CUBIC's view of its current congestion epoch, for tests and diagnostics. */
struct tcp_cc_cubic_info {
	uint32_t w_max; /**< W_max, bytes (RFC 9438 §4.2; after fast convergence, §4.7) */
	uint32_t k_ms;  /**< K of the current epoch, milliseconds (0 when no epoch) */
	uint32_t w_est; /**< Reno-friendly estimate W_est, bytes (§4.3; 0 when no epoch) */
	bool in_epoch;  /**< a congestion avoidance epoch is running */
};

/** Fill @p info from @p cc, a connection run by tcp_cc_cubic (tests, diagnostics). */
void tcp_cc_cubic_get_info(const struct tcp_cc *cc, struct tcp_cc_cubic_info *info);

#endif
