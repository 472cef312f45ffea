#!/bin/bash
# Active opens from two engines on one af_packet port (two queue pairs, PACKET_FANOUT):
# the kernel hashes the target's answers to either queue, so about half of them reach the
# engine that did not open the connection and must be handed to its owner (steer.c).
#   1. tern-gen connect, 2000 connections at 500/s: >= 99.9 % ok, handoffs counted, the
#      listener accepted them, every source port in the default range;
#   2. tern-gen http, 400 GETs at 200/s: >= 99.9 % complete 200 responses, handoffs counted;
#   3. --port-range 40000-40003 (two ports per engine), --close fin, 40 connections: the
#      first 4 work, the other 36 fail as no_local_port (the ports sit in TIME_WAIT) with
#      one readable line per engine, nothing else fails;
#   4. the same 4 ports plus --src-ip (a second address), --close rst (no TIME_WAIT on
#      either side), 300 connections at 150/s (for the peer's sniffer) 8 at a time: all ok, so the 8 (address, port) pairs
#      are reused as soon as connections finish; the SYNs seen on the peer's interface
#      came from those 4 ports only and from both addresses.
# usage: t_gen_steer.sh af_packet
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_steer "${1:-}"
[ "$IT_MODE" = af_packet ] || it_fail "two engines are tested in af_packet mode only (qpairs=)"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port=9300
hport=9301
src2=${TERNLAB_PEER_IP%.*}.3 # the lab uses .1 (tern) and .2 (peer)
# Two engines, one CPU each (the main lcore mostly sleeps, next to engine 0).
export TERN_LCORES="0@0,1@0,2@1" TERN_QUEUES=2
lab_up

# Accepts everything, closes when the client does; on SIGTERM prints what it saw. With a
# third argument IFACE it also reads the SYNs to its port off IFACE (AF_PACKET), which also
# sees connections reset before accept() (Linux drops those from the accept queue).
cat >"$IT_TMP/server.py" <<'PY'
import selectors, signal, socket, struct, sys, threading
syns, ports, addrs = [0], set(), set()
def sniff(ifname, port):
    r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    r.bind((ifname, 0))
    while True:
        f = r.recv(2048)
        ip = f[14:]
        if len(ip) < 40 or ip[9] != 6:
            continue
        tcp = ip[(ip[0] & 15) * 4:]
        sport, dport = struct.unpack("!HH", tcp[:4])
        if dport == port and tcp[13] & 0x12 == 0x02:
            syns[0] += 1
            ports.add(sport)
            addrs.add(socket.inet_ntoa(ip[12:16]))
sel = selectors.DefaultSelector()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(4096)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
n = {"accepted": 0}
if len(sys.argv) > 3:
    threading.Thread(target=sniff, args=(sys.argv[3], int(sys.argv[2])), daemon=True).start()
def stop(*_):
    print("server: accepted %d ports %d min %d max %d addrs %d syns %d" % (n["accepted"],
          len(ports), min(ports or [0]), max(ports or [0]), len(addrs), syns[0]), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    for key, _ in sel.select(1):
        s = key.fileobj
        if s is ls:
            while True:
                try:
                    c, a = ls.accept()
                except BlockingIOError:
                    break
                n["accepted"] += 1
                if len(sys.argv) <= 3:
                    addrs.add(a[0])
                    ports.add(a[1])
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
            continue
        try:
            d = s.recv(65536)
        except (ConnectionResetError, BlockingIOError):
            d = b""
        if not d:
            sel.unregister(s)
            s.close()
PY
# server_seen NAME: "accepted N ports N min N max N addrs N syns N" of a stopped server
server_seen() { sed -n 's/^server: //p' "$IT_TMP/$1.out"; }

peer_server s1 "$PY" "$IT_TMP/server.py" "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"
n=2000
gen_run connect 0 --target "$TERNLAB_PEER_IP:$port" --mode connect --rate 500 --count $n
gen_check "2 engines expected" "d['engines'] == 2"
gen_check "connect: fewer than 99.9 % ok" "d['ok'] >= $n * 0.999 and d['attempted'] == $n"
gen_check "connect: no handoff counted (answers reach both queues)" "d['tern']['steer_handoff'] > 0"
gen_check "connect: ring full" "d['tern']['steer_ring_full'] == 0"
it_log "connect: $(gj '"%d/%d ok, %d handoffs, %d ARP frames shared" % (d["ok"], d["attempted"], d["tern"]["steer_handoff"], d["tern"]["steer_arp_shared"])')"
peer_server_stop s1
seen=$(server_seen s1)
it_log "listener: $seen"
read -r _ acc _ _ _ pmin _ pmax _ _ _ _ <<<"$seen"
[ "${acc:-0}" -ge $((n * 999 / 1000)) ] || it_fail "the listener accepted ${acc:-?} of $n"
[ "${pmin:-0}" -ge 32768 ] && [ "${pmax:-0}" -le 60999 ] || it_fail "source ports $pmin..$pmax outside 32768-60999"

mkdir -p "$IT_TMP/www"
head -c 1000 /dev/urandom >"$IT_TMP/www/f1k"
peer_server http "$PY" -m http.server -b "$TERNLAB_PEER_IP" -d "$IT_TMP/www" "$hport"
wait_until 10 peer_listening "$hport" || it_fail "http.server did not come up"
gen_run http 0 --target "$TERNLAB_PEER_IP:$hport" --mode http --rate 200 --count 400 --path /f1k
gen_check "http: fewer than 99.9 % complete 200s" "d['status'].get('200', 0) >= 400 * 0.999 and d['body_bytes'] == d['status'].get('200', 0) * 1000"
gen_check "http: no handoff counted" "d['tern']['steer_handoff'] > 0"
it_log "http: $(gj '"%d responses, %d handoffs" % (d["responses"], d["tern"]["steer_handoff"])')"
peer_server_stop http

peer_server s2 "$PY" "$IT_TMP/server.py" "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"
gen_run exhausted 0 --target "$TERNLAB_PEER_IP:$port" --mode connect --rate 200 --count 40 \
	--concurrency 8 --port-range 40000-40003
gen_check "tiny range: not 4 ok" "d['ok'] == 4 and d['tern']['time_wait'] == 4"
gen_check "tiny range: not 36 no_local_port" "d['failures']['no_local_port'] == 36 and d['failed'] == 36"
gen_check "tiny range: port_range not reported" "d['port_range'] == '40000-40003'"
lines=$(grep -c '^tern-gen: engine [01]: no free local port toward .* (widen --port-range' "$IT_TMP/exhausted.log" || true)
[ "$lines" -eq 2 ] || it_fail "want one 'no free local port' line per engine, got $lines"
peer_server_stop s2
it_log "exhausted: $(server_seen s2)"

peer_server s3 "$PY" "$IT_TMP/server.py" "$TERNLAB_PEER_IP" "$port" "$TERNLAB_IF_P"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"
gen_run reuse 0 --target "$TERNLAB_PEER_IP:$port" --mode connect --rate 150 --count 300 \
	--concurrency 8 --close rst --port-range 40000-40003 --src-ip "$src2"
gen_check "reuse: not all 300 ok" "d['ok'] == 300 and d['failed'] == 0 and d['src_ips'] == 2"
gen_check "reuse: TIME_WAIT left" "d['tern']['time_wait'] == 0"
peer_server_stop s3
seen=$(server_seen s3)
it_log "reuse: $(gj '"%d ok, %d handoffs" % (d["ok"], d["tern"]["steer_handoff"])'); peer $seen"
read -r _ _ _ nports _ pmin _ pmax _ naddrs _ nsyn <<<"$seen"
[ "${nsyn:-0}" -ge 300 ] || it_fail "the peer saw ${nsyn:-?} SYNs, want >= 300: $seen"
[ "${nports:-0}" -le 4 ] && [ "${pmin:-0}" -ge 40000 ] && [ "${pmax:-0}" -le 40003 ] ||
	it_fail "source ports outside 40000-40003: $seen"
[ "${naddrs:-0}" -eq 2 ] || it_fail "want SYNs from 2 addresses (--src-ip), saw: $seen"
it_pass
