/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tern_port_init() failing part-way leaves nothing behind (issue 11): the mbuf pool it
 * created is freed, and a port it had configured is closed, so a second attempt (or
 * another port) can start clean. Two real PMDs make it fail at two depths:
 *  - net_null already started by someone else: rte_eth_dev_configure() refuses (-EBUSY)
 *    after the pool exists;
 *  - net_tap with fewer mbufs than RX descriptors: the tap PMD fills its RX ring at queue
 *    set-up and fails (-ENOMEM) after the port is configured.
 * Before the fix the pool stayed (a retry failed on the pool's name) and the tap port
 * stayed configured.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include <tern/port.h>

#include "test_helpers.h"

static uint16_t
vdev_port(const char *name, const char *args)
{
	uint16_t port;

	if (rte_eal_hotplug_add("vdev", name, args != NULL ? args : "") != 0)
		fail_msg("cannot create %s (%s): is the PMD installed?", name, args ? args : "");
	assert_int_equal(rte_eth_dev_get_port_by_name(name, &port), 0);
	return port;
}

/* The pool tern_port_init() names after the port. */
static struct rte_mempool *
port_pool(uint16_t port)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "tern_pool_p%u", port);
	return rte_mempool_lookup(name);
}

static void
test_configure_refused(void **state)
{
	struct rte_mempool *pool = test_eal_pool();
	struct tern_port_conf c = {.nb_mbufs = 2048};
	struct rte_eth_conf pc = {0};
	struct tern_port p;
	char err[256] = "";
	int rc;

	(void)state;
	c.port_id = vdev_port("net_null_ut0", NULL);
	/* someone else's port, already running */
	assert_int_equal(rte_eth_dev_configure(c.port_id, 1, 1, &pc), 0);
	assert_int_equal(rte_eth_rx_queue_setup(c.port_id, 0, 64, SOCKET_ID_ANY, NULL, pool), 0);
	assert_int_equal(rte_eth_tx_queue_setup(c.port_id, 0, 64, SOCKET_ID_ANY, NULL), 0);
	assert_int_equal(rte_eth_dev_start(c.port_id), 0);

	rc = tern_port_init(&c, &p, err, sizeof(err));
	assert_true(rc < 0);
	assert_non_null(strstr(err, "configure"));
	assert_null(p.pool);
	assert_null(port_pool(c.port_id)); /* the pool went with the failure */

	/* once the port is free, the same call works: nothing was left to collide with */
	assert_int_equal(rte_eth_dev_stop(c.port_id), 0);
	err[0] = '\0';
	rc = tern_port_init(&c, &p, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_non_null(port_pool(c.port_id));
	/* a virtual device: the apps' --poll-mode auto backs off on it */
	assert_string_equal(p.bus, "vdev");
	assert_string_equal(p.driver, "net_null");
	tern_port_close(&p);
	assert_null(port_pool(c.port_id));
}

static void
test_queue_setup_fails(void **state)
{
	struct tern_port_conf c = {.nb_queues = 1, .nb_rxd = 1024, .nb_txd = 256, .nb_mbufs = 600};
	struct rte_eth_dev_info info;
	struct tern_port p;
	char err[256] = "";
	int rc;

	(void)state;
	(void)test_eal_pool();
	c.port_id = vdev_port("net_tap_ut0", "iface=ternut0");
	rc = tern_port_init(&c, &p, err, sizeof(err));
	assert_true(rc < 0);
	assert_non_null(strstr(err, "queue 0 set-up failed"));
	assert_null(p.pool);
	assert_null(port_pool(c.port_id));
	/* configured, then closed: a closed vdev port is released (no device info left) */
	assert_int_not_equal(rte_eth_dev_info_get(c.port_id, &info), 0);
	rte_eal_hotplug_remove("vdev", "net_tap_ut0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_configure_refused),
	        cmocka_unit_test(test_queue_setup_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
