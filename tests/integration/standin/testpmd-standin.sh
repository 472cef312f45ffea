#!/bin/bash
# Stand-in for tern-echo built on dpdk-testpmd --forward-mode=icmpecho: takes tern-echo's
# command line, keeps the EAL options (so every lab mode and EAL profile is exercised for
# real: af_packet, tap, virtio-user), ignores the app options, answers ARP and ping, prints
# "ready" once forwarding starts and exits 0 on SIGTERM. Only the ping test can pass with it:
#   TERN_ECHO=$PWD/tests/integration/standin/testpmd-standin.sh TESTS=ping \
#       tests/integration/run.sh af_packet tap virtio-user
set -euo pipefail
eal=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	case "$1" in
	-l) eal+=(-l "0,1"); shift ;; # testpmd needs a main lcore plus a forwarding lcore
	*) eal+=("$1") ;;
	esac
	shift
done
# sed must outlive testpmd's last words: ignore the SIGTERM sent to timeout's process group.
exec > >(trap '' TERM; exec sed -u 's/start packet forwarding/& (ready)/') 2>&1
exec "${TESTPMD:-dpdk-testpmd}" "${eal[@]}" -- --forward-mode=icmpecho --stats-period 3600 \
	--no-mlockall --disable-link-check --total-num-mbufs=8192
