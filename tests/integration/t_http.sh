#!/bin/bash
# tern-http against Linux clients in the peer namespace:
#   1. curl: a 100000-byte body byte-exact (the pattern), HEAD, keep-alive (two URLs, one
#      connection), Connection: close, HTTP/1.0 (closes; keep-alive on request);
#   2. http_probe.py: pipelining (50 requests in one send), a head split into 1-byte
#      segments, request bodies skipped, garbage -> 400 and close, an oversized head -> 431;
#      a 300 KB body with Connection: close and a 300 KB head in one write: the answer,
#      then a FIN, never a RST (the rest is read and dropped before the close);
#   3. wrk -d 5 -c 20 -t 1: no socket errors, only 2xx; tern-http counted every request.
# usage: t_http.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin http "${1:-}"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
TERN_ECHO=${TERN_HTTP:-$TERN_BUILD/apps/tern-http/tern-http}
port=8080
body=100000
url=http://$TERNLAB_TERN_IP:$port
lab_up
tern_start "$port" --body-size "$body" --max-header 2048

"$PY" -c "import sys; p=b'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n'; sys.stdout.buffer.write((p*($body//64+1))[:$body])" >"$IT_TMP/want"
peer curl -sS -m 20 -o "$IT_TMP/got" "$url/a" || it_fail "curl GET failed"
cmp -s "$IT_TMP/want" "$IT_TMP/got" || it_fail "curl: body differs from the pattern ($(stat -c %s "$IT_TMP/got") bytes)"
peer curl -sS -m 20 -I "$url/" >"$IT_TMP/head" || it_fail "curl HEAD failed"
grep -qi "^content-length: $body" "$IT_TMP/head" || it_fail "HEAD: no Content-Length $body"
# keep-alive: the second transfer reuses the connection (num_connects 0)
peer curl -sS -m 20 -o /dev/null -o /dev/null -w '%{num_connects}\n' "$url/1" "$url/2" >"$IT_TMP/ka" ||
	it_fail "curl keep-alive failed"
[ "$(tr '\n' ' ' <"$IT_TMP/ka")" = "1 0 " ] || it_fail "keep-alive: connects per transfer $(tr '\n' ' ' <"$IT_TMP/ka"), want 1 0"
peer curl -sS -m 20 -D "$IT_TMP/hc" -o /dev/null -H 'Connection: close' "$url/c" || it_fail "curl close failed"
grep -qi '^connection: close' "$IT_TMP/hc" || it_fail "Connection: close not answered with close"
peer curl -sS -m 20 -0 -D "$IT_TMP/h10" -o "$IT_TMP/got10" "$url/10" || it_fail "curl HTTP/1.0 failed"
grep -qi '^connection: close' "$IT_TMP/h10" || it_fail "HTTP/1.0 not answered with close"
cmp -s "$IT_TMP/want" "$IT_TMP/got10" || it_fail "HTTP/1.0: body differs"
it_log "curl: body byte-exact, HEAD, keep-alive reuse, close, HTTP/1.0"

client http_probe.py --host "$TERNLAB_TERN_IP" --port "$port" --body-size "$body" \
	--max-header 2048 body pipeline split http10 close garbage bigheader head post postclose bigclose

WRK_ARGS="-d 2 -c 20 -t 1" wrk_run http "$url/"
it_log "wrk against tern-http: $WRK_RPS req/s"
tern_stop
served=$(grep 'tern-http: final:' "$TERN_LOG" | grep -o 'requests [0-9]*' | awk '{print $2}')
errors=$(grep 'tern-http: final:' "$TERN_LOG" | grep -o 'errors [0-9]*' | awk '{print $2}')
wrk_n=$(awk '/requests in/ {print $1}' "$IT_TMP/http.wrk")
it_log "tern-http served $served requests ($errors errors: the 400 and two 431 probes), wrk completed $wrk_n"
if [ -z "$served" ] || [ "$served" -lt "$wrk_n" ]; then it_fail "tern-http counted $served requests, wrk completed $wrk_n"; fi
[ "$errors" = 3 ] || it_fail "tern-http counted $errors error responses, want 3 (garbage, bigheader, bigclose)"
it_pass
