#!/bin/bash
# User timeout (RFC 5482 / RFC 9293 §3.8.3's USER TIMEOUT): tern-http --user-timeout 1000
# serves a 1 GiB body to curl in the peer namespace; once data flows the peer's veth end
# goes down, so tern's segments and retransmissions go unacknowledged. The connection must
# end by the user timeout (tcp_user_timeout counted, not the retransmission limit), no
# connection left, and tern-http's final line must say "user-timeout 1". Run with the apps
# built with ASan + UBSan too (run-all.sh): a close reason beyond the apps' old, too short
# per-reason arrays (issue 11).
# usage: t_user_timeout.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin user_timeout "${1:-}"
TERN_ECHO=${TERN_HTTP:-$TERN_BUILD/apps/tern-http/tern-http}
port=8081
lab_up
tern_start "$port" --body-size 1073741824 --user-timeout 1000

link_up() { ip -n "$TERNLAB_NS_P" link set "$TERNLAB_IF_P" up 2>/dev/null || true; }
it_defer link_up
ip netns exec "$TERNLAB_NS_P" timeout 30 curl -sS -m 25 -o /dev/null \
	"http://$TERNLAB_TERN_IP:$port/big" >"$IT_TMP/curl.out" 2>&1 &
curl_pid=$!
stop_curl() { ternlab_stop_pid "$curl_pid" 3 >/dev/null 2>&1 || true; }
it_defer stop_curl
# wait for the transfer to be under way (some megabytes delivered)
flowing() { [ "$(tel_num /tern/stats tcp_data_tx)" -gt 4000000 ]; }
wait_until 10 flowing || true
tx=$(tel_num /tern/stats tcp_data_tx)
[ "$tx" -gt 1000000 ] || it_fail "the transfer did not start: tcp_data_tx $tx"
ip -n "$TERNLAB_NS_P" link set "$TERNLAB_IF_P" down
it_log "peer link down after $tx bytes: nothing acknowledges tern's data"
# 1 s without progress ends it; the retransmission limit (many RTOs) would take far longer
wait_until 6 tel_is /tern/gauges established -eq 0 ||
	it_fail "the connection outlived its user timeout: $(tel /tern/gauges 2>&1)"
ut=$(tel_num /tern/stats tcp_user_timeout)
to=$(tel_num /tern/stats tcp_timeout)
link_up
stop_curl
it_log "tcp_user_timeout $ut, tcp_timeout $to"
[ "$ut" -eq 1 ] || it_fail "tcp_user_timeout $ut, want 1"
[ "$to" -eq 0 ] || it_fail "tcp_timeout $to, want 0 (the user timeout comes first)"
tern_stop
grep -E '^tern-http: connections closed:' "$TERN_LOG" | while read -r l; do it_log "$l"; done
grep -qE '^tern-http: connections closed:.* user-timeout 1( |$)' "$TERN_LOG" ||
	it_fail "tern-http did not count the user timeout: $(grep 'connections closed' "$TERN_LOG")"
it_pass
