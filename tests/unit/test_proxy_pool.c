/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for apps/tern-proxy/pool.c: smooth weighted round robin (exact shares and
 * spreading), Maglev (balance, the same client keeps its backend, removing one of N backends
 * moves about 1/N of the clients and only those of the removed one plus a few), CIDR rules;
 * and health.c: the --health-check syntax, the request, status lines, rise and fall.
 */
#include <setjmp.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "pool.h"

static void
test_swrr_shares(void **state)
{
	const uint32_t w[3] = {5, 1, 1};
	int64_t cur[3] = {0, 0, 0};
	unsigned count[3] = {0, 0, 0}, i;
	char seq[8];

	(void)state;
	/* The classic 5:1:1 example: a a b a c a a, spread, never b or c twice in a row. */
	for (i = 0; i < 7; i++) {
		int k = pool_swrr_pick(cur, w, 3, 0x7);
		assert_true(k >= 0 && k < 3);
		seq[i] = (char)('a' + k);
	}
	seq[7] = '\0';
	assert_string_equal(seq, "aabacaa");
	for (i = 0; i < 7000; i++)
		count[pool_swrr_pick(cur, w, 3, 0x7)]++;
	assert_int_equal(count[0], 5000);
	assert_int_equal(count[1], 1000);
	assert_int_equal(count[2], 1000);
}

static void
test_swrr_equal_is_rr(void **state)
{
	const uint32_t w[4] = {1, 1, 1, 1};
	int64_t cur[4] = {0};
	unsigned i;

	(void)state;
	for (i = 0; i < 12; i++)
		assert_int_equal(pool_swrr_pick(cur, w, 4, 0xf), (int)(i % 4));
}

static void
test_swrr_eligible(void **state)
{
	const uint32_t w[3] = {3, 2, 1};
	int64_t cur[3] = {0};
	unsigned count[3] = {0}, i;

	(void)state;
	assert_int_equal(pool_swrr_pick(cur, w, 3, 0), -1);
	for (i = 0; i < 400; i++) {
		int k = pool_swrr_pick(cur, w, 3, 0x5); /* 1 is out */
		assert_true(k == 0 || k == 2);
		count[k]++;
	}
	assert_int_equal(count[1], 0);
	assert_int_equal(count[0], 300);
	assert_int_equal(count[2], 100);
}

struct mtab {
	uint8_t t[POOL_MAGLEV_M];
	uint32_t next[POOL_MAX];
	uint64_t key[POOL_MAX];
	uint32_t w[POOL_MAX];
};

static struct mtab *
mtab_new(unsigned n)
{
	struct mtab *m = calloc(1, sizeof(*m));
	unsigned i;

	assert_non_null(m);
	for (i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "198.18.0.%u:80", 10 + i);
		m->key[i] = pool_name_key(name);
		m->w[i] = 1;
	}
	return m;
}

static void
test_maglev_balance(void **state)
{
	struct mtab *m = mtab_new(7);
	unsigned count[7] = {0}, i;

	(void)state;
	pool_maglev_build(m->t, m->next, m->key, m->w, 7, 0x7f);
	for (i = 0; i < POOL_MAGLEV_M; i++) {
		assert_true(m->t[i] < 7);
		count[m->t[i]]++;
	}
	for (i = 0; i < 7; i++) /* M/N give or take one */
		assert_true(count[i] >= POOL_MAGLEV_M / 7 - 1 && count[i] <= POOL_MAGLEV_M / 7 + 1);
	/* weights: 3:1 */
	m->w[0] = 3;
	pool_maglev_build(m->t, m->next, m->key, m->w, 2, 0x3);
	memset(count, 0, sizeof(count));
	for (i = 0; i < POOL_MAGLEV_M; i++)
		count[m->t[i]]++;
	assert_true(count[0] > POOL_MAGLEV_M * 74 / 100 && count[0] < POOL_MAGLEV_M * 76 / 100);
	/* nothing eligible */
	pool_maglev_build(m->t, m->next, m->key, m->w, 2, 0);
	assert_int_equal(pool_maglev_lookup(m->t, 12345), POOL_MAGLEV_NONE);
	free(m);
}

#define CLIENTS 20000

static uint8_t
client_backend(const struct mtab *m, unsigned c)
{
	struct pool_addr a = {.v4 = (10u << 24) + c * 7919u};

	return pool_maglev_lookup(m->t, pool_addr_hash(&a));
}

/* Same client, same backend; one of N removed: about 1/N of the clients move. */
static void
check_removal(unsigned n, unsigned gone)
{
	struct mtab *m = mtab_new(n);
	static uint8_t before[CLIENTS];
	uint64_t all = n == 64 ? ~0ull : (1ull << n) - 1;
	unsigned c, moved = 0, moved_other = 0, on_gone = 0;

	pool_maglev_build(m->t, m->next, m->key, m->w, n, all);
	for (c = 0; c < CLIENTS; c++) {
		before[c] = client_backend(m, c);
		assert_int_equal(client_backend(m, c), before[c]); /* stable lookup */
		on_gone += before[c] == gone;
	}
	/* the same table again (another engine, a reload with the same pool): no change */
	pool_maglev_build(m->t, m->next, m->key, m->w, n, all);
	for (c = 0; c < CLIENTS; c++)
		assert_int_equal(client_backend(m, c), before[c]);
	pool_maglev_build(m->t, m->next, m->key, m->w, n, all & ~(1ull << gone));
	for (c = 0; c < CLIENTS; c++) {
		uint8_t now = client_backend(m, c);
		assert_int_not_equal(now, gone);
		if (now != before[c]) {
			moved++;
			moved_other += before[c] != gone;
		}
	}
	print_message("maglev %u backends, #%u removed: %u of %u clients moved (%u were on it, "
	              "%u elsewhere)\n",
	        n, gone, moved, CLIENTS, on_gone, moved_other);
	/* every client of the removed backend moves, about 1/N of all ... */
	assert_true(moved >= on_gone);
	assert_true(on_gone > CLIENTS / n * 8 / 10 && on_gone < CLIENTS / n * 12 / 10);
	/* ... and few others (the paper measures a few percent of the table at most) */
	assert_true(moved_other < CLIENTS / 20);
	/* the backend comes back: the first table again */
	pool_maglev_build(m->t, m->next, m->key, m->w, n, all);
	for (c = 0; c < CLIENTS; c++)
		assert_int_equal(client_backend(m, c), before[c]);
	free(m);
}

static void
test_maglev_removal(void **state)
{
	(void)state;
	check_removal(3, 1);
	check_removal(5, 0);
	check_removal(10, 7);
	check_removal(64, 63);
}

/* The order of the backends does not matter: the same names give the same choices. */
static void
test_maglev_order(void **state)
{
	struct mtab *a = mtab_new(4), *b = mtab_new(4);
	unsigned c, i;

	(void)state;
	for (i = 0; i < 4; i++)
		b->key[i] = a->key[3 - i];
	pool_maglev_build(a->t, a->next, a->key, a->w, 4, 0xf);
	pool_maglev_build(b->t, b->next, b->key, b->w, 4, 0xf);
	/* a's backend i is b's 3 - i; the table depends on the turn order only where two
	 * backends want the same entry, so most clients agree */
	for (c = 0, i = 0; c < CLIENTS; c++)
		i += client_backend(a, c) == 3 - client_backend(b, c);
	assert_true(i > CLIENTS * 9 / 10);
	free(a);
	free(b);
}

static void
test_cidr(void **state)
{
	struct pool_cidr c;
	struct pool_addr a = {0}, b6 = {0};
	char buf[64];

	(void)state;
	assert_int_equal(pool_cidr_parse("198.18.0.0/24", &c), 0);
	assert_int_equal(c.len, 24);
	a.v4 = 0xc6120005; /* 198.18.0.5 */
	assert_true(pool_cidr_match(&c, &a));
	a.v4 = 0xc6120105;
	assert_false(pool_cidr_match(&c, &a));
	assert_int_equal(pool_cidr_parse("198.18.0.7", &c), 0);
	assert_int_equal(c.len, 32);
	a.v4 = 0xc6120007;
	assert_true(pool_cidr_match(&c, &a));
	a.v4 = 0xc6120006;
	assert_false(pool_cidr_match(&c, &a));
	assert_int_equal(pool_cidr_parse("0.0.0.0/0", &c), 0);
	assert_true(pool_cidr_match(&c, &a));
	assert_int_equal(pool_cidr_parse("10.1.2.3/8", &c), 0); /* host bits dropped */
	assert_int_equal(c.addr.v4, 10u << 24);
	assert_int_equal(pool_cidr_parse("10.0.0.0/33", &c), -1);
	assert_int_equal(pool_cidr_parse("10.0.0/8", &c), -1);
	assert_int_equal(pool_cidr_parse("10.0.0.0/", &c), -1);
	assert_int_equal(pool_cidr_parse("10.0.0.0/-1", &c), -1);
	assert_int_equal(pool_cidr_parse("", &c), -1);
	pool_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.6");

	/* IPv6: prefixes of any length, host bits dropped, never matching across families */
	b6.v6 = true;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:0:12::5", b6.b6), 1);
	assert_int_equal(pool_cidr_parse("2001:db8:0:12::/64", &c), 0);
	assert_int_equal(c.len, 64);
	assert_true(pool_cidr_match(&c, &b6));
	assert_int_equal(pool_cidr_parse("2001:db8:0:13::/64", &c), 0);
	assert_false(pool_cidr_match(&c, &b6));
	assert_int_equal(pool_cidr_parse("2001:db8::/29", &c), 0); /* a prefix inside a byte */
	assert_true(pool_cidr_match(&c, &b6));
	assert_int_equal(pool_cidr_parse("2001:dbf:ffff::1/29", &c), 0);
	assert_true(pool_cidr_match(&c, &b6));
	assert_int_equal(c.addr.b6[3], 0xb8);
	assert_int_equal(c.addr.b6[15], 0);
	assert_int_equal(pool_cidr_parse("2001:dc0::/29", &c), 0);
	assert_false(pool_cidr_match(&c, &b6));
	assert_int_equal(pool_cidr_parse("2001:db8:0:12::5", &c), 0);
	assert_int_equal(c.len, 128);
	assert_true(pool_cidr_match(&c, &b6));
	assert_int_equal(pool_cidr_parse("::/0", &c), 0);
	assert_true(pool_cidr_match(&c, &b6));
	assert_false(pool_cidr_match(&c, &a)); /* an IPv4 client is not in ::/0 */
	assert_int_equal(pool_cidr_parse("0.0.0.0/0", &c), 0);
	assert_false(pool_cidr_match(&c, &b6));
	assert_int_equal(pool_cidr_parse("2001:db8::/129", &c), -1);
	assert_int_equal(pool_cidr_parse("2001:db8:::1/64", &c), -1);
	pool_addr_format(&b6, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:0:12::5");
}

/* Connections per client: the limit, other addresses apart, freed slots reused, a full
 * table says so instead of limiting. */
static void
test_clients(void **state)
{
	struct pool_clients *t = calloc(1, sizeof(*t));
	struct pool_addr x = {.v4 = 0xc6120065}, y = {.v4 = 0xc6120066};
	unsigned i, full = 0, ok = 0;

	(void)state;
	assert_non_null(t);
	assert_int_equal(pool_clients_count(t, &x), 0);
	assert_int_equal(pool_clients_add(t, &x, 2), POOL_CLIENT_OK);
	assert_int_equal(pool_clients_add(t, &x, 2), POOL_CLIENT_OK);
	assert_int_equal(pool_clients_add(t, &x, 2), POOL_CLIENT_LIMIT);
	assert_int_equal(pool_clients_count(t, &x), 2);
	assert_int_equal(pool_clients_add(t, &y, 2), POOL_CLIENT_OK);
	assert_int_equal(pool_clients_count(t, &y), 1);
	pool_clients_del(t, &x);
	assert_int_equal(pool_clients_count(t, &x), 1);
	assert_int_equal(pool_clients_add(t, &x, 2), POOL_CLIENT_OK);
	assert_int_equal(pool_clients_add(t, &x, 2), POOL_CLIENT_LIMIT);
	pool_clients_del(t, &x);
	pool_clients_del(t, &x);
	pool_clients_del(t, &y);
	assert_int_equal(pool_clients_count(t, &x), 0);
	{
		/* IPv6 clients count per /64: two addresses of one prefix share the limit, an
		 * address of the next prefix does not */
		struct pool_addr h1 = {.v6 = true}, h2 = {.v6 = true}, h3 = {.v6 = true};

		assert_int_equal(inet_pton(AF_INET6, "2001:db8:0:7::1", h1.b6), 1);
		assert_int_equal(inet_pton(AF_INET6, "2001:db8:0:7::2:2", h2.b6), 1);
		assert_int_equal(inet_pton(AF_INET6, "2001:db8:0:8::1", h3.b6), 1);
		assert_int_equal(pool_clients_add(t, &h1, 2), POOL_CLIENT_OK);
		assert_int_equal(pool_clients_add(t, &h2, 2), POOL_CLIENT_OK);
		assert_int_equal(pool_clients_add(t, &h1, 2), POOL_CLIENT_LIMIT);
		assert_int_equal(pool_clients_count(t, &h2), 2);
		assert_int_equal(pool_clients_add(t, &h3, 2), POOL_CLIENT_OK);
		assert_int_equal(pool_clients_count(t, &h3), 1);
		assert_true(pool_addr_hash(&h1) != pool_addr_hash(&h2)); /* Maglev: per address */
		pool_clients_del(t, &h1);
		pool_clients_del(t, &h2);
		pool_clients_del(t, &h3);
		assert_int_equal(pool_clients_count(t, &h1), 0);
	}
	/* 100000 addresses, one connection each: the table fills (65536 slots) */
	for (i = 0; i < 100000; i++) {
		struct pool_addr a = {.v4 = 0x0a000000u + i};
		enum pool_client_verdict v = pool_clients_add(t, &a, 1);
		assert_true(v != POOL_CLIENT_LIMIT);
		ok += v == POOL_CLIENT_OK;
		full += v == POOL_CLIENT_FULL;
	}
	print_message("clients: %u counted, %u not (table full)\n", ok, full);
	assert_true(ok > 60000 && ok <= POOL_CLIENTS);
	assert_true(full >= 100000 - POOL_CLIENTS);
	for (i = 0; i < 100000; i++) { /* every counted one goes: the table is empty again */
		struct pool_addr a = {.v4 = 0x0a000000u + i};
		if (pool_clients_count(t, &a) == 1)
			pool_clients_del(t, &a);
	}
	for (i = 0; i < POOL_CLIENTS; i++)
		assert_int_equal((uint32_t)t->slot[i], 0);
	assert_int_equal(pool_clients_add(t, &x, 1), POOL_CLIENT_OK);
	free(t);
}

static void
test_health_parse(void **state)
{
	struct hc_conf c;
	char err[128], req[256];
	int n;

	(void)state;
	assert_int_equal(hc_parse("tcp", &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, HC_TCP);
	assert_int_equal(hc_parse("http:/health", &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, HC_HTTP);
	assert_string_equal(c.path, "/health");
	assert_int_equal(c.status, 200);
	/* the first '=' ends the path: "/a/b?x" and a status "1=204", refused */
	assert_int_equal(hc_parse("http:/a/b?x=1=204", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:/ok.txt=204", &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, "/ok.txt");
	assert_int_equal(c.status, 204);
	assert_int_equal(hc_parse("none", &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, HC_NONE);
	assert_int_equal(hc_parse("http:health", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:/x=99", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:/x=600", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:/x=", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:/a b", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("udp", &c, err, sizeof(err)), -1);
	assert_int_equal(hc_parse("http:/ok.txt", &c, err, sizeof(err)), 0);
	n = hc_request(&c, "198.18.0.2:80", req, sizeof(req));
	assert_true(n > 0);
	assert_string_equal(req,
	        "GET /ok.txt HTTP/1.0\r\nHost: 198.18.0.2:80\r\n"
	        "User-Agent: tern-proxy-health-check\r\nConnection: close\r\n\r\n");
	assert_int_equal(hc_request(&c, "198.18.0.2:80", req, 20), -1);
}

static void
test_health_status(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\n";

	(void)state;
	assert_int_equal(hc_status(ok, strlen(ok)), 200);
	assert_int_equal(hc_status("HTTP/1.0 404 Not Found", 22), 404);
	assert_int_equal(hc_status("HTTP/1.1 204\r\n", 14), 204);
	for (size_t n = 0; n < 13; n++) /* every cut before the status' end: more, please */
		assert_int_equal(hc_status(ok, n), 0);
	assert_int_equal(hc_status("SSH-2.0-OpenSSH", 15), -1);
	assert_int_equal(hc_status("HTTP/2 200 OK\r\n", 15), -1);
	assert_int_equal(hc_status("HTTP/1.1 20x OK", 15), -1);
	assert_int_equal(hc_status("HTTP/1.1 2000 OK", 16), -1);
	assert_int_equal(hc_status("HTTP/1.1 099 OK", 15), -1);
	assert_int_equal(hc_status("X", 1), -1);
}

static void
test_health_rise_fall(void **state)
{
	struct hc_conf c = {.type = HC_TCP, .rise = 2, .fall = 3};
	struct hc_track t = {0};

	(void)state;
	/* up at start; two failures are not enough, a pass in between starts again */
	assert_int_equal(hc_result(&t, &c, false), HC_SAME);
	assert_int_equal(hc_result(&t, &c, false), HC_SAME);
	assert_int_equal(hc_result(&t, &c, true), HC_SAME);
	assert_int_equal(hc_result(&t, &c, false), HC_SAME);
	assert_int_equal(hc_result(&t, &c, false), HC_SAME);
	assert_int_equal(hc_result(&t, &c, false), HC_WENT_DOWN);
	assert_true(t.down);
	assert_int_equal(hc_result(&t, &c, false), HC_SAME); /* once only */
	assert_int_equal(hc_result(&t, &c, true), HC_SAME);
	assert_int_equal(hc_result(&t, &c, false), HC_SAME);
	assert_int_equal(hc_result(&t, &c, true), HC_SAME);
	assert_int_equal(hc_result(&t, &c, true), HC_WENT_UP);
	assert_false(t.down);
	assert_int_equal(hc_result(&t, &c, true), HC_SAME);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_swrr_shares),
	        cmocka_unit_test(test_swrr_equal_is_rr),
	        cmocka_unit_test(test_swrr_eligible),
	        cmocka_unit_test(test_maglev_balance),
	        cmocka_unit_test(test_maglev_removal),
	        cmocka_unit_test(test_maglev_order),
	        cmocka_unit_test(test_cidr),
	        cmocka_unit_test(test_clients),
	        cmocka_unit_test(test_health_parse),
	        cmocka_unit_test(test_health_status),
	        cmocka_unit_test(test_health_rise_fall),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
