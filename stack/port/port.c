/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ethdev set-up: queue pairs, mbuf pool, offloads, the steering rule's key and RETA (the
 * NIC's, read back, or a random one), rte_flow pinning, link wait. Every failure returns
 * a negative errno and writes one line a user can act on, and leaves nothing behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include <tern/port.h>

#include "util/share.h"

#define DEFAULT_DESC 1024
#define POOL_CACHE   256

static int
fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static uint16_t
queue_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	const uint16_t *q = arg; /* {port_id, queue_id} */
	return rte_eth_rx_burst(q[0], q[1], pkts, n);
}

static uint16_t
queue_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	const uint16_t *q = arg;
	return rte_eth_tx_burst(q[0], q[1], pkts, n);
}

/*
 * Can the queue of an answer be computed? The PMD must hash IPv4/TCP (addresses and
 * ports) and let us read the key and the redirection table back. The hash function is
 * taken to be Toeplitz, the default of the PCI NICs and of virtio's RSS; the two virtual
 * devices known to hash otherwise are excluded.
 */
static bool
rss_read(uint16_t port, const struct rte_eth_dev_info *info, uint64_t rss_hf, struct tern_port *p)
{
	struct rte_eth_rss_reta_entry64 reta[TERN_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc;
	uint8_t key[TERN_RSS_KEY_MAX];
	unsigned i;

	if (!(rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP) || strcmp(info->driver_name, "net_tap") == 0 ||
	        strcmp(info->driver_name, "net_af_packet") == 0)
		return false;
	if (info->hash_key_size < 16 || info->hash_key_size > TERN_RSS_KEY_MAX ||
	        info->reta_size == 0 || info->reta_size > TERN_RSS_RETA_MAX)
		return false;
	rc.rss_key = key;
	rc.rss_key_len = info->hash_key_size;
	if (rte_eth_dev_rss_hash_conf_get(port, &rc) != 0 ||
	        !(rc.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP))
		return false;
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < RTE_DIM(reta); i++)
		reta[i].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(port, reta, info->reta_size) != 0)
		return false;
	memcpy(p->rss.key, key, info->hash_key_size);
	p->rss.key_len = (uint8_t)info->hash_key_size;
	p->rss.reta_size = info->reta_size;
	for (i = 0; i < info->reta_size; i++) {
		p->rss.reta[i] =
		        reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
		if (p->rss.reta[i] >= p->nb_queues)
			return false;
	}
	return true;
}

/*
 * The owner rule of a port with several queues: the NIC's own RSS when it can be read
 * back, else tern's own (a random key, so that nobody can aim a flood at one engine, and
 * a round-robin table). Says why in p->steer_why.
 */
static void
steer_rule(struct tern_port *p, const struct rte_eth_dev_info *info, uint64_t rss_hf)
{
	unsigned i;

	if (rss_read(p->port_id, info, rss_hf, p)) {
		p->steer = TERN_STEER_RSS;
		snprintf(p->steer_why, sizeof(p->steer_why),
		        "the NIC's Toeplitz key and %u-entry RETA, read back", p->rss.reta_size);
		return;
	}
	p->steer = TERN_STEER_SOFTWARE;
	snprintf(p->steer_why, sizeof(p->steer_why), "%s",
	        strcmp(p->driver, "net_af_packet") == 0
	                ? "af_packet's fanout hash has a random seed"
	        : strcmp(p->driver, "net_tap") == 0 ? "net_tap spreads by its own BPF hash"
	        : rss_hf == 0                       ? "the port has no IPv4/TCP RSS"
	                      : "the port's RSS key or RETA cannot be read back");
	for (i = 0; i < 40; i += 8) {
		uint64_t r = rte_rand();
		memcpy(p->rss.key + i, &r, 8);
	}
	p->rss.key_len = 40;
	p->rss.reta_size = 128;
	for (i = 0; i < p->rss.reta_size; i++)
		p->rss.reta[i] = (uint16_t)(i % p->nb_queues);
}

/* A failure part-way through tern_port_init(): release what it took (the port closed once
 * configured, the pool freed) and return @p rc. */
static int
init_undo(struct tern_port *p, uint16_t port, bool configured, bool started, int rc)
{
	if (started)
		rte_eth_dev_stop(port);
	if (configured)
		rte_eth_dev_close(port);
	rte_mempool_free(p->pool);
	p->pool = NULL;
	return rc;
}

int
tern_port_init(const struct tern_port_conf *conf, struct tern_port *p, char *err, size_t errlen)
{
	struct rte_eth_conf pc;
	struct rte_eth_dev_info info;
	const struct rte_bus *bus;
	struct rte_ether_addr mac;
	uint16_t nq = conf->nb_queues ? conf->nb_queues : 1;
	uint16_t nrxd = conf->nb_rxd ? conf->nb_rxd : DEFAULT_DESC;
	uint16_t ntxd = conf->nb_txd ? conf->nb_txd : DEFAULT_DESC;
	uint16_t port = conf->port_id, q;
	int socket, rc;
	char pname[RTE_MEMPOOL_NAMESIZE];

	memset(p, 0, sizeof(*p));
	if (!rte_eth_dev_is_valid_port(port))
		return fail(err, errlen, -ENODEV,
		        "no DPDK port %u: pass one with --vdev (e.g. "
		        "net_af_packet0,iface=eth1) or bind a NIC to vfio-pci",
		        port);
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return fail(err, errlen, rc, "port %u: cannot read device info: %s", port,
		        rte_strerror(-rc));
	rte_eth_dev_get_name_by_port(port, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	bus = info.device != NULL ? rte_dev_bus(info.device) : NULL;
	snprintf(p->bus, sizeof(p->bus), "%s", bus != NULL ? rte_bus_name(bus) : "");
	if (nq > TERN_PORT_MAX_QUEUES)
		return fail(err, errlen, -EINVAL, "%u queues asked, tern supports at most %u", nq,
		        TERN_PORT_MAX_QUEUES);
	if (nq > info.max_rx_queues || nq > info.max_tx_queues)
		return fail(err, errlen, -EINVAL,
		        "port %u (%s) has %u RX / %u TX queues but %u engine lcores need one "
		        "pair each: use fewer lcores (-l), or more queues (af_packet: "
		        "qpairs=%u in --vdev)",
		        port, p->name, info.max_rx_queues, info.max_tx_queues, nq, nq);

	socket = rte_eth_dev_socket_id(port);
	if (socket < 0)
		socket = (int)rte_socket_id();
	p->nb_mbufs = conf->nb_mbufs ? conf->nb_mbufs
	                             : (uint32_t)nq * (nrxd + ntxd + POOL_CACHE + 32768u);
	snprintf(pname, sizeof(pname), "tern_pool_p%u", port);
	p->pool = rte_pktmbuf_pool_create(
	        pname, p->nb_mbufs, POOL_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (p->pool == NULL)
		return fail(err, errlen, -ENOMEM,
		        "cannot allocate %u mbufs (%.0f MiB) on socket %d: %s; give the EAL more "
		        "memory (-m MB, or hugepages) or ask for fewer mbufs",
		        p->nb_mbufs,
		        (double)p->nb_mbufs * (RTE_MBUF_DEFAULT_BUF_SIZE + 192) / (1 << 20), socket,
		        rte_strerror(rte_errno));

	memset(&pc, 0, sizeof(pc));
	if (!conf->no_offload) {
		uint64_t tx = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		uint64_t rx = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
			p->tx_ip_csum = true;
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
			p->tx_tcp_csum = true;
		if ((info.rx_offload_capa & rx) == rx)
			p->rx_csum = true;
		pc.txmode.offloads = info.tx_offload_capa & tx;
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
			pc.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
			p->tx_multi_seg = true;
		}
		/* TSO sends chains and leaves every checksum to the port. */
		if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO) && p->tx_multi_seg &&
		        p->tx_ip_csum && p->tx_tcp_csum && !conf->no_tso) {
			pc.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
			p->tx_tso = true;
			p->tx_tso_l2_in_mtu = strcmp(info.driver_name, "net_tap") == 0;
		}
		pc.rxmode.offloads = p->rx_csum ? rx : 0;
	}
	if (nq > 1) {
		pc.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		pc.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
		                                 (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP);
		if (pc.rx_adv_conf.rss_conf.rss_hf == 0)
			pc.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE; /* af_packet: fanout does it */
		else if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH)
			pc.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	}
	rc = rte_eth_dev_configure(port, nq, nq, &pc);
	if (rc != 0)
		return init_undo(p, port, false, false,
		        fail(err, errlen, rc, "port %u (%s): configure with %u queues failed: %s",
		                port, p->name, nq, rte_strerror(-rc)));
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrxd, &ntxd);
	if (rc != 0)
		return init_undo(p, port, true, false,
		        fail(err, errlen, rc, "port %u: descriptor counts rejected: %s", port,
		                rte_strerror(-rc)));
	for (q = 0; q < nq; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;
		struct rte_eth_txconf txc = info.default_txconf;
		rxc.offloads = pc.rxmode.offloads;
		txc.offloads = pc.txmode.offloads;
		rc = rte_eth_rx_queue_setup(port, q, nrxd, (unsigned)socket, &rxc, p->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, ntxd, (unsigned)socket, &txc);
		if (rc != 0)
			return init_undo(p, port, true, false,
			        fail(err, errlen, rc, "port %u: queue %u set-up failed: %s", port,
			                q, rte_strerror(-rc)));
		p->queues[q].port_id = port;
		p->queues[q].queue_id = q;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		return init_undo(p, port, true, false,
		        fail(err, errlen, rc, "port %u (%s): start failed: %s", port, p->name,
		                rte_strerror(-rc)));
	/* Promiscuous is not needed: tern answers its own MAC and broadcast only. */
	rc = rte_eth_macaddr_get(port, &mac);
	if (rc != 0)
		return init_undo(p, port, true, true,
		        fail(err, errlen, rc, "port %u: cannot read MAC: %s", port,
		                rte_strerror(-rc)));
	memcpy(p->mac, mac.addr_bytes, sizeof(p->mac));
	p->port_id = port;
	p->nb_queues = nq;
	if (nq > 1)
		steer_rule(p, &info,
		        pc.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? pc.rx_adv_conf.rss_conf.rss_hf
		                                               : 0);
	p->rx_rss_hash = p->steer == TERN_STEER_RSS &&
	                 (pc.rxmode.offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH) != 0;
	return 0;
}

/* One rule: TCP to @p ip with a destination port in [port, port + ~mask] -> @p queue. */
static int
flow_rule(uint16_t port_id, uint32_t ip, uint16_t port, uint16_t mask, uint16_t queue,
        struct rte_flow_error *fe)
{
	const struct rte_flow_attr attr = {.ingress = 1};
	const struct rte_flow_item_ipv4 ip_spec = {.hdr.dst_addr = rte_cpu_to_be_32(ip)};
	const struct rte_flow_item_ipv4 ip_mask = {.hdr.dst_addr = RTE_BE32(0xffffffff)};
	const struct rte_flow_item_tcp tcp_spec = {.hdr.dst_port = rte_cpu_to_be_16(port)};
	const struct rte_flow_item_tcp tcp_mask = {.hdr.dst_port = rte_cpu_to_be_16(mask)};
	const struct rte_flow_item pattern[] = {
	        {.type = RTE_FLOW_ITEM_TYPE_ETH},
	        {.type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip_spec, .mask = &ip_mask},
	        {.type = RTE_FLOW_ITEM_TYPE_TCP, .spec = &tcp_spec, .mask = &tcp_mask},
	        {.type = RTE_FLOW_ITEM_TYPE_END},
	};
	const struct rte_flow_action_queue q = {.index = queue};
	const struct rte_flow_action actions[] = {
	        {.type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &q},
	        {.type = RTE_FLOW_ACTION_TYPE_END},
	};
	int rc = rte_flow_validate(port_id, &attr, pattern, actions, fe);

	if (rc != 0)
		return rc;
	return rte_flow_create(port_id, &attr, pattern, actions, fe) != NULL ? 0 : -rte_errno;
}

/*
 * Install the rules of every engine's block of [lo, hi], each an aligned power-of-two run
 * of ports under one mask (@p exact false), or one rule per port (@p exact true: for PMDs
 * that match ports exactly only, such as net_tap, whose TC flower rules take no port
 * mask). @return 0, or the first refusal with @p fe set; p->flow_rules counts the rules.
 */
static int
flow_blocks(struct tern_port *p, const uint32_t *ips, unsigned nips, uint16_t lo, uint16_t hi,
        bool exact, struct rte_flow_error *fe)
{
	unsigned i, k;
	int rc = 0;

	for (i = 0; i < p->nb_queues && rc == 0; i++) {
		uint16_t first;
		uint32_t len, a, end;

		share_of(lo, hi, i, p->nb_queues, &first, &len);
		for (a = first, end = (uint32_t)first + len; a < end && rc == 0;) {
			uint32_t size = exact ? 1 : a == 0 ? 65536 : a & -a;
			while (a + size > end)
				size >>= 1;
			for (k = 0; k < nips && rc == 0; k++) {
				memset(fe, 0, sizeof(*fe));
				rc = flow_rule(p->port_id, ips[k], (uint16_t)a,
				        (uint16_t) ~(size - 1), (uint16_t)i, fe);
				if (rc == 0)
					p->flow_rules++;
			}
			a += size;
		}
	}
	if (rc != 0 && p->flow_rules > 0)
		rte_flow_flush(p->port_id, NULL);
	if (rc != 0)
		p->flow_rules = 0;
	return rc;
}

int
tern_port_steer_flow(struct tern_port *p, const uint32_t *ips, unsigned nips, uint16_t port_lo,
        uint16_t port_hi, char *err, size_t errlen)
{
	struct rte_flow_error fe;
	uint32_t exact_rules = ((uint32_t)port_hi - port_lo + 1) * nips;
	char masked[96];
	int rc;

	if (p->nb_queues <= 1)
		return fail(err, errlen, -EINVAL, "one queue: nothing to pin");
	if (p->steer == TERN_STEER_RSS)
		return fail(err, errlen, -EEXIST, "the NIC's own RSS already steers every flow");
	rc = flow_blocks(p, ips, nips, port_lo, port_hi, false, &fe);
	if (rc != 0) {
		snprintf(masked, sizeof(masked), "%s: %s",
		        fe.message != NULL ? fe.message : "no reason given", rte_strerror(-rc));
		if (exact_rules > TERN_FLOW_MAX_EXACT)
			return fail(err, errlen, rc,
			        "%s refused masked port rules (%s); one rule per port would take "
			        "%u "
			        "rules, more than %u (narrow --port-range)",
			        p->name, masked, exact_rules, TERN_FLOW_MAX_EXACT);
		rc = flow_blocks(p, ips, nips, port_lo, port_hi, true, &fe);
		if (rc != 0)
			return fail(err, errlen, rc,
			        "%s refused masked port rules (%s) and exact ones (%s: %s)",
			        p->name, masked,
			        fe.message != NULL ? fe.message : "no reason given",
			        rte_strerror(-rc));
	}
	p->steer = TERN_STEER_RTE_FLOW;
	snprintf(p->steer_why, sizeof(p->steer_why),
	        "%u rte_flow rules pin each engine's block of ports %u-%u to its queue",
	        p->flow_rules, port_lo, port_hi);
	return 0;
}

int
tern_port_wait_link(const struct tern_port *p, unsigned timeout_ms)
{
	struct rte_eth_link link;
	unsigned waited = 0;

	for (;;) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0 &&
		        link.link_status == RTE_ETH_LINK_UP)
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		rte_delay_ms(100);
		waited += 100;
	}
}

void
tern_port_io(struct tern_port *p, uint16_t queue, struct tern_io *io)
{
	io->rx_burst = queue_rx;
	io->tx_burst = queue_tx;
	io->arg = &p->queues[queue];
}

void
tern_port_engine_conf(const struct tern_port *p, struct tern_engine_conf *ec)
{
	memcpy(ec->mac, p->mac, sizeof(ec->mac));
	ec->pool = p->pool;
	ec->tx_ip_csum_offload = p->tx_ip_csum;
	ec->tx_tcp_csum_offload = p->tx_tcp_csum;
	ec->tx_multi_seg = p->tx_multi_seg;
	ec->tx_tso = p->tx_tso;
	ec->tx_tso_l2_in_mtu = p->tx_tso_l2_in_mtu;
	ec->rx_csum_offload = p->rx_csum;
	ec->steer = p->steer;
	ec->rx_rss_hash = p->rx_rss_hash;
	ec->rss = p->nb_queues > 1 ? &p->rss : NULL;
}

void
tern_port_close(struct tern_port *p)
{
	if (p->nb_queues > 0) {
		if (p->flow_rules > 0)
			rte_flow_flush(p->port_id, NULL);
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
		p->nb_queues = 0;
	}
	rte_mempool_free(p->pool);
	p->pool = NULL;
}
