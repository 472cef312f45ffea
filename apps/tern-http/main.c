/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern-http: HTTP/1.1 responder for load tests. Every request gets 200 with the same
 * body of --body-size bytes; byte i of the body is HTTP_PATTERN[i % 64], so a client can
 * check it. HEAD gets the headers only.
 *
 * Per connection: the request head accumulates in a buffer of --max-header bytes (split
 * reads are the normal case) and is parsed once its empty line is in (req.c). Requests are
 * answered in order, one at a time: while a response is being queued nothing more is read,
 * so pipelined requests wait in the receive buffer and a client that does not read its
 * responses sees the window close. Persistence per RFC 9112 §9.3 (1.1 unless "close", 1.0
 * only with "keep-alive"). Errors: 400 (malformed), 431 (head beyond --max-header), 501
 * (Transfer-Encoding), 505 (HTTP version), each followed by a close.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "app.h"
#include "req.h"

/** Body byte i is HTTP_PATTERN[i % 64]. */
static const char HTTP_PATTERN[65] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n";

#define PATBUF (64 * 1024) /* the pattern, repeated: body pieces are sent from here */

/** Per-engine counters (read by the main lcore for the stats line); each engine writes only
 *  its own, on a cache line of its own. */
struct http_ctr {
	uint64_t requests; /**< 200 responses queued completely */
	uint64_t errors;   /**< 4xx/5xx responses */
	uint64_t body_bytes;
	uint64_t conns;
} __rte_cache_aligned;

struct http {
	uint16_t port;
	uint64_t body_size;
	uint32_t max_header;
	struct http_ctr ctr[RTE_MAX_LCORE];
	uint64_t prev_requests;
	struct app_closes closed[TERN_PORT_MAX_QUEUES]; /**< per engine */
	char pat[PATBUF];
};

/** One connection. */
struct hconn {
	struct http_ctr *ctr;
	char resp[256]; /**< response head being queued */
	uint16_t resp_len;
	uint16_t resp_off;
	uint64_t body_left; /**< body bytes still to queue */
	uint64_t body_off;  /**< body offset of the next byte */
	uint64_t discard;   /**< request body bytes still to skip */
	bool busy;          /**< a response is being queued */
	bool ok;            /**< it is a 200 (counted once queued completely) */
	bool close_after;   /**< close once the response is queued */
	bool lingering;     /**< our FIN is queued: dropping what the client sends until its */
	bool closing;       /**< tern_conn_close() called */
	uint64_t lingered;  /**< bytes dropped while lingering */
	uint32_t hlen;      /**< bytes in hbuf */
	char hbuf[];        /**< the request head so far (max_header bytes) */
};

static void
respond(struct hconn *h, struct http *hs, int status, const struct http_req *r)
{
	const char *reason = status == 200   ? "OK"
	                     : status == 400 ? "Bad Request"
	                     : status == 431 ? "Request Header Fields Too Large"
	                     : status == 501 ? "Not Implemented"
	                                     : "HTTP Version Not Supported";
	bool keep = status == 200 && r->keep_alive;
	uint64_t clen = status == 200 ? hs->body_size : 0;
	int n;

	n = snprintf(h->resp, sizeof(h->resp),
	        "HTTP/1.1 %d %s\r\nServer: tern-http\r\nContent-Type: application/octet-stream\r\n"
	        "Content-Length: %" PRIu64 "\r\nConnection: %s\r\n\r\n",
	        status, reason, clen, keep ? "keep-alive" : "close");
	h->resp_len = (uint16_t)n;
	h->resp_off = 0;
	h->body_left = status == 200 && !r->head ? hs->body_size : 0;
	h->body_off = 0;
	h->close_after = !keep;
	h->busy = true;
	h->ok = status == 200;
	if (status != 200)
		h->ctr->errors++;
}

/* Queue what the send buffer takes of the current response. @return true when complete. */
static bool
send_response(struct tern_conn *c, struct hconn *h, struct http *hs)
{
	ssize_t n;

	while (h->resp_off < h->resp_len) {
		n = tern_conn_send(c, h->resp + h->resp_off, h->resp_len - h->resp_off);
		if (n <= 0)
			return false; /* full, or no mbufs: writable follows */
		h->resp_off = (uint16_t)(h->resp_off + n);
	}
	while (h->body_left > 0) {
		size_t start = (size_t)(h->body_off % 64);
		size_t len = PATBUF - 64;
		if (len > h->body_left)
			len = (size_t)h->body_left;
		n = tern_conn_send(c, hs->pat + start, len);
		if (n <= 0)
			return false;
		h->body_off += (uint64_t)n;
		h->body_left -= (uint64_t)n;
		h->ctr->body_bytes += (uint64_t)n;
	}
	return true;
}

/* Drop what is left to read, then close gracefully (no RST for unread data). */
static void
close_conn(struct tern_conn *c, struct hconn *h)
{
	char scratch[4096];

	while (tern_conn_recv(c, scratch, sizeof(scratch)) > 0)
		;
	h->closing = true;
	tern_conn_close(c);
}

/* Bytes a lingering close drops at most before it closes anyway (the client keeps sending
 * after our FIN: a RST then ends it). */
#define LINGER_MAX (4u << 20)

/* Lingering: drop what the client sends until its FIN, then close. */
static void
linger(struct tern_conn *c, struct hconn *h)
{
	char scratch[4096];
	ssize_t n;

	while ((n = tern_conn_recv(c, scratch, sizeof(scratch))) > 0) {
		h->lingered += (uint64_t)n;
		if (h->lingered > LINGER_MAX)
			break;
	}
	if (n == -EAGAIN)
		return;
	h->closing = true;
	tern_conn_close(c);
}

/*
 * After a response that ends the connection: our FIN goes after it at once, and what the
 * client still sends (the rest of a request, pipelined requests) is read and dropped until
 * its own FIN, so that the close is never a RST for unread data (as a server's lingering
 * close, RFC 9112 §9.6).
 */
static void
linger_close(struct tern_conn *c, struct hconn *h)
{
	h->lingering = true;
	tern_conn_shutdown(c);
	linger(c, h);
}

static void
pump(struct tern_conn *c, struct hconn *h, struct http *hs)
{
	struct http_req r;

	if (h->lingering && !h->closing)
		linger(c, h);
	while (!h->closing && !h->lingering) {
		enum http_req_status st;
		ssize_t n;

		if (h->busy) {
			if (!send_response(c, h, hs))
				return;
			h->busy = false;
			if (h->ok)
				h->ctr->requests++;
		}
		/* A close-bound response is out: the request's body is read first (it was
		 * declared), then the lingering close. */
		if (h->close_after && h->discard == 0) {
			linger_close(c, h);
			return;
		}
		/* Skip a request body: first what is buffered, then from the connection. */
		if (h->discard > 0) {
			if (h->hlen > 0) {
				uint32_t k = h->discard < h->hlen ? (uint32_t)h->discard : h->hlen;
				memmove(h->hbuf, h->hbuf + k, h->hlen - k);
				h->hlen -= k;
				h->discard -= k;
			} else {
				size_t want = h->discard < hs->max_header ? (size_t)h->discard
				                                          : hs->max_header;
				n = tern_conn_recv(c, h->hbuf, want);
				if (n == -EAGAIN)
					return;
				if (n <= 0) {
					close_conn(c, h);
					return;
				}
				h->discard -= (uint64_t)n;
			}
			continue;
		}
		if (h->hlen > 0) {
			st = http_req_parse(h->hbuf, h->hlen, &r);
			if (st == HTTP_REQ_OK) {
				memmove(h->hbuf, h->hbuf + r.head_len, h->hlen - r.head_len);
				h->hlen -= (uint32_t)r.head_len;
				h->discard = r.content_length;
				respond(h, hs, 200, &r);
				continue;
			}
			if (st != HTTP_REQ_PARTIAL) {
				memset(&r, 0, sizeof(r));
				respond(h, hs,
				        st == HTTP_REQ_BAD       ? 400
				        : st == HTTP_REQ_VERSION ? 505
				                                 : 501,
				        &r);
				continue;
			}
			if (h->hlen == hs->max_header) {
				memset(&r, 0, sizeof(r));
				respond(h, hs, 431, &r);
				continue;
			}
		}
		n = tern_conn_recv(c, h->hbuf + h->hlen, hs->max_header - h->hlen);
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			/* The client closed (mid-request or between requests). */
			close_conn(c, h);
			return;
		}
		h->hlen += (uint32_t)n;
	}
}

static void
on_accepted(struct tern_conn *c, void *app)
{
	struct http *hs = app;
	struct hconn *h = calloc(1, sizeof(*h) + hs->max_header);

	if (h == NULL) {
		tern_conn_abort(c);
		return;
	}
	h->ctr = &hs->ctr[tern_engine_id(tern_conn_engine(c))];
	h->ctr->conns++;
	tern_conn_set_udata(c, h);
	pump(c, h, hs);
}

static void
on_event(struct tern_conn *c, void *app)
{
	struct hconn *h = tern_conn_udata(c);

	if (h != NULL)
		pump(c, h, app);
}

static void
on_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct http *hs = app;

	app_closes_count(hs->closed, c, why);
	free(tern_conn_udata(c));
	tern_conn_set_udata(c, NULL);
}

static int
http_setup(struct tern_engine *e, void *app)
{
	struct http *hs = app;

	return tern_listen(e, hs->port, 0);
}

static struct http_ctr
sum(const struct app *a, const struct http *hs)
{
	struct http_ctr t = {0};
	unsigned i;

	for (i = 0; i < a->nengines; i++) {
		t.requests += hs->ctr[i].requests;
		t.errors += hs->ctr[i].errors;
		t.body_bytes += hs->ctr[i].body_bytes;
		t.conns += hs->ctr[i].conns;
	}
	return t;
}

static void
stats_extra(const struct app *a, FILE *out, double secs, bool final)
{
	struct http *hs = a->app;
	struct http_ctr t = sum(a, hs);

	fprintf(out, " | requests %" PRIu64 " (%.0f/s) errors %" PRIu64 " body %.1f MB", t.requests,
	        (double)(final ? t.requests : t.requests - hs->prev_requests) / secs, t.errors,
	        (double)t.body_bytes / 1e6);
	if (!final)
		hs->prev_requests = t.requests;
}

/* --metrics: the stats line's figures. */
static void
http_metrics(const struct app *a, FILE *out)
{
	struct http_ctr t = sum(a, a->app);

	app_metric_head(
	        out, "tern_http_requests_total", "counter", "200 responses queued completely");
	fprintf(out, "tern_http_requests_total %" PRIu64 "\n", t.requests);
	app_metric_head(out, "tern_http_errors_total", "counter", "4xx and 5xx responses");
	fprintf(out, "tern_http_errors_total %" PRIu64 "\n", t.errors);
	app_metric_head(out, "tern_http_body_bytes_total", "counter", "response body bytes queued");
	fprintf(out, "tern_http_body_bytes_total %" PRIu64 "\n", t.body_bytes);
	app_metric_head(out, "tern_http_connections_total", "counter", "connections accepted");
	fprintf(out, "tern_http_connections_total %" PRIu64 "\n", t.conns);
}

static void
usage(void)
{
	printf("Usage: tern-http [EAL options] -- --ip A.B.C.D/LEN --listen PORT --body-size BYTES "
	       "[options]\n"
	       "HTTP/1.1 responder for load tests: every request gets 200 and BYTES of body;\n"
	       "body byte i is \"%.62s.\\n\"[i %% 64].\n\n"
	       "  --listen PORT         TCP port (required)\n"
	       "  --body-size BYTES     response body length, 0..1099511627776 (required)\n"
	       "  --max-header BYTES    longest request head, 256..1048576 (default 8192);\n"
	       "                        beyond it the answer is 431 and the connection closes\n\n"
	       "%s",
	        HTTP_PATTERN, app_common_usage);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {APP_COMMON_OPTS,
	        {"listen", required_argument, 0, 'l'}, {"body-size", required_argument, 0, 'b'},
	        {"max-header", required_argument, 0, 'm'}, {0, 0, 0, 0}};
	static const struct tern_callbacks cb = {.accepted = on_accepted,
	        .readable = on_event,
	        .writable = on_event,
	        .closed = on_closed};
	/* Cache-line aligned per-engine counters inside: aligned allocation. */
	struct http *hs = aligned_alloc(
	        RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*hs), RTE_CACHE_LINE_SIZE));
	struct app a = {.name = "tern-http", .cb = &cb, .setup = http_setup, .abort_on_stop = true};
	bool have_body = false;
	char ready[96];
	uint64_t v;
	int opt, rc;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (hs == NULL) {
		fprintf(stderr, "tern-http: out of memory\n");
		return 1;
	}
	memset(hs, 0, sizeof(*hs));
	a.app = hs;
	a.stats_extra = stats_extra;
	a.metrics = http_metrics;
	hs->max_header = 8192;
	for (i = 0; i < PATBUF; i++)
		hs->pat[i] = HTTP_PATTERN[i % 64];
	if (app_scan_args(&a, argc, argv)) {
		usage();
		return 0;
	}
	app_eal_init(&a, &argc, &argv);
	while ((opt = app_next_opt(&a, argc, argv, longopts)) != -1) {
		switch (opt) {
		case 'l':
			hs->port = app_parse_listen(&a, optarg);
			break;
		case 'b':
			if (app_parse_u64(optarg, 0, 1ull << 40, &v) != 0)
				app_usage_error(&a,
				        "--body-size '%s': expected bytes, 0..1099511627776",
				        optarg);
			hs->body_size = v;
			have_body = true;
			break;
		case 'm':
			if (app_parse_u64(optarg, 256, 1u << 20, &v) != 0)
				app_usage_error(&a,
				        "--max-header '%s': expected bytes, 256..1048576", optarg);
			hs->max_header = (uint32_t)v;
			break;
		case 'h':
			usage();
			return 0;
		default:
			app_usage_error(&a, "unexpected option");
		}
	}
	app_no_leftover(&a, argc, argv);
	if (hs->port == 0)
		app_usage_error(&a, "--listen PORT is required");
	if (!have_body)
		app_usage_error(&a, "--body-size BYTES is required");
	snprintf(ready, sizeof(ready), "http on port %u, body %" PRIu64 " bytes", hs->port,
	        hs->body_size);
	a.ready_msg = ready;
	rc = app_run(&a);
	if (rc == 0)
		app_closes_print("tern-http", hs->closed);
	rte_eal_cleanup();
	free(hs);
	return rc;
}
