/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: an engine with IPv6 (stack/net/ipv6.c, nd.c) fed IPv6 frames and
 * clock jumps: DAD, the neighbour cache and its timers, echo, Packet Too Big, Parameter
 * Problem, extension headers, several neighbours and MAC changes; and TCP over IPv6 (a
 * listener on port 80, active opens to port 5000 of a peer, the IPv6 peer table, SYN
 * queue and cookies, TIME_WAIT, Packet Too Big lowering an MSS).
 *
 * Input: a header byte (bit 0: a router configured; bit 1: the tiny pool; bit 2: SYN
 * cookies always), then operations until the input ends:
 *   op & 3 == 0  frame: selectors (1 byte each) for the Ethernet source (3 peers, ours),
 *                the destination MAC (ours, all-nodes, our solicited-node group, another),
 *                the IPv6 source and destination (a set of useful addresses), then hop
 *                limit, next header, payload length (1 byte, x2), flags (bit 0: fix the
 *                ICMPv6 checksum, bit 1: payload length field from the data, not the
 *                size, bit 2: fix the TCP checksum, bit 3: the TCP ACK field is relative
 *                to the end of the last segment the engine sent, bit 4: the TCP
 *                destination port is the source port of that segment), then that many
 *                payload bytes;
 *   op & 3 == 1  clock: forward by (op >> 2) * 97 ms, then poll;
 *   op & 3 == 2  clock: forward by ND_DELAY_FIRST_PROBE_MS or ND_REACHABLE_MS (op bit 2);
 *   op & 3 == 3  poll only; with op bit 2, first tern_connect_addr() to port 5000 of the
 *                address (op >> 3) selects (most are refused: EINVAL, ENETUNREACH).
 * Invariants:
 *  - every frame the engine sends is IPv6 from our MAC, parses, has a right ICMPv6 or TCP
 *    checksum (TCP: a header that parses, within the 1500-byte MTU), comes from one of our
 * addresses (or :: for a DAD probe, an NS without source link-layer option), with hop limit 255 for
 * NS / NA and 64 otherwise, and never goes to a multicast MAC unless its IPv6 destination is
 * multicast;
 *  - the configured address never goes back to TENTATIVE once decided, and DUPLICATE is
 *    final; the cache never holds more than ND_MAX_ENTRIES;
 *  - destroying the engine gives back every mbuf (held packets included).
 */
#include <sched.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <tern/tern.h>

#include "engine/engine.h"
#include "fuzz_common.h"
#include "net/nd.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

#define START_NS (1000ull * 1000000000ull)

static const struct wire_mac us_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct wire_mac peer_macs[3] = {
        {{0x02, 0, 0, 0, 0, 0x02}}, {{0x02, 0, 0, 0, 0, 0x03}}, {{0x02, 0, 0, 0, 0, 0x04}}};
static const struct wire_ip6 us6 = {{0x20, 0x01, 0x00, 0x02, [15] = 0x01}};
/* Sources and destinations to choose from: ours, peers on-link, off-link, link-local,
 * groups, unspecified, loopback. */
static const struct wire_ip6 addrs[] = {
        {{0x20, 0x01, 0x00, 0x02, [15] = 0x01}},               /* us */
        {{0x20, 0x01, 0x00, 0x02, [15] = 0x02}},               /* peer */
        {{0x20, 0x01, 0x00, 0x02, [15] = 0x03}},               /* peer 2 */
        {{0x20, 0x01, 0x00, 0x02, [15] = 0xfe}},               /* router */
        {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x09}},               /* off-link */
        {{0xfe, 0x80, [8] = 0x00, 0, 0, 0xff, 0xfe, 0, 0, 1}}, /* our link-local */
        {{0xfe, 0x80, [15] = 0x02}},                           /* a peer's link-local */
        {{0xff, 0x02, [15] = 0x01}},                           /* all-nodes */
        {{0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01}},   /* our solicited-node */
        {{0xff, 0x02, [15] = 0x16}},                           /* MLDv2 routers */
        {{0}},                                                 /* :: */
        {{[15] = 1}},                                          /* ::1 */
};
#define NADDRS (sizeof(addrs) / sizeof(addrs[0]))

static struct {
	struct rte_mempool *pool, *tiny;
	struct tern_engine *e;
	uint64_t now_ns;
	const uint8_t *in;
	size_t in_len, in_pos;
	struct rte_mbuf *rx;
	uint8_t state;   /* last seen state of the configured address */
	uint32_t tx_nxt; /* end of the last TCP segment the engine sent (seq + len + SYN/FIN) */
	uint16_t tx_sport;
} F;

static uint8_t
in_u8(void)
{
	return F.in_pos < F.in_len ? F.in[F.in_pos++] : 0;
}

static uint64_t
fz_clock(void *arg)
{
	(void)arg;
	return F.now_ns;
}

static uint16_t
fz_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	if (F.rx == NULL || n == 0)
		return 0;
	pkts[0] = F.rx;
	F.rx = NULL;
	return 1;
}

/* The application: reads everything, closes on EOF, echoes a little. */
static void
app_readable(struct tern_conn *c, void *app)
{
	uint8_t buf[512];
	ssize_t r;

	(void)app;
	while ((r = tern_conn_recv(c, buf, sizeof(buf))) > 0)
		tern_conn_send(c, buf, (size_t)r);
	if (r == 0)
		tern_conn_close(c);
}

static void
app_open(struct tern_conn *c, void *app)
{
	struct tern_addr a;
	uint16_t port;

	(void)app;
	tern_conn_peer(c, &a, &port);
	FUZZ_CHECK(a.family == TERN_AF_INET6, "an IPv4 connection from IPv6 frames");
	tern_conn_send(c, "hello", 5);
}

static void
app_closed(struct tern_conn *c, enum tern_close_reason why, void *app)
{
	(void)c;
	(void)why;
	(void)app;
}

static const struct tern_callbacks app_cb = {
        .accepted = app_open,
        .connected = app_open,
        .readable = app_readable,
        .closed = app_closed,
};

static bool
is_ours(const struct wire_ip6 *a)
{
	struct wire_ip6 ll;

	wire_ip6_linklocal_from_mac(us_mac.b, &ll);
	return wire_ip6_eq(a, &us6) || wire_ip6_eq(a, &ll);
}

static void
check_tx(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct wire_icmp6_repr h;
	struct wire_ipv6_repr ip;
	struct wire_nd_repr nd;
	struct wire_eth_repr eth;

	FUZZ_CHECK(wire_eth_parse(p, len, &eth) == WIRE_OK && eth.type == WIRE_ETHERTYPE_IPV6 &&
	                   wire_mac_eq(&eth.src, &us_mac),
	        "not an IPv6 frame of ours");
	FUZZ_CHECK(wire_ipv6_parse(p + WIRE_ETH_HLEN, len - WIRE_ETH_HLEN, &ip) == WIRE_OK,
	        "IPv6 header");
	if (ip.next_hdr == WIRE_IPPROTO_TCP) {
		const uint8_t *tcp = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;
		struct wire_tcp_repr th;

		FUZZ_CHECK(len == WIRE_ETH_HLEN + WIRE_IPV6_HLEN + (size_t)ip.payload_len &&
		                   len <= 1514,
		        "TCP frame of %zu bytes, payload length %u", len, ip.payload_len);
		FUZZ_CHECK(wire_csum_fold(wire_csum_add(wire_csum_pseudo6(&ip.src, &ip.dst,
		                                                WIRE_IPPROTO_TCP, ip.payload_len),
		                   tcp, ip.payload_len)) == 0,
		        "TCP checksum");
		FUZZ_CHECK(wire_tcp_parse(tcp, ip.payload_len, &th) == WIRE_OK, "TCP header");
		F.tx_nxt = th.seq + (ip.payload_len - th.hdr_len) + !!(th.flags & WIRE_TCP_SYN) +
		           !!(th.flags & WIRE_TCP_FIN);
		F.tx_sport = th.sport;
		FUZZ_CHECK(ip.hop_limit == 64, "hop limit %u", ip.hop_limit);
		FUZZ_CHECK(!wire_ip6_is_multicast(&ip.dst), "TCP to a group");
		FUZZ_CHECK(is_ours(&ip.src), "TCP source not ours");
		return;
	}
	FUZZ_CHECK(ip.next_hdr == WIRE_IPPROTO_ICMPV6, "next header %u", ip.next_hdr);
	FUZZ_CHECK(wire_icmp6_parse(p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, ip.payload_len, &ip.src,
	                   &ip.dst, &h, true) == WIRE_OK,
	        "ICMPv6 checksum");
	FUZZ_CHECK(wire_mac_is_multicast(&eth.dst) == wire_ip6_is_multicast(&ip.dst),
	        "multicast MAC for a unicast destination or the reverse");
	if (h.type == WIRE_ICMP6_NEIGH_SOL || h.type == WIRE_ICMP6_NEIGH_ADV) {
		FUZZ_CHECK(ip.hop_limit == 255, "ND hop limit %u", ip.hop_limit);
		FUZZ_CHECK(wire_nd_parse(p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN, ip.payload_len, h.type,
		                   &nd) == WIRE_OK,
		        "ND body");
		if (wire_ip6_is_unspec(&ip.src)) {
			FUZZ_CHECK(h.type == WIRE_ICMP6_NEIGH_SOL && !nd.has_lla &&
			                   is_ours(&nd.target),
			        "from :: but not our DAD probe");
			return;
		}
	} else {
		FUZZ_CHECK(ip.hop_limit == 64, "hop limit %u", ip.hop_limit);
		FUZZ_CHECK(h.type == WIRE_ICMP6_ECHO_REPLY || h.type == WIRE_ICMP6_PARAM_PROB,
		        "sent type %u", h.type);
		FUZZ_CHECK(ip.payload_len <= WIRE_IPV6_MIN_MTU - WIRE_IPV6_HLEN ||
		                   h.type == WIRE_ICMP6_ECHO_REPLY,
		        "error longer than 1280");
	}
	FUZZ_CHECK(is_ours(&ip.src), "source not ours");
}

static uint16_t
fz_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	(void)arg;
	for (i = 0; i < n; i++) {
		check_tx(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static void
poll(void)
{
	enum tern_ip6_state st;

	tern_engine_poll(F.e);
	st = tern_engine_ip6_state(F.e);
	FUZZ_CHECK(!(F.state == TERN_IP6_DUPLICATE && st != TERN_IP6_DUPLICATE) &&
	                   !(F.state == TERN_IP6_PREFERRED && st != TERN_IP6_PREFERRED),
	        "address state %u after %u", st, F.state);
	F.state = (uint8_t)st;
	FUZZ_CHECK(F.e->nd.count <= ND_MAX_ENTRIES, "%u entries", F.e->nd.count);
}

static void
op_frame(void)
{
	uint8_t smac_sel = in_u8(), dmac_sel = in_u8(), src_sel = in_u8(), dst_sel = in_u8();
	uint8_t hop = in_u8(), nh = in_u8(), plen = in_u8(), flags = in_u8();
	struct wire_eth_repr eth = {.type = WIRE_ETHERTYPE_IPV6};
	struct wire_ipv6_repr ip;
	size_t len = (size_t)plen * 2, i;
	struct rte_mbuf *m;
	uint8_t *p;

	eth.src = (smac_sel & 3) == 3 ? us_mac : peer_macs[smac_sel & 3];
	switch (dmac_sel & 3) {
	case 0:
		eth.dst = us_mac;
		break;
	case 1:
		wire_ip6_mcast_mac(&addrs[7], eth.dst.b);
		break;
	case 2:
		wire_ip6_mcast_mac(&addrs[8], eth.dst.b);
		break;
	default:
		eth.dst = peer_macs[0];
		break;
	}
	memset(&ip, 0, sizeof(ip));
	ip.src = addrs[src_sel % NADDRS];
	ip.dst = addrs[dst_sel % NADDRS];
	ip.hop_limit = hop;
	ip.next_hdr = nh;
	ip.payload_len = (uint16_t)len;
	m = rte_pktmbuf_alloc(F.pool);
	if (m == NULL)
		return;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(WIRE_ETH_HLEN + WIRE_IPV6_HLEN + len));
	FUZZ_CHECK(p != NULL, "append");
	for (i = 0; i < len; i++)
		p[WIRE_ETH_HLEN + WIRE_IPV6_HLEN + i] = in_u8();
	if (flags & 2) /* a length field that may disagree with the frame */
		ip.payload_len = (uint16_t)(p[WIRE_ETH_HLEN + WIRE_IPV6_HLEN] << 4 | (flags >> 4));
	wire_ipv6_emit(p + WIRE_ETH_HLEN, &ip);
	wire_eth_emit(p, &eth);
	if (nh == WIRE_IPPROTO_TCP && len >= WIRE_TCP_HLEN) {
		uint8_t *tcp = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;

		if (flags & 8) { /* ACK relative to what the engine sent last */
			uint32_t a = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 |
			             (uint32_t)tcp[10] << 8 | tcp[11];

			a += F.tx_nxt;
			tcp[8] = (uint8_t)(a >> 24);
			tcp[9] = (uint8_t)(a >> 16);
			tcp[10] = (uint8_t)(a >> 8);
			tcp[11] = (uint8_t)a;
		}
		if (flags & 16) { /* to the engine's port of its last segment */
			tcp[2] = (uint8_t)(F.tx_sport >> 8);
			tcp[3] = (uint8_t)F.tx_sport;
		}
	}
	if ((flags & 4) && nh == WIRE_IPPROTO_TCP && len >= WIRE_TCP_HLEN) {
		uint8_t *tcp = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;

		tcp[WIRE_TCP_CSUM_OFF] = tcp[WIRE_TCP_CSUM_OFF + 1] = 0;
		uint16_t c = wire_csum_fold(wire_csum_add(
		        wire_csum_pseudo6(&ip.src, &ip.dst, WIRE_IPPROTO_TCP, (uint32_t)len), tcp,
		        len));
		tcp[WIRE_TCP_CSUM_OFF] = (uint8_t)(c >> 8);
		tcp[WIRE_TCP_CSUM_OFF + 1] = (uint8_t)c;
	}
	if ((flags & 1) && nh == WIRE_IPPROTO_ICMPV6 && len >= WIRE_ICMP6_HLEN) {
		uint8_t *icmp = p + WIRE_ETH_HLEN + WIRE_IPV6_HLEN;

		icmp[2] = icmp[3] = 0;
		uint16_t c = wire_csum_fold(wire_csum_add(
		        wire_csum_pseudo6(&ip.src, &ip.dst, WIRE_IPPROTO_ICMPV6, (uint32_t)len),
		        icmp, len));
		icmp[2] = (uint8_t)(c >> 8);
		icmp[3] = (uint8_t)c;
	}
	F.rx = m;
	poll();
	if (F.rx != NULL) { /* not taken (cannot happen with a burst of 32) */
		rte_pktmbuf_free(F.rx);
		F.rx = NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tern_engine_conf conf;
	uint8_t hdr;
	unsigned base = rte_mempool_avail_count(F.pool);
	unsigned tiny_base = rte_mempool_avail_count(F.tiny);

	F.in = data;
	F.in_len = size;
	F.in_pos = 0;
	F.now_ns = START_NS;
	F.rx = NULL;
	F.state = TERN_IP6_TENTATIVE;
	F.tx_nxt = 0;
	F.tx_sport = 0;
	hdr = in_u8();
	memset(&conf, 0, sizeof(conf));
	conf.ip = 0x0a000001;
	memcpy(conf.mac, us_mac.b, 6);
	conf.pool = (hdr & 2) ? F.tiny : F.pool;
	conf.io.rx_burst = fz_rx;
	conf.io.tx_burst = fz_tx;
	conf.clock.now_ns = fz_clock;
	conf.max_conns = 4;
	conf.max_tw = 4;
	conf.synq_size = 4;
	conf.reass_segs = 4;
	memcpy(conf.ip6, us6.b, 16);
	if (hdr & 1)
		memcpy(conf.gateway6, addrs[3].b, 16);
	if (hdr & 4)
		conf.syncookies = TERN_SYNCOOKIES_ALWAYS;
	conf.cb = &app_cb;
	F.e = tern_engine_create(&conf);
	FUZZ_CHECK(F.e != NULL, "tern_engine_create: %s", rte_strerror(rte_errno));
	FUZZ_CHECK(tern_listen(F.e, 80, 4) == 0, "tern_listen");
	poll();
	while (F.in_pos < F.in_len) {
		uint8_t o = in_u8();

		switch (o & 3) {
		case 0:
			op_frame();
			break;
		case 1:
			F.now_ns += (uint64_t)(o >> 2) * 97 * 1000000;
			poll();
			break;
		case 2:
			F.now_ns +=
			        (uint64_t)((o & 4) ? ND_REACHABLE_MS : ND_DELAY_FIRST_PROBE_MS) *
			        1000000;
			poll();
			break;
		default:
			if (o & 4) {
				struct tern_addr a = {.family = TERN_AF_INET6};

				memcpy(a.v6, addrs[(o >> 3) % NADDRS].b, 16);
				tern_connect_addr(F.e, &a, 5000, 0, NULL);
			}
			poll();
			break;
		}
	}
	tern_engine_destroy(F.e);
	F.e = NULL;
	FUZZ_CHECK(rte_mempool_avail_count(F.pool) == base, "%u mbufs leaked",
	        base - rte_mempool_avail_count(F.pool));
	FUZZ_CHECK(rte_mempool_avail_count(F.tiny) == tiny_base, "%u tiny-pool mbufs leaked",
	        tiny_base - rte_mempool_avail_count(F.tiny));
	return 0;
}

static void
eal_teardown(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_mempool_free(F.pool);
	rte_mempool_free(F.tiny);
	rte_eal_cleanup();
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	cpu_set_t cpus;

	(void)argc;
	(void)argv;
	CPU_ZERO(&cpus);
	sched_getaffinity(0, sizeof(cpus), &cpus);
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-fuzz-nd-%d", (int)getpid());
	char *eal_argv[] = {"fuzz_nd", "--no-huge", "--no-shconf", "--no-pci", "-m", "128", prefix,
	        "--log-level=*:error", "--no-telemetry", "-l", "0", NULL};
	int eal_argc = (int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1;

	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "fuzz_nd: cannot start the EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	F.pool = rte_pktmbuf_pool_create(
	        "fuzz_nd_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	F.tiny = rte_pktmbuf_pool_create(
	        "fuzz_nd_tiny", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (F.pool == NULL || F.tiny == NULL) {
		fprintf(stderr, "fuzz_nd: cannot create the mbuf pools\n");
		exit(1);
	}
	atexit(eal_teardown);
	return 0;
}
