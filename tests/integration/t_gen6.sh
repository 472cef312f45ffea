#!/bin/bash
# tern-gen over IPv6: one mixed run (legitimate IPv6 connects + an IPv6 SYN flood from two
# IPv6 blocks + a realistic IPv6 SYN flood, --proxy-arp answering the target's Neighbour
# Solicitations for the sources) with the same rates against two IPv6 targets, its verdict
# checked against the target's own counters, as t_gen_mixed.sh does over IPv4:
#   - the Linux kernel in the peer namespace over IPv6 (tcp_syncookies=2, which covers
#     IPv6 too: a cookie for every SYN; restored at exit): SYN-ACKs seen == TcpExt
#     SyncookiesSent - the legitimate SYNs (within 3 %), cookie share >= 98 %, connected ==
#     TcpPassiveOpens rise, and Linux resolved the sources through tern-gen's NAs;
#   - tern-echo over IPv6 (--syncookies always) on a second veth pair in NS_T: SYN-ACKs
#     seen == tcp_syncookie_sent - legitimate connections (within 3 %, less those lost
#     to ND), connected == tcp_passive_open, every connection IPv6 (tcp6_open).
#   Both: >= 99.9 % of the IPv6 clients connected while the flood ran, each stream within
#   90-105 % of its rate. Between the two, --mode http over IPv6 against Python's
#   http.server on the peer's IPv6 address: 100 GETs, all 200, the body bytes exact.
# usage: t_gen6.sh [af_packet]   (GEN_SECS, GEN_SYN, GEN_REAL, GEN_CPS override)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen6 "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port=9206
secs=${GEN_SECS:-2}
syn=${GEN_SYN:-4000}
real=${GEN_REAL:-1000}
cps=${GEN_CPS:-300}
net6=${TERNLAB_PEER_IP6%::*}
# Small blocks (64 sources each): Linux keeps a neighbour entry per source it answers.
mix=(--mode connect --rate "$cps" --duration "$secs" --msl 1000 --proxy-arp
	--attack "syn:$syn,src=$net6::8000/122+$net6::9000/122"
	--attack "syn-real:$real,src=$net6::a000/122,mix=linux:50+windows:30+mobile:20")
lab_up
# shellcheck disable=SC2317 # called by the exit trap (it_defer)
peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
it_defer peer_ipv6_off
timeout 30 "$LAB" ipv6 on >/dev/null || it_fail "lab.sh ipv6 on failed"

check_run() {
	gen_check "no error" "d['error'] is None and not d['interrupted']"
	gen_check "IPv6 target" "d['target'].startswith('[')"
	gen_check "clients connected < 99.9 %" "d['ok'] >= 0.999 * d['attempted'] and d['attempted'] > 0"
	gen_check "legitimate rate" "0.90 * $cps <= d['rate_achieved'] <= 1.05 * $cps"
	gen_check "a stream off its rate" "all(0.90 <= a['pps'] / a['rate'] <= 1.05 for a in d['attacks'])"
	gen_check "verdict fields" "d['verdict']['syn_sent'] == sum(a['sent'] for a in d['attacks'])"
	gen_check "cookie share < 98 %" "d['verdict']['cookie_share'] >= 0.98"
	gen_check "TX drops" "d['tern']['tx_full'] == 0"
}

# 1. Linux over IPv6, every SYN answered with a cookie.
old_cookies=$(ip netns exec "$TERNLAB_NS_P" sysctl -n net.ipv4.tcp_syncookies)
# shellcheck disable=SC2317 # called by the exit trap (it_defer)
restore_cookies() { ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_syncookies="$old_cookies"; }
it_defer restore_cookies
ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_syncookies=2 ||
	it_fail "cannot set net.ipv4.tcp_syncookies=2 in $TERNLAB_NS_P"
peer_server listener6 "$PY" -c 'import socket, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4096)
while True: s.accept()[0].close()' "$TERNLAB_PEER_IP6" "$port"
wait_until 10 peer_listening "$port" || it_fail "IPv6 listener in $TERNLAB_NS_P did not come up"

nstat_get() {
	ip netns exec "$TERNLAB_NS_P" nstat -az "$1" | awk -v k="$1" '$1 == k { print $2 }'
}
c0=$(nstat_get TcpExtSyncookiesSent)
p0=$(nstat_get TcpPassiveOpens)
gen_run linux6 0 --ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --target "[$TERNLAB_PEER_IP6]:$port" "${mix[@]}"
c1=$(nstat_get TcpExtSyncookiesSent)
p1=$(nstat_get TcpPassiveOpens)
check_run
sa=$(gj "d['verdict']['synack_rx']")
conn=$(gj "d['connects']")
neigh=$(ip netns exec "$TERNLAB_NS_P" ip -6 neigh show dev "$TERNLAB_IF_P" | grep -c "^$net6::[89a]0[0-3]" || true)
it_log "linux6: $(gj "d['verdict']['line']")"
it_log "linux6: SyncookiesSent +$((c1 - c0)) (legitimate SYNs $conn), tern-gen saw $sa SYN-ACKs; PassiveOpens +$((p1 - p0)), tern-gen connected $(gj "d['connected']"); NAs sent $(gj "d['verdict']['arp_answered']"), Linux neighbours in the blocks $neigh"
gen_check "SYN-ACKs seen vs Linux SyncookiesSent ($((c1 - c0)) - $conn)" \
	"$((c1 - c0 - conn)) > 0 and abs($sa - ($c1 - $c0 - $conn)) <= 0.03 * ($c1 - $c0 - $conn)"
gen_check "connected vs Linux TcpPassiveOpens (+$((p1 - p0)))" "abs(d['connected'] - ($p1 - $p0)) <= 2"
gen_check "Linux asked no NS for the sources (--proxy-arp)" "d['verdict']['arp_answered'] > 0"
[ "$neigh" -gt 0 ] || it_fail "Linux holds no neighbour entry for the IPv6 sources"
peer_server_stop listener6

# 1b. http over IPv6: 100 GETs of a 1000-byte file from Python's http.server on the peer's
# IPv6 address (Host: [X:X::X]:PORT).
mkdir -p "$IT_TMP/www"
head -c 1000 /dev/urandom >"$IT_TMP/www/f"
peer_server http6 "$PY" -m http.server -b "$TERNLAB_PEER_IP6" -d "$IT_TMP/www" "$((port + 1))"
wait_until 10 peer_listening "$((port + 1))" || it_fail "IPv6 http.server did not come up"
gen_run http6 0 --ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --target "[$TERNLAB_PEER_IP6]:$((port + 1))" \
	--mode http --path /f --rate 200 --count 100 --msl 1000
gen_check "http over IPv6: 100 responses, all 200" "d['ok'] == 100 and d['status'].get('200') == 100"
gen_check "http over IPv6: body bytes" "d['body_bytes'] == 100 * 1000"
it_log "http6: $(gj "d['ok']") of 100 GETs answered 200, response p99 $(gj "d['response_latency_us']['p99']") us"
peer_server_stop http6

# 2. tern-echo over IPv6, the same run.
gen_pair_up
echo_start "$port" --ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --syncookies always
# shellcheck disable=SC2317 # called through wait_until
echo_dad_ok() { [ "$(echo_num nd_dad_ok)" -ge 2 ]; }
wait_until 10 echo_dad_ok ||
	it_fail "tern-echo's DAD did not complete: nd_dad_ok $(echo_num nd_dad_ok)"
c0=$(echo_num tcp_syncookie_sent)
p0=$(echo_num tcp_passive_open)
o0=$(echo_num tcp6_open)
gen_run_pair tern6 0 --ip "$net6::3/$TERNLAB_PLEN6" --target "[$TERNLAB_TERN_IP6]:$port" "${mix[@]}"
c1=$(echo_num tcp_syncookie_sent)
p1=$(echo_num tcp_passive_open)
o1=$(echo_num tcp6_open)
lost=$(($(echo_drop nd_hold_full) + $(echo_drop nd_unresolved)))
check_run
sa=$(gj "d['verdict']['synack_rx']")
conn=$(gj "d['connects']")
it_log "tern6: $(gj "d['verdict']['line']")"
it_log "tern6: tcp_syncookie_sent +$((c1 - c0)) (legitimate SYNs $conn, lost to ND $lost), tern-gen saw $sa SYN-ACKs; passive opens +$((p1 - p0)) (tcp6_open +$((o1 - o0))), tern-gen connected $(gj "d['connected']")"
gen_check "SYN-ACKs seen vs tern's tcp_syncookie_sent ($((c1 - c0)) - $conn - $lost)" \
	"$((c1 - c0 - conn)) > 0 and abs($sa - ($c1 - $c0 - $conn - $lost)) <= 0.03 * ($c1 - $c0 - $conn)"
gen_check "connected vs tern's tcp_passive_open (+$((p1 - p0)))" "abs(d['connected'] - ($p1 - $p0)) <= 2"
gen_check "connections not over IPv6 (tcp6_open +$((o1 - o0)))" "$((o1 - o0)) >= d['connected'] - 2"
gen_check "timestamped SYN-ACKs whose TSval does not encode the options" \
	"d['verdict']['synack_ts'] > 0 and d['verdict']['ts_encoded'] == d['verdict']['synack_ts']"
it_pass
