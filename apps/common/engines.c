/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port and the engines behind it: one queue pair per engine, rte_flow pinning of
 * each engine's ephemeral ports where the port can, a handoff ring per engine when there
 * are several (steering, docs/ARCHITECTURE.md), and the engines created from the common
 * options.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "app_int.h"

/* Frames one engine's ring holds for it (steering between engines, docs/ARCHITECTURE.md):
 * enough for the other queues' whole RX rings (af_packet's ROLLOVER moves a full ring's
 * frames to another queue; 4096 overflowed with 250 parallel flows on two engines). */
#define APP_STEER_RING 16384

int
app_port_check(const struct app *a)
{
	if (rte_eth_dev_count_avail() == 0 && a->vdev_given) {
		fprintf(stderr,
		        "%s: no DPDK port: the --vdev device did not probe (see the EAL lines "
		        "above: wrong driver name, bad arguments such as iface=, or for "
		        "net_virtio_user a path= with no vhost-user server behind it)\n",
		        a->name);
		return 2;
	}
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr,
		        "%s: no DPDK port: pass one with --vdev (e.g. "
		        "--vdev net_af_packet0,iface=eth1) or bind a NIC to vfio-pci\n",
		        a->name);
		return 2;
	}
	if (rte_eth_dev_count_avail() > 1)
		fprintf(stderr, "%s: %u ports found, using the first\n", a->name,
		        rte_eth_dev_count_avail());
	return 0;
}

/* Several engines: pin each engine's block of ephemeral ports to its queue where the port
 * takes rte_flow rules and its own RSS is not already the owner rule. Falling back to
 * handing misdirected segments over in software is said, never silent. */
static void
steer_flow(struct app *a)
{
	uint32_t ips[1 + TERN_MAX_SRC_IPS];
	uint16_t lo = a->o.port_lo ? a->o.port_lo : TERN_PORT_LO_DEFAULT;
	uint16_t hi = a->o.port_hi ? a->o.port_hi : TERN_PORT_HI_DEFAULT;
	unsigned nips = 0, i;
	char err[256];

	ips[nips++] = a->o.ip;
	for (i = 0; i < a->o.nsrc_ips; i++)
		ips[nips++] = a->o.src_ips[i];
	if (tern_port_steer_flow(&a->port, ips, nips, lo, hi, err, sizeof(err)) != 0)
		fprintf(stderr,
		        "%s: steering: no rte_flow (%s); using software: %s, so segments "
		        "that reach another engine's queue are handed to it over a ring\n",
		        a->name, err, a->port.steer_why);
}

/* IPv6: the port must pass the all-nodes and solicited-node multicast MACs (ND, DAD): its
 * multicast list; where the PMD keeps none, all-multicast, or else promiscuous mode (tern
 * drops what is not for it, counted); failing all, said on stderr. */
static void
ip6_multicast(struct app *a)
{
	uint8_t macs[TERN_IP6_MCAST_MACS][6];
	struct rte_ether_addr list[TERN_IP6_MCAST_MACS];
	unsigned n, i;
	int rc;

	n = tern_ip6_mcast_macs(a->o.ip6, a->port.mac, macs);
	for (i = 0; i < n; i++)
		memcpy(list[i].addr_bytes, macs[i], 6);
	rc = rte_eth_dev_set_mc_addr_list(a->port.port_id, list, n);
	if (rc == 0 || rte_eth_promiscuous_get(a->port.port_id) == 1)
		return; /* a promiscuous port passes every multicast frame anyway */
	if (rte_eth_allmulticast_enable(a->port.port_id) == 0 &&
	        rte_eth_allmulticast_get(a->port.port_id) == 1)
		return;
	/* Virtual PMDs (af_packet, virtio-user) have neither; promiscuous is what is left. */
	if (rte_eth_promiscuous_enable(a->port.port_id) == 0 &&
	        rte_eth_promiscuous_get(a->port.port_id) == 1)
		return;
	fprintf(stderr,
	        "%s: warning: %s takes no multicast list (%s), nor all-multicast, nor "
	        "promiscuous mode: IPv6 neighbour discovery may not reach tern\n",
	        a->name, a->port.name, rte_strerror(-rc));
}

int
app_port_setup(struct app *a)
{
	struct tern_port_conf pc;
	char err[256];

	memset(&pc, 0, sizeof(pc));
	RTE_ETH_FOREACH_DEV(pc.port_id) break;
	pc.nb_queues = (uint16_t)a->nengines;
	pc.nb_mbufs = a->o.mbufs;
	pc.no_offload = a->o.no_offload;
	pc.no_tso = a->o.no_tso;
	if (tern_port_init(&pc, &a->port, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", a->name, err);
		return 1;
	}
	if (tern_port_wait_link(&a->port, 5000) != 0)
		fprintf(stderr, "%s: warning: link of %s is down after 5 s, going on\n", a->name,
		        a->port.name);
	if (a->nengines > 1 && a->port.steer != TERN_STEER_RSS)
		steer_flow(a);
	if (a->o.has_ip6)
		ip6_multicast(a);
	return 0;
}

/* Several engines: a ring per engine for the frames that reach another engine's queue
 * (multi-producer, single consumer: its owner). */
static int
rings_create(struct app *a)
{
	unsigned i;

	for (i = 0; a->nengines > 1 && i < a->nengines; i++) {
		char name[RTE_RING_NAMESIZE];
		snprintf(name, sizeof(name), "tern_steer_%u", i);
		a->rings[i] = rte_ring_create(name, APP_STEER_RING, rte_socket_id(), RING_F_SC_DEQ);
		if (a->rings[i] == NULL) {
			fprintf(stderr, "%s: cannot create ring %s: %s\n", a->name, name,
			        rte_strerror(rte_errno));
			return 1;
		}
	}
	return 0;
}

/* app.rx_tap: the app sees each received burst first (the engine's I/O wrapped). */
static uint16_t
tap_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct app_rx_tap *t = arg;
	uint16_t got = t->io.rx_burst(t->io.arg, pkts, n);

	return got ? t->a->rx_tap(t->idx, pkts, got, t->a->app) : 0;
}

static uint16_t
tap_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct app_rx_tap *t = arg;

	return t->io.tx_burst(t->io.arg, pkts, n);
}

/* Engine @p i's configuration: the port's, and the common options. */
static void
engine_conf(struct app *a, unsigned i, struct tern_engine_conf *ec)
{
	memset(ec, 0, sizeof(*ec));
	tern_port_engine_conf(&a->port, ec);
	tern_port_io(&a->port, (uint16_t)i, &ec->io);
	if (a->rx_tap != NULL) {
		a->taps[i].io = ec->io;
		a->taps[i].a = a;
		a->taps[i].idx = i;
		ec->io.rx_burst = tap_rx;
		ec->io.tx_burst = tap_tx;
		ec->io.arg = &a->taps[i];
	}
	ec->ip = a->o.ip;
	ec->prefix_len = a->o.prefix_len;
	ec->gateway = a->o.gw;
	if (a->o.has_ip6) {
		memcpy(ec->ip6, a->o.ip6, 16);
		ec->prefix6_len = a->o.prefix6_len;
	}
	if (a->o.has_gw6)
		memcpy(ec->gateway6, a->o.gw6, 16);
	ec->msl_ms = a->o.msl_ms;
	ec->cc = a->o.cc;
	ec->nodelay = a->o.nodelay;
	ec->no_sack = a->o.no_sack;
	ec->no_timestamps = a->o.no_timestamps;
	ec->no_wscale = a->o.no_wscale;
	ec->no_delack = a->o.delack_ms == 0;
	ec->delack_ms = a->o.delack_ms;
	ec->rcvbuf = a->o.rcvbuf;
	ec->sndbuf = a->o.sndbuf;
	ec->keepalive = a->o.keepalive;
	ec->keepidle_ms = a->o.keepidle_ms;
	ec->keepintvl_ms = a->o.keepintvl_ms;
	ec->keepcnt = (uint8_t)a->o.keepcnt;
	ec->fin_timeout_ms = a->o.fin_timeout_ms;
	ec->user_timeout_ms = a->o.user_timeout_ms;
	ec->abort_on_overflow = a->o.abort_on_overflow;
	ec->syncookies = a->o.syncookies;
	ec->synq_size = a->o.synq_size;
	ec->syn_retries = a->o.syn_retries;
	ec->max_conns = a->o.max_conns;
	ec->conn_ext = a->o.conn_ext;
	ec->no_tw_reuse = a->o.no_tw_reuse;
	ec->tw_reuse_ms = a->o.tw_reuse_ms;
	ec->rfc1337 = a->o.rfc1337;
	ec->max_tw = a->o.max_tw;
	ec->clock_key[0] = a->o.clock_key[0]; /* 0,0 without --key-file: from the secret */
	ec->clock_key[1] = a->o.clock_key[1];
	ec->cb = a->cb;
	ec->app = a->app;
	ec->id = i;
	ec->nengines = a->nengines;
	ec->rings = a->nengines > 1 ? a->rings : NULL;
	ec->port_lo = a->o.port_lo;
	ec->port_hi = a->o.port_hi;
	memcpy(ec->src_ips, a->o.src_ips, sizeof(ec->src_ips));
	ec->nsrc_ips = a->o.nsrc_ips;
}

int
app_engines_create(struct app *a)
{
	unsigned i;
	int rc;

	if (rings_create(a) != 0)
		return 1;
	for (i = 0; i < a->nengines; i++) {
		struct tern_engine_conf ec;
		engine_conf(a, i, &ec);
		a->engines[i] = tern_engine_create(&ec);
		if (a->engines[i] == NULL) {
			fprintf(stderr, "%s: engine %u: %s\n", a->name, i,
			        rte_errno == ENOMEM ? "out of memory for connection tables "
			                              "(give the EAL more memory or lower "
			                              "--max-conns / --synq-size / --max-tw)"
			                            : rte_strerror(rte_errno));
			return 1;
		}
		if (a->setup != NULL && (rc = a->setup(a->engines[i], a->app)) != 0) {
			fprintf(stderr, "%s: engine %u: set-up failed: %s\n", a->name, i,
			        strerror(-rc));
			return 1;
		}
	}
	return 0;
}

void
app_engines_destroy(struct app *a)
{
	unsigned i;

	for (i = 0; i < a->nengines; i++) {
		tern_engine_destroy(a->engines[i]);
		a->engines[i] = NULL;
	}
	for (i = 0; i < a->nengines; i++) {
		rte_ring_free(a->rings[i]); /* NULL is a no-op */
		a->rings[i] = NULL;
	}
}
