/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-gen verdicts: what the target did under the attacks.
 *
 * The RX tap (app.rx_tap, before the engine) looks at every frame from the target's
 * address and port. Those to an attack source (one of the --attack blocks; they reach us
 * when the target's next hop for them is our MAC: --proxy-arp answers ARP for on-link
 * sources, or a route on the target) are counted and freed: SYN-ACKs, RSTs, the rest.
 * RSTs to our own address are counted and left to the engine.
 *
 * Cookie or not, from outside: a SYN-cookie SYN-ACK is never retransmitted (the target
 * keeps no state). A table per engine (tuple -> ISN, open addressing over 8 slots, the
 * first replaced when all are taken) spots retransmissions; a first SYN-ACK is
 * "cookie-like" unless its tuple's SYN-ACK came again. With --proxy-arp the run lingers
 * GEN_LINGER_MS after the attacks so that the target's first retransmissions (1 s on Linux and
 * tern) are seen. With timestamps, a cookie's TSval may also carry the SYN's options in its low six
 * bits (window scale, SACK bit 4: tern's layout, and Linux's before it adds its secret per-tuple TS
 * offset, which hides them). Our realistic SYNs put exactly those bits in their own TSval, which
 * the SYN-ACK echoes in TSecr, so the test is stateless: low six bits of TSval == those of TSecr
 * ("ts_encoded"; a stateful SYN-ACK passes it 1 time in 64). It is reported, not used for
 * "cookie-like", since Linux never passes it.
 *
 * IPv6: the same from the target's IPv6 address (a fixed header straight to TCP: a segment
 * behind extension headers is left to the engine); the SYN-ACK table keys an IPv6 source
 * by the XOR of its four 32-bit words (its random host bits), so two sources may share a
 * key, rarely. --proxy-arp answers the target's Neighbour Solicitations for IPv6 attack
 * sources (sent to their solicited-node groups, which the tap sees whatever the port's
 * multicast filter lets the engine see) with a Neighbour Advertisement (frame.c).
 *
 * Per interval (progress line, --csv) and at the end (summary "verdict", one stderr line).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "frame.h"
#include "gen.h"

#define SA_BITS  16 /* 65536 tuples per engine */
#define SA_PROBE 8
#define SA_RTX   1 /* flags: retransmitted */

struct gen_synack {
	uint32_t ip;
	uint16_t port;
	uint8_t used;
	uint8_t flags;
	uint32_t seq;
};

int
gen_seen_setup(struct gen_worker *w)
{
	w->synacks = rte_zmalloc("tern_gen_synacks", sizeof(*w->synacks) << SA_BITS, 0);
	return w->synacks == NULL ? -ENOMEM : 0;
}

static void
seen_synack(struct gen_worker *w, uint32_t dst, const struct rte_tcp_hdr *th, unsigned thlen)
{
	uint16_t port = rte_be_to_cpu_16(th->dst_port);
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq), val, ecr;
	uint32_t mask = (1u << SA_BITS) - 1;
	uint32_t h = (dst * 2654435761u) ^ (port * 40503u);
	struct gen_synack *e = NULL;
	unsigned j;

	if (rte_be_to_cpu_32(th->recv_ack) - 1 != gen_attack_isn(w->g, dst, port)) {
		w->seen.synack_foreign++; /* not an answer to a SYN of this run */
		return;
	}

	for (j = 0; j < SA_PROBE; j++) {
		struct gen_synack *x = &w->synacks[(h + j) & mask];
		if (!x->used || (x->ip == dst && x->port == port)) {
			e = x;
			break;
		}
	}
	if (e == NULL)
		e = &w->synacks[h & mask]; /* 8 slots taken: this tuple replaces the first */
	if (e->used && e->ip == dst && e->port == port && e->seq == seq) {
		w->seen.synack_rtx++;
		if (!(e->flags & SA_RTX)) {
			e->flags |= SA_RTX;
			w->seen.rtx_tuples++;
		}
		return;
	}
	e->used = 1;
	e->ip = dst;
	e->port = port;
	e->seq = seq;
	e->flags = 0;
	w->seen.synack++;
	if (gen_tcp_ts((const uint8_t *)(th + 1), thlen - 20, &val, &ecr)) {
		w->seen.synack_ts++;
		if ((val & 0x3f) == (ecr & 0x3f))
			w->seen.ts_encoded++;
	}
}

/* --proxy-arp: answer a request for an attack source with our MAC, in place. */
static bool
proxy_arp(struct gen_worker *w, struct rte_mbuf *m, struct rte_ether_hdr *eh, uint32_t len)
{
	struct gen *g = w->g;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);
	uint32_t tip;

	if (len < sizeof(*eh) + sizeof(*ah) ||
	        ah->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		return false;
	tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);
	if (tip == g->a->o.ip || tip == g->dst || !gen_attack_source(g, tip))
		return false;
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_tha = ah->arp_data.arp_sha;
	ah->arp_data.arp_tip = ah->arp_data.arp_sip;
	memcpy(&ah->arp_data.arp_sha, g->a->port.mac, RTE_ETHER_ADDR_LEN);
	ah->arp_data.arp_sip = rte_cpu_to_be_32(tip);
	eh->dst_addr = eh->src_addr;
	memcpy(&eh->src_addr, g->a->port.mac, RTE_ETHER_ADDR_LEN);
	if (tern_engine_send_frame(w->e, m) != 0)
		rte_pktmbuf_free(m);
	w->seen.arp_answered++;
	return true;
}

/* A segment from the target to an attack source (key @p dst). */
static void
count_spoofed(struct gen_worker *w, uint32_t dst, const struct rte_tcp_hdr *th, unsigned thlen)
{
	if (th->tcp_flags & RTE_TCP_RST_FLAG)
		w->seen.rst_spoofed++;
	else if ((th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
	         (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG))
		seen_synack(w, dst, th, thlen);
	else
		w->seen.other_spoofed++;
}

/* --proxy-arp over IPv6: a Neighbour Solicitation (RFC 4861 §4.3: hop limit 255, code 0,
 * no extension header) for an attack source gets an advertisement of our MAC. */
static bool
proxy_nd(struct gen_worker *w, struct rte_mbuf *m, const struct rte_ether_hdr *eh,
        const struct rte_ipv6_hdr *ip6, uint32_t len)
{
	struct gen *g = w->g;
	const uint8_t *ns = (const uint8_t *)(ip6 + 1);
	const uint8_t *target = ns + 8;
	struct rte_mbuf *na;
	uint8_t *buf;

	if (len < sizeof(*eh) + sizeof(*ip6) + 24 || ip6->hop_limits != 255 || ns[0] != 135 ||
	        ns[1] != 0 || !gen_attack_source6(g, target) || memcmp(target, g->dst6, 16) == 0 ||
	        (g->a->o.has_ip6 && memcmp(target, g->a->o.ip6, 16) == 0))
		return false;
	na = rte_pktmbuf_alloc(g->a->port.pool);
	if (na != NULL) {
		buf = (uint8_t *)rte_pktmbuf_append(na, GEN_NA_LEN);
		if (buf == NULL ||
		        gen_frame_na(buf, GEN_NA_LEN, g->a->port.mac, target,
		                eh->src_addr.addr_bytes, ip6->src_addr) == 0 ||
		        tern_engine_send_frame(w->e, na) != 0)
			rte_pktmbuf_free(na);
		else
			w->seen.arp_answered++;
	}
	rte_pktmbuf_free(m);
	return true;
}

/* IPv6: as tap_one() over IPv4. */
static bool
tap_one6(struct gen_worker *w, struct rte_mbuf *m, const struct rte_ether_hdr *eh, uint32_t len)
{
	struct gen *g = w->g;
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(eh + 1);
	const struct rte_tcp_hdr *th;
	unsigned thlen;

	if (len < sizeof(*eh) + sizeof(*ip6))
		return false;
	if (ip6->proto == IPPROTO_ICMPV6)
		return g->proxy_arp && proxy_nd(w, m, eh, ip6, len);
	if (!g->v6 || ip6->proto != IPPROTO_TCP || len < sizeof(*eh) + sizeof(*ip6) + sizeof(*th) ||
	        memcmp(ip6->src_addr, g->dst6, 16) != 0)
		return false;
	th = (const struct rte_tcp_hdr *)(ip6 + 1);
	if (rte_be_to_cpu_16(th->src_port) != g->dport)
		return false;
	thlen = (th->data_off >> 4) * 4u;
	if (thlen < 20 || len < sizeof(*eh) + sizeof(*ip6) + thlen)
		thlen = 20;
	if ((g->a->o.has_ip6 && memcmp(ip6->dst_addr, g->a->o.ip6, 16) == 0) ||
	        !gen_attack_source6(g, ip6->dst_addr)) {
		if (th->tcp_flags & RTE_TCP_RST_FLAG)
			w->seen.rst_us++;
		return false;
	}
	count_spoofed(w, gen_src_key6(ip6->dst_addr), th, thlen);
	rte_pktmbuf_free(m);
	return true;
}

/* @return true when the tap took @p m (counted and freed, or sent). */
static bool
tap_one(struct gen_worker *w, struct rte_mbuf *m)
{
	struct gen *g = w->g;
	uint32_t len = rte_pktmbuf_data_len(m), dst, ihl, thlen;
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;

	if (len < sizeof(*eh))
		return false;
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		return g->proxy_arp && proxy_arp(w, m, eh, len);
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return tap_one6(w, m, eh, len);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	        len < sizeof(*eh) + sizeof(*ip))
		return false;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ip->next_proto_id != IPPROTO_TCP || ihl < 20 || len < sizeof(*eh) + ihl + sizeof(*th) ||
	        rte_be_to_cpu_32(ip->src_addr) != g->dst)
		return false;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	if (rte_be_to_cpu_16(th->src_port) != g->dport)
		return false;
	thlen = (th->data_off >> 4) * 4u;
	if (thlen < 20 || len < sizeof(*eh) + ihl + thlen)
		thlen = 20;
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if (dst == g->a->o.ip || !gen_attack_source(g, dst)) {
		if (th->tcp_flags & RTE_TCP_RST_FLAG)
			w->seen.rst_us++;
		return false;
	}
	count_spoofed(w, dst, th, thlen);
	rte_pktmbuf_free(m);
	return true;
}

uint16_t
gen_rx_tap(unsigned idx, struct rte_mbuf **pkts, uint16_t n, void *app)
{
	struct gen *g = app;
	struct gen_worker *w;
	uint16_t i, keep = 0;

	if (g->w == NULL || idx >= g->nworkers || g->w[idx].synacks == NULL)
		return n;
	w = &g->w[idx];
	for (i = 0; i < n; i++)
		if (!tap_one(w, pkts[i]))
			pkts[keep++] = pkts[i];
	return keep;
}

/* ---- verdicts (main lcore) ---- */

void
gen_seen_sum(const struct gen *g, struct gen_seen *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < g->nworkers; i++) {
		const struct gen_seen *x = &g->w[i].seen;
		s->synack += x->synack;
		s->synack_rtx += x->synack_rtx;
		s->rtx_tuples += x->rtx_tuples;
		s->synack_ts += x->synack_ts;
		s->ts_encoded += x->ts_encoded;
		s->rst_spoofed += x->rst_spoofed;
		s->rst_us += x->rst_us;
		s->other_spoofed += x->other_spoofed;
		s->synack_foreign += x->synack_foreign;
		s->arp_answered += x->arp_answered;
	}
}

/* Frames sent by the attack streams of kind @p kind (-1 = all; -2 = SYNs of both kinds). */
uint64_t
gen_attack_sent(const struct gen *g, int kind)
{
	uint64_t n = 0;
	unsigned i, k;

	for (k = 0; k < g->natk; k++) {
		enum gen_attack_kind x = g->atk[k].kind;
		if (kind == -1 || (int)x == kind ||
		        (kind == -2 && (x == GEN_ATK_SYN || x == GEN_ATK_SYNREAL)))
			for (i = 0; i < g->nworkers; i++)
				n += g->w[i].atk[k].sent;
	}
	return n;
}

uint64_t
gen_cookie_like(const struct gen_seen *s)
{
	return s->synack > s->rtx_tuples ? s->synack - s->rtx_tuples : 0;
}

/* "1.2 M", "20.0 k", "950" */
static const char *
fmt_si(char *buf, size_t len, double v)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.1f M", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

static const char *const kind_upper[GEN_ATK_MAX] = {
        [GEN_ATK_SYN] = "SYN",
        [GEN_ATK_SYNREAL] = "SYN",
        [GEN_ATK_ACK] = "ACK",
        [GEN_ATK_RST] = "RST",
        [GEN_ATK_SYNACK] = "SYN-ACK",
};

/* "1.2 M SYN/s + 20.0 k ACK/s": achieved rates by kind over @p secs. */
static void
attack_load(const struct gen *g, double secs, char *buf, size_t len)
{
	static const int order[] = {-2, GEN_ATK_ACK, GEN_ATK_RST, GEN_ATK_SYNACK};
	size_t at = 0;
	unsigned k;

	buf[0] = '\0';
	for (k = 0; k < RTE_DIM(order); k++) {
		uint64_t n = gen_attack_sent(g, order[k]);
		char b[24];
		if (n == 0 || secs <= 0)
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s %s/s", at ? " + " : "",
		        fmt_si(b, sizeof(b), n / secs), kind_upper[order[k] < 0 ? 0 : order[k]]);
		if (at >= len)
			return;
	}
}

void
gen_verdict_final(
        struct gen *g, FILE *f, const struct gen_counters *c, const struct hist *lat, double open_s)
{
	struct gen_seen s;
	/* Connections our own stop cut (a signal) say nothing of the target: left out. */
	uint64_t cut = g->interrupted ? c->fail[GEN_FAIL_UNFINISHED] : 0;
	uint64_t syns = gen_attack_sent(g, -2), done = c->ok + c->failed - cut;
	double success = done ? 100.0 * c->ok / done : 0.0;
	bool legit = g->mode == GEN_CONNECT || g->mode == GEN_HTTP;
	char line[512], load[200], b[24], pct[16];
	size_t n = 0;

	gen_seen_sum(g, &s);
	attack_load(g, open_s, load, sizeof(load));
	if (legit && done > 0)
		snprintf(pct, sizeof(pct), "%.3f", success);
	else
		snprintf(pct, sizeof(pct), "null");
	if (legit && done == 0) {
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		        "target not judged: stopped before any %s finished",
		        g->mode == GEN_HTTP ? "request" : "connection");
		if (load[0] != '\0')
			n += (size_t)snprintf(line + n, sizeof(line) - n, " under %s", load);
	} else if (legit) {
		const char *word = success >= 99.0 ? "held" : success >= 90.0 ? "degraded" : "fell";
		char p99[24];
		uint64_t ns = hist_quantile(lat, 0.99);
		if (ns >= 1000000000)
			snprintf(p99, sizeof(p99), "%.2f s", ns / 1e9);
		else if (ns >= 1000000)
			snprintf(p99, sizeof(p99), "%.1f ms", ns / 1e6);
		else
			snprintf(p99, sizeof(p99), "%.0f us", ns / 1e3);
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		        "target %s: %.2f %% of %s, connect p99 %s", word, success,
		        g->mode == GEN_HTTP ? "requests answered" : "clients connected", p99);
		if (load[0] != '\0')
			n += (size_t)snprintf(line + n, sizeof(line) - n, " under %s", load);
	} else {
		n += (size_t)snprintf(line + n, sizeof(line) - n, "under %s", load[0] ? load : "-");
	}
	if (syns > 0 && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		        "; SYN-ACKs per SYN %.2f, %.0f %% cookie-like", (double)s.synack / syns,
		        s.synack ? 100.0 * gen_cookie_like(&s) / s.synack : 0.0);
	if (n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "; RSTs received %s%s",
		        fmt_si(b, sizeof(b), (double)(s.rst_us + s.rst_spoofed)),
		        syns > 0 && s.synack == 0 && !g->proxy_arp
		                ? " (no SYN-ACK seen: --proxy-arp, or a route on the target "
		                  "toward tern-gen, brings them back)"
		                : "");
	fprintf(stderr, "tern-gen: verdict: %s\n", line);

	fprintf(f,
	        ",\"verdict\":{\"line\":\"%s\",\"success_pct\":%s,\"syn_sent\":%" PRIu64
	        ",\"synack_rx\":%" PRIu64 ",\"synack_per_syn\":%.4f,\"synack_retrans\":%" PRIu64
	        ",\"retrans_tuples\":%" PRIu64 ",\"synack_ts\":%" PRIu64 ",\"ts_encoded\":%" PRIu64
	        ",\"cookie_like\":%" PRIu64 ",\"cookie_share\":%.4f,\"rst_rx\":%" PRIu64
	        ",\"rst_rx_spoofed\":%" PRIu64 ",\"rst_rx_us\":%" PRIu64
	        ",\"other_rx_spoofed\":%" PRIu64 ",\"synack_foreign\":%" PRIu64
	        ",\"arp_answered\":%" PRIu64 "}",
	        line, pct, syns, s.synack, syns ? (double)s.synack / syns : 0.0, s.synack_rtx,
	        s.rtx_tuples, s.synack_ts, s.ts_encoded, gen_cookie_like(&s),
	        s.synack ? (double)gen_cookie_like(&s) / s.synack : 0.0, s.rst_us + s.rst_spoofed,
	        s.rst_spoofed, s.rst_us, s.other_spoofed, s.synack_foreign, s.arp_answered);
}

/* Per interval: " | target synack/syn 0.99 cookies 100% rst 12/s"; and the --csv row. */
void
gen_verdict_progress(
        struct gen *g, double secs, const struct gen_counters *c, const struct hist *iv)
{
	struct gen_seen s;
	uint64_t syns = gen_attack_sent(g, -2), all = gen_attack_sent(g, -1);
	uint64_t dsyn = syns - g->prev_syn, dall = all - g->prev_all;
	uint64_t dsa = 0, dck = 0, drst = 0, dok = c->ok - g->prev.ok;
	uint64_t dfail = c->failed - g->prev.failed;

	gen_seen_sum(g, &s);
	dsa = s.synack - g->prev_seen.synack;
	/* (the cookie-like count of a tuple can fall back when its SYN-ACK is repeated: an
	 * interval's difference is clamped at 0, not wrapped around) */
	dck = gen_cookie_like(&s) > gen_cookie_like(&g->prev_seen)
	              ? gen_cookie_like(&s) - gen_cookie_like(&g->prev_seen)
	              : 0;
	if (dck > dsa)
		dck = dsa;
	drst = s.rst_us + s.rst_spoofed - g->prev_seen.rst_us - g->prev_seen.rst_spoofed;
	if ((g->mode == GEN_CONNECT || g->mode == GEN_HTTP) && dok + dfail > 0)
		fprintf(stderr, " | success %.2f%%", 100.0 * dok / (dok + dfail));
	else if (g->mode == GEN_CONNECT || g->mode == GEN_HTTP)
		fprintf(stderr, " | success -"); /* nothing finished (as the CSV's empty field) */
	if (g->natk > 0 && g->mode != GEN_SYNFLOOD) {
		fprintf(stderr, " | target");
		if (syns > 0)
			fprintf(stderr, " synack/syn %.2f cookies %.0f%%",
			        dsyn ? (double)dsa / dsyn : 0.0, dsa ? 100.0 * dck / dsa : 0.0);
		fprintf(stderr, " rst %.0f/s", drst / secs);
	}
	if (g->csv != NULL) {
		gen_csv_start(g);
		/* success and latency stay empty in an interval without completions */
		fprintf(g->csv, "%.1f,%.1f,%.1f,%.1f,", g->elapsed,
		        (c->attempted - g->prev.attempted) / secs, dok / secs, dfail / secs);
		if (dok + dfail)
			fprintf(g->csv, "%.3f,", 100.0 * dok / (dok + dfail));
		else
			fprintf(g->csv, ",");
		if (iv->n)
			fprintf(g->csv, "%.1f,%.1f,%.1f,", hist_quantile(iv, 0.5) / 1e3,
			        hist_quantile(iv, 0.99) / 1e3, hist_quantile(iv, 0.999) / 1e3);
		else
			fprintf(g->csv, ",,,");
		fprintf(g->csv, "%.1f,%.1f,%.1f,%.4f,%.2f,%.1f\n", dall / secs, dsyn / secs,
		        dsa / secs, dsyn ? (double)dsa / dsyn : 0.0, dsa ? 100.0 * dck / dsa : 0.0,
		        drst / secs);
		fflush(g->csv);
	}
	g->prev_seen = s;
	g->prev_syn = syns;
	g->prev_all = all;
}

const char gen_csv_header[] =
        "t_s,legit_per_s,ok_per_s,failed_per_s,success_pct,latency_p50_us,latency_p99_us,"
        "latency_p999_us,attack_pps,syn_pps,synack_per_s,synack_per_syn,cookie_pct,"
        "rst_per_s\n";

void
gen_csv_start(struct gen *g)
{
	struct stat st;

	if (g->csv == NULL || g->csv_started)
		return;
	/* (opened for appending: the writes follow the cut; a pipe, a terminal or /dev/null
	 * has nothing to cut) */
	if (fstat(fileno(g->csv), &st) == 0 && S_ISREG(st.st_mode) &&
	        ftruncate(fileno(g->csv), 0) != 0)
		fprintf(stderr, "tern-gen: --csv %s: %s\n", g->csv_path, strerror(errno));
	fputs(gen_csv_header, g->csv);
	g->csv_started = true;
}
