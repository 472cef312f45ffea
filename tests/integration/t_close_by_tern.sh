#!/bin/bash
# tern closes first (tern-echo --close-after N): the connection ends in TIME_WAIT on tern
# (telemetry: tcp_tw_enter +1, time_wait gauge > 0) and not in Linux (which went CLOSE_WAIT ->
# LAST_ACK -> CLOSED once tern ACKed its FIN). With --msl 3000 the TIME_WAIT entry then expires
# after 2 MSL.
# usage: t_close_by_tern.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin close_by_tern "${1:-}"
port=7003
nbytes=100000
msl_ms=3000
lab_up
tern_start "$port" --close-after "$nbytes" --msl "$msl_ms"
tel /tern/gauges time_wait >/dev/null || it_fail "telemetry /tern/gauges time_wait not available"
tw0=$(tel_num /tern/stats tcp_tw_enter)
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes "$nbytes" \
	--expect-eof --timeout 30
out=$CLIENT_OUT
local_ep=$(echo "$out" | sed -n 's/.* local \([0-9.]*:[0-9]*\)$/\1/p')
[ -n "$local_ep" ] || it_fail "no local endpoint in client output"
# Linux: never TIME_WAIT, and the connection is gone once tern ACKed Linux's FIN.
conn_in_linux() {
	[ -n "$(peer ss -Htan "$@" src "$local_ep" dst "$TERNLAB_TERN_IP:$port")" ]
}
if conn_in_linux state time-wait; then it_fail "Linux has the connection in TIME_WAIT"; fi
wait_until 10 eval '! conn_in_linux' ||
	it_fail "connection still in Linux: $(peer ss -Htan src "$local_ep" dst "$TERNLAB_TERN_IP:$port")"
# tern: TIME_WAIT entered and held.
wait_until 5 tel_is /tern/stats tcp_tw_enter -gt "$tw0" ||
	it_fail "tcp_tw_enter did not increase (was $tw0, now $(tel_num /tern/stats tcp_tw_enter))"
tw=$(tel_num /tern/gauges time_wait)
[ "$tw" -gt 0 ] || it_fail "time_wait gauge is $tw right after the close (2 MSL = $((2 * msl_ms)) ms)"
it_log "tern: tcp_tw_enter $tw0 -> $(tel_num /tern/stats tcp_tw_enter), time_wait gauge $tw"
# ... and it expires after 2 MSL.
wait_until $((2 * msl_ms / 1000 + 10)) tel_is /tern/gauges time_wait -eq 0 ||
	it_fail "time_wait gauge still $(tel_num /tern/gauges time_wait) after 2 MSL + 10 s"
tern_stop
it_pass
