#!/bin/bash
# tern answers ARP and ICMP echo: 5 pings from the Linux peer, all answered.
# usage: t_ping.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin ping "${1:-}"
lab_up
tern_start 7000
out=$(peer ping -c 5 -i 0.2 -w 10 "$TERNLAB_TERN_IP" 2>&1) ||
	it_fail "ping: $(echo "$out" | grep -E 'transmitted|Unreachable' | head -n 1)"
it_log "$(echo "$out" | grep transmitted)"
tern_stop
it_pass
