#!/bin/bash
# tern-gen: ACK and RST floods against tern-echo while clients connect (tern-echo on a second
# veth pair in NS_T, t_gen_lib.sh). One run: connects at 500/s for 3 s, ACKs and RSTs with
# random numbers from 198.18.0.128/25 (5000/s each), and ACKs and RSTs on the 4-tuples of
# the live legitimate connections (seq=plausible: random numbers, a blind in-window attack,
# 2000/s each). Checks: >= 99.9 % of the clients connected and closed normally, none reset
# (tern-gen's failures, and tern-echo accepted no RST: tcp_rst_rx unchanged), the plausible
# streams hit live tuples and tern-echo dropped what reached its connections (out of window,
# or challenged), its listener dropped the spoofed segments and answered the ACKs with RSTs
# that tern-gen counted, every stream within 90-105 % of its rate.
# usage: t_gen_ackrst.sh [af_packet]   (GEN_SECS, GEN_CPS override)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_ackrst "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
port=9300
secs=${GEN_SECS:-3}
cps=${GEN_CPS:-500}
net=${TERNLAB_PEER_IP%.*}
lab_up
gen_pair_up
echo_start "$port"

r0=$(echo_num tcp_rst_rx)
gen_run_pair floods 0 --target "$TERNLAB_TERN_IP:$port" --mode connect --rate "$cps" \
	--duration "$secs" --msl 1000 --proxy-arp --src-range "$net.128/25" \
	--attack ack:5000 --attack rst:5000 --attack ack:2000,seq=plausible \
	--attack rst:2000,seq=plausible
r1=$(echo_num tcp_rst_rx)
challenged=$(echo_drop tcp_rst_challenge)
oow=$(echo_drop tcp_out_of_window)
listen_bad=$(echo_drop tcp_listen_bad)
it_log "$(gj "d['verdict']['line']")"
it_log "tern-echo: tcp_rst_rx +$((r1 - r0)), drops tcp_rst_challenge $challenged, tcp_out_of_window $oow, tcp_listen_bad $listen_bad; live tuples hit: $(gj "[a.get('live_tuples') for a in d['attacks']]")"
gen_check "no error" "d['error'] is None and not d['interrupted']"
gen_check "clients connected < 99.9 %" "d['attempted'] > 0 and d['ok'] >= 0.999 * d['attempted']"
gen_check "a connection was reset" "d['failures']['reset'] == 0 and d['failures']['refused'] == 0"
gen_check "a stream off its rate" "all(0.90 <= a['pps'] / a['rate'] <= 1.05 for a in d['attacks'])"
gen_check "the plausible streams hit no live tuple" "all(a['live_tuples'] > 0 for a in d['attacks'] if 'live_tuples' in a)"
gen_check "no RST from tern-echo to the spoofed ACKs" "d['verdict']['rst_rx_spoofed'] > 0"
[ "$r1" -eq "$r0" ] || it_fail "tern-echo accepted $((r1 - r0)) RSTs (tcp_rst_rx): a connection was reset"
[ "$listen_bad" -gt 0 ] || it_fail "tern-echo's listener counted none of the spoofed segments"
[ "$((challenged + oow))" -gt 0 ] || it_fail "tern-echo counted none of the plausible segments"
it_pass
