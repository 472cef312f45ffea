/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-gen: load generator on tern engines (docs/TERN-GEN.md).
 *
 *   connect   open and close TCP connections: handshake latency, failures by reason
 *   http      one GET per connection (or many with --http-keepalive): status, latency
 *   synflood  SYNs from spoofed sources at a fixed packet rate
 *   --attack  attack streams (attack.c) beside connect or http, or alone; what the target
 *             answers them is counted by an RX tap and judged (verdict.c)
 *
 * Every run is bounded by --duration and/or --count. The engines run on lcores through
 * the shared app runtime (apps/common); the work starts from its per-poll tick. A progress
 * line goes to stderr every --stats-interval; the summary, one JSON object, is the only
 * thing written to stdout (EAL logs go to stderr too).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "gen.h"

#define GEN_DEFAULT_CONCURRENCY 1000
#define GEN_DEFAULT_TIMEOUT_MS  5000
#define GEN_DRAIN_EXTRA_MS      2000
#define GEN_RESOLVE_PER_S       5 /* ARP requests per second while resolving */
#define GEN_RESOLVE_GIVEUP_S    5
/* Tokens banked at most, per stream and engine: a late poll is caught up; a longer stall is
 * lost and shows as a shortfall. Legitimate traffic: 10 ms, no noticeable burst (a burst
 * of connections would overflow a small listen backlog: Python's is 5). Attacks: 50 ms,
 * so that a flood rides out an lcore's stalls on a shared machine (64 frames a poll). */
#define GEN_BANK_MS             10
#define GEN_ATK_BANK_MS         50
/* With --proxy-arp, the engines keep reading this long after the attacks stopped. */
#define GEN_LINGER_MS           1500

static const char *const fail_names[] = {
#define X(e, n, d) #n,
        GEN_FAILS(X)
#undef X
};

const char *
gen_fail_name(enum gen_fail f)
{
	return f < GEN_FAIL_MAX ? fail_names[f] : "?";
}

static const char *
mode_name(enum gen_mode m)
{
	switch (m) {
	case GEN_NONE:
		return "none";
	case GEN_CONNECT:
		return "connect";
	case GEN_HTTP:
		return "http";
	case GEN_SYNFLOOD:
		return "synflood";
	}
	return "?";
}

/* ---- pacing and life cycle (engine lcores) ---- */

void
gen_bucket_init(struct gen_bucket *b, double rate, unsigned bank_ms, uint64_t hz, uint64_t now)
{
	b->rate = rate;
	b->rate_per_tsc = rate / (double)hz;
	/* Up to bank_ms of tokens (at least 8): a late poll is caught up, a longer stall
	 * is lost (and shows as a shortfall). */
	b->burst = rate * bank_ms / 1000 > 8 ? rate * bank_ms / 1000 : 8;
	b->tokens = 0;
	b->last = now;
}

unsigned
gen_bucket_take(struct gen_bucket *b, uint64_t now, unsigned max)
{
	unsigned n;

	if (b->rate <= 0)
		return max;
	b->tokens += (double)(now - b->last) * b->rate_per_tsc;
	b->last = now;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	n = b->tokens < max ? (unsigned)b->tokens : max;
	b->tokens -= n;
	return n;
}

void
gen_bucket_unused(struct gen_bucket *b, unsigned n)
{
	if (b->rate > 0)
		b->tokens += n;
}

unsigned
gen_pace(struct gen_worker *w, uint64_t now, unsigned max)
{
	uint64_t left;

	if (!w->opening)
		return 0;
	left = w->budget - w->c.attempted;
	if (left < max)
		max = (unsigned)left;
	return gen_bucket_take(&w->pace, now, max);
}

void
gen_worker_finish(struct gen_worker *w, uint64_t now)
{
	struct gen *g = w->g;

	if (w->finished)
		return;
	/* --proxy-arp: wait for the target's SYN-ACK retransmissions (the cookie test). */
	if (g->proxy_arp && w->t_stopped != 0 &&
	        now - w->t_stopped < GEN_LINGER_MS * (g->hz / 1000))
		return;
	w->finished = true;
	w->opening = false;
	w->t_finish = now;
	if (w->t_stopped == 0)
		w->t_stopped = now;
	if (__atomic_add_fetch(&g->finished, 1, __ATOMIC_ACQ_REL) == g->nworkers)
		app_request_stop();
}

/*
 * Before the run: the target's (or gateway's) MAC, through the engine's ARP.
 * Over IPv6: through ND, once our address has passed DAD (about a second). The SYN flood
 * needs it to build frames; the other modes wait for it too so that the first handshakes
 * do not measure ARP, and so that a lab still attaching (tap) is not counted as failures.
 * An ARP reply reaches one engine's queue; steering copies it to the others, and the first
 * worker to learn the MAC also shares it at once. @return true once known.
 */
static bool
gen_resolve(struct gen_worker *w, uint64_t now)
{
	struct gen *g = w->g;
	int rc;

	if (__atomic_load_n(&g->target_mac_known, __ATOMIC_ACQUIRE)) {
		memcpy(w->mac, g->target_mac, sizeof(w->mac));
		return true;
	}
	if (g->v6) { /* our IPv6 address is usable once its DAD is over */
		enum tern_ip6_state st = tern_engine_ip6_state(w->e);
		if (st == TERN_IP6_DUPLICATE) {
			if (w->idx == 0) {
				g->error = "our IPv6 address (--ip) is in use on the link (DAD)";
				fprintf(stderr, "tern-gen: %s: %s\n", g->target, g->error);
			}
			gen_worker_finish(w, now);
			return false;
		}
		if (st != TERN_IP6_PREFERRED)
			return false;
	}
	if (now < w->next_resolve)
		return false;
	w->next_resolve = now + g->hz / GEN_RESOLVE_PER_S;
	rc = tern_engine_resolve_addr(w->e, &g->dst_addr, w->mac);
	if (rc == 0) {
		if (!__atomic_load_n(&g->target_mac_known, __ATOMIC_ACQUIRE)) {
			memcpy(g->target_mac, w->mac, sizeof(w->mac));
			__atomic_store_n(&g->target_mac_known, true, __ATOMIC_RELEASE);
		}
		return true;
	}
	if (rc == -ENETUNREACH || now - w->t_resolve0 >= GEN_RESOLVE_GIVEUP_S * g->hz) {
		if (w->idx == 0) {
			g->error = rc == -ENETUNREACH
			                   ? "off-link and no --gw: no route to the target"
			           : g->v6 ? "no Neighbour Advertisement from the target (or its "
			                     "gateway) within " RTE_STR(GEN_RESOLVE_GIVEUP_S) " s"
			                   : "no ARP reply from the target (or its gateway) "
			                     "within " RTE_STR(GEN_RESOLVE_GIVEUP_S) " s";
			fprintf(stderr, "tern-gen: %s: %s\n", g->target, g->error);
		}
		gen_worker_finish(w, now);
	}
	return false;
}

static bool
legit_mode(const struct gen *g)
{
	return g->mode == GEN_CONNECT || g->mode == GEN_HTTP;
}

/* Does worker @p w stop starting new work now? */
static bool
gen_stop_opening(const struct gen_worker *w, uint64_t now)
{
	const struct gen *g = w->g;
	unsigned k;

	if (g->duration_s > 0 && now >= w->t_end)
		return true;
	if (legit_mode(g)) {
		/* The attacks last as long as the legitimate traffic. */
		if (w->legit)
			return w->c.attempted >= w->budget;
		return __atomic_load_n(&g->legit_stopped, __ATOMIC_ACQUIRE) >= g->nlegit;
	}
	for (k = 0; k < g->natk; k++)
		if (w->atk[k].sent < w->atk[k].budget)
			return false;
	return true;
}

static void
gen_tick(struct tern_engine *e, unsigned idx, void *app)
{
	struct gen *g = app;
	struct gen_worker *w = &g->w[idx];
	uint64_t now;
	unsigned k;

	(void)e;
	if (w->finished)
		return;
	now = rte_rdtsc();
	if (!w->started) {
		w->started = true;
		w->t_resolve0 = now;
	}
	if (!w->resolved) {
		if (!gen_resolve(w, now))
			return;
		/* The run starts now: duration and pacing count from here. */
		w->resolved = true;
		w->t0 = now;
		w->t_end = now + (uint64_t)(g->duration_s * (double)g->hz);
		gen_bucket_init(&w->pace, w->rate, GEN_BANK_MS, g->hz, now);
		for (k = 0; k < g->natk; k++)
			gen_bucket_init(
			        &w->atk[k].b, w->atk[k].b.rate, GEN_ATK_BANK_MS, g->hz, now);
		w->opening = true;
	}
	if (w->opening && gen_stop_opening(w, now)) {
		w->opening = false;
		w->t_stopped = now;
		w->t_drain_end = now + (g->timeout_ms + GEN_DRAIN_EXTRA_MS) * (g->hz / 1000);
		if (w->legit)
			__atomic_add_fetch(&g->legit_stopped, 1, __ATOMIC_ACQ_REL);
	}
	if (w->opening)
		gen_attack_tick(w, now);
	if (w->legit)
		gen_conn_tick(w, now);
	else if (!w->opening)
		gen_worker_finish(w, now);
}

/* Engines [lo, hi] of @p n: how many exist, and @p i's index among them (or -1). */
static unsigned
engine_share(unsigned lo, unsigned hi, unsigned n, unsigned i, int *pos)
{
	unsigned last = hi < n ? hi : n - 1;

	*pos = i >= lo && i <= last ? (int)(i - lo) : -1;
	return lo < n ? last - lo + 1 : 0;
}

/* @p total split over @p n parts: part @p i's share (UINT64_MAX stays unlimited). */
static uint64_t
split(uint64_t total, unsigned n, unsigned i)
{
	if (total == UINT64_MAX)
		return UINT64_MAX;
	return total / n + (i < total % n);
}

static int
gen_setup(struct tern_engine *e, void *app)
{
	struct gen *g = app;
	unsigned i = tern_engine_id(e), n, k;
	struct gen_worker *w;
	int pos;
	uint32_t j;

	if (g->w == NULL) {
		g->nworkers = g->a->nengines;
		g->w = rte_zmalloc(
		        "tern_gen_workers", sizeof(*g->w) * g->nworkers, RTE_CACHE_LINE_SIZE);
		if (g->w == NULL)
			return -ENOMEM;
	}
	n = g->nworkers;
	w = &g->w[i];
	w->g = g;
	w->idx = i;
	w->e = e;
	hist_init(&w->connect_lat);
	hist_init(&w->resp_lat);
	TAILQ_INIT(&w->free);
	TAILQ_INIT(&w->active);
	TAILQ_INIT(&w->idle);
	for (k = 0; k < g->natk; k++) {
		const struct gen_attack *at = &g->atk[k];
		unsigned ne = engine_share(at->eng_lo, at->eng_hi, n, i, &pos);
		if (ne == 0) {
			fprintf(stderr,
			        "tern-gen: --attack %s: engines=%u.. names no engine (%u run)\n",
			        at->spec, at->eng_lo, n);
			return -EINVAL;
		}
		if (pos < 0)
			continue;
		w->atk[k].b.rate = (double)at->rate / ne;
		w->atk[k].budget = split(at->count, ne, (unsigned)pos);
	}
	if (g->natk > 0 && gen_seen_setup(w) != 0)
		return -ENOMEM;
	if (!legit_mode(g))
		return 0;
	g->nlegit = engine_share(g->legit_lo, g->legit_hi, n, i, &pos);
	if (g->nlegit == 0) {
		fprintf(stderr, "tern-gen: --legit-engines %u-%u names no engine (%u run)\n",
		        g->legit_lo, g->legit_hi, n);
		return -EINVAL;
	}
	if (pos < 0)
		return 0;
	w->legit = true;
	w->budget = g->count ? split(g->count, g->nlegit, (unsigned)pos) : UINT64_MAX;
	w->concurrency = (uint32_t)split(g->concurrency, g->nlegit, (unsigned)pos);
	if (w->concurrency == 0)
		w->concurrency = 1;
	w->rate = (double)g->rate / g->nlegit;
	w->slots = rte_zmalloc("tern_gen_slots", sizeof(*w->slots) * w->concurrency, 0);
	if (w->slots == NULL)
		return -ENOMEM;
	if (g->mode == GEN_HTTP) {
		w->resps = rte_zmalloc("tern_gen_http", sizeof(*w->resps) * w->concurrency, 0);
		if (w->resps == NULL)
			return -ENOMEM;
	}
	for (j = 0; j < w->concurrency; j++) {
		w->slots[j].resp = w->resps != NULL ? &w->resps[j] : NULL;
		w->slots[j].where = GC_FREE;
		TAILQ_INSERT_TAIL(&w->free, &w->slots[j], link);
	}
	return 0;
}

void
gen_free(struct gen *g)
{
	unsigned i;

	if (g->w == NULL)
		return;
	for (i = 0; i < g->nworkers; i++) {
		rte_free(g->w[i].slots);
		rte_free(g->w[i].synacks);
		rte_free(g->w[i].resps);
	}
	rte_free(g->w);
	g->w = NULL;
}

/* ---- progress (main lcore) ---- */

static void
sum_counters(const struct gen *g, struct gen_counters *s)
{
	unsigned i, k;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < g->nworkers; i++) {
		const struct gen_counters *c = &g->w[i].c;
		s->attempted += c->attempted;
		s->connects += c->connects;
		s->connected += c->connected;
		s->ok += c->ok;
		s->failed += c->failed;
		for (k = 0; k < GEN_FAIL_MAX; k++)
			s->fail[k] += c->fail[k];
		s->requests += c->requests;
		for (k = 0; k < 6; k++)
			s->status[k] += c->status[k];
		s->rx_bytes += c->rx_bytes;
		s->body_bytes += c->body_bytes;
		s->inflight += c->inflight;
		for (k = 0; k < g->natk; k++) {
			s->sent += g->w[i].atk[k].sent;
			s->no_mbuf += g->w[i].atk[k].no_mbuf;
		}
	}
}

/* Attack stream @p k over all engines. */
static void
sum_stream(const struct gen *g, unsigned k, struct gen_stream *st)
{
	unsigned i, o;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < g->nworkers; i++) {
		const struct gen_stream *x = &g->w[i].atk[k];
		st->sent += x->sent;
		st->no_mbuf += x->no_mbuf;
		for (o = 0; o < GEN_OS_MAX; o++)
			st->os[o] += x->os[o];
		st->live += x->live;
	}
}

/* "20000/s" or "max" */
static const char *
fmt_rate(char *buf, size_t len, uint64_t rate)
{
	if (rate == 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64 "/s", rate);
	return buf;
}

/* Progress: each attack's rate in the last interval next to the rate asked. */
static void
progress_attacks(struct gen *g, double secs)
{
	char b[24];
	unsigned k;

	for (k = 0; k < g->natk; k++) {
		struct gen_stream st;
		sum_stream(g, k, &st);
		fprintf(stderr, "%s%s %.0f/s (asked %s)", k ? ", " : " | attack ",
		        gen_attack_name(g->atk[k].kind), (st.sent - g->prev_atk[k]) / secs,
		        fmt_rate(b, sizeof(b), g->atk[k].rate));
		g->prev_atk[k] = st.sent;
	}
}

/* Merge the workers' histograms: @p which 0 = connect, 1 = response. */
static void
sum_hist(const struct gen *g, struct hist *h, int which)
{
	unsigned i;

	hist_init(h);
	for (i = 0; i < g->nworkers; i++)
		hist_merge(h, which == 0 ? &g->w[i].connect_lat : &g->w[i].resp_lat);
}

/* "850us", "12.3ms", "1.20s" */
static const char *
fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 10000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, len, "%.0fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

static void
print_failures(const struct gen_counters *s)
{
	unsigned k;
	bool first = true;

	if (s->failed == 0)
		return;
	fprintf(stderr, " (");
	for (k = 0; k < GEN_FAIL_MAX; k++) {
		if (s->fail[k] == 0)
			continue;
		fprintf(stderr, "%s%s %" PRIu64, first ? "" : ", ", gen_fail_name(k), s->fail[k]);
		first = false;
	}
	fprintf(stderr, ")");
}

static void
gen_progress(struct app *a, double secs, bool final)
{
	struct gen *g = a->app;
	struct gen_counters s;
	struct hist *h = NULL, *iv = NULL;
	char b1[16], b2[16], b3[16];
	unsigned i;

	if (g->w == NULL)
		return;
	if (final) {
		/* Engines stopped polling and still exist: keep their counters. */
		struct tern_gauges eg;
		g->t_final = rte_rdtsc();
		memset(&g->final_stats, 0, sizeof(g->final_stats));
		memset(&g->final_gauges, 0, sizeof(g->final_gauges));
		for (i = 0; i < a->nengines; i++) {
			tern_stats_add(&g->final_stats, tern_engine_stats(a->engines[i]));
			tern_engine_gauges(a->engines[i], &eg);
			tern_gauges_add(&g->final_gauges, &eg);
		}
		g->interrupted = __atomic_load_n(&g->finished, __ATOMIC_ACQUIRE) < g->nworkers;
		/* The last, partial interval gets its line and --csv row too, so that they add
		 * up to the summary (a run or a stop rarely ends on an interval's edge). */
		if (a->o.stats_interval == 0 || !g->target_mac_known || secs < 0.001)
			return;
	}
	g->elapsed += secs;
	sum_counters(g, &s);
	if (!g->target_mac_known) {
		fprintf(stderr, "tern-gen: %4.0fs resolving %s (%s)\n", g->elapsed, g->target,
		        g->v6 ? "ND" : "ARP");
		return;
	}
	if (!legit_mode(g)) {
		fprintf(stderr, "tern-gen: %4.0fs sent %" PRIu64 " (%.0f pps)", g->elapsed, s.sent,
		        (s.sent - g->prev.sent) / secs);
		if (s.no_mbuf)
			fprintf(stderr, " no_mbuf %" PRIu64, s.no_mbuf);
		if (g->mode == GEN_NONE)
			progress_attacks(g, secs);
		h = calloc(1, sizeof(*h));
		if (h != NULL)
			gen_verdict_progress(g, secs, &s, h);
		free(h);
		fprintf(stderr, "\n");
		g->prev = s;
		return;
	}
	h = malloc(sizeof(*h));
	iv = malloc(sizeof(*iv));
	if (h == NULL || iv == NULL)
		goto out;
	sum_hist(g, h, g->mode == GEN_HTTP ? 1 : 0);
	hist_sub(iv, h, &g->prev_lat);
	if (g->mode == GEN_CONNECT)
		fprintf(stderr,
		        "tern-gen: %4.0fs opened %" PRIu64 " (%.0f/s) ok %" PRIu64
		        " failed %" PRIu64,
		        g->elapsed, s.attempted, (s.attempted - g->prev.attempted) / secs, s.ok,
		        s.failed);
	else
		fprintf(stderr,
		        "tern-gen: %4.0fs requests %" PRIu64 " (%.0f/s) ok %" PRIu64
		        " (2xx %" PRIu64 ") failed %" PRIu64,
		        g->elapsed, s.attempted, (s.attempted - g->prev.attempted) / secs, s.ok,
		        s.status[2], s.failed);
	print_failures(&s);
	fprintf(stderr, " in flight %" PRIu64, s.inflight);
	if (iv->n > 0)
		fprintf(stderr, " | %s p50 %s p99 %s p999 %s",
		        g->mode == GEN_HTTP ? "response" : "connect",
		        fmt_ns(b1, sizeof(b1), hist_quantile(iv, 0.5)),
		        fmt_ns(b2, sizeof(b2), hist_quantile(iv, 0.99)),
		        fmt_ns(b3, sizeof(b3), hist_quantile(iv, 0.999)));
	progress_attacks(g, secs);
	gen_verdict_progress(g, secs, &s, iv);
	fprintf(stderr, "\n");
	g->prev = s;
	g->prev_lat = *h;
out:
	free(h);
	free(iv);
}

/* ---- summary (stdout, one JSON object) ---- */

/* A JSON string value, escaped. */
static void
json_str(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_lat(FILE *f, const char *key, const struct hist *h)
{
	fprintf(f, ",\"%s\":{\"samples\":%" PRIu64, key, h->n);
	if (h->n > 0)
		fprintf(f,
		        ",\"min\":%.1f,\"mean\":%.1f,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
		        "\"p999\":%.1f,\"max\":%.1f",
		        h->min / 1e3, (double)h->sum / (double)h->n / 1e3,
		        hist_quantile(h, 0.5) / 1e3, hist_quantile(h, 0.9) / 1e3,
		        hist_quantile(h, 0.99) / 1e3, hist_quantile(h, 0.999) / 1e3, h->max / 1e3);
	fprintf(f, "}");
}

/*
 * A stream fell short of its rate: under GEN_SHORT_PCT % of what was asked over the open
 * time (the last interval's partial token is far below that even for short runs).
 */
#define GEN_SHORT_PCT 95
static bool
rate_short(uint64_t asked, uint64_t done, double open_s)
{
	return asked > 0 && open_s > 0 && done / open_s < (double)asked * GEN_SHORT_PCT / 100;
}

/* "attacks": each stream's rate asked and achieved; a shortfall is also said on stderr. */
static void
json_attacks(const struct gen *g, FILE *f, double open_s)
{
	unsigned k, o;

	fprintf(f, ",\"attacks\":[");
	for (k = 0; k < g->natk; k++) {
		const struct gen_attack *at = &g->atk[k];
		struct gen_stream st;
		uint64_t asked;
		double pps;
		bool shortfall;

		sum_stream(g, k, &st);
		pps = open_s > 0 ? st.sent / open_s : 0.0;
		asked = at->ramp ? at->rate / 2 : at->rate; /* a ramp averages half its rate */
		shortfall = rate_short(asked, st.sent, open_s) &&
		            (at->count == UINT64_MAX || st.sent < at->count);
		fprintf(f, "%s{\"spec\":", k ? "," : "");
		json_str(f, at->spec);
		fprintf(f,
		        ",\"kind\":\"%s\",\"rate\":%" PRIu64 ",\"ramp\":%s,\"asked\":%" PRIu64
		        ",\"sent\":%" PRIu64 ",\"pps\":%.1f,\"achieved_pct\":%.1f,\"shortfall\":%s"
		        ",\"no_mbuf\":%" PRIu64,
		        gen_attack_name(at->kind), at->rate, at->ramp ? "true" : "false", asked,
		        st.sent, pps, asked ? 100.0 * pps / (double)asked : 100.0,
		        shortfall ? "true" : "false", st.no_mbuf);
		if (at->plausible)
			fprintf(f, ",\"live_tuples\":%" PRIu64, st.live);
		if (at->kind == GEN_ATK_SYNREAL) {
			fprintf(f, ",\"stacks\":{");
			for (o = 0; o < GEN_OS_MAX; o++)
				fprintf(f, "%s\"%s\":%" PRIu64, o ? "," : "", gen_os_name(o),
				        st.os[o]);
			fprintf(f, "}");
		}
		fprintf(f, "}");
		if (shortfall)
			fprintf(stderr,
			        "tern-gen: attack %s: asked %" PRIu64 "/s, achieved %.0f/s "
			        "(%.1f %%): below the rate asked (the generator's limit here, "
			        "or no mbufs: %" PRIu64 ")\n",
			        at->spec, asked, pps, 100.0 * pps / (double)asked, st.no_mbuf);
	}
	fprintf(f, "]");
}

static void
print_summary(struct gen *g)
{
	FILE *f = stdout;
	struct gen_counters s;
	struct hist *h;
	uint64_t t_first = UINT64_MAX, t_stop = 0, t_fin = 0;
	double open_s = 0, elapsed_s = 0;
	const struct tern_stats *ts = &g->final_stats;
	uint64_t drops = 0;
	unsigned i, k;
	bool first;

	sum_counters(g, &s);
	for (i = 0; i < g->nworkers; i++) {
		const struct gen_worker *w = &g->w[i];
		if (w->t0 != 0 && w->t0 < t_first)
			t_first = w->t0;
		if (w->t_stopped > t_stop)
			t_stop = w->t_stopped;
		if (w->t_finish > t_fin)
			t_fin = w->t_finish;
	}
	if (t_first != UINT64_MAX) {
		uint64_t end = g->t_final != 0 ? g->t_final : rte_rdtsc();
		if (t_stop == 0 || t_stop > end)
			t_stop = end;
		if (t_fin == 0 || g->interrupted)
			t_fin = end;
		open_s = (double)(t_stop - t_first) / (double)g->hz;
		elapsed_s = (double)(t_fin - t_first) / (double)g->hz;
	}
	for (k = 0; k < TERN_DROP_MAX; k++)
		drops += ts->drop[k];

	fprintf(f, "{\"app\":\"tern-gen\",\"mode\":\"%s\",\"target\":\"%s\"", mode_name(g->mode),
	        g->target);
	fprintf(f, ",\"rate\":%" PRIu64 ",\"count\":%" PRIu64, g->rate, g->count);
	if (g->duration_s > 0)
		fprintf(f, ",\"duration_s\":%g", g->duration_s);
	else
		fprintf(f, ",\"duration_s\":null");
	fprintf(f, ",\"engines\":%u,\"interrupted\":%s", g->nworkers,
	        g->interrupted ? "true" : "false");
	if (legit_mode(g))
		fprintf(f, ",\"port_range\":\"%u-%u\",\"src_ips\":%u",
		        g->a->o.port_lo ? g->a->o.port_lo : 32768u,
		        g->a->o.port_hi ? g->a->o.port_hi : 60999u, 1u + g->a->o.nsrc_ips);
	if (g->error != NULL) {
		fprintf(f, ",\"error\":");
		json_str(f, g->error);
	} else
		fprintf(f, ",\"error\":null");
	fprintf(f, ",\"elapsed_s\":%.3f,\"open_s\":%.3f", elapsed_s, open_s);
	if (legit_mode(g) && rate_short(g->rate, s.attempted, open_s) && !g->interrupted)
		fprintf(stderr,
		        "tern-gen: %s: asked %" PRIu64 "/s, achieved %.0f/s (%.1f %%): below the "
		        "rate asked (--concurrency %u reached, a slow target, or the generator's "
		        "limit)\n",
		        mode_name(g->mode), g->rate, s.attempted / open_s,
		        100.0 * s.attempted / open_s / (double)g->rate, g->concurrency);

	if (g->mode == GEN_SYNFLOOD) {
		char mac[24];
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", g->target_mac[0],
		        g->target_mac[1], g->target_mac[2], g->target_mac[3], g->target_mac[4],
		        g->target_mac[5]);
		fprintf(f,
		        ",\"src\":\"%s\",\"sport\":\"%u-%u\",\"target_mac\":\"%s\",\"sent\":"
		        "%" PRIu64 ",\"pps\":%.1f,\"no_mbuf\":%" PRIu64,
		        g->src_desc, g->sport_lo, g->sport_hi, g->target_mac_known ? mac : "",
		        s.sent, open_s > 0 ? s.sent / open_s : 0.0, s.no_mbuf);
	} else if (legit_mode(g)) {
		fprintf(f, ",\"concurrency\":%u,\"timeout_ms\":%" PRIu64, g->concurrency,
		        g->timeout_ms);
		if (g->mode == GEN_CONNECT)
			fprintf(f, ",\"close\":\"%s\"", g->close_rst ? "rst" : "fin");
		fprintf(f,
		        ",\"attempted\":%" PRIu64 ",\"connects\":%" PRIu64 ",\"connected\":%" PRIu64
		        ",\"ok\":%" PRIu64 ",\"failed\":%" PRIu64,
		        s.attempted, s.connects, s.connected, s.ok, s.failed);
		fprintf(f, ",\"failures\":{");
		for (k = 0; k < GEN_FAIL_MAX; k++)
			fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", gen_fail_name(k), s.fail[k]);
		fprintf(f, "}");
		fprintf(f, ",\"rate_achieved\":%.1f,\"rate_shortfall\":%s",
		        open_s > 0 ? s.attempted / open_s : 0.0,
		        rate_short(g->rate, s.attempted, open_s) ? "true" : "false");
		h = malloc(sizeof(*h));
		if (h != NULL) {
			sum_hist(g, h, 0);
			json_lat(f, "connect_latency_us", h);
		}
		if (g->mode == GEN_HTTP) {
			uint64_t codes[GEN_STATUS_CODES] = {0};
			fprintf(f, ",\"path\":");
			json_str(f, g->path);
			fprintf(f,
			        ",\"keepalive\":%s,\"requests\":%" PRIu64 ",\"responses\":%" PRIu64
			        ",\"requests_per_s\":%.1f",
			        g->keepalive ? "true" : "false", s.requests, s.ok,
			        elapsed_s > 0 ? s.ok / elapsed_s : 0.0);
			fprintf(f,
			        ",\"status_class\":{\"1xx\":%" PRIu64 ",\"2xx\":%" PRIu64
			        ",\"3xx\":%" PRIu64 ",\"4xx\":%" PRIu64 ",\"5xx\":%" PRIu64
			        ",\"other\":%" PRIu64 "}",
			        s.status[1], s.status[2], s.status[3], s.status[4], s.status[5],
			        s.status[0]);
			for (i = 0; i < g->nworkers; i++)
				for (k = 0; k < GEN_STATUS_CODES; k++)
					codes[k] += g->w[i].status_code[k];
			fprintf(f, ",\"status\":{");
			first = true;
			for (k = 0; k < GEN_STATUS_CODES; k++) {
				if (codes[k] == 0)
					continue;
				fprintf(f, "%s\"%u\":%" PRIu64, first ? "" : ",", k, codes[k]);
				first = false;
			}
			fprintf(f, "},\"rx_bytes\":%" PRIu64 ",\"body_bytes\":%" PRIu64, s.rx_bytes,
			        s.body_bytes);
			if (h != NULL) {
				sum_hist(g, h, 1);
				json_lat(f, "response_latency_us", h);
			}
		}
		free(h);
	}
	json_attacks(g, f, open_s);
	h = malloc(sizeof(*h));
	if (h != NULL) {
		sum_hist(g, h, 0);
		gen_verdict_final(g, f, &s, h, open_s);
		free(h);
	}
	fprintf(f,
	        ",\"tern\":{\"tx_pkts\":%" PRIu64 ",\"rx_pkts\":%" PRIu64
	        ",\"tcp_active_open\":%" PRIu64 ",\"tcp_retrans\":%" PRIu64
	        ",\"tcp_rst_rx\":%" PRIu64 ",\"tcp_rst_tx\":%" PRIu64 ",\"tx_full\":%" PRIu64
	        ",\"no_mbuf\":%" PRIu64 ",\"drops\":%" PRIu64 ",\"time_wait\":%u"
	        ",\"steer_handoff\":%" PRIu64 ",\"steer_arp_shared\":%" PRIu64
	        ",\"steer_ring_full\":%" PRIu64 "}",
	        ts->ctr[TERN_CTR_TX_PKTS], ts->ctr[TERN_CTR_RX_PKTS],
	        ts->ctr[TERN_CTR_TCP_ACTIVE_OPEN], ts->ctr[TERN_CTR_TCP_RETRANS],
	        ts->ctr[TERN_CTR_TCP_RST_RX], ts->ctr[TERN_CTR_TCP_RST_TX],
	        ts->drop[TERN_DROP_TX_FULL], ts->drop[TERN_DROP_NO_MBUF], drops,
	        g->final_gauges.time_wait, ts->ctr[TERN_CTR_STEER_HANDOFF],
	        ts->ctr[TERN_CTR_STEER_ARP_SHARED], ts->drop[TERN_DROP_STEER_RING_FULL]);
	fprintf(f, "}\n");
	fflush(f);
}

/* ---- command line ---- */

static void
usage(void)
{
	printf("Usage: tern-gen [EAL options] -- --ip A.B.C.D/LEN --target IP:PORT\n"
	       "         --mode connect|http|synflood --rate N (--duration S | --count N) "
	       "[options]\n"
	       "       tern-gen [EAL options] -- --ip A.B.C.D/LEN --target IP:PORT --duration S\n"
	       "         --attack KIND:RATE[,OPT...] [--attack ...] [options]   (attacks alone)\n"
	       "Load generator on tern. Progress on stderr every --stats-interval seconds;\n"
	       "summary as one JSON object on stdout (docs/TERN-GEN.md lists its fields).\n\n"
	       "  --target IP:PORT      where to connect or flood (required): A.B.C.D:PORT, or\n"
	       "                        [X:X::X]:PORT over IPv6 (with an IPv6 --ip too)\n"
	       "  --mode MODE           connect: open and close connections; http: GET requests;\n"
	       "                        synflood: SYNs from spoofed sources (required)\n"
	       "  --rate N              connections (connect), requests (http) or SYNs\n"
	       "                        (synflood) per second; 0 = as fast as possible (required)\n"
	       "  --duration S          stop starting new work after S seconds (may be "
	       "fractional)\n"
	       "  --count N             stop after N connections / requests / SYNs\n"
	       "                        (at least one of the two; both: whichever comes first)\n"
	       "  --concurrency N       connections in flight at most (default %u)\n"
	       "  --timeout MS          abort a connection whose handshake, request or close "
	       "takes\n"
	       "                        longer (counted as timeout; default %u)\n"
	       "  --close fin|rst       connect: end each connection with FIN (default; tern then\n"
	       "                        holds TIME_WAIT for 2*--msl) or RST (no TIME_WAIT)\n"
	       "  --path PATH           http: request path (default /)\n"
	       "  --http-keepalive      http: send further requests on the same connections\n"
	       "  --src A.B.C.D         synflood: fixed spoofed source address (X:X::X: IPv6)\n"
	       "  --src-range A.B.C.D/LEN  synflood: random sources in this block (its first and\n"
	       "                        last address, tern's and the target's excluded;\n"
	       "                        X:X::X/LEN for an IPv6 target)\n"
	       "  --sport LO-HI         synflood: source port range (default 1024-65535)\n"
	       "  --attack KIND:RATE[,OPT=VALUE...]  an attack stream (repeatable, up to %u)\n"
	       "                        beside --mode connect|http, or alone (then --duration);\n"
	       "                        KIND syn, syn-real, ack, rst, syn-ack; RATE per second\n"
	       "                        (0 = max); OPT src=BLOCK[+...] (A.B.C.D/LEN or\n"
	       "                        X:X::X/LEN; default --src,\n"
	       "                        --src-range), sport=LO-HI, seq=random|plausible (ack,\n"
	       "                        rst: plausible = the clients' live 4-tuples),\n"
	       "                        mix=linux:P+windows:P+mobile:P (syn-real), engines=I[-J],\n"
	       "                        count=N, ramp (0 to RATE over --duration)\n"
	       "  --legit-engines I[-J] connect/http: the engines of the legitimate traffic\n"
	       "  --proxy-arp           answer ARP/NS for the attack sources (the target's\n"
	       "                        SYN-ACKs and RSTs come back and are counted in the\n"
	       "                        verdict)\n"
	       "  --csv FILE            a row per --stats-interval: goodput, latency, attack "
	       "rate,\n"
	       "                        SYN-ACKs, cookies, RSTs (apps/tern-gen/plot.sh draws "
	       "it)\n\n"
	       "Active opens use ephemeral ports 32768-60999 (--port-range; shared out between\n"
	       "the engines) and hold TIME_WAIT for 2*MSL: for long runs above ~450\n"
	       "connections/s lower --msl, use --close rst, or add --src-ip addresses.\n\n"
	       "%s",
	        GEN_DEFAULT_CONCURRENCY, GEN_DEFAULT_TIMEOUT_MS, GEN_MAX_ATTACKS, app_common_usage);
}

static void
parse_target(struct app *a, struct gen *g, const char *arg)
{
	static const char want[] = "expected A.B.C.D:PORT or [X:X::X]:PORT";
	char buf[64];
	char *colon, *host = buf;
	uint64_t port;

	if (strlen(arg) >= sizeof(buf))
		app_usage_error(a, "--target '%s': %s", arg, want);
	snprintf(buf, sizeof(buf), "%s", arg);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		app_usage_error(a, "--target '%s': %s", arg, want);
	*colon = '\0';
	if (buf[0] == '[') {
		size_t n = strlen(buf);
		if (n < 3 || buf[n - 1] != ']')
			app_usage_error(a, "--target '%s': %s", arg, want);
		buf[n - 1] = '\0';
		host = buf + 1;
		if (inet_pton(AF_INET6, host, g->dst6) != 1)
			app_usage_error(a, "--target '%s': '%s' is not an IPv6 address", arg, host);
		if (g->dst6[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED((struct in6_addr *)g->dst6) ||
		        IN6_IS_ADDR_LOOPBACK((struct in6_addr *)g->dst6) ||
		        IN6_IS_ADDR_V4MAPPED((struct in6_addr *)g->dst6))
			app_usage_error(a, "--target '%s': not a unicast address", arg);
		g->v6 = true;
		g->dst = 0;
		g->dst_addr.family = TERN_AF_INET6;
		memcpy(g->dst_addr.v6, g->dst6, 16);
	} else {
		if (strchr(host, ':') != NULL)
			app_usage_error(a,
			        "--target '%s': an IPv6 target goes in brackets, [X:X::X]:PORT",
			        arg);
		if (app_parse_ipv4(host, &g->dst) != 0)
			app_usage_error(a, "--target '%s': '%s' is not an IPv4 address", arg, host);
		if (g->dst == 0 || g->dst == 0xffffffffu || (g->dst >> 28) == 0xe ||
		        (g->dst >> 24) == 127)
			app_usage_error(a, "--target '%s': not a unicast address", arg);
		g->v6 = false;
		memset(g->dst6, 0, sizeof(g->dst6));
		g->dst_addr.family = TERN_AF_INET;
		g->dst_addr.v4 = g->dst;
	}
	if (app_parse_u64(colon + 1, 1, 65535, &port) != 0)
		app_usage_error(a, "--target '%s': port must be 1..65535", arg);
	g->dport = (uint16_t)port;
	snprintf(g->target, sizeof(g->target), g->v6 ? "[%s]:%u" : "%s:%u", host, g->dport);
}

static void
parse_src_range(struct app *a, struct gen *g, const char *arg)
{
	char buf[32];
	char *slash;
	uint64_t len;
	uint32_t ip, mask;

	if (strchr(arg, ':') != NULL) { /* IPv6 */
		const char *e = gen_prefix_parse(arg, &g->src6);
		if (e == NULL && strchr(arg, '/') == NULL)
			e = "expected X:X::X/LEN";
		if (e == NULL && g->src6.plen6 > 126)
			e = "IPv6 prefix length must be 8..126";
		if (e != NULL)
			app_usage_error(a, "--src-range '%s': %s", arg, e);
		snprintf(g->src_desc, sizeof(g->src_desc), "%s", arg);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash == NULL)
		app_usage_error(a, "--src-range '%s': expected A.B.C.D/LEN", arg);
	*slash = '\0';
	if (app_parse_ipv4(buf, &ip) != 0)
		app_usage_error(a, "--src-range '%s': '%s' is not an IPv4 address", arg, buf);
	if (app_parse_u64(slash + 1, 8, 30, &len) != 0)
		app_usage_error(a, "--src-range '%s': prefix length must be 8..30", arg);
	mask = 0xffffffffu >> len;
	if (ip & mask)
		app_usage_error(a, "--src-range '%s': host bits set (did you mean %u.%u.%u.%u/%u?)",
		        arg, (ip & ~mask) >> 24, (ip & ~mask) >> 16 & 0xff,
		        (ip & ~mask) >> 8 & 0xff, ip & ~mask & 0xff, (unsigned)len);
	if ((ip >> 28) == 0xe || (ip >> 28) == 0xf || (ip >> 24) == 127 || (ip >> 24) == 0)
		app_usage_error(a, "--src-range '%s': not a unicast block", arg);
	g->src_base = ip;
	g->src_mask = mask;
	snprintf(g->src_desc, sizeof(g->src_desc), "%s/%u", buf, (unsigned)len);
}

/* --path goes into the request line as it is: no blank, no control byte. */
static bool
path_chars_ok(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f)
			return false;
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {APP_COMMON_OPTS,
	        {"target", required_argument, 0, 't'}, {"mode", required_argument, 0, 'm'},
	        {"rate", required_argument, 0, 'r'}, {"duration", required_argument, 0, 'd'},
	        {"count", required_argument, 0, 'n'}, {"concurrency", required_argument, 0, 'c'},
	        {"timeout", required_argument, 0, 'T'}, {"close", required_argument, 0, 'C'},
	        {"path", required_argument, 0, 'p'}, {"http-keepalive", no_argument, 0, 'K'},
	        {"src", required_argument, 0, 's'}, {"src-range", required_argument, 0, 'S'},
	        {"sport", required_argument, 0, 'P'}, {"attack", required_argument, 0, 'A'},
	        {"legit-engines", required_argument, 0, 'L'}, {"proxy-arp", no_argument, 0, 'R'},
	        {"csv", required_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *atk_args[GEN_MAX_ATTACKS];
	unsigned natk_args = 0, k, neng;
	char err[160];
	struct gen g;
	struct app a = {.name = "tern-gen", .cb = &gen_callbacks, .setup = gen_setup};
	bool rate_given = false, conc_given = false, src_given = false, http_opt = false;
	bool connect_opt = false, mode_given = false, legit_given = false, count_given = false;
	char ready[512];
	char *end;
	uint64_t v;
	int opt, rc;

	memset(&g, 0, sizeof(g));
	g.a = &a;
	g.concurrency = GEN_DEFAULT_CONCURRENCY;
	g.timeout_ms = GEN_DEFAULT_TIMEOUT_MS;
	g.path = "/";
	g.sport_lo = 1024;
	g.sport_hi = 65535;
	a.app = &g;
	a.tick = gen_tick;
	/* Pacing reads the TSC in the tick: a sleeping engine would send late, in bursts. */
	a.busy_by_default = true;
	/* A stop (SIGINT/SIGTERM, or the drain's end) resets what is still open: the target
	 * would otherwise hold those connections for a host that no longer answers. */
	a.abort_on_stop = true;
	a.progress = gen_progress;
	a.out = stderr;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app_scan_args(&a, argc, argv)) {
		usage();
		return 0;
	}
	rte_openlog_stream(stderr); /* stdout carries only the JSON summary */
	app_eal_init(&a, &argc, &argv);
	while ((opt = app_next_opt(&a, argc, argv, longopts)) != -1) {
		switch (opt) {
		case 't':
			parse_target(&a, &g, optarg);
			break;
		case 'm':
			mode_given = true;
			if (strcmp(optarg, "connect") == 0)
				g.mode = GEN_CONNECT;
			else if (strcmp(optarg, "http") == 0)
				g.mode = GEN_HTTP;
			else if (strcmp(optarg, "synflood") == 0)
				g.mode = GEN_SYNFLOOD;
			else
				app_usage_error(&a,
				        "--mode '%s': expected connect, http or synflood", optarg);
			break;
		case 'r':
			if (app_parse_u64(optarg, 0, 100000000, &v) != 0)
				app_usage_error(&a,
				        "--rate '%s': expected a whole number per second, "
				        "0..100000000 "
				        "(0 = as fast as possible)",
				        optarg);
			g.rate = v;
			rate_given = true;
			break;
		case 'd':
			errno = 0;
			g.duration_s = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			        !(g.duration_s >= 0.001) || g.duration_s > 86400 * 7)
				app_usage_error(&a,
				        "--duration '%s': expected seconds, 0.001..604800", optarg);
			break;
		case 'n':
			if (app_parse_u64(optarg, 1, UINT64_C(1) << 48, &v) != 0)
				app_usage_error(&a, "--count '%s': expected a number >= 1", optarg);
			g.count = v;
			count_given = true;
			break;
		case 'c':
			if (app_parse_u64(optarg, 1, 16u << 20, &v) != 0)
				app_usage_error(
				        &a, "--concurrency '%s': expected 1..16777216", optarg);
			g.concurrency = (uint32_t)v;
			conc_given = true;
			break;
		case 'T':
			if (app_parse_u64(optarg, 1, 3600000, &v) != 0)
				app_usage_error(&a,
				        "--timeout '%s': expected milliseconds, 1..3600000",
				        optarg);
			g.timeout_ms = v;
			break;
		case 'C':
			if (strcmp(optarg, "fin") == 0)
				g.close_rst = false;
			else if (strcmp(optarg, "rst") == 0)
				g.close_rst = true;
			else
				app_usage_error(&a, "--close '%s': expected fin or rst", optarg);
			connect_opt = true;
			break;
		case 'p':
			if (optarg[0] != '/' || strlen(optarg) > 512 || !path_chars_ok(optarg))
				app_usage_error(&a,
				        "--path '%s': expected an absolute path without blanks "
				        "or control bytes (at most 512 bytes)",
				        optarg);
			g.path = optarg;
			http_opt = true;
			break;
		case 'K':
			g.keepalive = true;
			http_opt = true;
			break;
		case 's':
			if (strchr(optarg, ':') != NULL) {
				if (gen_prefix_parse(optarg, &g.src6) != NULL ||
				        strchr(optarg, '/') != NULL)
					app_usage_error(&a,
					        "--src '%s': expected a unicast IPv6 address",
					        optarg);
				if (src_given)
					app_usage_error(
					        &a, "--src and --src-range exclude each other");
				snprintf(g.src_desc, sizeof(g.src_desc), "%s", optarg);
				src_given = true;
				break;
			}
			if (app_parse_ipv4(optarg, &g.src_base) != 0 || g.src_base == 0 ||
			        (g.src_base >> 28) >= 0xe || (g.src_base >> 24) == 127)
				app_usage_error(
				        &a, "--src '%s': expected a unicast IPv4 address", optarg);
			if (src_given)
				app_usage_error(&a, "--src and --src-range exclude each other");
			g.src_mask = 0;
			snprintf(g.src_desc, sizeof(g.src_desc), "%s", optarg);
			src_given = true;
			break;
		case 'S':
			if (src_given)
				app_usage_error(&a, "--src and --src-range exclude each other");
			parse_src_range(&a, &g, optarg);
			src_given = true;
			break;
		case 'P': {
			unsigned lo, hi;
			if (app_parse_range(optarg, 1, 65535, false, &lo, &hi) != 0)
				app_usage_error(
				        &a, "--sport '%s': expected LO-HI within 1..65535", optarg);
			g.sport_lo = (uint16_t)lo;
			g.sport_hi = (uint16_t)hi;
			break;
		}
		case 'A':
			if (natk_args == GEN_MAX_ATTACKS)
				app_usage_error(
				        &a, "--attack: at most %u streams", GEN_MAX_ATTACKS);
			atk_args[natk_args++] = optarg;
			break;
		case 'R':
			g.proxy_arp = true;
			break;
		case 'V':
			g.csv_path = optarg;
			break;
		case 'L': {
			unsigned lo, hi;
			if (app_parse_range(optarg, 0, RTE_MAX_LCORE - 1, true, &lo, &hi) != 0)
				app_usage_error(&a,
				        "--legit-engines '%s': expected I or I-J (engine indexes, "
				        "from 0)",
				        optarg);
			g.legit_lo = lo;
			g.legit_hi = hi;
			legit_given = true;
			break;
		}
		case 'h':
			usage();
			return 0;
		default:
			app_usage_error(&a, "unexpected option");
		}
	}
	app_no_leftover(&a, argc, argv);
	if (!mode_given && natk_args == 0)
		app_usage_error(&a, "--mode connect|http|synflood is required (or --attack alone)");
	if (g.dport == 0)
		app_usage_error(&a, "--target IP:PORT is required");
	if (g.mode == GEN_SYNFLOOD && natk_args > 0)
		app_usage_error(&a, "--attack goes with --mode connect or http (or no --mode): "
		                    "--mode synflood is one syn stream, --attack syn:RATE its "
		                    "mixed form");
	if (mode_given && !rate_given)
		app_usage_error(&a, "--rate N is required (per second; 0 = as fast as possible)");
	if (!mode_given && (rate_given || count_given))
		app_usage_error(&a, "--rate and --count are the legitimate traffic's (--mode "
		                    "connect|http); an attack takes KIND:RATE[,count=N]");
	if (!legit_mode(&g) && legit_given)
		app_usage_error(&a, "--legit-engines needs --mode connect or http");
	if (!legit_given)
		g.legit_hi = RTE_MAX_LCORE - 1;
	if (g.proxy_arp && natk_args == 0 && g.mode != GEN_SYNFLOOD)
		app_usage_error(&a, "--proxy-arp answers for the attack sources: it needs --attack "
		                    "or --mode synflood");
	if (g.csv_path != NULL && a.o.stats_interval == 0)
		app_usage_error(&a, "--csv writes a row every --stats-interval: it cannot be 0");
	g.hz = rte_get_tsc_hz();
	for (k = 0; k < natk_args; k++) {
		const char *e = gen_attack_parse(&g, &g.atk[k], atk_args[k], err, sizeof(err));
		if (e != NULL)
			app_usage_error(&a, "--attack '%s': %s", atk_args[k], e);
		if (g.atk[k].ramp && g.duration_s == 0)
			app_usage_error(&a,
			        "--attack '%s': ramp grows the rate over --duration: give one",
			        atk_args[k]);
		if (g.atk[k].plausible && !legit_mode(&g))
			app_usage_error(&a,
			        "--attack '%s': seq=plausible takes the 4-tuples of the "
			        "legitimate connections: it needs --mode connect or http",
			        atk_args[k]);
	}
	g.natk = natk_args;
	/* Engines: one per worker lcore, or the main lcore alone (apps/common). */
	neng = rte_lcore_count() > 1 ? rte_lcore_count() - 1 : 1;
	for (k = 0; k < g.natk; k++)
		if (g.atk[k].eng_lo >= neng)
			app_usage_error(&a,
			        "--attack '%s': engines=%u: %u engine%s in this run (-l)",
			        atk_args[k], g.atk[k].eng_lo, neng, neng > 1 ? "s" : "");
	if (legit_given && g.legit_lo >= neng)
		app_usage_error(&a, "--legit-engines %u: %u engine%s in this run (-l)", g.legit_lo,
		        neng, neng > 1 ? "s" : "");
	if (legit_mode(&g)) { /* --concurrency is split over them: each needs one at least */
		unsigned hi = g.legit_hi < neng ? g.legit_hi : neng - 1;
		unsigned nl = hi - g.legit_lo + 1;
		if (g.concurrency < nl)
			app_usage_error(&a,
			        "--concurrency %u is below the %u engines of the legitimate "
			        "traffic (each has a share of it, at least one connection)",
			        g.concurrency, nl);
	}
	if (g.duration_s == 0 && g.count == 0) {
		bool all_counted = g.natk > 0;
		for (k = 0; k < g.natk; k++)
			all_counted = all_counted && g.atk[k].count != UINT64_MAX;
		if (legit_mode(&g) || g.mode == GEN_SYNFLOOD || !all_counted)
			app_usage_error(&a, "--duration S or --count N is required (tern-gen never "
			                    "runs unbounded); attacks alone: --duration, or "
			                    "count= on every --attack");
	}
	if (!g.v6 && a.o.ip != 0 && g.dst == a.o.ip)
		app_usage_error(&a, "--target is tern's own address (--ip)");
	if (g.v6 && !a.o.has_ip6)
		app_usage_error(&a,
		        "--target %s is IPv6: give tern an IPv6 address too (--ip "
		        "X:X::X/LEN)",
		        g.target);
	if (g.v6 && memcmp(g.dst6, a.o.ip6, 16) == 0)
		app_usage_error(&a, "--target is tern's own address (--ip)");
	if (!g.v6 && a.o.has_ip6 && !a.o.has_ip4)
		app_usage_error(&a,
		        "--target %s is IPv4: give tern an IPv4 address too (--ip "
		        "A.B.C.D/LEN)",
		        g.target);
	if (src_given && g.src6.v6 != g.v6)
		app_usage_error(&a, "--src/--src-range '%s' is %s, the target %s", g.src_desc,
		        g.src6.v6 ? "IPv6" : "IPv4", g.v6 ? "IPv6" : "IPv4");
	if (g.mode == GEN_SYNFLOOD) {
		if (!src_given)
			app_usage_error(&a, "--mode synflood needs --src A.B.C.D or --src-range "
			                    "A.B.C.D/LEN (the spoofed sources)");
		if (conc_given || http_opt || connect_opt)
			app_usage_error(&a,
			        "--concurrency, --close, --path and --http-keepalive do "
			        "not apply to --mode synflood");
		if (g.src6.v6 && g.src6.plen6 == 128 &&
		        (memcmp(g.src6.base6, g.dst6, 16) == 0 ||
		                memcmp(g.src6.base6, a.o.ip6, 16) == 0))
			app_usage_error(
			        &a, "--src must differ from tern's and the target's address");
		if (!g.src6.v6 && g.src_mask == 0 && (g.src_base == a.o.ip || g.src_base == g.dst))
			app_usage_error(
			        &a, "--src must differ from tern's and the target's address");
	} else {
		if (src_given && natk_args == 0)
			app_usage_error(&a, "--src and --src-range apply to --mode synflood only "
			                    "(or to --attack)");
		if (http_opt && g.mode != GEN_HTTP)
			app_usage_error(
			        &a, "--path and --http-keepalive apply to --mode http only");
		if (connect_opt && g.mode != GEN_CONNECT)
			app_usage_error(&a, "--close applies to --mode connect only");
		if (!legit_mode(&g) && (conc_given || http_opt || connect_opt))
			app_usage_error(&a, "--concurrency, --close, --path and --http-keepalive "
			                    "need --mode connect or http");
		if (g.concurrency > (a.o.max_conns ? a.o.max_conns : 65536))
			app_usage_error(&a, "--concurrency %u is above --max-conns (%u)",
			        g.concurrency, a.o.max_conns ? a.o.max_conns : 65536);
	}
	if (g.mode == GEN_HTTP) {
		g.request_len =
		        http_request(g.request, sizeof(g.request), g.target, g.path, g.keepalive);
		if (g.request_len < 0)
			app_usage_error(&a, "--path: request too long");
	}
	if (g.mode == GEN_SYNFLOOD) { /* one syn stream on every engine */
		struct gen_attack *at = &g.atk[0];
		at->kind = GEN_ATK_SYN;
		at->rate = g.rate;
		at->count = g.count ? g.count : UINT64_MAX;
		if (g.src6.v6) {
			at->src[0] = g.src6;
		} else {
			at->src[0].base = g.src_base;
			at->src[0].mask = g.src_mask;
		}
		at->nsrc = 1;
		at->sport_lo = g.sport_lo;
		at->sport_hi = g.sport_hi;
		at->eng_hi = RTE_MAX_LCORE - 1;
		snprintf(at->spec, sizeof(at->spec), "syn:%" PRIu64, g.rate);
		g.natk = 1;
	}

	if (g.count && g.duration_s > 0)
		snprintf(ready, sizeof(ready), "%s %s at %" PRIu64 "/s, %" PRIu64 " or %gs",
		        mode_name(g.mode), g.target, g.rate, g.count, g.duration_s);
	else if (g.count)
		snprintf(ready, sizeof(ready), "%s %s at %" PRIu64 "/s, %" PRIu64,
		        mode_name(g.mode), g.target, g.rate, g.count);
	else if (mode_given)
		snprintf(ready, sizeof(ready), "%s %s at %" PRIu64 "/s for %gs", mode_name(g.mode),
		        g.target, g.rate, g.duration_s);
	else
		snprintf(ready, sizeof(ready), "attacks on %s for %gs", g.target, g.duration_s);
	for (k = 0; natk_args > 0 && k < g.natk; k++) {
		size_t len = strlen(ready);
		snprintf(ready + len, sizeof(ready) - len, "%s%s", k ? ", " : " + attack ",
		        g.atk[k].spec);
	}
	a.ready_msg = ready;
	if (g.natk > 0)
		a.rx_tap = gen_rx_tap;
	if (g.csv_path != NULL) {
		/* writable now; cut only once the run is under way (gen_csv_start()) */
		g.csv = fopen(g.csv_path, "a");
		if (g.csv == NULL)
			app_usage_error(&a, "--csv '%s': %s", g.csv_path, strerror(errno));
	}
	g.syn_key = rte_rand();
	rc = app_run(&a);
	if (rc == 0)
		gen_csv_start(&g);
	if (g.w != NULL) {
		if (rc != 0 && g.error == NULL)
			g.error = "set-up failed (see stderr)";
		print_summary(&g);
		if (rc == 0 && g.error != NULL)
			rc = 1;
	}
	gen_free(&g);
	if (g.csv != NULL)
		fclose(g.csv);
	rte_eal_cleanup();
	return rc;
}
