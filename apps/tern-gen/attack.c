/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-gen attack streams (--attack KIND:RATE[,OPT=VAL...], and --mode synflood, which is
 * one syn stream): TCP segments from spoofed sources, built whole in mbufs and queued on
 * the engine's TX (tern_engine_send_frame), each stream paced by its own token bucket on
 * each engine that runs it.
 *
 *   syn       SYN with an MSS option (so that a SYN-cookie target has an MSS to encode)
 *   syn-real  SYN whose options, window and TTL are those of a Linux, Windows or mobile
 *             (iOS-like) stack (synopt.c), in the shares of mix=; with timestamps, our TSval's low
 * six bits carry the options the way a cookie target encodes them (wscale, SACK bit 4), so the RX
 * tap can tell a SYN-ACK whose TSval encodes them (verdict.c) ack       bare ACK, random sequence
 * and acknowledgment numbers rst       RST, random sequence number syn-ack   SYN-ACK with an MSS
 * option, as a reflector's victim receives them
 *
 * Sources: random in one of the stream's blocks (src=, or the run's --src/--src-range),
 * never a block's first or last address, tern's own address, the target or the subnet
 * broadcast; ports random in sport=. With seq=plausible (ack, rst) the segment takes the
 * 4-tuple of one of this engine's live legitimate connections instead (from our own
 * address: a blind in-window attack, RFC 5961, which must reset nothing) and random
 * numbers. The target's MAC comes from the engine's ARP before the run starts (main.c).
 * Checksums are computed in software: the frames are small and every PMD takes them.
 *
 * IPv6 (a target given as [X:X::X]:PORT): the same streams from IPv6 source blocks
 * (src=2001:db8::/64+...), the fixed header written by frame.c (hop limit the stack's
 * TTL, no flow label, no extension header), the checksum over the IPv6 pseudo header.
 * A block's random host bits never make its first address (the Subnet-Router anycast,
 * RFC 4291 §2.6.1) nor tern's or the target's address. The MAC comes from ND.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "frame.h"
#include "gen.h"

#define ATK_BURST  64
#define TCPOPT_MSS 2

static const char *const kind_names[GEN_ATK_MAX] = {
        [GEN_ATK_SYN] = "syn",
        [GEN_ATK_SYNREAL] = "syn-real",
        [GEN_ATK_ACK] = "ack",
        [GEN_ATK_RST] = "rst",
        [GEN_ATK_SYNACK] = "syn-ack",
};

const char *
gen_os_name(unsigned os)
{
	return os < GEN_OS_MAX ? gen_syn_profile((enum gen_os)os)->name : "?";
}

const char *
gen_attack_name(enum gen_attack_kind k)
{
	return k < GEN_ATK_MAX ? kind_names[k] : "?";
}

static bool
reserved_src(const struct gen *g, uint32_t ip)
{
	uint8_t plen = g->a->o.prefix_len;
	uint32_t bcast = plen >= 31 ? 0 : (g->a->o.ip | (0xffffffffu >> plen));

	return ip == g->a->o.ip || ip == g->dst || (bcast != 0 && ip == bcast);
}

/* A source address from one of @p at's blocks, never a reserved or real host. */
static uint32_t
pick_src(const struct gen *g, const struct gen_attack *at, uint64_t r)
{
	const struct gen_prefix *p = &at->src[at->nsrc > 1 ? (r >> 40) % at->nsrc : 0];
	unsigned tries;

	if (p->mask == 0)
		return p->base;
	for (tries = 0; tries < 16; tries++) {
		uint32_t host = (uint32_t)r & p->mask;
		uint32_t ip = p->base | host;
		r = (r >> 17) | (r << 47);
		if (tries == 8)
			r = rte_rand();
		if (host == 0 || host == p->mask || reserved_src(g, ip))
			continue;
		return ip;
	}
	return p->base | 1; /* tiny blocks: parsing checks one usable address exists */
}

static bool
reserved_src6(const struct gen *g, const uint8_t ip[16])
{
	return memcmp(ip, g->dst6, 16) == 0 ||
	       (g->a->o.has_ip6 && memcmp(ip, g->a->o.ip6, 16) == 0);
}

static bool
in_prefix6(const struct gen_prefix *p, const uint8_t ip[16])
{
	unsigned i;

	for (i = 0; i < 16; i++)
		if ((ip[i] & (uint8_t)~p->mask6[i]) != p->base6[i])
			return false;
	return true;
}

/* An IPv6 source from one of @p at's blocks (all IPv6 when the target is). */
static void
pick_src6(const struct gen *g, const struct gen_attack *at, uint64_t r, uint8_t out[16])
{
	const struct gen_prefix *p = &at->src[at->nsrc > 1 ? (r >> 40) % at->nsrc : 0];
	unsigned tries, i;

	for (tries = 0; tries < 16; tries++) {
		uint64_t x[2] = {rte_rand(), rte_rand()};
		const uint8_t *rb = (const uint8_t *)x;
		uint8_t any = 0;
		for (i = 0; i < 16; i++) {
			uint8_t h = rb[i] & p->mask6[i];
			any |= h;
			out[i] = p->base6[i] | h;
		}
		if (p->plen6 == 128)
			return;
		if (any == 0 || reserved_src6(g, out))
			continue;
		return;
	}
	memcpy(out, p->base6, 16); /* tiny blocks: parsing checks one usable address exists */
	out[15] |= 1;
}

bool
gen_attack_source(const struct gen *g, uint32_t ip)
{
	unsigned k, i;

	for (k = 0; k < g->natk; k++)
		for (i = 0; i < g->atk[k].nsrc; i++)
			if (!g->atk[k].src[i].v6 &&
			        (ip & ~g->atk[k].src[i].mask) == g->atk[k].src[i].base)
				return true;
	return false;
}

bool
gen_attack_source6(const struct gen *g, const uint8_t ip[16])
{
	unsigned k, i;

	for (k = 0; k < g->natk; k++)
		for (i = 0; i < g->atk[k].nsrc; i++)
			if (g->atk[k].src[i].v6 && in_prefix6(&g->atk[k].src[i], ip))
				return true;
	return false;
}

/* Write @p s as a whole frame into @p m. */
static int
emit(struct gen_worker *w, struct rte_mbuf *m, const struct gen_seg *s)
{
	uint8_t *buf = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)GEN_FRAME_MAX);
	size_t len;

	if (buf == NULL)
		return -1;
	len = gen_frame_tcp(buf, GEN_FRAME_MAX, w->mac, w->g->a->port.mac, s);
	if (len == 0)
		return -1;
	return rte_pktmbuf_trim(m, (uint16_t)(GEN_FRAME_MAX - len));
}

/* seq=plausible: the 4-tuple of one of this engine's legitimate connections, if any
 * (4 random slots tried). */
static bool
live_tuple(struct gen_worker *w, uint64_t r, struct tern_addr *la, uint16_t *lport)
{
	unsigned tries;

	if (w->slots == NULL || w->concurrency == 0)
		return false;
	for (tries = 0; tries < 4; tries++, r >>= 16) {
		const struct gen_conn *s = &w->slots[(r & 0xffff) % w->concurrency];
		if (s->c != NULL) { /* any state: SYN_SENT to TIME_WAIT-bound */
			tern_conn_local(s->c, la, lport);
			return true;
		}
	}
	return false;
}

static enum gen_os
pick_os(const struct gen_attack *at, uint64_t r)
{
	unsigned pct = (unsigned)(r % 100), acc = 0, k;

	for (k = 0; k < GEN_OS_MAX; k++) {
		acc += at->mix[k];
		if (pct < acc)
			return (enum gen_os)k;
	}
	return GEN_OS_LINUX;
}

static int
build(struct gen_worker *w, const struct gen_attack *at, struct gen_stream *st, struct rte_mbuf *m)
{
	static const uint8_t mss_opt[4] = {TCPOPT_MSS, 4, 1460 >> 8, 1460 & 0xff};
	struct gen *g = w->g;
	uint64_t r1 = rte_rand(), r2 = rte_rand();
	uint32_t span = (uint32_t)at->sport_hi - at->sport_lo + 1;
	uint8_t opt[GEN_SYNOPT_MAX];
	struct gen_seg s = {
	        .v6 = g->v6,
	        .dst = g->dst,
	        .dport = g->dport,
	        .seq = (uint32_t)(r2 >> 32),
	        .ack = (uint32_t)r1,
	        .win = 64240,
	        .ttl = 64,
	};
	struct tern_addr la;

	if (g->v6)
		memcpy(s.dst6, g->dst6, 16);
	if (at->plausible && live_tuple(w, r1 >> 32, &la, &s.sport)) {
		s.src = la.v4;
		if (g->v6)
			memcpy(s.src6, la.v6, 16);
		s.win = 502;
		st->live++;
	} else if (at->plausible) {
		/* No connection at hand: a tuple one could be using, our address and a port of
		 * the ephemeral range. */
		uint16_t lo = g->a->o.port_lo ? g->a->o.port_lo : 32768;
		uint16_t hi = g->a->o.port_hi ? g->a->o.port_hi : 60999;
		s.src = g->a->o.ip;
		if (g->v6)
			memcpy(s.src6, g->a->o.ip6, 16);
		s.sport = (uint16_t)(lo + (uint32_t)(r2 >> 16) % ((uint32_t)hi - lo + 1));
	} else if (g->v6) {
		pick_src6(g, at, r1, s.src6);
		s.sport = (uint16_t)(at->sport_lo + (uint32_t)(r2 >> 16) % span);
	} else {
		s.src = pick_src(g, at, r1);
		s.sport = (uint16_t)(at->sport_lo + (uint32_t)(r2 >> 16) % span);
	}
	if (at->kind == GEN_ATK_SYN || at->kind == GEN_ATK_SYNREAL)
		s.seq = gen_attack_isn(g, g->v6 ? gen_src_key6(s.src6) : s.src, s.sport);
	switch (at->kind) {
	case GEN_ATK_SYN:
		s.flags = RTE_TCP_SYN_FLAG;
		s.ack = 0;
		s.opt = mss_opt;
		s.optlen = sizeof(mss_opt);
		break;
	case GEN_ATK_SYNREAL: {
		enum gen_os os = pick_os(at, r2);
		const struct gen_syn_profile *p = gen_syn_profile(os);
		s.flags = RTE_TCP_SYN_FLAG;
		s.ack = 0;
		s.win = p->win;
		s.ttl = p->ttl;
		/* TSval random, its low six bits what a cookie would encode; TSecr 0 */
		s.optlen = (uint8_t)gen_syn_options(os, (uint32_t)r1, opt);
		s.opt = opt;
		st->os[os]++;
		break;
	}
	case GEN_ATK_ACK:
		s.flags = RTE_TCP_ACK_FLAG;
		break;
	case GEN_ATK_RST:
		s.flags = RTE_TCP_RST_FLAG;
		s.ack = 0;
		s.win = 0;
		break;
	case GEN_ATK_SYNACK:
		s.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		s.opt = mss_opt;
		s.optlen = sizeof(mss_opt);
		break;
	default:
		return -1;
	}
	return emit(w, m, &s);
}

/* One stream on this engine: send what its bucket allows. */
static void
stream_tick(struct gen_worker *w, const struct gen_attack *at, struct gen_stream *st, uint64_t now)
{
	struct rte_mbuf *m[ATK_BURST];
	uint64_t left = st->budget - st->sent;
	unsigned n, i;

	if (at->ramp && w->t_end > w->t0) /* ramp: the rate grows from 0 to RATE */
		st->b.rate_per_tsc = st->b.rate / (double)w->g->hz * (double)(now - w->t0) /
		                     (double)(w->t_end - w->t0);
	n = gen_bucket_take(&st->b, now, left < ATK_BURST ? (unsigned)left : ATK_BURST);
	if (n == 0)
		return;
	if (rte_pktmbuf_alloc_bulk(w->g->a->port.pool, m, n) != 0) {
		st->no_mbuf += n;
		gen_bucket_unused(&st->b, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (build(w, at, st, m[i]) != 0 || tern_engine_send_frame(w->e, m[i]) != 0) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		st->sent++;
	}
}

void
gen_attack_tick(struct gen_worker *w, uint64_t now)
{
	const struct gen *g = w->g;
	unsigned k;

	for (k = 0; k < g->natk; k++)
		if (w->atk[k].budget > w->atk[k].sent)
			stream_tick(w, &g->atk[k], &w->atk[k], now);
}

/* ---- --attack KIND:RATE[,OPT=VAL...] ---- */

/* "X:X::X[/LEN]" into @p p. */
static const char *
parse_prefix6(char *buf, const char *slash, struct gen_prefix *p)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	uint64_t len = 128;
	unsigned i;

	if (slash != NULL && app_parse_u64(slash, 8, 128, &len) != 0)
		return "IPv6 prefix length must be 8..128";
	if (inet_pton(AF_INET6, buf, p->base6) != 1)
		return "not an IPv4 or IPv6 address";
	for (i = 0; i < 16; i++) {
		unsigned bits =
		        i * 8 >= len ? 8 : (i * 8 + 8 <= len ? 0 : 8 - (unsigned)(len - i * 8));
		p->mask6[i] = (uint8_t)((1u << bits) - 1);
		if (p->base6[i] & p->mask6[i])
			return "host bits set";
	}
	if (p->base6[0] == 0xff || memcmp(p->base6, mapped, 12) == 0 ||
	        (len >= 127 && p->base6[0] == 0 && memcmp(p->base6, mapped, 10) == 0))
		return "not a unicast block";
	if (len == 127)
		return "a /127 has no usable source (use /126 or wider, or one address)";
	p->v6 = true;
	p->plen6 = (uint8_t)len;
	return NULL;
}

const char *
gen_prefix_parse(const char *s, struct gen_prefix *p)
{
	char buf[64];
	char *slash;
	uint64_t len = 32;
	uint32_t ip, mask;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		return "expected A.B.C.D/LEN or X:X::X/LEN";
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (strchr(buf, ':') != NULL)
		return parse_prefix6(buf, slash != NULL ? slash + 1 : NULL, p);
	if (slash != NULL && app_parse_u64(slash + 1, 8, 32, &len) != 0)
		return "prefix length must be 8..32";
	if (app_parse_ipv4(buf, &ip) != 0)
		return "not an IPv4 address";
	mask = len == 32 ? 0 : 0xffffffffu >> len;
	if (ip & mask)
		return "host bits set";
	if ((ip >> 28) == 0xe || (ip >> 28) == 0xf || (ip >> 24) == 127 || (ip >> 24) == 0)
		return "not a unicast block";
	if (len == 31)
		return "a /31 has no usable source (use /30 or wider, or one address)";
	p->base = ip;
	p->mask = mask;
	return NULL;
}

/* mix=linux:60+windows:30+mobile:10 */
static const char *
parse_mix(const char *v, struct gen_attack *at)
{
	char buf[96];
	char *tok, *save = NULL;
	unsigned sum = 0, seen = 0, k;

	if (strlen(v) >= sizeof(buf))
		return "mix=: too long";
	snprintf(buf, sizeof(buf), "%s", v);
	memset(at->mix, 0, sizeof(at->mix));
	for (tok = strtok_r(buf, "+", &save); tok != NULL; tok = strtok_r(NULL, "+", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t pct;
		if (colon == NULL)
			return "mix=: expected STACK:PERCENT[+...], stacks linux, windows, mobile";
		*colon = '\0';
		for (k = 0; k < GEN_OS_MAX && strcmp(tok, gen_os_name(k)) != 0; k++)
			;
		if (k == GEN_OS_MAX)
			return "mix=: unknown stack (linux, windows, mobile)";
		if (app_parse_u64(colon + 1, 0, 100, &pct) != 0)
			return "mix=: a share is a percentage, 0..100";
		if (seen & 1u << k)
			return "mix=: a stack given twice";
		seen |= 1u << k;
		at->mix[k] = (uint8_t)pct;
		sum += (unsigned)pct;
	}
	if (sum != 100)
		return "mix=: the shares must add up to 100";
	return NULL;
}

static const char *
parse_opt(struct gen *g, struct gen_attack *at, char *kv)
{
	char *eq = strchr(kv, '=');
	const char *v, *err;
	uint64_t x;

	if (eq == NULL) {
		if (strcmp(kv, "ramp") == 0) {
			at->ramp = true;
			return NULL;
		}
		return "options are NAME=VALUE (src, sport, seq, mix, engines, count) or ramp";
	}
	*eq = '\0';
	v = eq + 1;
	if (strcmp(kv, "src") == 0) {
		char buf[160];
		char *tok, *save = NULL;
		if (strlen(v) >= sizeof(buf))
			return "src=: too long";
		snprintf(buf, sizeof(buf), "%s", v);
		at->nsrc = 0;
		for (tok = strtok_r(buf, "+", &save); tok != NULL;
		        tok = strtok_r(NULL, "+", &save)) {
			if (at->nsrc == GEN_MAX_PREFIXES)
				return "src=: at most " RTE_STR(GEN_MAX_PREFIXES) " blocks";
			err = gen_prefix_parse(tok, &at->src[at->nsrc]);
			if (err != NULL)
				return err;
			at->nsrc++;
		}
		if (at->nsrc == 0)
			return "src=: expected A.B.C.D/LEN[+A.B.C.D/LEN...] (or X:X::X/LEN)";
	} else if (strcmp(kv, "sport") == 0) {
		unsigned lo, hi;
		if (app_parse_range(v, 1, 65535, false, &lo, &hi) != 0)
			return "sport=: expected LO-HI within 1..65535";
		at->sport_lo = (uint16_t)lo;
		at->sport_hi = (uint16_t)hi;
	} else if (strcmp(kv, "seq") == 0) {
		if (at->kind != GEN_ATK_ACK && at->kind != GEN_ATK_RST)
			return "seq= applies to ack and rst only";
		if (strcmp(v, "random") == 0)
			at->plausible = false;
		else if (strcmp(v, "plausible") == 0)
			at->plausible = true;
		else
			return "seq=: expected random or plausible";
	} else if (strcmp(kv, "mix") == 0) {
		if (at->kind != GEN_ATK_SYNREAL)
			return "mix= applies to syn-real only";
		return parse_mix(v, at);
	} else if (strcmp(kv, "engines") == 0) {
		unsigned lo, hi;
		if (app_parse_range(v, 0, RTE_MAX_LCORE - 1, true, &lo, &hi) != 0)
			return "engines=: expected I or I-J (engine indexes, from 0)";
		at->eng_lo = lo;
		at->eng_hi = hi;
	} else if (strcmp(kv, "count") == 0) {
		if (app_parse_u64(v, 1, UINT64_C(1) << 48, &x) != 0)
			return "count=: expected a number >= 1";
		at->count = x;
	} else {
		return "unknown option (src, sport, seq, mix, engines, count, ramp)";
	}
	(void)g;
	return NULL;
}

const char *
gen_attack_parse(struct gen *g, struct gen_attack *at, const char *arg, char *err, size_t errlen)
{
	char buf[sizeof(at->spec)];
	char *colon, *comma, *tok, *save = NULL;
	const char *e;
	uint64_t rate;
	unsigned k;

	memset(at, 0, sizeof(*at));
	if (strlen(arg) >= sizeof(buf))
		return "too long";
	snprintf(at->spec, sizeof(at->spec), "%s", arg);
	snprintf(buf, sizeof(buf), "%s", arg);
	colon = strchr(buf, ':');
	if (colon == NULL)
		return "expected KIND:RATE[,OPT=VALUE...], KIND syn, syn-real, ack, rst or syn-ack";
	*colon = '\0';
	for (k = 0; k < GEN_ATK_MAX && strcmp(buf, kind_names[k]) != 0; k++)
		;
	if (k == GEN_ATK_MAX)
		return "unknown kind (syn, syn-real, ack, rst, syn-ack)";
	at->kind = (enum gen_attack_kind)k;
	comma = strchr(colon + 1, ',');
	if (comma != NULL)
		*comma = '\0';
	if (app_parse_u64(colon + 1, 0, 100000000, &rate) != 0)
		return "RATE: expected a whole number per second, 0..100000000 (0 = as fast as "
		       "possible)";
	at->rate = rate;
	at->count = UINT64_MAX;
	at->sport_lo = g->sport_lo;
	at->sport_hi = g->sport_hi;
	at->eng_lo = 0;
	at->eng_hi = RTE_MAX_LCORE - 1;
	if (at->kind == GEN_ATK_SYNREAL) {
		at->mix[GEN_OS_LINUX] = 60;
		at->mix[GEN_OS_WINDOWS] = 30;
		at->mix[GEN_OS_MOBILE] = 10;
	}
	if (g->src6.v6) { /* --src / --src-range: the default */
		at->src[0] = g->src6;
		at->nsrc = 1;
	} else if (g->src_mask != 0 || g->src_base != 0) {
		at->src[0].base = g->src_base;
		at->src[0].mask = g->src_mask;
		at->nsrc = 1;
	}
	if (comma != NULL)
		for (tok = strtok_r(comma + 1, ",", &save); tok != NULL;
		        tok = strtok_r(NULL, ",", &save)) {
			e = parse_opt(g, at, tok);
			if (e != NULL) {
				snprintf(err, errlen, "%s", e);
				return err;
			}
		}
	if (at->nsrc == 0 && !at->plausible)
		return "no source block: give src=A.B.C.D/LEN[+...] (or --src-range)";
	for (k = 0; k < at->nsrc; k++) {
		const struct gen_prefix *p = &at->src[k];
		if (p->v6 != g->v6)
			return g->v6 ? "src=: an IPv4 block for an IPv6 target (give X:X::X/LEN)"
			             : "src=: an IPv6 block for an IPv4 target (give A.B.C.D/LEN)";
		if (!p->v6 && p->mask == 0 && reserved_src(g, p->base))
			return "src=: a source must differ from tern's and the target's address";
		if (p->v6 && p->plen6 == 128 && reserved_src6(g, p->base6))
			return "src=: a source must differ from tern's and the target's address";
	}
	if (at->plausible && g->v6 && !g->a->o.has_ip6)
		return "seq=plausible over IPv6 needs an IPv6 --ip";
	return NULL;
}

uint32_t
gen_attack_isn(const struct gen *g, uint32_t src, uint16_t sport)
{
	return rte_jhash_3words(src, sport, (uint32_t)(g->syn_key >> 32), (uint32_t)g->syn_key);
}
