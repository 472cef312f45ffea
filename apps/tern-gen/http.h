/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A small streaming HTTP/1.x response parser for tern-gen: status line, the headers that
 * frame the body (Content-Length, Transfer-Encoding: chunked, Connection), then the body
 * by length, by chunks, or up to the end of the connection. Lines are read through a
 * fixed buffer (longer lines are truncated, which only matters for headers we ignore), so
 * a parser costs a few hundred bytes whatever the response.
 */
#ifndef TERN_GEN_HTTP_H
#define TERN_GEN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX 256
#define HTTP_HEAD_MAX 65536 /**< more head bytes (status, headers, trailers) than this: refused */

enum http_state {
	HTTP_STATUS = 0, /**< reading the status line */
	HTTP_HEADER,     /**< reading header lines */
	HTTP_BODY_LEN,   /**< Content-Length body */
	HTTP_BODY_EOF,   /**< body up to the end of the connection */
	HTTP_CHUNK_SIZE, /**< chunk-size line */
	HTTP_CHUNK_DATA, /**< chunk bytes */
	HTTP_CHUNK_END,  /**< the CRLF after a chunk */
	HTTP_TRAILER,    /**< trailer lines after the last chunk */
	HTTP_DONE,
	HTTP_ERROR,
};

struct http_resp {
	uint8_t state; /**< enum http_state */
	bool chunked;
	bool has_len;
	bool keepalive; /**< the server keeps the connection open after this response */
	bool http11;
	uint16_t status;
	uint16_t llen;   /**< bytes in line[] */
	uint32_t hbytes; /**< head bytes so far (not the chunk framing) */
	uint64_t left;   /**< body or chunk bytes still to come */
	uint64_t body;   /**< body bytes seen (without chunk framing) */
	char line[HTTP_LINE_MAX];
};

/** Start parsing a new response. */
void http_resp_init(struct http_resp *r);

/**
 * Feed @p n bytes. @p *used tells how many were consumed (fewer than @p n only when the
 * response completed; the rest is not part of it).
 * @return 1 when the response is complete, 0 when more is needed, -1 when it is malformed.
 */
int http_resp_feed(struct http_resp *r, const uint8_t *p, size_t n, size_t *used);

/**
 * The connection ended (EOF). @return 1 when that completes the response (a body delimited
 * by the end of the connection), -1 otherwise (truncated).
 */
int http_resp_eof(struct http_resp *r);

/**
 * Write a GET request for @p path to @p host into @p buf.
 * @return its length, or -1 when it does not fit in @p len.
 */
int http_request(char *buf, size_t len, const char *host, const char *path, bool keepalive);

#endif
