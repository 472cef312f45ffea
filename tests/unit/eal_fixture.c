/* SPDX-License-Identifier: BSD-3-Clause */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "test_helpers.h"

/* At exit: release the EAL and remove its (empty) runtime directory. */
static void
eal_teardown(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

struct rte_mempool *
test_eal_pool(void)
{
	static struct rte_mempool *pool;
	char prefix[64];

	if (pool != NULL)
		return pool;
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-unit-%d", (int)getpid());
	char *argv[] = {"unit", "--no-huge", "--no-shconf", "--no-pci", "-m", "256", prefix,
	        "--log-level=*:error", "--no-telemetry", NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "unit: cannot start the EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	atexit(eal_teardown);
	pool = rte_pktmbuf_pool_create(
	        "unit_pool", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "unit: cannot create the mbuf pool: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	return pool;
}
