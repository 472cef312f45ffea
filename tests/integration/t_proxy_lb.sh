#!/bin/bash
# tern-proxy's balancing as a whole, with backends that greet with their port (proxy_peer.py
# server, one process per port so that one can be stopped) and greet_client.py:
#   1. --lb least-conn on TWO engines: 8 connections opened one after another and held: after
#      each one the two backends differ by at most one (the count is the proxy's, not each
#      engine's: with per-engine counts the second client, owned by the other engine, went
#      to the same backend as the first); the stats line shows active 4 / 4.
#   2. the stats line and tern_proxy_backend_up after a health check brought a backend back:
#      --health-check tcp, a backend stopped, a client marks it down (passive), the checks
#      take it down; restarted, the checks bring it "up": without any client since, the
#      stats line says up and the metric is 1 (they kept showing the engine's old passive
#      mark until the next client); the checks read the backends' greeting to their FIN,
#      no RST (tcp_closed_data 0).
#   3. 64 backends in --config and one more with --backend: refused at start (exit 2,
#      "at most 64"), and by a reload ("reload failed, pool unchanged"), rather than the
#      command line's backend silently left out of the pool.
#   4. weights under a port shortage: --backend A/weight=3,B with --port-range of 4 ports
#      (one engine), 40 connections one after another, most of them waiting on the port
#      queue: exactly 30:10, in the smooth order (a waiting client chose its backend again
#      at every retry, so the shares went to whichever backend had a port free: 20:20).
# usage: t_proxy_lb.sh [af_packet]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_lb "${1:-}"
[ "$IT_MODE" = af_packet ] || it_fail "af_packet only (two engines, --metrics in the namespace)"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
s1=8361
s2=8362
mport=9361
ip=$TERNLAB_PEER_IP
lab_up

srv() {
	peer_server "s$1" "$PY" "$IT_DIR/proxy_peer.py" server --bind "$ip" --ports "$1" \
		--log "$IT_TMP/srv$1.log"
	wait_until 10 peer_listening "$1" || it_fail "proxy_peer.py server on $1 did not come up"
}
srv "$s1"
srv "$s2"
greet() { peer "$PY" "$IT_DIR/greet_client.py" "$TERNLAB_TERN_IP" "$port" "$@"; }
last_stats() { grep ' | clients ' "$TERN_LOG" | tail -n 1 | sed 's/.*| clients/clients/'; }
# stats_has PATTERN: a stats line with PATTERN within 3 s
stats_has() { wait_until 3 sh -c "grep ' | clients ' '$TERN_LOG' | tail -n 1 | grep -q -- '$1'"; }
metric() {
	ip netns exec "$TERNLAB_NS_T" curl -s -m 3 "http://127.0.0.1:$mport/metrics" |
		awk -v k="$1" '$1 == k {print $2}'
}

# --- 1. least-conn over two engines ---
tern_engines 2
tern_start "$port" --backend "$ip:$s1,$ip:$s2" --lb least-conn --stats-interval 1
tern_steering
rm -f "$IT_TMP/go"
PEER_TIMEOUT=40 peer "$PY" "$IT_DIR/greet_client.py" "$TERNLAB_TERN_IP" "$port" 8 \
	--hold "$IT_TMP/go" --timeout 30 >"$IT_TMP/lc.out" 2>&1 &
lc=$!
wait_until 15 grep -q '^count' "$IT_TMP/lc.out" || it_fail "least-conn client: $(cat "$IT_TMP/lc.out")"
order=$(sed -n 's/^order //p' "$IT_TMP/lc.out")
it_log "least-conn, two engines, 8 held connections in turn: $order"
n1=0 n2=0
for b in $order; do
	case "$b" in
	"$s1") n1=$((n1 + 1)) ;;
	"$s2") n2=$((n2 + 1)) ;;
	*) it_fail "least-conn: a connection failed: $order" ;;
	esac
	d=$((n1 - n2))
	[ "${d#-}" -le 1 ] || it_fail "least-conn on two engines: after $((n1 + n2)) held connections $s1 has $n1 and $s2 $n2 (order $order)"
done
stats_has "$ip:$s1 up conns 4 active 4 fail 0 | $ip:$s2 up conns 4 active 4" ||
	it_fail "stats line: $(last_stats)"
touch "$IT_TMP/go"
wait "$lc" || true
tern_stop

# --- 2. a health check that brings a backend up ends its passive mark in the figures too ---
tern_engines 1
tern_start "$port" --backend "$ip:$s1,$ip:$s2" --retry-down 60 --health-check tcp \
	--health-interval 200 --health-rise 2 --health-fall 2 --stats-interval 1 \
	--metrics "127.0.0.1:$mport"
peer_server_stop "s$s2"
greet 4 >"$IT_TMP/p.out" 2>&1 || true
grep -q "^count $s1=4$" "$IT_TMP/p.out" || it_fail "backend $s2 stopped: $(cat "$IT_TMP/p.out")"
wait_until 5 grep -q "backend $ip:$s2 down: health check" "$TERN_LOG" ||
	it_fail "no health check 'down' line for $s2"
srv "$s2"
wait_until 5 grep -q "backend $ip:$s2 up: health check" "$TERN_LOG" ||
	it_fail "no health check 'up' line for $s2"
it_log "$(grep "backend $ip:$s2 up: health check" "$TERN_LOG")"
stats_has "$ip:$s2 up conns" ||
	it_fail "the checks brought $s2 up, the stats line still says: $(last_stats)"
up=$(metric "tern_proxy_backend_up{backend=\"$ip:$s2\"}")
[ "$up" = 1 ] || it_fail "the checks brought $s2 up, tern_proxy_backend_up is '$up'"
it_log "after the health check's up line, no client since: $(last_stats | cut -d'|' -f3), metric up $up"
# The backends greet first: a tcp check half-closes and reads the greeting to the backend's
# FIN (a close at once answered every greeting with a RST, tcp_closed_data).
cd=$(tel_num /tern/stats drop_tcp_closed_data)
it_log "health checks (tcp, every 200 ms) against greeting backends: tcp_closed_data $cd"
[ "$cd" -eq 0 ] || it_fail "health checks reset greeting backends: tcp_closed_data $cd"
tern_stop

# --- 3. more than 64 backends from the file and the command line together ---
for i in $(seq 0 63); do echo "backend $ip:$((9000 + i))"; done >"$IT_TMP/b64.conf"
eal=$("$DPDK_CONFIG/eal-args.sh" "$IT_MODE" --file-prefix "$TERNLAB_PREFIX-lb65-$$" -l 0 -q 1)
rc=0
# shellcheck disable=SC2086 # eal is a list of words
timeout -k 5 15 ip netns exec "$TERNLAB_NS_T" "$TERN_ECHO" $eal -- \
	--ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" --listen "$port" --config "$IT_TMP/b64.conf" \
	--backend "$ip:$s1" </dev/null >"$IT_TMP/b65.out" 2>&1 || rc=$?
ternlab_dpdk_cleanup "$TERNLAB_PREFIX-lb65-$$"
[ "$rc" = 2 ] && grep -q 'at most 64 backends' "$IT_TMP/b65.out" ||
	it_fail "65 backends (64 in the file, 1 on the command line): exit $rc: $(grep -v '^EAL' "$IT_TMP/b65.out" | tail -n 2 | tr '\n' ' ')"
it_log "65 backends: $(grep 'at most 64' "$IT_TMP/b65.out")"
# the same by a reload: 63 in the file and 1 on the command line, then 64 in the file
head -n 63 "$IT_TMP/b64.conf" >"$IT_TMP/b.conf"
tern_start "$port" --config "$IT_TMP/b.conf" --backend "$ip:$s1"
cp "$IT_TMP/b64.conf" "$IT_TMP/b.conf"
kill -HUP "$(pgrep -P "$TERN_PID" | head -n 1)"
wait_until 5 grep -q 'reload' "$TERN_LOG" || it_fail "no reload line"
grep -q 'reload failed, pool unchanged: .*at most 64 backends' "$TERN_LOG" ||
	it_fail "a reload to 65 backends: $(grep reload "$TERN_LOG")"
it_log "$(grep reload "$TERN_LOG")"
greet 2 >"$IT_TMP/r.out" 2>&1 || true
grep -q "$s1" "$IT_TMP/r.out" || it_fail "after the failed reload: $(cat "$IT_TMP/r.out")"
tern_stop

# --- 4. weights hold while clients wait for a local port ---
tern_start "$port" --backend "$ip:$s1/weight=3,$ip:$s2" --port-range 40000-40003 \
	--connect-timeout 5000 --stats-interval 1
greet 40 >"$IT_TMP/pw.out" 2>&1 || it_fail "port waits: $(tail -n 2 "$IT_TMP/pw.out")"
it_log "weights 3:1 with 4 local ports: $(grep '^count' "$IT_TMP/pw.out")"
grep -q "^count $s1=30 $s2=10$" "$IT_TMP/pw.out" ||
	it_fail "weights 3:1 with 4 local ports gave $(grep '^count' "$IT_TMP/pw.out"), want 30:10"
stats_has "port_waits [1-9]" || it_fail "no port waits: $(last_stats)"
it_log "$(last_stats | grep -o 'port_waits [0-9]*')"
tern_stop
it_pass
