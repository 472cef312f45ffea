/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DPDK ethdev set-up for tern engines: one RX/TX queue pair per engine lcore, an mbuf
 * pool sized from the configuration, checksum offloads where the PMD has them.
 *
 * Works with any PMD: net_af_packet, net_tap, net_virtio_user, or a NIC on vfio-pci.
 */
#ifndef TERN_PORT_H
#define TERN_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tern/tern.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_PORT_MAX_QUEUES 128

/** Port configuration. Zero fields take defaults. */
struct tern_port_conf {
	uint16_t port_id;
	uint16_t nb_queues; /**< RX/TX queue pairs, one per engine (default 1) */
	uint16_t nb_rxd;    /**< RX descriptors per queue (default 1024) */
	uint16_t nb_txd;    /**< TX descriptors per queue (default 1024) */
	uint32_t nb_mbufs;  /**< pool size (default: descriptors + 32768 per queue) */
	bool no_offload;    /**< do not use checksum offloads even if the PMD has them */
	bool no_tso;        /**< do not use TSO even if the PMD has it */
};

/** A configured, started port. */
struct tern_port {
	uint16_t port_id;
	uint16_t nb_queues;
	uint8_t mac[6];
	bool tx_ip_csum;       /**< IPv4 header checksum offloaded on TX */
	bool tx_tcp_csum;      /**< TCP checksum offloaded on TX */
	bool tx_multi_seg;     /**< the port sends mbuf chains: zero-copy data segments */
	bool tx_tso;           /**< the port segments TCP (TSO) */
	bool tx_tso_l2_in_mtu; /**< its TSO counts the Ethernet header in the MTU (net_tap) */
	bool rx_csum;          /**< RX checksum flags are meaningful */
	bool rx_rss_hash;      /**< mbufs carry the NIC's RSS hash (RTE_ETH_RX_OFFLOAD_RSS_HASH) */
	uint32_t nb_mbufs;
	struct rte_mempool *pool;
	/** How its engines agree on the owner of a flow (several queues; tern.h):
	 *  TERN_STEER_RSS when the PMD hashes IPv4/TCP by Toeplitz with a key and RETA we could
	 *  read back, so the NIC itself delivers nearly every segment to its owner; otherwise
	 *  TERN_STEER_SOFTWARE (net_af_packet: the kernel's fanout hash has a random seed;
	 *  net_tap: its own BPF hash), or TERN_STEER_RTE_FLOW after tern_port_steer_flow(). */
	enum tern_steer_method steer;
	char steer_why[128]; /**< one line: why this method */
	unsigned flow_rules; /**< rte_flow rules installed by tern_port_steer_flow() */
	struct tern_rss rss; /**< the owner rule's key and RETA (several queues) */
	char name[64];       /**< device name, e.g. net_af_packet0 */
	char driver[64];     /**< driver name, e.g. net_af_packet */
	char bus[16];        /**< the device's bus: "pci" for a NIC, "vdev" for af_packet,
	                          tap, virtio-user..., "" when unknown */
	struct {
		uint16_t port_id;
		uint16_t queue_id;
	} queues[TERN_PORT_MAX_QUEUES];
};

/**
 * Configure and start a port.
 * On failure nothing is left behind: the mbuf pool is freed, and a port that was already
 * configured is stopped and closed.
 * @param err buffer for a one-line, human-readable reason on failure
 * @return 0, or a negative errno: -ENODEV (no such port), -EINVAL (more queues than the
 *         PMD has: the message says how to get more), -ENOMEM (mbuf pool: the message says
 *         how much memory was asked), or the PMD's error.
 */
int tern_port_init(
        const struct tern_port_conf *conf, struct tern_port *p, char *err, size_t errlen);

/**
 * Wait for the link to come up.
 * @return 0 when up, -ETIMEDOUT after @p timeout_ms.
 */
int tern_port_wait_link(const struct tern_port *p, unsigned timeout_ms);

/** Fill @p io with the burst functions of queue pair @p queue. */
void tern_port_io(struct tern_port *p, uint16_t queue, struct tern_io *io);

/** Most rules tern_port_steer_flow() installs when the PMD takes exact port matches only. */
#define TERN_FLOW_MAX_EXACT 4096

/**
 * Pin each engine's block of the ephemeral range [@p port_lo, @p port_hi] (share_of()
 * slices) to its queue with rte_flow rules matching TCP to each of our @p nips addresses
 * @p ips (host order), so that answers to active opens reach their engine directly: each
 * block as aligned power-of-two runs under a port mask, or, where the PMD refuses port
 * masks (net_tap), one rule per port, at most TERN_FLOW_MAX_EXACT. On success the port's
 * method becomes TERN_STEER_RTE_FLOW. On failure every rule is removed, the method is
 * unchanged and @p err says why (e.g. net_tap on a kernel without cls_flower).
 * @return 0, or a negative errno.
 */
int tern_port_steer_flow(struct tern_port *p, const uint32_t *ips, unsigned nips, uint16_t port_lo,
        uint16_t port_hi, char *err, size_t errlen);

/** Copy the port's MAC, pool, offload flags and owner rule into an engine configuration. */
void tern_port_engine_conf(const struct tern_port *p, struct tern_engine_conf *ec);

/** Stop and close the port and free its pool. */
void tern_port_close(struct tern_port *p);

#ifdef __cplusplus
}
#endif

#endif
