/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Shared unit-test helpers: a private EAL and mbuf pool, and an in-memory link.
 */
#ifndef TERN_TEST_HELPERS_H
#define TERN_TEST_HELPERS_H

#include <stdint.h>

struct rte_mempool;

/**
 * Start a private EAL once per process (--no-huge --no-shconf --no-pci, a unique
 * file prefix, logs at error level) and return a shared mbuf pool of 8191 mbufs.
 * Aborts the test process with a message if the EAL cannot start.
 */
struct rte_mempool *test_eal_pool(void);

#endif
