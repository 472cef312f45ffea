/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern-proxy's active health checks, the parts without a connection (unit-tested in
 * tests/unit/test_proxy_pool.c): the --health-check syntax, the HTTP request, the status
 * line of the answer, and the rise/fall counting that turns results into state changes.
 * main.c runs the checks themselves (connections from engine 0).
 */
#ifndef TERN_PROXY_HEALTH_H
#define TERN_PROXY_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hc_type {
	HC_NONE = 0, /**< no active checks (passive marking only) */
	HC_TCP,      /**< a check passes when the connection is established */
	HC_HTTP,     /**< ... and an HTTP GET of path is answered with status */
};

/** Longest --health-check http path. */
#define HC_PATH_MAX 128

struct hc_conf {
	enum hc_type type;
	char path[HC_PATH_MAX];
	uint16_t status;      /**< HC_HTTP: the status expected (default 200) */
	uint32_t interval_ms; /**< a check of every backend each interval */
	uint32_t timeout_ms;  /**< a check not done after this fails */
	uint32_t rise, fall;  /**< passes (failures) in a row that bring a backend up (down) */
};

/**
 * Parse --health-check: "tcp", or "http:PATH[=STATUS]" (PATH starts with '/', printable,
 * no space; STATUS 100..599, default 200), or "none". @return 0, or -1 with the reason in
 * @p err.
 */
int hc_parse(const char *arg, struct hc_conf *c, char *err, size_t errlen);

/** The HTTP/1.0 request of an HC_HTTP check to @p host ("IP:PORT"). @return its length, or
 *  -1 when @p len is too short. */
int hc_request(const struct hc_conf *c, const char *host, char *buf, size_t len);

/**
 * The status of an HTTP answer whose first @p len bytes are @p buf: "HTTP/1.x NNN ...".
 * @return the status (100..599); 0 when more bytes are needed; -1 when it is not an HTTP
 * status line.
 */
int hc_status(const char *buf, size_t len);

/** One backend's check results so far. */
struct hc_track {
	bool down;
	uint32_t ok_run, fail_run; /**< passes / failures in a row */
};

enum hc_change { HC_SAME, HC_WENT_DOWN, HC_WENT_UP };

/** Count a result (@p ok) under @p c's rise and fall. @return the state change, if any. */
enum hc_change hc_result(struct hc_track *t, const struct hc_conf *c, bool ok);

#endif
