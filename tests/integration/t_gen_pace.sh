#!/bin/bash
# tern-gen pacing: a SYN stream (attacks only, sources in 10.99.0.0/16, which the peer does
# not route: its RSTs go nowhere) at three rates (GEN_RATES, default 2000 10000 50000) for
# GEN_SECS (2) each, toward a closed port of the peer. What reached the wire is read from
# the peer's interface (rx_packets; the few other frames of the lab, ARP, are in it too).
# Per rate: tern-gen's achieved rate (sent / open_s) and the wire's (rx_packets rise /
# open_s) within 95-103 % of asked; at the highest rate a stream may fall short only if
# tern-gen says so (shortfall in the summary and a line on stderr: no silent shortfall).
# usage: t_gen_pace.sh [af_packet]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin gen_pace "${1:-}"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
read -ra rates <<<"${GEN_RATES:-2000 10000 50000}"
secs=${GEN_SECS:-2}
lab_up
rx() { ip netns exec "$TERNLAB_NS_P" cat "/sys/class/net/$TERNLAB_IF_P/statistics/rx_packets"; }

top=${rates[$((${#rates[@]} - 1))]}
report=
for r in "${rates[@]}"; do
	w0=$(rx)
	gen_run "pace$r" 0 --target "$TERNLAB_PEER_IP:9" --attack "syn:$r,src=10.99.0.0/16" \
		--duration "$secs"
	sleep 0.2
	w1=$(rx)
	open=$(gj "d['open_s']")
	sent=$(gj "d['attacks'][0]['sent']")
	line=$(printf '%s/s: tern-gen %s/s (%s %%), wire %s/s (%s %%)' "$r" \
		"$(gj "round(d['attacks'][0]['pps'])")" "$(gj "d['attacks'][0]['achieved_pct']")" \
		"$(gj "round(($w1 - $w0) / d['open_s'])")" "$(gj "round(100.0 * ($w1 - $w0) / d['open_s'] / $r, 1)")")
	it_log "$line (sent $sent, wire +$((w1 - w0)) in ${open}s)"
	report="$report; $line"
	gen_check "error" "d['error'] is None and not d['interrupted']"
	if [ "$r" = "$top" ] && [ "$(gj "d['attacks'][0]['shortfall']")" = True ]; then
		grep -q "tern-gen: attack syn:$r.*below the rate asked" "$IT_TMP/pace$r.log" ||
			it_fail "shortfall at $r/s without its line on stderr"
		it_log "$r/s: above this machine's limit now, and tern-gen said so"
		continue
	fi
	gen_check "achieved off the rate asked" "0.95 <= d['attacks'][0]['pps'] / $r <= 1.03"
	gen_check "shortfall flag" "not d['attacks'][0]['shortfall']"
	gen_check "wire off the rate asked ($((w1 - w0)) frames)" \
		"0.95 <= ($w1 - $w0) / d['open_s'] / $r <= 1.03"
done
it_log "pacing${report}"
it_pass
