#!/bin/bash
# tern-proxy's --connect-timeout, --idle-timeout and --lb least-conn against Linux in the peer
# namespace (proxy_peer.py: backends that greet with their port, a listener that drops SYNs,
# clients with time bounds):
#   1. connect timeout: a backend whose SYNs go unanswered (backlog 0, accept queue full) and
#      a live one: the first client waits --connect-timeout, then the live one serves it; the
#      dead one is down with 1 failure and 1 connect timeout, the next client is not delayed
#      by it (still 1 timeout). With the silent backend alone: RST after the timeout, then an
#      immediate RST (backend down), 2 rejected, 1 timeout.
#   2. idle timeout (--idle-timeout 1): a silent client is reset after about 1 s and its
#      backend sees a RST; meanwhile a client sending a line every 0.25 s and one listening
#      to a backend that talks every 0.25 s run 3 s each and end with FINs; 1 idle timeout.
#   3. least-conn: 6 connections held open split 3/3; after the 3 on backend A are closed,
#      3 new ones all go to A (round robin would split them); the proxy's per-backend
#      active counts agree.
# usage: t_proxy_timeouts.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_timeouts "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
s1=8093
s2=8094
bh=8095
ip=$TERNLAB_PEER_IP
tool=$IT_DIR/proxy_peer.py
lab_up

# pclient ARGS...: proxy_peer.py client against the proxy (fails the test unless "ok").
pclient() { client proxy_peer.py client --host "$TERNLAB_TERN_IP" --port "$port" "$@"; }
# bg_client NAME ARGS...: the same in the background (output in $IT_TMP/NAME.out).
bg_client() {
	local name=$1
	shift
	peer_server "$name" "$PY" "$tool" client --host "$TERNLAB_TERN_IP" --port "$port" "$@"
}
# bg_client_wait NAME: wait for it (bounded by its --timeout and GEN_MAX_LIFETIME), want "ok".
bg_client_wait() {
	local pid=${GEN_SERVERS[$1]} rc=0
	wait "$pid" || rc=$?
	unset "GEN_SERVERS[$1]"
	it_log "$1: $(tr '\n' ' ' <"$IT_TMP/$1.out")"
	if [ "$rc" -ne 0 ] || ! grep -q '^ok ' "$IT_TMP/$1.out"; then
		it_fail "$1 (status $rc): $(tail -n 3 "$IT_TMP/$1.out" | tr '\n' ' ')"
	fi
}
# lc_phase N: the least-conn client reached phase N (passed its check), else its failure.
lc_phase() {
	wait_until 20 grep -q -e "^phase$1" -e '^FAIL' "$IT_TMP/lc.out" || true
	grep -q "^phase$1" "$IT_TMP/lc.out" || bg_client_wait lc
	it_log "least-conn: $(grep "^phase$1" "$IT_TMP/lc.out")"
}
# stats_has PATTERN: the proxy's stats lines show PATTERN within 5 s.
stats_has() {
	wait_until 5 grep -q -- "$1" "$TERN_LOG" ||
		it_fail "stats line without '$1'; last: $(grep ' | clients ' "$TERN_LOG" | tail -n 1 | sed 's/.*| clients/clients/')"
}
# ends N PORT HOW: the backend logged exactly N ends "end PORT HOW" (waits up to 5 s for them).
ends_count() { grep -c "^end $1 $2 " "$IT_TMP/srv.log" || true; }
# shellcheck disable=SC2317 # called through wait_until
ends_atleast() { [ "$(ends_count "$2" "$3")" -ge "$1" ]; }
ends() {
	local n
	wait_until 5 ends_atleast "$@" || true
	n=$(ends_count "$2" "$3")
	[ "$n" -eq "$1" ] || it_fail "backend $2: $n connections ended by $3, want $1: $(tr '\n' ';' <"$IT_TMP/srv.log")"
}

: >"$IT_TMP/srv.log"
peer_server srv "$PY" "$tool" server --bind "$ip" --ports "$s1,$s2" --log "$IT_TMP/srv.log"
peer_server bh "$PY" "$tool" blackhole --bind "$ip" --port "$bh"
for p in "$s1" "$s2"; do
	wait_until 10 peer_listening "$p" ||
		it_fail "proxy_peer.py server did not come up on $p: $(cat "$IT_TMP/srv.out")"
done
wait_until 10 grep -q '^ready' "$IT_TMP/bh.out" ||
	it_fail "blackhole listener not ready: $(cat "$IT_TMP/bh.out")"

# --- 1. connect timeout ---
tern_start "$port" --backend "$ip:$bh,$ip:$s1" --connect-timeout 1000 --retry-down 60
pclient --mode served --want-port "$s1" --min 0.8 --max 8
pclient --mode served --want-port "$s1" --max 8
stats_has "clients 2 active 0 rejected 0 timeouts connect 1 idle 0 port_waits 0 | $ip:$bh down conns 0 active 0 fail 1 | $ip:$s1 up conns 2 active 0 fail 0"
tern_stop
grep -q "tern-proxy: backend $ip:$bh down: conns 0 failures 1 " "$TERN_LOG" ||
	it_fail "final summary: $bh not down with 1 failure: $(grep "backend $ip:$bh" "$TERN_LOG")"
grep -q "tern-proxy: backend $ip:$s1 up: conns 2 failures 0 " "$TERN_LOG" ||
	it_fail "final summary: $s1 not up with 2 conns: $(grep "backend $ip:$s1" "$TERN_LOG")"
ends 2 "$s1" eof

tern_start "$port" --backend "$ip:$bh" --connect-timeout 1000 --retry-down 60
pclient --mode reset --min 0.8 --max 8
pclient --mode reset --max 8
stats_has "clients 2 active 0 rejected 2 timeouts connect 1 idle 0 port_waits 0 | $ip:$bh down conns 0 active 0 fail 1"
tern_stop
it_log "connect timeout: failover after the timeout, RST when no backend is left"

# --- 2. idle timeout ---
tern_start "$port" --backend "$ip:$s1" --idle-timeout 1
bg_client send --mode send --interval 0.25 --count 12
bg_client listen --mode listen --interval 0.25 --count 12
pclient --mode idle --min 0.8 --max 6
bg_client_wait send
bg_client_wait listen
stats_has "clients 3 active 0 rejected 0 timeouts connect 0 idle 1 "
tern_stop
ends 1 "$s1" reset
ends 4 "$s1" eof

# --- 3. least-conn ---
tern_start "$port" --backend "$ip:$s1,$ip:$s2" --lb least-conn
bg_client lc --mode least-conn --ports "$s1,$s2" --n 6 --go "$IT_TMP/go"
lc_phase 1
stats_has "$ip:$s1 up conns 3 active 3 fail 0 | $ip:$s2 up conns 3 active 3 fail 0"
touch "$IT_TMP/go.1"
lc_phase 2
stats_has "clients 9 active 6 .*$ip:$s1 up conns 6 active 3 fail 0 | $ip:$s2 up conns 3 active 3 fail 0"
touch "$IT_TMP/go.2"
bg_client_wait lc
stats_has "clients 9 active 0 "
tern_stop
it_pass
