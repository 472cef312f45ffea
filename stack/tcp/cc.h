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

#include <stdint.h>

/** Congestion state of one connection. */
struct tcp_cc {
	uint32_t cwnd;     /**< congestion window, bytes */
	uint32_t ssthresh; /**< slow start threshold, bytes */
	uint32_t mss;      /**< sender MSS, bytes */
	uint32_t acked;    /**< bytes acknowledged toward the next cwnd step (byte counting) */
	uint64_t priv[6];  /**< algorithm state */
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

/** The algorithm called @p name, or NULL. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);

/** Comma-separated names of every algorithm, for help texts ("newreno, cubic"). */
const char *tcp_cc_names(void);

#endif
