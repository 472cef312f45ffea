/* SPDX-License-Identifier: BSD-3-Clause */
/* tern-proxy's figures: the stats line, the final lines, --metrics (docs/PROXY.md "Stats"). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "proxy.h"

static void
sum_backend(const struct app *a, unsigned k, struct be_state *t)
{
	uint32_t gen = __atomic_load_n(&px->health_up_gen[k], __ATOMIC_RELAXED);
	unsigned i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < a->nengines; i++) {
		const struct be_state *b = &px->eng[i].be[k];
		t->conns += b->conns;
		t->failures += b->failures;
		t->bytes_to += b->bytes_to;
		t->bytes_from += b->bytes_from;
		t->active += b->active;
		/* a passive mark given before a health check brought the backend up is over
		 * (usable() drops it at the engine's next choice, which may be long off) */
		t->down |= b->down && b->hc_gen == gen;
	}
	t->down |= __atomic_load_n(&px->health_down[k], __ATOMIC_RELAXED) != 0;
}

void
stats_extra(const struct app *a, FILE *out, double secs, bool final)
{
	uint64_t clients = 0, rejected = 0, active = 0, cto = 0, ito = 0, pw = 0;
	unsigned i, k;

	(void)secs;
	(void) final;
	for (i = 0; i < a->nengines; i++) {
		clients += px->eng[i].clients;
		rejected += px->eng[i].rejected;
		active += px->eng[i].active;
		cto += px->eng[i].connect_timeouts;
		ito += px->eng[i].idle_timeouts;
		pw += px->eng[i].port_waits;
	}
	fprintf(out,
	        " | clients %" PRIu64 " active %" PRIu64 " rejected %" PRIu64
	        " timeouts connect %" PRIu64 " idle %" PRIu64 " port_waits %" PRIu64,
	        clients, active, rejected, cto, ito, pw);
	if (px->nallow != 0 || px->ndeny != 0 || px->max_per_client != 0) {
		uint64_t acl = 0, lim = 0;

		for (i = 0; i < a->nengines; i++) {
			acl += px->eng[i].refused_acl;
			lim += px->eng[i].refused_limit;
		}
		fprintf(out, " refused acl %" PRIu64 " limit %" PRIu64, acl, lim);
	}
	for (k = 0; k < px->nslots; k++) {
		struct be_state t;
		sum_backend(a, k, &t);
		if (!px->be[k].in_pool && t.active == 0)
			continue; /* removed by a reload, and done */
		fprintf(out, " | %s %s conns %" PRIu64 " active %u fail %" PRIu64, px->be[k].name,
		        !px->be[k].in_pool ? "removed"
		        : t.down           ? "down"
		                           : "up",
		        t.conns, t.active, t.failures);
	}
}

/* --metrics: the figures of the stats line and of each backend (label backend="IP:PORT"). */
void
proxy_metrics(const struct app *a, FILE *out)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} eng_fields[] = {
	        {"tern_proxy_clients_total", "counter", "clients accepted",
	                offsetof(struct eng, clients)},
	        {"tern_proxy_rejected_total", "counter",
	                "clients reset: no backend left to try, or no local port in time",
	                offsetof(struct eng, rejected)},
	        {"tern_proxy_connect_timeouts_total", "counter",
	                "backend connects given up after --connect-timeout (or port waits)",
	                offsetof(struct eng, connect_timeouts)},
	        {"tern_proxy_idle_timeouts_total", "counter",
	                "pairs reset after --idle-timeout without data",
	                offsetof(struct eng, idle_timeouts)},
	        {"tern_proxy_port_waits_total", "counter",
	                "clients that waited for a local port or connection block",
	                offsetof(struct eng, port_waits)},
	        {"tern_proxy_acl_refused_total", "counter",
	                "connections refused by --allow / --deny (RST to the SYN)",
	                offsetof(struct eng, refused_acl)},
	        {"tern_proxy_limit_refused_total", "counter",
	                "connections refused by --max-per-client",
	                offsetof(struct eng, refused_limit)},
	};
	static const struct {
		const char *name, *type, *help;
	} be_fields[] = {
	        {"tern_proxy_backend_up", "gauge", "1 when no engine has the backend marked down"},
	        {"tern_proxy_backend_connections_total", "counter",
	                "backend connections established"},
	        {"tern_proxy_backend_failures_total", "counter",
	                "backend connects refused, timed out or unroutable"},
	        {"tern_proxy_backend_active", "gauge",
	                "open connections to the backend (connecting included)"},
	        {"tern_proxy_backend_sent_bytes_total", "counter",
	                "bytes from clients to the backend"},
	        {"tern_proxy_backend_received_bytes_total", "counter",
	                "bytes from the backend to clients"},
	        {"tern_proxy_backend_in_pool", "gauge",
	                "1 while the backend is in the pool; 0 once a reload removed it"},
	};
	uint64_t active = 0;
	unsigned i, f, k;

	RTE_BUILD_BUG_ON(RTE_DIM(be_fields) != 7); /* the values v[] below */
	for (f = 0; f < RTE_DIM(eng_fields); f++) {
		uint64_t sum = 0;
		for (i = 0; i < a->nengines; i++)
			sum += *(const uint64_t *)((const char *)&px->eng[i] + eng_fields[f].off);
		app_metric_head(out, eng_fields[f].name, eng_fields[f].type, eng_fields[f].help);
		fprintf(out, "%s %" PRIu64 "\n", eng_fields[f].name, sum);
	}
	for (i = 0; i < a->nengines; i++)
		active += px->eng[i].active;
	app_metric_head(out, "tern_proxy_active", "gauge", "client-backend pairs alive");
	fprintf(out, "tern_proxy_active %" PRIu64 "\n", active);
	for (f = 0; f < RTE_DIM(be_fields); f++) {
		app_metric_head(out, be_fields[f].name, be_fields[f].type, be_fields[f].help);
		for (k = 0; k < __atomic_load_n(&px->nslots, __ATOMIC_ACQUIRE); k++) {
			struct be_state t;
			uint64_t v[] = {0, 0, 0, 0, 0, 0, 0};

			sum_backend(a, k, &t);
			v[0] = !t.down;
			v[1] = t.conns;
			v[2] = t.failures;
			v[3] = t.active;
			v[4] = t.bytes_to;
			v[5] = t.bytes_from;
			v[6] = __atomic_load_n(&px->be[k].in_pool, __ATOMIC_RELAXED);
			fprintf(out, "%s{backend=\"%s\"} %" PRIu64 "\n", be_fields[f].name,
			        px->be[k].name, v[f]);
		}
	}
}

void
final_summary(const struct app *a)
{
	unsigned k;

	for (k = 0; k < px->nslots; k++) {
		const struct backend *be = &px->be[k];
		struct be_state t;
		char w[80] = "";
		int n = 0;

		sum_backend(a, k, &t);
		if (be->weight != 1)
			n = snprintf(w, sizeof(w), " weight %u", be->weight);
		if (px->hc.type != HC_NONE)
			snprintf(w + n, sizeof(w) - (size_t)n,
			        " health checks %" PRIu64 " failed %" PRIu64, px->hcs[k].checks,
			        px->hcs[k].failed);
		printf("tern-proxy: backend %s %s: conns %" PRIu64 " failures %" PRIu64
		       " bytes to %" PRIu64 " from %" PRIu64 "%s%s%s\n",
		        be->name,
		        !be->in_pool ? "removed"
		        : t.down     ? "down"
		                     : "up",
		        t.conns, t.failures, t.bytes_to, t.bytes_from, w,
		        be->pp != PP_NONE ? " proxy-protocol " : "",
		        be->pp != PP_NONE ? pp_version_name(be->pp) : "");
	}
}

/* After a drain: what became of the pairs open at the signal. */
void
drain_summary(const struct app *a)
{
	uint64_t open = 0, reset = 0, cut = 0, gone;
	unsigned i;

	for (i = 0; i < a->nengines; i++) {
		open += px->eng[i].drain_open;
		reset += px->eng[i].drain_reset;
		cut += px->eng[i].stop_reset;
	}
	gone = reset + cut;
	printf("tern-proxy: drained: %" PRIu64 " pairs open at the signal, %" PRIu64
	       " finished, %" PRIu64 " reset at --drain-timeout %u s",
	        open, open >= gone ? open - gone : 0, reset, px->drain_timeout_ms / 1000);
	if (cut > 0)
		printf(", %" PRIu64 " reset by a second signal (stop at once)", cut);
	printf("\n");
}
