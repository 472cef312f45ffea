/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ephemeral (local address, port) choice for active opens. See ephemeral.h.
 *
 * Cost: the cursor's candidate is usually free (it was handed out longest ago), so a
 * connect costs one flow table lookup. With several engines the share is the engine's own
 * block of the range, every port of which it owns; only under rss (the NIC's hash) is it
 * the whole range, of which about one candidate in n is owned (engine_owns(), a Toeplitz
 * hash of 12 table lookups), so n hashes too. Candidates
 * still busy are skipped as the cursor passes them. Only when nearly every candidate is busy toward
 * the destination does a connect walk the whole share, and it then fails with EADDRNOTAVAIL only if
 * all of them truly are.
 *
 * TIME_WAIT: a candidate held by a TIME_WAIT entry is offered to the reuse policy
 * (tw_reuse_active(), timewait.c); when it agrees the entry is gone and the connection
 * starts from the ISS it chose. Entries of another engine are never seen: shares are
 * disjoint.
 */
#include <errno.h>

#include <rte_random.h>

#include "engine/engine.h"
#include "tcp/ephemeral.h"
#include "tcp/tcp.h"

int
ephemeral_init(struct tern_engine *e)
{
	const struct tern_engine_conf *conf = &e->conf;
	struct tcp_ephemeral *ep = &e->tcp.eph;
	uint32_t i;

	engine_port_share(e, &ep->share_lo, &ep->share_len);
	if (ep->share_len == 0)
		return -EINVAL;
	ep->nsrc = 0;
	ep->src[ep->nsrc++] = conf->ip;
	for (i = 0; i < conf->nsrc_ips; i++)
		ep->src[ep->nsrc++] = conf->src_ips[i];
	ep->total = ep->share_len * ep->nsrc;
	/* A random start (RFC 6056 §3.3.3 in spirit): a new process does not begin on the
	 * 4-tuples a peer may still hold in TIME_WAIT from the previous one. */
	ep->cursor = e->secret_random ? (uint32_t)(rte_rand() % ep->total) : 0;
	ep->tw_reuse = tw_reuse_active;
	return 0;
}

int
ephemeral_pick(struct tern_engine *e, struct flow_key *k, tern_seq_t *iss, bool *iss_set)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tcp_ephemeral *ep = &tcp->eph;
	uint32_t c = ep->cursor, i;
	bool v6 = flow_key_is6(k);

	*iss_set = false;
	for (i = 0; i < ep->total; i++, c = c + 1 == ep->total ? 0 : c + 1) {
		uint16_t port = (uint16_t)(ep->share_lo + c / ep->nsrc);
		struct flow_node *n;

		if (tcp->listeners[port] != NULL)
			continue;
		if (v6) {
			if (c % ep->nsrc != 0)
				continue; /* one IPv6 source: the caller's */
		} else {
			k->laddr = ep->src[c % ep->nsrc];
		}
		k->lport = port;
		if (!engine_owns_key(e, k))
			continue; /* another engine owns that 4-tuple */
		n = flow_lookup(&tcp->flows, k);
		if (n == NULL)
			break;
		if (n->kind == FLOW_TW && ep->tw_reuse(e, (struct tcp_tw *)n, iss)) {
			*iss_set = true;
			break;
		}
	}
	if (i == ep->total)
		return -EADDRNOTAVAIL;
	ep->cursor = c + 1 == ep->total ? 0 : c + 1;
	return 0;
}

bool
ephemeral_port_ours(const struct tern_engine *e, const struct flow_key *k)
{
	return engine_owns_key(e, k);
}
