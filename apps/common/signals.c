/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stopping: SIGINT, SIGTERM or app_request_stop() set one flag that the engines' loops and
 * the main lcore's loop read. The flag is the file's only state, as a signal handler
 * has nothing else to reach.
 */
#include <signal.h>

#include "app_int.h"

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void
app_signals_install(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
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
