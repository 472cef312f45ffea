/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory per connection (issue 12): what one engine holds for each established
 * connection, TIME_WAIT entry and SYN queue entry, all tables included, at 1,000,000 of
 * each. tern allocates its pools and tables once at tern_engine_create(), sized by
 * max_conns, max_tw and synq_size, and never grows them: so the figure is the growth of
 * the DPDK heap between an engine sized 1 and one sized N for that kind (the others kept
 * at their minimum), divided by N. What an idle established connection holds beyond its
 * block is nothing (empty buffers hold no mbufs); a connection with unread or unacknowledged
 * data holds its mbufs on top (2 KiB each).
 *
 * Linux, on this machine, from /proc/slabinfo object sizes: an established socket is a
 * TCP object plus, for a socket an application holds, sock_inode_cache + filp + dentry;
 * a TIME_WAIT entry is a tw_sock_TCP; a half-open one a request_sock_TCP (hash tables
 * not included). Printed beside tern's for comparison; "n/a" when slabinfo is unreadable.
 *
 * usage: bench_mem [--count N]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <tern/tern.h>

#include "bench.h"

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats s;
	size_t used = 0;
	int sock;

	for (sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &s) == 0)
			used += s.heap_allocsz_bytes;
	return used;
}

enum kind { CONNS, TW, SYNQ };

/* Heap bytes an engine with @p n of @p kind (1 of the others) holds. */
static size_t
engine_bytes(struct rte_mempool *pool, enum kind kind, uint32_t n)
{
	struct tern_engine_conf c;
	struct tern_engine *e;
	size_t before, after;

	memset(&c, 0, sizeof(c));
	c.ip = 0xc6120101u;
	c.mac[0] = 2;
	c.pool = pool;
	c.io.rx_burst = bench_no_rx;
	c.io.tx_burst = bench_no_tx;
	c.max_conns = kind == CONNS ? n : 1;
	c.max_tw = kind == TW ? n : 1;
	c.synq_size = kind == SYNQ ? n : 1;
	c.reass_segs = 1;
	before = heap_used();
	e = tern_engine_create(&c);
	if (e == NULL) {
		fprintf(stderr, "bench_mem: engine with %u: %s\n", n, rte_strerror(rte_errno));
		exit(1);
	}
	after = heap_used();
	tern_engine_destroy(e);
	return after - before;
}

/* Object size of slab @p name, 0 when unknown. */
static unsigned
slab(const char *name)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], n[64];
	unsigned active, total, objsize, size = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %u %u %u", n, &active, &total, &objsize) == 4 &&
		        strcmp(n, name) == 0)
			size = objsize;
	fclose(f);
	return size;
}

static void
row(const char *what, double tern, unsigned linux_b, const char *linux_what)
{
	if (linux_b)
		printf("%-28s %8.1f B   %6u B  (%s)  tern/Linux %.2f\n", what, tern, linux_b,
		        linux_what, tern / linux_b);
	else
		printf("%-28s %8.1f B   %6s\n", what, tern, "n/a");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"count", required_argument, 0, 'n'}, {0, 0, 0, 0}};
	char prefix[64];
	char *eal[] = {"bench_mem", "-l", "0", "--no-huge", "-m", "4096", "--no-pci", "--no-shconf",
	        prefix, "--log-level=*:error", "--no-telemetry", NULL};
	uint32_t n = 1000000;
	struct rte_mempool *pool;
	double conn, tw, sq;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'n') {
			fprintf(stderr, "usage: bench_mem [--count N]\n");
			return 2;
		}
		n = (uint32_t)bench_parse_u64("bench_mem", optarg, "--count", 16u << 20);
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench-mem-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "bench_mem: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("mem_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return 1;
	conn = (double)(engine_bytes(pool, CONNS, n) - engine_bytes(pool, CONNS, 1)) / (n - 1);
	tw = (double)(engine_bytes(pool, TW, n) - engine_bytes(pool, TW, 1)) / (n - 1);
	sq = (double)(engine_bytes(pool, SYNQ, n) - engine_bytes(pool, SYNQ, 1)) / (n - 1);
	printf("# bench_mem: heap bytes per entry, engine sized %u of one kind vs 1 (pools and "
	       "tables included)\n",
	        n);
	printf("%-28s %10s   %8s\n", "kind", "tern", "Linux");
	row("established connection", conn,
	        slab("TCP") + slab("sock_inode_cache") + slab("filp") + slab("dentry"),
	        "TCP + sock_inode_cache + filp + dentry");
	row("TIME_WAIT entry", tw, slab("tw_sock_TCP"), "tw_sock_TCP");
	row("SYN queue entry", sq, slab("request_sock_TCP"), "request_sock_TCP");
	printf("sizeof(struct tern_conn) is part of the first row; an idle connection holds no "
	       "mbufs\n");
	rte_mempool_free(pool);
	bench_eal_cleanup();
	return 0;
}
