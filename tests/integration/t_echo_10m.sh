#!/bin/bash
# 10 MiB of random data sent to tern-echo come back byte-exact; the client half-closes at the
# end and tern, having echoed everything, closes too. With TSO on (tap mode), the echo left in
# TSO frames, none refused.
# usage: t_echo_10m.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin echo_10m "${1:-}"
port=7001
lab_up
tern_start "$port"
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes $((10 << 20)) \
	--half-close --timeout "${ECHO_TIMEOUT:-180}"
# Where the port has TSO (net_tap), the echo went out in TSO frames the port cut, and the
# port took every one of them (issue 12).
if grep -q 'tso on' "$TERN_LOG"; then
	frames=$(tel_num /tern/stats tso_tx_frames)
	refused=$(tel_num /tern/stats drop_tx_tso_refused)
	it_log "TSO on: tso_tx_frames=$frames tso_tx_segs=$(tel_num /tern/stats tso_tx_segs) refused=$refused"
	[ "$frames" -gt 0 ] || it_fail "TSO on, but no TSO frame was sent"
	[ "$refused" -eq 0 ] || it_fail "the port refused $refused TSO frames"
fi
tern_stop
it_pass
