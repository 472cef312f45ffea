/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine-only connections per second (issue 12): a client engine and a server engine, each
 * on its own lcore, joined by two rte_rings (single producer, single consumer) that stand
 * in for a NIC queue pair each way. Per connection: the client connects, sends one
 * HTTP/1.1 GET, reads the whole response (a fixed 64-byte body with Content-Length), and
 * then either closes first ("client closes": it holds the TIME_WAIT) or waits for the
 * server's FIN ("server closes": the server answers with Connection: close and closes
 * after the response). The client keeps CONCURRENCY connections open and opens a new one
 * whenever one ends, for SECONDS; what is counted is connections that completed (whole
 * response received, closed normally), per second of wall time, for the core pair.
 *
 * Baseline of the same run, through the same rings and lcores: frames of 64 bytes sent by
 * the client lcore, reflected by the server lcore, received and sent again (32 in flight
 * per burst, the RX burst size): reflected frames per second. A connection costs some
 * number of frames (SYN, SYN-ACK, ACK, GET, response, FINs and their ACKs: printed from
 * the counters), so "ns per connection / ns per reflected frame" is the stack's cost in
 * frame-reflections.
 *
 * Checks: every response is parsed and its body length checked; a connection that ends in
 * any other way than normally counts as failed and fails the run (exit status 1). TIME_WAIT
 * on the client: 2*MSL of 2 s (--msl 1000) over 16 server ports and the 28232 ephemeral
 * ports holds at most about 225 k connections a second; beyond, the oldest entries are
 * recycled (counted, printed). Timing is wall clock: both lcores spin.
 *
 * Also printed: how busy each engine was in the timed window, the share of its time in
 * polls spent in polls that had work (frames received or timers fired), each poll timed
 * with the TSC; the engine nearer 100 % is the one that limits the rate.
 *
 * --lockstep N: one lcore polls both engines in turn (client, then server) until N
 * connections have completed, then prints the count and stops; no baseline, no timing
 * worth reading. The engines run on a fake clock (250 ns a reading) with fixed secrets and
 * rte_rand() seeded: deterministic, for instruction counts under callgrind (run it at
 * two values of N and divide the difference of tern_engine_poll's inclusive count by the
 * difference of N: instructions per connection, both engines).
 *
 * --offload: the engines run as on a port with IPv4 and TCP checksum offload (TX: the
 * checksums are left to the port; RX: the verdicts are trusted). The rings stand in for
 * such a NIC: each frame taken from a ring is marked IP and L4 checksum GOOD, as the
 * driver of a port that verified them would; the checksum work a NIC does is not done by
 * anyone (it costs the CPU nothing there). The checksums themselves are checked by the
 * bulk benchmark's check round, the unit tests and the tap lab, not here.
 *
 * usage: bench_cps [--seconds N] [--concurrency N] [--mode client-closes|server-closes]
 *                  [--lockstep N] [--offload]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>

#include <tern/stats.h>
#include <tern/tern.h>

#include "bench.h"

#define CLI_IP     0xc6120101u /* 198.18.1.1 */
#define SRV_IP     0xc6120102u /* 198.18.1.2 */
#define SRV_PORT0  8000
#define SRV_PORTS  16
#define RING_SIZE  4096
#define BODY_LEN   64
#define REQ_MAX    512
#define REFLECT_SZ 64

static const char request[] = "GET /bench HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench_cps\r\n\r\n";
static char response[256];
static size_t response_len;

static struct rte_ring *c2s, *s2c;
static volatile bool stop_server;

/* Where an engine's time went in the timed window: polls that had work (frames received
 * or timers fired: tern_engine_poll()'s count) and polls that found none, in TSC ticks. */
struct poll_time {
	uint64_t busy, idle, busy_polls, work;
};
static struct poll_time cli_pt, srv_pt;
static volatile bool measuring; /* the timed window; the server stops counting after it */

static inline void
timed_poll(struct tern_engine *e, struct poll_time *pt)
{
	uint64_t t0 = rte_rdtsc();
	unsigned n = tern_engine_poll(e);
	uint64_t d = rte_rdtsc() - t0;

	if (n > 0) {
		pt->busy += d;
		pt->busy_polls++;
		pt->work += n;
	} else {
		pt->idle += d;
	}
}
static bool server_closes;

/* ---- ring I/O: a queue pair each way ---- */

static bool offload; /* --offload */

static uint16_t
ring_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = (uint16_t)rte_ring_sc_dequeue_burst(arg, (void **)pkts, n, NULL), i;

	if (offload) /* the NIC verified both checksums (its TX side filled them in) */
		for (i = 0; i < k; i++)
			pkts[i]->ol_flags =
			        RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return k;
}

static uint16_t
ring_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return (uint16_t)rte_ring_sp_enqueue_burst(arg, (void **)pkts, n, NULL);
}

/* ---- server: answer each GET ---- */

struct srv_conn {
	char buf[REQ_MAX];
	size_t len;
};

static struct srv_conn *srv_conns;
static uint32_t srv_free_top;
static uint32_t *srv_free;
static uint64_t srv_requests, srv_errors;

static void
srv_accepted(struct tern_conn *c, void *app)
{
	(void)app;
	if (srv_free_top == 0) {
		srv_errors++;
		tern_conn_abort(c);
		return;
	}
	struct srv_conn *s = &srv_conns[srv_free[--srv_free_top]];
	s->len = 0;
	tern_conn_set_udata(c, s);
}

static void
srv_readable(struct tern_conn *c, void *app)
{
	struct srv_conn *s = tern_conn_udata(c);
	ssize_t n;

	(void)app;
	if (s == NULL)
		return;
	n = tern_conn_recv(c, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
	if (n == 0) {
		tern_conn_close(c); /* the client closed: close our side */
		return;
	}
	if (n < 0)
		return;
	s->len += (size_t)n;
	s->buf[s->len] = '\0';
	if (strstr(s->buf, "\r\n\r\n") == NULL) {
		if (s->len == sizeof(s->buf) - 1) {
			srv_errors++;
			tern_conn_abort(c);
		}
		return;
	}
	s->len = 0;
	srv_requests++;
	if (tern_conn_send(c, response, response_len) != (ssize_t)response_len) {
		srv_errors++;
		tern_conn_abort(c);
		return;
	}
	if (server_closes)
		tern_conn_close(c);
}

static void
srv_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct srv_conn *s = tern_conn_udata(c);

	(void)app;
	if (why != TERN_CLOSE_NORMAL)
		srv_errors++;
	if (s != NULL)
		srv_free[srv_free_top++] = (uint32_t)(s - srv_conns);
}

static const struct tern_callbacks srv_cb = {
        .accepted = srv_accepted, .readable = srv_readable, .closed = srv_closed};

static int
server_main(void *arg)
{
	struct tern_engine *e = arg;

	while (!stop_server) {
		if (measuring)
			timed_poll(e, &srv_pt);
		else
			tern_engine_poll(e);
	}
	return 0;
}

/* ---- client: CONCURRENCY connections, one GET each ---- */

struct cli_conn {
	size_t got; /* response bytes read */
};

static struct cli_conn *cli_conns;
static uint32_t *cli_free, cli_free_top;
static struct tern_engine *cli_engine;
static uint64_t cli_done, cli_failed, cli_connect_errors;
static bool cli_running;
static unsigned cli_dport;

static void cli_open(void);

static void
cli_connected(struct tern_conn *c, void *app)
{
	(void)app;
	if (tern_conn_send(c, request, sizeof(request) - 1) != (ssize_t)(sizeof(request) - 1)) {
		cli_failed++;
		tern_conn_abort(c);
	}
}

static void
cli_readable(struct tern_conn *c, void *app)
{
	struct cli_conn *s = tern_conn_udata(c);
	char buf[512];
	ssize_t n;

	(void)app;
	while ((n = tern_conn_recv(c, buf, sizeof(buf))) > 0) {
		if (s->got + (size_t)n > response_len ||
		        memcmp(buf, response + s->got, (size_t)n) != 0) {
			cli_failed++;
			tern_conn_abort(c);
			return;
		}
		s->got += (size_t)n;
	}
	if (s->got == response_len && (!server_closes || n == 0))
		tern_conn_close(c);
}

static void
cli_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	struct cli_conn *s = tern_conn_udata(c);

	(void)app;
	if (why == TERN_CLOSE_NORMAL && s->got == response_len)
		cli_done++;
	else
		cli_failed++;
	cli_free[cli_free_top++] = (uint32_t)(s - cli_conns);
	if (cli_running)
		cli_open();
}

static const struct tern_callbacks cli_cb = {
        .connected = cli_connected, .readable = cli_readable, .closed = cli_closed};

static void
cli_open(void)
{
	struct cli_conn *s = &cli_conns[cli_free[--cli_free_top]];
	struct tern_conn *c;

	s->got = 0;
	cli_dport = (cli_dport + 1) % SRV_PORTS;
	c = tern_connect(cli_engine, SRV_IP, (uint16_t)(SRV_PORT0 + cli_dport), 0, s);
	if (c == NULL) {
		cli_connect_errors++;
		cli_free[cli_free_top++] = (uint32_t)(s - cli_conns);
	}
}

/* ---- baseline: frames reflected through the same rings and lcores ---- */

static volatile bool stop_reflect;

static int
reflect_main(void *arg)
{
	struct rte_mbuf *pkts[32];

	(void)arg;
	while (!stop_reflect) {
		unsigned n = rte_ring_sc_dequeue_burst(c2s, (void **)pkts, 32, NULL);
		unsigned k = 0;
		while (k < n)
			k += rte_ring_sp_enqueue_burst(s2c, (void **)pkts + k, n - k, NULL);
	}
	return 0;
}

/* Frames a second reflected, for @p secs, with 32 x 8 frames in flight. */
static double
run_reflect(struct rte_mempool *pool, unsigned lcore, double secs)
{
	struct rte_mbuf *pkts[256];
	uint64_t t0, t1, frames = 0;
	unsigned i, n;

	for (i = 0; i < 256; i++) {
		pkts[i] = rte_pktmbuf_alloc(pool);
		if (pkts[i] == NULL) {
			fprintf(stderr, "bench_cps: out of mbufs for the baseline\n");
			exit(1);
		}
		memset(rte_pktmbuf_append(pkts[i], REFLECT_SZ), 0xab, REFLECT_SZ);
	}
	stop_reflect = false;
	rte_eal_remote_launch(reflect_main, NULL, lcore);
	n = rte_ring_sp_enqueue_burst(c2s, (void **)pkts, 256, NULL);
	t0 = now_ns();
	t1 = t0 + (uint64_t)(secs * 1e9);
	/* The clock costs (a vDSO call): read it every 64 rounds, as the tern loop does. */
	for (unsigned it = 0; it % 64 != 0 || now_ns() < t1; it++) {
		struct rte_mbuf *got[32];
		unsigned k = rte_ring_sc_dequeue_burst(s2c, (void **)got, 32, NULL), j = 0;

		/* touch each frame as a receiver would */
		for (i = 0; i < k; i++)
			got[i]->data_len = (uint16_t)(got[i]->data_len ^ 0);
		while (j < k)
			j += rte_ring_sp_enqueue_burst(c2s, (void **)got + j, k - j, NULL);
		frames += k;
	}
	t1 = now_ns();
	stop_reflect = true;
	rte_eal_wait_lcore(lcore);
	(void)n;
	{
		void *m = NULL; /* (set by every dequeue that returns 0; gcc -O3 cannot tell) */

		while (rte_ring_sc_dequeue(c2s, &m) == 0)
			rte_pktmbuf_free(m);
		while (rte_ring_sc_dequeue(s2c, &m) == 0)
			rte_pktmbuf_free(m);
	}
	return (double)frames / ((double)(t1 - t0) / 1e9);
}

/* ---- the run ---- */

static uint16_t
cli_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	return ring_rx(s2c, pkts, n);
}

static uint16_t
cli_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	return ring_tx(c2s, pkts, n);
}

static uint16_t
srv_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	return ring_rx(c2s, pkts, n);
}

static uint16_t
srv_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	return ring_tx(s2c, pkts, n);
}

/* --lockstep: a clock that moves 250 ns at each reading, and fixed secrets: same counts
 * every run. */
static bool lockstep_clock;
static uint64_t fake_ns = 1000000000u;

static uint64_t
fake_clock_ns(void *arg)
{
	(void)arg;
	return fake_ns += 250;
}

static struct tern_engine *
make_engine(uint32_t ip, uint8_t mac_last, struct rte_mempool *pool, bool client)
{
	struct tern_engine_conf c;
	struct tern_engine *e;

	memset(&c, 0, sizeof(c));
	c.ip = ip;
	c.prefix_len = 24;
	c.mac[0] = 0x02;
	c.mac[5] = mac_last;
	c.pool = pool;
	c.io.rx_burst = client ? cli_rx : srv_rx;
	c.io.tx_burst = client ? cli_tx : srv_tx;
	c.cb = client ? &cli_cb : &srv_cb;
	c.id = client ? 0 : 1;
	c.max_conns = 65536;
	c.msl_ms = 1000;
	c.max_tw = 65536;
	c.tw_reuse_ms = 1;
	c.tx_ip_csum_offload = offload;
	c.tx_tcp_csum_offload = offload;
	c.rx_csum_offload = offload;
	if (lockstep_clock) {
		c.clock.now_ns = fake_clock_ns;
		c.secret[0] = 0x5eed0000u + mac_last;
		c.secret[1] = 0x1234;
	}
	e = tern_engine_create(&c);
	if (e == NULL) {
		fprintf(stderr, "bench_cps: engine: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	return e;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"seconds", required_argument, 0, 's'},
	        {"concurrency", required_argument, 0, 'c'}, {"mode", required_argument, 0, 'm'},
	        {"lockstep", required_argument, 0, 'L'}, {"offload", no_argument, 0, 'o'},
	        {0, 0, 0, 0}};
	char prefix[64];
	char *eal[] = {"bench_cps", "-l", "0-1", "--no-huge", "-m", "1024", "--no-pci",
	        "--no-shconf", prefix, "--log-level=*:error", "--no-telemetry", NULL};
	unsigned seconds = 5, conc = 256, srv_lcore, i, p;
	uint64_t lockstep = 0;
	struct rte_mempool *cpool, *spool;
	struct tern_engine *srv;
	const struct tern_stats *cs, *ss;
	double reflect_fps, cps, secs;
	uint64_t t0, t1, c_tx, s_tx;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			seconds = (unsigned)bench_parse_u64("bench_cps", optarg, "--seconds", 3600);
			break;
		case 'c':
			conc = (unsigned)bench_parse_u64(
			        "bench_cps", optarg, "--concurrency", 16384);
			break;
		case 'L':
			lockstep = bench_parse_u64("bench_cps", optarg, "--lockstep", UINT32_MAX);
			break;
		case 'o':
			offload = true;
			break;
		case 'm':
			if (strcmp(optarg, "client-closes") == 0)
				server_closes = false;
			else if (strcmp(optarg, "server-closes") == 0)
				server_closes = true;
			else {
				fprintf(stderr,
				        "bench_cps: --mode '%s': client-closes or server-closes\n",
				        optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr,
			        "usage: bench_cps [--seconds N] [--concurrency N] [--mode "
			        "client-closes|server-closes] [--lockstep N] [--offload]\n");
			return 2;
		}
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench-cps-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "bench_cps: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	srv_lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (srv_lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "bench_cps: needs two lcores (-l 0-1)\n");
		return 1;
	}
	response_len = (size_t)snprintf(response, sizeof(response),
	        "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n%s\r\n%0*d", BODY_LEN,
	        server_closes ? "Connection: close\r\n" : "", BODY_LEN, 0);
	c2s = rte_ring_create("cps_c2s", RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	s2c = rte_ring_create("cps_s2c", RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	cpool = rte_pktmbuf_pool_create("cps_cli", 65535, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	spool = rte_pktmbuf_pool_create("cps_srv", 65535, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (c2s == NULL || s2c == NULL || cpool == NULL || spool == NULL) {
		fprintf(stderr, "bench_cps: rings or pools: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	reflect_fps = lockstep ? 1.0 : run_reflect(cpool, srv_lcore, 1.0);

	if (lockstep) {
		lockstep_clock = true;
		rte_srand(12);
	}
	srv_conns = calloc(65536, sizeof(*srv_conns));
	srv_free = calloc(65536, sizeof(*srv_free));
	cli_conns = calloc(conc, sizeof(*cli_conns));
	cli_free = calloc(conc, sizeof(*cli_free));
	if (!srv_conns || !srv_free || !cli_conns || !cli_free)
		return 1;
	for (i = 0; i < 65536; i++)
		srv_free[srv_free_top++] = 65535 - i;
	for (i = 0; i < conc; i++)
		cli_free[cli_free_top++] = conc - 1 - i;
	srv = make_engine(SRV_IP, 2, spool, false);
	cli_engine = make_engine(CLI_IP, 1, cpool, true);
	for (p = 0; p < SRV_PORTS; p++)
		if (tern_listen(srv, (uint16_t)(SRV_PORT0 + p), 4096) != 0)
			return 1;
	if (lockstep) {
		cli_running = true;
		while (cli_free_top > 0)
			cli_open();
		while (cli_done + cli_failed < lockstep && cli_connect_errors == 0 &&
		        srv_errors == 0) {
			tern_engine_poll(cli_engine);
			tern_engine_poll(srv);
		}
		printf("lockstep: completed %" PRIu64 ", failed %" PRIu64
		       ", connect errors %" PRIu64 ", server errors %" PRIu64 "\n",
		        cli_done, cli_failed, cli_connect_errors, srv_errors);
		bench_eal_cleanup(); /* (its run directory stayed behind, one per run) */
		return cli_failed == 0 && srv_errors == 0 && cli_connect_errors == 0 ? 0 : 1;
	}
	stop_server = false;
	rte_eal_remote_launch(server_main, srv, srv_lcore);

	cli_running = true;
	t0 = now_ns();
	while (cli_free_top > 0)
		cli_open();
	t1 = t0 + (uint64_t)seconds * 1000000000u;
	measuring = true;
	for (i = 0; i % 64 != 0 || now_ns() < t1; i++) /* the clock read every 64 polls */
		timed_poll(cli_engine, &cli_pt);
	measuring = false;
	cli_running = false;
	secs = (double)(now_ns() - t0) / 1e9;
	cps = (double)cli_done / secs;
	/* let the open ones finish */
	t1 = now_ns() + 3000000000u;
	while (cli_free_top < conc && now_ns() < t1)
		tern_engine_poll(cli_engine);
	stop_server = true;
	rte_eal_wait_lcore(srv_lcore);

	cs = tern_engine_stats(cli_engine);
	ss = tern_engine_stats(srv);
	c_tx = cs->ctr[TERN_CTR_TX_PKTS];
	s_tx = ss->ctr[TERN_CTR_TX_PKTS];
	printf("# bench_cps: %s, %u connections open at a time, %u s, one client engine (lcore "
	       "%u) and one server engine (lcore %u) over rte_rings%s\n",
	        server_closes ? "server closes" : "client closes", conc, seconds, rte_lcore_id(),
	        srv_lcore, offload ? ", IPv4/TCP checksum offload" : "");
	printf("baseline: %.2f M frames/s reflected (%.1f ns per frame)\n", reflect_fps / 1e6,
	        1e9 / reflect_fps);
	printf("tern:     %.0f connections/s per core pair (%.0f ns per connection = %.1f "
	       "reflected frames)\n",
	        cps, 1e9 / cps, reflect_fps / cps);
	printf("frames per connection: %.2f (client %.2f, server %.2f); completed %" PRIu64
	       ", failed %" PRIu64 ", connect errors %" PRIu64 ", server errors %" PRIu64
	       ", requests %" PRIu64 "\n",
	        (double)(c_tx + s_tx) / (double)(cli_done + cli_failed),
	        (double)c_tx / (double)(cli_done + cli_failed),
	        (double)s_tx / (double)(cli_done + cli_failed), cli_done, cli_failed,
	        cli_connect_errors, srv_errors, srv_requests);
	printf("busy (polls that had work, share of the time in polls): client %.1f %% (%.1f "
	       "frames and timers a busy poll), server %.1f %% (%.1f)\n",
	        100.0 * (double)cli_pt.busy / (double)(cli_pt.busy + cli_pt.idle + 1),
	        (double)cli_pt.work / (double)(cli_pt.busy_polls + !cli_pt.busy_polls),
	        100.0 * (double)srv_pt.busy / (double)(srv_pt.busy + srv_pt.idle + 1),
	        (double)srv_pt.work / (double)(srv_pt.busy_polls + !srv_pt.busy_polls));
	printf("TIME_WAIT: client recycled %" PRIu64 " (table full), reused %" PRIu64
	       "; server recycled %" PRIu64 "\n",
	        cs->ctr[TERN_CTR_TCP_TW_RECYCLED], cs->ctr[TERN_CTR_TCP_TW_REUSE_ACTIVE],
	        ss->ctr[TERN_CTR_TCP_TW_RECYCLED]);
	bench_eal_cleanup();
	return cli_failed == 0 && srv_errors == 0 && cli_connect_errors == 0 && cli_done > 0 ? 0
	                                                                                     : 1;
}
