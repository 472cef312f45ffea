#!/bin/bash
# Keepalive ends a connection whose peer went silent (RFC 1122 §4.2.3.6), and the app
# counts it: tern-echo --keepalive 500,200,2; a Linux client connects and gets its echo,
# then the peer's veth end goes down (nothing answers the probes) until tern has closed
# the connection (keepalive_timeout counted, no connection left); the link comes back up
# and tern-echo's final line must say "keepalive 1". Run under ASan+UBSan too (run-all.sh):
# tern-echo once counted close reasons in an array too short for this one (issue 11).
# usage: t_keepalive.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin keepalive "${1:-}"
port=7030
lab_up
tern_start "$port" --keepalive 500,200,2

link_up() { ip -n "$TERNLAB_NS_P" link set "$TERNLAB_IF_P" up 2>/dev/null || true; }
it_defer link_up
hold_client_start "$port"
wait_until 10 grep -q '^echo ping' "$IT_TMP/hold.out" ||
	it_fail "no echo: $(cat "$IT_TMP/hold.out")"
wait_until 5 tel_is /tern/gauges established -eq 1 || it_fail "tern holds no connection"
ip -n "$TERNLAB_NS_P" link set "$TERNLAB_IF_P" down
it_log "peer link down: the probes go unanswered"
# idle 500 ms, then 2 probes 200 ms apart: gone well within 5 s
wait_until 5 tel_is /tern/gauges established -eq 0 ||
	it_fail "the connection outlived its keepalive: $(tel /tern/gauges 2>&1)"
ka=$(tel_num /tern/stats tcp_keepalive_timeout)
link_up
# The client's socket still thinks it is connected: end it now, while this tern answers its
# FIN (with a RST: tern has no such connection), so nothing lingers for the next test.
hold_client_stop
it_log "tcp_keepalive_timeout $ka"
[ "$ka" -eq 1 ] || it_fail "tcp_keepalive_timeout $ka, want 1"
tern_stop
grep -E '^tern-echo: connections closed:' "$TERN_LOG" | while read -r l; do it_log "$l"; done
grep -qE '^tern-echo: connections closed: normal 0 reset 0 timeout 0 aborted 0 keepalive 1$' \
	"$TERN_LOG" || it_fail "tern-echo did not count the keepalive close: $(grep 'connections closed' "$TERN_LOG")"
it_pass
