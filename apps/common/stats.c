/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an app prints about its engines: the ready line, the periodic stats line and the
 * final line (summed over the engines, on the main lcore), and the connections closed by
 * reason. Their format is part of the CLI contract: scripts read these lines.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_mempool.h>

#include "app_int.h"

void
app_print_ready(const struct app *a)
{
	FILE *out = a->out != NULL ? a->out : stdout;
	struct in_addr ia = {.s_addr = htonl(a->o.ip)};
	char v6[2 * INET6_ADDRSTRLEN + 32] = "";
	char poll[48] = "busy";

	if (a->backoff)
		snprintf(poll, sizeof(poll), "backoff, idle sleep <= %u us", a->o.idle_sleep_us);

	if (a->o.has_ip6) {
		char addr[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, a->o.ip6, addr, sizeof(addr));
		snprintf(v6, sizeof(v6), ", ipv6 %s/%u", addr, a->o.prefix6_len);
		if (a->o.has_gw6)
			snprintf(v6 + strlen(v6), sizeof(v6) - strlen(v6), " gw %s",
			        inet_ntop(AF_INET6, a->o.gw6, gw, sizeof(gw)));
	}
	fprintf(out,
	        "%s: ready: %s/%u on %s (%s, mac %02x:%02x:%02x:%02x:%02x:%02x, "
	        "checksum offload tx %s rx %s, zero-copy tx %s, tso %s, poll %s), "
	        "%u engine%s%s%s%s%s%s\n",
	        a->name, inet_ntoa(ia), a->o.prefix_len, a->port.name, a->port.driver,
	        a->port.mac[0], a->port.mac[1], a->port.mac[2], a->port.mac[3], a->port.mac[4],
	        a->port.mac[5], a->port.tx_tcp_csum ? "on" : "off", a->port.rx_csum ? "on" : "off",
	        a->port.tx_multi_seg ? "on" : "off", a->port.tx_tso ? "on" : "off", poll,
	        a->nengines, a->nengines > 1 ? "s" : "", a->nengines > 1 ? ", steering " : "",
	        a->nengines > 1 ? tern_steer_method_name(a->port.steer) : "", v6,
	        a->ready_msg ? ", " : "", a->ready_msg ? a->ready_msg : "");
	if (a->nengines > 1)
		fprintf(out, "%s: steering %s: %s\n", a->name,
		        tern_steer_method_name(a->port.steer), a->port.steer_why);
}

void
app_sum_stats(const struct app *a, struct tern_stats *s, struct tern_gauges *g)
{
	struct tern_gauges eg;
	unsigned i;

	memset(s, 0, sizeof(*s));
	memset(g, 0, sizeof(*g));
	for (i = 0; i < a->nengines; i++) {
		tern_stats_add(s, tern_engine_stats(a->engines[i]));
		tern_engine_gauges(a->engines[i], &eg);
		tern_gauges_add(g, &eg);
	}
}

unsigned
app_mbufs_size(const struct app *a)
{
	return a->port.pool != NULL ? a->port.pool->size : 0;
}

bool
app_mbufs_low(const struct app *a, unsigned free)
{
	return (uint64_t)free * 8 < app_mbufs_size(a);
}

void
app_print_stats(const struct app *a, struct tern_stats *prev, double secs, bool final)
{
	FILE *out = a->out != NULL ? a->out : stdout;
	struct tern_stats s;
	struct tern_gauges g;
	uint64_t drops = 0, top = 0;
	int topk = -1;
	unsigned k;

	if (secs < 1e-3)
		secs = 1e-3;
	app_sum_stats(a, &s, &g);
	for (k = 0; k < TERN_DROP_MAX; k++) {
		drops += s.drop[k];
		if (s.drop[k] - prev->drop[k] > top) {
			top = s.drop[k] - prev->drop[k];
			topk = (int)k;
		}
	}
	fprintf(out,
	        "%s: %s est %u syn_rcvd %u syn_sent %u fin_wait %u/%u closing %u close_wait %u "
	        "last_ack %u time_wait %u | rx %" PRIu64 " pkt (%.0f/s) tx %" PRIu64
	        " pkt (%.0f/s) | accepted %" PRIu64 " rst_tx %" PRIu64 " rtx %" PRIu64
	        " | drops %" PRIu64,
	        a->name, final ? "final:" : "stats:", g.established, g.syn_rcvd, g.syn_sent,
	        g.fin_wait_1, g.fin_wait_2, g.closing, g.close_wait, g.last_ack, g.time_wait,
	        s.ctr[TERN_CTR_RX_PKTS],
	        (s.ctr[TERN_CTR_RX_PKTS] - prev->ctr[TERN_CTR_RX_PKTS]) / secs,
	        s.ctr[TERN_CTR_TX_PKTS],
	        (s.ctr[TERN_CTR_TX_PKTS] - prev->ctr[TERN_CTR_TX_PKTS]) / secs,
	        s.ctr[TERN_CTR_TCP_PASSIVE_OPEN], s.ctr[TERN_CTR_TCP_RST_TX],
	        s.ctr[TERN_CTR_TCP_RETRANS], drops);
	if (topk >= 0)
		fprintf(out, " (most: %s +%" PRIu64 ")", tern_drop_name((enum tern_drop)topk), top);
	if (s.ctr[TERN_CTR_TCP_SYNCOOKIE_SENT] != 0 || s.ctr[TERN_CTR_TCP_SYNCOOKIE_FAILED] != 0)
		fprintf(out,
		        " | cookies sent %" PRIu64 " (%.0f/s) ok %" PRIu64 " failed %" PRIu64
		        " | synq %u",
		        s.ctr[TERN_CTR_TCP_SYNCOOKIE_SENT],
		        (s.ctr[TERN_CTR_TCP_SYNCOOKIE_SENT] -
		                prev->ctr[TERN_CTR_TCP_SYNCOOKIE_SENT]) /
		                secs,
		        s.ctr[TERN_CTR_TCP_SYNCOOKIE_OK], s.ctr[TERN_CTR_TCP_SYNCOOKIE_FAILED],
		        g.syn_queue);
	if (s.ctr[TERN_CTR_TCP_TW_REUSE_ACTIVE] != 0 || s.ctr[TERN_CTR_TCP_TW_REUSE_PASSIVE] != 0 ||
	        s.drop[TERN_DROP_TCP_TW_SYN] != 0 || s.ctr[TERN_CTR_TCP_TW_RECYCLED] != 0)
		fprintf(out,
		        " | tw reuse active %" PRIu64 " passive %" PRIu64 " syn_refused %" PRIu64
		        " recycled %" PRIu64,
		        s.ctr[TERN_CTR_TCP_TW_REUSE_ACTIVE], s.ctr[TERN_CTR_TCP_TW_REUSE_PASSIVE],
		        s.drop[TERN_DROP_TCP_TW_SYN], s.ctr[TERN_CTR_TCP_TW_RECYCLED]);
	if (s.ctr[TERN_CTR_STEER_HANDOFF] != 0 || s.drop[TERN_DROP_STEER_RING_FULL] != 0)
		fprintf(out, " | handoff %" PRIu64 " ring_full %" PRIu64,
		        s.ctr[TERN_CTR_STEER_HANDOFF], s.drop[TERN_DROP_STEER_RING_FULL]);
	if (a->o.has_ip6)
		fprintf(out,
		        " | nd ns rx %" PRIu64 " tx %" PRIu64 " na rx %" PRIu64 " tx %" PRIu64
		        " dad ok %" PRIu64 " failed %" PRIu64 " nd_entries %u echo6 %" PRIu64
		        " | tcp6 open %" PRIu64 " seg rx %" PRIu64 " tx %" PRIu64,
		        s.ctr[TERN_CTR_ND_NS_RX], s.ctr[TERN_CTR_ND_NS_TX],
		        s.ctr[TERN_CTR_ND_NA_RX], s.ctr[TERN_CTR_ND_NA_TX],
		        s.ctr[TERN_CTR_ND_DAD_OK], s.ctr[TERN_CTR_ND_DAD_FAILED], g.nd_entries,
		        s.ctr[TERN_CTR_ICMP6_ECHO], s.ctr[TERN_CTR_TCP6_OPEN],
		        s.ctr[TERN_CTR_TCP6_SEG_RX], s.ctr[TERN_CTR_TCP6_SEG_TX]);
	if (a->stats_extra != NULL)
		a->stats_extra(a, out, secs, final);
	fprintf(out, " | mbufs free %u", g.mbufs_free);
	if (app_mbufs_low(a, g.mbufs_free))
		fprintf(out,
		        " WARNING mbufs low: %.1f%% of %u free, reception stops at none "
		        "(raise --mbufs, or lower --buffer / --rcvbuf / --sndbuf)",
		        100.0 * g.mbufs_free / app_mbufs_size(a), app_mbufs_size(a));
	fputc('\n', out);
	if (final) {
		for (k = 0; k < TERN_DROP_MAX; k++)
			if (s.drop[k])
				fprintf(out, "%s: drop %-22s %12" PRIu64 "  %s\n", a->name,
				        tern_drop_name((enum tern_drop)k), s.drop[k],
				        tern_drop_desc((enum tern_drop)k));
	}
	*prev = s;
}

/* ---- connections closed, by reason ---- */

void
app_closes_count(
        struct app_closes *per_engine, const struct tern_conn *c, enum tern_close_reason why)
{
	unsigned id = tern_engine_id(tern_conn_engine(c));

	if (id < TERN_PORT_MAX_QUEUES && (unsigned)why < TERN_CLOSE_MAX)
		per_engine[id].n[why]++;
}

void
app_closes_print(const char *name, const struct app_closes *per_engine)
{
	static const enum tern_close_reason always[] = {
	        TERN_CLOSE_NORMAL, TERN_CLOSE_RESET, TERN_CLOSE_TIMEOUT, TERN_CLOSE_ABORTED};
	uint64_t sum[TERN_CLOSE_MAX] = {0};
	unsigned i, k;

	for (i = 0; i < TERN_PORT_MAX_QUEUES; i++)
		for (k = 0; k < TERN_CLOSE_MAX; k++)
			sum[k] += per_engine[i].n[k];
	printf("%s: connections closed:", name);
	for (k = 0; k < RTE_DIM(always); k++)
		printf(" %s %" PRIu64, tern_close_reason_name(always[k]), sum[always[k]]);
	for (k = 0; k < TERN_CLOSE_MAX; k++) {
		bool shown = false;
		for (i = 0; i < RTE_DIM(always); i++)
			shown |= always[i] == (enum tern_close_reason)k;
		if (!shown && sum[k] != 0)
			printf(" %s %" PRIu64, tern_close_reason_name((enum tern_close_reason)k),
			        sum[k]);
	}
	printf("\n");
}
