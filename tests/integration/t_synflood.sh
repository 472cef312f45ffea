#!/bin/bash
# SYN flood against tern-echo (--syncookies auto, the default) while real Linux clients
# connect. For each flood tool in SYNFLOOD_TOOLS (default: hping3 tern-gen):
#   hping3    `hping3 -S --flood --rand-source` from the peer namespace: random sources
#             anywhere (off-link for tern: answered to the frame's MAC, never ARPed for);
#   tern-gen  `tern-gen --mode synflood --rate SYNFLOOD_PPS` on its own af_packet port on the
#             peer veth, sources in 198.18.0.128/25 (on-link);
# the flood starts; once it has filled tern's SYN queue (cookies sent) and SYNFLOOD_LEAD more
# seconds, connect_client.py opens SYNFLOOD_CONNS connections from the peer's own address
# (connect, 16-byte echo, close; 8 at a time, paced to SYNFLOOD_CPS per second). The
# flood is stopped (by pid) when the clients are done, at the latest after SYNFLOOD_SECS.
# Checks, per tool:
#   - at least 99.9 % of the connections succeeded (each within 20 s: a SYN lost in the flood
#     is retransmitted by Linux after 1, 3, 7, 15 s), and at least 75 % of their run was
#     under the flood;
#   - the flood reached tern (TCP segments received >= SYNFLOOD_MIN_SYNS) and the SYN queue
#     overflowed into SYN cookies (tcp_syncookie_sent > 0);
#   - the SYN queue never held more than the listener's backlog (1024) on any engine: read
#     from telemetry (each engine's gauge) every 0.2 s during the flood;
#   - memory is flat: the mbufs free in tern's pool 2 s after the flood are within 512 of
#     what they were before it, and no mbuf ran out (drop no_mbuf == 0);
#   - tern-echo is still up, answers a connection, and exits 0 on SIGTERM.
# With SYNFLOOD_ENGINES=2 (t_synflood_engines.sh) tern-echo runs two engines on two queue
# pairs (software steering): each engine's listener holds its own backlog, so each
# engine's queue is checked against it, both must have taken part of the flood, and no
# frame handed between them may be lost (steer_ring_full 0).
# usage: t_synflood.sh [af_packet]   (the tern-gen flood needs af_packet on the peer veth)
# Environment: SYNFLOOD_ENGINES (1 or 2), SYNFLOOD_TOOLS, SYNFLOOD_SECS (hard bound per flood, default 20),
#   SYNFLOOD_CONNS (default 1000), SYNFLOOD_PPS (tern-gen rate, default 100000),
#   SYNFLOOD_LEAD (default 0.5), SYNFLOOD_CPS (default 400), SYNFLOOD_MIN_SYNS (default 20000).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${SYNFLOOD_ENGINES:=1}"
if [ "$SYNFLOOD_ENGINES" = 1 ]; then it_begin synflood "${1:-}"; else it_begin synflood_engines "${1:-}"; fi
[ "$IT_MODE" = af_packet ] || it_fail "runs in af_packet mode only"
# shellcheck source=t_gen_lib.sh
. "$IT_DIR/t_gen_lib.sh"
tern_engines "$SYNFLOOD_ENGINES"
port=7
read -ra tools <<<"${SYNFLOOD_TOOLS:-hping3 tern-gen}"
: "${SYNFLOOD_SECS:=20}"
: "${SYNFLOOD_CONNS:=1000}"
: "${SYNFLOOD_PPS:=100000}"
: "${SYNFLOOD_LEAD:=0.5}"
: "${SYNFLOOD_CPS:=400}"
: "${SYNFLOOD_MIN_SYNS:=20000}"
backlog=1024 # tern-echo listens with the default backlog
net=${TERNLAB_PEER_IP%.*}
FLOOD_PID=
WATCH_PID=

# shellcheck disable=SC2317 # called by the exit trap (it_defer)
flood_stop() {
	local p
	for p in $FLOOD_PID $WATCH_PID; do
		kill -INT "$p" 2>/dev/null || true
		ternlab_wait_pid "$p" 5 || kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	FLOOD_PID=
	WATCH_PID=
}
it_defer flood_stop

# flood_start TOOL: start the flood in the background (FLOOD_PID), output in $IT_TMP/TOOL.flood
flood_start() {
	local out=$IT_TMP/$1.flood
	case "$1" in
	hping3)
		command -v hping3 >/dev/null || it_fail "hping3 missing: apt-get install hping3"
		# SIGINT makes hping3 print its statistics; timeout bounds it in any case.
		ip netns exec "$TERNLAB_NS_P" timeout -s INT -k 5 "$SYNFLOOD_SECS" \
			hping3 -q -S -p "$port" --flood --rand-source "$TERNLAB_TERN_IP" \
			</dev/null >"$out" 2>&1 &
		;;
	tern-gen)
		[ -x "$TERN_GEN" ] || it_fail "tern-gen not built: $TERN_GEN"
		IT_SEQ=$((IT_SEQ + 1))
		GEN_PREFIX="$TERNLAB_PREFIX-flood-$$-$IT_SEQ"
		# Its own port on the peer veth (af_packet sees every frame; the kernel ignores
		# the SYN-ACKs to the spoofed block), on the CPU tern-echo does not poll.
		ip netns exec "$TERNLAB_NS_P" timeout -k 5 $((SYNFLOOD_SECS + 10)) "$TERN_GEN" \
			--no-huge --no-pci --no-shconf -m 256 --file-prefix "$GEN_PREFIX" -l 1 \
			--vdev "net_af_packet1,iface=$TERNLAB_IF_P,qpairs=1" -- \
			--ip "$net.4/$TERNLAB_PLEN" --target "$TERNLAB_TERN_IP:$port" --mode synflood \
			--rate "$SYNFLOOD_PPS" --duration "$SYNFLOOD_SECS" --src-range "$net.128/25" \
			--stats-interval 0 </dev/null >"$out" 2>"$IT_TMP/$1.flood.log" &
		;;
	*) it_fail "unknown flood tool '$1' (hping3, tern-gen)" ;;
	esac
	FLOOD_PID=$!
}

# flood_sent TOOL: SYNs the tool says it sent.
flood_sent() {
	case "$1" in
	hping3) sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$IT_TMP/$1.flood" | tail -n 1 ;;
	tern-gen) grep '^{' "$IT_TMP/$1.flood" | tail -n 1 |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["sent"])' 2>/dev/null ;;
	esac
}

# Each engine's SYN queue gauge, every 0.2 s: one line per sample, one value per engine
# (the largest of each is checked).
watch_synq() {
	local i
	while :; do
		for ((i = 0; i < SYNFLOOD_ENGINES; i++)); do
			printf '%s ' "$(tel_num "/tern/gauges,$i" syn_queue)"
		done
		echo
		sleep 0.2
	done >"$IT_TMP/$1.synq" 2>/dev/null &
	WATCH_PID=$!
}

lab_up
failed=()
for tool in "${tools[@]}"; do
	tern_start "$port" --stats-interval 1
	tern_steering
	k0=$(tel_json /tern/stats)
	free0=$(tel_num /tern/gauges mbufs_free)
	it_log "$tool: flood for at most ${SYNFLOOD_SECS}s, $SYNFLOOD_CONNS connections after ${SYNFLOOD_LEAD}s"
	t_flood0=$(date +%s.%N)
	flood_start "$tool"
	watch_synq "$tool"
	# The clients start once the flood is on: the SYN queue has overflowed into cookies
	# (tern-gen needs a moment for its EAL and ARP).
	wait_until 20 tel_is /tern/stats tcp_syncookie_sent -gt 0 ||
		it_fail "$tool: the flood did not fill tern's SYN queue within 20 s"
	sleep "$SYNFLOOD_LEAD"
	rc=0
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 $((SYNFLOOD_SECS + 70)) "$PY" \
		"$IT_DIR/connect_client.py" --host "$TERNLAB_TERN_IP" --port "$port" \
		--count "$SYNFLOOD_CONNS" --rate "$SYNFLOOD_CPS" --concurrency 8 --timeout 20 --deadline $((SYNFLOOD_SECS + 40)) \
		>"$IT_TMP/$tool.clients.json" 2>"$IT_TMP/$tool.clients.err" || rc=$?
	# Was the flood still on when the clients finished?
	flood_on=0
	kill -0 "$FLOOD_PID" 2>/dev/null && flood_on=1
	t_flood1=$(date +%s.%N)
	flood_stop
	[ "$rc" -eq 0 ] || it_fail "$tool: connect_client.py exited with status $rc: $(tail -n 3 "$IT_TMP/$tool.clients.err")"
	sleep 2
	k1=$(tel_json /tern/stats)
	free1=$(tel_num /tern/gauges mbufs_free)
	sent=$(flood_sent "$tool")
	sent=${sent:-0}
	# One verdict line per check, from the numbers gathered above.
	verdict=$("$PY" - "$IT_TMP/$tool.clients.json" "$k0" "$k1" "$IT_TMP/$tool.synq" "$free0" \
		"$free1" "$backlog" "$SYNFLOOD_MIN_SYNS" "$flood_on" "$t_flood0" "$t_flood1" <<'EOF'
import json, sys
cl = json.load(open(sys.argv[1]))
k0, k1 = json.loads(sys.argv[2]), json.loads(sys.argv[3])
d = lambda k: k1.get(k, 0) - k0.get(k, 0)
# one list per engine of its SYN queue samples
rows = [l.split() for l in open(sys.argv[4]) if l.strip()]
synq = [[int(r[i]) for r in rows if len(r) > i and r[i].isdigit()]
        for i in range(max((len(r) for r in rows), default=0))]
free0, free1, backlog, min_syns = (int(x) for x in sys.argv[5:9])
flood_on = sys.argv[9] == "1"
t0, t1 = float(sys.argv[10]), float(sys.argv[11])
bad = []
ok, n = cl["ok"], cl["count"]
if ok * 1000 < n * 999:
    bad.append("only %d of %d connections succeeded (%s)" % (ok, n, cl["failed"]))
during = 1.0 if flood_on else (min(t1, cl["last"] or t1) - (cl["first"] or t0)) / max(
    1e-6, (cl["last"] or t1) - (cl["first"] or t0))
if not flood_on and during < 0.75:
    bad.append("the flood ended before the clients: %.0f %% of their run was under flood" % (100 * during))
if d("tcp_seg_rx") < min_syns:
    bad.append("tern received only %d TCP segments (want >= %d)" % (d("tcp_seg_rx"), min_syns))
if d("tcp_syncookie_sent") == 0:
    bad.append("no SYN cookie was sent: the SYN queue never overflowed")
if not synq or not all(synq):
    bad.append("no SYN queue sample")
for i, q in enumerate(synq):
    if q and max(q) > backlog:
        bad.append("engine %d's SYN queue held %d entries, more than the backlog %d" %
                   (i, max(q), backlog))
    if len(synq) > 1 and q and max(q) == 0:
        bad.append("engine %d's SYN queue stayed empty: the flood reached one engine" % i)
if d("drop_steer_ring_full") > 0:
    bad.append("%d frames lost between engines (steer_ring_full)" % d("drop_steer_ring_full"))
if free1 < free0 - 512:
    bad.append("mbufs free %d after the flood, %d before: not flat" % (free1, free0))
if d("drop_no_mbuf") > 0:
    bad.append("%d no_mbuf drops" % d("drop_no_mbuf"))
print("summary: clients %d/%d ok, connect ms p50 %s p99 %s max %s; tern rx %d segs, cookies "
      "sent %d ok %d failed %d, synack rtx %d, synq max %s, listen_overflow %d; mbufs free "
      "%d -> %d; steer handoff %d" % (ok, n, cl["connect_ms"]["p50"], cl["connect_ms"]["p99"],
                    cl["connect_ms"]["max"], d("tcp_seg_rx"), d("tcp_syncookie_sent"),
                    d("tcp_syncookie_ok"), d("tcp_syncookie_failed"), d("tcp_retrans"),
                    "/".join(str(max(q)) if q else "?" for q in synq) or "?",
                    d("drop_tcp_listen_overflow"), free0, free1, d("steer_handoff")))
for b in bad:
    print("FAIL " + b)
EOF
	) || it_fail "$tool: cannot evaluate the results"
	it_log "$tool: flood sent $sent SYNs in $(awk -v a="$t_flood0" -v b="$t_flood1" 'BEGIN { printf "%.1f", b - a }') s"
	while read -r l; do it_log "$tool: $l"; done <<<"$verdict"
	if grep -q '^FAIL' <<<"$verdict"; then
		failed+=("$tool")
	fi
	# tern-echo survived: one more connection, then a clean exit.
	ip netns exec "$TERNLAB_NS_P" timeout 20 "$PY" "$IT_DIR/connect_client.py" \
		--host "$TERNLAB_TERN_IP" --port "$port" --count 1 --timeout 5 >"$IT_TMP/$tool.after.json" ||
		it_fail "$tool: connect_client.py failed after the flood"
	grep -q '"ok": 1' "$IT_TMP/$tool.after.json" ||
		it_fail "$tool: no connection after the flood: $(cat "$IT_TMP/$tool.after.json")"
	tern_stop
	[ -z "${GEN_PREFIX:-}" ] || ternlab_dpdk_cleanup "$GEN_PREFIX"
	GEN_PREFIX=
done
[ ${#failed[@]} -eq 0 ] || it_fail "failed under: ${failed[*]} (logs in $IT_TMP)"
it_pass
