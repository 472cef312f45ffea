/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Out-of-order reassembly queue of one connection (RFC 9293 §3.10.7.4 "seventh, process
 * the segment text": segments beyond rcv_nxt are held until the hole before them fills),
 * and its SACK blocks (RFC 2018 §4).
 *
 * Shape: a singly linked list of 24-byte entries, sorted by sequence number and disjoint,
 * taken from a per-engine array of nodes with a free list (no allocation on the data
 * path). Each entry owns exactly one mbuf (one reference, never shared with another
 * entry) whose data is exactly the entry's bytes, so what a queue holds is bounded by its
 * entry cap, and what an engine holds by its pool. Lookups are linear in the entries of
 * one queue, which the caller caps (max_segs).
 *
 * Overlap (first arrival wins): the newcomer is cut where it overlaps the entry on its
 * left or the one on its right. Entries that lie wholly inside what remains are absorbed:
 * their bytes are copied over the newcomer's at the same offsets and their entries are
 * freed, so the newcomer becomes one entry holding exactly the first-arrived bytes. That
 * needs a writable newcomer (direct, unshared segments; the engine copies payload into
 * its own mbufs, so it always is); otherwise only the newcomer's first gap is kept, which
 * is still correct, only slower to fill. Adjacent entries are never joined: the SACK
 * blocks and the recent list work on maximal contiguous ranges instead.
 *
 * SACK (RFC 2018 §4): the queue remembers up to WIRE_TCP_MAX_SACK ranges, most recently
 * changed first, each as its exact [left, right). An insert moves the range holding the
 * segment to the front (dropping the remembered ranges it merged with); a pop cuts the
 * delivered bytes out of them. Reporting is then a copy, plus a walk over the queue only
 * when room is left and some queued bytes are in no remembered range.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "tcp/reass.h"

int
reass_pool_init(struct reass_pool *p, uint32_t n, int socket)
{
	uint32_t i;

	p->nodes = NULL;
	p->free = NULL;
	p->size = n;
	p->used = 0;
	if (n == 0)
		return 0;
	p->nodes = rte_zmalloc_socket(
	        "tern_reass", sizeof(*p->nodes) * (size_t)n, RTE_CACHE_LINE_SIZE, socket);
	if (p->nodes == NULL) {
		p->size = 0;
		return -ENOMEM;
	}
	for (i = n; i-- > 0;) {
		p->nodes[i].next = p->free;
		p->free = &p->nodes[i];
	}
	return 0;
}

void
reass_pool_fini(struct reass_pool *p)
{
	rte_free(p->nodes);
	p->nodes = NULL;
	p->free = NULL;
	p->size = 0;
	p->used = 0;
}

static struct reass_seg *
node_get(struct reass_pool *p)
{
	struct reass_seg *n = p->free;

	p->free = n->next;
	p->used++;
	n->next = NULL;
	return n;
}

static void
node_put(struct reass_pool *p, struct reass_seg *n)
{
	n->m = NULL;
	n->next = p->free;
	p->free = n;
	p->used--;
}

static inline tern_seq_t
seg_end(const struct reass_seg *s)
{
	return s->seq + s->len;
}

/* ---- mbuf helpers (chains allowed) ---- */

/*
 * Keep bytes [off, off + len) of @p m's data, len > 0 and off + len <= pkt_len. Leading
 * segments that lose all their bytes are freed, so the head may change: @return it.
 */
static struct rte_mbuf *
mbuf_keep(struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct rte_mbuf *seg, *rest;
	uint32_t acc = 0;
	uint16_t nb = 1;

	while (m->next != NULL && off >= m->data_len) {
		struct rte_mbuf *next = m->next;

		next->nb_segs = m->nb_segs - 1;
		next->pkt_len = m->pkt_len - m->data_len;
		off -= m->data_len;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free(m);
		m = next;
	}
	m->data_off += (uint16_t)off;
	m->data_len -= (uint16_t)off;
	m->pkt_len -= off;

	for (seg = m; acc + seg->data_len < len; seg = seg->next) {
		acc += seg->data_len;
		nb++;
	}
	seg->data_len = (uint16_t)(len - acc);
	rest = seg->next;
	seg->next = NULL;
	rte_pktmbuf_free(rest);
	m->nb_segs = nb;
	m->pkt_len = len;
	return m;
}

/* True when every segment of @p m may be written: direct and not shared. */
static bool
mbuf_writable(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
			return false;
	return true;
}

/* Copy the first @p len bytes of @p src over @p dst's data at offset @p off. */
static void
mbuf_overwrite(struct rte_mbuf *dst, uint32_t off, const struct rte_mbuf *src, uint32_t len)
{
	uint32_t done = 0;

	while (off >= dst->data_len) {
		off -= dst->data_len;
		dst = dst->next;
	}
	while (done < len) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)dst->data_len - off);
		uint8_t *d = rte_pktmbuf_mtod_offset(dst, uint8_t *, off);
		/* rte_pktmbuf_read() copies into d only when the source bytes span
		 * segments; otherwise it points at them. */
		const void *from = rte_pktmbuf_read(src, done, n, d);

		if (from != d)
			memcpy(d, from, n);
		done += n;
		off = 0;
		dst = dst->next;
	}
}

/* ---- recent ranges (RFC 2018 §4 order) ---- */

/*
 * The maximal contiguous queued range holding sequence number @p s, in [*l, *r).
 * @return false when @p s is not queued.
 */
static bool
range_of(const struct tcp_reass *q, tern_seq_t s, tern_seq_t *l, tern_seq_t *r)
{
	const struct reass_seg *x;
	bool found = false;

	for (x = q->head; x != NULL; x = x->next) {
		if (x == q->head || x->seq != *r) {
			/* a new range starts at x */
			if (found)
				break;
			if (seq_lt(s, x->seq))
				return false;
			*l = x->seq;
		}
		*r = seg_end(x);
		if (seq_in(s, x->seq, *r))
			found = true;
	}
	return found;
}

static void
recent_del(struct tcp_reass *q, unsigned i)
{
	unsigned j;

	for (j = i; j + 1 < q->nrecent; j++) {
		q->recent[j] = q->recent[j + 1];
		q->recent_end[j] = q->recent_end[j + 1];
	}
	q->nrecent--;
}

/* Make the range holding @p s the most recently changed one. */
static void
recent_touch(struct tcp_reass *q, tern_seq_t s)
{
	tern_seq_t l = 0, r = 0;
	unsigned i;

	if (!range_of(q, s, &l, &r))
		return;
	/* Remembered ranges overlapping [l, r) are now part of it. */
	for (i = q->nrecent; i-- > 0;)
		if (seq_lt(q->recent[i], r) && seq_gt(q->recent_end[i], l))
			recent_del(q, i);
	if (q->nrecent == WIRE_TCP_MAX_SACK)
		q->nrecent--;
	for (i = q->nrecent; i > 0; i--) {
		q->recent[i] = q->recent[i - 1];
		q->recent_end[i] = q->recent_end[i - 1];
	}
	q->recent[0] = l;
	q->recent_end[0] = r;
	q->nrecent++;
}

/* Bytes below @p floor left the queue: cut them out of the remembered ranges. */
static void
recent_cut(struct tcp_reass *q, tern_seq_t floor)
{
	unsigned i;

	for (i = q->nrecent; i-- > 0;) {
		if (seq_leq(q->recent_end[i], floor))
			recent_del(q, i);
		else if (seq_lt(q->recent[i], floor))
			q->recent[i] = floor;
	}
}

/* ---- queue ---- */

enum reass_result
reass_insert(struct tcp_reass *q, struct reass_pool *p, tern_seq_t seq, uint32_t len,
        struct rte_mbuf *m, bool fin, uint32_t max_segs)
{
	struct reass_seg **link, *cur, *x, *node;
	tern_seq_t s = seq, e = seq + len;
	uint32_t k = 0, covered = 0;
	bool new_fin = false;

	RTE_ASSERT(len == 0 || (m != NULL && rte_pktmbuf_pkt_len(m) >= len));

	if (q->has_fin) {
		/* Nothing follows a FIN: bytes beyond it are discarded. */
		if (seq_gt(e, q->fin_seq))
			e = seq_max(s, q->fin_seq);
	} else if (fin) {
		/* A FIN with queued data beyond it contradicts that data: first wins. */
		new_fin = true;
		for (x = q->head; x != NULL; x = x->next)
			if (seq_gt(seg_end(x), e))
				new_fin = false;
	}

	/* Skip the entries that end at or before s; cut what overlaps the one after. */
	link = &q->head;
	while ((cur = *link) != NULL && seq_leq(seg_end(cur), s))
		link = &cur->next;
	if (cur != NULL && seq_lt(cur->seq, s)) {
		s = seg_end(cur);
		link = &cur->next;
		cur = *link;
	}
	if (!seq_lt(s, e))
		goto dup;
	/* Entries wholly inside [s, e), then the one overlapping e is cut off. */
	for (x = cur; x != NULL && seq_leq(seg_end(x), e); x = x->next) {
		k++;
		covered += x->len;
	}
	if (x != NULL && seq_lt(x->seq, e))
		e = x->seq;
	if (!seq_lt(s, e) || covered == e - s)
		goto dup;

	if (k > 0 && mbuf_writable(m)) {
		/* Absorb the k entries: their bytes over ours, cur becomes the new entry. */
		struct reass_seg *y, *next;

		m = mbuf_keep(m, s - seq, e - s);
		for (y = cur; y != x; y = next) {
			next = y->next;
			mbuf_overwrite(m, y->seq - s, y->m, y->len);
			rte_pktmbuf_free(y->m);
			if (y != cur)
				node_put(p, y);
		}
		cur->seq = s;
		cur->len = e - s;
		cur->m = m;
		cur->next = x;
		q->nsegs -= k - 1;
		q->bytes += (e - s) - covered;
	} else {
		if (k > 0) {
			/* Not writable: keep only the first gap inside [s, e). */
			while (cur != x && cur->seq == s) {
				s = seg_end(cur);
				link = &cur->next;
				cur = *link;
			}
			if (cur != x)
				e = cur->seq;
		}
		if (q->nsegs >= max_segs || p->free == NULL) {
			rte_pktmbuf_free(m);
			return REASS_NOMEM;
		}
		node = node_get(p);
		node->seq = s;
		node->len = e - s;
		node->m = mbuf_keep(m, s - seq, e - s);
		node->next = cur;
		*link = node;
		q->nsegs++;
		q->bytes += e - s;
	}
	if (new_fin) {
		q->has_fin = 1;
		q->fin_seq = seq + len;
	}
	recent_touch(q, s);
	return REASS_QUEUED;

dup:
	rte_pktmbuf_free(m);
	if (new_fin) {
		q->has_fin = 1;
		q->fin_seq = seq + len;
		return REASS_QUEUED;
	}
	/* RFC 2018 §4: the first block holds the segment that triggered the ACK. */
	if (len > 0)
		recent_touch(q, seq);
	return REASS_DUP;
}

struct rte_mbuf *
reass_pop(struct tcp_reass *q, struct reass_pool *p, tern_seq_t rcv_nxt, uint32_t *len, bool *fin)
{
	struct reass_seg *h;
	struct rte_mbuf *m = NULL;

	*len = 0;
	*fin = false;
	while ((h = q->head) != NULL) {
		if (seq_leq(seg_end(h), rcv_nxt)) {
			/* already delivered in order */
			q->head = h->next;
			q->nsegs--;
			q->bytes -= h->len;
			rte_pktmbuf_free(h->m);
			node_put(p, h);
			continue;
		}
		if (seq_lt(h->seq, rcv_nxt)) {
			uint32_t cut = rcv_nxt - h->seq;

			h->m = mbuf_keep(h->m, cut, h->len - cut);
			h->seq = rcv_nxt;
			h->len -= cut;
			q->bytes -= cut;
		}
		break;
	}
	if (h != NULL && h->seq == rcv_nxt) {
		m = h->m;
		*len = h->len;
		q->head = h->next;
		q->nsegs--;
		q->bytes -= h->len;
		node_put(p, h);
	}
	if (q->has_fin) {
		tern_seq_t end = rcv_nxt + *len;

		if (q->fin_seq == end) {
			*fin = true;
			q->has_fin = 0;
		} else if (seq_lt(q->fin_seq, end)) {
			q->has_fin = 0; /* stale: the stream went past it */
		}
	}
	recent_cut(q, rcv_nxt + *len);
	return m;
}

unsigned
reass_sack_blocks(const struct tcp_reass *q, struct wire_sack_block *b, unsigned max)
{
	const struct reass_seg *x;
	uint32_t reported = 0;
	unsigned n = 0, i;

	for (i = 0; i < q->nrecent && n < max; i++, n++) {
		b[n].left = q->recent[i];
		b[n].right = q->recent_end[i];
		reported += q->recent_end[i] - q->recent[i];
	}
	if (n == max || reported == q->bytes)
		return n;
	/* Room left and some ranges are not among the recent ones: add them, lowest first. */
	for (x = q->head; x != NULL && n < max;) {
		tern_seq_t l = x->seq, r = seg_end(x);
		bool known = false;

		for (x = x->next; x != NULL && x->seq == r; x = x->next)
			r = seg_end(x);
		for (i = 0; i < q->nrecent; i++)
			if (q->recent[i] == l)
				known = true;
		if (!known) {
			b[n].left = l;
			b[n].right = r;
			n++;
		}
	}
	return n;
}

void
reass_purge(struct tcp_reass *q, struct reass_pool *p)
{
	struct reass_seg *x, *next;

	for (x = q->head; x != NULL; x = next) {
		next = x->next;
		rte_pktmbuf_free(x->m);
		node_put(p, x);
	}
	q->head = NULL;
	q->nsegs = 0;
	q->bytes = 0;
	q->has_fin = 0;
	q->fin_seq = 0;
	q->nrecent = 0;
}
