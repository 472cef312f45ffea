/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.x request head parser (RFC 9112). Strict where it matters to a load-test
 * responder: the request line must be METHOD SP TARGET SP HTTP/D.D, header names are
 * tokens directly followed by ':', Content-Length is digits only and agrees with itself,
 * Transfer-Encoding is refused. Connection tokens decide persistence (RFC 9112 §9.3).
 */
#include <string.h>
#include <strings.h>

#include "req.h"

#define MAX_CONTENT_LENGTH (1ull << 40)

/* tchar (RFC 9110 §5.6.2) */
static bool
is_tchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* One line of [p, end): its length without the terminator, and where the next begins. */
static const char *
next_line(const char *p, const char *end, size_t *llen)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL)
		return NULL;
	*llen = (size_t)(nl - p);
	if (*llen > 0 && p[*llen - 1] == '\r')
		(*llen)--;
	return nl + 1;
}

static bool
token_eq(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

/* Connection: a comma-separated list of tokens. */
static void
connection_tokens(const char *v, size_t n, bool *close, bool *keep)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (token_eq(v + s, e - s, "close"))
			*close = true;
		else if (token_eq(v + s, e - s, "keep-alive"))
			*keep = true;
	}
}

static enum http_req_status
request_line(const char *p, size_t n, struct http_req *r)
{
	const char *sp1, *sp2, *v;
	size_t i;

	sp1 = memchr(p, ' ', n);
	if (sp1 == NULL || sp1 == p)
		return HTTP_REQ_BAD;
	for (i = 0; p + i < sp1; i++)
		if (!is_tchar((unsigned char)p[i]))
			return HTTP_REQ_BAD;
	r->head = (size_t)(sp1 - p) == 4 && memcmp(p, "HEAD", 4) == 0;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return HTTP_REQ_BAD;
	for (v = sp1 + 1; v < sp2; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return HTTP_REQ_BAD;
	v = sp2 + 1;
	if ((size_t)(p + n - v) != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
	        v[6] != '.' || v[7] < '0' || v[7] > '9')
		return HTTP_REQ_BAD;
	if (v[5] != '1' || v[7] > '1')
		return HTTP_REQ_VERSION;
	r->minor = (uint8_t)(v[7] - '0');
	return HTTP_REQ_OK;
}

enum http_req_status
http_req_parse(const char *buf, size_t len, struct http_req *r)
{
	const char *p = buf, *end = buf + len, *next;
	bool close = false, keep = false, have_cl = false;
	enum http_req_status st;
	size_t n;

	memset(r, 0, sizeof(*r));
	/* Empty lines before the request line are ignored (RFC 9112 §2.2). */
	for (;;) {
		next = next_line(p, end, &n);
		if (next == NULL)
			return HTTP_REQ_PARTIAL;
		if (n > 0)
			break;
		p = next;
	}
	st = request_line(p, n, r);
	if (st != HTTP_REQ_OK)
		return st;
	p = next;
	for (;;) {
		const char *colon, *v, *ve;

		next = next_line(p, end, &n);
		if (next == NULL)
			return HTTP_REQ_PARTIAL;
		if (n == 0)
			break; /* the empty line ends the head */
		colon = memchr(p, ':', n);
		if (colon == NULL || colon == p)
			return HTTP_REQ_BAD;
		for (v = p; v < colon; v++)
			if (!is_tchar((unsigned char)*v))
				return HTTP_REQ_BAD; /* also whitespace before ':' (RFC 9112 §5.1)
				                      */
		v = colon + 1;
		ve = p + n;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (token_eq(p, (size_t)(colon - p), "connection")) {
			connection_tokens(v, (size_t)(ve - v), &close, &keep);
		} else if (token_eq(p, (size_t)(colon - p), "content-length")) {
			uint64_t cl = 0;
			const char *d;
			if (v == ve)
				return HTTP_REQ_BAD;
			for (d = v; d < ve; d++) {
				if (*d < '0' || *d > '9')
					return HTTP_REQ_BAD;
				cl = cl * 10 + (uint64_t)(*d - '0');
				if (cl > MAX_CONTENT_LENGTH)
					return HTTP_REQ_BAD;
			}
			if (have_cl && cl != r->content_length)
				return HTTP_REQ_BAD; /* RFC 9112 §6.3 item 5 */
			have_cl = true;
			r->content_length = cl;
		} else if (token_eq(p, (size_t)(colon - p), "transfer-encoding")) {
			return HTTP_REQ_UNSUPPORTED;
		}
		p = next;
	}
	r->head_len = (size_t)(next - buf);
	/* RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
	r->keep_alive = r->minor >= 1 ? !close : (keep && !close);
	return HTTP_REQ_OK;
}
