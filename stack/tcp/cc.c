/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: the table of algorithms and the pieces they share (initial window,
 * cwnd validation, slow start with byte counting, end of recovery).
 *
 * All windows are in bytes. cwnd never exceeds TCP_CC_CWND_MAX (2^31 - 1), so adding a
 * few segments to it cannot wrap a uint32_t.
 */
#include <stddef.h>
#include <string.h>

#include "tcp/cc.h"

const struct tcp_cc_ops *const tcp_cc_table[TCP_CC_N] = {
        &tcp_cc_cubic,
        &tcp_cc_newreno,
};

const struct tcp_cc_ops *
tcp_cc_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < TCP_CC_N; i++)
		if (strcmp(tcp_cc_table[i]->name, name) == 0)
			return tcp_cc_table[i];
	return NULL;
}

uint8_t
tcp_cc_id(const struct tcp_cc_ops *ops)
{
	uint8_t i;

	for (i = 0; i < TCP_CC_N - 1; i++)
		if (tcp_cc_table[i] == ops)
			break;
	return i;
}

const char *
tcp_cc_names(void)
{
	return "cubic, newreno";
}

uint32_t
tcp_cc_initial_window(uint32_t mss)
{
	/* RFC 6928 §2; 64-bit so that a silly mss cannot wrap. */
	uint64_t lo = 2 * (uint64_t)mss > 14600 ? 2 * (uint64_t)mss : 14600;
	uint64_t iw = 10 * (uint64_t)mss < lo ? 10 * (uint64_t)mss : lo;

	return iw > TCP_CC_CWND_MAX ? TCP_CC_CWND_MAX : (uint32_t)iw;
}

void
tcp_cc_restart(struct tcp_cc *cc)
{
	uint32_t rw = tcp_cc_initial_window(cc->mss);
	uint32_t keep = (uint32_t)((uint64_t)cc->cwnd * 3 / 4);

	if (cc->cwnd <= rw)
		return;
	if (cc->ssthresh < keep)
		cc->ssthresh = keep;
	cc->cwnd = rw;
	cc->acked = 0;
}

bool
tcp_cc_cwnd_limited(const struct tcp_cc *cc, uint32_t flight)
{
	/*
	 * Flight is sampled before the ACK, so a sender that keeps its window full shows
	 * flight close to cwnd. Half the window is the RFC 7661 threshold between a validated
	 * and a non-validated cwnd; it also leaves room for slow start, where cwnd runs
	 * ahead of the data the application managed to queue during the last RTT.
	 */
	return 2 * (uint64_t)flight >= cc->cwnd;
}

uint32_t
tcp_cc_slow_start(struct tcp_cc *cc, uint32_t acked)
{
	uint32_t limit = TCP_CC_ABC_L * cc->mss;
	uint32_t inc = acked < limit ? acked : limit;
	uint32_t top = cc->ssthresh < TCP_CC_CWND_MAX ? cc->ssthresh : TCP_CC_CWND_MAX;
	uint32_t room;

	if (cc->cwnd >= top)
		return acked;
	room = top - cc->cwnd;
	if (inc < room) {
		cc->cwnd += inc;
		return 0;
	}
	/* cwnd reaches ssthresh: what this ACK did not use goes to congestion avoidance. */
	cc->cwnd = top;
	return acked - room;
}

void
tcp_cc_recovery_end(struct tcp_cc *cc, uint32_t flight)
{
	uint64_t w = (uint64_t)(flight > cc->mss ? flight : cc->mss) + cc->mss;

	cc->cwnd = w < cc->ssthresh ? (uint32_t)w : cc->ssthresh;
	cc->acked = 0;
}
