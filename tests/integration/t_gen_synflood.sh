#!/bin/bash
# tern-gen --mode synflood against a Linux listener in the peer namespace, with
# net.ipv4.tcp_syncookies=2 there (a cookie for every SYN; restored at exit):
#   - a 2.5 s flood at 20000 SYN/s from random sources in 198.18.0.128/25 (inside the lab
#     subnet, away from tern .1 and the peer .2) to a listening port;
#   - tern-gen sent at least 80 % of rate x duration, and the kernel's TcpExt
#     SyncookiesSent rose by at least 80 % of what tern-gen sent;
#   - every neighbour the peer tried to answer lies in the spoofed block (nothing else was
#     used as a source);
#   - a second flood from the block with --proxy-arp: the SYN-ACKs Linux still held for the
#     first one are not counted (at most one SYN-ACK per SYN, at least 80 %).
# usage: t_gen_synflood.sh [af_packet|tap|virtio-user]   (GEN_PPS, GEN_SECS override)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_synflood "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port=9100
pps=${GEN_PPS:-20000}
secs=${GEN_SECS:-2.5}
net=${TERNLAB_PEER_IP%.*}
range=$net.128/25
lab_up

old_cookies=$(ip netns exec "$TERNLAB_NS_P" sysctl -n net.ipv4.tcp_syncookies)
# shellcheck disable=SC2317 # called by the exit trap (it_defer)
restore_cookies() {
	# shellcheck disable=SC2016 # awk program
	ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_syncookies="$old_cookies"
}
it_defer restore_cookies
ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_syncookies=2 ||
	it_fail "cannot set net.ipv4.tcp_syncookies=2 in $TERNLAB_NS_P"

# SyncookiesSent of the peer namespace (/proc/net is per namespace).
cookies() {
	# shellcheck disable=SC2016 # awk program
	ip netns exec "$TERNLAB_NS_P" awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 }
		else for (i = 1; i <= NF; i++) if (k[i] == "SyncookiesSent") print $i }' /proc/net/netstat
}

peer_server listener "$PY" -c 'import socket, signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(128)
while True: time.sleep(1)' "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"

before=$(cookies)
gen_run flood 0 --target "$TERNLAB_PEER_IP:$port" --mode synflood --rate "$pps" --duration "$secs" \
	--src-range "$range"
sleep 0.5 # let the peer finish the last burst
after=$(cookies)
sent=$(gj "d['sent']")
it_log "sent $sent SYNs ($(gj "d['pps']") pps); peer SyncookiesSent $before -> $after (+$((after - before)))"
gen_check "no error" "d['error'] is None and not d['interrupted']"
gen_check "sent too few SYNs (want >= 80 % of $pps x $secs)" "d['sent'] >= 0.8 * $pps * $secs"
gen_check "more than --rate" "d['pps'] <= $pps * 1.05"
gen_check "TX drops" "d['tern']['tx_full'] == 0"
[ $((after - before)) -ge $((sent * 8 / 10)) ] ||
	it_fail "SyncookiesSent rose by $((after - before)), want >= 80 % of $sent"
[ $((after - before)) -le "$sent" ] ||
	it_fail "SyncookiesSent rose by $((after - before)), more than the $sent SYNs sent"

# The peer resolved (in vain) the spoofed sources: all must be in the block.
outside=$(ip netns exec "$TERNLAB_NS_P" ip -4 neigh show dev "$TERNLAB_IF_P" | awk '{print $1}' |
	"$PY" -c 'import ipaddress, sys
blk = ipaddress.ip_network(sys.argv[1]); real = {ipaddress.ip_address(a) for a in sys.argv[2:]}
bad = [l.strip() for l in sys.stdin if l.strip() and ipaddress.ip_address(l.strip()) not in blk and ipaddress.ip_address(l.strip()) not in real]
print(" ".join(bad))' "$range" "$TERNLAB_TERN_IP" "$TERNLAB_PEER_IP")
[ -z "$outside" ] || it_fail "the peer saw sources outside $range: $outside"

# A second flood from the same block, now with --proxy-arp: Linux still holds SYN-ACKs of
# the first one for sources it could not resolve and sends them once tern-gen answers ARP
# for those addresses. They answer no SYN of this run: the verdict must not count them
# (synack_foreign), so that it stays at most one SYN-ACK per SYN (a cookie each, no
# retransmission with tcp_syncookies=2).
gen_run flood1 0 --target "$TERNLAB_PEER_IP:$port" --mode synflood --rate 3000 --duration 1 \
	--src-range "$range"
GEN_KEEP_NEIGH=1 gen_run flood2 0 --target "$TERNLAB_PEER_IP:$port" --mode synflood --rate 3000 --duration 1 \
	--src-range "$range" --proxy-arp
it_log "second flood, --proxy-arp: $(gj "d['verdict']['syn_sent']") SYNs, $(gj "d['verdict']['synack_rx']") SYN-ACKs counted, $(gj "d['verdict']['synack_foreign']") from the first run left out"
gen_check "SYN-ACKs counted that answer no SYN of this run" "d['verdict']['synack_rx'] <= d['verdict']['syn_sent']"
gen_check "too few SYN-ACKs counted" "d['verdict']['synack_rx'] >= 0.8 * d['verdict']['syn_sent']"
it_pass
