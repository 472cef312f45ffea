/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for apps/tern-gen/http.c, tern-gen's streaming HTTP/1.x response parser:
 * bodies by Content-Length, by chunks and up to EOF, split anywhere, and the limit on the
 * response head (HTTP_HEAD_MAX), which is the status line and headers (and trailers), not
 * the chunk framing of the body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

/* Feed @p s in pieces of @p step bytes; @return the last rc (1, 0 or -1). */
static int
feed(struct http_resp *r, const char *s, size_t len, size_t step)
{
	size_t off = 0, used;
	int rc = 0;

	while (off < len) {
		size_t n = len - off < step ? len - off : step;
		rc = http_resp_feed(r, (const uint8_t *)s + off, n, &used);
		if (rc != 0)
			return rc;
		assert_int_equal(used, n);
		off += n;
	}
	return rc;
}

static void
test_content_length(void **state)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	struct http_resp r;
	size_t step;

	(void)state;
	for (step = 1; step <= sizeof(resp); step++) {
		http_resp_init(&r);
		assert_int_equal(feed(&r, resp, sizeof(resp) - 1, step), 1);
		assert_int_equal(r.status, 200);
		assert_int_equal(r.body, 5);
		assert_true(r.keepalive);
	}
}

/* A chunked body of many small chunks: its framing is body, not head. */
static void
test_chunked_many_chunks(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const char chunk[] = "10\r\n0123456789abcdef\r\n";
	const unsigned nchunks = 20000;
	size_t len = strlen(head) + nchunks * strlen(chunk) + 5, off, step;
	char *buf = malloc(len + 1);
	struct http_resp r;
	unsigned i;

	(void)state;
	assert_non_null(buf);
	off = (size_t)sprintf(buf, "%s", head);
	for (i = 0; i < nchunks; i++)
		off += (size_t)sprintf(buf + off, "%s", chunk);
	off += (size_t)sprintf(buf + off, "0\r\n\r\n");
	assert_int_equal(off, len);
	for (step = 1000; step <= 4096; step += 3096) {
		http_resp_init(&r);
		assert_int_equal(feed(&r, buf, len, step), 1);
		assert_int_equal(r.status, 200);
		assert_int_equal(r.body, (uint64_t)nchunks * 16);
	}
	free(buf);
}

/* A head beyond HTTP_HEAD_MAX is still refused. */
static void
test_head_too_long(void **state)
{
	static const char status[] = "HTTP/1.1 200 OK\r\n";
	static const char hdr[] = "X-Filler: 0123456789012345678901234567890123456789\r\n";
	size_t n = HTTP_HEAD_MAX / (sizeof(hdr) - 1) + 2, len, off, i;
	char *buf;
	struct http_resp r;

	(void)state;
	len = strlen(status) + n * strlen(hdr) + 2;
	buf = malloc(len + 1);
	assert_non_null(buf);
	off = (size_t)sprintf(buf, "%s", status);
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "%s", hdr);
	off += (size_t)sprintf(buf + off, "\r\n");
	http_resp_init(&r);
	assert_int_equal(feed(&r, buf, off, 4096), -1);
	free(buf);
}

/* Body up to the end of the connection. */
static void
test_body_eof(void **state)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\n\r\nabc";
	struct http_resp r;

	(void)state;
	http_resp_init(&r);
	assert_int_equal(feed(&r, resp, sizeof(resp) - 1, 7), 0);
	assert_int_equal(http_resp_eof(&r), 1);
	assert_int_equal(r.body, 3);
	assert_false(r.keepalive);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_content_length),
	        cmocka_unit_test(test_chunked_many_chunks),
	        cmocka_unit_test(test_head_too_long),
	        cmocka_unit_test(test_body_eof),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
