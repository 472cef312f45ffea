#!/bin/bash
# FIN_WAIT_2 timeout: tern-echo --close-after 4 --fin-timeout 500 closes after echoing 4
# bytes; a Linux client reads the echo and tern's FIN but never closes its side, so tern
# sits in FIN_WAIT_2 until its timer ends the connection (tcp_fin_timeout counted,
# none left) and tern-echo's final line counts it ("fin-timeout 1"). Run with the apps
# built with ASan + UBSan too (run-all.sh): one of the close reasons tern-echo's old,
# too short array could not hold (issue 11).
# usage: t_fin_timeout.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin fin_timeout "${1:-}"
port=7031
lab_up
tern_start "$port" --close-after 4 --fin-timeout 500

hold_client_start "$port" --until-eof
wait_until 10 grep -q '^echo ping eof' "$IT_TMP/hold.out" ||
	it_fail "no echo and FIN: $(cat "$IT_TMP/hold.out")"
# FIN_WAIT_2 for 500 ms, then the connection is gone
wait_until 5 tel_is /tern/gauges fin_wait_2 -eq 0 ||
	it_fail "still in FIN_WAIT_2: $(tel /tern/gauges 2>&1)"
fw=$(tel_num /tern/stats tcp_fin_timeout)
it_log "tcp_fin_timeout $fw"
[ "$fw" -eq 1 ] || it_fail "tcp_fin_timeout $fw, want 1"
hold_client_stop # its FIN now draws tern's RST: nothing lingers for the next test
tern_stop
grep -E '^tern-echo: connections closed:' "$TERN_LOG" | while read -r l; do it_log "$l"; done
grep -qE '^tern-echo: connections closed: normal 0 reset 0 timeout 0 aborted 0 fin-timeout 1$' \
	"$TERN_LOG" || it_fail "tern-echo did not count the FIN_WAIT_2 timeout: $(grep 'connections closed' "$TERN_LOG")"
it_pass
