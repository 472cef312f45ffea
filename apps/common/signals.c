/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stopping: SIGINT, SIGTERM or app_request_stop() set one flag that the engines' loops and
 * the main lcore's loop read. An app that drains (a->drain) gets SIGTERM and SIGQUIT as a
 * drain flag instead (a second one stops); an app that reloads (a->reload) gets SIGHUP as
 * a reload flag, which the main loop takes. The flags are the file's only state, as a
 * signal handler has nothing else to reach.
 */
#include <signal.h>

#include "app_int.h"

static volatile sig_atomic_t stop_flag, drain_flag, reload_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
on_drain(int sig)
{
	(void)sig;
	if (drain_flag)
		stop_flag = 1;
	drain_flag = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	reload_flag = 1;
}

void
app_signals_install(const struct app *a)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, a->drain ? on_drain : on_signal);
	if (a->drain)
		signal(SIGQUIT, on_drain);
	if (a->reload != NULL)
		signal(SIGHUP, on_reload);
}

bool
app_stopping(void)
{
	return stop_flag != 0;
}

bool
app_draining(void)
{
	return drain_flag != 0;
}

bool
app_reload_take(void)
{
	if (!reload_flag)
		return false;
	reload_flag = 0;
	return true;
}

void
app_request_stop(void)
{
	stop_flag = 1;
}
