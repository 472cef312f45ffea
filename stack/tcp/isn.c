/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers, RFC 6528.
 *
 * Threat: an off-path attacker who can predict our ISN for a 4-tuple can inject data
 * or resets into a connection, or spoof one. RFC 6528 §3: ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey), where M is a 4 microsecond timer and F a keyed
 * pseudo-random function. F here is SipHash-2-4 under the engine's 128-bit secret
 * (tern_engine_conf.secret; random per engine when not given, as the apps leave it). A
 * 4-tuple is only ever used by the engine that owns it (steering), so its ISNs stay
 * monotonic all the same. The timer keeps successive incarnations of a 4-tuple moving
 * forward (about 250,000 per second, wrapping every 4.77 hours).
 */
#include <string.h>

#include "engine/engine.h"
#include "tcp/tcp.h"

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
		f = siphash24_4u32(&e->tcp.isn_key, k->laddr, k->raddr,
		        ((uint32_t)k->lport << 16) | k->rport, 0x6528);
	}
	return (tern_seq_t)(f + e->now_ns / 4000);
}
