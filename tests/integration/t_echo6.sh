#!/bin/bash
# TCP over IPv6 against the Linux kernel, tern-echo listening on both families at once
# (--ip given an IPv4 and an IPv6 address, one tern_listen):
#   - 10 MiB of random data echoed byte-exact over IPv6, Linux half-closing at the end;
#   - 200 sequential IPv6 connections, each echoing a small message: 200 more passive opens,
#     none left established;
#   - an IPv4 echo beside them in the same process (dual stack), and every TCP segment of
#     the IPv6 runs counted as IPv6 (tcp6_seg_rx);
#   - tern-http the same way: curl over IPv6 gets the body byte-exact, twice on one
#     keep-alive connection, and over IPv4 from the same listener.
# usage: t_echo6.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin echo6 "${1:-}"
port=7006
lab_up
# The peer's IPv6 for this test only (MLD reports of an IPv6 interface; see t_ping6.sh).
peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
it_defer peer_ipv6_off
timeout 30 "$LAB" ipv6 on >/dev/null || it_fail "lab.sh ipv6 on failed"
tern_start "$port" --ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --gw "$TERNLAB_PEER_IP6"
wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 ||
	it_fail "DAD did not complete: nd_dad_ok $(tel_num /tern/stats nd_dad_ok)"

client echo_client.py --host "$TERNLAB_TERN_IP6" --port "$port" --bytes $((10 << 20)) \
	--half-close --timeout "${ECHO_TIMEOUT:-60}"
rx6=$(tel_num /tern/stats tcp6_seg_rx)
[ "$rx6" -ge 7000 ] || it_fail "tcp6_seg_rx $rx6 after 10 MiB over IPv6 (want >= 7000)"

before=$(tel_num /tern/stats tcp_passive_open)
client seq_client.py --host "$TERNLAB_TERN_IP6" --port "$port" --count 200 \
	--timeout "${SEQ_TIMEOUT:-60}"
after=$(tel_num /tern/stats tcp_passive_open)
[ $((after - before)) -ge 200 ] || it_fail "tcp_passive_open went $before -> $after, want +200"
open6=$(tel_num /tern/stats tcp6_open)
[ "$open6" -ge 201 ] || it_fail "tcp6_open $open6 after 201 IPv6 connections"

# Dual stack: the same listener takes IPv4, and only those segments are not IPv6.
rx=$(tel_num /tern/stats tcp_seg_rx)
rx6=$(tel_num /tern/stats tcp6_seg_rx)
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes 65536 --half-close \
	--timeout 30
rx_b=$(tel_num /tern/stats tcp_seg_rx)
rx6_b=$(tel_num /tern/stats tcp6_seg_rx)
[ "$rx6_b" -eq "$rx6" ] || it_fail "an IPv4 echo moved tcp6_seg_rx $rx6 -> $rx6_b"
[ "$rx_b" -gt "$rx" ] || it_fail "the IPv4 echo moved no tcp_seg_rx"
wait_until 10 tel_is /tern/gauges established -eq 0 ||
	it_fail "still $(tel_num /tern/gauges established) established connections on tern"
it_log "tcp6_seg_rx $rx6_b tcp6_seg_tx $(tel_num /tern/stats tcp6_seg_tx) of tcp_seg_rx $rx_b;" \
	"drops $(tel_json /tern/drops)"
tern_stop
# The final stats line has the per-family part.
grep -q "| tcp6 open $open6 seg rx $rx6_b " "$TERN_LOG" ||
	it_fail "no 'tcp6 open $open6 seg rx $rx6_b' in the final stats line: $(grep final: "$TERN_LOG" | tail -n 1)"

# tern-http on both families
TERN_ECHO=${TERN_HTTP:-$TERN_BUILD/apps/tern-http/tern-http}
body=100000
tern_start 8066 --body-size "$body" --ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --gw "$TERNLAB_PEER_IP6"
wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "tern-http: DAD did not complete"
"$PY" -c "import sys; p=b'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n'; sys.stdout.buffer.write((p*($body//64+1))[:$body])" >"$IT_TMP/want"
peer curl -sS -g -m 20 -o "$IT_TMP/got" -o "$IT_TMP/got2" -w '%{num_connects}\n' \
	"http://[$TERNLAB_TERN_IP6]:8066/a" "http://[$TERNLAB_TERN_IP6]:8066/b" >"$IT_TMP/ka" ||
	it_fail "curl over IPv6 to tern-http failed"
if ! cmp -s "$IT_TMP/want" "$IT_TMP/got" || ! cmp -s "$IT_TMP/want" "$IT_TMP/got2"; then
	it_fail "tern-http over IPv6: body differs"
fi
[ "$(tr '\n' ' ' <"$IT_TMP/ka")" = "1 0 " ] ||
	it_fail "tern-http over IPv6: connects per transfer $(tr '\n' ' ' <"$IT_TMP/ka"), want 1 0"
peer curl -sS -m 20 -o "$IT_TMP/got" "http://$TERNLAB_TERN_IP:8066/c" ||
	it_fail "curl over IPv4 to tern-http failed"
cmp -s "$IT_TMP/want" "$IT_TMP/got" || it_fail "tern-http over IPv4: body differs"
[ "$(tel_num /tern/stats tcp6_open)" -eq 1 ] ||
	it_fail "tern-http: tcp6_open $(tel_num /tern/stats tcp6_open), want 1"
it_log "tern-http: 2 x $body bytes over IPv6 on one connection, 1 over IPv4, byte-exact"
tern_stop
it_pass
