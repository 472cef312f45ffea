# shellcheck shell=bash
# Shared settings of the tern lab, sourced by dpdk-config/*.sh and tests/integration/lib.sh.
#
# Every name and address can be overridden from the environment, so that two labs can live
# side by side on one machine: e.g. TERNLAB_PREFIX=lab2 gives namespaces lab2-t / lab2-p,
# its own run directory and its own DPDK file prefixes. Interface names live inside the
# namespaces (veth ends are created directly in them), so they may repeat across labs.
#
# Test traffic stays inside these namespaces; 198.18.0.0/15 is the RFC 2544 benchmarking range,
# 2001:2::/48 its IPv6 counterpart (RFC 5180).

: "${TERNLAB_PREFIX:=ternlab}"
: "${TERNLAB_NS_T:=${TERNLAB_PREFIX}-t}"         # tern side: DPDK processes run here
: "${TERNLAB_NS_P:=${TERNLAB_PREFIX}-p}"         # Linux peer: kernel TCP stack
: "${TERNLAB_IF_T:=tern-t}"                      # veth end in NS_T, no IP address
: "${TERNLAB_IF_P:=tern-p}"                      # veth end in NS_P, carries PEER_IP
: "${TERNLAB_TERN_IP:=198.18.0.1}"
: "${TERNLAB_PEER_IP:=198.18.0.2}"
: "${TERNLAB_PLEN:=24}"
: "${TERNLAB_TERN_IP6:=2001:2::1}"               # RFC 5180 benchmarking range (v6)
: "${TERNLAB_PEER_IP6:=2001:2::2}"
: "${TERNLAB_PLEN6:=64}"
: "${TERNLAB_PEER_LL6:=fe80::2}"                 # the peer's link-local address (t_ping6 only)
: "${TERNLAB_MTU:=1500}"
: "${TERNLAB_TAP:=terntap0}"                     # net_tap interface (tap mode)
: "${TERNLAB_BR:=ternbr0}"                       # bridge tap <-> veth in NS_T (tap mode)
: "${TERNLAB_TAP_KMAC:=02:74:6c:61:62:01}"      # kernel-side MAC given to the tap (lab.sh)
: "${TERNLAB_RUN:=/run/${TERNLAB_PREFIX}}"       # pid files, sockets, logs
: "${TERNLAB_VHOST_SOCK:=${TERNLAB_RUN}/vhost-user.sock}"
: "${TERNLAB_VHOST_PREFIX:=${TERNLAB_PREFIX}-vhost}" # --file-prefix of the vhost bridge
: "${TERNLAB_VHOST_LCORES:=0,1}"                 # main lcore + one forwarding lcore
: "${TERN_HUGEPAGES:=512}"                       # 2 MiB pages wanted by hugepages.sh setup
: "${TERN_HUGE_DIR:=/dev/hugepages}"
: "${DPDK_RUNTIME_DIR:=/var/run/dpdk}"           # EAL runtime dirs: <dir>/<file-prefix>/
: "${TESTPMD:=dpdk-testpmd}"

export TERNLAB_PREFIX TERNLAB_NS_T TERNLAB_NS_P TERNLAB_IF_T TERNLAB_IF_P TERNLAB_TERN_IP \
	TERNLAB_PEER_IP TERNLAB_PLEN TERNLAB_TERN_IP6 TERNLAB_PEER_IP6 TERNLAB_PLEN6 TERNLAB_PEER_LL6 TERNLAB_MTU TERNLAB_TAP TERNLAB_BR TERNLAB_TAP_KMAC TERNLAB_RUN \
	TERNLAB_VHOST_SOCK TERNLAB_VHOST_PREFIX TERNLAB_VHOST_LCORES TERN_HUGEPAGES \
	TERN_HUGE_DIR DPDK_RUNTIME_DIR TESTPMD

ternlab_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
ternlab_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# ternlab_ns_exists NS
ternlab_ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }

# ternlab_huge_ok [MIN_FREE_PAGES]: hugetlbfs mounted at TERN_HUGE_DIR and enough free pages.
ternlab_huge_ok() {
	local min=${1:-64} free
	awk -v d="$TERN_HUGE_DIR" '$2 == d && $3 == "hugetlbfs" {f=1} END {exit !f}' /proc/mounts ||
		return 1
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	[ "${free:-0}" -ge "$min" ]
}

# ternlab_dpdk_cleanup PREFIX: remove what an exited DPDK process with --file-prefix PREFIX
# left behind (runtime dir with its telemetry socket, hugepage files). Only call it once the
# process is gone.
ternlab_dpdk_cleanup() {
	local p=$1
	[ -n "$p" ] || return 0
	rm -rf -- "${DPDK_RUNTIME_DIR:?}/$p"
	rm -f -- "$TERN_HUGE_DIR/${p}map_"* 2>/dev/null || true
}

# ternlab_wait_pid PID SECONDS: wait for a (non-child) process to exit; 0 if it did.
ternlab_wait_pid() {
	local pid=$1 t=$(($2 * 10))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$t" -gt 0 ] || return 1
		t=$((t - 1))
		sleep 0.1
	done
}

# ternlab_stop_pid PID [SECONDS]: SIGTERM, wait, then SIGKILL. Returns 0 once it is gone.
ternlab_stop_pid() {
	local pid=$1 secs=${2:-5}
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	ternlab_wait_pid "$pid" "$secs" && return 0
	ternlab_log "pid $pid ignored SIGTERM for ${secs}s, sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	ternlab_wait_pid "$pid" 2
}
