/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: tcp/xpool (issue 12), the index-addressed pool that grows on demand and
 * holds a connection's extension and buffers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mempool.h>

#include "test_helpers.h"
#include "tcp/xpool.h"

static int
setup(void **state)
{
	(void)state;
	return test_eal_pool() == NULL ? -1 : 0;
}

/* Nothing is allocated up front but the directory; objects come a chunk at a time, ids are
 * 1-based and distinct, an object keeps its bytes until given back, and the cap holds. */
static void
test_grows_by_chunk_to_cap(void **state)
{
	const uint32_t cap = 2 * XPOOL_CHUNK + 10;
	static uint32_t ids[2 * XPOOL_CHUNK + 10];
	struct xpool p;
	uint32_t i, j;

	(void)state;
	assert_int_equal(xpool_init(&p, "test_xpool", 64, cap, SOCKET_ID_ANY), 0);
	assert_int_equal(p.grown, 0);
	assert_int_equal(xpool_bytes(&p), 3 * sizeof(void *));
	for (i = 0; i < cap; i++) {
		ids[i] = xpool_get(&p);
		assert_int_not_equal(ids[i], 0);
		assert_true(ids[i] <= cap);
		memset(xpool_at(&p, ids[i]), (int)(i & 0xff), 64);
		/* grown by whole chunks (the last one only to the cap) */
		assert_int_equal(
		        p.grown, i < 2 * XPOOL_CHUNK ? (i / XPOOL_CHUNK + 1) * XPOOL_CHUNK : cap);
	}
	assert_int_equal(p.used, cap);
	assert_int_equal(xpool_get(&p), 0); /* at the cap */
	assert_int_equal(xpool_bytes(&p), 3 * sizeof(void *) + (size_t)64 * cap);
	for (i = 0; i < cap; i++) {
		const uint8_t *o = xpool_at(&p, ids[i]);
		for (j = 0; j < 64; j++)
			assert_int_equal(o[j], i & 0xff);
		for (j = 0; j < i; j += 97)
			assert_int_not_equal(ids[i], ids[j]);
	}
	/* given back: reused, most recent first, without growing */
	xpool_put(&p, ids[5]);
	xpool_put(&p, ids[300]);
	assert_int_equal(p.used, cap - 2);
	assert_int_equal(xpool_get(&p), ids[300]);
	assert_int_equal(xpool_get(&p), ids[5]);
	assert_int_equal(xpool_get(&p), 0);
	assert_int_equal(p.grown, cap);
	xpool_fini(&p);
	assert_null(p.chunk);
}

/* Objects are handed out lowest id first from a fresh chunk, so the pool's memory follows
 * the high-water mark; a second chunk comes only when the first is all in use. */
static void
test_high_water(void **state)
{
	struct xpool p;
	uint32_t a, b, i;

	(void)state;
	assert_int_equal(xpool_init(&p, "test_xpool", 8, 1u << 20, SOCKET_ID_ANY), 0);
	for (i = 0; i < 1000; i++) {
		a = xpool_get(&p);
		b = xpool_get(&p);
		assert_int_equal(a, 1);
		assert_int_equal(b, 2);
		xpool_put(&p, b);
		xpool_put(&p, a);
	}
	assert_int_equal(p.grown, XPOOL_CHUNK);
	assert_int_equal(p.used, 0);
	xpool_fini(&p);
}

static void
test_bad_args(void **state)
{
	struct xpool p;

	(void)state;
	assert_int_equal(xpool_init(&p, "test_xpool", 2, 10, SOCKET_ID_ANY), -EINVAL);
	assert_int_equal(xpool_init(&p, "test_xpool", 6, 10, SOCKET_ID_ANY), -EINVAL);
	assert_int_equal(xpool_init(&p, "test_xpool", 8, 0, SOCKET_ID_ANY), -EINVAL);
	xpool_fini(&p); /* harmless on a pool that failed to set up */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_grows_by_chunk_to_cap),
	        cmocka_unit_test(test_high_water),
	        cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
