/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming HTTP/1.x response parser (RFC 9112 §4 status line, §6 message body length:
 * no body for 1xx/204/304; chunked wins over Content-Length; otherwise Content-Length;
 * otherwise the body runs to the end of the connection). Interim 1xx responses are
 * skipped. See http.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->state = HTTP_STATUS;
}

/* Case-insensitive "Name:" match; returns the value (leading blanks skipped) or NULL. */
static const char *
header_value(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Does the comma-separated list @p v contain token @p tok (case-insensitive)? */
static bool
has_token(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	while (*v != '\0') {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (strncasecmp(v, tok, n) == 0 &&
		        (v[n] == '\0' || v[n] == ',' || v[n] == ' ' || v[n] == '\t'))
			return true;
		while (*v != '\0' && *v != ',')
			v++;
	}
	return false;
}

static int
parse_status(struct http_resp *r)
{
	const char *l = r->line;
	char *end;
	unsigned long code;

	if (strncmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ')
		return -1;
	r->http11 = l[7] == '1';
	code = strtoul(l + 9, &end, 10);
	if (end != l + 12 || code < 100 || code > 999 || (*end != ' ' && *end != '\0'))
		return -1;
	r->status = (uint16_t)code;
	r->keepalive = r->http11; /* HTTP/1.1 persists unless "Connection: close" */
	return 0;
}

static int
parse_header(struct http_resp *r)
{
	const char *v;
	char *end;

	if ((v = header_value(r->line, "Content-Length")) != NULL) {
		unsigned long long n;
		if (!isdigit((unsigned char)*v))
			return -1;
		n = strtoull(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0' || (r->has_len && n != r->left))
			return -1;
		r->has_len = true;
		r->left = n;
	} else if ((v = header_value(r->line, "Transfer-Encoding")) != NULL) {
		if (has_token(v, "chunked"))
			r->chunked = true;
	} else if ((v = header_value(r->line, "Connection")) != NULL) {
		if (has_token(v, "close"))
			r->keepalive = false;
		else if (has_token(v, "keep-alive"))
			r->keepalive = true;
	}
	return 0;
}

/* The header block ended: choose how the body is delimited. */
static int
headers_done(struct http_resp *r)
{
	if (r->status >= 100 && r->status < 200) {
		/* Interim response (100 Continue...): the real one follows. 101 is not ours. */
		if (r->status == 101)
			return -1;
		r->state = HTTP_STATUS;
		r->has_len = r->chunked = false;
		r->left = 0;
		return 0;
	}
	if (r->status == 204 || r->status == 304) {
		r->state = HTTP_DONE;
		return 1;
	}
	if (r->chunked) {
		r->state = HTTP_CHUNK_SIZE;
		return 0;
	}
	if (r->has_len) {
		r->state = r->left == 0 ? HTTP_DONE : HTTP_BODY_LEN;
		return r->state == HTTP_DONE;
	}
	r->state = HTTP_BODY_EOF;
	r->keepalive = false;
	return 0;
}

/* A complete line is in r->line (CR stripped). @return 1 done, 0 more, -1 error. */
static int
on_line(struct http_resp *r)
{
	char *end;
	unsigned long long n;

	switch (r->state) {
	case HTTP_STATUS:
		if (r->llen == 0)
			return 0; /* RFC 9112 §2.2: tolerate empty lines before the status line */
		if (parse_status(r) != 0)
			return -1;
		r->state = HTTP_HEADER;
		return 0;
	case HTTP_HEADER:
		if (r->llen == 0)
			return headers_done(r);
		return parse_header(r);
	case HTTP_CHUNK_SIZE:
		if (!isxdigit((unsigned char)r->line[0]))
			return -1;
		n = strtoull(r->line, &end, 16);
		if (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t')
			return -1;
		if (n == 0) {
			r->state = HTTP_TRAILER;
			return 0;
		}
		r->left = n;
		r->state = HTTP_CHUNK_DATA;
		return 0;
	case HTTP_CHUNK_END:
		if (r->llen != 0)
			return -1;
		r->state = HTTP_CHUNK_SIZE;
		return 0;
	case HTTP_TRAILER:
		if (r->llen == 0) {
			r->state = HTTP_DONE;
			return 1;
		}
		return 0;
	default:
		return -1;
	}
}

static bool
line_state(uint8_t s)
{
	return s == HTTP_STATUS || s == HTTP_HEADER || s == HTTP_CHUNK_SIZE ||
	       s == HTTP_CHUNK_END || s == HTTP_TRAILER;
}

static bool
chunk_framing(uint8_t s)
{
	return s == HTTP_CHUNK_SIZE || s == HTTP_CHUNK_END;
}

int
http_resp_feed(struct http_resp *r, const uint8_t *p, size_t n, size_t *used)
{
	size_t i = 0;
	int rc;

	while (i < n) {
		if (r->state == HTTP_DONE)
			break;
		if (r->state == HTTP_ERROR) {
			*used = i;
			return -1;
		}
		if (line_state(r->state)) {
			uint8_t c = p[i++];
			/* The head (status line, headers, trailers) is limited; the chunk framing
			 * is the body's, and a body may have any number of chunks. */
			if (!chunk_framing(r->state) && ++r->hbytes > HTTP_HEAD_MAX) {
				r->state = HTTP_ERROR;
				continue;
			}
			if (c == '\n') {
				if (r->llen > 0 && r->line[r->llen - 1] == '\r')
					r->llen--;
				r->line[r->llen] = '\0';
				rc = on_line(r);
				r->llen = 0;
				if (rc < 0)
					r->state = HTTP_ERROR;
				continue;
			}
			if (r->llen < HTTP_LINE_MAX - 1)
				r->line[r->llen++] = (char)c;
			continue;
		}
		/* Body bytes. */
		if (r->state == HTTP_BODY_EOF) {
			r->body += n - i;
			i = n;
			break;
		}
		{
			size_t take = n - i;
			if (take > r->left)
				take = (size_t)r->left;
			r->left -= take;
			r->body += take;
			i += take;
			if (r->left == 0)
				r->state = r->state == HTTP_CHUNK_DATA ? HTTP_CHUNK_END : HTTP_DONE;
		}
	}
	*used = i;
	if (r->state == HTTP_ERROR)
		return -1;
	return r->state == HTTP_DONE ? 1 : 0;
}

int
http_resp_eof(struct http_resp *r)
{
	if (r->state == HTTP_BODY_EOF) {
		r->state = HTTP_DONE;
		return 1;
	}
	return r->state == HTTP_DONE ? 1 : -1;
}

int
http_request(char *buf, size_t len, const char *host, const char *path, bool keepalive)
{
	int n = snprintf(buf, len,
	        "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tern-gen\r\nAccept: */*\r\n%s\r\n",
	        path, host, keepalive ? "" : "Connection: close\r\n");

	return n < 0 || (size_t)n >= len ? -1 : n;
}
