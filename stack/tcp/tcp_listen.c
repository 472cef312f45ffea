/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Passive opens: the LISTEN state (RFC 9293 §3.10.7.2) and SYN_RCVD without a connection
 * block.
 *
 * A SYN to a listener allocates no connection block. It gets either
 *  - a 64-byte entry in the engine's SYN queue (synq.c), which keeps what is needed to
 *    send the SYN-ACK again on the synq schedule and to build the connection when the
 *    final ACK arrives, or
 *  - a SYN cookie (syncookie.c, RFC 4987 §3.6): no state at all; the final ACK proves the
 *    handshake and carries, in its acknowledgment number (and TSecr), what the connection
 *    needs.
 * conf.syncookies decides: AUTO (default) uses the queue and sends cookies only when the
 * listener's backlog or the engine's pool is full; ALWAYS sends cookies for every SYN; OFF
 * drops SYNs the queue cannot take.
 *
 * The connection block is allocated when the final ACK validates. It is set up in
 * SYN_RCVD as if it had sent the SYN-ACK itself and handed back to tcp_input(), which
 * processes the ACK (and any data or FIN on it) as it would for any SYN_RCVD connection:
 * ESTABLISHED, the accept queue, the accepted event.
 *
 * SYN-ACKs answering a SYN are built in the SYN's own mbuf and sent to the Ethernet
 * address it came from (tcp_send_synack): under a flood the path allocates nothing and
 * never consults or fills the ARP cache. Retransmissions from the queue go through the
 * ARP cache like any segment: the peer's address is learnt from its SYN's frame (ARP
 * glean) when it gets a queue entry, so at most as many addresses as the queue holds;
 * a cookie's peer is learnt only when its handshake completes.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "engine/engine.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

/* How long ACKs to listeners are checked as cookies after the last cookie was sent: a
 * cookie is valid for at most two counter periods. */
#define COOKIE_CHECK_MS (2 * SYNCOOKIE_PERIOD_MS)

/* What a completed handshake brings, from a queue entry or a cookie. */
struct handshake {
	tern_seq_t irs;
	tern_seq_t iss;
	uint16_t wnd;            /**< window for snd_wnd until the ACK's (unscaled) */
	struct tcp_syn_opts syn; /**< what the handshake settled */
	bool rtt;                /**< sent_ms gives an RTT sample */
	bool rtx;                /**< the SYN-ACK was retransmitted */
	uint64_t sent_ms;        /**< when the (only) SYN-ACK went out */
};

bool
tcp_challenge_budget(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	uint64_t sec = e->now_ms / 1000;

	if (sec != tcp->chack_sec) {
		tcp->chack_sec = sec;
		tcp->chack_count = 0;
	}
	if (tcp->chack_count >= e->conf.challenge_ack_limit) {
		tern_count(e, TERN_CTR_TCP_CHALLENGE_LIMITED, 1);
		return false;
	}
	tcp->chack_count++;
	tern_count(e, TERN_CTR_TCP_CHALLENGE_ACK, 1);
	return true;
}

/* Window of our SYN-ACK: never scaled (RFC 7323 §2.2). */
static uint16_t
synack_window(const struct tern_engine *e)
{
	return (uint16_t)(e->conf.rcvbuf > 65535 ? 65535 : e->conf.rcvbuf);
}

static uint32_t
ts_clock(const struct tern_engine *e, const struct flow_key *k)
{
	return (uint32_t)e->now_ms + tcp_ts_offset(&e->tcp, k);
}

/*
 * A bare ACK from queue entry @p ent (challenge ACK, answer to an out-of-window segment):
 * <SEQ=ISS+1><ACK=IRS+1>. Not a SYN, so its window is scaled when the handshake agreed on
 * scaling: the peer, established once it sent its ACK, reads it that way.
 */
static void
synq_send_ack(struct tern_engine *e, const struct synq_entry *ent)
{
	unsigned shift = (ent->node.aux & SYNQ_F_WSCALE) ? e->tcp.wscale : 0;

	tcp_send_bare_ts(e, &ent->node.key, ent->iss + 1, ent->irs + 1,
	        (uint16_t)(synack_window(e) >> shift), (ent->node.aux & SYNQ_F_TS) != 0,
	        ts_clock(e, &ent->node.key), ent->ts_recent);
}

/* The SYN-ACK of queue entry @p ent, in @p reuse or a fresh mbuf. */
static void
synq_send_synack(struct tern_engine *e, const struct synq_entry *ent, struct rte_mbuf *reuse)
{
	struct tcp_synack sa = {.iss = ent->iss, .irs = ent->irs, .opt = ent->node.aux};

	if (sa.opt & SYNQ_F_TS) {
		sa.tsval = ts_clock(e, &ent->node.key);
		sa.tsecr = ent->ts_recent;
	}
	tcp_send_synack(e, &ent->node.key, &sa, reuse);
}

static void
synq_arm(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	uint64_t due = synq_next_due(&tcp->synq);

	if (due == SYNQ_NEVER) {
		twheel_cancel(&e->wheel, &tcp->synq_timer);
		return;
	}
	if (!tern_timer_pending(&tcp->synq_timer) || tcp->synq_timer.expires > due)
		twheel_arm(&e->wheel, &tcp->synq_timer, due);
}

static void
synq_event(void *arg, struct synq_entry *ent, enum synq_event ev)
{
	struct tern_engine *e = arg;

	switch (ev) {
	case SYNQ_RESEND:
		tern_count(e, TERN_CTR_TCP_RETRANS, 1);
		synq_send_synack(e, ent, NULL);
		break;
	case SYNQ_EXPIRED:
		tern_count(e, TERN_CTR_TCP_SYNQ_EXPIRED, 1);
		break;
	case SYNQ_FLUSHED:
		break;
	}
}

/*
 * After synq_alloc(): the new entry is due rto_ms from now. The timer moves only when it is
 * not armed or armed later; synq_arm() would scan every stage, which a SYN need not pay.
 */
static void
synq_arm_new(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	uint64_t due = tcp->synq.now_ms + tcp->synq.rto_ms;

	if (!tern_timer_pending(&tcp->synq_timer) || tcp->synq_timer.expires > due)
		twheel_arm(&e->wheel, &tcp->synq_timer, due);
}

/* After synq_free(): an early expiry finds nothing due and re-arms; an empty queue stops. */
static void
synq_arm_freed(struct tern_engine *e)
{
	if (synq_empty(&e->tcp.synq))
		twheel_cancel(&e->wheel, &e->tcp.synq_timer);
}

static void
synq_timer_fn(struct tern_timer *t, void *ctx)
{
	struct tern_engine *e = ctx;

	(void)t;
	synq_expire(&e->tcp.synq, e->now_ms, synq_event, e);
	synq_arm(e);
}

int
tcp_listen_init(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;
	struct synq_conf qc = {
	        .size = e->conf.synq_size,
	        .retries = e->conf.syn_retries,
	        .rto_ms = e->conf.rto_init_ms,
	        .flows = &tcp->flows,
	        .socket = (int)rte_socket_id(),
	};
	uint64_t secret[2] = {e->conf.secret[0] ^ 0x636f6f6b, e->conf.secret[1] + 0x6965};

	syncookie_init(&tcp->cookies, secret);
	syncookie_rotate(&tcp->cookies, e->now_ms);
	twheel_timer_init(&tcp->synq_timer, synq_timer_fn);
	return synq_init(&tcp->synq, &qc);
}

void
tcp_listen_fini(struct tern_engine *e)
{
	struct tcp_engine *tcp = &e->tcp;

	twheel_cancel(&e->wheel, &tcp->synq_timer);
	if (tcp->synq.pool != NULL)
		synq_flush(&tcp->synq, NULL, NULL, NULL);
	synq_fini(&tcp->synq);
}

void
tcp_listen_flush(struct tern_engine *e, struct tcp_listener *l)
{
	synq_flush(&e->tcp.synq, &l->sq, NULL, NULL);
	synq_arm(e);
}

void
tcp_listen_poll(struct tern_engine *e)
{
	if (e->now_ms < e->tcp.cookie_until_ms)
		syncookie_rotate(&e->tcp.cookies, e->now_ms);
}

/* The cookie tuple of 4-tuple @p k; over IPv6 its addresses are put in @p a6. */
static struct syncookie_tuple
cookie_tuple(const struct tern_engine *e, const struct flow_key *k, struct wire_ip6 a6[2])
{
	struct syncookie_tuple t = {
	        .laddr = k->laddr, .raddr = k->raddr, .lport = k->lport, .rport = k->rport};

	if (flow_key_is6(k)) {
		tcp_key_ip6(e, k, &a6[0], &a6[1]);
		t.ip6 = a6[0].b;
	}
	return t;
}

/* An on-link peer's MAC, from the frame of its segment @p s (ARP gleaning). Over IPv6 the
 * neighbour cache learnt the peer from its Neighbour Solicitation for us (nd.c), which
 * every engine sees. */
static void
glean(struct tern_engine *e, const struct tcp_seg *s)
{
	struct wire_mac src;

	if (flow_key_is6(&(struct flow_key){.laddr = s->laddr}))
		return;
	if (ipv4_nexthop(e, s->raddr) != s->raddr)
		return;
	eth_frame_src(s->m, &src);
	arp_glean(e, s->raddr, &src);
}

/*
 * Build the connection of a completed handshake on listener @p l, in SYN_RCVD as if it
 * had sent the SYN-ACK, and put it in the flow table. @return NULL when the accept queue
 * is full or there is no connection block (@p s consumed; a queue entry stays for its
 * SYN-ACK retransmission to try again, unless abort_on_overflow).
 */
static struct tern_conn *
handshake_done(struct tern_engine *e, struct tcp_listener *l, struct tcp_seg *s,
        const struct handshake *h, struct synq_entry *ent)
{
	struct flow_key k = tcp_seg_key(s);
	struct tern_conn *c;

	if (l->accq_len >= l->sq.backlog) {
		/* As Linux with tcp_abort_on_overflow 0 / 1: drop the ACK (a queue entry's
		 * SYN-ACK retransmission asks for it again), or refuse with a RST. */
		tern_count(e, TERN_CTR_TCP_ACCQ_OVERFLOW, 1);
		if (e->conf.abort_on_overflow) {
			tcp_send_rst_reply(e, s);
			if (ent != NULL)
				synq_free(&e->tcp.synq, ent);
		}
		tern_drop(e, s->m, TERN_DROP_TCP_ACCEPT_OVERFLOW);
		return NULL;
	}
	c = conn_alloc(e, &k);
	if (c == NULL) {
		tern_drop(e, s->m, TERN_DROP_TCP_CONN_TABLE_FULL);
		return NULL;
	}
	if (ent != NULL) {
		synq_free(&e->tcp.synq, ent);
		synq_arm_freed(e);
	}
	glean(e, s);
	c->flags |= CONN_F_PASSIVE;
	c->rcv_nxt = h->irs + 1;
	c->rcv_adv = c->rcv_nxt + synack_window(e);
	c->last_ack_sent = c->rcv_nxt; /* what our SYN-ACK acknowledged */
	c->iss = h->iss;
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1; /* the SYN-ACK is out */
	c->recover = c->iss;
	c->snd_wnd = h->wnd;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = h->irs;
	c->snd_wl2 = c->iss;
	tcp_conn_take_syn(c, &h->syn);
	if (c->opt & CONN_O_TS) /* read only with timestamps on (tcp_ts_now, TIME_WAIT) */
		c->ts_offset = tcp_ts_offset_memo(&e->tcp, &k);
	if (h->rtx)
		tcp_rto_syn_fallback(c);
	if (h->rtt) {
		c->flags |= CONN_F_RTT_TIMING;
		c->rtt_seq = c->iss;
		c->rtt_start_us = (uint32_t)(h->sent_ms * 1000);
	}
	conn_set_state(c, TERN_TCP_SYN_RCVD);
	flow_insert_hashed(&e->tcp.flows, &c->node, s->hash); /* the key is the segment's */
	return c;
}

/* A SYN to listener @p l (no flow table entry): queue entry, cookie, or drop. */
static void
listen_syn(struct tern_engine *e, struct tcp_listener *l, struct tcp_seg *s)
{
	struct tcp_engine *tcp = &e->tcp;
	struct flow_key k = tcp_seg_key(s);
	struct tcp_syn_opts n;
	uint8_t opt;
	struct wire_ip6 a6[2];
	struct syncookie_tuple t = cookie_tuple(e, &k, a6);
	struct syncookie_opts co;
	struct tcp_synack sa;
	struct synq_entry *ent;

	if (l->filter != NULL) {
		/* The application's verdict first: a refused SYN costs no state at all. */
		struct tern_syn_info si = {.lport = k.lport, .rport = k.rport};

		if (flow_key_is6(&k)) {
			si.laddr.family = si.raddr.family = TERN_AF_INET6;
			memcpy(si.laddr.v6, a6[0].b, 16);
			memcpy(si.raddr.v6, a6[1].b, 16);
		} else {
			si.laddr.family = si.raddr.family = TERN_AF_INET;
			si.laddr.v4 = k.laddr;
			si.raddr.v4 = k.raddr;
		}
		if (!l->filter(e, &si, l->filter_arg)) {
			tcp_send_rst_reply(e, s);
			tern_drop(e, s->m, TERN_DROP_TCP_SYN_FILTERED);
			return;
		}
	}
	tcp_syn_negotiate(e, &s->th.opts, &n);
	opt = n.flags;
	if (l->accq_len >= l->sq.backlog) {
		/* Nobody is accepting: a handshake could not complete. The peer tries again. */
		tern_drop(e, s->m, TERN_DROP_TCP_ACCEPT_OVERFLOW);
		return;
	}
	/* A SYN that ended a TIME_WAIT needs an ISN beyond the old snd_nxt, which a cookie
	 * cannot give: it takes a queue entry even under "always". */
	if (e->conf.syncookies != TERN_SYNCOOKIES_ALWAYS || s->tw_reopen) {
		ent = synq_alloc_hashed(&tcp->synq, &l->sq, &k, s->hash, e->now_ms);
		if (ent != NULL) {
			ent->irs = s->th.seq;
			ent->iss =
			        s->tw_reopen ? tw_next_iss(e, &k, s->tw_snd_nxt) : tcp_isn(e, &k);
			ent->mss = n.mss;
			ent->wnd = s->th.win;
			ent->wscale = n.wscale;
			ent->ts_recent = n.tsval;
			ent->node.aux = opt;
			glean(e, s); /* for the retransmissions; bounded by the queue */
			synq_send_synack(e, ent, s->m);
			synq_arm_new(e);
			return;
		}
		tern_count(e, TERN_CTR_TCP_SYNQ_OVERFLOW, 1);
		if (e->conf.syncookies == TERN_SYNCOOKIES_OFF) {
			tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_OVERFLOW);
			return;
		}
	}
	/* Stateless. Without timestamps the cookie keeps only the MSS class: the SYN-ACK
	 * then offers no window scaling and no SACK, which the ACK could not tell us. */
	memset(&co, 0, sizeof(co));
	co.mss = n.mss ? n.mss : tcp_default_mss(&k);
	co.ts = (opt & SYNQ_F_TS) != 0;
	co.wscale = SYNCOOKIE_WSCALE_NONE;
	if (!co.ts)
		opt = 0;
	if (opt & SYNQ_F_WSCALE)
		co.wscale = n.wscale;
	co.sack = (opt & SYNQ_F_SACK) != 0;
	if (e->now_ms >= tcp->cookie_until_ms)
		syncookie_rotate(&tcp->cookies, e->now_ms); /* first cookie in a while */
	sa.irs = s->th.seq;
	sa.iss = syncookie_make(&tcp->cookies, &t, s->th.seq, &co, e->now_ms, NULL);
	sa.opt = opt;
	sa.tsval = co.ts ? syncookie_tsval(ts_clock(e, &k), &co) : 0;
	sa.tsecr = co.ts ? n.tsval : 0;
	tcp->cookie_until_ms = e->now_ms + COOKIE_CHECK_MS;
	tern_count(e, TERN_CTR_TCP_SYNCOOKIE_SENT, 1);
	tcp_send_synack(e, &k, &sa, s->m);
}

/* An ACK to listener @p l that matches no entry, while cookies are out: a cookie? */
static struct tern_conn *
listen_cookie_ack(struct tern_engine *e, struct tcp_listener *l, struct tcp_seg *s)
{
	static const enum tern_drop why[] = {
	        [SYNCOOKIE_STALE] = TERN_DROP_TCP_COOKIE_STALE,
	        [SYNCOOKIE_NO_TS] = TERN_DROP_TCP_COOKIE_NO_TS,
	        [SYNCOOKIE_BAD] = TERN_DROP_TCP_COOKIE_BAD,
	};
	struct flow_key k = tcp_seg_key(s);
	struct wire_ip6 a6[2];
	struct syncookie_tuple t = cookie_tuple(e, &k, a6);
	bool has_ts = (s->th.opts.present & WIRE_TCPO_TS) != 0;
	struct syncookie_result r;
	enum syncookie_verdict v;
	struct handshake h;
	struct tern_conn *c;

	v = syncookie_check(&e->tcp.cookies, &t, s->th.ack, s->th.seq, has_ts,
	        has_ts ? s->th.opts.tsecr : 0, e->now_ms, &r);
	if (v != SYNCOOKIE_OK) {
		tern_count(e, TERN_CTR_TCP_SYNCOOKIE_FAILED, 1);
		tcp_send_rst_reply(e, s); /* RFC 9293: an ACK in LISTEN draws a RST */
		tern_drop(e, s->m, why[v]);
		return NULL;
	}
	memset(&h, 0, sizeof(h));
	h.irs = s->th.seq - 1;
	h.iss = s->th.ack - 1;
	h.wnd = s->th.win; /* replaced, scaled, when the ACK is processed */
	{
		/* The SYN's options as the cookie kept them, negotiated like a SYN's. */
		struct wire_tcp_opts o = {.present = WIRE_TCPO_MSS, .mss = r.mss};
		if (r.wscale != SYNCOOKIE_WSCALE_NONE) {
			o.present |= WIRE_TCPO_WSCALE;
			o.wscale = r.wscale;
		}
		if (r.sack)
			o.present |= WIRE_TCPO_SACK_PERM;
		if (r.ts) {
			o.present |= WIRE_TCPO_TS;
			o.tsval = s->th.opts.tsval;
		}
		tcp_syn_negotiate(e, &o, &h.syn);
	}
	c = handshake_done(e, l, s, &h, NULL);
	if (c != NULL)
		tern_count(e, TERN_CTR_TCP_SYNCOOKIE_OK, 1);
	return c;
}

struct tern_conn *
tcp_listen_input(struct tern_engine *e, struct tcp_listener *l, struct tcp_seg *s)
{
	uint8_t fl = s->th.flags;

	/* first: a RST is ignored */
	if (fl & WIRE_TCP_RST) {
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return NULL;
	}
	/* second: an ACK draws <SEQ=SEG.ACK><CTL=RST>, unless it completes a cookie
	 * handshake */
	if (fl & WIRE_TCP_ACK) {
		if (!(fl & WIRE_TCP_SYN) && e->now_ms < e->tcp.cookie_until_ms)
			return listen_cookie_ack(e, l, s);
		tcp_send_rst_reply(e, s);
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return NULL;
	}
	/* third: SYN (a SYN with FIN is no opening anyone means) */
	if ((fl & (WIRE_TCP_SYN | WIRE_TCP_FIN)) != WIRE_TCP_SYN) {
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return NULL;
	}
	listen_syn(e, l, s);
	return NULL;
}

struct tern_conn *
tcp_synq_input(struct tern_engine *e, struct synq_entry *ent, struct tcp_seg *s)
{
	struct tcp_engine *tcp = &e->tcp;
	struct tcp_listener *l = tcp->listeners[ent->node.key.lport];
	uint8_t fl = s->th.flags;
	tern_seq_t seq = s->th.seq;
	tern_seq_t rcv_nxt = ent->irs + 1;
	uint32_t wnd = synack_window(e);
	bool ts = (ent->node.aux & SYNQ_F_TS) != 0;
	bool has_ts = (s->th.opts.present & WIRE_TCPO_TS) != 0;
	bool in_window = seq - rcv_nxt < wnd || (s->len == 0 && seq == rcv_nxt);
	struct handshake h;

	if (fl & WIRE_TCP_RST) {
		/* RFC 5961 §3: only an exact match resets; in the window, a challenge ACK. */
		if (seq == rcv_nxt) {
			tern_count(e, TERN_CTR_TCP_RST_RX, 1);
			synq_free(&tcp->synq, ent);
			synq_arm_freed(e);
			rte_pktmbuf_free(s->m);
			return NULL;
		}
		if (in_window && tcp_challenge_budget(e))
			synq_send_ack(e, ent);
		tern_drop(e, s->m,
		        in_window ? TERN_DROP_TCP_RST_CHALLENGE : TERN_DROP_TCP_OUT_OF_WINDOW);
		return NULL;
	}
	if (fl & WIRE_TCP_SYN) {
		if (!(fl & WIRE_TCP_ACK) && seq == ent->irs) {
			/* The peer did not get our SYN-ACK: again, in this SYN's mbuf. */
			e->stats.drop[TERN_DROP_TCP_SYN_RETRANS]++;
			tern_count(e, TERN_CTR_TCP_RETRANS, 1);
			synq_send_synack(e, ent, s->m);
			return NULL;
		}
		/* RFC 5961 §4: any other SYN draws a challenge ACK. */
		if (tcp_challenge_budget(e))
			synq_send_ack(e, ent);
		tern_drop(e, s->m, TERN_DROP_TCP_SYN_CHALLENGE);
		return NULL;
	}
	if (!(fl & WIRE_TCP_ACK)) {
		tern_drop(e, s->m, TERN_DROP_TCP_NO_ACK);
		return NULL;
	}
	if (ts && !has_ts) {
		tern_drop(e, s->m, TERN_DROP_TCP_NO_TS); /* RFC 7323 §3.2 */
		return NULL;
	}
	if (s->th.ack != ent->iss + 1) {
		/* SYN_RCVD, unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.4). */
		tcp_send_rst_reply(e, s);
		tern_drop(e, s->m, TERN_DROP_TCP_BAD_ACK);
		return NULL;
	}
	if (!in_window || (ts && seq_lt(s->th.opts.tsval, ent->ts_recent))) {
		/* Not for this handshake (old, or PAWS): tell the peer where we are. */
		if (tcp_challenge_budget(e))
			synq_send_ack(e, ent);
		tern_drop(e, s->m, in_window ? TERN_DROP_TCP_PAWS : TERN_DROP_TCP_OUT_OF_WINDOW);
		return NULL;
	}
	if (l == NULL) { /* cannot be: tern_unlisten() flushes its entries */
		synq_free(&tcp->synq, ent);
		tern_drop(e, s->m, TERN_DROP_TCP_LISTEN_BAD);
		return NULL;
	}
	memset(&h, 0, sizeof(h));
	h.irs = ent->irs;
	h.iss = ent->iss;
	h.wnd = ent->wnd;
	h.syn.flags = ent->node.aux;
	h.syn.mss = ent->mss;
	h.syn.wscale = ent->wscale;
	h.syn.tsval = ent->ts_recent;
	if (ent->nrtx == 0) { /* Karn: no sample from a retransmitted SYN-ACK */
		h.rtt = true;
		h.sent_ms = synq_sent_ms(&tcp->synq, ent);
	} else {
		h.rtx = true;
	}
	return handshake_done(e, l, s, &h, ent);
}
