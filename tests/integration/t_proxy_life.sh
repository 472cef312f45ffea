#!/bin/bash
# tern-proxy's life cycle against nginx backends in the peer namespace:
#   1. --config FILE (backends, lb, timeouts from the file; --listen from the command line)
#      on two engines, and SIGHUP during a wrk run (8 keep-alive connections through the
#      proxy, 4 s): the file now names NG2 instead of NG1; wrk must see no socket error and
#      only 2xx (the pairs to NG1 are not dropped), and new clients afterwards all go to
#      NG2. A file with a bad backend: one "reload failed" line, the pool unchanged.
#   2. drain: two downloads of 8 MB at 2 MB/s in flight (slow_get.py, a small receive
#      buffer: the bytes wait at the proxy), SIGTERM to tern-proxy: a new connection is
#      refused at once (RST: curl exit 7), both downloads complete byte-exact, tern-proxy
#      exits 0 by itself with "drained: 2 pairs open at the signal, 2 finished, 0 reset".
#   3. --drain-timeout 1 with a download that needs 8 s, SIGQUIT: reset after about a
#      second, exit 0, "1 pairs open at the signal, 0 finished, 1 reset".
#   4. a second SIGTERM during a drain stops at once: the download in flight is reset (the
#      client sees ECONNRESET, not silence until its own timeout), so is the backend's
#      connection (none left established at nginx), and the summary counts it: "0 finished,
#      0 reset at --drain-timeout 20 s, 1 reset by a second signal".
#   5. two signals at once (SIGTERM and SIGQUIT while tern-proxy is stopped, then SIGCONT),
#      before any engine tick began the drain: the same summary, the pair counted as open
#      at the signal too.
# usage: t_proxy_life.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_life "${1:-}"
NGX_LOG=1
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
ng1=8091
ng2=8092
peer_ip=$TERNLAB_PEER_IP
url=http://$TERNLAB_TERN_IP:$port
command -v wrk >/dev/null || it_fail "wrk not installed (dpdk-config/install-deps.sh test)"
lab_up

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
echo ok >"$www/ok.txt"
head -c 8000000 /dev/urandom >"$www/f8m.bin"
want=$(sha256sum <"$www/f8m.bin" | cut -d' ' -f1)
ngx_start "$www" "$ng1" "$ng2"
alog=$NGX_DIR/access.log

# tern-proxy's own pid (TERN_PID is its `timeout`'s, which would forward only some signals).
tern_pid() { pgrep -P "$TERN_PID" | head -n 1; }
# served TAG PORT: requests ?TAG_* logged by backend PORT
served() { grep -c "^[0-9.]* $2 /ok.txt?${1}_[0-9]* 200$" "$alog" || true; }
# fetch TAG N: N requests, each on a connection of its own, all 200
fetch() {
	peer curl -sS -m 10 -H 'Connection: close' -o "$IT_TMP/dl_#1" -w '%{http_code}\n' \
		"$url/ok.txt?${1}_[1-$2]" >"$IT_TMP/codes" 2>&1 ||
		it_fail "$1: curl failed: $(tail -n 3 "$IT_TMP/codes" | tr '\n' ' ')"
	[ "$(grep -c '^200$' "$IT_TMP/codes")" = "$2" ] || it_fail "$1: not all 200: $(tr '\n' ' ' <"$IT_TMP/codes")"
}
log_has() { grep -q "$1" "$TERN_LOG"; }

# --- 1. configuration file and SIGHUP during wrk ---
cfg=$IT_TMP/proxy.conf
cat >"$cfg" <<EOF
# tern-proxy test configuration
backend $peer_ip:$ng1
lb least-conn
--idle-timeout 60
connect-timeout 2000
EOF
tern_engines 2 # each engine adopts the new pool at its own tick
tern_start "$port" --config "$cfg"
log_has "proxy on port $port to 1 backend (least-conn" || it_fail "ready line: $(grep ready "$TERN_LOG")"
peer wrk -d 4 -c 8 -t 1 --timeout 5s "$url/ok.txt" >"$IT_TMP/wrk.out" 2>&1 &
WRK_PID=$!
sleep 1.5
printf '# now the other one\nbackend %s\n' "$peer_ip:$ng2" >"$cfg"
kill -HUP "$(tern_pid)"
wait_until 3 log_has "reload: pool of 1 backends (1 added, 0 kept, 1 removed): $peer_ip:$ng2" ||
	it_fail "no reload line: $(grep reload "$TERN_LOG" | tr '\n' ';')"
it_log "$(grep 'reload:' "$TERN_LOG")"
wait "$WRK_PID" || it_fail "wrk failed: $(tail -n 3 "$IT_TMP/wrk.out" | tr '\n' ' ')"
grep -q 'Socket errors' "$IT_TMP/wrk.out" && it_fail "wrk: $(grep 'Socket errors' "$IT_TMP/wrk.out")"
grep -q 'Non-2xx' "$IT_TMP/wrk.out" && it_fail "wrk: $(grep 'Non-2xx' "$IT_TMP/wrk.out")"
awk '/requests in/ {exit !($1 > 100)}' "$IT_TMP/wrk.out" || it_fail "wrk: $(grep 'requests in' "$IT_TMP/wrk.out")"
it_log "wrk across the reload: $(grep 'requests in' "$IT_TMP/wrk.out" | sed 's/^ *//'), no errors"
fetch after 6
[ "$(served after "$ng2")" = 6 ] || it_fail "after the reload: $(served after "$ng2") of 6 requests on $ng2"
printf 'backend 198.18.0:80\n' >"$cfg"
kill -HUP "$(tern_pid)"
wait_until 3 log_has "reload failed, pool unchanged: $cfg:1: --backend '198.18.0:80': '198.18.0' is not an IPv4 address" ||
	it_fail "no failed reload line: $(grep reload "$TERN_LOG" | tr '\n' ';')"
fetch bad 2
[ "$(served bad "$ng2")" = 2 ] || it_fail "after a failed reload: $(served bad "$ng2") of 2 requests on $ng2"
tern_stop
log_has "tern-proxy: backend $peer_ip:$ng1 removed: conns [0-9]* " ||
	it_fail "final summary: $(grep 'tern-proxy: backend' "$TERN_LOG" | tr '\n' ';')"
tern_engines 1

# --- 2. drain with downloads in flight ---
tern_start "$port" --backend "$peer_ip:$ng1" --drain-timeout 20
# slow_get.py: a 32 KB receive buffer, so the bytes wait at the proxy, not in Linux
DL=()
for i in 1 2; do
	ip netns exec "$TERNLAB_NS_P" timeout 30 "$PY" "$IT_DIR/slow_get.py" "$TERNLAB_TERN_IP" "$port" \
		"/f8m.bin?d$i" 2000000 "$IT_TMP/big$i" >"$IT_TMP/big$i.err" 2>&1 &
	DL[i]=$!
done
sleep 1
pid=$(tern_pid)
kill -TERM "$pid"
sleep 0.3
rc=0
peer curl -sS -m 3 -o /dev/null "$url/ok.txt?refused" >"$IT_TMP/refused.err" 2>&1 || rc=$?
[ "$rc" = 7 ] || it_fail "a new connection while draining: curl exit $rc ($(cat "$IT_TMP/refused.err")), want 7 (refused)"
it_log "new connection while draining: $(cat "$IT_TMP/refused.err")"
for i in 1 2; do
	wait "${DL[i]}" || it_fail "download $i failed: $(cat "$IT_TMP/big$i.err")"
	[ "$(sha256sum <"$IT_TMP/big$i" | cut -d' ' -f1)" = "$want" ] || it_fail "download $i: body differs"
done
it_log "both 8 MB downloads complete byte-exact"
wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || it_fail "tern-proxy still running after the drain"
tern_stop
log_has "tern-proxy: drained: 2 pairs open at the signal, 2 finished, 0 reset at --drain-timeout 20 s" ||
	it_fail "drain summary: $(grep 'drained' "$TERN_LOG")"
it_log "$(grep 'drained:' "$TERN_LOG")"

# slow_download N DRAIN_S: tern-proxy with --drain-timeout DRAIN_S and one 8 MB download at
# 1 MB/s through it (to $IT_TMP/bigN, its verdict in bigN.err), a second in: dl_pid and pid set
slow_download() {
	tern_start "$port" --backend "$peer_ip:$ng1" --drain-timeout "$2"
	ip netns exec "$TERNLAB_NS_P" timeout 30 "$PY" "$IT_DIR/slow_get.py" "$TERNLAB_TERN_IP" \
		"$port" "/f8m.bin?d$1" 1000000 "$IT_TMP/big$1" >"$IT_TMP/big$1.err" 2>&1 &
	dl_pid=$!
	sleep 1
	pid=$(tern_pid)
}

# --- 3. drain timeout ---
slow_download 3 1
DL3=$dl_pid
t0=$(date +%s%N)
kill -QUIT "$pid" # SIGQUIT drains as SIGTERM does
wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || it_fail "tern-proxy still running 5 s after SIGQUIT with --drain-timeout 1"
ms=$((($(date +%s%N) - t0) / 1000000))
rc=0
wait "$DL3" || rc=$?
[ "$rc" != 0 ] || it_fail "the download finished although the drain timed out"
tern_stop
log_has "tern-proxy: drained: 1 pairs open at the signal, 0 finished, 1 reset at --drain-timeout 1 s" ||
	it_fail "drain summary: $(grep 'drained' "$TERN_LOG")"
[ "$ms" -ge 900 ] || it_fail "tern-proxy exited ${ms} ms after SIGQUIT, before --drain-timeout 1"
it_log "drain timeout: exit ${ms} ms after SIGQUIT, the download cut: $(cat "$IT_TMP/big3.err")"

# --- 4. a second signal: stop at once, RSTs both ways ---
slow_download 4 20
DL4=$dl_pid
kill -TERM "$pid"
sleep 0.5
kill -TERM "$pid" # the second one stops at once
wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || it_fail "tern-proxy still running 5 s after a second SIGTERM"
rc=0
wait "$DL4" || rc=$?
[ "$rc" != 0 ] || it_fail "the download finished although tern-proxy stopped at once"
grep -q "reset" "$IT_TMP/big4.err" ||
	it_fail "the client was not reset when tern-proxy stopped: $(cat "$IT_TMP/big4.err")"
tern_stop
est=$(ip netns exec "$TERNLAB_NS_P" ss -Htn state established "( sport = :$ng1 )" | wc -l)
[ "$est" = 0 ] || it_fail "$est backend connection(s) still established at nginx after the stop"
log_has "tern-proxy: drained: 1 pairs open at the signal, 0 finished, 0 reset at --drain-timeout 20 s, 1 reset by a second signal" ||
	it_fail "drain summary: $(grep 'drained' "$TERN_LOG")"
it_log "second signal: the client $(cat "$IT_TMP/big4.err"); $(grep 'drained:' "$TERN_LOG")"

# --- 5. both signals at once, before an engine tick starts the drain: tern-proxy stopped
# (SIGSTOP), given SIGTERM and SIGQUIT (two distinct signals, so both are delivered), then
# continued: both handlers run as it resumes. The pair open then was counted reset by the
# second signal but not open at the signal: "0 pairs open at the signal, 0 finished, ...,
# 1 reset by a second signal" (seen once timeout(1) passed a SIGTERM on twice: to its
# child and to its process group; audit-soak).
slow_download 5 20
DL5=$dl_pid
kill -STOP "$pid"
kill -TERM "$pid"
kill -QUIT "$pid"
kill -CONT "$pid"
wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || it_fail "tern-proxy still running 5 s after SIGTERM and SIGQUIT at once"
wait "$DL5" || true
tern_stop
log_has "tern-proxy: drained: 1 pairs open at the signal, 0 finished, 0 reset at --drain-timeout 20 s, 1 reset by a second signal" ||
	it_fail "drain summary after two signals at once: $(grep 'drained' "$TERN_LOG")"
it_log "two signals at once: $(grep 'drained:' "$TERN_LOG")"
it_pass
