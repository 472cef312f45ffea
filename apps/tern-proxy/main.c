/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-proxy: a TCP proxy (docs/PROXY.md). This file: the options, --help and main(); the
 * rest is described in proxy.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "proxy.h"

struct proxy *px;

static const char *const lb_names[] = {"rr", "least-conn", "maglev"};

const struct option proxy_longopts[] = {APP_COMMON_OPTS, {"listen", required_argument, 0, 'l'},
        {"backend", required_argument, 0, 'b'}, {"lb", required_argument, 0, 'L'},
        {"connect-timeout", required_argument, 0, 'c'}, {"idle-timeout", required_argument, 0, 'i'},
        {"retry-down", required_argument, 0, 'r'}, {"buffer", required_argument, 0, 'B'},
        {"proxy-protocol", required_argument, 0, 'P'},
        {"health-check", required_argument, 0, OPT_HEALTH_CHECK},
        {"health-interval", required_argument, 0, OPT_HEALTH_INTERVAL},
        {"health-timeout", required_argument, 0, OPT_HEALTH_TIMEOUT},
        {"health-rise", required_argument, 0, OPT_HEALTH_RISE},
        {"health-fall", required_argument, 0, OPT_HEALTH_FALL},
        {"drain-timeout", required_argument, 0, OPT_DRAIN_TIMEOUT},
        {"config", required_argument, 0, OPT_CONFIG}, {"allow", required_argument, 0, OPT_ALLOW},
        {"deny", required_argument, 0, OPT_DENY},
        {"max-per-client", required_argument, 0, OPT_MAX_PER_CLIENT}, {0, 0, 0, 0}};

static void
usage(void)
{
	printf("Usage: tern-proxy [EAL options] -- --ip A.B.C.D/LEN --listen PORT "
	       "--backend IP:PORT[,IP:PORT...] [options]\n"
	       "TCP proxy: clients of PORT are spliced to backends (docs/PROXY.md).\n\n"
	       "  --listen PORT          TCP port for clients (required)\n"
	       "  --backend LIST         IP:PORT[/v1|/v2|/none][/weight=N][,...], up to %d; "
	       "may be\n"
	       "                         repeated; /v1, /v2: PROXY protocol for that backend;\n"
	       "                         /weight=N: 1..%d, its share (default 1) (required);\n"
	       "                         IPv6 backends as [X:X::X]:PORT (with an IPv6 --ip)\n"
	       "  --lb rr|least-conn|maglev  backend choice: smooth weighted round robin "
	       "(default),\n"
	       "                         fewest open connections per weight, or Maglev "
	       "consistent\n"
	       "                         hashing of the client's address\n"
	       "  --connect-timeout MS   give up a backend connect after MS, 1..600000 (default "
	       "3000)\n"
	       "  --idle-timeout S       reset both sides after S seconds without data, 0 = "
	       "never,\n"
	       "                         0..86400 (default 300)\n"
	       "  --retry-down S         a backend that refused or timed out is not chosen for S\n"
	       "                         seconds, 1..3600 (default 10)\n"
	       "  --proxy-protocol v1|v2|none  PROXY protocol header to backends without "
	       "their own\n"
	       "                         /v1|/v2|/none (default none)\n"
	       "  --health-check tcp|http:/PATH[=STATUS]|none  active checks of every backend:\n"
	       "                         connect, or GET PATH answered STATUS (default 200);\n"
	       "                         state changes logged (default none: failures only)\n"
	       "  --health-interval MS   a check of each backend every MS, 100..3600000 "
	       "(default 2000)\n"
	       "  --health-timeout MS    a check not done in MS fails, 1..3600000 (default 1000)\n"
	       "  --health-rise N, --health-fall N  passes (failures) in a row to go up (down),\n"
	       "                         1..100 (default 2 and 3)\n"
	       "  --drain-timeout S      SIGTERM / SIGQUIT: stop accepting, give open pairs S\n"
	       "                         seconds, then reset them, 0..86400 (default 30)\n"
	       "  --allow LIST, --deny LIST  A.B.C.D[/LEN] or X:X::X[/LEN][,...]: clients\n"
	       "                         allowed (only those,\n"
	       "                         when given) and refused (first); checked at the SYN:\n"
	       "                         a refused client gets a RST, nothing else is spent\n"
	       "  --max-per-client N     open connections per client address (IPv6: per /64),\n"
	       "                         1..1000000 (default no limit); one more SYN gets a RST\n"
	       "  --config FILE          options from FILE, one \"NAME VALUE\" a line (common\n"
	       "                         options too); the command line overrides or adds;\n"
	       "                         SIGHUP re-reads its backend lines (docs/PROXY.md)\n"
	       "  --buffer BYTES         send and receive buffer of every connection, "
	       "2048..1073741824\n"
	       "                         (default 262144; --sndbuf / --rcvbuf override)\n\n"
	       "%s",
	        MAX_BACKENDS, POOL_WEIGHT_MAX, app_common_usage);
}

/* The proxy's option @p opt with its argument, into @p p: from the command line or a
 * configuration file line; backends go to @p bl. A bad value exits with the one-line error
 * (app_usage_error(); a reload's check gets it back instead). */
void
apply_opt(struct app *a, struct proxy *p, int opt, const char *arg, struct be_list *bl)
{
	char err[256];
	uint64_t v;

	switch (opt) {
	case 'l':
		p->port = app_parse_listen(a, arg);
		break;
	case 'b':
		if (parse_backends(bl, arg, err, sizeof(err)) != 0)
			app_usage_error(a, "%s", err);
		break;
	case 'L':
		if (strcmp(arg, "rr") == 0)
			p->lb = LB_RR;
		else if (strcmp(arg, "least-conn") == 0)
			p->lb = LB_LEAST;
		else if (strcmp(arg, "maglev") == 0)
			p->lb = LB_MAGLEV;
		else
			app_usage_error(a, "--lb '%s': expected rr, least-conn or maglev", arg);
		break;
	case 'c':
		if (app_parse_u64(arg, 1, 600000, &v) != 0)
			app_usage_error(
			        a, "--connect-timeout '%s': expected milliseconds, 1..600000", arg);
		p->connect_timeout_ms = (uint32_t)v;
		break;
	case 'i':
		if (app_parse_u64(arg, 0, 86400, &v) != 0)
			app_usage_error(a, "--idle-timeout '%s': expected seconds, 0..86400", arg);
		p->idle_timeout_ms = (uint32_t)v * 1000;
		break;
	case 'r':
		if (app_parse_u64(arg, 1, 3600, &v) != 0)
			app_usage_error(a, "--retry-down '%s': expected seconds, 1..3600", arg);
		p->retry_down_ms = (uint32_t)v * 1000;
		break;
	case 'B':
		if (app_parse_u64(arg, 2048, 1u << 30, &v) != 0)
			app_usage_error(a, "--buffer '%s': expected bytes, 2048..1073741824", arg);
		p->buffer = (uint32_t)v;
		break;
	case 'P':
		if (pp_parse_version(arg, &p->pp) != 0)
			app_usage_error(a, "--proxy-protocol '%s': expected v1, v2 or none", arg);
		break;
	case OPT_HEALTH_CHECK:
		if (hc_parse(arg, &p->hc, err, sizeof(err)) != 0)
			app_usage_error(a, "--health-check '%s': %s", arg, err);
		break;
	case OPT_HEALTH_INTERVAL:
		if (app_parse_u64(arg, 100, 3600000, &v) != 0)
			app_usage_error(a,
			        "--health-interval '%s': expected milliseconds, "
			        "100..3600000",
			        arg);
		p->hc.interval_ms = (uint32_t)v;
		break;
	case OPT_HEALTH_TIMEOUT:
		if (app_parse_u64(arg, 1, 3600000, &v) != 0)
			app_usage_error(
			        a, "--health-timeout '%s': expected milliseconds, 1..3600000", arg);
		p->hc.timeout_ms = (uint32_t)v;
		break;
	case OPT_HEALTH_RISE:
	case OPT_HEALTH_FALL:
		if (app_parse_u64(arg, 1, 100, &v) != 0)
			app_usage_error(a, "--health-%s '%s': expected 1..100",
			        opt == OPT_HEALTH_RISE ? "rise" : "fall", arg);
		*(opt == OPT_HEALTH_RISE ? &p->hc.rise : &p->hc.fall) = (uint32_t)v;
		break;
	case OPT_DRAIN_TIMEOUT:
		if (app_parse_u64(arg, 0, 86400, &v) != 0)
			app_usage_error(a, "--drain-timeout '%s': expected seconds, 0..86400", arg);
		p->drain_timeout_ms = (uint32_t)v * 1000;
		break;
	case OPT_CONFIG:
		/* read before the other options (read_config), found by its full name: an
		 * abbreviation getopt took, or a second --config, would go unread */
		if (arg != p->config)
			app_usage_error(
			        a, "--config '%s': give one --config FILE, spelled out", arg);
		break;
	case OPT_ALLOW:
	case OPT_DENY:
		parse_rules(a, opt == OPT_ALLOW ? "allow" : "deny", arg,
		        opt == OPT_ALLOW ? p->allow : p->deny,
		        opt == OPT_ALLOW ? &p->nallow : &p->ndeny);
		break;
	case OPT_MAX_PER_CLIENT:
		if (app_parse_u64(arg, 1, 1000000, &v) != 0)
			app_usage_error(a, "--max-per-client '%s': expected 1..1000000", arg);
		p->max_per_client = (uint32_t)v;
		break;
	default:
		app_usage_error(a, "unexpected option");
	}
}

int
main(int argc, char **argv)
{
	struct app a = {.name = "tern-proxy",
	        .cb = &proxy_callbacks,
	        .setup = proxy_setup,
	        .tick = proxy_tick,
	        .stopping = proxy_stopping,
	        .abort_on_stop = true};
	char ready[384], health[HC_PATH_MAX + 96] = "", rules[96] = "", err[256];
	unsigned k;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	px = calloc(1, sizeof(*px));
	if (px == NULL) {
		fprintf(stderr, "tern-proxy: out of memory\n");
		return 1;
	}
	px->connect_timeout_ms = 3000;
	px->idle_timeout_ms = 300000;
	px->retry_down_ms = 10000;
	px->hc.interval_ms = 2000;
	px->hc.timeout_ms = 1000;
	px->hc.rise = 2;
	px->hc.fall = 3;
	px->drain_timeout_ms = 30000;
	px->a = &a;
	a.app = px;
	a.stats_extra = stats_extra;
	a.metrics = proxy_metrics;
	a.reload = proxy_reload;
	a.drain = true;
	if (app_scan_args(&a, argc, argv)) {
		usage();
		return 0;
	}
	app_eal_init(&a, &argc, &argv);
	for (k = 1; k < (unsigned)argc; k++) { /* the file first: the command line wins */
		if (strcmp(argv[k], "--config") == 0 && k + 1 < (unsigned)argc)
			px->config = argv[k + 1];
		else if (strncmp(argv[k], "--config=", 9) == 0)
			px->config = argv[k] + 9;
	}
	px->argc = argc;
	px->argv = argv;
	if (px->config != NULL)
		read_config(&a, px->config);
	while ((opt = app_next_opt(&a, argc, argv, proxy_longopts)) != -1) {
		if (opt == 'h') {
			usage();
			return 0;
		}
		apply_opt(&a, px, opt, optarg, &px->cli_be);
	}
	app_no_leftover(&a, argc, argv);
	if (px->port == 0)
		app_usage_error(&a, "--listen PORT is required");
	if (px->cli_be.n == 0 && px->file_be.n == 0)
		app_usage_error(&a, "--backend IP:PORT[,IP:PORT...] is required");
	if (check_backends(&a, &px->file_be, err, sizeof(err)) != 0 ||
	        check_backends(&a, &px->cli_be, err, sizeof(err)) != 0 ||
	        check_pool_size(&px->file_be, &px->cli_be, err, sizeof(err)) != 0)
		app_usage_error(&a, "%s", err);
	if (pool_publish(&px->file_be, &px->cli_be) != 0)
		app_usage_error(&a, "out of memory");
	if (px->buffer != 0) {
		if (a.o.rcvbuf == 0)
			a.o.rcvbuf = px->buffer;
		if (a.o.sndbuf == 0)
			a.o.sndbuf = px->buffer;
	}
	if (px->hc.type != HC_NONE)
		snprintf(health, sizeof(health),
		        ", health check %s%s every %u ms, timeout %u ms, rise %u fall %u",
		        px->hc.type == HC_TCP ? "tcp" : "http:",
		        px->hc.type == HC_TCP ? "" : px->hc.path, px->hc.interval_ms,
		        px->hc.timeout_ms, px->hc.rise, px->hc.fall);
	if (px->nallow != 0 || px->ndeny != 0)
		snprintf(rules, sizeof(rules), ", clients: %u allow %u deny rules", px->nallow,
		        px->ndeny);
	if (px->max_per_client != 0)
		snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules),
		        ", at most %u per client", px->max_per_client);
	snprintf(ready, sizeof(ready), "proxy on port %u to %u backend%s (%s%s%s%s%s)", px->port,
	        px->pool->n, px->pool->n > 1 ? "s" : "", lb_names[px->lb],
	        px->pp != PP_NONE ? ", proxy-protocol " : "",
	        px->pp != PP_NONE ? pp_version_name(px->pp) : "", health, rules);
	a.ready_msg = ready;
	if (px->max_per_client != 0 && (px->clients = calloc(1, sizeof(*px->clients))) == NULL)
		app_usage_error(&a, "out of memory");
	rc = app_run(&a);
	if (rc == 0)
		final_summary(&a);
	if (rc == 0 && app_draining())
		drain_summary(&a);
	rte_eal_cleanup();
	for (k = 0; k < RTE_MAX_LCORE; k++)
		free(px->eng[k].maglev);
	while (px->pool != NULL) {
		struct pool_cfg *o = px->pool->older;
		free(px->pool);
		px->pool = o;
	}
	free(px->clients);
	free(px->config_text);
	free(px->settings);
	free(px);
	return rc;
}
