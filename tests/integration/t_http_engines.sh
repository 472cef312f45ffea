#!/bin/bash
# tern-http with TWO engines (issue 10): HTTP_CURLS (20) parallel curl downloads of a 1 MiB
# body, each exit 0 and byte-exact (the pattern); then wrk (keep-alive, -c 20, 3 s) with no
# socket error and only 2xx, every request counted by tern-http. Both engines must serve
# (passive opens on each), the steering method is checked, no handoff ring may fill, and
# every RST tern sends must hit a 4-tuple whose connection had finished (rst_audit).
# Modes: af_packet (qpairs=2) and tap; not virtio-user (one queue).
# usage: t_http_engines.sh [af_packet|tap]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin http_engines "${1:-}"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
case "$IT_MODE" in
af_packet | tap) ;;
*) it_fail "two engines are tested in af_packet and tap modes only (several queues)" ;;
esac
: "${HTTP_CURLS:=20}"
TERN_ECHO=${TERN_HTTP:-$TERN_BUILD/apps/tern-http/tern-http}
port=8085
body=$((1 << 20))
url=http://$TERNLAB_TERN_IP:$port
tern_engines 2
lab_up
tern_start "$port" --body-size "$body" --stats-interval 5
tern_steering
ctl_capture_start http

"$PY" -c "import sys; p=b'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n'; sys.stdout.buffer.write((p*($body//64+1))[:$body])" >"$IT_TMP/want"
want=$(sha256sum <"$IT_TMP/want" | cut -d' ' -f1)
it_log "$HTTP_CURLS parallel curl downloads of $body bytes"
PEER_TIMEOUT=120 peer bash "$IT_DIR/parallel.sh" "$HTTP_CURLS" "$IT_TMP" curl \
	sh -c "curl -sS -m 60 '$url/x' | sha256sum" || it_fail "the curl batch did not finish"
bad=0
for i in $(seq "$HTTP_CURLS"); do
	got=$(cut -d' ' -f1 <"$IT_TMP/curl.$i")
	if [ "$(cat "$IT_TMP/curl.rc.$i")" != 0 ] || [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		[ "$bad" -gt 3 ] || it_log "curl $i: $(head -c 300 "$IT_TMP/curl.$i")"
	fi
done
[ "$bad" -eq 0 ] || it_fail "$bad of $HTTP_CURLS downloads failed or differ"
WRK_ARGS="-d 3 -c 20 -t 1" wrk_run http "$url/"
e0=$(tel_num /tern/stats,0 tcp_passive_open)
e1=$(tel_num /tern/stats,1 tcp_passive_open)
drops=$(tel_json /tern/drops)
it_log "passive opens: engine 0 $e0, engine 1 $e1; handoffs $(tel_num /tern/stats steer_handoff); drops $drops"
audit=$(rst_audit http) || it_fail "$audit"
it_log "RST audit: $audit"
tern_stop
served=$(grep 'tern-http: final:' "$TERN_LOG" | grep -o 'requests [0-9]*' | awk '{print $2}')
wrk_n=$(awk '/requests in/ {print $1}' "$IT_TMP/http.wrk")
it_log "tern-http served $served requests, wrk completed $wrk_n (+ $HTTP_CURLS curls)"
[ -n "$served" ] && [ "$served" -ge $((wrk_n + HTTP_CURLS)) ] ||
	it_fail "tern-http counted $served requests, fewer than wrk's $wrk_n + $HTTP_CURLS curls"
[ "$e0" -gt 0 ] && [ "$e1" -gt 0 ] || it_fail "flows did not spread: engine 0 $e0, engine 1 $e1"
ring=$(steer_drops "$drops" tcp_no_listener_rst tcp_no_listener tcp_listen_bad tcp_syn_sent_bad)
[ "$ring" = 0 ] || it_fail "a handoff ring filled: $ring"
it_pass
