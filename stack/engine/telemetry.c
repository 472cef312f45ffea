/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /tern/ telemetry commands. DPDK 22.11 telemetry callbacks take no context pointer, so
 * the registered engine array is the one piece of process-wide state in libtern; it is
 * written once, before the commands exist, and only read afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include <tern/stats.h>
#include <tern/telemetry.h>
#include <tern/tern.h>

static struct {
	struct tern_engine *const *engines;
	unsigned n;
} reg;

/* Optional parameter: an engine index. @return first, last+1 of the engines asked. */
static int
engine_range(const char *params, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long id;

	*lo = 0;
	*hi = reg.n;
	if (params == NULL || *params == '\0')
		return 0;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || id >= reg.n)
		return -EINVAL;
	*lo = (unsigned)id;
	*hi = (unsigned)id + 1;
	return 0;
}

/* An engine index that is not one: an answer that says so, not DPDK's bare null (what a
 * callback's error gives). The parameter is not echoed: the reply is JSON as it is. */
static int
bad_engine(struct rte_tel_data *d)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "not an engine index: expected 0..%u (%u engine%s)",
	        reg.n > 0 ? reg.n - 1 : 0, reg.n, reg.n == 1 ? "" : "s");
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tern_stats sum;
	unsigned lo, hi, i, k;

	(void)cmd;
	if (engine_range(params, &lo, &hi) != 0)
		return bad_engine(d);
	memset(&sum, 0, sizeof(sum));
	for (i = lo; i < hi; i++)
		tern_stats_add(&sum, tern_engine_stats(reg.engines[i]));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "engines", hi - lo);
	for (k = 0; k < TERN_CTR_MAX; k++)
		rte_tel_data_add_dict_u64(d, tern_counter_name(k), sum.ctr[k]);
	for (k = 0; k < TERN_DROP_MAX; k++) {
		char name[64];
		snprintf(name, sizeof(name), "drop_%s", tern_drop_name(k));
		rte_tel_data_add_dict_u64(d, name, sum.drop[k]);
	}
	return 0;
}

static int
tel_gauges(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tern_gauges g, sum;
	unsigned lo, hi, i;

	(void)cmd;
	if (engine_range(params, &lo, &hi) != 0)
		return bad_engine(d);
	memset(&sum, 0, sizeof(sum));
	for (i = lo; i < hi; i++) {
		tern_engine_gauges(reg.engines[i], &g);
		tern_gauges_add(&sum, &g);
	}
	rte_tel_data_start_dict(d);
#define X(n, desc) rte_tel_data_add_dict_u64(d, #n, sum.n);
	TERN_GAUGES(X)
#undef X
	rte_tel_data_add_dict_u64(d, "mbufs_free", sum.mbufs_free);
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned i, k;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (k = 0; k < TERN_DROP_MAX; k++) {
		uint64_t v = 0;
		for (i = 0; i < reg.n; i++)
			v += tern_engine_stats(reg.engines[i])->drop[k];
		if (v != 0)
			rte_tel_data_add_dict_u64(d, tern_drop_name(k), v);
	}
	return 0;
}

/* The owner rule in use and the handoff counters, total and per engine. */
static int
tel_steer(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *per;
	uint64_t handoff = 0, enq = 0, recv = 0, full = 0;
	unsigned i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "method",
	        tern_steer_method_name(
	                reg.n > 0 ? tern_engine_steer_method(reg.engines[0]) : TERN_STEER_SINGLE));
	rte_tel_data_add_dict_u64(d, "engines", reg.n);
	per = rte_tel_data_alloc();
	if (per != NULL)
		rte_tel_data_start_array(per, RTE_TEL_U64_VAL);
	for (i = 0; i < reg.n; i++) {
		const struct tern_stats *st = tern_engine_stats(reg.engines[i]);
		handoff += st->ctr[TERN_CTR_STEER_HANDOFF];
		enq += st->ctr[TERN_CTR_STEER_ENQUEUES];
		recv += st->ctr[TERN_CTR_STEER_RECEIVED];
		full += st->drop[TERN_DROP_STEER_RING_FULL];
		if (per != NULL)
			rte_tel_data_add_array_u64(per, st->ctr[TERN_CTR_STEER_HANDOFF]);
	}
	rte_tel_data_add_dict_u64(d, "steer_handoff", handoff);
	rte_tel_data_add_dict_u64(d, "steer_enqueues", enq);
	rte_tel_data_add_dict_u64(d, "steer_received", recv);
	rte_tel_data_add_dict_u64(d, "steer_ring_full", full);
	if (per != NULL)
		rte_tel_data_add_dict_container(d, "handoff_by_engine", per, 0);
	return 0;
}

int
tern_telemetry_register(struct tern_engine *const *engines, unsigned n)
{
	int rc;

	if (reg.engines != NULL)
		return -EALREADY;
	reg.engines = engines;
	reg.n = n;
	rc = rte_telemetry_register_cmd("/tern/stats", tel_stats,
	        "tern counters and drops, summed over engines. Parameter: engine index");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tern/gauges", tel_gauges,
		        "tern connections by state and table sizes. Parameter: engine index");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tern/drops", tel_drops,
		        "tern non-zero drop counters, summed over engines");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tern/steer", tel_steer,
		        "tern steering between engines: owner rule method and handoff counters");
	return rc;
}
