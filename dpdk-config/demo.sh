#!/bin/bash
# The main job: real Linux TCP traffic through tern, end to end, on one machine.
#
#   1. installs what is missing (apt-get) and builds tern (meson + ninja);
#   2. brings up the lab: namespace NS_P whose Linux kernel is the peer, joined by a veth
#      pair to NS_T where tern-echo runs on net_af_packet (MODE=tap|virtio-user also work);
#   3. shows Linux clients talking to tern: ping, a Python socket echo, nc, 10 MiB
#      echoed byte-exact, 200 short connections; then tern's counters over telemetry;
#   4. cleans up (tern-echo, namespaces), also when something fails.
#
# usage: dpdk-config/demo.sh [af_packet|tap|virtio-user]      (as root)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-af_packet}
case "$mode" in af_packet | tap | virtio-user) ;; *)
	echo "usage: $0 [af_packet|tap|virtio-user]" >&2
	exit 2
	;;
esac
export TERNLAB_PREFIX=${TERNLAB_PREFIX:-terndemo}
# shellcheck source=common.sh
. "$top/dpdk-config/common.sh"
PY=/usr/bin/python3
prefix="$TERNLAB_PREFIX-echo-$$"
tern_pid=""
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
	set +e
	if [ -n "$tern_pid" ] && kill -0 "$tern_pid" 2>/dev/null; then
		kill -TERM "$tern_pid"
		for _ in $(seq 50); do kill -0 "$tern_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$tern_pid" 2>/dev/null
	fi
	[ -n "$tern_pid" ] && [ -f "$TERNLAB_RUN/demo-echo.log" ] && {
		say "tern-echo's last words"
		tail -4 "$TERNLAB_RUN/demo-echo.log"
	}
	"$top/dpdk-config/lab.sh" down >/dev/null 2>&1
	rm -rf "${DPDK_RUNTIME_DIR:?}/$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, af_packet, hugepages)" >&2; exit 1; }

say "installing what is missing and building"
bash "$top/dpdk-config/install-deps.sh" all
[ -f "$top/build/build.ninja" ] || meson setup "$top/build" >/dev/null
ninja -C "$top/build" -j2 >/dev/null
echo "built $top/build/apps/tern-echo/tern-echo"

say "lab up ($mode): $TERNLAB_NS_P (Linux, $TERNLAB_PEER_IP) <=veth=> $TERNLAB_NS_T (tern, $TERNLAB_TERN_IP)"
"$top/dpdk-config/lab.sh" down >/dev/null 2>&1 || true
"$top/dpdk-config/lab.sh" up "$mode"
mkdir -p "$TERNLAB_RUN"

say "starting tern-echo on port 7"
read -r -a eal <<<"$("$top/dpdk-config/eal-args.sh" "$mode" --file-prefix "$prefix" -l 0)"
echo "tern-echo ${eal[*]} -- --ip $TERNLAB_TERN_IP/$TERNLAB_PLEN --listen 7 --stats-interval 5"
ip netns exec "$TERNLAB_NS_T" "$top/build/apps/tern-echo/tern-echo" "${eal[@]}" -- \
	--ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" --listen 7 --stats-interval 5 \
	>"$TERNLAB_RUN/demo-echo.log" 2>&1 &
tern_pid=$!
for _ in $(seq 100); do
	grep -q "ready" "$TERNLAB_RUN/demo-echo.log" && break
	kill -0 "$tern_pid" 2>/dev/null || { cat "$TERNLAB_RUN/demo-echo.log"; exit 1; }
	sleep 0.1
done
grep "ready" "$TERNLAB_RUN/demo-echo.log"
[ "$mode" = tap ] && "$top/dpdk-config/lab.sh" attach-tap 10

peer() { ip netns exec "$TERNLAB_NS_P" "$@"; }

say "Linux pings tern"
peer ping -c 3 -i 0.2 -W 2 "$TERNLAB_TERN_IP"

say "a Python socket client says hello"
peer "$PY" - "$TERNLAB_TERN_IP" <<'PYEOF'
import socket, sys
with socket.create_connection((sys.argv[1], 7), timeout=5) as s:
    s.sendall(b"hello, tern\n")
    print("echoed:", s.recv(100))
PYEOF

say "nc sends a line and half-closes"
printf 'echo through nc\n' | peer timeout 5 nc -N "$TERNLAB_TERN_IP" 7

say "10 MiB of random bytes echoed back, compared byte for byte"
peer timeout 60 "$PY" "$top/tests/integration/echo_client.py" --host "$TERNLAB_TERN_IP" \
	--port 7 --bytes $((10 << 20))

say "200 short connections, one after the other"
peer timeout 60 "$PY" "$top/tests/integration/seq_client.py" --host "$TERNLAB_TERN_IP" \
	--port 7 --count 200

say "Linux closed first, so Linux holds the TIME_WAITs"
echo "$(peer ss -tan state time-wait | tail -n +2 | wc -l) sockets in TIME-WAIT in $TERNLAB_NS_P"

say "tern's counters (DPDK telemetry, /tern/stats and /tern/gauges)"
"$PY" "$top/tests/integration/telemetry.py" -p "$prefix" /tern/gauges
"$PY" "$top/tests/integration/telemetry.py" -p "$prefix" /tern/drops
"$PY" "$top/tests/integration/telemetry.py" -p "$prefix" /tern/stats | tr ',' '\n' |
	grep -E '"(rx_pkts|tx_pkts|tcp_passive_open|tcp_data_rx|tcp_data_tx|tcp_retrans|icmp_echo)"'
say "done: tern terminated real Linux TCP connections"
