#!/bin/bash
# TIME_WAIT churn through tern-proxy (issue 5; docs/TCP.md "TIME_WAIT and reuse"):
# short HTTP connections from Linux clients in the peer namespace (tern-churn), through
# tern-proxy (MSL 30 s, so TIME_WAIT lasts 60 s; --port-range cut to 10,000 ports), to ONE
# backend: nginx on PEER_IP:8080 (8180 with two engines). Each connection is a GET of 1000
# bytes.
#   1. proxy closes first, --tw-reuse on: the client closes after the response, the proxy
#      passes the FIN on, nginx (keep-alive) closes second, so tern holds the backend-side
#      TIME_WAIT and must reuse its 10,000 ports (active reuse). CHURN_COUNT (200,000)
#      connections: all succeed; tern counted active reuses; TIME_WAIT held thousands. (At
#      more than 10,000 connections/s the youngest ports are under the 1 s reuse delay:
#      the proxy then holds clients briefly on its port queue instead of resetting them.)
#   2. the same with --tw-reuse off (30 s, less than one TIME_WAIT): the ports run out after
#      10,000 connections; clients wait for a port (--connect-timeout, 3 s) and are then
#      reset: failures are reported (the test of 1 can fail).
#   3. backend closes first, --tw-reuse on: "Connection: close", nginx closes first, the proxy
#      passes its FIN to the client, so tern holds the client-side TIME_WAIT and the Linux
#      clients' ports come back to it (passive reuse, RFC 6191) while nginx holds the
#      backend-side ones (Linux takes tern's SYNs on them: newer timestamps). CHURN_COUNT
#      connections: all succeed; passive reuses counted, no SYN refused by a TIME_WAIT.
#   4. the same with --tw-reuse off (CHURN_OFF_COUNT, bounded; run before 3): SYNs refused
#      by TIME_WAIT entries are counted (each such client waits for its SYN retransmission,
#      ~1 s).
# The peer namespace's client port range is 10000-39999 with net.ipv4.tcp_tw_reuse=1 (the
# Linux clients reuse their own TIME_WAIT ports after 1 s in case 1); both are restored.
# With CHURN_ENGINES=2 (t_churn2.sh, test name churn2) tern-proxy runs two engines (af_packet
# qpairs=2): each engine owns half of the 10,000 ports and its own TIME_WAIT entries, and
# every segment of both sides of each proxied flow must reach the engine holding it (issue
# 10); the ready line's steering method and the opens and handoffs per engine are logged,
# and every run also fails on a drop of a segment at the wrong engine (lib.sh steer_drops).
# usage: t_churn.sh [af_packet|tap|virtio-user]
# Environment: CHURN_COUNT (200000), CHURN_OFF_COUNT (20000), CHURN_CONC (32), CHURN_ENGINES (1).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CHURN_ENGINES:=1}"
: "${CHURN_FAMILY:=4}"
if [ "$CHURN_FAMILY" = 6 ]; then
	it_begin churn6 "${1:-}"
elif [ "$CHURN_ENGINES" = 1 ]; then
	it_begin churn "${1:-}"
else
	it_begin "churn$CHURN_ENGINES" "${1:-}"
fi
[ "$CHURN_ENGINES" = 1 ] || [ "$IT_MODE" != virtio-user ] ||
	it_fail "several engines need several queues: af_packet (qpairs=) or tap"
[ "$CHURN_ENGINES" = 1 ] || tern_engines "$CHURN_ENGINES"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
: "${CHURN_COUNT:=200000}"
: "${CHURN_OFF_COUNT:=20000}"
: "${CHURN_CONC:=32}"
CHURN=$TERN_BUILD/tests/tools/tern-churn
PROXY=$TERN_BUILD/apps/tern-proxy/tern-proxy
[ -x "$CHURN" ] || it_fail "tern-churn not built: $CHURN"
[ -x "$PROXY" ] || it_fail "tern-proxy not built: $PROXY"
lab_up

# The backend port differs with the engine count (churn: 8080, churn2: 8180), and the peer
# must hold no TIME_WAIT on it: one left by an earlier tern-proxy process (churn before
# churn2, or a run before this one) refuses SYNs whose timestamps are older (another
# process clock): tcp_syn_sent_bad, a RST and the SYN again 1 s later.
be_port=$((8080 + (CHURN_ENGINES - 1) * 100))
# CHURN_FAMILY=6 (t_churn6.sh): clients to tern's IPv6 address, an IPv6 backend (nginx on
# the peer's IPv6 address, its own port 8680), tern-proxy with an IPv6 --ip as well.
target_ip=$TERNLAB_TERN_IP
be_ip=$TERNLAB_PEER_IP
v6opts=()
if [ "$CHURN_FAMILY" = 6 ]; then
	be_port=8680
	target_ip="[$TERNLAB_TERN_IP6]"
	be_ip="[$TERNLAB_PEER_IP6]"
	v6opts=(--ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6")
	peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
	it_defer peer_ipv6_off
	timeout 30 "$LAB" ipv6 on >/dev/null || it_fail "lab.sh ipv6 on failed"
fi
peer_tw() { ip netns exec "$TERNLAB_NS_P" ss -Htan state time-wait "sport = :$be_port" | wc -l; }
peer_tw_none() { [ "$(peer_tw)" -eq 0 ]; }
if ! peer_tw_none; then
	it_log "the peer holds $(peer_tw) TIME_WAIT on port $be_port: waiting for them to expire"
	wait_until 75 peer_tw_none || it_log "still $(peer_tw) after 75 s"
fi
mkdir -p "$IT_TMP/www"
head -c 1000 /dev/urandom >"$IT_TMP/www/f1k"
NGX_LISTEN6=$([ "$CHURN_FAMILY" = 6 ] && echo 1 || echo 0) ngx_start "$IT_TMP/www" "$be_port"

old_reuse=$(ip netns exec "$TERNLAB_NS_P" sysctl -n net.ipv4.tcp_tw_reuse)
old_range=$(ip netns exec "$TERNLAB_NS_P" sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')
restore_sysctl() {
	ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_tw_reuse="$old_reuse" \
		net.ipv4.ip_local_port_range="$old_range" 2>/dev/null || true
}
it_defer restore_sysctl
ip netns exec "$TERNLAB_NS_P" sysctl -qw net.ipv4.tcp_tw_reuse=1 \
	net.ipv4.ip_local_port_range="10000 39999"

CJ=
# run NAME TW_REUSE CLOSE COUNT MAX_SECONDS: one tern-proxy, one tern-churn run; leaves the
# summary in CJ and tern's counters in TW_ACTIVE TW_PASSIVE TW_SYN TW_HELD.
run() {
	local name=$1 tw=$2 close=$3 count=$4 secs=$5 rc=0 misdirected=0 ct=()
	# With reuse on, every connection must succeed: a backend connect gets 10 s instead of
	# the default 3 (SYNs at 0, 1, 3 and 7 s), so that a machine loaded enough to drop frames
	# (a SYN or SYN-ACK lost twice in a row) does not fail a test of TIME_WAIT reuse. With
	# reuse off, the 3 s default is what resets the clients that wait for a port.
	[ "$tw" = off ] || ct=(--connect-timeout 10000)
	# One --key-file for every run's tern-proxy: the clocks of a new process go on from the
	# last one's (docs/PROXY.md, restarts). Without it each process had a clock of its own,
	# and when the new one's timestamps were older, nginx's TIME_WAIT entries from the run
	# before refused its SYNs on those ports (PAWS: an ACK, our RST, the SYN again 1 s
	# later): backend_first_on then ran at about 3,000 instead of 30,000 connections/s
	# (mean 10 ms) in about one run of three, 60 s longer.
	TERN_ECHO=$PROXY tern_start 80 --backend "$be_ip:$be_port" --port-range 50000-59999 \
		--msl 30000 --tw-reuse "$tw" --stats-interval 10 --key-file "$IT_TMP/proxy.key" \
		"${ct[@]}" "${v6opts[@]}"
	[ "$CHURN_FAMILY" = 4 ] || wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
	[ "$CHURN_ENGINES" = 1 ] || tern_steering
	it_log "$name: $count connections, the $close closes first, --tw-reuse $tw"
	PEER_TIMEOUT=$((secs + 30)) peer "$CHURN" --target "$target_ip:80" --path /f1k \
		--count "$count" --concurrency "$CHURN_CONC" --close "$close" --max-seconds "$secs" \
		--timeout-ms 10000 >"$IT_TMP/$name.json" 2>"$IT_TMP/$name.err" || rc=$?
	[ "$rc" -le 1 ] || it_fail "$name: tern-churn exited with $rc: $(tail -n 2 "$IT_TMP/$name.err" | tr '\n' ' ')"
	CJ=$(cat "$IT_TMP/$name.json")
	TW_ACTIVE=$(tel_num /tern/stats tcp_tw_reuse_active)
	TW_PASSIVE=$(tel_num /tern/stats tcp_tw_reuse_passive)
	TW_SYN=$(tel_num /tern/drops tcp_tw_syn)
	TW_HELD=$(tel_num /tern/gauges time_wait)
	TCP6_OPEN=$(tel_num /tern/stats tcp6_open)
	it_log "$name: $CJ"
	it_log "$name: tern: time_wait $TW_HELD, reuse active $TW_ACTIVE passive $TW_PASSIVE, SYNs refused by TIME_WAIT $TW_SYN"
	if [ "$CHURN_ENGINES" -gt 1 ]; then
		local e spread=
		for e in $(seq 0 $((CHURN_ENGINES - 1))); do
			spread+="engine $e passive $(tel_num "/tern/stats,$e" tcp_passive_open) active $(tel_num "/tern/stats,$e" tcp_active_open) handoff $(tel_num "/tern/stats,$e" steer_handoff); "
		done
		# Not tcp_syn_sent_bad: one engine counts it too (backend_first_on, a new process's
		# SYNs to a port nginx holds in TIME_WAIT with an older timestamp clock, see above).
		misdirected=$(steer_drops "$(tel_json /tern/drops)" tcp_syn_sent_bad)
		it_log "$name: ${spread%; }; wrong-engine drops: $misdirected"
	fi
	tern_stop
	if [ "$CHURN_ENGINES" -gt 1 ]; then
		grep -E '^tern-proxy: (final:|drop )' "$TERN_LOG" | while read -r l; do it_log "$name: $l"; done
		[ "$misdirected" = 0 ] || it_fail "$name: segments answered at the wrong engine: $misdirected"
	fi
}
cj() { CJ_EXPR=$1 "$PY" -c 'import json,os,sys; d=json.loads(sys.stdin.read()); print(eval(os.environ["CJ_EXPR"]))' <<<"$CJ"; }
want() { [ "$(cj "$2")" = True ] || it_fail "$1 ($2 is false; $CJ)"; }

run proxy_first_on on client "$CHURN_COUNT" 240
want "proxy first, reuse on: not every connection succeeded" "d['ok'] == $CHURN_COUNT and d['failed'] == 0"
[ "$TW_ACTIVE" -gt 0 ] || it_fail "proxy first, reuse on: no active TIME_WAIT reuse counted"
[ "$TW_HELD" -ge 5000 ] || it_fail "proxy first, reuse on: only $TW_HELD TIME_WAIT entries held (the test did not fill the ports)"
on_rate=$(cj "d['conn_per_s']")
on_active=$TW_ACTIVE
if [ "$CHURN_FAMILY" = 6 ]; then
	# both sides of every pair over IPv6: at least two opens per connection
	[ "$TCP6_OPEN" -ge $((2 * CHURN_COUNT)) ] ||
		it_fail "proxy first: tcp6_open $TCP6_OPEN, want >= $((2 * CHURN_COUNT)) (both sides IPv6)"
fi

if [ "${CHURN_OFF:-1}" = 0 ]; then
	# churn6: the reuse-off runs (the controls that show the checks above can fail) are
	# churn's; only the reuse-on runs again over IPv6, to keep CI short.
	run backend_first_on on server "$CHURN_COUNT" 240
	want "backend first, reuse on: not every connection succeeded" "d['ok'] == $CHURN_COUNT and d['failed'] == 0"
	[ "$TW_PASSIVE" -gt 0 ] || it_fail "backend first, reuse on: no passive (RFC 6191) reuse counted"
	[ "$TW_SYN" -eq 0 ] || it_fail "backend first, reuse on: $TW_SYN SYNs refused by TIME_WAIT entries"
	it_log "summary: proxy first $on_rate conn/s with reuse (active $on_active); backend first $(cj "d['conn_per_s']") conn/s (passive $TW_PASSIVE)"
	it_pass
fi

run proxy_first_off off client "$CHURN_OFF_COUNT" 30
want "proxy first, reuse off: no failure reported although 10,000 ports were held in TIME_WAIT" \
	"d['failed'] > 0 and d['ok'] <= 10000"

# Off before on: nginx then holds no backend-side TIME_WAIT of an earlier tern-proxy
# process, whose timestamp clock (random per-process offset) it may find older: those SYNs
# are refused by Linux until tern's RST and SYN retransmission, 1 s each (see docs/TCP.md).
run backend_first_off off server "$CHURN_OFF_COUNT" 40
[ "$TW_SYN" -gt 0 ] || it_fail "backend first, reuse off: no SYN refused by a TIME_WAIT entry"
boff="$(cj "d['conn_per_s']") conn/s and $(cj "d['failed']") failures without (SYNs refused $TW_SYN)"

run backend_first_on on server "$CHURN_COUNT" 240
want "backend first, reuse on: not every connection succeeded" "d['ok'] == $CHURN_COUNT and d['failed'] == 0"
[ "$TW_PASSIVE" -gt 0 ] || it_fail "backend first, reuse on: no passive (RFC 6191) reuse counted"
[ "$TW_SYN" -eq 0 ] || it_fail "backend first, reuse on: $TW_SYN SYNs refused by TIME_WAIT entries"
bon_rate=$(cj "d['conn_per_s']")
it_log "summary: proxy first $on_rate conn/s with reuse; backend first $bon_rate conn/s with reuse, $boff"
it_pass
