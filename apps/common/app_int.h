/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside apps/common: how its files call each other. Apps include app.h only.
 *
 *   opts.c     the common options (APP_COMMON_OPTIONS), usage text and errors, checks
 *   launch.c   EAL start, lcores, app_run(): engines launched, main-lcore loop, teardown
 *   engines.c  the port, steering rings, engines created and destroyed
 *   stats.c    the ready line, the stats and final lines, connections closed by reason
 *   signals.c  SIGINT / SIGTERM and app_request_stop(): the stop flag; drain and reload
 *   metrics.c  --metrics: Prometheus text over HTTP from a control thread
 */
#ifndef TERN_APP_INT_H
#define TERN_APP_INT_H

#include <stdbool.h>

#include <tern/stats.h>

#include "app.h"

/* --key-file: read the key (or make the file); a bad file exits 2 with one line. */
void app_opts_key(struct app *a);

/* signals.c: SIGINT and SIGTERM stop the engines (app_stopping()); with a->drain, SIGTERM
 * and SIGQUIT drain (app_draining()); with a->reload, SIGHUP asks for a reload. */
void app_signals_install(const struct app *a);
/* signals.c: true once after each SIGHUP (the flag is cleared). */
bool app_reload_take(void);

/* engines.c: 0 when a DPDK port is there, else 2 after saying why. */
int app_port_check(const struct app *a);
/* engines.c: the port with a queue pair per engine, steering pinned where it can be.
 * @return 0, or 1 after saying why (nothing to tear down). */
int app_port_setup(struct app *a);
/* engines.c: rings (several engines), engines and the app's setup. @return 0, or 1 after
 * saying why; app_engines_destroy() in both cases. */
int app_engines_create(struct app *a);
/* engines.c: engines and rings freed (those created so far). */
void app_engines_destroy(struct app *a);

/* stats.c: counters and gauges summed over the engines (mbufs_free: the shared pool's). */
void app_sum_stats(const struct app *a, struct tern_stats *s, struct tern_gauges *g);
/* stats.c: mbufs in the port's pool. */
unsigned app_mbufs_size(const struct app *a);
/* stats.c: true when @p free is below 1/8 of the pool: the stats line warns (the engine
 * keeps the last 1/16 for itself, so this comes while data can still be queued). */
bool app_mbufs_low(const struct app *a, unsigned free);

/* metrics.c: with --metrics, bind and listen (a one-line usage error, exit 2, on failure). */
void app_metrics_listen(struct app *a);
/* metrics.c: start serving on a control thread. @return 0, or 1 after saying why. */
int app_metrics_start(struct app *a);
/* metrics.c: stop the thread (within about 200 ms) and close the socket. */
void app_metrics_stop(struct app *a);

/* stats.c: "NAME: ready: ..." (and the steering line with several engines). */
void app_print_ready(const struct app *a);
/* stats.c: the stats line summed over the engines, rates against @p prev over @p secs;
 * with @p final, the final line and one line per drop reason seen. *prev becomes now. */
void app_print_stats(const struct app *a, struct tern_stats *prev, double secs, bool final);

#endif
