#!/bin/bash
# tern-echo with TWO engines, bulk both ways at once (issue 10): ECHO_FLOWS (8) parallel
# bulk_client.py runs of ECHO_MB (8) MiB each (own seed each), every byte of every echo
# checked as it arrives, then the client's half-close and tern's close. All must succeed,
# every connection must end normally at tern (closes by reason), no handoff ring may fill,
# and tern may send a RST only to a 4-tuple whose connection had already finished (FIN both
# ways; rst_audit in lib.sh, from a capture): a late duplicate, never a live flow. Passive
# opens only; each flow is processed by the engine that owns it (steering), whichever
# queue its frames reach. Logs the steering method, passive opens and handoffs per engine,
# the drops and the final stats line.
# Modes: af_packet (qpairs=2) and tap (one queue per engine); not virtio-user (one queue).
# usage: t_echo_engines.sh [af_packet|tap]
# Environment: ECHO_FLOWS (8), ECHO_MB (8), ECHO_ENGINES (2; 1 for a baseline), ECHO_FAMILY
# (4; 6: the same over IPv6, t_echo_engines6.sh: the clients connect to tern's IPv6
# address, every flow must be IPv6 (tcp6_open), the RST audit reads IPv6 headers).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${ECHO_FAMILY:=4}"
if [ "$ECHO_FAMILY" = 6 ]; then it_begin echo_engines6 "${1:-}"; else it_begin echo_engines "${1:-}"; fi
case "$IT_MODE" in
af_packet | tap) ;;
*) it_fail "two engines are tested in af_packet and tap modes only (several queues)" ;;
esac
: "${ECHO_FLOWS:=8}"
: "${ECHO_MB:=8}"
: "${ECHO_ENGINES:=2}"
port=7020
tern_engines "$ECHO_ENGINES"
lab_up
host=$TERNLAB_TERN_IP
v6opts=()
if [ "$ECHO_FAMILY" = 6 ]; then
	host=$TERNLAB_TERN_IP6
	v6opts=(--ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6")
	peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
	it_defer peer_ipv6_off
	timeout 30 "$LAB" ipv6 on >/dev/null || it_fail "lab.sh ipv6 on failed"
	export CTL_FAMILY=6
fi
tern_start "$port" --stats-interval 5 "${v6opts[@]}"
[ "$ECHO_FAMILY" = 4 ] || wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
tern_steering
ctl_capture_start echo

it_log "$ECHO_FLOWS parallel echoes of $ECHO_MB MiB"
PEER_TIMEOUT=200 peer bash "$IT_DIR/parallel.sh" "$ECHO_FLOWS" "$IT_TMP" bulk --seed \
	"$PY" "$IT_DIR/bulk_client.py" --host "$host" --port "$port" \
	--bytes $((ECHO_MB << 20)) --stall 30 --timeout 150 || it_fail "the echo batch did not finish"
bad=0
for i in $(seq "$ECHO_FLOWS"); do
	if [ "$(cat "$IT_TMP/bulk.rc.$i" 2>/dev/null)" != 0 ]; then
		bad=$((bad + 1))
		[ "$bad" -gt 3 ] || it_log "echo $i: exit $(cat "$IT_TMP/bulk.rc.$i" 2>/dev/null): $(tail -n 1 "$IT_TMP/bulk.$i")"
	fi
done
drops=$(tel_json /tern/drops)
rst_tx=$(tel_num /tern/stats tcp_rst_tx)
misdirected=$(steer_drops "$drops")
spread=
for e in $(seq 0 $((TERN_ENGINES - 1))); do
	spread+="engine $e passive $(tel_num "/tern/stats,$e" tcp_passive_open) handoff $(tel_num "/tern/stats,$e" steer_handoff); "
done
it_log "echoes: $((ECHO_FLOWS - bad)) of $ECHO_FLOWS byte-exact; ${spread%; }"
it_log "drops: $drops"
if [ "$ECHO_FAMILY" = 6 ]; then
	open6=$(tel_num /tern/stats tcp6_open)
	[ "$open6" -ge "$ECHO_FLOWS" ] || it_fail "tcp6_open $open6, want $ECHO_FLOWS (every flow IPv6)"
fi
audit=$(rst_audit echo "$host") || it_fail "$audit"
it_log "RST audit: $audit"
tern_stop
grep -E '^tern-echo: (final:|drop |connections closed)' "$TERN_LOG" | while read -r l; do it_log "$l"; done
[ "$bad" -eq 0 ] || it_fail "$bad of $ECHO_FLOWS echoes failed; tern sent $rst_tx RSTs; drops $drops"
grep -q "^tern-echo: connections closed: normal $ECHO_FLOWS reset 0 timeout 0 aborted 0" "$TERN_LOG" ||
	it_fail "not every connection ended normally: $(grep 'connections closed' "$TERN_LOG")"
ring_full=$(steer_drops "$drops" tcp_no_listener_rst tcp_no_listener tcp_listen_bad tcp_syn_sent_bad)
[ "$ring_full" = 0 ] || it_fail "a handoff ring filled: $ring_full"
it_log "misdirection drops (late duplicates after the close): $misdirected"
it_pass
