#!/bin/bash
# Linux closes first (half-close after sending): tern echoes the rest, closes, and the
# connection ends in TIME_WAIT in Linux, not on tern.
# usage: t_close_by_linux.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin close_by_linux "${1:-}"
port=7004
lab_up
tern_start "$port"
tw0=$(tel_num /tern/stats tcp_tw_enter)
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes 100000 \
	--half-close --timeout 30
out=$CLIENT_OUT
local_ep=$(echo "$out" | sed -n 's/.* local \([0-9.]*:[0-9]*\)$/\1/p')
[ -n "$local_ep" ] || it_fail "no local endpoint in client output"
# shellcheck disable=SC2317 # called through wait_until
tw_linux() {
	[ -n "$(peer ss -Htan state time-wait src "$local_ep" dst "$TERNLAB_TERN_IP:$port")" ]
}
wait_until 5 tw_linux ||
	it_fail "no TIME_WAIT in Linux for $local_ep -> $TERNLAB_TERN_IP:$port: $(peer ss -Htan dst "$TERNLAB_TERN_IP:$port")"
it_log "Linux: $(peer ss -Htan state time-wait src "$local_ep" dst "$TERNLAB_TERN_IP:$port")"
tel /tern/stats >/dev/null 2>&1 || it_fail "telemetry /tern/stats not available"
tw1=$(tel_num /tern/stats tcp_tw_enter)
[ "$tw1" -eq "$tw0" ] || it_fail "tern entered TIME_WAIT too (tcp_tw_enter $tw0 -> $tw1)"
# shellcheck disable=SC2317 # called through wait_until
tern_idle() { tel_is /tern/gauges established -eq 0 && tel_is /tern/gauges close_wait -eq 0 &&
	tel_is /tern/gauges last_ack -eq 0; }
wait_until 10 tern_idle ||
	it_fail "tern still holds the connection: $(tel /tern/gauges 2>&1)"
tern_stop
it_pass
