#!/bin/bash
# tern-proxy's PROXY protocol toward nginx backends whose listeners expect it
# (`listen ... proxy_protocol`): nginx's access log must name the Linux client
# ($proxy_protocol_addr, $proxy_protocol_port: the peer's address and the client's own
# port, pinned with curl --local-port) while the TCP connection comes from tern
# ($remote_addr). A header that is missing, late (after a client byte) or malformed makes
# nginx answer 400 or close, so every request must also get its body byte-exact.
#   1. --proxy-protocol v1 (global), 2. --proxy-protocol v2 (global), both with HTTP health
#      checks every 200 ms, which must all pass (LOCAL header first, else nginx refuses),
#   3. per backend (IP:PORT/v1,IP:PORT/v2, round robin): the first payload bytes on each
#      backend connection, captured on the peer's veth and read with tshark, are the v1
#      line and the v2 binary header respectively (nginx accepts both, so only the wire
#      shows which one came).
# usage: t_proxy_pp.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_pp "${1:-}"
NGX_PROXY_PROTOCOL=1
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
ng1=8083
ng2=8084
peer_ip=$TERNLAB_PEER_IP
tern_ip=$TERNLAB_TERN_IP
url=http://$tern_ip:$port
command -v tshark >/dev/null || it_fail "tshark not installed (dpdk-config/install-deps.sh test)"
lab_up

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
head -c 200000 /dev/urandom >"$www/f200k.bin"
want=$(sha256sum <"$www/f200k.bin" | cut -d' ' -f1)
ngx_start "$www" "$ng1" "$ng2"
alog=$NGX_DIR/access.log

# get TAG: fetch f200k.bin from a client port no peer socket holds (query ?TAG), check the
# body, and that nginx logged "PEER_IP LOCAL_PORT TERN_IP BACKEND_PORT /f200k.bin?TAG 200";
# sets GOT_LPORT to the client port used and GOT_BACKEND to the backend port that served it.
# (Fixed ports flaked: an earlier test's client can leave any of them in TIME_WAIT.)
used_ports=" "
get() {
	local lport tag=$1 line got
	lport=$(peer_free_port)
	while [[ $used_ports == *" $lport "* ]]; do lport=$(peer_free_port); done
	used_ports+="$lport "
	GOT_LPORT=$lport
	rm -f "$IT_TMP/dl"
	peer curl -sS -m 10 --local-port "$lport" -o "$IT_TMP/dl" -w '%{http_code}\n' \
		"$url/f200k.bin?$tag" >"$IT_TMP/code" 2>&1 ||
		it_fail "$tag: curl through the proxy failed: $(tr '\n' ' ' <"$IT_TMP/code")"
	[ "$(cat "$IT_TMP/code")" = 200 ] || it_fail "$tag: status $(cat "$IT_TMP/code")"
	got=$(sha256sum <"$IT_TMP/dl" | cut -d' ' -f1)
	[ "$got" = "$want" ] || it_fail "$tag: body sha256 $got, want $want"
	wait_until 5 grep -q "?$tag " "$alog" || it_fail "$tag: not in nginx's access log: $(tail -n 3 "$alog" 2>/dev/null | tr '\n' ';')"
	line=$(grep "?$tag " "$alog")
	[[ $line =~ ^$peer_ip\ $lport\ $tern_ip\ ([0-9]+)\ /f200k\.bin\?$tag\ 200$ ]] ||
		it_fail "$tag: nginx logged '$line', want '$peer_ip $lport $tern_ip PORT /f200k.bin?$tag 200'"
	GOT_BACKEND=${BASH_REMATCH[1]}
	it_log "$tag: nginx saw client $peer_ip:$lport over a connection from $tern_ip (backend $GOT_BACKEND)"
}

# --- 1, 2: one global version (with HTTP health checks, which must pass: they send the
# LOCAL header nginx's proxy_protocol listener requires first) ---
# hc_ok V: the checks ran and none failed
hc_ok() {
	grep -q "tern-proxy: backend $peer_ip:$ng1 up: conns 2 .* health checks [1-9][0-9]* failed 0 proxy-protocol $1" "$TERN_LOG" ||
		it_fail "final summary ($1): $(grep 'tern-proxy: backend' "$TERN_LOG")"
	! grep -q 'down: health check' "$TERN_LOG" || it_fail "$(grep 'down: health check' "$TERN_LOG")"
}
tern_start "$port" --backend "$peer_ip:$ng1" --proxy-protocol v1 --health-check http:/f200k.bin \
	--health-interval 200
grep -q 'proxy-protocol v1' "$TERN_LOG" || it_fail "ready line does not name proxy-protocol v1"
get v1a
get v1b
sleep 0.5
tern_stop
hc_ok v1

tern_start "$port" --backend "$peer_ip:$ng1" --proxy-protocol v2 --health-check http:/f200k.bin \
	--health-interval 200
get v2a
get v2b
sleep 0.5
tern_stop
hc_ok v2

# --- 3. per backend, with the wire checked ---
timeout -k 2 60 ip netns exec "$TERNLAB_NS_P" tcpdump -i "$TERNLAB_IF_P" -s 200 -U --immediate-mode -n \
	-w "$IT_TMP/pp.pcap" "src host $tern_ip and (dst port $ng1 or dst port $ng2)" \
	>"$IT_TMP/tcpdump.log" 2>&1 &
PCAP_PID=$!
pcap_stop() { [ -z "${PCAP_PID:-}" ] || ternlab_stop_pid "$PCAP_PID" 3; PCAP_PID=; }
it_defer pcap_stop
wait_until 5 grep -q 'listening on' "$IT_TMP/tcpdump.log" || it_fail "tcpdump did not start"
tern_start "$port" --backend "$peer_ip:$ng1/v1,$peer_ip:$ng2/v2"
get each1
b1=$GOT_BACKEND
l1=$GOT_LPORT
get each2
l2=$GOT_LPORT
[ "$b1" != "$GOT_BACKEND" ] || it_fail "round robin sent both clients to backend $b1"
tern_stop
sleep 0.3
pcap_stop
# The first bytes of each backend connection: its payloads from relative sequence 1 on,
# joined in sequence order (the header and the request may come in one segment or two).
tshark -r "$IT_TMP/pp.pcap" -Y 'tcp.len > 0' -T fields -e tcp.stream -e tcp.dstport \
	-e tcp.seq -e tcp.payload >"$IT_TMP/segs.txt" 2>"$IT_TMP/tshark.err" ||
	it_fail "tshark: $(cat "$IT_TMP/tshark.err")"
"$PY" -c '
import sys
streams = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 4:
        streams.setdefault(f[0], (f[1], {}))[1].setdefault(int(f[2]), f[3])
for port, segs in streams.values():
    data, nxt = "", 1
    while nxt in segs:
        data += segs[nxt]
        nxt += len(segs[nxt]) // 2
    print(port + "\t" + data[:200])' "$IT_TMP/segs.txt" >"$IT_TMP/first.txt"
[ "$(wc -l <"$IT_TMP/first.txt")" = 2 ] ||
	it_fail "want 2 backend connections with data in the capture: $(cut -c1-80 "$IT_TMP/first.txt" | tr '\n' ';')"
[ "$b1" = "$ng1" ] || it_fail "the first client went to $b1, want $ng1 (round robin starts at the first)"
v1hex=$(printf 'PROXY TCP4 %s %s %s %s\r\n' "$peer_ip" "$tern_ip" "$l1" "$port" | od -An -tx1 | tr -d ' \n')
# shellcheck disable=SC2086 # the addresses' dots become separate words on purpose
v2hex=0d0a0d0a000d0a515549540a2111000c$(printf '%02x' ${peer_ip//./ } ${tern_ip//./ })$(printf '%04x%04x' "$l2" "$port")
req=$(printf 'GET /f200k' | od -An -tx1 | tr -d ' \n')
grep -q "^$ng1	$v1hex$req" "$IT_TMP/first.txt" ||
	it_fail "backend $ng1 (/v1): first bytes $(grep "^$ng1" "$IT_TMP/first.txt" | cut -f2 | cut -c1-140), want $v1hex then the request"
grep -q "^$ng2	$v2hex$req" "$IT_TMP/first.txt" ||
	it_fail "backend $ng2 (/v2): first bytes $(grep "^$ng2" "$IT_TMP/first.txt" | cut -f2 | cut -c1-140), want $v2hex then the request"
it_log "wire: $ng1 got the v1 line, $ng2 the 28-byte v2 header, each followed by the request"
it_pass
