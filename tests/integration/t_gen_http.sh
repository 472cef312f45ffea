#!/bin/bash
# tern-gen --mode http against Python's http.server in the peer namespace:
#   1. 400 GETs of a 1000-byte file at 200/s, one connection each (HTTP/1.0 server, which
#      closes): 400 responses, all 200, 400000 body bytes, response latency p99 < 1 s; the
#      last progress line says 400 ok and the --csv rows add up to about 400;
#   2. 100 GETs of a missing path: 100 responses, all 404;
#   3. --http-keepalive against an HTTP/1.1 server, 4 connections, 1000 requests: all 200,
#      over at most 8 connections;
#   4. SIGTERM while 20 requests wait on a server that answers after 30 s: the summary says
#      interrupted, counts them unfinished, and the peer holds no connection of tern-gen's
#      afterwards (tern-gen resets what is open when it stops).
# usage: t_gen_http.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_http "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port10=9200
port11=9201
lab_up

mkdir -p "$IT_TMP/www"
head -c 1000 /dev/urandom >"$IT_TMP/www/f1k"
peer_server http10 "$PY" -m http.server -b "$TERNLAB_PEER_IP" -d "$IT_TMP/www" "$port10"
peer_server http11 "$PY" -m http.server -b "$TERNLAB_PEER_IP" -d "$IT_TMP/www" -p HTTP/1.1 "$port11"
wait_until 10 peer_listening "$port10" || it_fail "http.server (HTTP/1.0) did not come up"
wait_until 10 peer_listening "$port11" || it_fail "http.server (HTTP/1.1) did not come up"

gen_run get 0 --target "$TERNLAB_PEER_IP:$port10" --mode http --rate 200 --count 400 --path /f1k \
	--csv "$IT_TMP/get.csv"
# the last (partial) interval has its progress line and --csv row: they add up to the summary
last=$(grep -E 'tern-gen: +[0-9]+s requests ' "$TERN_LOG" | tail -n 1)
case $last in *" ok 400 "*) ;; *) it_fail "the last progress line is not the run's end: $last" ;; esac
csv_ok=$("$PY" -c 'import csv,sys
rows = list(csv.DictReader(open(sys.argv[1])))
t0 = 0.0
ok = 0.0
for r in rows:
    ok += float(r["ok_per_s"]) * (float(r["t_s"]) - t0)
    t0 = float(r["t_s"])
print(round(ok))' "$IT_TMP/get.csv")
[ $((csv_ok > 380 && csv_ok < 420)) -eq 1 ] || it_fail "--csv rows add up to $csv_ok responses, want about 400"
gen_check "not 400 responses" "d['responses'] == 400 and d['ok'] == 400 and d['failed'] == 0"
gen_check "not all 200" "d['status'] == {'200': 400} and d['status_class']['2xx'] == 400"
gen_check "body bytes" "d['body_bytes'] == 400 * 1000"
gen_check "one connection per request" "d['connects'] == 400 and not d['keepalive']"
gen_check "response latency not sane (want 0 < p50 <= p99 < 1 s)" \
	"(lambda l: l['samples'] == 400 and 0 < l['p50'] <= l['p99'] < 1e6)(d['response_latency_us'])"

gen_run missing 0 --target "$TERNLAB_PEER_IP:$port10" --mode http --rate 0 --count 100 \
	--concurrency 10 --path /missing
gen_check "not 100 x 404" "d['status'] == {'404': 100} and d['ok'] == 100 and d['failed'] == 0"

# --delack-ms 0: http.server writes headers and body separately, so its Nagle waits for
# our ACK of the headers; a delayed ACK would cost 40 ms a request.
gen_run keepalive 0 --target "$TERNLAB_PEER_IP:$port11" --mode http --rate 0 --count 1000 \
	--concurrency 4 --http-keepalive --delack-ms 0 --path /f1k
gen_check "keepalive: not 1000 x 200" "d['status'] == {'200': 1000} and d['failed'] == 0"
gen_check "keepalive: connections not reused" "d['connects'] <= 8 and d['requests'] == 1000"
it_log "http: $(gj '"%.0f requests/s over %d connections, response p50 %sus p99 %sus" % (d["requests_per_s"], d["connects"], d["response_latency_us"]["p50"], d["response_latency_us"]["p99"])')"
cat >"$IT_TMP/slow.py" <<'PY'
import socket, sys, threading, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(64)
def slow(c):
    try:
        c.recv(4096)
        time.sleep(30)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
while True:
    c, _a = ls.accept()
    threading.Thread(target=slow, args=(c,), daemon=True).start()
PY
port_slow=9202
peer_server slow "$PY" "$IT_TMP/slow.py" "$TERNLAB_PEER_IP" "$port_slow"
wait_until 10 peer_listening "$port_slow" || it_fail "slow server did not come up"
# timeout(1) sends the SIGTERM after 4 s (exit status 124)
GEN_MAX_LIFETIME=4 gen_run stopped 124 --target "$TERNLAB_PEER_IP:$port_slow" --mode http \
	--rate 100 --count 20 --timeout 60000
gen_check "stopped: not interrupted, or not 20 unfinished" \
	"d['interrupted'] and d['failures']['unfinished'] == 20 and d['failed'] == 20"
# (what the stop cut is not the target's failure: no verdict on nothing finished)
gen_check "stopped: judged the target on connections the stop cut" \
	"d['verdict']['success_pct'] is None and d['verdict']['line'].startswith('target not judged')"
peer_conns() {
	ip netns exec "$TERNLAB_NS_P" ss -Htn state established "( sport = :$port_slow )" | grep -c . || true
}
no_peer_conns() { [ "$(peer_conns)" -eq 0 ]; }
wait_until 3 no_peer_conns ||
	it_fail "stopped: the peer still holds $(peer_conns) connections of the stopped tern-gen"
gen_check "stopped: the RSTs not counted" "d['tern']['tcp_rst_tx'] == 20"
peer_server_stop slow
it_pass
