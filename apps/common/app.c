/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared app runtime: options, engines on lcores, stats line, signals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_ring.h>

#include <tern/telemetry.h>

#include "app.h"

/* Frames one engine's ring holds for it (steering between engines, docs/ARCHITECTURE.md). */
#define APP_STEER_RING 4096

/* Set from the signal handler; the only way to reach the engines' loops. */
static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

bool
app_stopping(void)
{
	return stop_flag != 0;
}

void
app_request_stop(void)
{
	stop_flag = 1;
}

const char app_common_usage[] =
        "Common options:\n"
        "  --ip A.B.C.D/LEN      address and prefix of the port (required)\n"
        "  --gw A.B.C.D          default gateway (default: none, on-link only)\n"
        "  --msl MS              maximum segment lifetime; TIME_WAIT lasts 2*MSL (default 30000)\n"
        "  --stats-interval S    print a stats line every S seconds, 0 = never (default 1)\n"
        "  --max-conns N         connection blocks per engine (default 65536)\n"
        "  --mbufs N             mbufs in the pool (default: from queues and descriptors)\n"
        "  --no-offload          compute checksums in software even if the NIC could\n"
        "TCP options (docs/TCP.md):\n"
        "  --cc NAME             congestion control: cubic or newreno (default cubic)\n"
        "  --nodelay             Nagle off for every connection\n"
        "  --no-sack             do not offer SACK\n"
        "  --no-timestamps       do not offer timestamps\n"
        "  --no-wscale           do not offer window scaling\n"
        "  --delack-ms MS        delayed ACK timeout, 0 = ACK every segment (default 40)\n"
        "  --rcvbuf BYTES        receive buffer per connection (default 262144)\n"
        "  --sndbuf BYTES        send buffer per connection (default 262144)\n"
        "  --keepalive I,N,C     keepalive: idle ms, interval ms, probes (default off)\n"
        "  --fin-timeout MS      FIN_WAIT_2 timeout after close (default 60000)\n"
        "  --user-timeout MS     end connections with data unacknowledged this long\n"
        "  --abort-on-overflow   accept queue full: RST the handshake's last ACK (default: drop)\n"
        "SYN flood defence (docs/SYNFLOOD.md):\n"
        "  --syncookies MODE     auto: SYN cookies when the SYN queue is full (default);\n"
        "                        always: for every SYN; off: drop SYNs the queue cannot take\n"
        "  --synq-size N         half-open connections per engine (default 65536)\n"
        "  --syn-retries N       SYN / SYN-ACK retransmissions, 1..10 (default 5)\n"
        "TIME_WAIT (docs/TCP.md):\n"
        "  --tw-reuse on|off     on: a SYN with a newer timestamp reopens a 4-tuple in\n"
        "                        TIME_WAIT (RFC 6191), connect() reuses one held longer than\n"
        "                        --tw-reuse-delay if it used timestamps (default on);\n"
        "                        off: every TIME_WAIT lasts its 2*MSL\n"
        "  --tw-reuse-delay MS   age before connect() may reuse a TIME_WAIT tuple (default 1000)\n"
        "  --rfc1337             ignore RSTs in TIME_WAIT (RFC 1337)\n"
        "  --max-tw N            TIME_WAIT entries per engine; beyond, the oldest is recycled\n"
        "                        (default 262144)\n"
        "Active opens (docs/TCP.md, port allocation):\n"
        "  --port-range LO-HI    ephemeral ports, shared out between the engines\n"
        "                        (default 32768-60999)\n"
        "  --src-ip A.B.C.D[,..] extra local addresses for active opens (up to 8; tern\n"
        "                        answers ARP for them)\n"
        "  --help                this text\n"
        "EAL options go before '--' (e.g. -l 0-1 --vdev net_af_packet0,iface=eth1).\n"
        "Counters: dpdk-telemetry.py -f PREFIX, then /tern/stats, /tern/gauges, /tern/drops.\n";

void
app_opts_defaults(struct app_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->msl_ms = 30000;
	o->stats_interval = 1;
}

void
app_usage_error(const struct app *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", a->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

int
app_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

uint16_t
app_parse_listen(const struct app *a, const char *arg)
{
	uint64_t v;

	if (app_parse_u64(arg, 1, 65535, &v) != 0)
		app_usage_error(a, "--listen '%s': expected a port 1..65535", arg);
	return (uint16_t)v;
}

void
app_no_leftover(const struct app *a, int argc, char **argv)
{
	if (optind < argc)
		app_usage_error(a, "unexpected argument '%s'", argv[optind]);
}

int
app_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

void
app_eal_init(struct app *a, int *argc, char ***argv)
{
	int ret = rte_eal_init(*argc, *argv);

	if (ret < 0) {
		fprintf(stderr,
		        "%s: EAL initialisation failed: %s (check the EAL options "
		        "and --vdev arguments above)\n",
		        a->name, rte_strerror(rte_errno));
		exit(2);
	}
	*argc -= ret;
	*argv += ret;
	app_opts_defaults(&a->o);
	opterr = 0;
	optind = 1;
}

int
app_next_opt(struct app *a, int argc, char **argv, const struct option *longopts)
{
	int opt;

	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == '?')
			app_usage_error(a, "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			app_usage_error(a, "option '%s' needs a value", argv[optind - 1]);
		if (!app_common_opt(a, opt, optarg))
			return opt;
	}
	return -1;
}

bool
app_scan_args(struct app *a, int argc, char **argv)
{
	bool help = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			help = true;
		if (strncmp(argv[i], "--vdev", 6) == 0)
			a->vdev_given = true;
	}
	return help;
}

int
app_common_opt(struct app *a, int opt, const char *arg)
{
	struct app_opts *o = &a->o;
	uint64_t v;
	char buf[32];
	char *slash;

	switch (opt) {
	case 1000: /* --ip */
		snprintf(buf, sizeof(buf), "%s", arg);
		slash = strchr(buf, '/');
		if (slash == NULL)
			app_usage_error(a, "--ip '%s': expected A.B.C.D/LEN", arg);
		*slash = '\0';
		if (app_parse_ipv4(buf, &o->ip) != 0 || o->ip == 0)
			app_usage_error(a, "--ip '%s': '%s' is not an IPv4 address", arg, buf);
		if (app_parse_u64(slash + 1, 1, 32, &v) != 0)
			app_usage_error(a, "--ip '%s': prefix length must be 1..32", arg);
		o->prefix_len = (uint8_t)v;
		return 1;
	case 1001:
		if (app_parse_ipv4(arg, &o->gw) != 0)
			app_usage_error(a, "--gw '%s' is not an IPv4 address", arg);
		return 1;
	case 1002:
		if (app_parse_u64(arg, 1, 3600000, &v) != 0)
			app_usage_error(a, "--msl '%s': expected milliseconds, 1..3600000", arg);
		o->msl_ms = (uint32_t)v;
		return 1;
	case 1003:
		if (app_parse_u64(arg, 0, 86400, &v) != 0)
			app_usage_error(
			        a, "--stats-interval '%s': expected seconds, 0..86400", arg);
		o->stats_interval = (unsigned)v;
		return 1;
	case 1004:
		if (app_parse_u64(arg, 1, 16u << 20, &v) != 0)
			app_usage_error(a, "--max-conns '%s': expected 1..16777216", arg);
		o->max_conns = (uint32_t)v;
		return 1;
	case 1005:
		if (app_parse_u64(arg, 1024, 64u << 20, &v) != 0)
			app_usage_error(a, "--mbufs '%s': expected 1024..67108864", arg);
		o->mbufs = (uint32_t)v;
		return 1;
	case 1006:
		o->no_offload = true;
		return 1;
	case 1007:
		if (!tern_cc_supported(arg))
			app_usage_error(
			        a, "--cc '%s': unknown algorithm (have: %s)", arg, tern_cc_names());
		o->cc = arg;
		return 1;
	case 1008:
		o->nodelay = true;
		return 1;
	case 1009:
		o->no_sack = true;
		return 1;
	case 1010:
		o->no_timestamps = true;
		return 1;
	case 1011:
		o->no_wscale = true;
		return 1;
	case 1012:
		if (app_parse_u64(arg, 0, 500, &v) != 0)
			app_usage_error(a, "--delack-ms '%s': expected 0..500", arg);
		o->delack_ms = (uint32_t)v;
		o->no_delack = v == 0;
		return 1;
	case 1013:
	case 1014:
		if (app_parse_u64(arg, 1024, 1u << 30, &v) != 0)
			app_usage_error(a, "--%s '%s': expected bytes, 1024..1073741824",
			        opt == 1013 ? "rcvbuf" : "sndbuf", arg);
		if (opt == 1013)
			o->rcvbuf = (uint32_t)v;
		else
			o->sndbuf = (uint32_t)v;
		return 1;
	case 1015: {
		unsigned long long idle, intvl, cnt;
		char extra;
		if (sscanf(arg, "%llu,%llu,%llu%c", &idle, &intvl, &cnt, &extra) != 3 ||
		        idle == 0 || intvl == 0 || cnt == 0 || cnt > 255 || idle > 86400000 ||
		        intvl > 86400000)
			app_usage_error(a,
			        "--keepalive '%s': expected IDLE_MS,INTERVAL_MS,PROBES "
			        "(e.g. 7200000,75000,9; probes 1..255)",
			        arg);
		o->keepalive = true;
		o->keepidle_ms = (uint32_t)idle;
		o->keepintvl_ms = (uint32_t)intvl;
		o->keepcnt = (uint32_t)cnt;
		return 1;
	}
	case 1016:
		if (app_parse_u64(arg, 1, 3600000, &v) != 0)
			app_usage_error(
			        a, "--fin-timeout '%s': expected milliseconds, 1..3600000", arg);
		o->fin_timeout_ms = (uint32_t)v;
		return 1;
	case 1018:
		o->abort_on_overflow = true;
		return 1;
	case 1019:
		if (strcmp(arg, "auto") == 0)
			o->syncookies = TERN_SYNCOOKIES_AUTO;
		else if (strcmp(arg, "always") == 0)
			o->syncookies = TERN_SYNCOOKIES_ALWAYS;
		else if (strcmp(arg, "off") == 0)
			o->syncookies = TERN_SYNCOOKIES_OFF;
		else
			app_usage_error(a, "--syncookies '%s': expected auto, always or off", arg);
		return 1;
	case 1020:
		if (app_parse_u64(arg, 1, 16u << 20, &v) != 0)
			app_usage_error(a, "--synq-size '%s': expected 1..16777216", arg);
		o->synq_size = (uint32_t)v;
		return 1;
	case 1021:
		if (app_parse_u64(arg, 1, 10, &v) != 0)
			app_usage_error(a, "--syn-retries '%s': expected 1..10", arg);
		o->syn_retries = (uint8_t)v;
		return 1;
	case 1022:
		if (strcmp(arg, "on") == 0)
			o->no_tw_reuse = false;
		else if (strcmp(arg, "off") == 0)
			o->no_tw_reuse = true;
		else
			app_usage_error(a, "--tw-reuse '%s': expected on or off", arg);
		return 1;
	case 1023:
		if (app_parse_u64(arg, 1, 3600000, &v) != 0)
			app_usage_error(
			        a, "--tw-reuse-delay '%s': expected milliseconds, 1..3600000", arg);
		o->tw_reuse_ms = (uint32_t)v;
		return 1;
	case 1024:
		o->rfc1337 = true;
		return 1;
	case 1025:
		if (app_parse_u64(arg, 1, 16u << 20, &v) != 0)
			app_usage_error(a, "--max-tw '%s': expected 1..16777216", arg);
		o->max_tw = (uint32_t)v;
		return 1;
	case 1040: {
		unsigned lo, hi;
		char extra;
		if (arg[0] < '0' || arg[0] > '9' || strpbrk(arg, "+ ") != NULL ||
		        sscanf(arg, "%u-%u%c", &lo, &hi, &extra) != 2 || lo == 0 || hi > 65535 ||
		        lo > hi)
			app_usage_error(a,
			        "--port-range '%s': expected LO-HI with 1 <= LO <= HI <= 65535",
			        arg);
		o->port_lo = (uint16_t)lo;
		o->port_hi = (uint16_t)hi;
		return 1;
	}
	case 1041: {
		char list[256];
		char *tok, *save = NULL;
		if (strlen(arg) >= sizeof(list) || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
		        strstr(arg, ",,") != NULL)
			app_usage_error(a, "--src-ip '%s': expected A.B.C.D[,A.B.C.D...]", arg);
		snprintf(list, sizeof(list), "%s", arg);
		o->nsrc_ips = 0;
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		        tok = strtok_r(NULL, ",", &save)) {
			uint32_t ip;
			uint8_t i;
			if (app_parse_ipv4(tok, &ip) != 0 || ip == 0 || ip == 0xffffffffu ||
			        (ip >> 28) >= 0xe || (ip >> 24) == 127)
				app_usage_error(a,
				        "--src-ip '%s': '%s' is not a unicast IPv4 address", arg,
				        tok);
			for (i = 0; i < o->nsrc_ips; i++)
				if (o->src_ips[i] == ip)
					app_usage_error(
					        a, "--src-ip '%s': '%s' given twice", arg, tok);
			if (o->nsrc_ips == TERN_MAX_SRC_IPS)
				app_usage_error(a, "--src-ip '%s': at most %d addresses", arg,
				        TERN_MAX_SRC_IPS);
			o->src_ips[o->nsrc_ips++] = ip;
		}
		if (o->nsrc_ips == 0)
			app_usage_error(a, "--src-ip '%s': expected A.B.C.D[,A.B.C.D...]", arg);
		return 1;
	}
	case 1017:
		if (app_parse_u64(arg, 1, 86400000, &v) != 0)
			app_usage_error(
			        a, "--user-timeout '%s': expected milliseconds, 1..86400000", arg);
		o->user_timeout_ms = (uint32_t)v;
		return 1;
	default:
		return 0;
	}
}

/* ---- running ---- */

struct engine_arg {
	struct app *a;
	unsigned idx;
};

static int
engine_loop(void *arg)
{
	struct engine_arg *ea = arg;
	struct app *a = ea->a;
	struct tern_engine *e = a->engines[ea->idx];

	if (a->tick == NULL) {
		while (!stop_flag)
			tern_engine_poll(e);
		return 0;
	}
	while (!stop_flag) {
		tern_engine_poll(e);
		a->tick(e, ea->idx, a->app);
	}
	return 0;
}

static void
sum_stats(const struct app *a, struct tern_stats *s, struct tern_gauges *g)
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

static void
print_stats(const struct app *a, struct tern_stats *prev, double secs, bool final)
{
	FILE *out = a->out != NULL ? a->out : stdout;
	struct tern_stats s;
	struct tern_gauges g;
	uint64_t drops = 0, top = 0;
	int topk = -1;
	unsigned k;

	if (secs < 1e-3)
		secs = 1e-3;
	sum_stats(a, &s, &g);
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
	if (a->stats_extra != NULL)
		a->stats_extra(a, out, secs, final);
	fprintf(out, " | mbufs free %u\n", g.mbufs_free);
	if (final) {
		for (k = 0; k < TERN_DROP_MAX; k++)
			if (s.drop[k])
				fprintf(out, "%s: drop %-22s %12" PRIu64 "  %s\n", a->name,
				        tern_drop_name((enum tern_drop)k), s.drop[k],
				        tern_drop_desc((enum tern_drop)k));
	}
	*prev = s;
}

int
app_run(struct app *a)
{
	struct tern_port_conf pc;
	struct engine_arg args[RTE_MAX_LCORE];
	struct tern_stats prev;
	char err[256];
	unsigned lcore, i;
	bool main_polls;
	uint64_t hz, start;
	int rc;

	if (a->o.ip == 0)
		app_usage_error(a, "--ip A.B.C.D/LEN is required");
	for (i = 0; i < a->o.nsrc_ips; i++)
		if (a->o.src_ips[i] == a->o.ip)
			app_usage_error(a, "--src-ip: %u.%u.%u.%u is already the --ip address",
			        a->o.ip >> 24, (a->o.ip >> 16) & 0xff, (a->o.ip >> 8) & 0xff,
			        a->o.ip & 0xff);
	if (rte_eth_dev_count_avail() == 0 && a->vdev_given) {
		fprintf(stderr,
		        "%s: no DPDK port: the --vdev device did not probe (see the EAL lines "
		        "above: wrong driver name, or bad arguments such as iface=)\n",
		        a->name);
		return 2;
	}
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr,
		        "%s: no DPDK port: pass one with --vdev (e.g. "
		        "--vdev net_af_packet0,iface=eth1) or bind a NIC to vfio-pci\n",
		        a->name);
		return 2;
	}
	if (rte_eth_dev_count_avail() > 1)
		fprintf(stderr, "%s: %u ports found, using the first\n", a->name,
		        rte_eth_dev_count_avail());

	/* Engines: on every worker lcore; on the main lcore only when it is alone. */
	a->nengines = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) a->lcores[a->nengines++] = lcore;
	main_polls = a->nengines == 0;
	if (main_polls)
		a->lcores[a->nengines++] = rte_get_main_lcore();

	if (a->o.port_lo != 0 && (unsigned)a->o.port_hi - a->o.port_lo + 1 < a->nengines)
		app_usage_error(a,
		        "--port-range %u-%u: %u port%s for %u engines; each engine needs a share "
		        "of at least one port",
		        a->o.port_lo, a->o.port_hi, a->o.port_hi - a->o.port_lo + 1,
		        a->o.port_hi == a->o.port_lo ? "" : "s", a->nengines);

	memset(&pc, 0, sizeof(pc));
	RTE_ETH_FOREACH_DEV(pc.port_id) break;
	pc.nb_queues = (uint16_t)a->nengines;
	pc.nb_mbufs = a->o.mbufs;
	pc.no_offload = a->o.no_offload;
	rc = tern_port_init(&pc, &a->port, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", a->name, err);
		return 1;
	}
	if (tern_port_wait_link(&a->port, 5000) != 0)
		fprintf(stderr, "%s: warning: link of %s is down after 5 s, going on\n", a->name,
		        a->port.name);

	/* Several engines: pin each engine's block of ephemeral ports to its queue where the
	 * port takes rte_flow rules and its own RSS is not already the owner rule. Falling
	 * back to handing misdirected segments over in software is said, never silent. */
	if (a->nengines > 1 && a->port.steer != TERN_STEER_RSS) {
		uint32_t ips[1 + TERN_MAX_SRC_IPS];
		uint16_t lo = a->o.port_lo ? a->o.port_lo : TERN_PORT_LO_DEFAULT;
		uint16_t hi = a->o.port_hi ? a->o.port_hi : TERN_PORT_HI_DEFAULT;
		unsigned nips = 0;
		ips[nips++] = a->o.ip;
		for (i = 0; i < a->o.nsrc_ips; i++)
			ips[nips++] = a->o.src_ips[i];
		if (tern_port_steer_flow(&a->port, ips, nips, lo, hi, err, sizeof(err)) != 0)
			fprintf(stderr,
			        "%s: steering: no rte_flow (%s); using software: %s, so segments "
			        "that reach another engine's queue are handed to it over a ring\n",
			        a->name, err, a->port.steer_why);
	}

	/* Several engines: a ring per engine for the frames that reach another engine's
	 * queue (multi-producer, single consumer: its owner). */
	for (i = 0; a->nengines > 1 && i < a->nengines; i++) {
		char name[RTE_RING_NAMESIZE];
		snprintf(name, sizeof(name), "tern_steer_%u", i);
		a->rings[i] = rte_ring_create(name, APP_STEER_RING, rte_socket_id(), RING_F_SC_DEQ);
		if (a->rings[i] == NULL) {
			fprintf(stderr, "%s: cannot create ring %s: %s\n", a->name, name,
			        rte_strerror(rte_errno));
			rc = 1;
			goto out;
		}
	}
	for (i = 0; i < a->nengines; i++) {
		struct tern_engine_conf ec;
		memset(&ec, 0, sizeof(ec));
		tern_port_engine_conf(&a->port, &ec);
		tern_port_io(&a->port, (uint16_t)i, &ec.io);
		ec.ip = a->o.ip;
		ec.prefix_len = a->o.prefix_len;
		ec.gateway = a->o.gw;
		ec.msl_ms = a->o.msl_ms;
		ec.cc = a->o.cc;
		ec.nodelay = a->o.nodelay;
		ec.no_sack = a->o.no_sack;
		ec.no_timestamps = a->o.no_timestamps;
		ec.no_wscale = a->o.no_wscale;
		ec.no_delack = a->o.no_delack;
		ec.delack_ms = a->o.delack_ms;
		ec.rcvbuf = a->o.rcvbuf;
		ec.sndbuf = a->o.sndbuf;
		ec.keepalive = a->o.keepalive;
		ec.keepidle_ms = a->o.keepidle_ms;
		ec.keepintvl_ms = a->o.keepintvl_ms;
		ec.keepcnt = (uint8_t)a->o.keepcnt;
		ec.fin_timeout_ms = a->o.fin_timeout_ms;
		ec.user_timeout_ms = a->o.user_timeout_ms;
		ec.abort_on_overflow = a->o.abort_on_overflow;
		ec.syncookies = a->o.syncookies;
		ec.synq_size = a->o.synq_size;
		ec.syn_retries = a->o.syn_retries;
		ec.max_conns = a->o.max_conns;
		ec.no_tw_reuse = a->o.no_tw_reuse;
		ec.tw_reuse_ms = a->o.tw_reuse_ms;
		ec.rfc1337 = a->o.rfc1337;
		ec.max_tw = a->o.max_tw;
		ec.cb = a->cb;
		ec.app = a->app;
		ec.id = i;
		ec.nengines = a->nengines;
		ec.rings = a->nengines > 1 ? a->rings : NULL;
		ec.port_lo = a->o.port_lo;
		ec.port_hi = a->o.port_hi;
		memcpy(ec.src_ips, a->o.src_ips, sizeof(ec.src_ips));
		ec.nsrc_ips = a->o.nsrc_ips;
		a->engines[i] = tern_engine_create(&ec);
		if (a->engines[i] == NULL) {
			fprintf(stderr, "%s: engine %u: %s\n", a->name, i,
			        rte_errno == ENOMEM ? "out of memory for connection tables "
			                              "(give the EAL more memory or lower "
			                              "--max-conns / --synq-size / --max-tw)"
			                            : rte_strerror(rte_errno));
			rc = 1;
			goto out;
		}
		if (a->setup != NULL && (rc = a->setup(a->engines[i], a->app)) != 0) {
			fprintf(stderr, "%s: engine %u: set-up failed: %s\n", a->name, i,
			        strerror(-rc));
			rc = 1;
			goto out;
		}
	}
	if (tern_telemetry_register(a->engines, a->nengines) != 0)
		fprintf(stderr, "%s: warning: telemetry commands not registered\n", a->name);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	{
		struct in_addr ia = {.s_addr = htonl(a->o.ip)};
		fprintf(a->out != NULL ? a->out : stdout,
		        "%s: ready: %s/%u on %s (%s, mac %02x:%02x:%02x:%02x:%02x:%02x, "
		        "checksum offload tx %s rx %s), %u engine%s%s%s%s%s\n",
		        a->name, inet_ntoa(ia), a->o.prefix_len, a->port.name, a->port.driver,
		        a->port.mac[0], a->port.mac[1], a->port.mac[2], a->port.mac[3],
		        a->port.mac[4], a->port.mac[5], a->port.tx_tcp_csum ? "on" : "off",
		        a->port.rx_csum ? "on" : "off", a->nengines, a->nengines > 1 ? "s" : "",
		        a->nengines > 1 ? ", steering " : "",
		        a->nengines > 1 ? tern_steer_method_name(a->port.steer) : "",
		        a->ready_msg ? ", " : "", a->ready_msg ? a->ready_msg : "");
		if (a->nengines > 1)
			fprintf(a->out != NULL ? a->out : stdout, "%s: steering %s: %s\n", a->name,
			        tern_steer_method_name(a->port.steer), a->port.steer_why);
	}
	for (i = 0; i < a->nengines; i++) {
		args[i].a = a;
		args[i].idx = i;
		if (!main_polls &&
		        (rc = rte_eal_remote_launch(engine_loop, &args[i], a->lcores[i])) != 0) {
			/* The engines already running stop with the flag; nobody polls this one. */
			fprintf(stderr, "%s: cannot start engine %u on lcore %u: %s\n", a->name, i,
			        a->lcores[i], rte_strerror(-rc));
			stop_flag = 1;
			rte_eal_mp_wait_lcore();
			rc = 1;
			goto out;
		}
	}

	memset(&prev, 0, sizeof(prev));
	hz = rte_get_timer_hz();
	start = rte_get_timer_cycles();
	{
		uint64_t last = start;
		while (!stop_flag) {
			uint64_t now;
			if (main_polls) {
				tern_engine_poll(a->engines[0]);
				if (a->tick != NULL)
					a->tick(a->engines[0], 0, a->app);
			} else {
				rte_delay_us_sleep(10000);
			}
			now = rte_get_timer_cycles();
			if (a->o.stats_interval && now - last >= a->o.stats_interval * hz) {
				if (a->progress != NULL)
					a->progress(a, (double)(now - last) / hz, false);
				else
					print_stats(a, &prev, (double)(now - last) / hz, false);
				last = now;
			}
		}
		rte_eal_mp_wait_lcore();
		if (a->progress != NULL)
			a->progress(a, (double)(rte_get_timer_cycles() - last) / hz, true);
	}
	/* The final line: totals, and rates averaged over the whole run. */
	memset(&prev, 0, sizeof(prev));
	print_stats(a, &prev, (double)(rte_get_timer_cycles() - start) / (double)hz, true);
	rc = 0;
out:
	for (i = 0; i < a->nengines; i++) {
		tern_engine_destroy(a->engines[i]);
		a->engines[i] = NULL;
	}
	for (i = 0; i < a->nengines; i++) {
		rte_ring_free(a->rings[i]); /* NULL is a no-op */
		a->rings[i] = NULL;
	}
	tern_port_close(&a->port);
	return rc;
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
