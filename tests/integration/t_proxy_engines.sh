#!/bin/bash
# tern-proxy with TWO engines in front of nginx in the peer namespace (issue 10: segments of
# live flows reached the engine that does not own them and were reset):
#   1. PROXY_CURLS (40) parallel curl downloads of a 5 MiB file through the proxy, spread over
#      two nginx ports: every curl exits 0 with status 200 and a byte-exact body (sha256).
#      Each proxied flow is a passive open (client side) plus an active open (backend side);
#      the kernel spreads both over the two queues, so both must reach their owner.
#   2. PROXY_UPLOADS (8) parallel uploads the other way: splice_tool.py client-half sends
#      2 MiB to a Python backend, which checks them and answers with 2 MiB (checked too).
# In both parts no handoff ring fills (steer_ring_full 0), and tern sends a RST only to a
# 4-tuple whose connection had already finished (FIN both ways, from a capture: rst_audit in
# lib.sh): a late duplicate after the close, never a live flow. Logs the ready line's
# steering method, the opens and handoffs per engine, the drops a segment to no flow causes
# (tcp_no_listener_rst, tcp_no_listener, tcp_listen_bad, tcp_syn_sent_bad) and the proxy's
# final stats line.
# Modes: af_packet (qpairs=2, PACKET_FANOUT hash) and tap (net_tap opens one queue per
# engine; the kernel's tun sends a flow to the queue that last sent on it, so handoffs are
# rare there); virtio-user is not multi-queue in the lab.
# usage: t_proxy_engines.sh [af_packet|tap]
# Environment: PROXY_CURLS (40), PROXY_UPLOADS (8), PROXY_FILE_MB (5), PROXY_ENGINES (2; 1 for
# a baseline).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_engines "${1:-}"
case "$IT_MODE" in
af_packet | tap) ;;
*) it_fail "two engines are tested in af_packet and tap modes only (several queues)" ;;
esac
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
: "${PROXY_CURLS:=40}"
: "${PROXY_UPLOADS:=8}"
: "${PROXY_FILE_MB:=5}"
: "${PROXY_ENGINES:=2}"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
tern_engines "$PROXY_ENGINES"
port=8000
# Ports no other test uses: a TIME_WAIT that Linux still holds from an earlier test toward
# the same tern port could refuse a SYN of this tern process (tcp_syn_sent_bad).
ng1=8181
ng2=8182
py_port=8190
peer_ip=$TERNLAB_PEER_IP
url=http://$TERNLAB_TERN_IP:$port
lab_up

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
head -c $((PROXY_FILE_MB << 20)) /dev/urandom >"$www/big.bin"
want=$(sha256sum <"$www/big.bin" | cut -d' ' -f1)
ngx_start "$www" "$ng1" "$ng2"

# engine_spread: passive and active opens and handoffs of each engine (telemetry).
engine_spread() {
	local e out=
	for e in $(seq 0 $((TERN_ENGINES - 1))); do
		out+="engine $e: passive $(tel_num "/tern/stats,$e" tcp_passive_open) active $(tel_num "/tern/stats,$e" tcp_active_open) handoff $(tel_num "/tern/stats,$e" steer_handoff); "
	done
	echo "${out%; }"
}

# Failures are collected, so one run reports both parts.
fails=()
# final_line: log the proxy's final stats line and its drop lines (tern is stopped).
final_line() {
	local l
	grep -E '^tern-proxy: (final:|drop |backend )' "$TERN_LOG" | while read -r l; do
		it_log "$l"
	done
}

# ring_full JSON: "0", or the steer_ring_full drop of a /tern/drops reply.
ring_full() { steer_drops "$1" tcp_no_listener_rst tcp_no_listener tcp_listen_bad tcp_syn_sent_bad; }

# --- 1. parallel downloads ---
tern_start "$port" --backend "$peer_ip:$ng1,$peer_ip:$ng2" --stats-interval 5
tern_steering
ctl_capture_start down
dl=$IT_TMP/dl
mkdir -p "$dl"
# One shell in the peer starts every curl, each records its exit status and HTTP code.
cat >"$IT_TMP/curls.sh" <<'SH'
n=$1 url=$2 dir=$3
for i in $(seq "$n"); do
	(
		rc=0
		curl -sS -m 120 -o "$dir/body.$i" -w '%{http_code}' "$url" >"$dir/code.$i" \
			2>"$dir/err.$i" || rc=$?
		echo "$rc" >"$dir/rc.$i"
	) &
done
wait
SH
it_log "$PROXY_CURLS parallel downloads of $PROXY_FILE_MB MiB through the proxy"
PEER_TIMEOUT=200 peer bash "$IT_TMP/curls.sh" "$PROXY_CURLS" "$url/big.bin" "$dl" ||
	it_fail "the curl batch did not finish"
bad=0 resets=0 short=0
for i in $(seq "$PROXY_CURLS"); do
	rc=$(cat "$dl/rc.$i" 2>/dev/null || echo missing)
	code=$(cat "$dl/code.$i" 2>/dev/null || true)
	if [ "$rc" != 0 ] || [ "$code" != 200 ]; then
		bad=$((bad + 1))
		[ "$rc" != 56 ] || resets=$((resets + 1))
		[ "$bad" -gt 3 ] || it_log "curl $i: exit $rc, status $code, $(stat -c %s "$dl/body.$i" 2>/dev/null || echo 0) bytes: $(tr '\n' ' ' <"$dl/err.$i")"
		continue
	fi
	got=$(sha256sum <"$dl/body.$i" | cut -d' ' -f1)
	[ "$got" = "$want" ] || short=$((short + 1))
done
rm -rf "$dl"
drops=$(tel_json /tern/drops)
rst_tx=$(tel_num /tern/stats tcp_rst_tx)
spread=$(engine_spread)
it_log "per engine: $spread"
misdirected=$(steer_drops "$drops")
it_log "downloads: $((PROXY_CURLS - bad - short)) of $PROXY_CURLS byte-exact; failed $bad (exit 56: $resets), wrong body $short"
it_log "drops: $drops"
audit=$(rst_audit down) || fails+=("downloads: $audit")
it_log "downloads: RST audit: $audit; tern sent $rst_tx RSTs; segments to no flow: $misdirected"
tern_stop
final_line
[ "$bad" -eq 0 ] && [ "$short" -eq 0 ] ||
	fails+=("$bad of $PROXY_CURLS downloads failed ($resets reset, curl exit 56), $short with a wrong body; drops $drops")
[ "$(ring_full "$drops")" = 0 ] || fails+=("downloads: $(ring_full "$drops")")

# --- 2. parallel uploads (client-half: N bytes up, checked by the backend, N back) ---
: >"$IT_TMP/splice.log"
peer_server splice "$PY" "$IT_DIR/splice_tool.py" server --bind "$peer_ip" --port "$py_port" \
	--log "$IT_TMP/splice.log"
wait_until 10 peer_listening "$py_port" || it_fail "splice_tool server did not come up"
tern_start "$port" --backend "$peer_ip:$py_port" --stats-interval 5
tern_steering
ctl_capture_start up
it_log "$PROXY_UPLOADS parallel 2 MiB uploads (and answers) through the proxy"
PEER_TIMEOUT=150 peer bash "$IT_DIR/parallel.sh" "$PROXY_UPLOADS" "$IT_TMP" up \
	timeout 120 "$PY" "$IT_DIR/splice_tool.py" client --host "$TERNLAB_TERN_IP" --port "$port" \
	--mode client-half --bytes $((2 << 20)) || it_fail "the upload batch did not finish"
upbad=0
for i in $(seq "$PROXY_UPLOADS"); do
	if [ "$(cat "$IT_TMP/up.rc.$i" 2>/dev/null)" != 0 ] || ! grep -q '^ok client-half' "$IT_TMP/up.$i"; then
		upbad=$((upbad + 1))
		[ "$upbad" -gt 3 ] || it_log "upload $i: $(tail -n 1 "$IT_TMP/up.$i")"
	fi
done
matched=$(grep -c 'client-half got .* match' "$IT_TMP/splice.log" || true)
drops=$(tel_json /tern/drops)
rst_tx=$(tel_num /tern/stats tcp_rst_tx)
misdirected=$(steer_drops "$drops")
it_log "uploads: $((PROXY_UPLOADS - upbad)) of $PROXY_UPLOADS ok, backend matched $matched; drops $drops"
audit=$(rst_audit up) || fails+=("uploads: $audit")
it_log "uploads: RST audit: $audit; tern sent $rst_tx RSTs; segments to no flow: $misdirected"
tern_stop
final_line
peer_server_stop splice
[ "$upbad" -eq 0 ] || fails+=("$upbad of $PROXY_UPLOADS uploads failed; drops $drops")
[ "$(ring_full "$drops")" = 0 ] || fails+=("uploads: $(ring_full "$drops")")
[ "$matched" -eq "$PROXY_UPLOADS" ] || fails+=("the backend matched $matched of $PROXY_UPLOADS uploads")
[ ${#fails[@]} -eq 0 ] || it_fail "$(IFS=';'; echo "${fails[*]}")"
it_pass
