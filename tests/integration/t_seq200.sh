#!/bin/bash
# 200 connections one after the other, each echoing a small message; afterwards tern counted
# 200 passive opens and holds no established connection.
# usage: t_seq200.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin seq200 "${1:-}"
port=7002
n=200
lab_up
tern_start "$port"
before=$(tel_num /tern/stats tcp_passive_open)
client seq_client.py --host "$TERNLAB_TERN_IP" --port "$port" --count "$n" \
	--timeout "${SEQ_TIMEOUT:-180}"
tel /tern/stats >/dev/null 2>&1 || it_fail "telemetry /tern/stats not available"
after=$(tel_num /tern/stats tcp_passive_open)
[ $((after - before)) -ge "$n" ] || it_fail "tcp_passive_open went $before -> $after, want +$n"
wait_until 10 tel_is /tern/gauges established -eq 0 ||
	it_fail "still $(tel_num /tern/gauges established) established connections on tern"
tern_stop
it_pass
