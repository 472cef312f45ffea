/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore engine: creation, the poll loop (RX burst -> input -> application
 * events and output -> timers -> TX flush), the clock, TX batching.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "engine/engine.h"
#include "net/ipv4.h"
#include "wire/arp.h"

#define TSC_SHIFT 40

_Static_assert(TCP_RX_BATCH >= TERN_RX_BURST, "tcp_rx_prepare() sees a whole burst");

/* The default restart-stable clock (conf.wall): wall-clock time, read once per engine. */
static uint64_t
realtime_ns(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Where a fresh mbuf of @p mp starts its data, from the mbuf: its header, the private
 * area and the headroom, or the whole room if smaller (rte_pktmbuf_reset_headroom()). */
static uint32_t
pool_data_off(struct rte_mempool *mp)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp);

	return (uint32_t)sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(mp) +
	       (room < RTE_PKTMBUF_HEADROOM ? room : RTE_PKTMBUF_HEADROOM);
}

/* The default clock: TSC ticks to ns by a multiply and a shift. */
static uint64_t
tsc_clock_ns(void *arg)
{
	const struct tern_engine *e = arg;

	return (uint64_t)(((unsigned __int128)rte_rdtsc() * e->tsc_mult) >> TSC_SHIFT);
}

void
engine_update_clock(struct tern_engine *e)
{
	uint64_t ns = e->conf.clock.now_ns(e->conf.clock.arg);

	if (ns > e->now_ns) { /* monotonic, whatever the source */
		e->now_ns = ns;
		e->now_ms = ns / 1000000;
	}
}

/*
 * Hand the TX buffer to the PMD. Frames it does not take (its queue is full) stay, in
 * order, for the next flush: nothing is freed unsent. Frames are counted as sent
 * (tx_pkts, tx_bytes) when the PMD takes them.
 */
void
engine_tx_flush(struct tern_engine *e)
{
	uint32_t len[TERN_TX_BUF];
	uint16_t sent = 0, tries = 0, i;
	uint64_t bytes = 0;

	/* Lengths first: a frame the PMD took is its own (af_packet frees it at once). */
	for (i = 0; i < e->ntx; i++)
		len[i] = rte_pktmbuf_pkt_len(e->tx[i]);
	while (sent < e->ntx && tries++ < 8) {
		uint16_t n = e->conf.io.tx_burst(e->conf.io.arg, e->tx + sent, e->ntx - sent);
		for (i = sent; i < sent + n; i++)
			bytes += len[i];
		sent += n;
	}
	tern_count(e, TERN_CTR_TX_PKTS, sent); /* once per flush */
	tern_count(e, TERN_CTR_TX_BYTES, bytes);
	e->tx_stuck = sent == 0 && e->ntx > 0 ? (uint16_t)(e->tx_stuck + 1) : 0;
	if (e->tx_stuck >= 64 && (e->tx[0]->ol_flags & RTE_MBUF_F_TX_TCP_SEG)) {
		/* A PMD that refuses a TSO frame (its size rules) would hold the queue
		 * forever: drop the frame, the connection resends segment by segment. */
		tern_drop(e, e->tx[0], TERN_DROP_TX_TSO_REFUSED);
		sent = 1;
		e->tx_stuck = 0;
	}
	if (sent > 0 && sent < e->ntx)
		memmove(e->tx, e->tx + sent, sizeof(e->tx[0]) * (e->ntx - sent));
	e->ntx -= sent;
}

/*
 * Queue @p m for the PMD. When the buffer is full and the PMD takes nothing, @p m is
 * dropped (tx_full): the PMD is behind and TCP retransmits.
 */
static int
conf_check(struct tern_engine_conf *c)
{
	uint8_t i;

	if (c->ip == 0 || c->pool == NULL || c->io.rx_burst == NULL || c->io.tx_burst == NULL)
		return -EINVAL;
	if (c->prefix_len == 0)
		c->prefix_len = 24;
	if (c->prefix_len > 32)
		return -EINVAL;
	if (c->max_conns == 0)
		c->max_conns = 65536;
	if (c->max_tw == 0)
		c->max_tw = 262144;
	if (c->msl_ms == 0)
		c->msl_ms = 30000;
	if (c->mtu == 0)
		c->mtu = 1500;
	if (c->mtu < 576)
		return -EINVAL;
	if (!c->tx_multi_seg || !c->tx_tcp_csum_offload || !c->tx_ip_csum_offload)
		c->tx_tso = false; /* TSO frames are chains whose checksums the port computes */
	if (memcmp(c->ip6, (const uint8_t[16]){0}, 16) != 0) {
		/* IPv6: a unicast address, not link-local (that one comes from the MAC), and
		 * links carry at least 1280 bytes (RFC 8200 §5). */
		if (c->ip6[0] == 0xff || (c->ip6[0] == 0xfe && (c->ip6[1] & 0xc0) == 0x80) ||
		        c->mtu < 1280)
			return -EINVAL;
		if (c->prefix6_len == 0)
			c->prefix6_len = 64;
		if (c->prefix6_len > 128)
			return -EINVAL;
	}
	/* A segment must fit in one mbuf with all headers. */
	uint32_t room = rte_pktmbuf_data_room_size(c->pool);
	if (room < RTE_PKTMBUF_HEADROOM + 14u + 60 + 60 + 536)
		return -EINVAL;
	if (c->mtu > room - RTE_PKTMBUF_HEADROOM - 14 - 40)
		c->mtu = (uint16_t)(room - RTE_PKTMBUF_HEADROOM - 14 - 40);
	if (c->rcvbuf == 0)
		c->rcvbuf = 262144;
	if (c->rcvbuf > (1u << 30))
		return -EINVAL; /* beyond what window scaling can advertise */
	if (c->sndbuf == 0)
		c->sndbuf = 262144;
	if (c->rto_min_ms == 0)
		c->rto_min_ms = 200;
	if (c->rto_init_ms == 0)
		c->rto_init_ms = 1000;
	if (c->syn_retries == 0)
		c->syn_retries = 5;
	if (c->data_retries == 0)
		c->data_retries = 10;
	if (c->port_lo == 0)
		c->port_lo = TERN_PORT_LO_DEFAULT;
	if (c->port_hi == 0)
		c->port_hi = TERN_PORT_HI_DEFAULT;
	if (c->port_hi < c->port_lo)
		return -EINVAL;
	if (c->nengines == 0)
		c->nengines = 1;
	if (c->nengines > 1 && c->id >= c->nengines)
		return -EINVAL;
	if ((uint32_t)c->port_hi - c->port_lo + 1 < c->nengines)
		return -EINVAL; /* every engine needs a share of the ports */
	if (c->nsrc_ips > TERN_MAX_SRC_IPS)
		return -EINVAL;
	for (i = 0; i < c->nsrc_ips; i++)
		if (c->src_ips[i] == 0 || c->src_ips[i] == c->ip)
			return -EINVAL;
	if (c->cc == NULL)
		c->cc = "cubic";
	if (tcp_cc_find(c->cc) == NULL)
		return -EINVAL;
	if (c->delack_ms == 0)
		c->delack_ms = 40;
	if (c->delack_ms > 500)
		return -EINVAL; /* RFC 1122 §4.2.3.2: MUST be less than 0.5 s */
	if (c->fin_timeout_ms == 0)
		c->fin_timeout_ms = 60000;
	if (c->keepidle_ms == 0)
		c->keepidle_ms = 7200000;
	if (c->keepintvl_ms == 0)
		c->keepintvl_ms = 75000;
	if (c->fin_timeout_ms > TCP_TIMER_MAX_MS || c->keepidle_ms > TCP_TIMER_MAX_MS ||
	        c->keepintvl_ms > TCP_TIMER_MAX_MS)
		return -EINVAL; /* a connection's timers reach 24.8 days at most */
	if (c->keepcnt == 0)
		c->keepcnt = 9;
	if (c->challenge_ack_limit == 0)
		c->challenge_ack_limit = 1000;
	if (c->reass_segs == 0)
		c->reass_segs = 65536;
	if (c->conn_ext == 0)
		c->conn_ext = c->max_conns / 8 > 64 ? c->max_conns / 8 : 64;
	if (c->synq_size == 0)
		c->synq_size = 65536;
	if (c->tw_reuse_ms == 0)
		c->tw_reuse_ms = 1000;
	/* the flow table names an entry by a 30-bit pool index (FLOW_POOL_MAX), and sizes its
	 * buckets for all of them (2^31 at most) */
	if (c->max_conns > FLOW_POOL_MAX || c->max_tw > FLOW_POOL_MAX ||
	        c->synq_size > FLOW_POOL_MAX ||
	        (uint64_t)c->max_conns + c->max_tw + c->synq_size > (UINT64_C(1) << 31))
		return -EINVAL;
	if (c->syncookies > TERN_SYNCOOKIES_OFF)
		return -EINVAL;
	if (c->syn_retries > SYNQ_MAX_RETRIES ||
	        ((uint64_t)c->rto_init_ms << c->syn_retries) > SYNQ_MAX_DELAY_MS)
		return -EINVAL;
	if (c->secret[0] == 0 && c->secret[1] == 0) {
		c->secret[0] = rte_rand();
		c->secret[1] = rte_rand();
	}
	return 0;
}

bool
tern_cc_supported(const char *name)
{
	return name != NULL && tcp_cc_find(name) != NULL;
}

const char *
tern_cc_names(void)
{
	return tcp_cc_names();
}

struct tern_engine *
tern_engine_create(const struct tern_engine_conf *conf)
{
	struct tern_engine *e;
	int rc;

	e = rte_zmalloc_socket("tern_engine", sizeof(*e), RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (e == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	e->conf = *conf;
	e->secret_random = conf->secret[0] == 0 && conf->secret[1] == 0;
	rc = conf_check(&e->conf);
	if (rc != 0) {
		rte_free(e);
		rte_errno = -rc;
		return NULL;
	}
	if (e->conf.clock.now_ns == NULL && e->conf.wall.now_ns == NULL)
		e->conf.wall.now_ns = realtime_ns;
	if (e->conf.clock.now_ns == NULL) {
		/* One division here, none per poll: 2^40 ns per TSC tick, rounded; a relative
		 * error below 1e-11 (well under a millisecond a day). */
		e->tsc_mult = (uint64_t)((((unsigned __int128)1000000000u << TSC_SHIFT) +
		                                 rte_get_tsc_hz() / 2) /
		                         rte_get_tsc_hz());
		e->conf.clock.now_ns = tsc_clock_ns;
		e->conf.clock.arg = e;
	}
	e->ip = e->conf.ip;
	e->netmask = e->conf.prefix_len == 0 ? 0 : ~0u << (32 - e->conf.prefix_len);
	e->gateway = e->conf.gateway;
	memcpy(e->mac.b, e->conf.mac, sizeof(e->mac.b));
	e->pool = e->conf.pool;
	e->pool_data_off = pool_data_off(e->pool);
	engine_update_clock(e);
	twheel_init(&e->wheel, e->now_ms);
	rc = steer_init(e);
	if (rc == 0)
		rc = arp_init(e);
	if (rc == 0)
		rc = nd_init(e);
	if (rc == 0)
		rc = tcp_init(e);
	if (rc != 0) {
		tern_engine_destroy(e);
		rte_errno = -rc;
		return NULL;
	}
	return e;
}

void
tern_engine_destroy(struct tern_engine *e)
{
	if (e == NULL)
		return;
	tcp_fini(e);
	nd_fini(e);
	arp_fini(e);
	steer_fini(e);
	while (e->ntx > 0)
		rte_pktmbuf_free(e->tx[--e->ntx]);
	rte_free(e);
}

unsigned
tern_engine_abort_all(struct tern_engine *e)
{
	unsigned n;

	engine_update_clock(e);
	n = tcp_abort_all(e);
	if (e->ntx)
		engine_tx_flush(e);
	return n;
}

unsigned
tern_engine_poll(struct tern_engine *e)
{
	struct rte_mbuf *pkts[TERN_RX_BURST];
	uint16_t n, i, mine;
	uint64_t bytes;
	unsigned fired;

	engine_update_clock(e);
	e->pool_cache = rte_mempool_default_cache(e->pool, rte_lcore_id());
	tcp_listen_poll(e);
	n = e->conf.io.rx_burst(e->conf.io.arg, pkts, TERN_RX_BURST);
	/* Each frame's first two lines (Ethernet, IP and TCP headers with their options reach
	 * past 64 bytes) are asked for now, the whole burst at once: the misses overlap
	 * instead of coming one by one as tcp_rx_prepare() and the input parse the frames. */
	for (i = 0, bytes = 0; i < n; i++) {
		const char *d = rte_pktmbuf_mtod(pkts[i], const char *);

		rte_prefetch0(d);
		rte_prefetch0(d + RTE_CACHE_LINE_SIZE);
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	tern_count(e, TERN_CTR_RX_PKTS, n); /* once per burst */
	tern_count(e, TERN_CTR_RX_BYTES, bytes);
	mine = n;
	if (e->steer.n > 1)
		mine = steer_rx(e, pkts, n); /* other engines' segments go to them */
	tcp_rx_prepare(e, pkts, mine);       /* hashes and flow buckets for the whole burst first */
	for (i = 0; i < mine; i++) {
		if (i + 1 < mine)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		/* TCP over IPv4 that tcp_rx_prepare() checked whole goes to TCP at once */
		if (e->tcp.rx_cur >= e->tcp.rx_n || !tcp_rx_input(e, pkts[i]))
			eth_input(e, pkts[i]);
	}
	tcp_rx_done(e);
	if (e->steer.n > 1)
		n += (uint16_t)steer_poll(e);
	conn_run_pending(e);
	fired = twheel_advance(&e->wheel, e->now_ms, e);
	if (fired)
		conn_run_pending(e);
	if (e->ntx)
		engine_tx_flush(e);
	return n + fired;
}

uint64_t
tern_engine_now_ms(const struct tern_engine *e)
{
	return e->now_ms;
}

uint64_t
tern_engine_next_timer_us(const struct tern_engine *e)
{
	uint64_t tick, due_ns;

	if (!twheel_next_expiry(&e->wheel, &tick))
		return UINT64_MAX;
	if (tick > UINT64_MAX / 1000000)
		return UINT64_MAX;
	/* A timer of tick T fires on the first poll whose clock reads T ms or more. */
	due_ns = tick * 1000000;
	if (due_ns <= e->now_ns)
		return 0;
	return (due_ns - e->now_ns + 999) / 1000;
}

const struct tern_stats *
tern_engine_stats(const struct tern_engine *e)
{
	return &e->stats;
}

unsigned
tern_engine_id(const struct tern_engine *e)
{
	return e->conf.id;
}

enum tern_steer_method
tern_engine_steer_method(const struct tern_engine *e)
{
	return e->steer.method;
}

void
tern_engine_gauges(const struct tern_engine *e, struct tern_gauges *g)
{
	const uint32_t *s = e->tcp.state_count;

	memset(g, 0, sizeof(*g));
	g->listeners = e->tcp.nlisteners;
	g->syn_sent = s[TERN_TCP_SYN_SENT];
	g->syn_rcvd = s[TERN_TCP_SYN_RCVD] + synq_len(&e->tcp.synq);
	g->syn_queue = synq_len(&e->tcp.synq);
	g->established = s[TERN_TCP_ESTABLISHED];
	g->fin_wait_1 = s[TERN_TCP_FIN_WAIT_1];
	g->fin_wait_2 = s[TERN_TCP_FIN_WAIT_2];
	g->closing = s[TERN_TCP_CLOSING];
	g->time_wait = e->tcp.ntw;
	g->close_wait = s[TERN_TCP_CLOSE_WAIT];
	g->last_ack = s[TERN_TCP_LAST_ACK];
	g->reass_segs = e->tcp.reass.used;
	g->conn_ext = e->tcp.ext_pool.used;
	g->conn_io = e->tcp.io_pool.used;
	g->accept_queue = e->tcp.accq_total;
	g->arp_entries = e->arp.count;
	g->nd_entries = e->nd.count;
	g->timers = (uint32_t)(twheel_pending(&e->wheel) - e->tcp.timers_stale);
	g->mbufs_free = rte_mempool_avail_count(e->pool);
}

/* ---- raw frames for applications (tern-gen's SYN flood) ---- */

int
tern_engine_send_frame(struct tern_engine *e, struct rte_mbuf *m)
{
	if (m == NULL || rte_pktmbuf_pkt_len(m) < WIRE_ETH_HLEN)
		return -EINVAL;
	engine_tx(e, m);
	return 0;
}

int
tern_engine_resolve(struct tern_engine *e, uint32_t ip, uint8_t mac[6])
{
	struct wire_mac m;
	uint32_t nh;

	engine_update_clock(e);
	nh = ipv4_nexthop(e, ip);
	if (nh == 0)
		return -ENETUNREACH;
	if (arp_lookup(e, nh, &m) == 0) {
		memcpy(mac, m.b, sizeof(m.b));
		return 0;
	}
	/*
	 * Ask without creating an entry or holding anything: the reply names us as its
	 * target, so arp_input() adds the mapping. The caller paces the retries.
	 */
	if (arp_send_request(e, nh) != 0)
		return -ENOBUFS;
	return -EAGAIN;
}

int
tern_engine_resolve_addr(struct tern_engine *e, const struct tern_addr *ip, uint8_t mac[6])
{
	struct wire_ip6 dst, nh;
	struct wire_mac m;

	if (ip->family == TERN_AF_INET)
		return tern_engine_resolve(e, ip->v4, mac);
	if (ip->family != TERN_AF_INET6)
		return -EINVAL;
	if (!nd_enabled(&e->nd))
		return -ENETUNREACH;
	engine_update_clock(e);
	memcpy(dst.b, ip->v6, sizeof(dst.b));
	if (!nd_nexthop(e, &dst, &nh))
		return -ENETUNREACH;
	if (nd_lookup(e, &nh, &m) == 0) {
		memcpy(mac, m.b, sizeof(m.b));
		return 0;
	}
	nd_resolve(e, &nh); /* an NS now, unless one is already out (its timer retries) */
	return -EAGAIN;
}
