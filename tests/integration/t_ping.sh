#!/bin/bash
# tern answers ARP and ICMP echo: 5 pings from the Linux peer, all answered. Then tern is
# restarted without flushing the peer's neighbour table: it comes back with the same MAC
# (the veth's on af_packet; eal-args.sh's stable MAC on tap and virtio-user), so 3 pings
# right after the restart are all answered too, and the peer's entry names that MAC. (A new
# random MAC at each start left the peer sending to the old one for about 30 s.)
# usage: t_ping.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin ping "${1:-}"
lab_up
ready_mac() { grep -m1 ': ready: ' "$TERN_LOG" | sed -n 's/.*mac \([0-9a-f:]\{17\}\).*/\1/p'; }
tern_start 7000
mac1=$(ready_mac)
[ -n "$mac1" ] || it_fail "no MAC in the ready line: $(grep -m1 ': ready: ' "$TERN_LOG")"
out=$(peer ping -c 5 -i 0.2 -w 10 "$TERNLAB_TERN_IP" 2>&1) ||
	it_fail "ping: $(echo "$out" | grep -E 'transmitted|Unreachable' | head -n 1)"
it_log "$(echo "$out" | grep transmitted)"
tern_stop

TERN_KEEP_NEIGH=1 tern_start 7000
mac2=$(ready_mac)
[ "$mac2" = "$mac1" ] || it_fail "tern's MAC changed across a restart: $mac1 -> $mac2"
out=$(peer ping -c 3 -i 0.2 -w 3 "$TERNLAB_TERN_IP" 2>&1) ||
	it_fail "ping right after a restart, the peer's neighbour entry kept: $(echo "$out" | grep -E 'transmitted|Unreachable' | head -n 1) ($(peer ip neigh show "$TERNLAB_TERN_IP"))"
it_log "after the restart: $(echo "$out" | grep transmitted)"
neigh=$(peer ip neigh show "$TERNLAB_TERN_IP")
grep -q "lladdr $mac1 " <<<"$neigh " || it_fail "the peer's entry is not tern's MAC $mac1: $neigh"
tern_stop
it_pass
