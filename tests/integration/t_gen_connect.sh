#!/bin/bash
# tern-gen --mode connect against a Linux listener in the peer namespace:
#   1. 2000 connections at 500/s (FIN close): all ok, none failed, handshake latency sane
#      (0 < p50 <= p99 < 1 s), the listener accepted 2000, tern holds their TIME_WAITs;
#   2. 300 connections as fast as possible, at most 50 at once, closed with RST: all ok, no
#      TIME_WAIT, and Linux completed 300 handshakes (TcpPassiveOpens);
#   3. 200 connections to a closed port: all counted as refused;
#   4. an address nobody answers ARP for: exit status 1 with the reason in the summary;
#   5. 100 connections to a server that speaks first (a banner, then its close): all ok
#      (tern-gen half-closes and reads the banner away: a close at once was reset by it).
# usage: t_gen_connect.sh [af_packet|tap|virtio-user]   (GEN_COUNT, GEN_RATE override 1.)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_connect "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port=9000
closed_port=9001
n=${GEN_COUNT:-2000}
rate=${GEN_RATE:-500}
lab_up

# A listener that accepts everything and closes each connection when the client does;
# prints what it saw on SIGTERM.
cat >"$IT_TMP/server.py" <<'PY'
import selectors, signal, socket, sys
sel = selectors.DefaultSelector()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(4096)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
n = {"accepted": 0, "eof": 0, "reset": 0}
def stop(*_):
    print("server: accepted %(accepted)d eof %(eof)d reset %(reset)d" % n, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    for key, _ in sel.select(1):
        s = key.fileobj
        if s is ls:
            while True:
                try:
                    c, _a = ls.accept()
                except BlockingIOError:
                    break
                n["accepted"] += 1
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
            continue
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            n["reset"] += 1
            d = b""
        except BlockingIOError:
            continue
        if not d:
            n["eof"] += 1
            sel.unregister(s)
            s.close()
PY
peer_server listener "$PY" "$IT_TMP/server.py" "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"

target=$TERNLAB_PEER_IP:$port
gen_run fin 0 --target "$target" --mode connect --rate "$rate" --count "$n" --stats-interval 1
gen_check "not all $n connections ok" "d['ok'] == $n and d['connected'] == $n and d['attempted'] == $n"
gen_check "failures reported" "d['failed'] == 0 and sum(d['failures'].values()) == 0"
gen_check "interrupted or error" "not d['interrupted'] and d['error'] is None"
gen_check "latency samples" "d['connect_latency_us']['samples'] == $n"
gen_check "latency not sane (want 0 < min <= p50 <= p90 <= p99 <= max, p99 < 1 s)" \
	"(lambda l: 0 < l['min'] <= l['p50'] <= l['p90'] <= l['p99'] <= l['max'] and l['p99'] < 1e6)(d['connect_latency_us'])"
gen_check "rate far from --rate $rate" "$rate * 0.5 <= d['rate_achieved'] <= $rate * 1.05"
gen_check "tern should hold the TIME_WAITs (it closed first)" "d['tern']['time_wait'] == $n"
gen_check "tern retransmitted or reset" "d['tern']['tcp_rst_tx'] == 0"
it_log "connect: $(gj '"%d ok, %.0f/s, latency us p50 %s p90 %s p99 %s max %s" % (d["ok"], d["rate_achieved"], d["connect_latency_us"]["p50"], d["connect_latency_us"]["p90"], d["connect_latency_us"]["p99"], d["connect_latency_us"]["max"])')"

peer_server_stop listener
accepted=$(sed -n 's/^server: accepted \([0-9]*\) .*/\1/p' "$IT_TMP/listener.out")
it_log "$(cat "$IT_TMP/listener.out")"
[ "${accepted:-0}" -eq "$n" ] || it_fail "the listener accepted ${accepted:-?}, want $n"

# (Linux drops a connection reset before accept() from the accept queue: the listener's
# count says nothing here; Linux's TcpPassiveOpens does: each handshake completed, its ACK
# sent before the RST, not a half-open SYN reset.)
nstat_get() {
	ip netns exec "$TERNLAB_NS_P" nstat -az "$1" | awk -v k="$1" '$1 == k { print $2 }'
}
peer_server listener2 "$PY" "$IT_TMP/server.py" "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"
po0=$(nstat_get TcpPassiveOpens)
gen_run rst 0 --target "$target" --mode connect --rate 0 --count 300 --concurrency 50 --close rst
po1=$(nstat_get TcpPassiveOpens)
gen_check "--close rst: not all 300 ok" "d['ok'] == 300 and d['failed'] == 0"
gen_check "--close rst: TIME_WAIT left" "d['tern']['time_wait'] == 0 and d['tern']['tcp_rst_tx'] == 300"
it_log "--close rst: Linux TcpPassiveOpens +$((po1 - po0))"
[ $((po1 - po0)) -eq 300 ] ||
	it_fail "--close rst: Linux completed $((po1 - po0)) handshakes of 300 (the RST went before the ACK)"
gen_check "--close rst: more than 50 at once" "d['concurrency'] == 50"
peer_server_stop listener2

gen_run refused 0 --target "$TERNLAB_PEER_IP:$closed_port" --mode connect --rate 0 --count 200 \
	--concurrency 20
gen_check "closed port: not 200 refused" "d['failures']['refused'] == 200 and d['ok'] == 0 and d['failed'] == 200"

# Nobody has .250 (the lab uses .1 and .2): ARP gets no answer.
gen_run unreachable 1 --target "${TERNLAB_PEER_IP%.*}.250:$port" --mode connect --rate 10 --count 10
gen_check "unreachable: no error reason" "'ARP' in (d['error'] or '') and d['attempted'] == 0"

cat >"$IT_TMP/banner.py" <<'PY'
import socket, sys, threading, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(512)
def greet(c):
    try:
        c.sendall(b"220 tern-gen test ESMTP\r\n")
        time.sleep(0.2)
        c.close()
    except OSError:
        pass
while True:
    c, _a = ls.accept()
    threading.Thread(target=greet, args=(c,), daemon=True).start()
PY
peer_server banner "$PY" "$IT_TMP/banner.py" "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "banner server in $TERNLAB_NS_P did not come up"
gen_run banner 0 --target "$target" --mode connect --rate 100 --count 100 --msl 1000
gen_check "server speaking first: not all 100 ok" "d['ok'] == 100 and d['failed'] == 0"
gen_check "server speaking first: tern reset" "d['tern']['tcp_rst_tx'] == 0"
peer_server_stop banner
it_pass
