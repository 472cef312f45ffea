/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HTTP/1.x request head parser of tern-http (RFC 9112 §2-§3, §6; RFC 9110 §7.6.1): pure,
 * no state between calls. The caller accumulates bytes and calls http_req_parse() on what
 * it has until the head is complete; split reads are therefore no concern here.
 */
#ifndef TERN_HTTP_REQ_H
#define TERN_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Outcome of http_req_parse(). */
enum http_req_status {
	HTTP_REQ_OK = 0,      /**< a complete, valid head */
	HTTP_REQ_PARTIAL,     /**< no end of head yet: read more */
	HTTP_REQ_BAD,         /**< malformed: answer 400 and close */
	HTTP_REQ_VERSION,     /**< HTTP/x.y other than 1.0 / 1.1: 505 and close */
	HTTP_REQ_UNSUPPORTED, /**< Transfer-Encoding in a request: 501 and close */
};

/** A parsed request head. */
struct http_req {
	size_t head_len;         /**< bytes of the head, its empty line included */
	uint8_t minor;           /**< HTTP/1.minor */
	bool head;               /**< method HEAD: no body in the response */
	bool keep_alive;         /**< the connection persists after the response (§9.3) */
	uint64_t content_length; /**< request body bytes that follow the head */
};

/**
 * Parse the request head at the start of @p buf (@p len bytes). Empty lines before the
 * request line are skipped (RFC 9112 §2.2); lines may end in CRLF or a bare LF.
 * @return HTTP_REQ_OK with @p r filled, HTTP_REQ_PARTIAL, or an error status.
 */
enum http_req_status http_req_parse(const char *buf, size_t len, struct http_req *r);

#endif
