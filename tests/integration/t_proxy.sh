#!/bin/bash
# tern-proxy between Linux clients and Linux servers, all in the peer namespace (one engine):
#   1. nginx on two ports + one port where nothing listens (RST): curl through the proxy,
#      bodies of 0 B .. 21 MB byte-exact (sha256); the dead backend is marked down, every
#      request still succeeds; wrk through the proxy (and straight to nginx, for the ratio)
#      with no socket errors and only 2xx;
#   2. a Python backend (splice_tool.py): the client's half-close reaches the backend and
#      its answer still flows back; the backend's half-close reaches the client and the
#      client's data still flows to it; a backend RST resets the client, a client RST
#      resets the backend;
#   3. only dead backends: the client gets a RST.
# usage: t_proxy.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy "${1:-}"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
ng1=8081
ng2=8082
dead1=8099
dead2=8098
py_port=8090
peer_ip=$TERNLAB_PEER_IP
url=http://$TERNLAB_TERN_IP:$port
lab_up

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
: >"$www/empty.bin"
head -c 1000 /dev/urandom >"$www/f1k.bin"
head -c 100000 /dev/urandom >"$www/f100k.bin"
head -c 1000000 /dev/urandom >"$www/f1m.bin"
head -c $((21 << 20)) /dev/urandom >"$www/f21m.bin"
echo "tern-proxy test page" >"$www/index.html"
ngx_start "$www" "$ng1" "$ng2"

# --- 1. nginx backends, one dead ---
tern_start "$port" --backend "$peer_ip:$ng1,$peer_ip:$dead1,$peer_ip:$ng2" --retry-down 60 \
	--connect-timeout 2000
for f in empty.bin f1k.bin f100k.bin f1m.bin f21m.bin index.html; do
	for _ in 1 2; do
		rm -f "$IT_TMP/dl"
		peer curl -sS -m 30 -o "$IT_TMP/dl" -w '%{http_code}\n' "$url/$f" >"$IT_TMP/code" 2>&1 ||
			it_fail "curl $f through the proxy failed: $(tr '\n' ' ' <"$IT_TMP/code")"
		[ "$(cat "$IT_TMP/code")" = 200 ] || it_fail "curl $f: status $(cat "$IT_TMP/code")"
		want=$(sha256sum <"$www/$f" | cut -d' ' -f1)
		got=$(sha256sum <"$IT_TMP/dl" | cut -d' ' -f1)
		[ "$want" = "$got" ] || it_fail "$f through the proxy: sha256 $got, want $want ($(stat -c %s "$IT_TMP/dl") of $(stat -c %s "$www/$f") bytes)"
	done
done
it_log "curl through the proxy: 12 downloads (0 B .. 21 MiB) byte-exact"
# The stats line (every second) shows the dead backend down and the others used.
wait_until 5 grep -q "$peer_ip:$dead1 down conns 0 active 0 fail [1-9]" "$TERN_LOG" ||
	it_fail "backend $dead1 not reported down: $(grep -o "$peer_ip:$dead1 [a-z]* conns [0-9]* active [0-9]* fail [0-9]*" "$TERN_LOG" | tail -n 1)"
WRK_ARGS="-d 2 -c 20 -t 1" wrk_run direct "http://$peer_ip:$ng1/"
direct=$WRK_RPS
WRK_ARGS="-d 2 -c 20 -t 1" wrk_run proxy "$url/"
it_log "wrk: through tern-proxy $WRK_RPS req/s, straight to nginx $direct req/s"
wait_until 10 grep -q 'clients [0-9]* active 0 ' "$TERN_LOG" ||
	it_fail "proxied connections left open after wrk: $(grep -o 'clients [0-9]* active [0-9]*' "$TERN_LOG" | tail -n 1)"
tern_stop
grep 'tern-proxy: backend' "$TERN_LOG" | while read -r l; do it_log "$l"; done
grep -q "tern-proxy: backend $peer_ip:$dead1 down: conns 0 failures [1-9]" "$TERN_LOG" ||
	it_fail "final summary: $dead1 not down with failures"
for p in "$ng1" "$ng2"; do
	grep -q "tern-proxy: backend $peer_ip:$p up: conns [1-9]" "$TERN_LOG" ||
		it_fail "final summary: backend $p not up or unused"
done

# --- 2. half-close and reset through the proxy ---
: >"$IT_TMP/splice.log"
peer_server splice "$PY" "$IT_DIR/splice_tool.py" server --bind "$peer_ip" --port "$py_port" \
	--log "$IT_TMP/splice.log"
wait_until 10 peer_listening "$py_port" || it_fail "splice_tool server did not come up"
tern_start "$port" --backend "$peer_ip:$py_port"
client splice_tool.py client --host "$TERNLAB_TERN_IP" --port "$port" --mode client-half --bytes 300000
client splice_tool.py client --host "$TERNLAB_TERN_IP" --port "$port" --mode backend-half --bytes 300000
sha=$(echo "$CLIENT_OUT" | grep -o 'sha256 [0-9a-f]*' | awk '{print $2}')
wait_until 10 grep -q "backend-half got 300000 $sha" "$IT_TMP/splice.log" ||
	it_fail "backend-half: the backend did not get the client's data after its FIN: $(tail -n 1 "$IT_TMP/splice.log")"
client splice_tool.py client --host "$TERNLAB_TERN_IP" --port "$port" --mode backend-rst
client splice_tool.py client --host "$TERNLAB_TERN_IP" --port "$port" --mode client-rst
wait_until 10 grep -q "client-rst seen reset" "$IT_TMP/splice.log" ||
	it_fail "client-rst: the backend did not see a reset: $(tail -n 1 "$IT_TMP/splice.log")"
it_log "splice_tool: $(tr '\n' ';' <"$IT_TMP/splice.log")"
tern_stop

# --- 3. every backend refuses: the client gets a RST ---
tern_start "$port" --backend "$peer_ip:$dead1,$peer_ip:$dead2"
client splice_tool.py client --host "$TERNLAB_TERN_IP" --port "$port" --mode refused
client splice_tool.py client --host "$TERNLAB_TERN_IP" --port "$port" --mode refused
wait_until 5 grep -q 'rejected 2 ' "$TERN_LOG" || it_fail "the proxy did not count 2 rejected clients"
tern_stop
it_pass
