#!/bin/bash
# Reproducer (not a pass/fail test): clients that pin tern-proxy's mbuf pool, then read.
# tern-proxy (two engines, af_packet) in front of two nginx backends; HOG_N (200) clients
# each ask for a 24 MiB body and read nothing for HOG_HOLD (15) s, which is more buffering
# than the pool holds (docs/PROXY.md "Limits": about 45 busy pairs per queue pair), so data
# is dropped (tcp_rcv_pool_low) and the backends' retransmission timers back off. Then they
# read their bodies one after another, bounded by HOG_SECS (90) s. Meanwhile a curl loop
# (a new connection every 0.2 s, 5 s timeout) shows what new clients see. Every 3 s: the
# pool, the states per engine, the proxy's pairs, the peer's sockets and the packet rate.
# What to look at: after the hold, with most of the pool free again, transfers that sit
# still (rx 0 pkt/s, reass_segs > 0, nginx sockets in FIN-WAIT-1 with MBs unsent), and
# whether HOG_N bodies complete within HOG_SECS ("read full N short M").
# usage (as root): TERN_BUILD=build tests/bench/soak_hog.sh   (TERNLAB_PREFIX default ausk;
# HOG_PCAP=FILE also captures the clients' side, port 8000, on the peer veth)
# shellcheck source-path=SCRIPTDIR
set -uo pipefail
export TERNLAB_PREFIX=${TERNLAB_PREFIX:-ausk}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${TERN_BUILD:=$(cd "$HERE/../.." && pwd)/build}"
TERN_BUILD=$(cd "$TERN_BUILD" && pwd)
export TERN_BUILD TERN_MAX_LIFETIME=600
: "${HOG_N:=200}"
: "${HOG_HOLD:=15}"
: "${HOG_SECS:=90}"
IT_KEEP_TMP=1
# shellcheck source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
it_begin soak_hog af_packet
# shellcheck source=../integration/nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
tern_engines 2
TERN_ECHO=$TERN_BUILD/apps/tern-proxy/tern-proxy
lab_up
www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
echo ok >"$www/ok.txt"
head -c $((24 << 20)) /dev/urandom >"$www/big.bin"
ngx_start "$www" 8391 8392
tern_start 8000 --backend "$TERNLAB_PEER_IP:8391,$TERNLAB_PEER_IP:8392" --stats-interval 1 \
	--msl 2000 --fin-timeout 5000
PX=$(pgrep -P "$TERN_PID" | head -n 1)
look() {
	local e s=""
	for e in 0 1; do
		s+="e$e $(tel_json "/tern/gauges,$e" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print("est %d cw %d fw2 %d reass %d" % (d["established"], d["close_wait"], d["fin_wait_2"], d["reass_segs"]))') | "
	done
	echo "mbufs free $(tel_num /tern/gauges mbufs_free) | $s$(grep 'stats:' "$TERN_LOG" | tail -n 1 | grep -o 'rx [0-9]* pkt ([0-9]*/s)') | active $(grep 'stats:' "$TERN_LOG" | tail -n 1 | grep -o 'active [0-9]*' | head -n 1) | peer $(ip netns exec "$TERNLAB_NS_P" ss -Htan | grep "$TERNLAB_TERN_IP:" | awk '{print $1}' | sort | uniq -c | tr -s ' \n' ' ')"
}
it_log "start: $(look)"
PCAP_PID=
if [ -n "${HOG_PCAP:-}" ]; then # HOG_PCAP=FILE: the clients' side (port 8000) headers
	timeout -k 2 300 ip netns exec "$TERNLAB_NS_P" tcpdump -i "$TERNLAB_IF_P" -s 96 -U -n -w "$HOG_PCAP" \
		"tcp port 8000" >/dev/null 2>&1 &
	PCAP_PID=$!
	sleep 1
fi
ip netns exec "$TERNLAB_NS_P" timeout 40 bash -c 'end=$((SECONDS + 30)); ok=0; bad=0
	while [ $SECONDS -lt $end ]; do
		c=$(curl -sS -m 5 -o /dev/null -w "%{http_code}" "$1/ok.txt" 2>&1)
		[ "$c" = 200 ] && ok=$((ok + 1)) || bad=$((bad + 1)); sleep 0.2
	done; echo "new clients meanwhile: ok $ok failed $bad"' _ "http://$TERNLAB_TERN_IP:8000" >"$IT_TMP/loop" 2>&1 &
LOOP=$!
ip netns exec "$TERNLAB_NS_P" timeout "$HOG_SECS" "$PY" "$HERE/soak_hog.py" "$TERNLAB_TERN_IP" 8000 \
	"$HOG_N" "$HOG_HOLD" read >"$IT_TMP/hog" 2>&1 &
HOG=$!
while kill -0 "$HOG" 2>/dev/null; do
	sleep 3
	it_log "$(look)"
done
wait "$HOG"
it_log "hog exit $? (124: cut by HOG_SECS): $(cat "$IT_TMP/hog")"
wait "$LOOP"
it_log "$(cat "$IT_TMP/loop")"
sleep 6
it_log "after: $(look)"
ip netns exec "$TERNLAB_NS_P" ss -tan | grep -E "CLOSING|FIN-WAIT|CLOSE-WAIT|LAST-ACK" | while read -r l; do it_log "peer: $l"; done
[ -z "$PCAP_PID" ] || { ternlab_stop_pid "$PCAP_PID" 3 >/dev/null 2>&1; wait "$PCAP_PID" 2>/dev/null; }
kill -TERM "$PX"
ternlab_wait_pid "$PX" 30
tern_stop
it_log "$(grep 'drained:' "$TERN_LOG")"
it_pass
