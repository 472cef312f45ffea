#!/bin/bash
# tern-proxy's backend pool against nginx backends in the peer namespace (their access log
# names the backend port of every request):
#   1. weights: --backend NG1/weight=3,NG2 (smooth weighted round robin): 40 requests, each on
#      its own connection, must be logged 30 by NG1 and 10 by NG2, exactly.
#   2. --lb maglev: six client addresses (added to the peer's veth), four connections each
#      from different ports: every address sticks to one backend, and the six do not all land
#      on the same one.
#   3. --allow 198.18.0.0/25 --deny .101,.104 --max-per-client 2: .101, .104 and .200 are
#      refused (RST to the SYN: ECONNREFUSED) and counted, .2 and .102 served; .103 holds two
#      pairs (each a request and its answer), a third connection is refused while .105 is
#      served, and once one of the two is closed .103 gets a new one; on two engines.
#   4. active health checks (--health-check http:/hc.txt=200, every 200 ms, rise 2 fall 2)
#      of nginx and a second backend (python's http.server) while a client fetches through
#      the proxy all along, each request on a new connection: nginx's /hc.txt removed -> one
#      "down" line naming status 404, restored -> one "up" line; nginx killed -> "down"
#      (connection refused), restarted -> "up" and it serves again. The client sees at most
#      one failed request (the one in flight when nginx dies).
# usage: t_proxy_pool.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_pool "${1:-}"
NGX_LOG=1
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
ng1=8085
ng2=8086
ng3=8087
peer_ip=$TERNLAB_PEER_IP
url=http://$TERNLAB_TERN_IP:$port
lab_up

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
echo ok >"$www/ok.txt"
ngx_start "$www" "$ng1" "$ng2" "$ng3"
alog=$NGX_DIR/access.log

# fetch TAG N [curl options]: N requests ?TAG_1..?TAG_N, each on a connection of its own;
# all must answer 200.
fetch() {
	local tag=$1 n=$2 codes
	shift 2
	peer curl -sS -m 20 -H 'Connection: close' "$@" -o "$IT_TMP/dl_#1" -w '%{http_code}\n' \
		"$url/ok.txt?${tag}_[1-$n]" >"$IT_TMP/codes" 2>&1 ||
		it_fail "$tag: curl failed: $(tail -n 3 "$IT_TMP/codes" | tr '\n' ' ')"
	codes=$(grep -c '^200$' "$IT_TMP/codes" || true)
	[ "$codes" = "$n" ] || it_fail "$tag: $codes of $n requests got 200: $(sort "$IT_TMP/codes" | uniq -c | tr '\n' ' ')"
	wait_until 5 logged_at_least "$tag" "$n" ||
		it_fail "$tag: nginx logged $(grep -c "?${tag}_" "$alog") of $n requests"
}
# logged_at_least TAG N: nginx logged N requests ?TAG_* or more
logged_at_least() { [ "$(grep -c "?${1}_" "$alog" || true)" -ge "$2" ]; }
# served TAG PORT: requests ?TAG_* logged by backend PORT
served() { grep -c "^[0-9.]* $2 /ok.txt?${1}_[0-9]* 200$" "$alog" || true; }

# --- 1. weights ---
tern_start "$port" --backend "$peer_ip:$ng1/weight=3,$peer_ip:$ng2"
fetch w 40
n1=$(served w "$ng1")
n2=$(served w "$ng2")
it_log "weights 3:1: $ng1 served $n1, $ng2 served $n2 of 40"
[ "$n1" = 30 ] && [ "$n2" = 10 ] || it_fail "weights 3:1 gave $n1:$n2 of 40, want 30:10"
tern_stop
grep -q "tern-proxy: backend $peer_ip:$ng1 up: conns 30 .* weight 3" "$TERN_LOG" ||
	it_fail "final summary: $(grep 'tern-proxy: backend' "$TERN_LOG" | tr '\n' ';')"

# --- 2. maglev: each client address keeps its backend ---
addrs=""
for i in 101 102 103 104 105 106 200; do
	a=${peer_ip%.*}.$i
	ip netns exec "$TERNLAB_NS_P" ip addr add "$a/32" dev "$TERNLAB_IF_P"
	addrs+="$a "
done
addrs_del() {
	local a
	for a in $addrs; do ip netns exec "$TERNLAB_NS_P" ip addr del "$a/32" dev "$TERNLAB_IF_P" 2>/dev/null || true; done
}
it_defer addrs_del
tern_start "$port" --backend "$peer_ip:$ng1,$peer_ip:$ng2,$peer_ip:$ng3" --lb maglev
grep -q '(maglev' "$TERN_LOG" || it_fail "ready line does not say maglev: $(grep ready "$TERN_LOG")"
used=" "
for a in ${addrs% * }; do
	tag=m${a##*.}
	fetch "$tag" 4 --interface "$a"
	for b in $ng1 $ng2 $ng3; do
		n=$(served "$tag" "$b")
		[ "$n" = 0 ] || [ "$n" = 4 ] || it_fail "maglev: client $a went to several backends: $(grep "?${tag}_" "$alog" | cut -d' ' -f2 | sort | uniq -c | tr '\n' ' ')"
		[ "$n" = 0 ] || { it_log "maglev: client $a: 4 of 4 to $b"; used+="$b "; }
	done
done
[ "$(echo "$used" | tr ' ' '\n' | sort -u | grep -c .)" -ge 2 ] ||
	it_fail "maglev: six client addresses all on one backend ($used)"
tern_stop

# --- 3. allow / deny and the per-client limit, two engines (a client's connections land on
# either: the count is shared) ---
tern_engines 2
tern_start "$port" --backend "$peer_ip:$ng1" --allow "${peer_ip%.*}.0/25" \
	--deny "${peer_ip%.*}.101,${peer_ip%.*}.104/32" --max-per-client 2
grep -q 'clients: 1 allow 2 deny rules, at most 2 per client)' "$TERN_LOG" ||
	it_fail "ready line: $(grep ready "$TERN_LOG")"
cat >"$IT_TMP/acl.py" <<'PY'
import socket, sys, time
dst, port, net = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def conn(last):
    s = socket.socket()
    s.bind((net + "." + last, 0))
    s.settimeout(3)
    try:
        s.connect((dst, port))
    except ConnectionRefusedError:
        s.close()
        return None
    s.sendall(b"GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while not got.endswith(b"ok\n"):
        d = s.recv(4096)
        if not d:
            raise SystemExit("connection from .%s closed before the answer" % last)
        got += d
    assert got.startswith(b"HTTP/1.1 200"), got[:40]
    return s
def want(last, ok):
    s = conn(last)
    if (s is not None) != ok:
        raise SystemExit(".%s: %s, want %s" % (last, "served" if s else "refused", "served" if ok else "refused"))
    print(".%s %s" % (last, "served" if ok else "refused"), flush=True)
    return s
for last, ok in (("101", False), ("104", False), ("200", False), ("2", True), ("102", True)):
    s = want(last, ok)
    if s:
        s.close()
a = want("103", True)
b = want("103", True)
want("103", False)
c = want("105", True)
a.close()
for i in range(30):  # the pair goes once both sides have closed
    time.sleep(0.1)
    s = conn("103")
    if s:
        print(".103 served again after one of its two closed", flush=True)
        break
else:
    raise SystemExit(".103 still refused 3 s after one of its connections closed")
PY
peer "$PY" "$IT_TMP/acl.py" "$TERNLAB_TERN_IP" "$port" "${peer_ip%.*}" >"$IT_TMP/acl.out" 2>&1 ||
	it_fail "acl/limit: $(tr '\n' ';' <"$IT_TMP/acl.out")"
it_log "acl/limit: $(tr '\n' ';' <"$IT_TMP/acl.out")"
acl_drops=$(tel_num /tern/drops tcp_syn_filtered)
[ "$acl_drops" -ge 4 ] || it_fail "drop tcp_syn_filtered is $acl_drops, want 3 (acl) + at least 1 (limit)"
tern_stop
grep -q "refused acl 3 limit [1-9]" "$TERN_LOG" || it_fail "stats: $(grep -o 'refused acl [0-9]* limit [0-9]*' "$TERN_LOG" | tail -n 1)"
it_log "final: $(grep -o 'refused acl [0-9]* limit [0-9]*' "$TERN_LOG" | tail -n 1), drop tcp_syn_filtered $acl_drops"
addrs_del
tern_engines 1

# --- 4. health checks ---
py_port=8088
www2=$IT_TMP/www2
mkdir -p "$www2"
echo ok >"$www2/ok.txt"
echo ok >"$www2/hc.txt"
echo ok >"$www/hc.txt"
ip netns exec "$TERNLAB_NS_P" timeout -k 2 60 "$PY" -m http.server "$py_port" --bind "$peer_ip" \
	--directory "$www2" >"$IT_TMP/pyhttp.log" 2>&1 &
PYHTTP_PID=$!
pyhttp_stop() { [ -z "${PYHTTP_PID:-}" ] || ternlab_stop_pid "$PYHTTP_PID" 3 >/dev/null 2>&1; PYHTTP_PID=; }
it_defer pyhttp_stop
wait_until 10 peer_port_listening "$py_port" || it_fail "python http.server not listening"
tern_start "$port" --backend "$peer_ip:$ng1,$peer_ip:$py_port" --health-check http:/hc.txt=200 \
	--health-interval 200 --health-timeout 500 --health-rise 2 --health-fall 2
grep -q 'health check http:/hc.txt every 200 ms' "$TERN_LOG" || it_fail "ready line: $(grep ready "$TERN_LOG")"
# The client: a request on a new connection every 50 ms until $IT_TMP/stop appears.
cat >"$IT_TMP/loop.py" <<'PY'
import os, sys, time, urllib.request
url, stop = sys.argv[1], sys.argv[2]
ok = fail = 0
while not os.path.exists(stop):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            if r.status == 200 and r.read() == b"ok\n":
                ok += 1
            else:
                fail += 1
    except Exception as e:
        fail += 1
        print("error:", e, flush=True)
    time.sleep(0.05)
print("ok", ok, "fail", fail, flush=True)
PY
ip netns exec "$TERNLAB_NS_P" timeout -k 2 60 "$PY" "$IT_TMP/loop.py" "$url/ok.txt" "$IT_TMP/stop" \
	>"$IT_TMP/loop.out" 2>&1 &
LOOP_PID=$!
loop_stop() { touch "$IT_TMP/stop"; [ -z "${LOOP_PID:-}" ] || wait "$LOOP_PID" 2>/dev/null || true; LOOP_PID=; }
it_defer loop_stop
sleep 0.5
be=$peer_ip:$ng1
# lines: how many state lines of backend $be the proxy logged so far
lines() { grep -c "tern-proxy: backend $be \(up\|down\): health" "$TERN_LOG" || true; }
lines_are() { [ "$(lines)" = "$1" ]; }
# served_more N: nginx logged more than N requests of /ok.txt
served_more() { [ "$(grep -c ' /ok.txt ' "$alog" || true)" -gt "$1" ]; }
[ "$(lines)" = 0 ] || it_fail "state changes before any trouble: $(grep 'health check' "$TERN_LOG" | tr '\n' ';')"
rm "$www/hc.txt"
wait_until 5 grep -q "backend $be down: health check failed 2 times in a row (status 404, want 200)" "$TERN_LOG" ||
	it_fail "no down line after /hc.txt went: $(grep 'backend' "$TERN_LOG" | tr '\n' ';')"
it_log "$(grep "backend $be down" "$TERN_LOG")"
echo ok >"$www/hc.txt"
wait_until 5 grep -q "backend $be up: health check passed 2 times in a row" "$TERN_LOG" ||
	it_fail "no up line after /hc.txt came back"
[ "$(lines)" = 2 ] || it_fail "want 2 state lines, got: $(grep 'health' "$TERN_LOG" | tr '\n' ';')"
ngx_stop
wait_until 5 grep -q "backend $be down: health check failed 2 times in a row (connection refused)" "$TERN_LOG" ||
	it_fail "no down line after nginx was killed: $(grep 'backend' "$TERN_LOG" | tr '\n' ';')"
it_log "$(grep "backend $be down" "$TERN_LOG" | tail -n 1)"
sleep 0.5
before=$(grep -c ' /ok.txt ' "$alog" || true)
ngx_start "$www" "$ng1"
wait_until 5 lines_are 4 ||
	it_fail "no up line after nginx came back: $(grep 'health' "$TERN_LOG" | tr '\n' ';')"
it_log "$(grep "backend $be up" "$TERN_LOG" | tail -n 1)"
wait_until 5 served_more "$before" ||
	it_fail "nginx served no client after it came back"
loop_stop
res=$(tail -n 1 "$IT_TMP/loop.out")
it_log "client: $res; $(grep -c error "$IT_TMP/loop.out" || true) errors"
[[ $res =~ ^ok\ ([0-9]+)\ fail\ ([0-9]+)$ ]] || it_fail "client: $(tail -n 3 "$IT_TMP/loop.out" | tr '\n' ' ')"
[ "${BASH_REMATCH[1]}" -ge 20 ] || it_fail "client: only ${BASH_REMATCH[1]} requests succeeded"
[ "${BASH_REMATCH[2]}" -le 1 ] || it_fail "client: ${BASH_REMATCH[2]} requests failed: $(grep error "$IT_TMP/loop.out" | head -n 3 | tr '\n' ' ')"
tern_stop
grep -q "tern-proxy: backend $be up: conns [0-9]* .* health checks [0-9]* failed [1-9]" "$TERN_LOG" ||
	it_fail "final summary: $(grep 'tern-proxy: backend' "$TERN_LOG" | tr '\n' ';')"
it_pass
