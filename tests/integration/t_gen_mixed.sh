#!/bin/bash
# tern-gen mixed run (legitimate connects + SYN flood + realistic SYN flood, --proxy-arp)
# with the same rates against two targets, and its verdict checked against the target's
# own counters:
#   - the Linux kernel in the peer namespace (tcp_syncookies=2: a cookie for every SYN;
#     restored at exit): tern-gen's SYN-ACKs seen == TcpExt SyncookiesSent - the legitimate
#     SYNs (within 3 %), cookie share >= 98 %, legitimate ok == TcpPassiveOpens rise;
#   - tern-echo (--syncookies always) on a second veth pair in NS_T (it learns the sources'
#     MACs from their SYNs and asks no ARP): SYN-ACKs seen ==
#     tcp_syncookie_sent - legitimate connections (within 3 %, less SYN-ACKs tern-echo
#     could not send for ARP), cookie share >= 98 %, every timestamped SYN-ACK carries the
#     options in its TSval, ok == tcp_passive_open.
#   Both: >= 99.9 % of the clients connected, each stream within 90-105 % of its rate.
# usage: t_gen_mixed.sh [af_packet]   (GEN_SECS, GEN_SYN, GEN_REAL, GEN_CPS override)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_mixed "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port=9200
secs=${GEN_SECS:-2}
syn=${GEN_SYN:-5000}
real=${GEN_REAL:-2000}
cps=${GEN_CPS:-300}
net=${TERNLAB_PEER_IP%.*}
mix=(--mode connect --rate "$cps" --duration "$secs" --msl 1000 --proxy-arp
	--attack "syn:$syn,src=$net.128/26+$net.192/26"
	--attack "syn-real:$real,src=$net.128/25,mix=linux:50+windows:30+mobile:20")
lab_up

# The verdict and the streams' rates, whatever the target.
check_run() {
	gen_check "no error" "d['error'] is None and not d['interrupted']"
	gen_check "clients connected < 99.9 %" "d['ok'] >= 0.999 * d['attempted'] and d['attempted'] > 0"
	gen_check "legitimate rate" "0.90 * $cps <= d['rate_achieved'] <= 1.05 * $cps"
	gen_check "a stream off its rate" "all(0.90 <= a['pps'] / a['rate'] <= 1.05 for a in d['attacks'])"
	gen_check "verdict fields" "d['verdict']['syn_sent'] == sum(a['sent'] for a in d['attacks'])"
	gen_check "cookie share < 98 %" "d['verdict']['cookie_share'] >= 0.98"
	gen_check "TX drops" "d['tern']['tx_full'] == 0"
}

# 1. Linux, every SYN answered with a cookie.
old_cookies=$(ip netns exec "$TERNLAB_NS_P" sysctl -n net.ipv4.tcp_syncookies)
# shellcheck disable=SC2317 # called by the exit trap (it_defer)
restore_cookies() { ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_syncookies="$old_cookies"; }
it_defer restore_cookies
ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_syncookies=2 ||
	it_fail "cannot set net.ipv4.tcp_syncookies=2 in $TERNLAB_NS_P"
peer_server listener "$PY" -c 'import socket, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4096)
while True: s.accept()[0].close()' "$TERNLAB_PEER_IP" "$port"
wait_until 10 peer_listening "$port" || it_fail "listener in $TERNLAB_NS_P did not come up"

# TcpExt/Tcp counter of the peer namespace.
nstat_get() {
	ip netns exec "$TERNLAB_NS_P" nstat -az "$1" | awk -v k="$1" '$1 == k { print $2 }'
}
c0=$(nstat_get TcpExtSyncookiesSent)
p0=$(nstat_get TcpPassiveOpens)
gen_run linux 0 --target "$TERNLAB_PEER_IP:$port" "${mix[@]}"
c1=$(nstat_get TcpExtSyncookiesSent)
p1=$(nstat_get TcpPassiveOpens)
check_run
sa=$(gj "d['verdict']['synack_rx']")
ok=$(gj "d['ok']")
conn=$(gj "d['connects']")
it_log "linux: $(gj "d['verdict']['line']")"
it_log "linux: SyncookiesSent +$((c1 - c0)) (legitimate SYNs $conn), tern-gen saw $sa SYN-ACKs; PassiveOpens +$((p1 - p0)), tern-gen ok $ok"
gen_check "SYN-ACKs seen vs Linux SyncookiesSent ($((c1 - c0)) - $conn)" \
	"abs($sa - ($c1 - $c0 - $conn)) <= 0.03 * ($c1 - $c0 - $conn)"
gen_check "ok vs Linux TcpPassiveOpens (+$((p1 - p0)))" "abs(d['connected'] - ($p1 - $p0)) <= 2"
gen_check "Linux asked no ARP for the sources (--proxy-arp)" "d['verdict']['arp_answered'] > 0"
peer_server_stop listener

# 2. tern-echo, the same run.
gen_pair_up
echo_start "$port" --syncookies always
c0=$(echo_num tcp_syncookie_sent)
p0=$(echo_num tcp_passive_open)
gen_run_pair tern 0 --target "$TERNLAB_TERN_IP:$port" "${mix[@]}"
c1=$(echo_num tcp_syncookie_sent)
p1=$(echo_num tcp_passive_open)
lost=$(($(echo_drop arp_hold_full) + $(echo_drop arp_unresolved)))
check_run
sa=$(gj "d['verdict']['synack_rx']")
conn=$(gj "d['connects']")
it_log "tern: $(gj "d['verdict']['line']")"
it_log "tern: tcp_syncookie_sent +$((c1 - c0)) (legitimate SYNs $conn, lost to ARP $lost), tern-gen saw $sa SYN-ACKs; passive opens +$((p1 - p0)), tern-gen ok $(gj "d['ok']")"
gen_check "SYN-ACKs seen vs tern's tcp_syncookie_sent ($((c1 - c0)) - $conn - $lost)" \
	"abs($sa - ($c1 - $c0 - $conn - $lost)) <= 0.03 * ($c1 - $c0 - $conn)"
gen_check "ok vs tern's tcp_passive_open (+$((p1 - p0)))" "abs(d['connected'] - ($p1 - $p0)) <= 2"
gen_check "timestamped SYN-ACKs whose TSval does not encode the options" \
	"d['verdict']['synack_ts'] > 0 and d['verdict']['ts_encoded'] == d['verdict']['synack_ts']"
it_pass
