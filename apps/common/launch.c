/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running an app: the EAL started from the arguments before '--', one engine per worker
 * lcore (or on the main lcore when it is alone), and app_run(): port and engines set up,
 * packet capture offered to dpdk-dumpcap, engines launched, the main lcore's loop (stats
 * line or the app's progress) until a stop, the final line, teardown.
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_pause.h>
#include <rte_pdump.h>

#include <tern/telemetry.h>

#include "app_int.h"
#include "idle.h"

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

/* Engines: on every worker lcore; on the main lcore only when it is alone.
 * @return true when the main lcore polls (its engine is engines[0]). */
static bool
pick_lcores(struct app *a)
{
	unsigned lcore;

	a->nengines = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) a->lcores[a->nengines++] = lcore;
	if (a->nengines != 0)
		return false;
	a->lcores[a->nengines++] = rte_get_main_lcore();
	return true;
}

struct engine_arg {
	struct app *a;
	unsigned idx;
	/* --poll-mode backoff (idle.h) */
	struct app_idle_conf idle;
	uint64_t empty;   /**< empty polls in a row */
	uint64_t tx_pkts; /**< the engine's tx_pkts after the previous poll */
};

/*
 * The poll loop's step: one poll and the app's tick; then, when the engines back off
 * (a->backoff), the idle policy's rest if nothing happened: nothing received (from the
 * port or another engine's ring), no timer fired, nothing sent (tx_pkts unchanged: also
 * what the tick or the callbacks queued). A frame that reaches a sleeping engine waits
 * up to --idle-sleep-us (plus the 10 us timer slack set by prepare_backoff()); timers
 * are not delayed (the sleep ends at the next one).
 */
static void
poll_step(struct app *a, struct engine_arg *ea)
{
	struct tern_engine *e = a->engines[ea->idx];
	unsigned work = tern_engine_poll(e);
	struct app_idle_step step;
	uint64_t tx;

	if (a->tick != NULL)
		a->tick(e, ea->idx, a->app);
	if (!a->backoff)
		return;
	tx = tern_engine_stats(e)->ctr[TERN_CTR_TX_PKTS];
	if (work != 0 || tx != ea->tx_pkts) {
		ea->empty = 0;
		ea->tx_pkts = tx;
		return;
	}
	step = app_idle_next(&ea->idle, ++ea->empty, tern_engine_next_timer_us(e));
	if (step.action == APP_IDLE_PAUSE)
		rte_pause();
	else if (step.action == APP_IDLE_SLEEP)
		rte_delay_us_sleep(step.us);
}

/* On the polling thread: a sleep overshoots by the kernel's timer slack (50 us by
 * default); 10 us keeps the short sleeps short. */
static void
prepare_backoff(const struct app *a)
{
	if (a->backoff)
		(void)prctl(PR_SET_TIMERSLACK, 10000UL, 0UL, 0UL, 0UL);
}

/* After an engine's last poll: the app's stopping hook, then (abort_on_stop) RSTs for what
 * is still open, sent at once. */
static void
engine_stop(struct app *a, unsigned idx)
{
	struct tern_engine *e = a->engines[idx];

	if (a->stopping != NULL)
		a->stopping(e, idx, a->app);
	if (a->abort_on_stop)
		tern_engine_abort_all(e);
}

static int
engine_loop(void *arg)
{
	struct engine_arg *ea = arg;

	prepare_backoff(ea->a);
	while (!app_stopping())
		poll_step(ea->a, ea);
	engine_stop(ea->a, ea->idx);
	return 0;
}

/* IPv6 found duplicate by DAD on any engine: said once on stderr, as the address then
 * takes nothing (the counters say it too: nd_dad_failed). */
static void
ip6_watch(struct app *a, bool *said)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned i;

	if (!a->o.has_ip6 || *said)
		return;
	for (i = 0; i < a->nengines; i++) {
		if (tern_engine_ip6_state(a->engines[i]) != TERN_IP6_DUPLICATE)
			continue;
		fprintf(stderr,
		        "%s: IPv6 address %s is in use by another node (duplicate address "
		        "detection, RFC 4862): not used\n",
		        a->name, inet_ntop(AF_INET6, a->o.ip6, addr, sizeof(addr)));
		*said = true;
		return;
	}
}

/* Until a stop: poll engines[0] when the main lcore is its lcore, else sleep; the stats
 * line (or the app's progress) every --stats-interval. Then wait for the workers, and
 * print the final line: totals, and rates averaged over the whole run. */
static void
main_loop(struct app *a, bool main_polls, struct engine_arg *ea0)
{
	struct tern_stats prev;
	uint64_t hz, start, last, checked;
	bool dup_said = false;

	memset(&prev, 0, sizeof(prev));
	if (main_polls)
		prepare_backoff(a);
	hz = rte_get_timer_hz();
	start = rte_get_timer_cycles();
	last = start;
	checked = start;
	while (!app_stopping()) {
		uint64_t now;
		if (main_polls) {
			poll_step(a, ea0);
		} else {
			rte_delay_us_sleep(10000);
		}
		now = rte_get_timer_cycles();
		if (a->reload != NULL && app_reload_take())
			a->reload(a);
		if (now - checked >= hz / 10) {
			ip6_watch(a, &dup_said);
			checked = now;
		}
		if (a->o.stats_interval && now - last >= a->o.stats_interval * hz) {
			if (a->progress != NULL)
				a->progress(a, (double)(now - last) / hz, false);
			else
				app_print_stats(a, &prev, (double)(now - last) / hz, false);
			last = now;
		}
	}
	if (main_polls)
		engine_stop(a, ea0->idx);
	rte_eal_mp_wait_lcore();
	if (a->progress != NULL)
		a->progress(a, (double)(rte_get_timer_cycles() - last) / hz, true);
	memset(&prev, 0, sizeof(prev));
	app_print_stats(a, &prev, (double)(rte_get_timer_cycles() - start) / (double)hz, true);
}

/* Launch the engines on their worker lcores and run the main loop. @return 0, or 1 when a
 * worker would not start (the running ones are stopped and waited for). */
static int
run_engines(struct app *a, bool main_polls)
{
	struct engine_arg args[RTE_MAX_LCORE];
	unsigned i;
	int rc;

	for (i = 0; i < a->nengines; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].a = a;
		args[i].idx = i;
		args[i].idle = (struct app_idle_conf){
		        .spin_polls = APP_IDLE_SPIN_POLLS,
		        .pause_polls = APP_IDLE_PAUSE_POLLS,
		        .min_sleep_us = APP_IDLE_MIN_SLEEP_US,
		        .max_sleep_us = a->o.idle_sleep_us,
		};
		if (!main_polls &&
		        (rc = rte_eal_remote_launch(engine_loop, &args[i], a->lcores[i])) != 0) {
			/* The engines already running stop with the flag; nobody polls this one. */
			fprintf(stderr, "%s: cannot start engine %u on lcore %u: %s\n", a->name, i,
			        a->lcores[i], rte_strerror(-rc));
			app_request_stop();
			rte_eal_mp_wait_lcore();
			return 1;
		}
	}
	main_loop(a, main_polls, &args[0]);
	return 0;
}

/*
 * Packet capture: rte_pdump answers dpdk-dumpcap (or dpdk-pdump), a secondary process
 * started with this process's --file-prefix, which asks over the EAL's multi-process
 * channel for copies of a port's RX and TX bursts (every queue, or one with dpdk-pdump).
 * The copies are made in the engines' rte_eth_rx_burst / rte_eth_tx_burst calls only while
 * a capture runs: nothing is spent otherwise. A secondary process needs the primary's
 * memory in shared hugepage files (not --no-huge) and the multi-process channel's socket
 * (not --in-memory nor --no-shconf, under which rte_pdump_init() "succeeds" with no
 * channel). Otherwise capture is off and the app says why (one line, not an error).
 * @return true when capture is on.
 */
static bool
capture_init(const struct app *a)
{
	FILE *out = a->out != NULL ? a->out : stdout;
	char dir[PATH_MAX], sock[PATH_MAX + 16];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	snprintf(sock, sizeof(sock), "%s/mp_socket", dir);
	if (!rte_eal_has_hugepages()) {
		fprintf(stderr,
		        "%s: packet capture off: with --no-huge dpdk-dumpcap (a secondary "
		        "process) cannot map our memory; run on hugepages\n",
		        a->name);
		return false;
	}
	if (stat(sock, &st) != 0) {
		fprintf(stderr,
		        "%s: packet capture off: no multi-process socket %s (--in-memory or "
		        "--no-shconf)\n",
		        a->name, sock);
		return false;
	}
	if (rte_pdump_init() != 0) {
		fprintf(stderr, "%s: packet capture off: rte_pdump_init: %s\n", a->name,
		        rte_strerror(rte_errno));
		return false;
	}
	fprintf(out, "%s: capture: dpdk-dumpcap --file-prefix=%s -i %s\n", a->name, basename(dir),
	        a->port.name);
	return true;
}

int
app_run(struct app *a)
{
	bool capture = false;
	bool main_polls;
	int rc;

	app_opts_check(a);
	app_opts_key(a);
	app_metrics_listen(a); /* a bad --metrics address exits 2 before the port starts */
	rc = app_port_check(a);
	if (rc != 0) {
		app_metrics_stop(a);
		return rc;
	}
	main_polls = pick_lcores(a);
	app_opts_check_engines(a);
	rc = app_port_setup(a);
	if (rc != 0) {
		app_metrics_stop(a);
		return rc;
	}
	/* Busy on a NIC (its own CPUs, lowest latency); backoff on a virtual device (the
	 * vdev bus: af_packet, tap, virtio-user, vhost, pcap), which shares a machine. */
	a->backoff = a->o.poll_mode == APP_POLL_BACKOFF ||
	             (a->o.poll_mode == APP_POLL_AUTO && !a->busy_by_default &&
	                     strcmp(a->port.bus, "vdev") == 0);
	rc = app_engines_create(a);
	if (rc == 0) {
		if (tern_telemetry_register(a->engines, a->nengines) != 0)
			fprintf(stderr, "%s: warning: telemetry commands not registered\n",
			        a->name);
		app_signals_install(a);
		capture = capture_init(a);
		rc = app_metrics_start(a);
		if (rc == 0) {
			app_print_ready(a);
			rc = run_engines(a, main_polls);
		}
	}
	app_metrics_stop(a); /* the thread reads the engines: stopped before they go */
	if (capture)
		rte_pdump_uninit();
	app_engines_destroy(a);
	tern_port_close(&a->port);
	return rc;
}
