/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers, RFC 6528, and the time base of our timestamps.
 *
 * Threat: an off-path attacker who can predict our ISN for a 4-tuple can inject data
 * or resets into a connection, or spoof one. RFC 6528 §3: ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey), where M is a 4 microsecond timer and F a keyed
 * pseudo-random function. F here is SipHash-2-4 under a 128-bit key: conf.clock_key, or
 * the engine's secret (random per engine when not given). A 4-tuple is only ever used by
 * the engine that owns it (steering), so its ISNs stay monotonic all the same. The timer
 * keeps successive incarnations of a 4-tuple moving forward (about 250,000 per second,
 * wrapping every 4.77 hours).
 *
 * Restarts. A peer that closed first holds TIME_WAIT for our tuple for its 2*MSL and takes
 * a new SYN on it only when the SYN's timestamp is newer than the last it saw (PAWS, RFC
 * 7323 §5 / RFC 6191), or without timestamps when its sequence number is beyond the old
 * connection's. Both hold across a restart of tern when F's key and M's clock do: the key
 * comes from the application (apps: --key-file, kept on disk with mode 0600) and M runs on
 * restart-stable time, conf.wall (CLOCK_REALTIME by default, the base of Linux's own ISN
 * clock), read once at engine creation and advanced by the engine clock, so that nothing in
 * the process steps it back. The timestamp clock is the same time in milliseconds plus a
 * keyed per-destination offset (tcp_ts_offset()). What can still go back: the wall clock
 * stepped back between two runs by more than the time between them (an NTP step after a
 * reboot); then the tuples a peer still holds are refused for up to 2*MSL, as without a key.
 */
#include <string.h>

#include "engine/engine.h"
#include "tcp/tcp.h"

void
tcp_clock_base(struct tern_engine *e)
{
	uint64_t wall_ns;

	if (e->conf.wall.now_ns == NULL) /* a test's own clock and no wall: that clock */
		return;
	wall_ns = e->conf.wall.now_ns(e->conf.wall.arg);
	e->tcp.isn_base_ns = wall_ns - e->now_ns;
	e->tcp.ts_base_ms = (uint32_t)(wall_ns / 1000000 - e->now_ms);
}

tern_seq_t
tcp_isn(struct tern_engine *e, const struct flow_key *k)
{
	uint64_t f;

	if (flow_key_is6(k)) {
		/* Over IPv6 the same function of the whole 4-tuple: both 128-bit addresses. */
		struct {
			struct wire_ip6 l, r;
			uint16_t lport, rport;
			uint32_t label;
		} in;

		memset(&in, 0, sizeof(in));
		tcp_key_ip6(e, k, &in.l, &in.r);
		in.lport = k->lport;
		in.rport = k->rport;
		in.label = 0x6528;
		f = siphash24(&e->tcp.isn_key, &in, sizeof(in));
	} else {
		/* 12 bytes, two compressions: the key is this function's alone, a label would
		 * only cost a third. */
		f = siphash24_3u32(
		        &e->tcp.isn_key, k->laddr, k->raddr, ((uint32_t)k->lport << 16) | k->rport);
	}
	return (tern_seq_t)(f + (e->now_ns + e->tcp.isn_base_ns) / 4000);
}
