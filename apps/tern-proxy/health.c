/* SPDX-License-Identifier: BSD-3-Clause */
/* Health checks without connections (health.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"

int
hc_parse(const char *arg, struct hc_conf *c, char *err, size_t errlen)
{
	const char *path, *eq;
	size_t n, i;

	if (strcmp(arg, "none") == 0) {
		c->type = HC_NONE;
		return 0;
	}
	if (strcmp(arg, "tcp") == 0) {
		c->type = HC_TCP;
		return 0;
	}
	if (strncmp(arg, "http:", 5) != 0)
		return snprintf(err, errlen, "expected tcp, http:/PATH[=STATUS] or none"), -1;
	path = arg + 5;
	eq = strchr(path, '=');
	n = eq != NULL ? (size_t)(eq - path) : strlen(path);
	if (n == 0 || path[0] != '/')
		return snprintf(err, errlen, "the path must start with /"), -1;
	if (n >= sizeof(c->path))
		return snprintf(err, errlen, "path longer than %d bytes", HC_PATH_MAX - 1), -1;
	for (i = 0; i < n; i++)
		if (path[i] <= ' ' || path[i] > '~')
			return snprintf(err, errlen, "the path has a space or control byte"), -1;
	c->status = 200;
	if (eq != NULL) {
		char *end;
		unsigned long st = strtoul(eq + 1, &end, 10);

		if (eq[1] < '0' || eq[1] > '9' || *end != '\0' || st < 100 || st > 599)
			return snprintf(err, errlen, "status '%s' is not 100..599", eq + 1), -1;
		c->status = (uint16_t)st;
	}
	memcpy(c->path, path, n);
	c->path[n] = '\0';
	c->type = HC_HTTP;
	return 0;
}

int
hc_request(const struct hc_conf *c, const char *host, char *buf, size_t len)
{
	int n = snprintf(buf, len,
	        "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: tern-proxy-health-check\r\n"
	        "Connection: close\r\n\r\n",
	        c->path, host);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
hc_status(const char *buf, size_t len)
{
	static const char pre[] = "HTTP/1.";
	size_t i;
	int st = 0;

	/* "HTTP/1.x NNN" and the byte after it (a space, or the line's end) */
	for (i = 0; i < len && i < 7; i++)
		if (buf[i] != pre[i])
			return -1;
	if (len < 13)
		return 0;
	if (buf[7] < '0' || buf[7] > '9' || buf[8] != ' ')
		return -1;
	for (i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		st = st * 10 + (buf[i] - '0');
	}
	if (buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n')
		return -1;
	return st >= 100 && st <= 599 ? st : -1;
}

enum hc_change
hc_result(struct hc_track *t, const struct hc_conf *c, bool ok)
{
	if (ok) {
		t->fail_run = 0;
		if (t->ok_run < UINT32_MAX)
			t->ok_run++;
		if (t->down && t->ok_run >= c->rise) {
			t->down = false;
			return HC_WENT_UP;
		}
	} else {
		t->ok_run = 0;
		if (t->fail_run < UINT32_MAX)
			t->fail_run++;
		if (!t->down && t->fail_run >= c->fall) {
			t->down = true;
			return HC_WENT_DOWN;
		}
	}
	return HC_SAME;
}
