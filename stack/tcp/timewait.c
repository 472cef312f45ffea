/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME_WAIT in compact entries (RFC 9293 §3.3.2, §3.10.7.4 "TIME-WAIT STATE").
 *
 * Why TIME_WAIT: the side that closes first must (1) be able to re-send the last ACK if
 * the peer's FIN is retransmitted, and (2) keep old duplicates of this incarnation from
 * being taken for data of a new connection on the same 4-tuple, for 2*MSL.
 *
 * Shape: when a connection enters TIME_WAIT its full block is freed and replaced by a
 * 64-byte struct tcp_tw (one cache line) in the flow table. Every entry lives exactly 2*MSL
 * (restarted when the peer's FIN is retransmitted), so entries expire in the order they were
 * created: they sit on a FIFO, and ONE wheel timer is armed for the head's expiry. Expiry and
 * recycling are O(1) per entry with no per-entry timer. The table is capped (like Linux's
 * tcp_max_tw_buckets); when full, the oldest entry is recycled early and counted.
 *
 * Verdicts (the caller sends): a retransmitted FIN is ACKed and restarts 2*MSL; any other
 * segment with data, FIN or SYN is not acceptable (the receive window is closed) and draws
 * an ACK; a RST whose sequence number is exactly rcv_nxt removes the entry (RFC 5961 §3:
 * exact match only), unless conf.rfc1337 says to ignore RSTs in TIME_WAIT (RFC 1337); a
 * SYN alone that is newer (timestamp, else sequence: RFC 6191 §2) reopens the tuple for a
 * listener (TW_REOPEN) unless tw_reuse is off, other SYNs draw a challenge ACK; everything
 * else is dropped. Active opens may take over an entry held longer than tw_reuse_ms when
 * both incarnations used timestamps (tw_reuse_active()).
 */
#include <errno.h>

#include <rte_malloc.h>

#include "engine/engine.h"
#include "tcp/tcp.h"

_Static_assert(sizeof(struct tcp_tw) == 64, "a TIME_WAIT entry is one cache line");

static void
tw_timer_fn(struct tern_timer *t, void *ctx)
{
	struct tern_engine *e = ctx;
	struct tcp_engine *tcp = &e->tcp;
	struct tern_list *l;

	(void)t;
	while ((l = tern_list_first(&tcp->tw_fifo)) != NULL) {
		struct tcp_tw *tw = tern_container_of(l, struct tcp_tw, fifo);
		if (tw->expire_ms > e->now_ms) {
			twheel_arm(&e->wheel, &tcp->tw_timer, tw->expire_ms);
			return;
		}
		tern_count(e, TERN_CTR_TCP_TW_EXPIRE, 1);
		tw_remove(e, tw);
	}
}

int
tw_init(struct tern_engine *e, uint32_t max)
{
	struct tcp_engine *tcp = &e->tcp;
	uint32_t i;

	tcp->tw_pool = rte_zmalloc_socket(
	        "tern_tw", sizeof(*tcp->tw_pool) * max, RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (tcp->tw_pool == NULL)
		return -ENOMEM;
	tcp->tw_free = NULL;
	flow_set_pool(&tcp->flows, FLOW_TW, tcp->tw_pool, sizeof(*tcp->tw_pool));
	for (i = max; i-- > 0;) {
		tcp->tw_pool[i].node.next = i + 1 < max ? i + 1 : FLOW_NIL;
		tcp->tw_pool[i].node.kind = FLOW_TW;
		tern_list_init(&tcp->tw_pool[i].fifo);
		tcp->tw_free = &tcp->tw_pool[i];
	}
	tcp->ntw = 0;
	tern_list_init(&tcp->tw_fifo);
	twheel_timer_init(&tcp->tw_timer, tw_timer_fn);
	return 0;
}

void
tw_fini(struct tern_engine *e)
{
	twheel_cancel(&e->wheel, &e->tcp.tw_timer);
	rte_free(e->tcp.tw_pool);
	e->tcp.tw_pool = NULL;
}

void
tw_remove(struct tern_engine *e, struct tcp_tw *tw)
{
	struct tcp_engine *tcp = &e->tcp;

	flow_remove_hashed(&tcp->flows, &tw->node, tw->hash);
	tern_list_del(&tw->fifo);
	tw->node.next = tcp->tw_free == NULL ? FLOW_NIL : (uint32_t)(tcp->tw_free - tcp->tw_pool);
	tcp->tw_free = tw;
	tcp->ntw--;
	if (tern_list_empty(&tcp->tw_fifo))
		twheel_cancel(&e->wheel, &tcp->tw_timer);
}

void
tw_enter(struct tern_engine *e, struct tern_conn *c)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tcp_tw *tw = tcp->tw_free;

	if (tw == NULL) {
		/* Full: recycle the oldest entry. */
		struct tern_list *l = tern_list_first(&tcp->tw_fifo);
		if (l == NULL)
			return; /* max_tw == 0: no TIME_WAIT at all */
		tw_remove(e, tern_container_of(l, struct tcp_tw, fifo));
		tern_count(e, TERN_CTR_TCP_TW_RECYCLED, 1);
		tw = tcp->tw_free;
	}
	tcp->tw_free = tw->node.next == FLOW_NIL ? NULL : &tcp->tw_pool[tw->node.next];
	tw->node.key = c->node.key;
	tw->node.kind = FLOW_TW;
	tw->snd_nxt = c->snd_max;
	tw->rcv_nxt = c->rcv_nxt;
	tw->expire_ms = e->now_ms + tcp->tw_ms;
	tw->node.aux = (c->opt & CONN_O_TS) ? TW_F_TS : 0;
	tw->ts_recent = c->ts_recent;
	tw->ts_offset = c->ts_offset;
	tern_list_add_tail(&tcp->tw_fifo, &tw->fifo);
	tw->hash = flow_node_hash(&tcp->flows, &c->node); /* the same key */
	flow_insert_hashed(&tcp->flows, &tw->node, tw->hash);
	tcp->ntw++;
	tern_count(e, TERN_CTR_TCP_TW_ENTER, 1);
	if (!tern_timer_pending(&tcp->tw_timer))
		twheel_arm(&e->wheel, &tcp->tw_timer, tw->expire_ms);
}

/*
 * RFC 6191 §2: may a SYN (no ACK, RST or FIN) open a new incarnation of the tuple?
 * "Newer" is modular. The new connection uses timestamps when the SYN carries them and we
 * offer them.
 */
static bool
tw_syn_acceptable(const struct tern_engine *e, const struct tcp_tw *tw, const struct tcp_seg *s)
{
	bool new_ts = (s->th.opts.present & WIRE_TCPO_TS) && !e->conf.no_timestamps;
	bool seq_newer = seq_geq(s->th.seq, tw->rcv_nxt); /* beyond the old FIN */

	if (!(tw->node.aux & TW_F_TS))
		return new_ts || seq_newer;
	if (!new_ts)
		return seq_newer;
	if (seq_gt(s->th.opts.tsval, tw->ts_recent))
		return true;
	return s->th.opts.tsval == tw->ts_recent && seq_newer;
}

enum tcp_tw_verdict
tw_input(struct tern_engine *e, struct tcp_tw *tw, const struct tcp_seg *s)
{
	uint8_t fl = s->th.flags;

	if (fl & WIRE_TCP_RST) {
		if (s->th.seq != tw->rcv_nxt)
			return TW_DROP;
		return e->conf.rfc1337 ? TW_IGNORE_RST : TW_KILL;
	}
	if ((fl & (WIRE_TCP_SYN | WIRE_TCP_ACK | WIRE_TCP_FIN)) == WIRE_TCP_SYN)
		return !e->conf.no_tw_reuse && tw_syn_acceptable(e, tw, s) ? TW_REOPEN
		                                                           : TW_CHALLENGE;
	if (fl & WIRE_TCP_SYN)
		return TW_CHALLENGE;
	if (!(fl & WIRE_TCP_ACK))
		return TW_DROP;
	if ((fl & WIRE_TCP_FIN) && s->th.seq + s->len + 1 == tw->rcv_nxt) {
		/* The peer did not get our last ACK: re-ACK, restart 2MSL (RFC 9293). */
		tw->expire_ms = e->now_ms + e->tcp.tw_ms;
		tern_list_del(&tw->fifo);
		tern_list_add_tail(&e->tcp.tw_fifo, &tw->fifo);
		return TW_ACK;
	}
	if (s->len > 0 || (fl & WIRE_TCP_FIN))
		return TW_ACK;
	return TW_DROP;
}

tern_seq_t
tw_next_iss(struct tern_engine *e, const struct flow_key *k, tern_seq_t old_snd_nxt)
{
	tern_seq_t isn = tcp_isn(e, k);

	return seq_gt(isn, old_snd_nxt) ? isn : old_snd_nxt + TW_ISN_GAP;
}

bool
tw_reuse_active(struct tern_engine *e, struct tcp_tw *tw, tern_seq_t *iss)
{
	uint64_t entered = tw->expire_ms - e->tcp.tw_ms; /* or the last FIN's re-ACK */

	/* Without timestamps on both incarnations nothing tells the peer's old duplicates
	 * from new segments: keep the full 2*MSL. No per-host timestamp cache either: that
	 * was tcp_tw_recycle, which broke clients behind NAT. */
	if (e->conf.no_tw_reuse || e->conf.no_timestamps || !(tw->node.aux & TW_F_TS))
		return false;
	if (e->now_ms < entered + e->conf.tw_reuse_ms)
		return false;
	*iss = tw_next_iss(e, &tw->node.key, tw->snd_nxt);
	tern_count(e, TERN_CTR_TCP_TW_REUSE_ACTIVE, 1);
	tw_remove(e, tw);
	return true;
}
