#!/bin/bash
# The virtio-user lab bridge: a dpdk-testpmd in the tern namespace forwarding (io mode) between
#   port 0  net_vhost (vhost-user server socket $TERNLAB_VHOST_SOCK)  <- tern's net_virtio_user
#   port 1  net_af_packet on $TERNLAB_IF_T                              -> veth -> Linux peer
# The bridge outlives tern: a new tern reconnects to the same socket.
#
#   vhost-bridge.sh start [TIMEOUT_S]   start (if not running), wait until the socket exists
#   vhost-bridge.sh stop                SIGTERM the pid from the pid file, clean up
#   vhost-bridge.sh status
#
# Uses hugepages when mounted (hugepages.sh setup); the vhost side itself only maps tern's
# memory through the fds it receives, so it also runs with --no-huge.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

pidfile=$TERNLAB_RUN/vhost-bridge.pid
logfile=$TERNLAB_RUN/vhost-bridge.log

running_pid() {
	local pid
	[ -s "$pidfile" ] || return 1
	pid=$(cat "$pidfile")
	kill -0 "$pid" 2>/dev/null || return 1
	# Guard against a recycled pid: it must still be our testpmd.
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--file-prefix $TERNLAB_VHOST_PREFIX" ||
		return 1
	echo "$pid"
}

start() {
	local timeout=${1:-20} pid mem t
	if pid=$(running_pid); then
		echo "vhost bridge already running (pid $pid, socket $TERNLAB_VHOST_SOCK)"
		return 0
	fi
	ternlab_ns_exists "$TERNLAB_NS_T" || ternlab_die "namespace $TERNLAB_NS_T missing: run lab.sh up first"
	command -v "$TESTPMD" >/dev/null || ternlab_die "$TESTPMD not found (apt-get install dpdk)"
	mkdir -p "$TERNLAB_RUN" "$(dirname "$TERNLAB_VHOST_SOCK")"
	rm -f "$TERNLAB_VHOST_SOCK"
	ternlab_dpdk_cleanup "$TERNLAB_VHOST_PREFIX"
	if ternlab_huge_ok 32; then mem=(); else mem=(--no-huge -m 256); fi
	# ip netns exec execs testpmd, so $! is testpmd's pid.
	ip netns exec "$TERNLAB_NS_T" "$TESTPMD" -l "$TERNLAB_VHOST_LCORES" \
		--file-prefix "$TERNLAB_VHOST_PREFIX" --no-pci "${mem[@]}" \
		--vdev "net_vhost0,iface=$TERNLAB_VHOST_SOCK,queues=1" \
		--vdev "net_af_packet0,iface=$TERNLAB_IF_T,qpairs=1,qdisc_bypass=0" \
		-- --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 --total-num-mbufs=16384 --no-mlockall \
		--disable-link-check --stats-period 60 \
		</dev/null >"$logfile" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"
	t=$((timeout * 10))
	until [ -S "$TERNLAB_VHOST_SOCK" ] && grep -q "Start automatic packet forwarding\|Press enter\|forwarding packets" "$logfile" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$pidfile"
			tail -n 20 "$logfile" >&2
			ternlab_die "vhost bridge exited during start (log: $logfile)"
		fi
		if [ "$t" -le 0 ]; then
			ternlab_stop_pid "$pid" 5 || true
			rm -f "$pidfile"
			tail -n 20 "$logfile" >&2
			ternlab_die "vhost bridge socket $TERNLAB_VHOST_SOCK not ready within ${timeout}s"
		fi
		t=$((t - 1))
		sleep 0.1
	done
	echo "vhost bridge running (pid $pid, socket $TERNLAB_VHOST_SOCK, log $logfile)"
}

stop() {
	local pid
	if pid=$(running_pid); then
		ternlab_stop_pid "$pid" 5 || ternlab_die "vhost bridge pid $pid would not exit"
		echo "vhost bridge stopped (pid $pid)"
	else
		echo "vhost bridge not running"
	fi
	rm -f "$pidfile" "$TERNLAB_VHOST_SOCK"
	ternlab_dpdk_cleanup "$TERNLAB_VHOST_PREFIX"
}

status() {
	local pid
	if pid=$(running_pid); then
		echo "running: pid $pid, socket $TERNLAB_VHOST_SOCK, log $logfile"
	else
		echo "not running"
		return 1
	fi
}

case "${1:-}" in
start) start "${2:-20}" ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: ${0##*/} start [TIMEOUT_S] | stop | status" >&2
	exit 2
	;;
esac
